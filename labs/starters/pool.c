/*
 * A future from a mutex and a condition variable: your solution.
 *
 * Build and run it (from this directory):
 *     conclab exercise pool pool.c
 *
 * As written, fut_get() returns whatever the future holds, set or not:
 * main reads a result before the worker has made it.  It compiles and
 * runs, and the checker shows the results read too early.  Replace the
 * body of fut_get() so that it waits until fut_set() has given the
 * future its value, and let fut_set() wake it.
 */
#include <stdlib.h>

#include "pool.h"

struct fut {
	clab_mutex_t lock;
	int set; /* fut_set() was called */
	long value;
};

struct fut *fut_new(void)
{
	struct fut *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	clab_mutex_init(&f->lock, "fut.lock", CLAB_MUTEX_NORMAL);
	return f;
}

void fut_set(struct fut *f, long value)
{
	clab_mutex_lock(&f->lock);
	f->value = value;
	f->set = 1;
	clab_mutex_unlock(&f->lock);
}

long fut_get(struct fut *f)
{
	clab_mutex_lock(&f->lock);
	/* replace this: the value may not be there yet */
	long value = f->value;
	clab_mutex_unlock(&f->lock);
	return value;
}

void fut_free(struct fut *f)
{
	clab_mutex_destroy(&f->lock);
	free(f);
}
