/*
 * One-shot timers, Python's threading.Timer: start() arms the timer and
 * starts its own thread, which waits delay_ms on the timer's wait queue (a
 * timed park, so that cancel() can wake it) and then, unless cancelled,
 * records timer.fire and calls fn(arg) in that thread.
 *
 * state goes 0 idle -> 1 armed -> 2 fired or 3 cancelled, under lk.
 * cancel() returns 0 if it stopped the timer in time (or it never started)
 * and CLAB_EAGAIN if fn had already been called or was being called.
 * destroy() joins the timer's thread: cancel first to not wait.
 */
#include <stdlib.h>

#include "rt.h"

enum { T_IDLE = 0, T_ARMED = 1, T_FIRED = 2, T_CANCELLED = 3 };

struct timer_start {
	clab_timer_t *t;
	const struct clab_site *site; /* where start() was called */
};

static void *timer_main(void *arg)
{
	struct timer_start ts = *(struct timer_start *)arg;
	clab_timer_t *t = ts.t;
	struct clab__thr *self = clab__self();
	struct clab__waiter w;
	struct timespec dl;
	int r = 0;

	free(arg);
	clab__lk_lock(&t->lk);
	clab__deadline(&dl, t->delay_ms);
	while (t->state == T_ARMED && r == 0) {
		clab__waiter_init(&w, self);
		clab__wq_push(&t->wq, &w);
		while (w.q != NULL && r == 0)
			r = clab__park(self, &t->lk, &w, &t->h, ts.site, &dl);
	}
	if (t->state != T_ARMED) {
		clab__lk_unlock(&t->lk);
		return NULL;
	}
	t->state = T_FIRED;
	clab__emit_obj(self, CLAB_K_TIMER_FIRE, &t->h, ts.site, 0, 0);
	clab__lk_unlock(&t->lk);
	t->fn(t->arg);
	return NULL;
}

int clab__timer_init(clab_timer_t *t, const char *name,
		     const struct clab_site *site)
{
	struct clab__thr *self = clab__self();
	int r;

	r = clab__obj_fresh(self, t, CLAB_O_TIMER, site);
	if (r)
		return r;
	t->wq.head = t->wq.tail = NULL;
	t->thread = NULL;
	t->fn = NULL;
	t->arg = NULL;
	t->delay_ms = 0;
	t->state = T_IDLE;
	clab__lk_init(&t->lk);
	r = clab__obj_init(&t->h, self, CLAB_O_TIMER, name, site, 0, 0);
	return r < 0 ? r : 0;
}

/*
 * NULL is accepted and ignored (returns 0).  Waits for the timer's thread
 * (that is, for fn to run and return, unless it was cancelled).  Called from
 * fn itself it cannot wait for its own thread: the join's error is
 * returned and the timer is not destroyed.
 */
int clab__timer_destroy(clab_timer_t *t, const struct clab_site *site)
{
	struct clab__thr *self;
	clab_thread_t *th;
	int r;

	if (t == NULL)
		return 0;
	self = clab__self();
	CLAB__CHECK(self, t, CLAB_O_TIMER, site);
	clab__lk_lock(&t->lk);
	th = t->thread;
	clab__lk_unlock(&t->lk);
	if (th != NULL) {
		r = clab__thread_join(th, NULL, CLAB_FOREVER, site);
		if (r < 0)
			return r;
	}
	clab__lk_lock(&t->lk);
	t->thread = NULL;
	if (!clab__wq_empty(&t->wq)) {
		clab__diag(self, CLAB_D_DESTROY_BUSY, t->h.id, t->h.id, site);
		clab__lk_unlock(&t->lk);
		return CLAB_EBUSY;
	}
	clab__obj_fini(&t->h, self, site);
	clab__lk_unlock(&t->lk);
	return 0;
}

/*
 * Arm the timer and start its thread.  A timer starts once: CLAB_EINVAL if
 * it was started (or cancelled) before, or fn is NULL.
 */
int clab__timer_start(clab_timer_t *t, uint32_t delay_ms, void (*fn)(void *),
		      void *arg, const struct clab_site *site)
{
	struct clab__thr *self;
	struct timer_start *ts;
	clab_thread_t *th = NULL;
	int r;

	self = clab__self();
	clab__sched_point(self, site);
	CLAB__CHECK(self, t, CLAB_O_TIMER, site);
	if (fn == NULL)
		return CLAB_EINVAL;
	ts = malloc(sizeof(*ts));
	if (ts == NULL)
		return CLAB_ENOMEM;
	ts->t = t;
	ts->site = site;
	clab__lk_lock(&t->lk);
	if (t->state != T_IDLE) {
		clab__lk_unlock(&t->lk);
		free(ts);
		return CLAB_EINVAL;
	}
	t->fn = fn;
	t->arg = arg;
	t->delay_ms = delay_ms;
	t->state = T_ARMED;
	clab__emit_obj(self, CLAB_K_TIMER_ARM, &t->h, site, 0, delay_ms);
	/*
	 * Created with lk held so that a concurrent destroy sees the thread;
	 * the new thread takes lk only after it has started.
	 */
	char *name = clab__obj_name_dup(t->h.id);
	r = clab__thread_create(&th, name, timer_main, ts, site);
	free(name);
	if (r < 0) {
		t->state = T_IDLE;
		clab__lk_unlock(&t->lk);
		free(ts);
		return r;
	}
	t->thread = th;
	clab__lk_unlock(&t->lk);
	return 0;
}

int clab__timer_cancel(clab_timer_t *t, const struct clab_site *site)
{
	struct clab__thr *self;
	int r = 0;

	self = clab__self();
	clab__sched_point(self, site);
	CLAB__CHECK(self, t, CLAB_O_TIMER, site);
	clab__lk_lock(&t->lk);
	if (t->state == T_FIRED) {
		r = CLAB_EAGAIN;
	} else {
		t->state = T_CANCELLED;
		clab__unpark_all(&t->wq, CLAB_CAUSE_SIGNAL);
	}
	clab__emit_obj(self, CLAB_K_TIMER_CANCEL, &t->h, site, r == 0, 0);
	clab__lk_unlock(&t->lk);
	return r;
}
