/*
 * tracer/lockdep and tracer/analyze: the lock-order detector, fed directly
 * and through real threads on the runtime.
 */
#include <stdlib.h>
#include <string.h>

#include <conclab/analyze.h>
#include <conclab/lockdep.h>
#include <conclab/runtime.h>

#include "testutil-rt.h"
#include "testutil.h"

/*
 * A realloc that fails on demand, and checks what it gave: while
 * `guarded` (the test's own thread only), each block it returns has 16
 * bytes more than asked, filled with a pattern that a write past the
 * block's end changes (guard_intact).  fail_size: the next call for that
 * many bytes fails.
 */
void *__real_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n);
enum { GUARD = 16, GUARDS = 64 };
static _Thread_local int guarded;
static size_t fail_size;
static struct {
	unsigned char *p;
	size_t n;
} guards[GUARDS];

static void guard_forget(const void *p)
{
	for (int i = 0; i < GUARDS; i++)
		if (p && guards[i].p == p)
			guards[i].p = NULL;
}

void *__wrap_realloc(void *p, size_t n)
{
	if (!guarded)
		return __real_realloc(p, n);
	if (n == fail_size) {
		fail_size = 0;
		return NULL;
	}
	unsigned char *q = __real_realloc(p, n + GUARD);
	if (!q)
		return NULL;
	guard_forget(p);
	memset(q + n, 0xa5, GUARD);
	for (int i = 0; i < GUARDS; i++)
		if (!guards[i].p) {
			guards[i].p = q;
			guards[i].n = n;
			break;
		}
	return q;
}

static int guard_intact(void)
{
	for (int i = 0; i < GUARDS; i++)
		for (size_t k = 0; guards[i].p && k < GUARD; k++)
			if (guards[i].p[guards[i].n + k] != 0xa5)
				return 0;
	return 1;
}

/* ---- the graph, fed directly ---- */

static int req(struct clab_lockdep *ld, uint32_t tid, const uint32_t *held,
	       uint32_t n, uint32_t lock, unsigned flags)
{
	struct clab_ld_held h[8];
	for (uint32_t i = 0; i < n; i++)
		h[i] = (struct clab_ld_held){held[i], 100 + held[i], i, 0, 0};
	return clab_lockdep_request(ld, tid, h, n, lock, 200 + lock, 1000,
				    flags);
}

/*
 * An edge whose arrays cannot all grow: the request fails with ENOMEM,
 * and the detector stays whole: the edge made again later, and the edges
 * after it, are written within the arrays (a short array and a capacity
 * that says otherwise would be written past its end).
 */
static void test_graph_enomem(void)
{
	struct clab_lockdep *ld = clab_lockdep_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(ld);
	uint32_t a[] = {1};
	guarded = 1;
	/* edges 1 -> 2 .. 1 -> 17: the first 16, the arrays' first size */
	for (uint32_t k = 2; k <= 17; k++)
		CU_ASSERT_EQUAL(req(ld, 1, a, 1, k, 0), 0);
	/* the 17th: its edge grows, the next array of 32 uint32_t does not */
	fail_size = 32 * sizeof(uint32_t);
	CU_ASSERT_EQUAL(req(ld, 1, a, 1, 18, 0), CLAB_ENOMEM);
	CU_ASSERT_EQUAL(fail_size, 0); /* it was asked for, and failed */
	CU_ASSERT(!clab_lockdep_has_edge(ld, 1, 18));
	/* made again, and more, up to 1 -> 80 */
	for (uint32_t k = 18; k <= 80; k++)
		CU_ASSERT_EQUAL(req(ld, 1, a, 1, k, 0), 0);
	CU_ASSERT(guard_intact());
	for (uint32_t k = 2; k <= 80; k++)
		CU_ASSERT(clab_lockdep_has_edge(ld, 1, k));
	/* and a cycle through the edge that failed is found */
	uint32_t b[] = {18};
	CU_ASSERT_EQUAL(req(ld, 2, b, 1, 1, 0), 1);
	CU_ASSERT_EQUAL(clab_lockdep_ncycles(ld), 1);
	/* cycles 1 -> k -> 1 up to the 16th, the arrays' first size */
	for (uint32_t k = 19; k <= 33; k++) {
		uint32_t h[] = {k};
		CU_ASSERT_EQUAL(req(ld, 3, h, 1, 1, 0), 1);
	}
	CU_ASSERT_EQUAL(clab_lockdep_ncycles(ld), 16);
	/* the 17th: its cycle grows, its key (of 32 uint64_t) does not */
	fail_size = 32 * sizeof(uint64_t);
	uint32_t c[] = {34};
	CU_ASSERT_EQUAL(req(ld, 3, c, 1, 1, 0), CLAB_ENOMEM);
	CU_ASSERT_EQUAL(fail_size, 0);
	CU_ASSERT_EQUAL(clab_lockdep_ncycles(ld), 16);
	for (uint32_t k = 35; k <= 60; k++) {
		uint32_t h[] = {k};
		CU_ASSERT_EQUAL(req(ld, 3, h, 1, 1, 0), 1);
	}
	CU_ASSERT_EQUAL(clab_lockdep_ncycles(ld), 16 + 26);
	CU_ASSERT(guard_intact());
	guarded = 0;
	clab_lockdep_free(ld);
	memset(guards, 0, sizeof(guards));
}

static void test_graph_two_lock_cycle(void)
{
	struct clab_lockdep *ld = clab_lockdep_new();
	uint32_t a[] = {1}, b[] = {2};
	CU_ASSERT_EQUAL(req(ld, 1, a, 1, 2, 0), 0);
	CU_ASSERT(clab_lockdep_has_edge(ld, 1, 2));
	CU_ASSERT_EQUAL(req(ld, 2, b, 1, 1, 0), 1);
	CU_ASSERT_EQUAL_FATAL(clab_lockdep_ncycles(ld), 1);
	const struct clab_ld_cycle *c = clab_lockdep_cycle(ld, 0);
	CU_ASSERT_EQUAL(c->nedges, 2);
	CU_ASSERT_EQUAL(c->cls, CLAB_LD_DEADLOCK);
	CU_ASSERT_EQUAL(c->tid, 2);
	/* the same observation again: not a new cycle, closed again */
	CU_ASSERT_EQUAL(req(ld, 2, b, 1, 1, 0), 0);
	CU_ASSERT_EQUAL(clab_lockdep_ncycles(ld), 1);
	CU_ASSERT_EQUAL(clab_lockdep_cycle(ld, 0)->seen, 2);
	const struct clab_ld_edge *e = clab_lockdep_edge(ld, c->edges[0]);
	CU_ASSERT_EQUAL(e->from_site, 100 + e->from);
	CU_ASSERT_EQUAL(e->to_site, 200 + e->to);
	clab_lockdep_free(ld);
}

/* Each of n threads holds a permit of sem 9 (permits p) and lock i while
 * requesting lock i+1 (mod n). */
static void seat_cycle(struct clab_lockdep *ld, uint32_t n, uint32_t p)
{
	for (uint32_t i = 0; i < n; i++) {
		struct clab_ld_held h[2] = {{9, 0, 0, p, 0},
					    {1 + i, 0, 0, 0, 0}};
		clab_lockdep_request(ld, 1 + i, h, 2, 1 + (i + 1) % n, 0, i, 0);
	}
}

static void test_graph_semaphore_gate(void)
{
	/* three locks, two seats: gated */
	struct clab_lockdep *ld = clab_lockdep_new();
	seat_cycle(ld, 3, 2);
	CU_ASSERT_EQUAL_FATAL(clab_lockdep_ncycles(ld), 1);
	const struct clab_ld_cycle *c = clab_lockdep_cycle(ld, 0);
	CU_ASSERT_EQUAL(c->cls, CLAB_LD_GATED);
	CU_ASSERT_EQUAL(c->gate, 9);
	CU_ASSERT_EQUAL(c->gate_permits, 2);
	/* the semaphore is no lock: no edge from or to it */
	CU_ASSERT_EQUAL(clab_lockdep_nedges(ld), 3);
	CU_ASSERT(!clab_lockdep_has_edge(ld, 9, 2));
	/* a release by a thread without a permit: a deadlock, reported */
	CU_ASSERT_EQUAL(clab_lockdep_ungate(ld, 9, 7, 99), 1);
	c = clab_lockdep_cycle(ld, 0);
	CU_ASSERT_EQUAL(c->cls, CLAB_LD_DEADLOCK);
	CU_ASSERT_EQUAL(c->tid, 7);
	CU_ASSERT_EQUAL(c->seq, 99);
	CU_ASSERT_EQUAL(clab_lockdep_ungate(ld, 9, 7, 100), 0);
	clab_lockdep_free(ld);

	/* three seats let the three threads in: a deadlock */
	ld = clab_lockdep_new();
	seat_cycle(ld, 3, 3);
	CU_ASSERT_EQUAL_FATAL(clab_lockdep_ncycles(ld), 1);
	CU_ASSERT_EQUAL(clab_lockdep_cycle(ld, 0)->cls, CLAB_LD_DEADLOCK);
	clab_lockdep_free(ld);

	/* more permits seen later: the gate no longer holds */
	ld = clab_lockdep_new();
	seat_cycle(ld, 3, 2);
	CU_ASSERT_EQUAL(clab_lockdep_cycle(ld, 0)->cls, CLAB_LD_GATED);
	struct clab_ld_held h[2] = {{9, 0, 0, 3, 0}, {1, 0, 0, 0, 0}};
	CU_ASSERT_EQUAL(clab_lockdep_request(ld, 1, h, 2, 2, 0, 50, 0), 1);
	CU_ASSERT_EQUAL(clab_lockdep_cycle(ld, 0)->cls, CLAB_LD_DEADLOCK);
	clab_lockdep_free(ld);

	/* a permit alone makes no edge */
	ld = clab_lockdep_new();
	struct clab_ld_held only = {9, 0, 0, 1, 0};
	CU_ASSERT_EQUAL(clab_lockdep_request(ld, 1, &only, 1, 2, 0, 1, 0), 0);
	CU_ASSERT_EQUAL(clab_lockdep_nedges(ld), 0);
	clab_lockdep_free(ld);
}

static void test_graph_classes(void)
{
	struct clab_lockdep *ld = clab_lockdep_new();
	uint32_t ga[] = {9, 1}, gb[] = {9, 2}, a[] = {1}, b[] = {2};
	/* gated by 9 */
	req(ld, 1, ga, 2, 2, 0);
	CU_ASSERT_EQUAL(req(ld, 2, gb, 2, 1, 0), 1);
	CU_ASSERT_EQUAL(clab_lockdep_cycle(ld, 0)->cls, CLAB_LD_GATED);
	CU_ASSERT_EQUAL(clab_lockdep_cycle(ld, 0)->gate, 9);
	/* an ungated observation makes it a deadlock */
	CU_ASSERT_EQUAL(req(ld, 3, b, 1, 1, 0), 1);
	CU_ASSERT_EQUAL(clab_lockdep_cycle(ld, 0)->cls, CLAB_LD_DEADLOCK);
	CU_ASSERT_EQUAL(clab_lockdep_cycle(ld, 0)->tid, 3);
	clab_lockdep_free(ld);

	/* one thread: latent, until a second thread takes an edge */
	ld = clab_lockdep_new();
	req(ld, 1, a, 1, 2, 0);
	CU_ASSERT_EQUAL(req(ld, 1, b, 1, 1, 0), 1);
	CU_ASSERT_EQUAL(clab_lockdep_cycle(ld, 0)->cls, CLAB_LD_LATENT);
	CU_ASSERT_EQUAL(req(ld, 2, b, 1, 1, 0), 1);
	CU_ASSERT_EQUAL(clab_lockdep_cycle(ld, 0)->cls, CLAB_LD_DEADLOCK);
	clab_lockdep_free(ld);

	/* timed only, until a plain lock takes the same edge */
	ld = clab_lockdep_new();
	req(ld, 1, a, 1, 2, 0);
	CU_ASSERT_EQUAL(req(ld, 2, b, 1, 1, CLAB_LD_TIMED), 1);
	CU_ASSERT_EQUAL(clab_lockdep_cycle(ld, 0)->cls, CLAB_LD_TIMED_ONLY);
	CU_ASSERT_EQUAL(req(ld, 2, b, 1, 1, 0), 1);
	CU_ASSERT_EQUAL(clab_lockdep_cycle(ld, 0)->cls, CLAB_LD_DEADLOCK);

	/* trylock and relock add nothing */
	uint32_t n = clab_lockdep_nedges(ld);
	uint32_t c3[] = {3};
	CU_ASSERT_EQUAL(req(ld, 4, c3, 1, 4, CLAB_LD_TRY), 0);
	CU_ASSERT_EQUAL(req(ld, 4, c3, 1, 3, 0), 0);
	CU_ASSERT_EQUAL(clab_lockdep_nedges(ld), n);
	clab_lockdep_free(ld);
}

/* A long cycle is found whole. */
static void test_graph_long_cycle(void)
{
	struct clab_lockdep *ld = clab_lockdep_new();
	enum { N = 300 };
	for (uint32_t i = 0; i < N; i++) {
		uint32_t h = i + 1;
		int r = req(ld, i, &h, 1, (i + 1) % N + 1, 0);
		CU_ASSERT_EQUAL(r, i == N - 1 ? 1 : 0);
	}
	CU_ASSERT_EQUAL_FATAL(clab_lockdep_ncycles(ld), 1);
	const struct clab_ld_cycle *c = clab_lockdep_cycle(ld, 0);
	CU_ASSERT_EQUAL_FATAL(c->nedges, N);
	for (uint32_t i = 0; i < N; i++)
		CU_ASSERT_EQUAL(
		    clab_lockdep_edge(ld, c->edges[i])->to,
		    clab_lockdep_edge(ld, c->edges[(i + 1) % N])->from);
	clab_lockdep_free(ld);
}

/* ---- through the runtime and a trace ---- */

struct step {
	clab_mutex_t *first, *second;
	clab_mutex_t *gate;
	int timed;
};

static void *take_two(void *arg)
{
	struct step *s = arg;
	if (s->gate)
		clab_mutex_lock(s->gate);
	clab_mutex_lock(s->first);
	if (s->timed)
		clab_mutex_timedlock(s->second, 1000);
	else
		clab_mutex_lock(s->second);
	clab_mutex_unlock(s->second);
	clab_mutex_unlock(s->first);
	if (s->gate)
		clab_mutex_unlock(s->gate);
	return NULL;
}

/* Run the steps one after another, each in its own thread. */
static void run_steps(struct step *steps, int n)
{
	for (int i = 0; i < n; i++) {
		clab_thread_t *t;
		CU_ASSERT_EQUAL_FATAL(
		    clab_thread_create(&t, "worker", take_two, &steps[i]), 0);
		CU_ASSERT_EQUAL(clab_thread_join(t, NULL), 0);
	}
}

static size_t count_diag(const struct clab_trace *tr, unsigned code)
{
	size_t n = 0;
	for (size_t i = 0; i < clab_trace_nrecords(tr); i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		n += r->kind == CLAB_K_DIAG && r->a8 == code;
	}
	return n;
}

static char *report(const struct clab_trace *tr, struct clab_analysis *an)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	clab_analysis_print(tr, an, f);
	fclose(f);
	return buf;
}

static void test_inversion_in_time(void)
{
	clab_mutex_t a, b;
	tu_begin();
	clab_mutex_init(&a, "lock-a", CLAB_MUTEX_NORMAL);
	clab_mutex_init(&b, "lock-b", CLAB_MUTEX_NORMAL);
	struct step s[] = {{&a, &b, NULL, 0}, {&b, &a, NULL, 0}};
	run_steps(s, 2);
	struct clab_trace *tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	/* recorded live, at the second thread's request of lock-a */
	CU_ASSERT_EQUAL(count_diag(tr, CLAB_D_LOCK_CYCLE), 1);
	CU_ASSERT_EQUAL(count_diag(tr, CLAB_D_DEADLOCK), 0);
	struct clab_analysis an;
	CU_ASSERT_EQUAL_FATAL(clab_analyze(tr, &an), 0);
	CU_ASSERT_EQUAL(clab_analysis_problems(&an), 1);
	CU_ASSERT_EQUAL_FATAL(clab_lockdep_ncycles(an.ld), 1);
	char *text = report(tr, &an);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "potential deadlock, 2 locks"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "lock-a -> lock-b -> lock-a"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "worker (T1) held lock-a (taken "
					    "at tests/test-lockdep.c:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "worker (T2) held lock-b"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "lock-a < lock-b"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "Against that order: worker (T2) "
					    "takes lock-b"));
	free(text);
	clab_analysis_fini(&an);
	clab_trace_free(tr);
}

static void test_five_cycle(void)
{
	clab_mutex_t m[5];
	char name[16];
	tu_begin();
	for (int i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "fork-%d", i);
		clab_mutex_init(&m[i], name, CLAB_MUTEX_NORMAL);
	}
	struct step s[5];
	for (int i = 0; i < 5; i++)
		s[i] = (struct step){&m[i], &m[(i + 1) % 5], NULL, 0};
	run_steps(s, 5);
	struct clab_trace *tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	struct clab_analysis an;
	CU_ASSERT_EQUAL_FATAL(clab_analyze(tr, &an), 0);
	CU_ASSERT_EQUAL_FATAL(clab_lockdep_ncycles(an.ld), 1);
	CU_ASSERT_EQUAL(clab_lockdep_cycle(an.ld, 0)->nedges, 5);
	char *text = report(tr, &an);
	CU_ASSERT_PTR_NOT_NULL(strstr(
	    text, "fork-0 -> fork-1 -> fork-2 -> fork-3 -> fork-4 -> fork-0"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "worker (T5) takes fork-4"));
	free(text);
	clab_analysis_fini(&an);
	clab_trace_free(tr);
}

static void test_timed(void)
{
	clab_mutex_t a, b;
	tu_begin();
	clab_mutex_init(&a, "a", CLAB_MUTEX_NORMAL);
	clab_mutex_init(&b, "b", CLAB_MUTEX_NORMAL);
	struct step s[] = {{&a, &b, NULL, 0}, {&b, &a, NULL, 1}};
	run_steps(s, 2);
	struct clab_trace *tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_EQUAL(count_diag(tr, CLAB_D_LOCK_CYCLE_TIMED), 1);
	CU_ASSERT_EQUAL(count_diag(tr, CLAB_D_LOCK_CYCLE), 0);
	struct clab_analysis an;
	CU_ASSERT_EQUAL_FATAL(clab_analyze(tr, &an), 0);
	CU_ASSERT_EQUAL_FATAL(clab_lockdep_ncycles(an.ld), 1);
	CU_ASSERT_EQUAL(clab_lockdep_cycle(an.ld, 0)->cls, CLAB_LD_TIMED_ONLY);
	char *text = report(tr, &an);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "kept only by a timeout"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "with a timeout"));
	free(text);
	clab_analysis_fini(&an);
	clab_trace_free(tr);
}

static void test_gated_then_ungated(void)
{
	clab_mutex_t g, a, b;
	tu_begin();
	clab_mutex_init(&g, "gate", CLAB_MUTEX_NORMAL);
	clab_mutex_init(&a, "a", CLAB_MUTEX_NORMAL);
	clab_mutex_init(&b, "b", CLAB_MUTEX_NORMAL);
	struct step s[] = {{&a, &b, &g, 0}, {&b, &a, &g, 0}};
	run_steps(s, 2);
	/* gated so far: a note, no diagnostic */
	clab_tracer_flush();
	struct step u[] = {{&b, &a, NULL, 0}};
	run_steps(u, 1);
	struct clab_trace *tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_EQUAL(count_diag(tr, CLAB_D_LOCK_CYCLE), 1);
	/* the diagnostic is the third thread's (the ungated one) */
	for (size_t i = 0; i < clab_trace_nrecords(tr); i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		if (r->kind == CLAB_K_DIAG && r->a8 == CLAB_D_LOCK_CYCLE)
			CU_ASSERT_EQUAL(r->tid, 3);
	}
	struct clab_analysis an;
	CU_ASSERT_EQUAL_FATAL(clab_analyze(tr, &an), 0);
	CU_ASSERT_EQUAL_FATAL(clab_lockdep_ncycles(an.ld), 1);
	CU_ASSERT_EQUAL(clab_lockdep_cycle(an.ld, 0)->cls, CLAB_LD_DEADLOCK);
	CU_ASSERT_EQUAL(clab_lockdep_cycle(an.ld, 0)->tid, 3);
	clab_analysis_fini(&an);
	clab_trace_free(tr);

	/* only gated: a note */
	tu_begin();
	clab_mutex_init(&g, "gate", CLAB_MUTEX_NORMAL);
	clab_mutex_init(&a, "a", CLAB_MUTEX_NORMAL);
	clab_mutex_init(&b, "b", CLAB_MUTEX_NORMAL);
	run_steps(s, 2);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_EQUAL(count_diag(tr, CLAB_D_LOCK_CYCLE), 0);
	CU_ASSERT_EQUAL_FATAL(clab_analyze(tr, &an), 0);
	CU_ASSERT_EQUAL(clab_analysis_problems(&an), 0);
	CU_ASSERT_EQUAL_FATAL(clab_lockdep_ncycles(an.ld), 1);
	char *text = report(tr, &an);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "note: gated lock-order cycle"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "while holding gate"));
	free(text);
	clab_analysis_fini(&an);
	clab_trace_free(tr);
}

static void *latent_fn(void *arg)
{
	clab_mutex_t *m = arg;
	clab_mutex_lock(&m[0]);
	clab_mutex_lock(&m[1]);
	clab_mutex_unlock(&m[1]);
	clab_mutex_unlock(&m[0]);
	clab_mutex_lock(&m[1]);
	clab_mutex_lock(&m[0]);
	clab_mutex_unlock(&m[0]);
	clab_mutex_unlock(&m[1]);
	return NULL;
}

static void test_latent_one_thread(void)
{
	clab_mutex_t m[2];
	tu_begin();
	clab_mutex_init(&m[0], "a", CLAB_MUTEX_NORMAL);
	clab_mutex_init(&m[1], "b", CLAB_MUTEX_NORMAL);
	clab_thread_t *t;
	clab_thread_create(&t, "solo", latent_fn, m);
	clab_thread_join(t, NULL);
	struct clab_trace *tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_EQUAL(count_diag(tr, CLAB_D_LOCK_CYCLE_LATENT), 1);
	CU_ASSERT_EQUAL(count_diag(tr, CLAB_D_LOCK_CYCLE), 0);
	struct clab_analysis an;
	CU_ASSERT_EQUAL_FATAL(clab_analyze(tr, &an), 0);
	CU_ASSERT_EQUAL(clab_analysis_problems(&an), 0);
	CU_ASSERT_EQUAL(clab_lockdep_cycle(an.ld, 0)->cls, CLAB_LD_LATENT);
	char *text = report(tr, &an);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "latent lock-order cycle"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "thread #1"));
	free(text);
	clab_analysis_fini(&an);
	clab_trace_free(tr);
}

static void *try_fn(void *arg)
{
	clab_mutex_t *m = arg;
	clab_mutex_lock(&m[1]);
	if (clab_mutex_trylock(&m[0]) == 0)
		clab_mutex_unlock(&m[0]);
	clab_mutex_unlock(&m[1]);
	return NULL;
}

/* trylock adds no edge; a recursive relock adds none either. */
static void test_try_and_relock(void)
{
	clab_mutex_t m[3];
	tu_begin();
	clab_mutex_init(&m[0], "a", CLAB_MUTEX_NORMAL);
	clab_mutex_init(&m[1], "b", CLAB_MUTEX_NORMAL);
	clab_mutex_init(&m[2], "r", CLAB_MUTEX_RECURSIVE);
	struct step s[] = {{&m[0], &m[1], NULL, 0}};
	run_steps(s, 1);
	clab_thread_t *t;
	clab_thread_create(&t, "try", try_fn, m);
	clab_thread_join(t, NULL);
	clab_mutex_lock(&m[2]);
	clab_mutex_lock(&m[0]);
	clab_mutex_lock(&m[2]); /* relock under a: no edge a -> r */
	clab_mutex_unlock(&m[2]);
	clab_mutex_unlock(&m[0]);
	clab_mutex_unlock(&m[2]);
	struct clab_trace *tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	struct clab_analysis an;
	CU_ASSERT_EQUAL_FATAL(clab_analyze(tr, &an), 0);
	CU_ASSERT_EQUAL(clab_lockdep_ncycles(an.ld), 0);
	CU_ASSERT_FALSE(clab_lockdep_has_edge(an.ld, m[1].h.id, m[0].h.id));
	CU_ASSERT_FALSE(clab_lockdep_has_edge(an.ld, m[0].h.id, m[2].h.id));
	CU_ASSERT(clab_lockdep_has_edge(an.ld, m[2].h.id, m[0].h.id));
	CU_ASSERT_EQUAL(count_diag(tr, CLAB_D_LOCK_CYCLE), 0);
	clab_analysis_fini(&an);
	clab_trace_free(tr);
}

/* A mutex destroyed and made again at the same address is a new lock. */
static void test_address_reuse(void)
{
	clab_mutex_t a, *b = malloc(sizeof(*b));
	tu_begin();
	clab_mutex_init(&a, "a", CLAB_MUTEX_NORMAL);
	clab_mutex_init(b, "b", CLAB_MUTEX_NORMAL);
	struct step s1[] = {{&a, b, NULL, 0}};
	run_steps(s1, 1);
	clab_mutex_destroy(b);
	clab_mutex_init(b, "c", CLAB_MUTEX_NORMAL); /* same memory */
	struct step s2[] = {{b, &a, NULL, 0}};
	run_steps(s2, 1);
	struct clab_trace *tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_EQUAL(count_diag(tr, CLAB_D_LOCK_CYCLE), 0);
	struct clab_analysis an;
	CU_ASSERT_EQUAL_FATAL(clab_analyze(tr, &an), 0);
	CU_ASSERT_EQUAL(clab_lockdep_ncycles(an.ld), 0);
	CU_ASSERT_EQUAL(clab_lockdep_nedges(an.ld), 2);
	clab_analysis_fini(&an);
	clab_trace_free(tr);
	free(b);
}

static void *hold_many_fn(void *arg)
{
	clab_mutex_t *m = arg;
	for (int i = 0; i < 256; i++)
		clab_mutex_lock(&m[i]);
	for (int i = 256; i-- > 0;)
		clab_mutex_unlock(&m[i]);
	return NULL;
}

/* 256 locks held by one thread, 4096 live locks: no abort, no cycle. */
static void test_capacity(void)
{
	enum { LIVE = 4096 };
	clab_mutex_t *m = calloc(LIVE, sizeof(*m));
	tu_begin();
	for (int i = 0; i < LIVE; i++)
		CU_ASSERT_EQUAL(clab_mutex_init(&m[i], "m", 0), 0);
	clab_thread_t *t;
	clab_thread_create(&t, "deep", hold_many_fn, m);
	clab_thread_join(t, NULL);
	for (int i = 0; i < LIVE; i++)
		clab_mutex_destroy(&m[i]);
	struct clab_trace *tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	struct clab_analysis an;
	CU_ASSERT_EQUAL_FATAL(clab_analyze(tr, &an), 0);
	CU_ASSERT_EQUAL(clab_lockdep_ncycles(an.ld), 0);
	CU_ASSERT_EQUAL(clab_lockdep_nedges(an.ld), 256 * 255 / 2);
	CU_ASSERT_EQUAL(count_diag(tr, CLAB_D_LOCK_CYCLE), 0);
	clab_analysis_fini(&an);
	clab_trace_free(tr);
	free(m);
}

static int sem_has_waiter(void *arg)
{
	clab_sem_t *s = arg;

	return tu_nwaiting(&s->lk, &s->wq) > 0;
}

static void *release_when_waited(void *arg)
{
	clab_sem_t *s = arg;
	if (tu_wait_until(sem_has_waiter, s) == 0)
		clab_sem_release(s);
	return NULL;
}

/*
 * A semaphore acquire made while holding a mutex is warned about, whether
 * it blocked this time or not: next time it may.
 */
static void test_wait_holding(void)
{
	clab_mutex_t m;
	clab_sem_t s;
	tu_begin();
	clab_mutex_init(&m, "buffer.lock", 0);
	clab_sem_init(&s, "slots", 1, 0);
	clab_mutex_lock(&m);
	clab_sem_acquire(&s); /* a permit is there: no wait */
	clab_thread_t *t;
	clab_thread_create(&t, "releaser", release_when_waited, &s);
	clab_sem_acquire(&s); /* blocks until released */
	clab_mutex_unlock(&m);
	clab_thread_join(t, NULL);
	struct clab_trace *tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	struct clab_analysis an;
	CU_ASSERT_EQUAL_FATAL(clab_analyze(tr, &an), 0);
	CU_ASSERT_EQUAL_FATAL(an.nwaits, 2); /* two call sites */
	for (size_t i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL(an.waits[i].tid, 0);
		CU_ASSERT_EQUAL(an.waits[i].held, m.h.id);
		CU_ASSERT_EQUAL(an.waits[i].obj, s.h.id);
	}
	char *text = report(tr, &an);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "main waits on sem slots at "));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "while holding buffer.lock"));
	free(text);
	clab_analysis_fini(&an);
	clab_trace_free(tr);
}

static void *arrive(void *arg)
{
	clab_barrier_wait((clab_barrier_t *)arg);
	return NULL;
}

/*
 * A barrier waited at while holding a mutex is a wait like the others: the
 * thread that must arrive too may need the mutex first.
 */
static void test_barrier_holding(void)
{
	clab_mutex_t m;
	clab_barrier_t b;
	tu_begin();
	clab_mutex_init(&m, "table", 0);
	clab_barrier_init(&b, "round", 2);
	clab_thread_t *t;
	clab_thread_create(&t, "other", arrive, &b);
	clab_mutex_lock(&m);
	clab_barrier_wait(&b);
	clab_mutex_unlock(&m);
	clab_barrier_wait_timeout(&b, 0); /* holding nothing: not a case */
	clab_thread_join(t, NULL);
	struct clab_trace *tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	struct clab_analysis an;
	CU_ASSERT_EQUAL_FATAL(clab_analyze(tr, &an), 0);
	CU_ASSERT_EQUAL_FATAL(an.nwaits, 1);
	CU_ASSERT_EQUAL(an.waits[0].tid, 0);
	CU_ASSERT_EQUAL(an.waits[0].held, m.h.id);
	CU_ASSERT_EQUAL(an.waits[0].obj, b.h.id);
	clab_analysis_fini(&an);
	clab_trace_free(tr);
}

/* clab_lock_many takes any set in the global order (the seed's acquire). */
static void test_lock_many(void)
{
	clab_mutex_t a, b, c;
	tu_begin();
	clab_mutex_init(&a, "a", 0);
	clab_mutex_init(&b, "b", 0);
	clab_mutex_init(&c, "c", 0);
	clab_mutex_t *ba[] = {&b, &a};
	CU_ASSERT_EQUAL(clab_lock_many(ba, 2), 0);
	CU_ASSERT(clab_mutex_held(&a) && clab_mutex_held(&b));
	CU_ASSERT_EQUAL(clab_unlock_many(ba, 2), 0);
	CU_ASSERT(!clab_mutex_held(&a) && !clab_mutex_held(&b));
	/* holding c, which comes after a and b: refused, nothing taken */
	clab_mutex_lock(&c);
	CU_ASSERT_EQUAL(clab_lock_many(ba, 2), CLAB_EORDER);
	CU_ASSERT(!clab_mutex_held(&a) && !clab_mutex_held(&b));
	clab_mutex_unlock(&c);
	struct clab_trace *tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	/* a before b, although b was given first */
	const struct clab_record *r0 = tu_find(tr, CLAB_K_MUTEX_ACQUIRE, 0);
	const struct clab_record *r1 = tu_find(tr, CLAB_K_MUTEX_ACQUIRE, 1);
	CU_ASSERT(r0 && r1 && r0->obj == a.h.id && r1->obj == b.h.id);
	CU_ASSERT_EQUAL(count_diag(tr, CLAB_D_LOCK_ORDER), 1);
	const struct clab_record *d = tu_find(tr, CLAB_K_DIAG, 0);
	CU_ASSERT(d && d->obj == a.h.id && d->a32 == c.h.id);
	CU_ASSERT_EQUAL(count_diag(tr, CLAB_D_LOCK_CYCLE), 0);
	clab_trace_free(tr);
}

/* Strict mode: an out-of-order lock fails before it can deadlock. */
static void test_strict_order(void)
{
	clab_mutex_t a, b;
	tu_begin();
	clab_mutex_init(&a, "a", 0);
	clab_mutex_init(&b, "b", 0);
	clab_set_strict_order(1);
	clab_mutex_lock(&b);
	CU_ASSERT_EQUAL(clab_mutex_lock(&a), CLAB_EORDER);
	CU_ASSERT_FALSE(clab_mutex_held(&a));
	CU_ASSERT_EQUAL(clab_mutex_trylock(&a), 0); /* a try cannot wait */
	clab_mutex_unlock(&a);
	clab_mutex_unlock(&b);
	clab_set_strict_order(0);
	clab_mutex_lock(&b);
	CU_ASSERT_EQUAL(clab_mutex_lock(&a), 0);
	clab_mutex_unlock(&a);
	clab_mutex_unlock(&b);
	struct clab_trace *tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_EQUAL(count_diag(tr, CLAB_D_LOCK_ORDER), 1);
	/* the relaxed run took b then a: a latent cycle, one thread */
	CU_ASSERT_EQUAL(count_diag(tr, CLAB_D_LOCK_CYCLE), 0);
	clab_trace_free(tr);
}

struct semstep {
	clab_sem_t *s;
	clab_mutex_t *m;
	int sem_first;
};

static void *sem_and_mutex(void *arg)
{
	struct semstep *st = arg;
	if (st->sem_first) {
		clab_sem_acquire(st->s);
		clab_mutex_lock(st->m);
		clab_mutex_unlock(st->m);
		clab_sem_release(st->s);
	} else {
		clab_mutex_lock(st->m);
		clab_sem_acquire(st->s);
		clab_sem_release(st->s);
		clab_mutex_unlock(st->m);
	}
	return NULL;
}

/* A binary semaphore used as a lock takes part in the lock order. */
static void test_binary_semaphore(void)
{
	clab_sem_t s;
	clab_mutex_t m;
	tu_begin();
	clab_sem_init(&s, "sem-lock", 1, 1);
	clab_mutex_init(&m, "mtx", 0);
	struct semstep st[] = {{&s, &m, 1}, {&s, &m, 0}};
	for (int i = 0; i < 2; i++) {
		clab_thread_t *t;
		clab_thread_create(&t, "worker", sem_and_mutex, &st[i]);
		clab_thread_join(t, NULL);
	}
	struct clab_trace *tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	struct clab_analysis an;
	CU_ASSERT_EQUAL_FATAL(clab_analyze(tr, &an), 0);
	CU_ASSERT_EQUAL_FATAL(clab_lockdep_ncycles(an.ld), 1);
	CU_ASSERT_EQUAL(clab_lockdep_cycle(an.ld, 0)->cls, CLAB_LD_DEADLOCK);
	CU_ASSERT(clab_lockdep_has_edge(an.ld, s.h.id, m.h.id));
	CU_ASSERT(clab_lockdep_has_edge(an.ld, m.h.id, s.h.id));
	char *text = report(tr, &an);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "sem-lock -> mtx -> sem-lock"));
	free(text);
	clab_analysis_fini(&an);
	clab_trace_free(tr);
}

/* The philosophers' waiter: seats, then left and right fork. */
struct seat {
	clab_sem_t *seats;
	clab_mutex_t *left, *right;
};

static void *seated(void *arg)
{
	struct seat *s = arg;
	clab_sem_acquire(s->seats);
	clab_mutex_lock(s->left);
	clab_mutex_lock(s->right);
	clab_mutex_unlock(s->right);
	clab_mutex_unlock(s->left);
	clab_sem_release(s->seats);
	return NULL;
}

/*
 * Five philosophers, one after another, each with a permit of a semaphore
 * of `permits`; with stranger set, main then releases a permit it never
 * took.  Returns the trace.
 */
static struct clab_trace *seat_run(uint32_t permits, int stranger,
				   uint32_t *seats_id)
{
	clab_sem_t seats;
	clab_mutex_t m[5];
	char name[16];
	tu_begin();
	clab_sem_init(&seats, "seats", permits, 0);
	*seats_id = seats.h.id;
	for (int i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "fork-%d", i);
		clab_mutex_init(&m[i], name, CLAB_MUTEX_NORMAL);
	}
	for (int i = 0; i < 5; i++) {
		struct seat st = {&seats, &m[i], &m[(i + 1) % 5]};
		clab_thread_t *t;
		CU_ASSERT_EQUAL_FATAL(
		    clab_thread_create(&t, "phil", seated, &st), 0);
		CU_ASSERT_EQUAL(clab_thread_join(t, NULL), 0);
	}
	if (stranger)
		clab_sem_release(&seats);
	return tu_end();
}

static void test_semaphore_gate(void)
{
	uint32_t sid;
	struct clab_analysis an;

	/* four seats, five forks: gated, live and offline */
	struct clab_trace *tr = seat_run(4, 0, &sid);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_EQUAL(count_diag(tr, CLAB_D_LOCK_CYCLE), 0);
	CU_ASSERT_EQUAL_FATAL(clab_analyze(tr, &an), 0);
	CU_ASSERT_EQUAL(clab_analysis_problems(&an), 0);
	CU_ASSERT_EQUAL_FATAL(clab_lockdep_ncycles(an.ld), 1);
	const struct clab_ld_cycle *c = clab_lockdep_cycle(an.ld, 0);
	CU_ASSERT_EQUAL(c->cls, CLAB_LD_GATED);
	CU_ASSERT_EQUAL(c->gate, sid);
	CU_ASSERT_EQUAL(c->gate_permits, 4);
	char *text = report(tr, &an);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "a permit of seats, which lets "
					    "at most 4"));
	free(text);
	clab_analysis_fini(&an);
	clab_trace_free(tr);

	/* five seats: the cycle can deadlock */
	tr = seat_run(5, 0, &sid);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_EQUAL(count_diag(tr, CLAB_D_LOCK_CYCLE), 1);
	CU_ASSERT_EQUAL_FATAL(clab_analyze(tr, &an), 0);
	CU_ASSERT_EQUAL(clab_analysis_problems(&an), 1);
	CU_ASSERT_EQUAL(clab_lockdep_cycle(an.ld, 0)->cls, CLAB_LD_DEADLOCK);
	clab_analysis_fini(&an);
	clab_trace_free(tr);

	/* four seats, then a release by main, which took none */
	tr = seat_run(4, 1, &sid);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_EQUAL(count_diag(tr, CLAB_D_LOCK_CYCLE), 1);
	for (size_t i = 0; i < clab_trace_nrecords(tr); i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		if (r->kind == CLAB_K_DIAG && r->a8 == CLAB_D_LOCK_CYCLE) {
			CU_ASSERT_EQUAL(r->obj, sid);
			CU_ASSERT_EQUAL(r->tid, 0);
		}
	}
	CU_ASSERT_EQUAL_FATAL(clab_analyze(tr, &an), 0);
	CU_ASSERT_EQUAL(clab_analysis_problems(&an), 1);
	c = clab_lockdep_cycle(an.ld, 0);
	CU_ASSERT_EQUAL(c->cls, CLAB_LD_DEADLOCK);
	CU_ASSERT_EQUAL(c->tid, 0);
	clab_analysis_fini(&an);
	clab_trace_free(tr);
}

/*
 * A permit kept when its semaphore is destroyed and freed: the detector
 * never looks at the semaphore again (ASan would see it).
 */
static void test_semaphore_gone(void)
{
	clab_mutex_t a, b;
	tu_begin();
	clab_sem_t *s = malloc(sizeof(*s));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	clab_sem_init(s, "gone", 2, 0);
	CU_ASSERT_EQUAL(clab_sem_acquire(s), 0);
	clab_sem_destroy(s);
	free(s);
	clab_mutex_init(&a, "a", CLAB_MUTEX_NORMAL);
	clab_mutex_init(&b, "b", CLAB_MUTEX_NORMAL);
	clab_mutex_lock(&a);
	clab_mutex_lock(&b); /* a new chain: the detector's slow path */
	clab_mutex_unlock(&b);
	clab_mutex_unlock(&a);
	struct clab_trace *tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_EQUAL(count_diag(tr, CLAB_D_LOCK_CYCLE), 0);
	clab_trace_free(tr);
}

/* Brute force: does `from` reach `to` in the adjacency matrix? */
static int reaches(unsigned char adj[][40], int n, int from, int to)
{
	unsigned char seen[40] = {0};
	int stack[40], top = 0;
	stack[top++] = from;
	seen[from] = 1;
	while (top) {
		int u = stack[--top];
		if (u == to)
			return 1;
		for (int v = 0; v < n; v++)
			if (adj[u][v] && !seen[v]) {
				seen[v] = 1;
				stack[top++] = v;
			}
	}
	return 0;
}

/*
 * The ordered search (used while the graph has no cycle) against brute
 * force: random edges, the first cycle is found exactly when it closes.
 */
static void test_graph_random(void)
{
	uint64_t rng = 7;
	for (int round = 0; round < 200; round++) {
		enum { N = 40 };
		unsigned char adj[N][40];
		memset(adj, 0, sizeof(adj));
		struct clab_lockdep *ld = clab_lockdep_new();
		for (int k = 0; k < 400; k++) {
			rng = rng * 6364136223846793005ull +
			      1442695040888963407ull;
			int a = (int)((rng >> 33) % N),
			    b = (int)((rng >> 17) % N);
			if (a == b || adj[a][b])
				continue;
			int closes = reaches(adj, N, b, a);
			uint32_t h = (uint32_t)a + 1;
			uint32_t before = clab_lockdep_ncycles(ld);
			req(ld, 1 + (uint32_t)k % 2, &h, 1, (uint32_t)b + 1, 0);
			adj[a][b] = 1;
			if (before == 0) {
				CU_ASSERT_EQUAL(clab_lockdep_ncycles(ld),
						closes ? 1u : 0u);
			}
			if (closes && before == 0)
				break;
		}
		clab_lockdep_free(ld);
	}
}

/* Class mode: an order between two sites holds for all their locks. */
static void test_classes(void)
{
	clab_mutex_t a[2], b[2], f[3];
	tu_begin();
	for (int i = 0; i < 2; i++) {
		clab_mutex_init(&a[i], "a", 0); /* one site: class a */
		clab_mutex_init(&b[i], "b", 0); /* one site: class b */
	}
	for (int i = 0; i < 3; i++)
		clab_mutex_init_indexed(&f[i], "fork", 0, i);
	/* a0 -> b0, then b1 -> a1: different locks, same two classes */
	struct step s[] = {{&a[0], &b[0], NULL, 0}, {&b[1], &a[1], NULL, 0}};
	run_steps(s, 2);
	/* indexed: 0 then 2 is in order, 2 then 1 is not */
	struct step o[] = {{&f[0], &f[2], NULL, 0}, {&f[2], &f[1], NULL, 0}};
	run_steps(o, 2);
	struct clab_trace *tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	struct clab_analysis an;
	/* by instance: nothing to see */
	CU_ASSERT_EQUAL_FATAL(clab_analyze(tr, &an), 0);
	CU_ASSERT_EQUAL(clab_lockdep_ncycles(an.ld), 0);
	CU_ASSERT_EQUAL(an.nnests, 0);
	clab_analysis_fini(&an);
	/* by class: the a/b cycle, and the fork taken against its index */
	CU_ASSERT_EQUAL_FATAL(clab_analyze_flags(tr, &an, CLAB_ANALYZE_CLASSES),
			      0);
	CU_ASSERT_EQUAL(clab_lockdep_ncycles(an.ld), 1);
	CU_ASSERT_EQUAL_FATAL(an.nnests, 1);
	CU_ASSERT(an.nests[0].inverted);
	CU_ASSERT_EQUAL(an.nests[0].held, f[2].h.id);
	CU_ASSERT_EQUAL(an.nests[0].lock, f[1].h.id);
	CU_ASSERT_EQUAL(clab_analysis_problems(&an), 2);
	char *text = report(tr, &an);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "class a... (2 made at"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "class order:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "1 before 2"));
	free(text);
	clab_analysis_fini(&an);
	clab_trace_free(tr);
}

/* ---- reader-writer locks ---- */

/* tid holds `from` (for reading when rfrom) and requests `to`. */
static int rw_req(struct clab_lockdep *ld, uint32_t tid, uint32_t from,
		  int rfrom, uint32_t to, int rto, uint64_t seq)
{
	struct clab_ld_held h = {from, 100 + from, seq, 0, (uint32_t)rfrom};
	return clab_lockdep_request(ld, tid, &h, 1, to, 200 + to, seq,
				    rto ? CLAB_LD_READ : 0);
}

static enum clab_ld_class rw_cycle(int r1a, int r1b, int r2b, int r2a)
{
	struct clab_lockdep *ld = clab_lockdep_new();
	enum clab_ld_class cls = (enum clab_ld_class) - 1;
	/* T1 holds A, requests B; T2 holds B, requests A */
	rw_req(ld, 1, 1, r1a, 2, r1b, 1);
	rw_req(ld, 2, 2, r2b, 1, r2a, 2);
	if (clab_lockdep_ncycles(ld) == 1)
		cls = clab_lockdep_cycle(ld, 0)->cls;
	clab_lockdep_free(ld);
	return cls;
}

static void test_graph_rwlock(void)
{
	/* readers everywhere: nobody waits for anybody */
	CU_ASSERT_EQUAL(rw_cycle(1, 1, 1, 1), CLAB_LD_SHARED);
	/* T2 wants A for reading, which T1 only reads: it gets in */
	CU_ASSERT_EQUAL(rw_cycle(1, 0, 1, 1), CLAB_LD_SHARED);
	/* T1 wants B for reading while T2 reads it */
	CU_ASSERT_EQUAL(rw_cycle(0, 1, 1, 1), CLAB_LD_SHARED);
	/* each wants to write what the other reads: a deadlock */
	CU_ASSERT_EQUAL(rw_cycle(1, 0, 1, 0), CLAB_LD_DEADLOCK);
	/* T2 writes B but only reads A, which T1 only reads: it gets in */
	CU_ASSERT_EQUAL(rw_cycle(1, 0, 0, 1), CLAB_LD_SHARED);
	/* T1 waits to write B behind its reader T2, who waits for A: T1
	 * writes it */
	CU_ASSERT_EQUAL(rw_cycle(0, 0, 1, 1), CLAB_LD_DEADLOCK);
	CU_ASSERT_EQUAL(rw_cycle(0, 1, 0, 1), CLAB_LD_DEADLOCK);
	/* plain locks as before */
	CU_ASSERT_EQUAL(rw_cycle(0, 0, 0, 0), CLAB_LD_DEADLOCK);

	/* a shared cycle gets worse when a writer comes by the same edge */
	struct clab_lockdep *ld = clab_lockdep_new();
	rw_req(ld, 1, 1, 1, 2, 1, 1);
	rw_req(ld, 2, 2, 1, 1, 1, 2);
	CU_ASSERT_EQUAL(clab_lockdep_cycle(ld, 0)->cls, CLAB_LD_SHARED);
	CU_ASSERT_EQUAL(rw_req(ld, 2, 2, 1, 1, 0, 3), 0); /* still shared */
	CU_ASSERT_EQUAL(rw_req(ld, 1, 1, 1, 2, 0, 4), 1);
	CU_ASSERT_EQUAL(clab_lockdep_cycle(ld, 0)->cls, CLAB_LD_DEADLOCK);
	clab_lockdep_free(ld);

	/* an upgrade: latent for one thread, a deadlock for two */
	ld = clab_lockdep_new();
	CU_ASSERT_EQUAL(rw_req(ld, 1, 5, 1, 5, 0, 1), 1);
	CU_ASSERT_EQUAL_FATAL(clab_lockdep_ncycles(ld), 1);
	CU_ASSERT_EQUAL(clab_lockdep_cycle(ld, 0)->nedges, 1);
	CU_ASSERT_EQUAL(clab_lockdep_cycle(ld, 0)->cls, CLAB_LD_LATENT);
	CU_ASSERT_EQUAL(rw_req(ld, 2, 5, 1, 5, 0, 2), 1);
	CU_ASSERT_EQUAL(clab_lockdep_cycle(ld, 0)->cls, CLAB_LD_DEADLOCK);
	/* reading again, or writing again, is not an upgrade */
	CU_ASSERT_EQUAL(rw_req(ld, 3, 6, 1, 6, 1, 3), 0);
	CU_ASSERT_EQUAL(rw_req(ld, 3, 6, 0, 6, 0, 4), 0);
	CU_ASSERT_EQUAL(rw_req(ld, 3, 6, 0, 6, 1, 5), 0);
	CU_ASSERT_EQUAL(clab_lockdep_ncycles(ld), 1);
	CU_ASSERT_EQUAL(clab_lockdep_nedges(ld), 1);
	clab_lockdep_free(ld);
}

static clab_rwlock_t rwa, rwb;

static void *rw_ab(void *p)
{
	int write = (int)(intptr_t)p;
	clab_rwlock_rdlock(&rwa);
	clab__rwlock_lock(&rwb, write, CLAB_FOREVER, CLAB_SITE());
	clab_rwlock_unlock(&rwb);
	clab_rwlock_unlock(&rwa);
	return NULL;
}

static void *rw_ba(void *p)
{
	int write = (int)(intptr_t)p;
	clab_rwlock_rdlock(&rwb);
	clab__rwlock_lock(&rwa, write, CLAB_FOREVER, CLAB_SITE());
	clab_rwlock_unlock(&rwa);
	clab_rwlock_unlock(&rwb);
	return NULL;
}

/* Both orders, one thread after the other; write: the second requests. */
static struct clab_trace *rw_trace(int write, int upgrade)
{
	clab_thread_t *t;
	tu_begin();
	clab_rwlock_init(&rwa, "A", CLAB_RWLOCK_FAIR);
	clab_rwlock_init(&rwb, "B", CLAB_RWLOCK_FAIR);
	clab_thread_create(&t, "t1", rw_ab, (void *)(intptr_t)write);
	clab_thread_join(t, NULL);
	clab_thread_create(&t, "t2", rw_ba, (void *)(intptr_t)write);
	clab_thread_join(t, NULL);
	if (upgrade) {
		clab_rwlock_rdlock(&rwa);
		CU_ASSERT_EQUAL(clab_rwlock_timedwrlock(&rwa, 5),
				CLAB_ETIMEDOUT);
		clab_rwlock_unlock(&rwa);
	}
	clab_rwlock_destroy(&rwa);
	clab_rwlock_destroy(&rwb);
	return tu_end();
}

static void test_rwlock_trace(void)
{
	struct clab_analysis an;
	struct clab_trace *tr = rw_trace(0, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_EQUAL_FATAL(clab_analyze(tr, &an), 0);
	CU_ASSERT_EQUAL_FATAL(clab_lockdep_ncycles(an.ld), 1);
	CU_ASSERT_EQUAL(clab_lockdep_cycle(an.ld, 0)->cls, CLAB_LD_SHARED);
	CU_ASSERT_EQUAL(clab_analysis_problems(&an), 0);
	char *text = report(tr, &an);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "lock-order cycle of readers"));
	free(text);
	clab_analysis_fini(&an);
	clab_trace_free(tr);

	tr = rw_trace(1, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_EQUAL_FATAL(clab_analyze(tr, &an), 0);
	CU_ASSERT_EQUAL_FATAL(clab_lockdep_ncycles(an.ld), 2);
	CU_ASSERT_EQUAL(clab_lockdep_cycle(an.ld, 0)->cls, CLAB_LD_DEADLOCK);
	/* the upgrade, by one thread: latent */
	CU_ASSERT_EQUAL(clab_lockdep_cycle(an.ld, 1)->cls, CLAB_LD_LATENT);
	CU_ASSERT_EQUAL(clab_lockdep_cycle(an.ld, 1)->nedges, 1);
	CU_ASSERT_EQUAL(clab_analysis_problems(&an), 1);
	text = report(tr, &an);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "(an upgrade)"));
	free(text);
	clab_analysis_fini(&an);
	clab_trace_free(tr);
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "graph: two-lock cycle", test_graph_two_lock_cycle);
	CU_add_test(s, "graph: out of memory for an edge or a cycle",
		    test_graph_enomem);
	CU_add_test(s, "graph: classes", test_graph_classes);
	CU_add_test(s, "graph: a semaphore as a gate",
		    test_graph_semaphore_gate);
	CU_add_test(s, "graph: a 300-lock cycle", test_graph_long_cycle);
	CU_add_test(s, "graph: random, against brute force", test_graph_random);
	CU_add_test(s, "inversion separated in time", test_inversion_in_time);
	CU_add_test(s, "five-lock cycle", test_five_cycle);
	CU_add_test(s, "timed lock", test_timed);
	CU_add_test(s, "gated, then ungated", test_gated_then_ungated);
	CU_add_test(s, "latent, one thread", test_latent_one_thread);
	CU_add_test(s, "trylock and recursive relock", test_try_and_relock);
	CU_add_test(s, "address reuse", test_address_reuse);
	CU_add_test(s, "256 held, 4096 live", test_capacity);
	CU_add_test(s, "wait while holding a lock", test_wait_holding);
	CU_add_test(s, "a barrier while holding a lock", test_barrier_holding);
	CU_add_test(s, "clab_lock_many", test_lock_many);
	CU_add_test(s, "strict order", test_strict_order);
	CU_add_test(s, "binary semaphore as a lock", test_binary_semaphore);
	CU_add_test(s, "seat semaphore as a gate", test_semaphore_gate);
	CU_add_test(s, "a held permit's semaphore destroyed",
		    test_semaphore_gone);
	CU_add_test(s, "lock classes", test_classes);
	CU_add_test(s, "graph: reader-writer locks", test_graph_rwlock);
	CU_add_test(s, "reader-writer locks in a trace", test_rwlock_trace);
}

int main(void)
{
	return tu_main("tracer/lockdep", add_tests);
}
