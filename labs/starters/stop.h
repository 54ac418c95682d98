/*
 * Stopping a worker, as an exercise: build a stop request from a conclab
 * mutex and a condition variable.  `conclab exercise stop stop.c` makes
 * one, starts `workers` threads (2) that check it between units of work
 * and pause `poll_ms` (5) after each, lets them run for `run_ms` (20) and
 * then asks them to stop.  A worker must see the request at its first
 * check after it, and a worker that pauses when it comes must be woken at
 * once: it does not sleep on through the stop.
 *
 * struct stopper is yours: define it in your file (from
 * <conclab/runtime.h>).  The harness only passes the pointer that
 * stopper_new() returned.
 *
 * The harness records, under a mutex of its own ("board") that it also
 * holds around stopper_request(): "poll" (n) when a worker's n-th check
 * found no request, "stopped" (n) when a check found it, "stop" (0) once
 * stopper_request() returned; and "pause" (n) and "resume" (n) around
 * each stopper_pause().
 *
 * The checks: the stop was asked once and no worker stopped before it,
 * every worker stopped at its first check after it, none paused on
 * through it, no deadlock, no misuse, no busy waiting, every thread ends.
 */
#ifndef CONCLAB_EXERCISE_STOP_H
#define CONCLAB_EXERCISE_STOP_H

#include <conclab/runtime.h>

struct stopper;

/* stopper_new - a stopper, no stop requested yet, or NULL.  Required. */
struct stopper *stopper_new(void);
/* stopper_request - ask every worker to stop, once.  Required. */
void stopper_request(struct stopper *s);
/* stopper_requested - whether a stop was requested (1) or not (0).
 * Required. */
int stopper_requested(struct stopper *s);
/*
 * stopper_pause - pause for ms milliseconds, or less: return at once when
 * a stop is requested, before or during the pause.  Required.
 */
void stopper_pause(struct stopper *s, int ms);
/* stopper_free - optional: free the stopper after every thread ended. */
void stopper_free(struct stopper *s);

#endif
