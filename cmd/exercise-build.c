/*
 * conclab exercise (cmd-exercise.c): find the headers a solution includes,
 * write a lab's starter (--init), and compile a solution into a shared
 * object.
 */
#include <errno.h>
#include <fcntl.h>
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

#include "cmd.h"
#include "exercise-config.h"
#include "exercise-int.h"
#include "exercise.h"
#include "supervise.h"

extern char **environ;

int clab__exercise_exists(const char *path)
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

int clab__exercise_find_paths(struct paths *p)
{
	char buf[4096];
	memset(p, 0, sizeof(*p));
	snprintf(buf, sizeof(buf), "%s/runtime/include/conclab/runtime.h",
		 CLAB_SOURCE_ROOT);
	if (clab__exercise_exists(buf)) {
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

void clab__exercise_free_paths(struct paths *p)
{
	for (size_t i = 0; i < p->ncflags; i++)
		free(p->cflags[i]);
}

/* A solution named *.so was built already: it is loaded as is. */
int clab__exercise_is_shared_object(const char *path)
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

int clab__exercise_init_dir(const struct clab_exercise *ex,
			    const struct paths *p, const char *dir)
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
 * A solution built with UBSan (clab__exercise_compile()): a report stops the
 * run with an abort, which saves the trace, and shows where it came from.  The
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
int clab__exercise_compile(const struct paths *p, const char *solution,
			   const char *so)
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
	clab_supervise_wait(pid, 0, &status, NULL);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr,
			"conclab exercise: %s does not compile (the "
			"compiler's messages are above)\n",
			solution);
		return CLAB_EXIT_USAGE;
	}
	return 0;
}
