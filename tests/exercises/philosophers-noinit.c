/*
 * A waiter semaphore that is never initialised (table_init forgot
 * clab_sem_init): every call on it is refused with a bad-object
 * diagnostic.  The forks are taken in order, so the run is otherwise
 * correct and only "no misuse" fails.
 */
#include "philosophers.h"

static clab_sem_t waiter;

void get_forks(struct table *t, int i)
{
	int left = i, right = (i + 1) % t->n;

	clab_sem_acquire(&waiter);
	clab_mutex_lock(&t->fork[left < right ? left : right]);
	clab_mutex_lock(&t->fork[left < right ? right : left]);
}

void put_forks(struct table *t, int i)
{
	clab_mutex_unlock(&t->fork[(i + 1) % t->n]);
	clab_mutex_unlock(&t->fork[i]);
	clab_sem_release(&waiter);
}
