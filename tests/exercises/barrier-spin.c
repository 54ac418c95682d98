/*
 * barrier: a generation polled under the lock instead of a wait on a
 * condition variable (a wrong solution: "busy waiting" fails).
 */
#include <stdlib.h>

#include "barrier.h"

struct bar {
	clab_mutex_t lock;
	int parties, arrived;
	unsigned generation;
};

struct bar *bar_new(int parties)
{
	struct bar *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	b->parties = parties;
	clab_mutex_init(&b->lock, "bar.lock", CLAB_MUTEX_NORMAL);
	return b;
}

void bar_wait(struct bar *b)
{
	clab_mutex_lock(&b->lock);
	unsigned gen = b->generation;
	if (++b->arrived == b->parties) {
		b->arrived = 0;
		b->generation++;
	}
	while (gen == b->generation) {
		clab_mutex_unlock(&b->lock);
		clab_mutex_lock(&b->lock);
	}
	clab_mutex_unlock(&b->lock);
}
