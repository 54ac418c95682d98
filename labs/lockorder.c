/*
 * lockorder - two threads, two locks, two orders.
 *
 * worker-1 takes lock-a then lock-b; worker-2 takes lock-b then lock-a
 * (the deadlock example of the tutorials behind the lab:
 * docs/sources.md).  When each holds its first lock, each waits for the
 * other's for ever.  The lock-order detector sees the two orders as a
 * cycle lock-a -> lock-b -> lock-a the moment the second order is
 * requested, whether or not this run deadlocks.
 *
 * Variants:
 *   abba        the two orders at the same time: deadlock
 *   serialized  the two orders, but the main thread runs worker-2 only
 *               after worker-1 ended: this run cannot deadlock, yet the
 *               detector flags the cycle (it cannot see the join order,
 *               and the next change to the program may remove it)
 *   gated       the two orders, each taken inside a third lock (gate):
 *               the gate keeps two threads out of the cycle, and the
 *               detector, which sees the gate, calls the cycle gated
 *   ordered     both threads take lock-a then lock-b
 *
 * Annotations: "first" (round) once a worker holds its first lock,
 * "both" (round) once it holds both.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/runtime.h>

#include "lab.h"

enum { V_ABBA, V_SERIALIZED, V_GATED, V_ORDERED, V_COUNT };

enum { P_ROUNDS, P_GAP, P_HOLD, P_COUNT };

static const struct clab_lab_param params[P_COUNT] = {
    [P_ROUNDS] = {"rounds", "times each worker takes both locks", 3, 1, 1000},
    [P_GAP] = {"gap_ms",
	       "pause between taking the first lock and reaching for the "
	       "second (0 narrows the deadlock window)",
	       20, 0, 10000},
    [P_HOLD] = {"hold_ms", "time a worker holds both locks, ms", 1, 0, 10000},
};

static const struct clab_lab_variant variants[V_COUNT] = {
    [V_ABBA] =
	{
	    .name = "abba",
	    .summary = "worker-1 takes a then b, worker-2 b then a, at the "
		       "same time",
	    .bug = "each holds its first lock and waits for the other's: "
		   "deadlock",
	    .expect = 3,
	},
    [V_SERIALIZED] =
	{
	    .name = "serialized",
	    .summary = "the same two orders, but worker-2 starts only "
		       "after worker-1 ended",
	    .bug = "this run ends, but the lock order can deadlock: the "
		   "detector reports the cycle",
	    .expect = 1,
	},
    [V_GATED] =
	{
	    .name = "gated",
	    .summary = "the same two orders, each inside a third lock",
	    .expect = 0,
	},
    [V_ORDERED] =
	{
	    .name = "ordered",
	    .summary = "both workers take lock-a, then lock-b",
	    .expect = 0,
	},
};

struct pair {
	const struct clab_lab_ctx *ctx;
	clab_mutex_t a, b, gate; /* gate: only in gated */
};

struct worker {
	struct pair *p;
	int i; /* 1 or 2 */
	clab_thread_t *th;
	char name[16];
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct pair *p = w->p;
	const struct clab_lab_ctx *ctx = p->ctx;
	unsigned v = ctx->variant;
	/* worker-2 reverses the order, except in the ordered variant */
	int reverse = w->i == 2 && v != V_ORDERED;
	clab_mutex_t *first = reverse ? &p->b : &p->a;
	clab_mutex_t *second = reverse ? &p->a : &p->b;
	const char *fn = reverse ? "lock-b" : "lock-a";
	const char *sn = reverse ? "lock-a" : "lock-b";
	long rounds = ctx->param[P_ROUNDS];

	for (long r = 1; r <= rounds; r++) {
		if (v == V_GATED)
			clab_mutex_lock(&p->gate);
		clab_mutex_lock(first);
		clab_note("first", r);
		clab_lab_say(ctx, "%s takes %s", w->name, fn);
		if (ctx->param[P_GAP] > 0)
			clab_sleep_ms((uint32_t)ctx->param[P_GAP]);
		clab_lab_say(ctx, "%s waits for %s", w->name, sn);
		clab_mutex_lock(second);
		clab_note("both", r);
		clab_lab_say(ctx, "%s holds %s and %s (round %ld/%ld)", w->name,
			     fn, sn, r, rounds);
		if (ctx->param[P_HOLD] > 0)
			clab_sleep_ms((uint32_t)ctx->param[P_HOLD]);
		clab_mutex_unlock(second);
		clab_mutex_unlock(first);
		if (v == V_GATED)
			clab_mutex_unlock(&p->gate);
	}
	clab_lab_say(ctx, "%s is done", w->name);
	return NULL;
}

static int run(const struct clab_lab_ctx *ctx)
{
	struct pair p;
	struct worker w[2];
	int rc, nw = 0;

	memset(&p, 0, sizeof(p));
	memset(w, 0, sizeof(w));
	p.ctx = ctx;
	/* Made in this order, which is the global lock order. */
	if (ctx->variant == V_GATED) {
		rc = clab_mutex_init(&p.gate, "gate", CLAB_MUTEX_NORMAL);
		if (rc < 0)
			return rc;
	}
	rc = clab_mutex_init(&p.a, "lock-a", CLAB_MUTEX_NORMAL);
	if (rc < 0)
		goto out_gate;
	rc = clab_mutex_init(&p.b, "lock-b", CLAB_MUTEX_NORMAL);
	if (rc < 0)
		goto out_a;
	for (int i = 0; i < 2; i++) {
		w[i].p = &p;
		w[i].i = i + 1;
		snprintf(w[i].name, sizeof(w[i].name), "worker-%d", i + 1);
	}
	clab_lab_say(
	    ctx, "worker-1 takes lock-a then lock-b; worker-2 takes %s (%s)",
	    ctx->variant == V_ORDERED ? "lock-a then lock-b"
				      : "lock-b then lock-a",
	    variants[ctx->variant].name);
	for (; rc == 0 && nw < 2; nw++) {
		rc = clab_thread_create(&w[nw].th, w[nw].name, worker_main,
					&w[nw]);
		if (rc < 0)
			break;
		if (ctx->variant == V_SERIALIZED) {
			/* worker-2 starts only after worker-1 ended */
			clab_thread_join(w[nw].th, NULL);
			w[nw].th = NULL;
			if (nw == 0)
				clab_lab_say(ctx,
					     "main: worker-1 has ended, now "
					     "worker-2 may start");
		}
	}
	for (int i = 0; i < nw; i++)
		if (w[i].th != NULL)
			clab_thread_join(w[i].th, NULL);
	if (rc == 0)
		clab_lab_say(ctx, "both workers are done");
	clab_mutex_destroy(&p.b);
out_a:
	clab_mutex_destroy(&p.a);
out_gate:
	if (ctx->variant == V_GATED)
		clab_mutex_destroy(&p.gate);
	return rc < 0 ? rc : 0;
}

/* ---- checker ---- */

/* "worker-N" -> N (1 or 2), or 0. */
static int worker_of(const struct clab_trace *tr, uint32_t tid)
{
	const struct clab_thread_info *ti = clab_trace_thread(tr, tid);

	if (ti == NULL || ti->name == NULL)
		return 0;
	if (strcmp(ti->name, "worker-1") == 0)
		return 1;
	if (strcmp(ti->name, "worker-2") == 0)
		return 2;
	return 0;
}

static void check(const struct clab_trace *tr, const struct clab_lab_ctx *ctx,
		  struct clab_lab_report *rep)
{
	long rounds = ctx->param[P_ROUNDS];
	size_t nrec = clab_trace_nrecords(tr);
	long both[3] = {0, 0, 0};
	uint64_t last[3] = {UINT64_MAX, UINT64_MAX, UINT64_MAX};
	uint64_t exit_ns[3] = {0, 0, 0}, start_ns[3] = {0, 0, 0};
	int bad = 0;

	for (size_t i = 0; i < nrec; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		int w = worker_of(tr, r->tid);
		const char *label = clab_lab_note_label(tr, r);

		if (w == 0)
			continue;
		last[w] = r->seq;
		if (r->kind == CLAB_K_THREAD_START)
			start_ns[w] = r->ns + 1;
		if (r->kind == CLAB_K_THREAD_EXIT)
			exit_ns[w] = r->ns + 1;
		if (label != NULL && strcmp(label, "both") == 0) {
			both[w]++;
			if (r->val != both[w])
				bad = w;
		}
	}
	for (int w = 1; w <= 2; w++) {
		char name[48];

		snprintf(name, sizeof(name), "worker-%d's rounds", w);
		/* out of sequence at once; too few only at the end */
		if (both[w] == rounds && bad != w)
			clab_lab_report_add_end(rep, name, 1, UINT64_MAX,
						"held both locks %ld times",
						rounds);
		else if (bad == w)
			clab_lab_report_add(rep, name, 0, last[w],
					    "its rounds are out of sequence");
		else
			clab_lab_report_add_end(rep, name, 0, last[w],
						"held both locks %ld times of "
						"%ld",
						both[w], rounds);
	}
	/* Information: did the two workers run at the same time? */
	if (start_ns[1] && start_ns[2] && exit_ns[1] &&
	    exit_ns[1] <= start_ns[2])
		clab_lab_report_add(rep, "workers overlap", 1, UINT64_MAX,
				    "no: worker-2 started after worker-1 "
				    "ended");
	else if (start_ns[1] && start_ns[2])
		clab_lab_report_add(rep, "workers overlap", 1, UINT64_MAX,
				    "yes: both workers ran at the same time");
	/*
	 * The "lock order" line of the common checks is the lesson: it fails
	 * for abba and serialized, and passes for gated (the detector sees
	 * the gate) and ordered.
	 */
	clab_lab_check_common(tr, rep);
}

const struct clab_lab clab_lab_lockorder = {
    .name = "lockorder",
    .summary = "two threads take two locks in opposite orders",
    .idea = "two locks taken in two orders can deadlock even when this run "
	    "did not; the lock-order detector finds the cycle in any run",
    .topic = CLAB_TOPIC_DEADLOCK,
    .teaches =
	"two locks in two orders can deadlock, even in a run that did not",
    .variants = variants,
    .nvariants = V_COUNT,
    .params = params,
    .nparams = P_COUNT,
    .run = run,
    .check = check,
};
