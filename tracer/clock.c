/*
 * Time: records carry a raw clab__clock() value (the TSC on x86); the
 * writer turns it into nanoseconds since the trace was opened, with a
 * factor measured once per process against CLOCK_MONOTONIC.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "tracer-int.h"

__extension__ typedef unsigned __int128 u128;

uint64_t clab__clock_slow(void)
{
	return clab__mono_ns();
}

/*
 * Process-wide: the processor's rate is measured once, from the first
 * open of a trace in the process to the writer's first need of it (its
 * first chunk, some milliseconds later): no open waits for it, so a
 * program starts at once (it slept 10 ms in every open before).  Each end
 * of the interval reads the two clocks together (read_pair), to within a
 * few hundred nanoseconds; over CALIB_MIN_NS that is under 0.02% of the
 * interval, and the rate is kept for the process's later traces.  A
 * trace that needs its rate sooner (a program that ends within those
 * milliseconds) gets it over what has gone by, CALIB_SHORT_NS at least,
 * for itself only: it waited up to CALIB_MIN_NS at its close before.  The
 * factor and the base belong to the open trace, of which a process has at
 * most one, and are set by clab__clock_start() at its open.
 */
#define CALIB_MIN_NS 2000000u
#define CALIB_SHORT_NS 200000u
static pthread_mutex_t calib_lk = PTHREAD_MUTEX_INITIALIZER;
static _Atomic uint64_t calib32; /* ns per TSC tick (32.32), 0: not yet */
static uint64_t cal_n0, cal_t0;	 /* the clocks at the first open */
static _Atomic uint64_t mult32;	 /* the open trace's factor, 0: not yet */
static uint64_t base_tsc;

_Atomic int clab__vclock_on;
_Atomic uint64_t clab__vclock;

/*
 * The monotonic clock (*n) and clab__clock() (*t) at one moment: the
 * second read between two of the first, the pair of the closest of a few
 * tries (a thread preempted between its reads is far apart), *n halfway.
 */
static void read_pair(uint64_t *n, uint64_t *t)
{
	uint64_t gap = UINT64_MAX;
	for (int i = 0; i < 8 && gap > 250; i++) {
		uint64_t a = clab__mono_ns(), x = clab__clock(),
			 b = clab__mono_ns();
		if (b - a < gap) {
			gap = b - a;
			*n = a + gap / 2;
			*t = x;
		}
	}
}

/* The processor's rate, measured now if it was not (see above). */
static uint64_t calibrated(void)
{
	uint64_t c = atomic_load_explicit(&calib32, memory_order_acquire);
	if (c)
		return c;
	clab__lock(&calib_lk);
	c = atomic_load(&calib32);
	if (!c) {
#if defined(__x86_64__) || defined(__i386__)
		uint64_t n1 = clab__mono_ns(), t1;
		if (n1 - cal_n0 < CALIB_SHORT_NS) {
			uint64_t left = CALIB_SHORT_NS - (n1 - cal_n0);
			struct timespec d = {0, (long)left};
			clab__nap(&d);
		}
		read_pair(&n1, &t1);
		if (t1 > cal_t0 && n1 > cal_n0)
			c = (uint64_t)(((u128)(n1 - cal_n0) << 32) /
				       (t1 - cal_t0));
		else
			c = 1ull << 32;
		if (n1 - cal_n0 >= CALIB_MIN_NS)
			atomic_store_explicit(&calib32, c,
					      memory_order_release);
#else
		c = 1ull << 32; /* clab__clock() is in nanoseconds */
		atomic_store_explicit(&calib32, c, memory_order_release);
#endif
	}
	clab__unlock(&calib_lk);
	return c;
}

void clab__clock_forget(void)
{
	clab__lock(&calib_lk);
	atomic_store(&calib32, 0);
	cal_n0 = cal_t0 = 0;
	clab__unlock(&calib_lk);
}

void clab__clock_start(int virtual_time)
{
	if (virtual_time) {
		/* a tick is a nanosecond; 0 stays "no stamp" (tracer-emit.h) */
		atomic_store(&clab__vclock, 1);
		atomic_store(&mult32, 1ull << 32);
		base_tsc = 0;
		atomic_store(&clab__vclock_on, 1);
		return;
	}
	atomic_store(&clab__vclock_on, 0);
	clab__lock(&calib_lk);
	if (!atomic_load(&calib32) && !cal_n0)
		read_pair(&cal_n0, &cal_t0);
	clab__unlock(&calib_lk);
	base_tsc = clab__clock();
	atomic_store(&mult32, atomic_load(&calib32));
}

/* The open trace's factor, the rate measured first if need be. */
static uint64_t factor(void)
{
	uint64_t m = atomic_load_explicit(&mult32, memory_order_relaxed);
	if (!m) {
		m = calibrated();
		atomic_store_explicit(&mult32, m, memory_order_relaxed);
	}
	return m;
}

uint64_t clab__clock_ns(uint64_t tsc)
{
	if (tsc <= base_tsc)
		return 0;
	return (uint64_t)(((u128)(tsc - base_tsc) * factor()) >> 32);
}

uint64_t clab__clock_ticks(uint64_t ns)
{
	return (uint64_t)(((u128)ns << 32) / factor());
}
