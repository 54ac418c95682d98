/*
 * A round-robin handoff between cooperative tasks, as an exercise: build
 * it from a conclab mutex and condition variables.  `conclab exercise
 * coop coop.c` starts `tasks` threads (3), task-0, task-1, ..., that
 * each take `steps` steps (3) of `work_ms` (1), one task at a time: a
 * task calls rr_wait_turn() before its first step, and after each step
 * rr_yield() then, unless that was its last step, rr_wait_turn() again.
 * task-0 has the first turn; a turn passes to the next task in index
 * order (after the last, task-0 again) that has steps left.
 *
 * struct rr is yours: define it in your file (from <conclab/runtime.h>).
 * The harness only passes the pointer that rr_new() returned.
 *
 * The harness records "run" (k) when rr_wait_turn() returned for step k,
 * "step" (k) for step k, then "yield" (k), or "done" (k) after the last
 * step, just before it calls rr_yield().
 *
 * The checks: one task at a time, the steps in round-robin order, every
 * task progressed and took its last step, no deadlock, no misuse, no
 * busy waiting, every thread ends.
 */
#ifndef CONCLAB_EXERCISE_COOP_H
#define CONCLAB_EXERCISE_COOP_H

#include <conclab/runtime.h>

struct rr;

/*
 * rr_new - the handoff of tasks tasks (1..16), task 0's turn first; or
 * NULL.  Required.
 */
struct rr *rr_new(int tasks);
/* rr_wait_turn - return when it is task id's turn.  Required. */
void rr_wait_turn(struct rr *s, int id);
/*
 * rr_yield - end task id's turn: pass the turn to the next task, in index
 * order, that has steps left, and wake it.  last: id took its last step
 * and never waits for a turn again.  Required.
 */
void rr_yield(struct rr *s, int id, int last);
/* rr_free - optional: free it after every thread has ended. */
void rr_free(struct rr *s);

#endif
