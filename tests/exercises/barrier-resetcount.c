/*
 * barrier: the last party resets the count for the next step, but the
 * waiters wait for the count: woken, they find it back at 0 and wait on,
 * for a step that will never come (a wrong solution: "no deadlock"
 * fails).
 */
#include <stdlib.h>

#include "barrier.h"

struct bar {
	clab_mutex_t lock;
	clab_cond_t all_in;
	int parties, arrived;
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
	if (++b->arrived == b->parties) {
		b->arrived = 0;
		clab_cond_broadcast(&b->all_in);
	} else {
		while (b->arrived != 0)
			clab_cond_wait(&b->all_in, &b->lock);
	}
	clab_mutex_unlock(&b->lock);
}
