/*
 * rlock: conclab's own recursive mutex, which counts the levels itself,
 * and a condition wait over it (a cheat: it runs right, but the lock
 * counts nothing, and "counts its own levels" fails).
 */
#include <stdlib.h>

#include "rlock.h"

struct rlock {
	clab_mutex_t lock;
	clab_cond_t changed;
};

struct rlock *rl_new(void)
{
	struct rlock *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	clab_mutex_init(&l->lock, "rl.lock", CLAB_MUTEX_RECURSIVE);
	clab_cond_init(&l->changed, "rl.changed");
	return l;
}

void rl_lock(struct rlock *l)
{
	clab_mutex_lock(&l->lock);
}

void rl_unlock(struct rlock *l)
{
	clab_mutex_unlock(&l->lock);
}

void rl_wait(struct rlock *l)
{
	clab_cond_wait(&l->changed, &l->lock);
}

void rl_notify_all(struct rlock *l)
{
	clab_cond_broadcast(&l->changed);
}

void rl_free(struct rlock *l)
{
	clab_cond_destroy(&l->changed);
	clab_mutex_destroy(&l->lock);
	free(l);
}
