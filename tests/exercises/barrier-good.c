/* barrier: a count and a generation under a mutex (correct). */
#include <stdlib.h>

#include "barrier.h"

struct bar {
	clab_mutex_t lock;
	clab_cond_t all_in;
	int parties, arrived;
	unsigned generation; /* steps completed: a waiter's step ended when
				it changed */
};

struct bar *bar_new(int parties)
{
	struct bar *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	b->parties = parties;
	clab_mutex_init(&b->lock, "bar.lock", CLAB_MUTEX_NORMAL);
	clab_cond_init(&b->all_in, "bar.all-in");
	return b;
}

void bar_wait(struct bar *b)
{
	clab_mutex_lock(&b->lock);
	unsigned gen = b->generation;
	if (++b->arrived == b->parties) {
		b->arrived = 0;
		b->generation++;
		clab_cond_broadcast(&b->all_in);
	} else {
		while (gen == b->generation)
			clab_cond_wait(&b->all_in, &b->lock);
	}
	clab_mutex_unlock(&b->lock);
}

void bar_free(struct bar *b)
{
	clab_cond_destroy(&b->all_in);
	clab_mutex_destroy(&b->lock);
	free(b);
}
