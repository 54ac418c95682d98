/*
 * Wrong: the philosophers take forks of their own, mutexes this solution
 * names fork-0, fork-1, ... like the table's, in one global order, and
 * never touch the table's forks; a thread of its own is named phil-1.  The
 * checker and the picture know the table's forks and philosophers by the
 * roles the harness declared, not by names: "eats holding both forks"
 * fails, with the real phil-1.
 */
#include <stdio.h>

#include "philosophers.h"

static clab_mutex_t decoy[PHIL_MAX];
static clab_thread_t *impostor;

static void *idle(void *arg)
{
	return arg;
}

void table_init(struct table *t)
{
	char name[16];

	for (int i = 0; i < t->n; i++) {
		snprintf(name, sizeof(name), "fork-%d", i);
		clab_mutex_init(&decoy[i], name, CLAB_MUTEX_NORMAL);
	}
	clab_thread_create(&impostor, "phil-1", idle, NULL);
}

void get_forks(struct table *t, int i)
{
	int left = i, right = (i + 1) % t->n;

	clab_mutex_lock(&decoy[left < right ? left : right]);
	clab_mutex_lock(&decoy[left < right ? right : left]);
}

void put_forks(struct table *t, int i)
{
	clab_mutex_unlock(&decoy[(i + 1) % t->n]);
	clab_mutex_unlock(&decoy[i]);
}

void table_destroy(struct table *t)
{
	clab_thread_join(impostor, NULL);
	for (int i = 0; i < t->n; i++)
		clab_mutex_destroy(&decoy[i]);
}
