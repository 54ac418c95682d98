/*
 * The blocking seam (native backend), wait queues, and the helpers every
 * primitive shares: object registration, diagnostics, deadlines.
 */
#include <errno.h>
#include <stddef.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "rt.h"

/*
 * The public types' sizes under CLAB_ABI (runtime.h) on 64-bit Linux: a
 * change of layout stops the build here until CLAB_ABI counts up, so
 * that solutions built against the old headers are refused, not run.
 */
#if UINTPTR_MAX == UINT64_MAX
_Static_assert(CLAB_ABI == 3 && sizeof(clab_mutex_t) == 48 &&
		   sizeof(clab_cond_t) == 40 && sizeof(clab_sem_t) == 48 &&
		   sizeof(clab_latch_t) == 40 && sizeof(clab_barrier_t) == 48 &&
		   sizeof(clab_queue_t) == 96 && sizeof(clab_timer_t) == 64 &&
		   sizeof(clab_ptimer_t) == 56,
	       "the public types changed: count CLAB_ABI up and set the sizes");
#endif
#define CLAB__SAME_ALIGN(t) &&_Alignof(t) == CLAB__OBJ_ALIGN
_Static_assert(1 CLAB__SAME_ALIGN(clab_mutex_t) CLAB__SAME_ALIGN(clab_cond_t)
		   CLAB__SAME_ALIGN(clab_sem_t) CLAB__SAME_ALIGN(clab_latch_t)
		       CLAB__SAME_ALIGN(clab_barrier_t)
			   CLAB__SAME_ALIGN(clab_queue_t)
			       CLAB__SAME_ALIGN(clab_timer_t)
				   CLAB__SAME_ALIGN(clab_ptimer_t),
	       "every object is aligned as clab__obj_ptr_ok expects");
#undef CLAB__SAME_ALIGN

void clab__wq_push(struct clab__waitq *q, struct clab__waiter *w)
{
	w->q = q;
	w->next = NULL;
	w->prev = q->tail;
	if (q->tail)
		q->tail->next = w;
	else
		q->head = w;
	q->tail = w;
}

void clab__wq_push_front(struct clab__waitq *q, struct clab__waiter *w)
{
	w->q = q;
	w->prev = NULL;
	w->next = q->head;
	if (q->head)
		q->head->prev = w;
	else
		q->tail = w;
	q->head = w;
}

void clab__wq_remove(struct clab__waiter *w)
{
	struct clab__waitq *q = w->q;
	if (!q)
		return;
	if (w->prev)
		w->prev->next = w->next;
	else
		q->head = w->next;
	if (w->next)
		w->next->prev = w->prev;
	else
		q->tail = w->prev;
	w->prev = w->next = NULL;
	w->q = NULL;
}

void clab__waiter_init(struct clab__waiter *w, struct clab__thr *self)
{
	w->thr = self;
	w->prev = w->next = NULL;
	w->q = NULL;
	atomic_store_explicit(&w->signalled, 0, memory_order_relaxed);
	w->cause = 0;
	w->seq = 0;
	w->val = 0;
	w->ungated = 0;
	w->data = NULL;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

/*
 * An internal lock is held for a few dozen instructions, so a thread that
 * finds it taken spins a little before it sleeps.  Once it has slept it
 * takes the lock as 2, so that its own unlock wakes whoever queued
 * behind it (as in Drepper's "Futexes Are Tricky", mutex 3).
 */
void clab__lk_lock_slow(clab__lock_t *lk)
{
	for (int i = 0; i < 100; i++) {
		uint32_t free_ = 0;
		cpu_relax();
		if (atomic_load_explicit(&lk->word, memory_order_relaxed) ==
			0 &&
		    atomic_compare_exchange_weak_explicit(&lk->word, &free_, 1,
							  memory_order_acquire,
							  memory_order_relaxed))
			return;
	}
	while (atomic_exchange_explicit(&lk->word, 2, memory_order_acquire) !=
	       0)
		clab__futex_wait(&lk->word, 2, NULL);
}

void clab__lk_wake(clab__lock_t *lk)
{
	clab__futex_wake(&lk->word, 1);
}

/* Whether self's wait is to end for a cancellation asked of it. */
static int cancelled(struct clab__thr *self)
{
	return self->cancellable && atomic_load(&self->cancel_req);
}

static void wake_pending(struct clab__thr *self)
{
	for (unsigned i = 0; i < self->nwake; i++)
		clab__futex_wake(&self->wake[i]->futex, 1);
	self->nwake = 0;
}

/*
 * What the thread waits on, for the watchdog (see rt.h on plk).
 * Whoever reads these takes plk, so they need no stronger order than plk
 * gives (a locked exchange per store would cost a wakeup more than the
 * lock does); woken, which an unpark sets without plk, is only a hint,
 * and unblocked() may clear blocked_on without plk (see there).
 */
#define PLK_STORE(field, v)                                                    \
	atomic_store_explicit(&self->field, (v), memory_order_relaxed)

static void blocked_as(struct clab__thr *self, struct clab__obj *obj,
		       const struct clab_site *site, int timed)
{
	/*
	 * On the real clock only: under the controlled scheduler time is
	 * virtual (a microsecond a step), and how long a wait lasted in it
	 * says nothing, so the watchdog's report leaves it out (0).
	 */
	uint64_t now =
	    atomic_load_explicit(&clab__sched_on, memory_order_relaxed)
		? 0
		: clab__mono_ns();

	clab__lk_lock(&self->plk);
	PLK_STORE(woken, 0);
	PLK_STORE(blocked_site, site);
	PLK_STORE(blocked_timed, timed);
	PLK_STORE(blocked_ns, now);
	PLK_STORE(blocked_id, obj->id);
	PLK_STORE(blocked_kind, obj->kind);
	PLK_STORE(blocked_on, obj);
	clab__lk_drop(&self->plk);
	clab__progress(self);
}

/*
 * A wait on another process (runtime/proc.c): published as a wait with a
 * deadline, which never makes a deadlock alone; the watchdog asks the
 * process table whether the other processes can end it.
 */
static void blocked(struct clab__thr *self, struct clab__obj *obj,
		    const struct clab_site *site,
		    const struct timespec *deadline)
{
	blocked_as(self, obj, site, deadline != NULL);
}

void clab__cross_blocked(struct clab__thr *self, struct clab__obj *obj,
			 const struct clab_site *site)
{
	blocked_as(self, obj, site, 1);
}

void clab__ext_blocked(struct clab__thr *self, struct clab__obj *obj,
		       const struct clab_site *site, int timed)
{
	blocked_as(self, obj, site, timed ? 1 : CLAB__WAIT_ELSEWHERE);
}

void clab__ext_unblocked(struct clab__thr *self)
{
	clab__lk_lock(&self->plk);
	PLK_STORE(blocked_on, NULL);
	clab__lk_drop(&self->plk);
	clab__progress(self);
}

/*
 * The wait is over.  The watchdog looks through blocked_on only at a mutex,
 * a reader-writer lock or a thread (holder_of): for those it is cleared under
 * plk, so that the object outlives the look.  For the other kinds a store will
 * do, which spares a woken thread two locked instructions on its way.  woken is
 * left set: a look under plk that still finds the old wait finds the unpark's
 * woken with it, and does not count the thread as blocked (a wait that
 * timed out was a timed one, which never makes a deadlock alone).
 */
static void unblocked(struct clab__thr *self, unsigned kind)
{
	if (kind == CLAB_O_MUTEX || kind == CLAB_O_THREAD ||
	    kind == CLAB_O_RWLOCK) {
		clab__lk_lock(&self->plk);
		PLK_STORE(blocked_on, NULL);
		clab__lk_drop(&self->plk);
	} else {
		atomic_store_explicit(&self->blocked_on, NULL,
				      memory_order_release);
	}
	clab__progress(self);
}

void (*clab__deferred_hook)(void);

/*
 * Before a park's sleep (real: a futex wait, not the controlled
 * scheduler's handoff): a signal handler may post a semaphore at once
 * while the thread sleeps (at_wait); 0 when posts it left for later were
 * made instead, and the park must look again before it sleeps.
 */
static inline int sleep_begin(struct clab__thr *self, int real)
{
	self->at_wait = real;
	atomic_signal_fence(memory_order_seq_cst);
	if (__builtin_expect(!self->deferred, 1))
		return 1;
	self->at_wait = 0;
	atomic_signal_fence(memory_order_seq_cst);
	if (clab__deferred_hook)
		clab__deferred_hook();
	else
		self->deferred = 0;
	return 0;
}

static inline void sleep_end(struct clab__thr *self)
{
	atomic_signal_fence(memory_order_seq_cst);
	self->at_wait = 0;
}

int clab__park(struct clab__thr *self, clab__lock_t *lk, struct clab__waiter *w,
	       struct clab__obj *obj, const struct clab_site *site,
	       const struct timespec *deadline)
{
	int rc = 0;
	/* Threads unparked under lk must not wait until we wake up. */
	wake_pending(self);
	blocked(self, obj, site, deadline);
	while (!atomic_load_explicit(&w->signalled, memory_order_acquire)) {
		/*
		 * Cleared under lk: an unpark, which needs lk, sets it to 1
		 * before its wake, so the wait below cannot miss it.  An
		 * interrupt sets cancel_req, then futex, without lk: cleared
		 * first, futex either shows its 1 or the request is seen.
		 */
		atomic_store(&self->futex, 0);
		clab__lk_drop(lk);
		int e = 0;
		/* An unpark between the unlock and here needs no sleep. */
		int ctl = clab__sched_ctl(self);
		if (atomic_load_explicit(&self->futex, memory_order_acquire) ||
		    cancelled(self) || !sleep_begin(self, !ctl))
			;
		else if (ctl)
			e = clab__sched_block(self, &self->futex, deadline);
		else
			e = clab__futex_wait(&self->futex, 0, deadline);
		sleep_end(self);
		clab__lk_lock(lk);
		if ((e == ETIMEDOUT || cancelled(self)) &&
		    !atomic_load_explicit(&w->signalled,
					  memory_order_acquire)) {
			clab__wq_remove(w);
			rc = e == ETIMEDOUT ? CLAB_ETIMEDOUT : CLAB_ECANCELED;
			break;
		}
	}
	unblocked(self, obj->kind);
	return rc;
}

void clab__park_join(struct clab__thr *self, clab__lock_t *lk,
		     struct clab__obj *obj, const struct clab_site *site,
		     pthread_t pt)
{
	wake_pending(self);
	blocked(self, obj, site, NULL);
	clab__lk_drop(lk);
	/*
	 * Not asleep for a handler's post: the C library's join frees the
	 * thread's stack once it has waited, which a post could not come
	 * between; one comes after it.
	 */
	while (!sleep_begin(self, 0))
		; /* a handler's posts made: the thread still to join */
	pthread_join(pt, NULL);
	clab__lk_lock(lk);
	unblocked(self, obj->kind);
}

int clab__park_nolk(struct clab__thr *self, clab__lock_t *lk,
		    struct clab__waiter *w, struct clab__obj *obj,
		    const struct clab_site *site,
		    const struct timespec *deadline)
{
	int rc = 0;
	unsigned kind = obj->kind; /* obj may be gone once woken */
	wake_pending(self);
	blocked(self, obj, site, deadline);
	/* Cleared under lk, as in clab__park. */
	atomic_store_explicit(&self->futex, 0, memory_order_relaxed);
	clab__lk_drop(lk);
	/*
	 * An unpark sets w->signalled, then self->futex, both under lk: a
	 * wakeup with neither set (a late wake of an earlier park, a signal)
	 * goes back to sleep.
	 */
	while (!atomic_load_explicit(&w->signalled, memory_order_acquire)) {
		int e = 0;
		int ctl = clab__sched_ctl(self);
		if (cancelled(self))
			e = ECANCELED;
		else if (atomic_load_explicit(&self->futex,
					      memory_order_acquire))
			/* an interrupt's, with no request for this wait: the
			 * loop reads signalled again after the clear */
			atomic_store(&self->futex, 0);
		else if (!sleep_begin(self, !ctl))
			continue; /* a handler's posts made: look again */
		else if (ctl)
			e = clab__sched_block(self, &self->futex, deadline);
		else
			e = clab__futex_wait(&self->futex, 0, deadline);
		sleep_end(self);
		if (e == EINTR && !self->interruptible)
			e = 0;
		if (e != ETIMEDOUT && e != ECANCELED && e != EINTR)
			continue;
		clab__lk_lock(lk);
		if (!atomic_load_explicit(&w->signalled,
					  memory_order_acquire)) {
			clab__wq_remove(w);
			w->seq = ++obj->oseq;
			rc = e == ETIMEDOUT ? CLAB_ETIMEDOUT
			     : e == EINTR   ? CLAB_EINTR
					    : CLAB_ECANCELED;
		}
		clab__lk_drop(lk);
		break;
	}
	unblocked(self, kind);
	return rc;
}

int clab__park_word(struct clab__thr *self, _Atomic uint32_t *word,
		    uint32_t val, struct clab__obj *obj,
		    const struct clab_site *site,
		    const struct timespec *deadline)
{
	wake_pending(self);
	blocked(self, obj, site, deadline);
	int ctl = clab__sched_ctl(self), e = 0;
	if (!sleep_begin(self, !ctl))
		; /* a handler's posts made: the caller looks again */
	else if (ctl)
		e = clab__sched_block_word(self, word, val, deadline);
	else
		e = clab__futex_wait(word, val, deadline);
	sleep_end(self);
	unblocked(self, obj->kind);
	return e == ETIMEDOUT ? CLAB_ETIMEDOUT : 0;
}

void clab__unpark_word(_Atomic uint32_t *word, int n)
{
	struct clab__thr *self = clab__tls_self;
	if (self)
		clab__progress(self);
	if (self && clab__sched_ctl(self))
		clab__sched_wake_word(word, n);
	clab__futex_wake(word, n);
}

/* Mark w, off its queue, woken (the sleeper may then return). */
static void mark_woken(struct clab__thr *t, struct clab__waiter *w,
		       unsigned cause)
{
	w->cause = (uint8_t)cause;
	atomic_store_explicit(&t->woken, 1, memory_order_relaxed);
	atomic_store_explicit(&w->signalled, 1, memory_order_release);
	atomic_store_explicit(&t->futex, 1, memory_order_release);
	struct clab__thr *self = clab__tls_self;
	if (self)
		clab__progress(self);
}

void clab__unpark(struct clab__waiter *w, unsigned cause)
{
	struct clab__thr *t = w->thr;
	clab__wq_remove(w);
	mark_woken(t, w, cause);
	/*
	 * Wake it after the caller drops lk, so that it does not wake up
	 * only to wait for lk.  Only the thread state is used then, never w
	 * (which lives on the sleeper's stack): the sleeper re-checks its
	 * flag under lk, so a late wake is never lost, and one that arrives
	 * during a later sleep is taken as spurious.
	 */
	struct clab__thr *self = clab__tls_self;
	if (self && self->nwake < sizeof(self->wake) / sizeof(self->wake[0]))
		self->wake[self->nwake++] = t;
	else
		clab__futex_wake(&t->futex, 1);
}

void clab__unpark_head_now(struct clab__waitq *q, unsigned cause)
{
	struct clab__waiter *w = q->head;
	/* the thread's own waiter: no need to read w->thr */
	struct clab__thr *t =
	    (struct clab__thr *)((char *)w - offsetof(struct clab__thr, wait));
	/*
	 * The line the sleeper wrote last is only written here, never read,
	 * when it waits alone: a store does not stall the waker, and the line
	 * moves while the wake goes into the kernel.
	 */
	if (w == q->tail) {
		q->head = q->tail = NULL;
		w->prev = w->next = NULL;
		w->q = NULL;
	} else {
		clab__wq_remove(w);
	}
	mark_woken(t, w, cause);
	clab__futex_wake(&t->futex, 1);
}

void clab__lk_unlock(clab__lock_t *lk)
{
	clab__lk_drop(lk);
	struct clab__thr *self = clab__tls_self;
	if (self && self->nwake)
		wake_pending(self);
}

int clab__unpark_one(struct clab__waitq *q, unsigned cause)
{
	if (!q->head)
		return 0;
	clab__unpark(q->head, cause);
	return 1;
}

unsigned clab__unpark_all(struct clab__waitq *q, unsigned cause)
{
	unsigned n = 0;
	while (q->head) {
		clab__unpark(q->head, cause);
		n++;
	}
	return n;
}

uint64_t clab__now_ns(void)
{
	if (atomic_load_explicit(&clab__sched_on, memory_order_relaxed))
		return clab__sched_now();
	return clab__mono_ns();
}

void clab__deadline(struct timespec *ts, uint32_t ms)
{
	if (atomic_load_explicit(&clab__sched_on, memory_order_relaxed))
		*ts = clab__ns_ts(clab__sched_now());
	else
		clock_gettime(CLOCK_MONOTONIC, ts);
	clab__ts_add_ms(ts, ms);
}

int clab__obj_init(struct clab__obj *h, struct clab__thr *self,
		   unsigned objkind, const char *name,
		   const struct clab_site *site, unsigned flags, uint32_t param)
{
	h->oseq = 0;
	h->id = clab__obj_new(objkind, name, site, self->tid, flags, param);
	if (h->id == 0 && clab_tracer_active()) {
		h->tag = 0; /* not an object: every call refuses it */
		return CLAB_ENOMEM;
	}
	h->tag = clab__obj_tag(objkind, 1, clab__obj_check(h, self->gen));
	clab__emit_obj(self, CLAB_K_OBJ_CREATE, h, site, 0, 0);
	return 0;
}

void clab__obj_fini(struct clab__obj *h, struct clab__thr *self,
		    const struct clab_site *site)
{
	clab__emit_obj(self, CLAB_K_OBJ_DESTROY, h, site, 0, 0);
	h->alive = 0; /* kind and check stay: a later call says "destroyed" */
}

/* Whether calls check objects of kind k (every kind but the thread). */
static int objkind_checked(unsigned k)
{
	switch (k) {
#define CLAB__OK_CASE(name, num, text) case num:
		CLAB_OBJKIND_MAP(CLAB__OK_CASE)
#undef CLAB__OK_CASE
		return k != CLAB_O_THREAD;
	default:
		return 0;
	}
}

/* Traces back that an object's check is looked for in (earlier-trace). */
#define EARLIER_GENS 16

/*
 * Why the header at h is not a live object of kind; *id gets its id when
 * the header is one this runtime wrote in this trace (and the trace knows
 * the id as an object of the kind the header says), else 0; *found the
 * kind the header says, when it says one.
 */
static unsigned why_bad(struct clab__thr *self, const struct clab__obj *h,
			unsigned kind, uint32_t *id, unsigned *found)
{
	*id = 0;
	*found = 0;
	if (h->id == 0 && h->oseq == 0 && h->tag == 0)
		return CLAB_BADOBJ_UNINIT;
	if (!objkind_checked(h->kind) || h->alive > 1)
		return CLAB_BADOBJ_CORRUPT;
	if (h->check == clab__obj_check(h, self->gen)) {
		if (clab__obj_kind(h->id) == h->kind)
			*id = h->id;
		*found = h->kind;
		if (!h->alive)
			return CLAB_BADOBJ_DESTROYED;
		return h->kind == kind ? CLAB_BADOBJ_INIT_TWICE
				       : CLAB_BADOBJ_WRONG_KIND;
	}
	for (unsigned g = 1; g <= EARLIER_GENS; g++)
		if (h->check == clab__obj_check(h, self->gen - g))
			return CLAB_BADOBJ_EARLIER_TRACE;
	return CLAB_BADOBJ_CORRUPT;
}

static int bad(struct clab__thr *self, uint32_t id, unsigned why, unsigned kind,
	       unsigned found, const struct clab_site *site)
{
	clab__diag(self, CLAB_D_BAD_OBJECT, id,
		   why | (kind & 0xff) << 8 | (found & 0xff) << 16, site);
	return CLAB_EINVAL;
}

int clab__obj_bad(struct clab__thr *self, const void *p, unsigned kind,
		  const struct clab_site *site)
{
	uint32_t id;
	unsigned found, why;

	if (p == NULL)
		return bad(self, 0, CLAB_BADOBJ_NULL, kind, 0, site);
	if (!clab__obj_ptr_ok(p))
		return bad(self, 0, CLAB_BADOBJ_POINTER, kind, 0, site);
	why = why_bad(self, p, kind, &id, &found);
	return bad(self, id, why, kind, found, site);
}

int clab__obj_refuse(struct clab__thr *self, uint32_t id, unsigned why,
		     unsigned kind, const struct clab_site *site)
{
	return bad(self, id, why, kind, kind, site);
}

int clab__obj_fresh(struct clab__thr *self, const void *p, unsigned kind,
		    const struct clab_site *site)
{
	const struct clab__obj *h = p;
	uint32_t id;
	unsigned found;

	if (p == NULL)
		return bad(self, 0, CLAB_BADOBJ_NULL, kind, 0, site);
	if (!clab__obj_ptr_ok(p))
		return bad(self, 0, CLAB_BADOBJ_POINTER, kind, 0, site);
	/* alive here in this trace, of any kind: initialised twice */
	if (h->alive == 1 && h->check == clab__obj_check(h, self->gen) &&
	    why_bad(self, h, kind, &id, &found) != CLAB_BADOBJ_CORRUPT)
		return bad(self, id, CLAB_BADOBJ_INIT_TWICE, kind, found, site);
	return 0;
}

int clab__bad_value(struct clab__thr *self, uint32_t value,
		    const struct clab_site *site)
{
	clab__diag(self, CLAB_D_BAD_VALUE, 0, value, site);
	return CLAB_EINVAL;
}

void clab__diag(struct clab__thr *self, unsigned code, uint32_t obj,
		uint32_t detail, const struct clab_site *site)
{
	clab__emit_s(self->tb, CLAB_K_DIAG, obj, 0, site, code, detail,
		     clab__stack_here());
}

_Atomic uint64_t clab__spurious_seed;

uint64_t clab__rand(struct clab__thr *self)
{
	if (self->rng == 0) {
		uint64_t s = atomic_load(&clab__spurious_seed);
		self->rng =
		    (s ^ ((uint64_t)self->tid + 1) * 0x9e3779b97f4a7c15ull) | 1;
	}
	uint64_t x = self->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	self->rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

void clab__cross_unblocked(struct clab__thr *self)
{
	unblocked(self, CLAB_O_PIPE);
}
