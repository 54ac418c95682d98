/*
 * conclab explore: run a lab under many controlled schedules (a budget,
 * schedules.c), stop at the first that fails a check, deadlocks or
 * livelocks, shrink it, and say how to replay it.  Each schedule runs the
 * lab exactly as `conclab run --sched MODE --seed N` would.
 */
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <conclab/runtime.h>
#include <conclab/trace.h>

#include "cmd.h"
#include "lab.h"
#include "schedules.h"

#define PROCS_MAX 256 /* --procs: at most so many processes at once */

struct explore {
	struct clab_lab_ctx ctx;
	const char *variant;
	struct clab_cmd_sched sched; /* its options; the mode is per run */
	int json, quiet, no_por;
	const char *trace;
	struct clab_budget b;
};

/* A schedule in the child: the lab, as `conclab run` runs it. */
static int run_one(void *arg, const struct clab_sched_opts *o,
		   const char *trace)
{
	const struct explore *e = arg;
	struct clab_cmd_sched s = e->sched;
	s.o = *o;
	s.replay = NULL;
	struct clab_lab_ctx ctx = e->ctx;
	ctx.seed = o->seed;
	ctx.out = NULL;
	return clab_run_lab(&ctx, trace, &s, 1);
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
		       uint64_t seed, const char *mode, struct clab_shape now,
		       struct clab_shape before)
{
	printf("{\"lab\":\"%s\",\"variant\":\"%s\",\"schedules\":%ld,"
	       "\"ran\":%ld,\"failed\":%ld,\"passed\":%ld,\"deadlocks\":%ld,"
	       "\"check_failures\":%ld,\"livelocks\":%ld,\"crashes\":%ld,"
	       "\"seconds\":%.3f,\"seed\":%" PRIu64 ",\"shard\":\"%ld/%ld\"",
	       e->ctx.lab->name, e->variant, e->b.schedules, e->b.ran,
	       e->b.failed, e->b.by_code[0], e->b.by_code[3], e->b.by_code[1],
	       e->b.by_code[4], e->b.by_code[5], e->b.secs, e->b.seed,
	       e->b.shard, e->b.nshards);
	if (e->b.strategy == CLAB_BUDGET_BOUNDED)
		printf(",\"bound\":%u,\"exhausted\":%s,\"por\":%s,"
		       "\"left_out\":%ld",
		       e->b.bound, e->b.exhausted ? "true" : "false",
		       e->b.por ? "true" : "false", e->b.pruned);
	if (e->b.first >= 0)
		printf(",\"first_failure\":{\"index\":%ld,\"mode\":\"%s\","
		       "\"seed\":%" PRIu64 ",\"exit\":%d,\"what\":\"%s\","
		       "\"schedule\":\"%s\",\"choices\":%zu,\"switches\":%zu,"
		       "\"choices_before_shrinking\":%zu,"
		       "\"switches_before_shrinking\":%zu}",
		       e->b.first, mode, seed, e->b.first_code,
		       clab_budget_what(e->b.first_code),
		       schedule ? schedule : "", now.choices, now.switches,
		       before.choices, before.switches);
	printf("}\n");
}

/* ---- --merge: the JSON results of shards, as one ---- */

/* The number after "key": in a line of print_json's, or -1. */
static double json_number(const char *line, const char *key)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	const char *p = strstr(line, pat);
	return p ? strtod(p + strlen(pat), NULL) : -1;
}

/* The string after "key": (at most len - 1 bytes), or "". */
static void json_string(const char *line, const char *key, char *buf,
			size_t len)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	const char *p = strstr(line, pat);
	size_t n = 0;
	if (p)
		for (p += strlen(pat); *p && *p != '"' && n + 1 < len; p++)
			buf[n++] = *p;
	buf[n] = 0;
}

static int merge(int nfiles, char **files)
{
	static const char *const sums[] = {
	    "ran",	 "failed",  "passed", "deadlocks", "check_failures",
	    "livelocks", "crashes", NULL};
	double total[8] = {0}, secs = 0, schedules = -1, seed = -1;
	char lab[64] = "", variant[64] = "", *best = NULL;
	double best_index = -1;
	int rc = CLAB_EXIT_OK;
	for (int i = 0; i < nfiles && rc == CLAB_EXIT_OK; i++) {
		FILE *f = fopen(files[i], "r");
		char *line = NULL;
		size_t cap = 0;
		if (!f || getline(&line, &cap, f) < 0 ||
		    json_number(line, "ran") < 0) {
			fprintf(stderr,
				"conclab explore --merge: %s is not the "
				"result of 'conclab explore --json'\n",
				files[i]);
			rc = CLAB_EXIT_USAGE;
		} else {
			char l[64], v[64];
			json_string(line, "lab", l, sizeof(l));
			json_string(line, "variant", v, sizeof(v));
			double n = json_number(line, "schedules"),
			       sd = json_number(line, "seed");
			if (i == 0) {
				snprintf(lab, sizeof(lab), "%s", l);
				snprintf(variant, sizeof(variant), "%s", v);
				schedules = n;
				seed = sd;
			} else if (strcmp(l, lab) || strcmp(v, variant) ||
				   n != schedules || sd != seed) {
				fprintf(stderr,
					"conclab explore --merge: %s explored "
					"%s --variant %s (%.0f schedules, seed "
					"%.0f), not what %s did\n",
					files[i], l, v, n, sd, files[0]);
				rc = CLAB_EXIT_USAGE;
			}
			for (int k = 0; sums[k]; k++)
				total[k] += json_number(line, sums[k]);
			double s2 = json_number(line, "seconds");
			secs = s2 > secs ? s2 : secs;
			const char *ff = strstr(line, "\"first_failure\":");
			double idx = ff ? json_number(ff, "index") : -1;
			if (ff && (best_index < 0 || idx < best_index)) {
				free(best);
				best = strndup(ff, strcspn(ff, "}") + 1);
				best_index = idx;
			}
		}
		free(line);
		if (f)
			fclose(f);
	}
	if (rc == CLAB_EXIT_OK) {
		printf("{\"lab\":\"%s\",\"variant\":\"%s\","
		       "\"schedules\":%.0f",
		       lab, variant, schedules);
		for (int k = 0; sums[k]; k++)
			printf(",\"%s\":%.0f", sums[k], total[k]);
		printf(",\"seconds\":%.3f,\"seed\":%.0f,\"shard\":\"merged "
		       "%d\"%s%s}\n",
		       secs, seed, nfiles, best ? "," : "", best ? best : "");
		if (best) {
			int code = (int)json_number(best, "exit");
			rc = code == CLAB_EXIT_DEADLOCK	 ? CLAB_EXIT_DEADLOCK
			     : code == CLAB_EXIT_TIMEOUT ? CLAB_EXIT_TIMEOUT
							 : CLAB_EXIT_CHECK;
		}
	}
	free(best);
	return rc;
}

static int set_shard(const struct clab_cmd *cmd, void *base, const char *v,
		     long num)
{
	struct clab_budget *b = &((struct explore *)base)->b;
	char *end;
	long k, n;
	(void)cmd;
	(void)num;
	k = strtol(v, &end, 10);
	if (end == v || *end != '/')
		return -1;
	const char *v2 = end + 1;
	n = strtol(v2, &end, 10);
	if (end == v2 || *end || n < 1 || k < 1 || k > n)
		return -1;
	b->shard = k;
	b->nshards = n;
	return 0;
}

static int set_bound(const struct clab_cmd *cmd, void *base, const char *v,
		     long num)
{
	(void)cmd;
	(void)v;
	((struct explore *)base)->b.bound = (unsigned)num;
	return 0;
}

static int set_seed(const struct clab_cmd *cmd, void *base, const char *v,
		    long num)
{
	(void)cmd;
	(void)v;
	((struct explore *)base)->b.seed = (uint64_t)num;
	return 0;
}

static const char *const strategies[] = {
    [CLAB_BUDGET_MIXED] = "mixed",
    [CLAB_BUDGET_PCT] = "pct",
    [CLAB_BUDGET_RANDOM] = "random",
    [CLAB_BUDGET_BOUNDED] = "bounded",
    NULL,
};

/* The options that go to struct explore (base 0). */
static const struct clab_opt explore_opts[] = {
    {.name = "all",
     .type = CLAB_OPT_FLAG,
     .off = offsetof(struct explore, b.all),
     .help = "go on after a failure, and count them all"},
    {.name = "json",
     .type = CLAB_OPT_FLAG,
     .off = offsetof(struct explore, json),
     .help = "the results as one JSON object"},
    {.name = "no-por",
     .type = CLAB_OPT_FLAG,
     .off = offsetof(struct explore, no_por),
     .help = "bounded: run every schedule, also those that only reorder "
	     "independent steps of one run (partial-order reduction with "
	     "sleep sets is on by default)"},
    {.name = "quiet",
     .abbrev = 'q',
     .type = CLAB_OPT_FLAG,
     .off = offsetof(struct explore, quiet),
     .help = "print nothing; the exit code says it"},
    {.name = "trace",
     .type = CLAB_OPT_STRING,
     .arg = "FILE",
     .off = offsetof(struct explore, trace),
     .def = "LAB-VARIANT-explore.clt",
     .help = "the failing run's trace"},
    {.name = "strategy",
     .type = CLAB_OPT_CHOICE,
     .arg = "S",
     .off = offsetof(struct explore, b.strategy),
     .choices = strategies,
     .def = "mixed",
     .help = "mixed, pct, random, or bounded: every schedule of at most "
	     "--bound choices other than the default, in turn"},
    {.name = "bound",
     .type = CLAB_OPT_LONG,
     .arg = "K",
     .max = 16,
     .parse = set_bound,
     .def = "2",
     .help = "bounded: that many deviations at most"},
    {.name = "schedules",
     .type = CLAB_OPT_LONG,
     .arg = "N",
     .off = offsetof(struct explore, b.schedules),
     .min = 1,
     .max = 100000000L,
     .def = "10000",
     .help = "at most N schedules"},
    {.name = "time-limit",
     .type = CLAB_OPT_LONG,
     .arg = "SEC",
     .off = offsetof(struct explore, b.limit_s),
     .max = 604800,
     .want = "seconds (0..604800)",
     .def = "0: no limit",
     .help = "stop starting schedules after SEC seconds"},
    {.name = "seed",
     .type = CLAB_OPT_LONG,
     .arg = "N",
     .max = LONG_MAX,
     .parse = set_seed,
     .def = "1",
     .help = "the first schedule's seed"},
    {.name = "procs",
     .type = CLAB_OPT_LONG,
     .arg = "N",
     .off = offsetof(struct explore, b.jobs),
     .min = 1,
     .max = PROCS_MAX,
     .def = "the processors",
     .help = "schedules run at once, each in a process (--jobs for a lab "
	     "without a parameter jobs)"},
    {.name = "batch",
     .type = CLAB_OPT_LONG,
     .arg = "N",
     .off = offsetof(struct explore, b.batch),
     .min = 1,
     .max = 4096,
     .def = "32",
     .help = "schedules one child process runs in turn (1: a fresh process "
	     "for each)"},
    {.name = "shard",
     .type = CLAB_OPT_STRING,
     .arg = "K/N",
     .parse = set_shard,
     .want = "K/N with 1 <= K <= N",
     .help = "run only schedules i with i mod N = K-1: N machines share "
	     "one budget (same --seed)"},
    {.name = "merge",
     .type = CLAB_OPT_REST,
     .arg = "FILE...",
     .help = "(alone) the --json results of the shards as one, with the "
	     "first failure of them all"},
    {.name = "sched",
     .type = CLAB_OPT_REFUSED,
     .help = "explore picks the schedules itself; use --strategy (and "
	     "'conclab run --replay' to replay one)"},
    {.name = "replay",
     .type = CLAB_OPT_REFUSED,
     .help = "explore picks the schedules itself; use --strategy (and "
	     "'conclab run --replay' to replay one)"},
    CLAB_OPT_TABLE_END,
};

/*
 * --jobs: the lab's parameter when the lab has one (pool's tasks); for a
 * lab without, --procs under the name it had before.  0, or a usage
 * error's exit code.
 */
static int jobs_as_procs(struct explore *e, struct clab_lab_args *la)
{
	const struct clab_lab *lab = clab_lab_find(la->lab);
	if (!lab || clab_lab_param_find(lab, "jobs") >= 0)
		return 0;
	for (size_t i = 0; i < la->nparams; i++) {
		long v;
		if (!clab_lab_same_name(la->params[i].name, "jobs"))
			continue;
		if (e->b.jobs)
			return clab_cmd_misuse(&clab_cmd_explore,
					       "--jobs is --procs for %s (it "
					       "has no parameter jobs): give "
					       "it once",
					       lab->name);
		if (clab_cmd_parse_long(la->params[i].value, &v) || v < 1 ||
		    v > PROCS_MAX)
			return clab_cmd_misuse(
			    &clab_cmd_explore,
			    "--jobs (--procs) wants a number "
			    "in 1..%d, not '%s'",
			    PROCS_MAX, la->params[i].value);
		e->b.jobs = v;
		free(la->params[i].name);
		la->params[i--] = la->params[--la->nparams];
	}
	return 0;
}

static int explore_exec(int argc, char **argv)
{
	struct explore e = {.b = {.run = run_one,
				  .bound = 2,
				  .schedules = 10000,
				  .seed = 1,
				  .shard = 1,
				  .nshards = 1}};
	struct clab_lab_args la = {0};
	struct clab_opts_rest r = {.lab = &la};
	int rc = 0, vi = 0;
	char default_trace[256];
	clab_cmd_sched_init(&e.sched);
	void *const bases[] = {&e, &e.sched, &la};

	rc = clab_opts_parse(&clab_cmd_explore, argc, argv, bases, &r);
	if (rc)
		goto out;
	if (r.help) /* printed */
		goto out;
	if (r.rest) {
		clab_lab_args_fini(&la);
		clab_cmd_sched_fini(&e.sched);
		if (r.rest >= argc)
			return clab_cmd_misuse(&clab_cmd_explore,
					       "--merge wants the JSON files "
					       "of the shards");
		return merge(argc - r.rest, argv + r.rest);
	}
	if (la.lab && (rc = jobs_as_procs(&e, &la)) != 0)
		goto out;
	if (e.b.jobs == 0)
		e.b.jobs = sysconf(_SC_NPROCESSORS_ONLN);
	if (e.b.jobs < 1)
		e.b.jobs = 1;
	if (e.no_por && e.b.strategy != CLAB_BUDGET_BOUNDED) {
		rc = clab_cmd_misuse(&clab_cmd_explore,
				     "--no-por is an option of --strategy "
				     "bounded");
		goto out;
	}
	e.b.por = e.b.strategy == CLAB_BUDGET_BOUNDED && !e.no_por;
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
	e.b.arg = &e;
	int err = clab_budget_init(&e.b);
	if (err) {
		fprintf(stderr,
			"conclab explore: cannot make a temporary "
			"directory: %s\n",
			strerror(-err));
		rc = CLAB_EXIT_IO;
		goto out;
	}
	e.b.progress = !e.quiet && !e.json && isatty(2);
	if (!e.quiet && !e.json && e.b.strategy == CLAB_BUDGET_BOUNDED)
		printf("conclab: explore %s --variant %s: every schedule of at "
		       "most %u deviations from the default%s, up to %ld, "
		       "seed %" PRIu64 ", %ld at once\n",
		       e.ctx.lab->name, e.variant, e.b.bound,
		       e.b.por ? " but those equivalent to one run" : "",
		       e.b.schedules, e.b.seed, e.b.jobs);
	else if (!e.quiet && !e.json)
		printf("conclab: explore %s --variant %s: up to %ld schedules "
		       "(%s), seeds %" PRIu64 "..., %ld at once\n",
		       e.ctx.lab->name, e.variant, e.b.schedules,
		       e.b.strategy == CLAB_BUDGET_PCT ? "pct"
		       : e.b.strategy == CLAB_BUDGET_RANDOM
			   ? "random walk"
			   : "pct and random walk by turns",
		       e.b.seed, e.b.jobs);
	fflush(stdout);
	e.b.opts = e.sched.o;
	clab_budget_run(&e.b);

	char *schedule = NULL;
	uint64_t fseed = clab_budget_seed(&e.b, e.b.first);
	const char *mode =
	    e.b.first >= 0 ? clab_budget_mode_name(&e.b, e.b.first) : "";
	long tries = 0;
	struct clab_shape before = {0, 0}, now = {0, 0};
	if (e.b.first >= 0) {
		schedule = clab_budget_first_schedule(&e.b);
		before = clab_budget_shape(schedule);
		if (schedule)
			schedule = clab_budget_shrink(&e.b, schedule, fseed,
						      e.b.first_code, &tries);
		now = clab_budget_shape(schedule);
	}
	if (e.json) {
		print_json(&e, schedule, fseed, mode, now, before);
	} else if (!e.quiet) {
		printf("\n%ld schedule(s) in %.1f s (%.0f a second): %ld "
		       "passed, %ld failed\n",
		       e.b.ran, e.b.secs,
		       e.b.secs > 0 ? (double)e.b.ran / e.b.secs : 0.0,
		       e.b.by_code[0], e.b.failed);
		if (e.b.por)
			printf("%ld schedule(s) left out: each runs the "
			       "steps of one run, in another order of "
			       "independent steps (--no-por runs them)\n",
			       e.b.pruned);
		if (e.b.strategy == CLAB_BUDGET_BOUNDED && e.b.first < 0)
			printf("%s\n",
			       e.b.exhausted
				   ? "that is every schedule within the bound"
				   : "not every schedule within the bound "
				     "(raise --schedules)");
	}
	if (e.b.first >= 0 && schedule) {
		char out[CLAB_BUDGET_PATH];
		snprintf(out, sizeof(out), "%s/out.txt", e.b.dir);
		int code =
		    clab_budget_rerun(&e.b, schedule, fseed, e.trace, out);
		if (!e.json) {
			printf("\nFAIL: schedule %ld (%s, seed %" PRIu64
			       "): %s\n",
			       e.b.first, mode, fseed,
			       clab_budget_what(e.b.first_code));
			/* a run the schedule does not decide (processes of
			 * a sanitizer build run free) may not fail again */
			if (code != e.b.first_code)
				printf("  its replay: %s (the failure did not "
				       "come back: it depends on more than the "
				       "schedule)\n",
				       clab_budget_what(code));
			print_failure(out);
			printf("  schedule: %s\n  (%zu choices, %zu of them "
			       "switches; before shrinking %zu and %zu, %ld "
			       "tries)\n",
			       schedule, now.choices, now.switches,
			       before.choices, before.switches, tries);
			printf("  replay:   conclab run %s --variant %s",
			       e.ctx.lab->name, e.variant);
			clab_lab_args_print(stdout, &e.ctx);
			clab_cmd_sched_print(stdout, &e.sched);
			printf(" --seed %" PRIu64 " --replay %s\n", fseed,
			       e.trace);
			printf("  trace:    %s (conclab replay %s)\n", e.trace,
			       e.trace);
		}
		unlink(out);
		rc = e.b.first_code == CLAB_EXIT_CHECK	    ? CLAB_EXIT_CHECK
		     : e.b.first_code == CLAB_EXIT_DEADLOCK ? CLAB_EXIT_DEADLOCK
		     : e.b.first_code == CLAB_EXIT_TIMEOUT  ? CLAB_EXIT_TIMEOUT
							    : CLAB_EXIT_CHECK;
	} else if (e.b.first >= 0) {
		rc = CLAB_EXIT_CHECK;
	} else if (!e.json && !e.quiet) {
		printf("every schedule passed\n");
	}
	free(schedule);
	clab_budget_fini(&e.b);
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
	"The children's traces go to a directory under $TMPDIR, else\n"
	"/dev/shm, else /tmp.  Ctrl-C, SIGTERM or SIGHUP stops the search:\n"
	"the children are killed, that directory removed, nothing kept, and\n"
	"the exit code is 128+N (130 for Ctrl-C).\n\n"
	"Each --PARAM VALUE sets a lab parameter ('conclab run LAB --help').\n",
    .groups = (const struct clab_opt_group[]){{clab_cmd_lab_opts, 2},
					      {explore_opts, 0},
					      {clab_cmd_sched_pct_opts, 1},
					      {clab_cmd_sched_opts, 1},
					      {NULL, 0}},
    .more =
	"The lab's parameters are options too (--philosophers 3); --jobs is\n"
	"the lab's when it has one (pool's tasks), else --procs by its older\n"
	"name.  --procs is explore's own: a lab parameter procs (processes')\n"
	"is set with --param procs=N.\n"
	"Exit codes: 0 every schedule passed; 1 a check failed; 2 usage\n"
	"error; 3 a deadlock; 4 a livelock; 5 a file could not be written.\n",
    .exec = explore_exec,
};
