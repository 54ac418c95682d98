/* Tests of runtime/timer.c and runtime/ptimer.c. */
#include <stdint.h>
#include <string.h>

#include "rt.h"
#include "testutil.h"

struct fired {
	clab_latch_t done;
	_Atomic int calls;
};

static void on_fire(void *p)
{
	struct fired *f = p;

	atomic_fetch_add(&f->calls, 1);
	clab_latch_set(&f->done);
}

static void test_fires(void)
{
	clab_timer_t t;
	struct fired f;
	const struct clab_record *arm, *fire, *set;
	struct clab_trace *tr;
	uint64_t t0;

	tu_begin();
	atomic_init(&f.calls, 0);
	CU_ASSERT_EQUAL(clab_latch_init(&f.done, "done"), 0);
	CU_ASSERT_EQUAL(clab_timer_init(&t, "alarm"), 0);
	t0 = clab__mono_ns();
	CU_ASSERT_EQUAL(clab_timer_start(&t, 20, on_fire, &f), 0);
	CU_ASSERT_EQUAL(clab_timer_start(&t, 20, on_fire, &f), CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_latch_wait(&f.done), 0);
	CU_ASSERT_TRUE(clab__mono_ns() - t0 >= 19000000u);
	CU_ASSERT_EQUAL(clab_timer_destroy(&t), 0);
	CU_ASSERT_EQUAL(atomic_load(&f.calls), 1);
	CU_ASSERT_EQUAL(clab_timer_destroy(NULL), 0);
	CU_ASSERT_EQUAL(clab_latch_destroy(&f.done), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	arm = tu_find_obj(tr, CLAB_K_TIMER_ARM, t.h.id, 0);
	fire = tu_find_obj(tr, CLAB_K_TIMER_FIRE, t.h.id, 0);
	set = tu_find_obj(tr, CLAB_K_LATCH_SET, f.done.h.id, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(arm);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fire);
	CU_ASSERT_PTR_NOT_NULL_FATAL(set);
	CU_ASSERT_EQUAL(arm->a32, 20);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_TIMER_FIRE, t.h.id), 1);
	CU_ASSERT_TRUE(arm->seq < fire->seq);
	/* fn runs in the timer's own thread, after the fire record */
	CU_ASSERT_NOT_EQUAL(fire->tid, 0);
	CU_ASSERT_EQUAL(set->tid, fire->tid);
	CU_ASSERT_TRUE(fire->ns - arm->ns >= 19000000u);
	clab_trace_free(tr);
}

static void test_cancel_in_time(void)
{
	clab_timer_t t, t2;
	struct fired f;
	const struct clab_record *c;
	struct clab_trace *tr;
	uint64_t t0;

	tu_begin();
	atomic_init(&f.calls, 0);
	CU_ASSERT_EQUAL(clab_latch_init(&f.done, "done"), 0);
	CU_ASSERT_EQUAL(clab_timer_init(&t, "alarm"), 0);
	t0 = clab__mono_ns();
	CU_ASSERT_EQUAL(clab_timer_start(&t, 60000, on_fire, &f), 0);
	CU_ASSERT_EQUAL(clab_timer_cancel(&t), 0);
	/* destroy joins the woken timer thread at once */
	CU_ASSERT_EQUAL(clab_timer_destroy(&t), 0);
	CU_ASSERT_TRUE(clab__mono_ns() - t0 < 10000000000ull);
	CU_ASSERT_EQUAL(atomic_load(&f.calls), 0);
	/* a timer cancelled before start never runs */
	CU_ASSERT_EQUAL(clab_timer_init(&t2, "never"), 0);
	CU_ASSERT_EQUAL(clab_timer_cancel(&t2), 0);
	CU_ASSERT_EQUAL(clab_timer_start(&t2, 0, on_fire, &f), CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_timer_destroy(&t2), 0);
	CU_ASSERT_EQUAL(clab_latch_destroy(&f.done), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	c = tu_find_obj(tr, CLAB_K_TIMER_CANCEL, t.h.id, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->a8, 1); /* in time */
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_TIMER_FIRE), 0);
	CU_ASSERT_EQUAL(atomic_load(&f.calls), 0);
	clab_trace_free(tr);
}

static void test_cancel_too_late(void)
{
	clab_timer_t t;
	struct fired f;
	const struct clab_record *c, *fire;
	struct clab_trace *tr;

	tu_begin();
	atomic_init(&f.calls, 0);
	CU_ASSERT_EQUAL(clab_latch_init(&f.done, "done"), 0);
	CU_ASSERT_EQUAL(clab_timer_init(&t, "alarm"), 0);
	CU_ASSERT_EQUAL(clab_timer_start(&t, 0, on_fire, &f), 0);
	CU_ASSERT_EQUAL(clab_latch_wait(&f.done), 0);
	CU_ASSERT_EQUAL(clab_timer_cancel(&t), CLAB_EAGAIN);
	CU_ASSERT_EQUAL(clab_timer_destroy(&t), 0);
	CU_ASSERT_EQUAL(atomic_load(&f.calls), 1);
	CU_ASSERT_EQUAL(clab_latch_destroy(&f.done), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	fire = tu_find_obj(tr, CLAB_K_TIMER_FIRE, t.h.id, 0);
	c = tu_find_obj(tr, CLAB_K_TIMER_CANCEL, t.h.id, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fire);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->a8, 0); /* too late */
	CU_ASSERT_TRUE(fire->seq < c->seq);
	clab_trace_free(tr);
}

/* ---- periodic timer ---- */

#define NTICK 3

struct targ {
	clab_ptimer_t *p;
	int got[NTICK + 1];
	int n;
};

static void *tick_waiter(void *arg)
{
	struct targ *a = arg;

	for (a->n = 0; a->n < NTICK; a->n++) {
		a->got[a->n] = clab_ptimer_wait_tick(a->p);
		if (a->got[a->n] < 0)
			break;
	}
	return NULL;
}

/* Threads other than the tick thread waiting in wait_tick. */
struct pwant {
	clab_ptimer_t *p;
	unsigned n;
};

static int n_tick_waiters(void *arg)
{
	struct pwant *a = arg;
	struct clab__waiter *w;
	unsigned n = 0;

	clab__lk_lock(&a->p->lk);
	for (w = a->p->wq.head; w != NULL; w = w->next)
		n += w->thr != a->p->thread;
	clab__lk_drop(&a->p->lk);
	return n == a->n;
}

static void test_ptimer_ticks(void)
{
	clab_ptimer_t p;
	clab_thread_t *t[2];
	struct targ a[2];
	struct pwant want = {&p, 2};
	const struct clab_record *r, *tick[NTICK];
	struct clab_trace *tr;
	int i, k;

	tu_begin();
	CU_ASSERT_EQUAL(clab_ptimer_init(&p, "clock", 0), CLAB_EINVAL);
	/*
	 * 100 ms between ticks is the time a woken waiter has to wait again;
	 * the order of the ticks does not depend on it.
	 */
	CU_ASSERT_EQUAL(clab_ptimer_init(&p, "clock", 100), 0);
	memset(a, 0, sizeof(a));
	for (i = 0; i < 2; i++) {
		a[i].p = &p;
		CU_ASSERT_EQUAL_FATAL(
		    clab_thread_create(&t[i], "ticker", tick_waiter, &a[i]), 0);
	}
	/* both wait before the first tick can happen */
	CU_ASSERT_EQUAL(tu_wait_until(n_tick_waiters, &want), 0);
	CU_ASSERT_EQUAL(clab_ptimer_start(&p), 0);
	CU_ASSERT_EQUAL(clab_ptimer_start(&p), CLAB_EINVAL);
	for (i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL(clab_thread_join(t[i], NULL), 0);
		for (k = 0; k < NTICK; k++)
			CU_ASSERT_EQUAL(a[i].got[k], k + 1);
	}
	CU_ASSERT_EQUAL(clab_ptimer_stop(&p), 0);
	CU_ASSERT_EQUAL(clab_ptimer_wait_tick(&p), CLAB_ECANCELED);
	CU_ASSERT_EQUAL(clab_ptimer_destroy(&p), 0);
	CU_ASSERT_EQUAL(clab_ptimer_destroy(NULL), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	CU_ASSERT_EQUAL(clab_trace_object(tr, p.h.id)->param, 100);
	CU_ASSERT_TRUE(tu_count_obj(tr, CLAB_K_PTIMER_TICK, p.h.id) >= NTICK);
	for (k = 0; k < NTICK; k++) {
		tick[k] =
		    tu_find_obj(tr, CLAB_K_PTIMER_TICK, p.h.id, (size_t)k);
		CU_ASSERT_PTR_NOT_NULL_FATAL(tick[k]);
		CU_ASSERT_EQUAL(tick[k]->a32, (uint32_t)k + 1);
	}
	/* two wakes per tick, each after its tick */
	for (k = 0; k < 2 * NTICK; k++) {
		r = tu_find_obj(tr, CLAB_K_PTIMER_WAKE, p.h.id, (size_t)k);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		CU_ASSERT_EQUAL(r->a32, (uint32_t)k / 2 + 1);
		CU_ASSERT_TRUE(r->seq > tick[k / 2]->seq);
		r = tu_find_obj(tr, CLAB_K_PTIMER_WAIT, p.h.id, (size_t)k);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		CU_ASSERT_EQUAL(r->a32, (uint32_t)k / 2);
	}
	clab_trace_free(tr);
}

struct carg {
	clab_ptimer_t *p;
	int ret;
};

static void *cancel_waiter(void *arg)
{
	struct carg *a = arg;

	a->ret = clab_ptimer_wait_tick(a->p);
	return NULL;
}

static void test_ptimer_stop_wakes(void)
{
	clab_ptimer_t p;
	clab_thread_t *t;
	struct carg a;
	struct pwant want = {&p, 1};
	struct clab_trace *tr;
	uint64_t t0;

	tu_begin();
	CU_ASSERT_EQUAL(clab_ptimer_init(&p, "slow", 60000), 0);
	CU_ASSERT_EQUAL(clab_ptimer_start(&p), 0);
	a.p = &p;
	a.ret = 1;
	CU_ASSERT_EQUAL_FATAL(clab_thread_create(&t, "w", cancel_waiter, &a),
			      0);
	CU_ASSERT_EQUAL(tu_wait_until(n_tick_waiters, &want), 0);
	CU_ASSERT_EQUAL(clab_ptimer_destroy(&p), CLAB_EBUSY);
	t0 = clab__mono_ns();
	CU_ASSERT_EQUAL(clab_ptimer_stop(&p), 0);
	CU_ASSERT_EQUAL(clab_thread_join(t, NULL), 0);
	CU_ASSERT_TRUE(clab__mono_ns() - t0 < 10000000000ull);
	CU_ASSERT_EQUAL(a.ret, CLAB_ECANCELED);
	CU_ASSERT_EQUAL(clab_ptimer_stop(&p), 0);
	CU_ASSERT_EQUAL(clab_ptimer_destroy(&p), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_PTIMER_TICK, p.h.id), 0);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_PTIMER_WAIT, p.h.id), 1);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_PTIMER_WAKE, p.h.id), 1);
	CU_ASSERT_EQUAL(tu_find(tr, CLAB_K_DIAG, 0)->a8, CLAB_D_DESTROY_BUSY);
	clab_trace_free(tr);
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "timer fires after its delay", test_fires);
	CU_add_test(s, "cancel in time", test_cancel_in_time);
	CU_add_test(s, "cancel too late", test_cancel_too_late);
	CU_add_test(s, "ptimer ticks 1, 2, 3 to two waiters",
		    test_ptimer_ticks);
	CU_add_test(s, "ptimer stop wakes waiters", test_ptimer_stop_wakes);
}

int main(void)
{
	return tu_main("runtime/timer", add_tests);
}
