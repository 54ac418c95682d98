/*
 * Periodic timers: a tick thread sleeps interval_ms (a timed park on the
 * timer's wait queue, so that stop() can interrupt it), bumps tick, records
 * ptimer.tick and wakes every thread in wait_tick().  Ticks keep a fixed
 * rate: each deadline is the previous one plus the interval.
 *
 * wait_tick() waits for a tick after the one current when it was called
 * and returns that tick's number (from 1); a thread that was not waiting
 * when a tick happened does not see it.  stop() wakes the waiters with
 * CLAB_ECANCELED and joins the tick thread.
 *
 * The tick thread sleeps on the same queue as the waiters; when it wakes
 * them it is not on the queue itself (its park timed out), and stop() wakes
 * it together with them.
 */
#include <stdlib.h>

#include "rt.h"

struct ptimer_start {
	clab_ptimer_t *p;
	const struct clab_site *site; /* where start() was called */
};

static void *ptimer_main(void *arg)
{
	struct ptimer_start ps = *(struct ptimer_start *)arg;
	clab_ptimer_t *p = ps.p;
	struct clab__thr *self = clab__self();
	struct clab__waiter w;
	struct timespec dl;
	int r;

	free(arg);
	clab__lk_lock(&p->lk);
	clab__deadline(&dl, p->interval_ms);
	while (!p->stop) {
		clab__waiter_init(&w, self);
		clab__wq_push(&p->wq, &w);
		r = 0;
		while (w.q != NULL && r == 0)
			r = clab__park(self, &p->lk, &w, &p->h, ps.site, &dl);
		if (p->stop)
			break;
		if (r != CLAB_ETIMEDOUT)
			continue; /* woken, not by stop: sleep on */
		p->tick++;
		clab__unpark_all(&p->wq, CLAB_CAUSE_BROADCAST);
		clab__emit_obj(self, CLAB_K_PTIMER_TICK, &p->h, ps.site, 0,
			       p->tick);
		clab__ts_add_ms(&dl, p->interval_ms);
	}
	clab__lk_unlock(&p->lk);
	return NULL;
}

int clab__ptimer_init(clab_ptimer_t *p, const char *name, uint32_t interval_ms,
		      const struct clab_site *site)
{
	struct clab__thr *self = clab__self();
	int r;

	r = clab__obj_fresh(self, p, CLAB_O_PTIMER, site);
	if (r)
		return r;
	if (interval_ms == 0 || interval_ms == CLAB_FOREVER)
		return clab__bad_value(self, interval_ms, site);
	p->wq.head = p->wq.tail = NULL;
	p->thread = NULL;
	p->interval_ms = interval_ms;
	p->tick = 0;
	p->stop = 0;
	clab__lk_init(&p->lk);
	r = clab__obj_init(&p->h, self, CLAB_O_PTIMER, name, site, 0,
			   interval_ms);
	return r < 0 ? r : 0;
}

/* Start ticking.  CLAB_EINVAL if it was started or stopped before. */
int clab__ptimer_start(clab_ptimer_t *p, const struct clab_site *site)
{
	struct clab__thr *self = clab__self();
	struct ptimer_start *ps;
	clab_thread_t *th = NULL;
	int r;

	clab__sched_point(self, site);
	CLAB__CHECK(self, p, CLAB_O_PTIMER, site);
	ps = malloc(sizeof(*ps));
	if (ps == NULL)
		return CLAB_ENOMEM;
	ps->p = p;
	ps->site = site;
	clab__lk_lock(&p->lk);
	if (p->thread != NULL || p->stop) {
		clab__lk_unlock(&p->lk);
		free(ps);
		return CLAB_EINVAL;
	}
	/* the tick thread takes lk only after it has started */
	char *name = clab__obj_name_dup(p->h.id);
	r = clab__thread_create(&th, name, ptimer_main, ps, site);
	free(name);
	if (r < 0) {
		clab__lk_unlock(&p->lk);
		free(ps);
		return r;
	}
	p->thread = th;
	clab__lk_unlock(&p->lk);
	return 0;
}

/*
 * Stop ticking, wake the waiters (CLAB_ECANCELED) and join the tick thread.
 * Stopping a stopped or never started timer returns 0.
 */
int clab__ptimer_stop(clab_ptimer_t *p, const struct clab_site *site)
{
	struct clab__thr *self = clab__self();
	clab_thread_t *th;

	clab__sched_point(self, site);
	CLAB__CHECK(self, p, CLAB_O_PTIMER, site);
	clab__lk_lock(&p->lk);
	p->stop = 1;
	clab__unpark_all(&p->wq, CLAB_CAUSE_BROADCAST);
	th = p->thread;
	p->thread = NULL;
	clab__lk_unlock(&p->lk);
	if (th != NULL)
		return clab__thread_join(th, NULL, CLAB_FOREVER, site);
	return 0;
}

/* NULL is accepted and ignored (returns 0).  Stops the timer if it runs. */
int clab__ptimer_destroy(clab_ptimer_t *p, const struct clab_site *site)
{
	struct clab__thr *self;
	struct clab__waiter *w;
	int r;

	if (p == NULL)
		return 0;
	self = clab__self();
	CLAB__CHECK(self, p, CLAB_O_PTIMER, site);
	clab__lk_lock(&p->lk);
	for (w = p->wq.head; w != NULL; w = w->next) {
		if (w->thr != p->thread) {
			clab__diag(self, CLAB_D_DESTROY_BUSY, p->h.id, p->tick,
				   site);
			clab__lk_unlock(&p->lk);
			return CLAB_EBUSY;
		}
	}
	clab__lk_unlock(&p->lk);
	r = clab__ptimer_stop(p, site);
	if (r < 0)
		return r;
	clab__lk_lock(&p->lk);
	clab__obj_fini(&p->h, self, site);
	clab__lk_unlock(&p->lk);
	return 0;
}

/*
 * Wait for the next tick: its number, or CLAB_ECANCELED once stopped.
 * Records ptimer.wait (a32 = the tick current at the call) and ptimer.wake
 * (a32 = the tick seen; on stop, the last tick).
 */
int clab__ptimer_wait_tick(clab_ptimer_t *p, const struct clab_site *site)
{
	struct clab__thr *self;
	struct clab__waiter w;
	uint32_t seen;
	int r;

	self = clab__self();
	clab__sched_point(self, site);
	CLAB__CHECK(self, p, CLAB_O_PTIMER, site);
	clab__lk_lock(&p->lk);
	seen = p->tick;
	clab__emit_obj(self, CLAB_K_PTIMER_WAIT, &p->h, site, 0, seen);
	while (!p->stop && p->tick == seen) {
		clab__waiter_init(&w, self);
		clab__wq_push(&p->wq, &w);
		while (w.q != NULL)
			clab__park(self, &p->lk, &w, &p->h, site, NULL);
	}
	r = p->stop && p->tick == seen ? CLAB_ECANCELED : (int)p->tick;
	clab__emit_obj(self, CLAB_K_PTIMER_WAKE, &p->h, site, 0, p->tick);
	clab__lk_unlock(&p->lk);
	return r;
}
