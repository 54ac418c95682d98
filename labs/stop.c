/*
 * stop - asking threads to stop, and making sure they hear it.
 *
 * C has no way to kill a thread cleanly, and neither has Python: a thread
 * stops when it decides to.  The main thread asks by setting a stop flag
 * (under the lock `stop.lock`), and each of `workers` threads checks the
 * flag often enough to notice: between units of work (a polling loop),
 * or each time a wait on a condition times out (a timeout loop), because a
 * thread asleep in a wait checks nothing (the CountdownTask and IOTask of
 * the tutorials behind the lab: docs/sources.md).
 *
 * Variants:
 *   flag          each worker checks the flag, works, and sleeps
 *                 `poll_ms` before it checks again; main sets the flag
 *                 after `run_ms`
 *   timeout-loop  each worker waits on the condition `wake` with a
 *                 timeout of `poll_ms` and checks the flag at each
 *                 wakeup; main sets the flag without signalling
 *   signal        each worker waits on `wake` without a timeout; main sets
 *                 the flag and broadcasts
 *   join-timeout  the flag loop, but main first joins each worker with a
 *                 timeout of `run_ms`, and asks it to stop when the
 *                 join times out instead of waiting forever
 *   lost-stop     each worker waits on `wake` without a timeout, and main
 *                 sets the flag without signalling: nobody wakes the
 *                 workers, main waits for them forever
 *
 * Main starts the clock once every worker made its first check: each
 * releases the semaphore `started` then, still holding `stop.lock`.
 *
 * Annotations, all made holding `stop.lock`: "poll" (count) by a worker
 * that found the flag clear, "stopped" (count) by a worker that found it
 * set and leaves, "stop" (0) by the main thread when it sets the flag;
 * "join-timeout" (worker) by the main thread when a join timed out.
 * The exercise's harness (labs/exercise-events.c) also records "pause" and
 * "resume" around a worker's pause: one that slept or waited with a
 * timeout through the stop was not woken by it.
 */
#include <stdarg.h>
#include <string.h>

#include <conclab/runtime.h>

#include "lab.h"

#define MAX_WORKERS 16

enum { V_FLAG, V_TIMEOUT, V_SIGNAL, V_JOIN, V_LOST, V_COUNT };

enum { P_WORKERS, P_RUN, P_POLL, P_COUNT };

static const struct clab_lab_param params[P_COUNT] = {
    [P_WORKERS] = {"workers", "worker threads", 2, 1, MAX_WORKERS},
    [P_RUN] = {"run_ms",
	       "time the workers run before main asks them to stop "
	       "(join-timeout: the join's timeout), ms",
	       20, 0, 100000},
    [P_POLL] = {"poll_ms",
		"a worker's pause between checks of the flag (timeout-loop: "
		"its wait's timeout), ms",
		5, 1, 10000},
};

static const struct clab_lab_variant variants[V_COUNT] = {
    [V_FLAG] =
	{
	    .name = "flag",
	    .summary = "workers check a stop flag between pauses",
	    .expect = 0,
	},
    [V_TIMEOUT] =
	{
	    .name = "timeout-loop",
	    .summary = "workers wait with a timeout and check the flag at "
		       "each wakeup",
	    .expect = 0,
	},
    [V_SIGNAL] =
	{
	    .name = "signal",
	    .summary = "workers wait without a timeout; main sets the flag "
		       "and broadcasts",
	    .expect = 0,
	},
    [V_JOIN] =
	{
	    .name = "join-timeout",
	    .summary = "main joins with a timeout, then asks the worker to "
		       "stop",
	    .expect = 0,
	},
    [V_LOST] =
	{
	    .name = "lost-stop",
	    .summary = "workers wait without a timeout; main sets the flag "
		       "and signals nobody",
	    .bug = "the workers sleep on through the stop, and main waits "
		   "for them forever",
	    .expect = 3,
	},
};

struct shop {
	const struct clab_lab_ctx *ctx;
	clab_mutex_t lock;
	clab_cond_t wake;
	clab_sem_t started; /* one release per worker, at its first check */
	int stop;	    /* guarded by lock */
};

struct worker {
	struct shop *sh;
	clab_thread_t *th;
	char name[24];
};

/* flag, join-timeout: check, pause, check again. */
static long poll_loop(struct worker *w)
{
	struct shop *sh = w->sh;
	long n = 0;

	for (;;) {
		clab_mutex_lock(&sh->lock);
		if (sh->stop)
			break;
		clab_note("poll", ++n);
		if (n == 1)
			clab_sem_release(&sh->started);
		clab_mutex_unlock(&sh->lock);
		/* a unit of work, then the pause before the next check */
		clab_sleep_ms((uint32_t)sh->ctx->param[P_POLL]);
	}
	clab_note("stopped", n);
	clab_mutex_unlock(&sh->lock);
	return n;
}

/* timeout-loop, signal, lost-stop: wait on wake, check at each wakeup. */
static long wait_loop(struct worker *w)
{
	struct shop *sh = w->sh;
	const struct clab_lab_ctx *ctx = sh->ctx;
	long n = 0;

	clab_mutex_lock(&sh->lock);
	while (!sh->stop) {
		clab_note("poll", ++n);
		if (n == 1)
			/* main can take the lock only once we wait */
			clab_sem_release(&sh->started);
		if (ctx->variant == V_TIMEOUT)
			clab_cond_timedwait(&sh->wake, &sh->lock,
					    (uint32_t)ctx->param[P_POLL]);
		else
			/* lost-stop: BUG: nothing will wake this wait */
			clab_cond_wait(&sh->wake, &sh->lock);
	}
	clab_note("stopped", n);
	clab_mutex_unlock(&sh->lock);
	return n;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	long n;

	if (w->sh->ctx->variant == V_FLAG || w->sh->ctx->variant == V_JOIN)
		n = poll_loop(w);
	else
		n = wait_loop(w);
	clab_lab_say(w->sh->ctx, "%s stops after %ld check(s) of the flag",
		     w->name, n);
	return NULL;
}

static void ask_stop(struct shop *sh)
{
	clab_mutex_lock(&sh->lock);
	sh->stop = 1;
	clab_note("stop", 0);
	if (sh->ctx->variant == V_SIGNAL)
		clab_cond_broadcast(&sh->wake);
	/* lost-stop: BUG: the flag is set, but the sleepers are not woken */
	clab_mutex_unlock(&sh->lock);
	clab_lab_say(sh->ctx, "main sets the stop flag");
}

static int run(const struct clab_lab_ctx *ctx)
{
	struct shop sh;
	struct worker w[MAX_WORKERS];
	int n = (int)ctx->param[P_WORKERS], rc, nw = 0;
	uint32_t run_ms = (uint32_t)ctx->param[P_RUN];

	if (n < 1 || n > MAX_WORKERS)
		return CLAB_EINVAL;
	memset(&sh, 0, sizeof(sh));
	sh.ctx = ctx;
	rc = clab_mutex_init(&sh.lock, "stop.lock", CLAB_MUTEX_NORMAL);
	if (rc < 0)
		return rc;
	rc = clab_cond_init(&sh.wake, "wake");
	if (rc < 0)
		goto out_lock;
	rc = clab_sem_init(&sh.started, "started", 0, 0);
	if (rc < 0)
		goto out_cond;
	clab_lab_say(ctx, "%d workers run until main asks them to stop (%s)", n,
		     variants[ctx->variant].name);
	for (; nw < n; nw++) {
		snprintf(w[nw].name, sizeof(w[nw].name), "worker-%d", nw + 1);
		w[nw].sh = &sh;
		rc = clab_thread_create(&w[nw].th, w[nw].name, worker_main,
					&w[nw]);
		if (rc < 0)
			break;
	}
	/* Every worker is running before the clock starts. */
	for (int i = 0; i < nw; i++)
		clab_sem_acquire(&sh.started);
	if (ctx->variant == V_JOIN && rc == 0) {
		/* Wait for the first worker, but not forever. */
		int jr = clab_thread_join_timeout(w[0].th, NULL, run_ms);

		if (jr == CLAB_ETIMEDOUT) {
			clab_note("join-timeout", 1);
			clab_lab_say(ctx, "main: %s still runs after %u ms",
				     w[0].name, run_ms);
		}
		ask_stop(&sh);
		if (jr == 0)
			w[0].th = NULL;
	} else {
		if (rc == 0 && run_ms > 0)
			clab_sleep_ms(run_ms);
		ask_stop(&sh);
	}
	for (int i = 0; i < nw; i++)
		if (w[i].th != NULL)
			clab_thread_join(w[i].th, NULL);
	clab_lab_say(ctx, "every worker stopped");
	clab_sem_destroy(&sh.started);
out_cond:
	clab_cond_destroy(&sh.wake);
out_lock:
	clab_mutex_destroy(&sh.lock);
	return rc < 0 ? rc : 0;
}

/* ---- checker ---- */

/*
 * The notes are made holding stop.lock, so their order in the trace is
 * the order in which the flag was read and written: a "poll" (flag clear)
 * after "stop" read a flag that was set, and a worker stops at its first
 * check after the stop.
 */
static void check(const struct clab_trace *tr, const struct clab_lab_ctx *ctx,
		  struct clab_lab_report *rep)
{
	long workers = ctx->param[P_WORKERS];
	size_t nrec = clab_trace_nrecords(tr);
	long nstop = 0, nstopped = 0, nlate = 0, nearly = 0, njto = 0;
	uint64_t stop_rec = UINT64_MAX, late_rec = UINT64_MAX;
	uint64_t early_rec = UINT64_MAX, jto_rec = UINT64_MAX;
	uint32_t late_tid = 0, early_tid = 0, unwoken_tid = 0;
	uint64_t unwoken_rec = UINT64_MAX;
	long nunwoken;

	for (size_t i = 0; i < nrec; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		const char *label = clab_lab_note_label(tr, r);

		if (label == NULL)
			continue;
		if (strcmp(label, "stop") == 0) {
			if (nstop++ == 0)
				stop_rec = r->seq;
		} else if (strcmp(label, "join-timeout") == 0) {
			if (njto++ == 0 && nstop == 0)
				jto_rec = r->seq;
		} else if (strcmp(label, "poll") == 0) {
			if (nstop > 0 && nlate++ == 0) {
				late_rec = r->seq;
				late_tid = r->tid;
			}
		} else if (strcmp(label, "stopped") == 0) {
			nstopped++;
			if (nstop == 0 && nearly++ == 0) {
				early_rec = r->seq;
				early_tid = r->tid;
			}
		}
	}

	/* a stop not asked yet is wrong only at the run's end */
	if (nstop == 0 && nearly == 0)
		clab_lab_report_add_end(rep, "stop asked", 0, UINT64_MAX,
					"the main thread set the stop flag %ld "
					"time(s), expected once",
					nstop);
	else if (nstop > 1)
		clab_lab_report_add(rep, "stop asked", 0, UINT64_MAX,
				    "the main thread set the stop flag %ld "
				    "time(s), expected once",
				    nstop);
	else if (nearly > 0)
		clab_lab_report_add(rep, "stop asked", 0, early_rec,
				    "%s stopped before the main thread "
				    "asked it to",
				    clab_trace_thread_label(tr, early_tid));
	else
		clab_lab_report_add(rep, "stop asked", 1, stop_rec,
				    "the main thread set the stop flag once");

	if (nlate > 0)
		clab_lab_report_add(rep, "stopped at once", 0, late_rec,
				    "%ld check(s) found the flag clear after "
				    "it was set; first by %s",
				    nlate,
				    clab_trace_thread_label(tr, late_tid));
	else if (stop_rec != UINT64_MAX &&
		 (nunwoken = clab_lab_unwoken(tr, "pause", "resume", stop_rec,
					      &unwoken_rec, &unwoken_tid)) > 0)
		clab_lab_report_add(rep, "stopped at once", 0, unwoken_rec,
				    "%ld worker(s) paused on through the "
				    "stop; first %s slept, or waited with a "
				    "timeout, through it: the request must "
				    "end the pause",
				    nunwoken,
				    clab_trace_thread_label(tr, unwoken_tid));
	else if (nstopped != workers)
		clab_lab_report_add_end(rep, "stopped at once", 0, UINT64_MAX,
					"%ld of %ld workers saw the stop flag",
					nstopped, workers);
	else
		clab_lab_report_add_end(
		    rep, "stopped at once", 1, UINT64_MAX,
		    "each of the %ld workers stopped at its "
		    "first check after the stop",
		    workers);

	if (ctx->variant == V_JOIN) {
		if (jto_rec != UINT64_MAX)
			clab_lab_report_add(rep, "join timed out", 1, jto_rec,
					    "main's join gave up after "
					    "%ld ms and asked the worker to "
					    "stop",
					    ctx->param[P_RUN]);
		else
			clab_lab_report_add_end(
			    rep, "join timed out", 0, UINT64_MAX,
			    "no join timed out before the "
			    "stop: the worker ended by itself, "
			    "or main did not wait for it");
	}
	/* a stopper made of a mutex (the exercise) must not poll its flag
	 * under the lock; the lab's workers note between two checks */
	clab_lab_check_common_allow(tr, rep, CLAB_LAB_NEED_NO_POLL);
}

const struct clab_lab clab_lab_stop = {
    .name = "stop",
    .summary = "asking threads to stop: a flag they poll or a wait they "
	       "wake from",
    .idea = "a thread stops only when it looks at the stop flag: it must "
	    "look often enough, and a thread asleep in a wait must be woken "
	    "or wake by a timeout to look at all",
    .topic = CLAB_TOPIC_STOPPING,
    .teaches = "a thread stops when it looks: poll a flag, or wake it to look",
    .variants = variants,
    .nvariants = V_COUNT,
    .params = params,
    .nparams = P_COUNT,
    .run = run,
    .check = check,
};
