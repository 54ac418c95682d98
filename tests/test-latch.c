/* Tests of runtime/latch.c: the one-shot flag (threading.Event). */
#include <stdint.h>
#include <string.h>

#include "rt.h"
#include "testutil-rt.h"
#include "testutil.h"

#define NWAIT 3

static int all_waiting(void *p)
{
	clab_latch_t *l = p;

	return tu_nwaiting(&l->lk, &l->wq) == NWAIT;
}

struct warg {
	clab_latch_t *l;
	int ret;
};

static void *waiter(void *p)
{
	struct warg *a = p;

	a->ret = clab_latch_wait(a->l);
	return NULL;
}

static void test_already_set(void)
{
	clab_latch_t l;
	const struct clab_record *r;
	struct clab_trace *tr;

	tu_begin();
	CU_ASSERT_EQUAL(clab_latch_init(&l, "l"), 0);
	CU_ASSERT_FALSE(clab_latch_is_set(&l));
	CU_ASSERT_EQUAL(clab_latch_set(&l), 0); /* nobody woken */
	CU_ASSERT_TRUE(clab_latch_is_set(&l));
	CU_ASSERT_EQUAL(clab_latch_wait(&l), 0);
	CU_ASSERT_EQUAL(clab_latch_wait_timeout(&l, 0), 0);
	CU_ASSERT_EQUAL(clab_latch_destroy(&l), 0);
	CU_ASSERT_EQUAL(clab_latch_destroy(NULL), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_LATCH_WAIT, l.h.id), 0);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_LATCH_WAKE, l.h.id), 2);
	r = tu_find_obj(tr, CLAB_K_LATCH_WAKE, l.h.id, 0);
	CU_ASSERT_EQUAL(r->a8, CLAB_CAUSE_ALREADY);
	r = tu_find_obj(tr, CLAB_K_LATCH_SET, l.h.id, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->a32, 0);
	clab_trace_free(tr);
}

static void test_set_wakes_all(void)
{
	clab_latch_t l;
	clab_thread_t *t[NWAIT];
	struct warg a[NWAIT];
	const struct clab_record *set, *r;
	struct clab_trace *tr;
	size_t i;

	tu_begin();
	CU_ASSERT_EQUAL(clab_latch_init(&l, "go"), 0);
	for (i = 0; i < NWAIT; i++) {
		a[i].l = &l;
		a[i].ret = 1;
		CU_ASSERT_EQUAL_FATAL(
		    clab_thread_create(&t[i], "waiter", waiter, &a[i]), 0);
	}
	CU_ASSERT_EQUAL(tu_wait_until(all_waiting, &l), 0);
	CU_ASSERT_EQUAL(clab_latch_destroy(&l), CLAB_EBUSY);
	CU_ASSERT_EQUAL(clab_latch_set(&l), NWAIT);
	for (i = 0; i < NWAIT; i++) {
		CU_ASSERT_EQUAL(clab_thread_join(t[i], NULL), 0);
		CU_ASSERT_EQUAL(a[i].ret, 0);
	}
	CU_ASSERT_EQUAL(clab_latch_destroy(&l), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	set = tu_find_obj(tr, CLAB_K_LATCH_SET, l.h.id, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(set);
	CU_ASSERT_EQUAL(set->a32, NWAIT);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_LATCH_WAIT, l.h.id), NWAIT);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_LATCH_WAKE, l.h.id), NWAIT);
	for (i = 0; i < NWAIT; i++) {
		r = tu_find_obj(tr, CLAB_K_LATCH_WAIT, l.h.id, i);
		CU_ASSERT_TRUE(r->seq < set->seq);
		r = tu_find_obj(tr, CLAB_K_LATCH_WAKE, l.h.id, i);
		CU_ASSERT_EQUAL(r->a8, CLAB_CAUSE_SET);
		CU_ASSERT_TRUE(r->seq > set->seq);
	}
	r = tu_find(tr, CLAB_K_DIAG, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->a8, CLAB_D_DESTROY_BUSY);
	clab_trace_free(tr);
}

static void test_timeout_and_clear(void)
{
	clab_latch_t l;
	const struct clab_record *w, *wk;
	struct clab_trace *tr;
	uint64_t t0;

	tu_begin();
	CU_ASSERT_EQUAL(clab_latch_init(&l, "l"), 0);
	t0 = clab__mono_ns();
	CU_ASSERT_EQUAL(clab_latch_wait_timeout(&l, 30), CLAB_ETIMEDOUT);
	CU_ASSERT_TRUE(clab__mono_ns() - t0 >= 29000000u);
	CU_ASSERT_EQUAL(clab_latch_wait_timeout(&l, 0), CLAB_ETIMEDOUT);
	CU_ASSERT_EQUAL(clab_latch_set(&l), 0);
	CU_ASSERT_EQUAL(clab_latch_clear(&l), 0);
	CU_ASSERT_FALSE(clab_latch_is_set(&l));
	CU_ASSERT_EQUAL(clab_latch_wait_timeout(&l, 1), CLAB_ETIMEDOUT);
	CU_ASSERT_EQUAL(clab_latch_destroy(&l), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_LATCH_WAIT, l.h.id), 3);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_LATCH_WAKE, l.h.id), 3);
	w = tu_find_obj(tr, CLAB_K_LATCH_WAIT, l.h.id, 0);
	wk = tu_find_obj(tr, CLAB_K_LATCH_WAKE, l.h.id, 0);
	CU_ASSERT_TRUE(w->seq < wk->seq);
	CU_ASSERT_EQUAL(wk->a8, CLAB_CAUSE_TIMEOUT);
	wk = tu_find_obj(tr, CLAB_K_LATCH_WAKE, l.h.id, 2);
	CU_ASSERT_EQUAL(wk->a8, CLAB_CAUSE_TIMEOUT);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_LATCH_CLEAR, l.h.id), 1);
	clab_trace_free(tr);
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "wait on a set latch returns at once", test_already_set);
	CU_add_test(s, "set wakes every waiter", test_set_wakes_all);
	CU_add_test(s, "timed wait and clear", test_timeout_and_clear);
}

int main(void)
{
	return tu_main("runtime/latch", add_tests);
}
