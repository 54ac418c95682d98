/* Tests of runtime/cond.c: condition variables. */
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"
#include "testutil-rt.h"
#include "testutil.h"

#define NWAIT 4

struct shared {
	clab_mutex_t m;
	clab_cond_t c;
	clab_latch_t ready;
	int go;
	int nready;
	int nwait; /* how many waiters ready must wait for */
	int ret[NWAIT];
	int held_after[NWAIT];
};

struct warg {
	struct shared *s;
	int i;
};

/* Wait on s->c until go; the last one ready sets the latch. */
static void *waiter(void *p)
{
	struct warg *a = p;
	struct shared *s = a->s;
	int r = 0;

	clab_mutex_lock(&s->m);
	if (++s->nready == s->nwait)
		clab_latch_set(&s->ready);
	while (!s->go && r == 0)
		r = clab_cond_wait(&s->c, &s->m);
	s->ret[a->i] = r;
	s->held_after[a->i] = clab_mutex_held(&s->m);
	clab_mutex_unlock(&s->m);
	return NULL;
}

static void shared_init(struct shared *s, int nwait)
{
	memset(s, 0, sizeof(*s));
	s->nwait = nwait;
	CU_ASSERT_EQUAL(clab_mutex_init(&s->m, "m", CLAB_MUTEX_NORMAL), 0);
	CU_ASSERT_EQUAL(clab_cond_init(&s->c, "c"), 0);
	CU_ASSERT_EQUAL(clab_latch_init(&s->ready, "ready"), 0);
}

static void shared_fini(struct shared *s)
{
	CU_ASSERT_EQUAL(clab_latch_destroy(&s->ready), 0);
	CU_ASSERT_EQUAL(clab_cond_destroy(&s->c), 0);
	CU_ASSERT_EQUAL(clab_mutex_destroy(&s->m), 0);
}

/*
 * Start n waiters and return once all of them wait on the condition: the
 * last one sets the latch while holding m, so when main gets m every waiter
 * has released it inside clab_cond_wait.  Returns with m held.
 */
static void start_waiters(struct shared *s, clab_thread_t **t, struct warg *a,
			  int n)
{
	int i;

	for (i = 0; i < n; i++) {
		a[i].s = s;
		a[i].i = i;
		CU_ASSERT_EQUAL_FATAL(
		    clab_thread_create(&t[i], "waiter", waiter, &a[i]), 0);
	}
	CU_ASSERT_EQUAL(clab_latch_wait(&s->ready), 0);
	CU_ASSERT_EQUAL(clab_mutex_lock(&s->m), 0);
}

static void test_signal_wakes_one(void)
{
	struct shared s;
	clab_thread_t *t[1];
	struct warg a[1];
	const struct clab_record *w, *sig, *wk;
	struct clab_trace *tr;

	tu_begin();
	shared_init(&s, 1);
	start_waiters(&s, t, a, 1);
	s.go = 1;
	CU_ASSERT_EQUAL(clab_cond_signal(&s.c), 1);
	CU_ASSERT_EQUAL(clab_mutex_unlock(&s.m), 0);
	CU_ASSERT_EQUAL(clab_thread_join(t[0], NULL), 0);
	CU_ASSERT_EQUAL(s.ret[0], 0);
	CU_ASSERT_TRUE(s.held_after[0]);
	/* nobody waits now */
	CU_ASSERT_EQUAL(clab_cond_signal(&s.c), 0);
	shared_fini(&s);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	w = tu_find_obj(tr, CLAB_K_COND_WAIT, s.c.h.id, 0);
	sig = tu_find_obj(tr, CLAB_K_COND_SIGNAL, s.c.h.id, 0);
	wk = tu_find_obj(tr, CLAB_K_COND_WAKE, s.c.h.id, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sig);
	CU_ASSERT_PTR_NOT_NULL_FATAL(wk);
	CU_ASSERT_EQUAL(w->a8, 0);	   /* not timed */
	CU_ASSERT_EQUAL(w->a32, s.m.h.id); /* the mutex */
	CU_ASSERT_EQUAL(sig->a32, 1);	   /* woken */
	CU_ASSERT_EQUAL(wk->a8, CLAB_CAUSE_SIGNAL);
	CU_ASSERT_TRUE(w->seq < sig->seq);
	CU_ASSERT_TRUE(sig->seq < wk->seq);
	CU_ASSERT_EQUAL(w->tid, wk->tid);
	CU_ASSERT_NOT_EQUAL(w->tid, sig->tid);
	/* the second signal found no one */
	sig = tu_find_obj(tr, CLAB_K_COND_SIGNAL, s.c.h.id, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sig);
	CU_ASSERT_EQUAL(sig->a32, 0);
	/* the wait released the mutex after queueing and took it back */
	CU_ASSERT_TRUE(tu_count_obj(tr, CLAB_K_MUTEX_RELEASE, s.m.h.id) >= 3);
	clab_trace_free(tr);
}

static void test_broadcast_wakes_all(void)
{
	struct shared s;
	clab_thread_t *t[NWAIT];
	struct warg a[NWAIT];
	const struct clab_record *b, *wk;
	struct clab_trace *tr;
	int i;

	tu_begin();
	shared_init(&s, NWAIT);
	start_waiters(&s, t, a, NWAIT);
	s.go = 1;
	CU_ASSERT_EQUAL(clab_cond_broadcast(&s.c), NWAIT);
	CU_ASSERT_EQUAL(clab_mutex_unlock(&s.m), 0);
	for (i = 0; i < NWAIT; i++) {
		CU_ASSERT_EQUAL(clab_thread_join(t[i], NULL), 0);
		CU_ASSERT_EQUAL(s.ret[i], 0);
		CU_ASSERT_TRUE(s.held_after[i]);
	}
	shared_fini(&s);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_COND_WAIT, s.c.h.id), NWAIT);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_COND_BROADCAST, s.c.h.id), 1);
	b = tu_find_obj(tr, CLAB_K_COND_BROADCAST, s.c.h.id, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(b->a32, NWAIT);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_COND_WAKE, s.c.h.id), NWAIT);
	for (i = 0; i < NWAIT; i++) {
		wk = tu_find_obj(tr, CLAB_K_COND_WAKE, s.c.h.id, (size_t)i);
		CU_ASSERT_PTR_NOT_NULL_FATAL(wk);
		CU_ASSERT_EQUAL(wk->a8, CLAB_CAUSE_BROADCAST);
		CU_ASSERT_TRUE(wk->seq > b->seq);
	}
	clab_trace_free(tr);
}

static void test_wait_without_mutex(void)
{
	clab_mutex_t m;
	clab_cond_t c;
	const struct clab_record *d;
	struct clab_trace *tr;

	tu_begin();
	CU_ASSERT_EQUAL(clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL), 0);
	CU_ASSERT_EQUAL(clab_cond_init(&c, "c"), 0);
	CU_ASSERT_EQUAL(clab_cond_wait(&c, &m), CLAB_EPERM);
	CU_ASSERT_EQUAL(clab_cond_timedwait(&c, &m, 10), CLAB_EPERM);
	CU_ASSERT_EQUAL(clab_cond_destroy(&c), 0);
	CU_ASSERT_EQUAL(clab_mutex_destroy(&m), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_COND_WAIT), 0);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_DIAG), 2);
	d = tu_find(tr, CLAB_K_DIAG, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->a8, CLAB_D_COND_NO_MUTEX);
	CU_ASSERT_EQUAL(d->obj, c.h.id);
	clab_trace_free(tr);
}

static void test_timedwait_times_out(void)
{
	clab_mutex_t m;
	clab_cond_t c;
	const struct clab_record *w, *wk;
	struct clab_trace *tr;
	uint64_t t0, dt;

	tu_begin();
	CU_ASSERT_EQUAL(clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL), 0);
	CU_ASSERT_EQUAL(clab_cond_init(&c, "c"), 0);
	CU_ASSERT_EQUAL(clab_mutex_lock(&m), 0);
	t0 = clab__mono_ns();
	CU_ASSERT_EQUAL(clab_cond_timedwait(&c, &m, 30), CLAB_ETIMEDOUT);
	dt = clab__mono_ns() - t0;
	CU_ASSERT_TRUE(dt >= 29000000u);
	CU_ASSERT_TRUE(clab_mutex_held(&m));
	/* ms == 0 releases the mutex and times out at once */
	CU_ASSERT_EQUAL(clab_cond_timedwait(&c, &m, 0), CLAB_ETIMEDOUT);
	CU_ASSERT_TRUE(clab_mutex_held(&m));
	CU_ASSERT_EQUAL(clab_mutex_unlock(&m), 0);
	CU_ASSERT_EQUAL(clab_cond_destroy(&c), 0);
	CU_ASSERT_EQUAL(clab_mutex_destroy(&m), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	w = tu_find_obj(tr, CLAB_K_COND_WAIT, c.h.id, 0);
	wk = tu_find_obj(tr, CLAB_K_COND_WAKE, c.h.id, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(wk);
	CU_ASSERT_EQUAL(w->a8, 1); /* timed */
	CU_ASSERT_EQUAL(wk->a8, CLAB_CAUSE_TIMEOUT);
	CU_ASSERT_TRUE(w->seq < wk->seq);
	wk = tu_find_obj(tr, CLAB_K_COND_WAKE, c.h.id, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(wk);
	CU_ASSERT_EQUAL(wk->a8, CLAB_CAUSE_TIMEOUT);
	clab_trace_free(tr);
}

static void test_two_mutexes(void)
{
	clab_mutex_t m1, m2;
	clab_cond_t c;
	const struct clab_record *d;
	struct clab_trace *tr;

	tu_begin();
	CU_ASSERT_EQUAL(clab_mutex_init(&m1, "m1", CLAB_MUTEX_NORMAL), 0);
	CU_ASSERT_EQUAL(clab_mutex_init(&m2, "m2", CLAB_MUTEX_NORMAL), 0);
	CU_ASSERT_EQUAL(clab_cond_init(&c, "c"), 0);
	CU_ASSERT_EQUAL(clab_mutex_lock(&m1), 0);
	CU_ASSERT_EQUAL(clab_cond_timedwait(&c, &m1, 1), CLAB_ETIMEDOUT);
	CU_ASSERT_EQUAL(clab_mutex_unlock(&m1), 0);
	CU_ASSERT_EQUAL(clab_mutex_lock(&m2), 0);
	/* still waits (and times out) after the diagnostic */
	CU_ASSERT_EQUAL(clab_cond_timedwait(&c, &m2, 1), CLAB_ETIMEDOUT);
	CU_ASSERT_EQUAL(clab_mutex_unlock(&m2), 0);
	CU_ASSERT_EQUAL(clab_cond_destroy(&c), 0);
	CU_ASSERT_EQUAL(clab_mutex_destroy(&m1), 0);
	CU_ASSERT_EQUAL(clab_mutex_destroy(&m2), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_DIAG), 1);
	d = tu_find(tr, CLAB_K_DIAG, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->a8, CLAB_D_COND_TWO_MUTEXES);
	CU_ASSERT_EQUAL(d->obj, c.h.id);
	CU_ASSERT_EQUAL(d->a32, m2.h.id);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_COND_WAIT, c.h.id), 2);
	clab_trace_free(tr);
}

/* Run n timed waits with spurious wakeups on; causes[] gets each cause. */
static void spurious_run(unsigned per_mille, uint64_t seed, int n,
			 uint8_t *causes, int *nret0)
{
	clab_mutex_t m;
	clab_cond_t c;
	struct clab_trace *tr;
	const struct clab_record *wk;
	int i;

	*nret0 = 0;
	tu_begin();
	clab_set_spurious(per_mille, seed);
	CU_ASSERT_EQUAL(clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL), 0);
	CU_ASSERT_EQUAL(clab_cond_init(&c, "c"), 0);
	CU_ASSERT_EQUAL(clab_mutex_lock(&m), 0);
	for (i = 0; i < n; i++)
		if (clab_cond_timedwait(&c, &m, 20) == 0)
			(*nret0)++;
	CU_ASSERT_EQUAL(clab_mutex_unlock(&m), 0);
	clab_set_spurious(0, 0);
	CU_ASSERT_EQUAL(clab_cond_destroy(&c), 0);
	CU_ASSERT_EQUAL(clab_mutex_destroy(&m), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_COND_WAKE, c.h.id), (size_t)n);
	for (i = 0; i < n; i++) {
		wk = tu_find_obj(tr, CLAB_K_COND_WAKE, c.h.id, (size_t)i);
		causes[i] = wk != NULL ? wk->a8 : 255;
	}
	clab_trace_free(tr);
}

static void test_spurious(void)
{
	uint8_t c1[16], c2[16];
	int i, r1, r2, nsp = 0, nto = 0;

	/* every wait wakes up spuriously and returns 0, nobody signalled */
	spurious_run(1000, 7, 3, c1, &r1);
	CU_ASSERT_EQUAL(r1, 3);
	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(c1[i], CLAB_CAUSE_SPURIOUS);

	/* half of them, the same ones for the same seed */
	spurious_run(500, 12345, 16, c1, &r1);
	spurious_run(500, 12345, 16, c2, &r2);
	CU_ASSERT_EQUAL(memcmp(c1, c2, sizeof(c1)), 0);
	CU_ASSERT_EQUAL(r1, r2);
	for (i = 0; i < 16; i++) {
		nsp += c1[i] == CLAB_CAUSE_SPURIOUS;
		nto += c1[i] == CLAB_CAUSE_TIMEOUT;
	}
	CU_ASSERT_EQUAL(nsp + nto, 16);
	CU_ASSERT_EQUAL(nsp, r1);
	CU_ASSERT_TRUE(nsp > 0 && nto > 0);

	/* off again: a timed wait times out */
	spurious_run(0, 0, 2, c1, &r1);
	CU_ASSERT_EQUAL(r1, 0);
	CU_ASSERT_EQUAL(c1[0], CLAB_CAUSE_TIMEOUT);
	CU_ASSERT_EQUAL(c1[1], CLAB_CAUSE_TIMEOUT);
}

static int cond_has_waiter(void *p)
{
	clab_cond_t *c = p;

	return tu_nwaiting(&c->lk, &c->wq) > 0;
}

static void test_recursive_and_destroy_busy(void)
{
	struct shared s;
	clab_mutex_t rm;
	clab_thread_t *t;
	struct warg a = {&s, 0};
	const struct clab_record *d;
	struct clab_trace *tr;

	tu_begin();
	memset(&s, 0, sizeof(s));
	s.nwait = 1;
	CU_ASSERT_EQUAL(clab_cond_init(&s.c, "c"), 0);
	CU_ASSERT_EQUAL(clab_latch_init(&s.ready, "ready"), 0);
	CU_ASSERT_EQUAL(clab_mutex_init(&s.m, "m", CLAB_MUTEX_NORMAL), 0);
	CU_ASSERT_EQUAL_FATAL(clab_thread_create(&t, "waiter", waiter, &a), 0);
	CU_ASSERT_EQUAL(tu_wait_until(cond_has_waiter, &s.c), 0);
	/* busy: a thread waits on it */
	CU_ASSERT_EQUAL(clab_cond_destroy(&s.c), CLAB_EBUSY);

	/* a recursive mutex is released at every level during a wait */
	CU_ASSERT_EQUAL(clab_mutex_init(&rm, "rm", CLAB_MUTEX_RECURSIVE), 0);
	CU_ASSERT_EQUAL(clab_mutex_lock(&rm), 0);
	CU_ASSERT_EQUAL(clab_mutex_lock(&rm), 0);
	CU_ASSERT_EQUAL(clab_cond_timedwait(&s.c, &rm, 1), CLAB_ETIMEDOUT);
	CU_ASSERT_TRUE(clab_mutex_held(&rm));
	CU_ASSERT_EQUAL(clab_mutex_unlock(&rm), 0);
	CU_ASSERT_TRUE(clab_mutex_held(&rm));
	CU_ASSERT_EQUAL(clab_mutex_unlock(&rm), 0);
	CU_ASSERT_FALSE(clab_mutex_held(&rm));

	CU_ASSERT_EQUAL(clab_mutex_lock(&s.m), 0);
	s.go = 1;
	CU_ASSERT_EQUAL(clab_cond_signal(&s.c), 1);
	CU_ASSERT_EQUAL(clab_mutex_unlock(&s.m), 0);
	CU_ASSERT_EQUAL(clab_thread_join(t, NULL), 0);
	CU_ASSERT_EQUAL(s.ret[0], 0);
	CU_ASSERT_EQUAL(clab_cond_destroy(&s.c), 0);
	CU_ASSERT_EQUAL(clab_cond_destroy(NULL), 0);
	CU_ASSERT_EQUAL(clab_mutex_destroy(&rm), 0);
	CU_ASSERT_EQUAL(clab_latch_destroy(&s.ready), 0);
	CU_ASSERT_EQUAL(clab_mutex_destroy(&s.m), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	d = tu_find(tr, CLAB_K_DIAG, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->a8, CLAB_D_DESTROY_BUSY);
	CU_ASSERT_EQUAL(d->obj, s.c.h.id);
	/* the two-mutex diagnostic: c was used with m, then with rm */
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_DIAG), 2);
	clab_trace_free(tr);
}

/* ---- a condition destroyed and freed right after its signal ---- */

struct gone {
	clab_mutex_t *m;
	clab_cond_t *c;
	_Atomic int waiting;
	int go;
};

static void *gone_waiter(void *arg)
{
	struct gone *g = arg;
	clab_mutex_lock(g->m);
	atomic_store(&g->waiting, 1);
	while (!g->go)
		clab_cond_wait(g->c, g->m);
	clab_mutex_unlock(g->m);
	return NULL;
}

static void never_stuck(const struct clab_deadlock *d, void *arg)
{
	(void)d;
	*(int *)arg = 1;
}

/*
 * Once signalled, a waiter is off the queue and the condition may go at
 * once: neither the woken waiter nor the watchdog (checking every
 * millisecond) may touch it again.  ASan sees it if one does.
 */
static void test_destroy_after_signal(void)
{
	enum { N = 500 };
	int stuck = 0, destroyed = 0;
	clab_mutex_t m;
	tu_begin();
	struct clab_watchdog_opts w = {
	    .period_ms = 1, .on_stuck = never_stuck, .arg = &stuck};
	CU_ASSERT_EQUAL_FATAL(clab_watchdog_start(&w), 0);
	clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL);
	for (int i = 0; i < N; i++) {
		clab_cond_t *c = malloc(sizeof(*c));
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		clab_cond_init(c, "c");
		struct gone g = {&m, c, 0, 0};
		clab_thread_t *t;
		CU_ASSERT_EQUAL_FATAL(
		    clab_thread_create(&t, "waiter", gone_waiter, &g), 0);
		while (!atomic_load(&g.waiting))
			sched_yield();
		clab_mutex_lock(&m); /* the waiter waits on c by now */
		g.go = 1;
		clab_cond_signal(c);
		clab_mutex_unlock(&m);
		destroyed += clab_cond_destroy(c) == 0;
		memset(c, 0xa5, sizeof(*c));
		free(c);
		CU_ASSERT_EQUAL(clab_thread_join(t, NULL), 0);
	}
	clab_watchdog_stop();
	clab_mutex_destroy(&m);
	CU_ASSERT_EQUAL(destroyed, N);
	CU_ASSERT_EQUAL(stuck, 0);
	struct clab_trace *tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_COND_WAKE), N);
	clab_trace_free(tr);
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "signal wakes one waiter", test_signal_wakes_one);
	CU_add_test(s, "destroyed and freed right after the signal",
		    test_destroy_after_signal);
	CU_add_test(s, "broadcast wakes every waiter",
		    test_broadcast_wakes_all);
	CU_add_test(s, "wait without the mutex is refused",
		    test_wait_without_mutex);
	CU_add_test(s, "timed wait times out", test_timedwait_times_out);
	CU_add_test(s, "one condition with two mutexes", test_two_mutexes);
	CU_add_test(s, "injected spurious wakeups", test_spurious);
	CU_add_test(s, "recursive mutex; destroy while busy",
		    test_recursive_and_destroy_busy);
}

int main(void)
{
	return tu_main("runtime/cond", add_tests);
}
