/*
 * pool - a thread pool and its futures (Python's concurrent.futures).
 *
 * The main thread hands `jobs` tasks to a pool of `workers` threads; task
 * j works `work_ms` and returns j * j.  Each submit gives a future: its
 * result waits for the task, a done callback runs when the task is done,
 * a shutdown ends the pool (the ThreadPoolExecutor, Future and map of the
 * tutorials behind the lab: docs/sources.md).
 *
 * Variants:
 *   futures           submit each job, add a done callback that adds the
 *                     job's value to a total under a mutex, wait for
 *                     every result, then shut down: correct
 *   map               the same jobs through clab_pool_map, results in
 *                     order: correct
 *   cancel            after the first result, shut down cancelling the
 *                     jobs no worker took: each job runs or is cancelled,
 *                     never both, and a cancelled job's result says so
 *   no-wait-shutdown  the tasks write their results into an array; the
 *                     main thread shuts down without waiting and reads
 *                     the array at once: results read before they exist
 *   deadlock-in-task  each job submits its second half to the same pool
 *                     and waits for it; with every worker waiting so, the
 *                     second halves queue behind them forever: a deadlock
 *   callback-race     the done callbacks add to the total with no lock,
 *                     and they run in different workers: updates lost
 *                     (the first keeps its pause until a second has read)
 *
 * Annotations: "submit" (job) by the main thread; "job-done" (job, value)
 * by the task as it returns; "result" (job, value) where the main thread
 * reads a result; "cancelled" (job) where it finds a job cancelled;
 * "add" (job, total after) by each callback; "total" (total) by the main
 * thread at the end.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/runtime.h>

#include "lab.h"

#define MAX_JOBS 64

enum { V_FUTURES, V_MAP, V_CANCEL, V_NOWAIT, V_DEADLOCK, V_CBRACE, V_COUNT };

enum { P_WORKERS, P_JOBS, P_WORK, P_GAP, P_COUNT };

static const struct clab_lab_param params[P_COUNT] = {
    [P_WORKERS] = {"workers", "worker threads of the pool", 3, 1, 32},
    [P_JOBS] = {"jobs", "tasks submitted", 6, 1, MAX_JOBS},
    [P_WORK] = {"work_ms", "time each task works, ms", 2, 0, 10000},
    [P_GAP] = {"gap_ms",
	       "pause in a callback between reading the total and writing "
	       "it back, ms",
	       0, 0, 1000},
};

static const struct clab_lab_default deadlock_defaults[] = {
    {"workers", 1},
    {NULL, 0},
};

static const struct clab_lab_default cancel_defaults[] = {
    {"workers", 1},
    {NULL, 0},
};

static const struct clab_lab_default cbrace_defaults[] = {
    {"gap_ms", 1},
    {NULL, 0},
};

static const struct clab_lab_variant variants[V_COUNT] = {
    [V_FUTURES] =
	{
	    .name = "futures",
	    .summary = "submit, a done callback each, wait for every result",
	    .expect = 0,
	},
    [V_MAP] =
	{
	    .name = "map",
	    .summary = "the same jobs through map, results in order",
	    .expect = 0,
	},
    [V_CANCEL] =
	{
	    .name = "cancel",
	    .summary = "after the first result, shut down cancelling the "
		       "jobs not started",
	    .expect = 0,
	    .defaults = cancel_defaults,
	},
    [V_NOWAIT] =
	{
	    .name = "no-wait-shutdown",
	    .summary = "tasks write results into an array; shut down "
		       "without waiting, then read it",
	    .bug = "the array is read before the tasks wrote it: results "
		   "are missing",
	    .expect = 1,
	},
    [V_DEADLOCK] =
	{
	    .name = "deadlock-in-task",
	    .summary = "each task submits its second half to the same pool "
		       "and waits for it",
	    .bug = "every worker waits for a task queued behind it: "
		   "deadlock",
	    .expect = 3,
	    .defaults = deadlock_defaults,
	},
    [V_CBRACE] =
	{
	    .name = "callback-race",
	    .summary = "done callbacks add to a total with no lock",
	    .bug = "callbacks run in different workers at once: an update "
		   "of the total is lost",
	    .expect = 1,
	    .defaults = cbrace_defaults,
	},
};

struct lab {
	const struct clab_lab_ctx *ctx;
	clab_pool_t *pool;
	clab_mutex_t lock;  /* the total, in futures and cancel */
	_Atomic long total; /* relaxed loads and stores: see race.c */
	atomic_int readers; /* callback-race: callbacks that read the total */
	_Atomic long out[MAX_JOBS + 1]; /* no-wait-shutdown's array */
	struct job {
		struct lab *lab;
		long j;
	} jobs[MAX_JOBS + 1];
};

static void *work(void *arg)
{
	struct job *jb = arg;
	const struct clab_lab_ctx *ctx = jb->lab->ctx;
	long v = jb->j * jb->j;

	if (ctx->param[P_WORK] > 0)
		clab_sleep_ms((uint32_t)ctx->param[P_WORK]);
	if (ctx->variant == V_NOWAIT)
		atomic_store_explicit(&jb->lab->out[jb->j], v,
				      memory_order_relaxed);
	clab_note2("job-done", jb->j, v);
	return (void *)(intptr_t)v;
}

/* deadlock-in-task: the first half submits the second and waits. */
static void *first_half(void *arg)
{
	struct job *jb = arg;
	clab_future_t *f;
	void *v = NULL;

	clab_lab_say(jb->lab->ctx, "job %ld submits its second half", jb->j);
	if (clab_pool_submit(jb->lab->pool, work, jb, &f) < 0)
		return NULL;
	/* BUG: a task of the pool waits for a task queued behind it */
	clab_future_result(f, &v);
	clab_future_free(f);
	return v;
}

/*
 * callback-race, with a pause: the first callback to read the total keeps
 * its window open, a millisecond at a time (up to 2 s), until a second
 * callback has read it too, so that the two overlap and an update is lost
 * however loaded the machine is.  With one worker or one job no second
 * callback can come meanwhile: no wait.
 */
static void hold_window(struct lab *lb, int nth)
{
	const struct clab_lab_ctx *ctx = lb->ctx;

	if (nth != 0 || ctx->param[P_GAP] == 0 || ctx->param[P_WORKERS] < 2 ||
	    ctx->param[P_JOBS] < 2)
		return;
	for (int ms = 0; ms < 2000 && atomic_load(&lb->readers) < 2; ms++)
		clab_sleep_ms(1);
}

static void add_total(clab_future_t *f, void *arg)
{
	struct job *jb = arg;
	struct lab *lb = jb->lab;
	const struct clab_lab_ctx *ctx = lb->ctx;
	void *v = NULL;
	long t;
	int nth;

	if (clab_future_result_timeout(f, &v, 0) < 0)
		return; /* cancelled: nothing to add */
	if (ctx->variant != V_CBRACE)
		clab_mutex_lock(&lb->lock);
	t = atomic_load_explicit(&lb->total, memory_order_relaxed);
	nth = atomic_fetch_add(&lb->readers, 1);
	clab_note2("add", jb->j, t + (long)(intptr_t)v);
	if (ctx->param[P_GAP] > 0)
		clab_sleep_ms((uint32_t)ctx->param[P_GAP]);
	if (ctx->variant == V_CBRACE)
		hold_window(lb, nth);
	atomic_store_explicit(&lb->total, t + (long)(intptr_t)v,
			      memory_order_relaxed);
	if (ctx->variant != V_CBRACE)
		clab_mutex_unlock(&lb->lock);
}

static void got(const struct clab_lab_ctx *ctx, long j, int r, void *v)
{
	if (r == CLAB_ECANCELED) {
		clab_note("cancelled", j);
		clab_lab_say(ctx, "job %ld was cancelled", j);
	} else if (r == 0) {
		clab_note2("result", j, (long)(intptr_t)v);
		clab_lab_say(ctx, "result of job %ld: %ld", j,
			     (long)(intptr_t)v);
	}
}

static int run_map(struct lab *lb, long n)
{
	void *args[MAX_JOBS] = {0}, *res[MAX_JOBS] = {0};
	int rc;

	for (long j = 1; j <= n; j++) {
		args[j - 1] = &lb->jobs[j];
		clab_note("submit", j);
	}
	rc = clab_pool_map(lb->pool, work, args, (size_t)n, res);
	for (long j = 1; j <= n; j++)
		got(lb->ctx, j, res[j - 1] ? 0 : CLAB_ECANCELED, res[j - 1]);
	return rc;
}

static int run_nowait(struct lab *lb, long n)
{
	const struct clab_lab_ctx *ctx = lb->ctx;
	clab_future_t *f;
	int rc = 0;

	for (long j = 1; j <= n && rc == 0; j++) {
		clab_note("submit", j);
		rc = clab_pool_submit(lb->pool, work, &lb->jobs[j], &f);
		clab_future_free(f); /* the array has the result */
	}
	/* BUG: shut down without waiting, then read what is there */
	clab_pool_shutdown(lb->pool, 0, 0);
	clab_lab_say(ctx, "shut down without waiting; reading the results");
	for (long j = 1; j <= n; j++)
		got(ctx, j, 0,
		    (void *)(intptr_t)atomic_load_explicit(
			&lb->out[j], memory_order_relaxed));
	return rc;
}

static int run_futures(struct lab *lb, long n)
{
	const struct clab_lab_ctx *ctx = lb->ctx;
	clab_future_t *f[MAX_JOBS + 1] = {0};
	int v = ctx->variant, rc = 0, r;
	long sent = 0;
	void *res;

	for (long j = 1; j <= n && rc == 0; j++, sent++) {
		clab_note("submit", j);
		rc = clab_pool_submit(lb->pool,
				      v == V_DEADLOCK ? first_half : work,
				      &lb->jobs[j], &f[j]);
		if (rc == 0 && v != V_DEADLOCK)
			rc = clab_future_add_done_callback(f[j], add_total,
							   &lb->jobs[j]);
	}
	for (long j = 1; j <= sent; j++) {
		res = NULL;
		r = clab_future_result(f[j], &res);
		got(ctx, j, r, res);
		if (v == V_CANCEL && j == 1) {
			r = clab_pool_shutdown(lb->pool, 1, 1);
			clab_lab_say(ctx,
				     "shut down after the first result: %d "
				     "job(s) cancelled",
				     r);
		}
		clab_future_free(f[j]);
	}
	return rc;
}

static int run(const struct clab_lab_ctx *ctx)
{
	struct lab *lb = calloc(1, sizeof(*lb));
	long n = ctx->param[P_JOBS];
	int rc;

	if (lb == NULL)
		return CLAB_ENOMEM;
	lb->ctx = ctx;
	for (long j = 1; j <= n; j++) {
		lb->jobs[j].lab = lb;
		lb->jobs[j].j = j;
	}
	rc = clab_mutex_init(&lb->lock, "total.lock", CLAB_MUTEX_NORMAL);
	if (rc == 0)
		rc = clab_pool_new(&lb->pool, "pool",
				   (uint32_t)ctx->param[P_WORKERS]);
	if (rc < 0) {
		clab_mutex_destroy(&lb->lock);
		free(lb);
		return rc;
	}
	clab_lab_say(ctx, "a pool of %ld worker(s), %ld job(s) (%s)",
		     ctx->param[P_WORKERS], n, variants[ctx->variant].name);
	if (ctx->variant == V_MAP)
		rc = run_map(lb, n);
	else if (ctx->variant == V_NOWAIT)
		rc = run_nowait(lb, n);
	else
		rc = run_futures(lb, n);
	clab_pool_free(lb->pool); /* waits for the workers */
	if (ctx->variant != V_MAP && ctx->variant != V_NOWAIT &&
	    ctx->variant != V_DEADLOCK) {
		long t = atomic_load_explicit(&lb->total, memory_order_relaxed);
		clab_note("total", t);
		clab_lab_say(ctx, "the callbacks' total: %ld", t);
	}
	clab_mutex_destroy(&lb->lock);
	free(lb);
	return rc < 0 && rc != CLAB_ECANCELED ? rc : 0;
}

/* ---- checker ---- */

struct seen {
	int done, result, cancelled;
	long value, read;
	uint64_t done_rec, result_rec;
};

static void check(const struct clab_trace *tr, const struct clab_lab_ctx *ctx,
		  struct clab_lab_report *rep)
{
	long n = ctx->param[P_JOBS], total = -1, want = 0, ndone = 0;
	long nres = 0, ncanc = 0, early = 0, wrong = 0, both = 0;
	long nsubmit = 0, nstart = 0, ncb = 0, twice = 0;
	uint64_t early_rec = UINT64_MAX, wrong_rec = UINT64_MAX;
	uint64_t total_rec = UINT64_MAX, twice_rec = UINT64_MAX;
	struct seen s[MAX_JOBS + 1];
	size_t nrec = clab_trace_nrecords(tr);
	uint32_t nobj = clab_trace_nobjects(tr);
	uint8_t *started = calloc((size_t)nobj + 1, 1);

	memset(s, 0, sizeof(s));
	for (size_t i = 0; i < nrec; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		/* in an exercise, the harness's notes only */
		const char *label = clab_lab_harness_label(tr, r);
		long j = r->kind == CLAB_K_NOTE ? (long)r->val : 0;

		if (r->kind == CLAB_K_POOL_SUBMIT && !r->a8)
			nsubmit++;
		if (r->kind == CLAB_K_POOL_TASK_START) {
			nstart++;
			if (started && r->obj <= nobj && started[r->obj]++ &&
			    twice++ == 0)
				twice_rec = r->seq;
		}
		if (r->kind == CLAB_K_FUTURE_CALLBACK)
			ncb++;
		if (label == NULL)
			continue;
		if (strcmp(label, "total") == 0) {
			total = (long)r->val;
			total_rec = r->seq;
			continue;
		}
		if (j < 1 || j > n)
			continue;
		if (strcmp(label, "job-done") == 0) {
			s[j].done++;
			s[j].value = (long)r->a32;
			s[j].done_rec = r->seq;
		} else if (strcmp(label, "result") == 0) {
			s[j].result++;
			s[j].read = (long)r->a32;
			s[j].result_rec = r->seq;
			if (!s[j].done && early++ == 0)
				early_rec = r->seq;
			else if (s[j].done && (long)r->a32 != j * j &&
				 wrong++ == 0)
				wrong_rec = r->seq;
		} else if (strcmp(label, "cancelled") == 0) {
			s[j].cancelled++;
		}
	}
	free(started);
	for (long j = 1; j <= n; j++) {
		ndone += s[j].done > 0;
		nres += s[j].result > 0;
		ncanc += s[j].cancelled > 0;
		both += s[j].done > 0 && s[j].cancelled > 0;
		if (s[j].done)
			want += j * j;
	}

	if (ctx->variant == V_CANCEL && ndone + ncanc == n && both == 0)
		clab_lab_report_add(
		    rep, "every job ran or was cancelled", 1, UINT64_MAX,
		    "%ld job(s) ran, %ld cancelled, none both", ndone, ncanc);
	else if (ctx->variant == V_CANCEL)
		clab_lab_report_add(rep, "every job ran or was cancelled", 0,
				    UINT64_MAX,
				    "%ld job(s) ran, %ld cancelled, %ld both, "
				    "of %ld",
				    ndone, ncanc, both, n);
	else if (ndone == n)
		clab_lab_report_add(rep, "every job done", 1, UINT64_MAX,
				    "%ld job(s) ran to the end", n);
	else
		clab_lab_report_add(rep, "every job done", 0, UINT64_MAX,
				    "%ld of %ld job(s) ran to the end", ndone,
				    n);

	if (twice == 0 && nstart <= nsubmit)
		clab_lab_report_add(rep, "each task ran once", 1, UINT64_MAX,
				    "%ld task(s) submitted, %ld started, none "
				    "twice",
				    nsubmit, nstart);
	else
		clab_lab_report_add(rep, "each task ran once", 0, twice_rec,
				    "%ld task(s) submitted, %ld started, %ld "
				    "more than once",
				    nsubmit, nstart, twice);

	if (early > 0)
		clab_lab_report_add(
		    rep, "results read after done", 0, early_rec,
		    "%ld result(s) read before the task was done; the first "
		    "one read is job %ld's",
		    early, (long)clab_trace_record(tr, early_rec)->val);
	else if (wrong > 0)
		clab_lab_report_add(rep, "results read after done", 0,
				    wrong_rec,
				    "%ld result(s) with a wrong value", wrong);
	else if (nres + ncanc < n)
		clab_lab_report_add(rep, "results read after done", 0,
				    UINT64_MAX,
				    "%ld of %ld result(s) read: the run did "
				    "not finish",
				    nres + ncanc, n);
	else
		clab_lab_report_add(rep, "results read after done", 1,
				    UINT64_MAX,
				    "%ld result(s) read, each after its task "
				    "was done",
				    nres);

	/* the exercise's futures have no callbacks and no total */
	if (!clab_lab_is_exercise(tr) &&
	    (ctx->variant == V_FUTURES || ctx->variant == V_CANCEL ||
	     ctx->variant == V_CBRACE)) {
		long per = ctx->variant == V_CANCEL ? ndone + ncanc : ndone;
		if (ncb == per)
			clab_lab_report_add(
			    rep, "callbacks ran once", 1, UINT64_MAX,
			    "%ld done callback(s), one a job", ncb);
		else
			clab_lab_report_add(rep, "callbacks ran once", 0,
					    UINT64_MAX,
					    "%ld done callback(s) for %ld "
					    "job(s)",
					    ncb, per);
		if (total == want)
			clab_lab_report_add(rep, "callback total", 1,
					    UINT64_MAX,
					    "the callbacks added up to %ld, "
					    "the sum of the jobs that ran",
					    total);
		else if (total < 0)
			clab_lab_report_add(rep, "callback total", 0,
					    UINT64_MAX,
					    "the trace has no total: the run "
					    "did not finish");
		else
			clab_lab_report_add(rep, "callback total", 0, total_rec,
					    "the callbacks added up to %ld, "
					    "expected %ld: %ld lost",
					    total, want, want - total);
	}
	/* a future made of a mutex (the exercise) must not poll its value
	 * under the lock */
	clab_lab_check_common_allow(tr, rep, CLAB_LAB_NEED_NO_POLL);
}

const struct clab_lab clab_lab_pool = {
    .name = "pool",
    .summary = "a thread pool runs tasks; futures give their results",
    .topic = CLAB_TOPIC_TASKS,
    .teaches = "a future waits for its task; a task must not wait on its pool",
    .idea = "submit gives a future: its result waits for the task, a done "
	    "callback runs once when it ends, shutdown(wait) waits for "
	    "every task; a task that waits for a task of its own pool can "
	    "wait forever",
    .variants = variants,
    .nvariants = V_COUNT,
    .params = params,
    .nparams = P_COUNT,
    .run = run,
    .check = check,
};
