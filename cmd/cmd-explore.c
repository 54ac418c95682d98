/*
 * conclab explore: run a lab under many controlled schedules, stop at the
 * first that fails a check (or deadlocks, or livelocks), shrink it, and
 * say how to replay it.
 *
 * Each schedule runs in a child process forked from this one, exactly as
 * `conclab run --sched MODE --seed N` would run it, with its trace in a
 * directory of its own; up to --jobs children run at once.  Schedule i
 * (from 0) runs with seed --seed + i, under PCT when i is even and a
 * random walk when it is odd (--strategy mixed), so that the results do
 * not depend on how the children were timed: the failure reported is
 * always the one with the lowest index.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <conclab/runtime.h>
#include <conclab/trace.h>

#include "cmd.h"
#include "lab.h"

enum strategy { ST_MIXED, ST_PCT, ST_RANDOM };

struct explore {
	struct clab_lab_ctx ctx;
	const char *variant;
	struct clab_cmd_sched sched; /* its options; the mode is set per run */
	enum strategy strategy;
	long schedules;
	long limit_s;
	uint64_t seed;
	long jobs;
	long shard, nshards; /* shard K of N, K from 1 */
	int all, json, quiet, progress;
	const char *trace;
	char dir[64]; /* the children's traces */
	/* results */
	long ran, failed, by_code[6];
	long first;	/* index of the first failure, or -1 */
	int first_code; /* its exit code */
	double secs;
};

/* The exit codes of a run, as categories. */
static const char *code_name(int code)
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

static enum clab_sched_mode mode_of(const struct explore *e, long i)
{
	if (e->strategy == ST_PCT)
		return CLAB_SCHED_PCT;
	if (e->strategy == ST_RANDOM)
		return CLAB_SCHED_RANDOM;
	return i % 2 == 0 ? CLAB_SCHED_PCT : CLAB_SCHED_RANDOM;
}

static void trace_path(const struct explore *e, long i, char *buf, size_t len)
{
	snprintf(buf, len, "%s/s%ld.clt", e->dir, i);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Start one run in a child: schedule i, or (replay not NULL) that
 * schedule with seed.  out: where its output goes (NULL: nowhere).
 */
static pid_t start(struct explore *e, long i, const char *replay, uint64_t seed,
		   const char *trace, const char *out)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	int fd = open(out ? out : "/dev/null",
		      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	struct clab_cmd_sched s = e->sched;
	s.replay = NULL;
	if (replay) {
		s.o.mode = CLAB_SCHED_REPLAY;
		s.o.replay = replay;
		s.o.seed = seed;
	} else {
		s.o.mode = mode_of(e, i);
		s.o.seed = e->seed + (uint64_t)i;
		s.o.replay = NULL;
	}
	struct clab_lab_ctx ctx = e->ctx;
	ctx.seed = s.o.seed;
	ctx.out = NULL;
	_exit(clab_run_lab(&ctx, trace, &s, 1));
}

static int wait_code(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 5;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The schedule string a trace recorded (malloc'd), or NULL. */
static char *schedule_of(const char *trace)
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
static int rerun(struct explore *e, const char *replay, uint64_t seed,
		 const char *trace, const char *out)
{
	pid_t pid = start(e, 0, replay, seed, trace, out);
	return pid < 0 ? 5 : wait_code(pid);
}

static void progress(const struct explore *e, uint64_t t0)
{
	double s = (double)(now_ns() - t0) / 1e9;
	fprintf(stderr, "\r  %ld/%ld schedules, %ld failed, %.0f/s ", e->ran,
		e->schedules, e->failed, s > 0 ? (double)e->ran / s : 0.0);
}

/*
 * Run the budget.  Children are started in index order, up to jobs at
 * once; after a failure no new one starts (unless --all), and the first
 * failure is the lowest index among those that ran.
 */
static void run_budget(struct explore *e)
{
	struct slot {
		pid_t pid;
		long i;
	} *sl = calloc((size_t)e->jobs, sizeof(*sl));
	long next = 0, running = 0;
	uint64_t t0 = now_ns(), last = t0;
	e->first = -1;
	if (!sl)
		return;
	for (;;) {
		int stop_new =
		    (e->first >= 0 && !e->all) ||
		    (e->limit_s &&
		     now_ns() - t0 >= (uint64_t)e->limit_s * 1000000000u);
		while (!stop_new && running < e->jobs && next < e->schedules) {
			long i = next++;
			if (e->nshards > 1 && i % e->nshards != e->shard - 1)
				continue;
			char tp[128];
			trace_path(e, i, tp, sizeof(tp));
			pid_t pid = start(e, i, NULL, 0, tp, NULL);
			if (pid < 0)
				break;
			for (long k = 0; k < e->jobs; k++)
				if (!sl[k].pid) {
					sl[k] = (struct slot){pid, i};
					break;
				}
			running++;
		}
		if (running == 0)
			break;
		int st;
		pid_t pid = wait(&st);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (long k = 0; k < e->jobs; k++) {
			if (sl[k].pid != pid)
				continue;
			int code = WIFEXITED(st) ? WEXITSTATUS(st)
						 : 128 + WTERMSIG(st);
			long i = sl[k].i;
			sl[k].pid = 0;
			running--;
			e->ran++;
			e->by_code[code_slot(code)]++;
			char tp[128];
			trace_path(e, i, tp, sizeof(tp));
			if (code != 0) {
				e->failed++;
				if (e->first < 0 || i < e->first) {
					if (e->first >= 0) {
						char old[128];
						trace_path(e, e->first, old,
							   sizeof(old));
						unlink(old);
					}
					e->first = i;
					e->first_code = code;
					break; /* keep its trace */
				}
			}
			unlink(tp);
			break;
		}
		if (e->progress && now_ns() - last > 200000000u) {
			progress(e, t0);
			last = now_ns();
		}
	}
	if (e->progress)
		progress(e, t0), fprintf(stderr, "\n");
	e->secs = (double)(now_ns() - t0) / 1e9;
	free(sl);
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
static char *shrink(struct explore *e, char *str, uint64_t seed, int code,
		    long *tries)
{
	uint32_t *p;
	size_t n;
	unsigned spur;
	char tp[128];
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
	 rerun(e, buf, seed, tp, NULL) == code)
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
	if (rerun(e, buf, seed, tp, NULL) == code) {
		char *rec = schedule_of(tp);
		if (rec) {
			free(str);
			out = rec;
		}
	}
	unlink(tp);
	free(buf);
	free(p);
	return out;
}

/* The run's lines that say what failed, from its output. */
static void print_failure(const char *outfile)
{
	FILE *f = fopen(outfile, "r");
	char line[1024];
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "  FAIL ", 7) == 0 ||
		    strncmp(line, "conclab: deadlock", 17) == 0 ||
		    strncmp(line, "conclab: stopped", 16) == 0 ||
		    strncmp(line, "conclab: the program crashed", 28) == 0)
			fputs(line, stdout);
	}
	fclose(f);
}

static void print_json(const struct explore *e, const char *schedule,
		       uint64_t seed, const char *mode)
{
	printf("{\"lab\":\"%s\",\"variant\":\"%s\",\"schedules\":%ld,"
	       "\"ran\":%ld,\"failed\":%ld,\"passed\":%ld,\"deadlocks\":%ld,"
	       "\"check_failures\":%ld,\"livelocks\":%ld,\"crashes\":%ld,"
	       "\"seconds\":%.3f,\"seed\":%" PRIu64 ",\"shard\":\"%ld/%ld\"",
	       e->ctx.lab->name, e->variant, e->schedules, e->ran, e->failed,
	       e->by_code[0], e->by_code[3], e->by_code[1], e->by_code[4],
	       e->by_code[5], e->secs, e->seed, e->shard, e->nshards);
	if (e->first >= 0)
		printf(",\"first_failure\":{\"index\":%ld,\"mode\":\"%s\","
		       "\"seed\":%" PRIu64 ",\"exit\":%d,\"what\":\"%s\","
		       "\"schedule\":\"%s\"}",
		       e->first, mode, seed, e->first_code,
		       code_name(e->first_code), schedule ? schedule : "");
	printf("}\n");
}

static int parse_shard(const char *v, long *k, long *n)
{
	char *end;
	*k = strtol(v, &end, 10);
	if (end == v || *end != '/')
		return -1;
	const char *v2 = end + 1;
	*n = strtol(v2, &end, 10);
	return end == v2 || *end || *n < 1 || *k < 1 || *k > *n ? -1 : 0;
}

static int explore_exec(int argc, char **argv)
{
	struct explore e = {
	    .schedules = 10000, .seed = 1, .shard = 1, .nshards = 1};
	struct clab_lab_args la = {0};
	int help = 0, rc = 0, vi = 0;
	long v;
	char default_trace[256];
	clab_cmd_sched_init(&e.sched);
	e.jobs = sysconf(_SC_NPROCESSORS_ONLN);
	if (e.jobs < 1)
		e.jobs = 1;

	for (int i = 1; i < argc && !rc; i++) {
		const char *a = argv[i];
		if (clab_cmd_is_help(a)) {
			help = 1;
		} else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			e.quiet = 1;
		} else if (strcmp(a, "--all") == 0) {
			e.all = 1;
		} else if (strcmp(a, "--json") == 0) {
			e.json = 1;
		} else if (clab_cmd_sched_flag(&e.sched, a)) {
			;
		} else if (strncmp(a, "--", 2) == 0 && a[2]) {
			char key[64];
			const char *val;
			rc = clab_cmd_keyval(&clab_cmd_explore, argc, argv, &i,
					     key, sizeof(key), &val);
			if (rc)
				break;
			if (strcmp(key, "sched") == 0 ||
			    strcmp(key, "replay") == 0) {
				rc = clab_cmd_misuse(
				    &clab_cmd_explore,
				    "explore picks the schedules itself; "
				    "use --strategy (and 'conclab run "
				    "--replay' to replay one)");
				break;
			}
			int so = clab_cmd_sched_opt(&clab_cmd_explore, &e.sched,
						    key, val);
			if (so < 0) {
				rc = -so;
			} else if (so > 0) {
				;
			} else if (strcmp(key, "strategy") == 0) {
				if (strcmp(val, "mixed") == 0)
					e.strategy = ST_MIXED;
				else if (strcmp(val, "pct") == 0)
					e.strategy = ST_PCT;
				else if (strcmp(val, "random") == 0)
					e.strategy = ST_RANDOM;
				else
					rc = clab_cmd_misuse(
					    &clab_cmd_explore,
					    "--strategy wants mixed, pct or "
					    "random, not '%s'",
					    val);
			} else if (strcmp(key, "schedules") == 0) {
				if (clab_cmd_parse_long(val, &e.schedules) ||
				    e.schedules < 1 || e.schedules > 100000000L)
					rc = clab_cmd_misuse(
					    &clab_cmd_explore,
					    "--schedules wants 1..100000000, "
					    "not '%s'",
					    val);
			} else if (strcmp(key, "time-limit") == 0) {
				if (clab_cmd_parse_long(val, &e.limit_s) ||
				    e.limit_s < 0 || e.limit_s > 604800)
					rc = clab_cmd_misuse(
					    &clab_cmd_explore,
					    "--time-limit wants seconds "
					    "(0..604800), not '%s'",
					    val);
			} else if (strcmp(key, "seed") == 0) {
				if (clab_cmd_parse_long(val, &v) || v < 0)
					rc = clab_cmd_misuse(
					    &clab_cmd_explore,
					    "--seed wants a number >= 0, not "
					    "'%s'",
					    val);
				e.seed = (uint64_t)v;
			} else if (strcmp(key, "jobs") == 0) {
				if (clab_cmd_parse_long(val, &e.jobs) ||
				    e.jobs < 1 || e.jobs > 256)
					rc = clab_cmd_misuse(
					    &clab_cmd_explore,
					    "--jobs wants 1..256, not '%s'",
					    val);
			} else if (strcmp(key, "shard") == 0) {
				if (parse_shard(val, &e.shard, &e.nshards))
					rc = clab_cmd_misuse(
					    &clab_cmd_explore,
					    "--shard wants K/N with 1 <= K <= "
					    "N, not '%s'",
					    val);
			} else if (strcmp(key, "trace") == 0) {
				e.trace = val;
			} else {
				rc = clab_lab_args_opt(&clab_cmd_explore, &la,
						       key, val);
			}
		} else if (a[0] == '-' && a[1]) {
			rc = clab_cmd_misuse(&clab_cmd_explore,
					     "unknown option '%s'", a);
		} else if (!la.lab) {
			la.lab = a;
		} else {
			rc = clab_cmd_misuse(&clab_cmd_explore,
					     "unexpected argument '%s'", a);
		}
	}
	if (rc)
		goto out;
	if (help) {
		clab_cmd_usage(&clab_cmd_explore, stdout);
		goto out;
	}
	if (!la.lab) {
		rc = clab_cmd_misuse(&clab_cmd_explore,
				     "which lab? (see 'conclab list')");
		goto out;
	}
	rc = clab_lab_args_resolve(&clab_cmd_explore, &la, &e.ctx, &vi);
	if (rc)
		goto out;
	e.variant = e.ctx.lab->variants[vi].name;
	if (!e.trace) {
		snprintf(default_trace, sizeof(default_trace),
			 "%s-%s-explore.clt", e.ctx.lab->name, e.variant);
		e.trace = default_trace;
	}
	snprintf(e.dir, sizeof(e.dir), "/tmp/conclab-explore-XXXXXX");
	if (!mkdtemp(e.dir)) {
		fprintf(stderr,
			"conclab explore: cannot make a directory in "
			"/tmp: %s\n",
			strerror(errno));
		rc = CLAB_EXIT_IO;
		goto out;
	}
	e.progress = !e.quiet && !e.json && isatty(2);
	if (!e.quiet && !e.json)
		printf("conclab: explore %s --variant %s: up to %ld schedules "
		       "(%s), seeds %" PRIu64 "..., %ld at once\n",
		       e.ctx.lab->name, e.variant, e.schedules,
		       e.strategy == ST_PCT ? "pct"
		       : e.strategy == ST_RANDOM
			   ? "random walk"
			   : "pct and random walk by turns",
		       e.seed, e.jobs);
	fflush(stdout);
	run_budget(&e);

	char *schedule = NULL;
	uint64_t fseed = e.seed + (uint64_t)e.first;
	const char *mode =
	    e.first >= 0 ? clab_sched_mode_name(mode_of(&e, e.first)) : "";
	long tries = 0;
	size_t steps0 = 0, pre0 = 0;
	if (e.first >= 0) {
		char tp[128];
		trace_path(&e, e.first, tp, sizeof(tp));
		schedule = schedule_of(tp);
		unlink(tp);
		uint32_t *p;
		unsigned spur;
		if (schedule &&
		    clab_sched_parse(schedule, &p, &steps0, &spur) == 0) {
			pre0 = nonzero(p, steps0);
			free(p);
		}
		if (schedule)
			schedule =
			    shrink(&e, schedule, fseed, e.first_code, &tries);
	}
	if (e.json) {
		print_json(&e, schedule, fseed, mode);
	} else if (!e.quiet) {
		printf("\n%ld schedule(s) in %.1f s (%.0f a second): %ld "
		       "passed, %ld failed\n",
		       e.ran, e.secs, e.secs > 0 ? (double)e.ran / e.secs : 0.0,
		       e.by_code[0], e.failed);
	}
	if (e.first >= 0 && schedule) {
		char out[128];
		snprintf(out, sizeof(out), "%s/out.txt", e.dir);
		int code = rerun(&e, schedule, fseed, e.trace, out);
		uint32_t *p;
		size_t n = 0;
		unsigned spur;
		size_t pre = 0;
		if (clab_sched_parse(schedule, &p, &n, &spur) == 0) {
			pre = nonzero(p, n);
			free(p);
		}
		if (!e.json) {
			printf("\nFAIL: schedule %ld (%s, seed %" PRIu64
			       "): %s\n",
			       e.first, mode, fseed, code_name(code));
			print_failure(out);
			printf("  schedule: %s\n  (%zu choices, %zu of them "
			       "switches; before shrinking %zu and %zu, %ld "
			       "tries)\n",
			       schedule, n, pre, steps0, pre0, tries);
			printf("  replay:   conclab run %s --variant %s "
			       "--seed %" PRIu64 " --replay %s\n",
			       e.ctx.lab->name, e.variant, fseed, e.trace);
			printf("  trace:    %s (conclab replay %s)\n", e.trace,
			       e.trace);
		}
		unlink(out);
		rc = e.first_code == CLAB_EXIT_CHECK	  ? CLAB_EXIT_CHECK
		     : e.first_code == CLAB_EXIT_DEADLOCK ? CLAB_EXIT_DEADLOCK
		     : e.first_code == CLAB_EXIT_TIMEOUT  ? CLAB_EXIT_TIMEOUT
							  : CLAB_EXIT_CHECK;
	} else if (e.first >= 0) {
		rc = CLAB_EXIT_CHECK;
	} else if (!e.json && !e.quiet) {
		printf("every schedule passed\n");
	}
	free(schedule);
	rmdir(e.dir);
out:
	clab_lab_args_fini(&la);
	clab_cmd_sched_fini(&e.sched);
	return rc;
}

const struct clab_cmd clab_cmd_explore = {
    .name = "explore",
    .args = "LAB [--variant V] [--PARAM VALUE]... [OPTIONS]",
    .summary = "run a lab under many schedules and find one that fails",
    .help =
	"Runs a lab variant under the controlled scheduler again and again,\n"
	"each time with another schedule, until one fails a check, deadlocks\n"
	"or livelocks.  That schedule is shrunk (fewer steps, fewer thread\n"
	"switches, as long as it fails the same way), saved with its trace,\n"
	"and printed with the command that replays it.\n\n"
	"Schedule i (from 0) runs with seed --seed + i: PCT (probabilistic\n"
	"concurrency testing) when i is even, a random walk when it is odd,\n"
	"unless --strategy says otherwise.  The results depend only on the\n"
	"options, not on the machine's timing.\n\n"
	"Options:\n"
	"  --variant V        the variant (default: the first)\n"
	"  --PARAM VALUE      a lab parameter ('conclab run LAB --help')\n"
	"  --strategy S       mixed (default), pct or random\n"
	"  --schedules N      at most N schedules (10000)\n"
	"  --time-limit SEC   stop starting schedules after SEC seconds\n"
	"                     (0, the default: no limit)\n"
	"  --seed N           the first schedule's seed (1)\n"
	"  --jobs N           schedules run at once (the processors)\n"
	"  --all              go on after a failure, and count them all\n"
	"  --shard K/N        run only schedules i with i mod N = K-1: N\n"
	"                     machines share one budget (same --seed)\n"
	"  --trace FILE       the failing run's trace\n"
	"                     (LAB-VARIANT-explore.clt)\n"
	"  --json             the results as one JSON object\n"
	"  --pct-depth D      pct: the bug depth it aims at (3)\n"
	"  --step-limit N     a run of more steps is a livelock (100000)\n"
	"  --spurious N       spurious wakeups one condition wait may get\n"
	"                     (1); --no-spurious for none\n"
	"  -q, --quiet        print nothing; the exit code says it\n\n"
	"Exit codes: 0 every schedule passed; 1 a check failed; 2 usage\n"
	"error; 3 a deadlock; 4 a livelock; 5 a file could not be written.\n",
    .exec = explore_exec,
};
