/*
 * A reader-writer lock from a mutex and condition variables: your
 * solution.
 *
 * Build and run it (from this directory):
 *     conclab exercise rwlock rwlock.c
 *
 * As written, the lock keeps writers apart from readers and from each
 * other, but it lets a reader in whenever no writer is inside, even
 * while a writer waits: readers that keep coming keep the writer out (it
 * starves).  It compiles and runs, and the checker shows the readers
 * overtaking the writer.  Change it so that no new reader goes in while a
 * writer waits.
 */
#include <stdlib.h>

#include "rwlock.h"

struct rw {
	clab_mutex_t lock;
	clab_cond_t changed; /* a reader or the writer left */
	int readers;	     /* reading now */
	int writing;	     /* a writer is inside */
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
	/* replace this: a waiting writer does not hold the readers back */
	while (l->writing)
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
	while (l->writing || l->readers > 0)
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

void rw_free(struct rw *l)
{
	clab_cond_destroy(&l->changed);
	clab_mutex_destroy(&l->lock);
	free(l);
}
