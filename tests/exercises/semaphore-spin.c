/*
 * semaphore: no condition variable: csem_acquire() lets go of the lock
 * and takes it again until a permit is back, busy, burning a processor
 * (a wrong solution: "busy waiting" fails).
 */
#include <stdlib.h>

#include "semaphore.h"

struct csem {
	clab_mutex_t lock;
	int permits;
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
	while (s->permits == 0) {
		clab_mutex_unlock(&s->lock);
		clab_mutex_lock(&s->lock);
	}
	s->permits--;
	clab_mutex_unlock(&s->lock);
}

void csem_release(struct csem *s)
{
	clab_mutex_lock(&s->lock);
	s->permits++;
	clab_mutex_unlock(&s->lock);
}
