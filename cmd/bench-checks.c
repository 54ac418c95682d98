/*
 * conclab bench, cases 7 to 10: bytes per record over the labs, the
 * lock-order detector on every request and in its cycle search, and
 * explore's schedules a second.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>

#include <conclab/lockdep.h>
#include <conclab/runtime.h>
#include <conclab/tracer.h>

#include "cmd.h"
#include "schedules.h"
#include "lab.h"
#include "bench.h"

/* ---- case 10: explore's schedules a second, on one core ---- */

static int explore_one(void *arg, const struct clab_sched_opts *o,
		       const char *trace)
{
	const struct clab_lab_ctx *base = arg;
	struct clab_cmd_sched s;
	clab_cmd_sched_init(&s);
	s.o = *o;
	struct clab_lab_ctx ctx = *base;
	ctx.seed = o->seed;
	ctx.out = NULL;
	return clab_run_lab(&ctx, trace, &s, 1);
}

/* One core lab's correct variant under a budget of schedules, as a row. */
static int explore_row(struct bench *b, const char *key, const char *label,
		       const char *labname, const char *variant)
{
	const struct clab_lab *lab = clab_lab_find(labname);
	int v = lab ? clab_lab_variant_find(lab, variant) : -1;
	if (v < 0)
		return -1;
	struct clab_lab_ctx ctx;
	clab_lab_ctx_init(&ctx, lab, (unsigned)v);
	struct clab_budget bu = {.run = explore_one,
				 .arg = &ctx,
				 .strategy = CLAB_BUDGET_MIXED,
				 .seed = 1,
				 .schedules = b->o.quick ? 100 : 1000,
				 .jobs = 1,
				 .shard = 1,
				 .nshards = 1};
	bu.opts.spurious_max = -1;
	if (clab_budget_init(&bu))
		return -1;
	clab_budget_run(&bu);
	clab_budget_fini(&bu);
	struct row *r = bench_row_new(b, key, label, "/s", ">=1000/s");
	r->clab = bu.secs > 0 ? (double)bu.ran / bu.secs : 0;
	r->verdict = r->clab >= 1000 && !bu.failed ? V_PASS : V_MISS;
	snprintf(r->note, sizeof(r->note),
		 "%ld schedules of %s %s in %.2f s on one core, %d to a "
		 "process; %ld failed",
		 bu.ran, labname, variant, bu.secs, CLAB_BUDGET_BATCH,
		 bu.failed);
	bench_print_row(b, r);
	return 0;
}

int bench_case_explore(struct bench *b)
{
	return explore_row(b, "explore_schedules_per_s",
			   "explore: philosophers, 1 core", "philosophers",
			   "ordered") ||
	       explore_row(b, "explore_prodcons_per_s",
			   "explore: prodcons, 1 core", "prodcons",
			   "condvar") ||
	       explore_row(b, "explore_timer_per_s", "explore: timer, 1 core",
			   "timer", "condvar");
}

/* ---- case 7: bytes per record over the labs' correct variants ---- */

int bench_case_labs(struct bench *b, struct labrow *lr, size_t *nlr, size_t cap)
{
	*nlr = 0;
	for (size_t l = 0; l < clab_nlabs; l++) {
		const struct clab_lab *lab = clab_labs[l];
		for (size_t v = 0; v < lab->nvariants && *nlr < cap; v++) {
			if (lab->variants[v].expect != 0)
				continue;
			struct clab_lab_ctx ctx;
			clab_lab_ctx_init(&ctx, lab, (unsigned)v);
			ctx.seed = 1;
			ctx.out = NULL;
			if (bench_trace_begin(b, 0))
				return -1;
			int rc = lab->run(&ctx);
			struct clab_tracer_stats st;
			bench_trace_end(b, &st);
			if (rc < 0) {
				fprintf(stderr,
					"conclab bench: %s %s failed: %s\n",
					lab->name, lab->variants[v].name,
					clab_strerror(rc));
				continue;
			}
			struct labrow *x = &lr[(*nlr)++];
			snprintf(x->name, sizeof(x->name), "%s %s", lab->name,
				 lab->variants[v].name);
			x->records = st.records;
			x->record_bytes = st.record_bytes;
			x->bytes = st.bytes;
		}
	}
	return 0;
}

/* ---- the lock-order detector ---- */

static uint64_t nested_plain(struct bench *b, long n)
{
	int err = pthread_mutex_lock(&b->pouter);
	uint64_t t0 = clab__mono_ns();
	for (long i = 0; i < n; i++) {
		err |= pthread_mutex_lock(&b->pm);
		err |= pthread_mutex_unlock(&b->pm);
	}
	uint64_t t = clab__mono_ns() - t0;
	err |= pthread_mutex_unlock(&b->pouter);
	if (err)
		fprintf(stderr, "conclab bench: pthread mutex error\n");
	return t;
}

static uint64_t nested_clab(struct bench *b, long n)
{
	int err = clab_mutex_lock(&b->couter);
	uint64_t t0 = clab__mono_ns();
	for (long i = 0; i < n; i++) {
		err |= clab_mutex_lock(&b->cm);
		err |= clab_mutex_unlock(&b->cm);
	}
	uint64_t t = clab__mono_ns() - t0;
	err |= clab_mutex_unlock(&b->couter);
	if (err)
		fprintf(stderr, "conclab bench: conclab mutex error\n");
	return t;
}

/*
 * 8: a pair taken while holding another mutex: every request goes through
 * the lock-order detector, which finds the chain in its cache.
 * 9: the detector's search for a cycle when a new edge appears, in a
 * graph of 1000 locks and 10000 edges (no cycle, so it searches all it
 * can reach).
 */
static int nested(struct bench *b)
{
	struct clab_tracer_stats st;
	if (bench_trace_begin(b, BUFFER_MB))
		return -1;
	pthread_mutex_init(&b->pm, NULL);
	pthread_mutex_init(&b->pouter, NULL);
	clab_mutex_init(&b->couter, "bench.outer", CLAB_MUTEX_NORMAL);
	clab_mutex_init(&b->cm, "bench.m", CLAB_MUTEX_NORMAL);
	struct row *r = bench_row_new(
	    b, "lock_nested", "nested pair (detector on)", "ns", "<=5x,+10ns");
	long n = bench_iters_or(b, nested_clab, FIT_RECORDS / 2, 1);
	bench_measure(b, r, nested_plain, nested_clab, n, (double)n, b->o.reps);
	/*
	 * What the detector adds: against the same pair without the outer
	 * lock, in repetitions of their own, paired as the ratios are.
	 */
	struct row alone = {0};
	bench_measure(b, &alone, bench_lock_clab, nested_clab, n, (double)n,
		      b->o.reps);
	double added = alone.added;
	r->verdict = r->ratio <= 5 && added <= 10 ? V_PASS : V_MISS;
	snprintf(r->note, sizeof(r->note),
		 "under another lock; the detector adds %.1f ns over the "
		 "uncontended pair",
		 added);
	clab_mutex_destroy(&b->cm);
	clab_mutex_destroy(&b->couter);
	pthread_mutex_destroy(&b->pouter);
	pthread_mutex_destroy(&b->pm);
	bench_trace_end(b, &st);
	r->records = st.records;
	bench_print_row(b, r);
	return 0;
}

int bench_case_detector(struct bench *b)
{
	if (bench_want(b, 8) && nested(b))
		return -1;
	if (!bench_want(b, 9))
		return 0;

	enum { LOCKS = 1000, EDGES = 10000, NEW = 2000 };
	struct row *c =
	    bench_row_new(b, "cycle_check",
			  "new-edge check, 1k locks 10k edges", "us", "<=10us");
	uint32_t perm[LOCKS];
	uint64_t rng = 42;
	for (uint32_t i = 0; i < LOCKS; i++)
		perm[i] = i + 1;
	for (uint32_t i = LOCKS - 1; i > 0; i--) {
		uint32_t j = (uint32_t)(clab_lab_rand(&rng) % (i + 1));
		uint32_t t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	double v[REPS_MAX];
	for (int rep = 0; rep < b->o.reps; rep++) {
		struct clab_lockdep *ld = clab_lockdep_new();
		if (!ld)
			return -1;
		/* edges go forward in perm: a graph without a cycle */
		uint32_t made = 0;
		while (made < EDGES + NEW) {
			uint32_t i = (uint32_t)(clab_lab_rand(&rng) % LOCKS);
			uint32_t j = (uint32_t)(clab_lab_rand(&rng) % LOCKS);
			if (i == j)
				continue;
			if (i > j) {
				uint32_t t = i;
				i = j;
				j = t;
			}
			if (clab_lockdep_has_edge(ld, perm[i], perm[j]))
				continue;
			struct clab_ld_held h = {perm[i], 0, 0, 0, 0};
			uint64_t t0 = made == EDGES ? clab__mono_ns() : 0;
			clab_lockdep_request(ld, 1, &h, 1, perm[j], 0, 0, 0);
			made++;
			if (t0)
				v[rep] = (double)t0;
		}
		v[rep] = ((double)clab__mono_ns() - v[rep]) / NEW / 1000.0;
		clab_lockdep_free(ld);
	}
	c->clab = bench_median(v, (size_t)b->o.reps);
	c->iters = NEW;
	c->verdict = c->clab <= 10 ? V_PASS : V_MISS;
	snprintf(c->note, sizeof(c->note),
		 "mean over %d new edges added to a graph of %d locks and %d "
		 "edges",
		 NEW, LOCKS, EDGES);
	bench_print_row(b, c);
	return 0;
}

/*
 * "4,5", "1" or "prodcons,9": a bit per loop case (numbers) in *only and
 * per whole-program case (names) in *whole; -1 for anything else.
 */
