/*
 * startup - workers that must not start before everything is ready.
 *
 * The main thread starts `workers` threads and then prepares what they
 * work on: a configuration value, written after a preparation of
 * `prep_ms`.  A worker that reads the configuration before the main
 * thread wrote it starts with nothing: it reads the value "unset" (0).
 * The fix is a start signal: a latch (Python's threading.Event, here
 * clab_latch_t) that the main thread sets once everything is ready, and
 * that every worker waits for before it begins (the started_evt of the
 * tutorials behind the lab: docs/sources.md).
 *
 * The configuration is a relaxed atomic, so that reading it early is a
 * wrong value and not a data race (undefined behaviour); the worker's
 * "read" annotation after the load is a scheduling point, where the
 * controlled scheduler can let the main thread in.
 *
 * Variants:
 *   event  the workers wait for the latch `ready`, set by main once the
 *          configuration is written
 *   race   the workers read the configuration as soon as they start
 *
 * Annotations: "prepared" (value) by the main thread once the configuration
 * is written (before it sets the latch); "read" (value read) by each worker
 * when it starts its work.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>

#include <conclab/runtime.h>

#include "lab.h"

#define MAX_WORKERS 16
#define CONFIG_VALUE 42 /* what the main thread prepares; 0 is unset */

enum { V_EVENT, V_RACE, V_COUNT };

enum { P_WORKERS, P_PREP, P_COUNT };

static const struct clab_lab_param params[P_COUNT] = {
    [P_WORKERS] = {"workers", "worker threads", 3, 1, MAX_WORKERS},
    [P_PREP] = {"prep_ms",
		"time the main thread takes to prepare the configuration, "
		"after it started the workers, ms",
		20, 0, 10000},
};

static const struct clab_lab_variant variants[V_COUNT] = {
    [V_EVENT] =
	{
	    .name = "event",
	    .summary = "workers wait for a latch that main sets once the "
		       "configuration is ready",
	    .expect = 0,
	},
    [V_RACE] =
	{
	    .name = "race",
	    .summary = "workers read the configuration as soon as they start",
	    .bug = "a worker starts before main prepared the configuration "
		   "and reads it unset",
	    .expect = 1,
	},
};

struct start {
	const struct clab_lab_ctx *ctx;
	_Atomic long config; /* 0 until main prepares it */
	clab_latch_t ready;  /* event: set once config is written */
};

struct worker {
	struct start *st;
	clab_thread_t *th;
	char name[24];
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct start *st = w->st;
	long v;

	if (st->ctx->variant == V_EVENT)
		clab_latch_wait(&st->ready);
	/* race: BUG: nothing says main has prepared the configuration */
	v = atomic_load_explicit(&st->config, memory_order_relaxed);
	clab_note("read", v);
	if (v == CONFIG_VALUE)
		clab_lab_say(st->ctx, "%s starts with config = %ld", w->name,
			     v);
	else
		clab_lab_say(st->ctx,
			     "%s starts with config = %ld: not prepared yet",
			     w->name, v);
	return NULL;
}

static int run(const struct clab_lab_ctx *ctx)
{
	struct start st;
	struct worker w[MAX_WORKERS];
	int n = (int)ctx->param[P_WORKERS], rc, nw = 0;

	if (n < 1 || n > MAX_WORKERS)
		return CLAB_EINVAL;
	memset(&st, 0, sizeof(st));
	st.ctx = ctx;
	atomic_init(&st.config, 0);
	rc = clab_latch_init(&st.ready, "ready");
	if (rc < 0)
		return rc;
	clab_lab_say(
	    ctx,
	    "main starts %d workers, then prepares their configuration "
	    "(%s)",
	    n, variants[ctx->variant].name);
	for (; nw < n; nw++) {
		snprintf(w[nw].name, sizeof(w[nw].name), "worker-%d", nw + 1);
		w[nw].st = &st;
		rc = clab_thread_create(&w[nw].th, w[nw].name, worker_main,
					&w[nw]);
		if (rc < 0)
			break;
	}
	if (ctx->param[P_PREP] > 0)
		clab_sleep_ms((uint32_t)ctx->param[P_PREP]);
	atomic_store_explicit(&st.config, CONFIG_VALUE, memory_order_relaxed);
	clab_note("prepared", CONFIG_VALUE);
	clab_lab_say(ctx, "main: config = %d is ready", CONFIG_VALUE);
	if (ctx->variant == V_EVENT)
		clab_latch_set(&st.ready);
	for (int i = 0; i < nw; i++)
		clab_thread_join(w[i].th, NULL);
	clab_latch_destroy(&st.ready);
	return rc < 0 ? rc : 0;
}

/* ---- checker ---- */

/*
 * Every worker reads the configuration once, after the main thread
 * prepared it: its "read" comes after "prepared" in the trace, and it read
 * the value prepared.  Either alone can be fooled: a worker that loads
 * early and notes late is recorded after "prepared" with the unset value.
 */
static void check(const struct clab_trace *tr, const struct clab_lab_ctx *ctx,
		  struct clab_lab_report *rep)
{
	size_t nrec = clab_trace_nrecords(tr);
	long nread = 0, nearly = 0, nunset = 0, prepared = -1;
	uint64_t prep_rec = UINT64_MAX, early_rec = UINT64_MAX;
	uint64_t unset_rec = UINT64_MAX;
	uint32_t early_tid = 0, unset_tid = 0;
	long unset_val = 0, nidle;
	uint64_t idle_rec = UINT64_MAX;
	uint32_t idle_tid = 0;

	for (size_t i = 0; i < nrec; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		const char *label = clab_lab_note_label(tr, r);

		if (label == NULL)
			continue;
		if (strcmp(label, "prepared") == 0 && prepared < 0) {
			prepared = (long)r->val;
			prep_rec = r->seq;
		} else if (strcmp(label, "read") == 0) {
			nread++;
			if (prepared < 0 && nearly++ == 0) {
				early_rec = r->seq;
				early_tid = r->tid;
			}
			if ((long)r->val != CONFIG_VALUE && nunset++ == 0) {
				unset_rec = r->seq;
				unset_tid = r->tid;
				unset_val = (long)r->val;
			}
		}
	}

	/* too many readers are wrong at once; too few at the run's end */
	if (nread == ctx->param[P_WORKERS])
		clab_lab_report_add_end(rep, "workers started", 1, UINT64_MAX,
					"%ld workers read the configuration",
					nread);
	else if (nread < ctx->param[P_WORKERS])
		clab_lab_report_add_end(rep, "workers started", 0, UINT64_MAX,
					"%ld workers read the configuration, "
					"expected %ld",
					nread, ctx->param[P_WORKERS]);
	else
		clab_lab_report_add(rep, "workers started", 0, UINT64_MAX,
				    "%ld workers read the configuration, "
				    "expected %ld",
				    nread, ctx->param[P_WORKERS]);

	if (prepared < 0 && nearly == 0 && nunset == 0)
		clab_lab_report_add_end(
		    rep, "ready before start", 0, UINT64_MAX,
		    "the trace has no \"prepared\": the main "
		    "thread never finished preparing");
	else if (nearly > 0)
		clab_lab_report_add(rep, "ready before start", 0, early_rec,
				    "%ld worker(s) started before the main "
				    "thread prepared the configuration; "
				    "first %s",
				    nearly,
				    clab_trace_thread_label(tr, early_tid));
	else if (nunset > 0)
		clab_lab_report_add(rep, "ready before start", 0, unset_rec,
				    "%ld worker(s) read the configuration "
				    "unset; first %s read %ld, expected %d",
				    nunset,
				    clab_trace_thread_label(tr, unset_tid),
				    unset_val, CONFIG_VALUE);
	else if ((nidle = clab_lab_unwoken(tr, "waiting", "read", prep_rec,
					   &idle_rec, &idle_tid)) > 0)
		clab_lab_report_add(rep, "ready before start", 0, idle_rec,
				    "%ld worker(s) went on without waiting "
				    "for the event: first %s slept, or waited "
				    "with a timeout, through the preparation "
				    "(a sleep is not a wait for the event)",
				    nidle,
				    clab_trace_thread_label(tr, idle_tid));
	else
		clab_lab_report_add(rep, "ready before start", 1, prep_rec,
				    "every worker started after the "
				    "configuration was prepared and read "
				    "%ld",
				    prepared);
	/* an event made of a mutex (the exercise) must not poll its flag
	 * under the lock; the lab's workers take none */
	clab_lab_check_common_allow(tr, rep, CLAB_LAB_NEED_NO_POLL);
}

const struct clab_lab clab_lab_startup = {
    .name = "startup",
    .summary = "workers must not start before main has everything ready",
    .idea = "starting a thread does not tell it that what it needs is "
	    "ready: a latch set once everything is prepared is the start "
	    "signal the workers wait for",
    .topic = CLAB_TOPIC_COORDINATION,
    .teaches = "a latch tells the workers that what they need is ready",
    .variants = variants,
    .nvariants = V_COUNT,
    .params = params,
    .nparams = P_COUNT,
    .run = run,
    .check = check,
};
