/*
 * Wrong: philosopher 2's last put_forks() ends the process with _exit(0),
 * while the others may still be eating: reported, exit 1.
 */
#include <unistd.h>

#include "philosophers.h"

static int meals[PHIL_MAX];

void get_forks(struct table *t, int i)
{
	int left = i, right = (i + 1) % t->n;

	clab_mutex_lock(&t->fork[left < right ? left : right]);
	clab_mutex_lock(&t->fork[left < right ? right : left]);
}

void put_forks(struct table *t, int i)
{
	clab_mutex_unlock(&t->fork[(i + 1) % t->n]);
	clab_mutex_unlock(&t->fork[i]);
	if (i == 2 && ++meals[i] == 3)
		_exit(0);
}
