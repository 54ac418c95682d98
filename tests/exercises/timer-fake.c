/*
 * Wrong: ticker_wait() does not wait: it returns the next tick number at
 * once, so that each waiter "sees" ticks 1, 2, 3... in order, long
 * before the ticker makes them.  The harness checks each return against
 * the ticker's own record: "waits end at ticks" fails.
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
	(void)t;
	return last_seen + 1;
}
