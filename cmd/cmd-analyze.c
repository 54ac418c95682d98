/* conclab analyze: the lock-order detector and wait checks over a trace. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <conclab/analyze.h>
#include <conclab/trace.h>

#include "cmd.h"
#include "lab.h"
#include "report.h"

struct analyze_opts {
	int json, classes;
};

static const struct clab_opt analyze_opts[] = {
    {.name = "json",
     .type = CLAB_OPT_FLAG,
     .off = offsetof(struct analyze_opts, json),
     .help = "one JSON object per finding, one a line"},
    {.name = "classes",
     .type = CLAB_OPT_FLAG,
     .off = offsetof(struct analyze_opts, classes),
     .help = "group locks by the site that made them (lock classes): an "
	     "order seen between two locks then holds for all the locks made "
	     "at the same sites; locks of one class made with "
	     "clab_mutex_init_indexed must be nested in increasing index "
	     "order"},
    CLAB_OPT_TABLE_END,
};

static int analyze_exec(int argc, char **argv)
{
	struct analyze_opts o = {0};
	struct clab_opts_rest r = {0};
	void *const bases[] = {&o};
	int prc = clab_opts_parse(&clab_cmd_analyze, argc, argv, bases, &r);
	if (prc || r.help) /* --help: printed */
		return prc;
	const char *path = r.operands[0];
	int json = o.json;
	unsigned flags = o.classes ? CLAB_ANALYZE_CLASSES : 0;
	if (!path)
		return clab_cmd_misuse(&clab_cmd_analyze, "which trace?");
	char err[512];
	struct clab_trace *tr;
	if (clab_trace_load(path, &tr, err, sizeof(err)) != 0) {
		fprintf(stderr, "conclab analyze: %s\n", err);
		return CLAB_EXIT_USAGE;
	}
	/* a trace the writer never closed is incomplete, not damaged */
	int damaged = clab_trace_damage(tr) && !clab_trace_whole(tr);
	if (damaged)
		fprintf(stderr,
			"conclab analyze: %s\nconclab analyze: analysing the "
			"%zu records before the damage\n",
			clab_trace_damage(tr), clab_trace_nrecords(tr));
	clab_cmd_trace_warning(&clab_cmd_analyze, tr);
	struct clab_analysis an;
	if (clab_analyze_flags(tr, &an, flags) != 0) {
		fprintf(stderr, "conclab analyze: out of memory\n");
		clab_trace_free(tr);
		return CLAB_EXIT_IO;
	}
	struct clab_verdict v;
	clab_analysis_verdict(tr, &an, &v);
	if (json) {
		clab_analysis_json(tr, &an, stdout);
		fputs("{\"type\":\"verdict\",\"verdict\":", stdout);
		clab_verdict_json(&v, stdout);
		fputs("}\n", stdout);
	} else {
		if (v.incomplete)
			printf("incomplete: %s\n", v.incomplete);
		if (clab_lockdep_ncycles(an.ld) == 0 && an.nwaits == 0 &&
		    an.nnests == 0 && an.nblocked == 0 &&
		    an.stuck_seq == UINT64_MAX)
			printf("no lock-order cycles and no waits while "
			       "holding a lock in %zu records\n",
			       clab_trace_nrecords(tr));
		else
			clab_analysis_print(tr, &an, stdout);
	}
	int rc = clab_analysis_problems(&an) ? CLAB_EXIT_CHECK : CLAB_EXIT_OK;
	/* a trace of no lab: the checks any trace gets, as conclab check's */
	if (!json && !clab_trace_meta(tr, "lab")) {
		struct clab_lab_report rep = {0};
		/* the analysis above, unless it grouped locks by class */
		clab_generic_check_any_with(tr, flags ? NULL : &an, &rep);
		printf("\n");
		clab_report_write(stdout, CLAB_REPORT_TEXT, path, "no lab",
				  clab_cmd_program_name(tr), NULL, &rep, NULL);
		clab_cmd_nolab_note(stdout);
		clab_cmd_forks(tr, path, stdout);
		if (clab_lab_report_failed(&rep))
			rc = CLAB_EXIT_CHECK;
		clab_lab_report_free(&rep);
	}
	if (damaged)
		rc = CLAB_EXIT_USAGE;
	clab_analysis_fini(&an);
	clab_trace_free(tr);
	return rc;
}

const struct clab_cmd clab_cmd_analyze = {
    .name = "analyze",
    .args = "[--json] [--classes] TRACE",
    .summary = "find lock-order cycles (potential deadlocks) in a trace",
    .help =
	"Replays every thread's mutexes into conclab's lock-order detector.  "
	"A cycle in\nthe order locks are taken is a deadlock waiting to "
	"happen, even if this run\ndid not deadlock.  Each cycle is "
	"reported once, whole: every lock, every edge\nwith its thread, "
	"where the held lock was taken and where the next one was\n"
	"requested, a possible interleaving, and a lock order that fixes "
	"it.\n\n"
	"A cycle whose every edge was taken under one same other lock (a "
	"gate) cannot\ndeadlock and is only a note; one made by a single "
	"thread is latent; one that\nholds only because a timed lock gives "
	"up is a warning.  Waits on a condition\nvariable, semaphore, "
	"queue, latch or join made while holding a mutex are warned\n"
	"about too.  `conclab run` prints the same report after each run.\n\n"
	"A trace that names no lab ('conclab trace', a program of one's own) "
	"gets, after\nthe report (not with --json), the checks 'conclab check' "
	"gives it: no deadlock,\nlock order, no misuse, all threads ended, "
	"starvation, busy waiting,\nconcurrency and locks held at exit, and a "
	"line that says the lab checks were\nnot run, and why.\n\n"
	"A trace that ended in a deadlock also gets the watchdog's report "
	"with, for\neach blocked thread, the record where its wait began "
	"and who holds what it\nwaits for.\n\n"
	"A run that did not end says so first (\"incomplete: stopped while "
	"N threads ran\",\n\"incomplete: the writer never closed the "
	"trace\"); --json ends with a line of\ntype \"verdict\", the "
	"verdict 'conclab check' and 'conclab export' give too.\n",
    .groups = (const struct clab_opt_group[]){{analyze_opts, 0}, {NULL, 0}},
    .max_operands = 1,
    .too_many = "one trace at a time",
    .more = "Exit codes: 0 nothing that can deadlock; 1 a potential deadlock "
	    "(a cycle, a\ntimed-only order, a class order), a deadlock, or "
	    "the time or step limit (what\nfails \"lock order\" or \"no "
	    "deadlock\" in 'conclab check'), or a check of a\ntrace of no lab "
	    "failed; 2 usage error or a\nbad or "
	    "damaged trace; 5 the output could not be written.\nA record "
	    "that names an object the trace never defined is skipped with a\n"
	    "warning on stderr; the rest is analysed as usual.\n",
    .exec = analyze_exec,
};
