/*
 * The exercises' harnesses: each runs a lab's threads against a student's
 * functions and records the annotations that the lab's own checker reads,
 * so that an exercise's trace is graded exactly like the lab's.
 *
 * philosophers  "think", "hungry", "eat", "done" (meal) around the
 *               student's get_forks() / put_forks(), in threads phil-N,
 *               over mutexes fork-N
 * prodcons      threads prod-N and cons-N; the student's buffer records
 *               "put" and "get" itself (buf_record_put/get, under its
 *               lock), because only inside the buffer is their order the
 *               buffer's order; the harness records "took" (item,
 *               consumer) with what each buf_get() returned, which the
 *               checker holds the notes to
 * timer         "tick" (n) before the n-th ticker_tick(), "saw" (n,
 *               waiter) after each ticker_wait(), in threads ticker,
 *               countdown (waiter 0) and countup (waiter 1)
 * race          threads counter-N that call counter_add(), which records
 *               "read" and "write" itself (the macros of race.h), after a
 *               barrier "start"; "total" (counter_value()) at the end
 * semaphore     threads worker-N that go in with csem_acquire() and out
 *               with csem_release(): "enter" (round) after the one,
 *               "leave" (round) before the other
 * lockorder     worker-1 (a to b) and worker-2 (b to a): "both" (round)
 *               between lock_both() and unlock_both(), over the
 *               harness's mutexes lock-a and lock-b
 * barrier       threads party-N: "step" (s) under the harness's mutex
 *               board, then "done" (s) under it before each bar_wait()
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/runtime.h>

#include "exercise.h"
#include "starters/barrier.h"
#include "starters/lockorder.h"
#include "starters/philosophers.h"
#include "starters/prodcons.h"
#include "starters/race.h"
#include "starters/semaphore.h"
#include "starters/timer.h"

static _Thread_local int who = -1;
static _Thread_local int harness;

int clab_exercise_who(void)
{
	return who;
}

int clab_exercise_harness_thread(void)
{
	return harness;
}

/* The lab's parameters, by name (the exercise uses the lab's table). */
static long param(const struct clab_lab_ctx *ctx, const char *name)
{
	return clab_lab_param(ctx, name);
}

static void pause_ms(long ms)
{
	if (ms > 0)
		clab_sleep_ms((uint32_t)ms);
}

/* ---- philosophers ---- */

struct phil_fns {
	void (*init)(struct table *);
	void (*get)(struct table *, int);
	void (*put)(struct table *, int);
	void (*destroy)(struct table *);
};

struct phil {
	const struct clab_lab_ctx *ctx;
	const struct phil_fns *fn;
	struct table *t;
	int i;
	uint64_t rng;
	clab_thread_t *th;
	char name[24];
};

static void *phil_main(void *arg)
{
	struct phil *p = arg;
	long meals = param(p->ctx, "meals"), think = param(p->ctx, "think_ms");

	harness = 1;
	who = p->i;
	for (int meal = 1; meal <= meals; meal++) {
		clab_note("think", meal);
		if (think > 0)
			pause_ms((long)(clab_lab_rand(&p->rng) %
					(uint64_t)(think + 1)));
		clab_note("hungry", meal);
		p->fn->get(p->t, p->i);
		clab_note("eat", meal);
		pause_ms(param(p->ctx, "eat_ms"));
		clab_note("done", meal);
		p->fn->put(p->t, p->i);
	}
	return NULL;
}

static int phil_run(const struct clab_lab_ctx *ctx,
		    clab_exercise_lookup_fn lookup, void *arg)
{
	struct phil_fns fn;
	struct table *t = calloc(1, sizeof(*t));
	struct phil ph[PHIL_MAX];
	int n = (int)param(ctx, "philosophers"), rc = 0, nforks = 0, nth = 0;
	char name[24];

	harness = 1;
	*(void **)&fn.init = lookup("table_init", arg);
	*(void **)&fn.get = lookup("get_forks", arg);
	*(void **)&fn.put = lookup("put_forks", arg);
	*(void **)&fn.destroy = lookup("table_destroy", arg);
	if (t == NULL)
		return CLAB_ENOMEM;
	if (n < 2 || n > PHIL_MAX || fn.get == NULL || fn.put == NULL) {
		free(t);
		return CLAB_EINVAL;
	}
	t->n = n;
	/* Forks are created in order, which is the global lock order. */
	for (; nforks < n; nforks++) {
		snprintf(name, sizeof(name), "fork-%d", nforks);
		rc = clab_mutex_init(&t->fork[nforks], name, CLAB_MUTEX_NORMAL);
		if (rc < 0)
			goto out;
	}
	if (fn.init != NULL)
		fn.init(t);
	for (; nth < n; nth++) {
		struct phil *p = &ph[nth];

		p->ctx = ctx;
		p->fn = &fn;
		p->t = t;
		p->i = nth;
		p->rng =
		    ctx->seed ^ (0x9e3779b97f4a7c15ull * (uint64_t)(nth + 1));
		snprintf(p->name, sizeof(p->name), "phil-%d", nth);
		rc = clab_thread_create(&p->th, p->name, phil_main, p);
		if (rc < 0)
			break;
	}
	for (int i = 0; i < nth; i++)
		clab_thread_join(ph[i].th, NULL);
	if (fn.destroy != NULL)
		fn.destroy(t);
out:
	for (int i = 0; i < nforks; i++)
		clab_mutex_destroy(&t->fork[i]);
	free(t);
	return rc < 0 ? rc : 0;
}

/* ---- prodcons ---- */

struct pc_fns {
	struct buf *(*new)(int);
	void (*put)(struct buf *, int);
	int (*get)(struct buf *);
	void (*free)(struct buf *);
};

struct pc_worker {
	const struct clab_lab_ctx *ctx;
	const struct pc_fns *fn;
	struct buf *b;
	int i;
	long n; /* items to put or to get */
	clab_thread_t *th;
	char name[24];
};

static void *producer_main(void *arg)
{
	struct pc_worker *w = arg;

	harness = 1;
	who = w->i;
	for (long k = 0; k < w->n; k++) {
		/* item k (from 0) of producer p: p * items + k + 1 */
		pause_ms(param(w->ctx, "produce_ms"));
		w->fn->put(w->b, (int)(w->i * w->n + k + 1));
	}
	return NULL;
}

static void *consumer_main(void *arg)
{
	struct pc_worker *w = arg;

	harness = 1;
	who = w->i;
	for (long k = 0; k < w->n; k++) {
		int item = w->fn->get(w->b);
		clab_note2("took", item, w->i);
		pause_ms(param(w->ctx, "consume_ms"));
	}
	return NULL;
}

static int pc_run(const struct clab_lab_ctx *ctx,
		  clab_exercise_lookup_fn lookup, void *arg)
{
	struct pc_fns fn;
	struct pc_worker prod[16], cons[16];
	long np = param(ctx, "producers"), nc = param(ctx, "consumers");
	long items = param(ctx, "items"), total = np * items;
	int rc = 0, nprod = 0, ncons = 0;
	struct buf *b;

	harness = 1;
	*(void **)&fn.new = lookup("buf_new", arg);
	*(void **)&fn.put = lookup("buf_put", arg);
	*(void **)&fn.get = lookup("buf_get", arg);
	*(void **)&fn.free = lookup("buf_free", arg);
	if (fn.new == NULL || fn.put == NULL || fn.get == NULL || np > 16 ||
	    nc > 16)
		return CLAB_EINVAL;
	b = fn.new((int)param(ctx, "capacity"));
	if (b == NULL)
		return CLAB_ENOMEM;
	/* Consumers take every item between them; the first ones one more. */
	for (; rc == 0 && ncons < nc; ncons++) {
		struct pc_worker *w = &cons[ncons];

		*w = (struct pc_worker){.ctx = ctx, .fn = &fn, .b = b};
		w->i = ncons;
		w->n = total / nc + (ncons < total % nc);
		snprintf(w->name, sizeof(w->name), "cons-%d", ncons);
		rc = clab_thread_create(&w->th, w->name, consumer_main, w);
	}
	if (rc < 0)
		ncons--;
	for (; rc == 0 && nprod < np; nprod++) {
		struct pc_worker *w = &prod[nprod];

		*w = (struct pc_worker){.ctx = ctx, .fn = &fn, .b = b};
		w->i = nprod;
		w->n = items;
		snprintf(w->name, sizeof(w->name), "prod-%d", nprod);
		rc = clab_thread_create(&w->th, w->name, producer_main, w);
	}
	if (rc < 0)
		nprod--;
	/* A failed start leaves consumers waiting: the watchdog ends it. */
	for (int i = 0; i < nprod; i++)
		clab_thread_join(prod[i].th, NULL);
	for (int i = 0; i < ncons; i++)
		clab_thread_join(cons[i].th, NULL);
	if (fn.free != NULL)
		fn.free(b);
	return rc < 0 ? rc : 0;
}

/* ---- timer ---- */

struct tm_fns {
	struct ticker *(*new)(void);
	void (*tick)(struct ticker *);
	int (*wait)(struct ticker *, int);
	void (*free)(struct ticker *);
};

struct tm_run {
	const struct clab_lab_ctx *ctx;
	const struct tm_fns *fn;
	struct ticker *t;
	atomic_int running; /* waiters not done yet */
	long max_ticks;
};

struct tm_waiter {
	struct tm_run *r;
	int i; /* 0 countdown, 1 countup */
	uint64_t rng;
	clab_thread_t *th;
};

static void *ticker_main(void *arg)
{
	struct tm_run *r = arg;

	harness = 1;
	/*
	 * Tick while anybody waits, up to a safety net: a waiter that is
	 * never woken then waits with nobody left to wake it, and the
	 * watchdog reports who waits for what.
	 */
	for (long n = 1; n <= r->max_ticks; n++) {
		pause_ms(param(r->ctx, "interval_ms"));
		if (atomic_load(&r->running) == 0)
			break;
		clab_note("tick", n);
		r->fn->tick(r->t);
	}
	return NULL;
}

static void *waiter_main(void *arg)
{
	struct tm_waiter *w = arg;
	struct tm_run *r = w->r;
	long n = param(r->ctx, w->i == 0 ? "countdown" : "countup");
	long work = param(r->ctx, "work_ms");
	int last = 0;

	harness = 1;
	who = w->i;
	for (long k = 0; k < n; k++) {
		last = r->fn->wait(r->t, last);
		clab_note2("saw", last, w->i);
		if (work > 0)
			pause_ms((long)(clab_lab_rand(&w->rng) %
					(uint64_t)(work + 1)));
	}
	atomic_fetch_sub(&r->running, 1);
	return NULL;
}

static int tm_run(const struct clab_lab_ctx *ctx,
		  clab_exercise_lookup_fn lookup, void *arg)
{
	struct tm_fns fn;
	struct tm_run r;
	struct tm_waiter w[2];
	clab_thread_t *tk = NULL;
	long most;
	int rc = 0, nw = 0;

	harness = 1;
	*(void **)&fn.new = lookup("ticker_new", arg);
	*(void **)&fn.tick = lookup("ticker_tick", arg);
	*(void **)&fn.wait = lookup("ticker_wait", arg);
	*(void **)&fn.free = lookup("ticker_free", arg);
	if (fn.new == NULL || fn.tick == NULL || fn.wait == NULL)
		return CLAB_EINVAL;
	memset(&r, 0, sizeof(r));
	memset(w, 0, sizeof(w));
	r.ctx = ctx;
	r.fn = &fn;
	most = param(ctx, "countdown") > param(ctx, "countup")
		   ? param(ctx, "countdown")
		   : param(ctx, "countup");
	r.max_ticks = 3 * most + 5;
	clab_set_spurious((unsigned)param(ctx, "spurious_rate"), ctx->seed);
	r.t = fn.new();
	if (r.t == NULL)
		return CLAB_ENOMEM;
	atomic_store(&r.running, 2);
	for (; rc == 0 && nw < 2; nw++) {
		w[nw].r = &r;
		w[nw].i = nw;
		w[nw].rng = ctx->seed ^ (0x9e3779b97f4a7c15ull * (nw + 1u));
		rc = clab_thread_create(&w[nw].th,
					nw == 0 ? "countdown" : "countup",
					waiter_main, &w[nw]);
	}
	if (rc < 0) {
		nw--;
		atomic_store(&r.running, 0);
	}
	if (rc == 0)
		rc = clab_thread_create(&tk, "ticker", ticker_main, &r);
	for (int i = 0; i < nw; i++)
		clab_thread_join(w[i].th, NULL);
	if (tk != NULL)
		clab_thread_join(tk, NULL);
	clab_set_spurious(0, 0);
	if (fn.free != NULL)
		fn.free(r.t);
	return rc < 0 ? rc : 0;
}

/* ---- race ---- */

struct race_fns {
	struct counter *(*new)(void);
	void (*add)(struct counter *);
	long (*value)(struct counter *);
	void (*free)(struct counter *);
};

struct racer {
	const struct clab_lab_ctx *ctx;
	const struct race_fns *fn;
	struct counter *c;
	clab_barrier_t *start;
	clab_thread_t *th;
	char name[24];
};

static void *racer_main(void *arg)
{
	struct racer *r = arg;

	harness = 1;
	/* every thread starts counting at once; aborted: not all started */
	if (clab_barrier_wait(r->start) < 0)
		return NULL;
	for (long k = 0; k < param(r->ctx, "rounds"); k++)
		r->fn->add(r->c);
	return NULL;
}

static int race_run(const struct clab_lab_ctx *ctx,
		    clab_exercise_lookup_fn lookup, void *arg)
{
	struct race_fns fn;
	struct racer r[16];
	clab_barrier_t start;
	int n = (int)param(ctx, "threads"), rc, nth = 0;

	harness = 1;
	*(void **)&fn.new = lookup("counter_new", arg);
	*(void **)&fn.add = lookup("counter_add", arg);
	*(void **)&fn.value = lookup("counter_value", arg);
	*(void **)&fn.free = lookup("counter_free", arg);
	if (fn.new == NULL || fn.add == NULL || fn.value == NULL || n < 1 ||
	    n > 16)
		return CLAB_EINVAL;
	struct counter *c = fn.new();
	if (c == NULL)
		return CLAB_ENOMEM;
	rc = clab_barrier_init(&start, "start", (uint32_t)n);
	if (rc < 0)
		goto out;
	for (; rc == 0 && nth < n; nth++) {
		r[nth] = (struct racer){.ctx = ctx, .fn = &fn, .c = c};
		r[nth].start = &start;
		snprintf(r[nth].name, sizeof(r[nth].name), "counter-%d",
			 nth + 1);
		rc = clab_thread_create(&r[nth].th, r[nth].name, racer_main,
					&r[nth]);
	}
	if (rc < 0) {
		nth--;
		clab_barrier_abort(&start); /* let the ones that started go */
	}
	for (int i = 0; i < nth; i++)
		clab_thread_join(r[i].th, NULL);
	if (rc == 0)
		clab_note("total", fn.value(c));
	clab_barrier_destroy(&start);
out:
	if (fn.free != NULL)
		fn.free(c);
	return rc < 0 ? rc : 0;
}

/* ---- semaphore ---- */

struct csem_fns {
	struct csem *(*new)(int);
	void (*acquire)(struct csem *);
	void (*release)(struct csem *);
	void (*free)(struct csem *);
};

struct sem_worker {
	const struct clab_lab_ctx *ctx;
	const struct csem_fns *fn;
	struct csem *s;
	clab_thread_t *th;
	char name[24];
};

static void *sem_worker_main(void *arg)
{
	struct sem_worker *w = arg;
	long rounds = param(w->ctx, "rounds");

	harness = 1;
	for (long r = 1; r <= rounds; r++) {
		w->fn->acquire(w->s);
		clab_note("enter", r);
		pause_ms(param(w->ctx, "work_ms"));
		clab_note("leave", r);
		w->fn->release(w->s);
	}
	return NULL;
}

static int sem_run(const struct clab_lab_ctx *ctx,
		   clab_exercise_lookup_fn lookup, void *arg)
{
	struct csem_fns fn;
	struct sem_worker w[32];
	int n = (int)param(ctx, "workers"), rc = 0, nw = 0;

	harness = 1;
	*(void **)&fn.new = lookup("csem_new", arg);
	*(void **)&fn.acquire = lookup("csem_acquire", arg);
	*(void **)&fn.release = lookup("csem_release", arg);
	*(void **)&fn.free = lookup("csem_free", arg);
	if (fn.new == NULL || fn.acquire == NULL || fn.release == NULL ||
	    n < 1 || n > 32)
		return CLAB_EINVAL;
	struct csem *s = fn.new((int)param(ctx, "limit"));
	if (s == NULL)
		return CLAB_ENOMEM;
	for (; rc == 0 && nw < n; nw++) {
		w[nw] = (struct sem_worker){.ctx = ctx, .fn = &fn, .s = s};
		snprintf(w[nw].name, sizeof(w[nw].name), "worker-%d", nw + 1);
		rc = clab_thread_create(&w[nw].th, w[nw].name, sem_worker_main,
					&w[nw]);
	}
	if (rc < 0)
		nw--;
	for (int i = 0; i < nw; i++)
		clab_thread_join(w[i].th, NULL);
	if (fn.free != NULL)
		fn.free(s);
	return rc < 0 ? rc : 0;
}

/* ---- lockorder ---- */

struct lo_fns {
	void (*lock)(struct account *, struct account *);
	void (*unlock)(struct account *, struct account *);
};

struct lo_worker {
	const struct clab_lab_ctx *ctx;
	const struct lo_fns *fn;
	struct account *from, *to;
	clab_thread_t *th;
};

static void *lo_worker_main(void *arg)
{
	struct lo_worker *w = arg;

	harness = 1;
	for (long r = 1; r <= param(w->ctx, "rounds"); r++) {
		w->fn->lock(w->from, w->to);
		w->from->balance -= 10;
		w->to->balance += 10;
		clab_note("both", r);
		pause_ms(param(w->ctx, "hold_ms"));
		w->fn->unlock(w->from, w->to);
	}
	return NULL;
}

static int lo_run(const struct clab_lab_ctx *ctx,
		  clab_exercise_lookup_fn lookup, void *arg)
{
	struct lo_fns fn;
	struct account acc[2];
	struct lo_worker w[2];
	int rc = 0, nw = 0;

	harness = 1;
	*(void **)&fn.lock = lookup("lock_both", arg);
	*(void **)&fn.unlock = lookup("unlock_both", arg);
	if (fn.lock == NULL || fn.unlock == NULL)
		return CLAB_EINVAL;
	memset(acc, 0, sizeof(acc));
	/* Made in this order, which is the global lock order. */
	for (int i = 0; i < 2; i++) {
		acc[i].number = i + 1;
		acc[i].balance = 100 + 5 * i;
		rc = clab_mutex_init(&acc[i].lock, i ? "lock-b" : "lock-a",
				     CLAB_MUTEX_NORMAL);
		if (rc < 0) {
			if (i)
				clab_mutex_destroy(&acc[0].lock);
			return rc;
		}
	}
	for (; rc == 0 && nw < 2; nw++) {
		w[nw] = (struct lo_worker){.ctx = ctx, .fn = &fn};
		w[nw].from = &acc[nw];
		w[nw].to = &acc[1 - nw];
		rc = clab_thread_create(&w[nw].th, nw ? "worker-2" : "worker-1",
					lo_worker_main, &w[nw]);
	}
	if (rc < 0)
		nw--;
	for (int i = 0; i < nw; i++)
		clab_thread_join(w[i].th, NULL);
	clab_mutex_destroy(&acc[0].lock);
	clab_mutex_destroy(&acc[1].lock);
	return rc < 0 ? rc : 0;
}

/* ---- barrier ---- */

struct bar_fns {
	struct bar *(*new)(int);
	void (*wait)(struct bar *);
	void (*free)(struct bar *);
};

struct bar_run {
	const struct clab_lab_ctx *ctx;
	const struct bar_fns *fn;
	struct bar *b;
	clab_mutex_t board; /* the notes' order is the steps' order */
};

struct bar_party {
	struct bar_run *run;
	clab_thread_t *th;
	char name[24];
};

static void *bar_party_main(void *arg)
{
	struct bar_party *p = arg;
	struct bar_run *br = p->run;
	long steps = 2 * param(br->ctx, "rounds");

	harness = 1;
	for (long s = 1; s <= steps; s++) {
		clab_mutex_lock(&br->board);
		clab_note("step", s);
		clab_mutex_unlock(&br->board);
		/* the first step of a round takes work, the second none: a
		 * party may be back at the barrier at once */
		if (s % 2 == 1)
			pause_ms(param(br->ctx, "work_ms"));
		clab_mutex_lock(&br->board);
		clab_note("done", s);
		clab_mutex_unlock(&br->board);
		br->fn->wait(br->b);
	}
	return NULL;
}

static int barrier_run(const struct clab_lab_ctx *ctx,
		       clab_exercise_lookup_fn lookup, void *arg)
{
	struct bar_fns fn;
	struct bar_run br;
	struct bar_party p[16];
	int n = (int)param(ctx, "parties"), rc, np = 0;

	harness = 1;
	*(void **)&fn.new = lookup("bar_new", arg);
	*(void **)&fn.wait = lookup("bar_wait", arg);
	*(void **)&fn.free = lookup("bar_free", arg);
	if (fn.new == NULL || fn.wait == NULL || n < 2 || n > 16)
		return CLAB_EINVAL;
	br = (struct bar_run){.ctx = ctx, .fn = &fn};
	rc = clab_mutex_init(&br.board, "board", CLAB_MUTEX_NORMAL);
	if (rc < 0)
		return rc;
	br.b = fn.new(n);
	if (br.b == NULL) {
		clab_mutex_destroy(&br.board);
		return CLAB_ENOMEM;
	}
	/* A party that did not start leaves the others waiting for it: the
	 * watchdog ends the run. */
	for (; rc == 0 && np < n; np++) {
		p[np] = (struct bar_party){.run = &br};
		snprintf(p[np].name, sizeof(p[np].name), "party-%d", np + 1);
		rc = clab_thread_create(&p[np].th, p[np].name, bar_party_main,
					&p[np]);
	}
	if (rc < 0)
		np--;
	for (int i = 0; i < np; i++)
		clab_thread_join(p[i].th, NULL);
	if (fn.free != NULL)
		fn.free(br.b);
	clab_mutex_destroy(&br.board);
	return rc < 0 ? rc : 0;
}

/* ---- the table ---- */

static const char *const phil_required[] = {"get_forks", "put_forks", NULL};
static const char *const phil_optional[] = {"table_init", "table_destroy",
					    NULL};
static const char *const pc_required[] = {"buf_new", "buf_put", "buf_get",
					  NULL};
static const char *const pc_optional[] = {"buf_free", NULL};
static const char *const tm_required[] = {"ticker_new", "ticker_tick",
					  "ticker_wait", NULL};
static const char *const tm_optional[] = {"ticker_free", NULL};
static const char *const race_required[] = {"counter_new", "counter_add",
					    "counter_value", NULL};
static const char *const race_optional[] = {"counter_free", NULL};
static const char *const sem_required[] = {"csem_new", "csem_acquire",
					   "csem_release", NULL};
static const char *const sem_optional[] = {"csem_free", NULL};
static const char *const lo_required[] = {"lock_both", "unlock_both", NULL};
static const char *const lo_optional[] = {NULL};
static const char *const bar_required[] = {"bar_new", "bar_wait", NULL};
static const char *const bar_optional[] = {"bar_free", NULL};

static const struct clab_exercise ex_philosophers = {
    .lab = &clab_lab_philosophers,
    .summary = "get_forks() and put_forks() for N philosophers",
    .required = phil_required,
    .optional = phil_optional,
    .run = phil_run,
};

static const struct clab_exercise ex_prodcons = {
    .lab = &clab_lab_prodcons,
    .summary = "a bounded buffer: buf_new(), buf_put(), buf_get()",
    .required = pc_required,
    .optional = pc_optional,
    .run = pc_run,
};

static const struct clab_exercise ex_timer = {
    .lab = &clab_lab_timer,
    .summary = "a periodic ticker: ticker_tick() and ticker_wait()",
    .required = tm_required,
    .optional = tm_optional,
    .run = tm_run,
};

static const struct clab_exercise ex_race = {
    .lab = &clab_lab_race,
    .summary = "a shared counter: counter_add() that loses no update",
    .required = race_required,
    .optional = race_optional,
    .run = race_run,
};

static const struct clab_exercise ex_semaphore = {
    .lab = &clab_lab_semaphore,
    .summary = "a counting semaphore from a mutex and a condition "
	       "variable: csem_acquire(), csem_release()",
    .required = sem_required,
    .optional = sem_optional,
    .run = sem_run,
};

static const struct clab_exercise ex_lockorder = {
    .lab = &clab_lab_lockorder,
    .summary = "transfers between two accounts: lock_both() in one order",
    .required = lo_required,
    .optional = lo_optional,
    .run = lo_run,
};

static const struct clab_exercise ex_barrier = {
    .lab = &clab_lab_barrier,
    .summary = "a reusable barrier from a mutex and a condition variable: "
	       "bar_wait()",
    .required = bar_required,
    .optional = bar_optional,
    .run = barrier_run,
};

const struct clab_exercise *const clab_exercises[] = {
    &ex_philosophers, &ex_prodcons,  &ex_timer,	  &ex_race,
    &ex_semaphore,    &ex_lockorder, &ex_barrier,
};

const size_t clab_nexercises =
    sizeof(clab_exercises) / sizeof(clab_exercises[0]);

const struct clab_exercise *clab_exercise_find(const char *name)
{
	for (size_t i = 0; i < clab_nexercises; i++)
		if (strcmp(clab_exercises[i]->lab->name, name) == 0)
			return clab_exercises[i];
	return NULL;
}
