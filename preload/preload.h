/*
 * The preload library (libconclab-preload.so): what its files share.
 *
 * Loaded with LD_PRELOAD into an unmodified pthread program by `conclab
 * trace`, it defines pthread_mutex_*, pthread_cond_*, sem_*,
 * pthread_barrier_*, pthread_rwlock_*, pthread_spin_* and
 * pthread_create/join/detach/exit,
 * and runs each on
 * a conclab primitive of its own (clab_mutex_t and friends), found by the
 * program's object's address: the C library's objects are never used for
 * the program's synchronisation, and conclab records, blocks and wakes.
 *
 * The runtime calls some of the same functions for itself (its registry
 * lock, its writer and watchdog threads): a per-thread guard, set while
 * conclab code runs and for the whole life of conclab's own threads,
 * sends those calls to the C library's functions.
 */
#ifndef CONCLAB_PRELOAD_H
#define CONCLAB_PRELOAD_H

#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/types.h>
#include <stdatomic.h>
#include <threads.h>
#include <time.h>

#include "rt.h"

/* The C library's functions, resolved by the constructor. */
struct clab__pl_real {
	int (*mutex_init)(pthread_mutex_t *, const pthread_mutexattr_t *);
	int (*mutex_destroy)(pthread_mutex_t *);
	int (*mutex_lock)(pthread_mutex_t *);
	int (*mutex_trylock)(pthread_mutex_t *);
	int (*mutex_timedlock)(pthread_mutex_t *, const struct timespec *);
	int (*mutex_clocklock)(pthread_mutex_t *, clockid_t,
			       const struct timespec *);
	int (*mutex_unlock)(pthread_mutex_t *);
	int (*cond_init)(pthread_cond_t *, const pthread_condattr_t *);
	int (*cond_destroy)(pthread_cond_t *);
	int (*cond_wait)(pthread_cond_t *, pthread_mutex_t *);
	int (*cond_timedwait)(pthread_cond_t *, pthread_mutex_t *,
			      const struct timespec *);
	int (*cond_clockwait)(pthread_cond_t *, pthread_mutex_t *, clockid_t,
			      const struct timespec *);
	int (*cond_signal)(pthread_cond_t *);
	int (*cond_broadcast)(pthread_cond_t *);
	int (*sem_init)(sem_t *, int, unsigned);
	int (*sem_destroy)(sem_t *);
	int (*sem_wait)(sem_t *);
	int (*sem_trywait)(sem_t *);
	int (*sem_timedwait)(sem_t *, const struct timespec *);
	int (*sem_clockwait)(sem_t *, clockid_t, const struct timespec *);
	int (*sem_post)(sem_t *);
	int (*sem_getvalue)(sem_t *, int *);
	int (*barrier_init)(pthread_barrier_t *, const pthread_barrierattr_t *,
			    unsigned);
	int (*barrier_destroy)(pthread_barrier_t *);
	int (*barrier_wait)(pthread_barrier_t *);
	int (*rwlock_init)(pthread_rwlock_t *, const pthread_rwlockattr_t *);
	int (*rwlock_destroy)(pthread_rwlock_t *);
	int (*rwlock_rdlock)(pthread_rwlock_t *);
	int (*rwlock_wrlock)(pthread_rwlock_t *);
	int (*rwlock_tryrdlock)(pthread_rwlock_t *);
	int (*rwlock_trywrlock)(pthread_rwlock_t *);
	int (*rwlock_timedrdlock)(pthread_rwlock_t *, const struct timespec *);
	int (*rwlock_timedwrlock)(pthread_rwlock_t *, const struct timespec *);
	int (*rwlock_clockrdlock)(pthread_rwlock_t *, clockid_t,
				  const struct timespec *);
	int (*rwlock_clockwrlock)(pthread_rwlock_t *, clockid_t,
				  const struct timespec *);
	int (*rwlock_unlock)(pthread_rwlock_t *);
	int (*spin_init)(pthread_spinlock_t *, int);
	int (*spin_destroy)(pthread_spinlock_t *);
	int (*spin_lock)(pthread_spinlock_t *);
	int (*spin_trylock)(pthread_spinlock_t *);
	int (*spin_unlock)(pthread_spinlock_t *);
	int (*create)(pthread_t *, const pthread_attr_t *, void *(*)(void *),
		      void *);
	int (*join)(pthread_t, void **);
	int (*tryjoin)(pthread_t, void **);
	int (*timedjoin)(pthread_t, void **, const struct timespec *);
	int (*clockjoin)(pthread_t, void **, clockid_t,
			 const struct timespec *);
	int (*detach)(pthread_t);
	void (*exit)(void *) __attribute__((noreturn));
	int (*cancel)(pthread_t);
	int (*setname)(pthread_t, const char *);
	int (*key_create)(pthread_key_t *, void (*)(void *));
	int (*key_delete)(pthread_key_t);
	int (*tss_create)(tss_t *, tss_dtor_t);
	/* glibc's (GLIBC_PRIVATE, since 2.18): a thread's thread_local
	 * destructors, run now (thread.c); NULL without it */
	void (*call_tls_dtors)(void);
	int (*prctl)(int, unsigned long, unsigned long, unsigned long,
		     unsigned long);
	sem_t *(*sem_open)(const char *, int, ...);
	int (*sem_close)(sem_t *);
	int (*execve)(const char *, char *const[], char *const[]);
	int (*execv)(const char *, char *const[]);
	int (*execvp)(const char *, char *const[]);
	int (*execvpe)(const char *, char *const[], char *const[]);
	int (*fexecve)(int, char *const[], char *const[]);
	pid_t (*fork)(void);
	void (*exit_now)(int); /* _exit */
	int (*posix_spawn)(pid_t *, const char *,
			   const posix_spawn_file_actions_t *,
			   const posix_spawnattr_t *, char *const[],
			   char *const[]);
	int (*posix_spawnp)(pid_t *, const char *,
			    const posix_spawn_file_actions_t *,
			    const posix_spawnattr_t *, char *const[],
			    char *const[]);
	int (*system)(const char *);
	FILE *(*popen)(const char *, const char *);
	unsigned int (*sleep)(unsigned int);
	int (*usleep)(useconds_t);
	int (*nanosleep)(const struct timespec *, struct timespec *);
	int (*clock_nanosleep)(clockid_t, int, const struct timespec *,
			       struct timespec *);
	int (*sched_yield)(void);
	int (*close)(int);
	int (*close_range)(unsigned int, unsigned int, int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
	int (*sigaction)(int, const struct sigaction *, struct sigaction *);
	sighandler_t (*signal)(int, sighandler_t);
	sighandler_t (*sysv_signal)(int, sighandler_t);
	sighandler_t (*sigset)(int, sighandler_t);
};
extern struct clab__pl_real clab__pl_real;

/*
 * The C library's f.  The constructor resolved it, unless this call comes
 * before the constructor ran (from another library's constructor): then
 * it is resolved now, rather than called through a null pointer.
 */
#define CLAB__PL_REAL(f)                                                       \
	(__builtin_expect(clab__pl_real.f != NULL, 1)                          \
	     ? clab__pl_real.f                                                 \
	     : (clab__pl_resolve(), clab__pl_real.f))

/*
 * clab__pl_on - whether the program's calls go to conclab's objects: from
 * the open of the trace, and on after its end (clab__pl_ended) while the
 * program's threads still run, recorded nowhere: a mutex taken through
 * conclab and given back through the C library would break (glibc aborts
 * on its `__owner == 0` assertion).  Off in a child that is not traced,
 * and at the end under the controlled scheduler, where no other thread
 * runs.  clab__pl_ended - set once, when the trace is closed for good
 * (clab__pl_end) or by the watchdog.
 */
extern _Atomic int clab__pl_on;
extern _Atomic int clab__pl_ended;
/* Set while conclab's code runs in this thread (see above). */
extern _Thread_local int clab__pl_guard;

/*
 * clab__pl_end - close the trace whole, once: the thread that ends the
 * process (or replaces it with exec) has its held locks recorded, the
 * watchdog stops and the trace is written out; calls made afterwards go
 * to the C library.  Exits 5 if the trace cannot be written.  Does nothing
 * in another process than the one that opened the trace (a child of
 * vfork, which shares its memory).
 */
void clab__pl_end(void);

/*
 * clab__pl_exec - before an exec of what: clab__pl_end, with what in the
 * trace's metadata (process.exec) first.
 */
void clab__pl_exec(const char *what);
/*
 * clab__pl_untraced - the process starts what, which is not traced (a
 * child of vfork execs it, or posix_spawn, system or popen runs it):
 * counted, and the first named in the trace's metadata at its close.
 */
void clab__pl_untraced(const char *what);
/*
 * Process-shared objects (made with a PTHREAD_PROCESS_SHARED attribute, or
 * sem_init's pshared) may be used by another process, which has conclab
 * objects of its own or none: conclab's object, the process's own, would
 * not exclude that process.  Such objects stay the C library's, and are
 * not recorded, as are robust mutexes (see clab__pl_mutex_shared); their calls
 * go to it with the guard cleared (clab__pl_leave), as if this library were not
 * there, so that a signal handler that runs in a long wait, or a cancellation's
 * cleanup handlers, are recorded as the program's.  clab__pl_shared_used - the
 * process made one of kind what at site: counted, and the first named in the
 * trace's metadata at its close (process.shared).
 */
void clab__pl_shared_used(const char *what, const struct clab_site *site);

/*
 * Whether the program's object is process-shared, from the bytes the C
 * library keeps in it (glibc: a mutex's kind has PTHREAD_MUTEX_PSHARED_BIT,
 * 128, which a robust mutex has too, and stays the C library's for it to
 * tell the next locker of its owner's death, EOWNERDEAD; a condition's
 * wrefs bit 0; a read-write lock's shared field): also right in a process
 * that did not make it (one that maps the memory).
 */
static inline int clab__pl_mutex_shared(const pthread_mutex_t *pm)
{
#ifdef __GLIBC__
	int kind = __atomic_load_n(&pm->__data.__kind, __ATOMIC_RELAXED);
	return kind >= 0 && (kind & 128);
#else
	(void)pm;
	return 0;
#endif
}

static inline int clab__pl_cond_shared(const pthread_cond_t *pc)
{
#ifdef __GLIBC__
	return __atomic_load_n(&pc->__data.__wrefs, __ATOMIC_RELAXED) & 1;
#else
	(void)pc;
	return 0;
#endif
}

static inline int clab__pl_rwlock_shared(const pthread_rwlock_t *rw)
{
#ifdef __GLIBC__
	return __atomic_load_n(&rw->__data.__shared, __ATOMIC_RELAXED) != 0;
#else
	(void)rw;
	return 0;
#endif
}

/*
 * clab__pl_exit_now - before _exit or _Exit: clab__pl_end, unless the call
 * comes from a signal handler that interrupted conclab's own code on this
 * thread, which may hold the locks a close takes: then the writer saves
 * what was recorded (as after a crash), waiting at most a second for it.
 */
void clab__pl_exit_now(void);

/*
 * The program's calls as the exported functions make them, with the
 * return address at that names the call's site: for the C11 threads of
 * <threads.h> (c11.c), whose functions stand for these and whose caller
 * is the program.  Same results as the pthread function of the name.
 */
int clab__pl_mutex_init_at(pthread_mutex_t *pm, const pthread_mutexattr_t *attr,
			   const void *at);
int clab__pl_mutex_destroy_at(pthread_mutex_t *pm, const void *at);
int clab__pl_mutex_lock_at(pthread_mutex_t *pm, const void *at);
int clab__pl_mutex_trylock_at(pthread_mutex_t *pm, const void *at);
int clab__pl_mutex_timedlock_at(pthread_mutex_t *pm, const struct timespec *abs,
				const void *at);
int clab__pl_mutex_unlock_at(pthread_mutex_t *pm, const void *at);
int clab__pl_cond_init_at(pthread_cond_t *pc, const pthread_condattr_t *attr,
			  const void *at);
int clab__pl_cond_destroy_at(pthread_cond_t *pc, const void *at);
int clab__pl_cond_wait_at(pthread_cond_t *pc, pthread_mutex_t *pm,
			  const void *at);
int clab__pl_cond_timedwait_at(pthread_cond_t *pc, pthread_mutex_t *pm,
			       const struct timespec *abs, const void *at);
int clab__pl_cond_signal_at(pthread_cond_t *pc, const void *at);
int clab__pl_cond_broadcast_at(pthread_cond_t *pc, const void *at);
int clab__pl_create_at(pthread_t *out, const pthread_attr_t *attr,
		       void *(*fn)(void *), void *arg, const void *at);
int clab__pl_join_at(pthread_t pt, void **ret, const void *at);
int clab__pl_detach_at(pthread_t pt, const void *at);
int clab__pl_nanosleep_at(const struct timespec *d, struct timespec *rem,
			  const void *at);
int clab__pl_yield_at(const void *at);
/*
 * After an exported function's call of a clab__pl_*_at: the function stays
 * on the stack (no tail call), so that a call stack shows the function
 * the program called, not the one it went on to (tracer/symbols.c keeps
 * the last of the library's frames at a stack's top).
 */
#define CLAB__PL_KEEP_FRAME() __asm__ volatile("" ::: "memory")

/*
 * Around a conclab wait that is one of the C library's cancellation points
 * (pthread_cond_wait, sem_wait, pthread_join and their timed forms):
 * clab__pl_cancel_begin lets the thread's pthread_cancel end it (when the
 * thread's cancellation is enabled: clab__thread_interrupt), and gives the
 * thread; clab__pl_cancel_end, after it, with whether it ended so
 * (CLAB_ECANCELED), acts on the cancellation (pthread_testcancel: the
 * program's cleanup handlers run and the thread ends), and returns 1 when
 * none was pending after all: the wait is made again.
 */
/*
 * clab__pl_key_made - key of the program's thread-specific data has
 * destructor dtor from now on (NULL: none, or deleted); conclab's own keys,
 * made with the guard set, are left out.  A thread's destructors run
 * before its end is recorded (thread.c).
 */
void clab__pl_key_made(unsigned key, void (*dtor)(void *));

struct clab__thr *clab__pl_cancel_begin(void);
int clab__pl_cancel_end(struct clab__thr *self, int cancelled);

/*
 * pthread_testcancel at one of the library's own cancellation points.
 * Acting on a cancellation leaves the library's frames by the C library's
 * own longjmp, which AddressSanitizer does not see: their redzones would
 * stay poisoned, and the next instrumented call made below them (the
 * cleanup code's) would be reported as an overflow.  Under AddressSanitizer
 * the stack above the call is unpoisoned first when self has a
 * cancellation requested, as it does for a longjmp it sees.
 */
void clab__pl_testcancel(struct clab__thr *self);

/* The number in environment variable name, def when unset or not one. */
long clab__pl_env_long(const char *name, long def);

/*
 * The controlled scheduler (sched.c).  clab__pl_sched_read - its options
 * from the environment (CONCLAB_TRACE_SCHED and the others), which it
 * removes; mode gets the mode's name as given.  Returns 0, or CLAB_EINVAL
 * for a mode it does not know.  clab__pl_sched_start - start it (nothing
 * for CLAB_SCHED_OS) once the trace is open with virtual time and the
 * watchdog runs; returns clab_sched_start's result.
 * clab__pl_sched_save - the schedule so far into the trace's metadata
 * (sched.schedule, sched.options, sched.steps), before it is closed; the
 * threads stay as they are.  clab__pl_sched_controlled - whether the
 * program's threads run under control, one at a time.
 */
int clab__pl_sched_read(struct clab_sched_opts *o, char *mode, size_t len);
int clab__pl_sched_start(const struct clab_sched_opts *o);
void clab__pl_sched_save(void);
int clab__pl_sched_controlled(void);

/*
 * The watchdog's look at a named semaphore's wait (clab__sem_ext_look,
 * which the constructor sets to it): sem.c.
 */
int clab__pl_sem_ext_look(const clab_sem_t *s, struct clab__ext_look *x);

/* Resolve the C library's functions (once; the constructor calls it). */
void clab__pl_resolve(void);

/*
 * clab__pl_enter - whether this call is the program's, to record: the
 * library is on and the thread is not inside conclab.  It then sets the
 * guard, which clab__pl_leave clears.
 */
static inline int clab__pl_enter(void)
{
	if (__builtin_expect(
		!atomic_load_explicit(&clab__pl_on, memory_order_relaxed) ||
		    clab__pl_guard,
		0))
		return 0;
	clab__pl_guard = 1;
	return 1;
}

/*
 * Posts that a signal handler made (sem_post) while this thread ran
 * conclab's code, left for later (preload/sem.c): clab__pl_posts_made
 * makes them, and clears the flag.  A call makes them as it leaves, and
 * a park before it sleeps (clab__deferred_hook).
 */
extern _Thread_local volatile int clab__pl_posts_left
    __attribute__((tls_model("initial-exec")));
void clab__pl_posts_made(void);
void clab__pl_leave_posts(void);

/*
 * The guard off.  A handler's post left before is made then: one left
 * after the guard is off cannot be (such a handler posts at once), so the
 * flag is read once, after.
 */
static inline void clab__pl_leave(void)
{
	clab__pl_guard = 0;
	atomic_signal_fence(memory_order_seq_cst);
	if (__builtin_expect(clab__pl_posts_left, 0))
		clab__pl_leave_posts();
}

/* The guard back to what it was (0: clab__pl_leave). */
static inline void clab__pl_guard_to(int guard)
{
	if (guard)
		clab__pl_guard = guard;
	else
		clab__pl_leave();
}

/*
 * The sites made so far, by return address (site.c): open addressing,
 * read without a lock, added to under one; never removed.  A slot holds
 * its site itself, so that a hit is one load of its pc and no pointer to
 * follow; the pc (0: a free slot) is published after the site.
 */
#define CLAB__PL_SITES (1u << 16)
struct clab__pl_psite {
	_Atomic uintptr_t pc;
	struct clab_site site;
};
extern struct clab__pl_psite clab__pl_sites[CLAB__PL_SITES];

static inline size_t clab__pl_site_slot(uintptr_t pc)
{
	return (size_t)((pc * 0x9e3779b97f4a7c15ull) >> 32) &
	       (CLAB__PL_SITES - 1);
}

/*
 * clab__pl_site's miss in the first slot: the rest of the probe, and when
 * pc is not there, its site symbolised and added.
 */
const struct clab_site *clab__pl_site_miss(uintptr_t pc);

/*
 * The site of a call into the library, from its return address: the
 * function, file and line of the caller, from its debug information
 * (or the symbol and module without it).  Symbolised once per address;
 * a hit in its first slot is one load and one compare, no lock.
 */
static inline const struct clab_site *clab__pl_site(const void *ret)
{
	uintptr_t pc = (uintptr_t)ret;
	struct clab__pl_psite *p = &clab__pl_sites[clab__pl_site_slot(pc)];
	if (__builtin_expect(
		atomic_load_explicit(&p->pc, memory_order_acquire) == pc &&
		    pc != 0,
		1))
		return &p->site;
	return clab__pl_site_miss(pc);
}

/*
 * A name for the program's object at addr (of size bytes), written into
 * buf: its symbol for a global ("forks[2]" in an array of such objects,
 * "table+24" in a structure), else the kind and the address.
 */
void clab__pl_name(const void *addr, const char *kind, size_t size, char *buf,
		   size_t len);

/*
 * How the runtime starts the thread of a clab_thread_create
 * (clab__pthread_create), set by the constructor: see thread.c.
 */
int clab__pl_runtime_create(pthread_t *out, const pthread_attr_t *attr,
			    void *(*fn)(void *), void *arg);

/* ---- the program's objects, by address (objmap.c) ---- */
enum {
	CLAB__PL_MUTEX = 1,
	CLAB__PL_COND,
	CLAB__PL_SEM,
	CLAB__PL_BARRIER,
	CLAB__PL_SPIN, /* a spin lock, as a clab_mutex_t */
	CLAB__PL_RWLOCK,
};

/* An entry's state: the conclab object exists only while READY. */
enum { CLAB__PL_NONE = 0, CLAB__PL_BUSY, CLAB__PL_READY };

struct clab__pl_obj {
	const void *key;    /* the program's object */
	_Atomic int state;  /* CLAB__PL_* */
	unsigned kind;	    /* CLAB__PL_MUTEX... while READY */
	clockid_t clock;    /* a condition's clock for timed waits */
	unsigned char type; /* a mutex's enum clab_mutex_type */
	/*
	 * The C library's object: NONE, a process-shared spin lock (spin.c);
	 * READY, a named semaphore whose count it keeps (sem.c).  Cleared
	 * when the entry is claimed for a new object.
	 */
	unsigned char shared;
	_Atomic unsigned opens; /* a named semaphore's opens not closed */
	/*
	 * A named semaphore's file, for the watchdog (sem.c ext_look): its
	 * device and inode as /proc/PID/maps gives them, and its path.
	 */
	uint64_t fdev, fino;
	char *fpath;
	struct clab__pl_obj *replaced; /* the entry this one took over (kept) */
	union {
		clab_mutex_t m;
		clab_cond_t c;
		clab_sem_t s;
		clab_barrier_t b;
		clab_rwlock_t rw;
	} u;
};

/*
 * The table of entries by the program's object's address (objmap.c): open
 * addressing, read without a lock.  A full table is copied into one twice
 * its size and published; the old ones stay (a reader may be in them).
 */
struct clab__pl_table {
	size_t cap; /* a power of two */
	size_t n;
	struct clab__pl_table *older;
	struct clab__pl_obj *_Atomic slot[];
};
extern struct clab__pl_table *_Atomic clab__pl_objs;

static inline size_t clab__pl_hash(const void *key, size_t cap)
{
	uint64_t x = (uint64_t)(uintptr_t)key;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return (size_t)x & (cap - 1);
}

/* The entry of key in t (NULL: none), without a lock. */
static inline struct clab__pl_obj *clab__pl_probe(struct clab__pl_table *t,
						  const void *key)
{
	if (!t)
		return NULL;
	for (size_t i = clab__pl_hash(key, t->cap);;
	     i = (i + 1) & (t->cap - 1)) {
		struct clab__pl_obj *e =
		    atomic_load_explicit(&t->slot[i], memory_order_acquire);
		if (!e || e->key == key)
			return e;
	}
}

/* clab__pl_obj_find's miss: look again under the lock, and add key. */
struct clab__pl_obj *clab__pl_obj_add(const void *key);

/*
 * clab__pl_obj_find - the entry of the program's object at key, or NULL
 * when it has none and !create (or memory is short).  Entries are never
 * freed: one destroyed goes back to NONE and serves the next object made
 * at its address.  A hit is a probe of the current table, no lock.
 */
static inline struct clab__pl_obj *clab__pl_obj_find(const void *key,
						     int create)
{
	struct clab__pl_obj *e = clab__pl_probe(
	    atomic_load_explicit(&clab__pl_objs, memory_order_acquire), key);
	if (__builtin_expect(e != NULL, 1) || !create)
		return e;
	return clab__pl_obj_add(key);
}

/*
 * Each thread's memo of the mutexes it used (clab__pl_mutex_ready): the
 * entry of a key without a look in the table, direct-mapped by the key.
 * A memo is good while clab__pl_moved holds what it held before the memo
 * was made: that count goes up whenever an entry may stop standing for the
 * object a memo says (clab__pl_obj_claim, clab__pl_obj_init,
 * clab__pl_obj_release), after the entry's state or the table changed, so
 * that a thread that reads the new count sees the change.
 */
#define CLAB__PL_MEMO_BITS 6
struct clab__pl_memo {
	const void *key;
	struct clab__pl_obj *e;
	unsigned long moved;
};
extern _Thread_local struct clab__pl_memo
    clab__pl_memo[1u << CLAB__PL_MEMO_BITS]
    __attribute__((tls_model("initial-exec")));
extern _Atomic unsigned long clab__pl_moved;

/* Fibonacci hashing: the top bits of key times 2^64 / phi. */
static inline struct clab__pl_memo *clab__pl_memo_of(const void *key)
{
	return &clab__pl_memo[((uint64_t)(uintptr_t)key *
			       0x9e3779b97f4a7c15ull) >>
			      (64 - CLAB__PL_MEMO_BITS)];
}

/*
 * clab__pl_fork_child - in a child that goes on with the C library's
 * functions (forked past this library's fork, or whose trace could not
 * be created): give the program's objects the state conclab's had
 * (fork.c).
 */
void clab__pl_fork_child(void);
/*
 * clab__pl_atfork_libc - child, run by the C library's fork in the child,
 * as pthread_atfork would have it, but registered with the C library
 * itself: the program's pthread_atfork handlers are the library's
 * (fork.c), and run only around its fork.
 */
int clab__pl_atfork_libc(void (*child)(void));
/*
 * The count of the program's threads (thread.c): set up by the
 * constructor, while the process has one thread; in a traced child of
 * fork, started again from the one thread the child has.
 */
void clab__pl_threads_init(void);
void clab__pl_threads_forked(void);

/*
 * The library's own locks, taken (on) before a fork so that no other
 * thread holds one in the child, and released (!on) after it, in both
 * processes: the map of objects, the sites, the map of threads.
 */
void clab__pl_objmap_lock(int on);
void clab__pl_site_lock(int on);
void clab__pl_tmap_lock(int on);

/*
 * clab__pl_forked - in a child forked through this library's fork, after
 * clab_fork: its own trace is where calls are recorded; without one, the
 * C library's functions take over, as clab__pl_fork_child says.
 */
void clab__pl_forked(void);

/* Call fn on every entry that holds an object (READY), in no order. */
void clab__pl_obj_each(void (*fn)(struct clab__pl_obj *));

/*
 * clab__pl_obj_claim - take e to BUSY to set it up as an object of kind on
 * its first use, then clab__pl_obj_ready() publishes it.  Returns 1 if
 * this thread claimed it, 0 when e is READY with that kind already (set up
 * by another thread, which this one waited for).  An object of another
 * kind that e held is destroyed (at site) when it can be, abandoned when
 * it is busy.
 */
int clab__pl_obj_claim(struct clab__pl_obj *e, unsigned kind,
		       const struct clab_site *site);
/*
 * clab__pl_obj_init - the entry for an explicit init of the program's
 * object at key, claimed (BUSY) for the caller to set up and publish; NULL
 * when memory is short.  What the entry held before is destroyed, or, when
 * it is a mutex held or a barrier waited at, recorded as a misuse
 * (bad-object, initialised-twice) and left to its holders, with a fresh
 * entry in its place.
 */
struct clab__pl_obj *clab__pl_obj_init(const void *key,
				       const struct clab_site *site);
/*
 * clab__pl_obj_again - clab__pl_obj_init for an object made again without
 * an init, its memory used again (a C++ object's std::mutex, a zeroed
 * struct), found so by stale(key, e): unless, once the entry is taken,
 * stale no longer holds (another thread made it first): then the entry is
 * left READY as it is, and *made is 0.
 */
struct clab__pl_obj *
clab__pl_obj_again(const void *key, const struct clab_site *site,
		   int (*stale)(const void *key, const struct clab__pl_obj *e),
		   int *made);
void clab__pl_obj_ready(struct clab__pl_obj *e, unsigned kind);
void clab__pl_obj_release(struct clab__pl_obj *e); /* back to NONE */
/*
 * clab__pl_fork_gate - before a fork (1): wait until no entry is being set
 * up, and hold back those about to be; after it, in the parent (0).
 * clab__pl_fork_gate_child() opens it in the child.
 */
void clab__pl_fork_gate(int on);
void clab__pl_fork_gate_child(void);

/*
 * clab__pl_mutex_of's slow path: make the mutex at pm on its first use;
 * NULL when memory is short or it is process-shared (the C library's).
 */
struct clab__pl_obj *clab__pl_mutex_make(pthread_mutex_t *pm,
					 const struct clab_site *site);

/* clab__pl_mutex_ready's miss: the table, and the memo if it is made. */
struct clab__pl_obj *clab__pl_mutex_lookup(const void *key,
					   unsigned long moved);

/*
 * clab__pl_mutex_ready - the entry of the program's mutex at key when it is
 * made (READY, a mutex), from the thread's memo, else from the table, and
 * then put in the memo; NULL when it is not made.  A hit in the memo is
 * two compares, no table and no state to read: the memo was made from a
 * READY mutex, and clab__pl_moved has not moved since.
 */
static inline struct clab__pl_obj *clab__pl_mutex_ready(const void *key)
{
	struct clab__pl_memo *m = clab__pl_memo_of(key);
	/* read before the table, so that a change after it spoils the memo */
	unsigned long moved =
	    atomic_load_explicit(&clab__pl_moved, memory_order_acquire);
	if (__builtin_expect(m->key == key && m->moved == moved, 1))
		return m->e;
	return clab__pl_mutex_lookup(key, moved);
}

/*
 * clab__pl_mutex_tagged - whether the program's mutex at pm still bears
 * the mark that it was made: its entry's address, in the word the C
 * library keeps a robust mutex's list in (a robust mutex is the C
 * library's, never an entry's), written when the mutex was made
 * (mutex.c).  Memory that held a mutex and is made a mutex again without
 * pthread_mutex_init (a C++ object's std::mutex, a zeroed struct, an
 * initializer assigned) has that word 0 again: its first lock makes a new
 * object, rather than going on with the old one (a false self-deadlock
 * when the new one is recursive, a false lock-order cycle between the
 * two).  Any other value is a mark: the one another process wrote is as
 * good (a mutex in memory a fork shares, each process with its entry).
 */
static inline int clab__pl_mutex_tagged(const pthread_mutex_t *pm)
{
#if defined(__GLIBC__) && (defined(__x86_64__) || defined(__aarch64__))
	return pm->__data.__list.__next != NULL;
#else
	(void)pm;
	return 1;
#endif
}

/*
 * clab__pl_mutex_of - the entry of the program's mutex at pm, made on its
 * first use (as a static initializer makes it), and made again when its
 * memory was (clab__pl_mutex_tagged); NULL when memory is short.
 */
static inline struct clab__pl_obj *
clab__pl_mutex_of(pthread_mutex_t *pm, const struct clab_site *site)
{
	struct clab__pl_obj *e = clab__pl_mutex_ready(pm);
	if (__builtin_expect(e != NULL && clab__pl_mutex_tagged(pm), 1))
		return e;
	return clab__pl_mutex_make(pm, site);
}

/*
 * A mutex (or spin lock) that the C library lets hang when its owner locks
 * it again: the thread waits on a latch nobody sets ("self-deadlock"),
 * where the watchdog sees it, for ms (a timed lock's time).  Returns
 * ETIMEDOUT when that time has passed.
 */
int clab__pl_self_deadlock(uint32_t ms, const struct clab_site *site);

/*
 * Milliseconds from now to abs on clock (0 if past), or -1 if abs is bad
 * or clock is neither CLOCK_REALTIME nor CLOCK_MONOTONIC (the clocks the
 * C library's clock forms take).
 */
long long clab__pl_ms_until(clockid_t clock, const struct timespec *abs);

#endif
