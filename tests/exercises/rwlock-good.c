/* rwlock: writer preference, no reader goes in while a writer waits. */
#include <stdlib.h>

#include "rwlock.h"

struct rw {
	clab_mutex_t lock;
	clab_cond_t changed;
	int readers, writing, waiting_writers;
};

struct rw *rw_new(void)
{
	struct rw *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	clab_mutex_init(&l->lock, "rw.lock", CLAB_MUTEX_NORMAL);
	clab_cond_init(&l->changed, "rw.changed");
	return l;
}

void rw_read_lock(struct rw *l)
{
	clab_mutex_lock(&l->lock);
	while (l->writing || l->waiting_writers > 0)
		clab_cond_wait(&l->changed, &l->lock);
	l->readers++;
	clab_mutex_unlock(&l->lock);
}

void rw_read_unlock(struct rw *l)
{
	clab_mutex_lock(&l->lock);
	if (--l->readers == 0)
		clab_cond_broadcast(&l->changed);
	clab_mutex_unlock(&l->lock);
}

void rw_write_lock(struct rw *l)
{
	clab_mutex_lock(&l->lock);
	l->waiting_writers++;
	while (l->writing || l->readers > 0)
		clab_cond_wait(&l->changed, &l->lock);
	l->waiting_writers--;
	l->writing = 1;
	clab_mutex_unlock(&l->lock);
}

void rw_write_unlock(struct rw *l)
{
	clab_mutex_lock(&l->lock);
	l->writing = 0;
	clab_cond_broadcast(&l->changed);
	clab_mutex_unlock(&l->lock);
}

void rw_free(struct rw *l)
{
	clab_cond_destroy(&l->changed);
	clab_mutex_destroy(&l->lock);
	free(l);
}
