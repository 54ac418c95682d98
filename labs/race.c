/*
 * race - a shared counter and the updates it loses.
 *
 * Each of `threads` threads adds one to a shared counter `rounds` times;
 * at the end the counter should hold threads * rounds.  An increment is a
 * read, an addition and a write: two threads that read the same value
 * write the same value back, and one of the two updates is lost (the
 * SharedCounter of the tutorials behind the lab: docs/sources.md).
 *
 * In C a plain `counter++` from two threads is a data race, which is
 * undefined behaviour, and under the controlled scheduler it would never
 * be interleaved (threads switch only at conclab operations).  So the
 * unlocked variant spells the increment out as a relaxed atomic load, an
 * annotation (a scheduling point, and a record of the value read), an
 * optional pause and a relaxed atomic store: the program is defined, and
 * the lost update is its only bug.
 *
 * Variants:
 *   unlocked  read, note, write with no lock: updates are lost
 *   locked    the same read, note, write under a mutex
 *   atomic    one atomic_fetch_add per update, annotated with its result
 *
 * Annotations: "read" (value read) in unlocked and locked; "write" (value
 * written) for every update, by every variant; "total" (the counter) by
 * the main thread once every thread ended.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/runtime.h>

#include "lab.h"

#define MAX_THREADS 16

enum { V_UNLOCKED, V_LOCKED, V_ATOMIC, V_COUNT };

enum { P_THREADS, P_ROUNDS, P_GAP, P_COUNT };

static const struct clab_lab_param params[P_COUNT] = {
    [P_THREADS] = {"threads", "threads that increment the counter", 4, 1,
		   MAX_THREADS},
    [P_ROUNDS] = {"rounds", "increments each thread makes", 50, 1, 100000},
    [P_GAP] = {"gap_ms",
	       "pause between reading the counter and writing it back, ms "
	       "(unlocked and locked)",
	       0, 0, 1000},
};

static const struct clab_lab_default unlocked_defaults[] = {
    {"gap_ms", 1},
    {NULL, 0},
};

static const struct clab_lab_variant variants[V_COUNT] = {
    [V_UNLOCKED] =
	{
	    .name = "unlocked",
	    .summary = "read the counter, write it back plus one, no lock",
	    .bug = "two threads read the same value and write the same "
		   "value back: one update is lost",
	    .expect = 1,
	    .defaults = unlocked_defaults,
	},
    [V_LOCKED] =
	{
	    .name = "locked",
	    .summary = "the same read and write under a mutex",
	    .expect = 0,
	},
    [V_ATOMIC] =
	{
	    .name = "atomic",
	    .summary = "one C11 atomic_fetch_add per update",
	    .expect = 0,
	},
};

struct counter {
	const struct clab_lab_ctx *ctx;
	_Atomic long value;
	clab_mutex_t lock;    /* locked */
	clab_barrier_t start; /* every thread starts counting at once */
};

struct racer {
	struct counter *c;
	clab_thread_t *th;
	char name[24];
};

/* Read, note, pause, write: the increment taken apart. */
static void read_write(struct counter *c, long gap)
{
	long v = atomic_load_explicit(&c->value, memory_order_relaxed);

	clab_note("read", v);
	if (gap > 0)
		clab_sleep_ms((uint32_t)gap);
	atomic_store_explicit(&c->value, v + 1, memory_order_relaxed);
	clab_note("write", v + 1);
}

static void *racer_main(void *arg)
{
	struct racer *r = arg;
	struct counter *c = r->c;
	const struct clab_lab_ctx *ctx = c->ctx;
	long rounds = ctx->param[P_ROUNDS], gap = ctx->param[P_GAP];

	clab_barrier_wait(&c->start);
	for (long k = 0; k < rounds; k++) {
		switch (ctx->variant) {
		case V_UNLOCKED:
			/* BUG: another thread can write between our read
			 * and our write, and we overwrite its update. */
			read_write(c, gap);
			break;
		case V_LOCKED:
			clab_mutex_lock(&c->lock);
			read_write(c, gap);
			clab_mutex_unlock(&c->lock);
			break;
		case V_ATOMIC:
			clab_note("write", atomic_fetch_add(&c->value, 1) + 1);
			break;
		}
	}
	clab_lab_say(ctx, "%s made its %ld increments", r->name, rounds);
	return NULL;
}

static int run(const struct clab_lab_ctx *ctx)
{
	struct counter c;
	struct racer r[MAX_THREADS];
	int n = (int)ctx->param[P_THREADS], rc, nthreads = 0;
	long want = n * ctx->param[P_ROUNDS], total;

	if (n < 1 || n > MAX_THREADS)
		return CLAB_EINVAL;
	memset(&c, 0, sizeof(c));
	c.ctx = ctx;
	atomic_init(&c.value, 0);
	rc = clab_mutex_init(&c.lock, "counter.lock", CLAB_MUTEX_NORMAL);
	if (rc < 0)
		return rc;
	rc = clab_barrier_init(&c.start, "start", (uint32_t)n);
	if (rc < 0)
		goto out_lock;
	clab_lab_say(ctx,
		     "%d threads add 1 to a shared counter %ld times each (%s)",
		     n, ctx->param[P_ROUNDS], variants[ctx->variant].name);
	for (; nthreads < n; nthreads++) {
		snprintf(r[nthreads].name, sizeof(r[nthreads].name),
			 "counter-%d", nthreads + 1);
		r[nthreads].c = &c;
		rc = clab_thread_create(&r[nthreads].th, r[nthreads].name,
					racer_main, &r[nthreads]);
		if (rc < 0)
			break;
	}
	if (rc < 0)
		/* The ones that started wait for the rest: let them go. */
		clab_barrier_abort(&c.start);
	for (int i = 0; i < nthreads; i++)
		clab_thread_join(r[i].th, NULL);
	total = atomic_load(&c.value);
	clab_note("total", total);
	if (rc == 0 && total == want)
		clab_lab_say(ctx, "counter = %ld, as expected", total);
	else if (rc == 0)
		clab_lab_say(ctx,
			     "counter = %ld, expected %ld: %ld updates lost",
			     total, want, want - total);
	clab_barrier_destroy(&c.start);
out_lock:
	clab_mutex_destroy(&c.lock);
	return rc < 0 ? rc : 0;
}

/* ---- checker ---- */

/*
 * Each update writes one more than the value it read.  If no update is
 * lost, every value 1..total is written exactly once: a value written
 * twice is a lost update, and the first such write is its evidence.
 */
static void check(const struct clab_trace *tr, const struct clab_lab_ctx *ctx,
		  struct clab_lab_report *rep)
{
	long want = ctx->param[P_THREADS] * ctx->param[P_ROUNDS];
	size_t nrec = clab_trace_nrecords(tr);
	uint64_t *first = calloc((size_t)want + 1, sizeof(*first));
	uint64_t dup_rec = UINT64_MAX, total_rec = UINT64_MAX;
	uint64_t odd_rec = UINT64_MAX, last_rec = UINT64_MAX;
	long nwrites = 0, ndups = 0, nodd = 0, total = -1;
	uint32_t dup_tid = 0, dup_first_tid = 0;
	long dup_val = 0;

	if (first == NULL) {
		clab_lab_report_add(rep, "checker", 0, UINT64_MAX,
				    "out of memory");
		clab_lab_check_common(tr, rep);
		return;
	}
	for (size_t i = 0; i < nrec; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		const char *label = clab_lab_note_label(tr, r);

		if (label == NULL)
			continue;
		if (strcmp(label, "total") == 0) {
			total = (long)r->val;
			total_rec = r->seq;
			continue;
		}
		if (strcmp(label, "write") != 0)
			continue;
		nwrites++;
		last_rec = r->seq;
		if (r->val < 1 || r->val > want) {
			/* no update writes a value it could not reach */
			if (nodd++ == 0)
				odd_rec = r->seq;
			continue;
		}
		if (first[r->val] == 0) {
			/* the seq + 1 and the thread of the first write */
			first[r->val] = (r->seq + 1) << 16 | (r->tid & 0xffff);
			continue;
		}
		if (ndups++ == 0) {
			dup_rec = r->seq;
			dup_tid = r->tid;
			dup_val = (long)r->val;
			dup_first_tid = (uint32_t)(first[r->val] & 0xffff);
		}
	}

	/* too many updates are wrong at once; too few, and the final count,
	 * only at the run's end */
	if (nwrites == want)
		clab_lab_report_add_end(rep, "updates made", 1, UINT64_MAX,
					"%ld threads made %ld updates each",
					ctx->param[P_THREADS],
					ctx->param[P_ROUNDS]);
	else if (nwrites < want)
		clab_lab_report_add_end(rep, "updates made", 0, last_rec,
					"%ld updates recorded, expected %ld",
					nwrites, want);
	else
		clab_lab_report_add(rep, "updates made", 0, last_rec,
				    "%ld updates recorded, expected %ld",
				    nwrites, want);

	if (total < 0)
		clab_lab_report_add_end(rep, "final count", 0, UINT64_MAX,
					"the trace has no final count: the "
					"run did not finish");
	else if (total == want)
		clab_lab_report_add_end(rep, "final count", 1, total_rec,
					"the counter ends at %ld, as expected",
					total);
	else
		clab_lab_report_add_end(rep, "final count", 0, total_rec,
					"the counter ends at %ld, expected "
					"%ld: %ld updates lost",
					total, want, want - total);

	if (ndups == 0 && nodd == 0)
		clab_lab_report_add(rep, "no lost update", 1, UINT64_MAX,
				    "every update wrote a value no other "
				    "update wrote");
	else if (ndups > 0)
		clab_lab_report_add(
		    rep, "no lost update", 0, dup_rec,
		    "%ld update(s) wrote a value already written; first %s "
		    "wrote %ld, as %s had: both read %ld",
		    ndups, clab_trace_thread_label(tr, dup_tid), dup_val,
		    clab_trace_thread_label(tr, dup_first_tid), dup_val - 1);
	else
		clab_lab_report_add(rep, "no lost update", 0, odd_rec,
				    "%ld update(s) wrote a value outside "
				    "1..%ld",
				    nodd, want);
	free(first);
	clab_lab_check_common(tr, rep);
}

const struct clab_lab clab_lab_race = {
    .name = "race",
    .summary = "a shared counter: lost updates, a lock, an atomic",
    .idea = "a read and a write are two steps: a thread that writes "
	    "between them is overwritten; a lock or one atomic operation "
	    "makes the update one step",
    .topic = CLAB_TOPIC_MUTEX,
    .teaches =
	"read, add, write: three steps; without a lock, updates get lost",
    .variants = variants,
    .nvariants = V_COUNT,
    .params = params,
    .nparams = P_COUNT,
    .run = run,
    .check = check,
};
