/*
 * Wrong: ticker_wait() polls the count under the lock, unlocking and
 * locking again, instead of waiting on a condition variable.  It sees
 * every tick, but "busy waiting" fails with the loop's sites.
 */
#include <stdlib.h>

#include "timer.h"

struct ticker {
	clab_mutex_t lock;
	int count;
};

struct ticker *ticker_new(void)
{
	struct ticker *t = calloc(1, sizeof(*t));

	clab_mutex_init(&t->lock, "ticker.lock", CLAB_MUTEX_NORMAL);
	return t;
}

void ticker_tick(struct ticker *t)
{
	clab_mutex_lock(&t->lock);
	t->count++;
	clab_mutex_unlock(&t->lock);
}

int ticker_wait(struct ticker *t, int last_seen)
{
	int seen;

	clab_mutex_lock(&t->lock);
	while (t->count == last_seen) {
		clab_mutex_unlock(&t->lock);
		clab_mutex_lock(&t->lock);
	}
	seen = t->count;
	clab_mutex_unlock(&t->lock);
	return seen;
}
