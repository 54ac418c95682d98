/*
 * The quick report of `conclab trace`: from the trace's digest alone,
 * when it proves there is nothing to report; and the comparison of that
 * report with the full one that conclab's tests ask for
 * (CONCLAB_DIGEST_COMPARE, docs/trace-command.md).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/analyze.h>
#include <conclab/error.h>
#include <conclab/lockdep.h>
#include <conclab/trace.h>

#include "cmd.h"
#include "lab.h"
#include "report.h"

/* The lock-order report's line for a trace without a problem in it. */
static void no_problem_line(FILE *out, uint64_t nrecords)
{
	fprintf(out,
		"no lock-order cycles and no waits while holding a lock in "
		"%" PRIu64 " records\n",
		nrecords);
}

int clab_cmd_no_problem(const struct clab_analysis *an)
{
	return !clab_lockdep_ncycles(an->ld) && !an->nwaits && !an->nnests &&
	       !an->nblocked;
}

void clab_cmd_lock_report(const struct clab_trace *tr,
			  const struct clab_analysis *an, FILE *out)
{
	if (clab_cmd_no_problem(an))
		no_problem_line(out, clab_trace_nrecords(tr));
	else
		clab_analysis_print(tr, an, out);
}

int clab_cmd_quick_report(const char *trace, const char *prog, int check,
			  int quiet, uint64_t min, uint32_t min_threads,
			  int *failed)
{
	char err[512];
	struct clab_trace *mt;
	uint64_t n;
	if (clab_trace_load_meta(trace, &mt, err, sizeof(err)) != 0)
		return 0;
	if (clab_trace_digest_quiet(mt, &n, err, sizeof(err)) != 1 ||
	    (n <= min && clab_trace_nthreads(mt) <= min_threads)) {
		clab_trace_free(mt);
		return 0;
	}
	struct clab_lab_report rep = {0};
	if (check && clab_generic_check_quiet(mt, n, &rep) != 0) {
		/* the waits need the full report's starvation line */
		clab_lab_report_free(&rep);
		clab_trace_free(mt);
		return 0;
	}
	if (!quiet) { /* the brief form says nothing when all is well */
		printf("\nlock order (conclab analyze):\n");
		no_problem_line(stdout, n);
	}
	*failed = 0;
	if (check) {
		printf("\n");
		const char *b = strrchr(prog, '/');
		clab_report_write(stdout, CLAB_REPORT_TEXT, trace, "trace",
				  b ? b + 1 : prog, NULL, &rep, NULL);
		*failed = clab_lab_report_failed(&rep);
	}
	clab_lab_report_free(&rep);
	printf("trace: %s\n", trace);
	clab_cmd_forks(mt, trace, stdout);
	clab_trace_free(mt);
	return 1;
}

/* Whether the two reports say the same, but for "concurrency"'s text. */
static int same_report(const struct clab_lab_report *full,
		       const struct clab_lab_report *quick, FILE *err)
{
	if (full->n != quick->n) {
		fprintf(err,
			"digest: the full report has %zu lines, the "
			"quick one %zu\n",
			full->n, quick->n);
		return 0;
	}
	for (size_t i = 0; i < full->n; i++) {
		const struct clab_lab_prop *f = &full->props[i],
					   *q = &quick->props[i];
		int text = strcmp(f->name, "concurrency") == 0 ||
			   strcmp(f->msg, q->msg) == 0;
		if (strcmp(f->name, q->name) || f->ok != q->ok ||
		    f->info != q->info || !text) {
			fprintf(err,
				"digest: full \"%s\" %s: %s\n"
				"digest: quick \"%s\" %s: %s\n",
				f->name, f->ok ? "ok" : "fails", f->msg,
				q->name, q->ok ? "ok" : "fails", q->msg);
			return 0;
		}
	}
	return clab_lab_report_failed(full) == clab_lab_report_failed(quick);
}

int clab_cmd_digest_compare(const char *trace, FILE *err)
{
	char ebuf[512];
	struct clab_trace *mt, *tr;
	uint64_t n = 0;
	if (clab_trace_load_meta(trace, &mt, ebuf, sizeof(ebuf)) != 0) {
		fprintf(err, "digest: none: %s\n", ebuf);
		return 0;
	}
	int q = clab_trace_digest_quiet(mt, &n, ebuf, sizeof(ebuf));
	if (q != 1) {
		clab_trace_free(mt);
		fprintf(err, "digest: %s: %s\n", q == 0 ? "not quiet" : "none",
			q == CLAB_ENOMEM ? "out of memory" : ebuf);
		return 0;
	}
	struct clab_lab_report full = {0}, quick = {0};
	if (clab_generic_check_quiet(mt, n, &quick) != 0) {
		clab_lab_report_free(&quick);
		clab_trace_free(mt);
		fprintf(err, "digest: not quiet: the waits need the full "
			     "report's starvation line\n");
		return 0;
	}
	fprintf(err, "digest: quiet: %" PRIu64 " records\n", n);
	if (clab_trace_load(trace, &tr, ebuf, sizeof(ebuf)) != 0) {
		clab_lab_report_free(&quick);
		clab_trace_free(mt);
		fprintf(err, "digest: disagrees: the full load fails: %s\n",
			ebuf);
		return 1;
	}
	struct clab_analysis an;
	int bad = 0;
	if (clab_analyze(tr, &an) != 0) {
		clab_lab_report_free(&quick);
		clab_trace_free(mt);
		clab_trace_free(tr);
		fprintf(err, "digest: the full analysis is out of memory\n");
		return 1;
	}
	if (clab_trace_damage(tr) || clab_trace_nrecords(tr) != n ||
	    !clab_cmd_no_problem(&an) || clab_analysis_problems(&an)) {
		fprintf(err,
			"digest: disagrees: the full analysis of %zu records "
			"finds %u cycle(s), %zu wait(s) while holding, %zu "
			"blocked thread(s)%s\n",
			clab_trace_nrecords(tr), clab_lockdep_ncycles(an.ld),
			an.nwaits, an.nblocked,
			clab_trace_damage(tr) ? ", damage" : "");
		bad = 1;
	}
	clab_generic_check_any_with(tr, &an, &full);
	if (!same_report(&full, &quick, err)) {
		fprintf(err, "digest: disagrees: the checks differ\n");
		bad = 1;
	}
	clab_lab_report_free(&full);
	clab_lab_report_free(&quick);
	clab_analysis_fini(&an);
	clab_trace_free(mt);
	clab_trace_free(tr);
	return bad;
}
