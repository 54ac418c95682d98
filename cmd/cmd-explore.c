/*
 * conclab explore: run a lab under many controlled schedules (a budget,
 * schedules.c), stop at the first that fails a check, deadlocks or
 * livelocks, shrink it, and say how to replay it.  Each schedule runs the
 * lab exactly as `conclab run --sched MODE --seed N` would.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <conclab/runtime.h>
#include <conclab/trace.h>

#include "cmd.h"
#include "lab.h"
#include "schedules.h"

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
	struct explore e = {.b = {.run = run_one,
				  .bound = 2,
				  .schedules = 10000,
				  .seed = 1,
				  .shard = 1,
				  .nshards = 1}};
	struct clab_lab_args la = {0};
	int help = 0, rc = 0, vi = 0;
	long v;
	char default_trace[256];
	clab_cmd_sched_init(&e.sched);
	e.b.jobs = sysconf(_SC_NPROCESSORS_ONLN);
	if (e.b.jobs < 1)
		e.b.jobs = 1;

	for (int i = 1; i < argc && !rc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--merge") == 0) {
			if (i + 1 >= argc)
				return clab_cmd_misuse(&clab_cmd_explore,
						       "--merge wants the JSON "
						       "files of the shards");
			return merge(argc - i - 1, argv + i + 1);
		}
		if (clab_cmd_is_help(a)) {
			help = 1;
		} else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			e.quiet = 1;
		} else if (strcmp(a, "--all") == 0) {
			e.b.all = 1;
		} else if (strcmp(a, "--json") == 0) {
			e.json = 1;
		} else if (strcmp(a, "--no-por") == 0) {
			e.no_por = 1;
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
					e.b.strategy = CLAB_BUDGET_MIXED;
				else if (strcmp(val, "pct") == 0)
					e.b.strategy = CLAB_BUDGET_PCT;
				else if (strcmp(val, "random") == 0)
					e.b.strategy = CLAB_BUDGET_RANDOM;
				else if (strcmp(val, "bounded") == 0)
					e.b.strategy = CLAB_BUDGET_BOUNDED;
				else
					rc = clab_cmd_misuse(
					    &clab_cmd_explore,
					    "--strategy wants mixed, pct, "
					    "random "
					    "or bounded, not '%s'",
					    val);
			} else if (strcmp(key, "bound") == 0) {
				if (clab_cmd_parse_long(val, &v) || v < 0 ||
				    v > 16)
					rc = clab_cmd_misuse(
					    &clab_cmd_explore,
					    "--bound wants 0..16, not '%s'",
					    val);
				e.b.bound = (unsigned)v;
			} else if (strcmp(key, "schedules") == 0) {
				if (clab_cmd_parse_long(val, &e.b.schedules) ||
				    e.b.schedules < 1 ||
				    e.b.schedules > 100000000L)
					rc = clab_cmd_misuse(
					    &clab_cmd_explore,
					    "--schedules wants 1..100000000, "
					    "not '%s'",
					    val);
			} else if (strcmp(key, "time-limit") == 0) {
				if (clab_cmd_parse_long(val, &e.b.limit_s) ||
				    e.b.limit_s < 0 || e.b.limit_s > 604800)
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
				e.b.seed = (uint64_t)v;
			} else if (strcmp(key, "jobs") == 0) {
				if (clab_cmd_parse_long(val, &e.b.jobs) ||
				    e.b.jobs < 1 || e.b.jobs > 256)
					rc = clab_cmd_misuse(
					    &clab_cmd_explore,
					    "--jobs wants 1..256, not '%s'",
					    val);
			} else if (strcmp(key, "batch") == 0) {
				if (clab_cmd_parse_long(val, &e.b.batch) ||
				    e.b.batch < 1 || e.b.batch > 4096)
					rc = clab_cmd_misuse(
					    &clab_cmd_explore,
					    "--batch wants 1..4096, not '%s'",
					    val);
			} else if (strcmp(key, "shard") == 0) {
				if (parse_shard(val, &e.b.shard, &e.b.nshards))
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
			       e.b.first, mode, fseed, clab_budget_what(code));
			print_failure(out);
			printf("  schedule: %s\n  (%zu choices, %zu of them "
			       "switches; before shrinking %zu and %zu, %ld "
			       "tries)\n",
			       schedule, now.choices, now.switches,
			       before.choices, before.switches, tries);
			printf("  replay:   conclab run %s --variant %s "
			       "--seed %" PRIu64 " --replay %s\n",
			       e.ctx.lab->name, e.variant, fseed, e.trace);
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
	"Options:\n"
	"  --variant V        the variant (default: the first)\n"
	"  --PARAM VALUE      a lab parameter ('conclab run LAB --help')\n"
	"  --strategy S       mixed (default), pct, random, or bounded:\n"
	"                     every schedule of at most --bound choices\n"
	"                     other than the default, in turn (2)\n"
	"  --bound K          bounded: that many deviations at most (2)\n"
	"  --no-por           bounded: run every schedule, also those that\n"
	"                     only reorder independent steps of one run\n"
	"                     (partial-order reduction with sleep sets is\n"
	"                     on by default)\n"
	"  --schedules N      at most N schedules (10000)\n"
	"  --time-limit SEC   stop starting schedules after SEC seconds\n"
	"                     (0, the default: no limit)\n"
	"  --seed N           the first schedule's seed (1)\n"
	"  --jobs N           schedules run at once (the processors)\n"
	"  --batch N          schedules one child process runs in turn\n"
	"                     (32; 1: a fresh process for each)\n"
	"  --all              go on after a failure, and count them all\n"
	"  --shard K/N        run only schedules i with i mod N = K-1: N\n"
	"                     machines share one budget (same --seed)\n"
	"  --merge FILE...    (alone) the --json results of the shards as\n"
	"                     one, with the first failure of them all\n"
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
