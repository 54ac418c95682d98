/*
 * Wrong: a correct buffer, but buf_new starts a thread of its own that
 * never ends, made at a site forged to look like a shared library's code
 * without line information ("libpool.so:0"), where conclab trace excuses
 * a library's pool of threads still running at the end.  A lab's sites
 * come from the solution, so the excuse is not made there: "all threads
 * ended" fails.
 */
#include <stdlib.h>

#include "prodcons.h"

struct buf {
	clab_mutex_t lock;
	clab_cond_t not_full, not_empty;
	int *slot;
	int cap, head, tail, count;
};

static void *forever(void *arg)
{
	for (;;)
		clab_sleep_ms(10);
	return arg;
}

struct buf *buf_new(int capacity)
{
	static const struct clab_site pool = {"libpool.so", "pool_start", NULL,
					      0};
	struct buf *b = calloc(1, sizeof(*b));
	clab_thread_t *t;

	if (clab__thread_create(&t, "pool-0", forever, NULL, &pool) == 0)
		clab__thread_detach(t, &pool);

	b->slot = calloc((size_t)capacity, sizeof(int));
	b->cap = capacity;
	clab_mutex_init(&b->lock, "buf.lock", CLAB_MUTEX_NORMAL);
	clab_cond_init(&b->not_full, "buf.not-full");
	clab_cond_init(&b->not_empty, "buf.not-empty");
	return b;
}

void buf_put(struct buf *b, int item)
{
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
	clab_mutex_destroy(&b->lock);
	free(b->slot);
	free(b);
}
