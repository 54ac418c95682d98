/*
 * A future, as an exercise: build one from a conclab mutex and a
 * condition variable.  `conclab exercise pool pool.c` makes a future for
 * each of `jobs` jobs (6), numbered from 1, and hands them to `workers`
 * worker threads (3), worker-N: job j goes to worker-((j - 1) % workers
 * + 1), which works `work_ms` (2) on it, then sets its future to j * j
 * with fut_set().  Meanwhile the main thread reads the results in job
 * order with fut_get(), which waits for the value.
 *
 * struct fut is yours: define it in your file (from <conclab/runtime.h>;
 * not clab_future_t, which is the answer).  The harness only passes the
 * pointer that fut_new() returned.
 *
 * The harness records "submit" (j) when it made job j's future,
 * "job-done" (j, j * j) just before the worker calls fut_set(), and
 * "result" (j, value) when fut_get() gave main the value.
 *
 * The checks: every job done, each result read after its job was done
 * and with its job's value, no deadlock, no misuse, no busy waiting,
 * every thread ends.
 */
#ifndef CONCLAB_EXERCISE_POOL_H
#define CONCLAB_EXERCISE_POOL_H

#include <conclab/runtime.h>

struct fut;

/* fut_new - a future with no value yet, or NULL.  Required. */
struct fut *fut_new(void);
/*
 * fut_set - give the future its value (once; values are >= 1), and wake
 * whoever waits for it.  Required.
 */
void fut_set(struct fut *f, long value);
/*
 * fut_get - the future's value, waiting until fut_set() gave it one.
 * Required.
 */
long fut_get(struct fut *f);
/* fut_free - optional: free the future after every thread has ended. */
void fut_free(struct fut *f);

#endif
