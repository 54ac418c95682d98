/*
 * A periodic timer: your solution.
 *
 * Build and run it (from this directory):
 *     conclab exercise timer timer.c
 *
 * As written, ticker_wait() looks at the count once and returns at once,
 * without waiting for the next tick.  It compiles and runs, and the
 * checker shows the ticks seen twice.  Replace the bodies below so that
 * every waiter waits for, and sees, every tick.
 */
#include <stdlib.h>

#include "timer.h"

struct ticker {
	clab_mutex_t lock;
	int count; /* ticks so far */
};

struct ticker *ticker_new(void)
{
	struct ticker *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	clab_mutex_init(&t->lock, "ticker.lock", CLAB_MUTEX_NORMAL);
	return t;
}

void ticker_tick(struct ticker *t)
{
	clab_mutex_lock(&t->lock);
	t->count++;
	/* replace this: nobody is told about the tick */
	clab_mutex_unlock(&t->lock);
}

int ticker_wait(struct ticker *t, int last_seen)
{
	int seen;

	(void)last_seen; /* replace this: it does not wait for a new tick */
	clab_mutex_lock(&t->lock);
	seen = t->count;
	clab_mutex_unlock(&t->lock);
	clab_sleep_ms(5);
	return seen;
}

void ticker_free(struct ticker *t)
{
	clab_mutex_destroy(&t->lock);
	free(t);
}
