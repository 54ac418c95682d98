/*
 * tls: each thread's value behind a pthread key, as a threading.local()
 * object: allocated the first time the thread needs it, freed by the
 * key's destructor when the thread ends (a second right answer).
 */
#include <pthread.h>
#include <stdlib.h>

#include "tls.h"

struct local {
	pthread_key_t key;
};

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

/* The calling thread's value, made 0 the first time; NULL without memory. */
static long *mine(struct local *l)
{
	long *v = pthread_getspecific(l->key);

	if (v == NULL) {
		v = calloc(1, sizeof(*v));
		if (v != NULL && pthread_setspecific(l->key, v) != 0) {
			free(v);
			v = NULL;
		}
	}
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

void local_free(struct local *l)
{
	pthread_key_delete(l->key);
	free(l);
}
