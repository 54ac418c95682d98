/*
 * tls: a table of the threads' values, each found by its thread's id and
 * guarded by a conclab mutex: a thread that has no entry yet gets one, at
 * 0.
 */
#include <stdlib.h>

#include "tls.h"

#define LOCAL_MAX 64 /* threads with a value */

struct local {
	clab_mutex_t lock;
	int n;
	struct {
		uint32_t tid;
		long value;
	} slot[LOCAL_MAX];
};

struct local *local_new(void)
{
	struct local *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	clab_mutex_init(&l->lock, "local.lock", CLAB_MUTEX_NORMAL);
	return l;
}

/* The calling thread's entry, made at 0 if it has none; called holding
 * l->lock; NULL when the table is full. */
static long *mine(struct local *l)
{
	uint32_t tid = clab_thread_tid(clab_thread_self());

	for (int i = 0; i < l->n; i++)
		if (l->slot[i].tid == tid)
			return &l->slot[i].value;
	if (l->n == LOCAL_MAX)
		return NULL;
	l->slot[l->n].tid = tid;
	l->slot[l->n].value = 0;
	return &l->slot[l->n++].value;
}

long local_get(struct local *l)
{
	clab_mutex_lock(&l->lock);
	long *v = mine(l), value = v != NULL ? *v : 0;
	clab_mutex_unlock(&l->lock);
	return value;
}

void local_set(struct local *l, long value)
{
	clab_mutex_lock(&l->lock);
	long *v = mine(l);
	if (v != NULL)
		*v = value;
	clab_mutex_unlock(&l->lock);
}

void local_free(struct local *l)
{
	clab_mutex_destroy(&l->lock);
	free(l);
}
