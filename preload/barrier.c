/*
 * pthread_barrier_*: each barrier made with pthread_barrier_init is a
 * clab_barrier_t.  The last thread to arrive gets
 * PTHREAD_BARRIER_SERIAL_THREAD, the others 0.
 */
#include <errno.h>

#include "preload.h"

#define RET() __builtin_return_address(0)

static struct clab__pl_obj *barrier_of(pthread_barrier_t *b)
{
	struct clab__pl_obj *e = clab__pl_obj_find(b, 0);
	if (e &&
	    atomic_load_explicit(&e->state, memory_order_acquire) ==
		CLAB__PL_READY &&
	    e->kind == CLAB__PL_BARRIER)
		return e;
	return NULL;
}

int pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *a,
			 unsigned count)
{
	int r = CLAB__PL_REAL(barrier_init)(b, a, count);
	if ((r && count != 0) || !clab__pl_enter())
		return r;
	const struct clab_site *site = clab__pl_site(RET());
	if (r) { /* no parties: EINVAL from the C library, recorded */
		clab__bad_value(clab__self(), 0, site);
		clab__pl_leave();
		return r;
	}
	int shared = PTHREAD_PROCESS_PRIVATE;
	if (a)
		pthread_barrierattr_getpshared(a, &shared);
	struct clab__pl_obj *e = clab__pl_obj_init(b, site);
	char name[96];
	if (!e) {
		r = ENOMEM;
	} else if (shared == PTHREAD_PROCESS_SHARED) {
		clab__pl_obj_release(e); /* see clab__pl_shared_used */
		clab__pl_shared_used("process-shared barrier", site);
	} else {
		clab__pl_name(b, "barrier", sizeof(pthread_barrier_t), name,
			      sizeof(name));
		r = -clab__barrier_init(&e->u.b, name, count, site);
		if (r)
			clab__pl_obj_release(e);
		else
			clab__pl_obj_ready(e, CLAB__PL_BARRIER);
	}
	clab__pl_leave();
	return r;
}

int pthread_barrier_destroy(pthread_barrier_t *b)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(barrier_destroy)(b);
	struct clab__pl_obj *e = barrier_of(b);
	int r = 0;
	if (e) {
		r = -clab__barrier_destroy(&e->u.b, clab__pl_site(RET()));
		if (r == 0)
			clab__pl_obj_release(e);
	}
	clab__pl_leave();
	return r ? r : CLAB__PL_REAL(barrier_destroy)(b);
}

int pthread_barrier_wait(pthread_barrier_t *b)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(barrier_wait)(b);
	struct clab__pl_obj *e = barrier_of(b);
	int r = 0;
	if (e) {
		r = clab__barrier_wait(&e->u.b, CLAB_FOREVER,
				       clab__pl_site(RET()));
		if (r >= 0)
			r = (uint32_t)r + 1 == e->u.b.parties
				? PTHREAD_BARRIER_SERIAL_THREAD
				: 0;
		else
			r = -r;
	}
	clab__pl_leave();
	return e ? r : CLAB__PL_REAL(barrier_wait)(b);
}
