/*
 * pthread_rwlock_*: each program rwlock is a clab_rwlock_t, made on its
 * first use (PTHREAD_RWLOCK_INITIALIZER and the writer-preferring
 * initializer) or by pthread_rwlock_init.
 *
 * The policy comes from the lock's kind: glibc's default prefers readers
 * (CLAB_RWLOCK_READERS), and so does PTHREAD_RWLOCK_PREFER_WRITER_NP,
 * which glibc treats as the default; PTHREAD_RWLOCK_PREFER_WRITER_
 * NONRECURSIVE_NP prefers writers (CLAB_RWLOCK_WRITERS).  The program gets the
 * errors the C library gives: EBUSY from the try forms, ETIMEDOUT from the
 * timed ones, EDEADLK when the writer asks again; a reader that asks to write
 * (an upgrade) waits, as under the C library, where the watchdog sees
 * it.  An unlock by a thread that holds nothing gets EPERM, and is
 * recorded.
 */
#include <errno.h>

#include "preload.h"

#define RET() __builtin_return_address(0)

/* The policy of a lock made by an initializer (glibc keeps it inside). */
static int static_policy(const pthread_rwlock_t *rw)
{
#ifdef __GLIBC__
	if (rw->__data.__flags == PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP)
		return CLAB_RWLOCK_WRITERS;
#else
	(void)rw;
#endif
	return CLAB_RWLOCK_READERS;
}

/* Make e's lock (claimed) with the given policy. */
static int make(struct clab__pl_obj *e, const void *rw, int policy,
		const struct clab_site *site)
{
	char name[96];
	clab__pl_name(rw, "rwlock", sizeof(pthread_rwlock_t), name,
		      sizeof(name));
	int r = clab__rwlock_init(&e->u.rw, name, policy, site);
	if (r) {
		clab__pl_obj_release(e);
		return r;
	}
	clab__pl_obj_ready(e, CLAB__PL_RWLOCK);
	return 0;
}

/* The entry of the program's lock, made on first use; NULL: no memory. */
static struct clab__pl_obj *rwlock_of(pthread_rwlock_t *rw,
				      const struct clab_site *site)
{
	struct clab__pl_obj *e = clab__pl_obj_find(rw, 1);
	if (!e)
		return NULL;
	if (__builtin_expect(
		atomic_load_explicit(&e->state, memory_order_acquire) ==
			CLAB__PL_READY &&
		    e->kind == CLAB__PL_RWLOCK,
		1))
		return e;
	if (clab__pl_obj_claim(e, CLAB__PL_RWLOCK, site) &&
	    make(e, rw, static_policy(rw), site) != 0)
		return NULL;
	return e;
}

int pthread_rwlock_init(pthread_rwlock_t *rw, const pthread_rwlockattr_t *attr)
{
	int r = CLAB__PL_REAL(rwlock_init)(rw, attr);
	if (r || !clab__pl_enter())
		return r;
	const struct clab_site *site = clab__pl_site(RET());
	int kind = PTHREAD_RWLOCK_PREFER_READER_NP;
#ifdef __GLIBC__
	if (attr)
		pthread_rwlockattr_getkind_np(attr, &kind);
#endif
	struct clab__pl_obj *e = clab__pl_obj_find(rw, 1);
	if (!e) {
		r = ENOMEM;
	} else if (clab__pl_rwlock_shared(rw)) {
		if (clab__pl_obj_claim(e, 0, site))
			clab__pl_obj_release(e);
		clab__pl_shared_used("process-shared read-write lock", site);
	} else if (clab__pl_obj_claim(e, 0, site)) {
		r = -make(e, rw,
			  kind == PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP
			      ? CLAB_RWLOCK_WRITERS
			      : CLAB_RWLOCK_READERS,
			  site);
	}
	clab__pl_leave();
	return r;
}

int pthread_rwlock_destroy(pthread_rwlock_t *rw)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(rwlock_destroy)(rw);
	const struct clab_site *site = clab__pl_site(RET());
	struct clab__pl_obj *e = clab__pl_obj_find(rw, 0);
	int r = 0;
	if (e && atomic_load(&e->state) == CLAB__PL_READY &&
	    e->kind == CLAB__PL_RWLOCK) {
		r = -clab__rwlock_destroy(&e->u.rw, site);
		if (r == 0)
			clab__pl_obj_release(e);
	}
	if (r == 0)
		r = CLAB__PL_REAL(rwlock_destroy)(rw);
	clab__pl_leave();
	return r;
}

/*
 * Take rw (write or read) within ms; timed: EBUSY becomes ETIMEDOUT.  -1:
 * the C library's call, for a process-shared lock too (see
 * clab__pl_shared_used).
 */
static int take(pthread_rwlock_t *rw, int write, long long ms, int timed,
		const void *at)
{
	if (clab__pl_rwlock_shared(rw) || !clab__pl_enter())
		return -1;
	const struct clab_site *site = clab__pl_site(at);
	struct clab__pl_obj *e = rwlock_of(rw, site);
	int r = ENOMEM;
	if (e && ms < 0) {
		r = EINVAL;
	} else if (e) {
		r = -clab__rwlock_lock(&e->u.rw, write, (uint32_t)ms, site);
		if (r == EBUSY && timed) /* a time already past: tried once */
			r = ETIMEDOUT;
	}
	clab__pl_leave();
	return r;
}

#define FORWARD(r, call) ((r) >= 0 ? (r) : (call))

int pthread_rwlock_rdlock(pthread_rwlock_t *rw)
{
	int r = take(rw, 0, CLAB_FOREVER, 0, RET());
	return FORWARD(r, CLAB__PL_REAL(rwlock_rdlock)(rw));
}

int pthread_rwlock_wrlock(pthread_rwlock_t *rw)
{
	int r = take(rw, 1, CLAB_FOREVER, 0, RET());
	return FORWARD(r, CLAB__PL_REAL(rwlock_wrlock)(rw));
}

int pthread_rwlock_tryrdlock(pthread_rwlock_t *rw)
{
	int r = take(rw, 0, 0, 0, RET());
	return FORWARD(r, CLAB__PL_REAL(rwlock_tryrdlock)(rw));
}

int pthread_rwlock_trywrlock(pthread_rwlock_t *rw)
{
	int r = take(rw, 1, 0, 0, RET());
	return FORWARD(r, CLAB__PL_REAL(rwlock_trywrlock)(rw));
}

int pthread_rwlock_timedrdlock(pthread_rwlock_t *rw, const struct timespec *abs)
{
	int r = take(rw, 0, clab__pl_ms_until(CLOCK_REALTIME, abs), 1, RET());
	return FORWARD(r, CLAB__PL_REAL(rwlock_timedrdlock)(rw, abs));
}

int pthread_rwlock_timedwrlock(pthread_rwlock_t *rw, const struct timespec *abs)
{
	int r = take(rw, 1, clab__pl_ms_until(CLOCK_REALTIME, abs), 1, RET());
	return FORWARD(r, CLAB__PL_REAL(rwlock_timedwrlock)(rw, abs));
}

/* The clock forms: take rw until abs on clock, or the C library's call. */
static int clock_take(pthread_rwlock_t *rw, int write, clockid_t clock,
		      const struct timespec *abs, const void *at)
{
	int r = take(rw, write, clab__pl_ms_until(clock, abs), 1, at);
	if (r >= 0)
		return r;
	return write ? CLAB__PL_REAL(rwlock_clockwrlock)(rw, clock, abs)
		     : CLAB__PL_REAL(rwlock_clockrdlock)(rw, clock, abs);
}

int pthread_rwlock_clockrdlock(pthread_rwlock_t *rw, clockid_t clock,
			       const struct timespec *abs);
int pthread_rwlock_clockrdlock(pthread_rwlock_t *rw, clockid_t clock,
			       const struct timespec *abs)
{
	return clock_take(rw, 0, clock, abs, RET());
}

int pthread_rwlock_clockwrlock(pthread_rwlock_t *rw, clockid_t clock,
			       const struct timespec *abs);
int pthread_rwlock_clockwrlock(pthread_rwlock_t *rw, clockid_t clock,
			       const struct timespec *abs)
{
	return clock_take(rw, 1, clock, abs, RET());
}

int pthread_rwlock_unlock(pthread_rwlock_t *rw)
{
	if (clab__pl_rwlock_shared(rw) || !clab__pl_enter())
		return CLAB__PL_REAL(rwlock_unlock)(rw);
	const struct clab_site *site = clab__pl_site(RET());
	struct clab__pl_obj *e = rwlock_of(rw, site);
	int r = e ? -clab__rwlock_unlock(&e->u.rw, site) : ENOMEM;
	clab__pl_leave();
	return r;
}
