/*
 * conclab exercise: build a student's solution of a lab's exercise, run
 * the lab's harness against it the way `conclab run` runs a lab, and grade
 * the trace with the lab's checker.
 *
 * The solution is compiled into a shared object with the system's C
 * compiler (or given as one, built by hand with `pkg-config conclab`)
 * and loaded with dlopen() into a child process, so that a crash in it
 * ends with a report and a trace, never with a hung grader: the
 * child saves and checks the trace on a fatal signal (cmd-run.c), and the
 * parent reports a child that died another way or outlived its time limit.
 * The student's code calls the clab_* functions of this executable, which
 * exports them (export_dynamic).
 *
 * Before that, the object's undefined symbols are read (solution-symbols.c):
 * a solution that synchronises where conclab cannot see it, or starts a
 * process, is refused unrun, since its trace would not show what it did.
 * In the child, its calls to exit() and friends are pointed at conclab
 * (solution-hooks.c), which records them in the trace and ends the run
 * with a report; and every ending that conclab decides writes a mark to a
 * pipe, so that the parent can tell a process that the solution ended
 * where the hooks could not see (a constructor) from a run that completed.
 *
 * This file is the command: its options, help and steps.  The build is in
 * exercise-build.c, the child and its supervision in exercise-child.c,
 * the screening under schedules in exercise-screen.c, the report in
 * exercise-report.c; exercise-int.h is what they share.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <wordexp.h>

#include <conclab/runtime.h>
#include <conclab/tracer.h>

#include "cmd.h"
#include "schedules.h"
#include "exercise-config.h"
#include "exercise-int.h"
#include "exercise.h"
#include "lab.h"
#include "report.h"
#include "supervise.h"
#include "solution-hooks.h"
#include "solution-symbols.h"

/* --help's grading paragraph. */
static const char grading_help[] =
    "A solution that ends the run early (exit, _exit, _Exit, quick_exit,\n"
    "pthread_exit in a harness thread) is reported with the call and its\n"
    "line; the trace is saved and checked, and \"run completed\" fails.\n"
    "A crash in the solution (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT)\n"
    "saves the trace, checks it and exits 128+N.  A solution that spins\n"
    "or sleeps forever is stopped at the time limit.\n\n"
    "Each property that holds is worth its weight (--rubric), unless it\n"
    "holds only vacuously or the run did not complete (deadlock, crash,\n"
    "early exit, time limit): then nothing.  Lines marked info are\n"
    "information, worth nothing.  The properties come from what the\n"
    "harness sees: a meal counts only if the philosopher holds both\n"
    "forks at its \"eat\", buf_get()'s returns are checked against the\n"
    "buffer's notes (made holding a conclab mutex), ticker_wait()'s\n"
    "against the ticker's ticks; a thread that takes one mutex over and\n"
    "over with nothing else between, or a run that hits the step cap,\n"
    "fails \"busy waiting\".\n";

/* --help's last paragraph (the first ones are clab_cmd_exercise.help). */
static const char sandbox_help[] =
    "Every process that runs the solution is sandboxed: an empty\n"
    "directory of its own, limits (CPU time, memory, file size, open\n"
    "files), its own process group (what it leaves running is killed),\n"
    "no network (user, mount and network namespaces), Landlock (it\n"
    "reads only the system's libraries, conclab and the solution, and\n"
    "writes only its directory) and a seccomp filter (no execve, fork,\n"
    "socket, ptrace, signal to another process...; threads are\n"
    "allowed).  A refused call fails with EPERM; the refusals and a\n"
    "process left behind are reported after the run, and the solution\n"
    "fails (exit 1).  What the kernel lacks is said on stderr and left\n"
    "out; CONCLAB_SANDBOX_SKIP=seccomp,landlock,namespaces leaves those\n"
    "out on purpose.  The trace is written in the sandbox and copied to\n"
    "--trace by conclab once the run is over.  docs/grading.md.\n";

static int exercise_help(void)
{
	clab_cmd_usage(&clab_cmd_exercise, stdout);
	printf("\n%s\n%s", grading_help, sandbox_help);
	printf("\nExercises:\n");
	for (size_t i = 0; i < clab_nexercises; i++)
		printf("  %-14s %s\n", clab_exercises[i]->lab->name,
		       clab_exercises[i]->summary);
	return CLAB_EXIT_OK;
}

struct exercise_opts {
	const char *init, *trace, *key, *rubric;
	long seed, limit_s, schedules;
	int format, quiet;
};

static const struct clab_opt exercise_opts[] = {
    {.name = "init",
     .type = CLAB_OPT_STRING,
     .arg = "DIR",
     .off = offsetof(struct exercise_opts, init),
     .help = "write the starter files into DIR"},
    {.name = "seed",
     .type = CLAB_OPT_LONG,
     .arg = "N",
     .off = offsetof(struct exercise_opts, seed),
     .max = LONG_MAX,
     .def = "1",
     .help = "seed for the harness's random delays"},
    {.name = "trace",
     .type = CLAB_OPT_STRING,
     .arg = "FILE",
     .off = offsetof(struct exercise_opts, trace),
     .def = "LAB-exercise.clt",
     .help = "trace file"},
    CLAB_CMD_KEY_OPT(struct exercise_opts, key),
    {.name = "time-limit",
     .type = CLAB_OPT_LONG,
     .arg = "SEC",
     .off = offsetof(struct exercise_opts, limit_s),
     .min = 1, /* a grader never waits forever: no 0 */
     .max = 86400,
     .want = "seconds (1..86400; an exercise always has a limit)",
     .def = "60",
     .help = "stop a run that takes longer"},
    {.name = "format",
     .type = CLAB_OPT_CHOICE,
     .arg = "F",
     .off = offsetof(struct exercise_opts, format),
     .choices = clab_report_format_names,
     .want = "text, json, gradescope or junit",
     .def = "text",
     .help = "the report as text, json, gradescope (results.json) or "
	     "junit, alone on stdout; the rest goes to stderr"},
    {.name = "rubric",
     .type = CLAB_OPT_STRING,
     .arg = "FILE",
     .off = offsetof(struct exercise_opts, rubric),
     .help = "the properties' weights: lines 'name, weight' "
	     "(docs/grading.md has the defaults)"},
    {.name = "schedules",
     .type = CLAB_OPT_LONG,
     .arg = "N",
     .off = offsetof(struct exercise_opts, schedules),
     .min = 1,
     .max = 1000000,
     .def = "100",
     .help = "schedules the solution is graded under"},
    {.name = "quiet",
     .abbrev = 'q',
     .type = CLAB_OPT_FLAG,
     .off = offsetof(struct exercise_opts, quiet),
     .help = "only the results"},
    CLAB_OPT_TABLE_END,
};

static int exercise_exec(int argc, char **argv)
{
	struct exercise_opts o = {.seed = -1, .limit_s = 60, .schedules = 100};
	/* static: its names stay reachable until the process ends */
	static struct clab_lab_args la;
	struct clab_opts_rest r = {.lab = &la, .own_help = 1};
	struct clab_cmd_sched sched;
	char *failed_str = NULL;
	clab_cmd_sched_init(&sched);
	sched.o.mode = CLAB_SCHED_PCT; /* with random walks: see below */
	void *const bases[] = {&o, &sched};
	int rc = clab_opts_parse(&clab_cmd_exercise, argc, argv, bases, &r);
	if (rc || r.help || la.variant) {
		clab_lab_args_fini(&la);
		clab_cmd_sched_fini(&sched);
		return rc ? rc
		       : r.help
			   ? exercise_help()
			   : clab_cmd_misuse(&clab_cmd_exercise,
					     "an exercise has no variants");
	}
	const char *lab_name = la.lab, *solution = r.operands[0],
		   *init = o.init, *trace = o.trace, *keypath = o.key,
		   *rubric_path = o.rubric;
	long seed = o.seed < 0 ? 1 : o.seed, limit_s = o.limit_s,
	     schedules = o.schedules;
	int quiet = o.quiet, seed_given = o.seed >= 0;
	size_t nparams = la.nparams;
	clab__exercise_report_fmt = (enum clab_report_format)o.format;
	if (!lab_name)
		return clab_cmd_misuse(&clab_cmd_exercise,
				       "which lab? (philosophers, prodcons, "
				       "timer, race, semaphore, lockorder, "
				       "barrier, rwlock, startup, stop, actor, "
				       "pool, coop, rlock, tls, processes)");
	const struct clab_exercise *ex = clab_exercise_find(lab_name);
	if (!ex) {
		fprintf(stderr,
			"conclab exercise: no exercise for '%s'; there are:",
			lab_name);
		for (size_t i = 0; i < clab_nexercises; i++)
			fprintf(stderr, " %s", clab_exercises[i]->lab->name);
		fprintf(stderr, "\n");
		return CLAB_EXIT_USAGE;
	}
	clab_rubric_default(&clab__exercise_rubric, ex->lab->name);
	if (rubric_path) {
		char err[512];
		if (clab_rubric_load(&clab__exercise_rubric, ex->lab->name,
				     rubric_path, err, sizeof(err)) != 0)
			return clab_cmd_misuse(&clab_cmd_exercise,
					       "--rubric: %s", err);
	}
	/* A prebuilt solution needs no headers: find them for the others. */
	int prebuilt =
	    solution && !init && clab__exercise_is_shared_object(solution);
	struct paths p = {.ncflags = 0};
	if (!prebuilt && clab__exercise_find_paths(&p) != 0) {
		fprintf(stderr,
			"conclab exercise: cannot find conclab's headers: "
			"neither the source tree %s nor 'pkg-config conclab'\n",
			CLAB_SOURCE_ROOT);
		return CLAB_EXIT_IO;
	}
	if (init) {
		if (solution || nparams) {
			clab__exercise_free_paths(&p);
			return clab_cmd_misuse(&clab_cmd_exercise,
					       "--init DIR takes no solution "
					       "nor parameters");
		}
		rc = clab__exercise_init_dir(ex, &p, init);
		clab__exercise_free_paths(&p);
		return rc;
	}
	if (!solution) {
		clab__exercise_free_paths(&p);
		return clab_cmd_misuse(&clab_cmd_exercise,
				       "which solution file? ('conclab "
				       "exercise %s --init DIR' writes a "
				       "starter)",
				       ex->lab->name);
	}

	if (!seed_given && sched.has_trace_seed)
		seed = sched.trace_seed; /* --replay TRACE: that run's seed */
	rc = clab_cmd_sched_ready(&clab_cmd_exercise, &sched, (uint64_t)seed);
	if (rc) {
		clab__exercise_free_paths(&p);
		return rc;
	}
	const struct clab_lab *lab = ex->lab;
	struct clab_lab_ctx ctx;
	clab_lab_ctx_init(&ctx, lab, 0);
	ctx.seed = (uint64_t)seed;
	ctx.out = NULL; /* the harness does not narrate */
	for (size_t i = 0; i < nparams; i++) {
		int pi = clab_lab_param_find(lab, la.params[i].name);
		long v;
		if (pi < 0) {
			clab__exercise_free_paths(&p);
			return clab_cmd_misuse(&clab_cmd_exercise,
					       "%s has no parameter '%s'",
					       lab->name, la.params[i].name);
		}
		const struct clab_lab_param *pa = &lab->params[pi];
		if (clab_cmd_parse_long(la.params[i].value, &v) ||
		    v < pa->min || v > pa->max) {
			clab__exercise_free_paths(&p);
			return clab_cmd_misuse(
			    &clab_cmd_exercise,
			    "--%s wants a number in %ld..%ld, "
			    "not '%s'",
			    pa->name, pa->min, pa->max, la.params[i].value);
		}
		ctx.param[pi] = v;
	}
	rc = clab_cmd_key_load(&clab_cmd_exercise, keypath,
			       &clab__exercise_grade_key);
	if (rc) {
		clab__exercise_free_paths(&p);
		return rc;
	}
	if (clab__exercise_grade_key.len)
		clab__exercise_grade_key_path = clab__exercise_grade_key.path;
	clab_cmd_key_wipe(&clab__exercise_grade_key);
	if (clab__exercise_report_fmt != CLAB_REPORT_TEXT) {
		/* the report alone on stdout; the rest goes to stderr */
		fflush(stdout);
		clab__exercise_report_fd = fcntl(1, F_DUPFD_CLOEXEC, 3);
		if (clab__exercise_report_fd < 0 || dup2(2, 1) < 0) {
			fprintf(stderr,
				"conclab exercise: cannot set the "
				"report's output apart: %s\n",
				strerror(errno));
			clab__exercise_free_paths(&p);
			return CLAB_EXIT_IO;
		}
	}
	char default_trace[256];
	if (!trace) {
		snprintf(default_trace, sizeof(default_trace),
			 "%s-exercise.clt", lab->name);
		trace = default_trace;
	}

	/*
	 * A trace left by an earlier run must not be taken for this one's,
	 * by a grader who finds a trace where a solution that did not
	 * compile, or was refused, wrote none.
	 */
	if (unlink(trace) != 0 && errno != ENOENT) {
		fprintf(stderr, "conclab exercise: cannot replace %s: %s\n",
			trace, strerror(errno));
		clab__exercise_free_paths(&p);
		return CLAB_EXIT_IO;
	}
	char tmp[] = "/tmp/conclab-exercise.XXXXXX", built[64];
	char *so = built;
	if (prebuilt) {
		/* dlopen() looks a bare name up in the library path. */
		so = realpath(solution, NULL);
		if (so == NULL) {
			fprintf(stderr,
				"conclab exercise: cannot read %s: %s\n",
				solution, strerror(errno));
			return CLAB_EXIT_USAGE;
		}
	} else {
		if (mkdtemp(tmp) == NULL) {
			fprintf(stderr,
				"conclab exercise: cannot make a directory: "
				"%s\n",
				strerror(errno));
			clab__exercise_free_paths(&p);
			return CLAB_EXIT_IO;
		}
		snprintf(built, sizeof(built), "%s/solution.so", tmp);
		rc = clab__exercise_compile(&p, solution, built);
		clab__exercise_free_paths(&p);
		if (rc != 0) {
			struct clab_lab_report rep = {0};
			clab_lab_report_add(
			    &rep, "compiles", 0, UINT64_MAX,
			    "%s does not compile (the "
			    "compiler's messages are on stderr)",
			    solution);
			clab__exercise_write_report(&rep, solution, lab->name);
			clab_lab_report_free(&rep);
			goto out;
		}
	}

	rc = clab__exercise_inspect(ex, so, solution);
	if (rc != 0)
		goto out;
	/*
	 * The sandbox (sandbox.h): what the children's filters refuse is
	 * counted in a shared page, and a process they leave comes to this
	 * one, which kills it.
	 */
	clab__exercise_sandbox = clab_sandbox_shared_new();
	if (clab__exercise_sandbox == NULL || clab_sandbox_reaper() != 0) {
		fprintf(stderr,
			"conclab exercise: cannot set up the sandbox: "
			"%s\n",
			strerror(errno));
		rc = CLAB_EXIT_IO;
		goto out;
	}

	struct clab_meta_kv extra[] = {
	    {"exercise", "1"},
	    {"solution", solution},
	};
	struct clab_run_spec spec = {
	    .lab = lab,
	    .rubric = &clab__exercise_rubric,
	    .ctx = &ctx,
	    .variant = "exercise",
	    .trace = trace,
	    .extra = extra,
	    .nextra = sizeof(extra) / sizeof(extra[0]),
	    .limit_s = limit_s,
	    .quiet = quiet,
	    .replay_as = solution,
	};
	if (!quiet)
		printf("conclab: %s %s; running the %s exercise\n", solution,
		       prebuilt ? "is built already" : "compiled", lab->name);
	fflush(stdout);
	fflush(stderr);
	/*
	 * Under control (the default), the solution runs first under a
	 * budget of schedules, silently; the run graded below is the first
	 * that failed, replayed, or schedule 0 when all passed.
	 */
	if (sched.o.mode != CLAB_SCHED_OS &&
	    sched.o.mode != CLAB_SCHED_REPLAY) {
		enum clab_budget_strategy st =
		    !sched.mode_given		     ? CLAB_BUDGET_MIXED
		    : sched.o.mode == CLAB_SCHED_PCT ? CLAB_BUDGET_PCT
						     : CLAB_BUDGET_RANDOM;
		int fcode;
		long ran = 0;
		long k = clab__exercise_screen(ex, so, solution, &spec, &sched,
					       st, schedules, (uint64_t)seed,
					       &failed_str, &fcode, &ran);
		if (k < 0) {
			fprintf(stderr, "conclab exercise: cannot make a "
					"directory for the schedules\n");
			rc = CLAB_EXIT_IO;
			goto out;
		}
		uint64_t kseed = (uint64_t)seed + (uint64_t)k;
		struct clab_budget how = {.strategy = st};
		enum clab_sched_mode kmode = clab_budget_mode(&how, k);
		if (fcode) {
			printf("conclab: graded under %ld schedules from seed "
			       "%ld: schedule %ld (%s, seed %" PRIu64
			       ") failed (%s); its run follows\n",
			       schedules, seed, k, clab_sched_mode_name(kmode),
			       kseed, clab_budget_what(fcode));
			/* a run with no schedule saved: its seed again */
			sched.o.mode = failed_str ? CLAB_SCHED_REPLAY : kmode;
			sched.o.replay = failed_str;
		} else {
			printf("conclab: graded under %ld schedules from seed "
			       "%ld: all passed; schedule 0's run follows\n",
			       ran, seed);
			sched.o.mode = kmode;
		}
		sched.o.seed = kseed;
		ctx.seed = kseed;
		fflush(stdout);
	}
	spec.sched = &sched;
	/* The child's ending mark: above stderr, read without waiting. */
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) != 0) {
		fprintf(stderr, "conclab exercise: pipe: %s\n",
			strerror(errno));
		rc = CLAB_EXIT_IO;
		goto out;
	}
	int rd = fcntl(pfd[0], F_DUPFD_CLOEXEC, 3);
	int wr = fcntl(pfd[1], F_DUPFD_CLOEXEC, 3);
	close(pfd[0]);
	close(pfd[1]);
	if (rd < 0 || wr < 0 || fcntl(rd, F_SETFL, O_NONBLOCK) != 0) {
		fprintf(stderr, "conclab exercise: pipe: %s\n",
			strerror(errno));
		if (rd >= 0)
			close(rd);
		if (wr >= 0)
			close(wr);
		rc = CLAB_EXIT_IO;
		goto out;
	}
	char box[4096];
	/* the graded child alone may read the key, after the solution loads */
	if (clab__exercise_grade_key_path)
		clab__exercise_grade_key_fd =
		    open(clab__exercise_grade_key_path, O_RDONLY | O_CLOEXEC);
	int err = clab_sandbox_dir_new(NULL, box, sizeof(box));
	pid_t pid = err ? -1 : clab_supervise_fork(1);
	if (pid < 0) {
		fprintf(stderr, "conclab exercise: cannot start the run: %s\n",
			strerror(err ? -err : errno));
		close(rd);
		close(wr);
		if (!err)
			clab_sandbox_collect(box, "trace.clt", NULL);
		rc = CLAB_EXIT_IO;
		goto out;
	}
	if (pid == 0) {
		close(rd);
		clab_supervise_mark_to(wr);
		clab__exercise_child_main(ex, so, solution, box, &spec);
	}
	close(wr);
	if (clab__exercise_grade_key_fd >= 0)
		close(clab__exercise_grade_key_fd);
	/* Ctrl-C: the child, in a process group of its own, gets it too. */
	clab_supervise_forward(pid);
	long left = 0;
	const char *refused = NULL, *unreproducible = NULL;
	rc = clab__exercise_wait_child(pid, limit_s, &spec, rd, box, &left);
	close(rd);
	if (clab_sandbox_report(clab__exercise_sandbox, stderr,
				"conclab exercise: ") ||
	    left) {
		refused = "the solution tried what an exercise does not allow "
			  "(it runs nothing else); it fails";
		fprintf(stderr, "conclab exercise: %s\n", refused);
		if (rc == CLAB_EXIT_OK)
			rc = CLAB_EXIT_CHECK;
	}
	if (failed_str && rc == CLAB_EXIT_OK) {
		/* the replay passed where the screening run failed */
		unreproducible =
		    "a schedule failed, but its replay passed: the solution "
		    "depends on something conclab does not control (the "
		    "clock, random numbers, input); it fails";
		fprintf(stderr, "conclab exercise: %s\n", unreproducible);
		rc = CLAB_EXIT_CHECK;
	}
	clab__exercise_final_report(ex, trace, solution, rc, refused,
				    unreproducible);
out:
	if (clab__exercise_report_fd >= 0) {
		/* an ending with nothing to grade: say so in the format */
		struct clab_lab_report rep = {0};
		if (rc != CLAB_EXIT_OK)
			clab_lab_report_add(&rep, "run completed", 0,
					    UINT64_MAX,
					    "the solution was not graded (exit "
					    "code %d; the reason is on stderr)",
					    rc);
		clab__exercise_write_report(&rep, solution, lab->name);
		clab_lab_report_free(&rep);
	}
	clab_sandbox_shared_free(clab__exercise_sandbox);
	clab__exercise_sandbox = NULL;
	free(failed_str);
	clab_cmd_sched_fini(&sched);
	if (prebuilt) {
		free(so);
	} else {
		unlink(built);
		rmdir(tmp);
	}
	return rc;
}

const struct clab_cmd clab_cmd_exercise = {
    .name = "exercise",
    .args = "LAB [--PARAM VALUE]... [OPTIONS] SOLUTION.c|SOLUTION.so | "
	    "LAB --init DIR",
    .summary = "build, run and grade a student's solution of a lab",
    .help =
	"With --init DIR, writes a starter for the lab's exercise into DIR:\n"
	"LAB.c (the functions to write; it compiles and runs but is not\n"
	"correct yet), LAB.h (what each function must do) and README.md.\n\n"
	"With SOLUTION.c, compiles it into a shared object with the system's\n"
	"C compiler ($CC, else cc):\n"
	"  cc -std=gnu11 -g -O0 -fPIC -shared -pthread -Wall -Wextra\n"
	"     -I<SOLUTION's dir> -I<conclab>/labs/starters\n"
	"     -I<conclab>/runtime/include -I<conclab>/tracer/include\n"
	"     -o TMP/solution.so SOLUTION.c\n"
	"(with GCC, also -fsanitize=undefined: an index out of bounds or an\n"
	"overflow stops the run at its line, and the trace is saved), then\n"
	"runs the lab's harness against it under the tracer and the\n"
	"deadlock watchdog, as 'conclab run' runs a lab, in a child process,\n"
	"and checks the lab's properties on the trace.\n\n"
	"With SOLUTION.so (a name ending in .so), loads that shared object as\n"
	"it is instead, for instance one built with the installed headers:\n"
	"  cc -std=gnu11 -g -O0 -fPIC -shared $(pkg-config --cflags conclab)\n"
	"     -I\"$(pkg-config --variable=startersdir conclab)\"\n"
	"     -o SOLUTION.so SOLUTION.c\n"
	"Its calls to clab_* go to this program: it links against no "
	"library.\n\n"
	"Each --PARAM VALUE sets a lab parameter ('conclab run LAB --help').\n",
    .groups = (const struct clab_opt_group[]){{exercise_opts, 0},
					      {clab_cmd_sched_mode_opts, 1},
					      {clab_cmd_sched_pct_opts, 1},
					      {clab_cmd_sched_opts, 1},
					      {NULL, 0}},
    .help_help = "this text and the exercises",
    .max_operands = 1,
    .more =
	"The solution is graded under the controlled scheduler: it runs\n"
	"under --schedules schedules (PCT and random walks by turns, seeds\n"
	"--seed, --seed + 1, ...), silently, each in a process of its own;\n"
	"the report is that of the first schedule that failed, replayed, or\n"
	"of the first schedule when all passed.  The grade depends on the\n"
	"solution and the seed only: the same inputs, the same report.\n"
	"--sched pct or random grades under that kind of schedule only; "
	"--sched os\ngrades one free run, as the operating system schedules "
	"it (not\nreproducible); --replay S grades the schedule S, or the one "
	"a trace holds.\n\n"
	"Before the run, the solution's undefined symbols are read: one that\n"
	"synchronises where conclab cannot see (pthread_mutex_*,\n"
	"pthread_cond_*, pthread_spin_*, pthread_rwlock_*, pthread_barrier_*,\n"
	"sem_*, mtx_*, cnd_*, syscall, libatomic's __atomic_* and __sync_*)\n"
	"fails \"uses only conclab synchronisation\", one that starts a\n"
	"process (fork, vfork, clone, exec*, system, popen, posix_spawn*),\n"
	"opens a socket, calls dlopen or dlsym or needs a library of its own\n"
	"fails \"runs nothing else\"; either is not run, and the report names\n"
	"the call and the clab_* function to use instead.  Atomics that the\n"
	"compiler inlines leave no symbol and are not seen.\n\n"
	"Exit codes: 0 every check passed on a run that completed; 1 a check\n"
	"failed, the solution was refused, or it ended the run early; 2 usage\n"
	"error, or the solution does not compile, cannot be loaded or lacks a\n"
	"function; 3 deadlock; 4 time limit; 5 the trace could not be\n"
	"written; 128+N the solution crashed with signal N (139: SIGSEGV),\n"
	"or the run was stopped by it.\n",
    .exec = exercise_exec,
};
