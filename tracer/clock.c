/*
 * Time: records carry a raw clab__clock() value (the TSC on x86); the
 * writer turns it into nanoseconds since the trace was opened, with a
 * factor measured once per process against CLOCK_MONOTONIC.
 */
#include <pthread.h>
#include <time.h>

#include "tracer-int.h"

__extension__ typedef unsigned __int128 u128;

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t clab__clock_slow(void)
{
	return mono_ns();
}

static pthread_once_t calib_once = PTHREAD_ONCE_INIT;
static uint64_t calib32; /* ns per TSC tick, as a 32.32 fixed-point number */
static uint64_t mult32;	 /* the open trace's: calib32, or 1 for virtual */
static uint64_t base_tsc;

_Atomic int clab__vclock_on;
_Atomic uint64_t clab__vclock;

static void calibrate(void)
{
#if defined(__x86_64__) || defined(__i386__)
	uint64_t n0 = mono_ns(), t0 = clab__clock();
	struct timespec d = {0, 10 * 1000 * 1000};
	while (nanosleep(&d, &d) != 0)
		;
	uint64_t n1 = mono_ns(), t1 = clab__clock();
	if (t1 > t0 && n1 > n0)
		calib32 = (uint64_t)(((u128)(n1 - n0) << 32) / (t1 - t0));
	else
		calib32 = 1ull << 32;
#else
	calib32 = 1ull << 32;
#endif
}

void clab__clock_start(int virtual_time)
{
	if (virtual_time) {
		/* a tick is a nanosecond; 0 stays "no stamp" (tracer-emit.h) */
		atomic_store(&clab__vclock, 1);
		mult32 = 1ull << 32;
		base_tsc = 0;
		atomic_store(&clab__vclock_on, 1);
		return;
	}
	atomic_store(&clab__vclock_on, 0);
	pthread_once(&calib_once, calibrate);
	mult32 = calib32;
	base_tsc = clab__clock();
}

uint64_t clab__clock_ns(uint64_t tsc)
{
	if (tsc <= base_tsc)
		return 0;
	return (uint64_t)(((u128)(tsc - base_tsc) * mult32) >> 32);
}

uint64_t clab__clock_ticks(uint64_t ns)
{
	return mult32 ? (uint64_t)(((u128)ns << 32) / mult32) : ns;
}
