/*
 * A one-shot "ready" event from a mutex and a condition variable: your
 * solution.
 *
 * Build and run it (from this directory):
 *     conclab exercise startup startup.c
 *
 * As written, event_wait() returns at once: the workers begin before the
 * configuration they work on is prepared, and read it unset.  It compiles
 * and runs, and the checker shows the workers starting too early.
 * Replace the bodies of event_set() and event_wait() so that a worker
 * waits until the event is set, and every waiter goes on once it is.
 */
#include <stdlib.h>

#include "startup.h"

struct event {
	clab_mutex_t lock;
	int set; /* 1 once event_set() was called */
};

struct event *event_new(void)
{
	struct event *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	clab_mutex_init(&e->lock, "event.lock", CLAB_MUTEX_NORMAL);
	return e;
}

void event_set(struct event *e)
{
	clab_mutex_lock(&e->lock);
	e->set = 1; /* replace this: nobody waiting hears of it */
	clab_mutex_unlock(&e->lock);
}

void event_wait(struct event *e)
{
	/* replace this: it does not wait for the event */
	(void)e;
}

void event_free(struct event *e)
{
	clab_mutex_destroy(&e->lock);
	free(e);
}
