/*
 * The classic mistake: left fork, then right fork.  The pause between
 * the two makes the deadlock certain rather than likely.
 */
#include "philosophers.h"

void get_forks(struct table *t, int i)
{
	clab_mutex_lock(&t->fork[i]);
	clab_sleep_ms(50);
	clab_mutex_lock(&t->fork[(i + 1) % t->n]);
}

void put_forks(struct table *t, int i)
{
	clab_mutex_unlock(&t->fork[(i + 1) % t->n]);
	clab_mutex_unlock(&t->fork[i]);
}
