/*
 * Blocking FIFO queues of pointers, Python's queue.Queue with close.
 *
 * Items sit in a ring buffer: `alloc` slots from `head`, `len` of them
 * used.  A bounded queue allocates its capacity once; an unbounded one
 * starts small and doubles.  Producers wait on putq for room, consumers on
 * getq for items, join() on joinq for unfinished to reach 0.  A woken
 * thread checks again (another may have taken the room or the item first)
 * and queues again at the front if it lost.
 *
 * Close: later puts fail with CLAB_ECLOSED; gets take what is left, then
 * fail with CLAB_ECLOSED; every thread waiting in put or get wakes.
 * Threads in join() keep waiting for task_done, since the items still in
 * the queue are still to be processed.
 *
 * Records: queue.put/get (a32 = depth after), queue.put-wait/get-wait
 * (once per call that blocks, a32 = depth), queue.full / queue.empty when
 * ms == 0 would block (CLAB_EAGAIN), queue.timeout (a8 = clab_qop),
 * queue.closed (a8 = clab_qop), queue.close (a32 = threads woken).
 */
#include <stdlib.h>
#include <string.h>

#include "rt.h"

#define UNBOUNDED_START 16u

int clab__queue_init(clab_queue_t *q, const char *name, uint32_t capacity,
		     const struct clab_site *site)
{
	struct clab__thr *self = clab__self();
	int r;

	r = clab__obj_fresh(self, q, CLAB_O_QUEUE, site);
	if (r)
		return r;
	if (capacity > CLAB__COUNT_MAX)
		return clab__bad_value(self, capacity, site);
	q->putq.head = q->putq.tail = NULL;
	q->getq.head = q->getq.tail = NULL;
	q->joinq.head = q->joinq.tail = NULL;
	q->cap = capacity;
	q->alloc = capacity != 0 ? capacity : UNBOUNDED_START;
	q->head = q->len = q->unfinished = 0;
	q->closed = 0;
	q->items = calloc(q->alloc, sizeof(*q->items));
	if (q->items == NULL)
		return CLAB_ENOMEM;
	clab__lk_init(&q->lk);
	r = clab__obj_init(&q->h, self, CLAB_O_QUEUE, name, site, 0, capacity);
	if (r < 0) {
		free(q->items);
		q->items = NULL;
		return r;
	}
	return 0;
}

/* NULL is accepted and ignored (returns 0).  Items left are not freed. */
int clab__queue_destroy(clab_queue_t *q, const struct clab_site *site)
{
	struct clab__thr *self;

	if (q == NULL)
		return 0;
	self = clab__self();
	CLAB__CHECK(self, q, CLAB_O_QUEUE, site);
	clab__lk_lock(&q->lk);
	if (!clab__wq_empty(&q->putq) || !clab__wq_empty(&q->getq) ||
	    !clab__wq_empty(&q->joinq)) {
		clab__diag(self, CLAB_D_DESTROY_BUSY, q->h.id, q->len, site);
		clab__lk_unlock(&q->lk);
		return CLAB_EBUSY;
	}
	clab__obj_fini(&q->h, self, site);
	clab__lk_unlock(&q->lk);
	free(q->items);
	q->items = NULL;
	return 0;
}

/* Make room for one more item in an unbounded queue (lk held). */
static int grow(clab_queue_t *q)
{
	uint32_t n, i;
	void **items;

	if (q->alloc > UINT32_MAX / 2)
		return CLAB_ENOMEM;
	n = q->alloc * 2;
	items = malloc((size_t)n * sizeof(*items));
	if (items == NULL)
		return CLAB_ENOMEM;
	for (i = 0; i < q->len; i++)
		items[i] = q->items[(q->head + i) % q->alloc];
	free(q->items);
	q->items = items;
	q->alloc = n;
	q->head = 0;
	return 0;
}

/*
 * Queue w on wq for the first time (first != 0) or again at the front, and
 * park until woken or dl passes.  Returns 0 or CLAB_ETIMEDOUT.
 */
static int block(clab_queue_t *q, struct clab__waitq *wq,
		 struct clab__thr *self, int again, const struct timespec *dl,
		 const struct clab_site *site)
{
	struct clab__waiter w;
	int r = 0;

	clab__waiter_init(&w, self);
	if (again)
		clab__wq_push_front(wq, &w);
	else
		clab__wq_push(wq, &w);
	while (w.q != NULL && r == 0)
		r = clab__park(self, &q->lk, &w, &q->h, site, dl);
	return r;
}

int clab__queue_put(clab_queue_t *q, void *item, uint32_t ms,
		    const struct clab_site *site)
{
	struct clab__thr *self;
	struct timespec dl;
	int r, again = 0;

	self = clab__self();
	clab__sched_point(self, site);
	CLAB__CHECK(self, q, CLAB_O_QUEUE, site);
	if (ms != 0 && ms != CLAB_FOREVER)
		clab__deadline(&dl, ms);
	clab__lk_lock(&q->lk);
	for (;;) {
		if (q->closed) {
			clab__emit_obj(self, CLAB_K_QUEUE_CLOSED, &q->h, site,
				       CLAB_QOP_PUT, 0);
			r = CLAB_ECLOSED;
			break;
		}
		if (q->cap == 0 || q->len < q->cap) {
			if (q->len == q->alloc && (r = grow(q)) < 0)
				break;
			q->items[(q->head + q->len) % q->alloc] = item;
			q->len++;
			q->unfinished++;
			clab__unpark_one(&q->getq, CLAB_CAUSE_SIGNAL);
			clab__emit_obj(self, CLAB_K_QUEUE_PUT, &q->h, site, 0,
				       q->len);
			r = 0;
			break;
		}
		if (ms == 0) {
			clab__emit_obj(self, CLAB_K_QUEUE_FULL, &q->h, site, 0,
				       q->len);
			r = CLAB_EAGAIN;
			break;
		}
		if (!again)
			clab__emit_obj_s(self, CLAB_K_QUEUE_PUT_WAIT, &q->h,
					 site, 0, q->len, clab__stack_here());
		r = block(q, &q->putq, self, again,
			  ms == CLAB_FOREVER ? NULL : &dl, site);
		again = 1;
		if (r == CLAB_ETIMEDOUT) {
			clab__emit_obj(self, CLAB_K_QUEUE_TIMEOUT, &q->h, site,
				       CLAB_QOP_PUT, 0);
			break;
		}
	}
	clab__lk_unlock(&q->lk);
	return r;
}

int clab__queue_get(clab_queue_t *q, void **out, uint32_t ms,
		    const struct clab_site *site)
{
	struct clab__thr *self;
	struct timespec dl;
	int r, again = 0;

	self = clab__self();
	clab__sched_point(self, site);
	CLAB__CHECK(self, q, CLAB_O_QUEUE, site);
	if (out == NULL)
		return CLAB_EINVAL;
	if (ms != 0 && ms != CLAB_FOREVER)
		clab__deadline(&dl, ms);
	clab__lk_lock(&q->lk);
	for (;;) {
		if (q->len > 0) {
			*out = q->items[q->head];
			q->head = (q->head + 1) % q->alloc;
			q->len--;
			clab__unpark_one(&q->putq, CLAB_CAUSE_SIGNAL);
			clab__emit_obj(self, CLAB_K_QUEUE_GET, &q->h, site, 0,
				       q->len);
			r = 0;
			break;
		}
		if (q->closed) {
			clab__emit_obj(self, CLAB_K_QUEUE_CLOSED, &q->h, site,
				       CLAB_QOP_GET, 0);
			r = CLAB_ECLOSED;
			break;
		}
		if (ms == 0) {
			clab__emit_obj(self, CLAB_K_QUEUE_EMPTY, &q->h, site, 0,
				       0);
			r = CLAB_EAGAIN;
			break;
		}
		if (!again)
			clab__emit_obj_s(self, CLAB_K_QUEUE_GET_WAIT, &q->h,
					 site, 0, q->len, clab__stack_here());
		r = block(q, &q->getq, self, again,
			  ms == CLAB_FOREVER ? NULL : &dl, site);
		again = 1;
		if (r == CLAB_ETIMEDOUT) {
			clab__emit_obj(self, CLAB_K_QUEUE_TIMEOUT, &q->h, site,
				       CLAB_QOP_GET, 0);
			break;
		}
	}
	clab__lk_unlock(&q->lk);
	return r;
}

/* CLAB_EINVAL when called more times than items were put. */
int clab__queue_task_done(clab_queue_t *q, const struct clab_site *site)
{
	struct clab__thr *self;

	self = clab__self();
	clab__sched_point(self, site);
	CLAB__CHECK(self, q, CLAB_O_QUEUE, site);
	clab__lk_lock(&q->lk);
	if (q->unfinished == 0) {
		clab__lk_unlock(&q->lk);
		return CLAB_EINVAL;
	}
	q->unfinished--;
	if (q->unfinished == 0)
		clab__unpark_all(&q->joinq, CLAB_CAUSE_BROADCAST);
	clab__emit_obj(self, CLAB_K_QUEUE_TASK_DONE, &q->h, site, 0,
		       q->unfinished);
	clab__lk_unlock(&q->lk);
	return 0;
}

/*
 * Wait until every item put has been marked done.  ms == 0 does not block:
 * CLAB_EAGAIN (with a queue.timeout record, op join) if items are
 * unfinished.
 */
int clab__queue_join(clab_queue_t *q, uint32_t ms, const struct clab_site *site)
{
	struct clab__thr *self;
	struct timespec dl;
	int r = 0, again = 0;

	self = clab__self();
	clab__sched_point(self, site);
	CLAB__CHECK(self, q, CLAB_O_QUEUE, site);
	if (ms != 0 && ms != CLAB_FOREVER)
		clab__deadline(&dl, ms);
	clab__lk_lock(&q->lk);
	while (q->unfinished > 0) {
		if (ms == 0) {
			r = CLAB_EAGAIN;
			break;
		}
		if (!again)
			clab__emit_obj_s(self, CLAB_K_QUEUE_JOIN_WAIT, &q->h,
					 site, 0, q->unfinished,
					 clab__stack_here());
		r = block(q, &q->joinq, self, again,
			  ms == CLAB_FOREVER ? NULL : &dl, site);
		again = 1;
		if (r == CLAB_ETIMEDOUT)
			break;
	}
	if (r == 0)
		clab__emit_obj(self, CLAB_K_QUEUE_JOIN, &q->h, site, 0, 0);
	else
		clab__emit_obj(self, CLAB_K_QUEUE_TIMEOUT, &q->h, site,
			       CLAB_QOP_JOIN, 0);
	clab__lk_unlock(&q->lk);
	return r;
}

/* Idempotent: closing a closed queue returns 0 and records nothing. */
int clab__queue_close(clab_queue_t *q, const struct clab_site *site)
{
	struct clab__thr *self;
	unsigned n;

	self = clab__self();
	clab__sched_point(self, site);
	CLAB__CHECK(self, q, CLAB_O_QUEUE, site);
	clab__lk_lock(&q->lk);
	if (!q->closed) {
		q->closed = 1;
		n = clab__unpark_all(&q->putq, CLAB_CAUSE_BROADCAST);
		n += clab__unpark_all(&q->getq, CLAB_CAUSE_BROADCAST);
		clab__emit_obj(self, CLAB_K_QUEUE_CLOSE, &q->h, site, 0, n);
	}
	clab__lk_unlock(&q->lk);
	return 0;
}

uint32_t clab_queue_len(clab_queue_t *q)
{
	struct clab__thr *self;
	uint32_t n;

	self = clab__self();
	if (!clab__obj_ok(self, q, CLAB_O_QUEUE)) {
		clab__obj_bad(self, q, CLAB_O_QUEUE, NULL);
		return 0;
	}
	clab__lk_lock(&q->lk);
	n = q->len;
	clab__lk_unlock(&q->lk);
	return n;
}
