/*
 * fork: the runtime's clab_fork.  The parent's trace records the fork (an
 * annotation "fork" whose value is the child's pid, at the program's
 * call) and names the child's trace; the child records into a trace of
 * its own, STEM.PID.clt, on the same conclab objects, in the state they
 * had (a mutex another thread held stays held, as it does in a child of
 * the plain program).
 *
 * A child that cannot have its trace, or that was forked past this
 * library (the C library's own calls of fork, such as daemon()'s), goes
 * on with the C library's functions, which must then find the program's
 * objects in the state conclab's objects had: a mutex or spin lock held
 * at the fork is locked in the C library's object too (by the forking
 * thread: one held by another thread stays locked for good), and an
 * unnamed semaphore has the count conclab's had.
 *
 * The program's pthread_atfork handlers (glibc's pthread_atfork, linked
 * into the program, calls __register_atfork) are kept here, not in the C
 * library, and this fork runs them as the program's own calls: the
 * prepare handlers (last registered first) before conclab's fork takes its
 * locks, the parent's or the child's (first registered first) after it,
 * in the child once its trace is set up.  In the C library's fork they
 * would run inside conclab's, as conclab's own calls, on the C library's
 * objects: the textbook handlers that lock the program's mutexes around a
 * fork locked others than the program's threads use, and a child could
 * start with a mutex held by a thread it does not have.
 */
#include <dlfcn.h>
#include <errno.h>
#include <sys/types.h>
#include <unistd.h>

#include "preload.h"

#define RET() __builtin_return_address(0)

/* Labelled copies of the call sites of fork (few in any program). */
#define NFORK_SITES 64
static struct clab_site fork_sites[NFORK_SITES];
static const struct clab_site *fork_of[NFORK_SITES];
static clab__lock_t fork_lk;

/* The site of a fork call, with the label "fork"; NULL when too many. */
static const struct clab_site *fork_site(const struct clab_site *at)
{
	const struct clab_site *s = NULL;
	clab__lk_lock(&fork_lk);
	for (size_t i = 0; i < NFORK_SITES && !s; i++) {
		if (fork_of[i] == at) {
			s = &fork_sites[i];
		} else if (!fork_of[i]) {
			fork_sites[i] = *at;
			fork_sites[i].label = "fork";
			fork_of[i] = at;
			s = &fork_sites[i];
		}
	}
	clab__lk_unlock(&fork_lk);
	return s;
}

/* The site of a fork past NFORK_SITES of them. */
static const struct clab_site any_fork = {"?", "?", "fork", 0};

/* The library's locks, before a fork (1) and after it (0). */
static void own_locks(int on)
{
	if (on)
		clab__lk_lock(&fork_lk);
	clab__pl_objmap_lock(on);
	clab__pl_tmap_lock(on);
	clab__pl_site_lock(on);
	if (!on)
		clab__lk_drop(&fork_lk);
}

#define NATFORK 128
struct atfork {
	void (*prepare)(void), (*parent)(void), (*child)(void);
};
static struct atfork atforks[NATFORK];
static _Atomic unsigned natforks;
static clab__lock_t atfork_lk;

/* The C library's registration, for handlers it must run itself. */
static int libc_atfork(void (*prepare)(void), void (*parent)(void),
		       void (*child)(void), void *dso)
{
	static int (*real)(void (*)(void), void (*)(void), void (*)(void),
			   void *);
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "__register_atfork");
	return real ? real(prepare, parent, child, dso) : ENOMEM;
}

extern void *__dso_handle;

int clab__pl_atfork_libc(void (*child)(void))
{
	return libc_atfork(NULL, NULL, child, &__dso_handle);
}

int __register_atfork(void (*prepare)(void), void (*parent)(void),
		      void (*child)(void), void *dso);
int __register_atfork(void (*prepare)(void), void (*parent)(void),
		      void (*child)(void), void *dso)
{
	int r = 0;
	clab__lk_lock(&atfork_lk);
	unsigned n = atomic_load(&natforks);
	if (n < NATFORK) {
		atforks[n] = (struct atfork){prepare, parent, child};
		atomic_store(&natforks, n + 1);
	} else { /* past the table: the C library's, run inside its fork */
		r = libc_atfork(prepare, parent, child, dso);
	}
	clab__lk_unlock(&atfork_lk);
	return r;
}

/*
 * The handlers of one fork: how many there were at its start, and which
 * are still in memory (a library unloaded with dlclose takes its code
 * along; the C library forgets its handlers then), decided before the
 * fork, where dladdr may take the loader's lock.
 */
struct atfork_run {
	unsigned n;
	unsigned char live[NATFORK];
};

static void atfork_prepare(struct atfork_run *run)
{
	Dl_info di;
	run->n = atomic_load(&natforks);
	for (unsigned i = 0; i < run->n; i++) {
		const struct atfork *a = &atforks[i];
		void (*any)(void) = a->prepare	? a->prepare
				    : a->parent ? a->parent
						: a->child;
		run->live[i] = any && dladdr(*(void **)&any, &di) != 0;
	}
	for (unsigned i = run->n; i-- > 0;)
		if (run->live[i] && atforks[i].prepare)
			atforks[i].prepare();
}

static void atfork_after(const struct atfork_run *run, int child)
{
	for (unsigned i = 0; i < run->n; i++) {
		void (*fn)(void) = child ? atforks[i].child : atforks[i].parent;
		if (run->live[i] && fn)
			fn();
	}
}

/* The fork itself, once the prepare handlers ran. */
static pid_t fork_now(const void *ret)
{
	/* conclab's own calls (clab_fork's), and a library that is off */
	if (!clab__pl_enter())
		return CLAB__PL_REAL(fork)();
	const struct clab_site *s = fork_site(clab__pl_site(ret));
	/* no object half made by another thread (objmap.c) */
	clab__pl_fork_gate(1);
	own_locks(1);
	pid_t pid = clab__fork(s ? s : &any_fork);
	own_locks(0);
	if (pid == 0) {
		clab__pl_fork_gate_child();
		clab__pl_forked();
	} else {
		clab__pl_fork_gate(0);
	}
	clab__pl_leave();
	if (pid < 0) {
		errno = -pid;
		return -1;
	}
	return pid;
}

pid_t fork(void)
{
	/* conclab's own call of fork (clab__fork's): the handlers ran */
	if (clab__pl_guard)
		return CLAB__PL_REAL(fork)();
	struct atfork_run run;
	atfork_prepare(&run);
	pid_t pid = fork_now(RET());
	int err = errno;
	atfork_after(&run, pid == 0);
	errno = err;
	return pid;
}

/* One object's state, from conclab's to the C library's (see above). */
static void hand_over(struct clab__pl_obj *e)
{
	if ((e->kind == CLAB__PL_MUTEX || e->kind == CLAB__PL_SPIN) &&
	    atomic_load(&e->u.m.owner) == NULL)
		return;
	switch (e->kind) {
	case CLAB__PL_MUTEX:
		for (uint32_t i = 0; i < (e->u.m.depth ? e->u.m.depth : 1); i++)
			CLAB__PL_REAL(mutex_trylock)((pthread_mutex_t *)e->key);
		break;
	case CLAB__PL_SPIN:
		CLAB__PL_REAL(spin_trylock)((pthread_spinlock_t *)e->key);
		break;
	case CLAB__PL_SEM:
		/* a named one is shared with other processes: kept */
		if (atomic_load(&e->opens) == 0)
			CLAB__PL_REAL(sem_init)
		((sem_t *)e->key, 0, clab_sem_value(&e->u.s));
		break;
	}
}

void clab__pl_fork_child(void)
{
	clab__pl_obj_each(hand_over);
}
