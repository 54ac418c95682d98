/* Tests of runtime/rwlock.c: reader-writer locks and their policies. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"
#include "testutil-rt.h"
#include "testutil.h"

static int nqueued(clab_rwlock_t *l)
{
	return (int)tu_nwaiting(&l->lk, &l->wq);
}

static int one_queued(void *p)
{
	return nqueued(p) >= 1;
}

static int two_queued(void *p)
{
	return nqueued(p) >= 2;
}

static int two_readers(void *p)
{
	return clab_rwlock_readers(p) == 2;
}

static size_t count_diag(const struct clab_trace *tr, unsigned code)
{
	size_t i, c = 0, n = tu_count(tr, CLAB_K_DIAG);

	for (i = 0; i < n; i++)
		c += tu_find(tr, CLAB_K_DIAG, i)->a8 == code;
	return c;
}

static void test_modes_and_misuse(void)
{
	clab_rwlock_t l;
	const struct clab_record *r;
	struct clab_trace *tr;

	tu_begin();
	CU_ASSERT_EQUAL(clab_rwlock_init(&l, "l", 3), CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_rwlock_init(&l, "l", -1), CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_rwlock_init(&l, "l", CLAB_RWLOCK_FAIR), 0);
	CU_ASSERT_EQUAL(clab_rwlock_init(&l, "l", CLAB_RWLOCK_FAIR),
			CLAB_EINVAL); /* twice */
	/* nobody holds it */
	CU_ASSERT_EQUAL(clab_rwlock_unlock(&l), CLAB_EPERM);
	CU_ASSERT_EQUAL(clab_rwlock_rdlock(&l), 0);
	CU_ASSERT_EQUAL(clab_rwlock_tryrdlock(&l), 0); /* a reader again */
	CU_ASSERT_EQUAL(clab_rwlock_readers(&l), 2);
	CU_ASSERT_EQUAL(clab_rwlock_trywrlock(&l), CLAB_EBUSY);
	CU_ASSERT_EQUAL(clab_rwlock_timedwrlock(&l, 20), CLAB_ETIMEDOUT);
	CU_ASSERT_EQUAL(clab_rwlock_destroy(&l), CLAB_EBUSY);
	CU_ASSERT_EQUAL(clab_rwlock_unlock(&l), 0);
	CU_ASSERT_EQUAL(clab_rwlock_unlock(&l), 0);
	CU_ASSERT_EQUAL(clab_rwlock_unlock(&l), CLAB_EPERM);
	CU_ASSERT_EQUAL(clab_rwlock_wrlock(&l), 0);
	CU_ASSERT_EQUAL(clab_rwlock_readers(&l), 0);
	CU_ASSERT_EQUAL(clab_rwlock_wrlock(&l), CLAB_EDEADLK);
	CU_ASSERT_EQUAL(clab_rwlock_rdlock(&l), CLAB_EDEADLK);
	/* a try cannot deadlock: busy, as POSIX has it, and no misuse */
	CU_ASSERT_EQUAL(clab_rwlock_trywrlock(&l), CLAB_EBUSY);
	CU_ASSERT_EQUAL(clab_rwlock_tryrdlock(&l), CLAB_EBUSY);
	CU_ASSERT_EQUAL(clab_rwlock_destroy(&l), CLAB_EBUSY);
	CU_ASSERT_EQUAL(clab_rwlock_unlock(&l), 0);
	CU_ASSERT_EQUAL(clab_rwlock_destroy(&l), 0);
	CU_ASSERT_EQUAL(clab_rwlock_rdlock(&l), CLAB_EINVAL); /* destroyed */
	CU_ASSERT_EQUAL(clab_rwlock_destroy(NULL), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	CU_ASSERT_EQUAL(clab_trace_object(tr, l.h.id)->kind, CLAB_O_RWLOCK);
	CU_ASSERT_EQUAL(clab_trace_object(tr, l.h.id)->param, CLAB_RWLOCK_FAIR);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_RW_READ_ACQUIRE, l.h.id), 2);
	r = tu_find_obj(tr, CLAB_K_RW_READ_ACQUIRE, l.h.id, 1);
	CU_ASSERT_EQUAL(r->a8, CLAB_HOW_TRY);
	CU_ASSERT_EQUAL(r->a32, 2);
	r = tu_find_obj(tr, CLAB_K_RW_BUSY, l.h.id, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->a8, 1);
	CU_ASSERT_EQUAL(r->a32, 2);
	r = tu_find_obj(tr, CLAB_K_RW_TIMEOUT, l.h.id, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->a8, 1);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_RW_WRITE_REQUEST, l.h.id), 1);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_RW_WRITE_ACQUIRE, l.h.id), 1);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_RW_RELEASE, l.h.id), 3);
	r = tu_find_obj(tr, CLAB_K_RW_RELEASE, l.h.id, 0);
	CU_ASSERT_EQUAL(r->a8, 0);
	CU_ASSERT_EQUAL(r->a32, 1);
	r = tu_find_obj(tr, CLAB_K_RW_RELEASE, l.h.id, 2);
	CU_ASSERT_EQUAL(r->a8, 1);
	CU_ASSERT_EQUAL(count_diag(tr, CLAB_D_UNLOCK_UNLOCKED), 2);
	CU_ASSERT_EQUAL(count_diag(tr, CLAB_D_RELOCK), 2);
	CU_ASSERT_EQUAL(count_diag(tr, CLAB_D_DESTROY_HELD), 2);
	CU_ASSERT_EQUAL(count_diag(tr, CLAB_D_BAD_OBJECT), 2);
	clab_trace_free(tr);
}

/* Objects that are not live reader-writer locks are refused. */
static void test_bad_objects(void)
{
	union {
		clab_rwlock_t l;
		clab_mutex_t m;
	} u;
	clab_rwlock_t zero, copy, *null = NULL;
	struct clab_trace *tr;

	memset(&zero, 0, sizeof(zero));
	tu_begin();
	CU_ASSERT_EQUAL(clab_mutex_init(&u.m, "m", CLAB_MUTEX_NORMAL), 0);
	CU_ASSERT_EQUAL(clab_rwlock_rdlock(&u.l), CLAB_EINVAL); /* a mutex */
	CU_ASSERT_EQUAL(clab_rwlock_unlock(&zero), CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_rwlock_wrlock(null), CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_rwlock_readers(&zero), 0);
	CU_ASSERT_EQUAL(clab_mutex_destroy(&u.m), 0);
	CU_ASSERT_EQUAL(clab_rwlock_init(&u.l, "l", CLAB_RWLOCK_READERS), 0);
	memcpy(&copy, &u.l, sizeof(copy)); /* at another address */
	CU_ASSERT_EQUAL(clab_rwlock_trywrlock(&copy), CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_rwlock_trywrlock(&u.l), 0);
	CU_ASSERT_EQUAL(clab_rwlock_unlock(&u.l), 0);
	CU_ASSERT_EQUAL(clab_rwlock_destroy(&u.l), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_EQUAL(count_diag(tr, CLAB_D_BAD_OBJECT), 5);
	for (size_t i = 0, k = 0; i < tu_count(tr, CLAB_K_DIAG); i++) {
		const struct clab_record *d = tu_find(tr, CLAB_K_DIAG, i);
		static const unsigned why[] = {
		    CLAB_BADOBJ_WRONG_KIND, CLAB_BADOBJ_UNINIT,
		    CLAB_BADOBJ_NULL, CLAB_BADOBJ_UNINIT, CLAB_BADOBJ_CORRUPT};
		if (d->a8 != CLAB_D_BAD_OBJECT || k >= 5)
			continue;
		CU_ASSERT_EQUAL(d->a32 & 0xff, why[k]);
		CU_ASSERT_EQUAL(d->a32 >> 8 & 0xff, CLAB_O_RWLOCK);
		k++;
	}
	clab_trace_free(tr);
}

/* An unlock by a thread that does not hold it, while others do. */
static void *unlock_other(void *p)
{
	return (void *)(intptr_t)clab_rwlock_unlock((clab_rwlock_t *)p);
}

static void test_unlock_not_holder(void)
{
	clab_rwlock_t l;
	clab_thread_t *t;
	void *ret = NULL;
	struct clab_trace *tr;

	tu_begin();
	CU_ASSERT_EQUAL(clab_rwlock_init(&l, "l", CLAB_RWLOCK_READERS), 0);
	CU_ASSERT_EQUAL(clab_rwlock_rdlock(&l), 0);
	CU_ASSERT_EQUAL(clab_thread_create(&t, "other", unlock_other, &l), 0);
	CU_ASSERT_EQUAL(clab_thread_join(t, &ret), 0);
	CU_ASSERT_EQUAL((intptr_t)ret, CLAB_EPERM);
	CU_ASSERT_EQUAL(clab_rwlock_readers(&l), 1); /* ours is still held */
	CU_ASSERT_EQUAL(clab_rwlock_unlock(&l), 0);
	CU_ASSERT_EQUAL(clab_rwlock_wrlock(&l), 0);
	CU_ASSERT_EQUAL(clab_thread_create(&t, "other", unlock_other, &l), 0);
	CU_ASSERT_EQUAL(clab_thread_join(t, &ret), 0);
	CU_ASSERT_EQUAL((intptr_t)ret, CLAB_EPERM);
	CU_ASSERT_EQUAL(clab_rwlock_unlock(&l), 0);
	CU_ASSERT_EQUAL(clab_rwlock_destroy(&l), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_EQUAL(count_diag(tr, CLAB_D_UNLOCK_NOT_OWNER), 2);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_RW_RELEASE, l.h.id), 2);
	clab_trace_free(tr);
}

struct req {
	clab_rwlock_t *l;
	int write;
	uint32_t ms;
	int ret;
	int hold; /* keep it until told */
	clab_latch_t *go;
};

static void *requester(void *p)
{
	struct req *q = p;

	q->ret = clab__rwlock_lock(q->l, q->write, q->ms, CLAB_SITE());
	if (q->ret == 0) {
		if (q->go)
			clab_latch_wait(q->go);
		clab_rwlock_unlock(q->l);
	}
	return NULL;
}

/*
 * main reads; a writer queues; does a new reader get in?  Only under the
 * readers' preference.
 */
static void reader_behind_writer(int policy, int expect)
{
	clab_rwlock_t l;
	clab_latch_t go;
	clab_thread_t *tw, *tr2;
	struct req w = {0}, r = {0};
	struct clab_trace *tr;
	const struct clab_record *wa, *ra;

	tu_begin();
	CU_ASSERT_EQUAL(clab_rwlock_init(&l, "l", policy), 0);
	CU_ASSERT_EQUAL(clab_latch_init(&go, "go"), 0);
	CU_ASSERT_EQUAL(clab_rwlock_rdlock(&l), 0);
	w = (struct req){&l, 1, CLAB_FOREVER, 1, 0, NULL};
	CU_ASSERT_EQUAL(clab_thread_create(&tw, "writer", requester, &w), 0);
	CU_ASSERT_EQUAL(tu_wait_until(one_queued, &l), 0);
	r = (struct req){&l, 0, 0, 1, 0, &go};
	CU_ASSERT_EQUAL(clab_thread_create(&tr2, "reader", requester, &r), 0);
	if (expect == 0) { /* it got in, and keeps it until go */
		CU_ASSERT_EQUAL(tu_wait_until(two_readers, &l), 0);
	} else { /* it gave up at once */
		CU_ASSERT_EQUAL(clab_thread_join(tr2, NULL), 0);
	}
	CU_ASSERT_EQUAL(nqueued(&l), 1); /* the writer still waits */
	CU_ASSERT_EQUAL(clab_rwlock_unlock(&l), 0);
	CU_ASSERT_EQUAL(clab_latch_set(&go) >= 0, 1);
	if (expect == 0) {
		CU_ASSERT_EQUAL(clab_thread_join(tr2, NULL), 0);
	}
	CU_ASSERT_EQUAL(clab_thread_join(tw, NULL), 0);
	CU_ASSERT_EQUAL(r.ret, expect);
	CU_ASSERT_EQUAL(w.ret, 0);
	CU_ASSERT_EQUAL(clab_rwlock_destroy(&l), 0);
	clab_latch_destroy(&go);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	wa = tu_find_obj(tr, CLAB_K_RW_WRITE_ACQUIRE, l.h.id, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(wa);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_RW_WRITE_REQUEST, l.h.id), 1);
	ra = tu_find_obj(tr, CLAB_K_RW_READ_ACQUIRE, l.h.id, 1);
	if (expect == 0) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(ra);
		CU_ASSERT_TRUE(ra->seq < wa->seq);
		CU_ASSERT_EQUAL(ra->a32, 2);
	} else {
		CU_ASSERT_PTR_NULL(ra);
		CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_RW_BUSY, l.h.id), 1);
	}
	clab_trace_free(tr);
}

static void test_readers_pref(void)
{
	reader_behind_writer(CLAB_RWLOCK_READERS, 0);
}

static void test_writers_pref(void)
{
	reader_behind_writer(CLAB_RWLOCK_WRITERS, CLAB_EBUSY);
}

static void test_fair(void)
{
	reader_behind_writer(CLAB_RWLOCK_FAIR, CLAB_EBUSY);
}

/*
 * A queued writer that gives up lets the readers it held back in (writer
 * preference), and a fair lock serves in arrival order: reader, writer,
 * reader.
 */
static void test_timeout_lets_readers_in(void)
{
	clab_rwlock_t l;
	clab_thread_t *tw, *tr1;
	struct req w, r;
	struct clab_trace *tr;
	const struct clab_record *to, *ra;

	tu_begin();
	CU_ASSERT_EQUAL(clab_rwlock_init(&l, "l", CLAB_RWLOCK_WRITERS), 0);
	CU_ASSERT_EQUAL(clab_rwlock_rdlock(&l), 0);
	w = (struct req){&l, 1, 60, 1, 0, NULL};
	CU_ASSERT_EQUAL(clab_thread_create(&tw, "writer", requester, &w), 0);
	CU_ASSERT_EQUAL(tu_wait_until(one_queued, &l), 0);
	r = (struct req){&l, 0, CLAB_FOREVER, 1, 0, NULL};
	CU_ASSERT_EQUAL(clab_thread_create(&tr1, "reader", requester, &r), 0);
	CU_ASSERT_EQUAL(clab_thread_join(tw, NULL), 0);
	CU_ASSERT_EQUAL(clab_thread_join(tr1, NULL), 0);
	CU_ASSERT_EQUAL(w.ret, CLAB_ETIMEDOUT);
	CU_ASSERT_EQUAL(r.ret, 0);
	CU_ASSERT_EQUAL(clab_rwlock_unlock(&l), 0);
	CU_ASSERT_EQUAL(clab_rwlock_destroy(&l), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	to = tu_find_obj(tr, CLAB_K_RW_TIMEOUT, l.h.id, 0);
	ra = tu_find_obj(tr, CLAB_K_RW_READ_ACQUIRE, l.h.id, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(to);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ra);
	CU_ASSERT_EQUAL(to->a8, 1);
	CU_ASSERT_TRUE(to->seq < ra->seq);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_RW_READ_REQUEST, l.h.id), 1);
	clab_trace_free(tr);
}

static void test_fair_order(void)
{
	clab_rwlock_t l;
	clab_thread_t *tw, *tr1;
	struct req w, r;
	struct clab_trace *tr;
	const struct clab_record *wa, *ra;

	tu_begin();
	CU_ASSERT_EQUAL(clab_rwlock_init(&l, "l", CLAB_RWLOCK_FAIR), 0);
	CU_ASSERT_EQUAL(clab_rwlock_wrlock(&l), 0);
	r = (struct req){&l, 0, CLAB_FOREVER, 1, 0, NULL};
	CU_ASSERT_EQUAL(clab_thread_create(&tr1, "reader", requester, &r), 0);
	CU_ASSERT_EQUAL(tu_wait_until(one_queued, &l), 0);
	w = (struct req){&l, 1, CLAB_FOREVER, 1, 0, NULL};
	CU_ASSERT_EQUAL(clab_thread_create(&tw, "writer", requester, &w), 0);
	CU_ASSERT_EQUAL(tu_wait_until(two_queued, &l), 0);
	CU_ASSERT_EQUAL(clab_rwlock_unlock(&l), 0);
	CU_ASSERT_EQUAL(clab_thread_join(tw, NULL), 0);
	CU_ASSERT_EQUAL(clab_thread_join(tr1, NULL), 0);
	CU_ASSERT_EQUAL(w.ret, 0);
	CU_ASSERT_EQUAL(r.ret, 0);
	CU_ASSERT_EQUAL(clab_rwlock_destroy(&l), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	ra = tu_find_obj(tr, CLAB_K_RW_READ_ACQUIRE, l.h.id, 0);
	wa = tu_find_obj(tr, CLAB_K_RW_WRITE_ACQUIRE, l.h.id, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ra);
	CU_ASSERT_PTR_NOT_NULL_FATAL(wa);
	CU_ASSERT_TRUE(ra->seq < wa->seq);
	clab_trace_free(tr);
}

#define NTHR 6
#define NITER 300

struct worker {
	clab_rwlock_t *l;
	_Atomic int *readers, *writers;
	int bad, fails, id;
};

static void *worker(void *p)
{
	struct worker *w = p;

	for (int i = 0; i < NITER; i++) {
		int write = (i + w->id) % 4 == 0;
		if (clab__rwlock_lock(w->l, write, CLAB_FOREVER, CLAB_SITE()) !=
		    0) {
			w->fails++;
			continue;
		}
		if (write) {
			if (atomic_fetch_add(w->writers, 1) != 0 ||
			    atomic_load(w->readers) != 0)
				w->bad++;
			atomic_fetch_sub(w->writers, 1);
		} else {
			atomic_fetch_add(w->readers, 1);
			if (atomic_load(w->writers) != 0)
				w->bad++;
			atomic_fetch_sub(w->readers, 1);
		}
		if (clab_rwlock_unlock(w->l) != 0)
			w->fails++;
	}
	return NULL;
}

static void test_exclusion(void)
{
	for (int policy = 0; policy <= CLAB_RWLOCK_FAIR; policy++) {
		clab_rwlock_t l;
		clab_thread_t *t[NTHR];
		struct worker w[NTHR];
		_Atomic int readers = 0, writers = 0;
		struct clab_trace *tr;

		tu_begin();
		CU_ASSERT_EQUAL(clab_rwlock_init(&l, "l", policy), 0);
		for (int i = 0; i < NTHR; i++) {
			w[i] = (struct worker){&l, &readers, &writers, 0, 0, i};
			CU_ASSERT_EQUAL(
			    clab_thread_create(&t[i], "w", worker, &w[i]), 0);
		}
		for (int i = 0; i < NTHR; i++) {
			CU_ASSERT_EQUAL(clab_thread_join(t[i], NULL), 0);
			CU_ASSERT_EQUAL(w[i].bad, 0);
			CU_ASSERT_EQUAL(w[i].fails, 0);
		}
		CU_ASSERT_EQUAL(clab_rwlock_readers(&l), 0);
		CU_ASSERT_EQUAL(clab_rwlock_destroy(&l), 0);
		tr = tu_end();
		CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
		CU_ASSERT_EQUAL(
		    tu_count_obj(tr, CLAB_K_RW_READ_ACQUIRE, l.h.id) +
			tu_count_obj(tr, CLAB_K_RW_WRITE_ACQUIRE, l.h.id),
		    NTHR * NITER);
		CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_RW_RELEASE, l.h.id),
				NTHR * NITER);
		CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_DIAG), 0);
		clab_trace_free(tr);
	}
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "modes, records and misuse", test_modes_and_misuse);
	CU_add_test(s, "objects that are not live locks", test_bad_objects);
	CU_add_test(s, "unlock by a thread that holds nothing",
		    test_unlock_not_holder);
	CU_add_test(s, "readers' preference: a reader passes a writer",
		    test_readers_pref);
	CU_add_test(s, "writers' preference: a reader waits for a writer",
		    test_writers_pref);
	CU_add_test(s, "fair: a reader waits behind a writer", test_fair);
	CU_add_test(s, "a writer that times out lets readers in",
		    test_timeout_lets_readers_in);
	CU_add_test(s, "fair: served in arrival order", test_fair_order);
	CU_add_test(s, "one writer or many readers, every policy",
		    test_exclusion);
}

int main(void)
{
	return tu_main("runtime/rwlock", add_tests);
}
