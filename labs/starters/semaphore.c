/*
 * A counting semaphore from a mutex and a condition variable: your
 * solution.
 *
 * Build and run it (from this directory):
 *     conclab exercise semaphore semaphore.c
 *
 * As written, csem_acquire() takes a permit whether or not there is one:
 * the count goes below zero and too many workers are inside at once.  It
 * compiles and runs, and the checker shows the limit broken.  Replace the
 * bodies below so that csem_acquire() waits while no permit is left, and
 * csem_release() wakes a worker that waits.
 */
#include <stdlib.h>

#include "semaphore.h"

struct csem {
	clab_mutex_t lock;
	int permits; /* how many may still go in */
};

struct csem *csem_new(int permits)
{
	struct csem *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->permits = permits;
	clab_mutex_init(&s->lock, "csem.lock", CLAB_MUTEX_NORMAL);
	return s;
}

void csem_acquire(struct csem *s)
{
	clab_mutex_lock(&s->lock);
	/* replace this: it takes a permit even when there is none */
	s->permits--;
	clab_mutex_unlock(&s->lock);
}

void csem_release(struct csem *s)
{
	clab_mutex_lock(&s->lock);
	s->permits++;
	/* replace this: nobody who waits is told */
	clab_mutex_unlock(&s->lock);
}

void csem_free(struct csem *s)
{
	clab_mutex_destroy(&s->lock);
	free(s);
}
