/*
 * Latches: a flag that threads wait on, Python's threading.Event (called a
 * latch so that it cannot be confused with a trace event).
 *
 * set() raises the flag and wakes every waiter; the flag stays up until
 * clear().  A waiter woken by set() returns 0 even if the flag was cleared
 * again before it ran, as Python's Event.wait() returns True then.
 */
#include "rt.h"

int clab__latch_init(clab_latch_t *l, const char *name,
		     const struct clab_site *site)
{
	struct clab__thr *self = clab__self();
	int r;

	r = clab__obj_fresh(self, l, CLAB_O_LATCH, site);
	if (r)
		return r;
	l->wq.head = l->wq.tail = NULL;
	l->flag = 0;
	clab__lk_init(&l->lk);
	r = clab__obj_init(&l->h, self, CLAB_O_LATCH, name, site, 0, 0);
	return r < 0 ? r : 0;
}

/* NULL is accepted and ignored (returns 0). */
int clab__latch_destroy(clab_latch_t *l, const struct clab_site *site)
{
	struct clab__thr *self;

	if (l == NULL)
		return 0;
	self = clab__self();
	CLAB__CHECK(self, l, CLAB_O_LATCH, site);
	clab__lk_lock(&l->lk);
	if (!clab__wq_empty(&l->wq)) {
		clab__diag(self, CLAB_D_DESTROY_BUSY, l->h.id, l->h.id, site);
		clab__lk_unlock(&l->lk);
		return CLAB_EBUSY;
	}
	clab__obj_fini(&l->h, self, site);
	clab__lk_unlock(&l->lk);
	return 0;
}

/* Returns the number of waiters woken. */
int clab__latch_set(clab_latch_t *l, const struct clab_site *site)
{
	struct clab__thr *self;
	unsigned n;

	self = clab__self();
	clab__sched_point(self, site);
	CLAB__CHECK(self, l, CLAB_O_LATCH, site);
	clab__lk_lock(&l->lk);
	l->flag = 1;
	n = clab__unpark_all(&l->wq, CLAB_CAUSE_SET);
	clab__emit_obj(self, CLAB_K_LATCH_SET, &l->h, site, 0, n);
	clab__lk_unlock(&l->lk);
	return (int)n;
}

int clab__latch_clear(clab_latch_t *l, const struct clab_site *site)
{
	struct clab__thr *self;

	self = clab__self();
	clab__sched_point(self, site);
	CLAB__CHECK(self, l, CLAB_O_LATCH, site);
	clab__lk_lock(&l->lk);
	l->flag = 0;
	clab__emit_obj(self, CLAB_K_LATCH_CLEAR, &l->h, site, 0, 0);
	clab__lk_unlock(&l->lk);
	return 0;
}

/*
 * Wait for the flag.  Already set: a latch.wake record with cause
 * "already-set" and 0 at once.  Otherwise latch.wait, then latch.wake with
 * cause "set" (0) or "timeout" (CLAB_ETIMEDOUT; ms == 0 times out at once).
 */
int clab__latch_wait(clab_latch_t *l, uint32_t ms, const struct clab_site *site)
{
	struct clab__thr *self;
	struct clab__waiter w;
	struct timespec dl;
	int r = 0;

	self = clab__self();
	clab__sched_point(self, site);
	CLAB__CHECK(self, l, CLAB_O_LATCH, site);
	if (ms != CLAB_FOREVER)
		clab__deadline(&dl, ms);
	clab__lk_lock(&l->lk);
	if (l->flag) {
		clab__emit_obj(self, CLAB_K_LATCH_WAKE, &l->h, site,
			       CLAB_CAUSE_ALREADY, 0);
		clab__lk_unlock(&l->lk);
		return 0;
	}
	clab__emit_obj_s(self, CLAB_K_LATCH_WAIT, &l->h, site, 0, 0,
			 clab__stack_here());
	if (ms == 0) {
		r = CLAB_ETIMEDOUT;
	} else {
		clab__waiter_init(&w, self);
		clab__wq_push(&l->wq, &w);
		while (w.q != NULL && r == 0)
			r = clab__park(self, &l->lk, &w, &l->h, site,
				       ms == CLAB_FOREVER ? NULL : &dl);
	}
	clab__emit_obj(self, CLAB_K_LATCH_WAKE, &l->h, site,
		       r == 0 ? CLAB_CAUSE_SET : CLAB_CAUSE_TIMEOUT, 0);
	clab__lk_unlock(&l->lk);
	return r;
}

int clab_latch_is_set(clab_latch_t *l)
{
	struct clab__thr *self;
	int f;

	self = clab__self();
	if (!clab__obj_ok(self, l, CLAB_O_LATCH)) {
		clab__obj_bad(self, l, CLAB_O_LATCH, NULL);
		return 0;
	}
	clab__lk_lock(&l->lk);
	f = l->flag;
	clab__lk_unlock(&l->lk);
	return f;
}
