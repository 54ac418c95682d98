/*
 * A reusable barrier, as an exercise: build one from a conclab mutex and
 * a condition variable.  `conclab exercise barrier barrier.c` makes one
 * for `parties` threads (3) and runs them through 2 * `rounds` steps (6):
 * each party works on step s, then calls bar_wait(), and must not begin
 * step s + 1 before every party has finished step s.  The same barrier
 * serves every step.
 *
 * struct bar is yours: define it in your file (from <conclab/runtime.h>;
 * not clab_barrier_t, which is the answer).  The harness only passes the
 * pointer that bar_new() returned.
 *
 * The harness records "step" (s) when a party begins step s and "done"
 * (s) when it finished it, just before it calls bar_wait().
 *
 * The checks: no party began a step before every party had finished the
 * one before, every party did every step, no deadlock, no misuse, no busy
 * waiting, every thread ends.
 */
#ifndef CONCLAB_EXERCISE_BARRIER_H
#define CONCLAB_EXERCISE_BARRIER_H

#include <conclab/runtime.h>

struct bar;

/* bar_new - a barrier for parties threads (2..16), or NULL.  Required. */
struct bar *bar_new(int parties);
/*
 * bar_wait - wait until every party has called bar_wait() for this step,
 * then return (in every party).  Required.
 */
void bar_wait(struct bar *b);
/* bar_free - optional: free the barrier after every thread has ended. */
void bar_free(struct bar *b);

#endif
