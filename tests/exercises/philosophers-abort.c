/* Wrong: philosopher 1 gives up with abort() when it gets its forks. */
#include <stdlib.h>

#include "philosophers.h"

void get_forks(struct table *t, int i)
{
	int left = i, right = (i + 1) % t->n;

	clab_mutex_lock(&t->fork[left < right ? left : right]);
	clab_mutex_lock(&t->fork[left < right ? right : left]);
	if (i == 1)
		abort();
}

void put_forks(struct table *t, int i)
{
	clab_mutex_unlock(&t->fork[(i + 1) % t->n]);
	clab_mutex_unlock(&t->fork[i]);
}
