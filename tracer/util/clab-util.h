/*
 * Small helpers that every part of conclab shares (not installed): time
 * arithmetic on struct timespec, a growable array and comparison
 * functions for qsort.  They live in the tracer, the bottom layer, so
 * that the runtime, the labs, the viewer and the commands use the same
 * ones (util.c).
 */
#ifndef CONCLAB_UTIL_H
#define CONCLAB_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define CLAB__NS_PER_S 1000000000u

/* A time in nanoseconds, and back. */
static inline uint64_t clab__ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * CLAB__NS_PER_S + (uint64_t)ts->tv_nsec;
}

static inline struct timespec clab__ns_ts(uint64_t ns)
{
	return (struct timespec){.tv_sec = (time_t)(ns / CLAB__NS_PER_S),
				 .tv_nsec = (long)(ns % CLAB__NS_PER_S)};
}

/* *ts moved ns (or ms) later. */
static inline void clab__ts_add_ns(struct timespec *ts, uint64_t ns)
{
	ts->tv_sec += (time_t)(ns / CLAB__NS_PER_S);
	ts->tv_nsec += (long)(ns % CLAB__NS_PER_S);
	if (ts->tv_nsec >= (long)CLAB__NS_PER_S) {
		ts->tv_sec++;
		ts->tv_nsec -= (long)CLAB__NS_PER_S;
	}
}

static inline void clab__ts_add_ms(struct timespec *ts, uint32_t ms)
{
	clab__ts_add_ns(ts, (uint64_t)ms * 1000000u);
}

/* Whether a comes before b. */
static inline int clab__ts_before(const struct timespec *a,
				  const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	       (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* b - a in milliseconds (negative when b comes first). */
static inline double clab__ts_ms_between(const struct timespec *a,
					 const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

/* Clock clk now, in nanoseconds. */
static inline uint64_t clab__now_of(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return clab__ts_ns(&ts);
}

/* CLOCK_MONOTONIC now, in nanoseconds. */
static inline uint64_t clab__mono_ns(void)
{
	return clab__now_of(CLOCK_MONOTONIC);
}

/*
 * clab__nap - sleep for d on the monotonic clock, through ppoll, which the
 * preload library does not stand in for: a traced program's sleep
 * functions are the library's, which under the controlled scheduler sleep
 * on its virtual clock (a crash's wait for the writer would pass at once
 * there).
 */
void clab__nap(const struct timespec *d);

/* clock clk ms from now, for a timed wait on it. */
static inline void clab__ts_in_ms(struct timespec *ts, clockid_t clk,
				  uint32_t ms)
{
	clock_gettime(clk, ts);
	clab__ts_add_ms(ts, ms);
}

/*
 * clab__grow - make room in the array *arr of *cap elements of elem bytes
 * for at least need: the capacity doubles (from 16) and the new elements
 * are zero.  Returns 0, or -1 when memory is short or the capacity would
 * pass 32 bits (ids are).  *arr and *cap change only on success.
 */
int clab__grow(void **arr, uint32_t *cap, uint64_t need, size_t elem);

/* Room for arr[n]: clab__grow for a typed array; 0 or -1. */
#define CLAB__GROW(arr, n, cap)                                                \
	((n) < (cap) ? 0                                                       \
		     : clab__grow((void **)&(arr), &(cap), (uint64_t)(n) + 1,  \
				  sizeof(*(arr))))

/* qsort comparisons: ascending uint32_t, uint64_t and double. */
int clab__cmp_u32(const void *a, const void *b);
int clab__cmp_u64(const void *a, const void *b);
int clab__cmp_double(const void *a, const void *b);

/* Sort v[0..n) and return its median (0 for n == 0). */
double clab__median(double *v, size_t n);

#endif
