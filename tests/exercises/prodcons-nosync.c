/*
 * Wrong: no synchronisation at all.  Producers and consumers share the
 * ring and its count unguarded and poll with sleeps.  The buffer's notes
 * are made holding no conclab mutex: "notes synchronised" fails as
 * unsynchronised (and whatever the races did to the items shows too).
 */
#include <stdlib.h>

#include "prodcons.h"

struct buf {
	int *slot;
	int cap, head, tail;
	volatile int count;
};

struct buf *buf_new(int capacity)
{
	struct buf *b = calloc(1, sizeof(*b));

	b->slot = calloc((size_t)capacity, sizeof(int));
	b->cap = capacity;
	return b;
}

void buf_put(struct buf *b, int item)
{
	while (b->count == b->cap)
		clab_sleep_ms(1);
	b->slot[b->tail] = item;
	b->tail = (b->tail + 1) % b->cap;
	b->count++;
	buf_record_put(item);
}

int buf_get(struct buf *b)
{
	int item;

	while (b->count == 0)
		clab_sleep_ms(1);
	item = b->slot[b->head];
	b->head = (b->head + 1) % b->cap;
	b->count--;
	buf_record_get(item);
	return item;
}
