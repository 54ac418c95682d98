/*
 * processes - child processes, pipes and memory shared between processes.
 *
 * The main thread forks children (clab_proc_spawn) that talk to it through
 * pipes of whole messages (clab_pipe_*) or through one page of MAP_SHARED
 * memory (the multiprocessing chapter of the tutorials behind the lab,
 * with its Pipe, Lock, Value and Pool: docs/sources.md).
 *
 * Variants:
 *   pipe             the child writes `items` messages and closes its end;
 *                    the parent reads to the end of file, then reaps the
 *                    child: correct
 *   wait-then-read   the parent reaps the child first and reads after:
 *                    with more items than the pipe holds, the child waits
 *                    for room only the parent makes, and the parent waits
 *                    for the child to end: a deadlock between processes
 *   shared-locked    `procs` children add one to a counter in shared
 *                    memory `rounds` times each, under a process-shared
 *                    mutex (PTHREAD_PROCESS_SHARED): correct
 *   shared-unlocked  the same with no lock: updates are lost
 *   pool             `procs` worker processes take `tasks` task numbers
 *                    from one pipe and send back (task, task * task) on
 *                    another; the parent puts the results in task order,
 *                    a map over processes: correct
 *   pool-small-results  the same with a results pipe of `capacity`
 *                    messages: the workers wait for room in it while the
 *                    parent, which reads results only after it wrote every
 *                    task, waits for room in the task pipe: a deadlock
 *
 * The children record into traces of their own, which the reader merges
 * with the parent's (nothing in a sanitizer's build: runtime/proc.c); what
 * the checks judge is what the parent saw and recorded, its pipe and
 * process records and its annotations: "got" (value read, pipe variants),
 * "made" (increments a child counted, its index), "expect" (messages the
 * child is to write), "total" (the counter at the end), "result" (value,
 * task) in the pool, "status" (exit status, child index; the checks take
 * the status from the runtime's process.reaped instead).
 * The exercise (labs/exercise-proc.c) is graded as the pipe variant, from
 * its harness's notes only: "got" must match main's reads of the pipe.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <conclab/runtime.h>

#include "lab.h"

#define MAX_PROCS 8
#define MAX_TASKS 64

enum {
	V_PIPE,
	V_WAIT_READ,
	V_LOCKED,
	V_UNLOCKED,
	V_POOL,
	V_POOL_SMALL,
	V_COUNT
};

enum { P_ITEMS, P_CAPACITY, P_PROCS, P_ROUNDS, P_GAP, P_TASKS, P_COUNT };

static const struct clab_lab_param params[P_COUNT] = {
    [P_ITEMS] = {"items", "messages the child writes (pipe variants)", 8, 1,
		 1000},
    [P_CAPACITY] = {"capacity", "messages a pipe holds before a write waits", 4,
		    1, CLAB_PIPE_MAX_UNITS},
    [P_PROCS] = {"procs", "child processes (shared and pool variants)", 3, 1,
		 MAX_PROCS},
    [P_ROUNDS] = {"rounds", "increments each child makes (shared variants)", 40,
		  1, 100000},
    [P_GAP] = {"gap_us",
	       "pause between reading the counter and writing it back, "
	       "microseconds (shared variants)",
	       0, 0, 100000},
    [P_TASKS] = {"tasks", "tasks of the pool's map", 12, 1, MAX_TASKS},
};

/* a window between the read and the write, wide enough to be hit */
static const struct clab_lab_default unlocked_defaults[] = {
    {"gap_us", 200},
    {NULL, 0},
};

static const struct clab_lab_variant variants[V_COUNT] = {
    [V_PIPE] =
	{
	    .name = "pipe",
	    .summary = "the parent reads the child's pipe to its end, then "
		       "waits for the child",
	    .expect = 0,
	},
    [V_WAIT_READ] =
	{
	    .name = "wait-then-read",
	    .summary = "the parent waits for the child, then reads its pipe",
	    .bug = "the child waits for room in the full pipe, which only "
		   "the parent empties, and the parent waits for the child "
		   "to end: neither process can go on",
	    .expect = 3,
	},
    [V_LOCKED] =
	{
	    .name = "shared-locked",
	    .summary = "children add to a counter in shared memory under a "
		       "process-shared mutex",
	    .expect = 0,
	},
    [V_UNLOCKED] =
	{
	    .name = "shared-unlocked",
	    .summary = "children add to a counter in shared memory with no "
		       "lock",
	    .bug = "two children read the same value and write the same "
		   "value back: updates are lost, as between threads",
	    .expect = 1,
	    .defaults = unlocked_defaults,
	},
    [V_POOL] =
	{
	    .name = "pool",
	    .summary = "worker processes map task -> task * task over two "
		       "pipes, results put back in task order",
	    .expect = 0,
	},
    [V_POOL_SMALL] =
	{
	    .name = "pool-small-results",
	    .summary = "the same map, with room in the results pipe for "
		       "only --capacity results",
	    .bug = "the workers wait for room in the full results pipe, "
		   "and the parent, which reads results only once every "
		   "task is written, waits for room in the full task pipe",
	    .expect = 3,
	},
};

/* What the children and the parent share: one MAP_SHARED page. */
struct shared {
	pthread_mutex_t lock; /* PTHREAD_PROCESS_SHARED */
	_Atomic long counter;
	_Atomic int go; /* the parent lets every child start at once */
	_Atomic long made[MAX_PROCS];
};

struct msg {
	int64_t task, value;
};

struct child {
	const struct clab_lab_ctx *ctx;
	struct shared *sh;
	clab_pipe_t *in, *out;
	int index;
};

static void pause_us(long us)
{
	struct timespec ts = {.tv_sec = us / 1000000,
			      .tv_nsec = (us % 1000000) * 1000};
	while (us > 0 && nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* ---- the children ---- */

static int writer_main(void *arg)
{
	struct child *c = arg;
	clab_pipe_close(c->out, CLAB_PIPE_READ);
	for (long i = 0; i < c->ctx->param[P_ITEMS]; i++) {
		struct msg m = {.task = i, .value = i * i};
		if (clab_pipe_write(c->out, &m) != 0)
			return 1;
	}
	clab_pipe_close(c->out, CLAB_PIPE_WRITE);
	return 0;
}

static int adder_main(void *arg)
{
	struct child *c = arg;
	struct shared *sh = c->sh;
	long rounds = c->ctx->param[P_ROUNDS], gap = c->ctx->param[P_GAP];
	int locked = c->ctx->variant == V_LOCKED;

	while (!atomic_load(&sh->go))
		pause_us(50);
	for (long k = 0; k < rounds; k++) {
		if (locked && pthread_mutex_lock(&sh->lock) != 0)
			return 2;
		/* BUG (unlocked): another child can write between our read
		 * and our write, and we overwrite its update. */
		long v =
		    atomic_load_explicit(&sh->counter, memory_order_relaxed);
		pause_us(gap);
		if (!locked && !clab_proc_in_child())
			/* a step with nothing to do: under the controlled
			 * scheduler, where the other children take the
			 * family's turn (docs/scheduler.md, "Processes") */
			clab_sleep_ms(0);
		atomic_store_explicit(&sh->counter, v + 1,
				      memory_order_relaxed);
		atomic_fetch_add(&sh->made[c->index], 1);
		if (locked)
			pthread_mutex_unlock(&sh->lock);
		else if (gap == 0)
			sched_yield();
	}
	return 0;
}

static int worker_main(void *arg)
{
	struct child *c = arg;
	struct msg m;
	int r;
	clab_pipe_close(c->in, CLAB_PIPE_WRITE);
	clab_pipe_close(c->out, CLAB_PIPE_READ);
	while ((r = clab_pipe_read(c->in, &m)) == 1) {
		m.value = m.task * m.task;
		if (clab_pipe_write(c->out, &m) != 0)
			return 1;
	}
	return r == 0 ? 0 : 1;
}

/* ---- the parent ---- */

static int reap(clab_proc_t *p, int index)
{
	int status = -1;
	int rc = clab_proc_wait(p, &status);
	if (rc == 0)
		clab_note2("status", status, index);
	return rc;
}

static int run_pipe(const struct clab_lab_ctx *ctx)
{
	clab_pipe_t out;
	clab_proc_t child;
	struct child c = {.ctx = ctx, .out = &out};
	struct msg m;
	long got = 0;
	int rc = clab_pipe_init(&out, "results", sizeof(struct msg),
				(uint32_t)ctx->param[P_CAPACITY]);
	if (rc)
		return rc;
	clab_lab_say(ctx,
		     "the child writes %ld messages into a pipe that holds %ld",
		     ctx->param[P_ITEMS], ctx->param[P_CAPACITY]);
	/* what the parent is to read, for the checks */
	clab_note("expect", ctx->param[P_ITEMS]);
	rc = clab_proc_spawn(&child, "child", writer_main, &c);
	if (rc)
		goto out;
	/* the parent only reads: without this close it would hold a write
	 * end itself, and never see the end of file */
	clab_pipe_close(&out, CLAB_PIPE_WRITE);
	if (ctx->variant == V_WAIT_READ) {
		clab_lab_say(ctx, "main waits for the child to end first");
		/* BUG: the child ends only once its messages are in the pipe,
		 * and the pipe has room only for `capacity` of them */
		rc = reap(&child, 0);
	}
	while ((rc = clab_pipe_read(&out, &m)) == 1) {
		clab_note("got", m.value);
		got++;
	}
	clab_lab_say(ctx, "main read %ld messages and the end of file", got);
	if (ctx->variant == V_PIPE)
		rc = reap(&child, 0);
out:
	clab_pipe_destroy(&out);
	return rc < 0 ? rc : 0;
}

static int run_shared(const struct clab_lab_ctx *ctx)
{
	int n = (int)ctx->param[P_PROCS], started = 0, rc = 0;
	clab_proc_t kids[MAX_PROCS];
	struct child c[MAX_PROCS];
	pthread_mutexattr_t ma;
	struct shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return CLAB_ENOMEM;
	memset(sh, 0, sizeof(*sh));
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&sh->lock, &ma);
	pthread_mutexattr_destroy(&ma);
	clab_lab_say(ctx,
		     "%d process%s add 1 to a counter in shared memory %ld "
		     "times each (%s)",
		     n, n == 1 ? "" : "es", ctx->param[P_ROUNDS],
		     variants[ctx->variant].name);
	for (; started < n; started++) {
		char name[24];
		snprintf(name, sizeof(name), "adder-%d", started + 1);
		c[started] =
		    (struct child){.ctx = ctx, .sh = sh, .index = started};
		rc = clab_proc_spawn(&kids[started], name, adder_main,
				     &c[started]);
		if (rc)
			break;
	}
	atomic_store(&sh->go, 1);
	for (int i = 0; i < started; i++)
		reap(&kids[i], i);
	long total = atomic_load(&sh->counter), sum = 0;
	for (int i = 0; i < started; i++) {
		long made = atomic_load(&sh->made[i]);
		clab_note2("made", made, i);
		sum += made;
	}
	clab_note("total", total);
	if (total == sum)
		clab_lab_say(ctx, "counter = %ld, as expected", total);
	else
		clab_lab_say(ctx,
			     "counter = %ld after %ld increments: %ld updates "
			     "lost",
			     total, sum, sum - total);
	pthread_mutex_destroy(&sh->lock);
	munmap(sh, sizeof(*sh));
	return rc < 0 ? rc : 0;
}

static int run_pool(const struct clab_lab_ctx *ctx)
{
	int n = (int)ctx->param[P_PROCS], started = 0, rc;
	long ntasks = ctx->param[P_TASKS];
	clab_proc_t kids[MAX_PROCS];
	struct child c = {.ctx = ctx};
	clab_pipe_t tasks, results;
	int64_t value[MAX_TASKS];
	struct msg m;

	rc = clab_pipe_init(&tasks, "tasks", sizeof(struct msg),
			    (uint32_t)ctx->param[P_CAPACITY]);
	if (rc)
		return rc;
	/* room for every result: the parent writes every task before it
	 * reads one, so a smaller pipe could fill while it still writes */
	uint32_t room = (uint32_t)ntasks;
	if (ctx->variant == V_POOL_SMALL)
		/* BUG: room for fewer results than there are tasks */
		room = (uint32_t)ctx->param[P_CAPACITY];
	rc = clab_pipe_init(&results, "results", sizeof(struct msg), room);
	if (rc) {
		clab_pipe_destroy(&tasks);
		return rc;
	}
	c.in = &tasks;
	c.out = &results;
	clab_lab_say(ctx, "%d worker processes square %ld task numbers", n,
		     ntasks);
	for (; started < n; started++) {
		char name[24];
		snprintf(name, sizeof(name), "worker-%d", started + 1);
		rc = clab_proc_spawn(&kids[started], name, worker_main, &c);
		if (rc)
			break;
	}
	clab_pipe_close(&tasks, CLAB_PIPE_READ);
	clab_pipe_close(&results, CLAB_PIPE_WRITE);
	for (long t = 0; t < ntasks && rc == 0; t++) {
		m = (struct msg){.task = t};
		rc = clab_pipe_write(&tasks, &m);
	}
	/* no more tasks: each worker's read ends with the end of file */
	clab_pipe_close(&tasks, CLAB_PIPE_WRITE);
	for (long t = 0; t < ntasks; t++)
		value[t] = -1;
	while (clab_pipe_read(&results, &m) == 1) {
		clab_note2("result", m.value, (uint32_t)m.task);
		if (m.task >= 0 && m.task < ntasks)
			value[m.task] = m.value;
	}
	for (int i = 0; i < started; i++)
		reap(&kids[i], i);
	for (long t = 0; t < ntasks; t++)
		clab_note2("map", value[t], (uint32_t)t);
	clab_lab_say(ctx, "map: %ld results in task order", ntasks);
	clab_pipe_destroy(&tasks);
	clab_pipe_destroy(&results);
	return rc < 0 ? rc : 0;
}

static int run(const struct clab_lab_ctx *ctx)
{
	switch (ctx->variant) {
	case V_PIPE:
	case V_WAIT_READ:
		return run_pipe(ctx);
	case V_LOCKED:
	case V_UNLOCKED:
		return run_shared(ctx);
	case V_POOL:
	case V_POOL_SMALL:
		return run_pool(ctx);
	}
	return CLAB_EINVAL;
}

/* ---- checker ---- */

struct seen {
	long expect, got, got_bad, nmade, made_sum, total, nmap, map_bad,
	    nresult;
	uint64_t got_bad_rec, total_rec, map_bad_rec, eof_rec;
	long status_bad;
	uint64_t status_rec;
	long reaped, spawned;
	long reads; /* main's reads of a message (pipe variants) */
	const struct clab_record *wait_before_read;
};

static void scan(const struct clab_trace *tr, const struct clab_lab_ctx *ctx,
		 struct seen *s)
{
	size_t nrec = clab_trace_nrecords(tr);
	memset(s, 0, sizeof(*s));
	s->total = -1;
	s->got_bad_rec = s->total_rec = s->map_bad_rec = UINT64_MAX;
	s->eof_rec = s->status_rec = UINT64_MAX;
	for (size_t i = 0; i < nrec; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		const char *label;
		switch (r->kind) {
		case CLAB_K_PROC_SPAWN:
			s->spawned++;
			continue;
		case CLAB_K_PROC_REAPED:
		case CLAB_K_PROC_WAIT:
			/* a wait that blocked, or a child already gone: both
			 * before the end of file wait before reading */
			if (r->kind == CLAB_K_PROC_REAPED) {
				/* the runtime's status, not a note's */
				s->reaped++;
				if (r->a32 != 0 && s->status_bad++ == 0)
					s->status_rec = r->seq;
			}
			if (r->tid == 0 && s->eof_rec == UINT64_MAX &&
			    s->wait_before_read == NULL)
				s->wait_before_read = r;
			continue;
		case CLAB_K_PIPE_EOF:
			if (s->eof_rec == UINT64_MAX && r->tid == 0)
				s->eof_rec = r->seq;
			continue;
		case CLAB_K_PIPE_READ:
			s->reads += r->tid == 0;
			continue;
		default:
			break;
		}
		/* in the exercise, the harness's notes only */
		label = clab_lab_harness_label(tr, r);
		if (label == NULL)
			continue;
		if (strcmp(label, "expect") == 0) {
			s->expect = (long)r->val;
		} else if (strcmp(label, "got") == 0) {
			/* message i carries i * i, in the order written */
			long want = s->got * s->got;
			if ((long)r->val != want && s->got_bad++ == 0)
				s->got_bad_rec = r->seq;
			s->got++;
		} else if (strcmp(label, "made") == 0) {
			s->nmade++;
			s->made_sum += (long)r->val;
		} else if (strcmp(label, "total") == 0) {
			s->total = (long)r->val;
			s->total_rec = r->seq;
		} else if (strcmp(label, "result") == 0) {
			s->nresult++;
		} else if (strcmp(label, "map") == 0) {
			long t = (long)r->a32;
			if (((long)r->val != t * t || t != s->nmap) &&
			    s->map_bad++ == 0)
				s->map_bad_rec = r->seq;
			s->nmap++;
		}
	}
	(void)ctx;
}

static void check_pipe(const struct seen *s, struct clab_lab_report *rep)
{
	long items = s->expect;
	if (s->wait_before_read)
		clab_lab_report_add(
		    rep, "read before waiting", 0, s->wait_before_read->seq,
		    "main began to wait for the child before it read the "
		    "pipe to its end; the child ends only once its %ld "
		    "messages are in the pipe",
		    items);
	else
		clab_lab_report_add(rep, "read before waiting", 1, UINT64_MAX,
				    "main read the pipe to its end before it "
				    "waited for the child");
	if (s->got_bad)
		clab_lab_report_add(rep, "every message", 0, s->got_bad_rec,
				    "%ld message(s) out of order or wrong",
				    s->got_bad);
	else if (s->got != s->reads)
		/* values kept that no read brought, or reads dropped */
		clab_lab_report_add_end(rep, "every message", 0, UINT64_MAX,
					"main kept %ld value(s) but read %ld "
					"message(s) from the pipe",
					s->got, s->reads);
	else
		clab_lab_report_add_end(rep, "every message",
					s->got == items && items > 0,
					UINT64_MAX,
					"main read %ld of %ld messages, in "
					"order",
					s->got, items);
	clab_lab_report_add_end(
	    rep, "end of file", s->eof_rec != UINT64_MAX, s->eof_rec,
	    s->eof_rec != UINT64_MAX ? "the read after the last message saw "
				       "the end of file"
				     : "main never saw the end of file");
}

static void check_shared(const struct seen *s, const struct clab_lab_ctx *ctx,
			 struct clab_lab_report *rep)
{
	long want = ctx->param[P_PROCS] * ctx->param[P_ROUNDS];
	clab_lab_report_add_end(rep, "increments made", s->made_sum == want,
				UINT64_MAX,
				"%ld children counted %ld increments, "
				"expected %ld",
				s->nmade, s->made_sum, want);
	if (s->total < 0)
		clab_lab_report_add_end(rep, "no lost update", 0, UINT64_MAX,
					"the trace has no final count: the "
					"run did not finish");
	else if (s->total == s->made_sum)
		clab_lab_report_add_end(rep, "no lost update", 1, s->total_rec,
					"the counter ends at %ld, one for "
					"each increment",
					s->total);
	else
		clab_lab_report_add_end(rep, "no lost update", 0, s->total_rec,
					"the counter ends at %ld after %ld "
					"increments: %ld updates lost",
					s->total, s->made_sum,
					s->made_sum - s->total);
}

static void check_pool(const struct seen *s, const struct clab_lab_ctx *ctx,
		       struct clab_lab_report *rep)
{
	long ntasks = ctx->param[P_TASKS];
	clab_lab_report_add_end(
	    rep, "every result", s->nresult == ntasks, UINT64_MAX,
	    "main read %ld results for %ld tasks", s->nresult, ntasks);
	if (s->map_bad)
		clab_lab_report_add(rep, "map in order", 0, s->map_bad_rec,
				    "%ld result(s) of the map missing, wrong "
				    "or out of task order",
				    s->map_bad);
	else
		clab_lab_report_add_end(rep, "map in order", s->nmap == ntasks,
					UINT64_MAX,
					"%ld results, result t = t * t, in "
					"task order",
					s->nmap);
}

static void check(const struct clab_trace *tr, const struct clab_lab_ctx *ctx,
		  struct clab_lab_report *rep)
{
	struct seen s;
	scan(tr, ctx, &s);
	switch (ctx->variant) {
	case V_PIPE:
	case V_WAIT_READ:
		check_pipe(&s, rep);
		break;
	case V_LOCKED:
	case V_UNLOCKED:
		check_shared(&s, ctx, rep);
		break;
	default:
		check_pool(&s, ctx, rep);
		break;
	}
	if (s.status_bad)
		clab_lab_report_add(rep, "children exit 0", 0, s.status_rec,
				    "%ld child(ren) ended with a non-zero "
				    "status",
				    s.status_bad);
	else
		clab_lab_report_add_end(rep, "children exit 0",
					s.reaped == s.spawned && s.spawned > 0,
					UINT64_MAX,
					"%ld of %ld children reaped, each "
					"with status 0",
					s.reaped, s.spawned);
	clab_lab_check_common(tr, rep);
}

const struct clab_lab clab_lab_processes = {
    .name = "processes",
    .summary = "child processes: a pipe, shared memory, a process pool",
    .idea = "processes share nothing unless they ask: a pipe carries "
	    "messages and has a size, so a parent that waits for a child "
	    "before reading its pipe can wait forever; memory shared "
	    "between processes loses updates as threads do, unless a "
	    "process-shared lock guards it",
    .topic = CLAB_TOPIC_PROCESSES,
    .teaches = "fork, pipes and shared memory: read before you wait",
    .variants = variants,
    .nvariants = V_COUNT,
    .params = params,
    .nparams = P_COUNT,
    .run = run,
    .check = check,
};
