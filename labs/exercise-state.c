/*
 * The harnesses of the catalogue's exercises on the state a lock or a
 * thread keeps, as exercise-more.c's (labs/exercise.c holds the table).
 * The checkers trust only the notes made in this file
 * (clab_lab_harness_label), never a solution's notes of the same label.
 *
 * rlock         two parts on two of the student's locks.  The counter:
 *               threads user-N (role "user") call incr(2) and decr(1)
 *               `rounds` times; incr() locks, adds to the harness's own
 *               counter ("value" (new value, delta)) and unlocks; decr()
 *               locks, pauses 1 ms, calls incr(), pauses 1 ms and
 *               unlocks; main notes
 *               "total" (the counter) at the end.  The box: a consumer
 *               locks `depth` times and takes items 1..`rounds` ("take"),
 *               a producer locks once to put each ("put"), each waiting
 *               with rl_wait() while the box is not as it needs it.
 *               Every rl_lock() is followed by "enter" (level, part),
 *               every rl_unlock() preceded by "leave" (level, part), and
 *               rl_wait() is between "wait" (level, part) and "woke"
 *               (level, part); the part is 1 for the counter, 2 for the
 *               box, and the level is the harness's own count
 * tls           threads counter-N (role "counter" N) that start together
 *               at the barrier "start" and count `rounds` rounds in steps
 *               of N on the student's thread-local value: "read" (what
 *               local_get() returned), a pause of `gap_ms`, "write" (what
 *               it gave local_set()), a pause; then "total" (local_get())
 */
#include <stdatomic.h>
#include <stdio.h>

#include <conclab/runtime.h>

#include "exercise-int.h"
#include "starters/rlock.h"
#include "starters/tls.h"

/* ---- rlock ---- */

enum { RL_COUNTER = 1, RL_BOX = 2 }; /* the parts, in the notes' a32 */

struct rl_fns {
	struct rlock *(*new)(void);
	void (*lock)(struct rlock *);
	void (*unlock)(struct rlock *);
	void (*wait)(struct rlock *);
	void (*notify_all)(struct rlock *);
	void (*free)(struct rlock *);
};

/* One of the student's locks, and what the harness keeps under it. */
struct rl_guarded {
	const struct clab_lab_ctx *ctx;
	const struct rl_fns *fn;
	struct rlock *l;
	uint32_t part;
	_Atomic long value; /* the counter; the box's item, 0 when empty */
};

struct rl_thread {
	struct rl_guarded *g;
	long level; /* how many times this thread holds g->l */
	clab_thread_t *th;
	char name[24];
};

static void rl_enter(struct rl_thread *t)
{
	t->g->fn->lock(t->g->l);
	clab_note2("enter", ++t->level, t->g->part);
}

static void rl_leave(struct rl_thread *t)
{
	clab_note2("leave", t->level--, t->g->part);
	t->g->fn->unlock(t->g->l);
}

static void rl_wait_once(struct rl_thread *t)
{
	clab_note2("wait", t->level, t->g->part);
	t->g->fn->wait(t->g->l);
	clab_note2("woke", t->level, t->g->part);
}

static void rl_incr(struct rl_thread *t, long delta)
{
	rl_enter(t);
	/* a note between the read and the write: another thread inside
	 * then loses an update */
	long v = atomic_load(&t->g->value) + delta;
	clab_note2("value", v, (uint32_t)(int32_t)delta);
	atomic_store(&t->g->value, v);
	rl_leave(t);
}

static void rl_decr(struct rl_thread *t, long delta)
{
	rl_enter(t);
	/* inside a while before and after incr(): held by this thread
	 * alone, and still held after incr() let go of its level */
	clab__exercise_pause(1);
	rl_incr(t, -delta);
	clab__exercise_pause(1);
	rl_leave(t);
}

static void *rl_user_main(void *arg)
{
	struct rl_thread *t = arg;

	clab__exercise_harness(-1);
	for (long r = 0; r < clab__exercise_param(t->g->ctx, "rounds"); r++) {
		rl_incr(t, 2);
		rl_decr(t, 1);
	}
	return NULL;
}

static void *rl_consumer_main(void *arg)
{
	struct rl_thread *t = arg;
	struct rl_guarded *g = t->g;
	long depth = clab__exercise_param(g->ctx, "depth");

	clab__exercise_harness(-1);
	for (long i = 1; i <= clab__exercise_param(g->ctx, "rounds"); i++) {
		while (t->level < depth)
			rl_enter(t);
		while (atomic_load(&g->value) == 0)
			rl_wait_once(t);
		clab_note("take", atomic_exchange(&g->value, 0));
		g->fn->notify_all(g->l);
		while (t->level > 0) {
			rl_leave(t);
			/* held a while at the last level: the wait must
			 * have given back every level */
			if (t->level == 1)
				clab__exercise_pause(1);
		}
	}
	return NULL;
}

static void *rl_producer_main(void *arg)
{
	struct rl_thread *t = arg;
	struct rl_guarded *g = t->g;

	clab__exercise_harness(-1);
	for (long i = 1; i <= clab__exercise_param(g->ctx, "rounds"); i++) {
		rl_enter(t);
		while (atomic_load(&g->value) != 0)
			rl_wait_once(t);
		atomic_store(&g->value, i);
		clab_note("put", i);
		g->fn->notify_all(g->l);
		rl_leave(t);
	}
	return NULL;
}

/*
 * Run n threads, thread i from mains[i], on g (a new lock of the
 * student's), named names[i] or "user-N", and join them; 0 or a negative
 * error.
 */
static int rl_part(struct rl_guarded *g, void *(*mains[])(void *),
		   const char *const *names, int n)
{
	struct rl_thread t[16];
	struct rlock *(*make)(void) = g->fn->new;
	int rc = 0, nt = 0;

	g->l = make();
	if (g->l == NULL)
		return CLAB_ENOMEM;
	atomic_init(&g->value, 0);
	for (; rc == 0 && nt < n; nt++) {
		t[nt] = (struct rl_thread){.g = g};
		if (names != NULL)
			snprintf(t[nt].name, sizeof(t[nt].name), "%s",
				 names[nt]);
		else
			snprintf(t[nt].name, sizeof(t[nt].name), "user-%d",
				 nt + 1);
		rc = clab_thread_create(&t[nt].th, t[nt].name, mains[nt],
					&t[nt]);
		if (rc == 0 && names == NULL)
			clab_thread_role(t[nt].th, "user", (uint32_t)nt);
	}
	if (rc < 0)
		nt--;
	/* A thread that did not start leaves the other waiting on the box:
	 * the watchdog ends the run. */
	for (int i = 0; i < nt; i++)
		clab_thread_join(t[i].th, NULL);
	return rc;
}

static int rlock_run(const struct clab_lab_ctx *ctx,
		     clab_exercise_lookup_fn lookup, void *arg)
{
	struct rl_fns fn;
	struct rl_guarded counter, box;
	void *(*users[16])(void *);
	void *(*box_main[2])(void *) = {rl_consumer_main, rl_producer_main};
	static const char *const box_names[2] = {"consumer", "producer"};
	int n = (int)clab__exercise_param(ctx, "threads"), rc;

	clab__exercise_harness(-1);
	*(void **)&fn.new = lookup("rl_new", arg);
	*(void **)&fn.lock = lookup("rl_lock", arg);
	*(void **)&fn.unlock = lookup("rl_unlock", arg);
	*(void **)&fn.wait = lookup("rl_wait", arg);
	*(void **)&fn.notify_all = lookup("rl_notify_all", arg);
	*(void **)&fn.free = lookup("rl_free", arg);
	if (fn.new == NULL || fn.lock == NULL || fn.unlock == NULL ||
	    fn.wait == NULL || fn.notify_all == NULL || n < 1 || n > 16)
		return CLAB_EINVAL;
	for (int i = 0; i < n; i++)
		users[i] = rl_user_main;
	counter =
	    (struct rl_guarded){.ctx = ctx, .fn = &fn, .part = RL_COUNTER};
	rc = rl_part(&counter, users, NULL, n);
	if (counter.l == NULL)
		return rc;
	if (rc == 0)
		clab_note("total", atomic_load(&counter.value));
	if (fn.free != NULL)
		fn.free(counter.l);
	if (rc < 0)
		return rc;
	box = (struct rl_guarded){.ctx = ctx, .fn = &fn, .part = RL_BOX};
	rc = rl_part(&box, box_main, box_names, 2);
	if (box.l != NULL && fn.free != NULL)
		fn.free(box.l);
	return rc;
}

/* ---- tls ---- */

struct tl_fns {
	struct local *(*new)(void);
	long (*get)(struct local *);
	void (*set)(struct local *, long);
	void (*free)(struct local *);
};

struct tl_run {
	const struct clab_lab_ctx *ctx;
	const struct tl_fns *fn;
	struct local *l;
	clab_barrier_t start;
};

struct tl_counter {
	struct tl_run *run;
	long step; /* its number: what it adds each round */
	clab_thread_t *th;
	char name[24];
};

static void *tl_counter_main(void *arg)
{
	struct tl_counter *c = arg;
	struct tl_run *tr = c->run;
	long gap = clab__exercise_param(tr->ctx, "gap_ms");

	clab__exercise_harness(-1);
	/* every thread starts counting at once; aborted: not all started */
	if (clab_barrier_wait(&tr->start) < 0)
		return NULL;
	for (long r = 1; r <= clab__exercise_param(tr->ctx, "rounds"); r++) {
		long v = tr->fn->get(tr->l);
		clab_note("read", v);
		clab__exercise_pause(gap);
		tr->fn->set(tr->l, v + c->step);
		clab_note("write", v + c->step);
		clab__exercise_pause(gap);
	}
	clab_note("total", tr->fn->get(tr->l));
	return NULL;
}

static int tls_run(const struct clab_lab_ctx *ctx,
		   clab_exercise_lookup_fn lookup, void *arg)
{
	struct tl_fns fn;
	struct tl_run tr;
	struct tl_counter c[16];
	int n = (int)clab__exercise_param(ctx, "threads"), rc, nc = 0;

	clab__exercise_harness(-1);
	*(void **)&fn.new = lookup("local_new", arg);
	*(void **)&fn.get = lookup("local_get", arg);
	*(void **)&fn.set = lookup("local_set", arg);
	*(void **)&fn.free = lookup("local_free", arg);
	if (fn.new == NULL || fn.get == NULL || fn.set == NULL || n < 1 ||
	    n > 16)
		return CLAB_EINVAL;
	tr = (struct tl_run){.ctx = ctx, .fn = &fn};
	tr.l = fn.new();
	if (tr.l == NULL)
		return CLAB_ENOMEM;
	rc = clab_barrier_init(&tr.start, "start", (uint32_t)n);
	if (rc < 0)
		goto out;
	for (; rc == 0 && nc < n; nc++) {
		c[nc] = (struct tl_counter){.run = &tr, .step = nc + 1};
		snprintf(c[nc].name, sizeof(c[nc].name), "counter-%d", nc + 1);
		rc = clab_thread_create(&c[nc].th, c[nc].name, tl_counter_main,
					&c[nc]);
		if (rc == 0)
			clab_thread_role(c[nc].th, "counter", (uint32_t)nc + 1);
	}
	if (rc < 0) {
		nc--;
		clab_barrier_abort(
		    &tr.start); /* let the ones that started go */
	}
	for (int i = 0; i < nc; i++)
		clab_thread_join(c[i].th, NULL);
	clab_barrier_destroy(&tr.start);
out:
	if (fn.free != NULL)
		fn.free(tr.l);
	return rc;
}

/* ---- the exercises ---- */

static const char *const rl_required[] = {
    "rl_new", "rl_lock", "rl_unlock", "rl_wait", "rl_notify_all", NULL};
static const char *const rl_optional[] = {"rl_free", NULL};
static const char *const tl_required[] = {"local_new", "local_get", "local_set",
					  NULL};
static const char *const tl_optional[] = {"local_free", NULL};

const struct clab_exercise clab__exercise_rlock = {
    .lab = &clab_lab_rlock,
    .summary = "a recursive lock on a plain mutex, and a wait over it: rl_*()",
    .required = rl_required,
    .optional = rl_optional,
    .run = rlock_run,
};

const struct clab_exercise clab__exercise_tls = {
    .lab = &clab_lab_tls,
    .summary = "a value for each thread, as threading.local(): local_*()",
    .required = tl_required,
    .optional = tl_optional,
    .run = tls_run,
};
