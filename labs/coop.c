/*
 * coop - cooperative tasks that take turns on a round-robin scheduler.
 *
 * A cooperative task runs until it yields: nobody preempts it, so only
 * one task runs at a time and the order of their steps is decided by the
 * scheduler alone, never by the operating system (the generator-based
 * task scheduler of the tutorials behind the lab: docs/sources.md).  The
 * lab writes that scheduler on conclab's primitives: `tasks` threads, one
 * lock `coop.lock`, a condition variable `turn-N` for each task and a
 * `turn` (the index of the task whose turn it is), guarded by the lock.
 * A task waits until the turn is its own, takes one step (a unit of work
 * of `work_ms`), then yields: it passes the turn to the next task that
 * has steps left, in index order, signals that task's condition and
 * waits for its own turn again.  Each task takes `steps` steps.
 *
 * Variants:
 *   round-robin            each task yields after each step: task-0,
 *                          task-1, ..., task-0 again
 *   no-yield               task-0 never yields until it has taken all of
 *                          its steps: the others wait through every one
 *   yield-without-handoff  a task that yields passes the turn but signals
 *                          nobody: the next task sleeps on in its wait,
 *                          and so does every task after it
 *
 * Annotations: "run" (step) when a task's turn begins and "yield" (step)
 * or "done" (step) when it ends, both holding `coop.lock`; "step" (step)
 * for each step, by the task whose turn it is.
 */
#include <stdarg.h>
#include <string.h>

#include <conclab/runtime.h>

#include "lab.h"

#define MAX_TASKS 16

enum { V_RR, V_NOYIELD, V_NOHANDOFF, V_COUNT };

enum { P_TASKS, P_STEPS, P_WORK, P_COUNT };

static const struct clab_lab_param params[P_COUNT] = {
    [P_TASKS] = {"tasks", "cooperative tasks (threads)", 3, 1, MAX_TASKS},
    [P_STEPS] = {"steps", "steps each task takes", 3, 1, 1000},
    [P_WORK] = {"work_ms", "time a step takes, ms", 1, 0, 10000},
};

static const struct clab_lab_variant variants[V_COUNT] = {
    [V_RR] =
	{
	    .name = "round-robin",
	    .summary = "each task yields after each step and hands the turn "
		       "to the next",
	    .expect = 0,
	},
    [V_NOYIELD] =
	{
	    .name = "no-yield",
	    .summary = "task-0 takes all of its steps without yielding",
	    .bug = "the other tasks make no progress until task-0 is done",
	    .expect = 1,
	},
    [V_NOHANDOFF] =
	{
	    .name = "yield-without-handoff",
	    .summary = "a task passes the turn but signals nobody",
	    .bug = "the next task sleeps through its turn, and every task "
		   "waits for a turn that never comes",
	    .expect = 3,
	},
};

struct sched {
	const struct clab_lab_ctx *ctx;
	clab_mutex_t lock;
	clab_cond_t cv[MAX_TASKS];
	int ntasks;
	int turn;	      /* guarded by lock; -1 when every task is done */
	long left[MAX_TASKS]; /* steps left, guarded by lock */
};

struct task {
	struct sched *s;
	clab_thread_t *th;
	int id;
	char name[24];
};

/* The next task after id, in index order, that has steps left, or -1. */
static int next_task(const struct sched *s, int id)
{
	for (int i = 1; i <= s->ntasks; i++) {
		int j = (id + i) % s->ntasks;

		if (s->left[j] > 0)
			return j;
	}
	return -1;
}

/* Holding the lock: sleep until the turn is ours, then begin it. */
static void wait_turn(struct task *t, long step)
{
	struct sched *s = t->s;

	while (s->turn != t->id)
		clab_cond_wait(&s->cv[t->id], &s->lock);
	clab_note("run", step);
}

/* Holding the lock: end our turn after `step`, and pass it on. */
static void hand_off(struct task *t, long step)
{
	struct sched *s = t->s;
	long steps = s->ctx->param[P_STEPS];

	s->left[t->id] = steps - step;
	s->turn = next_task(s, t->id);
	if (step == steps)
		clab_note("done", step);
	else
		clab_note("yield", step);
	/* yield-without-handoff: BUG: the turn is passed, nobody is told */
	if (s->turn >= 0 && s->ctx->variant != V_NOHANDOFF)
		clab_cond_signal(&s->cv[s->turn]);
}

static void *task_main(void *arg)
{
	struct task *t = arg;
	struct sched *s = t->s;
	const struct clab_lab_ctx *ctx = s->ctx;
	long steps = ctx->param[P_STEPS], work = ctx->param[P_WORK];

	clab_mutex_lock(&s->lock);
	wait_turn(t, 1);
	clab_mutex_unlock(&s->lock);
	for (long k = 1; k <= steps; k++) {
		/* our turn: nobody else runs until we yield */
		clab_note("step", k);
		clab_lab_say(ctx, "%s takes step %ld", t->name, k);
		if (work > 0)
			clab_sleep_ms((uint32_t)work);
		if (ctx->variant == V_NOYIELD && t->id == 0 && k < steps)
			continue; /* BUG: no yield: the others wait */
		clab_mutex_lock(&s->lock);
		hand_off(t, k);
		if (k < steps)
			wait_turn(t, k + 1);
		clab_mutex_unlock(&s->lock);
	}
	return NULL;
}

static int run(const struct clab_lab_ctx *ctx)
{
	struct sched s;
	struct task t[MAX_TASKS];
	int n = (int)ctx->param[P_TASKS], rc, nt = 0, ncv = 0;

	if (n < 1 || n > MAX_TASKS)
		return CLAB_EINVAL;
	memset(&s, 0, sizeof(s));
	s.ctx = ctx;
	s.ntasks = n;
	rc = clab_mutex_init(&s.lock, "coop.lock", CLAB_MUTEX_NORMAL);
	if (rc < 0)
		return rc;
	for (; ncv < n; ncv++) {
		char name[24];

		snprintf(name, sizeof(name), "turn-%d", ncv);
		rc = clab_cond_init(&s.cv[ncv], name);
		if (rc < 0)
			goto out;
		s.left[ncv] = ctx->param[P_STEPS];
	}
	clab_lab_say(ctx, "%d tasks of %ld steps take turns (%s)", n,
		     ctx->param[P_STEPS], variants[ctx->variant].name);
	/* task-0 has the first turn; a task that starts later waits */
	for (; nt < n; nt++) {
		t[nt].s = &s;
		t[nt].id = nt;
		snprintf(t[nt].name, sizeof(t[nt].name), "task-%d", nt);
		rc = clab_thread_create(&t[nt].th, t[nt].name, task_main,
					&t[nt]);
		if (rc < 0)
			break;
		clab_thread_role(t[nt].th, "task", (uint32_t)nt);
	}
	if (rc < 0) {
		/* the tasks never started would never take their turn */
		clab_mutex_lock(&s.lock);
		for (int i = nt; i < n; i++)
			s.left[i] = 0;
		clab_mutex_unlock(&s.lock);
	}
	for (int i = 0; i < nt; i++)
		clab_thread_join(t[i].th, NULL);
	clab_lab_say(ctx, "every task is done");
out:
	for (int i = 0; i < ncv; i++)
		clab_cond_destroy(&s.cv[i]);
	clab_mutex_destroy(&s.lock);
	return rc < 0 ? rc : 0;
}

/* ---- checker ---- */

struct coop_check {
	long n, steps;
	long done[MAX_TASKS]; /* steps taken */
	long last[MAX_TASKS]; /* position of the last step, or -1 */
	long left[MAX_TASKS]; /* steps left, by the round-robin model */
	int expect_task;      /* whose step comes next in round-robin */
	long pos;	      /* steps seen */
	long order_bad, stalls, overlaps, ndone;
	uint64_t order_rec, stall_rec, overlap_rec;
	char order_msg[160], stall_msg[160];
	int running; /* the task whose turn it is, by the notes, or -1 */
};

/* The next task in the model after id with steps left, or -1. */
static int model_next(const struct coop_check *c, int id)
{
	for (long i = 1; i <= c->n; i++) {
		int j = (int)((id + i) % c->n);

		if (c->left[j] > 0)
			return j;
	}
	return -1;
}

static void check_step(const struct clab_trace *tr, struct coop_check *c,
		       const struct clab_record *r, int task)
{
	long pos = c->pos++;

	/* round-robin: the step the model expects, by whom it expects */
	if (c->order_bad == 0 &&
	    (task != c->expect_task ||
	     (long)r->val != c->steps - c->left[task] + 1)) {
		c->order_bad = 1;
		c->order_rec = r->seq;
		if (c->expect_task < 0)
			snprintf(c->order_msg, sizeof(c->order_msg),
				 "step %ld was %s's step %ld, after every "
				 "task's last",
				 pos + 1, clab_trace_thread_label(tr, r->tid),
				 (long)r->val);
		else
			snprintf(c->order_msg, sizeof(c->order_msg),
				 "step %ld was %s's step %ld, expected "
				 "task-%d's step %ld",
				 pos + 1, clab_trace_thread_label(tr, r->tid),
				 (long)r->val, c->expect_task,
				 c->steps - c->left[c->expect_task] + 1);
	}
	if (c->order_bad == 0) {
		c->left[task]--;
		c->expect_task = model_next(c, task);
	}
	/* progress: between two steps of task, every other one stepped */
	if (c->last[task] >= 0)
		for (long u = 0; u < c->n; u++) {
			if (u == task || c->done[u] >= c->steps ||
			    c->last[u] > c->last[task])
				continue;
			if (c->stalls++ == 0) {
				c->stall_rec = r->seq;
				snprintf(c->stall_msg, sizeof(c->stall_msg),
					 "%s took step %ld right after its "
					 "step %ld, while task-%ld (%ld "
					 "step(s) left) took none",
					 clab_trace_thread_label(tr, r->tid),
					 (long)r->val, c->done[task], u,
					 c->steps - c->done[u]);
			}
			break;
		}
	c->last[task] = pos;
	c->done[task]++;
}

static void check(const struct clab_trace *tr, const struct clab_lab_ctx *ctx,
		  struct clab_lab_report *rep)
{
	struct coop_check c;
	size_t nrec = clab_trace_nrecords(tr);
	long want;

	memset(&c, 0, sizeof(c));
	c.n = ctx->param[P_TASKS];
	c.steps = ctx->param[P_STEPS];
	if (c.n > MAX_TASKS)
		c.n = MAX_TASKS;
	want = c.n * c.steps;
	for (long i = 0; i < c.n; i++) {
		c.last[i] = -1;
		c.left[i] = c.steps;
	}
	c.running = -1;
	c.order_rec = c.stall_rec = c.overlap_rec = UINT64_MAX;
	for (size_t i = 0; i < nrec; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		/* in an exercise, the harness's notes only */
		const char *label = clab_lab_harness_label(tr, r);
		int task;

		if (label == NULL)
			continue;
		task = clab_lab_thread_index(tr, r->tid, "task", "task-", c.n);
		if (task < 0)
			continue;
		if (strcmp(label, "run") == 0) {
			/* a turn begins while another task's goes on */
			if (c.running >= 0 && c.running != task &&
			    c.overlaps++ == 0)
				c.overlap_rec = r->seq;
			c.running = task;
		} else if (strcmp(label, "yield") == 0 ||
			   strcmp(label, "done") == 0) {
			if (c.running == task)
				c.running = -1;
			if (label[0] == 'd')
				c.ndone++;
		} else if (strcmp(label, "step") == 0) {
			if (c.running != task && c.overlaps++ == 0)
				c.overlap_rec = r->seq;
			check_step(tr, &c, r, task);
		}
	}

	if (c.overlaps > 0)
		clab_lab_report_add(rep, "one task at a time", 0, c.overlap_rec,
				    "%ld time(s) a task ran outside its turn",
				    c.overlaps);
	else
		clab_lab_report_add(rep, "one task at a time", 1, UINT64_MAX,
				    "every step was taken in its task's turn");

	/* a wrong step is wrong at once; too few are wrong at the end */
	if (c.order_bad)
		clab_lab_report_add(rep, "round-robin order", 0, c.order_rec,
				    "%s", c.order_msg);
	else if (c.pos != want)
		clab_lab_report_add_end(rep, "round-robin order", 0, UINT64_MAX,
					"%ld of %ld steps taken", c.pos, want);
	else
		clab_lab_report_add_end(
		    rep, "round-robin order", 1, UINT64_MAX,
		    "%ld steps, each task in turn, in index order", want);

	if (c.stalls > 0)
		clab_lab_report_add(rep, "every task progressed", 0,
				    c.stall_rec,
				    "%ld time(s) a task stepped twice while "
				    "another with steps left waited; first %s",
				    c.stalls, c.stall_msg);
	else
		clab_lab_report_add(rep, "every task progressed", 1, UINT64_MAX,
				    "no task stepped twice while another with "
				    "steps left waited");

	clab_lab_report_add_end(
	    rep, "every task done", c.ndone == c.n, UINT64_MAX,
	    "%ld of %ld task(s) took their last step", c.ndone, c.n);
	/* a handoff made of a mutex (the exercise) must not poll the turn
	 * under the lock */
	clab_lab_check_common_allow(tr, rep, CLAB_LAB_NEED_NO_POLL);
}

const struct clab_lab clab_lab_coop = {
    .name = "coop",
    .summary = "cooperative tasks take turns on a round-robin scheduler",
    .idea = "a cooperative task runs until it yields: the scheduler, not "
	    "the operating system, decides the order; a task that does not "
	    "yield holds the others back, and a yield that wakes nobody "
	    "stops them all",
    .topic = CLAB_TOPIC_TASKS,
    .teaches = "a task runs until it yields; a yield must wake the next",
    .variants = variants,
    .nvariants = V_COUNT,
    .params = params,
    .nparams = P_COUNT,
    .run = run,
    .check = check,
};
