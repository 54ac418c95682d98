/*
 * pthread_mutex_*: each program mutex is a clab_mutex_t, made on its first
 * use (PTHREAD_MUTEX_INITIALIZER and its recursive and error-checking
 * forms) or by pthread_mutex_init.
 *
 * The program gets the errors the C library gives: EBUSY from trylock,
 * ETIMEDOUT from timedlock, EDEADLK when an error-checking mutex is
 * locked again by its owner, EPERM when a mutex it does not hold is
 * unlocked.  A default (normal) mutex locked again by its owner hangs, as
 * under the C library, after conclab records the misuse: the watchdog
 * then reports the thread waiting on "self-deadlock".
 */
#include <errno.h>
#include <sched.h>
#include <string.h>

#include "preload.h"

#define RET() __builtin_return_address(0)

/* The type a mutex made by an initializer has (glibc keeps it inside). */
static int static_type(const pthread_mutex_t *pm)
{
#ifdef __GLIBC__
	switch (pm->__data.__kind & 3) {
	case PTHREAD_MUTEX_RECURSIVE:
		return PTHREAD_MUTEX_RECURSIVE;
	case PTHREAD_MUTEX_ERRORCHECK:
		return PTHREAD_MUTEX_ERRORCHECK;
	}
#else
	(void)pm;
#endif
	return PTHREAD_MUTEX_NORMAL;
}

static int clab_type(int type)
{
	return type == PTHREAD_MUTEX_RECURSIVE	  ? CLAB_MUTEX_RECURSIVE
	       : type == PTHREAD_MUTEX_ERRORCHECK ? CLAB_MUTEX_ERRORCHECK
						  : CLAB_MUTEX_NORMAL;
}

/* Mark the program's mutex at pm as e's (clab__pl_mutex_tagged). */
static void tag(pthread_mutex_t *pm, struct clab__pl_obj *e)
{
#if defined(__GLIBC__) && (defined(__x86_64__) || defined(__aarch64__))
	pm->__data.__list.__next = (void *)e;
#else
	(void)pm;
	(void)e;
#endif
}

/* Make e's mutex (claimed) of the given pthread type. */
static int make(struct clab__pl_obj *e, pthread_mutex_t *pm, int type,
		const struct clab_site *site)
{
	char name[96];
	clab__pl_name(pm, "mutex", sizeof(pthread_mutex_t), name, sizeof(name));
	int r = clab__mutex_init(&e->u.m, name, clab_type(type), site);
	if (r) {
		clab__pl_obj_release(e);
		return r;
	}
	e->type = (unsigned char)type;
	tag(pm, e);
	clab__pl_obj_ready(e, CLAB__PL_MUTEX);
	return 0;
}

/* Whether e, a READY entry, no longer stands for the mutex at key. */
static int stale(const void *key, const struct clab__pl_obj *e)
{
	return e->kind == CLAB__PL_MUTEX && !clab__pl_mutex_tagged(key);
}

struct clab__pl_obj *clab__pl_mutex_make(pthread_mutex_t *pm,
					 const struct clab_site *site)
{
	if (clab__pl_mutex_shared(pm))
		return NULL;
	struct clab__pl_obj *e = clab__pl_obj_find(pm, 1);
	if (!e)
		return NULL;
	int made = 1;
	if (atomic_load_explicit(&e->state, memory_order_acquire) ==
		CLAB__PL_READY &&
	    stale(pm, e))
		/* its memory made a mutex again: the old one is gone */
		e = clab__pl_obj_again(pm, site, stale, &made);
	else
		made = clab__pl_obj_claim(e, CLAB__PL_MUTEX, site);
	if (e && made && make(e, pm, static_type(pm), site) != 0)
		return NULL;
	return e;
}

int clab__pl_self_deadlock(uint32_t ms, const struct clab_site *site)
{
	static clab_latch_t never;
	static _Atomic int made; /* 0, 1 being made, 2 made */
	int z = 0;
	if (atomic_compare_exchange_strong(&made, &z, 1)) {
		clab__latch_init(&never, "self-deadlock", site);
		atomic_store(&made, 2);
	}
	while (atomic_load(&made) != 2)
		sched_yield();
	while (clab__latch_wait(&never, ms, site) == 0)
		;
	return ETIMEDOUT;
}

int clab__pl_mutex_init_at(pthread_mutex_t *pm, const pthread_mutexattr_t *attr,
			   const void *at)
{
	int r = CLAB__PL_REAL(mutex_init)(pm, attr);
	if (r || !clab__pl_enter())
		return r;
	const struct clab_site *site = clab__pl_site(at);
	int type = PTHREAD_MUTEX_NORMAL, shared = PTHREAD_PROCESS_PRIVATE;
	if (attr) {
		pthread_mutexattr_gettype(attr, &type);
		pthread_mutexattr_getpshared(attr, &shared);
	}
	struct clab__pl_obj *e = clab__pl_obj_init(pm, site);
	if (!e) {
		r = ENOMEM;
	} else if (clab__pl_mutex_shared(pm)) {
		/* glibc marks a robust mutex so too: the kernel wakes it */
		clab__pl_obj_release(e); /* the C library's, from now on */
		clab__pl_shared_used(shared == PTHREAD_PROCESS_SHARED
					 ? "process-shared mutex"
					 : "robust mutex",
				     site);
	} else {
		r = -make(e, pm, type, site);
	}
	clab__pl_leave();
	return r;
}

int pthread_mutex_init(pthread_mutex_t *pm, const pthread_mutexattr_t *attr)
{
	int r = clab__pl_mutex_init_at(pm, attr, RET());
	CLAB__PL_KEEP_FRAME();
	return r;
}

/*
 * Why a mutex that the library has no object for cannot be destroyed: 0
 * when its bytes are what an initializer writes (one never used), else
 * CLAB_BADOBJ_DESTROYED (the C library marks a destroyed one) or
 * CLAB_BADOBJ_UNINIT (anything else: never initialised).
 */
static unsigned unmade(const pthread_mutex_t *pm)
{
#ifdef __GLIBC__
	pthread_mutex_t zero;
	memset(&zero, 0, sizeof(zero));
	zero.__data.__kind = pm->__data.__kind;
	/* the type, robust, protocol, shared, elision and ceiling bits */
	if (pm->__data.__kind >= 0 && (pm->__data.__kind & ~0x00fff3f3) == 0 &&
	    memcmp(pm, &zero, sizeof(zero)) == 0)
		return 0;
	return pm->__data.__kind == -1 ? CLAB_BADOBJ_DESTROYED
				       : CLAB_BADOBJ_UNINIT;
#else
	(void)pm;
	return 0;
#endif
}

int clab__pl_mutex_destroy_at(pthread_mutex_t *pm, const void *at)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(mutex_destroy)(pm);
	const struct clab_site *site = clab__pl_site(at);
	struct clab__pl_obj *e = clab__pl_obj_find(pm, 0);
	int r = 0;
	unsigned why;
	if (e && atomic_load(&e->state) == CLAB__PL_READY &&
	    e->kind == CLAB__PL_MUTEX) {
		r = -clab__mutex_destroy(&e->u.m, site);
		if (r == 0)
			clab__pl_obj_release(e);
	} else if (!clab__pl_mutex_shared(pm) && (why = unmade(pm)) != 0) {
		/* the C library returns 0: the misuse is only recorded */
		clab__diag(clab__self(), CLAB_D_BAD_OBJECT, 0,
			   why | CLAB_O_MUTEX << 8, site);
	}
	if (r == 0)
		r = CLAB__PL_REAL(mutex_destroy)(pm);
	clab__pl_leave();
	return r;
}

int pthread_mutex_destroy(pthread_mutex_t *pm)
{
	int r = clab__pl_mutex_destroy_at(pm, RET());
	CLAB__PL_KEEP_FRAME();
	return r;
}

/*
 * The lock, try and unlock themselves, with the call's return address at:
 * inlined into the exported functions, which pass their own (the
 * commonest calls of a traced program pay no call more), and into the
 * clab__pl_*_at ones, which pass their caller's (c11.c).
 */
static inline __attribute__((always_inline)) int lock_at(pthread_mutex_t *pm,
							 const void *at)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(mutex_lock)(pm);
	const struct clab_site *site = clab__pl_site(at);
	struct clab__pl_obj *e = clab__pl_mutex_of(pm, site);
	int r;
	if (__builtin_expect(e != NULL, 1)) {
		r = -clab__mutex_lock(&e->u.m, CLAB_FOREVER, site);
		if (r == EDEADLK && e->type == PTHREAD_MUTEX_NORMAL)
			r = clab__pl_self_deadlock(CLAB_FOREVER, site);
	} else if (clab__pl_mutex_shared(pm)) {
		clab__pl_leave(); /* process-shared: see clab__pl_shared_used */
		return CLAB__PL_REAL(mutex_lock)(pm);
	} else {
		r = ENOMEM;
	}
	clab__pl_leave();
	return r;
}

int pthread_mutex_lock(pthread_mutex_t *pm)
{
	return lock_at(pm, RET());
}

int clab__pl_mutex_lock_at(pthread_mutex_t *pm, const void *at)
{
	return lock_at(pm, at);
}

static inline __attribute__((always_inline)) int trylock_at(pthread_mutex_t *pm,
							    const void *at)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(mutex_trylock)(pm);
	const struct clab_site *site = clab__pl_site(at);
	struct clab__pl_obj *e = clab__pl_mutex_of(pm, site);
	int r = ENOMEM;
	/* the owner's try of a mutex it cannot take again: only busy */
	if (e && e->type != PTHREAD_MUTEX_RECURSIVE && clab_mutex_held(&e->u.m))
		r = EBUSY;
	else if (e)
		r = -clab__mutex_lock(&e->u.m, 0, site);
	else if (clab__pl_mutex_shared(pm))
		r = CLAB__PL_REAL(mutex_trylock)(pm);
	clab__pl_leave();
	return r;
}

int pthread_mutex_trylock(pthread_mutex_t *pm)
{
	return trylock_at(pm, RET());
}

int clab__pl_mutex_trylock_at(pthread_mutex_t *pm, const void *at)
{
	return trylock_at(pm, at);
}

/* A lock until abs on clock (the timed and clock forms), at site. */
static int timed(pthread_mutex_t *pm, clockid_t clock,
		 const struct timespec *abs, const struct clab_site *site)
{
	struct clab__pl_obj *e = clab__pl_mutex_of(pm, site);
	long long ms = clab__pl_ms_until(clock, abs);
	if (!e && clab__pl_mutex_shared(pm)) {
		clab__pl_leave();
		return clock == CLOCK_REALTIME
			   ? CLAB__PL_REAL(mutex_timedlock)(pm, abs)
			   : CLAB__PL_REAL(mutex_clocklock)(pm, clock, abs);
	}
	if (!e)
		return ENOMEM;
	if (ms < 0 && (clock == CLOCK_REALTIME || clock == CLOCK_MONOTONIC)) {
		/*
		 * A time out of range: the C library looks at it only when
		 * it would wait, so a free mutex is taken (POSIX allows
		 * both); one it would wait for gets EINVAL.
		 */
		int t = -clab__mutex_lock(&e->u.m, 0, site);
		return t == EBUSY ? EINVAL : t;
	}
	if (ms < 0)
		return EINVAL;
	int r = -clab__mutex_lock(&e->u.m, (uint32_t)ms, site);
	if (r == EBUSY) /* a time already past: tried once */
		r = ETIMEDOUT;
	if (r == EDEADLK && e->type == PTHREAD_MUTEX_NORMAL)
		r = clab__pl_self_deadlock((uint32_t)ms, site);
	return r;
}

int clab__pl_mutex_timedlock_at(pthread_mutex_t *pm, const struct timespec *abs,
				const void *at)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(mutex_timedlock)(pm, abs);
	int r = timed(pm, CLOCK_REALTIME, abs, clab__pl_site(at));
	clab__pl_leave();
	return r;
}

int pthread_mutex_timedlock(pthread_mutex_t *pm, const struct timespec *abs)
{
	int r = clab__pl_mutex_timedlock_at(pm, abs, RET());
	CLAB__PL_KEEP_FRAME();
	return r;
}

int pthread_mutex_clocklock(pthread_mutex_t *pm, clockid_t clock,
			    const struct timespec *abs);
int pthread_mutex_clocklock(pthread_mutex_t *pm, clockid_t clock,
			    const struct timespec *abs)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(mutex_clocklock)(pm, clock, abs);
	int r = timed(pm, clock, abs, clab__pl_site(RET()));
	clab__pl_leave();
	return r;
}

static inline __attribute__((always_inline)) int unlock_at(pthread_mutex_t *pm,
							   const void *at)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(mutex_unlock)(pm);
	const struct clab_site *site = clab__pl_site(at);
	struct clab__pl_obj *e = clab__pl_mutex_of(pm, site);
	int r;
	if (__builtin_expect(e != NULL, 1))
		r = -clab__mutex_unlock(&e->u.m, site);
	else
		r = clab__pl_mutex_shared(pm) ? CLAB__PL_REAL(mutex_unlock)(pm)
					      : ENOMEM;
	clab__pl_leave();
	return r;
}

int pthread_mutex_unlock(pthread_mutex_t *pm)
{
	return unlock_at(pm, RET());
}

int clab__pl_mutex_unlock_at(pthread_mutex_t *pm, const void *at)
{
	return unlock_at(pm, at);
}
