/*
 * pthread_spin_*: each program spin lock is a clab_mutex_t (a normal one),
 * made by pthread_spin_init or on first use.  A thread that would spin
 * blocks instead, and its wait is recorded as a mutex wait; the program
 * sees the same results: EBUSY from trylock, a hang when the owner locks
 * again (the watchdog reports it), EPERM for an unlock by a thread that
 * does not hold it (which the C library leaves undefined).
 */
#include <errno.h>

#include "preload.h"

#define RET() __builtin_return_address(0)

static int make(struct clab__pl_obj *e, const void *ps,
		const struct clab_site *site)
{
	char name[96];
	clab__pl_name(ps, "spin", sizeof(pthread_spinlock_t), name,
		      sizeof(name));
	int r = clab__mutex_init(&e->u.m, name, CLAB_MUTEX_NORMAL, site);
	if (r) {
		clab__pl_obj_release(e);
		return r;
	}
	e->type = PTHREAD_MUTEX_NORMAL;
	clab__pl_obj_ready(e, CLAB__PL_SPIN);
	return 0;
}

/*
 * The entry of the program's lock, made on first use; NULL when memory is
 * short, or when pthread_spin_init made the lock process-shared (*shared
 * is then set: the C library's, see clab__pl_shared_used).  A spin lock's
 * bytes do not say so, as a mutex's do: the entry does.
 */
static struct clab__pl_obj *spin_of(pthread_spinlock_t *ps,
				    const struct clab_site *site, int *shared)
{
	struct clab__pl_obj *e = clab__pl_obj_find((const void *)ps, 1);
	*shared = 0;
	if (!e)
		return NULL;
	int st = atomic_load_explicit(&e->state, memory_order_acquire);
	if (st == CLAB__PL_READY && e->kind == CLAB__PL_SPIN)
		return e;
	if (st == CLAB__PL_NONE && e->shared) {
		*shared = 1;
		return NULL;
	}
	if (clab__pl_obj_claim(e, CLAB__PL_SPIN, site) &&
	    make(e, (const void *)ps, site) != 0)
		return NULL;
	return e;
}

int pthread_spin_init(pthread_spinlock_t *ps, int pshared)
{
	int r = CLAB__PL_REAL(spin_init)(ps, pshared);
	if (r || !clab__pl_enter())
		return r;
	const struct clab_site *site = clab__pl_site(RET());
	struct clab__pl_obj *e = clab__pl_obj_init((const void *)ps, site);
	if (!e) {
		r = ENOMEM;
	} else if (pshared == PTHREAD_PROCESS_SHARED) {
		e->shared = 1; /* published by the release */
		clab__pl_obj_release(e);
		clab__pl_shared_used("process-shared spin lock", site);
	} else {
		r = -make(e, (const void *)ps, site);
	}
	clab__pl_leave();
	return r;
}

int pthread_spin_destroy(pthread_spinlock_t *ps)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(spin_destroy)(ps);
	struct clab__pl_obj *e = clab__pl_obj_find((const void *)ps, 0);
	int r = 0;
	if (e && atomic_load(&e->state) == CLAB__PL_NONE)
		e->shared = 0; /* a process-shared one: the next is not */
	if (e && atomic_load(&e->state) == CLAB__PL_READY &&
	    e->kind == CLAB__PL_SPIN) {
		r = -clab__mutex_destroy(&e->u.m, clab__pl_site(RET()));
		if (r == 0)
			clab__pl_obj_release(e);
	}
	clab__pl_leave();
	return r ? r : CLAB__PL_REAL(spin_destroy)(ps);
}

int pthread_spin_lock(pthread_spinlock_t *ps)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(spin_lock)(ps);
	const struct clab_site *site = clab__pl_site(RET());
	int shared;
	struct clab__pl_obj *e = spin_of(ps, site, &shared);
	int r = ENOMEM;
	if (shared) {
		clab__pl_leave();
		return CLAB__PL_REAL(spin_lock)(ps);
	}
	if (e) {
		r = -clab__mutex_lock(&e->u.m, CLAB_FOREVER, site);
		if (r == EDEADLK)
			r = clab__pl_self_deadlock(CLAB_FOREVER, site);
	}
	clab__pl_leave();
	return r;
}

int pthread_spin_trylock(pthread_spinlock_t *ps)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(spin_trylock)(ps);
	const struct clab_site *site = clab__pl_site(RET());
	int shared;
	struct clab__pl_obj *e = spin_of(ps, site, &shared);
	int r = ENOMEM;
	if (shared)
		r = CLAB__PL_REAL(spin_trylock)(ps);
	else if (e && clab_mutex_held(&e->u.m))
		r = EBUSY;
	else if (e)
		r = -clab__mutex_lock(&e->u.m, 0, site);
	clab__pl_leave();
	return r;
}

int pthread_spin_unlock(pthread_spinlock_t *ps)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(spin_unlock)(ps);
	const struct clab_site *site = clab__pl_site(RET());
	int shared;
	struct clab__pl_obj *e = spin_of(ps, site, &shared);
	int r = shared ? CLAB__PL_REAL(spin_unlock)(ps)
		: e    ? -clab__mutex_unlock(&e->u.m, site)
		       : ENOMEM;
	clab__pl_leave();
	return r;
}
