/*
 * tls: each thread's value behind a pthread key, but found through a
 * cache in a plain static variable, to spare a lookup: the first thread's
 * value is the cache's, and every thread counts on it (a wrong solution:
 * state shared by mistake, and "own counter" fails).
 */
#include <pthread.h>
#include <stdlib.h>

#include "tls.h"

struct local {
	pthread_key_t key;
};

static long *cached; /* BUG: one for every thread */

struct local *local_new(void)
{
	struct local *l = malloc(sizeof(*l));

	if (l == NULL)
		return NULL;
	if (pthread_key_create(&l->key, free) != 0) {
		free(l);
		return NULL;
	}
	return l;
}

static long *mine(struct local *l)
{
	long *v;

	if (cached != NULL)
		return cached;
	v = pthread_getspecific(l->key);
	if (v == NULL) {
		v = calloc(1, sizeof(*v));
		if (v != NULL && pthread_setspecific(l->key, v) != 0) {
			free(v);
			v = NULL;
		}
	}
	cached = v;
	return v;
}

long local_get(struct local *l)
{
	long *v = mine(l);

	return v != NULL ? *v : 0;
}

void local_set(struct local *l, long value)
{
	long *v = mine(l);

	if (v != NULL)
		*v = value;
}
