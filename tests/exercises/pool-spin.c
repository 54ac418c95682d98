/*
 * pool: fut_get() lets go of the lock and takes it again until the value
 * is there (a wrong solution: "busy waiting" fails).
 */
#include <stdlib.h>

#include "pool.h"

struct fut {
	clab_mutex_t lock;
	int set;
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
	while (!f->set) {
		clab_mutex_unlock(&f->lock);
		clab_mutex_lock(&f->lock);
	}
	long value = f->value;
	clab_mutex_unlock(&f->lock);
	return value;
}
