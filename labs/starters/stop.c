/*
 * A stop request that wakes a pausing worker: your solution.
 *
 * Build and run it (from this directory):
 *     conclab exercise stop stop.c
 *
 * As written, stopper_pause() sleeps its whole pause whatever happens: a
 * worker that pauses when the stop comes sleeps on through it.  It
 * compiles and runs, and the checker shows the worker that was not woken.
 * Replace the body of stopper_pause() (and add to stopper_request()) so
 * that a request ends a pause at once.
 */
#include <stdlib.h>

#include "stop.h"

struct stopper {
	clab_mutex_t lock;
	int stop; /* 1 once stopper_request() was called */
};

struct stopper *stopper_new(void)
{
	struct stopper *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	clab_mutex_init(&s->lock, "stopper.lock", CLAB_MUTEX_NORMAL);
	return s;
}

void stopper_request(struct stopper *s)
{
	clab_mutex_lock(&s->lock);
	s->stop = 1; /* replace this: a pausing worker does not hear it */
	clab_mutex_unlock(&s->lock);
}

int stopper_requested(struct stopper *s)
{
	clab_mutex_lock(&s->lock);
	int stop = s->stop;
	clab_mutex_unlock(&s->lock);
	return stop;
}

void stopper_pause(struct stopper *s, int ms)
{
	(void)s;
	clab_sleep_ms((uint32_t)ms); /* replace this: nothing ends it early */
}

void stopper_free(struct stopper *s)
{
	clab_mutex_destroy(&s->lock);
	free(s);
}
