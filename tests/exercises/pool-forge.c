/*
 * pool: fut_get() does not wait; fut_new() notes "job-done" for each
 * job at once to make every result look ready (a cheat: the checker
 * reads only the harness's notes, and "results read after done" fails).
 */
#include <stdlib.h>

#include "pool.h"

struct fut {
	clab_mutex_t lock;
	long value;
};

static long made;

struct fut *fut_new(void)
{
	struct fut *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	clab_mutex_init(&f->lock, "fut.lock", CLAB_MUTEX_NORMAL);
	made++;
	clab_note2("job-done", made, made * made);
	return f;
}

void fut_set(struct fut *f, long value)
{
	clab_mutex_lock(&f->lock);
	f->value = value;
	clab_mutex_unlock(&f->lock);
}

long fut_get(struct fut *f)
{
	clab_mutex_lock(&f->lock);
	long value = f->value;
	clab_mutex_unlock(&f->lock);
	return value;
}
