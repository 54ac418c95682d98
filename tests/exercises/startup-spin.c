/*
 * startup: the flag polled under the lock instead of a wait on a
 * condition variable (a wrong solution: "busy waiting" fails).
 */
#include <stdlib.h>

#include "startup.h"

struct event {
	clab_mutex_t lock;
	int set;
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
	e->set = 1;
	clab_mutex_unlock(&e->lock);
}

void event_wait(struct event *e)
{
	clab_mutex_lock(&e->lock);
	while (!e->set) {
		clab_mutex_unlock(&e->lock);
		clab_mutex_lock(&e->lock);
	}
	clab_mutex_unlock(&e->lock);
}
