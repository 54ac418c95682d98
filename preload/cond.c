/*
 * pthread_cond_*: each program condition variable is a clab_cond_t, made
 * on first use (PTHREAD_COND_INITIALIZER) or by pthread_cond_init, which
 * also keeps the clock of its timed waits.  A wait releases the program's
 * mutex (its clab_mutex_t) and takes it again, both recorded.
 *
 * The program is linked against the current version of these functions
 * (GLIBC_2.3.2 on x86-64); the library defines that one.
 */
#include <errno.h>

#include "preload.h"

#define RET() __builtin_return_address(0)

static int make(struct clab__pl_obj *e, const void *pc, clockid_t clock,
		const struct clab_site *site)
{
	char name[96];
	clab__pl_name(pc, "cond", sizeof(pthread_cond_t), name, sizeof(name));
	int r = clab__cond_init(&e->u.c, name, site);
	if (r) {
		clab__pl_obj_release(e);
		return r;
	}
	e->clock = clock;
	clab__pl_obj_ready(e, CLAB__PL_COND);
	return 0;
}

/* NULL when memory is short, or pc is process-shared (the C library's). */
static struct clab__pl_obj *cond_of(pthread_cond_t *pc,
				    const struct clab_site *site)
{
	if (clab__pl_cond_shared(pc))
		return NULL;
	struct clab__pl_obj *e = clab__pl_obj_find(pc, 1);
	if (!e)
		return NULL;
	if (atomic_load_explicit(&e->state, memory_order_acquire) ==
		CLAB__PL_READY &&
	    e->kind == CLAB__PL_COND)
		return e;
	if (clab__pl_obj_claim(e, CLAB__PL_COND, site) &&
	    make(e, pc, CLOCK_REALTIME, site) != 0)
		return NULL;
	return e;
}

int clab__pl_cond_init_at(pthread_cond_t *pc, const pthread_condattr_t *attr,
			  const void *at)
{
	int r = CLAB__PL_REAL(cond_init)(pc, attr);
	if (r || !clab__pl_enter())
		return r;
	const struct clab_site *site = clab__pl_site(at);
	clockid_t clock = CLOCK_REALTIME;
	if (attr)
		pthread_condattr_getclock(attr, &clock);
	struct clab__pl_obj *e = clab__pl_obj_init(pc, site);
	if (!e) {
		r = ENOMEM;
	} else if (clab__pl_cond_shared(pc)) {
		clab__pl_obj_release(e);
		clab__pl_shared_used("process-shared condition variable", site);
	} else {
		r = -make(e, pc, clock, site);
	}
	clab__pl_leave();
	return r;
}

int pthread_cond_init(pthread_cond_t *pc, const pthread_condattr_t *attr)
{
	int r = clab__pl_cond_init_at(pc, attr, RET());
	CLAB__PL_KEEP_FRAME();
	return r;
}

int clab__pl_cond_destroy_at(pthread_cond_t *pc, const void *at)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(cond_destroy)(pc);
	const struct clab_site *site = clab__pl_site(at);
	struct clab__pl_obj *e = clab__pl_obj_find(pc, 0);
	int r = 0;
	if (e && atomic_load(&e->state) == CLAB__PL_READY &&
	    e->kind == CLAB__PL_COND) {
		r = -clab__cond_destroy(&e->u.c, site);
		if (r == 0)
			clab__pl_obj_release(e);
	}
	if (r == 0)
		r = CLAB__PL_REAL(cond_destroy)(pc);
	clab__pl_leave();
	return r;
}

int pthread_cond_destroy(pthread_cond_t *pc)
{
	int r = clab__pl_cond_destroy_at(pc, RET());
	CLAB__PL_KEEP_FRAME();
	return r;
}

/*
 * A condition waited on with a process-shared mutex becomes process-shared
 * too (glibc's bit in its bytes), as it must be for the wait to work
 * across processes: 0, or EINVAL when it has conclab waiters, which use
 * another mutex (POSIX allows EINVAL for that).
 */
static int make_shared(pthread_cond_t *pc, const struct clab_site *site)
{
#ifdef __GLIBC__
	struct clab__pl_obj *e = clab__pl_obj_find(pc, 0);
	if (e && atomic_load(&e->state) == CLAB__PL_READY &&
	    e->kind == CLAB__PL_COND) {
		if (clab__cond_destroy(&e->u.c, site) != 0)
			return EINVAL;
		clab__pl_obj_release(e);
	}
	__atomic_fetch_or(&pc->__data.__wrefs, 1, __ATOMIC_RELAXED);
	return 0;
#else
	(void)pc;
	(void)site;
	return EINVAL;
#endif
}

/*
 * The C library's wait, on a process-shared condition or mutex (see
 * clab__pl_shared_used): with the guard cleared, as a cancellation point.
 */
static int shared_wait(pthread_cond_t *pc, pthread_mutex_t *pm,
		       const clockid_t *clk, const struct timespec *abs,
		       int timed, const struct clab_site *site)
{
	if (!clab__pl_cond_shared(pc)) {
		int r = make_shared(pc, site);
		if (r)
			return r;
	}
	clab__pl_leave();
	if (!timed)
		return CLAB__PL_REAL(cond_wait)(pc, pm);
	if (clk)
		return CLAB__PL_REAL(cond_clockwait)(pc, pm, *clk, abs);
	return CLAB__PL_REAL(cond_timedwait)(pc, pm, abs);
}

/* A wait, until abs on clock (NULL: the condition's own) when timed. */
static int wait(pthread_cond_t *pc, pthread_mutex_t *pm, const clockid_t *clk,
		const struct timespec *abs, int timed,
		const struct clab_site *site)
{
	if (clab__pl_cond_shared(pc) || clab__pl_mutex_shared(pm))
		return shared_wait(pc, pm, clk, abs, timed, site);
	struct clab__pl_obj *e = cond_of(pc, site);
	/* a mutex never locked is made here: the wait records the misuse */
	struct clab__pl_obj *me = clab__pl_mutex_of(pm, site);
	if (!e || !me)
		return ENOMEM;
	clab_mutex_t *m = &me->u.m;
	uint32_t ms = CLAB_FOREVER;
	if (timed) {
		long long t = clab__pl_ms_until(clk ? *clk : e->clock, abs);
		if (t < 0)
			return EINVAL;
		ms = (uint32_t)t;
	}
	int r;
	struct clab__thr *self;
	do {
		self = clab__pl_cancel_begin();
		r = -clab__cond_wait(&e->u.c, m, ms, site);
	} while (clab__pl_cancel_end(self, r == ECANCELED));
	return r;
}

int clab__pl_cond_wait_at(pthread_cond_t *pc, pthread_mutex_t *pm,
			  const void *at)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(cond_wait)(pc, pm);
	int r = wait(pc, pm, NULL, NULL, 0, clab__pl_site(at));
	clab__pl_leave();
	return r;
}

int pthread_cond_wait(pthread_cond_t *pc, pthread_mutex_t *pm)
{
	int r = clab__pl_cond_wait_at(pc, pm, RET());
	CLAB__PL_KEEP_FRAME();
	return r;
}

int clab__pl_cond_timedwait_at(pthread_cond_t *pc, pthread_mutex_t *pm,
			       const struct timespec *abs, const void *at)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(cond_timedwait)(pc, pm, abs);
	int r = wait(pc, pm, NULL, abs, 1, clab__pl_site(at));
	clab__pl_leave();
	return r;
}

int pthread_cond_timedwait(pthread_cond_t *pc, pthread_mutex_t *pm,
			   const struct timespec *abs)
{
	int r = clab__pl_cond_timedwait_at(pc, pm, abs, RET());
	CLAB__PL_KEEP_FRAME();
	return r;
}

int pthread_cond_clockwait(pthread_cond_t *pc, pthread_mutex_t *pm,
			   clockid_t clock, const struct timespec *abs);
int pthread_cond_clockwait(pthread_cond_t *pc, pthread_mutex_t *pm,
			   clockid_t clock, const struct timespec *abs)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(cond_clockwait)(pc, pm, clock, abs);
	int r = EINVAL;
	if (clock == CLOCK_REALTIME || clock == CLOCK_MONOTONIC)
		r = wait(pc, pm, &clock, abs, 1, clab__pl_site(RET()));
	clab__pl_leave();
	return r;
}

static int signal_(pthread_cond_t *pc, int all, const struct clab_site *site)
{
	if (clab__pl_cond_shared(pc))
		return all ? CLAB__PL_REAL(cond_broadcast)(pc)
			   : CLAB__PL_REAL(cond_signal)(pc);
	struct clab__pl_obj *e = cond_of(pc, site);
	if (!e)
		return ENOMEM;
	int r = clab__cond_signal(&e->u.c, all, site);
	return r < 0 ? -r : 0;
}

int clab__pl_cond_signal_at(pthread_cond_t *pc, const void *at)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(cond_signal)(pc);
	int r = signal_(pc, 0, clab__pl_site(at));
	clab__pl_leave();
	return r;
}

int pthread_cond_signal(pthread_cond_t *pc)
{
	int r = clab__pl_cond_signal_at(pc, RET());
	CLAB__PL_KEEP_FRAME();
	return r;
}

int clab__pl_cond_broadcast_at(pthread_cond_t *pc, const void *at)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(cond_broadcast)(pc);
	int r = signal_(pc, 1, clab__pl_site(at));
	clab__pl_leave();
	return r;
}

int pthread_cond_broadcast(pthread_cond_t *pc)
{
	int r = clab__pl_cond_broadcast_at(pc, RET());
	CLAB__PL_KEEP_FRAME();
	return r;
}
