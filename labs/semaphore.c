/*
 * semaphore - a counter of permits that limits how many threads go in.
 *
 * `workers` threads each go `rounds` times into a section guarded by a
 * semaphore: acquire a permit, work, release it.  A counting semaphore of
 * `limit` permits lets at most `limit` of them in at once; a bounded one
 * also refuses a release that would give it more permits than it started
 * with, which is how it catches a release too many (the Semaphore and
 * BoundedSemaphore of the tutorials behind the lab: docs/sources.md).
 *
 * Variants:
 *   limit          a counting semaphore of `limit` permits
 *   over-release   a bounded semaphore, and each worker releases it once
 *                  more on its way out: the runtime refuses the release
 *                  with a sem-over-release diagnostic, and a release that
 *                  slips through while others hold permits lets one
 *                  thread too many in
 *   one-at-a-time  a semaphore of one permit used as a lock around a
 *                  read-and-write of a shared counter
 *   handoff        a semaphore of no permits: the workers wait, and the
 *                  main thread lets them in one at a time, one release
 *                  for each (workers do not give their permit back)
 *
 * Annotations: "enter" (round) after the acquire, "leave" (round) before
 * the release; in one-at-a-time, "read" (value) and "write" (value) in the
 * section and "total" (value) by the main thread at the end; in handoff,
 * "let-in" (count) by the main thread before each release.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/runtime.h>

#include "lab.h"

#define MAX_WORKERS 32

enum { V_LIMIT, V_OVER, V_ONE, V_HANDOFF, V_COUNT };

enum { P_WORKERS, P_LIMIT, P_ROUNDS, P_WORK, P_COUNT };

static const struct clab_lab_param params[P_COUNT] = {
    [P_WORKERS] = {"workers", "worker threads", 6, 1, MAX_WORKERS},
    [P_LIMIT] = {"limit",
		 "permits: how many workers may be in at once "
		 "(one-at-a-time: always 1; handoff: none)",
		 2, 1, 16},
    [P_ROUNDS] = {"rounds", "times each worker goes in", 2, 1, 1000},
    [P_WORK] = {"work_ms",
		"time a worker spends inside (handoff: the main thread's pause "
		"before each release), ms",
		5, 0, 10000},
};

static const struct clab_lab_variant variants[V_COUNT] = {
    [V_LIMIT] =
	{
	    .name = "limit",
	    .summary = "a counting semaphore of `limit` permits",
	    .expect = 0,
	},
    [V_OVER] =
	{
	    .name = "over-release",
	    .summary = "a bounded semaphore, released once more by each "
		       "worker",
	    .bug = "a release too many: refused with a diagnostic, or it "
		   "lets one worker too many in",
	    .expect = 1,
	},
    [V_ONE] =
	{
	    .name = "one-at-a-time",
	    .summary = "a semaphore of one permit used as a lock",
	    .expect = 0,
	},
    [V_HANDOFF] =
	{
	    .name = "handoff",
	    .summary = "a semaphore of no permits: each release lets one "
		       "waiting worker in",
	    .expect = 0,
	},
};

struct room {
	const struct clab_lab_ctx *ctx;
	clab_sem_t sem;
	long counter; /* one-at-a-time: guarded by sem */
};

struct worker {
	struct room *rm;
	clab_thread_t *th;
	char name[24];
};

static void release(struct worker *w)
{
	int rc = clab_sem_release(&w->rm->sem);

	if (rc < 0)
		clab_lab_say(w->rm->ctx, "%s: release refused: %s", w->name,
			     clab_strerror(rc));
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct room *rm = w->rm;
	const struct clab_lab_ctx *ctx = rm->ctx;
	long rounds = ctx->param[P_ROUNDS], work = ctx->param[P_WORK];

	for (long r = 1; r <= rounds; r++) {
		clab_sem_acquire(&rm->sem);
		clab_note("enter", r);
		clab_lab_say(ctx, "%s is in (round %ld)", w->name, r);
		if (ctx->variant == V_ONE) {
			long v = rm->counter;
			clab_note("read", v);
			if (work > 0)
				clab_sleep_ms((uint32_t)work);
			rm->counter = v + 1;
			clab_note("write", v + 1);
		} else if (work > 0) {
			clab_sleep_ms((uint32_t)work);
		}
		clab_note("leave", r);
		if (ctx->variant != V_HANDOFF)
			release(w);
	}
	if (ctx->variant == V_OVER)
		/* BUG: a second release "to be safe" on the way out */
		release(w);
	return NULL;
}

static int run(const struct clab_lab_ctx *ctx)
{
	struct room rm;
	struct worker w[MAX_WORKERS];
	int n = (int)ctx->param[P_WORKERS], rc, nw = 0;
	uint32_t permits =
	    ctx->variant == V_ONE ? 1 : (uint32_t)ctx->param[P_LIMIT];
	long lets = n * ctx->param[P_ROUNDS];

	if (n < 1 || n > MAX_WORKERS)
		return CLAB_EINVAL;
	if (ctx->variant == V_HANDOFF)
		permits = 0;
	memset(&rm, 0, sizeof(rm));
	rm.ctx = ctx;
	rc = clab_sem_init(&rm.sem, "permits", permits,
			   ctx->variant == V_LIMIT ? 0 : permits);
	if (rc < 0)
		return rc;
	clab_lab_say(ctx, "%d workers, %u permit(s) (%s)", n, permits,
		     variants[ctx->variant].name);
	for (; nw < n; nw++) {
		snprintf(w[nw].name, sizeof(w[nw].name), "worker-%d", nw + 1);
		w[nw].rm = &rm;
		rc = clab_thread_create(&w[nw].th, w[nw].name, worker_main,
					&w[nw]);
		if (rc < 0)
			break;
	}
	if (ctx->variant == V_HANDOFF) {
		/* Every worker that started waits for a permit of ours. */
		if (rc < 0)
			lets = nw * ctx->param[P_ROUNDS];
		for (long k = 1; k <= lets; k++) {
			if (ctx->param[P_WORK] > 0)
				clab_sleep_ms((uint32_t)ctx->param[P_WORK]);
			clab_note("let-in", k);
			clab_lab_say(ctx,
				     "main releases one permit (%ld of %ld)", k,
				     lets);
			clab_sem_release(&rm.sem);
		}
	}
	for (int i = 0; i < nw; i++)
		clab_thread_join(w[i].th, NULL);
	if (ctx->variant == V_ONE) {
		clab_note("total", rm.counter);
		clab_lab_say(ctx, "counter = %ld (expected %ld)", rm.counter,
			     n * ctx->param[P_ROUNDS]);
	}
	clab_lab_say(ctx,
		     "every worker is done; the semaphore has %u permit(s)",
		     clab_sem_value(&rm.sem));
	clab_sem_destroy(&rm.sem);
	return rc < 0 ? rc : 0;
}

/* ---- checker ---- */

static void check(const struct clab_trace *tr, const struct clab_lab_ctx *ctx,
		  struct clab_lab_report *rep)
{
	long limit = ctx->variant == V_ONE ? 1 : ctx->param[P_LIMIT];
	long want = ctx->param[P_WORKERS] * ctx->param[P_ROUNDS];
	size_t nrec = clab_trace_nrecords(tr);
	long inside = 0, most = 0, nenter = 0, nleave = 0, nover = 0;
	long total = -1, nlets = 0, early = 0;
	uint64_t most_rec = UINT64_MAX, over_rec = UINT64_MAX;
	uint64_t early_rec = UINT64_MAX;
	uint64_t total_rec = UINT64_MAX;

	for (size_t i = 0; i < nrec; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		const char *label = clab_lab_note_label(tr, r);

		if (r->kind == CLAB_K_DIAG &&
		    r->a8 == CLAB_D_SEM_OVER_RELEASE && nover++ == 0)
			over_rec = r->seq;
		if (label == NULL)
			continue;
		if (strcmp(label, "let-in") == 0) {
			nlets++;
		} else if (strcmp(label, "enter") == 0) {
			nenter++;
			/* handoff: nobody goes in before main lets them */
			if (nenter > nlets && early++ == 0)
				early_rec = r->seq;
			if (++inside > most) {
				most = inside;
				/* the first time a new most, or too many */
				if (most_rec == UINT64_MAX || most > limit)
					most_rec = r->seq;
			}
		} else if (strcmp(label, "leave") == 0) {
			nleave++;
			inside--;
		} else if (strcmp(label, "total") == 0) {
			total = (long)r->val;
			total_rec = r->seq;
		}
	}

	/* too many entries are wrong at once; too few at the run's end */
	if (nenter == want && nleave == want)
		clab_lab_report_add_end(rep, "rounds done", 1, UINT64_MAX,
					"%ld workers went in %ld time(s) each",
					ctx->param[P_WORKERS],
					ctx->param[P_ROUNDS]);
	else if (nenter <= want && nleave <= want)
		clab_lab_report_add_end(
		    rep, "rounds done", 0, UINT64_MAX,
		    "%ld entries and %ld exits, expected %ld", nenter, nleave,
		    want);
	else
		clab_lab_report_add(rep, "rounds done", 0, UINT64_MAX,
				    "%ld entries and %ld exits, expected %ld",
				    nenter, nleave, want);

	if (ctx->variant == V_HANDOFF && early == 0 && nlets == want)
		clab_lab_report_add_end(rep, "one release, one worker", 1,
					UINT64_MAX,
					"%ld release(s) let %ld worker entries "
					"in, none before its release (at most "
					"%ld inside at once)",
					nlets, nenter, most);
	else if (ctx->variant == V_HANDOFF && early > 0)
		clab_lab_report_add(rep, "one release, one worker", 0,
				    early_rec,
				    "%ld entr(ies) before the release that "
				    "should have let them in",
				    early);
	else if (ctx->variant == V_HANDOFF)
		clab_lab_report_add_end(rep, "one release, one worker", 0,
					UINT64_MAX,
					"%ld release(s) by the main thread, "
					"expected %ld",
					nlets, want);
	else if (most <= limit)
		clab_lab_report_add(rep, "limit kept", 1, UINT64_MAX,
				    "at most %ld worker(s) inside at once "
				    "(limit %ld)",
				    most, limit);
	else
		clab_lab_report_add(rep, "limit kept", 0, most_rec,
				    "%ld workers inside at once, limit %ld: "
				    "a permit released too many let one in",
				    most, limit);

	if (nover == 0)
		clab_lab_report_add(rep, "releases balanced", 1, UINT64_MAX,
				    "no release beyond the permits acquired");
	else
		clab_lab_report_add(
		    rep, "releases balanced", 0, over_rec,
		    "%ld release(s) refused: the bounded semaphore was "
		    "released more times than it was acquired",
		    nover);

	if (ctx->variant == V_ONE) {
		if (total == want)
			clab_lab_report_add_end(rep, "final count", 1,
						UINT64_MAX,
						"the counter ends at %ld, as "
						"expected",
						total);
		else if (total < 0)
			clab_lab_report_add_end(rep, "final count", 0,
						UINT64_MAX,
						"the trace has no final count: "
						"the run did not finish");
		else
			clab_lab_report_add_end(rep, "final count", 0,
						total_rec,
						"the counter ends at %ld, "
						"expected %ld",
						total, want);
	}
	/*
	 * handoff: a worker may wait for every release before its own; that
	 * is the lab working, not starvation.
	 */
	long all = 2 * want * ctx->param[P_WORK];
	if (ctx->variant == V_HANDOFF && rep->opts.starvation_ms == 0 &&
	    all > CLAB_LAB_STARVATION_MS)
		rep->opts.starvation_ms = all;
	/*
	 * over-release also fails "no misuse", with the release's site; a
	 * semaphore made of a mutex (the exercise) must not poll its count
	 * under the lock: the lab itself takes no mutex
	 */
	clab_lab_check_common_allow(tr, rep, CLAB_LAB_NEED_NO_POLL);
}

const struct clab_lab clab_lab_semaphore = {
    .name = "semaphore",
    .summary = "a semaphore limits how many threads go in at once",
    .idea = "a semaphore counts permits: acquire takes one, release gives "
	    "one back; a bounded one refuses to give back more than it "
	    "had",
    .topic = CLAB_TOPIC_SEMAPHORE,
    .teaches = "a semaphore counts permits; a bounded one refuses one too many",
    .variants = variants,
    .nvariants = V_COUNT,
    .params = params,
    .nparams = P_COUNT,
    .run = run,
    .check = check,
};
