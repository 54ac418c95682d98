/*
 * conclab bench --whole: what users pay, program by program.  Each case is
 * a small program of bench/whole, written twice (on pthreads and on the
 * clab_* API); each variant of it runs from exec to exit as a child
 * process, the variants interleaved repetition by repetition (A B C A B
 * C ...), and the table gives each one's median wall time, its ratio to
 * plain (the median of the repetitions' ratios, paired as the loop cases
 * pair theirs) and its peak resident memory (ru_maxrss, from wait4).
 *
 * A variant is a row of variants[]: the program it runs (NAME-SUFFIX) and
 * what it runs it under.  The programs are looked for in
 * $CONCLAB_BENCH_DIR, or beside the build tree's conclab when this is
 * that conclab, else where `meson install` puts them (bench-config.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <conclab/export.h>

#include "bench-config.h"
#include "clab-util.h"
#include "codec.h"
#include "bench-whole.h"
#include "cmd.h"

extern char **environ;

#define REPS_MAX 100 /* --reps allows at most this many */
#define TARGET 3.0   /* the ratio the issue holds conclab to */
#define MAX_ARGS 8

/* One way of running a program. */
struct variant {
	const char *key;    /* JSON key, stable */
	const char *label;  /* for people */
	const char *suffix; /* runs the program NAME-SUFFIX */
	/*
	 * Runs it under this command (NULL-terminated; "conclab" is this
	 * conclab), or directly when NULL.  A program run under a command
	 * leaves its trace as PROGRAM-SUFFIX.clt (`conclab trace`'s
	 * default), one run directly as PROGRAM.clt.
	 */
	const char *const *wrap;
	/* The target its ratio to plain is held to (0: none). */
	double target;
	/*
	 * An optional variant that is not built, or fails, is left out
	 * with a note; any other is an error.  note_unbuilt says why this
	 * build has no such variant ("" when it has), from meson.
	 */
	int optional;
	const char *note_unbuilt;
};

/* The first row is the reference the others' ratios are taken against. */
static const struct variant variants[] = {
    {"plain", "plain pthreads", "pthread", NULL, 0, 0, ""},
    {"conclab", "clab_* API, traced", "clab", NULL, TARGET, 0, ""},
    {"trace", "conclab trace", "pthread",
     (const char *const[]){"conclab", "trace", "--no-check", "--", NULL},
     TARGET, 0, CLAB_BENCH_TRACE_NOTE},
    {"tsan", "pthreads under TSan", "tsan", NULL, 0, 1, CLAB_BENCH_TSAN_NOTE},
};
#define NVARIANTS (sizeof(variants) / sizeof(variants[0]))

/* One program and the arguments it runs with. */
struct wcase {
	const char *key;     /* --case name and JSON key */
	const char *label;   /* for people */
	const char *program; /* bench/whole/PROGRAM-*.c */
	long size;	     /* its first argument at --scale 1 */
	long least;	     /* the smallest size a scale leaves */
	const char *unit;    /* what size counts */
	const char *arg2;    /* a second argument, or NULL */
};

static const struct wcase cases[] = {
    {"lock_heavy_1", "lock-heavy, 1 thread", "lockheavy", 4000000, 4,
     "iterations", "1"},
    {"lock_heavy_4", "lock-heavy, 4 threads", "lockheavy", 4000000, 4,
     "iterations", "4"},
    {"thread_churn", "thread churn", "churn", 100000, 1, "threads", NULL},
    {"prodcons", "condvar producer-consumer", "prodcons", 500000, 2, "items",
     NULL},
    {"timers", "timers and timed waits", "timers", 200, 2, "ticks", NULL},
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* What one variant of one case measured. */
struct vres {
	int ran; /* repetitions done */
	double wall[REPS_MAX], ratio[REPS_MAX], cpu[REPS_MAX], rss[REPS_MAX];
	double trace[REPS_MAX]; /* bytes of the trace it left */
	double med_wall, med_ratio, med_cpu, med_rss, med_trace;
};

struct clab_whole {
	struct clab_whole_opts o;
	char dir[PATH_MAX];  /* where the programs are */
	char tmp[PATH_MAX];  /* where they run */
	char self[PATH_MAX]; /* this conclab, for wrap's "conclab" */
	int dropped[NVARIANTS];
	char note[NVARIANTS][PATH_MAX + 128]; /* why a variant was left out */
	long size[NCASES];
	char line[NCASES][200]; /* what plain printed */
	struct vres res[NCASES][NVARIANTS];
};

unsigned clab_whole_ncases(void)
{
	return NCASES;
}

const char *clab_whole_name(unsigned i)
{
	return i < NCASES ? cases[i].key : NULL;
}

int clab_whole_find(const char *name)
{
	for (unsigned i = 0; i < NCASES; i++)
		if (strcmp(name, cases[i].key) == 0)
			return (int)i;
	return -1;
}

static double median(const double *v, int n)
{
	double s[REPS_MAX];
	if (n <= 0)
		return 0;
	memcpy(s, v, (size_t)n * sizeof(*s));
	return clab__median(s, (size_t)n);
}

/*
 * The programs: those of $CONCLAB_BENCH_DIR when it is set; else beside
 * the build tree's conclab when this is it (the build tree's are
 * current), else the installed ones.
 */
static void find_dir(struct clab_whole *w)
{
	char built[PATH_MAX];
	const char *env = getenv("CONCLAB_BENCH_DIR");
	if (realpath("/proc/self/exe", w->self) == NULL)
		snprintf(w->self, sizeof(w->self), "/proc/self/exe");
	if (env && *env)
		snprintf(w->dir, sizeof(w->dir), "%s", env);
	else if (realpath(CLAB_BENCH_BUILD_CONCLAB, built) != NULL &&
		 strcmp(built, w->self) == 0)
		snprintf(w->dir, sizeof(w->dir), "%s", CLAB_BENCH_BUILD_DIR);
	else
		snprintf(w->dir, sizeof(w->dir), "%s", CLAB_BENCH_INSTALL_DIR);
}

static void program_path(const struct clab_whole *w, const struct wcase *c,
			 const struct variant *v, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s-%s", w->dir, c->program, v->suffix);
}

/* The first line of file into buf ("" if none), without its newline. */
static void first_line(const char *file, char *buf, size_t len)
{
	FILE *f = fopen(file, "r");
	buf[0] = 0;
	if (f == NULL)
		return;
	if (fgets(buf, (int)len, f) == NULL)
		buf[0] = 0;
	buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

/* What a child did, as wait4 saw it. */
struct outcome {
	int status;
	double wall_s, cpu_s, rss_kb, trace_bytes;
	char out[200]; /* its first line on stdout */
	char err[200]; /* its first line on stderr */
};

/*
 * Run one variant of one case in w->tmp through bench/whole/spawn, which
 * measures it, its stdout and stderr into files there; remove the trace
 * it wrote.  0, or -1 if it could not be started (errno set).
 */
static int run_one(struct clab_whole *w, unsigned ci, const struct variant *v,
		   struct outcome *oc)
{
	const struct wcase *c = &cases[ci];
	char spawn[PATH_MAX + 8], prog[PATH_MAX + 64], size[24],
	    out[PATH_MAX + 8], err[PATH_MAX + 8], res[PATH_MAX + 8],
	    trace[PATH_MAX + 64], line[200];
	char *argv[MAX_ARGS + 10];
	int n = 0;
	snprintf(spawn, sizeof(spawn), "%s/spawn", w->dir);
	snprintf(out, sizeof(out), "%s/out", w->tmp);
	snprintf(err, sizeof(err), "%s/err", w->tmp);
	snprintf(res, sizeof(res), "%s/res", w->tmp);
	if (v->wrap)
		snprintf(trace, sizeof(trace), "%s/%s-%s.clt", w->tmp,
			 c->program, v->suffix);
	else
		snprintf(trace, sizeof(trace), "%s/%s.clt", w->tmp, c->program);
	argv[n++] = spawn;
	argv[n++] = w->tmp;
	argv[n++] = out;
	argv[n++] = err;
	for (const char *const *p = v->wrap; p && *p && n < MAX_ARGS; p++)
		argv[n++] = (char *)(strcmp(*p, "conclab") ? *p : w->self);
	program_path(w, c, v, prog, sizeof(prog));
	snprintf(size, sizeof(size), "%ld", w->size[ci]);
	argv[n++] = prog;
	argv[n++] = size;
	if (c->arg2)
		argv[n++] = (char *)c->arg2;
	argv[n] = NULL;

	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, res,
					 O_WRONLY | O_CREAT | O_TRUNC, 0600);
	pid_t pid;
	int status, e = posix_spawn(&pid, spawn, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (e != 0) {
		errno = e;
		return -1;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	first_line(res, line, sizeof(line));
	unlink(res);
	unsigned long long wall;
	long long user, sys;
	long rss;
	if (sscanf(line, "exec %d", &e) == 1) {
		errno = e;
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
	    sscanf(line, "ok %d %llu %lld %lld %ld", &oc->status, &wall, &user,
		   &sys, &rss) != 5) {
		errno = EPROTO; /* spawn itself went wrong */
		return -1;
	}
	oc->wall_s = (double)wall / 1e9;
	oc->cpu_s = (double)(user + sys) / 1e6;
	oc->rss_kb = (double)rss;
	struct stat st;
	oc->trace_bytes = stat(trace, &st) == 0 ? (double)st.st_size : 0;
	unlink(trace);
	first_line(out, oc->out, sizeof(oc->out));
	first_line(err, oc->err, sizeof(oc->err));
	unlink(out);
	unlink(err);
	return 0;
}

static void describe(const struct outcome *oc, char *buf, size_t len)
{
	if (WIFSIGNALED(oc->status))
		snprintf(buf, len, "killed by signal %d%s%s",
			 WTERMSIG(oc->status), oc->err[0] ? ": " : "", oc->err);
	else
		snprintf(buf, len, "exit %d%s%s", WEXITSTATUS(oc->status),
			 oc->err[0] ? ": " : "", oc->err);
}

/*
 * One repetition of variant vi of case ci.  0; 1 when an optional
 * variant failed (it is dropped, with a note); -1 on an error, reported.
 */
static int rep(struct clab_whole *w, unsigned ci, unsigned vi)
{
	const struct variant *v = &variants[vi];
	const struct wcase *c = &cases[ci];
	struct vres *r = &w->res[ci][vi];
	struct outcome oc = {0};
	char why[300];
	if (run_one(w, ci, v, &oc) != 0) {
		snprintf(why, sizeof(why), "cannot start %s-%s: %s", c->program,
			 v->suffix, strerror(errno));
	} else if (!WIFEXITED(oc.status) || WEXITSTATUS(oc.status) != 0) {
		char d[240];
		describe(&oc, d, sizeof(d));
		snprintf(why, sizeof(why), "%s-%s %ld%s%s: %s", c->program,
			 v->suffix, w->size[ci], c->arg2 ? " " : "",
			 c->arg2 ? c->arg2 : "", d);
	} else if ((vi > 0 || r->ran > 0) && strcmp(oc.out, w->line[ci]) != 0) {
		snprintf(why, sizeof(why),
			 "%s-%s printed '%s', where plain printed '%s'",
			 c->program, v->suffix, oc.out, w->line[ci]);
	} else {
		if (vi == 0 && r->ran == 0)
			snprintf(w->line[ci], sizeof(w->line[ci]), "%s",
				 oc.out);
		int i = r->ran++;
		r->wall[i] = oc.wall_s;
		r->cpu[i] = oc.cpu_s;
		r->rss[i] = oc.rss_kb;
		r->trace[i] = oc.trace_bytes;
		if (vi > 0)
			r->ratio[i] = oc.wall_s / w->res[ci][0].wall[i];
		return 0;
	}
	if (v->optional) {
		w->dropped[vi] = 1;
		snprintf(w->note[vi], sizeof(w->note[vi]), "%s", why);
		return 1;
	}
	fprintf(stderr, "conclab bench: %s\n", why);
	return -1;
}

/* Which variants run: an optional one whose programs are missing does not. */
static int check_programs(struct clab_whole *w)
{
	char spawn[PATH_MAX + 8];
	snprintf(spawn, sizeof(spawn), "%s/spawn", w->dir);
	if (access(spawn, X_OK) != 0) {
		fprintf(stderr,
			"conclab bench: cannot run the whole-program "
			"benchmarks' launcher %s: %s\n(it is built with "
			"conclab, and installed in %s)\n",
			spawn, strerror(errno), CLAB_BENCH_INSTALL_DIR);
		return -1;
	}
	for (unsigned vi = 0; vi < NVARIANTS; vi++) {
		const struct variant *v = &variants[vi];
		if (v->note_unbuilt[0]) {
			w->dropped[vi] = 1;
			snprintf(w->note[vi], sizeof(w->note[vi]), "%s",
				 v->note_unbuilt);
			continue;
		}
		for (unsigned ci = 0; ci < NCASES; ci++) {
			char p[PATH_MAX + 64];
			if (!((w->o.only >> ci) & 1))
				continue;
			program_path(w, &cases[ci], v, p, sizeof(p));
			if (access(p, X_OK) == 0)
				continue;
			if (v->optional) {
				w->dropped[vi] = 1;
				snprintf(w->note[vi], sizeof(w->note[vi]),
					 "no program %s", p);
				break;
			}
			fprintf(stderr,
				"conclab bench: no whole-program benchmark "
				"%s: %s\n(they are built with conclab, and "
				"installed in %s)\n",
				p, strerror(errno), CLAB_BENCH_INSTALL_DIR);
			return -1;
		}
	}
	return 0;
}

static void summarise(struct vres *r)
{
	r->med_wall = median(r->wall, r->ran);
	r->med_ratio = median(r->ratio, r->ran);
	r->med_cpu = median(r->cpu, r->ran);
	r->med_rss = median(r->rss, r->ran);
	r->med_trace = median(r->trace, r->ran);
}

static const char *verdict(const struct variant *v, const struct vres *r)
{
	if (v->target <= 0)
		return "";
	return r->med_ratio <= v->target ? "PASS" : "MISS";
}

static void print_header(const struct clab_whole *w)
{
	printf("\nWhole programs (bench/whole): each variant of a program "
	       "runs from exec to\nexit as a child process, the variants "
	       "interleaved, %d repetition%s of each;\nwall is the median "
	       "wall time from start to exit, ratio the median of the\n"
	       "repetitions' ratios to plain, cpu the median user + system "
	       "time of all its\nthreads, peak RSS the median ru_maxrss.  "
	       "The clab_* programs and conclab trace\nwrite their trace "
	       "(zstd %d), removed after each run, in\n  %s\nPrograms: %s\n",
	       w->o.reps, w->o.reps == 1 ? "" : "s", CLAB__ZSTD_FAST, w->tmp,
	       w->dir);
	if (strcmp(CLAB_BENCH_SANITIZE, "none") != 0)
		printf("Note: this conclab and its programs were built with "
		       "-Db_sanitize=%s:\nthe figures measure the sanitizer "
		       "too.\n",
		       CLAB_BENCH_SANITIZE);
	printf("\n%-24s %10s %8s %10s %10s  %s\n", "program / variant", "wall",
	       "ratio", "cpu", "peak RSS", "target");
	fflush(stdout);
}

static void print_case(const struct clab_whole *w, unsigned ci)
{
	const struct wcase *c = &cases[ci];
	printf("%s: %s, %ld %s\n", c->key, c->label, w->size[ci], c->unit);
	for (unsigned vi = 0; vi < NVARIANTS; vi++) {
		const struct vres *r = &w->res[ci][vi];
		const struct variant *v = &variants[vi];
		char line[200], ratio[16] = "-", target[16] = "",
				trace[40] = "";
		if (r->ran == 0)
			continue;
		if (vi > 0)
			snprintf(ratio, sizeof(ratio), "%.2fx", r->med_ratio);
		if (v->target > 0)
			snprintf(target, sizeof(target), "<=%gx", v->target);
		if (r->med_trace >= 1048576)
			snprintf(trace, sizeof(trace), "  trace %.1f MB",
				 r->med_trace / 1048576.0);
		else if (r->med_trace > 0)
			snprintf(trace, sizeof(trace), "  trace %.0f KB",
				 r->med_trace / 1024.0);
		int n =
		    snprintf(line, sizeof(line),
			     "  %-22s %8.3f s %8s %8.3f s %7.1f MB  %-4s "
			     "%-4s%s",
			     v->label, r->med_wall, ratio, r->med_cpu,
			     r->med_rss / 1024.0, target, verdict(v, r), trace);
		while (n > 0 && (size_t)n < sizeof(line) && line[n - 1] == ' ')
			line[--n] = 0;
		printf("%s\n", line);
	}
	fflush(stdout);
}

struct clab_whole *clab_whole_run(const struct clab_whole_opts *o, int *rc)
{
	struct clab_whole *w = calloc(1, sizeof(*w));
	if (w == NULL) {
		fprintf(stderr, "conclab bench: out of memory\n");
		*rc = CLAB_EXIT_IO;
		return NULL;
	}
	w->o = *o;
	*rc = CLAB_EXIT_CHECK;
	find_dir(w);
	if (check_programs(w) != 0) {
		free(w);
		return NULL;
	}
	const char *tmp = getenv("TMPDIR");
	snprintf(w->tmp, sizeof(w->tmp), "%s/conclab-whole-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(w->tmp) == NULL) {
		fprintf(stderr, "conclab bench: cannot create %s: %s\n", w->tmp,
			strerror(errno));
		free(w);
		*rc = CLAB_EXIT_IO;
		return NULL;
	}
	for (unsigned ci = 0; ci < NCASES; ci++) {
		double s = (double)cases[ci].size * o->scale;
		w->size[ci] =
		    s < (double)cases[ci].least ? cases[ci].least : lround(s);
	}
	if (!o->json)
		print_header(w);
	int failed = 0;
	for (unsigned ci = 0; ci < NCASES && !failed; ci++) {
		if (!((o->only >> ci) & 1))
			continue;
		for (int i = 0; i < o->reps && !failed; i++)
			for (unsigned vi = 0; vi < NVARIANTS && !failed; vi++)
				if (!w->dropped[vi] && rep(w, ci, vi) < 0)
					failed = 1;
		for (unsigned vi = 0; vi < NVARIANTS; vi++) {
			/* a variant dropped part-way: none of its figures */
			if (w->dropped[vi])
				w->res[ci][vi].ran = 0;
			summarise(&w->res[ci][vi]);
		}
		if (!o->json && !failed)
			print_case(w, ci);
	}
	rmdir(w->tmp);
	if (failed) {
		free(w);
		return NULL;
	}
	if (!o->json)
		for (unsigned vi = 0; vi < NVARIANTS; vi++)
			if (w->dropped[vi])
				printf("%s left out: %s\n", variants[vi].label,
				       w->note[vi]);
	*rc = CLAB_EXIT_OK;
	return w;
}

static void json_num(FILE *out, const char *key, double v, int have)
{
	fprintf(out, ", \"%s\": ", key);
	if (have)
		fprintf(out, "%.6f", v);
	else
		fprintf(out, "null");
}

void clab_whole_json(const struct clab_whole *w, FILE *out)
{
	fprintf(out,
		"{\n    \"reps\": %d, \"scale\": %g, \"programs\": ", w->o.reps,
		w->o.scale);
	clab_json_str(out, w->dir);
	fprintf(out, ", \"sanitize\": ");
	clab_json_str(out, CLAB_BENCH_SANITIZE);
	fprintf(out, ",\n    \"left_out\": {");
	for (unsigned vi = 0, n = 0; vi < NVARIANTS; vi++) {
		if (!w->dropped[vi])
			continue;
		fprintf(out, "%s", n++ ? ", " : "");
		clab_json_str(out, variants[vi].key);
		fprintf(out, ": ");
		clab_json_str(out, w->note[vi]);
	}
	fprintf(out, "},\n    \"cases\": {");
	for (unsigned ci = 0, n = 0; ci < NCASES; ci++) {
		const struct wcase *c = &cases[ci];
		if (!((w->o.only >> ci) & 1))
			continue;
		fprintf(out, "%s\n      ", n++ ? "," : "");
		clab_json_str(out, c->key);
		fprintf(out, ": {\"label\": ");
		clab_json_str(out, c->label);
		fprintf(out, ", \"program\": ");
		clab_json_str(out, c->program);
		fprintf(out, ", \"size\": %ld, \"unit\": ", w->size[ci]);
		clab_json_str(out, c->unit);
		fprintf(out, ", \"output\": ");
		clab_json_str(out, w->line[ci]);
		fprintf(out, ", \"variants\": {");
		for (unsigned vi = 0, m = 0; vi < NVARIANTS; vi++) {
			const struct variant *v = &variants[vi];
			const struct vres *r = &w->res[ci][vi];
			if (r->ran == 0)
				continue;
			fprintf(out, "%s\n        ", m++ ? "," : "");
			clab_json_str(out, v->key);
			fprintf(out, ": {\"reps\": %d", r->ran);
			json_num(out, "wall_s", r->med_wall, 1);
			json_num(out, "ratio", r->med_ratio, vi > 0);
			json_num(out, "cpu_s", r->med_cpu, 1);
			fprintf(out, ", \"maxrss_kb\": %.0f", r->med_rss);
			fprintf(out, ", \"trace_bytes\": %.0f", r->med_trace);
			if (v->target > 0)
				fprintf(out,
					", \"target\": \"<=%gx\", \"pass\": "
					"%s",
					v->target,
					r->med_ratio <= v->target ? "true"
								  : "false");
			fprintf(out, "}");
		}
		fprintf(out, "}}");
	}
	fprintf(out, "\n    }\n  }");
}

void clab_whole_free(struct clab_whole *w)
{
	free(w);
}
