/*
 * Barriers with Python's semantics: parties threads meet, each gets its
 * arrival index; abort breaks the barrier for every waiter now and later;
 * reset wakes the current waiters with CLAB_EBROKEN and makes it usable
 * again; a wait that times out breaks it for the others.
 *
 * A waiter learns why it woke from the waker, which writes the outcome
 * through w.data (a pointer to the waiter's own int) before unparking it.
 *
 * Records: barrier.wait (a32 = arrivals so far, this one included),
 * barrier.pass by the last arrival (a32 = generations completed, so the
 * first pass says 1), barrier.broken by each thread whose wait fails with
 * CLAB_EBROKEN and by a thread that breaks it by timing out,
 * barrier.abort / barrier.reset (a32 = waiters woken).
 */
#include "rt.h"

#define OUT_WAITING 0
#define OUT_PASSED 1
#define OUT_BROKEN 2

/* Wake every waiter with outcome out; returns how many. */
static unsigned wake_all(clab_barrier_t *b, int out)
{
	struct clab__waiter *w;
	unsigned n = 0;

	while ((w = b->wq.head) != NULL) {
		*(int *)w->data = out;
		clab__unpark(w, CLAB_CAUSE_BROADCAST);
		n++;
	}
	return n;
}

int clab__barrier_init(clab_barrier_t *b, const char *name, uint32_t parties,
		       const struct clab_site *site)
{
	struct clab__thr *self = clab__self();
	int r;

	r = clab__obj_fresh(self, b, CLAB_O_BARRIER, site);
	if (r)
		return r;
	if (parties == 0 || parties > CLAB__COUNT_MAX)
		return clab__bad_value(self, parties, site);
	b->wq.head = b->wq.tail = NULL;
	b->parties = parties;
	b->arrived = 0;
	b->generation = 0;
	b->broken = 0;
	clab__lk_init(&b->lk);
	r = clab__obj_init(&b->h, self, CLAB_O_BARRIER, name, site, 0, parties);
	return r < 0 ? r : 0;
}

/* NULL is accepted and ignored (returns 0). */
int clab__barrier_destroy(clab_barrier_t *b, const struct clab_site *site)
{
	struct clab__thr *self;

	if (b == NULL)
		return 0;
	self = clab__self();
	CLAB__CHECK(self, b, CLAB_O_BARRIER, site);
	clab__lk_lock(&b->lk);
	if (!clab__wq_empty(&b->wq)) {
		clab__diag(self, CLAB_D_DESTROY_BUSY, b->h.id, b->arrived,
			   site);
		clab__lk_unlock(&b->lk);
		return CLAB_EBUSY;
	}
	clab__obj_fini(&b->h, self, site);
	clab__lk_unlock(&b->lk);
	return 0;
}

int clab__barrier_wait(clab_barrier_t *b, uint32_t ms,
		       const struct clab_site *site)
{
	struct clab__thr *self;
	struct clab__waiter w;
	struct timespec dl;
	uint32_t index;
	int r = 0, out = OUT_WAITING;

	self = clab__self();
	clab__sched_point(self, site);
	CLAB__CHECK(self, b, CLAB_O_BARRIER, site);
	if (ms != CLAB_FOREVER)
		clab__deadline(&dl, ms);
	clab__lk_lock(&b->lk);
	if (b->broken) {
		clab__emit_obj(self, CLAB_K_BARRIER_BROKEN, &b->h, site, 0, 0);
		clab__lk_unlock(&b->lk);
		return CLAB_EBROKEN;
	}
	index = b->arrived++;
	clab__emit_obj(self, CLAB_K_BARRIER_WAIT, &b->h, site, 0, b->arrived);
	if (b->arrived == b->parties) {
		b->arrived = 0;
		b->generation++;
		wake_all(b, OUT_PASSED);
		clab__emit_obj(self, CLAB_K_BARRIER_PASS, &b->h, site, 0,
			       b->generation);
		clab__lk_unlock(&b->lk);
		return (int)index;
	}
	clab__waiter_init(&w, self);
	w.data = &out;
	clab__wq_push(&b->wq, &w);
	while (out == OUT_WAITING && r == 0) {
		if (ms == 0)
			r = CLAB_ETIMEDOUT;
		else
			r = clab__park(self, &b->lk, &w, &b->h, site,
				       ms == CLAB_FOREVER ? NULL : &dl);
	}
	if (out == OUT_PASSED) {
		clab__lk_unlock(&b->lk);
		return (int)index;
	}
	if (out == OUT_WAITING) {
		/* timed out: break it for everyone else */
		if (w.q != NULL)
			clab__wq_remove(&w);
		b->broken = 1;
		b->arrived = 0;
		wake_all(b, OUT_BROKEN);
		clab__emit_obj(self, CLAB_K_BARRIER_BROKEN, &b->h, site, 0, 0);
		clab__lk_unlock(&b->lk);
		return CLAB_ETIMEDOUT;
	}
	clab__emit_obj(self, CLAB_K_BARRIER_BROKEN, &b->h, site, 0, 0);
	clab__lk_unlock(&b->lk);
	return CLAB_EBROKEN;
}

/* reset == 0: abort (broken for good); reset != 0: back to the start. */
int clab__barrier_abort(clab_barrier_t *b, int reset,
			const struct clab_site *site)
{
	struct clab__thr *self;
	unsigned n;

	self = clab__self();
	clab__sched_point(self, site);
	CLAB__CHECK(self, b, CLAB_O_BARRIER, site);
	clab__lk_lock(&b->lk);
	b->arrived = 0;
	n = wake_all(b, OUT_BROKEN);
	b->broken = !reset;
	clab__emit_obj(self,
		       reset ? CLAB_K_BARRIER_RESET : CLAB_K_BARRIER_ABORT,
		       &b->h, site, 0, n);
	clab__lk_unlock(&b->lk);
	return 0;
}

int clab_barrier_broken(clab_barrier_t *b)
{
	struct clab__thr *self;
	int v;

	self = clab__self();
	if (!clab__obj_ok(self, b, CLAB_O_BARRIER)) {
		clab__obj_bad(self, b, CLAB_O_BARRIER, NULL);
		return 0;
	}
	clab__lk_lock(&b->lk);
	v = b->broken;
	clab__lk_unlock(&b->lk);
	return v;
}
