/*
 * Counting and bounded semaphores.
 *
 * value is the number of permits available.  A release with threads
 * waiting hands its permit to the first of them (first come, first
 * served; no thread that arrives later can take it first); without
 * waiters it adds one to value.  A bounded semaphore (bound > 0)
 * refuses a release that would take value above bound: that is recorded as
 * a diagnostic and returned as CLAB_EOVERFLOW, as Python's
 * BoundedSemaphore raises ValueError.
 *
 * The permits a thread holds go with its mutexes into the lock-order
 * detector: a semaphore that lets fewer threads in than a cycle needs
 * gates it (the philosophers' waiter), until some thread releases a
 * permit it never took.
 */
#include "rt.h"

static unsigned how_of(uint32_t ms)
{
	if (ms == 0)
		return CLAB_HOW_TRY;
	return ms == CLAB_FOREVER ? CLAB_HOW_BLOCK : CLAB_HOW_TIMED;
}

int clab__sem_init(clab_sem_t *s, const char *name, uint32_t value,
		   uint32_t bound, const struct clab_site *site)
{
	struct clab__thr *self = clab__self();
	int r;

	r = clab__obj_fresh(self, s, CLAB_O_SEM, site);
	if (r)
		return r;
	if (value > CLAB__COUNT_MAX)
		return clab__bad_value(self, value, site);
	if (bound > CLAB__COUNT_MAX)
		return clab__bad_value(self, bound, site);
	if (bound != 0 && value > bound)
		return CLAB_EINVAL;
	s->wq.head = s->wq.tail = NULL;
	s->value = value;
	s->bound = bound;
	s->permits = value;
	s->ungated = 0;
	clab__lk_init(&s->lk);
	r = clab__obj_init(&s->h, self, CLAB_O_SEM, name, site, 0, bound);
	return r < 0 ? r : 0;
}

/* NULL is accepted and ignored (returns 0). */
int clab__sem_destroy(clab_sem_t *s, const struct clab_site *site)
{
	struct clab__thr *self;

	if (s == NULL)
		return 0;
	self = clab__self();
	CLAB__CHECK(self, s, CLAB_O_SEM, site);
	clab__lk_lock(&s->lk);
	if (!clab__wq_empty(&s->wq)) {
		clab__diag(self, CLAB_D_DESTROY_BUSY, s->h.id, s->value, site);
		clab__lk_unlock(&s->lk);
		return CLAB_EBUSY;
	}
	clab__obj_fini(&s->h, self, site);
	clab__lk_unlock(&s->lk);
	return 0;
}

/*
 * Take a permit.  ms == 0 does not block (CLAB_EAGAIN and a sem.busy
 * record when none is available); CLAB_ETIMEDOUT when ms passes first.
 */
int clab__sem_acquire(clab_sem_t *s, uint32_t ms, const struct clab_site *site)
{
	struct clab__thr *self;
	struct clab__waiter *w;
	struct timespec dl;
	uint32_t id, permits;
	uint16_t stack;
	int r;

	self = clab__self();
	clab__sched_point(self, site);
	CLAB__CHECK(self, s, CLAB_O_SEM, site);
	if (ms != 0 && ms != CLAB_FOREVER)
		clab__deadline(&dl, ms);
	id = s->h.id;
	clab__lk_lock(&s->lk);
	if (s->value > 0) {
		s->value--;
		if (clab__order_sem_take(self, s, s->h.id, s->permits,
					 s->ungated, site))
			s->ungated = 1;
		clab__emit_obj_s(self, CLAB_K_SEM_ACQUIRE, &s->h, site,
				 how_of(ms), s->value, clab__stack_here());
		clab__lk_unlock(&s->lk);
		return 0;
	}
	if (ms == 0) {
		clab__emit_obj(self, CLAB_K_SEM_BUSY, &s->h, site, 0, s->value);
		clab__lk_unlock(&s->lk);
		return CLAB_EAGAIN;
	}
	w = &self->wait; /* see struct clab__thr */
	clab__waiter_init(w, self);
	permits = s->permits;
	stack = clab__stack_here();
	clab__emit_obj_s(self, CLAB_K_SEM_WAIT, &s->h, site, 0, s->value,
			 stack);
	clab__wq_push(&s->wq, w);
	/* a release hands its permit over: lk is not taken again */
	r = clab__park_nolk(self, &s->lk, w, &s->h, site,
			    ms == CLAB_FOREVER ? NULL : &dl);
	if (r == CLAB_ETIMEDOUT || r == CLAB_EINTR) {
		/* queued until then, so value was 0: a release with a
		 * waiter hands its permit over and leaves value alone; a
		 * signal handler's end is one without a permit too */
		clab__emit_s(self->tb, CLAB_K_SEM_TIMEOUT, id, w->seq, site, 0,
			     0, stack);
		return r;
	}
	if (r == CLAB_ECANCELED) {
		clab__emit(self->tb, CLAB_K_WAIT_CANCEL, id, w->seq, site, 0,
			   0);
		return r;
	}
	/* s may be gone by now: what the take needs came with the permit */
	clab__order_sem_take(self, s, id, permits, w->ungated, site);
	clab__emit_s(self->tb, CLAB_K_SEM_ACQUIRE, id, w->seq, site, how_of(ms),
		     w->val, stack);
	return 0;
}

/*
 * With a thread waiting, the permit goes to the first waiter, not to the
 * count: the woken thread needs nothing more (clab__park_nolk), and no
 * thread arriving in between can take it.  The release is numbered and
 * timed here and written once the waiter is woken, so that it does not
 * wait for the record; as before, it records the value just after the
 * release, and the waiter's acquire the value after that.
 */
int clab__sem_release(clab_sem_t *s, const struct clab_site *site)
{
	struct clab__thr *self;
	uint32_t seq, value, id;
	uint64_t tsc;

	self = clab__self();
	clab__sched_point(self, site);
	CLAB__CHECK(self, s, CLAB_O_SEM, site);
	id = s->h.id;
	clab__lk_lock(&s->lk);
	if (s->bound != 0 && s->value >= s->bound) {
		clab__diag(self, CLAB_D_SEM_OVER_RELEASE, s->h.id, s->value,
			   site);
		clab__lk_unlock(&s->lk);
		return CLAB_EOVERFLOW;
	}
	if (s->wq.head == NULL && s->value >= CLAB__COUNT_MAX) {
		/* an unbounded semaphore at the most it counts */
		clab__diag(self, CLAB_D_BAD_VALUE, s->h.id, s->value, site);
		clab__lk_unlock(&s->lk);
		return CLAB_EOVERFLOW;
	}
	clab__order_sem_give(self, s, site);
	seq = ++s->h.oseq;
	tsc = clab__clock();
	value = s->value + 1;
	struct clab__waiter *w = s->wq.head;
	if (w != NULL) {
		w->seq = ++s->h.oseq;
		w->val = s->value;
		w->ungated = (uint8_t)s->ungated;
		clab__unpark_head_now(&s->wq, CLAB_CAUSE_SIGNAL);
	} else {
		s->value++;
	}
	clab__lk_drop(&s->lk);
	clab__emit_at(self->tb, tsc, CLAB_K_SEM_RELEASE, id, seq, site, 0,
		      value);
	return 0;
}

uint32_t clab_sem_value(clab_sem_t *s)
{
	struct clab__thr *self;
	uint32_t v;

	self = clab__self();
	if (!clab__obj_ok(self, s, CLAB_O_SEM)) {
		clab__obj_bad(self, s, CLAB_O_SEM, NULL);
		return 0;
	}
	clab__lk_lock(&s->lk);
	v = s->value;
	clab__lk_unlock(&s->lk);
	return v;
}

/*
 * A semaphore whose permits the C library counts: a named one, which other
 * processes may open (preload/sem.c).  The caller waits and posts there;
 * these record what its calls did, in this process's order, with the
 * count it read, as the records of conclab's own semaphore have it.
 */
int clab__sem_ext_wait(clab_sem_t *s, uint32_t value, uint32_t ms,
		       uint16_t *stack, const struct clab_site *site)
{
	struct clab__thr *self = clab__self();
	clab__sched_point(self, site);
	CLAB__CHECK(self, s, CLAB_O_SEM, site);
	*stack = clab__stack_here();
	clab__lk_lock(&s->lk);
	clab__emit_obj_s(self, CLAB_K_SEM_WAIT, &s->h, site, 0, value, *stack);
	clab__lk_unlock(&s->lk);
	clab__ext_blocked(self, &s->h, site, ms != CLAB_FOREVER);
	return 0;
}

void clab__sem_ext_end(clab_sem_t *s, int r, uint32_t ms, uint32_t value,
		       uint16_t stack, const struct clab_site *site)
{
	struct clab__thr *self = clab__self();
	if (atomic_load_explicit(&self->blocked_on, memory_order_relaxed) ==
	    &s->h)
		clab__ext_unblocked(
		    self); /* the wait clab__sem_ext_wait began */
	if (!clab__obj_ok(self, s, CLAB_O_SEM))
		return; /* made by the library: gone only with its last close */
	if (r == 0 && stack == 0)
		stack = clab__stack_here(); /* a permit taken at once */
	clab__lk_lock(&s->lk);
	switch (r) {
	case 0:
		if (clab__order_sem_take(self, s, s->h.id, s->permits,
					 s->ungated, site))
			s->ungated = 1;
		clab__emit_obj_s(self, CLAB_K_SEM_ACQUIRE, &s->h, site,
				 how_of(ms), value, stack);
		break;
	case CLAB_EAGAIN:
		clab__emit_obj(self, CLAB_K_SEM_BUSY, &s->h, site, 0, value);
		break;
	case CLAB_ETIMEDOUT:
		clab__emit_obj_s(self, CLAB_K_SEM_TIMEOUT, &s->h, site, 0, 0,
				 stack);
		break;
	default: /* a cancellation (its cleanup handler) */
		clab__emit_obj(self, CLAB_K_WAIT_CANCEL, &s->h, site, 0, 0);
		break;
	}
	clab__lk_unlock(&s->lk);
}

int clab__sem_ext_release(clab_sem_t *s, uint32_t value,
			  const struct clab_site *site)
{
	struct clab__thr *self = clab__self();
	clab__sched_point(self, site);
	CLAB__CHECK(self, s, CLAB_O_SEM, site);
	clab__lk_lock(&s->lk);
	clab__order_sem_give(self, s, site);
	clab__emit_obj(self, CLAB_K_SEM_RELEASE, &s->h, site, 0, value);
	clab__lk_unlock(&s->lk);
	return 0;
}
