/*
 * A value for each thread: your solution.
 *
 * Build and run it (from this directory):
 *     conclab exercise tls tls.c
 *
 * As written, struct local holds one value, and every thread reads and
 * writes that one: each thread counts the others' rounds too, and two
 * threads that read the same value lose an update.  It compiles and
 * runs, and the checker shows a thread reading a value another thread
 * wrote.  Give each thread a value of its own.
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "tls.h"

struct local {
	/* replace this: one value for every thread */
	_Atomic long value;
};

struct local *local_new(void)
{
	return calloc(1, sizeof(struct local));
}

long local_get(struct local *l)
{
	return atomic_load_explicit(&l->value, memory_order_relaxed);
}

void local_set(struct local *l, long value)
{
	atomic_store_explicit(&l->value, value, memory_order_relaxed);
}

void local_free(struct local *l)
{
	free(l);
}
