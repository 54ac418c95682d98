/* The classic mistake: notify one waiter (signal) instead of all. */
#include <stdlib.h>

#include "timer.h"

struct ticker {
	clab_mutex_t lock;
	clab_cond_t ticked;
	int count;
};

struct ticker *ticker_new(void)
{
	struct ticker *t = calloc(1, sizeof(*t));

	clab_mutex_init(&t->lock, "ticker.lock", CLAB_MUTEX_NORMAL);
	clab_cond_init(&t->ticked, "ticker.ticked");
	return t;
}

void ticker_tick(struct ticker *t)
{
	clab_mutex_lock(&t->lock);
	t->count++;
	clab_cond_signal(&t->ticked); /* BUG: wakes only one */
	clab_mutex_unlock(&t->lock);
}

int ticker_wait(struct ticker *t, int last_seen)
{
	int seen;

	clab_mutex_lock(&t->lock);
	while (t->count == last_seen)
		clab_cond_wait(&t->ticked, &t->lock);
	seen = t->count;
	clab_mutex_unlock(&t->lock);
	return seen;
}

void ticker_free(struct ticker *t)
{
	clab_cond_destroy(&t->ticked);
	clab_mutex_destroy(&t->lock);
	free(t);
}
