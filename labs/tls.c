/*
 * tls - thread-local state: each thread's own counter.
 *
 * Each of `threads` threads counts its own rounds on its counter, in steps
 * of its number (counter-2 counts 2, 4, 6...): `rounds` times it reads
 * its counter, pauses `gap_ms`, writes the value plus its step back, and
 * pauses `gap_ms` again (its other work) before the next round; at the end
 * counter-K's counter should hold K * `rounds`.  The counter is
 * meant to be each thread's own, as a `threading.local()` attribute is in
 * Python (the thread-local state of the tutorials behind the lab:
 * docs/sources.md), so it needs no lock: no other thread can see it.
 *
 * Variants:
 *   per-thread         the counter is a C11 `_Thread_local` variable:
 *                      one for each thread, created zero with it
 *   key                the counter is allocated by each thread and found
 *                      through a key (clab_key_*, the runtime's recorded
 *                      pthread key), as a `threading.local()` object is:
 *                      one key, a value for each thread, freed by the
 *                      key's destructor when the thread ends
 *   shared-by-mistake  the counter is a plain global where a thread-local
 *                      one was meant: every thread counts on the same
 *                      counter, sees the others' rounds, and loses updates
 *                      when two read the same value
 *
 * As in the race lab, the counter is read and written with relaxed atomic
 * loads and stores, so that the shared counter is defined behaviour and
 * its lost updates are the only bug.  The threads start together, at the
 * barrier `start`.
 *
 * Annotations: "read" (value read) and "write" (value written) for each
 * round, and "total" (the counter) by each thread after its last round.
 * The key's own records (key.set, key.get, key.end: docs/trace-format.md)
 * let the checker say more wherever a key was used, the exercise's
 * solutions' keys included: no value is held by two threads at once, and
 * each thread's value is destroyed when it ends.
 *
 * The exercise (labs/exercise-state.c) runs the same threads on a value
 * for each thread that the student made (local_get(), local_set()); its
 * harness makes the same notes, with what those returned and were given,
 * and the checker reads only the harness's.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/runtime.h>

#include "lab.h"

#define MAX_THREADS 16

enum { V_PER_THREAD, V_KEY, V_SHARED, V_COUNT };

enum { P_THREADS, P_ROUNDS, P_GAP, P_COUNT };

static const struct clab_lab_param params[P_COUNT] = {
    [P_THREADS] = {"threads", "threads, each with its own counter", 3, 1,
		   MAX_THREADS},
    [P_ROUNDS] = {"rounds", "rounds each thread counts", 5, 1, 10000},
    [P_GAP] = {"gap_ms",
	       "pause between reading the counter and writing it back, ms", 1,
	       0, 1000},
};

static const struct clab_lab_variant variants[V_COUNT] = {
    [V_PER_THREAD] =
	{
	    .name = "per-thread",
	    .summary = "each thread counts on its own _Thread_local counter",
	    .expect = 0,
	},
    [V_KEY] =
	{
	    .name = "key",
	    .summary = "each thread counts on its own counter, found "
		       "through a key (clab_key_*)",
	    .expect = 0,
	},
    [V_SHARED] =
	{
	    .name = "shared-by-mistake",
	    .summary = "a plain global counter where a thread-local one was "
		       "meant",
	    .bug = "every thread counts the others' rounds too, and two "
		   "that read the same value lose an update",
	    .expect = 1,
	},
};

/* per-thread: one for each thread, zero when the thread starts */
static _Thread_local _Atomic long own_count;
/* shared-by-mistake: BUG: one for every thread; run() zeroes it */
static _Atomic long shared_count;

struct tls {
	const struct clab_lab_ctx *ctx;
	clab_barrier_t start;
	clab_key_t key; /* key: each thread's counter */
};

struct counter {
	struct tls *t;
	clab_thread_t *th;
	long step; /* its number: what it adds each round */
	char name[24];
};

/* The counter this thread counts on, in each variant; NULL without one. */
static _Atomic long *my_counter(struct tls *t)
{
	_Atomic long *c;

	switch (t->ctx->variant) {
	case V_PER_THREAD:
		return &own_count;
	case V_KEY:
		c = clab_key_get(&t->key);
		if (c == NULL) {
			c = malloc(sizeof(*c));
			if (c == NULL)
				return NULL;
			atomic_init(c, 0);
			if (clab_key_set(&t->key, c) != 0) {
				free(c);
				return NULL;
			}
		}
		return c;
	default:
		return &shared_count;
	}
}

static void *counter_main(void *arg)
{
	struct counter *k = arg;
	struct tls *t = k->t;
	const struct clab_lab_ctx *ctx = t->ctx;
	long rounds = ctx->param[P_ROUNDS], gap = ctx->param[P_GAP];
	_Atomic long *c;
	long total;

	if (clab_barrier_wait(&t->start) < 0)
		return NULL; /* aborted: not every thread started */
	c = my_counter(t);
	if (c == NULL) {
		clab_lab_say(ctx, "%s: no memory for its counter", k->name);
		return NULL;
	}
	for (long r = 1; r <= rounds; r++) {
		long v = atomic_load_explicit(c, memory_order_relaxed);

		clab_note("read", v);
		if (gap > 0)
			clab_sleep_ms((uint32_t)gap);
		atomic_store_explicit(c, v + k->step, memory_order_relaxed);
		clab_note("write", v + k->step);
		if (gap > 0)
			clab_sleep_ms((uint32_t)gap);
	}
	total = atomic_load_explicit(c, memory_order_relaxed);
	clab_note("total", total);
	clab_lab_say(ctx, "%s counted %ld (expected %ld)", k->name, total,
		     rounds * k->step);
	return NULL;
}

static int run(const struct clab_lab_ctx *ctx)
{
	struct tls t;
	struct counter k[MAX_THREADS];
	int n = (int)ctx->param[P_THREADS], rc, nk = 0;

	if (n < 1 || n > MAX_THREADS)
		return CLAB_EINVAL;
	memset(&t, 0, sizeof(t));
	t.ctx = ctx;
	atomic_store(&shared_count, 0);
	/* the other variants make no key, so that their traces stay theirs */
	if (ctx->variant == V_KEY) {
		rc = clab_key_create(&t.key, "counter", free);
		if (rc < 0)
			return rc;
	}
	rc = clab_barrier_init(&t.start, "start", (uint32_t)n);
	if (rc < 0)
		goto out_key;
	clab_lab_say(ctx,
		     "%d threads count %ld rounds each, in steps of "
		     "their number (%s)",
		     n, ctx->param[P_ROUNDS], variants[ctx->variant].name);
	for (; nk < n; nk++) {
		snprintf(k[nk].name, sizeof(k[nk].name), "counter-%d", nk + 1);
		k[nk].t = &t;
		k[nk].step = nk + 1;
		rc = clab_thread_create(&k[nk].th, k[nk].name, counter_main,
					&k[nk]);
		if (rc < 0)
			break;
		clab_thread_role(k[nk].th, "counter", (uint32_t)nk + 1);
	}
	if (rc < 0)
		/* The ones that started wait for the rest: let them go. */
		clab_barrier_abort(&t.start);
	for (int i = 0; i < nk; i++)
		clab_thread_join(k[i].th, NULL);
	clab_lab_say(ctx, "every thread is done");
	clab_barrier_destroy(&t.start);
out_key:
	if (ctx->variant == V_KEY)
		clab_key_delete(&t.key);
	return rc < 0 ? rc : 0;
}

/* ---- checker ---- */

/* What the checker knows of one counting thread. */
struct tls_thread {
	uint32_t tid;
	long last; /* its own last write, 0 before the first */
	long total;
	int has_total;
};

static struct tls_thread *tls_thread_of(struct tls_thread *th, size_t *n,
					size_t cap, uint32_t tid)
{
	for (size_t i = 0; i < *n; i++)
		if (th[i].tid == tid)
			return &th[i];
	if (*n == cap)
		return NULL;
	memset(&th[*n], 0, sizeof(th[*n]));
	th[*n].tid = tid;
	return &th[(*n)++];
}

/* A value of a key that a counting thread holds (check_keys). */
struct key_held {
	uint32_t obj, vid, tid;
};

#define KEY_HELD_MAX (4 * MAX_THREADS)

/*
 * What the keys' records say, wherever the counting threads used a key
 * (the key variant, or a solution's clab_key_*): no value of a key was
 * held by two of them at once (a shared value that a key only hides),
 * and each value that a thread still held when it ended was destroyed
 * then, by the key's destructor (key.end).  Nothing when no counting
 * thread set a value of a key.
 */
static void check_keys(const struct clab_trace *tr,
		       const struct clab_lab_ctx *ctx,
		       struct clab_lab_report *rep)
{
	struct key_held h[KEY_HELD_MAX];
	size_t nh = 0, nrec = clab_trace_nrecords(tr);
	long nset = 0, nshared = 0, nleft = 0, nfreed = 0;
	uint64_t shared_rec = UINT64_MAX, left_rec = UINT64_MAX;
	char shared_msg[200] = "", left_msg[160] = "";

	for (size_t i = 0; i < nrec; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		size_t k;

		if (r->kind != CLAB_K_KEY_SET && r->kind != CLAB_K_KEY_END)
			continue;
		if (clab_lab_thread_index(tr, r->tid, "counter", "counter-",
					  ctx->param[P_THREADS] + 1) < 1)
			continue;
		/* the thread's earlier value of this key is no longer its */
		for (k = 0; k < nh; k++)
			if (h[k].obj == r->obj && h[k].tid == r->tid) {
				h[k] = h[--nh];
				break;
			}
		if (r->kind == CLAB_K_KEY_END) {
			if (r->a8)
				nfreed++;
			else if (nleft++ == 0) {
				left_rec = r->seq;
				snprintf(left_msg, sizeof(left_msg),
					 "%s ended holding value %u of %s, "
					 "which has no destructor",
					 clab_trace_thread_label(tr, r->tid),
					 r->a32,
					 clab_trace_object_label(tr, r->obj));
			}
			continue;
		}
		if (!r->a8)
			continue; /* set to NULL */
		nset++;
		for (k = 0; k < nh; k++)
			if (h[k].obj == r->obj && h[k].vid == r->a32)
				break;
		if (k < nh && nshared++ == 0) {
			shared_rec = r->seq;
			snprintf(shared_msg, sizeof(shared_msg),
				 "%s set value %u of %s, which %s holds",
				 clab_trace_thread_label(tr, r->tid), r->a32,
				 clab_trace_object_label(tr, r->obj),
				 clab_trace_thread_label(tr, h[k].tid));
		}
		if (nh < KEY_HELD_MAX)
			h[nh++] = (struct key_held){r->obj, r->a32, r->tid};
	}
	if (nset == 0)
		return;
	if (nshared > 0)
		clab_lab_report_add(rep, "own key value", 0, shared_rec,
				    "%ld value(s) of a key were set by a "
				    "thread while another held them; first %s",
				    nshared, shared_msg);
	else
		clab_lab_report_add(rep, "own key value", 1, UINT64_MAX,
				    "the %ld value(s) set through keys were "
				    "each held by one thread",
				    nset);
	if (nleft > 0)
		clab_lab_report_add(rep, "freed at thread end", 0, left_rec,
				    "%ld value(s) were not destroyed when "
				    "their thread ended; first %s",
				    nleft, left_msg);
	else if (nh > 0)
		clab_lab_report_add_end(rep, "freed at thread end", 0,
					UINT64_MAX,
					"%zu value(s) were still held when "
					"the run ended",
					nh);
	else
		clab_lab_report_add_end(rep, "freed at thread end", 1,
					UINT64_MAX,
					"each value a thread held when it "
					"ended was destroyed then (%ld)",
					nfreed);
}

static void check(const struct clab_trace *tr, const struct clab_lab_ctx *ctx,
		  struct clab_lab_report *rep)
{
	struct tls_thread th[MAX_THREADS + 1];
	size_t nth = 0, nrec = clab_trace_nrecords(tr);
	long rounds = ctx->param[P_ROUNDS], nforeign = 0;
	long wrong = 0, ntotal = 0, added = 0;
	uint64_t foreign_rec = UINT64_MAX, wrong_rec = UINT64_MAX;
	char foreign_msg[160] = "", wrong_msg[160] = "";
	uint32_t last_tid = UINT32_MAX; /* the last write's thread... */
	long last_val = 0;		/* ...and value */

	for (size_t i = 0; i < nrec; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		/* in an exercise, the harness's notes only */
		const char *label = clab_lab_harness_label(tr, r);
		struct tls_thread *t;
		long v;
		int step = label == NULL
			       ? -1
			       : clab_lab_thread_index(
				     tr, r->tid, "counter", "counter-",
				     ctx->param[P_THREADS] + 1);

		if (step < 1)
			continue;
		t = tls_thread_of(th, &nth, MAX_THREADS + 1, r->tid);
		if (t == NULL)
			continue;
		v = (long)r->val;
		if (strcmp(label, "read") == 0) {
			/* its own counter holds what it last wrote */
			if (v != t->last && nforeign++ == 0) {
				int other = last_tid != UINT32_MAX &&
					    last_tid != r->tid && last_val == v;

				foreign_rec = r->seq;
				snprintf(foreign_msg, sizeof(foreign_msg),
					 "%s read %ld where its own last write "
					 "was %ld%s%s%s",
					 clab_trace_thread_label(tr, r->tid), v,
					 t->last, other ? " (" : "",
					 other ? clab_trace_thread_label(
						     tr, last_tid)
					       : "",
					 other ? " wrote it)" : "");
			}
		} else if (strcmp(label, "write") == 0) {
			added += step;
			t->last = v;
			last_tid = r->tid;
			last_val = v;
		} else if (strcmp(label, "total") == 0) {
			t->total = v;
			t->has_total = 1;
			ntotal++;
			if (v != rounds * step && wrong++ == 0) {
				wrong_rec = r->seq;
				snprintf(wrong_msg, sizeof(wrong_msg),
					 "%s ended with %ld, expected %ld",
					 clab_trace_thread_label(tr, r->tid), v,
					 rounds * step);
			}
		}
	}
	if (nforeign > 0)
		clab_lab_report_add(rep, "own counter", 0, foreign_rec,
				    "%ld read(s) saw a value their thread had "
				    "not written; first %s",
				    nforeign, foreign_msg);
	else
		clab_lab_report_add(rep, "own counter", 1, UINT64_MAX,
				    "each thread read back only what it "
				    "had written itself");
	/* one counter for all: its last write says how many rounds it kept */
	if (nforeign > 0)
		clab_lab_report_info(
		    rep, "lost updates",
		    "if one counter was shared, its writes added %ld "
		    "and left it at %ld: %ld lost",
		    added, last_val, added - last_val);

	if (wrong > 0)
		clab_lab_report_add(rep, "each counted its rounds", 0,
				    wrong_rec, "%ld thread(s) ended wrong; %s",
				    wrong, wrong_msg);
	else if (ntotal != ctx->param[P_THREADS])
		clab_lab_report_add_end(rep, "each counted its rounds", 0,
					UINT64_MAX,
					"%ld of %ld thread(s) said how far "
					"they counted",
					ntotal, ctx->param[P_THREADS]);
	else
		clab_lab_report_add_end(rep, "each counted its rounds", 1,
					UINT64_MAX,
					"each of the %ld thread(s) ended with "
					"%ld times its number",
					ntotal, rounds);
	check_keys(tr, ctx, rep);
	clab_lab_check_common(tr, rep);
}

const struct clab_lab clab_lab_tls = {
    .name = "tls",
    .summary = "thread-local state: each thread's own counter",
    .idea = "a thread-local variable is one for each thread, so it needs "
	    "no lock; a global where a thread-local one was meant is shared "
	    "by every thread, and counts everyone's rounds",
    .topic = CLAB_TOPIC_MUTEX,
    .teaches = "thread-local state is each thread's own; a global is not",
    .variants = variants,
    .nvariants = V_COUNT,
    .params = params,
    .nparams = P_COUNT,
    .run = run,
    .check = check,
};
