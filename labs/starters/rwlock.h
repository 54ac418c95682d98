/*
 * A reader-writer lock, as an exercise: build one from a conclab mutex
 * and condition variables.  `conclab exercise rwlock rwlock.c` runs
 * `readers` threads (4) that each read a table `rounds` times (8), with
 * no pause between two reads, and `writers` (1) that each write it
 * `writes` times (2), starting a little after the readers.  A read holds
 * your lock for reading while it looks at the table's two fields,
 * `read_ms` apart; a write holds it for writing while it changes them.
 *
 * struct rw is yours: define it in your file (from <conclab/runtime.h>;
 * not clab_rwlock_t, which is the answer).  The harness only passes the
 * pointer that rw_new() returned.
 *
 * The harness records "want-read" or "want-write" just before it calls
 * your lock function, "read-in" or "write-in" when it returned, "read"
 * (both fields) after a read and "write" after a write.
 *
 * The checks: every read and write was made, no read saw a write half
 * done (a writer inside with a reader), and no reader that came after a
 * waiting writer went in before it: with readers that never pause, a
 * lock that lets readers in while a writer waits starves the writer.  No
 * deadlock, no misuse, no busy waiting, every thread ends.
 */
#ifndef CONCLAB_EXERCISE_RWLOCK_H
#define CONCLAB_EXERCISE_RWLOCK_H

#include <conclab/runtime.h>

struct rw;

/* rw_new - an unlocked reader-writer lock, or NULL.  Required. */
struct rw *rw_new(void);
/* rw_read_lock - wait until reading is allowed, then read.  Required. */
void rw_read_lock(struct rw *l);
/* rw_read_unlock - a reader is done.  Required. */
void rw_read_unlock(struct rw *l);
/* rw_write_lock - wait until the writer may be alone.  Required. */
void rw_write_lock(struct rw *l);
/* rw_write_unlock - the writer is done.  Required. */
void rw_write_unlock(struct rw *l);
/* rw_free - optional: free the lock after every thread has ended. */
void rw_free(struct rw *l);

#endif
