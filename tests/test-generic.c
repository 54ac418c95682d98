/*
 * labs/generic: the checks any trace gets (starvation, busy waiting,
 * concurrency), on traces recorded from real threads.
 */
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

#include <conclab/analyze.h>

#include "lab.h"
#include "rt.h"
#include "testutil-rt.h"
#include "testutil.h"

/* realloc, failing while fail_realloc is set (linked with --wrap). */
static int fail_realloc;
void *__real_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n)
{
	return fail_realloc ? NULL : __real_realloc(p, n);
}

static const struct clab_lab_prop *prop(const struct clab_lab_report *rep,
					const char *name)
{
	for (size_t i = 0; i < rep->n; i++)
		if (strcmp(rep->props[i].name, name) == 0)
			return &rep->props[i];
	return NULL;
}

/* ---- starvation ---- */

static int latch_queued(void *p)
{
	clab_latch_t *l = p;

	return tu_nwaiting(&l->lk, &l->wq) > 0;
}

static void *latch_waiter(void *p)
{
	clab_latch_wait((clab_latch_t *)p);
	return NULL;
}

static void test_starvation(void)
{
	struct clab_lab_report rep = {0};
	const struct clab_lab_prop *p;
	const struct clab_record *w;
	clab_latch_t l;
	clab_thread_t *t;
	struct clab_trace *tr;

	tu_begin();
	CU_ASSERT_EQUAL(clab_latch_init(&l, "go"), 0);
	CU_ASSERT_EQUAL_FATAL(
	    clab_thread_create(&t, "waiter", latch_waiter, &l), 0);
	CU_ASSERT_EQUAL(tu_wait_until(latch_queued, &l), 0);
	/* the property is about time: the waiter waits at least 50 ms */
	clab_sleep_ms(50);
	CU_ASSERT_EQUAL(clab_latch_set(&l), 1);
	CU_ASSERT_EQUAL(clab_thread_join(t, NULL), 0);
	CU_ASSERT_EQUAL(clab_latch_destroy(&l), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	w = tu_find_obj(tr, CLAB_K_LATCH_WAIT, l.h.id, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);

	/* a 20 ms threshold: the 50 ms wait fails, naming its record */
	rep.opts.starvation_ms = 20;
	clab_lab_check_common(tr, &rep);
	p = prop(&rep, "starvation");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_FALSE(p->ok);
	CU_ASSERT_EQUAL(p->rec, w->seq);
	CU_ASSERT_PTR_NOT_NULL(strstr(p->msg, "waiter waited"));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(p->msg, "20 ms threshold (--starvation-ms)"));
	clab_lab_report_free(&rep);

	/* the default (1 s) and a threshold above the wait: ok, listed */
	memset(&rep, 0, sizeof(rep));
	clab_generic_check(tr, &rep, 0);
	p = prop(&rep, "starvation");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_TRUE(p->ok);
	CU_ASSERT_PTR_NOT_NULL(strstr(p->msg, "threshold 1000, the default"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p->msg, "waiter "));
	clab_lab_report_free(&rep);
	memset(&rep, 0, sizeof(rep));
	rep.opts.starvation_ms = 5000;
	clab_generic_check(tr, &rep, 0);
	p = prop(&rep, "starvation");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_TRUE(p->ok);
	clab_lab_report_free(&rep);

	clab_trace_free(tr);
}

static void *sleeper(void *p)
{
	(void)p;
	clab_sleep_ms(30);
	return NULL;
}

/* A join waits for the other thread's work: long, but not starvation. */
static void test_join_not_judged(void)
{
	struct clab_lab_report rep = {0};
	const struct clab_lab_prop *p;
	const struct clab_record *jw, *j;
	clab_thread_t *t;
	struct clab_trace *tr;

	tu_begin();
	CU_ASSERT_EQUAL_FATAL(clab_thread_create(&t, "sleeper", sleeper, NULL),
			      0);
	CU_ASSERT_EQUAL(clab_thread_join(t, NULL), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	jw = tu_find(tr, CLAB_K_THREAD_JOIN_WAIT, 0);
	j = tu_find(tr, CLAB_K_THREAD_JOIN, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(jw);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_TRUE(j->ns - jw->ns > 5000000u);

	rep.opts.starvation_ms = 5;
	clab_generic_check(tr, &rep, 0);
	p = prop(&rep, "starvation");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_TRUE(p->ok);
	CU_ASSERT_PTR_NOT_NULL(strstr(p->msg, "no thread waited"));
	clab_lab_report_free(&rep);
	clab_trace_free(tr);
}

/* ---- busy waiting ---- */

struct spin {
	clab_mutex_t *m;
	unsigned backoff_ms; /* sleep after each failure; 0: spin */
	atomic_uint failed;
};

static void *trylocker(void *p)
{
	struct spin *s = p;

	while (clab_mutex_trylock(s->m) != 0) {
		atomic_fetch_add(&s->failed, 1);
		if (s->backoff_ms)
			clab_sleep_ms(s->backoff_ms);
	}
	clab_mutex_unlock(s->m);
	return NULL;
}

static unsigned spin_goal;

static int spun_enough(void *p)
{
	return atomic_load(&((struct spin *)p)->failed) >= spin_goal;
}

/*
 * The main thread holds m until the trylock loop has failed goal times,
 * then lets it go; returns the trace and m's object id in *obj.
 */
static struct clab_trace *trylock_run(unsigned backoff_ms, unsigned goal,
				      uint32_t *obj)
{
	clab_mutex_t m;
	clab_thread_t *t;
	struct spin s = {&m, backoff_ms, 0};

	tu_begin();
	CU_ASSERT_EQUAL(clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL), 0);
	CU_ASSERT_EQUAL(clab_mutex_lock(&m), 0);
	if (clab_thread_create(&t, "spinner", trylocker, &s) != 0) {
		CU_FAIL("thread create");
		clab_mutex_unlock(&m);
		return tu_end();
	}
	spin_goal = goal;
	CU_ASSERT_EQUAL(tu_wait_until(spun_enough, &s), 0);
	CU_ASSERT_EQUAL(clab_mutex_unlock(&m), 0);
	CU_ASSERT_EQUAL(clab_thread_join(t, NULL), 0);
	CU_ASSERT_EQUAL(clab_mutex_destroy(&m), 0);
	*obj = m.h.id;
	return tu_end();
}

static void test_busy_tight_loop(void)
{
	struct clab_lab_report rep = {0};
	const struct clab_lab_prop *p;
	const struct clab_record *b;
	uint32_t obj = 0;
	struct clab_trace *tr = trylock_run(0, 2 * CLAB_LAB_BUSY_RUN, &obj);

	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_TRUE(tu_count_obj(tr, CLAB_K_MUTEX_BUSY, obj) >
		       2 * CLAB_LAB_BUSY_RUN - 1);
	b = tu_find_obj(tr, CLAB_K_MUTEX_BUSY, obj, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	clab_lab_check_common(tr, &rep);
	p = prop(&rep, "busy waiting");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_FALSE(p->ok);
	CU_ASSERT_EQUAL(p->rec, b->seq);
	CU_ASSERT_PTR_NOT_NULL(strstr(p->msg, "spinner failed"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p->msg, "mutex.busy on m "));
	clab_lab_report_free(&rep);
	clab_trace_free(tr);
}

static void test_busy_backoff(void)
{
	struct clab_lab_report rep = {0};
	const struct clab_lab_prop *p;
	uint32_t obj = 0;
	struct clab_trace *tr = trylock_run(1, CLAB_LAB_BUSY_RUN + 20, &obj);

	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	/* as many failures as a spin, but with a sleep after each one */
	CU_ASSERT_TRUE(tu_count_obj(tr, CLAB_K_MUTEX_BUSY, obj) >
		       CLAB_LAB_BUSY_RUN);
	clab_lab_check_common(tr, &rep);
	p = prop(&rep, "busy waiting");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_TRUE(p->ok);
	CU_ASSERT_PTR_NOT_NULL(strstr(p->msg, "at most 1 failed"));
	clab_lab_report_free(&rep);
	clab_trace_free(tr);
}

/*
 * The way std::lock takes two mutexes: a try of b, which another thread
 * holds, fails; then a blocking lock of b, which that thread has let go
 * of meanwhile, so it is taken at once; and again, n times.  The helper
 * is moved along by an atomic flag, which records nothing.  With other
 * set, the blocking lock is of another mutex: polling b all the same.
 */
struct dance {
	clab_mutex_t *b;
	atomic_int step; /* 1: let b go; 2: let go; 0: take it again; 3 */
};

static void *holder(void *p)
{
	struct dance *d = p;
	clab_mutex_lock(d->b);
	atomic_store(&d->step, 3);
	for (;;) {
		int s;
		while ((s = atomic_load(&d->step)) != 1 && s != 4)
			sched_yield();
		if (s == 4)
			break;
		clab_mutex_unlock(d->b);
		atomic_store(&d->step, 2);
		while (atomic_load(&d->step) != 0)
			sched_yield();
		clab_mutex_lock(d->b);
		atomic_store(&d->step, 3);
	}
	clab_mutex_unlock(d->b);
	return NULL;
}

static struct clab_trace *lock_dance(int n, int other)
{
	clab_sem_t empty;
	clab_mutex_t b, c;
	clab_thread_t *t;
	struct dance d = {&b, 0};
	tu_begin();
	clab_mutex_init(&b, "b", CLAB_MUTEX_NORMAL);
	clab_mutex_init(&c, "c", CLAB_MUTEX_NORMAL);
	clab_sem_init(&empty, "empty", 0, 0);
	CU_ASSERT_EQUAL_FATAL(clab_thread_create(&t, "holder", holder, &d), 0);
	for (int i = 0; i < n; i++) {
		while (atomic_load(&d.step) != 3)
			sched_yield();
		CU_ASSERT_EQUAL(clab_mutex_trylock(&b), CLAB_EBUSY);
		if (other == 2) /* and it polls a semaphore besides */
			CU_ASSERT_NOT_EQUAL(clab_sem_tryacquire(&empty), 0);
		atomic_store(&d.step, 1);
		while (atomic_load(&d.step) != 2)
			sched_yield();
		clab_mutex_t *m = other == 1 ? &c : &b;
		clab_mutex_lock(m); /* taken at once */
		clab_mutex_unlock(m);
		atomic_store(&d.step, 0);
	}
	while (atomic_load(&d.step) != 3)
		sched_yield();
	atomic_store(&d.step, 4);
	clab_thread_join(t, NULL);
	clab_mutex_destroy(&b);
	clab_mutex_destroy(&c);
	clab_sem_destroy(&empty);
	return tu_end();
}

/*
 * other: 0, the lock of the mutex whose try failed; 1, of another mutex;
 * 2, of the same one, but the thread polls a semaphore too.
 */
static void test_busy_std_lock(void)
{
	for (int other = 0; other <= 2; other++) {
		struct clab_lab_report rep = {0};
		struct clab_trace *tr =
		    lock_dance(2 * CLAB_LAB_BUSY_RUN, other);
		CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
		CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_MUTEX_BUSY),
				2 * CLAB_LAB_BUSY_RUN);
		clab_lab_check_common(tr, &rep);
		const struct clab_lab_prop *p = prop(&rep, "busy waiting");
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		/* blocking on the lock it failed to take: a wait, not a spin */
		CU_ASSERT_EQUAL(p->ok, !other);
		clab_lab_report_free(&rep);
		clab_trace_free(tr);
	}
}

/* ---- polling a mutex ---- */

/*
 * One thread takes and lets go of one mutex n times; every `every`
 * times (0: never) it does something else first: a note, or a sleep of
 * sleep_ms (which 0 makes a yield).
 */
static struct clab_trace *poll_run(int n, int every, int note,
				   unsigned sleep_ms)
{
	clab_mutex_t m;

	tu_begin();
	CU_ASSERT_EQUAL(clab_mutex_init(&m, "count.lock", CLAB_MUTEX_NORMAL),
			0);
	for (int i = 1; i <= n; i++) {
		clab_mutex_lock(&m);
		clab_mutex_unlock(&m);
		if (every && i % every == 0 && note)
			clab_note("progress", i);
		else if (every && i % every == 0)
			clab_sleep_ms(sleep_ms);
	}
	clab_mutex_destroy(&m);
	return tu_end();
}

/*
 * "busy waiting" of a poll_run(), where the lab asks (need) or not: want
 * ok, and when it fails a message with want_msg.
 */
static void expect_busy(struct clab_trace *tr, unsigned need, int want_ok,
			const char *want_msg)
{
	struct clab_lab_report rep = {0};
	const struct clab_lab_prop *p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	clab_generic_check(tr, &rep, need);
	p = prop(&rep, "busy waiting");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->ok, want_ok);
	if (!want_ok)
		CU_ASSERT_NOT_EQUAL(p->rec, UINT64_MAX);
	if (want_msg != NULL)
		CU_ASSERT_PTR_NOT_NULL(strstr(p->msg, want_msg));
	clab_lab_report_free(&rep);
}

static void test_poll(void)
{
	struct clab_trace *tr = poll_run(300, 0, 0, 0);

	/* where the lab asks: 300 takes in a row, nothing between */
	expect_busy(tr, CLAB_LAB_NEED_NO_POLL, 0, "took count.lock 300 times");
	expect_busy(tr, CLAB_LAB_NEED_NO_POLL, 0, "(lock at test-generic.c:");
	expect_busy(tr, CLAB_LAB_NEED_NO_POLL, 0, "unlock at test-generic.c:");
	/* elsewhere (a counter's loop in the race lab) it is no spin */
	expect_busy(tr, 0, 1, NULL);
	clab_trace_free(tr);
	/* sleep(0) only yields: still a spin */
	tr = poll_run(300, 10, 0, 0);
	expect_busy(tr, CLAB_LAB_NEED_NO_POLL, 0, NULL);
	clab_trace_free(tr);
}

static void test_poll_with_progress(void)
{
	static const struct {
		int n, every, note;
		unsigned sleep_ms;
		int ok;
	} cases[] = {
	    {300, 50, 1, 0, 1}, /* a note every 50 takes: work between */
	    {300, 50, 0, 1, 1}, /* a sleep of 1 ms every 50: a back-off */
	    {101, 0, 0, 0, 1},	/* 100 takes again in a row: the most... */
	    {102, 0, 0, 0, 0},	/* ...that passes */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct clab_trace *tr =
		    poll_run(cases[i].n, cases[i].every, cases[i].note,
			     cases[i].sleep_ms);
		expect_busy(tr, CLAB_LAB_NEED_NO_POLL, cases[i].ok, NULL);
		clab_trace_free(tr);
	}
}

/* ---- concurrency ---- */

#define ROUNDS 5

struct worker {
	clab_mutex_t *m;
	clab_barrier_t *inside; /* both workers hold their mutex, or NULL */
};

static void work(void)
{
	volatile unsigned x = 0;

	for (unsigned i = 0; i < 100000; i++)
		x += i;
}

static void *worker(void *p)
{
	struct worker *w = p;

	for (int i = 0; i < ROUNDS; i++) {
		clab_mutex_lock(w->m);
		if (w->inside)
			clab_barrier_wait(w->inside);
		work();
		clab_mutex_unlock(w->m);
	}
	return NULL;
}

/* Two workers; with one mutex for both, or one each and a barrier. */
static struct clab_trace *workers_run(int shared)
{
	clab_mutex_t m[2];
	clab_barrier_t b;
	clab_thread_t *t[2];
	struct worker w[2];

	tu_begin();
	CU_ASSERT_EQUAL(clab_mutex_init(&m[0], "a", CLAB_MUTEX_NORMAL), 0);
	CU_ASSERT_EQUAL(clab_mutex_init(&m[1], "b", CLAB_MUTEX_NORMAL), 0);
	CU_ASSERT_EQUAL(clab_barrier_init(&b, "inside", 2), 0);
	for (int i = 0; i < 2; i++) {
		w[i].m = shared ? &m[0] : &m[i];
		w[i].inside = shared ? NULL : &b;
		CU_ASSERT_EQUAL_FATAL(
		    clab_thread_create(&t[i], "worker", worker, &w[i]), 0);
	}
	for (int i = 0; i < 2; i++)
		CU_ASSERT_EQUAL(clab_thread_join(t[i], NULL), 0);
	clab_barrier_destroy(&b);
	clab_mutex_destroy(&m[0]);
	clab_mutex_destroy(&m[1]);
	return tu_end();
}

static void test_concurrency_parallel(void)
{
	struct clab_generic_concurrency c;
	struct clab_lab_report rep = {0};
	const struct clab_lab_prop *p;
	struct clab_trace *tr = workers_run(0);

	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_EQUAL(clab_generic_concurrency(tr, &c), 0);
	CU_ASSERT_TRUE(c.multi_ns > 0);
	CU_ASSERT_TRUE(c.holding_ns > 0);
	CU_ASSERT_TRUE(c.holding_ns <= c.multi_ns);
	CU_ASSERT_EQUAL(c.max_holding, 2);
	/* a lab that needs concurrency gets it */
	clab_lab_check_common_allow(tr, &rep, CLAB_LAB_NEED_CONCURRENCY);
	p = prop(&rep, "concurrency");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_TRUE(p->ok);
	CU_ASSERT_PTR_NOT_NULL(strstr(p->msg, "at most 2 at once"));
	clab_lab_report_free(&rep);
	clab_trace_free(tr);
}

static void test_concurrency_serialised(void)
{
	struct clab_generic_concurrency c;
	struct clab_lab_report rep = {0};
	const struct clab_lab_prop *p;
	struct clab_trace *tr = workers_run(1);

	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_EQUAL(clab_generic_concurrency(tr, &c), 0);
	CU_ASSERT_TRUE(c.multi_ns > 0);
	CU_ASSERT_EQUAL(c.holding_ns, 0);
	CU_ASSERT_EQUAL(c.max_holding, 1);
	/* information only, unless the lab asks for concurrency */
	clab_lab_check_common(tr, &rep);
	p = prop(&rep, "concurrency");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_TRUE(p->ok);
	CU_ASSERT_TRUE(p->info);
	clab_lab_report_free(&rep);
	memset(&rep, 0, sizeof(rep));
	clab_lab_check_common_allow(tr, &rep, CLAB_LAB_NEED_CONCURRENCY);
	p = prop(&rep, "concurrency");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_FALSE(p->ok);
	CU_ASSERT_EQUAL(p->rec, UINT64_MAX);
	CU_ASSERT_PTR_NOT_NULL(strstr(p->msg, "no two threads ever held"));
	/* the need bit is not a diagnostic code the variant teaches */
	p = prop(&rep, "no misuse");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_STRING_EQUAL(p->msg, "no misuse diagnostics");
	clab_lab_report_free(&rep);
	clab_trace_free(tr);
}

/* ---- locks held at exit ---- */

struct holder {
	clab_mutex_t a, b, r;
	int keep; /* end holding a */
};

static void *holder_fn(void *p)
{
	struct holder *h = p;

	clab_mutex_lock(&h->a);
	clab_mutex_lock(&h->b);
	clab_mutex_unlock(&h->b);
	/* a recursive mutex taken twice and let go twice is not held */
	clab_mutex_lock(&h->r);
	clab_mutex_lock(&h->r);
	clab_mutex_unlock(&h->r);
	clab_mutex_unlock(&h->r);
	if (!h->keep)
		clab_mutex_unlock(&h->a);
	return NULL;
}

static const struct clab_lab_prop *
held_run(int keep, struct clab_lab_report *rep, struct clab_trace **tr)
{
	struct holder h = {.keep = keep};
	clab_thread_t *t;

	tu_begin();
	CU_ASSERT_EQUAL(clab_mutex_init(&h.a, "a", CLAB_MUTEX_NORMAL), 0);
	CU_ASSERT_EQUAL(clab_mutex_init(&h.b, "b", CLAB_MUTEX_NORMAL), 0);
	CU_ASSERT_EQUAL(clab_mutex_init(&h.r, "r", CLAB_MUTEX_RECURSIVE), 0);
	CU_ASSERT_EQUAL_FATAL(clab_thread_create(&t, "holder", holder_fn, &h),
			      0);
	CU_ASSERT_EQUAL(clab_thread_join(t, NULL), 0);
	*tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(*tr);
	clab_generic_check_any(*tr, rep);
	return prop(rep, "locks held at exit");
}

/* What rw_holder keeps: a read lock (1), a write lock (2), a permit (4). */
struct rw_holder {
	clab_rwlock_t r, w;
	clab_sem_t lk, sig;
	unsigned keep;
};

static void *rw_holder_fn(void *p)
{
	struct rw_holder *h = p;
	clab_rwlock_rdlock(&h->r);
	clab_rwlock_wrlock(&h->w);
	clab_sem_acquire(&h->lk);
	clab_sem_acquire(&h->sig); /* given by main: a signal */
	if (!(h->keep & 1))
		clab_rwlock_unlock(&h->r);
	if (!(h->keep & 2))
		clab_rwlock_unlock(&h->w);
	if (!(h->keep & 4))
		clab_sem_release(&h->lk);
	return NULL;
}

static const struct clab_lab_prop *
rw_held_run(unsigned keep, struct clab_lab_report *rep, struct clab_trace **tr)
{
	struct rw_holder h = {.keep = keep};
	clab_thread_t *t;

	tu_begin();
	CU_ASSERT_EQUAL(clab_rwlock_init(&h.r, "r", CLAB_RWLOCK_FAIR), 0);
	CU_ASSERT_EQUAL(clab_rwlock_init(&h.w, "w", CLAB_RWLOCK_FAIR), 0);
	CU_ASSERT_EQUAL(clab_sem_init(&h.lk, "lk", 1, 0), 0);
	CU_ASSERT_EQUAL(clab_sem_init(&h.sig, "sig", 0, 0), 0);
	CU_ASSERT_EQUAL_FATAL(
	    clab_thread_create(&t, "holder", rw_holder_fn, &h), 0);
	CU_ASSERT_EQUAL(clab_sem_release(&h.sig), 0);
	CU_ASSERT_EQUAL(clab_thread_join(t, NULL), 0);
	*tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(*tr);
	clab_generic_check_any(*tr, rep);
	return prop(rep, "locks held at exit");
}

static void test_held_at_exit_rw_sem(void)
{
	static const struct {
		unsigned keep;
		const char *says;
	} c[] = {
	    {1, "1 lock(s) still held when the trace ended; first: r (read "
		"lock), held by holder"},
	    {2, "1 lock(s) still held when the trace ended; first: w (write "
		"lock), held by holder"},
	    {4, "1 lock(s) still held when the trace ended; first: lk "
		"(semaphore permit), held by holder"},
	    {7, "3 lock(s) still held when the trace ended; first: r (read "
		"lock)"},
	    {0, "no mutex, reader-writer lock or semaphore permit was held"},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct clab_lab_report rep = {0};
		struct clab_trace *tr;
		const struct clab_lab_prop *p =
		    rw_held_run(c[i].keep, &rep, &tr);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		CU_ASSERT_EQUAL(p->ok, c[i].keep == 0);
		if (!strstr(p->msg, c[i].says))
			fprintf(stderr, "keep %u: %s\n", c[i].keep, p->msg);
		CU_ASSERT_PTR_NOT_NULL(strstr(p->msg, c[i].says));
		clab_lab_report_free(&rep);
		clab_trace_free(tr);
	}
}

static void test_held_at_exit(void)
{
	struct clab_lab_report rep = {0};
	struct clab_trace *tr;
	const struct clab_lab_prop *p = held_run(1, &rep, &tr);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_FALSE(p->ok);
	CU_ASSERT_PTR_NOT_NULL(strstr(p->msg, "1 lock(s) still held"));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(p->msg, "first: a (mutex), held by holder"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p->msg, "test-generic.c:"));
	/* the record named is a's acquisition */
	const struct clab_record *r = NULL;
	for (size_t i = 0; i < clab_trace_nrecords(tr); i++)
		if (clab_trace_record(tr, i)->seq == p->rec)
			r = clab_trace_record(tr, i);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->kind, CLAB_K_MUTEX_ACQUIRE);
	CU_ASSERT_STRING_EQUAL(clab_trace_object_label(tr, r->obj), "a");
	/* the thread's end holding it is misuse too */
	p = prop(&rep, "no misuse");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_FALSE(p->ok);
	CU_ASSERT_PTR_NOT_NULL(strstr(p->msg, "exit-holding"));
	clab_lab_report_free(&rep);
	clab_trace_free(tr);

	memset(&rep, 0, sizeof(rep));
	p = held_run(0, &rep, &tr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_TRUE(p->ok);
	CU_ASSERT_EQUAL(clab_lab_report_failed(&rep), 0);
	clab_lab_report_free(&rep);
	clab_trace_free(tr);
}

/* The two reports hold the same properties, in the same order. */
static int same_report(const struct clab_lab_report *x,
		       const struct clab_lab_report *y)
{
	if (x->n != y->n || x->partial != y->partial || x->lost != y->lost)
		return 0;
	for (size_t i = 0; i < x->n; i++)
		if (strcmp(x->props[i].name, y->props[i].name) != 0 ||
		    strcmp(x->props[i].msg, y->props[i].msg) != 0 ||
		    x->props[i].ok != y->props[i].ok ||
		    x->props[i].rec != y->props[i].rec)
			return 0;
	return 1;
}

static void *both_orders_fn(void *p)
{
	struct holder *h = p;

	clab_mutex_lock(&h->a);
	clab_mutex_lock(&h->b);
	clab_mutex_unlock(&h->b);
	clab_mutex_unlock(&h->a);
	clab_mutex_lock(&h->b);
	clab_mutex_lock(&h->a);
	clab_mutex_unlock(&h->a);
	clab_mutex_unlock(&h->b);
	return NULL;
}

/*
 * The checks given the analysis the caller made give the report they
 * give when they make it, on a trace with a lock-order cycle and on one
 * ending with a mutex held; and they judge the analysis given, not one of
 * their own (an empty one finds no cycle in the trace that has one).
 */
static void test_check_any_with(void)
{
	struct holder h = {0};
	clab_thread_t *t;

	tu_begin();
	CU_ASSERT_EQUAL(clab_mutex_init(&h.a, "a", CLAB_MUTEX_NORMAL), 0);
	CU_ASSERT_EQUAL(clab_mutex_init(&h.b, "b", CLAB_MUTEX_NORMAL), 0);
	CU_ASSERT_EQUAL_FATAL(
	    clab_thread_create(&t, "both", both_orders_fn, &h), 0);
	CU_ASSERT_EQUAL(clab_thread_join(t, NULL), 0);
	struct clab_trace *cyc = tu_end(), *held;
	CU_ASSERT_PTR_NOT_NULL_FATAL(cyc);
	struct clab_lab_report own = {0}, with = {0}, empty = {0};
	held_run(1, &own, &held);
	clab_lab_report_free(&own);
	memset(&own, 0, sizeof(own));

	struct clab_trace *trs[] = {cyc, held};
	for (size_t i = 0; i < 2; i++) {
		struct clab_analysis an;
		CU_ASSERT_EQUAL_FATAL(clab_analyze(trs[i], &an), 0);
		clab_generic_check_any(trs[i], &own);
		clab_generic_check_any_with(trs[i], &an, &with);
		CU_ASSERT_TRUE(same_report(&own, &with));
		CU_ASSERT_PTR_NOT_NULL(prop(&with, "locks held at exit"));
		CU_ASSERT_PTR_NOT_NULL(prop(&with, "starvation"));
		if (i == 0)
			CU_ASSERT_PTR_NOT_NULL(
			    strstr(prop(&own, "lock order")->msg, "1 latent"));
		clab_analysis_fini(&an);
		clab_lab_report_free(&own);
		clab_lab_report_free(&with);
		memset(&own, 0, sizeof(own));
		memset(&with, 0, sizeof(with));
	}
	struct clab_analysis none = {.deadlock_seq = UINT64_MAX,
				     .stuck_seq = UINT64_MAX};
	clab_generic_check_any_with(cyc, &none, &empty);
	CU_ASSERT_PTR_NULL(strstr(prop(&empty, "lock order")->msg, "latent"));
	clab_lab_report_free(&empty);
	clab_trace_free(cyc);
	clab_trace_free(held);
}

/*
 * A property the report has no memory for is not dropped in silence: it
 * is counted as lost, and as failed.
 */
static void test_report_lost(void)
{
	struct clab_lab_report rep = {0};
	clab_lab_report_add(&rep, "first", 1, UINT64_MAX, "holds");
	fail_realloc = 1;
	for (int i = 0; i < 20; i++)
		clab_lab_report_add(&rep, "more", 1, UINT64_MAX, "holds too");
	fail_realloc = 0;
	CU_ASSERT_EQUAL(rep.n, 8); /* the first block's room */
	CU_ASSERT_EQUAL(rep.lost, 13);
	CU_ASSERT_EQUAL(clab_lab_report_failed(&rep), 13);
	clab_lab_report_free(&rep);
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "a mutex held when the trace ends is reported",
		    test_held_at_exit);
	CU_add_test(s, "rwlocks and permits held when the trace ends",
		    test_held_at_exit_rw_sem);
	CU_add_test(s, "the checks judge the caller's analysis",
		    test_check_any_with);
	CU_add_test(s, "a wait beyond the threshold is starvation",
		    test_starvation);
	CU_add_test(s, "a join is not starvation", test_join_not_judged);
	CU_add_test(s, "a property with no memory is lost, and failed",
		    test_report_lost);
	CU_add_test(s, "a tight trylock loop is busy waiting",
		    test_busy_tight_loop);
	CU_add_test(s, "trylock with a sleep between tries is not",
		    test_busy_backoff);
	CU_add_test(s, "a failed try, then a lock of that mutex: not",
		    test_busy_std_lock);
	CU_add_test(s, "one mutex taken again and again: busy waiting",
		    test_poll);
	CU_add_test(s, "taken again with work between: not",
		    test_poll_with_progress);
	CU_add_test(s, "different mutexes held at once: concurrency",
		    test_concurrency_parallel);
	CU_add_test(s, "one mutex for everything: none",
		    test_concurrency_serialised);
}

int main(void)
{
	return tu_main("labs/generic", add_tests);
}
