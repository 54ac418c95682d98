/*
 * Tests of runtime/pool.c: thread pools and futures.
 *
 * The scenarios order their threads with latches (a task says it started,
 * then waits for the test to let it go), so that "pending" and "running"
 * are states the test knows, not guesses; each returns the checks that
 * failed as bits, so that it runs the same under the operating system and
 * under the controlled scheduler (seeds of random and PCT schedules).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rt.h"
#include "testutil.h"

#define VAL(i) ((void *)(uintptr_t)(i))
#define NUM(p) ((unsigned)(uintptr_t)(p))
#define FAIL_IF(cond, bit)                                                     \
	do {                                                                   \
		if (cond)                                                      \
			fails |= 1u << (bit);                                  \
	} while (0)

/* A task that says it started, then waits to be let go. */
struct gate {
	clab_latch_t started, go;
	unsigned value;
};

static void *gated(void *arg)
{
	struct gate *g = arg;

	clab_latch_set(&g->started);
	clab_latch_wait(&g->go);
	return VAL(g->value);
}

static void *identity(void *arg)
{
	return arg;
}

static void *square(void *arg)
{
	return VAL(NUM(arg) * NUM(arg));
}

static void gate_init(struct gate *g, unsigned value)
{
	clab_latch_init(&g->started, "started");
	clab_latch_init(&g->go, "go");
	g->value = value;
}

static void gate_destroy(struct gate *g)
{
	clab_latch_destroy(&g->started);
	clab_latch_destroy(&g->go);
}

/*
 * One worker runs a, which waits; b waits behind it and is cancelled: its
 * result says so, a second cancel is harmless, a running task cannot be
 * cancelled, and b's task never starts.
 */
static unsigned scenario_cancel(void)
{
	struct gate g;
	clab_pool_t *p;
	clab_future_t *a, *b;
	void *v = NULL;
	unsigned fails = 0;

	gate_init(&g, 5);
	FAIL_IF(clab_pool_new(&p, "one", 1) != 0, 0);
	FAIL_IF(clab_pool_submit(p, gated, &g, &a) != 0, 1);
	FAIL_IF(clab_pool_submit(p, identity, VAL(7), &b) != 0, 2);
	clab_latch_wait(&g.started);
	FAIL_IF(clab_future_result_timeout(a, &v, 0) != CLAB_ETIMEDOUT, 3);
	FAIL_IF(clab_future_result_timeout(b, &v, 10) != CLAB_ETIMEDOUT, 4);
	FAIL_IF(clab_future_cancel(b) != 0, 5);
	FAIL_IF(clab_future_cancel(b) != 0, 6);
	FAIL_IF(clab_future_cancel(a) != CLAB_EBUSY, 7);
	FAIL_IF(clab_future_result(b, &v) != CLAB_ECANCELED, 8);
	FAIL_IF(!clab_future_done(b) || !clab_future_cancelled(b), 9);
	FAIL_IF(clab_future_done(a) || clab_future_cancelled(a), 10);
	clab_latch_set(&g.go);
	FAIL_IF(clab_future_result(a, &v) != 0 || NUM(v) != 5, 11);
	FAIL_IF(clab_future_cancel(a) != CLAB_EBUSY, 12);
	FAIL_IF(clab_future_cancelled(a), 13);
	clab_future_free(a);
	clab_future_free(b);
	FAIL_IF(clab_pool_free(p) != 0, 14);
	gate_destroy(&g);
	return fails;
}

static _Atomic unsigned ncalled[4];

static void count_cb(clab_future_t *f, void *arg)
{
	(void)f;
	atomic_fetch_add(&ncalled[(uintptr_t)arg], 1);
}

/*
 * A callback added before completion runs once, in the worker; one added
 * after runs once, at once, in the caller; one on a cancelled future too.
 */
static unsigned scenario_callbacks(void)
{
	struct gate g;
	clab_pool_t *p;
	clab_future_t *a, *b;
	void *v = NULL;
	unsigned fails = 0;

	for (int i = 0; i < 4; i++)
		ncalled[i] = 0;
	gate_init(&g, 9);
	FAIL_IF(clab_pool_new(&p, "two", 2) != 0, 0);
	FAIL_IF(clab_pool_submit(p, gated, &g, &a) != 0, 1);
	FAIL_IF(clab_future_add_done_callback(a, count_cb, VAL(0)) != 0, 2);
	FAIL_IF(clab_future_add_done_callback(a, NULL, NULL) != CLAB_EINVAL, 3);
	clab_latch_set(&g.go);
	FAIL_IF(clab_future_result(a, &v) != 0 || NUM(v) != 9, 4);
	FAIL_IF(clab_future_add_done_callback(a, count_cb, VAL(1)) != 0, 5);
	FAIL_IF(ncalled[1] != 1, 6); /* ran in this call */
	/* b waits behind nothing but is cancelled before a worker takes it,
	 * or it ran: either way its callback runs once */
	FAIL_IF(clab_pool_submit(p, identity, VAL(3), &b) != 0, 7);
	FAIL_IF(clab_future_add_done_callback(b, count_cb, VAL(2)) != 0, 8);
	clab_future_cancel(b);
	FAIL_IF(clab_pool_free(p) != 0, 9); /* the workers are joined */
	FAIL_IF(ncalled[0] != 1 || ncalled[1] != 1 || ncalled[2] != 1, 10);
	FAIL_IF(clab_future_add_done_callback(b, count_cb, VAL(3)) != 0, 11);
	FAIL_IF(ncalled[3] != 1, 12);
	clab_future_free(a);
	clab_future_free(b);
	gate_destroy(&g);
	return fails;
}

/*
 * shutdown(wait = 0) returns while a task runs and another waits; the
 * pending one still runs and its result comes; a submit after the
 * shutdown is refused.
 */
static unsigned scenario_nowait(void)
{
	struct gate g;
	clab_pool_t *p;
	clab_future_t *a, *b, *c = VAL(1);
	void *v = NULL;
	unsigned fails = 0;

	gate_init(&g, 1);
	FAIL_IF(clab_pool_new(&p, "one", 1) != 0, 0);
	FAIL_IF(clab_pool_submit(p, gated, &g, &a) != 0, 1);
	FAIL_IF(clab_pool_submit(p, identity, VAL(42), &b) != 0, 2);
	clab_latch_wait(&g.started);
	FAIL_IF(clab_pool_shutdown(p, 0, 0) != 0, 3);
	FAIL_IF(clab_future_done(a) || clab_future_done(b), 4);
	FAIL_IF(clab_pool_submit(p, identity, VAL(1), &c) != CLAB_ECLOSED, 5);
	FAIL_IF(c != NULL, 6);
	clab_latch_set(&g.go);
	FAIL_IF(clab_future_result(b, &v) != 0 || NUM(v) != 42, 7);
	FAIL_IF(clab_future_result(a, &v) != 0 || NUM(v) != 1, 8);
	FAIL_IF(clab_pool_shutdown(p, 1, 0) != 0, 9); /* again: joins */
	FAIL_IF(clab_pool_free(p) != 0, 10);
	clab_future_free(a);
	clab_future_free(b);
	gate_destroy(&g);
	return fails;
}

/* shutdown(cancel_pending): the two queued tasks are cancelled. */
static unsigned scenario_cancel_pending(void)
{
	struct gate g;
	clab_pool_t *p;
	clab_future_t *a, *b, *c;
	void *v = NULL;
	unsigned fails = 0;

	gate_init(&g, 2);
	FAIL_IF(clab_pool_new(&p, "one", 1) != 0, 0);
	FAIL_IF(clab_pool_submit(p, gated, &g, &a) != 0, 1);
	FAIL_IF(clab_pool_submit(p, identity, VAL(1), &b) != 0, 2);
	FAIL_IF(clab_pool_submit(p, identity, VAL(2), &c) != 0, 3);
	clab_latch_wait(&g.started);
	FAIL_IF(clab_pool_shutdown(p, 0, 1) != 2, 4);
	FAIL_IF(clab_future_result(b, &v) != CLAB_ECANCELED, 5);
	FAIL_IF(clab_future_result(c, &v) != CLAB_ECANCELED, 6);
	clab_latch_set(&g.go);
	FAIL_IF(clab_future_result(a, &v) != 0 || NUM(v) != 2, 7);
	FAIL_IF(clab_pool_shutdown(p, 1, 1) != 0, 8); /* nothing left */
	clab_future_free(a);
	clab_future_free(b);
	clab_future_free(c);
	FAIL_IF(clab_pool_free(p) != 0, 9);
	gate_destroy(&g);
	return fails;
}

static clab_pool_t *self_pool;

static void *shut_own_pool(void *arg)
{
	(void)arg;
	return VAL(-clab_pool_shutdown(self_pool, 1, 0));
}

/* map keeps the order; a task cannot wait for its own pool to end. */
static unsigned scenario_map(void)
{
	void *args[10], *res[10];
	clab_future_t *f;
	void *v = NULL;
	unsigned fails = 0;

	for (unsigned i = 0; i < 10; i++)
		args[i] = VAL(i);
	FAIL_IF(clab_pool_new(&self_pool, "three", 3) != 0, 0);
	FAIL_IF(clab_pool_map(self_pool, square, args, 10, res) != 0, 1);
	for (unsigned i = 0; i < 10; i++)
		FAIL_IF(NUM(res[i]) != i * i, 2);
	FAIL_IF(clab_pool_map(self_pool, square, args, 0, NULL) != 0, 3);
	FAIL_IF(clab_pool_submit(self_pool, shut_own_pool, NULL, &f) != 0, 4);
	FAIL_IF(clab_future_result(f, &v) != 0 ||
		    NUM(v) != (unsigned)-CLAB_EDEADLK,
		5);
	clab_future_free(f);
	FAIL_IF(clab_pool_free(self_pool) != 0, 6);
	return fails;
}

static unsigned (*const scenarios[])(void) = {scenario_cancel, scenario_nowait,
					      scenario_cancel_pending,
					      scenario_callbacks, scenario_map};
#define NSCEN (sizeof(scenarios) / sizeof(scenarios[0]))

static void test_cancel(void)
{
	struct clab_trace *tr;
	const struct clab_record *r;

	tu_begin();
	CU_ASSERT_EQUAL(scenario_cancel(), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	/* two submits, one task ran, one future cancelled */
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_POOL_SUBMIT), 2);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_POOL_TASK_START), 1);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_POOL_TASK_END), 1);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_FUTURE_SET), 1);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_FUTURE_CANCEL), 1);
	r = tu_find(tr, CLAB_K_POOL_SUBMIT, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->a8, 0);
	/* the second submit's future is the one cancelled, and never ran */
	CU_ASSERT_EQUAL(tu_find(tr, CLAB_K_FUTURE_CANCEL, 0)->obj, r->a32);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_POOL_TASK_START, r->a32), 0);
	CU_ASSERT_EQUAL(clab_trace_object(tr, r->a32)->kind, CLAB_O_FUTURE);
	CU_ASSERT_EQUAL(clab_trace_object(tr, r->obj)->kind, CLAB_O_POOL);
	CU_ASSERT_EQUAL(clab_trace_object(tr, r->a32)->param, r->obj);
	CU_ASSERT_EQUAL(clab_trace_object(tr, r->obj)->param, 1);
	/* the pool, its queue and latch, two futures and their latches went */
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_OBJ_DESTROY), 7 + 2);
	clab_trace_free(tr);
}

static void test_callbacks(void)
{
	struct clab_trace *tr;
	const struct clab_record *r;
	size_t late = 0;
	uint32_t a;

	tu_begin();
	CU_ASSERT_EQUAL(scenario_callbacks(), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_FUTURE_CALLBACK), 4);
	/* a's: one added before it was done (ran in time), one after */
	r = tu_find(tr, CLAB_K_FUTURE_SET, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->a32, 1);
	a = r->obj;
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_FUTURE_CALLBACK, a), 2);
	for (size_t i = 0;
	     (r = tu_find_obj(tr, CLAB_K_FUTURE_CALLBACK, a, i)) != NULL; i++)
		late += r->a8;
	CU_ASSERT_EQUAL(late, 1);
	clab_trace_free(tr);
}

static void test_nowait(void)
{
	struct clab_trace *tr;
	const struct clab_record *r;

	tu_begin();
	CU_ASSERT_EQUAL(scenario_nowait(), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_POOL_SUBMIT), 3);
	r = tu_find(tr, CLAB_K_POOL_SUBMIT, 2);
	CU_ASSERT_EQUAL(r->a8, 1); /* refused */
	CU_ASSERT_EQUAL(r->a32, 0);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_POOL_TASK_START), 2);
	r = tu_find(tr, CLAB_K_POOL_SHUTDOWN, 0);
	CU_ASSERT_EQUAL(r->a8, 0);
	/* both tasks started after the shutdown that did not wait */
	CU_ASSERT_TRUE(tu_find(tr, CLAB_K_POOL_TASK_END, 0)->seq > r->seq);
	CU_ASSERT_EQUAL(tu_find(tr, CLAB_K_POOL_SHUTDOWN, 1)->a8, 1);
	clab_trace_free(tr);
}

static void test_cancel_pending(void)
{
	struct clab_trace *tr;

	tu_begin();
	CU_ASSERT_EQUAL(scenario_cancel_pending(), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_EQUAL(tu_find(tr, CLAB_K_POOL_SHUTDOWN, 0)->a32, 2);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_FUTURE_CANCEL), 2);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_POOL_TASK_START), 1);
	clab_trace_free(tr);
}

static void test_map(void)
{
	struct clab_trace *tr;

	tu_begin();
	CU_ASSERT_EQUAL(scenario_map(), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_POOL_TASK_START), 11);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_FUTURE_SET), 11);
	clab_trace_free(tr);
}

/* Bad-object diagnostics for why, on a call that takes kind. */
static size_t count_bad(const struct clab_trace *tr, unsigned why,
			unsigned kind)
{
	size_t n = 0;

	for (size_t i = 0; i < clab_trace_nrecords(tr); i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		if (r->kind == CLAB_K_DIAG && r->a8 == CLAB_D_BAD_OBJECT &&
		    (r->a32 & 0xff) == why && ((r->a32 >> 8) & 0xff) == kind)
			n++;
	}
	return n;
}

/* Wrong objects and values are refused with a diagnostic, never used. */
static void test_bad_objects(void)
{
	struct clab_trace *tr;
	clab_latch_t l;
	clab_pool_t *p = VAL(1);
	clab_future_t *f;
	void *v;
	uint64_t zero[8] = {0}, junk[8];

	memset(junk, 0xa5, sizeof(junk));
	tu_begin();
	CU_ASSERT_EQUAL(clab_pool_new(&p, "zero", 0), CLAB_EINVAL);
	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT_EQUAL(clab_pool_new(&p, "many", CLAB_POOL_MAX_WORKERS + 1),
			CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_pool_new(NULL, "none", 1), CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_pool_submit(NULL, identity, NULL, &f),
			CLAB_EINVAL);
	clab_latch_init(&l, "not-a-pool");
	CU_ASSERT_EQUAL(
	    clab_pool_submit((clab_pool_t *)(void *)&l, identity, NULL, &f),
	    CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_future_result((clab_future_t *)(void *)&l, &v),
			CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_future_done((clab_future_t *)(void *)&l), 0);
	/* zero bytes, and garbage, where a pool or a future should be */
	CU_ASSERT_EQUAL(
	    clab_pool_submit((clab_pool_t *)(void *)zero, identity, NULL, &f),
	    CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_future_cancel((clab_future_t *)(void *)junk),
			CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_pool_new(&p, "ok", 1), 0);
	CU_ASSERT_EQUAL(clab_pool_submit(p, NULL, NULL, &f), CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_pool_submit(p, identity, NULL, &f), 0);
	/* a pool is not a future, nor a future a pool */
	CU_ASSERT_EQUAL(clab_future_cancel((clab_future_t *)(void *)p),
			CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_pool_shutdown((clab_pool_t *)(void *)f, 0, 0),
			CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_future_result(f, NULL), CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_future_free(f), 0);
	CU_ASSERT_EQUAL(clab_future_free(NULL), 0);
	CU_ASSERT_EQUAL(clab_pool_free(p), 0);
	CU_ASSERT_EQUAL(clab_pool_free(NULL), 0);
	clab_latch_destroy(&l);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	size_t nbad = 0, nval = 0;
	for (size_t i = 0; i < clab_trace_nrecords(tr); i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		if (r->kind == CLAB_K_DIAG && r->a8 == CLAB_D_BAD_OBJECT)
			nbad++;
		if (r->kind == CLAB_K_DIAG && r->a8 == CLAB_D_BAD_VALUE)
			nval++;
	}
	CU_ASSERT_EQUAL(nval, 2);
	CU_ASSERT_EQUAL(nbad, 8);
	/* a latch and a future passed as pools; a pool passed as a future */
	CU_ASSERT_EQUAL(count_bad(tr, CLAB_BADOBJ_WRONG_KIND, CLAB_O_POOL), 2);
	CU_ASSERT_EQUAL(count_bad(tr, CLAB_BADOBJ_WRONG_KIND, CLAB_O_FUTURE),
			3);
	CU_ASSERT_EQUAL(count_bad(tr, CLAB_BADOBJ_UNINIT, CLAB_O_POOL), 1);
	CU_ASSERT_EQUAL(count_bad(tr, CLAB_BADOBJ_CORRUPT, CLAB_O_FUTURE), 1);
	clab_trace_free(tr);
}

/* ---- under the controlled scheduler ---- */

static void on_stuck(const struct clab_deadlock *d, void *arg)
{
	char buf[4096];

	(void)arg;
	clab_deadlock_format(d, buf, sizeof(buf));
	fprintf(stderr, "\nstuck under control:\n%s\n", buf);
	_exit(1);
}

/* Every scenario under random and PCT schedules of a few seeds. */
static void test_controlled(void)
{
	char path[] = "/tmp/conclab-test-pool-XXXXXX";
	char sched[CLAB_SCHED_STRING_MAX];
	struct clab_tracer_opts t = {
	    .path = path, .compress = -1, .virtual_time = 1};
	struct clab_watchdog_opts w = {.period_ms = 100, .on_stuck = on_stuck};
	int fd = mkstemp(path);

	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	for (uint64_t seed = 1; seed <= 8; seed++) {
		for (int m = 0; m < 2; m++) {
			struct clab_sched_opts o = {
			    .mode = m ? CLAB_SCHED_PCT : CLAB_SCHED_RANDOM,
			    .seed = seed,
			    .spurious_max = -1};
			for (size_t s = 0; s < NSCEN; s++) {
				unsigned f;
				CU_ASSERT_EQUAL_FATAL(clab_tracer_open(&t), 0);
				CU_ASSERT_EQUAL_FATAL(clab_watchdog_start(&w),
						      0);
				CU_ASSERT_EQUAL_FATAL(clab_sched_start(&o), 0);
				f = scenarios[s]();
				CU_ASSERT_TRUE(clab_sched_steps() > 20);
				CU_ASSERT_TRUE(
				    clab_sched_stop(sched, sizeof(sched)) >= 0);
				clab_watchdog_stop();
				clab_tracer_close(NULL);
				if (f != 0)
					fprintf(stderr,
						"\nscenario %zu, %s seed %llu: "
						"checks 0x%x failed\n",
						s, m ? "pct" : "random",
						(unsigned long long)seed, f);
				CU_ASSERT_EQUAL(f, 0);
			}
		}
	}
	unlink(path);
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "cancel a pending task", test_cancel);
	CU_add_test(s, "done callbacks run once", test_callbacks);
	CU_add_test(s, "shutdown without waiting", test_nowait);
	CU_add_test(s, "shutdown cancels pending tasks", test_cancel_pending);
	CU_add_test(s, "map, and shutdown from a task", test_map);
	CU_add_test(s, "bad objects and values", test_bad_objects);
	CU_add_test(s, "under the controlled scheduler", test_controlled);
}

int main(void)
{
	return tu_main("runtime/pool", add_tests);
}
