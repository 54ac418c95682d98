/*
 * Transfers between two accounts: your solution.
 *
 * Build and run it (from this directory):
 *     conclab exercise lockorder lockorder.c
 *
 * As written, lock_both() takes the lock of the account the money comes
 * from, then the other one.  worker-1 (a to b) takes lock-a then lock-b,
 * worker-2 (b to a) lock-b then lock-a: when each has its first lock,
 * each waits for the other's forever.  It compiles and runs, and the
 * checker shows the deadlock, or the lock-order cycle that makes it
 * possible.  Change lock_both() so that every thread takes the two locks
 * in the same order.
 */
#include "lockorder.h"

void lock_both(struct account *from, struct account *to)
{
	/* replace this: the order depends on the direction of the transfer */
	clab_mutex_lock(&from->lock);
	clab_mutex_lock(&to->lock);
}

void unlock_both(struct account *from, struct account *to)
{
	clab_mutex_unlock(&to->lock);
	clab_mutex_unlock(&from->lock);
}
