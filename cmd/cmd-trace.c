/*
 * conclab trace: run an unmodified, dynamically linked pthread program
 * with the preload library (preload/), which records its mutexes,
 * condition variables, semaphores, barriers, spin locks and threads into a
 * trace
 * under the watchdog; then the lock-order report and the checks any trace
 * can be given.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <link.h>
#include <stddef.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <conclab/analyze.h>
#include <conclab/lockdep.h>
#include <conclab/trace.h>
#include <conclab/tui.h>

#include "cmd.h"
#include "lab.h"
#include "preload-config.h"
#include "report.h"
#include "supervise.h"

/*
 * The preload library: $CONCLAB_PRELOAD, else the build tree's beside the
 * build tree's conclab, else the installed one.
 */
static void preload_path(char *buf, size_t len)
{
	const char *env = getenv("CONCLAB_PRELOAD");
	char self[PATH_MAX], built[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = 0;
	if (env && *env)
		snprintf(buf, len, "%s", env);
	else if (realpath(CLAB_PRELOAD_BUILD_CONCLAB, built) &&
		 strcmp(built, self) == 0)
		snprintf(buf, len, "%s", CLAB_PRELOAD_BUILD);
	else
		snprintf(buf, len, "%s", CLAB_PRELOAD_INSTALL);
}

/*
 * A conclab built with AddressSanitizer makes a preload library built with
 * it too, whose runtime must come first in the program's libraries, before
 * the preload library: the path of the one this process runs with, if any
 * (or of ThreadSanitizer's, under which conclab trace cannot work).
 */
static int find_sanitizer(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	const char *base = strrchr(info->dlpi_name, '/');
	base = base ? base + 1 : info->dlpi_name;
	if (strncmp(base, "libasan.so", 10) != 0 &&
	    strncmp(base, "libtsan.so", 10) != 0)
		return 0;
	snprintf(data, PATH_MAX, "%s", info->dlpi_name);
	return 1;
}

/*
 * The fewest records, or threads, for which the report may come from the
 * trace's digest: below both, reading them is quick and small, and the
 * report has the concurrency line the digest cannot give.  A thread costs
 * the full report about 750 bytes, its records besides (docs/performance.md,
 * "Threads that end"), and a program may start a million one after another.
 */
#define QUICK_MIN 1000000
#define QUICK_MIN_THREADS 10000

struct trace_opts {
	const char *trace;
	long limit_s, seed;
	int stacks, no_check, full, view, quiet;
};

/* A controlled run's time limit when --time-limit is not given. */
#define CONTROLLED_LIMIT_S 60

/*
 * How long, after the program ended, its report waits for a child that
 * still runs and has not closed its trace: one stopped by the same signal
 * saves its trace within the crash rescue's stall limit (2 s), most often
 * in milliseconds.
 */
#define CHILD_SETTLE_MS 2500

static const struct clab_opt trace_opts[] = {
    {.name = "trace",
     .type = CLAB_OPT_STRING,
     .arg = "FILE",
     .off = offsetof(struct trace_opts, trace),
     .min = 1,
     .want = "a file",
     .def = "PROG's name + .clt, here",
     .help = "the trace file"},
    {.name = "stacks",
     .type = CLAB_OPT_FLAG,
     .off = offsetof(struct trace_opts, stacks),
     .help = "record call stacks with the waits (conclab run --stacks)"},
    {.name = "time-limit",
     .type = CLAB_OPT_LONG,
     .arg = "SEC",
     .off = offsetof(struct trace_opts, limit_s),
     .min = 1,
     .max = 86400,
     .want = "seconds (1..86400)",
     .def = "none; 60 under --sched random, pct or replay",
     .help = "stop PROG after SEC seconds (exit 4, trace saved)"},
    {.name = "no-check",
     .type = CLAB_OPT_FLAG,
     .off = offsetof(struct trace_opts, no_check),
     .help = "the lock-order report only"},
    {.name = "full",
     .type = CLAB_OPT_FLAG,
     .off = offsetof(struct trace_opts, full),
     .help = "read every record for the report, even when the trace's "
	     "digest shows there is nothing to report"},
    {.name = "seed",
     .type = CLAB_OPT_LONG,
     .arg = "N",
     .off = offsetof(struct trace_opts, seed),
     .max = LONG_MAX,
     .def = "1",
     .help = "the controlled scheduler's seed (with --sched random or pct: "
	     "the same seed gives the same run)"},
    {.name = "view",
     .type = CLAB_OPT_FLAG,
     .off = offsetof(struct trace_opts, view),
     .help = "open the viewer (conclab replay) when PROG ends, after the "
	     "report: at the deadlock if there was one, else at the start; "
	     "needs a terminal; the exit code is the run's, after q"},
    {.name = "quiet",
     .abbrev = 'q',
     .type = CLAB_OPT_FLAG,
     .off = offsetof(struct trace_opts, quiet),
     .help = "only the results: the lock-order report in brief (as conclab "
	     "run gives it), the checks, the trace"},
    CLAB_OPT_TABLE_END,
};

/* Whether a word can go on a shell's command line as it is. */
static int plain_word(const char *w)
{
	return *w && strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
			       "vwxyz0123456789_./=:,+-@%") == strlen(w);
}

/* w on out, in single quotes unless it is plain. */
static void put_word(FILE *out, const char *w)
{
	if (plain_word(w)) {
		fputs(w, out);
		return;
	}
	fputc('\'', out);
	for (; *w; w++)
		if (*w == '\'')
			fputs("'\\''", out);
		else
			fputc(*w, out);
	fputc('\'', out);
}

/*
 * A controlled run: the command that replays it (the schedule string
 * when it is short, else the trace that keeps it), and whether a replay
 * left the schedule it was given.
 */
static void replay_line(const struct clab_trace *tr, const char *trace,
			const struct clab_cmd_sched *s, char **prog)
{
	const char *str = clab_trace_meta(tr, "sched.schedule");
	const char *seed = clab_trace_meta(tr, "seed");
	if (!str)
		return;
	if (s->o.mode == CLAB_SCHED_REPLAY && strcmp(str, s->replay) != 0)
		printf("conclab trace: the replay left its schedule: the "
		       "program, its arguments, its input or its seed differ "
		       "from the run that made it\n");
	printf("replay it: conclab trace");
	if (seed && strcmp(seed, "1") != 0)
		printf(" --seed %s", seed);
	clab_cmd_sched_print(stdout, s);
	printf(" --replay ");
	put_word(stdout, strlen(str) <= 24 ? str : trace);
	printf(" --");
	for (size_t i = 0; prog[i]; i++) {
		putchar(' ');
		put_word(stdout, prog[i]);
	}
	putchar('\n');
}

/*
 * --view: the viewer on the loaded trace, at the deadlock when there is
 * one.  Returns 128+N when the viewer was stopped by signal N, else 0
 * (a viewer that cannot start says why and leaves the exit code alone).
 */
static int view_trace(struct clab_trace *tr, const char *trace, int deadlock)
{
	char err[512], dir[PATH_MAX];
	struct clab_tui_opts o;
	clab_tui_opts_init(&o);
	o.deadlock = deadlock;
	snprintf(dir, sizeof(dir), "%s", trace);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	o.dir = slash ? dir : ".";
	fflush(stdout);
	fflush(stderr);
	int rc = clab_tui_run(tr, &o, err, sizeof(err));
	if (rc < 0) {
		/* the terminal is restored by now */
		fprintf(stderr, "conclab trace: --view: %s\n", err);
		return 0;
	}
	return rc;
}

/*
 * The traced program's environment: conclab's, with the variables that
 * tell the preload library what to do put in (replacing any of the same
 * name).  It is started with posix_spawn, not fork and exec: a fork copies
 * conclab's page tables and then faults on the pages both write, which
 * costs a millisecond or more here, at every run.
 */
#define CHILD_VARS 16
struct child_env {
	char *set[CHILD_VARS]; /* "NAME=value" */
	size_t nset;
	int failed;
};

static void env_put(struct child_env *ce, const char *name, const char *value)
{
	if (ce->nset == CHILD_VARS ||
	    asprintf(&ce->set[ce->nset], "%s=%s", name, value) < 0)
		ce->failed = 1;
	else
		ce->nset++;
}

/* Whether the environment's entry var is one of ce's. */
static int env_replaced(const struct child_env *ce, const char *var)
{
	for (size_t j = 0; j < ce->nset; j++) {
		size_t n = (size_t)(strchr(ce->set[j], '=') - ce->set[j]) + 1;
		if (strncmp(var, ce->set[j], n) == 0)
			return 1;
	}
	return 0;
}

/* The environment for the program (its strings are environ's and ce's). */
static char **env_build(const struct child_env *ce)
{
	size_t n = 0, k = 0;
	while (environ[n])
		n++;
	char **e = ce->failed ? NULL : malloc((n + ce->nset + 1) * sizeof(*e));
	if (!e)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!env_replaced(ce, environ[i]))
			e[k++] = environ[i];
	for (size_t j = 0; j < ce->nset; j++)
		e[k++] = ce->set[j];
	e[k] = NULL;
	return e;
}

static void env_free(struct child_env *ce)
{
	for (size_t j = 0; j < ce->nset; j++)
		free(ce->set[j]);
	ce->nset = 0;
}

/*
 * Start prog with envp as execvp would: found in PATH, and a file the
 * kernel cannot run (ENOEXEC: a script without "#!") run by /bin/sh,
 * which posix_spawnp leaves out.  Returns 0 or an errno.
 */
static int spawn_prog(pid_t *pid, char **prog, char **envp)
{
	int e = posix_spawnp(pid, prog[0], NULL, NULL, prog, envp);
	if (e != ENOEXEC)
		return e;
	char path[PATH_MAX];
	const char *file = prog[0];
	if (!strchr(file, '/')) { /* the first in PATH the kernel refused */
		const char *p = getenv("PATH");
		file = NULL;
		for (p = p ? p : "/bin:/usr/bin"; p && !file;) {
			const char *colon = strchr(p, ':');
			size_t n = colon ? (size_t)(colon - p) : strlen(p);
			int w = snprintf(path, sizeof(path), "%.*s%s%s", (int)n,
					 p, n ? "/" : "", prog[0]);
			if (w > 0 && (size_t)w < sizeof(path) &&
			    access(path, X_OK) == 0)
				file = path;
			p = colon ? colon + 1 : NULL;
		}
		if (!file)
			return ENOEXEC;
	}
	size_t argc = 0;
	while (prog[argc])
		argc++;
	char **argv = malloc((argc + 2) * sizeof(*argv));
	if (!argv)
		return ENOMEM;
	argv[0] = "/bin/sh";
	argv[1] = (char *)file;
	for (size_t i = 1; i <= argc; i++)
		argv[i + 1] = prog[i];
	e = posix_spawn(pid, "/bin/sh", NULL, NULL, argv, envp);
	free(argv);
	return e;
}

/* The scheduler's options for the preload library, in the environment. */
static void sched_env(struct child_env *ce, const struct clab_cmd_sched *s)
{
	char buf[32];
	env_put(ce, "CONCLAB_TRACE_SCHED", clab_sched_mode_name(s->o.mode));
	snprintf(buf, sizeof(buf), "%" PRIu64, s->o.seed);
	env_put(ce, "CONCLAB_TRACE_SEED", buf);
	if (s->replay)
		env_put(ce, "CONCLAB_TRACE_REPLAY", s->replay);
	snprintf(buf, sizeof(buf), "%u", s->o.pct_depth);
	env_put(ce, "CONCLAB_TRACE_PCT_DEPTH", buf);
	snprintf(buf, sizeof(buf), "%" PRIu64, s->o.step_limit);
	env_put(ce, "CONCLAB_TRACE_STEP_LIMIT", buf);
	snprintf(buf, sizeof(buf), "%d", s->o.spurious_max);
	env_put(ce, "CONCLAB_TRACE_SPURIOUS", buf);
	env_put(ce, "CONCLAB_TRACE_EARLY_TIMEOUTS",
		s->o.early_timeouts ? "1" : "0");
}

/*
 * The report from every record of the loaded trace: the lock-order report
 * (in brief when quiet), the checks (when check), the trace's name and its
 * children's.  Returns the exit code so far.
 */
static int full_report(struct clab_trace *tr, const char *trace,
		       const char *prog, int check, int quiet)
{
	int rc = CLAB_EXIT_OK;
	struct clab_analysis an;
	int analysed = clab_analyze(tr, &an) == 0;
	if (analysed && quiet) {
		if (clab_analysis_brief_says(tr, &an)) {
			printf("\n");
			clab_analysis_print_brief(tr, &an, stdout);
		}
	} else if (analysed) {
		printf("\nlock order (conclab analyze):\n");
		clab_cmd_lock_report(tr, &an, stdout);
	}
	if (analysed && clab_analysis_problems(&an))
		rc = CLAB_EXIT_CHECK;
	if (check) {
		struct clab_lab_report rep = {0};
		clab_generic_check_any_with(tr, analysed ? &an : NULL, &rep);
		printf("\n");
		const char *b = strrchr(prog, '/');
		clab_report_write(stdout, CLAB_REPORT_TEXT, trace, "trace",
				  b ? b + 1 : prog, NULL, &rep, NULL);
		if (clab_lab_report_failed(&rep))
			rc = CLAB_EXIT_CHECK;
		clab_lab_report_free(&rep);
	}
	if (analysed)
		clab_analysis_fini(&an);
	printf("trace: %s\n", trace);
	clab_cmd_forks(tr, trace, stdout);
	return rc;
}

static int trace_run(int argc, char **argv, struct clab_cmd_sched *sched);

static int trace_exec(int argc, char **argv)
{
	struct clab_cmd_sched sched;
	clab_cmd_sched_init(&sched);
	int rc = trace_run(argc, argv, &sched);
	clab_cmd_sched_fini(&sched);
	return rc;
}

static int trace_run(int argc, char **argv, struct clab_cmd_sched *sched)
{
	const struct clab_cmd *cmd = &clab_cmd_trace;
	struct trace_opts o = {.seed = -1};
	struct clab_opts_rest r = {0};
	struct clab_cmd_record rec = {0};
	void *const bases[] = {&o, sched, &rec};
	int prc = clab_opts_parse(cmd, argc, argv, bases, &r);
	if (prc || r.help) /* --help: printed */
		return prc;
	if (!r.rest)
		return clab_cmd_misuse(cmd, "which program?");
	int ctl = sched->o.mode != CLAB_SCHED_OS;
	if (o.seed >= 0 && !ctl)
		return clab_cmd_misuse(cmd, "--seed N is the controlled "
					    "scheduler's: it goes with --sched "
					    "random, pct or replay");
	long seed = o.seed >= 0		    ? o.seed
		    : sched->has_trace_seed ? sched->trace_seed
					    : 1;
	prc = clab_cmd_sched_ready(cmd, sched, (uint64_t)seed);
	if (prc)
		return prc;
	if (sched->replay) {
		/* refused here, not by the program's constructor */
		uint32_t *picks;
		size_t npicks;
		unsigned spur;
		if (clab_sched_parse(sched->replay, &picks, &npicks, &spur))
			return clab_cmd_misuse(cmd, "--replay: the schedule "
						    "string is malformed");
		free(picks);
	}
	const char *trace = o.trace;
	long limit_s = o.limit_s ? o.limit_s : ctl ? CONTROLLED_LIMIT_S : 0;
	int stacks = o.stacks, check = !o.no_check, i = r.rest;
	int view = o.view, quiet = o.quiet;
	if (view && (!isatty(0) || !isatty(1))) {
		fprintf(stderr,
			"conclab trace: --view needs a terminal; see the "
			"trace with conclab replay TRACE\n");
		view = 0;
	}
	char **prog = &argv[i];
	char deftrace[PATH_MAX];
	if (!trace) {
		const char *b = strrchr(prog[0], '/');
		snprintf(deftrace, sizeof(deftrace), "%s.clt",
			 b ? b + 1 : prog[0]);
		trace = deftrace;
	}

	char lib[PATH_MAX], san[PATH_MAX] = "";
	preload_path(lib, sizeof(lib));
	if (access(lib, R_OK) != 0) {
		fprintf(stderr,
			"conclab trace: no preload library %s: %s\n(it is "
			"built with conclab; CONCLAB_PRELOAD names another)\n",
			lib, strerror(errno));
		return CLAB_EXIT_USAGE;
	}
	dl_iterate_phdr(find_sanitizer, san);
	const char *sb = strrchr(san, '/');
	if (strncmp(sb ? sb + 1 : san, "libtsan", 7) == 0) {
		fprintf(stderr,
			"conclab trace: not in a ThreadSanitizer build of "
			"conclab: its preload library would run conclab's "
			"code in each new thread before ThreadSanitizer has "
			"set the thread up\n");
		return CLAB_EXIT_USAGE;
	}
	const char *old = getenv("LD_PRELOAD");
	size_t plen = strlen(san) + strlen(lib) + (old ? strlen(old) : 0) + 3;
	char *preload = malloc(plen);
	if (!preload)
		return CLAB_EXIT_IO;
	snprintf(preload, plen, "%s%s%s%s%s", san, san[0] ? ":" : "", lib,
		 old && *old ? ":" : "", old && *old ? old : "");
	char limitbuf[32], codecbuf[16], bufferbuf[32];
	snprintf(limitbuf, sizeof(limitbuf), "%ld", limit_s);
	snprintf(codecbuf, sizeof(codecbuf), "%d", rec.codec);
	snprintf(bufferbuf, sizeof(bufferbuf), "%ld", rec.buffer_mb);

	/*
	 * The old trace goes first, with its children's: a program that
	 * never starts leaves none.
	 */
	clab_cmd_remove_children(trace);
	if (unlink(trace) != 0 && errno != ENOENT) {
		fprintf(stderr, "conclab trace: cannot replace %s: %s\n", trace,
			strerror(errno));
		free(preload);
		return CLAB_EXIT_IO;
	}
	struct child_env ce = {0};
	env_put(&ce, "LD_PRELOAD", preload);
	env_put(&ce, "CONCLAB_TRACE_FILE", trace);
	env_put(&ce, "CONCLAB_TRACE_STACKS", stacks ? "1" : "0");
	env_put(&ce, "CONCLAB_TRACE_LIMIT", limitbuf);
	env_put(&ce, "CONCLAB_TRACE_CODEC", codecbuf);
	env_put(&ce, "CONCLAB_TRACE_BUFFER_MB", bufferbuf);
	if (ctl)
		sched_env(&ce, sched);
	free(preload);
	char **envp = env_build(&ce);
	if (!envp) {
		env_free(&ce);
		fprintf(stderr, "conclab trace: out of memory\n");
		return CLAB_EXIT_IO;
	}
	/* what conclab printed comes before what the program prints */
	fflush(NULL);
	/*
	 * A SIGTERM or SIGHUP sent to conclab alone goes on to the program,
	 * which saves its trace: conclab reports it.
	 */
	struct clab_supervise_pass ps;
	clab_supervise_pass_begin(&ps);
	pid_t pid;
	int e = spawn_prog(&pid, prog, envp);
	free(envp);
	env_free(&ce);
	if (e) {
		clab_supervise_pass_end(&ps);
		fprintf(stderr, "conclab trace: cannot run %s: %s\n", prog[0],
			strerror(e));
		return CLAB_EXIT_USAGE;
	}
	/* Ctrl-C is the program's: conclab waits and reports. */
	struct clab_supervise_ignore ig;
	clab_supervise_ignore(&ig);
	clab_supervise_pass_to(pid);
	int status = 0;
	clab_supervise_wait(pid, 0, &status, NULL);
	clab_supervise_restore(&ig);
	clab_supervise_pass_end(&ps);
	/* its children may end a moment after it (the same Ctrl-C) */
	clab_cmd_forks_settle(CHILD_SETTLE_MS);
	int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
	fflush(stdout);
	if (sig)
		fprintf(stderr,
			"conclab trace: %s was killed by signal %d "
			"(%s)\n",
			prog[0], sig, strsignal(sig));

	if (access(trace, F_OK) != 0) {
		/* a Ctrl-C can come before the preload library opens one */
		if (sig)
			fprintf(stderr,
				"conclab trace: %s left no trace: the signal "
				"came before it opened one, or it is not "
				"dynamically linked against the C library's "
				"threads\n",
				prog[0]);
		else
			fprintf(stderr,
				"conclab trace: %s left no trace: is it "
				"dynamically linked against the C library's "
				"threads?\n",
				prog[0]);
		return sig ? 128 + sig : CLAB_EXIT_USAGE;
	}
	int rc = CLAB_EXIT_OK, failed = 0;
	/*
	 * The quick report from the digest, when it may be given: --view and
	 * a controlled run's replay line need the trace itself.
	 */
	if (!o.full && !view && !ctl &&
	    clab_cmd_quick_report(trace, prog[0], check, quiet, QUICK_MIN,
				  QUICK_MIN_THREADS, &failed)) {
		if (failed)
			rc = CLAB_EXIT_CHECK;
		if (getenv("CONCLAB_DIGEST_COMPARE") &&
		    clab_cmd_digest_compare(trace, stderr))
			return CLAB_EXIT_DIGEST;
		if (!sig && code != 0) {
			printf("%s exited with status %d\n", prog[0], code);
			rc = CLAB_EXIT_CHECK;
		}
		fflush(stdout);
		return sig ? 128 + sig : rc;
	}
	char err[512];
	struct clab_trace *tr;
	if (clab_trace_load(trace, &tr, err, sizeof(err)) != 0) {
		fprintf(stderr, "conclab trace: %s\n", err);
		return sig		      ? 128 + sig
		       : code == CLAB_EXIT_IO ? CLAB_EXIT_IO
					      : CLAB_EXIT_USAGE;
	}
	if (clab_trace_damage(tr))
		fprintf(stderr, "conclab trace: %s\n", clab_trace_damage(tr));
	/* the watchdog's endings, told from the program's own exit codes */
	int deadlock = code == CLAB_EXIT_DEADLOCK &&
		       clab_cmd_has_diag(tr, CLAB_D_DEADLOCK);
	int limit = code == CLAB_EXIT_TIMEOUT &&
		    (clab_cmd_has_diag(tr, CLAB_D_RUN_TIMEOUT) ||
		     clab_cmd_has_diag(tr, CLAB_D_STEP_LIMIT));
	if (limit && ctl && clab_cmd_has_diag(tr, CLAB_D_STEP_LIMIT))
		fprintf(stderr,
			"conclab trace: a correct program that runs long also "
			"takes that many steps: give it more with --step-limit "
			"N, and a livelock still ends there\n");
	if (limit && ctl && clab_cmd_has_diag(tr, CLAB_D_RUN_TIMEOUT))
		fprintf(stderr,
			"conclab trace: under --sched one thread runs at a "
			"time, and a thread blocked outside the calls conclab "
			"records (read, poll, a pipe, a futex, a lock of "
			"another library) keeps the turn: the others waited "
			"for it until the time limit\n");
	rc = full_report(tr, trace, prog[0], check, quiet);
	if (getenv("CONCLAB_DIGEST_COMPARE") &&
	    clab_cmd_digest_compare(trace, stderr)) {
		clab_trace_free(tr);
		return CLAB_EXIT_DIGEST;
	}
	if (!sig && code != 0 && !deadlock && !limit) {
		printf("%s exited with status %d\n", prog[0], code);
		rc = CLAB_EXIT_CHECK;
	}
	if (ctl)
		replay_line(tr, trace, sched, prog);
	int vrc = view ? view_trace(tr, trace, deadlock) : 0;
	clab_trace_free(tr);
	fflush(stdout);
	if (vrc > 0)
		return vrc;
	if (sig)
		return 128 + sig;
	if (deadlock)
		return CLAB_EXIT_DEADLOCK;
	if (limit)
		return CLAB_EXIT_TIMEOUT;
	return rc;
}

const struct clab_cmd clab_cmd_trace = {
    .name = "trace",
    .args = "[OPTIONS] [--] PROG [ARGS...]",
    .summary = "record an unmodified pthread program (LD_PRELOAD)",
    .help =
	"Runs PROG with ARGS (found on PATH, run directly, never through a "
	"shell) with\nconclab's preload library, which records its pthread "
	"mutexes (with\nPTHREAD_MUTEX_INITIALIZER, recursive and "
	"error-checking ones, trylock,\ntimedlock and clocklock), condition "
	"variables, semaphores (sem_init and\nsem_open), barriers, read-write "
	"locks, spin locks and threads (create,\njoin, detach, exit, cancel, "
	"and "
	"the names pthread_setname_np and\nprctl give them), "
	"and C11's <threads.h> (mtx_*, cnd_*, thrd_*),\non conclab's "
	"primitives, under the deadlock watchdog, and its misuse\n(unlocking "
	"a mutex it does not hold, destroying or initialising one that\nis "
	"held...) as diagnostics at its own lines.  A pthread_cancel ends a\n"
	"condition, semaphore or join wait, as the C library's does.\n"
	"Process-shared objects (PTHREAD_PROCESS_SHARED, sem_init's "
	"pshared) and\nrobust mutexes stay the C library's, so that they "
	"work across processes\nand tell of an owner's death, and are not "
	"recorded; the report names them.\nA named semaphore (sem_open) keeps "
	"the C library's count, which other\nprocesses share, and its waits "
	"and posts are recorded; a deadlock over\nnamed semaphores is reported "
	"when no other process that can go on has\nthem open.  Processes that "
	"wait for each other in read, write (pipes,\nlocal sockets), waitpid "
	"and futex waits on shared memory (named\nsemaphores, process-shared "
	"locks) are a deadlock too: the watchdog reads\n/proc, reports them, "
	"and ends the others.  Before an exec that has a\nprogram to run, or "
	"an _exit, the trace is closed whole;\nprograms PROG starts (exec, "
	"posix_spawn, system, popen, a shell's\ncommands) are not traced, and "
	"the report names them; a fork is\nrecorded, and the child records "
	"into a trace of its own, "
	"STEM.PID.clt (each\nchild is named with its trace at the end); a run "
	"that replaces a trace\nremoves its old children's; the program's "
	"pthread_atfork handlers run around\nthe fork as its own calls.  A "
	"main that ends "
	"with pthread_exit ends the\nprocess, status 0, when the program's "
	"last thread does.  PROG must be\ndynamically linked.\nA site is the "
	"caller's function, file and line from PROG's debug information\n"
	"(build it with -g, or a separate debug file on this machine; no\n"
	"debuginfod server is asked), or its symbol without it.\n\n"
	"When PROG ends, the lock-order report (as `conclab analyze`) and "
	"the checks\nany trace can be given (no deadlock, lock order, no "
	"misuse, every thread\nended, starvation, busy waiting, concurrency, "
	"locks held at exit) are printed.\n'conclab check TRACE' gives the "
	"same checks later.  When the trace has more\nthan 1,000,000 records "
	"or 10,000 threads and the digest its writer kept\nproves there is "
	"nothing to report, the same lines come from the digest\nwithout "
	"reading the records, but for the concurrency line, which says how\nto "
	"get it; --full reads them all the same.  See "
	"docs/trace-command.md.\n\n"
	"Under --sched random or pct the program's threads run one at a "
	"time, the\nseed picks each step, time is virtual, and the same seed "
	"gives the same\nrun; the program's sleep, usleep, nanosleep, "
	"clock_nanosleep and\nsched_yield wait on the virtual clock.  A "
	"thread that blocks in anything\nelse (read, poll, a pipe, a raw "
	"futex, another library's lock) keeps\nthe turn, and the run waits "
	"for it until the time limit (60 s under\ncontrol unless "
	"--time-limit says otherwise): a program that waits on\nits input, "
	"the network or another process is not for --sched.\n",
    .groups = (const struct clab_opt_group[]){{trace_opts, 0},
					      {clab_cmd_record_opts, 2},
					      {clab_cmd_sched_mode_opts, 1},
					      {clab_cmd_sched_pct_opts, 1},
					      {clab_cmd_sched_opts, 1},
					      {NULL, 0}},
    .operands_end_options = 1,
    .more =
	"Environment: CONCLAB_PRELOAD names the preload library to use;\n"
	"CONCLAB_DIGEST_COMPARE (for conclab's tests) compares the digest's "
	"verdict\nwith the full report's, exit 70 when they disagree.\n\n"
	"Exit codes: 0 nothing found; 1 a lock-order cycle, a failed check or "
	"PROG\nexited with another status than 0; 2 usage error, PROG "
	"cannot be run or left\nno trace; 3 PROG deadlocked (the watchdog's "
	"report on stderr, trace saved);\n4 the time limit passed (under "
	"--sched, or the step limit); 5 the trace\ncould not be written; "
	"128+N PROG (or the viewer) was killed by signal N.\nCtrl-C "
	"(SIGINT), SIGTERM, SIGHUP and the other signals whose default "
	"action\nends a program save its trace, and its children's, "
	"before they end it:\nthe report says \"incomplete: stopped by "
	"SIGINT while N threads ran\".\nA SIGTERM or SIGHUP sent to conclab "
	"alone is passed on to PROG.\n",
    .exec = trace_exec,
};
