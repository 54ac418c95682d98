/* Tests of runtime/barrier.c. */
#include <stdint.h>
#include <string.h>

#include "rt.h"
#include "testutil-rt.h"
#include "testutil.h"

#define NPARTY 3

struct want {
	clab_barrier_t *b;
	unsigned n;
};

static int n_waiting(void *p)
{
	struct want *w = p;

	return tu_nwaiting(&w->b->lk, &w->b->wq) == w->n;
}

struct parg {
	clab_barrier_t *b;
	uint32_t ms;
	int rounds;
	int ret[4];
};

static void *party(void *p)
{
	struct parg *a = p;
	int i;

	for (i = 0; i < a->rounds; i++)
		a->ret[i] = clab__barrier_wait(a->b, a->ms, CLAB_SITE());
	return NULL;
}

static void start(clab_thread_t **t, struct parg *a, int n, clab_barrier_t *b,
		  uint32_t ms, int rounds)
{
	int i;

	for (i = 0; i < n; i++) {
		memset(&a[i], 0, sizeof(a[i]));
		a[i].b = b;
		a[i].ms = ms;
		a[i].rounds = rounds;
		CU_ASSERT_EQUAL_FATAL(
		    clab_thread_create(&t[i], "party", party, &a[i]), 0);
	}
}

static void join(clab_thread_t **t, int n)
{
	int i;

	for (i = 0; i < n; i++)
		CU_ASSERT_EQUAL(clab_thread_join(t[i], NULL), 0);
}

static void test_pass(void)
{
	clab_barrier_t b;
	clab_thread_t *t[NPARTY];
	struct parg a[NPARTY];
	const struct clab_record *r, *pass;
	struct clab_trace *tr;
	int i, round, seen;

	tu_begin();
	CU_ASSERT_EQUAL(clab_barrier_init(&b, "b", 0), CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_barrier_init(&b, "b", NPARTY), 0);
	start(t, a, NPARTY, &b, CLAB_FOREVER, 2);
	join(t, NPARTY);
	for (round = 0; round < 2; round++) {
		seen = 0;
		for (i = 0; i < NPARTY; i++) {
			CU_ASSERT_TRUE(a[i].ret[round] >= 0 &&
				       a[i].ret[round] < NPARTY);
			if (a[i].ret[round] >= 0 && a[i].ret[round] < NPARTY)
				seen |= 1 << a[i].ret[round];
		}
		/* each arrival index once */
		CU_ASSERT_EQUAL(seen, (1 << NPARTY) - 1);
	}
	CU_ASSERT_FALSE(clab_barrier_broken(&b));
	CU_ASSERT_EQUAL(clab_barrier_destroy(&b), 0);
	CU_ASSERT_EQUAL(clab_barrier_destroy(NULL), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	CU_ASSERT_EQUAL(clab_trace_object(tr, b.h.id)->param, NPARTY);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_BARRIER_WAIT, b.h.id),
			2 * NPARTY);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_BARRIER_PASS, b.h.id), 2);
	for (round = 0; round < 2; round++) {
		pass =
		    tu_find_obj(tr, CLAB_K_BARRIER_PASS, b.h.id, (size_t)round);
		CU_ASSERT_PTR_NOT_NULL_FATAL(pass);
		CU_ASSERT_EQUAL(pass->a32, (uint32_t)round + 1);
		for (i = 0; i < NPARTY; i++) {
			r = tu_find_obj(tr, CLAB_K_BARRIER_WAIT, b.h.id,
					(size_t)(round * NPARTY + i));
			CU_ASSERT_EQUAL(r->a32, (uint32_t)i + 1);
			CU_ASSERT_TRUE(r->seq < pass->seq);
		}
	}
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_BARRIER_BROKEN), 0);
	clab_trace_free(tr);
}

static void test_abort(void)
{
	clab_barrier_t b;
	clab_thread_t *t[NPARTY - 1];
	struct parg a[NPARTY - 1];
	struct want w = {&b, NPARTY - 1};
	const struct clab_record *ab;
	struct clab_trace *tr;
	int i;

	tu_begin();
	CU_ASSERT_EQUAL(clab_barrier_init(&b, "b", NPARTY), 0);
	start(t, a, NPARTY - 1, &b, CLAB_FOREVER, 1);
	CU_ASSERT_EQUAL(tu_wait_until(n_waiting, &w), 0);
	CU_ASSERT_EQUAL(clab_barrier_destroy(&b), CLAB_EBUSY);
	CU_ASSERT_EQUAL(clab_barrier_abort(&b), 0);
	join(t, NPARTY - 1);
	for (i = 0; i < NPARTY - 1; i++)
		CU_ASSERT_EQUAL(a[i].ret[0], CLAB_EBROKEN);
	CU_ASSERT_TRUE(clab_barrier_broken(&b));
	/* and every later waiter */
	CU_ASSERT_EQUAL(clab_barrier_wait(&b), CLAB_EBROKEN);
	CU_ASSERT_EQUAL(clab_barrier_destroy(&b), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	ab = tu_find_obj(tr, CLAB_K_BARRIER_ABORT, b.h.id, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ab);
	CU_ASSERT_EQUAL(ab->a32, NPARTY - 1);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_BARRIER_BROKEN, b.h.id),
			NPARTY);
	for (i = 0; i < NPARTY; i++)
		CU_ASSERT_TRUE(
		    tu_find_obj(tr, CLAB_K_BARRIER_BROKEN, b.h.id, (size_t)i)
			->seq > ab->seq);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_BARRIER_PASS, b.h.id), 0);
	clab_trace_free(tr);
}

static void test_timeout_breaks(void)
{
	clab_barrier_t b;
	clab_thread_t *t[1];
	struct parg a[1];
	const struct clab_record *br;
	struct clab_trace *tr;

	tu_begin();
	CU_ASSERT_EQUAL(clab_barrier_init(&b, "b", NPARTY), 0);
	start(t, a, 1, &b, CLAB_FOREVER, 1);
	CU_ASSERT_EQUAL(clab_barrier_wait_timeout(&b, 20), CLAB_ETIMEDOUT);
	join(t, 1);
	/* whether it arrived before or after the break */
	CU_ASSERT_EQUAL(a[0].ret[0], CLAB_EBROKEN);
	CU_ASSERT_TRUE(clab_barrier_broken(&b));
	CU_ASSERT_EQUAL(clab_barrier_destroy(&b), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_BARRIER_BROKEN, b.h.id), 2);
	br = tu_find_obj(tr, CLAB_K_BARRIER_BROKEN, b.h.id, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(br);
	CU_ASSERT_EQUAL(br->tid, 0); /* main broke it */
	clab_trace_free(tr);
}

static void test_reset(void)
{
	clab_barrier_t b;
	clab_thread_t *t[2];
	struct parg a[2];
	struct want w = {&b, 1};
	const struct clab_record *rs;
	struct clab_trace *tr;

	tu_begin();
	CU_ASSERT_EQUAL(clab_barrier_init(&b, "b", 2), 0);
	start(t, a, 1, &b, CLAB_FOREVER, 1);
	CU_ASSERT_EQUAL(tu_wait_until(n_waiting, &w), 0);
	CU_ASSERT_EQUAL(clab_barrier_reset(&b), 0);
	join(t, 1);
	CU_ASSERT_EQUAL(a[0].ret[0], CLAB_EBROKEN);
	/* usable again */
	CU_ASSERT_FALSE(clab_barrier_broken(&b));
	start(t, a, 2, &b, CLAB_FOREVER, 1);
	join(t, 2);
	CU_ASSERT_EQUAL(a[0].ret[0] + a[1].ret[0], 1); /* indexes 0 and 1 */
	CU_ASSERT_EQUAL(clab_barrier_destroy(&b), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	rs = tu_find_obj(tr, CLAB_K_BARRIER_RESET, b.h.id, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
	CU_ASSERT_EQUAL(rs->a32, 1);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_BARRIER_PASS, b.h.id), 1);
	clab_trace_free(tr);
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "parties pass together, twice", test_pass);
	CU_add_test(s, "abort breaks it for every waiter", test_abort);
	CU_add_test(s, "a timeout breaks it for the others",
		    test_timeout_breaks);
	CU_add_test(s, "reset wakes waiters and makes it usable", test_reset);
}

int main(void)
{
	return tu_main("runtime/barrier", add_tests);
}
