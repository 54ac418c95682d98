/*
 * conclab trace: run an unmodified, dynamically linked pthread program
 * with the preload library (preload/), which records its mutexes,
 * condition variables, semaphores, barriers, spin locks and threads into a
 * trace
 * under the watchdog; then the lock-order report and the checks any trace
 * can be given.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <link.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <conclab/analyze.h>
#include <conclab/lockdep.h>
#include <conclab/trace.h>

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
 * The fewest records for which the report may come from the trace's
 * digest: below, reading them is quick, and the report has the
 * concurrency line the digest cannot give.
 */
#define QUICK_MIN 1000000

struct trace_opts {
	const char *trace;
	long limit_s;
	int stacks, no_check, full;
};

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
    CLAB_OPT_TABLE_END,
};

/*
 * The report from every record: the lock-order report, the checks (when
 * check) and the trace's name, and the watchdog's endings told from the
 * program's exit code.  Returns the exit code so far, or minus the exit
 * code when the trace cannot be read (said on stderr).
 */
static int full_report(const char *trace, const char *prog, int check, int code,
		       int sig, int *deadlock, int *limit)
{
	char err[512];
	struct clab_trace *tr;
	if (clab_trace_load(trace, &tr, err, sizeof(err)) != 0) {
		fprintf(stderr, "conclab trace: %s\n", err);
		return sig		      ? -(128 + sig)
		       : code == CLAB_EXIT_IO ? -CLAB_EXIT_IO
					      : -CLAB_EXIT_USAGE;
	}
	if (clab_trace_damage(tr))
		fprintf(stderr, "conclab trace: %s\n", clab_trace_damage(tr));
	int rc = CLAB_EXIT_OK;
	/* the watchdog's endings, told from the program's own exit codes */
	*deadlock = code == CLAB_EXIT_DEADLOCK &&
		    clab_cmd_has_diag(tr, CLAB_D_DEADLOCK);
	*limit = code == CLAB_EXIT_TIMEOUT &&
		 clab_cmd_has_diag(tr, CLAB_D_RUN_TIMEOUT);
	struct clab_analysis an;
	int analysed = clab_analyze(tr, &an) == 0;
	if (analysed) {
		printf("\nlock order (conclab analyze):\n");
		clab_cmd_lock_report(tr, &an, stdout);
		if (clab_analysis_problems(&an))
			rc = CLAB_EXIT_CHECK;
	}
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
	clab_trace_free(tr);
	return rc;
}

static int trace_exec(int argc, char **argv)
{
	struct trace_opts o = {0};
	struct clab_opts_rest r = {0};
	void *const bases[] = {&o};
	int prc = clab_opts_parse(&clab_cmd_trace, argc, argv, bases, &r);
	if (prc || r.help) /* --help: printed */
		return prc;
	if (!r.rest)
		return clab_cmd_misuse(&clab_cmd_trace, "which program?");
	const char *trace = o.trace;
	long limit_s = o.limit_s;
	int stacks = o.stacks, check = !o.no_check, i = r.rest;
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
	char limitbuf[32];
	snprintf(limitbuf, sizeof(limitbuf), "%ld", limit_s);

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
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) != 0) {
		free(preload);
		return CLAB_EXIT_IO;
	}
	pid_t pid = clab_supervise_fork(0);
	if (pid < 0) {
		fprintf(stderr, "conclab trace: fork: %s\n", strerror(errno));
		free(preload);
		return CLAB_EXIT_IO;
	}
	if (pid == 0) {
		close(pfd[0]);
		setenv("LD_PRELOAD", preload, 1);
		setenv("CONCLAB_TRACE_FILE", trace, 1);
		setenv("CONCLAB_TRACE_STACKS", stacks ? "1" : "0", 1);
		setenv("CONCLAB_TRACE_LIMIT", limitbuf, 1);
		execvp(prog[0], prog);
		int e = errno;
		if (write(pfd[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	free(preload);
	close(pfd[1]);
	/* Ctrl-C is the program's: conclab waits and reports. */
	struct clab_supervise_ignore ig;
	clab_supervise_ignore(&ig);
	int e = 0, status = 0;
	ssize_t got = read(pfd[0], &e, sizeof(e));
	close(pfd[0]);
	clab_supervise_wait(pid, 0, &status, NULL);
	clab_supervise_restore(&ig);
	if (got == (ssize_t)sizeof(e)) {
		fprintf(stderr, "conclab trace: cannot run %s: %s\n", prog[0],
			strerror(e));
		return CLAB_EXIT_USAGE;
	}
	int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
	fflush(stdout);
	if (sig)
		fprintf(stderr,
			"conclab trace: %s was killed by signal %d "
			"(%s)\n",
			prog[0], sig, strsignal(sig));

	if (access(trace, F_OK) != 0) {
		fprintf(stderr,
			"conclab trace: %s left no trace: is it dynamically "
			"linked against the C library's threads?\n",
			prog[0]);
		return sig ? 128 + sig : CLAB_EXIT_USAGE;
	}
	int rc = CLAB_EXIT_OK, deadlock = 0, limit = 0, failed = 0;
	int quick = !o.full && clab_cmd_quick_report(trace, prog[0], check,
						     QUICK_MIN, &failed);
	if (quick && failed)
		rc = CLAB_EXIT_CHECK;
	if (!quick) {
		int frc = full_report(trace, prog[0], check, code, sig,
				      &deadlock, &limit);
		if (frc < 0)
			return -frc;
		rc = frc;
	}
	if (getenv("CONCLAB_DIGEST_COMPARE") &&
	    clab_cmd_digest_compare(trace, stderr))
		return CLAB_EXIT_DIGEST;
	if (!sig && code != 0 && !deadlock && !limit) {
		printf("%s exited with status %d\n", prog[0], code);
		rc = CLAB_EXIT_CHECK;
	}
	fflush(stdout);
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
    .args = "[--trace FILE] [--stacks] [--time-limit SEC] [--no-check] "
	    "[--] PROG [ARGS...]",
    .summary = "record an unmodified pthread program (LD_PRELOAD)",
    .help =
	"Runs PROG with ARGS (found on PATH, run directly, never through a "
	"shell) with\nconclab's preload library, which records its pthread "
	"mutexes (with\nPTHREAD_MUTEX_INITIALIZER, recursive and "
	"error-checking ones, trylock,\ntimedlock and clocklock), condition "
	"variables, semaphores (sem_init and\nsem_open), barriers, read-write "
	"locks, spin locks and threads (create,\njoin, detach, exit, cancel) "
	"on conclab's primitives, under the deadlock\nwatchdog, and its misuse "
	"(unlocking a mutex it does not hold, destroying or\ninitialising one "
	"that is held...) as diagnostics at its own lines.  Before\nan exec "
	"the trace is closed whole; a fork is recorded, and the child records\n"
	"into a trace of its own, STEM.PID.clt (each child is named with its\n"
	"trace at the end); a run that replaces a trace removes its old\n"
	"children's.  A main that ends with pthread_exit ends the process,\n"
	"status 0, when the program's last thread does.  PROG must be\n"
	"dynamically linked.\nA site is the "
	"caller's function, file and line from PROG's debug information\n"
	"(build it with -g), or its symbol "
	"without it.\n\n"
	"When PROG ends, the lock-order report (as `conclab analyze`) and "
	"the checks\nany trace can be given (no deadlock, lock order, no "
	"misuse, every thread\nended, starvation, busy waiting, concurrency, "
	"locks held at exit) are printed.\n'conclab check TRACE' gives the "
	"same checks later.  When the trace has more\nthan 1,000,000 records "
	"and the digest its writer kept proves there is\nnothing to report, "
	"the same lines come from the digest without reading the\nrecords, but "
	"for the concurrency line, which says how to get it; --full\nreads "
	"them all the same.  See docs/trace-command.md.\n",
    .groups = (const struct clab_opt_group[]){{trace_opts, 0}, {NULL, 0}},
    .operands_end_options = 1,
    .more =
	"Environment: CONCLAB_PRELOAD names the preload library to use;\n"
	"CONCLAB_DIGEST_COMPARE (for conclab's tests) compares the digest's "
	"verdict\nwith the full report's, exit 70 when they disagree.\n\n"
	"Exit codes: 0 nothing found; 1 a lock-order cycle, a failed check or "
	"PROG\nexited with another status than 0; 2 usage error, PROG "
	"cannot be run or left\nno trace; 3 PROG deadlocked (the watchdog's "
	"report on stderr, trace saved);\n4 the time limit passed; 5 the "
	"trace could not be written; 128+N PROG was\nkilled by signal N.\n",
    .exec = trace_exec,
};
