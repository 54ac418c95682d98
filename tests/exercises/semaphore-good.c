/* semaphore: a count under a mutex, waits in a while loop (correct). */
#include <stdlib.h>

#include "semaphore.h"

struct csem {
	clab_mutex_t lock;
	clab_cond_t more; /* a permit came back */
	int permits;
};

struct csem *csem_new(int permits)
{
	struct csem *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->permits = permits;
	clab_mutex_init(&s->lock, "csem.lock", CLAB_MUTEX_NORMAL);
	clab_cond_init(&s->more, "csem.more");
	return s;
}

void csem_acquire(struct csem *s)
{
	clab_mutex_lock(&s->lock);
	while (s->permits == 0)
		clab_cond_wait(&s->more, &s->lock);
	s->permits--;
	clab_mutex_unlock(&s->lock);
}

void csem_release(struct csem *s)
{
	clab_mutex_lock(&s->lock);
	s->permits++;
	clab_cond_signal(&s->more);
	clab_mutex_unlock(&s->lock);
}

void csem_free(struct csem *s)
{
	clab_cond_destroy(&s->more);
	clab_mutex_destroy(&s->lock);
	free(s);
}
