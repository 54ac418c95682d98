/*
 * conclab exercise (cmd-exercise.c): the child that loads and runs a
 * solution in its sandbox, and the parent's supervision of it.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <conclab/runtime.h>
#include <conclab/tracer.h>

#include "clab-util.h"
#include "cmd.h"
#include "schedules.h"
#include "exercise-int.h"
#include "exercise.h"
#include "lab.h"
#include "report.h"
#include "supervise.h"
#include "solution-hooks.h"

struct child {
	const struct clab_exercise *ex;
	void *dl;
};

/*
 * --key: the graded run's trace is signed with it.  The parent reads the
 * key file only to refuse a bad one early, and forgets it; it opens the
 * file again just before it starts the graded run's child (the sandbox
 * then keeps the child from opening files), which reads it through that
 * descriptor after the solution is loaded (its constructors have run),
 * opens the trace with it and forgets it when the solution starts
 * (body()).  The screening runs never have it: their traces are not kept.
 */
struct clab_cmd_key clab__exercise_grade_key;
const char *clab__exercise_grade_key_path; /* NULL: no key */
/*
 * The key file, opened by the parent before the sandbox closes the file
 * system to the child, which reads it through this descriptor.
 */
int clab__exercise_grade_key_fd = -1;

static _Noreturn void child_exit(int code)
{
	fflush(stdout);
	fflush(stderr);
	/* a screening run has no parent that reads a mark */
	if (clab_supervise_mark(code) < 0)
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
	/* static: the record keeps pointers to its site until the end */
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
	/* static: the records keep pointers to their sites (the child's run) */
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
	clab_cmd_key_wipe(&clab__exercise_grade_key);
	return c->ex->run(ctx, lookup, c);
}

/* What the children's sandboxes share with the grader (sandbox.h). */
struct clab_sandbox_shared *clab__exercise_sandbox;

/*
 * In the child, before the solution is loaded (its constructors run in
 * dlopen): the sandbox, in box, which is its working directory and where
 * the trace is written; the grader copies it out.  The trace's metadata
 * and, unless quiet, a line say which mechanisms the kernel allowed.
 */
static void enter_sandbox(const struct clab_exercise *ex, const char *so,
			  const char *box, struct clab_run_spec *spec)
{
	/* static: spec points at them for the rest of the child's run */
	static char boxed[4200], applied[128];
	static struct clab_meta_kv extra[CLAB_RUN_MAX_EXTRA];
	const char *read[] = {so};
	struct clab_sandbox_opts o = {
	    .dir = box,
	    .read = read,
	    .nread = 1,
	    .cpu_s = spec->limit_s,
	    .shared = clab__exercise_sandbox,
	    .processes = ex->processes,
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

/* The solution's name, which its notes that claim a harness's file get. */
static char solution_name[256];

/*
 * A note the solution makes is its own whatever file it names: one that
 * names a harness's (with #line) is recorded under the solution's name,
 * so that the checkers, which trust the harness's notes only, never take
 * it for the harness's.  A site each, made at its first note.
 */
static const struct clab_site *on_note(const struct clab_site *site)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static struct own_site {
		const struct clab_site *of;
		struct clab_site site;
		struct own_site *next;
	} * own;
	static struct clab_site unknown = {solution_name, "?", NULL, 0};

	if (site == NULL || !clab_lab_harness_file(site->file))
		return site;
	pthread_mutex_lock(&lock);
	struct own_site *o = own;
	while (o != NULL && o->of != site)
		o = o->next;
	if (o == NULL && (o = malloc(sizeof(*o))) != NULL) {
		*o = (struct own_site){site, *site, own};
		o->site.file = solution_name;
		own = o;
	}
	pthread_mutex_unlock(&lock);
	return o != NULL ? &o->site : &unknown;
}

/*
 * In the child: enter the sandbox in box, load the solution, run the
 * harness; never returns.
 */
_Noreturn void clab__exercise_child_main(const struct clab_exercise *ex,
					 const char *so, const char *solution,
					 const char *box,
					 struct clab_run_spec *spec)
{
	struct child c = {.ex = ex};
	if (clab__exercise_report_fd >= 0) {
		close(clab__exercise_report_fd); /* the solution never writes
						    the report */
		clab__exercise_report_fd = -1;
	}
	enter_sandbox(ex, so, box, spec);
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
	const char *base = strrchr(solution, '/');
	snprintf(solution_name, sizeof(solution_name), "%s",
		 base ? base + 1 : solution);
	clab_solution_on_files(on_file);
	clab_solution_on_notes(on_note);
	clab_solution_hook_ends(c.dl, so, on_end);
	if (clab__exercise_grade_key_path) {
		int rc = clab_cmd_key_read(
		    &clab_cmd_exercise, clab__exercise_grade_key_fd,
		    clab__exercise_grade_key_path, &clab__exercise_grade_key);
		close(clab__exercise_grade_key_fd);
		if (rc)
			child_exit(rc);
		spec->key = clab__exercise_grade_key.bytes;
		spec->key_len = clab__exercise_grade_key.len;
	}
	spec->body = body;
	spec->arg = &c;
	child_exit(clab_run_traced(spec));
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
	int err;
	long left =
	    clab_supervise_unbox(pid, 1, box, "trace.clt", spec->trace, &err);
	if (left)
		fprintf(stderr,
			"\nconclab exercise: the solution left %ld "
			"process%s running after its run; killed\n",
			left, left == 1 ? "" : "es");
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
int clab__exercise_wait_child(pid_t pid, long limit_s,
			      struct clab_run_spec *spec, int markfd,
			      const char *box, long *left)
{
	int status, killed = 0;
	int werr = clab_supervise_wait(pid, (double)(limit_s + GRACE_S),
				       &status, &killed);
	if (werr) {
		fprintf(stderr, "conclab exercise: waitpid: %s\n",
			strerror(-werr));
		*left = after_child(pid, box, spec);
		return CLAB_EXIT_IO;
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
		if (clab__exercise_exists(spec->trace)) {
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
			"(%s)\n",
			strsignal(sig), sigabbrev_np(sig));
	/* What reached the file, in whole chunks, can still be checked. */
	if (clab__exercise_exists(spec->trace)) {
		fprintf(stderr, "conclab exercise: checking what reached %s\n",
			spec->trace);
		clab_run_check(spec);
	} else {
		fprintf(stderr, "conclab exercise: no trace was written\n");
	}
	fflush(stdout);
	return killed ? CLAB_EXIT_TIMEOUT : clab_supervise_code(status);
}
