/*
 * Wrong: a correct bounded buffer, but synchronised with a pthread mutex
 * and condition variables, which conclab cannot see: refused.
 */
#include <pthread.h>
#include <stdlib.h>

#include "prodcons.h"

struct buf {
	pthread_mutex_t lock;
	pthread_cond_t not_full, not_empty;
	int *slot;
	int cap, head, tail, count;
};

struct buf *buf_new(int capacity)
{
	struct buf *b = calloc(1, sizeof(*b));

	b->slot = calloc((size_t)capacity, sizeof(int));
	b->cap = capacity;
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->not_full, NULL);
	pthread_cond_init(&b->not_empty, NULL);
	return b;
}

void buf_put(struct buf *b, int item)
{
	pthread_mutex_lock(&b->lock);
	while (b->count == b->cap)
		pthread_cond_wait(&b->not_full, &b->lock);
	b->slot[b->tail] = item;
	b->tail = (b->tail + 1) % b->cap;
	b->count++;
	buf_record_put(item);
	pthread_cond_signal(&b->not_empty);
	pthread_mutex_unlock(&b->lock);
}

int buf_get(struct buf *b)
{
	int item;

	pthread_mutex_lock(&b->lock);
	while (b->count == 0)
		pthread_cond_wait(&b->not_empty, &b->lock);
	item = b->slot[b->head];
	b->head = (b->head + 1) % b->cap;
	b->count--;
	buf_record_get(item);
	pthread_cond_signal(&b->not_full);
	pthread_mutex_unlock(&b->lock);
	return item;
}
