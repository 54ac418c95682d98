/*
 * A periodic timer on a condition variable, as an exercise: `conclab
 * exercise timer timer.c` runs a ticker thread that calls ticker_tick()
 * every interval_ms, and two waiter threads, "countdown" (10 ticks) and
 * "countup" (5 ticks), that call ticker_wait() for each tick, and grades
 * what they saw from the trace.
 *
 * struct ticker is yours: define it in your file (the tick count and the
 * synchronisation, from <conclab/runtime.h>).  The harness only passes the
 * pointer that ticker_new() returned.
 *
 * The harness records "tick" n just before its n-th call of ticker_tick(),
 * and "saw" with what ticker_wait() returned.
 *
 * The checks: every waiter sees every tick exactly once, in order (tick 1,
 * 2, 3, ...: none missed, none twice), only ticks the ticker has made, no
 * deadlock, no misuse, no busy waiting, every thread ends.
 */
#ifndef CONCLAB_EXERCISE_TIMER_H
#define CONCLAB_EXERCISE_TIMER_H

#include <conclab/runtime.h>

struct ticker;

/* ticker_new - a ticker whose count is 0, or NULL.  Required. */
struct ticker *ticker_new(void);
/* ticker_tick - count one more tick and wake the waiters.  Required. */
void ticker_tick(struct ticker *t);
/*
 * ticker_wait - wait for a tick after last_seen (0 before the first) and
 * return the tick count that ended the wait.  Required.
 */
int ticker_wait(struct ticker *t, int last_seen);
/* ticker_free - optional: free the ticker after every thread has ended. */
void ticker_free(struct ticker *t);

#endif
