/*
 * Schedule budgets: run a program under many controlled schedules, each in
 * a child process forked from this one, up to `jobs` at once, and find the
 * failing one with the lowest index; shrink a failing schedule; rerun one.
 * What `conclab explore` and `conclab exercise` share.
 *
 * Schedule i (from 0) runs with seed seed + i, under PCT when i is even
 * and a random walk when it is odd (CLAB_BUDGET_MIXED), so that the result
 * depends on the options, never on how the children were timed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <conclab/runtime.h>
#include <conclab/trace.h>

#include "clab-util.h"
#include "cmd.h"
#include "por.h"
#include "supervise.h"
#include "schedules.h"

/* Where the children's traces go: small files, made and removed fast. */
static const char *scratch_parent(void)
{
	const char *t = getenv("TMPDIR");
	struct stat st;
	if (t && t[0] == '/')
		return t;
	if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
	    access("/dev/shm", W_OK | X_OK) == 0)
		return "/dev/shm";
	return "/tmp";
}

/*
 * A stop signal (Ctrl-C's SIGINT, SIGTERM, SIGHUP) while a budget is set
 * up: its handler only notes it; the budget's loops, once a wait returns
 * or before a child starts, kill the children, remove the scratch
 * directory and end this process by the signal, as the default action
 * would have (budget_stop).  Before, the directory stayed behind with the
 * children's traces in it, and a child stopped by the same Ctrl-C while
 * this process ignored it counted as a failing schedule.  A signal the
 * process ignores (nohup, a background job) is left alone.
 */
static const int stop_sigs[] = {SIGINT, SIGTERM, SIGHUP};
#define NSTOP (sizeof(stop_sigs) / sizeof(stop_sigs[0]))
static volatile sig_atomic_t stop_sig;
static struct sigaction stop_old[NSTOP];
static int stop_armed[NSTOP];

static void on_stop(int sig)
{
	stop_sig = sig;
}

static void stop_arm(void)
{
	/* no SA_RESTART: the parent's wait() returns to look at it */
	struct sigaction sa = {.sa_handler = on_stop};
	sigemptyset(&sa.sa_mask);
	stop_sig = 0;
	for (size_t k = 0; k < NSTOP; k++) {
		stop_armed[k] =
		    sigaction(stop_sigs[k], NULL, &stop_old[k]) == 0 &&
		    stop_old[k].sa_handler == SIG_DFL &&
		    sigaction(stop_sigs[k], &sa, NULL) == 0;
	}
}

static void stop_disarm(void)
{
	for (size_t k = 0; k < NSTOP; k++)
		if (stop_armed[k])
			sigaction(stop_sigs[k], &stop_old[k], NULL);
	memset(stop_armed, 0, sizeof(stop_armed));
}

/*
 * The scratch directories of budgets whose process is gone (killed with
 * SIGKILL, which no handler sees): conclab-sched-PID-XXXXXX of this user,
 * whose PID does not run and which nothing has changed for a minute (a
 * process of another PID namespace, which kill() cannot see, still writes
 * its traces there).
 */
static void sweep(const char *parent)
{
	DIR *d = opendir(parent);
	if (!d)
		return;
	struct dirent *de;
	time_t now = time(NULL);
	while ((de = readdir(d)) != NULL) {
		int pid, end = 0;
		if (sscanf(de->d_name, "conclab-sched-%d-%*6[A-Za-z0-9]%n",
			   &pid, &end) != 1 ||
		    end == 0 || de->d_name[end] != 0 || pid <= 0 ||
		    pid == getpid() || kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		char path[CLAB_BUDGET_DIR];
		struct stat st;
		int n =
		    snprintf(path, sizeof(path), "%s/%s", parent, de->d_name);
		if (n < 0 || (size_t)n >= sizeof(path) ||
		    lstat(path, &st) != 0 || !S_ISDIR(st.st_mode) ||
		    st.st_uid != geteuid() || now - st.st_mtime < 60)
			continue;
		clab_sandbox_collect(path, "", NULL);
	}
	closedir(d);
}

int clab_budget_init(struct clab_budget *e)
{
	const char *parent = scratch_parent();
	sweep(parent);
	int n = snprintf(e->dir, sizeof(e->dir), "%s/conclab-sched-%d-XXXXXX",
			 parent, (int)getpid());
	if (n < 0 || (size_t)n >= sizeof(e->dir)) {
		e->dir[0] = 0;
		return -ENAMETOOLONG;
	}
	if (!mkdtemp(e->dir)) {
		e->dir[0] = 0;
		return -errno;
	}
	stop_arm();
	cpu_set_t set;
	e->ncpus = 0;
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		for (int c = 0; c < CPU_SETSIZE && e->ncpus < CLAB_BUDGET_CPUS;
		     c++)
			if (CPU_ISSET(c, &set))
				e->cpu[e->ncpus++] = c;
	memset(e->busy, 0, sizeof(e->busy));
	e->pins = NULL;
	return 0;
}

void clab_budget_fini(struct clab_budget *e)
{
	/* with what a child that was stopped or crashed left in it */
	if (e->dir[0])
		clab_sandbox_collect(e->dir, "", NULL);
	e->dir[0] = 0;
	free(e->pins);
	e->pins = NULL;
	stop_disarm();
}

/*
 * After a stop signal: kill the running children (a boxed one's process
 * group, and the orphans), say where the budget stopped, remove the
 * scratch directory and end by the signal.
 */
static _Noreturn void budget_stop(struct clab_budget *e)
{
	int sig = stop_sig;
	for (long j = 0; e->pins && j <= e->jobs; j++) {
		pid_t pid = e->pins[j].pid;
		if (pid <= 0)
			continue;
		kill(e->boxed ? -pid : pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (e->boxed)
		clab_sandbox_kill(0, 1);
	fprintf(stderr,
		"%sconclab: stopped by SIG%s after %ld schedule(s), %ld of "
		"them failing; nothing kept\n",
		e->progress ? "\n" : "", sigabbrev_np(sig), e->ran, e->failed);
	clab_budget_fini(e);
	fflush(NULL);
	signal(sig, SIG_DFL);
	raise(sig);
	_exit(128 + sig);
}

/* The least busy processor for a new child (its index), or -1. */
static int pin_pick(const struct clab_budget *e)
{
	int best = -1;
	for (int k = 0; k < e->ncpus; k++)
		if (best < 0 || e->busy[k] < e->busy[best])
			best = k;
	return best;
}

/*
 * Child pid runs on processor index k (-1: anywhere); the pins are also
 * the running children a stop kills (budget_stop).
 */
static void pin_take(struct clab_budget *e, pid_t pid, int k)
{
	if (!e->pins)
		e->pins = calloc((size_t)e->jobs + 1, sizeof(*e->pins));
	for (long j = 0; e->pins && j <= e->jobs; j++)
		if (e->pins[j].pid == 0) {
			e->pins[j] = (struct clab_budget_pin){pid, k};
			if (k >= 0)
				e->busy[k]++;
			return;
		}
}

static void pin_give(struct clab_budget *e, pid_t pid)
{
	for (long j = 0; e->pins && j <= e->jobs; j++)
		if (e->pins[j].pid == pid) {
			if (e->pins[j].cpu >= 0)
				e->busy[e->pins[j].cpu]--;
			e->pins[j].pid = 0;
			return;
		}
}

/* The exit codes of a run, as categories. */
const char *clab_budget_what(int code)
{
	switch (code) {
	case 0:
		return "passed";
	case CLAB_EXIT_CHECK:
		return "a check failed";
	case CLAB_EXIT_DEADLOCK:
		return "deadlock";
	case CLAB_EXIT_TIMEOUT:
		return "livelock (step or time limit)";
	case 128 + SIGINT:
	case 128 + SIGTERM:
	case 128 + SIGHUP:
		return "stopped by a signal";
	default:
		return "the run crashed or could not be recorded";
	}
}

static int code_slot(int code)
{
	return code == 0   ? 0
	       : code == 1 ? 1
	       : code == 3 ? 3
	       : code == 4 ? 4
			   : 5;
}

uint64_t clab_budget_seed(const struct clab_budget *e, long i)
{
	return e->strategy == CLAB_BUDGET_BOUNDED ? e->seed
						  : e->seed + (uint64_t)i;
}

const char *clab_budget_mode_name(const struct clab_budget *e, long i)
{
	return e->strategy == CLAB_BUDGET_BOUNDED
		   ? "bounded"
		   : clab_sched_mode_name(clab_budget_mode(e, i));
}

enum clab_sched_mode clab_budget_mode(const struct clab_budget *e, long i)
{
	if (e->strategy == CLAB_BUDGET_BOUNDED)
		return CLAB_SCHED_REPLAY;
	if (e->strategy == CLAB_BUDGET_PCT)
		return CLAB_SCHED_PCT;
	if (e->strategy == CLAB_BUDGET_RANDOM)
		return CLAB_SCHED_RANDOM;
	return i % 2 == 0 ? CLAB_SCHED_PCT : CLAB_SCHED_RANDOM;
}

static void trace_path(const struct clab_budget *e, long i, char *buf,
		       size_t len)
{
	snprintf(buf, len, "%s/s%ld.clt", e->dir, i);
}

/* Where schedule i of a reduced bounded search logs its choices (por.c). */
static void log_path(const struct clab_budget *e, long i, char *buf, size_t len)
{
	snprintf(buf, len, "%s/s%ld.por", e->dir, i);
}

/* A boxed child's directory: run i's, or a rerun's (-1). */
static void box_path(const struct clab_budget *e, long i, char *buf, size_t len)
{
	snprintf(buf, len, "%s/box%ld", e->dir, i);
}

/*
 * Fork a child for runs; its output goes to out (NULL: nowhere).  Returns
 * the child's pid in the parent, 0 in the child, -1 on failure.
 */
static pid_t fork_child(struct clab_budget *e, const char *out)
{
	if (stop_sig)
		budget_stop(e);
	int k = pin_pick(e);
	pid_t pid = clab_supervise_fork(e->boxed);
	if (pid > 0)
		pin_take(e, pid, k);
	if (pid != 0)
		return pid;
	int fd = open(out ? out : "/dev/null",
		      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	/*
	 * One thread runs at a time: one malloc arena is enough; and what a
	 * run frees stays for the next run of the batch instead of going
	 * back to the kernel to be faulted in again.
	 */
	mallopt(M_ARENA_MAX, 1);
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	if (k >= 0) {
		cpu_set_t one;
		CPU_ZERO(&one);
		CPU_SET(e->cpu[k], &one);
		sched_setaffinity(0, sizeof(one), &one); /* a hint: may fail */
	}
	return 0;
}

/* The options of schedule i of the budget. */
static struct clab_sched_opts opts_of(const struct clab_budget *e, long i)
{
	struct clab_sched_opts o = e->opts;
	o.mode = clab_budget_mode(e, i);
	o.seed = e->seed + (uint64_t)i;
	o.replay = NULL;
	return o;
}

/*
 * Start one run in a child: schedule i, or (replay not NULL) that
 * schedule with seed.  out: where its output goes (NULL: nowhere); log:
 * where it logs its choices for the reduced search (NULL: nowhere).  A
 * boxed child's directory is run i's (-1 for a rerun).
 */
static pid_t start(struct clab_budget *e, long i, const char *replay,
		   uint64_t seed, const char *trace, const char *out,
		   const char *log)
{
	char box[CLAB_BUDGET_PATH], boxed[CLAB_BUDGET_PATH + 16];
	if (e->boxed) {
		box_path(e, i, box, sizeof(box));
		if (mkdir(box, 0700) != 0)
			return -1;
		snprintf(boxed, sizeof(boxed), "%s/trace.clt", box);
		trace = boxed;
	}
	pid_t pid = fork_child(e, out);
	if (pid != 0)
		return pid;
	struct clab_sched_opts o = opts_of(e, i);
	if (replay) {
		o.mode = CLAB_SCHED_REPLAY;
		o.replay = replay;
		o.seed = seed;
		if (log && clab_por_log_to(&o, log) != 0)
			_exit(5);
	}
	_exit(e->run(e->arg, &o, trace));
}

/*
 * Start a child that runs n schedules, first, first + stride, ..., one
 * after another in its one process (threads, memory and the trace's
 * buffers are reused, not made again).  For each that passes it removes
 * the trace and writes a byte to *fd's pipe; it stops at the first that
 * does not and exits with that run's code (a deadlock or a livelock ends
 * the process itself with its code), or with 0 after the last.  Not for
 * boxed runs: a solution's sandbox is for one run.
 */
static pid_t start_batch(struct clab_budget *e, long first, long n, long stride,
			 int *fd)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	pid_t pid = fork_child(e, NULL);
	if (pid != 0) {
		close(p[1]);
		if (pid < 0)
			close(p[0]);
		*fd = p[0];
		return pid;
	}
	close(p[0]);
	for (long j = 0; j < n; j++) {
		long i = first + j * stride;
		char tp[CLAB_BUDGET_PATH];
		trace_path(e, i, tp, sizeof(tp));
		struct clab_sched_opts o = opts_of(e, i);
		int code = e->run(e->arg, &o, tp);
		if (code != 0)
			_exit(code);
		clab_cmd_unlink_trace(tp);
		if (write(p[1], "", 1) != 1)
			_exit(CLAB_EXIT_IO);
	}
	_exit(0);
}

/* How many runs of a batch passed: the bytes its child wrote. */
static long batch_passed(int fd)
{
	char buf[256];
	long k = 0;
	ssize_t m;
	while ((m = read(fd, buf, sizeof(buf))) != 0) {
		if (m < 0 && errno == EINTR)
			continue;
		if (m < 0)
			break;
		k += m;
	}
	close(fd);
	return k;
}

/*
 * After a boxed child: kill what is left of its process group, copy its
 * trace to trace (NULL: drop it) and remove its directory.
 */
static void finish(struct clab_budget *e, pid_t pid, long i, const char *trace)
{
	char box[CLAB_BUDGET_PATH];
	pin_give(e, pid);
	if (!e->boxed)
		return;
	box_path(e, i, box, sizeof(box));
	clab_supervise_unbox(pid, 0, box, "trace.clt", trace, NULL);
}

static int wait_code(pid_t pid)
{
	int st;
	if (clab_supervise_wait(pid, 0, &st, NULL) != 0)
		return CLAB_EXIT_IO;
	return clab_supervise_code(st);
}

/* The schedule string a trace recorded (malloc'd), or NULL. */
char *clab_budget_schedule_of(const char *trace)
{
	char err[512];
	struct clab_trace *tr;
	if (clab_trace_load(trace, &tr, err, sizeof(err)) != 0)
		return NULL;
	const char *s = clab_trace_meta(tr, "sched.schedule");
	char *r = s ? strdup(s) : NULL;
	clab_trace_free(tr);
	return r;
}

/* Run a schedule string with seed in a child; its exit code. */
int clab_budget_rerun(struct clab_budget *e, const char *replay, uint64_t seed,
		      const char *trace, const char *out)
{
	pid_t pid = start(e, -1, replay, seed, trace, out, NULL);
	if (pid < 0)
		return 5;
	int code = wait_code(pid);
	finish(e, pid, -1, trace);
	return code;
}

static void progress(const struct clab_budget *e, uint64_t t0)
{
	double s = (double)(clab__mono_ns() - t0) / 1e9;
	fprintf(stderr, "\r  %ld/%ld schedules, %ld failed, %.0f/s ", e->ran,
		e->schedules, e->failed, s > 0 ? (double)e->ran / s : 0.0);
}

/*
 * Run the budget.  Children are started in index order, up to jobs at
 * once; after a failure no new one starts (unless --all), and the first
 * failure is the lowest index among those that ran.
 */
static void run_bounded(struct clab_budget *e);

/*
 * One failure, of schedule i with code (its trace at the usual path, for
 * a batch; in its box until finish(), for a boxed run): counted, and its
 * trace kept when it is the lowest failing index so far.
 */
static void failed_at(struct clab_budget *e, pid_t pid, long i, int code)
{
	char tp[CLAB_BUDGET_PATH];
	trace_path(e, i, tp, sizeof(tp));
	int keep = e->first < 0 || i < e->first;
	e->ran++;
	e->failed++;
	e->by_code[code_slot(code)]++;
	finish(e, pid, i, keep ? tp : NULL);
	if (!keep) {
		clab_cmd_unlink_trace(tp);
		return;
	}
	if (e->first >= 0) {
		char old[CLAB_BUDGET_PATH];
		trace_path(e, e->first, old, sizeof(old));
		clab_cmd_unlink_trace(old);
	}
	e->first = i;
	e->first_code = code;
}

/* Runs of batches cut short by a failure, to run after all (--all). */
struct rests {
	struct rest {
		long i, n;
	} * v;
	size_t n, cap;
};

static void rests_push(struct rests *r, long i, long n)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 8;
		struct rest *v = realloc(r->v, cap * sizeof(*v));
		if (!v)
			return;
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n++] = (struct rest){i, n};
}

/* The one with the lowest index: the order stays that of the indices. */
static void rests_pop(struct rests *r, long *i, long *n)
{
	size_t m = 0;
	for (size_t k = 1; k < r->n; k++)
		if (r->v[k].i < r->v[m].i)
			m = k;
	*i = r->v[m].i;
	*n = r->v[m].n;
	r->v[m] = r->v[--r->n];
}

/* How many schedules the next child runs: all of them share the jobs. */
/* A process for each schedule: a sandboxed solution's, or --batch 1. */
static int one_a_process(const struct clab_budget *e)
{
	return e->boxed || e->batch == 1;
}

static long batch_size(const struct clab_budget *e, long next)
{
	if (one_a_process(e))
		return 1;
	long stride = e->nshards > 1 ? e->nshards : 1;
	long left = (e->schedules - next + stride - 1) / stride;
	long fair = (left + e->jobs - 1) / e->jobs;
	long b = e->batch > 0 ? e->batch : CLAB_BUDGET_BATCH;
	return b < fair ? b : fair > 0 ? fair : 1;
}

void clab_budget_run(struct clab_budget *e)
{
	if (e->strategy == CLAB_BUDGET_BOUNDED) {
		run_bounded(e);
		return;
	}
	struct slot {
		pid_t pid;
		long i, n, stride; /* schedules i, i + stride, ... (n) */
		int fd;		   /* a batch's pipe, or -1 */
	} *sl = calloc((size_t)e->jobs, sizeof(*sl));
	long next = 0, running = 0;
	long stride = e->nshards > 1 ? e->nshards : 1;
	struct rests rest = {0}; /* --all: what failed batches did not run */
	uint64_t t0 = clab__mono_ns(), last = t0;
	e->first = -1;
	if (!sl)
		return;
	while (e->nshards > 1 && next % e->nshards != e->shard - 1)
		next++; /* this shard's first */
	for (;;) {
		int stop_new =
		    (e->first >= 0 && !e->all) ||
		    (e->limit_s && clab__mono_ns() - t0 >=
				       (uint64_t)e->limit_s * 1000000000u);
		while (!stop_new && running < e->jobs &&
		       (rest.n || next < e->schedules)) {
			long n, i;
			if (rest.n) {
				rests_pop(&rest, &i, &n);
			} else {
				n = batch_size(e, next);
				i = next;
				next += n * stride;
			}
			int fd = -1;
			pid_t pid;
			if (one_a_process(e)) {
				char tp[CLAB_BUDGET_PATH];
				trace_path(e, i, tp, sizeof(tp));
				pid = start(e, i, NULL, 0, tp, NULL, NULL);
			} else {
				pid = start_batch(e, i, n, stride, &fd);
			}
			if (pid < 0)
				break;
			for (long k = 0; k < e->jobs; k++)
				if (!sl[k].pid) {
					sl[k] = (struct slot){pid, i, n, stride,
							      fd};
					break;
				}
			running++;
		}
		if (running == 0)
			break;
		int st;
		pid_t pid = wait(&st);
		if (stop_sig) { /* the child that ended with it too */
			if (pid > 0)
				pin_give(e, pid); /* reaped: not to kill */
			budget_stop(e);
		}
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (long k = 0; k < e->jobs; k++) {
			if (sl[k].pid != pid)
				continue;
			int code = clab_supervise_code(st);
			struct slot s = sl[k];
			sl[k].pid = 0;
			running--;
			long passed = s.fd >= 0 ? batch_passed(s.fd) : !code;
			e->ran += passed;
			e->by_code[0] += passed;
			if (passed < s.n) { /* a child that ended early */
				failed_at(e, pid, s.i + passed * s.stride,
					  code ? code : CLAB_EXIT_IO);
				long left = s.n - passed - 1;
				if (e->all && left > 0) /* no memory: not run */
					rests_push(&rest,
						   s.i +
						       (passed + 1) * s.stride,
						   left);
			} else
				finish(e, pid, s.i, NULL);
			if (s.fd < 0 && passed) { /* one run, not boxed */
				char tp[CLAB_BUDGET_PATH];
				trace_path(e, s.i, tp, sizeof(tp));
				clab_cmd_unlink_trace(tp);
			}
			break;
		}
		if (e->progress && clab__mono_ns() - last > 200000000u) {
			progress(e, t0);
			last = clab__mono_ns();
		}
	}
	if (e->boxed)
		clab_sandbox_kill(0, 1); /* orphans: no child of ours is left */
	if (e->progress)
		progress(e, t0), fprintf(stderr, "\n");
	e->secs = (double)(clab__mono_ns() - t0) / 1e9;
	free(sl);
	free(rest.v);
}

static size_t nonzero(const uint32_t *p, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += p[i] != 0;
	return k;
}

/*
 * Make the failing schedule smaller while it fails the same way: first
 * the shortest prefix (the rest runs without preemption), then each
 * remaining preemption taken away in turn.  Each try is a replay; what
 * is kept is what that replay recorded.  Returns the shrunk string
 * (malloc'd; the input when nothing helped).
 */
char *clab_budget_shrink(struct clab_budget *e, char *str, uint64_t seed,
			 int code, long *tries)
{
	uint32_t *p;
	size_t n;
	unsigned spur;
	char tp[CLAB_BUDGET_PATH];
	snprintf(tp, sizeof(tp), "%s/shrink.clt", e->dir);
	if (clab_sched_parse(str, &p, &n, &spur) != 0)
		return str;
	int len = clab_sched_format(p, n, spur, NULL, 0);
	char *buf = malloc((size_t)len + 1);
	if (!buf) {
		free(p);
		return str;
	}
	/* try(p, m): does the replay of p[0..m) fail the same way? */
#define TRY(m)                                                                 \
	(clab_sched_format(p, (m), spur, buf, (size_t)len + 1), (*tries)++,    \
	 clab_budget_rerun(e, buf, seed, tp, NULL) == code)
	size_t lo = 0, hi = n; /* the prefix p[0..hi) fails */
	while (lo < hi && *tries < 64) {
		size_t mid = lo + (hi - lo) / 2;
		if (TRY(mid))
			hi = mid;
		else
			lo = mid + 1;
	}
	n = hi;
	for (size_t j = 0; j < n && *tries < 200; j++) {
		if (!p[j])
			continue;
		uint32_t was = p[j];
		p[j] = 0;
		if (!TRY(n))
			p[j] = was;
	}
#undef TRY
	/* the shrunk run, recorded: exactly what a replay of it does */
	clab_sched_format(p, n, spur, buf, (size_t)len + 1);
	char *out = str;
	if (clab_budget_rerun(e, buf, seed, tp, NULL) == code) {
		char *rec = clab_budget_schedule_of(tp);
		if (rec) {
			free(str);
			out = rec;
		}
	}
	clab_cmd_unlink_trace(tp);
	free(buf);
	free(p);
	return out;
}

struct clab_shape clab_budget_shape(const char *schedule)
{
	struct clab_shape sh = {0, 0};
	uint32_t *p;
	unsigned spur;
	if (schedule &&
	    clab_sched_parse(schedule, &p, &sh.choices, &spur) == 0) {
		sh.switches = nonzero(p, sh.choices);
		free(p);
	}
	return sh;
}

char *clab_budget_first_schedule(struct clab_budget *e)
{
	char tp[CLAB_BUDGET_PATH];
	if (e->first < 0)
		return NULL;
	trace_path(e, e->first, tp, sizeof(tp));
	char *s = clab_budget_schedule_of(tp);
	clab_cmd_unlink_trace(tp);
	return s;
}

/* ---- every schedule within a bound of deviations ---- */

/*
 * A schedule to run: its first picks (the rest are 0, the scheduler's
 * default: the current thread goes on).
 */
struct node {
	uint32_t *p;
	size_t n;
	struct clab_por_sleep *z; /* the threads asleep there (por.c) */
};

struct nodes {
	struct node *v;
	size_t n, cap;
};

static int push_node(struct nodes *s, const uint32_t *p, size_t n,
		     uint32_t last, struct clab_por_sleep *z)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		struct node *nv = realloc(s->v, cap * sizeof(*nv));
		if (!nv)
			return -1;
		s->v = nv;
		s->cap = cap;
	}
	uint32_t *c = malloc((n + 1) * sizeof(*c));
	if (!c)
		return -1;
	if (n)
		memcpy(c, p, n * sizeof(*c));
	c[n] = last;
	s->v[s->n++] = (struct node){c, n + 1, z};
	return 0;
}

/* clab_por_children's push: the node takes z. */
static int push_por(void *arg, const uint32_t *p, size_t j, uint32_t a,
		    struct clab_por_sleep *z)
{
	return push_node(arg, p, j, a, z);
}

/* The picks and the options of each that a run's trace recorded. */
static int recorded(const char *trace, uint32_t **p, uint32_t **no, size_t *n)
{
	char err[512];
	struct clab_trace *tr;
	size_t nn = 0;
	unsigned spur;
	*p = *no = NULL;
	if (clab_trace_load(trace, &tr, err, sizeof(err)) != 0)
		return -1;
	const char *a = clab_trace_meta(tr, "sched.schedule");
	const char *b = clab_trace_meta(tr, "sched.options");
	int rc = a && b && clab_sched_parse(a, p, n, &spur) == 0 &&
			 clab_sched_parse(b, no, &nn, &spur) == 0 && nn == *n
		     ? 0
		     : -1;
	clab_trace_free(tr);
	if (rc) {
		free(*p);
		free(*no);
		*p = *no = NULL;
	}
	return rc;
}

/*
 * Depth first over the tree of schedules, each a replay of a prefix of
 * picks, in batches of `jobs` so that the order (and so the first
 * failure) does not depend on timing.  A node's children change one pick
 * past its prefix, where the run took the default, to each other option:
 * kept while the picks that are not the default (deviations: a switch the
 * scheduler would not have made, a timeout, a spurious wakeup, another
 * waiter woken) number at most `bound`.  The tree is all the schedules of
 * at most `bound` deviations: delay-bounded search.
 */
static void run_bounded(struct clab_budget *e)
{
	struct nodes st = {0};
	struct node *batch = calloc((size_t)e->jobs, sizeof(*batch));
	pid_t *pids = calloc((size_t)e->jobs, sizeof(*pids));
	uint64_t t0 = clab__mono_ns(), last = t0;
	unsigned spur =
	    e->opts.spurious_max < 0 ? 1u : (unsigned)e->opts.spurious_max;
	long order = 0;
	int stopped = 0;
	e->first = -1;
	e->exhausted = 0;
	if (!batch || !pids || push_node(&st, NULL, 0, 0, NULL) != 0)
		goto out;
	st.v[0].n = 0; /* the root: no prefix at all */
	while (st.n) {
		if ((e->first >= 0 && !e->all) || order >= e->schedules ||
		    (e->limit_s && clab__mono_ns() - t0 >=
				       (uint64_t)e->limit_s * 1000000000u)) {
			stopped = 1;
			break;
		}
		long nb = 0;
		while (nb < e->jobs && st.n && order + nb < e->schedules) {
			batch[nb] = st.v[--st.n];
			int len = clab_sched_format(batch[nb].p, batch[nb].n,
						    spur, NULL, 0);
			char *str = malloc((size_t)len + 1),
			     tp[CLAB_BUDGET_PATH], lp[CLAB_BUDGET_PATH];
			if (str)
				clab_sched_format(batch[nb].p, batch[nb].n,
						  spur, str, (size_t)len + 1);
			trace_path(e, order + nb, tp, sizeof(tp));
			/* a run with children logs its choices (por.c) */
			log_path(e, order + nb, lp, sizeof(lp));
			int logs = e->por &&
				   nonzero(batch[nb].p, batch[nb].n) < e->bound;
			pids[nb] = str ? start(e, order + nb, str, e->seed, tp,
					       NULL, logs ? lp : NULL)
				       : -1;
			free(str);
			nb++;
		}
		for (long k = 0; k < nb; k++) {
			long i = order + k;
			int code = pids[k] > 0 ? wait_code(pids[k]) : 5;
			if (stop_sig) {
				if (pids[k] > 0)
					pin_give(e, pids[k]); /* reaped */
				budget_stop(e);
			}
			char tp[CLAB_BUDGET_PATH];
			trace_path(e, i, tp, sizeof(tp));
			if (pids[k] > 0)
				finish(e, pids[k], i, tp);
			e->ran++;
			e->by_code[code_slot(code)]++;
			int keep = 0;
			if (code != 0) {
				e->failed++;
				if (e->first < 0) {
					e->first = i;
					e->first_code = code;
					keep = 1;
				}
			}
			uint32_t *p, *no;
			size_t m, dev = nonzero(batch[k].p, batch[k].n);
			char lp[CLAB_BUDGET_PATH];
			log_path(e, i, lp, sizeof(lp));
			if ((code == 0 || e->all) && e->por) {
				/* a leaf has no children: nothing to read */
				if (dev < e->bound)
					clab_por_children(tp, lp, batch[k].n,
							  batch[k].z, e->bound,
							  push_por, &st,
							  &e->pruned);
			} else if ((code == 0 || e->all) &&
				   recorded(tp, &p, &no, &m) == 0) {
				/* deepest last on the stack: popped first */
				for (size_t j = batch[k].n;
				     dev < e->bound && j < m; j++)
					for (uint32_t a = 1; a < no[j]; a++)
						push_node(&st, p, j, a, NULL);
				free(p);
				free(no);
			}
			if (!keep)
				clab_cmd_unlink_trace(tp);
			unlink(lp);
			free(batch[k].p);
			clab_por_sleep_free(batch[k].z);
		}
		order += nb;
		if (e->progress && clab__mono_ns() - last > 200000000u) {
			progress(e, t0);
			last = clab__mono_ns();
		}
	}
	e->exhausted = !stopped && st.n == 0 && (e->first < 0 || e->all);
out:
	for (size_t k = 0; k < st.n; k++) {
		free(st.v[k].p);
		clab_por_sleep_free(st.v[k].z);
	}
	free(st.v);
	free(batch);
	free(pids);
	if (e->progress)
		progress(e, t0), fprintf(stderr, "\n");
	e->secs = (double)(clab__mono_ns() - t0) / 1e9;
}
