/*
 * Wrong: a consumer that polls the count under the lock, unlocking and
 * locking again, instead of waiting on a condition variable; producers
 * do the same when the buffer is full.  Nothing fails but time: "busy
 * waiting" fails with the loop's lock and unlock sites.
 */
#include <stdlib.h>

#include "prodcons.h"

struct buf {
	clab_mutex_t lock;
	int *slot;
	int cap, head, tail, count;
};

struct buf *buf_new(int capacity)
{
	struct buf *b = calloc(1, sizeof(*b));

	b->slot = calloc((size_t)capacity, sizeof(int));
	b->cap = capacity;
	clab_mutex_init(&b->lock, "buf.lock", CLAB_MUTEX_NORMAL);
	return b;
}

void buf_put(struct buf *b, int item)
{
	clab_mutex_lock(&b->lock);
	while (b->count == b->cap) {
		clab_mutex_unlock(&b->lock);
		clab_mutex_lock(&b->lock);
	}
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
	while (b->count == 0) {
		clab_mutex_unlock(&b->lock);
		clab_mutex_lock(&b->lock);
	}
	item = b->slot[b->head];
	b->head = (b->head + 1) % b->cap;
	b->count--;
	buf_record_get(item);
	clab_mutex_unlock(&b->lock);
	return item;
}
