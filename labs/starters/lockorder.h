/*
 * Two locks in one order, as an exercise: transfers between two bank
 * accounts.  `conclab exercise lockorder lockorder.c` runs worker-1,
 * which moves money from account a to account b `rounds` times (3), and
 * worker-2, which moves it from b to a as often, at the same time.  For
 * each transfer the harness calls your lock_both(from, to), moves the
 * money, records "both" and calls your unlock_both(from, to).
 *
 * The accounts belong to the harness: each has a conclab mutex (lock-a
 * and lock-b), initialised before the workers start, and a number (1 and
 * 2) that never changes.  lock_both() must return holding both locks;
 * unlock_both() lets both go.
 *
 * The checks: each worker made its transfers, no deadlock, and no
 * lock-order cycle: the tracer records the order in which every thread
 * takes its locks, and fails a run in which one thread takes lock-a then
 * lock-b and another lock-b then lock-a, even when the two never met and
 * nothing deadlocked this time; no misuse, every thread ends.
 */
#ifndef CONCLAB_EXERCISE_LOCKORDER_H
#define CONCLAB_EXERCISE_LOCKORDER_H

#include <conclab/runtime.h>

struct account {
	clab_mutex_t lock; /* lock-a, lock-b */
	int number;	   /* 1, 2: unique, never changes */
	long balance;	   /* moved by the harness while you hold both */
};

/* lock_both - return holding from->lock and to->lock.  Required. */
void lock_both(struct account *from, struct account *to);
/* unlock_both - let go of both locks.  Required. */
void unlock_both(struct account *from, struct account *to);

#endif
