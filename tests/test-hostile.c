/*
 * Hostile objects, part one: what is not an object of its kind: garbage
 * bytes, zero-filled, wrong-kind, copied and forged objects, bad pointers
 * and values out of range, handed to every kind of primitive (objects out
 * of their lifetime: test-hostile-life.c).  Each must give an error and a
 * bad-object (or bad-value) diagnostic with its site in the trace, and
 * never a crash, a hang or silence.  Each misuse runs in a child of its
 * own (testutil-hostile.h).
 */
#include <stdint.h>
#include <string.h>

#include "hostile-room.h"
#include "rt.h"
#include "testutil-hostile.h"
#include "testutil.h"

/* ---- garbage bytes ---- */

static void body_garbage_mutex(void)
{
	union room u;

	memset(&u, 0xa5, sizeof(u));
	tu_rc(clab_mutex_lock(&u.m));
	tu_rc(clab_mutex_trylock(&u.m));
	tu_rc(clab_mutex_timedlock(&u.m, 10));
	tu_rc(clab_mutex_lock_ordered(&u.m));
	tu_rc(clab_mutex_unlock(&u.m));
	tu_rc(clab_mutex_destroy(&u.m));
}

static void test_garbage_mutex(void)
{
	struct tu_out o;
	struct clab_trace *tr = tu_run_child(body_garbage_mutex, &o);

	tu_expect_einval(&o, 0, 6);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(tu_ndiag(tr, CLAB_D_BAD_OBJECT), 6);
	for (size_t i = 0; i < 6; i++)
		CU_ASSERT_EQUAL(
		    tu_bad_obj(tu_expect_bad(tr, i, CLAB_BADOBJ_CORRUPT,
					     CLAB_O_MUTEX, 1)),
		    0);
	/* nothing was locked, nothing else was said */
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_MUTEX_ACQUIRE), 0);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_DIAG), 6);
	clab_trace_free(tr);
}

/* 0xff: the internal lock word looks taken, and would be for ever. */
static void body_garbage_sem_barrier(void)
{
	union room u;

	memset(&u, 0xff, sizeof(u));
	tu_rc(clab_sem_acquire(&u.s));
	tu_rc(clab_sem_tryacquire(&u.s));
	tu_rc(clab_sem_release(&u.s));
	tu_rc(clab_sem_destroy(&u.s));
	tu_rc(clab_barrier_wait(&u.ba));
	tu_rc(clab_barrier_abort(&u.ba));
	tu_rc(clab_barrier_reset(&u.ba));
	tu_rc(clab_barrier_destroy(&u.ba));
	tu_rc((int)clab_sem_value(&u.s));
	tu_rc(clab_barrier_broken(&u.ba));
}

static void test_garbage_sem_barrier(void)
{
	struct tu_out o;
	struct clab_trace *tr = tu_run_child(body_garbage_sem_barrier, &o);

	tu_expect_einval(&o, 0, 8);
	CU_ASSERT_EQUAL(o.rc[8], 0); /* the getters say 0 */
	CU_ASSERT_EQUAL(o.rc[9], 0);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(tu_ndiag(tr, CLAB_D_BAD_OBJECT), 10);
	for (size_t i = 0; i < 4; i++)
		tu_expect_bad(tr, i, CLAB_BADOBJ_CORRUPT, CLAB_O_SEM, 1);
	for (size_t i = 4; i < 8; i++)
		tu_expect_bad(tr, i, CLAB_BADOBJ_CORRUPT, CLAB_O_BARRIER, 1);
	/* the getters have no site */
	tu_expect_bad(tr, 8, CLAB_BADOBJ_CORRUPT, CLAB_O_SEM, 0);
	tu_expect_bad(tr, 9, CLAB_BADOBJ_CORRUPT, CLAB_O_BARRIER, 0);
	clab_trace_free(tr);
}

static void body_garbage_others(void)
{
	union room u;
	clab_mutex_t m;
	void *item;

	memset(&u, 0x5a, sizeof(u));
	clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL);
	clab_mutex_lock(&m);
	tu_rc(clab_cond_signal(&u.c));
	tu_rc(clab_cond_broadcast(&u.c));
	tu_rc(clab_cond_wait(&u.c, &m));
	tu_rc(clab_cond_destroy(&u.c));
	tu_rc(clab_latch_set(&u.l));
	tu_rc(clab_latch_wait(&u.l));
	tu_rc(clab_latch_clear(&u.l));
	tu_rc(clab_queue_put(&u.q, &m));
	tu_rc(clab_queue_get(&u.q, &item));
	tu_rc(clab_queue_join(&u.q));
	tu_rc(clab_queue_task_done(&u.q));
	tu_rc(clab_queue_close(&u.q));
	tu_rc(clab_timer_start(&u.t, 1, tu_noop, NULL));
	tu_rc(clab_timer_cancel(&u.t));
	tu_rc(clab_timer_destroy(&u.t));
	tu_rc(clab_ptimer_start(&u.p));
	tu_rc(clab_ptimer_wait_tick(&u.p));
	tu_rc(clab_ptimer_stop(&u.p));
	tu_rc(clab_ptimer_destroy(&u.p));
	/* the mutex is still held and works */
	tu_rc(clab_mutex_unlock(&m));
	tu_rc(clab_mutex_destroy(&m));
}

static void test_garbage_others(void)
{
	static const unsigned want[] = {
	    CLAB_O_COND,   CLAB_O_COND,	  CLAB_O_COND,	 CLAB_O_COND,
	    CLAB_O_LATCH,  CLAB_O_LATCH,  CLAB_O_LATCH,	 CLAB_O_QUEUE,
	    CLAB_O_QUEUE,  CLAB_O_QUEUE,  CLAB_O_QUEUE,	 CLAB_O_QUEUE,
	    CLAB_O_TIMER,  CLAB_O_TIMER,  CLAB_O_TIMER,	 CLAB_O_PTIMER,
	    CLAB_O_PTIMER, CLAB_O_PTIMER, CLAB_O_PTIMER,
	};
	const size_t n = sizeof(want) / sizeof(want[0]);
	struct tu_out o;
	struct clab_trace *tr = tu_run_child(body_garbage_others, &o);

	tu_expect_einval(&o, 0, (int)n);
	CU_ASSERT_EQUAL(o.rc[n], 0);
	CU_ASSERT_EQUAL(o.rc[n + 1], 0);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(tu_ndiag(tr, CLAB_D_BAD_OBJECT), n);
	for (size_t i = 0; i < n; i++)
		tu_expect_bad(tr, i, CLAB_BADOBJ_CORRUPT, want[i], 1);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_DIAG), n);
	clab_trace_free(tr);
}

/* ---- zero-filled: never initialised ---- */

static void body_zero(void)
{
	static union room z[8]; /* zero, as a global the user forgot */

	tu_rc(clab_mutex_lock(&z[0].m));
	tu_rc(clab_mutex_unlock(&z[0].m));
	tu_rc(clab_cond_signal(&z[1].c));
	tu_rc(clab_sem_acquire(&z[2].s));
	tu_rc(clab_latch_wait(&z[3].l));
	tu_rc(clab_barrier_wait(&z[4].ba));
	tu_rc(clab_queue_put(&z[5].q, NULL));
	tu_rc(clab_timer_cancel(&z[6].t));
	tu_rc(clab_ptimer_wait_tick(&z[7].p));
	tu_rc(clab_mutex_held(&z[0].m));
	tu_rc(clab_latch_is_set(&z[3].l));
	tu_rc((int)clab_queue_len(&z[5].q));
}

static void test_zero(void)
{
	static const unsigned want[] = {
	    CLAB_O_MUTEX, CLAB_O_MUTEX, CLAB_O_COND,
	    CLAB_O_SEM,	  CLAB_O_LATCH, CLAB_O_BARRIER,
	    CLAB_O_QUEUE, CLAB_O_TIMER, CLAB_O_PTIMER};
	struct tu_out o;
	struct clab_trace *tr = tu_run_child(body_zero, &o);

	tu_expect_einval(&o, 0, 9);
	CU_ASSERT_EQUAL(o.rc[9], 0);
	CU_ASSERT_EQUAL(o.rc[10], 0);
	CU_ASSERT_EQUAL(o.rc[11], 0);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(tu_ndiag(tr, CLAB_D_BAD_OBJECT), 12);
	for (size_t i = 0; i < 9; i++)
		tu_expect_bad(tr, i, CLAB_BADOBJ_UNINIT, want[i], 1);
	tu_expect_bad(tr, 9, CLAB_BADOBJ_UNINIT, CLAB_O_MUTEX, 0);
	tu_expect_bad(tr, 10, CLAB_BADOBJ_UNINIT, CLAB_O_LATCH, 0);
	tu_expect_bad(tr, 11, CLAB_BADOBJ_UNINIT, CLAB_O_QUEUE, 0);
	clab_trace_free(tr);
}

/* ---- the wrong kind ---- */

static void body_wrong_kind(void)
{
	clab_sem_t s;
	clab_mutex_t m;
	clab_cond_t c;

	clab_sem_init(&s, "s", 1, 0);
	clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL);
	clab_cond_init(&c, "c");
	tu_rc(clab_mutex_lock((clab_mutex_t *)(void *)&s));
	tu_rc(clab_mutex_unlock((clab_mutex_t *)(void *)&s));
	tu_rc(clab_cond_signal((clab_cond_t *)(void *)&m));
	clab_mutex_lock(&m);
	/* a condition passed as the mutex of a wait */
	tu_rc(clab_cond_wait(&c, (clab_mutex_t *)(void *)&c));
	tu_rc(clab_sem_release((clab_sem_t *)(void *)&c));
	clab_mutex_unlock(&m);
	/* the real objects are untouched */
	tu_rc(clab_sem_acquire(&s));
	tu_rc((int)clab_sem_value(&s));
	tu_rc(clab_sem_destroy(&s));
	tu_rc(clab_cond_destroy(&c));
	tu_rc(clab_mutex_destroy(&m));
}

static void test_wrong_kind(void)
{
	static const unsigned want[][2] = {{CLAB_O_MUTEX, CLAB_O_SEM},
					   {CLAB_O_MUTEX, CLAB_O_SEM},
					   {CLAB_O_COND, CLAB_O_MUTEX},
					   {CLAB_O_MUTEX, CLAB_O_COND},
					   {CLAB_O_SEM, CLAB_O_COND}};
	struct tu_out o;
	struct clab_trace *tr = tu_run_child(body_wrong_kind, &o);

	tu_expect_einval(&o, 0, 5);
	for (int i = 5; i < 10; i++)
		CU_ASSERT_EQUAL(o.rc[i], 0);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(tu_ndiag(tr, CLAB_D_BAD_OBJECT), 5);
	for (size_t i = 0; i < 5; i++) {
		const struct clab_record *r =
		    tu_expect_bad(tr, i, CLAB_BADOBJ_WRONG_KIND, want[i][0], 1);
		const struct clab_object_info *oi =
		    r ? clab_trace_object(tr, r->obj) : NULL;
		CU_ASSERT_TRUE(r != NULL &&
			       (r->a32 >> 16 & 0xff) == want[i][1]);
		/* the diagnostic names the object that was passed */
		CU_ASSERT_TRUE(oi != NULL && oi->kind == want[i][1]);
	}
	clab_trace_free(tr);
}

/* ---- values out of range ---- */

static void body_values(void)
{
	clab_sem_t s;
	clab_barrier_t b;
	clab_mutex_t m;
	clab_ptimer_t p;
	clab_queue_t q;

	memset(&s, 0, sizeof(s));
	tu_rc(clab_sem_init(&s, "huge", 4294967295u, 0));
	tu_rc(clab_sem_init(&s, "over", (uint32_t)INT32_MAX + 1, 0));
	tu_rc(clab_sem_init(&s, "bound", 1, 4294967295u));
	tu_rc(clab_barrier_init(&b, "none", 0));
	tu_rc(clab_barrier_init(&b, "huge", 4294967295u));
	tu_rc(clab_mutex_init(&m, "type", 3));
	tu_rc(clab_mutex_init(&m, "type", -1));
	tu_rc(clab_ptimer_init(&p, "p", 0));
	tu_rc(clab_queue_init(&q, "q", 4294967295u));
	/* at the limit: fine, and a release past it is refused */
	tu_rc(clab_sem_init(&s, "max", INT32_MAX, 0));
	tu_rc(clab_sem_release(&s));
	tu_rc((int)clab_sem_value(&s));
	tu_rc(clab_sem_acquire(&s));
	tu_rc(clab_sem_release(&s));
	tu_rc(clab_sem_destroy(&s));
	tu_rc(clab_barrier_init(&b, "one", 1));
	tu_rc(clab_barrier_wait(&b));
	tu_rc(clab_barrier_destroy(&b));
}

static void test_values(void)
{
	static const uint32_t vals[] = {4294967295u,  (uint32_t)INT32_MAX + 1,
					4294967295u,  0,
					4294967295u,  3,
					(uint32_t)-1, 0,
					4294967295u};
	struct tu_out o;
	struct clab_trace *tr = tu_run_child(body_values, &o);
	const struct clab_record *r;

	tu_expect_einval(&o, 0, 9);
	CU_ASSERT_EQUAL(o.rc[9], 0);
	CU_ASSERT_EQUAL(o.rc[10], CLAB_EOVERFLOW);
	CU_ASSERT_EQUAL(o.rc[11], INT32_MAX);
	for (int i = 12; i < 18; i++)
		CU_ASSERT_EQUAL(o.rc[i], 0);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(tu_ndiag(tr, CLAB_D_BAD_VALUE), 10);
	for (size_t i = 0; i < 9; i++) {
		r = tu_diag(tr, CLAB_D_BAD_VALUE, i);
		CU_ASSERT_TRUE(r != NULL && r->a32 == vals[i] &&
			       tu_site_here(tr, r));
	}
	/* the refused release names the semaphore and its value */
	r = tu_diag(tr, CLAB_D_BAD_VALUE, 9);
	CU_ASSERT_TRUE(r != NULL && r->obj != 0 && r->a32 == INT32_MAX);
	CU_ASSERT_EQUAL(tu_ndiag(tr, CLAB_D_BAD_OBJECT), 0);
	/* only "max" and "one" were made */
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_OBJ_CREATE), 2);
	clab_trace_free(tr);
}

/* ---- pointers: NULL, misaligned, the first page ---- */

static void body_pointers(void)
{
	union room u;
	clab_cond_t c;
	clab_mutex_t *odd = (clab_mutex_t *)(void *)(u.b + 1);
	clab_sem_t *low = (clab_sem_t *)(uintptr_t)64;

	memset(&u, 0, sizeof(u));
	clab_cond_init(&c, "c");
	tu_rc(clab_mutex_lock(NULL));
	tu_rc(clab_mutex_unlock(NULL));
	tu_rc(clab_sem_acquire(NULL));
	tu_rc(clab_latch_wait(NULL));
	tu_rc(clab_cond_wait(&c, NULL));
	tu_rc(clab_mutex_init(NULL, "n", CLAB_MUTEX_NORMAL));
	tu_rc(clab_mutex_lock(odd));
	tu_rc(clab_mutex_init(odd, "odd", CLAB_MUTEX_NORMAL));
	tu_rc(clab_sem_release(low));
	tu_rc(clab_sem_init(low, "low", 1, 0));
	/* destructors take NULL quietly */
	tu_rc(clab_mutex_destroy(NULL));
	tu_rc(clab_sem_destroy(NULL));
	tu_rc(clab_cond_destroy(&c));
}

static void test_pointers(void)
{
	static const struct {
		unsigned why, kind;
	} want[] = {{CLAB_BADOBJ_NULL, CLAB_O_MUTEX},
		    {CLAB_BADOBJ_NULL, CLAB_O_MUTEX},
		    {CLAB_BADOBJ_NULL, CLAB_O_SEM},
		    {CLAB_BADOBJ_NULL, CLAB_O_LATCH},
		    {CLAB_BADOBJ_NULL, CLAB_O_MUTEX},
		    {CLAB_BADOBJ_NULL, CLAB_O_MUTEX},
		    {CLAB_BADOBJ_POINTER, CLAB_O_MUTEX},
		    {CLAB_BADOBJ_POINTER, CLAB_O_MUTEX},
		    {CLAB_BADOBJ_POINTER, CLAB_O_SEM},
		    {CLAB_BADOBJ_POINTER, CLAB_O_SEM}};
	struct tu_out o;
	struct clab_trace *tr = tu_run_child(body_pointers, &o);

	tu_expect_einval(&o, 0, 10);
	for (int i = 10; i < 13; i++)
		CU_ASSERT_EQUAL(o.rc[i], 0);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(tu_ndiag(tr, CLAB_D_BAD_OBJECT), 10);
	for (size_t i = 0; i < 10; i++)
		tu_expect_bad(tr, i, want[i].why, want[i].kind, 1);
	clab_trace_free(tr);
}

/* ---- a copy of a live object ---- */

static void body_copy(void)
{
	clab_mutex_t m, copy;
	clab_sem_t s, scopy;

	clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL);
	clab_sem_init(&s, "s", 1, 0);
	memcpy(&copy, &m, sizeof(m));
	memcpy(&scopy, &s, sizeof(s));
	tu_rc(clab_mutex_lock(&copy));
	tu_rc(clab_sem_acquire(&scopy));
	tu_rc(clab_mutex_lock(&m));
	tu_rc(clab_mutex_unlock(&m));
	tu_rc(clab_mutex_destroy(&m));
	tu_rc(clab_sem_destroy(&s));
}

static void test_copy(void)
{
	struct tu_out o;
	struct clab_trace *tr = tu_run_child(body_copy, &o);

	tu_expect_einval(&o, 0, 2);
	for (int i = 2; i < 6; i++)
		CU_ASSERT_EQUAL(o.rc[i], 0);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(tu_ndiag(tr, CLAB_D_BAD_OBJECT), 2);
	tu_expect_bad(tr, 0, CLAB_BADOBJ_CORRUPT, CLAB_O_MUTEX, 1);
	tu_expect_bad(tr, 1, CLAB_BADOBJ_CORRUPT, CLAB_O_SEM, 1);
	clab_trace_free(tr);
}

/* ---- lock_many with one bad mutex ---- */

static void body_lock_many(void)
{
	clab_mutex_t a, b, zero;
	clab_mutex_t *ms[3] = {&a, &zero, &b};

	memset(&zero, 0, sizeof(zero));
	clab_mutex_init(&a, "a", CLAB_MUTEX_NORMAL);
	clab_mutex_init(&b, "b", CLAB_MUTEX_NORMAL);
	tu_rc(clab_lock_many(ms, 3));
	tu_rc(clab_mutex_held(&a));
	tu_rc(clab_mutex_held(&b));
	tu_rc(clab_unlock_many(ms, 3));
	tu_rc(clab_mutex_destroy(&a));
	tu_rc(clab_mutex_destroy(&b));
}

static void test_lock_many(void)
{
	struct tu_out o;
	struct clab_trace *tr = tu_run_child(body_lock_many, &o);

	CU_ASSERT_EQUAL(o.rc[0], CLAB_EINVAL);
	CU_ASSERT_EQUAL(o.rc[1], 0); /* nothing was taken */
	CU_ASSERT_EQUAL(o.rc[2], 0);
	CU_ASSERT_EQUAL(o.rc[3], CLAB_EINVAL);
	CU_ASSERT_EQUAL(o.rc[4], 0);
	CU_ASSERT_EQUAL(o.rc[5], 0);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(tu_ndiag(tr, CLAB_D_BAD_OBJECT), 2);
	tu_expect_bad(tr, 0, CLAB_BADOBJ_UNINIT, CLAB_O_MUTEX, 1);
	tu_expect_bad(tr, 1, CLAB_BADOBJ_UNINIT, CLAB_O_MUTEX, 1);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_MUTEX_ACQUIRE), 0);
	clab_trace_free(tr);
}

/* ---- forged headers: the right bytes in the wrong places ---- */

static void body_forged(void)
{
	union room u;
	clab_mutex_t m;
	uint16_t c;

	clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL);
	c = m.h.check;
	memset(&u, 0, sizeof(u));
	/* a mutex's kind and alive flag, with no check */
	u.m.h.kind = CLAB_O_MUTEX;
	u.m.h.alive = 1;
	tu_rc(clab_mutex_lock(&u.m));
	/* the check of another address (m's) */
	u.m.h.check = c;
	tu_rc(clab_mutex_lock(&u.m));
	/* a thread's kind, which no call takes */
	u.m.h.kind = CLAB_O_THREAD;
	tu_rc(clab_mutex_lock(&u.m));
	/* m with an alive flag that is neither 0 nor 1 */
	m.h.alive = 2;
	tu_rc(clab_mutex_lock(&m));
	/* and m again as it was: it works */
	m.h.alive = 1;
	tu_rc(clab_mutex_lock(&m));
	tu_rc(clab_mutex_unlock(&m));
	tu_rc(clab_mutex_destroy(&m));
}

static void test_forged(void)
{
	struct tu_out o;
	struct clab_trace *tr = tu_run_child(body_forged, &o);

	tu_expect_einval(&o, 0, 4);
	for (int i = 4; i < 7; i++)
		CU_ASSERT_EQUAL(o.rc[i], 0);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(tu_ndiag(tr, CLAB_D_BAD_OBJECT), 4);
	for (size_t i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(
		    tu_bad_obj(tu_expect_bad(tr, i, CLAB_BADOBJ_CORRUPT,
					     CLAB_O_MUTEX, 1)),
		    0);
	clab_trace_free(tr);
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "garbage mutex", test_garbage_mutex);
	CU_add_test(s, "garbage semaphore and barrier do not hang",
		    test_garbage_sem_barrier);
	CU_add_test(s, "garbage cond, latch, queue, timers",
		    test_garbage_others);
	CU_add_test(s, "zero-filled: never initialised", test_zero);
	CU_add_test(s, "the wrong kind through a cast", test_wrong_kind);
	CU_add_test(s, "values out of range", test_values);
	CU_add_test(s, "NULL, misaligned and first-page pointers",
		    test_pointers);
	CU_add_test(s, "a copy of a live object", test_copy);
	CU_add_test(s, "lock_many with a bad mutex", test_lock_many);
	CU_add_test(s, "forged headers", test_forged);
}

int main(void)
{
	return tu_main("runtime/hostile", add_tests);
}
