/*
 * A correct buffer with a latent lock-order cycle: buf_put takes buf.lock
 * then buf.stats for odd items, buf.stats then buf.lock for even ones.
 * With one producer only that thread takes both orders: it cannot
 * deadlock alone, two producers could (a latent cycle, not a failure).
 */
#include <stdlib.h>

#include "prodcons.h"

struct buf {
	clab_mutex_t lock;
	clab_cond_t not_full, not_empty;
	clab_mutex_t stats;
	long puts;
	int *slot;
	int cap, head, tail, count;
};

struct buf *buf_new(int capacity)
{
	struct buf *b = calloc(1, sizeof(*b));

	b->slot = calloc((size_t)capacity, sizeof(int));
	b->cap = capacity;
	clab_mutex_init(&b->lock, "buf.lock", CLAB_MUTEX_NORMAL);
	clab_cond_init(&b->not_full, "buf.not-full");
	clab_cond_init(&b->not_empty, "buf.not-empty");
	clab_mutex_init(&b->stats, "buf.stats", CLAB_MUTEX_NORMAL);
	return b;
}

void buf_put(struct buf *b, int item)
{
	if (item % 2) {
		clab_mutex_lock(&b->lock);
		clab_mutex_lock(&b->stats);
	} else {
		clab_mutex_lock(&b->stats);
		clab_mutex_lock(&b->lock);
	}
	b->puts++;
	clab_mutex_unlock(&b->stats);
	while (b->count == b->cap)
		clab_cond_wait(&b->not_full, &b->lock);
	b->slot[b->tail] = item;
	b->tail = (b->tail + 1) % b->cap;
	b->count++;
	buf_record_put(item);
	clab_cond_signal(&b->not_empty);
	clab_mutex_unlock(&b->lock);
}

int buf_get(struct buf *b)
{
	int item;

	clab_mutex_lock(&b->lock);
	while (b->count == 0)
		clab_cond_wait(&b->not_empty, &b->lock);
	item = b->slot[b->head];
	b->head = (b->head + 1) % b->cap;
	b->count--;
	buf_record_get(item);
	clab_cond_signal(&b->not_full);
	clab_mutex_unlock(&b->lock);
	return item;
}

void buf_free(struct buf *b)
{
	clab_cond_destroy(&b->not_full);
	clab_cond_destroy(&b->not_empty);
	clab_mutex_destroy(&b->stats);
	clab_mutex_destroy(&b->lock);
	free(b->slot);
	free(b);
}
