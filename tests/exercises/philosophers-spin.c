/* Wrong: philosopher 0 spins forever on a flag nobody sets. */
#include "philosophers.h"

static volatile int go;

void get_forks(struct table *t, int i)
{
	int left = i, right = (i + 1) % t->n;

	while (i == 0 && !go)
		;
	clab_mutex_lock(&t->fork[left < right ? left : right]);
	clab_mutex_lock(&t->fork[left < right ? right : left]);
}

void put_forks(struct table *t, int i)
{
	clab_mutex_unlock(&t->fork[(i + 1) % t->n]);
	clab_mutex_unlock(&t->fork[i]);
}
