/*
 * 11. Lock-heavy speed: 1e6 uncontended lock/unlock pairs in one thread,
 * then two threads that each do 5e5 pairs on one shared mutex.
 * Prints the time of each loop in ns per pair.
 */
#include "compat.h"

#define PAIRS 1000000

static compat_mutex_t shared;
static volatile unsigned long counter;

static void *contend(void *arg)
{
	(void)arg;
	for (int i = 0; i < PAIRS / 2; i++) {
		LOCK(&shared);
		counter++;
		UNLOCK(&shared);
	}
	return NULL;
}

static void scenario(void)
{
	compat_mutex_t m;
	compat_thread_t x, y;
	MUTEX_INIT(&m, "solo");
	MUTEX_INIT(&shared, "shared");
	uint64_t t0 = compat_now_ns();
	for (int i = 0; i < PAIRS; i++) {
		LOCK(&m);
		UNLOCK(&m);
	}
	uint64_t t1 = compat_now_ns();
	THREAD_CREATE(&x, "x", contend, NULL);
	THREAD_CREATE(&y, "y", contend, NULL);
	JOIN(x);
	JOIN(y);
	uint64_t t2 = compat_now_ns();
	printf("speed %s: uncontended %.1f ns/pair, contended %.1f ns/pair "
	       "(counter %lu)\n",
	       COMPAT_FLAVOUR, (double)(t1 - t0) / PAIRS,
	       (double)(t2 - t1) / PAIRS, counter);
	fflush(stdout);
}

COMPAT_MAIN("s11-speed")
