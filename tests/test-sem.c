/* Tests of runtime/sem.c: counting and bounded semaphores. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"
#include "testutil-rt.h"
#include "testutil.h"

static int sem_has_waiter(void *p)
{
	clab_sem_t *s = p;

	return tu_nwaiting(&s->lk, &s->wq) >= 1;
}

static void test_try_and_count(void)
{
	clab_sem_t s;
	const struct clab_record *r;
	struct clab_trace *tr;

	tu_begin();
	CU_ASSERT_EQUAL(clab_sem_init(&s, "s", 2, 0), 0);
	CU_ASSERT_EQUAL(clab_sem_tryacquire(&s), 0);
	CU_ASSERT_EQUAL(clab_sem_tryacquire(&s), 0);
	CU_ASSERT_EQUAL(clab_sem_tryacquire(&s), CLAB_EAGAIN);
	CU_ASSERT_EQUAL(clab_sem_value(&s), 0);
	CU_ASSERT_EQUAL(clab_sem_release(&s), 0);
	CU_ASSERT_EQUAL(clab_sem_release(&s), 0);
	/* counting: no bound */
	CU_ASSERT_EQUAL(clab_sem_release(&s), 0);
	CU_ASSERT_EQUAL(clab_sem_value(&s), 3);
	CU_ASSERT_EQUAL(clab_sem_acquire(&s), 0);
	CU_ASSERT_EQUAL(clab_sem_acquire_timeout(&s, 10), 0);
	CU_ASSERT_EQUAL(clab_sem_value(&s), 1);
	CU_ASSERT_EQUAL(clab_sem_destroy(&s), 0);
	CU_ASSERT_EQUAL(clab_sem_destroy(NULL), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_SEM_ACQUIRE, s.h.id), 4);
	r = tu_find_obj(tr, CLAB_K_SEM_ACQUIRE, s.h.id, 0);
	CU_ASSERT_EQUAL(r->a8, CLAB_HOW_TRY);
	CU_ASSERT_EQUAL(r->a32, 1);
	r = tu_find_obj(tr, CLAB_K_SEM_ACQUIRE, s.h.id, 1);
	CU_ASSERT_EQUAL(r->a32, 0);
	r = tu_find_obj(tr, CLAB_K_SEM_BUSY, s.h.id, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->a32, 0);
	r = tu_find_obj(tr, CLAB_K_SEM_RELEASE, s.h.id, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->a32, 3);
	r = tu_find_obj(tr, CLAB_K_SEM_ACQUIRE, s.h.id, 2);
	CU_ASSERT_EQUAL(r->a8, CLAB_HOW_BLOCK);
	CU_ASSERT_EQUAL(r->a32, 2);
	r = tu_find_obj(tr, CLAB_K_SEM_ACQUIRE, s.h.id, 3);
	CU_ASSERT_EQUAL(r->a8, CLAB_HOW_TIMED);
	CU_ASSERT_EQUAL(r->a32, 1);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_DIAG), 0);
	clab_trace_free(tr);
}

static void test_bounded_over_release(void)
{
	clab_sem_t s;
	const struct clab_record *d;
	struct clab_trace *tr;

	tu_begin();
	CU_ASSERT_EQUAL(clab_sem_init(&s, "pool", 3, 2), CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_sem_init(&s, "pool", 1, 2), 0);
	CU_ASSERT_EQUAL(clab_sem_release(&s), 0);
	CU_ASSERT_EQUAL(clab_sem_release(&s), CLAB_EOVERFLOW);
	CU_ASSERT_EQUAL(clab_sem_value(&s), 2);
	CU_ASSERT_EQUAL(clab_sem_acquire(&s), 0);
	CU_ASSERT_EQUAL(clab_sem_release(&s), 0);
	CU_ASSERT_EQUAL(clab_sem_destroy(&s), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_DIAG), 1);
	d = tu_find(tr, CLAB_K_DIAG, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->a8, CLAB_D_SEM_OVER_RELEASE);
	CU_ASSERT_EQUAL(d->obj, s.h.id);
	CU_ASSERT_EQUAL(d->a32, 2);
	/* the refused release is not recorded as a release */
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_SEM_RELEASE, s.h.id), 2);
	CU_ASSERT_EQUAL(clab_trace_object(tr, s.h.id)->param, 2);
	clab_trace_free(tr);
}

struct acq {
	clab_sem_t *s;
	uint32_t ms;
	int ret;
};

static void *acquirer(void *p)
{
	struct acq *a = p;

	a->ret = clab__sem_acquire(a->s, a->ms, CLAB_SITE());
	return NULL;
}

static void test_block_until_release(void)
{
	clab_sem_t s;
	clab_thread_t *t;
	struct acq a;
	const struct clab_record *w, *rel, *acq;
	struct clab_trace *tr;

	tu_begin();
	CU_ASSERT_EQUAL(clab_sem_init(&s, "s", 0, 0), 0);
	a.s = &s;
	a.ms = CLAB_FOREVER;
	a.ret = 1;
	CU_ASSERT_EQUAL_FATAL(clab_thread_create(&t, "acq", acquirer, &a), 0);
	CU_ASSERT_EQUAL(tu_wait_until(sem_has_waiter, &s), 0);
	CU_ASSERT_EQUAL(clab_sem_destroy(&s), CLAB_EBUSY);
	CU_ASSERT_EQUAL(clab_sem_release(&s), 0);
	/* the permit went to the waiter: nobody can take it before it */
	CU_ASSERT_EQUAL(clab_sem_tryacquire(&s), CLAB_EAGAIN);
	CU_ASSERT_EQUAL(clab_thread_join(t, NULL), 0);
	CU_ASSERT_EQUAL(a.ret, 0);
	CU_ASSERT_EQUAL(clab_sem_value(&s), 0);
	CU_ASSERT_EQUAL(clab_sem_destroy(&s), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	w = tu_find_obj(tr, CLAB_K_SEM_WAIT, s.h.id, 0);
	rel = tu_find_obj(tr, CLAB_K_SEM_RELEASE, s.h.id, 0);
	acq = tu_find_obj(tr, CLAB_K_SEM_ACQUIRE, s.h.id, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rel);
	CU_ASSERT_PTR_NOT_NULL_FATAL(acq);
	CU_ASSERT_EQUAL(w->a32, 0);
	CU_ASSERT_EQUAL(rel->a32, 1);
	CU_ASSERT_EQUAL(acq->a8, CLAB_HOW_BLOCK);
	CU_ASSERT_EQUAL(acq->a32, 0);
	CU_ASSERT_TRUE(w->seq < rel->seq && rel->seq < acq->seq);
	CU_ASSERT_EQUAL(w->tid, acq->tid);
	CU_ASSERT_EQUAL(tu_find(tr, CLAB_K_DIAG, 0)->a8, CLAB_D_DESTROY_BUSY);
	clab_trace_free(tr);
}

static void test_timeout(void)
{
	clab_sem_t s;
	const struct clab_record *r;
	struct clab_trace *tr;
	uint64_t t0;

	tu_begin();
	CU_ASSERT_EQUAL(clab_sem_init(&s, "s", 0, 1), 0);
	t0 = clab__mono_ns();
	CU_ASSERT_EQUAL(clab_sem_acquire_timeout(&s, 30), CLAB_ETIMEDOUT);
	CU_ASSERT_TRUE(clab__mono_ns() - t0 >= 29000000u);
	CU_ASSERT_EQUAL(clab_sem_destroy(&s), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_SEM_ACQUIRE, s.h.id), 0);
	r = tu_find_obj(tr, CLAB_K_SEM_TIMEOUT, s.h.id, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->a32, 0);
	CU_ASSERT_TRUE(tu_find_obj(tr, CLAB_K_SEM_WAIT, s.h.id, 0)->seq <
		       r->seq);
	clab_trace_free(tr);
}

#define NTHR 6
#define NITER 300

struct worker {
	clab_sem_t *s;
	_Atomic int *inside;
	_Atomic int *most;
	int fails;
};

static void *worker(void *p)
{
	struct worker *w = p;
	int i, n, m;

	for (i = 0; i < NITER; i++) {
		if (clab_sem_acquire(w->s) != 0) {
			w->fails++;
			continue;
		}
		n = atomic_fetch_add(w->inside, 1) + 1;
		m = atomic_load(w->most);
		while (n > m && !atomic_compare_exchange_weak(w->most, &m, n))
			;
		atomic_fetch_sub(w->inside, 1);
		if (clab_sem_release(w->s) != 0)
			w->fails++;
	}
	return NULL;
}

/* At most `value` threads are ever inside; no permit is lost. */
static void test_mutual_exclusion(void)
{
	clab_sem_t s;
	clab_thread_t *t[NTHR];
	struct worker w[NTHR];
	_Atomic int inside = 0, most = 0;
	struct clab_trace *tr;
	int i;

	tu_begin();
	CU_ASSERT_EQUAL(clab_sem_init(&s, "slots", 2, 2), 0);
	for (i = 0; i < NTHR; i++) {
		w[i].s = &s;
		w[i].inside = &inside;
		w[i].most = &most;
		w[i].fails = 0;
		CU_ASSERT_EQUAL_FATAL(
		    clab_thread_create(&t[i], "worker", worker, &w[i]), 0);
	}
	for (i = 0; i < NTHR; i++) {
		CU_ASSERT_EQUAL(clab_thread_join(t[i], NULL), 0);
		CU_ASSERT_EQUAL(w[i].fails, 0);
	}
	CU_ASSERT_TRUE(atomic_load(&most) <= 2);
	CU_ASSERT_EQUAL(clab_sem_value(&s), 2);
	CU_ASSERT_EQUAL(clab_sem_destroy(&s), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_SEM_ACQUIRE, s.h.id),
			NTHR * NITER);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_SEM_RELEASE, s.h.id),
			NTHR * NITER);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_DIAG), 0);
	clab_trace_free(tr);
}

/*
 * A release hands the permit to the waiter, which then never touches the
 * semaphore again: it may be destroyed and freed at once (ASan sees it if
 * the woken thread does touch it).
 */
static void test_destroy_after_release(void)
{
	enum { N = 300 };
	int destroyed = 0;
	tu_begin();
	for (int i = 0; i < N; i++) {
		clab_sem_t *s = malloc(sizeof(*s));
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		clab_sem_init(s, "s", 0, 0);
		struct acq a = {s, CLAB_FOREVER, 1};
		clab_thread_t *t;
		CU_ASSERT_EQUAL_FATAL(
		    clab_thread_create(&t, "acq", acquirer, &a), 0);
		CU_ASSERT_EQUAL(tu_wait_until(sem_has_waiter, s), 0);
		CU_ASSERT_EQUAL(clab_sem_release(s), 0);
		destroyed += clab_sem_destroy(s) == 0;
		memset(s, 0xa5, sizeof(*s));
		free(s);
		CU_ASSERT_EQUAL(clab_thread_join(t, NULL), 0);
		CU_ASSERT_EQUAL(a.ret, 0);
	}
	CU_ASSERT_EQUAL(destroyed, N);
	struct clab_trace *tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_SEM_ACQUIRE), N);
	clab_trace_free(tr);
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "try, count and values", test_try_and_count);
	CU_add_test(s, "bounded over-release", test_bounded_over_release);
	CU_add_test(s, "acquire blocks until release",
		    test_block_until_release);
	CU_add_test(s, "timed acquire times out", test_timeout);
	CU_add_test(s, "destroyed and freed right after the release",
		    test_destroy_after_release);
	CU_add_test(s, "never more holders than permits",
		    test_mutual_exclusion);
}

int main(void)
{
	return tu_main("runtime/sem", add_tests);
}
