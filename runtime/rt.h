/*
 * Runtime internals shared by the primitives: the per-thread state, the
 * wait queues and the blocking seam (park/unpark).
 *
 * The seam: a thread that must block puts a struct clab__waiter on the
 * object's wait queue while holding the object's internal lock `lk`, then
 * calls clab__park(), which releases lk while it sleeps and takes it again
 * before returning.  A thread that wakes it calls clab__unpark() with lk
 * held; unpark removes the waiter from its queue.  Every blocking operation
 * in the runtime goes through these calls (or their forms below), and the
 * controlled scheduler (sched.c) sits behind them: under control a park
 * gives the turn away.  Otherwise a thread sleeps on a futex: its own word,
 * or for clab__park_word the lock word itself.
 */
#ifndef CONCLAB_RT_H
#define CONCLAB_RT_H

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <conclab/lockdep.h>
#include <conclab/runtime.h>

#include "clab-util.h"
#include "tracer-emit.h"

#define CLAB__HELD_MAX 256
#define CLAB__HSEM_MAX CLAB_LD_PERMITS_MAX
#define CLAB__RWHELD_MAX 32

struct clab__held {
	clab_mutex_t *m;
	const struct clab_site *site;
	uint64_t chain; /* hash of the held locks up to this one, once */
			/* hashed (below nchained) */
};

struct clab__waiter {
	struct clab__thr *thr;
	struct clab__waiter *prev, *next;
	struct clab__waitq *q; /* queue it is on, NULL once removed */
	_Atomic int signalled;
	uint32_t seq;	 /* the wake record's sequence (clab__park_nolk) */
	uint32_t val;	 /* primitive specific: a semaphore's value */
	uint8_t cause;	 /* enum clab_cause */
	uint8_t ungated; /* and whether it gates nothing (clab__sem_release) */
	void *data;	 /* primitive specific */
};

#define CLAB__LINE 64 /* cache line */

/*
 * A thread that was asleep may find its caches cold: the state it touches
 * from its wakeup to the wakeup it gives in turn (a ping-pong's critical
 * path) is packed into as few lines as it can be, and what other threads
 * write is kept apart from what the thread writes itself.
 */
struct clab__thr {
	/*
	 * Line 0, what a thread that wakes this one writes: the waiter the
	 * condition variable and the semaphore queue (the other primitives
	 * queue one on their stack), the futex word park sleeps on and the
	 * woken flag.  A wakeup then moves one line from the waker's CPU to
	 * the sleeper's.
	 */
	_Alignas(CLAB__LINE) struct clab__waiter wait;
	/* sleeping in park: 0 while asleep, set to 1 by an unpark */
	_Atomic uint32_t futex;
	_Atomic int woken; /* unparked, not yet running again */

	/* Line 1, what every operation of the thread itself touches. */
	_Alignas(CLAB__LINE) struct clab__tbuf *tb;
	unsigned gen;
	/*
	 * What the thread is blocked on, for the watchdog.  plk is held while
	 * these (and the blocked_ fields below) change, and by the watchdog
	 * while it looks at a mutex or a thread waited for, so that it cannot
	 * go away under it (the thread must clear blocked_on under plk before
	 * it can return and let the object be destroyed; for other kinds a
	 * plain store clears it, see unblocked() in park.c).
	 */
	clab__lock_t plk;
	struct clab__obj *_Atomic blocked_on;
	_Atomic uint64_t progress; /* written by this thread only */
	/* threads this thread unparked, to signal once it drops the lock */
	unsigned nwake;
	unsigned nheld;	     /* held mutexes (held below) */
	unsigned nchained;   /* held[0..nchained) have their chain hashed */
	unsigned nhsem;	     /* permits held (hsem below) */
	uint64_t hsem_chain; /* hash of hsem, mixed into the chain key */

	/* Line 2: the threads to wake once a lock drops, the permits held. */
	_Alignas(CLAB__LINE) struct clab__thr *wake[8];
	/*
	 * Permits of semaphores held, which may gate a lock-order cycle: by
	 * id (never reused in a trace), so that a semaphore destroyed while
	 * a permit of it is held leaves nothing to dereference.  s and site
	 * are where it was taken, for a fork (fork.c), which reads s only
	 * after checking that it is still that semaphore; ord and mdepth say
	 * when, among the other holds (struct clab__rwheld).
	 */
	struct clab__hsem {
		uint32_t id, permits;
		uint32_t ord, mdepth;
		clab_sem_t *s;
		const struct clab_site *site;
	} hsem[CLAB__HSEM_MAX];

	/*
	 * The rest of what the watchdog reads, written when a wait begins.
	 * blocked_id and blocked_kind are blocked_on's, copied then: a woken
	 * waiter's condition or semaphore may be destroyed before the waiter
	 * clears blocked_on, so the watchdog reads only a mutex or a thread
	 * through it (those cannot go while waited for).
	 */
	const struct clab_site *_Atomic blocked_site;
	/* when it started to wait (monotonic), 0 under control */
	_Atomic uint64_t blocked_ns;
	_Atomic uint32_t blocked_id;
	_Atomic uint8_t blocked_kind;
	/* 0: no deadline; 1: a deadline; CLAB__WAIT_ELSEWHERE (ext_blocked) */
	_Atomic uint8_t blocked_timed;
	uint32_t tid;
	struct clab__obj h; /* the thread as an object (join waits on it) */
	pthread_t pt;
	int made_here; /* created by clab_thread_create */
	int detached;
	/* a cancellation asked of it (clab__thread_interrupt) */
	_Atomic int cancel_req;
	/*
	 * In a wait that a cancellation ends (the preload library's
	 * cancellation points): the park returns CLAB_ECANCELED once
	 * cancel_req is set.  Set and read by the thread itself.
	 */
	int cancellable;
	/*
	 * In a wait that a signal handler ends (the preload library's
	 * sem_wait and sem_timedwait, as the C library's: EINTR, whatever
	 * SA_RESTART says): the park returns CLAB_EINTR when its futex wait
	 * was interrupted.  Set and read by the thread itself.
	 */
	int interruptible;
	/*
	 * A signal handler's sem_post on this thread while it runs
	 * conclab's code (the preload library's, preload/sem.c; sem_post is
	 * async-signal-safe): at_wait while the thread sleeps in a park,
	 * holding none of conclab's locks and writing no record, where the
	 * handler may post at once; deferred when the handler came anywhere
	 * else and left its post for later: made before the thread sleeps
	 * (clab__deferred_hook) or when its call returns.  Set and read by
	 * the thread itself and its handlers.
	 */
	volatile int at_wait, deferred;
	/*
	 * Running a handler's posts (or those it left) while parked: not
	 * blocked to the watchdog meanwhile, which reads it.
	 */
	_Atomic int in_handler;
	void *(*fn)(void *);
	void *arg;
	void *ret;
	_Atomic int live; /* created or registered, and not ended */
	int internal;	  /* the watchdog: not counted as a live thread */
	/*
	 * In a forked child, a thread of the parent's (set by fork.c before
	 * the child has another thread; never by the thread itself, so that
	 * the watchdog reads it without a race with the thread's start).
	 */
	int of_parent;
	_Atomic int gone; /* the thread will not touch this state again */
	/* exit and join: under lk */
	clab__lock_t lk;
	struct clab__waitq joinq;
	int ended;
	int joined;
	/* the thread whose join sleeps in its pthread_join (clab__park_join) */
	struct clab__thr *joiner;
	/*
	 * Joined, and its pthread_join() returned: the thread ran its last
	 * instruction, and nobody may use this state again (a handle used
	 * after its join is the caller's bug), so it can be used again for a
	 * new thread (see reap_locked() in thread.c).
	 */
	_Atomic int reapable;
	/* read or write holds of reader-writer locks (which point at it) */
	_Atomic unsigned nrw;
	/* spurious wakeup generator */
	uint64_t rng;
	struct clab__thr *next_all; /* registry */
	/* the controlled scheduler's view of the thread (sched.c) */
	struct clab__sthr {
		_Atomic int ctl;	/* under control */
		int state;		/* CLAB__S_* */
		_Atomic uint32_t go;	/* the baton: 1 when it may run */
		_Atomic uint32_t *flag; /* blocked: runnable once *flag */
		uint64_t deadline;	/* blocked: virtual ns, 0 none */
		int wake;		/* why a block ended: CLAB__SW_* */
		unsigned spur_ok; /* a condition wait: may wake spuriously */
		unsigned spurs;	  /* spurious wakeups of this wait */
		_Atomic uint32_t *word; /* park_word: the word slept on */
		_Atomic uint32_t woke;	/* park_word: an unpark chose it */
		uint64_t prio;		/* PCT priority */
		/* read by the watchdog: */
		_Atomic uint64_t steps; /* scheduling points it passed */
		const struct clab_site *_Atomic site; /* the last one */
	} s;
	/* the kernel's id of the thread (gettid), once it runs; -1 in a
	 * forked child for the parent's other threads */
	pid_t ktid;
	/*
	 * Reader-writer locks held, read or write, in the order taken, for a
	 * fork to replay into the child's trace (fork.c); only the thread
	 * itself reads or writes them.  ord numbers the thread's takes of
	 * reader-writer locks and permits, and mdepth is nheld then, so that
	 * a fork replays every hold in the order it was taken.  Holds past
	 * CLAB__RWHELD_MAX are not kept (nor replayed).
	 */
	uint32_t nord;
	unsigned nrwheld;
	struct clab__rwheld {
		clab_rwlock_t *l;
		const struct clab_site *site;
		uint32_t ord, mdepth;
		int write;
	} rwheld[CLAB__RWHELD_MAX];
	/* held mutexes, innermost last */
	struct clab__held held[CLAB__HELD_MAX];
};

/* The lines the hot path counts on: a change that breaks them fails here. */
_Static_assert(sizeof(struct clab__waiter) + 2 * sizeof(uint32_t) <= CLAB__LINE,
	       "a waker writes one line");
_Static_assert(__builtin_offsetof(struct clab__thr, hsem_chain) +
		       sizeof(uint64_t) <=
		   2 * CLAB__LINE,
	       "the thread's hot fields share line 1");

/*
 * The calling thread's state; registers it on first use in a trace.
 * Initial-exec, as where it is defined: in the general model the compiler
 * reads it with a call (__tls_get_addr), which the linker then rewrites,
 * but the registers saved around the call stay in the functions that read
 * it (the lock's fast path).
 */
extern _Thread_local struct clab__thr *clab__tls_self
    __attribute__((tls_model("initial-exec")));
struct clab__thr *clab__self_slow(const char *name, int internal);
static inline struct clab__thr *clab__self(void)
{
	struct clab__thr *t = clab__tls_self;
	if (__builtin_expect(t != NULL && t->gen == atomic_load_explicit(
							&clab__trace_gen,
							memory_order_relaxed),
			     1))
		return t;
	return clab__self_slow(NULL, 0);
}

/*
 * How clab_thread_create starts a thread: pthread_create, unless the
 * preload library, which stands in for pthread_create itself, sets
 * another (one that goes to the C library's directly, past every other
 * library that wraps it, such as a sanitizer's).
 */
extern int (*clab__pthread_create)(pthread_t *, const pthread_attr_t *,
				   void *(*)(void *), void *);

/*
 * Called, when set, in a thread the runtime did not create, at its end
 * (its exit key's destructor), once its end is recorded: the preload
 * library ends the process there when the thread is a main thread that
 * left with pthread_exit and the last of the program's threads to end.
 */
extern void (*clab__thread_gone_hook)(void);

/*
 * Makes the posts a signal handler left for later on this thread (its
 * deferred flag, see struct clab__thr) and clears the flag: set by the
 * preload library; a park calls it, holding no lock, before it sleeps.
 */
extern void (*clab__deferred_hook)(void);

/*
 * clab__thread_exit - end the calling thread, made by clab_thread_create,
 * as returning ret from its function would, for a thread that leaves
 * another way (pthread_exit, under the preload library): records its
 * exit and wakes its joiner.  It must not record anything afterwards.
 * Does nothing for another thread or one that has ended.
 */
void clab__thread_exit(void *ret);
/*
 * clab__thread_leave - under the controlled scheduler, end the calling
 * thread, one the runtime did not create (a program's main thread under
 * the preload library, in its pthread_exit): its end is recorded and it
 * gives up its turn, as a created thread's end does, so that the others
 * go on without it.  Nothing outside control, where its end is recorded
 * when it has exited.
 */
void clab__thread_leave(void);

/*
 * clab__thread_cancel - record that the calling thread asked for t's
 * cancellation (the preload library's pthread_cancel, which then asks the
 * C library); t's end, if it comes, is recorded as any other.
 */
void clab__thread_cancel(clab_thread_t *t, const struct clab_site *site);
/*
 * clab__thread_interrupt - end t's wait, if it is in one that a
 * cancellation ends (t->cancellable: pthread_cond_wait, sem_wait,
 * pthread_join under the preload library): its park returns
 * CLAB_ECANCELED, the wait is recorded as ended so (cond.wake cause
 * "cancel", or wait.cancel), and t, back in the preload library, acts on
 * the C library's pending cancellation, which its pthread_cancel asked
 * for first.  A wait in conclab's park sleeps on a futex, which the C
 * library's cancellation does not end.  A later such wait of t's ends at
 * once too (the request stays), as the C library's cancellation points do.
 */
void clab__thread_interrupt(clab_thread_t *t);

/*
 * clab__thread_exit_holding - record an exit-holding diagnostic for each
 * mutex, reader-writer lock hold (detail 1 read, 2 write) and semaphore
 * permit (detail 3) t still holds, at the site where it was taken: t ends
 * now, as a thread does, or the process exits from it (the preload
 * library's end).  A permit counts as the lock-order detector counts it:
 * not one of a semaphore that a thread without a permit gave to (a signal).
 */
void clab__thread_exit_holding(struct clab__thr *t);

/* ---- futex words: the native backend sleeps on them ---- */
static inline void clab__futex_wake(_Atomic uint32_t *word, int n)
{
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

/*
 * Sleep while *word == val, until an absolute CLOCK_MONOTONIC deadline
 * (NULL: none).  Returns 0 or an errno value (ETIMEDOUT, EAGAIN, EINTR).
 */
static inline int clab__futex_wait(_Atomic uint32_t *word, uint32_t val,
				   const struct timespec *dl)
{
	long r = syscall(SYS_futex, word, FUTEX_WAIT_BITSET_PRIVATE, val, dl,
			 NULL, FUTEX_BITSET_MATCH_ANY);
	return r == 0 ? 0 : errno;
}

/* ---- an object's internal lock ---- */
void clab__lk_lock_slow(clab__lock_t *lk);
void clab__lk_wake(clab__lock_t *lk);

static inline void clab__lk_init(clab__lock_t *lk)
{
	atomic_init(&lk->word, 0);
}

static inline void clab__lk_lock(clab__lock_t *lk)
{
	uint32_t free_ = 0;
	if (__builtin_expect(!atomic_compare_exchange_strong_explicit(
				 &lk->word, &free_, 1, memory_order_acquire,
				 memory_order_relaxed),
			     0))
		clab__lk_lock_slow(lk);
}

/* Unlock, and nothing more (clab__lk_unlock also wakes, see below). */
static inline void clab__lk_drop(clab__lock_t *lk)
{
	if (__builtin_expect(atomic_exchange_explicit(
				 &lk->word, 0, memory_order_release) == 2,
			     0))
		clab__lk_wake(lk);
}

/* ---- wait queues (caller holds the owning object's lk) ---- */
void clab__wq_push(struct clab__waitq *q, struct clab__waiter *w);
void clab__wq_push_front(struct clab__waitq *q, struct clab__waiter *w);
void clab__wq_remove(struct clab__waiter *w);
static inline int clab__wq_empty(const struct clab__waitq *q)
{
	return q->head == 0;
}

/* ---- the seam ---- */
/*
 * clab__waiter_init - prepare w for self before queueing it.
 */
void clab__waiter_init(struct clab__waiter *w, struct clab__thr *self);

/*
 * clab__park - sleep until w is unparked or the deadline passes.
 * Called with lk held and w queued; returns with lk held.  obj and site say
 * what is being waited on (for the watchdog).  deadline NULL waits forever.
 * Returns 0 if unparked, CLAB_ETIMEDOUT if the deadline passed first (w is
 * then removed from its queue).
 */
int clab__park(struct clab__thr *self, clab__lock_t *lk, struct clab__waiter *w,
	       struct clab__obj *obj, const struct clab_site *site,
	       const struct timespec *deadline);

/*
 * clab__park_join - the seam's form for a join that waits without a
 * deadline, not under the controlled scheduler: sleep in pthread_join()
 * on pt (a thread the runtime created, joined only here), published to the
 * watchdog as a wait on obj (the thread's object) from site.  One sleep,
 * which the kernel ends once the thread has exited, where a wait for the
 * thread's end record and then its pthread_join() took two.  Called with lk
 * held; drops it while it sleeps and returns with it held.
 */
void clab__park_join(struct clab__thr *self, clab__lock_t *lk,
		     struct clab__obj *obj, const struct clab_site *site,
		     pthread_t pt);

/*
 * clab__park_nolk - clab__park for a waiter whose waker does all the
 * bookkeeping under lk: it removes w from its queue, sets w->cause and
 * gives w->seq the object's sequence number for the wake record.  The
 * sleeper then has no need of lk once it is woken, so it does not take it
 * again (nor touch the object): returns 0 without lk when unparked.  When
 * the deadline passes first, w is removed, w->seq is given the object's
 * next sequence number, and CLAB_ETIMEDOUT is returned, also without lk.
 */
int clab__park_nolk(struct clab__thr *self, clab__lock_t *lk,
		    struct clab__waiter *w, struct clab__obj *obj,
		    const struct clab_site *site,
		    const struct timespec *deadline);

/*
 * clab__unpark - remove w from its queue and wake it (lk held).  The
 * sleeping thread is signalled when the caller drops lk with
 * clab__lk_unlock(), so that it does not wake up only to wait for lk.
 */
void clab__unpark(struct clab__waiter *w, unsigned cause);

/*
 * clab__unpark_head_now - clab__unpark for the first waiter of q, which
 * must be a thread's own (struct clab__thr.wait) parked with
 * clab__park_nolk: as it does not take lk again, it is woken at once, not
 * when lk drops, so that its wakeup starts as early as it can.
 */
void clab__unpark_head_now(struct clab__waitq *q, unsigned cause);

/* Unlock an object's lk and signal the threads unparked under it. */
void clab__lk_unlock(clab__lock_t *lk);

/*
 * The seam's second form, for locks whose state is one word (the mutex):
 * clab__park_word sleeps while *word == val (until unparked by
 * clab__unpark_word on the same word, or the deadline; it may also return
 * for no reason, so callers loop).  Returns 0 or CLAB_ETIMEDOUT.
 */
int clab__park_word(struct clab__thr *self, _Atomic uint32_t *word,
		    uint32_t val, struct clab__obj *obj,
		    const struct clab_site *site,
		    const struct timespec *deadline);
/* Wake up to n threads sleeping on word. */
void clab__unpark_word(_Atomic uint32_t *word, int n);

/* Wake the first waiter of q, if any; returns 1 if one was woken. */
int clab__unpark_one(struct clab__waitq *q, unsigned cause);
/* Wake every waiter of q; returns how many. */
unsigned clab__unpark_all(struct clab__waitq *q, unsigned cause);

/*
 * An absolute CLOCK_MONOTONIC deadline ms from now: on the virtual clock
 * under control (clab__sched_now), where every deadline the seam is given
 * then lies.
 */
void clab__deadline(struct timespec *ts, uint32_t ms);

/* Monotonic nanoseconds, real time (the watchdog's run limit). */
/* The runtime's time: virtual under control, else clab__mono_ns(). */
uint64_t clab__now_ns(void);

/*
 * Progress the watchdog reads: each thread counts its own parks, wakeups
 * and unparks (no shared cache line); the watchdog adds them up.
 */
static inline void clab__progress(struct clab__thr *t)
{
	atomic_store_explicit(
	    &t->progress,
	    atomic_load_explicit(&t->progress, memory_order_relaxed) + 1,
	    memory_order_release);
}

/* ---- object validation ---- */
/*
 * Every public call checks its object before it touches anything else in
 * it (the internal lock above all, whose word in garbage could look taken
 * for ever): the pointer must be above the first page and aligned, and the
 * header's tag must be the one init wrote, which holds the kind, the
 * alive flag and a hash of the object's address and of the trace
 * generation.  That costs two compares on the fast path; what fails goes
 * to clab__obj_bad, which says why in a bad-object diagnostic.
 */
#define CLAB__OBJ_ALIGN _Alignof(void *)
#define CLAB__OBJ_MINADDR 4096u /* the first page is never mapped */

/* The check of an object at h in the trace of generation gen. */
static inline uint16_t clab__obj_check(const void *h, unsigned gen)
{
	uint32_t x = (uint32_t)((uintptr_t)h >> 3) ^ (gen * 0x9e3779b1u);
	return (uint16_t)(x ^ (x >> 16) ^ 0xc1ab);
}

/* The tag of an object of kind, alive or not, with check. */
static inline uint32_t clab__obj_tag(unsigned kind, unsigned alive,
				     uint16_t check)
{
	/* arithmetic, not a store and a load through the union (a stall) */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (kind & 0xffu) | (alive & 0xffu) << 8 | (uint32_t)check << 16;
#else
	return (kind & 0xffu) << 24 | (alive & 0xffu) << 16 | check;
#endif
}

/* Whether p is a pointer that may be read as an object's header. */
static inline int clab__obj_ptr_ok(const void *p)
{
	uintptr_t a = (uintptr_t)p;
	return a >= CLAB__OBJ_MINADDR && (a & (CLAB__OBJ_ALIGN - 1)) == 0;
}

/* Whether p is a live object of kind, initialised in self's trace. */
static inline int clab__obj_ok(const struct clab__thr *self, const void *p,
			       unsigned kind)
{
	return __builtin_expect(
	    clab__obj_ptr_ok(p) &&
		((const struct clab__obj *)p)->tag ==
		    clab__obj_tag(kind, 1, clab__obj_check(p, self->gen)),
	    1);
}

/*
 * clab__obj_bad - p failed clab__obj_ok for kind: record a bad-object
 * diagnostic at site saying why (site may be NULL for the getters, which
 * have none), and return CLAB_EINVAL.  Reads the header only when p passes
 * clab__obj_ptr_ok.
 */
int clab__obj_bad(struct clab__thr *self, const void *p, unsigned kind,
		  const struct clab_site *site);

/*
 * clab__obj_refuse - the object id of kind is refused for why (a
 * CLAB_BADOBJ_*) that the caller found: a bad-object diagnostic at site,
 * and CLAB_EINVAL.
 */
int clab__obj_refuse(struct clab__thr *self, uint32_t id, unsigned why,
		     unsigned kind, const struct clab_site *site);

/*
 * clab__obj_fresh - the check init makes before it writes: CLAB_EINVAL
 * (with a diagnostic) for a bad pointer or for an object that is alive in
 * this trace at this address (initialised twice), else 0.
 */
int clab__obj_fresh(struct clab__thr *self, const void *p, unsigned kind,
		    const struct clab_site *site);

/* Return from the calling function when o is not a live object of kind. */
#define CLAB__CHECK(self, o, kind, site)                                       \
	do {                                                                   \
		if (!clab__obj_ok((self), (o), (kind)))                        \
			return clab__obj_bad((self), (o), (kind), (site));     \
	} while (0)

/* A value out of range: a bad-value diagnostic and CLAB_EINVAL. */
int clab__bad_value(struct clab__thr *self, uint32_t value,
		    const struct clab_site *site);

/* The largest count a semaphore, a barrier or a queue takes. */
#define CLAB__COUNT_MAX ((uint32_t)INT32_MAX)

/* ---- objects ---- */
/* Register and record creation; returns 0 or CLAB_ENOMEM. */
int clab__obj_init(struct clab__obj *h, struct clab__thr *self,
		   unsigned objkind, const char *name,
		   const struct clab_site *site, unsigned flags,
		   uint32_t param);
/* Record destruction (the caller checked it is not busy). */
void clab__obj_fini(struct clab__obj *h, struct clab__thr *self,
		    const struct clab_site *site);

/*
 * clab__key_thread_end - self (the calling thread) ends: record key.end
 * for each key value it holds and run the keys' destructors (key.c).
 */
void clab__key_thread_end(struct clab__thr *self);

/* Record a diagnostic about obj. */
void clab__diag(struct clab__thr *self, unsigned code, uint32_t obj,
		uint32_t detail, const struct clab_site *site);

/* The same for a fast path: lazily time-stamped (see tracer-emit.h). */
static inline void clab__emit_obj_fast(struct clab__thr *self, unsigned kind,
				       struct clab__obj *h,
				       const struct clab_site *site,
				       unsigned a8, uint32_t a32)
{
	clab__emit_fast(self->tb, kind, h->id, ++h->oseq, site, a8, a32);
}

/* Record with the object's next sequence number (caller holds its lock). */
static inline void clab__emit_obj(struct clab__thr *self, unsigned kind,
				  struct clab__obj *h,
				  const struct clab_site *site, unsigned a8,
				  uint32_t a32)
{
	clab__emit(self->tb, kind, h->id, ++h->oseq, site, a8, a32);
}

/*
 * The same with a call stack: stack is clab__stack_here() (0 unless
 * clab_set_stacks is on), or the id of an earlier record of the same call.
 */
static inline void clab__emit_obj_s(struct clab__thr *self, unsigned kind,
				    struct clab__obj *h,
				    const struct clab_site *site, unsigned a8,
				    uint32_t a32, uint16_t stack)
{
	clab__emit_s(self->tb, kind, h->id, ++h->oseq, site, a8, a32, stack);
}

/*
 * clab__thread_rename - clab_thread_rename without writing the name now
 * under the controlled scheduler: the caller (the preload library, which
 * holds its thread map's lock) calls clab__tbuf_renames_write itself once
 * it has let go of its locks.
 */
int clab__thread_rename(clab_thread_t *t, const char *name);

/*
 * A semaphore whose permits the C library counts (a named one, which other
 * processes may share: preload/sem.c): the caller makes each wait and post
 * there, and these record them.  clab__sem_ext_wait before a wait that
 * blocks (sem.wait; *stack for its end; ms its time limit, CLAB_FOREVER
 * for none), clab__sem_ext_end after any wait
 * with its result r (0, CLAB_EAGAIN for a try, CLAB_ETIMEDOUT,
 * CLAB_ECANCELED) and ms as clab__sem_acquire takes it,
 * clab__sem_ext_release before a post (so that it comes before the
 * acquire it allows).  value: the count the caller read.
 */
int clab__sem_ext_wait(clab_sem_t *s, uint32_t value, uint32_t ms,
		       uint16_t *stack, const struct clab_site *site);
void clab__sem_ext_end(clab_sem_t *s, int r, uint32_t ms, uint32_t value,
		       uint16_t stack, const struct clab_site *site);
int clab__sem_ext_release(clab_sem_t *s, uint32_t value,
			  const struct clab_site *site);

/* ---- mutex internals used by the condition variable ---- */
/* Release every level of m for a wait; returns the depth to restore. */
uint32_t clab__mutex_release_all(clab_mutex_t *m, struct clab__thr *self,
				 const struct clab_site *site);
/* Take m back after a wait, restoring depth. */
void clab__mutex_reacquire(clab_mutex_t *m, struct clab__thr *self,
			   uint32_t depth, const struct clab_site *site);

/* ---- the live lock-order detector (lockorder.c) ---- */
#define CLAB__CHAINS (1u << 16)
#define CLAB__CHAIN_PROBES 8
extern _Atomic uint64_t clab__chains[CLAB__CHAINS];

/* The hash of a chain of held locks, extended by v; never 0. */
static inline uint64_t clab__chain_mix(uint64_t h, uint64_t v)
{
	uint64_t x = h ^ (v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2));
	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 29;
	return x | 1; /* 0 marks an empty slot */
}

static inline int clab__chain_seen(uint64_t key)
{
	for (unsigned i = 0; i < CLAB__CHAIN_PROBES; i++) {
		uint64_t k = atomic_load_explicit(
		    &clab__chains[(key + i) & (CLAB__CHAINS - 1)],
		    memory_order_relaxed);
		if (k == key)
			return 1;
		if (k == 0)
			return 0;
	}
	return 0;
}
void clab__order_slow(struct clab__thr *self, clab_mutex_t *m,
		      const struct clab_site *site, unsigned flags,
		      uint64_t key);
/* Hash the chains of held[nchained..nheld), which acquires leave undone. */
void clab__chain_fill(struct clab__thr *self);
/*
 * Semaphore permits for the detector: a thread took one of semaphore id
 * at s (which started with permits and is ungated or not), or gave one
 * back (s->lk held).  A release by a thread without a permit ungates s, and so
 * does a take beyond CLAB_LD_PERMITS_MAX: take returns 1 then, for a
 * caller that holds s->lk to set s->ungated.  A take by a waiter that was
 * handed its permit runs without s->lk and never touches s.
 */
int clab__order_sem_take(struct clab__thr *self, clab_sem_t *s, uint32_t id,
			 uint32_t permits, int ungated,
			 const struct clab_site *site);
void clab__order_sem_give(struct clab__thr *self, clab_sem_t *s,
			  const struct clab_site *site);

/*
 * Before a thread that holds locks requests m: have we seen this thread
 * request m under the very same chain of held locks?  If so, nothing can
 * be new (a few nanoseconds); if not, the detector adds the edges and
 * records a diagnostic if they close a lock-order cycle.
 */
static inline void clab__order_check(struct clab__thr *self, clab_mutex_t *m,
				     const struct clab_site *site,
				     unsigned flags)
{
	unsigned n = self->nheld;
	if (n == 0 || n > CLAB__HELD_MAX)
		return;
	if (self->nchained < n)
		clab__chain_fill(self);
	uint64_t key = clab__chain_mix(self->held[n - 1].chain,
				       (uint64_t)m->h.id << 4 | flags);
	if (self->nhsem)
		key = clab__chain_mix(key, self->hsem_chain);
	if (!clab__chain_seen(key))
		clab__order_slow(self, m, site, flags, key);
}

/* Per-thread random numbers (xorshift64*), for spurious wakeups. */
uint64_t clab__rand(struct clab__thr *self);
extern _Atomic unsigned clab__spurious_per_mille;
/* Seed of the per-thread generators (set by clab_set_spurious). */
extern _Atomic uint64_t clab__spurious_seed;

/*
 * About to wait on `on` (a mutex, or a thread to join): if the holder
 * chain comes back to us, we are closing a wait cycle; the watchdog is
 * told to look at once instead of at its next period.
 */
void clab__deadlock_probe(struct clab__thr *self, struct clab__obj *on);

/*
 * The controlled scheduler found the run stuck (no thread can run, or the
 * step limit passed): the watchdog reports it at once.  CLAB_EINVAL when
 * no watchdog runs to report it.
 */
int clab__watchdog_sched_stuck(enum clab_stuck why, uint64_t steps);

/*
 * Waits on other processes (proc.c).  cross_blocked publishes a thread's
 * wait on a pipe or a child for the watchdog, as a timed one; the process
 * table says whether it ends: xproc_stuck, whether this process is in a
 * set of processes that wait only for each other (self_waiting: whether
 * every live thread of this one waits); xproc_explain, what the thread tid
 * waits for across processes, in words; xproc_progress, a count that moves
 * whenever any process of the family acts.
 */
void clab__cross_blocked(struct clab__thr *self, struct clab__obj *obj,
			 const struct clab_site *site);
void clab__cross_unblocked(struct clab__thr *self);

/*
 * A wait on a named semaphore, whose count the C library keeps
 * (clab__sem_ext_*): ext_blocked publishes it, timed when it has a
 * deadline, else as one that another process may end
 * (CLAB__WAIT_ELSEWHERE); ext_unblocked ends it, under plk, so that the
 * semaphore outlives the watchdog's look at it.  clab__sem_ext_look, set
 * by the preload library, is that look, with the waiter's plk held: the C
 * library's count of s, the file it is mapped from, and whether its name
 * is still there, into *x; 0, or -1 when it cannot tell.  With no permit, no
 * child process and the file mapped by no other process, nobody can post: a
 * wait forever (watchdog.c).
 */
enum { CLAB__WAIT_ELSEWHERE = 2 };
struct clab__ext_look {
	int value;
	uint64_t dev, ino; /* as /proc/PID/maps gives them */
	int linked;	   /* its name is still there: it can be opened */
};
void clab__ext_blocked(struct clab__thr *self, struct clab__obj *obj,
		       const struct clab_site *site, int timed);
void clab__ext_unblocked(struct clab__thr *self);
extern int (*clab__sem_ext_look)(const clab_sem_t *s, struct clab__ext_look *x);
/*
 * What follows an item of a list in words, "a, b and c": left is how many
 * items there are from this one on.
 */
static inline const char *clab__list_sep(int left)
{
	return left > 2 ? ", " : left == 2 ? " and " : "";
}

/*
 * /proc without the heap (procfs.c), for the watchdog's thread: a
 * directory's names (not "." nor ".."), and a file's lines (a line longer
 * than the buffer comes as its start).  Open returns 0 or -1; next NULL at
 * the end.
 */
struct clab__dir {
	int fd;
	long n, pos;
	char buf[4096];
};
int clab__dir_open(struct clab__dir *d, const char *path);
const char *clab__dir_next(struct clab__dir *d);
void clab__dir_close(struct clab__dir *d);
struct clab__lines {
	int fd;
	size_t len, pos;
	char buf[1024];
};
int clab__lines_open(struct clab__lines *l, const char *path);
const char *clab__lines_next(struct clab__lines *l);
void clab__lines_close(struct clab__lines *l);
/* A mapping of a file, as /proc/PID/maps has it. */
struct clab__mapping {
	uintptr_t lo, hi; /* its pages */
	uint64_t off;	  /* the file's offset at lo */
	uint64_t dev, ino;
	int shared;    /* MAP_SHARED */
	int deleted;   /* the file has no name left */
	char path[80]; /* the file's (cut short), without " (deleted)" */
};
/*
 * clab__maps_find - whether process pid (0: this one) maps the file
 * dev:ino; with addr, the file that the page at addr is mapped from
 * instead, into *dev and *ino.  The mapping found into *m, when m.
 */
int clab__maps_find(pid_t pid, const void *addr, uint64_t *dev, uint64_t *ino,
		    struct clab__mapping *m);
/*
 * clab__mem_read - n bytes of process pid's memory at addr, from
 * /proc/PID/mem: 0, or -1 when they cannot be read (the process is gone,
 * or not this one's to read).  clab__peer_read - the same at the place
 * where pid maps what this process maps at addr: the same file at the same
 * offset (a variable of conclab's, in a process that loads the same code):
 * -1 when pid does not map it, -2 when it does but its memory is not this
 * process's to read (Yama's ptrace scope keeps a child from its parent's).
 */
int clab__mem_read(pid_t pid, uintptr_t addr, void *buf, size_t n);
int clab__peer_read(pid_t pid, const void *addr, void *buf, size_t n);

/*
 * Processes that wait for each other in the kernel (family.c): this one
 * and those descended from it, in read or write on pipes and in waitpid.
 * clab__family_look - waiting: the kernel ids of this process's threads
 * that wait for good in conclab waits (only it can end them); its other
 * threads must be in such waits in the kernel.  Returns 1 when this
 * process is in a set of processes that wait only for each other, with
 * *out: a line for each of their waits, the other processes of the set,
 * and a number that moves when any of their threads runs; else 0.
 */
enum { CLAB__FAMILY_MAX = 64 };

struct clab__family {
	char text[1024];
	pid_t pids[CLAB__FAMILY_MAX];
	size_t npids;
	size_t nown; /* this process's threads in the kernel's waits */
	uint64_t sig;
	/*
	 * Some of them wait on a file with a name (a named semaphore's), or
	 * catch a signal that another program may send: that program could
	 * end the wait.
	 */
	int linked;
};
int clab__family_look(const pid_t *waiting, size_t nwaiting,
		      struct clab__family *out);
/*
 * Whether this process has a timer still to fire whose signal runs a
 * handler (or whose expiry starts a thread): an alarm, a POSIX timer on a
 * clock that runs while every thread waits.  The handler may end a wait
 * (sem_post is async-signal-safe; sem_wait ends with EINTR): no thread
 * waits for good meanwhile.
 */
int clab__timer_pending(void);

/*
 * Set by the preload library: called (from the watchdog's thread, once a
 * run) when every live thread waits and those on named semaphores wait
 * for a process that is not there yet (CLAB_STUCK_UNLESS_OTHER).
 */
extern void (*clab__watchdog_notice)(const struct clab_deadlock *d);
/*
 * The file (dev, ino, as in /proc/PID/maps) that the page at addr of this
 * process is mapped from: 0, or -1 when it is no file's.
 */
int clab__mapped_file(const void *addr, uint64_t *dev, uint64_t *ino);
int clab__xproc_stuck(int self_waiting);
void clab__xproc_explain(uint32_t tid, char *buf, size_t len);
uint64_t clab__xproc_progress(void);
/*
 * clab__xproc_idle - under control, no thread of this process can go on
 * before some deadline: another process of the family takes the turn, if
 * one can go on, until it comes back (proc.c, "The family's turn").
 */
void clab__xproc_idle(void);
/*
 * clab__xproc_end - this process's controlled run ends, or the process
 * itself, with children it did not wait for alive: under control, the
 * turn goes to them until no other process can go on, so that each
 * finishes its turns (proc.c, "The family's turn").
 */
void clab__xproc_end(void);

/*
 * clab__fork_meta - name this process in its trace, once a trace: its
 * process.id and process.pid (fork.c does it at a process's first
 * clab_fork; proc.c where a child is forked without it, in the builds
 * where children record nothing).
 */
void clab__fork_meta(void);

/*
 * fork (fork.c): before it, each part takes its locks, so that the child
 * finds them in a known state; after it, the parent releases them, and
 * the child resets what belonged to the parent's other threads: the
 * lock-order detector's graph (self keeps the permits it holds of the
 * semaphores that are still alive), and the watchdog (started again when
 * it ran).
 */
void clab__watchdog_fork_prepare(void);
void clab__watchdog_fork_parent(void);
void clab__watchdog_fork_child(void);
void clab__order_fork_prepare(void);
void clab__order_fork_parent(void);
void clab__order_fork_child(struct clab__thr *self);

/* ---- the controlled scheduler (sched.c) ---- */
enum { CLAB__S_RUN = 0, CLAB__S_BLOCK, CLAB__S_DONE };
enum { CLAB__SW_WOKEN = 0, CLAB__SW_TIMEOUT, CLAB__SW_SPURIOUS };

/* Nonzero while a controlled schedule runs (clab_sched_start). */
extern _Atomic int clab__sched_on;

void clab__sched_point_slow(struct clab__thr *self,
			    const struct clab_site *site);

/*
 * clab__sched_point - a scheduling point: under control, the scheduler
 * may run another thread before this one goes on.  Called at the start of
 * every visible operation, with no internal lock held.  One predictable
 * branch when nothing is controlled.
 */
static inline void clab__sched_point(struct clab__thr *self,
				     const struct clab_site *site)
{
	if (__builtin_expect(
		atomic_load_explicit(&clab__sched_on, memory_order_relaxed), 0))
		clab__sched_point_slow(self, site);
}

/* Whether self runs under the controlled scheduler. */
static inline int clab__sched_ctl(const struct clab__thr *self)
{
	return __builtin_expect(
		   atomic_load_explicit(&self->s.ctl, memory_order_relaxed),
		   0) &&
	       atomic_load_explicit(&clab__sched_on, memory_order_relaxed);
}

/*
 * clab__sched_block - under control, give up running until *flag is set
 * by a waker, or the scheduler times the wait out (deadline, an absolute
 * virtual CLOCK_MONOTONIC time, or NULL) or wakes it spuriously
 * (self->s.spur_ok).  Returns 0, or CLAB_ETIMEDOUT for a timeout or a
 * spurious wakeup (self->s.wake says which).  Called with no internal
 * lock held.
 */
int clab__sched_block(struct clab__thr *self, _Atomic uint32_t *flag,
		      const struct timespec *deadline);

/* park_word's form: sleep while *word == val (see clab__park_word). */
int clab__sched_block_word(struct clab__thr *self, _Atomic uint32_t *word,
			   uint32_t val, const struct timespec *deadline);
/* unpark_word's: mark up to n threads sleeping on word runnable. */
void clab__sched_wake_word(_Atomic uint32_t *word, int n);

/* A new thread t, made by self: under control when self is. */
void clab__sched_thread_new(struct clab__thr *self, struct clab__thr *t);
/* A new thread's first step: wait for its turn. */
void clab__sched_thread_start(struct clab__thr *t);
/* A thread's last: give the turn away for good. */
void clab__sched_thread_exit(struct clab__thr *t);

/*
 * clab__sched_pick - which of the n threads cand (at most 64) a wakeup
 * goes to (which waiter a signal wakes): 0 when not under control.
 */
unsigned clab__sched_pick(struct clab__thr *self, struct clab__thr *const *cand,
			  unsigned n);

/* Virtual CLOCK_MONOTONIC nanoseconds, under control. */
uint64_t clab__sched_now(void);

/*
 * A fork under control (fork.c).  clab__sched_fork_seed, in the parent
 * before the fork: the seed of the child's scheduler, from this process's
 * seed and the number of its forks so far (0 when not under control).
 * clab__sched_fork_child, in the child: a scheduler of its own with self
 * alone, a random walk from that seed, the virtual clock going on from the
 * parent's.
 */
uint64_t clab__sched_fork_seed(void);
void clab__sched_fork_child(struct clab__thr *self, uint64_t seed);

/*
 * clab__sched_clock_at_least - under control, move the virtual clock on
 * to t if it is behind (a process that gets the family's turn back: time
 * went on while the others ran; proc.c).
 */
void clab__sched_clock_at_least(uint64_t t);

/* The registry of threads of the current trace (for the watchdog). */
extern pthread_mutex_t clab__thr_lock;
extern struct clab__thr *clab__thr_all;
/*
 * Threads' states that ended for good are used again for new threads.
 * Code that follows pointers to other threads' states outside
 * clab__thr_lock (a mutex's owner, the watchdog's snapshot) counts itself
 * here meanwhile: no state is taken for reuse while it is not zero.
 */
extern _Atomic unsigned clab__thr_walkers;
/* The progress counts of the current trace's threads taken for reuse. */
extern _Atomic uint64_t clab__thr_reaped_progress;

#endif
