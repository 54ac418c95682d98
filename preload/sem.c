/*
 * sem_*: each semaphore made with sem_init, or opened with sem_open, is a
 * clab_sem_t (a counting one: no bound).  A named one starts with the
 * value the C library's has when it is first opened in the process, and
 * lives until its last sem_close; its count is this process's own from
 * then on (not shared with other processes).  Calls on a semaphore the
 * library did not see made go to the C library.  The functions set errno
 * and return -1 as the C library's do: EAGAIN from sem_trywait, ETIMEDOUT
 * from sem_timedwait and sem_clockwait.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>

#include "preload.h"

#define RET() __builtin_return_address(0)

/* The semaphore sem_init made at s, or NULL. */
static struct clab__pl_obj *sem_of(sem_t *s)
{
	struct clab__pl_obj *e = clab__pl_obj_find(s, 0);
	if (e &&
	    atomic_load_explicit(&e->state, memory_order_acquire) ==
		CLAB__PL_READY &&
	    e->kind == CLAB__PL_SEM)
		return e;
	return NULL;
}

/* The C library's way: 0, or -1 with errno. */
static int ret(int r)
{
	if (r >= 0)
		return 0;
	errno = -r;
	return -1;
}

int sem_init(sem_t *s, int pshared, unsigned value)
{
	int r = CLAB__PL_REAL(sem_init)(s, pshared, value);
	if (r || !clab__pl_enter())
		return r;
	const struct clab_site *site = clab__pl_site(RET());
	struct clab__pl_obj *e = clab__pl_obj_init(s, site);
	char name[96];
	if (!e) {
		r = CLAB_ENOMEM;
	} else if (pshared) {
		clab__pl_obj_release(e); /* see clab__pl_shared_used */
		clab__pl_shared_used("semaphore", site);
	} else {
		clab__pl_name(s, "sem", sizeof(sem_t), name, sizeof(name));
		r = clab__sem_init(&e->u.s, name, value, 0, site);
		if (r)
			clab__pl_obj_release(e);
		else
			clab__pl_obj_ready(e, CLAB__PL_SEM);
	}
	clab__pl_leave();
	return ret(r);
}

int sem_destroy(sem_t *s)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(sem_destroy)(s);
	struct clab__pl_obj *e = sem_of(s);
	/* threads still waiting: conclab records it, the program goes on */
	if (e && clab__sem_destroy(&e->u.s, clab__pl_site(RET())) == 0)
		clab__pl_obj_release(e);
	clab__pl_leave();
	return CLAB__PL_REAL(sem_destroy)(s);
}

/*
 * The C library opens the semaphore (the same sem_t for every open of a
 * name in one process); the first open in the process makes its
 * clab_sem_t, named after it, with the C library's value.
 */
sem_t *sem_open(const char *name, int oflag, ...)
{
	unsigned mode = 0, value = 0;
	if (oflag & O_CREAT) {
		va_list ap;
		va_start(ap, oflag);
		mode = va_arg(ap, unsigned); /* mode_t, promoted */
		value = va_arg(ap, unsigned);
		va_end(ap);
	}
	sem_t *s = CLAB__PL_REAL(sem_open)(name, oflag, (mode_t)mode, value);
	if (s == SEM_FAILED || !clab__pl_enter())
		return s;
	const struct clab_site *site = clab__pl_site(RET());
	struct clab__pl_obj *e = clab__pl_obj_find(s, 1);
	int v = 0;
	if (e && clab__pl_obj_claim(e, CLAB__PL_SEM, site)) {
		CLAB__PL_REAL(sem_getvalue)(s, &v);
		if (clab__sem_init(&e->u.s, name, v < 0 ? 0 : (uint32_t)v, 0,
				   site) == 0) {
			atomic_store(&e->opens, 0);
			clab__pl_obj_ready(e, CLAB__PL_SEM);
		} else {
			clab__pl_obj_release(e);
		}
	}
	if (e && atomic_load(&e->state) == CLAB__PL_READY &&
	    e->kind == CLAB__PL_SEM)
		atomic_fetch_add(&e->opens, 1);
	clab__pl_leave();
	return s;
}

int sem_close(sem_t *s)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(sem_close)(s);
	struct clab__pl_obj *e = sem_of(s);
	/* the last close: the semaphore is gone from the process */
	if (e && atomic_load(&e->opens) > 0 &&
	    atomic_fetch_sub(&e->opens, 1) == 1 &&
	    clab__sem_destroy(&e->u.s, clab__pl_site(RET())) == 0)
		clab__pl_obj_release(e);
	clab__pl_leave();
	return CLAB__PL_REAL(sem_close)(s);
}

static int acquire(sem_t *s, long long ms, const void *at)
{
	struct clab__pl_obj *e = sem_of(s);
	if (!e)
		return 1; /* not ours: the C library's */
	if (ms < 0)
		return CLAB_EINVAL;
	const struct clab_site *site = clab__pl_site(at);
	if (ms == 0) /* a try: no wait, no cancellation point */
		return clab__sem_acquire(&e->u.s, 0, site);
	int r;
	struct clab__thr *self;
	do {
		self = clab__pl_cancel_begin();
		r = clab__sem_acquire(&e->u.s, (uint32_t)ms, site);
	} while (clab__pl_cancel_end(self, r == CLAB_ECANCELED));
	return r;
}

int sem_wait(sem_t *s)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(sem_wait)(s);
	int r = acquire(s, CLAB_FOREVER, RET());
	clab__pl_leave();
	return r == 1 ? CLAB__PL_REAL(sem_wait)(s) : ret(r);
}

int sem_trywait(sem_t *s)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(sem_trywait)(s);
	int r = acquire(s, 0, RET());
	clab__pl_leave();
	return r == 1 ? CLAB__PL_REAL(sem_trywait)(s) : ret(r);
}

int sem_timedwait(sem_t *s, const struct timespec *abs)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(sem_timedwait)(s, abs);
	long long ms = clab__pl_ms_until(CLOCK_REALTIME, abs);
	int r = acquire(s, ms, RET());
	/* a time already past: tried once */
	if (ms == 0 && r == CLAB_EAGAIN)
		r = CLAB_ETIMEDOUT;
	clab__pl_leave();
	return r == 1 ? CLAB__PL_REAL(sem_timedwait)(s, abs) : ret(r);
}

/*
 * glibc 2.30 and later: the timed wait on a clock of the caller's choice
 * (CLOCK_MONOTONIC, which a change of the date does not move).  Before,
 * it went to the C library's semaphore, which the posts, made on
 * conclab's, never reached: a wait for a post timed out or blocked.
 */
int sem_clockwait(sem_t *s, clockid_t clock, const struct timespec *abs);
int sem_clockwait(sem_t *s, clockid_t clock, const struct timespec *abs)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(sem_clockwait)(s, clock, abs);
	long long ms = clab__pl_ms_until(clock, abs);
	int r = acquire(s, ms, RET());
	if (ms == 0 && r == CLAB_EAGAIN)
		r = CLAB_ETIMEDOUT;
	clab__pl_leave();
	return r == 1 ? CLAB__PL_REAL(sem_clockwait)(s, clock, abs) : ret(r);
}

int sem_post(sem_t *s)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(sem_post)(s);
	struct clab__pl_obj *e = sem_of(s);
	int r = 1;
	if (e && clab_sem_value(&e->u.s) >= SEM_VALUE_MAX)
		r = -EOVERFLOW;
	else if (e)
		r = clab__sem_release(&e->u.s, clab__pl_site(RET()));
	clab__pl_leave();
	return r == 1 ? CLAB__PL_REAL(sem_post)(s) : ret(r);
}

int sem_getvalue(sem_t *s, int *v)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(sem_getvalue)(s, v);
	struct clab__pl_obj *e = sem_of(s);
	if (e)
		*v = (int)clab_sem_value(&e->u.s);
	clab__pl_leave();
	return e ? 0 : CLAB__PL_REAL(sem_getvalue)(s, v);
}
