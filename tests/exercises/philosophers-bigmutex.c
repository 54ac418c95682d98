/*
 * Wrong: one pthread mutex for the whole table, taken around the forks.
 * No deadlock, but conclab cannot see the mutex: refused.
 */
#include <pthread.h>

#include "philosophers.h"

static pthread_mutex_t table = PTHREAD_MUTEX_INITIALIZER;

void get_forks(struct table *t, int i)
{
	pthread_mutex_lock(&table);
	clab_mutex_lock(&t->fork[i]);
	clab_mutex_lock(&t->fork[(i + 1) % t->n]);
	pthread_mutex_unlock(&table);
}

void put_forks(struct table *t, int i)
{
	clab_mutex_unlock(&t->fork[(i + 1) % t->n]);
	clab_mutex_unlock(&t->fork[i]);
}
