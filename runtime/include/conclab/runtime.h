/*
 * conclab runtime: instrumented threads and synchronisation primitives.
 *
 * Every call records what it does into the open trace (see tracer.h), with
 * the caller's file, line and function captured by the macros below at no
 * run-time cost.  Functions return 0 (or a non-negative value) on success
 * and a negative error from error.h on failure; clab_strerror() explains it.
 *
 * Misuse that the labs teach (unlocking a mutex one does not hold, locking
 * a non-recursive mutex twice, over-releasing a bounded semaphore, waiting
 * on a condition without its mutex, destroying a held mutex) is never
 * undefined behaviour: the call records a diagnostic with its site and
 * returns an error.  So is an object that is not what the call takes:
 * never initialised, destroyed, of another kind, copied, of an earlier
 * trace or garbage (a bad-object diagnostic and CLAB_EINVAL; see
 * docs/runtime.md for what cannot be caught, such as unmapped memory).
 *
 * Primitives are caller-allocated (clab_mutex_t m; clab_mutex_init(&m,...))
 * and must be initialised while a trace is open; they belong to that trace.
 * Their fields are private.  Timeouts are in milliseconds: CLAB_FOREVER
 * waits without limit and 0 does not block.
 *
 * All blocking goes through one internal seam (park/unpark), behind which
 * the controlled scheduler (below) runs the same primitives one thread at
 * a time.
 */
#ifndef CONCLAB_RUNTIME_H
#define CONCLAB_RUNTIME_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <conclab/error.h>
#include <conclab/kinds.h>
#include <conclab/site.h>
#include <conclab/tracer.h>

#define CLAB_FOREVER UINT32_MAX

/*
 * The layout of the types below (and of the exercises' headers, which
 * hold them), counted up whenever it changes.  Each program or library
 * built with this header carries the value it was built with, as
 * clab_abi_built (weak: one per program, however many of its files
 * include this), so that `conclab exercise` refuses a solution built
 * against other headers instead of handing it objects of another size.
 */
#define CLAB_ABI 3
__attribute__((weak, used, visibility("default")))
const unsigned clab_abi_built = CLAB_ABI;

/* ---- private building blocks (do not use their fields) ---- */
struct clab__thr;
struct clab__waiter;

struct clab__waitq {
	struct clab__waiter *head;
	struct clab__waiter *tail;
};

/*
 * The internal lock every primitive guards its own state with (not a
 * clab mutex: it records nothing).  One futex word, so that an object's
 * lock and the fields it guards share a cache line.
 */
typedef struct {
	_Atomic uint32_t word; /* 0 free, 1 held, 2 held and maybe wanted */
} clab__lock_t;

/*
 * The header every object starts with (at offset 0, so that an object of
 * one kind passed as another is read at the same place).  kind, alive and
 * check are also read as one word, tag, which every call compares with
 * the tag init wrote: check is a hash of the object's address and of the
 * trace it belongs to, so that never initialised, destroyed, copied,
 * wrong-kind and corrupted objects are refused (see docs/runtime.md).
 */
struct clab__obj {
	uint32_t id;   /* object id in the trace */
	uint32_t oseq; /* per-object sequence, under the object's lock */
	union {
		struct {
			uint8_t kind;	/* enum clab_objkind */
			uint8_t alive;	/* 0 once destroyed */
			uint16_t check; /* of the address and trace */
		};
		uint32_t tag;
	};
};

/* ---- threads ---- */
typedef struct clab__thr clab_thread_t;

/*
 * clab_thread_create - start fn(arg) in a new named thread.
 * *out receives a handle for join/detach; the handle stays valid until it
 * is joined (or, for a detached thread, until the trace is closed).
 */
#define clab_thread_create(out, name, fn, arg)                                 \
	clab__thread_create((out), (name), (fn), (arg), CLAB_SITE())
/* clab_thread_join - wait for t to end; *ret gets fn's result if not NULL. */
#define clab_thread_join(t, ret)                                               \
	clab__thread_join((t), (ret), CLAB_FOREVER, CLAB_SITE())
/* clab_thread_join_timeout - the same, CLAB_ETIMEDOUT after ms. */
#define clab_thread_join_timeout(t, ret, ms)                                   \
	clab__thread_join((t), (ret), (ms), CLAB_SITE())
/* clab_thread_detach - the thread's resources go when it ends (daemon). */
#define clab_thread_detach(t) clab__thread_detach((t), CLAB_SITE())
/* clab_sleep_ms - sleep, recorded so the viewer shows "sleeping". */
#define clab_sleep_ms(ms) clab__sleep_ms((ms), CLAB_SITE())

int clab__thread_create(clab_thread_t **out, const char *name,
			void *(*fn)(void *), void *arg,
			const struct clab_site *site);
int clab__thread_join(clab_thread_t *t, void **ret, uint32_t ms,
		      const struct clab_site *site);
int clab__thread_detach(clab_thread_t *t, const struct clab_site *site);
/*
 * 0, or CLAB_ECANCELED when a cancellation ended a sleep on the controlled
 * scheduler's virtual clock (the preload library's sleep functions).
 */
int clab__sleep_ms(uint32_t ms, const struct clab_site *site);

/* The calling thread's handle (registers a thread not made by conclab). */
clab_thread_t *clab_thread_self(void);
/*
 * A thread's dense id in the trace (0 = main) and its name (valid until
 * the thread is renamed or its handle goes).
 */
uint32_t clab_thread_tid(const clab_thread_t *t);
const char *clab_thread_name(const clab_thread_t *t);
/*
 * clab_thread_rename - give t a new name (1 to CLAB_THREAD_NAME_MAX bytes),
 * as pthread_setname_np does: reports, the viewer and the runtime's own
 * messages name the thread by its last name.  The trace gets the name the
 * thread has at the writer's next pass (docs/trace-format.md, "Names").
 * Returns 0 (also when no trace is open, for a thread already joined, or
 * a handle of an earlier trace), CLAB_EINVAL for a bad name, or
 * CLAB_ENOMEM.
 */
#define CLAB_THREAD_NAME_MAX 255
int clab_thread_rename(clab_thread_t *t, const char *name);

/* ---- annotations ---- */
/*
 * clab_note - record a labelled annotation ("eat", "produce") with a value;
 * clab_note2 adds a second, 32-bit value.  label must be a string literal.
 */
#define clab_note(label, v) clab__note(CLAB__SITE_L(label), (int64_t)(v), 0)
#define clab_note2(label, v, w)                                                \
	clab__note(CLAB__SITE_L(label), (int64_t)(v), (uint32_t)(w))
void clab__note(const struct clab_site *site, int64_t v, uint32_t w);

/* ---- roles ---- */
/*
 * clab_role - declare what obj (any conclab object: &fork, &buf) is in
 * the lab: its role ("fork", "slot") and its index among them;
 * clab_thread_role does the same for a thread ("philosopher" 2).  Written
 * into the trace, where checks and pictures find their objects by role
 * instead of by name.  role: 1 to 31 of a-z, 0-9, '-' and '_'.  The
 * first declaration of an object, and of a role and index, holds.
 * Returns 0 (also when no trace is open), CLAB_EINVAL for a bad role or an
 * object never initialised, or the trace's write error.
 */
#define clab_role(obj, role, index) clab__role(&(obj)->h, (role), (index))
int clab__role(const struct clab__obj *h, const char *role, uint32_t index);
int clab_thread_role(clab_thread_t *t, const char *role, uint32_t index);

/* ---- processes ---- */
/*
 * clab_fork - fork() for a program that records: the child gets a trace
 * of its own.  In the parent, the fork is recorded (an annotation "fork"
 * whose value is the child's pid) and the trace's metadata names the
 * child and its trace; returns the child's pid.  In the child, returns 0:
 * only the calling thread exists there, the runtime forgets the parent's
 * other threads, their records and the lock-order detector's graph (the
 * locks the caller holds stay held), starts its own writer (and
 * watchdog, if the parent ran one), and records into STEM.PID.clt, where
 * STEM is the parent trace's path without ".clt" and PID the child's.
 * Its metadata links it to the parent's (process.* keys, see
 * docs/runtime.md).  Without an open trace, a plain fork with the same
 * reset.  When the child's trace cannot be created, the child records
 * nowhere (clab_tracer_active() is 0 there).  Returns a negative errno
 * when fork() fails.  Under the controlled scheduler the fork is a
 * scheduling point, and the child gets a scheduler of its own with the
 * calling thread alone: a random walk seeded from the parent's seed and
 * the number of the fork (process.sched_seed in its metadata), on the
 * virtual clock going on from the parent's (docs/scheduler.md,
 * "Processes").
 * Objects made before the fork keep working in the child, in the state
 * they had; one that another thread held or waited on stays so.
 */
pid_t clab_fork(void);
#define clab_fork() clab__fork(CLAB__SITE_L("fork"))
pid_t clab__fork(const struct clab_site *site);

/* ---- mutex ---- */
enum clab_mutex_type {
	CLAB_MUTEX_NORMAL = 0,	   /* relock by the owner: error + diagnostic */
	CLAB_MUTEX_ERRORCHECK = 1, /* the same; named for pthread parity */
	CLAB_MUTEX_RECURSIVE = 2,  /* the owner may lock again (RLock) */
};

typedef struct {
	struct clab__obj h;
	_Atomic uint32_t state; /* 0 free, 1 locked, 2 locked with waiters */
	uint8_t type;
	struct clab__thr *_Atomic owner;
	const struct clab_site *_Atomic owner_site;
	uint32_t depth;
	_Atomic uint32_t waiters; /* threads asleep on state */
} clab_mutex_t;

#define clab_mutex_init(m, name, type)                                         \
	clab__mutex_init((m), (name), (type), CLAB_SITE())
#define clab_mutex_destroy(m) clab__mutex_destroy((m), CLAB_SITE())
#define clab_mutex_lock(m) clab__mutex_lock((m), CLAB_FOREVER, CLAB_SITE())
#define clab_mutex_timedlock(m, ms) clab__mutex_lock((m), (ms), CLAB_SITE())
/* clab_mutex_trylock - CLAB_EBUSY when another thread holds it. */
#define clab_mutex_trylock(m) clab__mutex_lock((m), 0, CLAB_SITE())
#define clab_mutex_unlock(m) clab__mutex_unlock((m), CLAB_SITE())
/*
 * clab_mutex_lock_ordered - lock m only if every mutex the thread holds
 * comes before m in the global order (the order in which the mutexes
 * were initialised).  Otherwise records a lock-order diagnostic
 * naming both sites and returns CLAB_EORDER without locking.
 */
#define clab_mutex_lock_ordered(m) clab__mutex_lock_ordered((m), CLAB_SITE())

int clab__mutex_init(clab_mutex_t *m, const char *name, int type,
		     const struct clab_site *site);
/*
 * clab_mutex_init_indexed - a mutex that is element `index` (from 0) of an
 * array made at one site, such as the forks of the philosophers.  In class
 * mode (conclab analyze --classes, which groups locks by the site that made
 * them) two locks of one class may be nested only in increasing index
 * order; taking them the other way is reported with both sites.
 */
#define clab_mutex_init_indexed(m, name, type, index)                          \
	clab__mutex_init_ix((m), (name), (type), (index), CLAB_SITE())
int clab__mutex_init_ix(clab_mutex_t *m, const char *name, int type, long index,
			const struct clab_site *site);
int clab__mutex_destroy(clab_mutex_t *m, const struct clab_site *site);
int clab__mutex_lock(clab_mutex_t *m, uint32_t ms,
		     const struct clab_site *site);
int clab__mutex_unlock(clab_mutex_t *m, const struct clab_site *site);
int clab__mutex_lock_ordered(clab_mutex_t *m, const struct clab_site *site);

/*
 * clab_lock_many - lock n mutexes (at most 256) in the global order,
 * whatever order they are given in, like a sorted `acquire(*locks)`.  If the
 * thread already holds a mutex that comes after one of them, nothing is
 * locked: a lock-order diagnostic names both sites and CLAB_EORDER is
 * returned.  On another error, the mutexes already taken are released.
 * clab_unlock_many releases them, in the reverse order.
 */
#define clab_lock_many(ms, n) clab__lock_many((ms), (n), CLAB_SITE())
#define clab_unlock_many(ms, n) clab__unlock_many((ms), (n), CLAB_SITE())
int clab__lock_many(clab_mutex_t *const *ms, size_t n,
		    const struct clab_site *site);
int clab__unlock_many(clab_mutex_t *const *ms, size_t n,
		      const struct clab_site *site);

/*
 * clab_set_strict_order - in strict mode every blocking lock (lock,
 * timedlock) behaves like clab_mutex_lock_ordered: taking a mutex out of
 * the global order fails at once with CLAB_EORDER and a diagnostic, before
 * it can deadlock.  Off by default; affects every thread.
 */
void clab_set_strict_order(int on);

/*
 * clab_set_stacks - record full call stacks.  When on, the records of
 * every wait and slow path (mutex request, busy, timeout and acquire;
 * condition, semaphore, latch, queue and join waits; semaphore acquires;
 * diagnostics) carry the calling thread's stack, captured with libunwind
 * and symbolised by the tracer (function, file and line) once per unique
 * address.  A captured record costs about 100 ns more (more the first
 * time a stack is seen); off (the default) it costs one predictable
 * branch on those paths.  A process keeps at most 65535 different stacks;
 * records past that have none and are counted in the trace.  Affects every
 * thread; the static call sites of the macros are recorded either way.
 */
void clab_set_stacks(int on);
/* Whether the calling thread holds m. */
int clab_mutex_held(const clab_mutex_t *m);

/* ---- condition variable ---- */
typedef struct {
	struct clab__obj h;
	clab__lock_t lk;
	struct clab__waitq wq;
	clab_mutex_t *_Atomic mutex; /* the mutex it is used with */
} clab_cond_t;

#define clab_cond_init(c, name) clab__cond_init((c), (name), CLAB_SITE())
#define clab_cond_destroy(c) clab__cond_destroy((c), CLAB_SITE())
/* Wait releases m (every level of a recursive m) and retakes it. */
#define clab_cond_wait(c, m)                                                   \
	clab__cond_wait((c), (m), CLAB_FOREVER, CLAB_SITE())
#define clab_cond_timedwait(c, m, ms)                                          \
	clab__cond_wait((c), (m), (ms), CLAB_SITE())
/* Returns the number of threads woken (0 or 1). */
#define clab_cond_signal(c) clab__cond_signal((c), 0, CLAB_SITE())
#define clab_cond_broadcast(c) clab__cond_signal((c), 1, CLAB_SITE())

int clab__cond_init(clab_cond_t *c, const char *name,
		    const struct clab_site *site);
int clab__cond_destroy(clab_cond_t *c, const struct clab_site *site);
int clab__cond_wait(clab_cond_t *c, clab_mutex_t *m, uint32_t ms,
		    const struct clab_site *site);
int clab__cond_signal(clab_cond_t *c, int all, const struct clab_site *site);

/*
 * clab_set_spurious - make condition waits wake up spuriously, on average
 * once in every `per_mille` thousand waits (0 turns it off).  Real pthreads
 * may do this at any time; conclab does it on purpose so that a wait
 * without a loop shows its bug.  Seeded by seed, deterministic per thread.
 */
void clab_set_spurious(unsigned per_mille, uint64_t seed);

/* ---- semaphore ---- */
typedef struct {
	struct clab__obj h;
	clab__lock_t lk;
	struct clab__waitq wq;
	uint32_t value;
	uint32_t bound;	  /* 0 = unbounded */
	uint32_t permits; /* the value it started with */
	int ungated;	  /* released by a thread without a permit */
} clab_sem_t;

/* bound 0: a counting semaphore; bound > 0: releasing above it fails. */
#define clab_sem_init(s, name, value, bound)                                   \
	clab__sem_init((s), (name), (value), (bound), CLAB_SITE())
#define clab_sem_destroy(s) clab__sem_destroy((s), CLAB_SITE())
#define clab_sem_acquire(s) clab__sem_acquire((s), CLAB_FOREVER, CLAB_SITE())
#define clab_sem_acquire_timeout(s, ms)                                        \
	clab__sem_acquire((s), (ms), CLAB_SITE())
#define clab_sem_tryacquire(s) clab__sem_acquire((s), 0, CLAB_SITE())
/* CLAB_EOVERFLOW (and a diagnostic) when a bounded semaphore is full. */
#define clab_sem_release(s) clab__sem_release((s), CLAB_SITE())
uint32_t clab_sem_value(clab_sem_t *s);

int clab__sem_init(clab_sem_t *s, const char *name, uint32_t value,
		   uint32_t bound, const struct clab_site *site);
int clab__sem_destroy(clab_sem_t *s, const struct clab_site *site);
int clab__sem_acquire(clab_sem_t *s, uint32_t ms, const struct clab_site *site);
int clab__sem_release(clab_sem_t *s, const struct clab_site *site);

/* ---- reader-writer lock ---- */
/*
 * Many readers or one writer.  The policy says who goes first when both
 * wait:
 *   READERS  a reader enters whenever no writer holds the lock, even with
 *            writers waiting: a steady stream of readers starves them;
 *   WRITERS  no reader enters while a writer waits (a thread that holds a
 *            read lock already may take it again);
 *   FAIR     first come, first served: a request waits behind every
 *            request queued before it, and consecutive readers enter
 *            together.
 * A wait ends with the lock handed over by the thread that made room, so
 * no thread that arrives later can take it first.
 *
 * Like pthreads, a thread that holds a read lock and asks for the write
 * lock (an upgrade) waits until every reader, itself included, has gone:
 * for ever, unless it gives up on a deadline; two readers that both
 * upgrade wait for each other.  The watchdog reports either.  A writer
 * that asks again (read or write) gets CLAB_EDEADLK and a relock
 * diagnostic; an unlock by a thread that holds neither mode gets
 * CLAB_EPERM and a diagnostic, as destroying a held lock gets CLAB_EBUSY.
 */
enum clab_rwlock_policy {
	CLAB_RWLOCK_READERS = 0, /* readers-preference (writers may starve) */
	CLAB_RWLOCK_WRITERS = 1, /* writer-preference (readers may starve) */
	CLAB_RWLOCK_FAIR = 2,	 /* first come, first served */
};

/* Readers whose identity a lock keeps (more are counted, not named). */
#define CLAB_RWLOCK_TRACKED 16

typedef struct {
	struct clab__obj h;
	clab__lock_t lk;
	struct clab__waitq wq; /* readers and writers, in arrival order */
	uint8_t policy;
	uint32_t readers;   /* read holds */
	uint32_t wwait;	    /* writers queued */
	uint32_t untracked; /* read holds past the tracked ones */
	struct clab__thr *_Atomic writer;
	const struct clab_site *_Atomic writer_site;
	struct clab__thr *_Atomic wfirst; /* the first writer queued */
	struct {
		struct clab__thr *_Atomic thr;
		uint32_t n; /* its read holds */
	} rd[CLAB_RWLOCK_TRACKED];
} clab_rwlock_t;

#define clab_rwlock_init(l, name, policy)                                      \
	clab__rwlock_init((l), (name), (policy), CLAB_SITE())
#define clab_rwlock_destroy(l) clab__rwlock_destroy((l), CLAB_SITE())
#define clab_rwlock_rdlock(l)                                                  \
	clab__rwlock_lock((l), 0, CLAB_FOREVER, CLAB_SITE())
#define clab_rwlock_wrlock(l)                                                  \
	clab__rwlock_lock((l), 1, CLAB_FOREVER, CLAB_SITE())
/* try: CLAB_EBUSY when it would wait. */
#define clab_rwlock_tryrdlock(l) clab__rwlock_lock((l), 0, 0, CLAB_SITE())
#define clab_rwlock_trywrlock(l) clab__rwlock_lock((l), 1, 0, CLAB_SITE())
/* timed: CLAB_ETIMEDOUT after ms. */
#define clab_rwlock_timedrdlock(l, ms)                                         \
	clab__rwlock_lock((l), 0, (ms), CLAB_SITE())
#define clab_rwlock_timedwrlock(l, ms)                                         \
	clab__rwlock_lock((l), 1, (ms), CLAB_SITE())
/* Release the caller's hold, read or write. */
#define clab_rwlock_unlock(l) clab__rwlock_unlock((l), CLAB_SITE())
/* Read holds now (0 while a writer holds it or it is free). */
uint32_t clab_rwlock_readers(clab_rwlock_t *l);

int clab__rwlock_init(clab_rwlock_t *l, const char *name, int policy,
		      const struct clab_site *site);
int clab__rwlock_destroy(clab_rwlock_t *l, const struct clab_site *site);
int clab__rwlock_lock(clab_rwlock_t *l, int write, uint32_t ms,
		      const struct clab_site *site);
int clab__rwlock_unlock(clab_rwlock_t *l, const struct clab_site *site);

/* ---- latch: a one-shot flag, Python's threading.Event ---- */
typedef struct {
	struct clab__obj h;
	clab__lock_t lk;
	struct clab__waitq wq;
	int flag;
} clab_latch_t;

#define clab_latch_init(l, name) clab__latch_init((l), (name), CLAB_SITE())
#define clab_latch_destroy(l) clab__latch_destroy((l), CLAB_SITE())
/* Set the flag and wake every waiter; returns how many were woken. */
#define clab_latch_set(l) clab__latch_set((l), CLAB_SITE())
#define clab_latch_clear(l) clab__latch_clear((l), CLAB_SITE())
/* Wait until set: 0, or CLAB_ETIMEDOUT. */
#define clab_latch_wait(l) clab__latch_wait((l), CLAB_FOREVER, CLAB_SITE())
#define clab_latch_wait_timeout(l, ms) clab__latch_wait((l), (ms), CLAB_SITE())
int clab_latch_is_set(clab_latch_t *l);

int clab__latch_init(clab_latch_t *l, const char *name,
		     const struct clab_site *site);
int clab__latch_destroy(clab_latch_t *l, const struct clab_site *site);
int clab__latch_set(clab_latch_t *l, const struct clab_site *site);
int clab__latch_clear(clab_latch_t *l, const struct clab_site *site);
int clab__latch_wait(clab_latch_t *l, uint32_t ms,
		     const struct clab_site *site);

/*
 * ---- key: thread-local values, pthread_key_t recorded ----
 *
 * One key, a value for each thread, as a threading.local() attribute is
 * in Python.  Each call records on the key: key.set (a8: the value is not
 * NULL; a32: the value's id on the key, the same for the same pointer
 * while some thread holds it, so that one value shared by two threads
 * shows), key.get (the same fields), and, when a thread created by
 * clab_thread_create (or registered and ended) ends holding a value,
 * key.end in that thread, after which the key's destructor runs on the
 * value (POSIX: the value is NULL for the destructor's own calls, and
 * values set again by destructors get up to four rounds).  The main
 * thread's values are not destroyed when the program exits, as with
 * pthreads.
 */
typedef struct {
	struct clab__obj h;
	clab__lock_t lk;
	uint32_t nset;		 /* threads holding a value */
	uint32_t nextid;	 /* the last value id given */
	uint32_t nvals, capvals; /* the live values, below */
	void *vals;		 /* the live values (runtime/key.c) */
	void (*destructor)(void *);
} clab_key_t;

/*
 * clab_key_create - a key named name; destructor (may be NULL) runs on a
 * thread's non-NULL value when the thread ends.  0, CLAB_EINVAL,
 * CLAB_ENOMEM.
 */
#define clab_key_create(k, name, destructor)                                   \
	clab__key_create((k), (name), (destructor), CLAB_SITE())
/*
 * clab_key_delete - 0; CLAB_EBUSY (and a key-in-use diagnostic) while
 * any thread still holds a non-NULL value, whose destructor would never
 * run: set them to NULL first.  NULL is accepted and ignored.
 */
#define clab_key_delete(k) clab__key_delete((k), CLAB_SITE())
/* clab_key_set - the calling thread's value: 0, CLAB_EINVAL, CLAB_ENOMEM. */
#define clab_key_set(k, value) clab__key_set((k), (value), CLAB_SITE())
/*
 * clab_key_get - the calling thread's value, NULL when it set none (or
 * on a bad key, with a bad-object diagnostic).  Recorded (key.get, a
 * lazily stamped record), but not a scheduling point: it reads only the
 * calling thread's own value.
 */
#define clab_key_get(k) clab__key_get((k), CLAB_SITE())

int clab__key_create(clab_key_t *k, const char *name,
		     void (*destructor)(void *), const struct clab_site *site);
int clab__key_delete(clab_key_t *k, const struct clab_site *site);
int clab__key_set(clab_key_t *k, const void *value,
		  const struct clab_site *site);
void *clab__key_get(clab_key_t *k, const struct clab_site *site);

/* ---- barrier ---- */
typedef struct {
	struct clab__obj h;
	clab__lock_t lk;
	struct clab__waitq wq;
	uint32_t parties;
	uint32_t arrived;
	uint32_t generation;
	int broken;
} clab_barrier_t;

#define clab_barrier_init(b, name, parties)                                    \
	clab__barrier_init((b), (name), (parties), CLAB_SITE())
#define clab_barrier_destroy(b) clab__barrier_destroy((b), CLAB_SITE())
/*
 * Wait for all parties.  Returns the arrival index (0..parties-1), or
 * CLAB_EBROKEN if the barrier is or becomes broken, or CLAB_ETIMEDOUT (which
 * breaks it for the others, as in Python).
 */
#define clab_barrier_wait(b) clab__barrier_wait((b), CLAB_FOREVER, CLAB_SITE())
#define clab_barrier_wait_timeout(b, ms)                                       \
	clab__barrier_wait((b), (ms), CLAB_SITE())
/* Break the barrier: every waiter, now and later, gets CLAB_EBROKEN. */
#define clab_barrier_abort(b) clab__barrier_abort((b), 0, CLAB_SITE())
/* Back to the initial state; current waiters get CLAB_EBROKEN. */
#define clab_barrier_reset(b) clab__barrier_abort((b), 1, CLAB_SITE())
int clab_barrier_broken(clab_barrier_t *b);

int clab__barrier_init(clab_barrier_t *b, const char *name, uint32_t parties,
		       const struct clab_site *site);
int clab__barrier_destroy(clab_barrier_t *b, const struct clab_site *site);
int clab__barrier_wait(clab_barrier_t *b, uint32_t ms,
		       const struct clab_site *site);
int clab__barrier_abort(clab_barrier_t *b, int reset,
			const struct clab_site *site);

/* ---- blocking queue (FIFO) of pointers ---- */
typedef struct {
	struct clab__obj h;
	clab__lock_t lk;
	struct clab__waitq putq;  /* producers waiting for room */
	struct clab__waitq getq;  /* consumers waiting for items */
	struct clab__waitq joinq; /* threads in join */
	void **items;
	uint32_t cap;	/* 0 = unbounded */
	uint32_t alloc; /* slots allocated */
	uint32_t head;
	uint32_t len;
	uint32_t unfinished;
	int closed;
} clab_queue_t;

/* capacity 0 makes an unbounded queue. */
#define clab_queue_init(q, name, capacity)                                     \
	clab__queue_init((q), (name), (capacity), CLAB_SITE())
#define clab_queue_destroy(q) clab__queue_destroy((q), CLAB_SITE())
/* put/get: 0, CLAB_ETIMEDOUT, CLAB_EAGAIN (ms == 0), CLAB_ECLOSED. */
#define clab_queue_put(q, item)                                                \
	clab__queue_put((q), (item), CLAB_FOREVER, CLAB_SITE())
#define clab_queue_put_timeout(q, item, ms)                                    \
	clab__queue_put((q), (item), (ms), CLAB_SITE())
#define clab_queue_get(q, out)                                                 \
	clab__queue_get((q), (out), CLAB_FOREVER, CLAB_SITE())
#define clab_queue_get_timeout(q, out, ms)                                     \
	clab__queue_get((q), (out), (ms), CLAB_SITE())
/* Mark one item got earlier as processed (Python's task_done). */
#define clab_queue_task_done(q) clab__queue_task_done((q), CLAB_SITE())
/* Wait until every item put has been marked done. */
#define clab_queue_join(q) clab__queue_join((q), CLAB_FOREVER, CLAB_SITE())
#define clab_queue_join_timeout(q, ms) clab__queue_join((q), (ms), CLAB_SITE())
/*
 * Close: later puts fail with CLAB_ECLOSED; gets drain what is left and
 * then fail with CLAB_ECLOSED; every waiter wakes.
 */
#define clab_queue_close(q) clab__queue_close((q), CLAB_SITE())
uint32_t clab_queue_len(clab_queue_t *q);

int clab__queue_init(clab_queue_t *q, const char *name, uint32_t capacity,
		     const struct clab_site *site);
int clab__queue_destroy(clab_queue_t *q, const struct clab_site *site);
int clab__queue_put(clab_queue_t *q, void *item, uint32_t ms,
		    const struct clab_site *site);
int clab__queue_get(clab_queue_t *q, void **out, uint32_t ms,
		    const struct clab_site *site);
int clab__queue_task_done(clab_queue_t *q, const struct clab_site *site);
int clab__queue_join(clab_queue_t *q, uint32_t ms,
		     const struct clab_site *site);
int clab__queue_close(clab_queue_t *q, const struct clab_site *site);

/* ---- one-shot timer (Python's threading.Timer) ---- */
typedef struct {
	struct clab__obj h;
	clab__lock_t lk;
	struct clab__waitq wq;
	clab_thread_t *thread;
	void (*fn)(void *);
	void *arg;
	uint32_t delay_ms;
	int state; /* 0 idle, 1 armed, 2 fired, 3 cancelled */
} clab_timer_t;

#define clab_timer_init(t, name) clab__timer_init((t), (name), CLAB_SITE())
/* Destroy waits for the timer's thread; cancel it first to not wait. */
#define clab_timer_destroy(t) clab__timer_destroy((t), CLAB_SITE())
/* Run fn(arg) in the timer's own thread after delay_ms, unless cancelled. */
#define clab_timer_start(t, delay_ms, fn, arg)                                 \
	clab__timer_start((t), (delay_ms), (fn), (arg), CLAB_SITE())
/* 0 if cancelled in time, CLAB_EAGAIN if it had already fired. */
#define clab_timer_cancel(t) clab__timer_cancel((t), CLAB_SITE())

int clab__timer_init(clab_timer_t *t, const char *name,
		     const struct clab_site *site);
int clab__timer_destroy(clab_timer_t *t, const struct clab_site *site);
int clab__timer_start(clab_timer_t *t, uint32_t delay_ms, void (*fn)(void *),
		      void *arg, const struct clab_site *site);
int clab__timer_cancel(clab_timer_t *t, const struct clab_site *site);

/* ---- periodic timer on a condition variable ---- */
typedef struct {
	struct clab__obj h;
	clab__lock_t lk;
	struct clab__waitq wq;
	clab_thread_t *thread;
	uint32_t interval_ms;
	uint32_t tick;
	int stop;
} clab_ptimer_t;

#define clab_ptimer_init(p, name, interval_ms)                                 \
	clab__ptimer_init((p), (name), (interval_ms), CLAB_SITE())
#define clab_ptimer_start(p) clab__ptimer_start((p), CLAB_SITE())
/* Stop ticking and join the tick thread; waiters wake with CLAB_ECANCELED. */
#define clab_ptimer_stop(p) clab__ptimer_stop((p), CLAB_SITE())
#define clab_ptimer_destroy(p) clab__ptimer_destroy((p), CLAB_SITE())
/* Wait for the next tick; returns its number (from 1) or an error. */
#define clab_ptimer_wait_tick(p) clab__ptimer_wait_tick((p), CLAB_SITE())

int clab__ptimer_init(clab_ptimer_t *p, const char *name, uint32_t interval_ms,
		      const struct clab_site *site);
int clab__ptimer_start(clab_ptimer_t *p, const struct clab_site *site);
int clab__ptimer_stop(clab_ptimer_t *p, const struct clab_site *site);
int clab__ptimer_destroy(clab_ptimer_t *p, const struct clab_site *site);
int clab__ptimer_wait_tick(clab_ptimer_t *p, const struct clab_site *site);

/* ---- thread pool and futures (Python's concurrent.futures) ---- */
/*
 * A pool of worker threads takes tasks, fn(arg), in the order they were
 * submitted, from one queue; each submit returns a future, which gets the
 * task's result, or is cancelled.  Both are opaque handles on the heap.
 * A pool is built of the other primitives, so its blocking is theirs and
 * is recorded and scheduled as theirs: the workers wait on a queue
 * (NAME.tasks), a result waits on the future's latch (of the future's
 * name: NAME.1, NAME.2... in submit order), a shutdown that waits joins
 * the workers (a second one waits on the latch NAME.ended).  The pool's own
 * records say what the primitives cannot: pool.submit, pool.task-start,
 * pool.task-end, future.set, future.cancel, future.callback, pool.shutdown.
 * Every function may be called from any thread, tasks included.
 */
typedef struct clab_pool clab_pool_t;
typedef struct clab_future clab_future_t;

/* A done callback: the future it was added to, and its argument. */
typedef void (*clab_future_cb)(clab_future_t *f, void *arg);

/*
 * clab_pool_new - start a pool of `workers` threads (1 to
 * CLAB_POOL_MAX_WORKERS) named "NAME-1", "NAME-2"...  *out gets the pool.
 * Returns 0, CLAB_EINVAL (with a bad-value diagnostic for a count out of
 * range) or CLAB_ENOMEM.
 */
#define CLAB_POOL_MAX_WORKERS 256u
#define clab_pool_new(out, name, workers)                                      \
	clab__pool_new((out), (name), (workers), CLAB_SITE())
/*
 * clab_pool_free - shut the pool down if it is not (waiting, not
 * cancelling), join its workers and free it.  NULL is accepted.  The
 * futures it returned stay valid until each is freed.
 */
#define clab_pool_free(p) clab__pool_free((p), CLAB_SITE())
/*
 * clab_pool_submit - queue fn(arg) and return its future in *out (free it
 * with clab_future_free).  Returns 0, CLAB_ECLOSED once the pool is shut
 * down (a pool.submit record with refused = 1), CLAB_ENOMEM.
 */
#define clab_pool_submit(p, fn, arg, out)                                      \
	clab__pool_submit((p), (fn), (arg), (out), CLAB_SITE())
/*
 * clab_pool_map - results[i] = fn(args[i]) for i < n, run by the pool;
 * submits every task, then waits for each result in order (Python's
 * Executor.map).  Returns 0, or the first error of a submit or a result
 * (CLAB_ECANCELED when the pool cancelled a task; its result is NULL).
 */
#define clab_pool_map(p, fn, args, n, results)                                 \
	clab__pool_map((p), (fn), (args), (n), (results), CLAB_SITE())
/*
 * clab_pool_shutdown - refuse new tasks; the queued ones still run unless
 * cancel_pending, which cancels those no worker took yet (their results
 * are CLAB_ECANCELED).  wait: return once every worker has ended (which a
 * task of the pool cannot do: CLAB_EDEADLK); otherwise at once, with the
 * tasks still running.  Returns how many tasks it cancelled, or an error.
 * May be called more than once.
 */
#define clab_pool_shutdown(p, wait, cancel_pending)                            \
	clab__pool_shutdown((p), (wait), (cancel_pending), CLAB_SITE())

/*
 * clab_future_result - wait for the task and give its return value in
 * *out: 0; CLAB_ECANCELED for a cancelled future; CLAB_ETIMEDOUT after ms
 * (clab_future_result_timeout; 0 does not wait).
 */
#define clab_future_result(f, out)                                             \
	clab__future_result((f), (out), CLAB_FOREVER, CLAB_SITE())
#define clab_future_result_timeout(f, out, ms)                                 \
	clab__future_result((f), (out), (ms), CLAB_SITE())
/*
 * clab_future_cancel - cancel a task no worker has started: 0 (also for a
 * future cancelled already); CLAB_EBUSY when it runs or has run.
 */
#define clab_future_cancel(f) clab__future_cancel((f), CLAB_SITE())
/*
 * clab_future_add_done_callback - run cb(f, arg) once when the future is
 * done or cancelled, in the thread that completes it; at once, in the
 * calling thread, when it is done already.  Each runs exactly once; the
 * ones added before completion run in the order they were added.
 * Returns 0, CLAB_EINVAL (cb NULL) or CLAB_ENOMEM.
 */
#define clab_future_add_done_callback(f, cb, arg)                              \
	clab__future_add_done_callback((f), (cb), (arg), CLAB_SITE())
/*
 * clab_future_free - give the handle back (NULL is accepted).  A task
 * that has not run yet still runs (cancel it first to not); its future
 * goes when the pool is done with it.
 */
#define clab_future_free(f) clab__future_free((f), CLAB_SITE())
/* Whether the future is done or cancelled (1) or not yet (0). */
int clab_future_done(clab_future_t *f);
/* Whether it was cancelled (1) or not (0). */
int clab_future_cancelled(clab_future_t *f);

int clab__pool_new(clab_pool_t **out, const char *name, uint32_t workers,
		   const struct clab_site *site);
int clab__pool_free(clab_pool_t *p, const struct clab_site *site);
int clab__pool_submit(clab_pool_t *p, void *(*fn)(void *), void *arg,
		      clab_future_t **out, const struct clab_site *site);
int clab__pool_map(clab_pool_t *p, void *(*fn)(void *), void *const *args,
		   size_t n, void **results, const struct clab_site *site);
int clab__pool_shutdown(clab_pool_t *p, int wait, int cancel_pending,
			const struct clab_site *site);
int clab__future_result(clab_future_t *f, void **out, uint32_t ms,
			const struct clab_site *site);
int clab__future_cancel(clab_future_t *f, const struct clab_site *site);
int clab__future_add_done_callback(clab_future_t *f, clab_future_cb cb,
				   void *arg, const struct clab_site *site);
int clab__future_free(clab_future_t *f, const struct clab_site *site);

/* ---- the controlled scheduler ---- */
/*
 * Under control exactly one conclab thread runs at a time.  Every visible
 * operation (lock, unlock, wait, signal, semaphore, latch, barrier and
 * queue operations, thread create, join and exit, sleep, timers, pool
 * and future operations, notes)
 * is a scheduling point where the scheduler picks the thread that goes
 * on; sleeps and timeouts run on a virtual clock.  The picks come from a
 * seed, so the same program with the same mode and seed makes the same
 * run, and they are kept as a schedule string that replays the run.
 * See docs/scheduler.md.
 */
enum clab_sched_mode {
	CLAB_SCHED_OS = 0, /* not controlled: the operating system's run */
	CLAB_SCHED_RANDOM, /* a random thread at each point */
	CLAB_SCHED_PCT,	   /* probabilistic concurrency testing */
	CLAB_SCHED_REPLAY, /* the choices of a schedule string */
	CLAB_SCHED_ASK,	   /* ask the caller (after a replay's prefix) */
};

/* What an option of a choice does, for CLAB_SCHED_ASK. */
enum clab_sched_what {
	CLAB_SCHED_GOES_ON,	     /* the thread runs its next operation */
	CLAB_SCHED_TIMES_OUT,	     /* its timed wait (or sleep) ends */
	CLAB_SCHED_WAKES_SPURIOUSLY, /* its condition wait wakes for nothing */
	CLAB_SCHED_IS_WOKEN,	     /* a signal or an unlock wakes it */
};

struct clab_sched_option {
	uint32_t tid;
	const char *thread; /* its name */
	enum clab_sched_what what;
	/* where the thread is: the operation it is about to do or waits in */
	const struct clab_site *site;
	int blocked; /* it waits (a woken waiter goes on inside its wait) */
};

struct clab_sched_opts {
	enum clab_sched_mode mode;
	uint64_t seed;
	unsigned pct_depth;  /* PCT: the bug depth d it aims at (3) */
	uint64_t pct_steps;  /* PCT: steps a run is expected to take (2000) */
	uint64_t step_limit; /* steps before a livelock is reported (100000) */
	/* spurious wakeups a condition wait may get: -1 for the default (1) */
	int spurious_max;
	/*
	 * Whether a timed wait may time out before its deadline (as if the
	 * thread that would wake it were slow); by default a timeout comes
	 * when its time has: time passes a microsecond a step, and jumps to
	 * the first deadline when no thread can run.
	 */
	int early_timeouts;
	const char *replay; /* REPLAY: the schedule string; ASK: a prefix */
	/*
	 * ASK: called in the thread that holds the turn at each choice
	 * among more than one option, once the prefix is used up; returns
	 * the index of the option to take.
	 */
	unsigned (*ask)(void *arg, const struct clab_sched_option *opts,
			size_t n);
	void *ask_arg;
	/*
	 * Any mode: called in the thread that holds the turn after each
	 * choice among more than one option, with the options, the index
	 * taken and the virtual time (the trace's nanoseconds): the records
	 * of a step that follows the choice are stamped at or after it.  A
	 * search that reduces the schedules it runs reads them (see
	 * docs/scheduler.md); NULL for none.
	 */
	void (*on_pick)(void *arg, const struct clab_sched_option *opts,
			size_t n, unsigned pick, uint64_t now);
	void *on_pick_arg;
};

/* The longest schedule string clab_sched_schedule() writes, with its 0. */
#define CLAB_SCHED_STRING_MAX 65536

/*
 * clab_sched_start - put the calling thread, and every conclab thread it
 * creates from now on, under control.  Call it once a trace opened with
 * virtual_time is open and the watchdog runs (it reports a deadlock or a
 * livelock at once), before the threads to control are created.
 * Returns 0; CLAB_EINVAL for bad options, a trace without virtual time or
 * a malformed replay string; CLAB_EBUSY when control is on already.
 */
int clab_sched_start(const struct clab_sched_opts *o);

/*
 * clab_sched_stop - end control (the threads that are left run free) and
 * write the run's schedule string into buf (len bytes; see
 * CLAB_SCHED_STRING_MAX).  Returns the string's length, or CLAB_EINVAL.
 */
int clab_sched_stop(char *buf, size_t len);

/*
 * clab_sched_schedule - the schedule string of the run so far (any
 * thread; for a report when the run is stuck).  Returns its length, or
 * CLAB_EINVAL when nothing was controlled.
 */
int clab_sched_schedule(char *buf, size_t len);

/*
 * clab_sched_parse - a schedule string's picks (*picks, malloc'd, *npicks
 * of them) and its spurious wakeups per wait.  Returns 0, CLAB_EINVAL for
 * a malformed string, or CLAB_ENOMEM.  clab_sched_format writes picks
 * back as a string; it returns the string's length (as snprintf does).
 */
int clab_sched_parse(const char *s, uint32_t **picks, size_t *npicks,
		     unsigned *spur_max);
int clab_sched_format(const uint32_t *picks, size_t npicks, unsigned spur_max,
		      char *buf, size_t len);

/*
 * clab_sched_options - how many options each choice of the schedule had,
 * in the schedule string's format (a tool that searches every schedule
 * reads it with clab_sched_parse).  Returns the length, or CLAB_EINVAL.
 */
int clab_sched_options(char *buf, size_t len);

/* Scheduling steps so far, and whether a replay left its string's path. */
uint64_t clab_sched_steps(void);
int clab_sched_diverged(void);

/* "os", "random", "pct", "replay"; and back (-1 for an unknown name). */
const char *clab_sched_mode_name(enum clab_sched_mode m);
int clab_sched_mode_parse(const char *name);

/* ---- processes and pipes ---- */
/*
 * A child process and a pipe between processes (docs/runtime.md,
 * "Processes and pipes").  The process that calls records them as
 * objects: process.spawn and process.reaped on the child, process.wait
 * when the wait blocks; pipe.write, pipe.read and their waits on the pipe.
 *
 * A pipe carries messages of one size (1 to CLAB_PIPE_MAX_MSG bytes) over
 * a real pipe(2) and holds at most `capacity` of them (1 to
 * CLAB_PIPE_MAX_UNITS): a write to a full pipe waits until a reader makes
 * room; a read of an empty one waits for a message, or returns 0 (end of
 * file) once no process holds the write end open.  Capacity counts whole
 * messages, so when a writer blocks does not depend on the system's pipe
 * buffer.
 *
 * Waits across processes (a pipe's, a child's) are published in a table
 * of shared memory that the spawned children inherit: each process's
 * watchdog reads it and reports a deadlock when processes wait for each
 * other in a cycle (CLAB_STUCK_PROCESSES).  Under the controlled
 * scheduler, a thread in such a wait keeps its process's turn while it
 * waits, so the process's own schedule stays the same, and the processes
 * of the family take turns: one runs at a time, and it hands the turn to
 * the next that can go on when it waits for another, ends, or has nothing
 * to do but sleep (docs/scheduler.md, "Processes").
 *
 * A spawned child is forked with clab_fork: it records into a trace of
 * its own, without a watchdog (its parent's sees the family), and dies
 * with the thread that spawned it.  In a sanitizer's build it is a plain
 * fork, and the child records nothing: it should use only the pipe
 * functions and memory it shares with its parent there.
 */
#define CLAB_PIPE_MAX_MSG 512
#define CLAB_PIPE_MAX_UNITS 64
#define CLAB_PROC_MAX 32
enum { CLAB_PIPE_READ = 0, CLAB_PIPE_WRITE = 1 };

typedef struct {
	struct clab__obj h;
	clab__lock_t lk;
	int32_t pid;
	int slot;   /* in the shared table */
	int status; /* once reaped: the exit status, 128 + signal if killed */
	int reaped;
} clab_proc_t;

typedef struct {
	struct clab__obj h;
	clab__lock_t lk;
	int fd[2]; /* read end, write end: -1 once closed by this process */
	int slot;  /* in the shared table */
	uint32_t msgsize;
} clab_pipe_t;

/*
 * clab_proc_spawn - fork a child called name that runs fn(arg) and exits
 * with its return value (0 to 255).  Returns 0 in the parent, with p
 * filled, or CLAB_EINVAL (too many processes), CLAB_ENOMEM, CLAB_EIO.
 * The child inherits every pipe end this process holds open: close the
 * ends each side does not use (clab_pipe_close), as with pipe(2).
 */
#define clab_proc_spawn(p, name, fn, arg)                                      \
	clab__proc_spawn((p), (name), (fn), (arg), CLAB_SITE())
/*
 * clab_proc_wait - wait for the child to end and reap it (waitpid): 0 and
 * its status in *status (if not NULL), or CLAB_EINVAL.
 */
#define clab_proc_wait(p, status) clab__proc_wait((p), (status), CLAB_SITE())
int clab_proc_pid(const clab_proc_t *p);
/*
 * 1 in a child that clab_proc_spawn started and that records nothing (a
 * sanitizer's build: it should not call the runtime but for the pipes),
 * 0 elsewhere.
 */
int clab_proc_in_child(void);

#define clab_pipe_init(p, name, msgsize, capacity)                             \
	clab__pipe_init((p), (name), (msgsize), (capacity), CLAB_SITE())
/* Close what this process holds of it and forget it. */
#define clab_pipe_destroy(p) clab__pipe_destroy((p), CLAB_SITE())
/* Write one message of the pipe's size: 0, or CLAB_EBROKEN (no reader). */
#define clab_pipe_write(p, msg) clab__pipe_write((p), (msg), CLAB_SITE())
/* Read one message: 1, 0 at end of file, or a negative error. */
#define clab_pipe_read(p, msg) clab__pipe_read((p), (msg), CLAB_SITE())
/* Close this process's end (CLAB_PIPE_READ or CLAB_PIPE_WRITE). */
#define clab_pipe_close(p, end) clab__pipe_close((p), (end), CLAB_SITE())
/* Messages in the pipe now. */
uint32_t clab_pipe_units(const clab_pipe_t *p);

int clab__proc_spawn(clab_proc_t *p, const char *name, int (*fn)(void *),
		     void *arg, const struct clab_site *site);
int clab__proc_wait(clab_proc_t *p, int *status, const struct clab_site *site);
int clab__pipe_init(clab_pipe_t *p, const char *name, uint32_t msgsize,
		    uint32_t capacity, const struct clab_site *site);
int clab__pipe_destroy(clab_pipe_t *p, const struct clab_site *site);
int clab__pipe_write(clab_pipe_t *p, const void *msg,
		     const struct clab_site *site);
int clab__pipe_read(clab_pipe_t *p, void *msg, const struct clab_site *site);
int clab__pipe_close(clab_pipe_t *p, int end, const struct clab_site *site);

/* ---- deadlock watchdog ---- */
#define CLAB_BLOCKED_READERS 8
struct clab_blocked {
	uint32_t tid;
	const char *thread;
	uint32_t obj; /* object waited on (0: none) */
	unsigned objkind;
	const char *objname;
	uint32_t holder; /* tid holding it, UINT32_MAX if none/unknown */
	const char *holder_name;
	const struct clab_site *site;	     /* where it waits */
	const struct clab_site *holder_site; /* where the holder took it */
	/*
	 * The holder is a thread of the parent process, which held the
	 * object when the parent forked this one: a fork copies only the
	 * thread that calls it, so nobody here can release it.
	 */
	int holder_in_parent;
	int timed; /* a wait with a deadline */
	/* how long it has waited, real time; 0 under control */
	uint64_t waited_ns;
	/* under the controlled scheduler: the steps it took */
	uint64_t steps;
	/* a reader-writer lock: the readers holding it (the first ones) */
	unsigned nreaders;
	uint32_t readers[CLAB_BLOCKED_READERS];
	/*
	 * A wait on another process (a pipe's, a child's): what it waits
	 * for, then what each other process of the cycle waits for, a line
	 * each; empty otherwise.
	 */
	char remote[1024];
	/*
	 * In no conclab wait, but in one the kernel shows (read or write on
	 * a pipe, waitpid: CLAB_STUCK_PROCESSES, whose kernel lines say
	 * what each waits for).
	 */
	int in_kernel;
};

enum clab_stuck {
	CLAB_STUCK_ALL_BLOCKED = 1, /* every live thread waits forever */
	CLAB_STUCK_CYCLE = 2,	    /* a cycle of threads waiting on locks */
	CLAB_STUCK_TIME_LIMIT = 3,  /* the run limit passed */
	CLAB_STUCK_STEP_LIMIT = 4,  /* controlled: the step limit passed */
	/* processes wait for each other (a child, a pipe) in a cycle */
	CLAB_STUCK_PROCESSES = 5,
	/*
	 * every live thread waits, some on named semaphores that no other
	 * process has open but one could open: a notice, not a report (the
	 * run goes on)
	 */
	CLAB_STUCK_UNLESS_OTHER = 6,
};

struct clab_deadlock {
	enum clab_stuck why;
	size_t nthreads; /* live threads */
	struct clab_blocked *threads;
	size_t ncycle; /* threads in the lock cycle, in order (CYCLE) */
	uint32_t *cycle;
	uint64_t steps; /* controlled: scheduling steps taken (STEP_LIMIT) */
	/*
	 * PROCESSES found in the kernel's waits (read or write on a pipe,
	 * waitpid): the other processes of the set, which wait only for
	 * each other and this one.  clab_deadlock_end_others has them
	 * ended (SIGKILL) once the calling thread is gone (ended with its
	 * process, when a callback ends it: not before, or a thread of this
	 * process that waits for them would run on); the watchdog calls it
	 * after on_stuck returns, so a callback that ends the process calls
	 * it first, once it has saved the trace.
	 */
	const pid_t *pids;
	size_t npids;
	/* those waits in the kernel, a line each; NULL for the others */
	const char *kernel;
};

void clab_deadlock_end_others(const struct clab_deadlock *d);

struct clab_watchdog_opts {
	unsigned period_ms;    /* check interval (100) */
	unsigned run_limit_ms; /* 0: no limit */
	/*
	 * Called once, from the watchdog's thread, after the deadlock record
	 * was written and the trace flushed.  Usually prints the report,
	 * closes the trace and exits.  If it returns, the watchdog stops.
	 */
	void (*on_stuck)(const struct clab_deadlock *d, void *arg);
	void *arg;
};

/* Start the watchdog for the open trace.  CLAB_EBUSY if one runs. */
int clab_watchdog_start(const struct clab_watchdog_opts *o);
/* Stop it (waits for its thread).  Safe if none runs. */
void clab_watchdog_stop(void);
/*
 * clab_deadlock_format - a report for people: why, then each thread, what
 * it waits on, where, and who holds it.  Returns the length needed.
 */
int clab_deadlock_format(const struct clab_deadlock *d, char *buf, size_t len);

/* The library's version, "MAJOR.MINOR.PATCH" (meson's project version). */
const char *clab_version(void);

#endif
