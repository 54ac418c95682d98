/*
 * A recursive lock from a plain mutex: your solution.
 *
 * Build and run it (from this directory):
 *     conclab exercise rlock rlock.c
 *
 * As written, the lock is a plain mutex: when decr() takes it and calls
 * incr(), which takes it again, the second clab_mutex_lock() is refused
 * (a relock, which would wait for ever on a real mutex), incr()'s
 * rl_unlock() lets go of the lock decr() still needs, and decr()'s own
 * rl_unlock() unlocks a mutex nobody holds.  It compiles and runs, and
 * the checker shows the relocks and the other thread going in while
 * decr() thought it held the lock.  Count the owner's levels, so that
 * only the last rl_unlock() lets go, and make rl_wait() let go of every
 * level and take them all back.
 */
#include <stdlib.h>

#include "rlock.h"

struct rlock {
	clab_mutex_t lock; /* held by the owner, once */
	clab_cond_t changed;
};

struct rlock *rl_new(void)
{
	struct rlock *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	clab_mutex_init(&l->lock, "rl.lock", CLAB_MUTEX_NORMAL);
	clab_cond_init(&l->changed, "rl.changed");
	return l;
}

void rl_lock(struct rlock *l)
{
	/* replace this: the owner may not take a plain mutex again */
	clab_mutex_lock(&l->lock);
}

void rl_unlock(struct rlock *l)
{
	/* replace this: only the owner's last unlock lets go */
	clab_mutex_unlock(&l->lock);
}

void rl_wait(struct rlock *l)
{
	/* replace this: let go of every level, and take them all back */
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
