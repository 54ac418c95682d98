/* startup: a flag and a condition variable under a mutex (correct). */
#include <stdlib.h>

#include "startup.h"

struct event {
	clab_mutex_t lock;
	clab_cond_t changed;
	int set;
};

struct event *event_new(void)
{
	struct event *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	clab_mutex_init(&e->lock, "event.lock", CLAB_MUTEX_NORMAL);
	clab_cond_init(&e->changed, "event.set");
	return e;
}

void event_set(struct event *e)
{
	clab_mutex_lock(&e->lock);
	e->set = 1;
	clab_cond_broadcast(&e->changed);
	clab_mutex_unlock(&e->lock);
}

void event_wait(struct event *e)
{
	clab_mutex_lock(&e->lock);
	while (!e->set)
		clab_cond_wait(&e->changed, &e->lock);
	clab_mutex_unlock(&e->lock);
}

void event_free(struct event *e)
{
	clab_cond_destroy(&e->changed);
	clab_mutex_destroy(&e->lock);
	free(e);
}
