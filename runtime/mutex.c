/*
 * Mutex: plain, error-checking and recursive.
 *
 * The lock word is a futex-style state (0 free, 1 locked, 2 locked and
 * maybe contended), as in glibc: an uncontended lock is one compare-and-
 * swap and an unlock one exchange; a contended thread sleeps on the word
 * through the seam's word form (clab__park_word), and an unlock that finds
 * 2 wakes one sleeper, which then competes for the lock again.  Waiters are
 * counted so that destroy can refuse a mutex that threads wait for, and so
 * that an unlock that finds 2 left by its own contended acquire, with
 * nobody waiting any more, makes no futex call; their order is in the
 * trace (their request records).
 *
 * A waiter counts itself before it sets 2, and an unlock reads the count
 * after its exchange, all four sequentially consistent: an unlock whose
 * exchange comes after a waiter's then sees that waiter counted (it stops
 * counting only once it has the lock), so no sleeper is left unwoken.
 *
 * The owner is recorded for misuse checks and for the watchdog.  The
 * mutex's sequence number is bumped by the owner while it holds the mutex:
 * an acquire takes its number after the lock is won, a release before the
 * lock is given up, so the trace orders them as they happened.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/lockdep.h>

static _Atomic int strict_order; /* clab_set_strict_order */

#include "rt.h"

/* The chains are hashed when a request needs them (clab__order_check). */
static inline void held_push(struct clab__thr *self, clab_mutex_t *m,
			     const struct clab_site *site)
{
	unsigned n = self->nheld;
	if (n < CLAB__HELD_MAX) {
		self->held[n].m = m;
		self->held[n].site = site;
	}
	self->nheld++;
}

static inline void held_pop(struct clab__thr *self, clab_mutex_t *m)
{
	unsigned n = self->nheld;
	if (__builtin_expect(n != 0 && n <= CLAB__HELD_MAX &&
				 self->held[n - 1].m == m,
			     1)) { /* the innermost: the common case */
		self->nheld = n - 1;
		if (self->nchained >= n)
			self->nchained = n - 1;
		return;
	}
	n = n < CLAB__HELD_MAX ? n : CLAB__HELD_MAX;
	for (unsigned i = n; i-- > 0;) {
		if (self->held[i].m == m) {
			for (unsigned j = i; j + 1 < n; j++)
				self->held[j] = self->held[j + 1];
			if (self->nchained > i)
				self->nchained = i;
			self->nheld--;
			return;
		}
	}
	if (self->nheld > CLAB__HELD_MAX)
		self->nheld--; /* it was past the end of the array */
}

int clab__mutex_init(clab_mutex_t *m, const char *name, int type,
		     const struct clab_site *site)
{
	return clab__mutex_init_ix(m, name, type, -1, site);
}

int clab__mutex_init_ix(clab_mutex_t *m, const char *name, int type, long index,
			const struct clab_site *site)
{
	struct clab__thr *self = clab__self();
	int rc = clab__obj_fresh(self, m, CLAB_O_MUTEX, site);
	if (rc)
		return rc;
	if (type < CLAB_MUTEX_NORMAL || type > CLAB_MUTEX_RECURSIVE)
		return clab__bad_value(self, (uint32_t)type, site);
	if (index < -1 || index >= (long)UINT32_MAX - 1)
		return clab__bad_value(self, (uint32_t)index, site);
	atomic_init(&m->state, 0);
	m->type = (uint8_t)type;
	atomic_init(&m->owner, NULL);
	atomic_init(&m->owner_site, NULL);
	m->depth = 0;
	atomic_init(&m->waiters, 0);
	/* the object's param is the index + 1 (0: none) */
	return clab__obj_init(&m->h, self, CLAB_O_MUTEX, name, site,
			      (unsigned)type, (uint32_t)(index + 1));
}

int clab__mutex_destroy(clab_mutex_t *m, const struct clab_site *site)
{
	if (!m)
		return 0;
	struct clab__thr *self = clab__self();
	CLAB__CHECK(self, m, CLAB_O_MUTEX, site);
	if (atomic_load(&m->owner) != NULL) {
		clab__diag(self, CLAB_D_DESTROY_HELD, m->h.id, 0, site);
		return CLAB_EBUSY;
	}
	if (atomic_load(&m->waiters)) {
		clab__diag(self, CLAB_D_DESTROY_BUSY, m->h.id, 0, site);
		return CLAB_EBUSY;
	}
	clab__obj_fini(&m->h, self, site);
	return 0;
}

/* Sleep until the lock is ours, or the deadline passes. */
static int lock_slow(clab_mutex_t *m, struct clab__thr *self,
		     const struct clab_site *site, const struct timespec *dl)
{
	int rc = 0;
	if (!dl)
		clab__deadlock_probe(self, &m->h);
	atomic_fetch_add(&m->waiters, 1);
	while (atomic_exchange(&m->state, 2) != 0) { /* seq_cst: see the top */
		rc = clab__park_word(self, &m->state, 2, &m->h, site, dl);
		if (rc)
			break;
	}
	atomic_fetch_sub(&m->waiters, 1);
	return rc;
}

/* waited: the lock was contended; stack is then its request's stack. */
static inline void acquired(clab_mutex_t *m, struct clab__thr *self,
			    const struct clab_site *site, unsigned how,
			    uint32_t depth, int waited, uint16_t stack)
{
	/* release: a thread that finds us here may look at our state */
	atomic_store_explicit(&m->owner, self, memory_order_release);
	atomic_store_explicit(&m->owner_site, site, memory_order_relaxed);
	m->depth = depth;
	held_push(self, m, site);
	if (waited)
		clab__emit_obj_s(self, CLAB_K_MUTEX_ACQUIRE, &m->h, site, how,
				 depth, stack);
	else /* held back: with its release, one record (tracer-emit.h) */
		clab__emit_acquire_fast(self->tb, m->h.id, ++m->h.oseq, site,
					how, depth, clab__stack_here());
}

static int take_contended(clab_mutex_t *m, struct clab__thr *self, uint32_t ms,
			  const struct clab_site *site, unsigned how,
			  uint32_t depth);

/*
 * Take the lock, recording a request if it has to wait.  The contended
 * part is a function of its own, so that the uncontended one, inlined in
 * the callers, stays small.
 */
static inline __attribute__((always_inline)) int
take(clab_mutex_t *m, struct clab__thr *self, uint32_t ms,
     const struct clab_site *site, unsigned how, uint32_t depth)
{
	uint32_t z = 0;
	if (__builtin_expect(atomic_compare_exchange_strong_explicit(
				 &m->state, &z, 1, memory_order_acquire,
				 memory_order_relaxed),
			     1)) {
		acquired(m, self, site, how, depth, 0, 0);
		return 0;
	}
	return take_contended(m, self, ms, site, how, depth);
}

static __attribute__((noinline)) int
take_contended(clab_mutex_t *m, struct clab__thr *self, uint32_t ms,
	       const struct clab_site *site, unsigned how, uint32_t depth)
{
	uint16_t stack = clab__stack_here();
	if (ms == 0) {
		clab__emit_s(self->tb, CLAB_K_MUTEX_BUSY, m->h.id, 0, site, 0,
			     0, stack);
		return CLAB_EBUSY;
	}
	clab__emit_s(self->tb, CLAB_K_MUTEX_REQUEST, m->h.id, 0, site, how, 0,
		     stack);
	struct timespec dl;
	if (ms != CLAB_FOREVER)
		clab__deadline(&dl, ms);
	int rc = lock_slow(m, self, site, ms == CLAB_FOREVER ? NULL : &dl);
	if (rc) {
		clab__emit_s(self->tb, CLAB_K_MUTEX_TIMEOUT, m->h.id, 0, site,
			     0, 0, stack);
		return rc;
	}
	acquired(m, self, site, how, depth, 1, stack);
	return 0;
}

/*
 * A held mutex that comes after m in the global order (the order mutexes
 * were created in), or NULL.  A relock of m itself is the mutex's own
 * business (recursion or misuse), not an order question.
 */
static clab_mutex_t *out_of_order(struct clab__thr *self, clab_mutex_t *m,
				  uint32_t id)
{
	unsigned n =
	    self->nheld < CLAB__HELD_MAX ? self->nheld : CLAB__HELD_MAX;
	if (atomic_load_explicit(&m->owner, memory_order_relaxed) == self)
		return NULL;
	for (unsigned i = 0; i < n; i++) {
		clab_mutex_t *h = self->held[i].m;
		if (h != m && h->h.id > id)
			return h;
	}
	return NULL;
}

/* Refuse m, recording the violation with the held lock's id. */
static int refuse(struct clab__thr *self, clab_mutex_t *m, clab_mutex_t *h,
		  const struct clab_site *site)
{
	clab__diag(self, CLAB_D_LOCK_ORDER, m->h.id, h->h.id, site);
	return CLAB_EORDER;
}

int clab__mutex_lock(clab_mutex_t *m, uint32_t ms, const struct clab_site *site)
{
	struct clab__thr *self = clab__self();
	clab__sched_point(self, site);
	CLAB__CHECK(self, m, CLAB_O_MUTEX, site);
	unsigned how = ms == CLAB_FOREVER ? CLAB_HOW_BLOCK
		       : ms == 0	  ? CLAB_HOW_TRY
					  : CLAB_HOW_TIMED;
	if (__builtin_expect(
		atomic_load_explicit(&m->owner, memory_order_relaxed) == self,
		0)) {
		if (m->type == CLAB_MUTEX_RECURSIVE) {
			m->depth++;
			clab__emit_obj_fast(self, CLAB_K_MUTEX_ACQUIRE, &m->h,
					    site, how, m->depth);
			return 0;
		}
		clab__diag(self, CLAB_D_RELOCK, m->h.id, 0, site);
		return CLAB_EDEADLK;
	}
	if (ms != 0) { /* a trylock cannot wait, so it orders nothing */
		if (__builtin_expect(
			self->nheld != 0 &&
			    atomic_load_explicit(&strict_order,
						 memory_order_relaxed),
			0)) {
			clab_mutex_t *h = out_of_order(self, m, m->h.id);
			if (h)
				return refuse(self, m, h, site);
		}
		clab__order_check(self, m, site,
				  ms == CLAB_FOREVER ? 0 : CLAB_LD_TIMED);
	}
	return take(m, self, ms, site, how, 1);
}

void clab_set_strict_order(int on)
{
	atomic_store(&strict_order, on != 0);
}

void clab_set_stacks(int on)
{
	clab__stacks_set(on);
}

int clab__mutex_lock_ordered(clab_mutex_t *m, const struct clab_site *site)
{
	struct clab__thr *self = clab__self();
	CLAB__CHECK(self, m, CLAB_O_MUTEX, site);
	clab_mutex_t *h = out_of_order(self, m, m->h.id);
	return h ? refuse(self, m, h, site)
		 : clab__mutex_lock(m, CLAB_FOREVER, site);
}

static int by_id(const void *a, const void *b)
{
	const clab_mutex_t *x = *(clab_mutex_t *const *)a;
	const clab_mutex_t *y = *(clab_mutex_t *const *)b;
	return x->h.id < y->h.id ? -1 : x->h.id > y->h.id;
}

int clab__lock_many(clab_mutex_t *const *ms, size_t n,
		    const struct clab_site *site)
{
	if (!ms || n == 0 || n > CLAB__HELD_MAX)
		return CLAB_EINVAL;
	struct clab__thr *self = clab__self();
	for (size_t i = 0; i < n; i++) /* before the sort reads their ids */
		CLAB__CHECK(self, ms[i], CLAB_O_MUTEX, site);
	clab_mutex_t *sorted[CLAB__HELD_MAX];
	memcpy(sorted, ms, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), by_id);
	clab_mutex_t *h = out_of_order(self, sorted[0], sorted[0]->h.id);
	if (h)
		return refuse(self, sorted[0], h, site);
	for (size_t i = 0; i < n; i++) {
		if (i && sorted[i] == sorted[i - 1])
			continue; /* the same mutex twice: take it once */
		int rc = clab__mutex_lock(sorted[i], CLAB_FOREVER, site);
		if (rc) {
			while (i-- > 0)
				if (!i || sorted[i] != sorted[i - 1])
					clab__mutex_unlock(sorted[i], site);
			return rc;
		}
	}
	return 0;
}

int clab__unlock_many(clab_mutex_t *const *ms, size_t n,
		      const struct clab_site *site)
{
	if (!ms || n > CLAB__HELD_MAX)
		return CLAB_EINVAL;
	struct clab__thr *self = clab__self();
	for (size_t i = 0; i < n; i++)
		CLAB__CHECK(self, ms[i], CLAB_O_MUTEX, site);
	clab_mutex_t *sorted[CLAB__HELD_MAX];
	memcpy(sorted, ms, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), by_id);
	int first = 0;
	for (size_t i = n; i-- > 0;) {
		if (i + 1 < n && sorted[i] == sorted[i + 1])
			continue;
		int rc = clab__mutex_unlock(sorted[i], site);
		if (rc && !first)
			first = rc;
	}
	return first;
}

/* Give the lock up; the owner checks are done. */
static inline __attribute__((always_inline)) void
give(clab_mutex_t *m, struct clab__thr *self, const struct clab_site *site,
     unsigned how)
{
	m->depth = 0;
	/*
	 * A thread that waits has recorded its request with an exact time:
	 * then this release gets one too, so that the trace never shows it
	 * before that request.
	 */
	if (atomic_load_explicit(&m->state, memory_order_relaxed) == 2 ||
	    atomic_load_explicit(&m->waiters, memory_order_relaxed))
		clab__emit_obj(self, CLAB_K_MUTEX_RELEASE, &m->h, site, how, 0);
	else if (how == CLAB_HOW_BLOCK)
		clab__emit_release_fast(self->tb, m->h.id, ++m->h.oseq, site);
	else
		clab__emit_obj_fast(self, CLAB_K_MUTEX_RELEASE, &m->h, site,
				    how, 0);
	held_pop(self, m);
	atomic_store_explicit(&m->owner, NULL, memory_order_relaxed);
	atomic_store_explicit(&m->owner_site, NULL, memory_order_relaxed);
	/* seq_cst, and the count read after it: see the top of the file */
	if (atomic_exchange(&m->state, 0) == 2 && atomic_load(&m->waiters))
		clab__unpark_word(&m->state, 1);
}

int clab__mutex_unlock(clab_mutex_t *m, const struct clab_site *site)
{
	struct clab__thr *self = clab__self();
	clab__sched_point(self, site);
	CLAB__CHECK(self, m, CLAB_O_MUTEX, site);
	struct clab__thr *own =
	    atomic_load_explicit(&m->owner, memory_order_relaxed);
	if (__builtin_expect(own != self, 0)) {
		/* the owner's state must not go for reuse while read */
		atomic_fetch_add(&clab__thr_walkers, 1);
		own = atomic_load(&m->owner);
		uint32_t tid = own ? own->tid : UINT32_MAX;
		atomic_fetch_sub(&clab__thr_walkers, 1);
		clab__diag(self,
			   tid != UINT32_MAX ? CLAB_D_UNLOCK_NOT_OWNER
					     : CLAB_D_UNLOCK_UNLOCKED,
			   m->h.id, tid, site);
		return CLAB_EPERM;
	}
	if (m->depth > 1) {
		m->depth--;
		clab__emit_obj_fast(self, CLAB_K_MUTEX_RELEASE, &m->h, site,
				    CLAB_HOW_BLOCK, m->depth);
		return 0;
	}
	give(m, self, site, CLAB_HOW_BLOCK);
	return 0;
}

/* A bad object is held by nobody (and recorded, without a site). */
int clab_mutex_held(const clab_mutex_t *m)
{
	struct clab__thr *self = clab__self();
	if (!clab__obj_ok(self, m, CLAB_O_MUTEX)) {
		clab__obj_bad(self, m, CLAB_O_MUTEX, NULL);
		return 0;
	}
	return atomic_load_explicit(&((clab_mutex_t *)m)->owner,
				    memory_order_relaxed) == self;
}

uint32_t clab__mutex_release_all(clab_mutex_t *m, struct clab__thr *self,
				 const struct clab_site *site)
{
	uint32_t depth = m->depth;
	give(m, self, site, CLAB_HOW_COND);
	return depth;
}

void clab__mutex_reacquire(clab_mutex_t *m, struct clab__thr *self,
			   uint32_t depth, const struct clab_site *site)
{
	clab__order_check(self, m, site, 0);
	take(m, self, CLAB_FOREVER, site, CLAB_HOW_COND, depth);
}
