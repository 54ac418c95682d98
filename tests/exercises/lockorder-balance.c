/*
 * lockorder: the richer account's lock first.  An order, but one that
 * changes as money moves: after some transfers b is the richer one, and
 * the two locks are taken the other way round (a wrong solution: "lock
 * order" fails, or the run deadlocks).
 */
#include "lockorder.h"

void lock_both(struct account *from, struct account *to)
{
	struct account *first = from->balance >= to->balance ? from : to;
	struct account *second = first == from ? to : from;

	clab_mutex_lock(&first->lock);
	clab_mutex_lock(&second->lock);
}

void unlock_both(struct account *from, struct account *to)
{
	clab_mutex_unlock(&from->lock);
	clab_mutex_unlock(&to->lock);
}
