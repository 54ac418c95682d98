/*
 * A shared counter, as an exercise: `conclab exercise race race.c` runs
 * `threads` threads (4) that each call counter_add() `rounds` times (50),
 * then reads the total with counter_value(), and grades from the trace
 * whether any update was lost.
 *
 * struct counter is yours: define it in your file, with the value as an
 * `_Atomic long` and whatever synchronisation you need (conclab mutexes
 * from <conclab/runtime.h>).  The harness only passes the pointer that
 * counter_new() returned.
 *
 * Touch the value only through the three macros below: each records what
 * it did, for the checker, and is a point where another thread may run,
 * as on a real machine.  counter_read() and counter_write() are two steps
 * (another thread may update the counter between them); counter_inc()
 * adds one in a single atomic step.
 *
 * The checks: every thread made its updates, no update wrote a value
 * another one had written (a lost update: two threads read the same value
 * and both wrote it back plus one), the counter ends at threads * rounds,
 * no deadlock, no misuse, every thread ends.
 */
#ifndef CONCLAB_EXERCISE_RACE_H
#define CONCLAB_EXERCISE_RACE_H

#include <stdatomic.h>

#include <conclab/runtime.h>

struct counter;

/* counter_new - a counter at 0, or NULL.  Required. */
struct counter *counter_new(void);
/* counter_add - add one to the counter.  Required. */
void counter_add(struct counter *c);
/* counter_value - the counter, once every thread has ended.  Required. */
long counter_value(struct counter *c);
/* counter_free - optional: free the counter after every thread ended. */
void counter_free(struct counter *c);

/* The value at p (an _Atomic long *), recorded as "read". */
#define counter_read(p)                                                        \
	({                                                                     \
		long clab_v_ =                                                 \
		    atomic_load_explicit((p), memory_order_relaxed);           \
		clab_note("read", clab_v_);                                    \
		clab_v_;                                                       \
	})
/* Store v at p, recorded as "write". */
#define counter_write(p, v)                                                    \
	do {                                                                   \
		long clab_w_ = (v);                                            \
		atomic_store_explicit((p), clab_w_, memory_order_relaxed);     \
		clab_note("write", clab_w_);                                   \
	} while (0)
/* Add one at p in one atomic step, recorded as "write"; the new value. */
#define counter_inc(p)                                                         \
	({                                                                     \
		long clab_n_ = atomic_fetch_add((p), 1) + 1;                   \
		clab_note("write", clab_n_);                                   \
		clab_n_;                                                       \
	})

#endif
