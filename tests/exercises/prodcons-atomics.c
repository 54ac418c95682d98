/*
 * Wrong: a spin lock of C11 atomics (which the compiler inlines: no
 * symbol to refuse) instead of a conclab mutex, and waits that spin on
 * it.  The trace shows no lock: the buffer's notes are made holding no
 * conclab mutex, and "notes synchronised" fails as unsynchronised.
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "prodcons.h"

struct buf {
	atomic_flag lock;
	int *slot;
	int cap, head, tail, count;
};

static void spin_lock(struct buf *b)
{
	while (atomic_flag_test_and_set(&b->lock))
		;
}

static void spin_unlock(struct buf *b)
{
	atomic_flag_clear(&b->lock);
}

struct buf *buf_new(int capacity)
{
	struct buf *b = calloc(1, sizeof(*b));

	atomic_flag_clear(&b->lock);
	b->slot = calloc((size_t)capacity, sizeof(int));
	b->cap = capacity;
	return b;
}

void buf_put(struct buf *b, int item)
{
	for (;;) {
		spin_lock(b);
		if (b->count < b->cap)
			break;
		spin_unlock(b);
		clab_sleep_ms(1);
	}
	b->slot[b->tail] = item;
	b->tail = (b->tail + 1) % b->cap;
	b->count++;
	buf_record_put(item);
	spin_unlock(b);
}

int buf_get(struct buf *b)
{
	int item;

	for (;;) {
		spin_lock(b);
		if (b->count > 0)
			break;
		spin_unlock(b);
		clab_sleep_ms(1);
	}
	item = b->slot[b->head];
	b->head = (b->head + 1) % b->cap;
	b->count--;
	buf_record_get(item);
	spin_unlock(b);
	return item;
}
