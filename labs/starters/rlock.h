/*
 * A recursive lock, as an exercise: build one that its owner may take
 * again, from a conclab mutex, and a condition wait over it that lets go
 * of every level.  `conclab exercise rlock rlock.c` runs two parts, one
 * after the other, each on a lock of its own from rl_new().
 *
 * The counter: `threads` threads (2), user-1, user-2..., each call incr(2)
 * and decr(1) `rounds` times (3).  incr() takes the lock, adds, and lets
 * go; decr() takes the lock, holds it a millisecond, calls incr(), which
 * takes it again in the same thread, and holds it a millisecond more
 * before it lets go.
 *
 * The box: a consumer takes `rounds` items out of a one-slot box.  It
 * takes the lock `depth` times (2), as a method that calls another
 * method, and at the innermost level calls rl_wait() while the box is
 * empty.  A producer takes the lock once to put each item in, and calls
 * rl_wait() while the box is full.  Each calls rl_notify_all() once it
 * changed the box, and the consumer holds the lock a millisecond longer
 * between its last two rl_unlock() calls.
 *
 * struct rlock is yours: define it in your file from <conclab/runtime.h>,
 * for instance a clab_mutex_t of type CLAB_MUTEX_NORMAL, a condition
 * variable, the owner (clab_thread_self()) and how many times it holds
 * the lock.  Not a CLAB_MUTEX_RECURSIVE mutex, which counts the levels
 * for you: that is the answer, and "counts its own levels" fails.
 *
 * The harness records "enter" (the level: 1 for the outermost) when your
 * rl_lock() returned, "leave" (the level) just before it calls
 * rl_unlock(), and "wait" and "woke" around rl_wait(); the checker holds
 * your lock to those, never to notes of your own.
 *
 * The checks: no thread went in while another held the lock ("one
 * holder"); an owner's second rl_lock() returns at once and its first
 * rl_unlock() of two does not let go ("re-entry": a plain mutex locked
 * again by its owner is refused as a relock); a wait lets go of every
 * level and takes them all back ("levels restored"); the counter ends
 * right and the items come out in order; no deadlock, no misuse, no
 * busy waiting, every thread ends.
 */
#ifndef CONCLAB_EXERCISE_RLOCK_H
#define CONCLAB_EXERCISE_RLOCK_H

#include <conclab/runtime.h>

struct rlock;

/* rl_new - an unlocked recursive lock, or NULL.  Required. */
struct rlock *rl_new(void);
/*
 * rl_lock - take the lock: at once when the calling thread holds it
 * already (one level more), else when no other thread holds it.
 * Required.
 */
void rl_lock(struct rlock *l);
/*
 * rl_unlock - let go of one level; the lock is free for others once its
 * owner let go of as many levels as it took.  Required.
 */
void rl_unlock(struct rlock *l);
/*
 * rl_wait - the caller holds the lock (perhaps several levels): let go
 * of every level, wait until rl_notify_all() is called, then take the
 * lock back with as many levels as before.  It may return without a
 * notify (the harness checks its condition again).  Required.
 */
void rl_wait(struct rlock *l);
/*
 * rl_notify_all - the caller holds the lock: wake every thread in
 * rl_wait() on it.  Required.
 */
void rl_notify_all(struct rlock *l);
/* rl_free - optional: free the lock after every thread has ended. */
void rl_free(struct rlock *l);

#endif
