/* pool: a value and a flag under a mutex, waited for (correct). */
#include <stdlib.h>

#include "pool.h"

struct fut {
	clab_mutex_t lock;
	clab_cond_t done;
	int set;
	long value;
};

struct fut *fut_new(void)
{
	struct fut *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	clab_mutex_init(&f->lock, "fut.lock", CLAB_MUTEX_NORMAL);
	clab_cond_init(&f->done, "fut.done");
	return f;
}

void fut_set(struct fut *f, long value)
{
	clab_mutex_lock(&f->lock);
	f->value = value;
	f->set = 1;
	clab_cond_broadcast(&f->done);
	clab_mutex_unlock(&f->lock);
}

long fut_get(struct fut *f)
{
	clab_mutex_lock(&f->lock);
	while (!f->set)
		clab_cond_wait(&f->done, &f->lock);
	long value = f->value;
	clab_mutex_unlock(&f->lock);
	return value;
}

void fut_free(struct fut *f)
{
	clab_cond_destroy(&f->done);
	clab_mutex_destroy(&f->lock);
	free(f);
}
