/*
 * Wrong: the notes tell a correct story that the buffer does not live.
 * buf_put() and buf_get() are locked and wait properly, but buf_get()
 * notes the item a correct buffer would hand out (it keeps its own copy
 * of the queue for the notes) and returns another: the last slot written.
 * The harness checks what buf_get() returned: "notes match returns" and
 * "returned once" fail.
 */
#include <stdlib.h>

#include "prodcons.h"

struct buf {
	clab_mutex_t lock;
	clab_cond_t changed;
	int *slot;
	int cap, head, tail, count, last;
};

struct buf *buf_new(int capacity)
{
	struct buf *b = calloc(1, sizeof(*b));

	b->slot = calloc((size_t)capacity, sizeof(int));
	b->cap = capacity;
	clab_mutex_init(&b->lock, "buf.lock", CLAB_MUTEX_NORMAL);
	clab_cond_init(&b->changed, "buf.changed");
	return b;
}

void buf_put(struct buf *b, int item)
{
	clab_mutex_lock(&b->lock);
	while (b->count == b->cap)
		clab_cond_wait(&b->changed, &b->lock);
	b->slot[b->tail] = item;
	b->tail = (b->tail + 1) % b->cap;
	b->count++;
	b->last = item;
	buf_record_put(item);
	clab_cond_broadcast(&b->changed);
	clab_mutex_unlock(&b->lock);
}

int buf_get(struct buf *b)
{
	int noted, given;

	clab_mutex_lock(&b->lock);
	while (b->count == 0)
		clab_cond_wait(&b->changed, &b->lock);
	noted = b->slot[b->head];
	b->head = (b->head + 1) % b->cap;
	b->count--;
	buf_record_get(noted);
	given = b->last; /* not what it noted */
	clab_cond_broadcast(&b->changed);
	clab_mutex_unlock(&b->lock);
	return given;
}
