/*
 * tls: a key (clab_key_*) that every thread sets to the same value, made
 * once by local_new(): the key looks thread-local, the value is not (a
 * wrong solution: state shared by mistake behind a key).  Besides "own
 * counter", the key's records show one value id held by several threads
 * ("own key value"), and no destructor frees the values ("freed at
 * thread end": one value cannot be freed by every thread).
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "tls.h"

struct local {
	clab_key_t key;
	_Atomic long value; /* BUG: one for every thread */
};

struct local *local_new(void)
{
	struct local *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	if (clab_key_create(&l->key, "local", NULL) != 0) {
		free(l);
		return NULL;
	}
	return l;
}

static _Atomic long *mine(struct local *l)
{
	_Atomic long *v = clab_key_get(&l->key);

	if (v == NULL && clab_key_set(&l->key, (void *)&l->value) == 0)
		v = &l->value;
	return v;
}

long local_get(struct local *l)
{
	_Atomic long *v = mine(l);

	return v != NULL ? atomic_load_explicit(v, memory_order_relaxed) : 0;
}

void local_set(struct local *l, long value)
{
	_Atomic long *v = mine(l);

	if (v != NULL)
		atomic_store_explicit(v, value, memory_order_relaxed);
}

void local_free(struct local *l)
{
	clab_key_delete(&l->key);
	free(l);
}
