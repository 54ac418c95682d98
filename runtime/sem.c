/*
 * Counting and bounded semaphores.
 *
 * value is the number of permits available.  A release adds one and wakes
 * the first waiter, which takes a permit when it runs; a thread that
 * arrives in between may take the permit first (barging), and the woken
 * waiter then queues again at the front.  A bounded semaphore (bound > 0)
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
	int r;

	if (s == NULL || (bound != 0 && value > bound))
		return CLAB_EINVAL;
	s->wq.head = s->wq.tail = NULL;
	s->value = value;
	s->bound = bound;
	s->permits = value;
	s->ungated = 0;
	if (pthread_mutex_init(&s->lk, NULL) != 0)
		return CLAB_ENOMEM;
	r = clab__obj_init(&s->h, clab__self(), CLAB_O_SEM, name, site, 0,
			   bound);
	if (r < 0) {
		pthread_mutex_destroy(&s->lk);
		return r;
	}
	return 0;
}

/* NULL is accepted and ignored (returns 0). */
int clab__sem_destroy(clab_sem_t *s, const struct clab_site *site)
{
	struct clab__thr *self;

	if (s == NULL)
		return 0;
	self = clab__self();
	pthread_mutex_lock(&s->lk);
	if (!clab__wq_empty(&s->wq)) {
		clab__diag(self, CLAB_D_DESTROY_BUSY, s->h.id, s->value, site);
		clab__lk_unlock(&s->lk);
		return CLAB_EBUSY;
	}
	clab__obj_fini(&s->h, self, site);
	clab__lk_unlock(&s->lk);
	pthread_mutex_destroy(&s->lk);
	return 0;
}

/*
 * Take a permit.  ms == 0 does not block (CLAB_EAGAIN and a sem.busy
 * record when none is available); CLAB_ETIMEDOUT when ms passes first.
 */
int clab__sem_acquire(clab_sem_t *s, uint32_t ms, const struct clab_site *site)
{
	struct clab__thr *self;
	struct clab__waiter *w = NULL;
	struct timespec dl;
	int r, waited = 0;
	uint16_t stack = 0;

	if (s == NULL)
		return CLAB_EINVAL;
	self = clab__self();
	if (ms != 0 && ms != CLAB_FOREVER)
		clab__deadline(&dl, ms);
	pthread_mutex_lock(&s->lk);
	for (;;) {
		if (s->value > 0) {
			s->value--;
			clab__order_sem_take(self, s, site);
			clab__emit_obj_s(self, CLAB_K_SEM_ACQUIRE, &s->h, site,
					 how_of(ms), s->value,
					 waited ? stack : clab__stack_here());
			clab__lk_unlock(&s->lk);
			return 0;
		}
		if (ms == 0) {
			clab__emit_obj(self, CLAB_K_SEM_BUSY, &s->h, site, 0,
				       s->value);
			clab__lk_unlock(&s->lk);
			return CLAB_EAGAIN;
		}
		w = &self->wait; /* see struct clab__thr */
		clab__waiter_init(w, self);
		if (!waited) {
			stack = clab__stack_here();
			clab__emit_obj_s(self, CLAB_K_SEM_WAIT, &s->h, site, 0,
					 s->value, stack);
			clab__wq_push(&s->wq, w);
			waited = 1;
		} else {
			/* woken, but another thread took the permit */
			clab__wq_push_front(&s->wq, w);
		}
		r = 0;
		while (w->q != NULL && r == 0)
			r = clab__park(self, &s->lk, w, &s->h, site,
				       ms == CLAB_FOREVER ? NULL : &dl);
		if (r == CLAB_ETIMEDOUT) {
			clab__emit_obj(self, CLAB_K_SEM_TIMEOUT, &s->h, site, 0,
				       s->value);
			clab__lk_unlock(&s->lk);
			return CLAB_ETIMEDOUT;
		}
	}
}

int clab__sem_release(clab_sem_t *s, const struct clab_site *site)
{
	struct clab__thr *self;
	uint32_t seq, value, id;
	uint64_t tsc;

	if (s == NULL)
		return CLAB_EINVAL;
	self = clab__self();
	id = s->h.id;
	pthread_mutex_lock(&s->lk);
	if (s->bound != 0 && s->value >= s->bound) {
		clab__diag(self, CLAB_D_SEM_OVER_RELEASE, s->h.id, s->value,
			   site);
		clab__lk_unlock(&s->lk);
		return CLAB_EOVERFLOW;
	}
	clab__order_sem_give(self, s, site);
	s->value++;
	/*
	 * Numbered and timed here, written once the waiter is woken, so that
	 * it does not wait for the record (see clab__cond_signal).
	 */
	seq = ++s->h.oseq;
	tsc = clab__clock();
	value = s->value;
	clab__unpark_one(&s->wq, CLAB_CAUSE_SIGNAL);
	clab__lk_unlock(&s->lk);
	clab__emit_at(self->tb, tsc, CLAB_K_SEM_RELEASE, id, seq, site, 0,
		      value);
	return 0;
}

uint32_t clab_sem_value(clab_sem_t *s)
{
	uint32_t v;

	if (s == NULL)
		return 0;
	pthread_mutex_lock(&s->lk);
	v = s->value;
	clab__lk_unlock(&s->lk);
	return v;
}
