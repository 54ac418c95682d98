/*
 * The harnesses of the catalogue's exercises, as labs/exercise.c's (which
 * holds the table): each runs a lab's threads against the student's
 * functions and records the annotations that the lab's checker reads.
 *
 * race          threads counter-N that call counter_add(), which records
 *               "read" and "write" itself (the macros of race.h), after a
 *               barrier "start"; "total" (counter_value()) at the end
 * semaphore     threads worker-N that go in with csem_acquire() and out
 *               with csem_release(): "enter" (round) after the one,
 *               "leave" (round) before the other
 * lockorder     worker-1 (a to b) and worker-2 (b to a): "both" (round)
 *               between lock_both() and unlock_both(), over the
 *               harness's mutexes lock-a and lock-b
 * barrier       threads party-N: "step" (s) under the harness's mutex
 *               board, then "done" (s) under it before each bar_wait()
 * rwlock        threads reader-N and writer-N, as labs/rwlock.c's, on the
 *               student's lock: "want-read" / "want-write" before a lock
 *               call, "read-in" / "write-in" after it, then "read" (both
 *               fields) and "write" (the value) as the lab's
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/runtime.h>

#include "exercise-int.h"
#include "starters/barrier.h"
#include "starters/lockorder.h"
#include "starters/race.h"
#include "starters/rwlock.h"
#include "starters/semaphore.h"

/* ---- race ---- */

struct race_fns {
	struct counter *(*new)(void);
	void (*add)(struct counter *);
	long (*value)(struct counter *);
	void (*free)(struct counter *);
};

struct racer {
	const struct clab_lab_ctx *ctx;
	const struct race_fns *fn;
	struct counter *c;
	clab_barrier_t *start;
	clab_thread_t *th;
	char name[24];
};

static void *racer_main(void *arg)
{
	struct racer *r = arg;

	clab__exercise_harness(-1);
	/* every thread starts counting at once; aborted: not all started */
	if (clab_barrier_wait(r->start) < 0)
		return NULL;
	for (long k = 0; k < clab__exercise_param(r->ctx, "rounds"); k++)
		r->fn->add(r->c);
	return NULL;
}

static int race_run(const struct clab_lab_ctx *ctx,
		    clab_exercise_lookup_fn lookup, void *arg)
{
	struct race_fns fn;
	struct racer r[16];
	clab_barrier_t start;
	int n = (int)clab__exercise_param(ctx, "threads"), rc, nth = 0;

	clab__exercise_harness(-1);
	*(void **)&fn.new = lookup("counter_new", arg);
	*(void **)&fn.add = lookup("counter_add", arg);
	*(void **)&fn.value = lookup("counter_value", arg);
	*(void **)&fn.free = lookup("counter_free", arg);
	if (fn.new == NULL || fn.add == NULL || fn.value == NULL || n < 1 ||
	    n > 16)
		return CLAB_EINVAL;
	struct counter *c = fn.new();
	if (c == NULL)
		return CLAB_ENOMEM;
	rc = clab_barrier_init(&start, "start", (uint32_t)n);
	if (rc < 0)
		goto out;
	for (; rc == 0 && nth < n; nth++) {
		r[nth] = (struct racer){.ctx = ctx, .fn = &fn, .c = c};
		r[nth].start = &start;
		snprintf(r[nth].name, sizeof(r[nth].name), "counter-%d",
			 nth + 1);
		rc = clab_thread_create(&r[nth].th, r[nth].name, racer_main,
					&r[nth]);
	}
	if (rc < 0) {
		nth--;
		clab_barrier_abort(&start); /* let the ones that started go */
	}
	for (int i = 0; i < nth; i++)
		clab_thread_join(r[i].th, NULL);
	if (rc == 0)
		clab_note("total", fn.value(c));
	clab_barrier_destroy(&start);
out:
	if (fn.free != NULL)
		fn.free(c);
	return rc < 0 ? rc : 0;
}

/* ---- semaphore ---- */

struct csem_fns {
	struct csem *(*new)(int);
	void (*acquire)(struct csem *);
	void (*release)(struct csem *);
	void (*free)(struct csem *);
};

struct sem_worker {
	const struct clab_lab_ctx *ctx;
	const struct csem_fns *fn;
	struct csem *s;
	clab_thread_t *th;
	char name[24];
};

static void *sem_worker_main(void *arg)
{
	struct sem_worker *w = arg;
	long rounds = clab__exercise_param(w->ctx, "rounds");

	clab__exercise_harness(-1);
	for (long r = 1; r <= rounds; r++) {
		w->fn->acquire(w->s);
		clab_note("enter", r);
		clab__exercise_pause(clab__exercise_param(w->ctx, "work_ms"));
		clab_note("leave", r);
		w->fn->release(w->s);
	}
	return NULL;
}

static int sem_run(const struct clab_lab_ctx *ctx,
		   clab_exercise_lookup_fn lookup, void *arg)
{
	struct csem_fns fn;
	struct sem_worker w[32];
	int n = (int)clab__exercise_param(ctx, "workers"), rc = 0, nw = 0;

	clab__exercise_harness(-1);
	*(void **)&fn.new = lookup("csem_new", arg);
	*(void **)&fn.acquire = lookup("csem_acquire", arg);
	*(void **)&fn.release = lookup("csem_release", arg);
	*(void **)&fn.free = lookup("csem_free", arg);
	if (fn.new == NULL || fn.acquire == NULL || fn.release == NULL ||
	    n < 1 || n > 32)
		return CLAB_EINVAL;
	struct csem *s = fn.new((int)clab__exercise_param(ctx, "limit"));
	if (s == NULL)
		return CLAB_ENOMEM;
	for (; rc == 0 && nw < n; nw++) {
		w[nw] = (struct sem_worker){.ctx = ctx, .fn = &fn, .s = s};
		snprintf(w[nw].name, sizeof(w[nw].name), "worker-%d", nw + 1);
		rc = clab_thread_create(&w[nw].th, w[nw].name, sem_worker_main,
					&w[nw]);
	}
	if (rc < 0)
		nw--;
	for (int i = 0; i < nw; i++)
		clab_thread_join(w[i].th, NULL);
	if (fn.free != NULL)
		fn.free(s);
	return rc < 0 ? rc : 0;
}

/* ---- lockorder ---- */

struct lo_fns {
	void (*lock)(struct account *, struct account *);
	void (*unlock)(struct account *, struct account *);
};

struct lo_worker {
	const struct clab_lab_ctx *ctx;
	const struct lo_fns *fn;
	struct account *from, *to;
	clab_thread_t *th;
};

static void *lo_worker_main(void *arg)
{
	struct lo_worker *w = arg;

	clab__exercise_harness(-1);
	for (long r = 1; r <= clab__exercise_param(w->ctx, "rounds"); r++) {
		w->fn->lock(w->from, w->to);
		w->from->balance -= 10;
		w->to->balance += 10;
		clab_note("both", r);
		clab__exercise_pause(clab__exercise_param(w->ctx, "hold_ms"));
		w->fn->unlock(w->from, w->to);
	}
	return NULL;
}

static int lo_run(const struct clab_lab_ctx *ctx,
		  clab_exercise_lookup_fn lookup, void *arg)
{
	struct lo_fns fn;
	struct account acc[2];
	struct lo_worker w[2];
	int rc = 0, nw = 0;

	clab__exercise_harness(-1);
	*(void **)&fn.lock = lookup("lock_both", arg);
	*(void **)&fn.unlock = lookup("unlock_both", arg);
	if (fn.lock == NULL || fn.unlock == NULL)
		return CLAB_EINVAL;
	memset(acc, 0, sizeof(acc));
	/* Made in this order, which is the global lock order. */
	for (int i = 0; i < 2; i++) {
		acc[i].number = i + 1;
		acc[i].balance = 100 + 5 * i;
		rc = clab_mutex_init(&acc[i].lock, i ? "lock-b" : "lock-a",
				     CLAB_MUTEX_NORMAL);
		if (rc < 0) {
			if (i)
				clab_mutex_destroy(&acc[0].lock);
			return rc;
		}
	}
	for (; rc == 0 && nw < 2; nw++) {
		w[nw] = (struct lo_worker){.ctx = ctx, .fn = &fn};
		w[nw].from = &acc[nw];
		w[nw].to = &acc[1 - nw];
		rc = clab_thread_create(&w[nw].th, nw ? "worker-2" : "worker-1",
					lo_worker_main, &w[nw]);
	}
	if (rc < 0)
		nw--;
	for (int i = 0; i < nw; i++)
		clab_thread_join(w[i].th, NULL);
	clab_mutex_destroy(&acc[0].lock);
	clab_mutex_destroy(&acc[1].lock);
	return rc < 0 ? rc : 0;
}

/* ---- barrier ---- */

struct bar_fns {
	struct bar *(*new)(int);
	void (*wait)(struct bar *);
	void (*free)(struct bar *);
};

struct bar_run {
	const struct clab_lab_ctx *ctx;
	const struct bar_fns *fn;
	struct bar *b;
	clab_mutex_t board; /* the notes' order is the steps' order */
};

struct bar_party {
	struct bar_run *run;
	clab_thread_t *th;
	char name[24];
};

static void *bar_party_main(void *arg)
{
	struct bar_party *p = arg;
	struct bar_run *br = p->run;
	long steps = 2 * clab__exercise_param(br->ctx, "rounds");

	clab__exercise_harness(-1);
	for (long s = 1; s <= steps; s++) {
		clab_mutex_lock(&br->board);
		clab_note("step", s);
		clab_mutex_unlock(&br->board);
		/* the first step of a round takes work, the second none: a
		 * party may be back at the barrier at once */
		if (s % 2 == 1)
			clab__exercise_pause(
			    clab__exercise_param(br->ctx, "work_ms"));
		clab_mutex_lock(&br->board);
		clab_note("done", s);
		clab_mutex_unlock(&br->board);
		br->fn->wait(br->b);
	}
	return NULL;
}

static int barrier_run(const struct clab_lab_ctx *ctx,
		       clab_exercise_lookup_fn lookup, void *arg)
{
	struct bar_fns fn;
	struct bar_run br;
	struct bar_party p[16];
	int n = (int)clab__exercise_param(ctx, "parties"), rc, np = 0;

	clab__exercise_harness(-1);
	*(void **)&fn.new = lookup("bar_new", arg);
	*(void **)&fn.wait = lookup("bar_wait", arg);
	*(void **)&fn.free = lookup("bar_free", arg);
	if (fn.new == NULL || fn.wait == NULL || n < 2 || n > 16)
		return CLAB_EINVAL;
	br = (struct bar_run){.ctx = ctx, .fn = &fn};
	rc = clab_mutex_init(&br.board, "board", CLAB_MUTEX_NORMAL);
	if (rc < 0)
		return rc;
	br.b = fn.new(n);
	if (br.b == NULL) {
		clab_mutex_destroy(&br.board);
		return CLAB_ENOMEM;
	}
	/* A party that did not start leaves the others waiting for it: the
	 * watchdog ends the run. */
	for (; rc == 0 && np < n; np++) {
		p[np] = (struct bar_party){.run = &br};
		snprintf(p[np].name, sizeof(p[np].name), "party-%d", np + 1);
		rc = clab_thread_create(&p[np].th, p[np].name, bar_party_main,
					&p[np]);
	}
	if (rc < 0)
		np--;
	for (int i = 0; i < np; i++)
		clab_thread_join(p[i].th, NULL);
	if (fn.free != NULL)
		fn.free(br.b);
	clab_mutex_destroy(&br.board);
	return rc < 0 ? rc : 0;
}

/* ---- rwlock ---- */

struct rw_fns {
	struct rw *(*new)(void);
	void (*rlock)(struct rw *);
	void (*runlock)(struct rw *);
	void (*wlock)(struct rw *);
	void (*wunlock)(struct rw *);
	void (*free)(struct rw *);
};

struct rw_table {
	const struct clab_lab_ctx *ctx;
	const struct rw_fns *fn;
	struct rw *l;
	_Atomic long first, second; /* a write changes both; a read sees both */
};

struct rw_actor {
	struct rw_table *tb;
	int index; /* from 0 */
	clab_thread_t *th;
	char name[24];
};

static void *rw_reader_main(void *arg)
{
	struct rw_actor *a = arg;
	struct rw_table *tb = a->tb;
	long read = clab__exercise_param(tb->ctx, "read_ms");

	clab__exercise_harness(-1);
	/* the readers start spread over a read, so that they overlap */
	clab__exercise_pause(a->index * read /
			     clab__exercise_param(tb->ctx, "readers"));
	for (long r = 1; r <= clab__exercise_param(tb->ctx, "rounds"); r++) {
		clab_note("want-read", r);
		tb->fn->rlock(tb->l);
		clab_note("read-in", r);
		long first = atomic_load(&tb->first);
		clab__exercise_pause(read);
		long second = atomic_load(&tb->second);
		clab_note2("read", first, second);
		tb->fn->runlock(tb->l);
		clab__exercise_pause(clab__exercise_param(tb->ctx, "think_ms"));
	}
	return NULL;
}

static void *rw_writer_main(void *arg)
{
	struct rw_actor *a = arg;
	struct rw_table *tb = a->tb;

	clab__exercise_harness(-1);
	clab__exercise_pause(clab__exercise_param(tb->ctx, "start_ms"));
	for (long w = 1; w <= clab__exercise_param(tb->ctx, "writes"); w++) {
		clab_note("want-write", w);
		tb->fn->wlock(tb->l);
		clab_note("write-in", w);
		long v = atomic_load(&tb->first) + 1;
		atomic_store(&tb->first, v);
		clab__exercise_pause(clab__exercise_param(tb->ctx, "write_ms"));
		atomic_store(&tb->second, v);
		clab_note("write", v);
		tb->fn->wunlock(tb->l);
		clab__exercise_pause(clab__exercise_param(tb->ctx, "think_ms"));
	}
	return NULL;
}

static int rw_run(const struct clab_lab_ctx *ctx,
		  clab_exercise_lookup_fn lookup, void *arg)
{
	struct rw_fns fn;
	struct rw_table tb;
	struct rw_actor rd[16], wr[8];
	int nr = (int)clab__exercise_param(ctx, "readers");
	int nw = (int)clab__exercise_param(ctx, "writers");
	int rc = 0, sr = 0, sw = 0;

	clab__exercise_harness(-1);
	*(void **)&fn.new = lookup("rw_new", arg);
	*(void **)&fn.rlock = lookup("rw_read_lock", arg);
	*(void **)&fn.runlock = lookup("rw_read_unlock", arg);
	*(void **)&fn.wlock = lookup("rw_write_lock", arg);
	*(void **)&fn.wunlock = lookup("rw_write_unlock", arg);
	*(void **)&fn.free = lookup("rw_free", arg);
	if (fn.new == NULL || fn.rlock == NULL || fn.runlock == NULL ||
	    fn.wlock == NULL || fn.wunlock == NULL || nr < 1 || nr > 16 ||
	    nw < 1 || nw > 8)
		return CLAB_EINVAL;
	tb = (struct rw_table){.ctx = ctx, .fn = &fn};
	atomic_init(&tb.first, 0);
	atomic_init(&tb.second, 0);
	tb.l = fn.new();
	if (tb.l == NULL)
		return CLAB_ENOMEM;
	for (; rc == 0 && sr < nr; sr++) {
		rd[sr] = (struct rw_actor){.tb = &tb, .index = sr};
		snprintf(rd[sr].name, sizeof(rd[sr].name), "reader-%d", sr + 1);
		rc = clab_thread_create(&rd[sr].th, rd[sr].name, rw_reader_main,
					&rd[sr]);
	}
	if (rc < 0)
		sr--;
	for (; rc == 0 && sw < nw; sw++) {
		wr[sw] = (struct rw_actor){.tb = &tb, .index = sw};
		snprintf(wr[sw].name, sizeof(wr[sw].name), "writer-%d", sw + 1);
		rc = clab_thread_create(&wr[sw].th, wr[sw].name, rw_writer_main,
					&wr[sw]);
	}
	if (rc < 0 && sw > 0)
		sw--;
	for (int i = 0; i < sr; i++)
		clab_thread_join(rd[i].th, NULL);
	for (int i = 0; i < sw; i++)
		clab_thread_join(wr[i].th, NULL);
	if (fn.free != NULL)
		fn.free(tb.l);
	return rc < 0 ? rc : 0;
}

/* ---- the exercises ---- */

static const char *const race_required[] = {"counter_new", "counter_add",
					    "counter_value", NULL};
static const char *const race_optional[] = {"counter_free", NULL};
static const char *const sem_required[] = {"csem_new", "csem_acquire",
					   "csem_release", NULL};
static const char *const sem_optional[] = {"csem_free", NULL};
static const char *const lo_required[] = {"lock_both", "unlock_both", NULL};
static const char *const lo_optional[] = {NULL};
static const char *const bar_required[] = {"bar_new", "bar_wait", NULL};
static const char *const bar_optional[] = {"bar_free", NULL};
static const char *const rw_required[] = {"rw_new",	     "rw_read_lock",
					  "rw_read_unlock",  "rw_write_lock",
					  "rw_write_unlock", NULL};
static const char *const rw_optional[] = {"rw_free", NULL};

const struct clab_exercise clab__exercise_race = {
    .lab = &clab_lab_race,
    .summary = "a shared counter: counter_add() that loses no update",
    .required = race_required,
    .optional = race_optional,
    .run = race_run,
};

const struct clab_exercise clab__exercise_semaphore = {
    .lab = &clab_lab_semaphore,
    .summary = "a counting semaphore made with a condition variable: "
	       "csem_*()",
    .required = sem_required,
    .optional = sem_optional,
    .run = sem_run,
};

const struct clab_exercise clab__exercise_lockorder = {
    .lab = &clab_lab_lockorder,
    .summary = "transfers between two accounts: lock_both() in one order",
    .required = lo_required,
    .optional = lo_optional,
    .run = lo_run,
};

const struct clab_exercise clab__exercise_barrier = {
    .lab = &clab_lab_barrier,
    .summary = "a reusable barrier made with a condition variable: "
	       "bar_wait()",
    .required = bar_required,
    .optional = bar_optional,
    .run = barrier_run,
};

const struct clab_exercise clab__exercise_rwlock = {
    .lab = &clab_lab_rwlock,
    .summary = "a reader-writer lock that starves no writer: rw_*_lock()",
    .required = rw_required,
    .optional = rw_optional,
    .run = rw_run,
};
