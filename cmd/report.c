/*
 * Lab reports: text for people, JSON, Gradescope's results.json and JUnit
 * XML for autograders and CI.  Nothing here depends on the time or the
 * machine, so a report is byte-identical for the same trace.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/export.h>
#include <conclab/label.h>

#include "report.h"

const char *const clab_report_format_names[] = {
    [CLAB_REPORT_TEXT] = "text",
    [CLAB_REPORT_JSON] = "json",
    [CLAB_REPORT_GRADESCOPE] = "gradescope",
    [CLAB_REPORT_JUNIT] = "junit",
    NULL,
};

static void xml_str(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '&':
			fputs("&amp;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&apos;", out);
			break;
		default:
			fputc(*s, out);
		}
	}
}

/*
 * The message of a property, with the record that shows a failure; one
 * that was not judged says so first.
 */
static void message(FILE *out, const struct clab_lab_prop *p,
		    void (*esc)(FILE *, const char *))
{
	char rec[48] = "";
	if (!p->ok && p->rec != UINT64_MAX)
		snprintf(rec, sizeof(rec), " (record %" PRIu64 ")", p->rec);
	char buf[sizeof(p->msg) + sizeof(rec) + 48];
	snprintf(buf, sizeof(buf), "%s%s%s",
		 p->not_judged ? "not judged, the run did not end; so far: "
			       : "",
		 p->msg, rec);
	if (esc)
		esc(out, buf);
	else
		fputs(buf, out);
}

static void json_msg(FILE *out, const char *s)
{
	clab_json_str(out, s);
}

/* What a report is worth. */
struct score {
	size_t checks, passed, failed; /* properties (not information) */
	size_t unjudged;	       /* of them, not judged: see lab.h */
	unsigned long got, max;	       /* points */
};

/* The points p earns, of its weight. */
static unsigned long points(const struct clab_lab_report *rep,
			    const struct clab_lab_prop *p, unsigned weight)
{
	return p->ok && !p->info && !p->vacuous && !p->not_judged &&
		       !rep->partial
		   ? weight
		   : 0;
}

static void score(const struct clab_lab_report *rep,
		  const struct clab_rubric *rb, struct score *sc)
{
	memset(sc, 0, sizeof(*sc));
	/* properties lost for want of memory: checks that failed */
	sc->checks = sc->failed = rep->lost;
	for (size_t i = 0; i < rep->n; i++) {
		const struct clab_lab_prop *p = &rep->props[i];
		if (p->info)
			continue;
		unsigned w = clab_rubric_weight(rb, p->name);
		sc->checks++;
		sc->unjudged += p->not_judged != 0;
		sc->passed += p->ok && !p->not_judged;
		sc->failed += !p->ok && !p->not_judged;
		sc->max += w;
		sc->got += points(rep, p, w);
	}
}

/* Why a property that holds earns nothing, or "". */
static const char *no_points(const struct clab_lab_report *rep,
			     const struct clab_lab_prop *p)
{
	if (p->not_judged)
		return " [not judged: the run stopped before its end]";
	if (!p->ok || p->info)
		return "";
	if (rep->partial)
		return " [no points: the run did not complete]";
	if (p->vacuous)
		return " [no points: it holds vacuously]";
	return "";
}

/* Where a check's message begins in the text: continued lines too. */
#define TEXT_INDENT (2 + 4 + 1 + 24 + 1)

/* The verdict's column: ok, FAIL, or -- for not judged. */
static const char *verdict(const struct clab_lab_prop *p)
{
	return p->info ? "info" : p->not_judged ? "--" : p->ok ? "ok" : "FAIL";
}

int clab_report_write(FILE *out, enum clab_report_format fmt, const char *trace,
		      const char *lab, const char *variant, const char *sig,
		      const struct clab_lab_report *rep,
		      const struct clab_rubric *rubric)
{
	struct clab_rubric def;
	struct score sc;
	if (rubric == NULL) {
		clab_rubric_default(&def, lab);
		rubric = &def;
	}
	score(rep, rubric, &sc);
	switch (fmt) {
	case CLAB_REPORT_TEXT:
		if (sig)
			fprintf(out, "trace: %s\n", sig);
		if (rep->incomplete)
			fprintf(out, "incomplete: %s\n", rep->incomplete);
		fprintf(out, "checks (%s%s%s):\n", lab, variant ? " " : "",
			variant ? variant : "");
		for (size_t i = 0; i < rep->n; i++) {
			const struct clab_lab_prop *p = &rep->props[i];
			char *msg = NULL;
			size_t len = 0;
			FILE *f = open_memstream(&msg, &len);
			if (!f)
				return -1;
			message(f, p, NULL);
			/*
			 * Said once for the report, not on each line: that the
			 * run did not complete (above and in the score) and
			 * that a property was not judged (its message begins
			 * so).
			 */
			if (!rep->partial && !p->not_judged)
				fputs(no_points(rep, p), f);
			if (fclose(f) == 0)
				clab_wrapf(out, TEXT_INDENT, "  %-4s %-24s %s",
					   verdict(p), p->name, msg);
			free(msg);
		}
		if (rep->lost)
			fprintf(out,
				"conclab: out of memory: %zu propert%s could "
				"not be recorded; the report is not whole\n",
				rep->lost, rep->lost == 1 ? "y" : "ies");
		fprintf(out, "%zu of %zu properties hold", sc.passed,
			sc.checks);
		if (sc.unjudged)
			fprintf(out, ", %zu not judged", sc.unjudged);
		fprintf(out, "; score %lu of %lu%s\n", sc.got, sc.max,
			rep->partial ? " (the run did not complete: what "
				       "holds earns no points)"
				     : "");
		break;
	case CLAB_REPORT_JSON:
		fprintf(out, "{\"trace\":");
		clab_json_str(out, trace);
		fprintf(out, ",\"lab\":");
		clab_json_str(out, lab);
		fprintf(out, ",\"variant\":");
		if (variant)
			clab_json_str(out, variant);
		else
			fputs("null", out);
		if (sig) {
			fprintf(out, ",\"signature\":");
			clab_json_str(out, sig);
		}
		fprintf(out, ",\"incomplete\":");
		if (rep->incomplete)
			clab_json_str(out, rep->incomplete);
		else
			fputs("null", out);
		fprintf(out,
			",\"passed\":%zu,\"failed\":%zu,\"not_judged\":%zu,"
			"\"score\":%lu,\"max_score\":%lu,\"completed\":%s,"
			"\"properties\":[",
			sc.passed, sc.failed, sc.unjudged, sc.got, sc.max,
			rep->partial ? "false" : "true");
		for (size_t i = 0; i < rep->n; i++) {
			const struct clab_lab_prop *p = &rep->props[i];
			unsigned w =
			    p->info ? 0 : clab_rubric_weight(rubric, p->name);
			fprintf(out, "%s{\"name\":", i ? "," : "");
			clab_json_str(out, p->name);
			fprintf(out,
				",\"ok\":%s,\"judged\":%s,\"info\":%s,"
				"\"record\":",
				p->not_judged ? "null"
				: p->ok	      ? "true"
					      : "false",
				p->not_judged ? "false" : "true",
				p->info ? "true" : "false");
			if (p->rec != UINT64_MAX)
				fprintf(out, "%" PRIu64, p->rec);
			else
				fputs("null", out);
			fprintf(out, ",\"score\":%lu,\"max_score\":%u",
				points(rep, p, w), w);
			fprintf(out, ",\"message\":");
			clab_json_str(out, p->msg);
			fputc('}', out);
		}
		fprintf(out, "]}\n");
		break;
	case CLAB_REPORT_GRADESCOPE:
		/* https://gradescope-autograders.readthedocs.io: results.json
		 */
		fprintf(out, "{\"score\":%lu,\"output\":", sc.got);
		{
			char sum[4608];
			snprintf(sum, sizeof(sum),
				 "conclab: %zu of %zu properties hold on %s; "
				 "score %lu of %lu%s%s%s%s%s",
				 sc.passed, sc.checks, trace, sc.got, sc.max,
				 rep->partial ? " (the run did not "
						"complete: what holds "
						"earns no points)"
					      : "",
				 sig ? "; trace " : "", sig ? sig : "",
				 rep->incomplete ? "; incomplete: " : "",
				 rep->incomplete ? rep->incomplete : "");
			clab_json_str(out, sum);
		}
		fprintf(out, ",\"tests\":[");
		for (size_t i = 0; i < rep->n; i++) {
			const struct clab_lab_prop *p = &rep->props[i];
			fprintf(out, "%s{\"name\":", i ? "," : "");
			clab_json_str(out, p->name);
			if (p->info) {
				/* no score: Gradescope shows it as text */
				fprintf(out, ",\"output\":");
				message(out, p, json_msg);
				fputc('}', out);
				continue;
			}
			unsigned w = clab_rubric_weight(rubric, p->name);
			fprintf(
			    out,
			    ",\"score\":%lu,\"max_score\":%u,\"status\":"
			    "\"%s\",\"output\":",
			    points(rep, p, w), w,
			    /* not judged earns nothing: the run did not end */
			    p->ok && !p->not_judged ? "passed" : "failed");
			char buf[sizeof(p->msg) + 96];
			char rec[48] = "";
			if (!p->ok && p->rec != UINT64_MAX)
				snprintf(rec, sizeof(rec),
					 " (record %" PRIu64 ")", p->rec);
			snprintf(buf, sizeof(buf), "%s%s%s", p->msg, rec,
				 no_points(rep, p));
			clab_json_str(out, buf);
			fputc('}', out);
		}
		fprintf(out, "]}\n");
		break;
	case CLAB_REPORT_JUNIT:
		fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
		fprintf(out,
			"<testsuites tests=\"%zu\" failures=\"%zu\" "
			"skipped=\"%zu\">\n",
			sc.checks, sc.failed, sc.unjudged);
		fprintf(out, "  <testsuite name=\"conclab.");
		xml_str(out, lab);
		fprintf(out,
			"\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
			"skipped=\"%zu\">\n",
			sc.checks, sc.failed, sc.unjudged);
		fprintf(out,
			"    <properties>\n      <property name=\"score\" "
			"value=\"%lu of %lu%s\"/>\n",
			sc.got, sc.max,
			rep->incomplete ? " (the run did not complete)" : "");
		if (rep->incomplete) {
			fprintf(out, "      <property name=\"incomplete\" "
				     "value=\"");
			xml_str(out, rep->incomplete);
			fprintf(out, "\"/>\n");
		}
		if (sig) {
			fprintf(out, "      <property name=\"signature\" "
				     "value=\"");
			xml_str(out, sig);
			fprintf(out, "\"/>\n");
		}
		fprintf(out, "    </properties>\n");
		for (size_t i = 0; i < rep->n; i++) {
			const struct clab_lab_prop *p = &rep->props[i];
			fprintf(out, "    <testcase classname=\"");
			xml_str(out, lab);
			if (variant) {
				fputc('.', out);
				xml_str(out, variant);
			}
			fprintf(out, "\" name=\"");
			xml_str(out, p->name);
			if (p->ok && !p->info && !p->not_judged) {
				fprintf(out, "\"/>\n");
				continue;
			}
			if (p->info) {
				/* information: text, not a test result */
				fprintf(out, "\">\n      <system-out>");
				message(out, p, xml_str);
				fprintf(out,
					"</system-out>\n    </testcase>\n");
				continue;
			}
			fprintf(out, "\">\n      <%s message=\"",
				p->not_judged ? "skipped" : "failure");
			message(out, p, xml_str);
			fprintf(out, "\"/>\n    </testcase>\n");
		}
		fprintf(out, "  </testsuite>\n</testsuites>\n");
		break;
	}
	fflush(out);
	return ferror(out) ? -1 : 0;
}
