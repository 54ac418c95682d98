/*
 * The dining philosophers, as an exercise: `conclab exercise philosophers
 * philosophers.c` runs N philosopher threads against your get_forks() and
 * put_forks() and grades what they did from the trace.
 *
 * Philosopher i's left fork is t->fork[i] and the right one is
 * t->fork[(i + 1) % t->n].  The forks are conclab mutexes (see
 * <conclab/runtime.h>), named fork-0, fork-1, ...; they are initialised
 * before table_init() and destroyed after table_destroy().
 *
 * Each philosopher does, meals times:
 *     think;  get_forks(t, i);  eat (holding both forks);  put_forks(t, i);
 * The harness records the "eat" note between your two calls, so eating
 * happens exactly while your get_forks() has returned and put_forks() has
 * not been called.
 *
 * The checks: a fork is never held by two philosophers, a philosopher
 * holds both its forks when the harness records "eat" (a meal eaten
 * without them does not count), every philosopher eats every meal, no
 * deadlock, no misuse, no lock-order cycle, no busy waiting, every thread
 * ends.
 */
#ifndef CONCLAB_EXERCISE_PHILOSOPHERS_H
#define CONCLAB_EXERCISE_PHILOSOPHERS_H

#include <conclab/runtime.h>

#define PHIL_MAX 16

struct table {
	int n;			     /* philosophers, and forks (2..PHIL_MAX) */
	clab_mutex_t fork[PHIL_MAX]; /* fork[0..n-1], ready to use */
	void *user;		     /* yours: set it in table_init() */
};

/*
 * table_init - optional: called once in the main thread before the
 * philosophers start, for whatever else your solution needs (for example
 * a semaphore: allocate it, clab_sem_init() it, keep it in t->user).
 */
void table_init(struct table *t);
/* get_forks - return holding both of philosopher i's forks.  Required. */
void get_forks(struct table *t, int i);
/* put_forks - put philosopher i's forks back.  Required. */
void put_forks(struct table *t, int i);
/* table_destroy - optional: undo table_init() after everyone has left. */
void table_destroy(struct table *t);

#endif
