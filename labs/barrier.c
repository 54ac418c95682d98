/*
 * barrier - parties that meet between phases, and a barrier that breaks.
 *
 * `parties` threads work in `rounds` rounds of two phases each; between
 * phases they meet at one barrier (clab_barrier_t, Python's
 * threading.Barrier), reused for every meeting: nobody starts a phase
 * before every party finished the one before.  The phases are numbered
 * in one sequence, steps 1 .. 2 * rounds.
 *
 * A party can also break the barrier (clab_barrier_abort): every thread
 * that waits at it, or comes to it later, gets CLAB_EBROKEN instead of
 * passing (Python's BrokenBarrierError).  A waiter that does not look at
 * what the wait returned goes on as if every party had arrived (the
 * Barrier's abort and broken of the tutorials behind the lab:
 * docs/sources.md).
 *
 * Variants:
 *   reuse          one barrier, two meetings a round, every round
 *   abort          the last party gives up in round `abort_round` and
 *                  aborts the barrier instead of finishing its phase;
 *                  the others ignore what the wait returned and go on
 *   abort-checked  the same abort, and every waiter checks the wait's
 *                  result and stops when the barrier is broken
 *
 * Each party posts its result of a phase on a board guarded by the mutex
 * `board`, and begins the next phase by reading how many results of the
 * phase before are there: all `parties` of them, if the barrier did its
 * job.  The annotations are made holding `board`, so that the trace keeps
 * them in the order they happened (a waiter that a barrier lets go leaves
 * no record of its own that would order it after the last arrival).
 *
 * Annotations: "step" (step, results of step - 1 seen) when a party begins
 * a phase, "done" (step) when it posted its result, "abort" (step) by the
 * party that breaks the barrier instead of finishing, "broken" (step) by
 * a waiter that learnt that the barrier broke.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/runtime.h>

#include "lab.h"

#define MAX_PARTIES 16

enum { V_REUSE, V_ABORT, V_CHECKED, V_COUNT };

enum { P_PARTIES, P_ROUNDS, P_WORK, P_ABORT, P_COUNT };

static const struct clab_lab_param params[P_COUNT] = {
    [P_PARTIES] = {"parties", "threads that meet at the barrier", 3, 2,
		   MAX_PARTIES},
    [P_ROUNDS] = {"rounds", "rounds of two phases", 3, 1, 1000},
    [P_WORK] = {"work_ms", "time a party spends in a phase, ms", 1, 0, 10000},
    [P_ABORT] = {"abort_round",
		 "round in which the last party aborts the barrier (abort "
		 "and abort-checked; past `rounds`: the last round)",
		 2, 1, 1000},
};

static const struct clab_lab_variant variants[V_COUNT] = {
    [V_REUSE] =
	{
	    .name = "reuse",
	    .summary = "one barrier reused between the phases of every round",
	    .expect = 0,
	},
    [V_ABORT] =
	{
	    .name = "abort",
	    .summary = "a party aborts the barrier; the waiters ignore that "
		       "it broke",
	    .bug = "a waiter on the broken barrier goes on to the next phase "
		   "as if every party had finished this one",
	    .expect = 1,
	},
    [V_CHECKED] =
	{
	    .name = "abort-checked",
	    .summary = "a party aborts the barrier; every waiter sees that it "
		       "broke and stops",
	    .expect = 0,
	},
};

struct meeting {
	const struct clab_lab_ctx *ctx;
	clab_barrier_t bar;
	clab_mutex_t board;
	long *posted; /* results posted per step, 1..2 * rounds; by board */
};

struct party {
	struct meeting *mt;
	int index; /* 0 .. parties-1; the last one aborts */
	clab_thread_t *th;
	char name[24];
};

/* The round in which the last party aborts, or 0 when nobody does. */
static long abort_round(const struct clab_lab_ctx *ctx)
{
	long r = ctx->param[P_ABORT];

	if (ctx->variant == V_REUSE)
		return 0;
	return r < ctx->param[P_ROUNDS] ? r : ctx->param[P_ROUNDS];
}

static void *party_main(void *arg)
{
	struct party *p = arg;
	struct meeting *mt = p->mt;
	const struct clab_lab_ctx *ctx = mt->ctx;
	long steps = 2 * ctx->param[P_ROUNDS], work = ctx->param[P_WORK];
	long ab = abort_round(ctx);
	int aborter = p->index == (int)ctx->param[P_PARTIES] - 1;

	for (long s = 1; s <= steps; s++) {
		int rc;

		clab_mutex_lock(&mt->board);
		clab_note2("step", s, mt->posted[s - 1]);
		clab_mutex_unlock(&mt->board);
		if (work > 0)
			clab_sleep_ms((uint32_t)work);
		if (aborter && (s + 1) / 2 == ab) {
			/* it cannot finish this phase: it breaks the
			 * barrier so that nobody waits for it forever */
			clab_note("abort", s);
			clab_lab_say(ctx,
				     "%s gives up in step %ld and aborts the "
				     "barrier",
				     p->name, s);
			clab_barrier_abort(&mt->bar);
			return NULL;
		}
		clab_mutex_lock(&mt->board);
		mt->posted[s]++;
		clab_note("done", s);
		clab_mutex_unlock(&mt->board);
		rc = clab_barrier_wait(&mt->bar);
		if (rc == CLAB_EBROKEN && ctx->variant == V_CHECKED) {
			clab_note("broken", s);
			clab_lab_say(ctx,
				     "%s: the barrier broke after step %ld; it "
				     "stops",
				     p->name, s);
			return NULL;
		}
		/* abort: BUG: a broken barrier is taken for a passed one */
		if (rc == CLAB_EBROKEN && s < steps)
			clab_lab_say(ctx, "%s goes on to step %ld", p->name,
				     s + 1);
	}
	clab_lab_say(ctx, "%s finished its %ld steps", p->name, steps);
	return NULL;
}

static int run(const struct clab_lab_ctx *ctx)
{
	struct meeting mt;
	struct party p[MAX_PARTIES];
	int n = (int)ctx->param[P_PARTIES], rc, np = 0;

	if (n < 2 || n > MAX_PARTIES)
		return CLAB_EINVAL;
	memset(&mt, 0, sizeof(mt));
	mt.ctx = ctx;
	mt.posted =
	    calloc((size_t)(2 * ctx->param[P_ROUNDS] + 1), sizeof(*mt.posted));
	if (mt.posted == NULL)
		return CLAB_ENOMEM;
	rc = clab_mutex_init(&mt.board, "board", CLAB_MUTEX_NORMAL);
	if (rc < 0)
		goto out_posted;
	rc = clab_barrier_init(&mt.bar, "phase", (uint32_t)n);
	if (rc < 0)
		goto out_board;
	if (abort_round(ctx) > 0)
		clab_lab_say(ctx,
			     "%d parties, %ld rounds of two phases; party-%d "
			     "aborts in round %ld (%s)",
			     n, ctx->param[P_ROUNDS], n, abort_round(ctx),
			     variants[ctx->variant].name);
	else
		clab_lab_say(ctx, "%d parties, %ld rounds of two phases (%s)",
			     n, ctx->param[P_ROUNDS],
			     variants[ctx->variant].name);
	for (; np < n; np++) {
		snprintf(p[np].name, sizeof(p[np].name), "party-%d", np + 1);
		p[np].mt = &mt;
		p[np].index = np;
		rc = clab_thread_create(&p[np].th, p[np].name, party_main,
					&p[np]);
		if (rc < 0)
			break;
	}
	if (rc < 0)
		/* The ones that started wait for the rest: let them go. */
		clab_barrier_abort(&mt.bar);
	for (int i = 0; i < np; i++)
		clab_thread_join(p[i].th, NULL);
	clab_barrier_destroy(&mt.bar);
out_board:
	clab_mutex_destroy(&mt.board);
out_posted:
	free(mt.posted);
	return rc < 0 ? rc : 0;
}

/* ---- checker ---- */

/*
 * What a barrier promises: a party begins step s only once every party
 * finished step s - 1.  A "step" s that saw fewer than `parties` results
 * of step s - 1 on the board went on too early, past the barrier or past
 * a broken one; so did one recorded when ndone[s - 1], the "done" of step
 * s - 1 recorded so far, is short (the notes are ordered by `board`).
 */
static void check(const struct clab_trace *tr, const struct clab_lab_ctx *ctx,
		  struct clab_lab_report *rep)
{
	long parties = ctx->param[P_PARTIES];
	long steps = 2 * ctx->param[P_ROUNDS], ab = abort_round(ctx);
	size_t nrec = clab_trace_nrecords(tr);
	long *ndone = calloc((size_t)steps + 2, sizeof(*ndone));
	long nstep = 0, ndones = 0, nearly = 0, naborts = 0, nbroken = 0;
	long nodd = 0, early_step = 0, early_done = 0;
	uint64_t early_rec = UINT64_MAX, odd_rec = UINT64_MAX;
	uint32_t early_tid = 0;

	if (ndone == NULL) {
		clab_lab_report_add(rep, "checker", 0, UINT64_MAX,
				    "out of memory");
		clab_lab_check_common(tr, rep);
		return;
	}
	for (size_t i = 0; i < nrec; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		const char *label = clab_lab_note_label(tr, r);
		long s;

		if (label == NULL)
			continue;
		s = (long)r->val;
		if (s < 1 || s > steps) {
			if (nodd++ == 0)
				odd_rec = r->seq;
			continue;
		}
		if (strcmp(label, "step") == 0) {
			nstep++;
			if (s > 1 && ndone[s - 1] < parties && nearly++ == 0) {
				early_rec = r->seq;
				early_tid = r->tid;
				early_step = s;
				early_done = ndone[s - 1];
			}
		} else if (strcmp(label, "done") == 0) {
			ndones++;
			ndone[s]++;
		} else if (strcmp(label, "abort") == 0) {
			naborts++;
		} else if (strcmp(label, "broken") == 0) {
			nbroken++;
		}
	}

	if (nodd > 0)
		clab_lab_report_add(rep, "phases in step", 0, odd_rec,
				    "%ld annotation(s) name a step outside "
				    "1..%ld",
				    nodd, steps);
	else if (nearly > 0)
		clab_lab_report_add(
		    rep, "phases in step", 0, early_rec,
		    "%ld phase(s) began before every party finished the one "
		    "before; first %s began step %ld when %ld of %ld parties "
		    "had finished step %ld",
		    nearly, clab_trace_thread_label(tr, early_tid), early_step,
		    early_done, parties, early_step - 1);
	else
		clab_lab_report_add(rep, "phases in step", 1, UINT64_MAX,
				    "no party began a phase before every "
				    "party finished the one before");

	/*
	 * Too few steps, aborts or breaks seen is wrong only at the run's
	 * end; too many is wrong at once.
	 */
	if (ab == 0) {
		if (nstep == parties * steps && ndones == parties * steps)
			clab_lab_report_add_end(rep, "steps done", 1,
						UINT64_MAX,
						"%ld parties finished %ld "
						"steps each",
						parties, steps);
		else if (nstep <= parties * steps && ndones <= parties * steps)
			clab_lab_report_add_end(rep, "steps done", 0,
						UINT64_MAX,
						"%ld steps begun and %ld "
						"finished, expected %ld",
						nstep, ndones, parties * steps);
		else
			clab_lab_report_add(rep, "steps done", 0, UINT64_MAX,
					    "%ld steps begun and %ld "
					    "finished, expected %ld",
					    nstep, ndones, parties * steps);
	} else if (naborts > 1) {
		clab_lab_report_add(rep, "break seen", 0, UINT64_MAX,
				    "%ld abort(s) recorded, expected 1",
				    naborts);
	} else if (naborts == 0) {
		clab_lab_report_add_end(rep, "break seen", 0, UINT64_MAX,
					"0 abort(s) recorded, expected 1");
	} else if (nbroken == parties - 1) {
		clab_lab_report_add_end(rep, "break seen", 1, UINT64_MAX,
					"each of the %ld other parties learnt "
					"that the barrier broke, and stopped",
					parties - 1);
	} else {
		clab_lab_report_add_end(rep, "break seen", 0, UINT64_MAX,
					"%ld of the %ld other parties learnt "
					"that the barrier broke",
					nbroken, parties - 1);
	}
	free(ndone);
	/* a barrier made of a mutex (the exercise) must not poll its count
	 * under the lock; the lab's parties note between two board locks */
	clab_lab_check_common_allow(tr, rep, CLAB_LAB_NEED_NO_POLL);
}

const struct clab_lab clab_lab_barrier = {
    .name = "barrier",
    .summary = "parties meet between phases; an aborted barrier breaks",
    .idea = "a barrier lets nobody on until every party arrived; once a "
	    "party aborts it, every wait fails, and a waiter that does not "
	    "check goes on with a phase that never completed",
    .topic = CLAB_TOPIC_COORDINATION,
    .teaches =
	"a barrier holds every party until all arrive; check for an abort",
    .variants = variants,
    .nvariants = V_COUNT,
    .params = params,
    .nparams = P_COUNT,
    .run = run,
    .check = check,
};
