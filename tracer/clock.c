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
 * first chunk, a few milliseconds later), and at least over
 * CALIB_MIN_NS: no open waits for it, so a program starts at once (it
 * slept 10 ms in every open before).  Over 2 ms the two clocks' reading
 * jitter (well under a microsecond) is under 0.05% of the interval.  The
 * factor and the base belong to the open trace, of which a process has at
 * most one, and are set by clab__clock_start() at its open.
 */
#define CALIB_MIN_NS 2000000u
static pthread_mutex_t calib_lk = PTHREAD_MUTEX_INITIALIZER;
static _Atomic uint64_t calib32; /* ns per TSC tick (32.32), 0: not yet */
static uint64_t cal_n0, cal_t0;	 /* the clocks at the first open */
static _Atomic uint64_t mult32;	 /* the open trace's factor, 0: not yet */
static uint64_t base_tsc;

_Atomic int clab__vclock_on;
_Atomic uint64_t clab__vclock;

/* The processor's rate, measured now if it was not (see above). */
static uint64_t calibrated(void)
{
	uint64_t c = atomic_load_explicit(&calib32, memory_order_acquire);
	if (c)
		return c;
	pthread_mutex_lock(&calib_lk);
	c = atomic_load(&calib32);
	if (!c) {
#if defined(__x86_64__) || defined(__i386__)
		uint64_t n1 = clab__mono_ns();
		if (n1 - cal_n0 < CALIB_MIN_NS) {
			uint64_t left = CALIB_MIN_NS - (n1 - cal_n0);
			struct timespec d = {0, (long)left};
			while (nanosleep(&d, &d) != 0)
				;
		}
		n1 = clab__mono_ns();
		uint64_t t1 = clab__clock();
		if (t1 > cal_t0 && n1 > cal_n0)
			c = (uint64_t)(((u128)(n1 - cal_n0) << 32) /
				       (t1 - cal_t0));
		else
			c = 1ull << 32;
#else
		c = 1ull << 32; /* clab__clock() is in nanoseconds */
#endif
		atomic_store_explicit(&calib32, c, memory_order_release);
	}
	pthread_mutex_unlock(&calib_lk);
	return c;
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
	pthread_mutex_lock(&calib_lk);
	if (!atomic_load(&calib32) && !cal_n0) {
		cal_n0 = clab__mono_ns();
		cal_t0 = clab__clock();
	}
	pthread_mutex_unlock(&calib_lk);
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
