/*
 * Producers and consumers on a bounded buffer: your solution.
 *
 * Build and run it (from this directory):
 *     conclab exercise prodcons prodcons.c
 *
 * As written, the buffer has a lock but never waits: a producer writes
 * into a full buffer and a consumer reads from an empty one.  It compiles
 * and runs, and the checker shows what goes wrong.  Replace the bodies
 * below so that buf_put() waits while the buffer is full and buf_get()
 * waits while it is empty.
 */
#include <stdlib.h>

#include "prodcons.h"

struct buf {
	clab_mutex_t lock;
	int *slot; /* a ring of cap slots */
	int cap;
	int head; /* the next slot to read */
	int tail; /* the next slot to write */
	int count;
};

struct buf *buf_new(int capacity)
{
	struct buf *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	b->slot = calloc((size_t)capacity, sizeof(int));
	if (b->slot == NULL) {
		free(b);
		return NULL;
	}
	b->cap = capacity;
	clab_mutex_init(&b->lock, "buf.lock", CLAB_MUTEX_NORMAL);
	return b;
}

void buf_put(struct buf *b, int item)
{
	clab_mutex_lock(&b->lock);
	/* replace this: nothing waits while the buffer is full */
	b->slot[b->tail] = item;
	b->tail = (b->tail + 1) % b->cap;
	b->count++;
	buf_record_put(item);
	clab_mutex_unlock(&b->lock);
}

int buf_get(struct buf *b)
{
	int item;

	clab_mutex_lock(&b->lock);
	/* replace this: nothing waits while the buffer is empty */
	item = b->slot[b->head];
	b->slot[b->head] = 0;
	b->head = (b->head + 1) % b->cap;
	b->count--;
	buf_record_get(item);
	clab_mutex_unlock(&b->lock);
	return item;
}

void buf_free(struct buf *b)
{
	clab_mutex_destroy(&b->lock);
	free(b->slot);
	free(b);
}
