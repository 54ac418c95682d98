/*
 * rwlock: writers wait for each other but not for the readers: a reader
 * inside sees a write half done (a wrong solution: "reads whole" fails).
 */
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
	while (l->writing)
		clab_cond_wait(&l->changed, &l->lock);
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
