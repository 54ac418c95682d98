/*
 * Hostile objects, part two: objects out of their lifetime or misused:
 * destroyed, initialised twice, of an earlier trace, freed, a thread
 * joined twice, a condition's mutex destroyed, strict order, the
 * scheduler and recursive mutexes (the rest: test-hostile.c).  Each must
 * give an error and a diagnostic with its site in the trace, and never a
 * crash, a hang or silence.  Each misuse runs in a child of its own
 * (testutil-hostile.h).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <conclab/tracer.h>

#include "hostile-room.h"
#include "rt.h"
#include "testutil-hostile.h"
#include "testutil.h"

/* ---- destroyed, then used ---- */

static void body_destroyed_mutex(void)
{
	clab_mutex_t m;

	tu_rc(clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL));
	tu_rc(clab_mutex_lock(&m));
	tu_rc(clab_mutex_unlock(&m));
	tu_rc(clab_mutex_destroy(&m));
	tu_rc(clab_mutex_lock(&m));
	tu_rc(clab_mutex_unlock(&m));
	tu_rc(clab_mutex_destroy(&m)); /* twice */
	tu_rc(clab_mutex_held(&m));
	/* destroyed, it may be initialised again: no diagnostic */
	tu_rc(clab_mutex_init(&m, "again", CLAB_MUTEX_NORMAL));
	tu_rc(clab_mutex_lock(&m));
	tu_rc(clab_mutex_unlock(&m));
	tu_rc(clab_mutex_destroy(&m));
}

static void test_destroyed_mutex(void)
{
	struct tu_out o;
	struct clab_trace *tr = tu_run_child(body_destroyed_mutex, &o);
	const struct clab_record *r;
	const struct clab_object_info *oi;

	CU_ASSERT_EQUAL(o.rc[0], 0);
	CU_ASSERT_EQUAL(o.rc[3], 0);
	tu_expect_einval(&o, 4, 7);
	CU_ASSERT_EQUAL(o.rc[7], 0);
	for (int i = 8; i < 12; i++)
		CU_ASSERT_EQUAL(o.rc[i], 0);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(tu_ndiag(tr, CLAB_D_BAD_OBJECT), 4);
	for (size_t i = 0; i < 3; i++) {
		/* the diagnostic names the mutex that was destroyed */
		r = tu_expect_bad(tr, i, CLAB_BADOBJ_DESTROYED, CLAB_O_MUTEX,
				  1);
		CU_ASSERT_TRUE(r != NULL && r->obj != 0);
		oi = r ? clab_trace_object(tr, r->obj) : NULL;
		CU_ASSERT_TRUE(oi != NULL && strcmp(oi->name, "m") == 0);
	}
	tu_expect_bad(tr, 3, CLAB_BADOBJ_DESTROYED, CLAB_O_MUTEX, 0);
	clab_trace_free(tr);
}

static void body_destroyed_each(void)
{
	clab_cond_t c;
	clab_sem_t s;
	clab_latch_t l;
	clab_barrier_t b;
	clab_queue_t q;
	clab_timer_t t;
	clab_ptimer_t p;
	clab_mutex_t m;

	clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL);
	clab_cond_init(&c, "c");
	clab_sem_init(&s, "s", 1, 0);
	clab_latch_init(&l, "l");
	clab_barrier_init(&b, "b", 2);
	clab_queue_init(&q, "q", 4);
	clab_timer_init(&t, "t");
	clab_ptimer_init(&p, "p", 10);
	tu_rc(clab_cond_destroy(&c));
	tu_rc(clab_sem_destroy(&s));
	tu_rc(clab_latch_destroy(&l));
	tu_rc(clab_barrier_destroy(&b));
	tu_rc(clab_queue_destroy(&q));
	tu_rc(clab_timer_destroy(&t));
	tu_rc(clab_ptimer_destroy(&p));
	clab_mutex_lock(&m);
	tu_rc(clab_cond_wait(&c, &m));
	tu_rc(clab_sem_release(&s));
	tu_rc(clab_latch_set(&l));
	tu_rc(clab_barrier_wait(&b));
	tu_rc(clab_queue_put(&q, NULL));
	tu_rc(clab_timer_start(&t, 1, tu_noop, NULL));
	tu_rc(clab_ptimer_start(&p));
	clab_mutex_unlock(&m);
	clab_mutex_destroy(&m);
}

static void test_destroyed_each(void)
{
	static const struct {
		unsigned kind;
		const char *name;
	} want[] = {{CLAB_O_COND, "c"},	 {CLAB_O_SEM, "s"},
		    {CLAB_O_LATCH, "l"}, {CLAB_O_BARRIER, "b"},
		    {CLAB_O_QUEUE, "q"}, {CLAB_O_TIMER, "t"},
		    {CLAB_O_PTIMER, "p"}};
	struct tu_out o;
	struct clab_trace *tr = tu_run_child(body_destroyed_each, &o);

	for (int i = 0; i < 7; i++)
		CU_ASSERT_EQUAL(o.rc[i], 0);
	tu_expect_einval(&o, 7, 14);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(tu_ndiag(tr, CLAB_D_BAD_OBJECT), 7);
	for (size_t i = 0; i < 7; i++) {
		const struct clab_record *r = tu_expect_bad(
		    tr, i, CLAB_BADOBJ_DESTROYED, want[i].kind, 1);
		const struct clab_object_info *oi =
		    r ? clab_trace_object(tr, r->obj) : NULL;
		CU_ASSERT_TRUE(oi != NULL && oi->kind == want[i].kind &&
			       strcmp(oi->name, want[i].name) == 0);
	}
	clab_trace_free(tr);
}

/* ---- initialised twice ---- */

static void body_init_twice(void)
{
	clab_mutex_t m;
	union room u;

	tu_rc(clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL));
	tu_rc(clab_mutex_lock(&m));
	/* over a held mutex: refused, and the mutex stays held */
	tu_rc(clab_mutex_init(&m, "m2", CLAB_MUTEX_NORMAL));
	tu_rc(clab_mutex_held(&m));
	tu_rc(clab_mutex_unlock(&m));
	tu_rc(clab_mutex_destroy(&m));
	/* a live semaphore's memory made a mutex */
	memset(&u, 0, sizeof(u));
	tu_rc(clab_sem_init(&u.s, "s", 1, 0));
	tu_rc(clab_mutex_init(&u.m, "m3", CLAB_MUTEX_NORMAL));
	tu_rc(clab_sem_init(&u.s, "s2", 1, 0));
	tu_rc(clab_sem_acquire(&u.s));
	tu_rc(clab_sem_destroy(&u.s));
	/* destroyed: free to be a mutex now */
	tu_rc(clab_mutex_init(&u.m, "m4", CLAB_MUTEX_NORMAL));
	tu_rc(clab_mutex_destroy(&u.m));
}

static void test_init_twice(void)
{
	static const int want[] = {0, 0,	   CLAB_EINVAL, 1, 0, 0,
				   0, CLAB_EINVAL, CLAB_EINVAL, 0, 0, 0,
				   0};
	struct tu_out o;
	struct clab_trace *tr = tu_run_child(body_init_twice, &o);
	const struct clab_record *r;

	CU_ASSERT_EQUAL(o.n, 13);
	for (int i = 0; i < 13; i++)
		CU_ASSERT_EQUAL(o.rc[i], want[i]);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(tu_ndiag(tr, CLAB_D_BAD_OBJECT), 3);
	r = tu_expect_bad(tr, 0, CLAB_BADOBJ_INIT_TWICE, CLAB_O_MUTEX, 1);
	CU_ASSERT_TRUE(r != NULL && (r->a32 >> 16 & 0xff) == CLAB_O_MUTEX);
	r = tu_expect_bad(tr, 1, CLAB_BADOBJ_INIT_TWICE, CLAB_O_MUTEX, 1);
	CU_ASSERT_TRUE(r != NULL && (r->a32 >> 16 & 0xff) == CLAB_O_SEM);
	tu_expect_bad(tr, 2, CLAB_BADOBJ_INIT_TWICE, CLAB_O_SEM, 1);
	/* objects made: m, s, m4; none for the refused inits */
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_OBJ_CREATE), 3);
	clab_trace_free(tr);
}

/* ---- an object of an earlier trace ---- */

static clab_mutex_t stale_m;
static clab_latch_t stale_l;

static void pre_stale(void)
{
	char path[4096];

	tu_tmp_path(path, sizeof(path), "earlier");
	if (tu_open_trace(path) < 0)
		_exit(6);
	clab_mutex_init(&stale_m, "m", CLAB_MUTEX_NORMAL);
	clab_latch_init(&stale_l, "l");
	clab_tracer_close(NULL);
	unlink(path);
}

static void body_stale(void)
{
	tu_rc(clab_mutex_lock(&stale_m));
	tu_rc(clab_latch_set(&stale_l));
	/* initialised again in this trace, it is fine */
	tu_rc(clab_mutex_init(&stale_m, "m", CLAB_MUTEX_NORMAL));
	tu_rc(clab_mutex_lock(&stale_m));
	tu_rc(clab_mutex_unlock(&stale_m));
	tu_rc(clab_mutex_destroy(&stale_m));
}

static void test_stale(void)
{
	struct tu_out o;
	struct clab_trace *tr;
	int status = tu_run_pre(pre_stale, body_stale, &o, &tr);

	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	tu_expect_einval(&o, 0, 2);
	for (int i = 2; i < 6; i++)
		CU_ASSERT_EQUAL(o.rc[i], 0);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(tu_ndiag(tr, CLAB_D_BAD_OBJECT), 2);
	tu_expect_bad(tr, 0, CLAB_BADOBJ_EARLIER_TRACE, CLAB_O_MUTEX, 1);
	tu_expect_bad(tr, 1, CLAB_BADOBJ_EARLIER_TRACE, CLAB_O_LATCH, 1);
	clab_trace_free(tr);
}

/* ---- freed memory ---- */

static void body_freed(void)
{
	/* volatile: the compiler must not see (and warn of) the reuse */
	clab_mutex_t *volatile m = malloc(sizeof(*m));
	clab_sem_t *volatile s = malloc(sizeof(*s));

	if (m == NULL || s == NULL)
		_exit(7);
	tu_rc(clab_mutex_init(m, "m", CLAB_MUTEX_NORMAL));
	tu_rc(clab_mutex_destroy(m));
	tu_rc(clab_sem_init(s, "s", 1, 0));
	tu_rc(clab_sem_destroy(s));
	free(m);
	free(s);
	/* use after free: ASan and TSan stop here; without them, refused */
	tu_rc(clab_mutex_lock(m));
	tu_rc(clab_sem_acquire(s));
}

static void test_freed(void)
{
	struct tu_out o;
	struct clab_trace *tr;
	int status;

	tu_child_may_die = HOSTILE_UAF;
	status = tu_run_pre(NULL, body_freed, &o, &tr);
	tu_child_may_die = 0;

	if (HOSTILE_UAF) {
		/* the sanitizer reports the read of the freed header */
		CU_ASSERT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		CU_ASSERT_PTR_NOT_NULL(
		    strstr(tu_err_text, "heap-use-after-free"));
		if (tr != NULL)
			clab_trace_free(tr);
		return;
	}
	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	for (int i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(o.rc[i], 0);
	tu_expect_einval(&o, 4, 6);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(tu_ndiag(tr, CLAB_D_BAD_OBJECT), 2);
	for (size_t i = 0; i < 2; i++) {
		const struct clab_record *r = tu_diag(tr, CLAB_D_BAD_OBJECT, i);
		unsigned why = r ? r->a32 & 0xff : 0;
		/*
		 * What free() leaves decides which: the allocator's own
		 * words (or MALLOC_PERTURB_'s bytes) over the header read as
		 * corrupt, an untouched header as destroyed.
		 */
		CU_ASSERT_TRUE(why == CLAB_BADOBJ_DESTROYED ||
			       why == CLAB_BADOBJ_CORRUPT);
		CU_ASSERT_TRUE(r != NULL && tu_site_here(tr, r));
	}
	clab_trace_free(tr);
}

/* ---- from another thread, with the detector and the watchdog on ---- */

static void *bad_worker(void *arg)
{
	union room *u = arg;

	return (void *)(intptr_t)clab_sem_acquire(&u->s);
}

static void body_thread(void)
{
	static union room u;
	struct clab_watchdog_opts wo;
	clab_thread_t *t;
	void *ret = NULL;

	memset(&u, 0xff, sizeof(u));
	memset(&wo, 0, sizeof(wo));
	wo.period_ms = 20;
	tu_rc(clab_watchdog_start(&wo));
	tu_rc(clab_thread_create(&t, "worker", bad_worker, &u));
	tu_rc(clab_thread_join(t, &ret));
	tu_rc((int)(intptr_t)ret);
	clab_watchdog_stop();
}

static void test_thread(void)
{
	struct tu_out o;
	struct clab_trace *tr = tu_run_child(body_thread, &o);
	const struct clab_record *r;

	CU_ASSERT_EQUAL(o.rc[0], 0);
	CU_ASSERT_EQUAL(o.rc[1], 0);
	CU_ASSERT_EQUAL(o.rc[2], 0);
	CU_ASSERT_EQUAL(o.rc[3], CLAB_EINVAL);
	if (tr == NULL)
		return;
	r = tu_expect_bad(tr, 0, CLAB_BADOBJ_CORRUPT, CLAB_O_SEM, 1);
	CU_ASSERT_TRUE(r != NULL && r->tid == 1); /* the worker's */
	CU_ASSERT_EQUAL(tu_ndiag(tr, CLAB_D_DEADLOCK), 0);
	clab_trace_free(tr);
}

/* ---- more kinds initialised twice and destroyed twice ---- */

static void body_twice_each(void)
{
	clab_cond_t c;
	clab_latch_t l;
	clab_barrier_t b;
	clab_queue_t q;
	clab_timer_t t;
	clab_ptimer_t p;

	tu_rc(clab_cond_init(&c, "c"));
	tu_rc(clab_latch_init(&l, "l"));
	tu_rc(clab_barrier_init(&b, "b", 2));
	tu_rc(clab_queue_init(&q, "q", 0));
	tu_rc(clab_timer_init(&t, "t"));
	tu_rc(clab_ptimer_init(&p, "p", 5));
	tu_rc(clab_cond_init(&c, "c"));
	tu_rc(clab_latch_init(&l, "l"));
	tu_rc(clab_barrier_init(&b, "b", 2));
	tu_rc(clab_queue_init(&q, "q", 0));
	tu_rc(clab_timer_init(&t, "t"));
	tu_rc(clab_ptimer_init(&p, "p", 5));
	tu_rc(clab_cond_destroy(&c));
	tu_rc(clab_latch_destroy(&l));
	tu_rc(clab_barrier_destroy(&b));
	tu_rc(clab_queue_destroy(&q));
	tu_rc(clab_timer_destroy(&t));
	tu_rc(clab_ptimer_destroy(&p));
	tu_rc(clab_cond_destroy(&c));
	tu_rc(clab_latch_destroy(&l));
	tu_rc(clab_barrier_destroy(&b));
	tu_rc(clab_queue_destroy(&q));
	tu_rc(clab_timer_destroy(&t));
	tu_rc(clab_ptimer_destroy(&p));
}

static void test_twice_each(void)
{
	static const unsigned kinds[] = {CLAB_O_COND,	 CLAB_O_LATCH,
					 CLAB_O_BARRIER, CLAB_O_QUEUE,
					 CLAB_O_TIMER,	 CLAB_O_PTIMER};
	struct tu_out o;
	struct clab_trace *tr = tu_run_child(body_twice_each, &o);

	CU_ASSERT_EQUAL(o.n, 24);
	for (int i = 0; i < 24; i++)
		CU_ASSERT_EQUAL(o.rc[i], i / 6 % 2 ? CLAB_EINVAL : 0);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(tu_ndiag(tr, CLAB_D_BAD_OBJECT), 12);
	for (size_t i = 0; i < 6; i++) {
		tu_expect_bad(tr, i, CLAB_BADOBJ_INIT_TWICE, kinds[i], 1);
		tu_expect_bad(tr, 6 + i, CLAB_BADOBJ_DESTROYED, kinds[i], 1);
	}
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_OBJ_CREATE), 6);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_OBJ_DESTROY), 6);
	clab_trace_free(tr);
}

/* ---- a condition wait on a destroyed mutex ---- */

static void body_cond_dead_mutex(void)
{
	clab_cond_t c;
	clab_mutex_t m;

	clab_cond_init(&c, "c");
	clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL);
	clab_mutex_destroy(&m);
	tu_rc(clab_cond_wait(&c, &m));
	tu_rc(clab_cond_timedwait(&c, &m, 10));
	tu_rc(clab_cond_destroy(&c));
}

static void test_cond_dead_mutex(void)
{
	struct tu_out o;
	struct clab_trace *tr = tu_run_child(body_cond_dead_mutex, &o);

	tu_expect_einval(&o, 0, 2);
	CU_ASSERT_EQUAL(o.rc[2], 0);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(tu_ndiag(tr, CLAB_D_BAD_OBJECT), 2);
	tu_expect_bad(tr, 0, CLAB_BADOBJ_DESTROYED, CLAB_O_MUTEX, 1);
	tu_expect_bad(tr, 1, CLAB_BADOBJ_DESTROYED, CLAB_O_MUTEX, 1);
	/* no wait began, and no cond-without-mutex either */
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_COND_WAIT), 0);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_DIAG), 2);
	clab_trace_free(tr);
}

/* ---- strict order: a bad mutex is bad, not out of order ---- */

static void body_strict(void)
{
	clab_mutex_t a, b;
	union room u;

	memset(&u, 0x33, sizeof(u));
	clab_set_strict_order(1);
	clab_mutex_init(&a, "a", CLAB_MUTEX_NORMAL);
	clab_mutex_init(&b, "b", CLAB_MUTEX_NORMAL);
	tu_rc(clab_mutex_lock(&b));
	tu_rc(clab_mutex_lock(&u.m));
	tu_rc(clab_mutex_lock_ordered(&u.m));
	tu_rc(clab_mutex_lock(&a)); /* out of order: refused as before */
	tu_rc(clab_mutex_unlock(&b));
	clab_set_strict_order(0);
	clab_mutex_destroy(&a);
	clab_mutex_destroy(&b);
}

static void test_strict(void)
{
	struct tu_out o;
	struct clab_trace *tr = tu_run_child(body_strict, &o);

	CU_ASSERT_EQUAL(o.rc[0], 0);
	CU_ASSERT_EQUAL(o.rc[1], CLAB_EINVAL);
	CU_ASSERT_EQUAL(o.rc[2], CLAB_EINVAL);
	CU_ASSERT_EQUAL(o.rc[3], CLAB_EORDER);
	CU_ASSERT_EQUAL(o.rc[4], 0);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(tu_ndiag(tr, CLAB_D_BAD_OBJECT), 2);
	CU_ASSERT_EQUAL(tu_ndiag(tr, CLAB_D_LOCK_ORDER), 1);
	tu_expect_bad(tr, 0, CLAB_BADOBJ_CORRUPT, CLAB_O_MUTEX, 1);
	tu_expect_bad(tr, 1, CLAB_BADOBJ_CORRUPT, CLAB_O_MUTEX, 1);
	clab_trace_free(tr);
}

/* ---- under the controlled scheduler ---- */

static void *sched_worker(void *arg)
{
	clab_mutex_t *m = arg;
	union room u;
	intptr_t r;

	memset(&u, 0xff, sizeof(u));
	r = clab_sem_acquire(&u.s);
	clab_mutex_lock(m);
	clab_mutex_unlock(m);
	return (void *)r;
}

static void body_sched(void)
{
	struct clab_sched_opts so;
	struct clab_watchdog_opts wo;
	char sched[CLAB_SCHED_STRING_MAX];
	clab_thread_t *t[2];
	clab_mutex_t m;
	void *ret;

	memset(&wo, 0, sizeof(wo));
	memset(&so, 0, sizeof(so));
	so.mode = CLAB_SCHED_RANDOM;
	so.seed = 7;
	wo.period_ms = 50;
	tu_rc(clab_watchdog_start(&wo));
	tu_rc(clab_sched_start(&so));
	clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL);
	for (int i = 0; i < 2; i++)
		tu_rc(clab_thread_create(&t[i], "worker", sched_worker, &m));
	for (int i = 0; i < 2; i++) {
		tu_rc(clab_thread_join(t[i], &ret));
		tu_rc((int)(intptr_t)ret);
	}
	tu_rc(clab_mutex_destroy(&m));
	tu_rc(clab_sched_stop(sched, sizeof(sched)) > 0 ? 0 : -1);
	clab_watchdog_stop();
}

static void test_sched(void)
{
	static const int want[] = {0,		0, 0,		0, 0,
				   CLAB_EINVAL, 0, CLAB_EINVAL, 0, 0};
	struct tu_out o;
	struct clab_trace *tr;

	tu_virtual_time = 1;
	tr = tu_run_child(body_sched, &o);
	tu_virtual_time = 0;
	CU_ASSERT_EQUAL(o.n, 10);
	for (int i = 0; i < 10; i++)
		CU_ASSERT_EQUAL(o.rc[i], want[i]);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(tu_ndiag(tr, CLAB_D_BAD_OBJECT), 2);
	tu_expect_bad(tr, 0, CLAB_BADOBJ_CORRUPT, CLAB_O_SEM, 1);
	tu_expect_bad(tr, 1, CLAB_BADOBJ_CORRUPT, CLAB_O_SEM, 1);
	CU_ASSERT_EQUAL(tu_ndiag(tr, CLAB_D_DEADLOCK), 0);
	CU_ASSERT_EQUAL(tu_ndiag(tr, CLAB_D_STEP_LIMIT), 0);
	clab_trace_free(tr);
}

/* ---- a recursive mutex: bad at every depth ---- */

static void body_recursive(void)
{
	clab_mutex_t m;

	clab_mutex_init(&m, "r", CLAB_MUTEX_RECURSIVE);
	tu_rc(clab_mutex_lock(&m));
	tu_rc(clab_mutex_lock(&m));
	/* destroy refuses a held mutex, as before: it stays alive */
	tu_rc(clab_mutex_destroy(&m));
	tu_rc(clab_mutex_unlock(&m));
	tu_rc(clab_mutex_unlock(&m));
	tu_rc(clab_mutex_destroy(&m));
	tu_rc(clab_mutex_lock(&m));
	tu_rc(clab_mutex_unlock(&m));
}

static void test_recursive(void)
{
	static const int want[] = {0, 0, CLAB_EBUSY,  0,
				   0, 0, CLAB_EINVAL, CLAB_EINVAL};
	struct tu_out o;
	struct clab_trace *tr = tu_run_child(body_recursive, &o);

	CU_ASSERT_EQUAL(o.n, 8);
	for (int i = 0; i < 8; i++)
		CU_ASSERT_EQUAL(o.rc[i], want[i]);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(tu_ndiag(tr, CLAB_D_DESTROY_HELD), 1);
	CU_ASSERT_EQUAL(tu_ndiag(tr, CLAB_D_BAD_OBJECT), 2);
	tu_expect_bad(tr, 0, CLAB_BADOBJ_DESTROYED, CLAB_O_MUTEX, 1);
	tu_expect_bad(tr, 1, CLAB_BADOBJ_DESTROYED, CLAB_O_MUTEX, 1);
	clab_trace_free(tr);
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "destroyed mutex, used and destroyed again",
		    test_destroyed_mutex);
	CU_add_test(s, "each kind destroyed, then used", test_destroyed_each);
	CU_add_test(s, "initialised twice", test_init_twice);
	CU_add_test(s, "an object of an earlier trace", test_stale);
	CU_add_test(s, "freed memory", test_freed);
	CU_add_test(s, "in another thread, under the watchdog", test_thread);
	CU_add_test(s, "each kind initialised twice, destroyed twice",
		    test_twice_each);
	CU_add_test(s, "a condition wait on a destroyed mutex",
		    test_cond_dead_mutex);
	CU_add_test(s, "strict order: bad, not out of order", test_strict);
	CU_add_test(s, "under the controlled scheduler", test_sched);
	CU_add_test(s, "a recursive mutex destroyed", test_recursive);
}

int main(void)
{
	return tu_main("runtime/hostile-life", add_tests);
}
