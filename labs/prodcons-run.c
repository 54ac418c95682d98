/*
 * The prodcons lab's variants (prodcons.c): producers and consumers on a
 * hand-made ring buffer, on semaphores, or on a clab_queue_t.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/runtime.h>

#include "lab.h"
#include "prodcons-int.h"

struct item {
	int id;
	int producer;
	clab_latch_t done; /* ack only */
};

struct shop {
	const struct clab_lab_ctx *ctx;
	int verbose;
	long nprod, ncons, items, cap;
	/* the hand-made buffer */
	clab_mutex_t lock;
	clab_cond_t not_full, not_empty; /* single-cv uses not_empty only */
	clab_sem_t empty, full;
	int *slot;
	int head, tail, count;
	int producers_left;
	atomic_long tickets; /* semaphore variants: items left to claim */
	/* the queue variants */
	clab_queue_t q;
	struct item *item;
};

struct worker {
	struct shop *s;
	int i;
	clab_thread_t *th;
	char name[24];
};

/* The shutdown sentinel of the queue variant: no item has its address. */
static struct item sentinel;

static void pause_ms(long ms)
{
	if (ms > 0)
		clab_sleep_ms((uint32_t)ms);
}

/* Buffer operations: the caller holds s->lock. */
static void buf_put(struct shop *s, int id, int producer)
{
	s->slot[s->tail] = id;
	s->tail = (s->tail + 1) % (int)s->cap;
	s->count++;
	clab_note2("put", id, producer);
}

static int buf_get(struct shop *s, int consumer)
{
	int id = s->slot[s->head];

	s->slot[s->head] = 0;
	s->head = (s->head + 1) % (int)s->cap;
	s->count--;
	clab_note2("get", id, consumer);
	return id;
}

static int item_id(const struct shop *s, int producer, long k)
{
	return (int)(producer * s->items + k + 1);
}

/* ---- condvar, single-cv, if-wait: a mutex and condition variables ---- */

static void *cv_producer(void *arg)
{
	struct worker *w = arg;
	struct shop *s = w->s;
	unsigned v = s->ctx->variant;
	clab_cond_t *room = v == V_SINGLE_CV ? &s->not_empty : &s->not_full;

	for (long k = 0; k < s->items; k++) {
		int id = item_id(s, w->i, k);

		pause_ms(s->ctx->param[P_PRODUCE]);
		clab_mutex_lock(&s->lock);
		while (s->count >= s->cap)
			clab_cond_wait(room, &s->lock);
		buf_put(s, id, w->i);
		if (s->verbose)
			clab_lab_say(s->ctx, "%s puts item %d (count %d)",
				     w->name, id, s->count);
		if (v == V_IF_WAIT)
			/* Legal: every waiter must check again. */
			clab_cond_broadcast(&s->not_empty);
		else
			clab_cond_signal(&s->not_empty);
		clab_mutex_unlock(&s->lock);
	}
	clab_mutex_lock(&s->lock);
	if (--s->producers_left == 0)
		clab_cond_broadcast(&s->not_empty); /* wake everyone to end */
	clab_mutex_unlock(&s->lock);
	clab_lab_say(s->ctx, "%s is done", w->name);
	return NULL;
}

static void *cv_consumer(void *arg)
{
	struct worker *w = arg;
	struct shop *s = w->s;
	unsigned v = s->ctx->variant;
	clab_cond_t *room = v == V_SINGLE_CV ? &s->not_empty : &s->not_full;
	long got = 0;

	for (;;) {
		int id;

		clab_mutex_lock(&s->lock);
		if (v == V_IF_WAIT) {
			/* BUG: after waking, nobody checks the count again. */
			if (s->count <= 0 && s->producers_left > 0) {
				if (s->verbose)
					clab_lab_say(
					    s->ctx,
					    "%s finds nothing and waits",
					    w->name);
				clab_cond_wait(&s->not_empty, &s->lock);
			}
			if (s->count <= 0 && s->producers_left == 0) {
				clab_mutex_unlock(&s->lock);
				break;
			}
		} else {
			while (s->count == 0 && s->producers_left > 0)
				clab_cond_wait(&s->not_empty, &s->lock);
			if (s->count == 0) { /* every producer is done */
				clab_mutex_unlock(&s->lock);
				break;
			}
		}
		id = buf_get(s, w->i);
		got++;
		if (s->verbose && id != 0)
			clab_lab_say(s->ctx, "%s takes item %d (count %d)",
				     w->name, id, s->count);
		else if (s->verbose)
			clab_lab_say(s->ctx,
				     "%s takes an EMPTY slot (count %d)",
				     w->name, s->count);
		clab_cond_signal(room);
		clab_mutex_unlock(&s->lock);
		pause_ms(s->ctx->param[P_CONSUME]);
	}
	clab_lab_say(s->ctx, "%s is done after %ld take(s)", w->name, got);
	return NULL;
}

/* ---- semaphores, sem-order ---- */

static void *sem_producer(void *arg)
{
	struct worker *w = arg;
	struct shop *s = w->s;

	for (long k = 0; k < s->items; k++) {
		int id = item_id(s, w->i, k);

		pause_ms(s->ctx->param[P_PRODUCE]);
		if (s->ctx->variant == V_SEM_ORDER) {
			/* BUG: sleeps on `empty` while holding the lock. */
			clab_mutex_lock(&s->lock);
			clab_sem_acquire(&s->empty);
		} else {
			clab_sem_acquire(&s->empty);
			clab_mutex_lock(&s->lock);
		}
		buf_put(s, id, w->i);
		if (s->verbose)
			clab_lab_say(s->ctx, "%s puts item %d (count %d)",
				     w->name, id, s->count);
		clab_mutex_unlock(&s->lock);
		clab_sem_release(&s->full);
	}
	clab_lab_say(s->ctx, "%s is done", w->name);
	return NULL;
}

static void *sem_consumer(void *arg)
{
	struct worker *w = arg;
	struct shop *s = w->s;
	long got = 0;

	/*
	 * Each consumer claims an item before waiting for it, so between
	 * them they wait for exactly producers * items items.
	 */
	while (atomic_fetch_sub(&s->tickets, 1) > 0) {
		int id;

		clab_sem_acquire(&s->full);
		clab_mutex_lock(&s->lock);
		id = buf_get(s, w->i);
		if (s->verbose)
			clab_lab_say(s->ctx, "%s takes item %d (count %d)",
				     w->name, id, s->count);
		clab_mutex_unlock(&s->lock);
		clab_sem_release(&s->empty);
		got++;
		pause_ms(s->ctx->param[P_CONSUME]);
	}
	clab_lab_say(s->ctx, "%s is done after %ld item(s)", w->name, got);
	return NULL;
}

/* ---- queue, joinable, ack: a clab_queue_t ---- */

static void *q_producer(void *arg)
{
	struct worker *w = arg;
	struct shop *s = w->s;

	for (long k = 0; k < s->items; k++) {
		struct item *it = &s->item[w->i * s->items + k];

		pause_ms(s->ctx->param[P_PRODUCE]);
		clab_note2("put", it->id, w->i);
		clab_queue_put(&s->q, it);
		if (s->verbose)
			clab_lab_say(s->ctx, "%s puts item %d", w->name,
				     it->id);
		if (s->ctx->variant == V_ACK) {
			clab_latch_wait(&it->done);
			if (s->verbose)
				clab_lab_say(s->ctx,
					     "%s: item %d was processed",
					     w->name, it->id);
		}
	}
	clab_lab_say(s->ctx, "%s is done", w->name);
	return NULL;
}

static void *q_consumer(void *arg)
{
	struct worker *w = arg;
	struct shop *s = w->s;
	long got = 0;

	for (;;) {
		void *p;
		struct item *it;

		if (clab_queue_get(&s->q, &p) != 0)
			break; /* closed: joinable and ack end this way */
		it = p;
		if (it == &sentinel) {
			/* Pass it on so that the next consumer ends too. */
			clab_queue_put(&s->q, it);
			break;
		}
		clab_note2("get", it->id, w->i);
		if (s->verbose)
			clab_lab_say(s->ctx, "%s takes item %d", w->name,
				     it->id);
		got++;
		pause_ms(s->ctx->param[P_CONSUME]);
		if (s->ctx->variant == V_JOINABLE)
			clab_queue_task_done(&s->q);
		else if (s->ctx->variant == V_ACK)
			clab_latch_set(&it->done);
	}
	clab_lab_say(s->ctx, "%s is done after %ld item(s)", w->name, got);
	return NULL;
}

/* ---- set-up ---- */

static int setup(struct shop *s)
{
	unsigned v = s->ctx->variant;
	long total = s->nprod * s->items;
	int rc;

	if (v == V_QUEUE || v == V_JOINABLE || v == V_ACK) {
		s->item = calloc((size_t)total, sizeof(*s->item));
		if (s->item == NULL)
			return CLAB_ENOMEM;
		rc = clab_queue_init(&s->q, "buffer", (uint32_t)s->cap);
		if (rc < 0)
			return rc;
		for (long i = 0; i < total; i++) {
			s->item[i].producer = (int)(i / s->items);
			s->item[i].id =
			    item_id(s, s->item[i].producer, i % s->items);
		}
		if (v == V_ACK) {
			for (long i = 0; i < total; i++) {
				char name[24];

				snprintf(name, sizeof(name), "ack-%d",
					 s->item[i].id);
				rc = clab_latch_init(&s->item[i].done, name);
				if (rc < 0)
					return rc;
			}
		}
		return 0;
	}
	s->slot = calloc((size_t)s->cap, sizeof(*s->slot));
	if (s->slot == NULL)
		return CLAB_ENOMEM;
	rc = clab_mutex_init(&s->lock, "buffer.lock", CLAB_MUTEX_NORMAL);
	if (rc < 0)
		return rc;
	if (v == V_SEMAPHORES || v == V_SEM_ORDER) {
		atomic_init(&s->tickets, total);
		rc = clab_sem_init(&s->empty, "empty-slots", (uint32_t)s->cap,
				   0);
		if (rc == 0)
			rc = clab_sem_init(&s->full, "full-slots", 0, 0);
		return rc;
	}
	if (v == V_SINGLE_CV)
		return clab_cond_init(&s->not_empty, "buffer.cv");
	rc = clab_cond_init(&s->not_full, "not-full");
	if (rc == 0)
		rc = clab_cond_init(&s->not_empty, "not-empty");
	return rc;
}

static void teardown(struct shop *s)
{
	unsigned v = s->ctx->variant;

	if (v == V_QUEUE || v == V_JOINABLE || v == V_ACK) {
		if (v == V_ACK)
			for (long i = 0; i < s->nprod * s->items; i++)
				clab_latch_destroy(&s->item[i].done);
		clab_queue_destroy(&s->q);
		free(s->item);
		return;
	}
	if (v == V_SEMAPHORES || v == V_SEM_ORDER) {
		clab_sem_destroy(&s->empty);
		clab_sem_destroy(&s->full);
	} else if (v == V_SINGLE_CV) {
		clab_cond_destroy(&s->not_empty);
	} else {
		clab_cond_destroy(&s->not_full);
		clab_cond_destroy(&s->not_empty);
	}
	clab_mutex_destroy(&s->lock);
	free(s->slot);
}

static int start(struct worker *w, struct shop *s, int i, const char *role,
		 void *(*fn)(void *))
{
	w->s = s;
	w->i = i;
	snprintf(w->name, sizeof(w->name), "%s-%d", role, i);
	int rc = clab_thread_create(&w->th, w->name, fn, w);
	if (rc == 0)
		clab_thread_role(w->th,
				 strcmp(role, "prod") ? "consumer" : "producer",
				 (uint32_t)i);
	return rc;
}

int clab__prodcons_run(const struct clab_lab_ctx *ctx)
{
	struct shop s;
	struct worker prod[MAX_THREADS], cons[MAX_THREADS];
	void *(*pf)(void *), *(*cf)(void *);
	int np = 0, nc = 0, rc;
	unsigned v = ctx->variant;

	memset(&s, 0, sizeof(s));
	s.ctx = ctx;
	s.nprod = ctx->param[P_PROD];
	s.ncons = ctx->param[P_CONS];
	s.items = ctx->param[P_ITEMS];
	s.cap = ctx->param[P_CAP];
	if (s.nprod < 1 || s.nprod > MAX_THREADS || s.ncons < 1 ||
	    s.ncons > MAX_THREADS || s.items < 1 || s.cap < 1 ||
	    s.nprod * s.items > 10000000)
		return CLAB_EINVAL;
	s.verbose = s.nprod * s.items <= 60;
	s.producers_left = (int)s.nprod;
	rc = setup(&s);
	if (rc < 0)
		goto out;

	if (v == V_QUEUE || v == V_JOINABLE || v == V_ACK) {
		pf = q_producer;
		cf = q_consumer;
	} else if (v == V_SEMAPHORES || v == V_SEM_ORDER) {
		pf = sem_producer;
		cf = sem_consumer;
	} else {
		pf = cv_producer;
		cf = cv_consumer;
	}
	clab_lab_say(s.ctx,
		     "%ld producer(s) x %ld item(s), %ld consumer(s), capacity "
		     "%ld (%s)",
		     s.nprod, s.items, s.ncons, s.cap,
		     clab_lab_prodcons.variants[v].name);
	/* Consumers first, so that they are waiting when items come. */
	for (; nc < s.ncons && rc == 0; nc++)
		rc = start(&cons[nc], &s, nc, "cons", cf);
	if (rc < 0)
		nc--;
	for (; np < s.nprod && rc == 0; np++)
		rc = start(&prod[np], &s, np, "prod", pf);
	if (rc < 0)
		np--;
	for (int i = 0; i < np; i++)
		clab_thread_join(prod[i].th, NULL);

	if (v == V_QUEUE) {
		clab_queue_put(&s.q, &sentinel);
	} else if (v == V_JOINABLE) {
		clab_queue_join(&s.q);
		clab_lab_say(
		    s.ctx, "main: every item was processed; closing the queue");
		clab_queue_close(&s.q);
	} else if (v == V_ACK) {
		clab_queue_close(&s.q);
	}
	for (int i = 0; i < nc; i++)
		clab_thread_join(cons[i].th, NULL);
	if (rc == 0)
		clab_lab_say(s.ctx, "all done");
out:
	teardown(&s);
	return rc < 0 ? rc : 0;
}
