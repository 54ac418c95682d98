/*
 * A counting semaphore, as an exercise: build one from a conclab mutex
 * and a condition variable.  `conclab exercise semaphore semaphore.c`
 * makes one of `limit` permits (2) and runs `workers` threads (6) that
 * each go `rounds` times (2) into a room: csem_acquire(), work, then
 * csem_release().  It grades from the trace how many were inside at once.
 *
 * struct csem is yours: define it in your file (the count of permits and
 * the synchronisation, from <conclab/runtime.h>; not clab_sem_t, which is
 * the answer).  The harness only passes the pointer that csem_new()
 * returned.
 *
 * The harness records "enter" (the round) just after your csem_acquire()
 * returned, and "leave" just before it calls csem_release().
 *
 * The checks: every worker went in every round, never more than `limit`
 * workers inside at once, no deadlock, no misuse, no busy waiting, every
 * thread ends.
 */
#ifndef CONCLAB_EXERCISE_SEMAPHORE_H
#define CONCLAB_EXERCISE_SEMAPHORE_H

#include <conclab/runtime.h>

struct csem;

/* csem_new - a semaphore of permits permits (1..16), or NULL.  Required. */
struct csem *csem_new(int permits);
/* csem_acquire - take a permit, waiting while there is none.  Required. */
void csem_acquire(struct csem *s);
/* csem_release - give a permit back, and let a waiter go.  Required. */
void csem_release(struct csem *s);
/* csem_free - optional: free the semaphore after every thread ended. */
void csem_free(struct csem *s);

#endif
