/*
 * rlock - a recursive lock, one that its owner may take again.
 *
 * A shared counter guards its value with one lock, and each of its
 * methods takes that lock; decr() takes it and calls incr(), which takes
 * it again (the SharedCounter with a class-level RLock of the tutorials
 * behind the lab: docs/sources.md).  With a recursive mutex the second
 * lock only counts a level; with a plain mutex the thread would wait for
 * itself for ever.  conclab does not let it: the second lock records a
 * "relock" diagnostic and fails with CLAB_EDEADLK, incr() gives up, and
 * its update is missing from the count.
 *
 * Variants:
 *   recursive       the counter's lock is recursive
 *   plain-mutex     the same code with a plain mutex: every decr() is
 *                   refused (a relock) and the count comes out wrong
 *   cond-recursive  a one-slot box on a recursive lock and a condition
 *                   variable: the consumer waits with the lock taken
 *                   `depth` times, and the wait releases every level
 *
 * Annotations: "value" (counter, the delta in a32) for each update;
 * "refused" (delta) for an update whose lock was refused; "total" (value)
 * by the main thread at the end; "put" (item) and "take" (item) in
 * cond-recursive.
 *
 * The exercise (labs/exercise-state.c) runs both on a recursive lock the
 * student made (rl_lock(), rl_unlock(), rl_wait()), and its harness notes
 * "enter" and "leave" with the level it holds around each lock call and
 * "wait" and "woke" around each wait.  The checker follows those: a
 * thread that goes in while another holds the lock breaks it, and what
 * the holder did last (nothing, let go of an inner level, or came back
 * from a wait) says which property; the runtime's own records show a
 * plain mutex relocked, or a recursive conclab mutex doing the counting.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/runtime.h>

#include "lab.h"

#define MAX_THREADS 16

enum { V_RECURSIVE, V_PLAIN, V_COND, V_COUNT };

enum { P_THREADS, P_ROUNDS, P_DEPTH, P_COUNT };

static const struct clab_lab_param params[P_COUNT] = {
    [P_THREADS] = {"threads", "threads that use the counter", 2, 1,
		   MAX_THREADS},
    [P_ROUNDS] = {"rounds",
		  "incr(2) and decr(1) calls per thread (cond-recursive: "
		  "items through the box)",
		  3, 1, 1000},
    [P_DEPTH] = {"depth",
		 "cond-recursive: how many times the consumer holds the lock "
		 "when it waits",
		 2, 1, 8},
};

static const struct clab_lab_variant variants[V_COUNT] = {
    [V_RECURSIVE] =
	{
	    .name = "recursive",
	    .summary = "decr() takes the recursive lock and calls incr(), "
		       "which takes it again",
	    .expect = 0,
	},
    [V_PLAIN] =
	{
	    .name = "plain-mutex",
	    .summary = "the same with a plain mutex",
	    .bug = "decr()'s thread locks a mutex it holds: a "
		   "self-deadlock, refused as a relock; the decrements "
		   "are lost",
	    .expect = 1,
	},
    [V_COND] =
	{
	    .name = "cond-recursive",
	    .summary = "a condition variable over a recursive lock held "
		       "several times: the wait releases every level",
	    .expect = 0,
	},
};

struct shared {
	const struct clab_lab_ctx *ctx;
	clab_mutex_t lock;
	long value;
};

struct user {
	struct shared *s;
	clab_thread_t *th;
	char name[24];
};

/* The counter's methods: each takes the counter's lock. */
static int incr(struct user *u, long delta)
{
	struct shared *s = u->s;
	int rc = clab_mutex_lock(&s->lock);

	if (rc < 0) {
		/* plain-mutex, called from decr(): we hold it already */
		clab_note("refused", delta);
		clab_lab_say(s->ctx,
			     "%s: incr(%ld) cannot take counter.lock: %s",
			     u->name, delta, clab_strerror(rc));
		return rc;
	}
	s->value += delta;
	clab_note2("value", s->value, (uint32_t)(int32_t)delta);
	clab_mutex_unlock(&s->lock);
	return 0;
}

static int decr(struct user *u, long delta)
{
	struct shared *s = u->s;
	int rc = clab_mutex_lock(&s->lock);

	if (rc < 0)
		return rc;
	/* the method calls another method, which takes the lock again */
	rc = incr(u, -delta);
	clab_mutex_unlock(&s->lock);
	return rc;
}

static void *user_main(void *arg)
{
	struct user *u = arg;
	const struct clab_lab_ctx *ctx = u->s->ctx;
	long rounds = ctx->param[P_ROUNDS], lost = 0;

	for (long r = 0; r < rounds; r++) {
		incr(u, 2);
		if (decr(u, 1) < 0)
			lost++;
	}
	if (lost)
		clab_lab_say(ctx, "%s is done; %ld of its decr() calls failed",
			     u->name, lost);
	else
		clab_lab_say(ctx, "%s is done", u->name);
	return NULL;
}

static int run_counter(const struct clab_lab_ctx *ctx)
{
	struct shared s;
	struct user u[MAX_THREADS];
	int n = (int)ctx->param[P_THREADS], rc, nthreads = 0;
	long want = n * ctx->param[P_ROUNDS];

	if (n < 1 || n > MAX_THREADS)
		return CLAB_EINVAL;
	memset(&s, 0, sizeof(s));
	s.ctx = ctx;
	rc = clab_mutex_init(&s.lock, "counter.lock",
			     ctx->variant == V_PLAIN ? CLAB_MUTEX_NORMAL
						     : CLAB_MUTEX_RECURSIVE);
	if (rc < 0)
		return rc;
	clab_lab_say(
	    ctx,
	    "%d threads call incr(2) and decr(1) %ld times each on a %s lock",
	    n, ctx->param[P_ROUNDS],
	    ctx->variant == V_PLAIN ? "plain" : "recursive");
	for (; nthreads < n; nthreads++) {
		snprintf(u[nthreads].name, sizeof(u[nthreads].name), "user-%d",
			 nthreads + 1);
		u[nthreads].s = &s;
		rc = clab_thread_create(&u[nthreads].th, u[nthreads].name,
					user_main, &u[nthreads]);
		if (rc < 0)
			break;
	}
	for (int i = 0; i < nthreads; i++)
		clab_thread_join(u[i].th, NULL);
	clab_mutex_lock(&s.lock);
	clab_note("total", s.value);
	if (rc == 0 && s.value == want)
		clab_lab_say(ctx, "counter = %ld, as expected", s.value);
	else if (rc == 0)
		clab_lab_say(ctx, "counter = %ld, expected %ld", s.value, want);
	clab_mutex_unlock(&s.lock);
	clab_mutex_destroy(&s.lock);
	return rc < 0 ? rc : 0;
}

/* ---- cond-recursive: a one-slot box ---- */

struct box {
	const struct clab_lab_ctx *ctx;
	clab_mutex_t lock; /* recursive */
	clab_cond_t cv;
	int full;
	long item;
};

/*
 * Take the lock once more (level of depth), and at the innermost level
 * wait for an item: the wait releases every level and takes them back.
 */
static long take(struct box *b, long level, long depth)
{
	long v;

	clab_mutex_lock(&b->lock);
	if (level < depth) {
		v = take(b, level + 1, depth);
	} else {
		while (!b->full)
			clab_cond_wait(&b->cv, &b->lock);
		v = b->item;
		b->full = 0;
		clab_note("take", v);
		clab_cond_broadcast(&b->cv);
	}
	clab_mutex_unlock(&b->lock);
	return v;
}

static void *consumer(void *arg)
{
	struct box *b = arg;
	const struct clab_lab_ctx *ctx = b->ctx;
	long rounds = ctx->param[P_ROUNDS], depth = ctx->param[P_DEPTH];

	for (long i = 1; i <= rounds; i++) {
		long v = take(b, 1, depth);
		clab_lab_say(
		    ctx,
		    "consumer takes item %ld (holding box.lock %ld times "
		    "while it waited)",
		    v, depth);
	}
	return NULL;
}

static void *producer(void *arg)
{
	struct box *b = arg;
	const struct clab_lab_ctx *ctx = b->ctx;
	long rounds = ctx->param[P_ROUNDS];

	for (long i = 1; i <= rounds; i++) {
		clab_mutex_lock(&b->lock);
		while (b->full)
			clab_cond_wait(&b->cv, &b->lock);
		b->item = i;
		b->full = 1;
		clab_note("put", i);
		clab_lab_say(ctx, "producer puts item %ld", i);
		clab_cond_broadcast(&b->cv);
		clab_mutex_unlock(&b->lock);
	}
	return NULL;
}

static int run_cond(const struct clab_lab_ctx *ctx)
{
	struct box b;
	clab_thread_t *c = NULL, *p = NULL;
	int rc;

	memset(&b, 0, sizeof(b));
	b.ctx = ctx;
	rc = clab_mutex_init(&b.lock, "box.lock", CLAB_MUTEX_RECURSIVE);
	if (rc < 0)
		return rc;
	rc = clab_cond_init(&b.cv, "box.cv");
	if (rc < 0)
		goto out_lock;
	clab_lab_say(ctx,
		     "a consumer waits on box.cv holding box.lock %ld times; a "
		     "producer needs box.lock to put each of %ld items",
		     ctx->param[P_DEPTH], ctx->param[P_ROUNDS]);
	rc = clab_thread_create(&c, "consumer", consumer, &b);
	if (rc == 0)
		rc = clab_thread_create(&p, "producer", producer, &b);
	if (rc < 0 && c != NULL) {
		/* No producer: feed the consumer ourselves. */
		for (long i = 1; i <= ctx->param[P_ROUNDS]; i++) {
			clab_mutex_lock(&b.lock);
			while (b.full)
				clab_cond_wait(&b.cv, &b.lock);
			b.item = i;
			b.full = 1;
			clab_cond_broadcast(&b.cv);
			clab_mutex_unlock(&b.lock);
		}
	}
	if (c != NULL)
		clab_thread_join(c, NULL);
	if (p != NULL)
		clab_thread_join(p, NULL);
	clab_cond_destroy(&b.cv);
out_lock:
	clab_mutex_destroy(&b.lock);
	return rc < 0 ? rc : 0;
}

static int run(const struct clab_lab_ctx *ctx)
{
	if (ctx->variant == V_COND)
		return run_cond(ctx);
	return run_counter(ctx);
}

/* ---- checker ---- */

/* The id of the mutex called name, or 0. */
static uint32_t mutex_named(const struct clab_trace *tr, const char *name)
{
	uint32_t nobj = clab_trace_nobjects(tr);

	for (uint32_t oid = 1; oid <= nobj; oid++) {
		const struct clab_object_info *oi = clab_trace_object(tr, oid);

		if (oi != NULL && oi->kind == CLAB_O_MUTEX &&
		    oi->name != NULL && strcmp(oi->name, name) == 0)
			return oid;
	}
	return 0;
}

/* "final count": the counter's value at the end (calls: of each). */
static void report_count(struct clab_lab_report *rep, int have_total,
			 long total, long calls, uint64_t total_rec)
{
	/* the count is the run's end */
	if (!have_total)
		clab_lab_report_add_end(rep, "final count", 0, UINT64_MAX,
					"the trace has no final count: the run "
					"did not finish");
	else if (total == calls)
		clab_lab_report_add_end(
		    rep, "final count", 1, UINT64_MAX,
		    "the counter ends at %ld: every incr(2) "
		    "and decr(1) counted",
		    total);
	else if (total > calls)
		clab_lab_report_add_end(
		    rep, "final count", 0, total_rec,
		    "the counter ends at %ld, expected %ld: "
		    "%ld decr() call(s) changed nothing",
		    total, calls, total - calls);
	else /* the exercise: two updates at once, one lost */
		clab_lab_report_add_end(
		    rep, "final count", 0, total_rec,
		    "the counter ends at %ld, expected %ld: "
		    "updates were lost",
		    total, calls);
}

/* "items taken": ntake items, the first out of order at bad_rec. */
static void report_items(struct clab_lab_report *rep, long ntake, long rounds,
			 uint64_t bad_rec)
{
	/* out of order at once; too few only at the run's end */
	if (ntake == rounds && bad_rec == UINT64_MAX)
		clab_lab_report_add_end(rep, "items taken", 1, UINT64_MAX,
					"items 1..%ld, each once, in order",
					rounds);
	else if (bad_rec == UINT64_MAX && ntake < rounds)
		clab_lab_report_add_end(rep, "items taken", 0, bad_rec,
					"%ld item(s) taken, wanted 1..%ld in "
					"order",
					ntake, rounds);
	else
		clab_lab_report_add(rep, "items taken", 0, bad_rec,
				    "%ld item(s) taken, wanted 1..%ld in "
				    "order",
				    ntake, rounds);
}

static void check_counter(const struct clab_trace *tr,
			  const struct clab_lab_ctx *ctx,
			  struct clab_lab_report *rep)
{
	long calls = ctx->param[P_THREADS] * ctx->param[P_ROUNDS];
	uint32_t lock = mutex_named(tr, "counter.lock");
	size_t nrec = clab_trace_nrecords(tr);
	long total = 0, nested = 0, nrelock = 0, nrefused = 0;
	uint64_t total_rec = UINT64_MAX, relock_rec = UINT64_MAX;
	int have_total = 0;

	for (size_t i = 0; i < nrec; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		const char *label = clab_lab_note_label(tr, r);

		if (lock != 0 && r->obj == lock &&
		    r->kind == CLAB_K_MUTEX_ACQUIRE && r->a32 == 2)
			nested++;
		if (lock != 0 && r->obj == lock && r->kind == CLAB_K_DIAG &&
		    r->a8 == CLAB_D_RELOCK && nrelock++ == 0)
			relock_rec = r->seq;
		if (label != NULL && strcmp(label, "refused") == 0)
			nrefused++;
		if (label != NULL && strcmp(label, "total") == 0) {
			total = (long)r->val;
			total_rec = r->seq;
			have_total = 1;
		}
	}
	report_count(rep, have_total, total, calls, total_rec);

	/*
	 * recursive shows the re-entry: every decr() nests.  plain-mutex
	 * only must not relock: a fix that does not nest (an incr that
	 * expects the lock held) passes it.
	 */
	if (nrelock > 0)
		clab_lab_report_add(
		    rep, "re-entry", 0, relock_rec,
		    "%ld relock(s) of counter.lock by the thread that held it "
		    "(%ld update(s) given up): a plain mutex cannot be taken "
		    "again by its owner",
		    nrelock, nrefused);
	else if (nested == calls)
		clab_lab_report_add_end(rep, "re-entry", 1, UINT64_MAX,
					"each of the %ld decr() calls took "
					"counter.lock a second time (depth 2)",
					calls);
	else if (ctx->variant == V_RECURSIVE)
		clab_lab_report_add_end(rep, "re-entry", 0, UINT64_MAX,
					"%ld of the %ld decr() calls took "
					"counter.lock a second time",
					nested, calls);
	else
		clab_lab_report_add(rep, "re-entry", 1, UINT64_MAX,
				    "no relock; %ld of the %ld decr() calls "
				    "took counter.lock a second time",
				    nested, calls);
}

/* The tid of the thread called name, or UINT32_MAX. */
static uint32_t thread_named(const struct clab_trace *tr, const char *name)
{
	uint32_t nthr = clab_trace_nthreads(tr);

	for (uint32_t t = 0; t < nthr; t++) {
		const struct clab_thread_info *ti = clab_trace_thread(tr, t);

		if (ti != NULL && ti->name != NULL &&
		    strcmp(ti->name, name) == 0)
			return t;
	}
	return UINT32_MAX;
}

static void check_cond(const struct clab_trace *tr,
		       const struct clab_lab_ctx *ctx,
		       struct clab_lab_report *rep)
{
	long rounds = ctx->param[P_ROUNDS], depth = ctx->param[P_DEPTH];
	uint32_t lock = mutex_named(tr, "box.lock");
	uint32_t cons = thread_named(tr, "consumer");
	size_t nrec = clab_trace_nrecords(tr);
	long ntake = 0, nwaits = 0, nshallow = 0, nentered = 0;
	uint64_t bad_rec = UINT64_MAX, shallow_rec = UINT64_MAX;
	int waiting = 0; /* the consumer is in a wait on box.cv */

	for (size_t i = 0; i < nrec; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		const char *label = clab_lab_note_label(tr, r);

		if (label != NULL && strcmp(label, "take") == 0) {
			ntake++;
			if (r->val != ntake && bad_rec == UINT64_MAX)
				bad_rec = r->seq;
		}
		if (lock == 0 || r->obj != lock ||
		    (r->kind != CLAB_K_MUTEX_RELEASE &&
		     r->kind != CLAB_K_MUTEX_ACQUIRE))
			continue;
		if (r->tid != cons) {
			/* someone else got in while the consumer waited */
			if (r->kind == CLAB_K_MUTEX_ACQUIRE && waiting)
				nentered++;
			continue;
		}
		/* The consumer's wait gives box.lock up and takes it back. */
		if (r->a8 != CLAB_HOW_COND)
			continue;
		if (r->kind == CLAB_K_MUTEX_RELEASE) {
			waiting = 1;
			continue;
		}
		waiting = 0;
		nwaits++;
		if ((long)r->a32 != depth && nshallow++ == 0)
			shallow_rec = r->seq;
	}
	report_items(rep, ntake, rounds, bad_rec);
	if (nshallow > 0)
		clab_lab_report_add(rep, "levels restored", 0, shallow_rec,
				    "%ld of the consumer's %ld waits came "
				    "back without its %ld levels of box.lock",
				    nshallow, nwaits, depth);
	else
		clab_lab_report_add(rep, "levels restored", 1, UINT64_MAX,
				    "each of the consumer's %ld wait(s) "
				    "gave up all %ld levels of box.lock and "
				    "took them back; the producer took "
				    "box.lock %ld time(s) meanwhile",
				    nwaits, depth, nentered);
}

/* ---- the exercise: the student's lock, by the harness's notes ---- */

/* What the checker follows of one thread, by the harness's notes. */
struct holder {
	long level;  /* how many times it holds the lock */
	int waiting; /* in rl_wait(): between "wait" and "woke" */
	int woke;    /* back from a wait since its outermost "enter" */
	int inner;   /* let go of an inner level since then */
};

/* A thread that went in while another held the lock, by what the other
 * had done: let go of nothing, of an inner level, or waited. */
enum { IN_HOLDER, IN_REENTRY, IN_LEVELS, IN_COUNT };

struct intrusions {
	long n[IN_COUNT];
	uint64_t rec[IN_COUNT];
	char msg[IN_COUNT][200];
};

/* Thread tid goes in at r: every other thread inside is intruded on. */
static void went_in(const struct clab_trace *tr, const struct clab_record *r,
		    struct holder *h, uint32_t nt, struct intrusions *in)
{
	static const char *const why[IN_COUNT] = {
	    "",
	    ", after its inner rl_unlock(): the first unlock of two let go",
	    " after its wait: the wait gave back fewer levels than it took",
	};

	for (uint32_t u = 0; u < nt; u++) {
		int k;

		if (u == r->tid || h[u].level < 1 || h[u].waiting)
			continue;
		k = h[u].woke ? IN_LEVELS : h[u].inner ? IN_REENTRY : IN_HOLDER;
		if (in->n[k]++ > 0)
			continue;
		in->rec[k] = r->seq;
		snprintf(in->msg[k], sizeof(in->msg[k]),
			 "%s went in while %s held the lock (level %ld)%s",
			 clab_trace_thread_label(tr, r->tid),
			 clab_trace_thread_label(tr, u), h[u].level, why[k]);
	}
}

static void check_exercise(const struct clab_trace *tr,
			   const struct clab_lab_ctx *ctx,
			   struct clab_lab_report *rep)
{
	long rounds = ctx->param[P_ROUNDS];
	long calls = ctx->param[P_THREADS] * rounds;
	uint32_t nt = clab_trace_nthreads(tr);
	struct holder *h = calloc(nt ? nt : 1, sizeof(*h));
	struct intrusions in;
	long total = 0, ntake = 0, nreentered = 0, nrelock = 0, nrecursive = 0;
	long nwaits = 0, nentered = 0;
	uint64_t total_rec = UINT64_MAX, bad_rec = UINT64_MAX;
	uint64_t relock_rec = UINT64_MAX, recursive_rec = UINT64_MAX;
	uint32_t recursive_obj = 0;
	int have_total = 0;

	if (h == NULL) {
		clab_lab_report_add(rep, "one holder", 0, UINT64_MAX,
				    "no memory to follow the threads");
		return;
	}
	memset(&in, 0, sizeof(in));
	for (size_t i = 0; i < clab_trace_nrecords(tr); i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		const char *label = clab_lab_harness_label(tr, r);
		struct holder *t = r->tid < nt ? &h[r->tid] : NULL;

		/* what the runtime saw: a relock, a recursive mutex */
		if (r->kind == CLAB_K_DIAG && r->a8 == CLAB_D_RELOCK &&
		    nrelock++ == 0)
			relock_rec = r->seq;
		if (r->kind == CLAB_K_MUTEX_ACQUIRE && r->a32 >= 2 &&
		    nrecursive++ == 0) {
			recursive_rec = r->seq;
			recursive_obj = r->obj;
		}
		if (label == NULL || t == NULL)
			continue;
		if (strcmp(label, "enter") == 0) {
			t->level = (long)r->val;
			if (r->val == 1) {
				t->woke = t->inner = 0;
				went_in(tr, r, h, nt, &in);
				for (uint32_t u = 0; u < nt; u++)
					nentered += h[u].waiting;
			}
			if (r->val == 2 && r->a32 == 1)
				nreentered++; /* decr()'s incr() */
		} else if (strcmp(label, "leave") == 0) {
			if (r->val >= 2)
				t->inner = 1;
			t->level = (long)r->val - 1;
		} else if (strcmp(label, "wait") == 0) {
			t->waiting = 1;
			nwaits += r->val >= 2;
		} else if (strcmp(label, "woke") == 0) {
			t->waiting = 0;
			t->woke = 1;
			went_in(tr, r, h, nt, &in);
		} else if (strcmp(label, "total") == 0) {
			total = (long)r->val;
			total_rec = r->seq;
			have_total = 1;
		} else if (strcmp(label, "take") == 0) {
			if (r->val != ++ntake && bad_rec == UINT64_MAX)
				bad_rec = r->seq;
		}
	}
	free(h);

	if (in.n[IN_HOLDER] > 0)
		clab_lab_report_add(rep, "one holder", 0, in.rec[IN_HOLDER],
				    "%ld time(s) a thread went in while "
				    "another held the lock; first %s",
				    in.n[IN_HOLDER], in.msg[IN_HOLDER]);
	else
		clab_lab_report_add(rep, "one holder", 1, UINT64_MAX,
				    "no thread went in while another held "
				    "the lock");

	/* the relock is the runtime's; the rest the harness's notes */
	if (nrelock > 0)
		clab_lab_report_add(rep, "re-entry", 0, relock_rec,
				    "%ld relock(s): a thread locked a plain "
				    "mutex it held; count the owner's levels "
				    "instead",
				    nrelock);
	else if (in.n[IN_REENTRY] > 0)
		clab_lab_report_add(rep, "re-entry", 0, in.rec[IN_REENTRY],
				    "%ld time(s) a thread went in while the "
				    "owner still held a level; first %s",
				    in.n[IN_REENTRY], in.msg[IN_REENTRY]);
	else if (nreentered < calls)
		clab_lab_report_add_end(rep, "re-entry", 0, UINT64_MAX,
					"%ld of the %ld decr() calls took the "
					"lock a second time",
					nreentered, calls);
	else
		clab_lab_report_add_end(rep, "re-entry", 1, UINT64_MAX,
					"each of the %ld decr() calls took the "
					"lock a second time and held it to its "
					"last rl_unlock()",
					calls);

	if (nrecursive > 0) {
		const struct clab_object_info *oi =
		    clab_trace_object(tr, recursive_obj);

		clab_lab_report_add(
		    rep, "counts its own levels", 0, recursive_rec,
		    "%ld time(s) a conclab mutex was taken again by its owner "
		    "(%s, depth 2): CLAB_MUTEX_RECURSIVE counts the levels, "
		    "not your lock",
		    nrecursive,
		    oi != NULL && oi->name != NULL ? oi->name : "?");
	} else {
		clab_lab_report_add(rep, "counts its own levels", 1, UINT64_MAX,
				    "no conclab mutex was taken twice by its "
				    "owner: the lock counts its levels");
	}

	if (in.n[IN_LEVELS] > 0)
		clab_lab_report_add(rep, "levels restored", 0,
				    in.rec[IN_LEVELS],
				    "%ld time(s) a thread went in while one "
				    "back from rl_wait() still held the lock; "
				    "first %s",
				    in.n[IN_LEVELS], in.msg[IN_LEVELS]);
	else
		clab_lab_report_add(rep, "levels restored", 1, UINT64_MAX,
				    "%ld wait(s) holding %ld levels gave them "
				    "all up and took them back; a thread went "
				    "in %ld time(s) meanwhile",
				    nwaits, ctx->param[P_DEPTH], nentered);

	report_count(rep, have_total, total, calls, total_rec);
	report_items(rep, ntake, rounds, bad_rec);
}

static void check(const struct clab_trace *tr, const struct clab_lab_ctx *ctx,
		  struct clab_lab_report *rep)
{
	if (clab_lab_is_exercise(tr)) {
		check_exercise(tr, ctx, rep);
		/* a lock made of a mutex must not poll under it */
		clab_lab_check_common_allow(tr, rep, CLAB_LAB_NEED_NO_POLL);
		return;
	}
	if (ctx->variant == V_COND)
		check_cond(tr, ctx, rep);
	else
		check_counter(tr, ctx, rep);
	clab_lab_check_common(tr, rep);
}

const struct clab_lab clab_lab_rlock = {
    .name = "rlock",
    .summary = "a recursive lock: methods that call each other, and a "
	       "condition over it",
    .idea = "a recursive lock may be taken again by its owner, so methods "
	    "that lock can call each other; a plain mutex taken twice by "
	    "one thread waits for itself",
    .topic = CLAB_TOPIC_MUTEX,
    .teaches = "an owner may retake a recursive lock, never a plain mutex",
    .variants = variants,
    .nvariants = V_COUNT,
    .params = params,
    .nparams = P_COUNT,
    .run = run,
    .check = check,
};
