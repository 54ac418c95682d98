/*
 * The harnesses of the task labs' exercises (actor, pool, coop), as
 * exercise-more.c's: each runs a lab's threads against the student's
 * functions and records the annotations that the lab's checker reads.
 * The checkers trust only the notes made in this file and exercise.c
 * (clab_lab_harness_label), never a solution's notes of the same label.
 *
 * actor         main sends messages 1..`messages` with mbox_put(),
 *               "publish" (m) before each, then MBOX_EXIT; the thread
 *               actor-1 takes them with mbox_get(): "recv" (m, 1) for a
 *               message, "exit" (1) for the sentinel, where it stops
 * pool          main makes a future with fut_new() for each job 1..`jobs`,
 *               "submit" (j); worker-N take the jobs in turn, work, note
 *               "job-done" (j, j * j) and call fut_set(); main reads the
 *               results in job order with fut_get(): "result" (j, value)
 * coop          threads task-N (role "task" N): rr_wait_turn(), "run" (k),
 *               "step" (k), then "yield" (k) or, after the last step,
 *               "done" (k), and rr_yield(), as labs/coop.c's tasks
 */
#include <stdint.h>
#include <stdio.h>

#include <conclab/runtime.h>

#include "exercise-int.h"
#include "starters/actor.h"
#include "starters/coop.h"
#include "starters/pool.h"

/* ---- actor ---- */

struct mbox_fns {
	struct mbox *(*new)(void);
	void (*put)(struct mbox *, long);
	long (*get)(struct mbox *);
	void (*free)(struct mbox *);
};

struct mbox_actor {
	const struct clab_lab_ctx *ctx;
	const struct mbox_fns *fn;
	struct mbox *m;
};

static void *mbox_actor_main(void *arg)
{
	struct mbox_actor *a = arg;
	long work = clab__exercise_param(a->ctx, "work_ms");

	clab__exercise_harness(-1);
	for (;;) {
		long msg = a->fn->get(a->m);
		if (msg == MBOX_EXIT) {
			clab_note("exit", 1);
			break;
		}
		clab_note2("recv", msg, 1);
		clab__exercise_pause(work);
	}
	return NULL;
}

static int actor_run(const struct clab_lab_ctx *ctx,
		     clab_exercise_lookup_fn lookup, void *arg)
{
	struct mbox_fns fn;
	struct mbox_actor a;
	clab_thread_t *th;
	long msgs = clab__exercise_param(ctx, "messages");
	int rc;

	clab__exercise_harness(-1);
	*(void **)&fn.new = lookup("mbox_new", arg);
	*(void **)&fn.put = lookup("mbox_put", arg);
	*(void **)&fn.get = lookup("mbox_get", arg);
	*(void **)&fn.free = lookup("mbox_free", arg);
	if (fn.new == NULL || fn.put == NULL || fn.get == NULL)
		return CLAB_EINVAL;
	a = (struct mbox_actor){.ctx = ctx, .fn = &fn, .m = fn.new()};
	if (a.m == NULL)
		return CLAB_ENOMEM;
	rc = clab_thread_create(&th, "actor-1", mbox_actor_main, &a);
	if (rc == 0) {
		for (long m = 1; m <= msgs; m++) {
			/* now an empty mailbox, now two messages in it */
			if (m % 2 == 1)
				clab__exercise_pause(
				    clab__exercise_param(ctx, "work_ms"));
			clab_note("publish", m);
			fn.put(a.m, m);
		}
		fn.put(a.m, MBOX_EXIT);
		clab_thread_join(th, NULL);
	}
	if (fn.free != NULL)
		fn.free(a.m);
	return rc;
}

/* ---- pool ---- */

#define POOL_MAX_JOBS 64 /* the pool lab's limit */

struct fut_fns {
	struct fut *(*new)(void);
	void (*set)(struct fut *, long);
	long (*get)(struct fut *);
	void (*free)(struct fut *);
};

struct fut_jobs {
	const struct clab_lab_ctx *ctx;
	const struct fut_fns *fn;
	struct fut *f[POOL_MAX_JOBS + 1];
	long njobs, nworkers;
};

struct fut_worker {
	struct fut_jobs *jobs;
	long index; /* from 0 */
	clab_thread_t *th;
	char name[24];
};

static void *fut_worker_main(void *arg)
{
	struct fut_worker *w = arg;
	struct fut_jobs *jb = w->jobs;

	clab__exercise_harness(-1);
	for (long j = w->index + 1; j <= jb->njobs; j += jb->nworkers) {
		clab__exercise_pause(clab__exercise_param(jb->ctx, "work_ms"));
		clab_note2("job-done", j, j * j);
		jb->fn->set(jb->f[j], j * j);
	}
	return NULL;
}

static int pool_run(const struct clab_lab_ctx *ctx,
		    clab_exercise_lookup_fn lookup, void *arg)
{
	struct fut_fns fn;
	struct fut_jobs jb;
	struct fut_worker w[32];
	int rc = 0, nw = 0;
	long made = 0;

	clab__exercise_harness(-1);
	*(void **)&fn.new = lookup("fut_new", arg);
	*(void **)&fn.set = lookup("fut_set", arg);
	*(void **)&fn.get = lookup("fut_get", arg);
	*(void **)&fn.free = lookup("fut_free", arg);
	jb = (struct fut_jobs){.ctx = ctx, .fn = &fn};
	jb.njobs = clab__exercise_param(ctx, "jobs");
	jb.nworkers = clab__exercise_param(ctx, "workers");
	if (fn.new == NULL || fn.set == NULL || fn.get == NULL ||
	    jb.njobs < 1 || jb.njobs > POOL_MAX_JOBS || jb.nworkers < 1 ||
	    jb.nworkers > 32)
		return CLAB_EINVAL;
	for (long j = 1; j <= jb.njobs && rc == 0; j++, made++) {
		jb.f[j] = fn.new();
		if (jb.f[j] == NULL)
			rc = CLAB_ENOMEM;
		else
			clab_note("submit", j);
	}
	for (; rc == 0 && nw < jb.nworkers; nw++) {
		w[nw] = (struct fut_worker){.jobs = &jb, .index = nw};
		snprintf(w[nw].name, sizeof(w[nw].name), "worker-%d", nw + 1);
		rc = clab_thread_create(&w[nw].th, w[nw].name, fut_worker_main,
					&w[nw]);
	}
	if (rc < 0 && nw > 0)
		nw--;
	/* A job whose worker did not start is never set: the watchdog ends
	 * the run; else main reads every result in job order. */
	for (long j = 1; rc == 0 && j <= jb.njobs; j++)
		clab_note2("result", j, fn.get(jb.f[j]));
	for (int i = 0; i < nw; i++)
		clab_thread_join(w[i].th, NULL);
	for (long j = 1; fn.free != NULL && j <= made; j++)
		if (jb.f[j] != NULL)
			fn.free(jb.f[j]);
	return rc;
}

/* ---- coop ---- */

struct rr_fns {
	struct rr *(*new)(int);
	void (*wait_turn)(struct rr *, int);
	void (*yield)(struct rr *, int, int);
	void (*free)(struct rr *);
};

struct rr_task {
	const struct clab_lab_ctx *ctx;
	const struct rr_fns *fn;
	struct rr *s;
	int id;
	clab_thread_t *th;
	char name[24];
};

static void *rr_task_main(void *arg)
{
	struct rr_task *t = arg;
	long steps = clab__exercise_param(t->ctx, "steps");

	clab__exercise_harness(-1);
	t->fn->wait_turn(t->s, t->id);
	clab_note("run", 1);
	for (long k = 1; k <= steps; k++) {
		clab_note("step", k);
		clab__exercise_pause(clab__exercise_param(t->ctx, "work_ms"));
		if (k == steps) {
			clab_note("done", k);
			t->fn->yield(t->s, t->id, 1);
			break;
		}
		clab_note("yield", k);
		t->fn->yield(t->s, t->id, 0);
		t->fn->wait_turn(t->s, t->id);
		clab_note("run", k + 1);
	}
	return NULL;
}

static int coop_run(const struct clab_lab_ctx *ctx,
		    clab_exercise_lookup_fn lookup, void *arg)
{
	struct rr_fns fn;
	struct rr_task t[16];
	struct rr *s;
	int n = (int)clab__exercise_param(ctx, "tasks"), rc = 0, nt = 0;

	clab__exercise_harness(-1);
	*(void **)&fn.new = lookup("rr_new", arg);
	*(void **)&fn.wait_turn = lookup("rr_wait_turn", arg);
	*(void **)&fn.yield = lookup("rr_yield", arg);
	*(void **)&fn.free = lookup("rr_free", arg);
	if (fn.new == NULL || fn.wait_turn == NULL || fn.yield == NULL ||
	    n < 1 || n > 16)
		return CLAB_EINVAL;
	s = fn.new(n);
	if (s == NULL)
		return CLAB_ENOMEM;
	/* A task that did not start never takes its turn: the watchdog
	 * ends the run. */
	for (; rc == 0 && nt < n; nt++) {
		t[nt] = (struct rr_task){.ctx = ctx, .fn = &fn, .s = s};
		t[nt].id = nt;
		snprintf(t[nt].name, sizeof(t[nt].name), "task-%d", nt);
		rc = clab_thread_create(&t[nt].th, t[nt].name, rr_task_main,
					&t[nt]);
		if (rc == 0)
			clab_thread_role(t[nt].th, "task", (uint32_t)nt);
	}
	if (rc < 0)
		nt--;
	for (int i = 0; i < nt; i++)
		clab_thread_join(t[i].th, NULL);
	if (fn.free != NULL)
		fn.free(s);
	return rc;
}

/* ---- the exercises ---- */

static const char *const actor_required[] = {"mbox_new", "mbox_put", "mbox_get",
					     NULL};
static const char *const actor_optional[] = {"mbox_free", NULL};
static const char *const pool_required[] = {"fut_new", "fut_set", "fut_get",
					    NULL};
static const char *const pool_optional[] = {"fut_free", NULL};
static const char *const coop_required[] = {"rr_new", "rr_wait_turn",
					    "rr_yield", NULL};
static const char *const coop_optional[] = {"rr_free", NULL};

const struct clab_exercise clab__exercise_actor = {
    .lab = &clab_lab_actor,
    .summary = "an actor's mailbox made with a condition variable: mbox_*()",
    .required = actor_required,
    .optional = actor_optional,
    .run = actor_run,
};

const struct clab_exercise clab__exercise_pool = {
    .lab = &clab_lab_pool,
    .summary = "a future made with a condition variable: fut_set(), fut_get()",
    .required = pool_required,
    .optional = pool_optional,
    .run = pool_run,
};

const struct clab_exercise clab__exercise_coop = {
    .lab = &clab_lab_coop,
    .summary = "round-robin turns of tasks: rr_wait_turn(), rr_yield()",
    .required = coop_required,
    .optional = coop_optional,
    .run = coop_run,
};
