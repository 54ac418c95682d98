/*
 * Two binary semaphores used as locks, taken in opposite orders: buf_put
 * takes buf.s1 then buf.s2, buf_get buf.s2 then buf.s1, around a count of
 * the calls.  A semaphore used as a lock deadlocks like a mutex: a
 * lock-order cycle, even in a run that did not deadlock.
 */
#include <stdlib.h>

#include "prodcons.h"

struct buf {
	clab_mutex_t lock;
	clab_cond_t not_full, not_empty;
	clab_sem_t s1, s2;
	long calls;
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
	clab_sem_init(&b->s1, "buf.s1", 1, 1);
	clab_sem_init(&b->s2, "buf.s2", 1, 1);
	return b;
}

void buf_put(struct buf *b, int item)
{
	clab_sem_acquire(&b->s1);
	clab_sem_acquire(&b->s2);
	b->calls++;
	clab_sem_release(&b->s2);
	clab_sem_release(&b->s1);
	clab_mutex_lock(&b->lock);
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

	clab_sem_acquire(&b->s2);
	clab_sem_acquire(&b->s1);
	b->calls++;
	clab_sem_release(&b->s1);
	clab_sem_release(&b->s2);
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
	clab_sem_destroy(&b->s1);
	clab_sem_destroy(&b->s2);
	clab_mutex_destroy(&b->lock);
	free(b->slot);
	free(b);
}
