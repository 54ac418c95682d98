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
 *
 * The catalogue's exercises (race, semaphore, lockorder, barrier and
 * rwlock) are in exercise-more.c, the task labs' (actor, pool, coop) in
 * exercise-tasks.c.
 * Those on starting and stopping threads (startup, stop) are in
 * exercise-events.c, the processes exercise's in exercise-proc.c.
 * Those on the state a lock or a thread keeps (rlock, tls) are in
 * exercise-state.c.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/runtime.h>

#include "exercise.h"
#include "exercise-int.h"
#include "starters/philosophers.h"
#include "starters/prodcons.h"
#include "starters/timer.h"

/* Per thread: which harness thread this is (set by its start). */
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

void clab__exercise_harness(int index)
{
	harness = 1;
	who = index;
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
	long meals = clab__exercise_param(p->ctx, "meals"),
	     think = clab__exercise_param(p->ctx, "think_ms");

	harness = 1;
	who = p->i;
	for (int meal = 1; meal <= meals; meal++) {
		clab_note("think", meal);
		if (think > 0)
			clab__exercise_pause((long)(clab_lab_rand(&p->rng) %
						    (uint64_t)(think + 1)));
		clab_note("hungry", meal);
		p->fn->get(p->t, p->i);
		clab_note("eat", meal);
		clab__exercise_pause(clab__exercise_param(p->ctx, "eat_ms"));
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
	int n = (int)clab__exercise_param(ctx, "philosophers"), rc = 0,
	    nforks = 0, nth = 0;
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
		clab_role(&t->fork[nforks], "fork", (uint32_t)nforks);
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
		clab_thread_role(p->th, "philosopher", (uint32_t)nth);
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
		clab__exercise_pause(
		    clab__exercise_param(w->ctx, "produce_ms"));
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
		clab__exercise_pause(
		    clab__exercise_param(w->ctx, "consume_ms"));
	}
	return NULL;
}

static int pc_run(const struct clab_lab_ctx *ctx,
		  clab_exercise_lookup_fn lookup, void *arg)
{
	struct pc_fns fn;
	struct pc_worker prod[16], cons[16];
	long np = clab__exercise_param(ctx, "producers"),
	     nc = clab__exercise_param(ctx, "consumers");
	long items = clab__exercise_param(ctx, "items"), total = np * items;
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
	b = fn.new((int)clab__exercise_param(ctx, "capacity"));
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
		if (rc == 0)
			clab_thread_role(w->th, "consumer", (uint32_t)ncons);
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
		if (rc == 0)
			clab_thread_role(w->th, "producer", (uint32_t)nprod);
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
		clab__exercise_pause(
		    clab__exercise_param(r->ctx, "interval_ms"));
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
	long n =
	    clab__exercise_param(r->ctx, w->i == 0 ? "countdown" : "countup");
	long work = clab__exercise_param(r->ctx, "work_ms");
	int last = 0;

	harness = 1;
	who = w->i;
	for (long k = 0; k < n; k++) {
		last = r->fn->wait(r->t, last);
		clab_note2("saw", last, w->i);
		if (work > 0)
			clab__exercise_pause((long)(clab_lab_rand(&w->rng) %
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
	most = clab__exercise_param(ctx, "countdown") >
		       clab__exercise_param(ctx, "countup")
		   ? clab__exercise_param(ctx, "countdown")
		   : clab__exercise_param(ctx, "countup");
	r.max_ticks = 3 * most + 5;
	clab_set_spurious((unsigned)clab__exercise_param(ctx, "spurious_rate"),
			  ctx->seed);
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

const struct clab_exercise *const clab_exercises[] = {
    &ex_philosophers,
    &ex_prodcons,
    &ex_timer,
    &clab__exercise_race,
    &clab__exercise_semaphore,
    &clab__exercise_lockorder,
    &clab__exercise_barrier,
    &clab__exercise_rwlock,
    &clab__exercise_startup,
    &clab__exercise_stop,
    &clab__exercise_actor,
    &clab__exercise_pool,
    &clab__exercise_coop,
    &clab__exercise_processes,
    &clab__exercise_rlock,
    &clab__exercise_tls,
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
