/*
 * 6. A real deadlock: T1 holds A, T2 holds B (a barrier makes sure both
 * do), then T1 waits for B and T2 for A.  It never ends by itself.
 */
#include "compat.h"

static compat_mutex_t a, b;
static compat_barrier_t both;

static void *t1(void *arg)
{
	(void)arg;
	LOCK(&a);
	BARRIER_WAIT(&both);
	LOCK(&b);
	UNLOCK(&b);
	UNLOCK(&a);
	return NULL;
}

static void *t2(void *arg)
{
	(void)arg;
	LOCK(&b);
	BARRIER_WAIT(&both);
	LOCK(&a);
	UNLOCK(&a);
	UNLOCK(&b);
	return NULL;
}

static void scenario(void)
{
	compat_thread_t x, y;
	MUTEX_INIT(&a, "A");
	MUTEX_INIT(&b, "B");
	BARRIER_INIT(&both, "both", 2);
	THREAD_CREATE(&x, "t1", t1, NULL);
	THREAD_CREATE(&y, "t2", t2, NULL);
	JOIN(x);
	JOIN(y);
}

COMPAT_MAIN("s06-deadlock")
