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
 */
#include <dlfcn.h>
#include <errno.h>
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
#include "exercise.h"
#include "lab.h"
#include "report.h"
#include "sandbox.h"
#include "solution-hooks.h"
#include "solution-symbols.h"

extern char **environ;

/* Where the headers are: this source tree, or `pkg-config conclab`. */
struct paths {
	char starters[4096];
	char *cflags[16]; /* -I... for <conclab/runtime.h> */
	size_t ncflags;
};

static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/*
 * What `pkg-config ARG conclab` prints, in words as a shell splits them:
 * pkg-config writes a space in a path as "\ ".  WRDE_NOCMD: nothing in
 * its output is run.  0, or -1 (no conclab.pc, or nothing printed).
 */
static int pkg_config(const char *arg, wordexp_t *we)
{
	char cmd[128], buf[4096];
	snprintf(cmd, sizeof(cmd), "pkg-config %s conclab 2>/dev/null", arg);
	FILE *f = popen(cmd, "r");
	if (f == NULL)
		return -1;
	char *got = fgets(buf, sizeof(buf), f);
	if (pclose(f) != 0 || got == NULL)
		return -1;
	buf[strcspn(buf, "\n")] = 0; /* wordexp() refuses a newline */
	return wordexp(buf, we, WRDE_NOCMD) == 0 ? 0 : -1;
}

static int find_paths(struct paths *p)
{
	char buf[4096];
	memset(p, 0, sizeof(*p));
	snprintf(buf, sizeof(buf), "%s/runtime/include/conclab/runtime.h",
		 CLAB_SOURCE_ROOT);
	if (exists(buf)) {
		snprintf(p->starters, sizeof(p->starters), "%s/labs/starters",
			 CLAB_SOURCE_ROOT);
		asprintf(&p->cflags[p->ncflags++], "-I%s/runtime/include",
			 CLAB_SOURCE_ROOT);
		asprintf(&p->cflags[p->ncflags++], "-I%s/tracer/include",
			 CLAB_SOURCE_ROOT);
		return 0;
	}
	/* Moved away from its source tree: an installed conclab.pc. */
	wordexp_t we;
	if (pkg_config("--variable=startersdir", &we) != 0)
		return -1;
	if (we.we_wordc == 1)
		snprintf(p->starters, sizeof(p->starters), "%s",
			 we.we_wordv[0]);
	wordfree(&we);
	if (p->starters[0] == 0 || pkg_config("--cflags", &we) != 0)
		return -1;
	for (size_t i = 0; i < we.we_wordc && p->ncflags < 16; i++)
		p->cflags[p->ncflags++] = strdup(we.we_wordv[i]);
	wordfree(&we);
	return 0;
}

static void free_paths(struct paths *p)
{
	for (size_t i = 0; i < p->ncflags; i++)
		free(p->cflags[i]);
}

/* A solution named *.so was built already: it is loaded as is. */
static int is_shared_object(const char *path)
{
	size_t n = strlen(path);
	return n > 3 && strcmp(path + n - 3, ".so") == 0;
}

/* Copy src to dst, refusing to overwrite. */
static int copy_new(const char *src, const char *dst)
{
	FILE *in = fopen(src, "r"), *out;
	char buf[8192];
	size_t n;
	if (in == NULL) {
		fprintf(stderr, "conclab exercise: cannot read %s: %s\n", src,
			strerror(errno));
		return -1;
	}
	out = fopen(dst, "wx");
	if (out == NULL) {
		fprintf(stderr, "conclab exercise: cannot create %s: %s\n", dst,
			strerror(errno));
		fclose(in);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	return fclose(out) == 0 ? 0 : -1;
}

static int init_dir(const struct clab_exercise *ex, const struct paths *p,
		    const char *dir)
{
	const char *lab = ex->lab->name;
	char src[8192], dst[8192];
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "conclab exercise: cannot create %s: %s\n", dir,
			strerror(errno));
		return CLAB_EXIT_IO;
	}
	static const char *const ext[] = {"h", "c"};
	for (int i = 0; i < 2; i++) {
		snprintf(src, sizeof(src), "%s/%s.%s", p->starters, lab,
			 ext[i]);
		snprintf(dst, sizeof(dst), "%s/%s.%s", dir, lab, ext[i]);
		if (copy_new(src, dst) != 0)
			return CLAB_EXIT_IO;
	}
	snprintf(dst, sizeof(dst), "%s/README.md", dir);
	FILE *f = fopen(dst, "wx");
	if (f == NULL) {
		fprintf(stderr, "conclab exercise: cannot create %s: %s\n", dst,
			strerror(errno));
		return CLAB_EXIT_IO;
	}
	fprintf(f,
		"# The %s exercise\n\n"
		"Write %s in `%s.c`; `%s.h` says what each function must "
		"do.\n"
		"The starter compiles and runs but is not correct yet: the "
		"code marked \"replace this\" is where to start.\n\n"
		"Build, run and grade it (from this directory):\n\n"
		"    conclab exercise %s %s.c\n\n"
		"conclab compiles `%s.c` with `cc`, runs it under the "
		"tracer and the deadlock watchdog, checks the lab's "
		"properties on the trace and prints them.\n"
		"Use conclab's primitives (`clab_mutex_lock`...), not "
		"pthreads: a solution that calls `pthread_mutex_lock`, "
		"`sem_wait` and the like, which conclab cannot see, is not "
		"run.\n"
		"Exit codes: 0 every property holds, 1 one failed (or the "
		"solution was refused, or ended the run early with exit()), "
		"2 it did not compile, 3 deadlock, 4 time limit, 128+N it "
		"crashed with signal N (139: a segmentation fault).\n"
		"The trace is saved to `%s-exercise.clt`: see it with "
		"`conclab dump`, `conclab replay` or `conclab analyze`.\n\n"
		"Parameters (`conclab run %s --help` lists them) are set "
		"the same way: `conclab exercise %s --seed 7 %s.c`.\n"
		"More in conclab's docs/exercises.md.\n",
		lab, ex->summary, lab, lab, lab, lab, lab, lab, lab, lab, lab);
	if (fclose(f) != 0)
		return CLAB_EXIT_IO;
	printf("conclab exercise: wrote %s/%s.c, %s/%s.h and %s/README.md\n"
	       "next: cd %s && conclab exercise %s %s.c\n",
	       dir, lab, dir, lab, dir, dir, lab, lab);
	return CLAB_EXIT_OK;
}

/*
 * A solution built with UBSan (compile()): a report stops the run with an
 * abort, which saves the trace, and shows where it came from.  The
 * sanitizer's runtime, loaded with the solution, asks the program for
 * these (conclab exports its symbols); UBSAN_OPTIONS still overrides them.
 */
const char *__ubsan_default_options(void);
__attribute__((visibility("default"))) const char *__ubsan_default_options(void)
{
	return "abort_on_error=1:print_stacktrace=1";
}

/* Whether cc is GCC (not clang posing as cc), from `cc --version`. */
static int compiler_is_gcc(const char *cc)
{
	char cmd[300], line[256];
	/* a name or a path: nothing a shell would read as more */
	if (strlen(cc) > 200 || strspn(cc, "abcdefghijklmnopqrstuvwxyz"
					   "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					   "0123456789_+-./") != strlen(cc))
		return 0;
	snprintf(cmd, sizeof(cmd), "%s --version 2>/dev/null", cc);
	FILE *f = popen(cmd, "r");
	if (f == NULL)
		return 0;
	int gcc = 0, clang = 0;
	while (fgets(line, sizeof(line), f)) {
		clang |= strstr(line, "clang") != NULL;
		gcc |= strstr(line, "Free Software Foundation") != NULL;
	}
	pclose(f);
	return gcc && !clang;
}

/*
 * Compile solution into so with cc (or $CC).  The compiler's messages go
 * to our stderr.  Returns 0, or the exit code.
 */
static int compile(const struct paths *p, const char *solution, const char *so)
{
	const char *cc = getenv("CC");
	char *argv[48], soldir[4096], incdir[4200], incstart[4200];
	size_t n = 0;
	if (cc == NULL || *cc == 0)
		cc = "cc";
	snprintf(soldir, sizeof(soldir), "%s", solution);
	char *slash = strrchr(soldir, '/');
	if (slash)
		*slash = 0;
	snprintf(incdir, sizeof(incdir), "-I%s", slash ? soldir : ".");
	snprintf(incstart, sizeof(incstart), "-I%s", p->starters);
	argv[n++] = (char *)cc;
	/*
	 * UndefinedBehaviorSanitizer, so that an index out of an array's
	 * bounds (a neighbour's fork as (i - 1) % n, which is -1 for i = 0)
	 * or an overflow stops the run with the line that did it, instead of
	 * corrupting conclab's state.  It aborts, and the abort saves the
	 * trace (__ubsan_default_options).  With GCC only: its runtime is
	 * on the loader's path, where clang's is not.
	 */
	if (compiler_is_gcc(cc)) {
		argv[n++] = (char *)"-fsanitize=undefined";
		argv[n++] = (char *)"-fno-sanitize-recover=undefined";
	}
	static const char *const flags[] = {
	    "-std=gnu11",
	    "-g",
	    "-O0",
	    "-fPIC",
	    "-shared",
	    "-pthread",
	    "-Wall",
	    "-Wextra",
	    "-Wno-unused-parameter",
	    "-Werror=implicit-function-declaration",
	    "-fno-omit-frame-pointer",
	};
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		argv[n++] = (char *)flags[i];
	argv[n++] = incdir;
	argv[n++] = incstart;
	for (size_t i = 0; i < p->ncflags; i++)
		argv[n++] = p->cflags[i];
	argv[n++] = (char *)"-o";
	argv[n++] = (char *)so;
	argv[n++] = (char *)solution;
	argv[n] = NULL;
	fflush(stdout);
	pid_t pid;
	int err = posix_spawnp(&pid, cc, NULL, NULL, argv, environ);
	if (err) {
		fprintf(stderr,
			"conclab exercise: cannot run the compiler %s: "
			"%s\n",
			cc, strerror(err));
		return CLAB_EXIT_USAGE;
	}
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr,
			"conclab exercise: %s does not compile (the "
			"compiler's messages are above)\n",
			solution);
		return CLAB_EXIT_USAGE;
	}
	return 0;
}

struct child {
	const struct clab_exercise *ex;
	void *dl;
};

/* The pipe to the parent: the child's ending, when conclab decides it. */
static int mark_fd = -1;

/*
 * --format and --rubric.  With a format other than text, the report goes
 * to the standard output that conclab was given (report_fd), written by
 * this process once the run is over, and every other line that would go
 * there goes to stderr; no child has report_fd.
 */
static enum clab_report_format report_fmt = CLAB_REPORT_TEXT;
static int report_fd = -1;
static struct clab_rubric rubric;

/*
 * --key: the graded run's trace is signed with it.  The parent reads the
 * key file only to refuse a bad one early, and forgets it; it opens the
 * file again just before it starts the graded run's child (the sandbox
 * then keeps the child from opening files), which reads it through that
 * descriptor after the solution is loaded (its constructors have run),
 * opens the trace with it and forgets it when the solution starts
 * (body()).  The screening runs never have it: their traces are not kept.
 */
static struct clab_cmd_key grade_key;
static const char *grade_key_path; /* NULL: no key */
/*
 * The key file, opened by the parent before the sandbox closes the file
 * system to the child, which reads it through this descriptor.
 */
static int grade_key_fd = -1;

static _Noreturn void child_exit(int code)
{
	fflush(stdout);
	fflush(stderr);
	/* a screening run has no parent that reads a mark */
	if (mark_fd >= 0 && write(mark_fd, &code, sizeof(code)) < 0)
		code = CLAB_EXIT_IO;
	_exit(code); /* not exit(): the student's code stays unloaded-free */
}

/*
 * The solution called exit(), pthread_exit()... (solution-hooks.c).  A
 * harness thread that ends, or a process that does, leaves the run
 * incomplete: record it where it happened ("ended-early:CALL", which the
 * lab's checks fail as "run completed"), save the trace, report, exit 1.
 * abort() goes on to the crash report (128+SIGABRT), which says the rest.
 */
static void on_end(const struct clab_solution_end *e)
{
	static char label[48], why[512], status[16];
	static struct clab_site site;
	int thread = strcmp(e->call, "pthread_exit") == 0 ||
		     strcmp(e->call, "thrd_exit") == 0;
	status[0] = 0;
	if (e->has_status)
		snprintf(status, sizeof(status), "%d", e->status);
	if (strcmp(e->call, "abort") == 0) {
		fflush(stdout);
		fprintf(stderr,
			"\nconclab: the solution called abort() in %s "
			"(%s:%d)\n",
			e->func, e->file, e->line);
		return;
	}
	if (thread && !clab_exercise_harness_thread())
		return; /* a thread of the solution's own */
	snprintf(label, sizeof(label), "ended-early:%s", e->call);
	site = (struct clab_site){e->file, e->func, label, e->line};
	clab__note(&site, e->has_status ? e->status : 0, e->has_status ? 1 : 0);
	snprintf(why, sizeof(why),
		 "the solution called %s(%s) in %s (%s:%d) before the run "
		 "completed%s",
		 e->call, status, e->func, e->file, e->line,
		 thread ? ", which ended a harness thread" : "");
	clab_run_abandon(why);
}

/* The child's sandbox directory, its own (enter_sandbox()). */
static char own_dir[4096];

/*
 * Where a path the solution named is: 0 in its own directory, 1 outside
 * it (or climbing out with ".."), 2 its trace, which only conclab
 * writes.  The solution's working directory is own_dir.
 */
static int whose(const char *path)
{
	size_t n = strlen(own_dir);
	const char *rest = path;

	if (strcmp(path, "..") == 0 || strncmp(path, "../", 3) == 0 ||
	    strstr(path, "/../") != NULL ||
	    (strlen(path) >= 3 && strcmp(path + strlen(path) - 3, "/..") == 0))
		return 1;
	if (path[0] == '/') {
		/* what the sandbox lets every run read (sandbox.c) */
		if (strcmp(path, "/dev/null") == 0 ||
		    strcmp(path, "/dev/zero") == 0 ||
		    strcmp(path, "/dev/urandom") == 0)
			return 0;
		if (n == 0 || strncmp(path, own_dir, n) != 0 || path[n] != '/')
			return 1;
		rest = path + n + 1;
	}
	while (strncmp(rest, "./", 2) == 0)
		rest += 2;
	return strcmp(rest, "trace.clt") == 0 ? 2 : 0;
}

/*
 * The solution named a file (solution-hooks.c): one outside its directory,
 * or its trace, is recorded in the trace ("outside:CALL:PATH" or
 * "trace:CALL:PATH", which fail "stays in its directory") and said on
 * stderr; the call then goes on, and the sandbox refuses what it may not
 * reach.  The first 16 such calls are recorded.
 */
static void on_file(const struct clab_solution_file *f)
{
	static struct clab_site sites[16];
	static char labels[16][512];
	static int nsites;
	const char *path = f->path;
	int w = path ? whose(path) : 0;

	if (w == 0 && f->path2 != NULL) {
		path = f->path2;
		w = whose(path);
	}
	if (w == 0)
		return;
	fflush(stdout);
	if (w == 1)
		fprintf(stderr,
			"conclab: the solution called %s(\"%s\") in %s "
			"(%s:%d), outside its directory\n",
			f->call, path, f->func, f->file, f->line);
	if (nsites < 16) {
		snprintf(labels[nsites], sizeof(labels[0]), "%s:%s:%s",
			 w == 2 ? "trace" : "outside", f->call, path);
		sites[nsites] = (struct clab_site){f->file, f->func,
						   labels[nsites], f->line};
		clab__note(&sites[nsites++], 0, 0);
	}
	/*
	 * Its trace: the run ends here, before the call, so that what the
	 * grader copies out is the trace conclab wrote, with the note.
	 */
	if (w == 2) {
		static char why[600];
		snprintf(why, sizeof(why),
			 "the solution called %s(\"%s\") in %s (%s:%d), on its "
			 "trace, which only conclab writes",
			 f->call, path, f->func, f->file, f->line);
		clab_run_abandon(why);
	}
}

static void *lookup(const char *name, void *arg)
{
	struct child *c = arg;
	return dlsym(c->dl, name);
}

static int body(const struct clab_lab_ctx *ctx, void *arg)
{
	struct child *c = arg;
	/* the trace is open: the writer has what it needs of the key */
	clab_cmd_key_wipe(&grade_key);
	return c->ex->run(ctx, lookup, c);
}

/* What the children's sandboxes share with the grader (sandbox.h). */
static struct clab_sandbox_shared *sandbox_shared;

/*
 * In the child, before the solution is loaded (its constructors run in
 * dlopen): the sandbox, in box, which is its working directory and where
 * the trace is written; the grader copies it out.  The trace's metadata
 * and, unless quiet, a line say which mechanisms the kernel allowed.
 */
static void enter_sandbox(const char *so, const char *box,
			  struct clab_run_spec *spec)
{
	static char boxed[4200], applied[128];
	static struct clab_meta_kv extra[CLAB_RUN_MAX_EXTRA];
	const char *read[] = {so};
	struct clab_sandbox_opts o = {
	    .dir = box,
	    .read = read,
	    .nread = 1,
	    .cpu_s = spec->limit_s,
	    .shared = sandbox_shared,
	};
	snprintf(boxed, sizeof(boxed), "%s/trace.clt", box);
	snprintf(own_dir, sizeof(own_dir), "%s", box);
	clab_sandbox_describe(clab_sandbox_enter(&o), applied, sizeof(applied));
	size_t n = 0;
	for (; n < spec->nextra && n + 1 < CLAB_RUN_MAX_EXTRA; n++)
		extra[n] = spec->extra[n];
	extra[n++] = (struct clab_meta_kv){"sandbox", applied};
	spec->extra = extra;
	spec->nextra = n;
	spec->trace_file = boxed;
	if (!spec->quiet)
		printf("conclab: sandbox: %s\n", applied);
}

/*
 * In the child: enter the sandbox in box, load the solution, run the
 * harness; never returns.
 */
static _Noreturn void child_main(const struct clab_exercise *ex, const char *so,
				 const char *solution, const char *box,
				 struct clab_run_spec *spec)
{
	struct child c = {.ex = ex};
	if (report_fd >= 0) {
		close(report_fd); /* the solution never writes the report */
		report_fd = -1;
	}
	enter_sandbox(so, box, spec);
	c.dl = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	if (c.dl == NULL) {
		fprintf(stderr, "conclab exercise: cannot load %s: %s\n",
			solution, dlerror());
		child_exit(CLAB_EXIT_USAGE);
	}
	const unsigned *abi = dlsym(c.dl, "clab_abi_built");
	if (abi == NULL || *abi != CLAB_ABI) {
		if (abi == NULL)
			fprintf(stderr,
				"conclab exercise: %s carries no conclab "
				"layout number (it was built without "
				"<conclab/runtime.h>, or with the headers of "
				"an older conclab)",
				solution);
		else
			fprintf(stderr,
				"conclab exercise: %s was built against the "
				"headers of another conclab (layout %u; this "
				"one has %u)",
				solution, *abi, CLAB_ABI);
		fprintf(stderr, ": build it again with this conclab's "
				"headers (see docs/exercises.md), or give the "
				".c file\n");
		child_exit(CLAB_EXIT_USAGE);
	}
	for (const char *const *f = ex->required; *f; f++) {
		if (dlsym(c.dl, *f) == NULL) {
			fprintf(stderr,
				"conclab exercise: %s does not define %s(), "
				"which the %s exercise needs (see %s.h)\n",
				solution, *f, ex->lab->name, ex->lab->name);
			child_exit(CLAB_EXIT_USAGE);
		}
	}
	/*
	 * Without the hooks (an architecture whose relocations are not
	 * known), an exit() still shows: the parent gets no mark.
	 */
	clab_solution_on_files(on_file);
	clab_solution_hook_ends(c.dl, so, on_end);
	if (grade_key_path) {
		int rc = clab_cmd_key_read(&clab_cmd_exercise, grade_key_fd,
					   grade_key_path, &grade_key);
		close(grade_key_fd);
		if (rc)
			child_exit(rc);
		spec->key = grade_key.bytes;
		spec->key_len = grade_key.len;
	}
	spec->body = body;
	spec->arg = &c;
	spec->mark_fd = mark_fd;
	child_exit(clab_run_traced(spec));
}

/* The graded child's process group, which Ctrl-C is forwarded to. */
static volatile pid_t forward_to;

static void forward(int sig)
{
	if (forward_to > 0)
		kill(-forward_to, sig);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The child's own watchdog stops it at its limit; the parent, this after. */
#define GRACE_S 15

/*
 * In the parent, once the child is reaped: kill every process it left
 * (its process group, and the orphans this reaper was given), then copy
 * the trace out of its sandbox to spec->trace and remove the sandbox.
 * Returns how many processes were left.
 */
static long after_child(pid_t pid, const char *box,
			const struct clab_run_spec *spec)
{
	long left = clab_sandbox_kill(pid, 1);
	if (left)
		fprintf(stderr,
			"\nconclab exercise: the solution left %ld "
			"process%s running after its run; killed\n",
			left, left == 1 ? "" : "es");
	int err = clab_sandbox_collect(box, "trace.clt", spec->trace);
	if (err && err != -ENOENT)
		fprintf(stderr,
			"conclab exercise: the trace in the sandbox could not "
			"be copied to %s: %s\n",
			spec->trace,
			err == -EINVAL ? "not a regular file" : strerror(-err));
	return left;
}

/*
 * In the parent: wait for the child, at most limit_s plus a grace period
 * (its own watchdog normally ends it first), then clean up after it
 * (after_child).  Returns the exit code.
 */
static int wait_child(pid_t pid, long limit_s, struct clab_run_spec *spec,
		      int markfd, const char *box, long *left)
{
	double deadline = now_s() + (double)limit_s + GRACE_S;
	int status, killed = 0;
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			fprintf(stderr, "conclab exercise: waitpid: %s\n",
				strerror(errno));
			*left = after_child(pid, box, spec);
			return CLAB_EXIT_IO;
		}
		if (now_s() > deadline && !killed) {
			kill(pid, SIGKILL);
			killed = 1;
		}
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	*left = after_child(pid, box, spec);
	int mark;
	int marked = read(markfd, &mark, sizeof(mark)) == (ssize_t)sizeof(mark);
	if (WIFEXITED(status) && marked)
		return WEXITSTATUS(status);
	if (WIFEXITED(status)) {
		/*
		 * The child ended without conclab: the solution ended it
		 * where the hooks do not see (a constructor, a system call
		 * of its own), and no report was printed.
		 */
		fflush(stdout);
		fprintf(stderr,
			"\nconclab exercise: the run did not complete: the "
			"solution ended the process (exit status %d) where "
			"conclab could not see it (in a constructor, or by a "
			"system call of its own), before the harness "
			"finished\n",
			WEXITSTATUS(status));
		if (exists(spec->trace)) {
			fprintf(stderr,
				"conclab exercise: checking what reached "
				"%s\n",
				spec->trace);
			clab_run_check(spec);
		} else {
			fprintf(stderr, "conclab exercise: no trace was "
					"written\n");
		}
		fflush(stdout);
		return CLAB_EXIT_CHECK;
	}
	int sig = WTERMSIG(status);
	fflush(stdout);
	if (killed)
		fprintf(stderr,
			"\nconclab exercise: the run did not end %d s after "
			"its time limit (%ld s) and was killed (its watchdog "
			"never started, or could not stop it)\n",
			GRACE_S, limit_s);
	else if (sig == SIGXCPU)
		fprintf(stderr,
			"\nconclab exercise: the program used up its CPU "
			"time (the sandbox's limit, about %ld s on each "
			"processor) and was killed\n",
			limit_s);
	else
		fprintf(stderr,
			"\nconclab exercise: the program was killed by %s "
			"(%s) before it could save its trace\n",
			strsignal(sig), sigabbrev_np(sig));
	/* What reached the file, in whole chunks, can still be checked. */
	if (exists(spec->trace)) {
		fprintf(stderr, "conclab exercise: checking what reached %s\n",
			spec->trace);
		clab_run_check(spec);
	} else {
		fprintf(stderr, "conclab exercise: no trace was written\n");
	}
	fflush(stdout);
	return killed ? CLAB_EXIT_TIMEOUT : 128 + sig;
}

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

/*
 * --format other than text: write rep on report_fd (once), named after
 * what was graded.
 */
static void write_report(const struct clab_lab_report *rep, const char *name,
			 const char *lab)
{
	if (report_fd < 0)
		return;
	FILE *out = fdopen(report_fd, "w");
	if (out == NULL)
		return;
	clab_report_write(out, report_fmt, name, lab, "exercise", NULL, rep,
			  &rubric);
	fclose(out);
	report_fd = -1;
}

/*
 * --format other than text, once the run is over: grade its trace here,
 * with what only this process knows (the sandbox's refusals, processes
 * left behind, a replay that passed where the schedule failed, an end
 * that left no trace), and write the report.  rc is the exit code so far.
 */
static void final_report(const struct clab_exercise *ex, const char *trace,
			 const char *solution, int rc, const char *refused,
			 const char *unreproducible)
{
	struct clab_lab_report rep = {0};
	struct clab_trace *tr = NULL;
	struct clab_lab_ctx ctx;
	char err[512];

	if (report_fd < 0)
		return;
	if (exists(trace) &&
	    clab_trace_load(trace, &tr, err, sizeof(err)) == 0 &&
	    clab_trace_damage(tr) == NULL &&
	    clab_lab_ctx_from_trace(&ctx, tr, ex->lab->name, err,
				    sizeof(err)) == 0) {
		ex->lab->check(tr, &ctx, &rep);
	} else {
		clab_lab_report_add(&rep, "run completed", 0, UINT64_MAX,
				    "the run left no trace that can be graded "
				    "(exit code %d)",
				    rc);
	}
	clab_trace_free(tr);
	if (refused)
		clab_lab_report_add(&rep, "runs nothing else", 0, UINT64_MAX,
				    "%s", refused);
	if (unreproducible)
		clab_lab_report_add(&rep, "same on replay", 0, UINT64_MAX, "%s",
				    unreproducible);
	/* killed, or crashed: whatever the trace shows, it is not whole */
	if (rc != CLAB_EXIT_OK && rc != CLAB_EXIT_CHECK)
		rep.partial = 1;
	write_report(&rep, solution, ex->lab->name);
	clab_lab_report_free(&rep);
}

/*
 * The report line of one kind of refused call: every use of that kind,
 * the first in a whole sentence.
 */
static void refusal(struct clab_lab_report *rep, const char *prop,
		    const char *name, const struct clab_solution_use *u,
		    size_t n, enum clab_solution_kind kind)
{
	char more[1024] = "";
	const struct clab_solution_use *first = NULL;
	size_t count = 0, len = 0;
	for (size_t i = 0; i < n; i++) {
		if (u[i].kind != kind)
			continue;
		if (!first)
			first = &u[i];
		else if (len < sizeof(more))
			len += (size_t)snprintf(more + len, sizeof(more) - len,
						"%s%s", count > 1 ? ", " : "",
						u[i].name);
		count++;
	}
	if (!first) {
		clab_lab_report_add(rep, prop, 1, UINT64_MAX,
				    kind == CLAB_SOLUTION_SYNC
					? "no call to a synchronisation "
					  "conclab cannot see"
					: "no call that starts a process, "
					  "opens a connection or loads code");
		return;
	}
	clab_lab_report_add(
	    rep, prop, 0, UINT64_MAX, "%s uses %s, %s%s%s%s%s%s", name,
	    first->name, first->why, first->instead ? ": use " : "",
	    first->instead ? first->instead : "", count > 1 ? " (and " : "",
	    more, count > 1 ? ")" : "");
}

/*
 * Read what the solution's shared object calls (solution-symbols.c) and
 * refuse one that synchronises where conclab cannot see it, or leaves its
 * process: say why, print the two failed properties, and do not run it.
 * Returns 0 (run it), 1 (refused) or 2 (not a shared object).
 */
static int inspect(const struct clab_exercise *ex, const char *so,
		   const char *solution)
{
	struct clab_solution_use *u;
	size_t n;
	const char *name = base_name(solution);
	int err = clab_solution_forbidden(so, ex->allow, &u, &n);
	if (err) {
		fprintf(stderr, "conclab exercise: cannot load %s: %s\n",
			solution,
			err == -ENOEXEC ? "not an ELF shared object"
					: strerror(-err));
		return CLAB_EXIT_USAGE;
	}
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "conclab exercise: %s uses %s, %s%s%s\n", name,
			u[i].name, u[i].why, u[i].instead ? ": use " : "",
			u[i].instead ? u[i].instead : "");
	fprintf(stderr,
		"conclab exercise: %s is not run: conclab grades only what "
		"it sees (docs/exercises.md)\n",
		solution);
	struct clab_lab_report rep = {0};
	refusal(&rep, "uses only conclab synchronisation", name, u, n,
		CLAB_SOLUTION_SYNC);
	refusal(&rep, "runs nothing else", name, u, n, CLAB_SOLUTION_PROCESS);
	if (report_fmt == CLAB_REPORT_TEXT) {
		printf("\n");
		clab_report_write(stdout, CLAB_REPORT_TEXT, "", ex->lab->name,
				  "exercise", NULL, &rep, &rubric);
		fflush(stdout);
	} else {
		write_report(&rep, solution, ex->lab->name);
	}
	clab_lab_report_free(&rep);
	clab_solution_uses_free(u, n);
	return CLAB_EXIT_CHECK;
}

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

/* ---- grading under the controlled scheduler ---- */

/* What a screening run needs, in the child the budget forks. */
static struct screen {
	const struct clab_exercise *ex;
	const char *so, *solution;
	struct clab_run_spec spec;
	struct clab_cmd_sched sched;
} screen;

static int screen_one(void *arg, const struct clab_sched_opts *o,
		      const char *trace)
{
	struct screen *sc = arg;
	struct clab_lab_ctx ctx = *sc->spec.ctx;
	ctx.seed = o->seed;
	sc->sched.o = *o;
	sc->spec.ctx = &ctx;
	sc->spec.trace = trace;
	sc->spec.quiet = 1;
	sc->spec.mark_fd = -1;
	sc->spec.sched = &sc->sched;
	grade_key_path = NULL; /* a screening run is not signed */
	mark_fd = -1;
	/* the budget made trace's directory for this child (boxed) */
	char box[4096];
	snprintf(box, sizeof(box), "%s", trace);
	char *slash = strrchr(box, '/');
	if (slash)
		*slash = 0;
	child_main(sc->ex, sc->so, sc->solution, box, &sc->spec);
}

/*
 * Run the solution under schedules 0..n-1 of a budget (silently, in
 * children), and choose the one to grade: the first that failed, as a
 * schedule string (malloc'd) and its seed, or schedule 0 when all passed
 * (*str NULL).  Returns the budget's index chosen, or -1 when it could
 * not run.
 */
static long screen_schedules(const struct clab_exercise *ex, const char *so,
			     const char *solution,
			     const struct clab_run_spec *spec,
			     const struct clab_cmd_sched *sched,
			     enum clab_budget_strategy strategy, long n,
			     uint64_t seed, char **str, int *code, long *ran)
{
	screen = (struct screen){.ex = ex,
				 .so = so,
				 .solution = solution,
				 .spec = *spec,
				 .sched = *sched};
	struct clab_budget b = {.run = screen_one,
				.arg = &screen,
				.opts = sched->o,
				.strategy = strategy,
				.seed = seed,
				.schedules = n,
				.shard = 1,
				.nshards = 1,
				.boxed = 1,
				/* student code: a fresh process each */
				.batch = 1};
	b.jobs = sysconf(_SC_NPROCESSORS_ONLN);
	if (b.jobs < 1)
		b.jobs = 1;
	*str = NULL;
	*code = 0;
	if (clab_budget_init(&b) != 0)
		return -1;
	clab_budget_run(&b);
	*ran = b.ran;
	long chosen = 0;
	if (b.first >= 0) {
		chosen = b.first;
		*code = b.first_code;
		*str = clab_budget_first_schedule(&b);
	}
	clab_budget_fini(&b);
	return chosen;
}

static int exercise_exec(int argc, char **argv)
{
	const char *lab_name = NULL, *solution = NULL, *init = NULL;
	const char *trace = NULL, *keypath = NULL, *rubric_path = NULL;
	long seed = 1, limit_s = 60, schedules = 100;
	int quiet = 0, seed_given = 0;
	struct clab_cmd_sched sched;
	char *failed_str = NULL;
	clab_cmd_sched_init(&sched);
	sched.o.mode = CLAB_SCHED_PCT; /* with random walks: see below */
	struct {
		const char *name, *value;
	} params[CLAB_LAB_MAX_PARAMS * 2];
	size_t nparams = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (clab_cmd_is_help(a))
			return exercise_help();
		if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			quiet = 1;
		} else if (clab_cmd_sched_flag(&sched, a)) {
			;
		} else if (strncmp(a, "--", 2) == 0 && a[2]) {
			static char keys[CLAB_LAB_MAX_PARAMS * 2][64];
			if (nparams == sizeof(params) / sizeof(params[0]))
				return clab_cmd_misuse(&clab_cmd_exercise,
						       "unknown option '%s'",
						       a);
			char *key = keys[nparams];
			const char *val;
			int bad = clab_cmd_keyval(&clab_cmd_exercise, argc,
						  argv, &i, key, 64, &val);
			if (bad)
				return bad;
			int so = clab_cmd_sched_opt(&clab_cmd_exercise, &sched,
						    key, val);
			if (so < 0)
				return -so;
			if (so > 0) {
				;
			} else if (strcmp(key, "schedules") == 0) {
				if (clab_cmd_parse_long(val, &schedules) ||
				    schedules < 1 || schedules > 1000000)
					return clab_cmd_misuse(
					    &clab_cmd_exercise,
					    "--schedules wants 1..1000000, "
					    "not '%s'",
					    val);
			} else if (strcmp(key, "init") == 0) {
				init = val;
			} else if (strcmp(key, "trace") == 0) {
				trace = val;
			} else if (strcmp(key, "key") == 0) {
				keypath = val;
			} else if (strcmp(key, "rubric") == 0) {
				rubric_path = val;
			} else if (strcmp(key, "format") == 0) {
				int f = clab_report_format_find(val);
				if (f < 0)
					return clab_cmd_misuse(
					    &clab_cmd_exercise,
					    "--format is text, json, "
					    "gradescope or junit, not '%s'",
					    val);
				report_fmt = (enum clab_report_format)f;
			} else if (strcmp(key, "seed") == 0) {
				if (clab_cmd_parse_long(val, &seed) || seed < 0)
					return clab_cmd_misuse(
					    &clab_cmd_exercise,
					    "--seed wants a number >= 0, "
					    "not '%s'",
					    val);
				seed_given = 1;
			} else if (strcmp(key, "time-limit") == 0) {
				/* a grader never waits forever: no 0 */
				if (clab_cmd_parse_long(val, &limit_s) ||
				    limit_s < 1 || limit_s > 86400)
					return clab_cmd_misuse(
					    &clab_cmd_exercise,
					    "--time-limit wants seconds "
					    "(1..86400; an exercise always has "
					    "a limit), not '%s'",
					    val);
			} else {
				params[nparams].name = key;
				params[nparams++].value = val;
			}
		} else if (a[0] == '-' && a[1]) {
			return clab_cmd_misuse(&clab_cmd_exercise,
					       "unknown option '%s'", a);
		} else if (!lab_name) {
			lab_name = a;
		} else if (!solution) {
			solution = a;
		} else {
			return clab_cmd_misuse(&clab_cmd_exercise,
					       "unexpected argument '%s'", a);
		}
	}
	if (!lab_name)
		return clab_cmd_misuse(&clab_cmd_exercise,
				       "which lab? (philosophers, prodcons, "
				       "timer)");
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
	clab_rubric_default(&rubric, ex->lab->name);
	if (rubric_path) {
		char err[512];
		if (clab_rubric_load(&rubric, ex->lab->name, rubric_path, err,
				     sizeof(err)) != 0)
			return clab_cmd_misuse(&clab_cmd_exercise,
					       "--rubric: %s", err);
	}
	/* A prebuilt solution needs no headers: find them for the others. */
	int prebuilt = solution && !init && is_shared_object(solution);
	struct paths p = {.ncflags = 0};
	if (!prebuilt && find_paths(&p) != 0) {
		fprintf(stderr,
			"conclab exercise: cannot find conclab's headers: "
			"neither the source tree %s nor 'pkg-config conclab'\n",
			CLAB_SOURCE_ROOT);
		return CLAB_EXIT_IO;
	}
	int rc;
	if (init) {
		if (solution || nparams) {
			free_paths(&p);
			return clab_cmd_misuse(&clab_cmd_exercise,
					       "--init DIR takes no solution "
					       "nor parameters");
		}
		rc = init_dir(ex, &p, init);
		free_paths(&p);
		return rc;
	}
	if (!solution) {
		free_paths(&p);
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
		free_paths(&p);
		return rc;
	}
	const struct clab_lab *lab = ex->lab;
	struct clab_lab_ctx ctx;
	clab_lab_ctx_init(&ctx, lab, 0);
	ctx.seed = (uint64_t)seed;
	ctx.out = NULL; /* the harness does not narrate */
	for (size_t i = 0; i < nparams; i++) {
		int pi = clab_lab_param_find(lab, params[i].name);
		long v;
		if (pi < 0) {
			free_paths(&p);
			return clab_cmd_misuse(&clab_cmd_exercise,
					       "%s has no parameter '%s'",
					       lab->name, params[i].name);
		}
		const struct clab_lab_param *pa = &lab->params[pi];
		if (clab_cmd_parse_long(params[i].value, &v) || v < pa->min ||
		    v > pa->max) {
			free_paths(&p);
			return clab_cmd_misuse(
			    &clab_cmd_exercise,
			    "--%s wants a number in %ld..%ld, "
			    "not '%s'",
			    pa->name, pa->min, pa->max, params[i].value);
		}
		ctx.param[pi] = v;
	}
	rc = clab_cmd_key_load(&clab_cmd_exercise, keypath, &grade_key);
	if (rc) {
		free_paths(&p);
		return rc;
	}
	if (grade_key.len)
		grade_key_path = grade_key.path;
	clab_cmd_key_wipe(&grade_key);
	if (report_fmt != CLAB_REPORT_TEXT) {
		/* the report alone on stdout; the rest goes to stderr */
		fflush(stdout);
		report_fd = fcntl(1, F_DUPFD_CLOEXEC, 3);
		if (report_fd < 0 || dup2(2, 1) < 0) {
			fprintf(stderr,
				"conclab exercise: cannot set the "
				"report's output apart: %s\n",
				strerror(errno));
			free_paths(&p);
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
		free_paths(&p);
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
			free_paths(&p);
			return CLAB_EXIT_IO;
		}
		snprintf(built, sizeof(built), "%s/solution.so", tmp);
		rc = compile(&p, solution, built);
		free_paths(&p);
		if (rc != 0) {
			struct clab_lab_report rep = {0};
			clab_lab_report_add(
			    &rep, "compiles", 0, UINT64_MAX,
			    "%s does not compile (the "
			    "compiler's messages are on stderr)",
			    solution);
			write_report(&rep, solution, lab->name);
			clab_lab_report_free(&rep);
			goto out;
		}
	}

	rc = inspect(ex, so, solution);
	if (rc != 0)
		goto out;
	/*
	 * The sandbox (sandbox.h): what the children's filters refuse is
	 * counted in a shared page, and a process they leave comes to this
	 * one, which kills it.
	 */
	sandbox_shared = clab_sandbox_shared_new();
	if (sandbox_shared == NULL || clab_sandbox_reaper() != 0) {
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
	    .rubric = &rubric,
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
		long k = screen_schedules(ex, so, solution, &spec, &sched, st,
					  schedules, (uint64_t)seed,
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
	if (grade_key_path)
		grade_key_fd = open(grade_key_path, O_RDONLY | O_CLOEXEC);
	int err = clab_sandbox_dir_new(NULL, box, sizeof(box));
	pid_t pid = err ? -1 : fork();
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
		mark_fd = wr;
		child_main(ex, so, solution, box, &spec);
	}
	setpgid(pid, pid); /* its own group, as it makes it itself */
	close(wr);
	if (grade_key_fd >= 0)
		close(grade_key_fd);
	/* Ctrl-C: the child, in a process group of its own, gets it too. */
	forward_to = pid;
	struct sigaction sa = {.sa_handler = forward};
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	long left = 0;
	const char *refused = NULL, *unreproducible = NULL;
	rc = wait_child(pid, limit_s, &spec, rd, box, &left);
	close(rd);
	if (clab_sandbox_report(sandbox_shared, stderr, "conclab exercise: ") ||
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
	final_report(ex, trace, solution, rc, refused, unreproducible);
out:
	if (report_fd >= 0) {
		/* an ending with nothing to grade: say so in the format */
		struct clab_lab_report rep = {0};
		if (rc != CLAB_EXIT_OK)
			clab_lab_report_add(&rep, "run completed", 0,
					    UINT64_MAX,
					    "the solution was not graded (exit "
					    "code %d; the reason is on stderr)",
					    rc);
		write_report(&rep, solution, lab->name);
		clab_lab_report_free(&rep);
	}
	clab_sandbox_shared_free(sandbox_shared);
	sandbox_shared = NULL;
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
	"Options:\n"
	"  --init DIR         write the starter files into DIR\n"
	"  --PARAM VALUE      set a lab parameter ('conclab run LAB --help')\n"
	"  --seed N           seed for the harness's random delays (1)\n"
	"  --trace FILE       trace file (default "
	"LAB-exercise.clt)\n" CLAB_CMD_KEY_HELP
	"  --time-limit SEC   stop a run that takes longer (60; 1..86400)\n"
	"  --format F         the report as text (default), json, gradescope\n"
	"                     (results.json) or junit, alone on stdout; the\n"
	"                     rest goes to stderr\n"
	"  --rubric FILE      the properties' weights: lines 'name, weight'\n"
	"                     (docs/grading.md has the defaults)\n"
	"  --schedules N      schedules the solution is graded under (100)\n"
	"  --sched MODE       pct or random: only that kind of schedule;\n"
	"                     os: one free run, as the operating system\n"
	"                     schedules it (not reproducible)\n"
	"  --replay S         grade the schedule S, or the one a trace holds\n"
	"  --spurious N, --no-spurious, --step-limit N   as for run\n"
	"  -q, --quiet        only the results\n"
	"  -h, --help         this text and the exercises\n\n"
	"The solution is graded under the controlled scheduler: it runs\n"
	"under --schedules schedules (PCT and random walks by turns, seeds\n"
	"--seed, --seed + 1, ...), silently, each in a process of its own;\n"
	"the report is that of the first schedule that failed, replayed, or\n"
	"of the first schedule when all passed.  The grade depends on the\n"
	"solution and the seed only: the same inputs, the same report.\n\n"
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
