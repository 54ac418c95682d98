/*
 * Wrong: a philosopher takes its forks and puts them straight back before
 * eating, so that nobody ever waits and nothing can deadlock.  At the
 * harness's "eat" it holds neither fork: "eats holding both forks" and
 * "meals eaten" fail.
 */
#include "philosophers.h"

void get_forks(struct table *t, int i)
{
	int left = i, right = (i + 1) % t->n;

	clab_mutex_lock(&t->fork[left < right ? left : right]);
	clab_mutex_lock(&t->fork[left < right ? right : left]);
	clab_mutex_unlock(&t->fork[left < right ? right : left]);
	clab_mutex_unlock(&t->fork[left < right ? left : right]);
}

void put_forks(struct table *t, int i)
{
	(void)t;
	(void)i;
}
