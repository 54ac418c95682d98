/*
 * Thread-local state, as an exercise: build a value that is each
 * thread's own, as Python's threading.local() is.  `conclab exercise tls
 * tls.c` makes one with local_new() and runs `threads` threads (3),
 * counter-1, counter-2..., that start together and each count `rounds`
 * rounds (5) on it in steps of their number: a round reads the value with
 * local_get(), pauses `gap_ms` (1), writes the value plus the step back
 * with local_set(), and pauses again.  At the end counter-K's value should
 * be K times `rounds`.
 *
 * struct local is yours: define it in your file.  A thread's value must
 * be its own: 0 until the thread first sets it, and never another
 * thread's, however the threads interleave.  A _Thread_local variable,
 * a pthread key (pthread_key_create(), pthread_getspecific(),
 * pthread_setspecific()), conclab's recorded key (clab_key_create(&k,
 * name, free), clab_key_get(), clab_key_set(), clab_key_delete():
 * <conclab/runtime.h>) or a table of your own guarded by a conclab mutex
 * are all fine; a value that every thread shares, the mistake the lab
 * shows, is not, behind a key or not.  The harness only passes the pointer that
 * local_new() returned.
 *
 * The harness records "read" (what your local_get() returned), "write"
 * (what it gave local_set()) and, after the last round, "total" (what
 * local_get() returned then); the checker reads those, never notes of
 * your own.
 *
 * The checks: each thread read back only what it had written itself ("own
 * counter"), and ended with its number times the rounds ("each counted
 * its rounds"); with a clab key, also that no value of it was held by two
 * threads at once ("own key value") and that the key's destructor freed
 * each thread's value when the thread ended ("freed at thread end"); no
 * deadlock, no misuse, no busy waiting, every thread ends.
 */
#ifndef CONCLAB_EXERCISE_TLS_H
#define CONCLAB_EXERCISE_TLS_H

#include <conclab/runtime.h>

struct local;

/* local_new - a value for each thread, 0 in every thread, or NULL.
 * Required. */
struct local *local_new(void);
/* local_get - the calling thread's value (0 before it set one).
 * Required. */
long local_get(struct local *l);
/* local_set - set the calling thread's value; no other thread's changes.
 * Required. */
void local_set(struct local *l, long value);
/* local_free - optional: free it after every thread has ended. */
void local_free(struct local *l);

#endif
