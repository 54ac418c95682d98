/* lockorder: the lower-numbered account's lock first (correct). */
#include "lockorder.h"

void lock_both(struct account *from, struct account *to)
{
	struct account *first = from->number < to->number ? from : to;
	struct account *second = first == from ? to : from;

	clab_mutex_lock(&first->lock);
	clab_mutex_lock(&second->lock);
}

void unlock_both(struct account *from, struct account *to)
{
	clab_mutex_unlock(&from->lock);
	clab_mutex_unlock(&to->lock);
}
