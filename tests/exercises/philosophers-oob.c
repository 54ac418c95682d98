/*
 * The left neighbour's fork as (i - 1) % n, which is -1 for philosopher
 * 0: UBSan stops the run at the line, and the trace is saved and graded.
 */
#include "philosophers.h"

void get_forks(struct table *t, int i)
{
	int left = (i - 1) % t->n;
	if (left > i) {
		clab_mutex_lock(&t->fork[i]);
		clab_mutex_lock(&t->fork[left]);
	} else {
		clab_mutex_lock(&t->fork[left]);
		clab_mutex_lock(&t->fork[i]);
	}
}

void put_forks(struct table *t, int i)
{
	clab_mutex_unlock(&t->fork[(i - 1) % t->n]);
	clab_mutex_unlock(&t->fork[i]);
}
