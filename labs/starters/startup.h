/*
 * A start signal, as an exercise: build a one-shot "ready" event from a
 * conclab mutex and a condition variable.  `conclab exercise startup
 * startup.c` makes one event, starts `workers` threads (3) that each call
 * event_wait() before they begin, prepares their configuration for
 * `prep_ms` (20), and then calls event_set().  No worker may begin before
 * the event is set; once it is set, every worker waiting for it goes on,
 * and a worker that comes to event_wait() later does not wait at all.
 *
 * struct event is yours: define it in your file (from <conclab/runtime.h>;
 * not clab_latch_t, which is the answer).  The harness only passes the
 * pointer that event_new() returned.
 *
 * The harness records "prepared" (the value) once the configuration is
 * written, just before it calls event_set(), and "read" (the value read)
 * when a worker begins, just after its event_wait() returned.
 *
 * The checks: every worker read the configuration after it was prepared,
 * every worker started, no deadlock, no misuse, no busy waiting, every
 * thread ends.
 */
#ifndef CONCLAB_EXERCISE_STARTUP_H
#define CONCLAB_EXERCISE_STARTUP_H

#include <conclab/runtime.h>

struct event;

/* event_new - an event not set yet, or NULL.  Required. */
struct event *event_new(void);
/* event_set - set the event: wake every waiter, now and later.  Required. */
void event_set(struct event *e);
/* event_wait - return once the event is set (at once if it is).  Required. */
void event_wait(struct event *e);
/* event_free - optional: free the event after every thread has ended. */
void event_free(struct event *e);

#endif
