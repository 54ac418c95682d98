/*
 * conclab bench: what recording costs.  The same loops run on plain
 * pthreads and on conclab's instrumented primitives, in one process, with
 * a trace open for the conclab side; each case prints both medians, the
 * ratio and the target.  Tests never time things: this command
 * reports, and exits 0 whether or not a target was met.
 */
#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <conclab/export.h>
#include <conclab/lockdep.h>
#include <conclab/runtime.h>
#include <conclab/tracer.h>

#include "bench-whole.h"
#include "cmd.h"
#include "schedules.h"
#include "lab.h"
#include "bench.h"
#include "codec.h"

/* ---- output ---- */

static const char *verdict_name(enum verdict v)
{
	return v == V_PASS ? "PASS" : v == V_MISS ? "MISS" : "";
}

void bench_print_row(const struct bench *b, const struct row *r)
{
	if (b->o.json)
		return;
	char p[32], c[32], ratio[16], added[24];
	if (r->plain >= 0)
		snprintf(p, sizeof(p), "%.1f %s", r->plain, r->unit);
	else
		snprintf(p, sizeof(p), "-");
	snprintf(c, sizeof(c), "%.1f %s", r->clab, r->unit);
	if (r->plain > 0) {
		snprintf(ratio, sizeof(ratio), "%.2fx", r->ratio);
		snprintf(added, sizeof(added), "%+.1f %s", r->added, r->unit);
	} else {
		snprintf(ratio, sizeof(ratio), "-");
		snprintf(added, sizeof(added), "-");
	}
	printf("%-30s %10s %10s %7s %10s  %-11s %s\n", r->label, p, c, ratio,
	       added, r->target, verdict_name(r->verdict));
	if (r->note[0])
		printf("%-30s   %s\n", "", r->note);
	fflush(stdout);
}

static void json_row(const struct row *r, int last)
{
	printf("    ");
	clab_json_str(stdout, r->key);
	printf(": {\"unit\": ");
	clab_json_str(stdout, r->unit);
	if (r->plain >= 0)
		printf(", \"plain\": %.3f", r->plain);
	else
		printf(", \"plain\": null");
	printf(", \"conclab\": %.3f", r->clab);
	if (r->plain > 0)
		printf(", \"ratio\": %.4f, \"added\": %.3f", r->ratio,
		       r->added);
	else
		printf(", \"ratio\": null, \"added\": null");
	printf(", \"target\": ");
	clab_json_str(stdout, r->target);
	printf(", \"pass\": %s", r->verdict == V_PASS	? "true"
				 : r->verdict == V_MISS ? "false"
							: "null");
	printf(", \"iters\": %ld, \"records\": %" PRIu64
	       ", \"stalls\": %" PRIu64
	       ", \"minflt\": %.1f, \"csw_plain\": %.4f, \"csw_conclab\": "
	       "%.4f}%s\n",
	       r->iters, r->records, r->stalls, r->minflt, r->csw_plain,
	       r->csw_clab, last ? "" : ",");
}

/* The whole-program cases (null when none ran), and the end. */
static void json_whole(const struct clab_whole *whole)
{
	if (whole)
		clab_whole_json(whole, stdout);
	else
		printf("null");
	printf("\n}\n");
}

static void print_json(const struct bench *b, const struct labrow *lr,
		       size_t nlr, double brec, int bverdict,
		       const struct clab_whole *whole)
{
	printf("{\n  \"version\": ");
	clab_json_str(stdout, clab_version());
	printf(",\n  \"quick\": %s,\n  \"reps\": %d,\n  \"pingpong_reps\": "
	       "%d,\n  \"cpus\": %ld,\n  \"work_ns\": %.1f,\n  \"cases\": "
	       "{\n",
	       b->o.quick ? "true" : "false", b->o.reps, PP_MORE * b->o.reps,
	       sysconf(_SC_NPROCESSORS_ONLN), b->work_ns);
	int labs = bench_want(b, 7);
	for (size_t i = 0; i < b->nrows; i++) {
		json_row(&b->rows[i],
			 !labs && !b->sustain.key && i + 1 == b->nrows);
		if (b->sustain.key && i == 0)
			json_row(&b->sustain, !labs && i + 1 == b->nrows);
	}
	if (!labs) {
		printf("  },\n  \"whole\": ");
		json_whole(whole);
		return;
	}
	uint64_t rec = 0, rb = 0, fb = 0;
	for (size_t i = 0; i < nlr; i++) {
		rec += lr[i].records;
		rb += lr[i].record_bytes;
		fb += lr[i].bytes;
	}
	printf("    \"bytes_per_record\": {\"unit\": \"B/rec\", \"conclab\": "
	       "%.3f, \"file\": %.3f, \"target\": \"<=8\", \"pass\": %s, "
	       "\"records\": %" PRIu64 ", \"record_bytes\": %" PRIu64
	       ", \"bytes\": %" PRIu64 ", \"labs\": [",
	       brec, bench_per(fb, rec), bverdict ? "true" : "false", rec, rb,
	       fb);
	for (size_t i = 0; i < nlr; i++) {
		printf("%s\n      {\"lab\": ", i ? "," : "");
		clab_json_str(stdout, lr[i].name);
		printf(", \"records\": %" PRIu64 ", \"record_bytes\": %" PRIu64
		       ", \"bytes\": %" PRIu64 ", \"per_record\": %.3f}",
		       lr[i].records, lr[i].record_bytes, lr[i].bytes,
		       bench_per(lr[i].record_bytes, lr[i].records));
	}
	printf("]}\n  },\n  \"whole\": ");
	json_whole(whole);
}

static int parse_cases(const char *v, unsigned *only, unsigned *whole)
{
	for (;;) {
		size_t len = strcspn(v, ",");
		char name[64];
		long c;
		if (len == 0 || len >= sizeof(name))
			return -1;
		memcpy(name, v, len);
		name[len] = 0;
		int k = clab_whole_find(name);
		if (k >= 0)
			*whole |= 1u << k;
		else if (clab_cmd_parse_long(name, &c) == 0 && c >= 1 &&
			 c <= NCASES)
			*only |= 1u << c;
		else
			return -1;
		if (v[len] == '\0')
			return 0;
		v += len + 1;
	}
}

/* The whole-program cases' names, "a, b, c", for a usage error. */
static const char *whole_names(void)
{
	static char buf[256]; /* for a usage message, once */
	size_t n = 0;
	for (unsigned i = 0; i < clab_whole_ncases() && n < sizeof(buf); i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
				      i ? ", " : "", clab_whole_name(i));
	return buf;
}

_Static_assert(REPS_MAX / PP_MORE == 100, "--reps's message says 1..100");

static int set_reps(const struct clab_cmd *cmd, void *base, const char *v,
		    long num)
{
	(void)cmd;
	(void)v;
	((struct bench *)base)->o.reps = (int)num;
	return 0;
}

static int set_case(const struct clab_cmd *cmd, void *base, const char *v,
		    long num)
{
	struct bench *b = base;
	(void)num;
	if (parse_cases(v, &b->o.only, &b->o.whole) == 0)
		return 0;
	return clab_cmd_misuse(cmd,
			       "--case wants case numbers 1..%d or "
			       "whole-program cases (%s), separated by "
			       "commas (say --case 4,5)",
			       NCASES, whole_names());
}

static int set_loops(const struct clab_cmd *cmd, void *base, const char *v,
		     long num)
{
	(void)cmd;
	(void)v;
	(void)num;
	((struct bench *)base)->o.all_loops = 1;
	return 0;
}

static int set_whole(const struct clab_cmd *cmd, void *base, const char *v,
		     long num)
{
	(void)cmd;
	(void)v;
	(void)num;
	((struct bench *)base)->o.all_whole = 1;
	return 0;
}

static int set_scale(const struct clab_cmd *cmd, void *base, const char *v,
		     long num)
{
	char *end = NULL;
	double x = strtod(v, &end);
	(void)cmd;
	(void)num;
	if (end == v || *end || !(x >= 1e-6 && x <= 100))
		return -1;
	((struct bench *)base)->o.scale = x;
	return 0;
}

static const struct clab_opt bench_opts[] = {
    {.name = "loops",
     .type = CLAB_OPT_FLAG,
     .parse = set_loops,
     .help = "the loop microbenchmarks, 1 to 12 (the default when no case "
	     "is named; those --case names, if it names any)"},
    {.name = "whole",
     .type = CLAB_OPT_FLAG,
     .parse = set_whole,
     .help = "the whole programs (those --case names, if it names any)"},
    {.name = "case",
     .type = CLAB_OPT_STRING,
     .arg = "LIST",
     .parse = set_case,
     .help = "run only these cases: loop numbers and whole programs' "
	     "names, say --case 4,5 or --case 9,prodcons"},
    {.name = "reps",
     .type = CLAB_OPT_LONG,
     .arg = "N",
     .min = 1,
     .max = REPS_MAX / PP_MORE,
     .parse = set_reps,
     .want = "a number in 1..100", /* REPS_MAX / PP_MORE */
     .help = "N repetitions a case instead of 9 for the loops (4N for the "
	     "ping-pongs) and 5 for the whole programs"},
    {.name = "quick",
     .type = CLAB_OPT_FLAG,
     .off = offsetof(struct bench, o.quick),
     .help = "short repetitions, and the whole programs at --scale 0.1"},
    {.name = "iters",
     .type = CLAB_OPT_LONG,
     .arg = "N",
     .off = offsetof(struct bench, o.iters),
     .min = 1,
     .max = 1000000000L,
     .help = "N iterations per loop repetition instead of calibrating by "
	     "time (N/8 in case 2, N/2 per thread in case 3, N/100 round "
	     "trips in cases 4 and 5)"},
    {.name = "scale",
     .type = CLAB_OPT_STRING,
     .arg = "X",
     .parse = set_scale,
     .want = "a number in 0.000001..100 (say --scale 0.1)",
     .help = "the whole programs' sizes times X (0.000001..100; each keeps "
	     "a few iterations at least)"},
    {.name = "json",
     .type = CLAB_OPT_FLAG,
     .off = offsetof(struct bench, o.json),
     .help = "print the numbers as one JSON object: the loops under "
	     "\"cases\", the whole programs under \"whole\""},
    CLAB_OPT_TABLE_END,
};

static int bench_exec(int argc, char **argv)
{
	struct bench *b = calloc(1, sizeof(*b));
	if (!b) {
		fprintf(stderr, "conclab bench: out of memory\n");
		return CLAB_EXIT_IO;
	}
	struct clab_opts_rest r = {0};
	void *const bases[] = {b};
	int prc = clab_opts_parse(&clab_cmd_bench, argc, argv, bases, &r);
	if (prc || r.help) { /* --help: printed */
		free(b);
		return prc;
	}
	/* --loops and --whole name a family; --case, some of its cases */
	if ((b->o.all_loops && b->o.only == 0) ||
	    (b->o.only == 0 && b->o.whole == 0 && !b->o.all_whole))
		b->o.only = ((1u << NCASES) - 1) << 1;
	if (b->o.all_whole && b->o.whole == 0)
		b->o.whole = (1u << clab_whole_ncases()) - 1;
	struct clab_whole_opts wo = {
	    .reps = b->o.reps ? b->o.reps : CLAB_WHOLE_REPS,
	    .scale = b->o.scale	  ? b->o.scale
		     : b->o.quick ? 0.1
				  : 1,
	    .json = b->o.json,
	    .only = b->o.whole,
	};
	if (b->o.reps == 0)
		b->o.reps = REPS;
	b->o.rep_ns = b->o.quick ? 25e6 : 150e6;
	b->o.sustain_ns = b->o.quick ? 0.3e9 : 2e9;
	const char *tmp = getenv("TMPDIR");
	snprintf(b->dir, sizeof(b->dir), "%s", tmp && *tmp ? tmp : "/tmp");

	uint64_t t_start = clab__mono_ns();
	if (!b->o.json)
		printf("conclab bench %s: %ld CPUs.\n", clab_version(),
		       sysconf(_SC_NPROCESSORS_ONLN));
	if (!b->o.json && b->o.only) {
		printf("\nLoop microbenchmarks: loops inside this process, "
		       "the trace already open;\neach value is the median "
		       "of %d repetitions (%d for the ping-pongs), plain\nand "
		       "conclab interleaved, and each ratio the median of the "
		       "repetitions'\nratios; the conclab side records into a "
		       "trace in %s (zstd %d,\nremoved afterwards).  Times are "
		       "wall-clock ns per operation.\n\n",
		       b->o.reps, PP_MORE * b->o.reps, b->dir, CLAB__ZSTD_FAST);
		printf("%-30s %10s %10s %7s %10s  %-11s %s\n", "case", "plain",
		       "conclab", "ratio", "added", "target", "");
	}
	int rc = CLAB_EXIT_OK;
	struct labrow lr[64];
	size_t nlr = 0;
	if (((bench_want(b, 1) || bench_want(b, 2)) && bench_case_locks(b)) ||
	    bench_case_detector(b) ||
	    (bench_want(b, 1) && bench_case_sustained(b)) ||
	    ((bench_want(b, 3) || bench_want(b, 4) || bench_want(b, 5)) &&
	     bench_case_duos(b)) ||
	    (bench_want(b, 6) && bench_case_records(b)) ||
	    (bench_want(b, 10) && bench_case_explore(b)) ||
	    (bench_want(b, 11) && bench_case_codecs(b)) ||
	    (bench_want(b, 12) && bench_case_digest(b)) ||
	    (bench_want(b, 7) && bench_case_labs(b, lr, &nlr, 64))) {
		free(b);
		return CLAB_EXIT_IO;
	}
	uint64_t rec = 0, rb = 0, fb = 0;
	for (size_t i = 0; i < nlr; i++) {
		rec += lr[i].records;
		rb += lr[i].record_bytes;
		fb += lr[i].bytes;
	}
	double brec = bench_per(rb, rec);
	int bpass = brec <= 8.0;
	if (!b->o.json && bench_want(b, 7)) {
		printf("%-30s %10s %10s\n", "bytes per record on disk",
		       "records", "record B");
		for (size_t i = 0; i < nlr; i++)
			printf("  %-28s %10" PRIu64 " %10.2f   (file %.2f "
			       "B/rec)\n",
			       lr[i].name, lr[i].records,
			       bench_per(lr[i].record_bytes, lr[i].records),
			       bench_per(lr[i].bytes, lr[i].records));
		printf("  %-28s %10" PRIu64 " %10.2f %7s %10s  %-11s %s\n",
		       "all labs", rec, brec, "", "", "<=8",
		       verdict_name(bpass ? V_PASS : V_MISS));
		printf("%-30s   record B = record chunks with their headers "
		       "/ records;\n%-30s   file %.2f B/rec counts the "
		       "header, definitions and end too\n",
		       "", "", bench_per(fb, rec));
	}
	struct clab_whole *whole = NULL;
	if (wo.only) {
		whole = clab_whole_run(&wo, &rc);
		if (whole == NULL) {
			free(b);
			return rc;
		}
	}
	if (b->o.json)
		print_json(b, lr, nlr, brec, bpass, whole);
	clab_whole_free(whole);
	if (!b->o.json) {
		printf("\n%.1f s in all.  A MISS is reported, not an error: "
		       "the exit code is 0.\n",
		       (double)(clab__mono_ns() - t_start) / 1e9);
	}
	if (b->io_error)
		rc = CLAB_EXIT_IO;
	free(b);
	return rc;
}

const struct clab_cmd clab_cmd_bench = {
    .name = "bench",
    .args = "[--loops] [--whole] [--case LIST] [--reps N] [--quick] "
	    "[--iters N]\n       [--scale X] [--json]",
    .summary = "measure what recording costs, against plain pthreads",
    .help =
	"Two families of cases.  The loop microbenchmarks (--loops, the "
	"default)\nrun the same loops on plain pthreads and on conclab's "
	"primitives in this\nprocess, with a trace open for the conclab "
	"side, and print for each case\nthe median of 9 repetitions of "
	"both (interleaved, so that noise hits both;\n4 times as many, a "
	"third as long, for the ping-pongs), the median of the\n"
	"repetitions' ratios and of their differences ('added'), and "
	"the target it\nis held to:\n\n"
	"  1 uncontended lock/unlock pair, one thread  (<=4x and "
	"<=25 ns added)\n"
	"    Each repetition fits the 512 MB record buffer, so it "
	"measures the\n    thread's own cost; the 'sustained' line "
	"runs longer into a 16 MB buffer\n    and shows the rate the "
	"writer thread keeps up with, and its stalls.\n"
	"  2 the same with ~200 ns of work inside         (<=1.5x)\n"
	"  3 two threads contending for one mutex         (reported)\n"
	"  4 condition variable ping-pong, two threads    (<=1.05x)\n"
	"  5 semaphore ping-pong (POSIX sem_t vs clab)    (<=1.05x)\n"
	"    In 3, 4 and 5 the two threads are pinned to two CPUs, on both\n"
	"    sides: where the scheduler starts them changes a round trip\n"
	"    by up to 2x.\n"
	"  6 clab_note records per second, one thread     (>=50 M/s)\n"
	"  7 bytes per record on disk over the correct variants of "
	"every lab,\n    each run quietly with seed 1 into its own "
	"trace             (<=8)\n"
	"  8 a pair taken under another lock: the lock-order detector "
	"on every\n    request (<=5x plain, and <=10 ns over the same pair "
	"without the\n    outer lock, measured in pairs of repetitions "
	"beside it)\n"
	"  9 the detector's cycle search for a new edge in a graph of "
	"1000 locks\n    and 10000 edges                            "
	"(<=10 us)\n"
	" 10 explore's schedules a second on one core, 3 labs (>=1000/s)\n"
	" 11 record codecs on the same chunks, per CPU-s (>=50 M/s)\n"
	" 12 the writer's digest, ns of CPU a record of lock_heavy's\n"
	"    pattern, with its fast path and without    (reported)\n\n"
	"A repetition lasts 150 ms (25 with --quick); traces go to "
	"$TMPDIR (or /tmp).\n\n"
	"The whole programs (--whole), on plain pthreads and on the clab_* "
	"API, "
	"run\nfrom exec to exit as child processes: plain, conclab, the "
	"pthread one under\n`conclab trace --no-check`, and under TSan where "
	"the compiler could build it\n(else left out, with a note), "
	"interleaved over 5 repetitions.  For each: the\nmedian wall time, "
	"the median ratio to plain (<=3x for conclab and trace) and\nthe "
	"median peak RSS (ru_maxrss).\n\n"
	"  lock_heavy_1  4,000,000 iterations on 8 mutexes, a nested pair "
	"every\n                fourth, 1 thread\n"
	"  lock_heavy_4  the same shared out among 4 threads\n"
	"  thread_churn  100,000 short threads, each created and joined "
	"in turn\n"
	"  prodcons      500,000 items through a 64-slot buffer (mutex, 2 "
	"condition\n                variables), 2 producers and 2 "
	"consumers\n"
	"  timers        200 ms of a 1 ms periodic timer with 3 waiters, "
	"1 ms timed\n                waits and 200 one-shot timers\n\n"
	"They take a few minutes.  conclab in its build tree runs that "
	"build's\nprograms (bench/whole/), an installed conclab those in\n"
	"<libexecdir>/conclab/bench, and $CONCLAB_BENCH_DIR overrides "
	"both.\n",
    .groups = (const struct clab_opt_group[]){{bench_opts, 0}, {NULL, 0}},
    .more = "Exit codes: 0 the bench ran (a missed target is reported, "
	    "not an error);\n1 a whole program is missing, failed, or printed "
	    "another result than\nplain; 2 usage error; 5 a trace could not "
	    "be written.\n",
    .exec = bench_exec,
};
