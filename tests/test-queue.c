/* Tests of runtime/queue.c: blocking FIFO queues. */
#include <stdint.h>
#include <string.h>

#include "rt.h"
#include "testutil-rt.h"
#include "testutil.h"

#define ITEM(i) ((void *)(uintptr_t)(i))
#define NUM(p) ((unsigned)(uintptr_t)(p))

struct qwait {
	clab_queue_t *q;
	struct clab__waitq *wq;
	unsigned n;
};

static int n_waiting(void *p)
{
	struct qwait *a = p;

	return tu_nwaiting(&a->q->lk, a->wq) == a->n;
}

static void test_fifo_unbounded(void)
{
	clab_queue_t q;
	const struct clab_record *r;
	struct clab_trace *tr;
	void *p = NULL;
	unsigned i, ok = 1;

	tu_begin();
	CU_ASSERT_EQUAL(clab_queue_init(&q, "q", 0), 0);
	/* more than the first allocation, and wrapped around */
	CU_ASSERT_EQUAL(clab_queue_put(&q, ITEM(1000)), 0);
	CU_ASSERT_EQUAL(clab_queue_get(&q, &p), 0);
	for (i = 1; i <= 100; i++)
		ok &= clab_queue_put(&q, ITEM(i)) == 0;
	CU_ASSERT_TRUE(ok);
	CU_ASSERT_EQUAL(clab_queue_len(&q), 100);
	for (i = 1; i <= 100; i++) {
		ok &= clab_queue_get(&q, &p) == 0;
		ok &= NUM(p) == i;
	}
	CU_ASSERT_TRUE(ok);
	CU_ASSERT_EQUAL(clab_queue_len(&q), 0);
	CU_ASSERT_EQUAL(clab_queue_destroy(&q), 0);
	CU_ASSERT_EQUAL(clab_queue_destroy(NULL), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_QUEUE_PUT, q.h.id), 101);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_QUEUE_GET, q.h.id), 101);
	for (i = 1; i <= 100; i++) {
		r = tu_find_obj(tr, CLAB_K_QUEUE_PUT, q.h.id, i);
		ok &= r->a32 == i; /* depth after */
		r = tu_find_obj(tr, CLAB_K_QUEUE_GET, q.h.id, i);
		ok &= r->a32 == 100 - i;
	}
	CU_ASSERT_TRUE(ok);
	CU_ASSERT_EQUAL(clab_trace_object(tr, q.h.id)->param, 0);
	clab_trace_free(tr);
}

static void test_nonblocking_and_timeouts(void)
{
	clab_queue_t q;
	const struct clab_record *r;
	struct clab_trace *tr;
	void *p = NULL;

	tu_begin();
	CU_ASSERT_EQUAL(clab_queue_init(&q, "q", 2), 0);
	CU_ASSERT_EQUAL(clab_queue_get_timeout(&q, &p, 0), CLAB_EAGAIN);
	CU_ASSERT_EQUAL(clab_queue_get_timeout(&q, &p, 20), CLAB_ETIMEDOUT);
	CU_ASSERT_EQUAL(clab_queue_put(&q, ITEM(1)), 0);
	CU_ASSERT_EQUAL(clab_queue_put_timeout(&q, ITEM(2), 0), 0);
	CU_ASSERT_EQUAL(clab_queue_put_timeout(&q, ITEM(3), 0), CLAB_EAGAIN);
	CU_ASSERT_EQUAL(clab_queue_put_timeout(&q, ITEM(3), 20),
			CLAB_ETIMEDOUT);
	CU_ASSERT_EQUAL(clab_queue_len(&q), 2);
	CU_ASSERT_EQUAL(clab_queue_destroy(&q), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_QUEUE_EMPTY, q.h.id), 1);
	r = tu_find_obj(tr, CLAB_K_QUEUE_FULL, q.h.id, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->a32, 2);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_QUEUE_TIMEOUT, q.h.id), 2);
	r = tu_find_obj(tr, CLAB_K_QUEUE_TIMEOUT, q.h.id, 0);
	CU_ASSERT_EQUAL(r->a8, CLAB_QOP_GET);
	r = tu_find_obj(tr, CLAB_K_QUEUE_TIMEOUT, q.h.id, 1);
	CU_ASSERT_EQUAL(r->a8, CLAB_QOP_PUT);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_QUEUE_GET_WAIT, q.h.id), 1);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_QUEUE_PUT_WAIT, q.h.id), 1);
	CU_ASSERT_EQUAL(clab_trace_object(tr, q.h.id)->param, 2);
	clab_trace_free(tr);
}

struct parg {
	clab_queue_t *q;
	void *item;
	int ret;
};

static void *putter(void *p)
{
	struct parg *a = p;

	a->ret = clab_queue_put(a->q, a->item);
	return NULL;
}

static void *getter(void *p)
{
	struct parg *a = p;

	a->ret = clab_queue_get(a->q, &a->item);
	return NULL;
}

static void test_capacity_blocks(void)
{
	clab_queue_t q;
	clab_thread_t *t;
	struct parg a = {&q, ITEM(2), 1};
	struct qwait w = {&q, &q.putq, 1};
	const struct clab_record *pw, *g, *pb;
	struct clab_trace *tr;
	void *p = NULL;

	tu_begin();
	CU_ASSERT_EQUAL(clab_queue_init(&q, "q", 1), 0);
	CU_ASSERT_EQUAL(clab_queue_put(&q, ITEM(1)), 0);
	CU_ASSERT_EQUAL_FATAL(clab_thread_create(&t, "producer", putter, &a),
			      0);
	CU_ASSERT_EQUAL(tu_wait_until(n_waiting, &w), 0);
	CU_ASSERT_EQUAL(clab_queue_destroy(&q), CLAB_EBUSY);
	CU_ASSERT_EQUAL(clab_queue_get(&q, &p), 0);
	CU_ASSERT_EQUAL(NUM(p), 1);
	CU_ASSERT_EQUAL(clab_thread_join(t, NULL), 0);
	CU_ASSERT_EQUAL(a.ret, 0);
	CU_ASSERT_EQUAL(clab_queue_get(&q, &p), 0);
	CU_ASSERT_EQUAL(NUM(p), 2);
	CU_ASSERT_EQUAL(clab_queue_destroy(&q), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	pw = tu_find_obj(tr, CLAB_K_QUEUE_PUT_WAIT, q.h.id, 0);
	g = tu_find_obj(tr, CLAB_K_QUEUE_GET, q.h.id, 0);
	pb = tu_find_obj(tr, CLAB_K_QUEUE_PUT, q.h.id, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pw);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pb);
	CU_ASSERT_EQUAL(pw->a32, 1);
	CU_ASSERT_TRUE(pw->seq < g->seq && g->seq < pb->seq);
	CU_ASSERT_EQUAL(pw->tid, pb->tid);
	CU_ASSERT_EQUAL(pb->a32, 1);
	CU_ASSERT_EQUAL(tu_find(tr, CLAB_K_DIAG, 0)->a8, CLAB_D_DESTROY_BUSY);
	clab_trace_free(tr);
}

static void test_close(void)
{
	clab_queue_t q;
	clab_thread_t *t[2];
	struct parg a[2] = {{&q, NULL, 1}, {&q, NULL, 1}};
	struct qwait w = {&q, &q.getq, 2};
	const struct clab_record *c, *r;
	struct clab_trace *tr;
	void *p = NULL;
	int i;

	tu_begin();
	CU_ASSERT_EQUAL(clab_queue_init(&q, "q", 4), 0);
	for (i = 0; i < 2; i++)
		CU_ASSERT_EQUAL_FATAL(
		    clab_thread_create(&t[i], "consumer", getter, &a[i]), 0);
	CU_ASSERT_EQUAL(tu_wait_until(n_waiting, &w), 0);
	CU_ASSERT_EQUAL(clab_queue_close(&q), 0);
	for (i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL(clab_thread_join(t[i], NULL), 0);
		CU_ASSERT_EQUAL(a[i].ret, CLAB_ECLOSED);
	}
	CU_ASSERT_EQUAL(clab_queue_put(&q, ITEM(1)), CLAB_ECLOSED);
	CU_ASSERT_EQUAL(clab_queue_close(&q), 0); /* again: nothing */
	CU_ASSERT_EQUAL(clab_queue_destroy(&q), 0);

	/* items put before close are still got, then ECLOSED */
	CU_ASSERT_EQUAL(clab_queue_init(&q, "q2", 0), 0);
	CU_ASSERT_EQUAL(clab_queue_put(&q, ITEM(1)), 0);
	CU_ASSERT_EQUAL(clab_queue_put(&q, ITEM(2)), 0);
	CU_ASSERT_EQUAL(clab_queue_close(&q), 0);
	CU_ASSERT_EQUAL(clab_queue_get(&q, &p), 0);
	CU_ASSERT_EQUAL(NUM(p), 1);
	CU_ASSERT_EQUAL(clab_queue_get_timeout(&q, &p, 0), 0);
	CU_ASSERT_EQUAL(NUM(p), 2);
	CU_ASSERT_EQUAL(clab_queue_get(&q, &p), CLAB_ECLOSED);
	CU_ASSERT_EQUAL(clab_queue_get_timeout(&q, &p, 0), CLAB_ECLOSED);
	CU_ASSERT_EQUAL(clab_queue_destroy(&q), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	/* the first queue */
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_QUEUE_CLOSE), 2);
	c = tu_find(tr, CLAB_K_QUEUE_CLOSE, 0);
	CU_ASSERT_EQUAL(c->a32, 2);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_QUEUE_CLOSED, c->obj), 3);
	for (i = 0; i < 2; i++) {
		r = tu_find_obj(tr, CLAB_K_QUEUE_CLOSED, c->obj, (size_t)i);
		CU_ASSERT_EQUAL(r->a8, CLAB_QOP_GET);
		CU_ASSERT_TRUE(r->seq > c->seq);
	}
	r = tu_find_obj(tr, CLAB_K_QUEUE_CLOSED, c->obj, 2);
	CU_ASSERT_EQUAL(r->a8, CLAB_QOP_PUT);
	/* the second */
	c = tu_find_obj(tr, CLAB_K_QUEUE_CLOSE, q.h.id, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->a32, 0);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_QUEUE_GET, q.h.id), 2);
	CU_ASSERT_TRUE(tu_find_obj(tr, CLAB_K_QUEUE_GET, q.h.id, 0)->seq >
		       c->seq);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_QUEUE_CLOSED, q.h.id), 2);
	clab_trace_free(tr);
}

struct jarg {
	clab_queue_t *q;
	int ret;
};

static void *joiner(void *p)
{
	struct jarg *a = p;

	a->ret = clab_queue_join(a->q);
	return NULL;
}

static void test_join_waits_for_task_done(void)
{
	clab_queue_t q;
	clab_thread_t *t;
	struct jarg a = {&q, 1};
	struct qwait w = {&q, &q.joinq, 1};
	const struct clab_record *jw, *td, *j;
	struct clab_trace *tr;
	void *p = NULL;
	int i;

	tu_begin();
	CU_ASSERT_EQUAL(clab_queue_init(&q, "q", 0), 0);
	CU_ASSERT_EQUAL(clab_queue_join(&q), 0); /* nothing put */
	CU_ASSERT_EQUAL(clab_queue_task_done(&q), CLAB_EINVAL);
	for (i = 1; i <= 3; i++)
		CU_ASSERT_EQUAL(clab_queue_put(&q, ITEM(i)), 0);
	CU_ASSERT_EQUAL(clab_queue_join_timeout(&q, 0), CLAB_EAGAIN);
	CU_ASSERT_EQUAL_FATAL(clab_thread_create(&t, "joiner", joiner, &a), 0);
	CU_ASSERT_EQUAL(tu_wait_until(n_waiting, &w), 0);
	for (i = 1; i <= 3; i++) {
		CU_ASSERT_EQUAL(clab_queue_get(&q, &p), 0);
		CU_ASSERT_EQUAL(clab_queue_task_done(&q), 0);
	}
	CU_ASSERT_EQUAL(clab_thread_join(t, NULL), 0);
	CU_ASSERT_EQUAL(a.ret, 0);
	CU_ASSERT_EQUAL(clab_queue_task_done(&q), CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_queue_destroy(&q), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	jw = tu_find_obj(tr, CLAB_K_QUEUE_JOIN_WAIT, q.h.id, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(jw);
	CU_ASSERT_EQUAL(jw->a32, 3);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_QUEUE_TASK_DONE, q.h.id), 3);
	td = tu_find_obj(tr, CLAB_K_QUEUE_TASK_DONE, q.h.id, 2);
	CU_ASSERT_EQUAL(td->a32, 0);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_QUEUE_JOIN, q.h.id), 2);
	j = tu_find_obj(tr, CLAB_K_QUEUE_JOIN, q.h.id, 1);
	CU_ASSERT_TRUE(j->seq > td->seq);
	CU_ASSERT_EQUAL(j->tid, jw->tid);
	j = tu_find_obj(tr, CLAB_K_QUEUE_TIMEOUT, q.h.id, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(j->a8, CLAB_QOP_JOIN);
	clab_trace_free(tr);
}

#define NPROD 3
#define NCONS 3
#define NITEMS 400

struct worker {
	clab_queue_t *q;
	unsigned id;
	unsigned got;
	unsigned last[NPROD]; /* last sequence number seen per producer */
	int bad;
};

static void *producer(void *p)
{
	struct worker *w = p;
	unsigned i;

	for (i = 1; i <= NITEMS; i++)
		if (clab_queue_put(w->q, ITEM(w->id * 100000 + i)) != 0)
			w->bad++;
	return NULL;
}

static void *consumer(void *p)
{
	struct worker *w = p;
	void *it;
	unsigned n, pid, seq;
	int r;

	while ((r = clab_queue_get(w->q, &it)) == 0) {
		n = NUM(it);
		pid = n / 100000;
		seq = n % 100000;
		/* FIFO: each producer's items come out in order */
		if (pid >= NPROD || seq <= w->last[pid])
			w->bad++;
		else
			w->last[pid] = seq;
		w->got++;
		clab_queue_task_done(w->q);
	}
	if (r != CLAB_ECLOSED)
		w->bad++;
	return NULL;
}

static void test_producers_consumers(void)
{
	clab_queue_t q;
	clab_thread_t *pt[NPROD], *ct[NCONS];
	struct worker pw[NPROD], cw[NCONS];
	struct clab_trace *tr;
	unsigned i, total = 0;

	tu_begin();
	CU_ASSERT_EQUAL(clab_queue_init(&q, "buffer", 4), 0);
	memset(pw, 0, sizeof(pw));
	memset(cw, 0, sizeof(cw));
	for (i = 0; i < NCONS; i++) {
		cw[i].q = &q;
		CU_ASSERT_EQUAL_FATAL(
		    clab_thread_create(&ct[i], "consumer", consumer, &cw[i]),
		    0);
	}
	for (i = 0; i < NPROD; i++) {
		pw[i].q = &q;
		pw[i].id = i;
		CU_ASSERT_EQUAL_FATAL(
		    clab_thread_create(&pt[i], "producer", producer, &pw[i]),
		    0);
	}
	for (i = 0; i < NPROD; i++) {
		CU_ASSERT_EQUAL(clab_thread_join(pt[i], NULL), 0);
		CU_ASSERT_EQUAL(pw[i].bad, 0);
	}
	CU_ASSERT_EQUAL(clab_queue_join(&q), 0);
	CU_ASSERT_EQUAL(clab_queue_close(&q), 0);
	for (i = 0; i < NCONS; i++) {
		CU_ASSERT_EQUAL(clab_thread_join(ct[i], NULL), 0);
		CU_ASSERT_EQUAL(cw[i].bad, 0);
		total += cw[i].got;
	}
	CU_ASSERT_EQUAL(total, NPROD * NITEMS);
	CU_ASSERT_EQUAL(clab_queue_destroy(&q), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_QUEUE_PUT, q.h.id),
			NPROD * NITEMS);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_QUEUE_GET, q.h.id),
			NPROD * NITEMS);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_QUEUE_CLOSED, q.h.id), NCONS);
	clab_trace_free(tr);
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "FIFO order, unbounded growth", test_fifo_unbounded);
	CU_add_test(s, "non-blocking and timed put/get",
		    test_nonblocking_and_timeouts);
	CU_add_test(s, "a full queue blocks put", test_capacity_blocks);
	CU_add_test(s, "close wakes waiters and drains", test_close);
	CU_add_test(s, "join waits for task_done",
		    test_join_waits_for_task_done);
	CU_add_test(s, "producers and consumers", test_producers_consumers);
}

int main(void)
{
	return tu_main("runtime/queue", add_tests);
}
