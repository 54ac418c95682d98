/*
 * The C11 threads of <threads.h>: mtx_*, cnd_*, thrd_*.  glibc builds
 * them on its pthread functions, but calls those inside itself, where
 * this library does not stand in: a program written with mtx_lock and
 * thrd_create ran unseen, and conclab trace found no lock-order cycle in
 * a program that had one.  Each is defined here on the library's pthread
 * functions (the clab__pl_*_at forms, so that a site is the program's
 * call), as glibc defines it on its own: an mtx_t is a pthread_mutex_t, a
 * cnd_t a pthread_cond_t, a thrd_t a pthread_t, and the results are
 * mapped as glibc maps them (thrd_busy for EBUSY, thrd_timedout for
 * ETIMEDOUT, thrd_nomem for ENOMEM, thrd_error for any other error).
 * call_once and the tss_* functions need nothing of conclab's.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <threads.h>

#include "preload.h"

#define RET() __builtin_return_address(0)

_Static_assert(sizeof(mtx_t) == sizeof(pthread_mutex_t), "mtx_t");
_Static_assert(sizeof(cnd_t) == sizeof(pthread_cond_t), "cnd_t");
_Static_assert(sizeof(thrd_t) == sizeof(pthread_t), "thrd_t");

/* An error number as a C11 result, as glibc's thrd_err_map gives it. */
static int result(int err)
{
	switch (err) {
	case 0:
		return thrd_success;
	case ENOMEM:
		return thrd_nomem;
	case ETIMEDOUT:
		return thrd_timedout;
	case EBUSY:
		return thrd_busy;
	default:
		return thrd_error;
	}
}

int mtx_init(mtx_t *m, int type)
{
	pthread_mutexattr_t a;
	/* any other type is a plain one, as glibc takes it */
	int kind = type == (mtx_plain | mtx_recursive) ||
			   type == (mtx_timed | mtx_recursive)
		       ? PTHREAD_MUTEX_RECURSIVE
		       : PTHREAD_MUTEX_NORMAL;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, kind);
	int r = clab__pl_mutex_init_at((pthread_mutex_t *)m, &a, RET());
	pthread_mutexattr_destroy(&a);
	return result(r);
}

void mtx_destroy(mtx_t *m)
{
	(void)clab__pl_mutex_destroy_at((pthread_mutex_t *)m, RET());
	CLAB__PL_KEEP_FRAME();
}

int mtx_lock(mtx_t *m)
{
	return result(clab__pl_mutex_lock_at((pthread_mutex_t *)m, RET()));
}

int mtx_trylock(mtx_t *m)
{
	return result(clab__pl_mutex_trylock_at((pthread_mutex_t *)m, RET()));
}

int mtx_timedlock(mtx_t *restrict m, const struct timespec *restrict abs)
{
	return result(
	    clab__pl_mutex_timedlock_at((pthread_mutex_t *)m, abs, RET()));
}

int mtx_unlock(mtx_t *m)
{
	return result(clab__pl_mutex_unlock_at((pthread_mutex_t *)m, RET()));
}

int cnd_init(cnd_t *c)
{
	return result(clab__pl_cond_init_at((pthread_cond_t *)c, NULL, RET()));
}

void cnd_destroy(cnd_t *c)
{
	(void)clab__pl_cond_destroy_at((pthread_cond_t *)c, RET());
	CLAB__PL_KEEP_FRAME();
}

int cnd_wait(cnd_t *c, mtx_t *m)
{
	return result(clab__pl_cond_wait_at((pthread_cond_t *)c,
					    (pthread_mutex_t *)m, RET()));
}

int cnd_timedwait(cnd_t *restrict c, mtx_t *restrict m,
		  const struct timespec *restrict abs)
{
	return result(clab__pl_cond_timedwait_at(
	    (pthread_cond_t *)c, (pthread_mutex_t *)m, abs, RET()));
}

int cnd_signal(cnd_t *c)
{
	return result(clab__pl_cond_signal_at((pthread_cond_t *)c, RET()));
}

int cnd_broadcast(cnd_t *c)
{
	return result(clab__pl_cond_broadcast_at((pthread_cond_t *)c, RET()));
}

/* A C11 thread's function and argument, until it starts. */
struct c11_start {
	thrd_start_t fn;
	void *arg;
};

/* The thread's function returns an int: the join gets it back. */
static void *c11_main(void *p)
{
	struct c11_start s = *(struct c11_start *)p;
	free(p);
	return (void *)(intptr_t)s.fn(s.arg);
}

int thrd_create(thrd_t *t, thrd_start_t fn, void *arg)
{
	struct c11_start *s = malloc(sizeof(*s));
	if (!s)
		return thrd_nomem;
	s->fn = fn;
	s->arg = arg;
	int r = clab__pl_create_at((pthread_t *)t, NULL, c11_main, s, RET());
	if (r)
		free(s);
	return result(r);
}

int thrd_join(thrd_t t, int *res)
{
	void *v;
	int r = clab__pl_join_at((pthread_t)t, &v, RET());
	if (r == 0 && res)
		*res = (int)(intptr_t)v;
	return result(r);
}

int thrd_detach(thrd_t t)
{
	return result(clab__pl_detach_at((pthread_t)t, RET()));
}

_Noreturn void thrd_exit(int res)
{
	pthread_exit((void *)(intptr_t)res);
}

/* 0, -1 when a signal cut the sleep short, -2 on another error. */
int thrd_sleep(const struct timespec *d, struct timespec *rem)
{
	if (clab__pl_nanosleep_at(d, rem, RET()) == 0)
		return 0;
	return errno == EINTR ? -1 : -2;
}

void thrd_yield(void)
{
	(void)clab__pl_yield_at(RET());
	CLAB__PL_KEEP_FRAME();
}

/* A key's destructor runs before the thread's end is recorded (thread.c). */
int tss_create(tss_t *k, tss_dtor_t dtor)
{
	int r = CLAB__PL_REAL(tss_create)(k, dtor);
	if (r == thrd_success)
		clab__pl_key_made(*k, dtor);
	return r;
}

void tss_delete(tss_t k)
{
	pthread_key_delete(k); /* the library's: the destructor forgotten */
}
