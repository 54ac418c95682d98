/*
 * Lab reports: text for people, JSON, Gradescope's results.json and JUnit
 * XML for autograders and CI.  Nothing here depends on the time or the
 * machine, so a report is byte-identical for the same trace.
 */
#include <inttypes.h>
#include <string.h>

#include <conclab/export.h>

#include "report.h"

int clab_report_format_find(const char *name)
{
	static const char *const names[] = {
	    [CLAB_REPORT_TEXT] = "text",
	    [CLAB_REPORT_JSON] = "json",
	    [CLAB_REPORT_GRADESCOPE] = "gradescope",
	    [CLAB_REPORT_JUNIT] = "junit",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return (int)i;
	return -1;
}

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
		 p->not_judged ? "not judged, the run did not end: " : "",
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

/* The verdict's column: ok, FAIL, or -- for not judged. */
static const char *verdict(const struct clab_lab_prop *p)
{
	return p->not_judged ? "--" : p->ok ? "ok" : "FAIL";
}

int clab_report_write(FILE *out, enum clab_report_format fmt, const char *trace,
		      const char *lab, const char *variant, const char *sig,
		      const struct clab_lab_report *rep)
{
	size_t failed = clab_lab_report_failed(rep);
	size_t unjudged = clab_lab_report_unjudged(rep);
	size_t passed = rep->n - failed - unjudged;
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
			fprintf(out, "  %-4s %-24s ", verdict(p), p->name);
			message(out, p, NULL);
			fputc('\n', out);
		}
		fprintf(out, "%zu of %zu properties hold", passed, rep->n);
		if (unjudged)
			fprintf(out, ", %zu not judged (incomplete: %s)",
				unjudged, rep->incomplete);
		fputc('\n', out);
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
			"\"properties\":[",
			passed, failed, unjudged);
		for (size_t i = 0; i < rep->n; i++) {
			const struct clab_lab_prop *p = &rep->props[i];
			fprintf(out, "%s{\"name\":", i ? "," : "");
			clab_json_str(out, p->name);
			fprintf(out, ",\"ok\":%s,\"judged\":%s,\"record\":",
				p->not_judged ? "null"
				: p->ok	      ? "true"
					      : "false",
				p->not_judged ? "false" : "true");
			if (p->rec != UINT64_MAX)
				fprintf(out, "%" PRIu64, p->rec);
			else
				fputs("null", out);
			fprintf(out, ",\"message\":");
			clab_json_str(out, p->msg);
			fputc('}', out);
		}
		fprintf(out, "]}\n");
		break;
	case CLAB_REPORT_GRADESCOPE:
		/* https://gradescope-autograders.readthedocs.io: results.json
		 */
		fprintf(out, "{\"score\":%zu,\"output\":", passed);
		{
			char sum[4352];
			snprintf(
			    sum, sizeof(sum),
			    "conclab: %zu of %zu properties hold on %s%s%s%s%s",
			    passed, rep->n, trace, sig ? "; trace " : "",
			    sig ? sig : "",
			    rep->incomplete ? "; incomplete: " : "",
			    rep->incomplete ? rep->incomplete : "");
			clab_json_str(out, sum);
		}
		fprintf(out, ",\"tests\":[");
		for (size_t i = 0; i < rep->n; i++) {
			const struct clab_lab_prop *p = &rep->props[i];
			/* not judged earns nothing: the run did not end */
			int ok = p->ok && !p->not_judged;
			fprintf(out, "%s{\"name\":", i ? "," : "");
			clab_json_str(out, p->name);
			fprintf(
			    out,
			    ",\"score\":%d,\"max_score\":1,\"status\":\"%s\","
			    "\"output\":",
			    ok ? 1 : 0, ok ? "passed" : "failed");
			message(out, p, json_msg);
			fputc('}', out);
		}
		fprintf(out, "]}\n");
		break;
	case CLAB_REPORT_JUNIT:
		fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
		fprintf(out,
			"<testsuites tests=\"%zu\" failures=\"%zu\" "
			"skipped=\"%zu\">\n",
			rep->n, failed, unjudged);
		fprintf(out, "  <testsuite name=\"conclab.");
		xml_str(out, lab);
		fprintf(out,
			"\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
			"skipped=\"%zu\">\n",
			rep->n, failed, unjudged);
		if (sig || rep->incomplete) {
			fprintf(out, "    <properties>\n");
			if (sig) {
				fprintf(out, "      <property "
					     "name=\"signature\" value=\"");
				xml_str(out, sig);
				fprintf(out, "\"/>\n");
			}
			if (rep->incomplete) {
				fprintf(out, "      <property "
					     "name=\"incomplete\" value=\"");
				xml_str(out, rep->incomplete);
				fprintf(out, "\"/>\n");
			}
			fprintf(out, "    </properties>\n");
		}
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
			if (p->ok && !p->not_judged) {
				fprintf(out, "\"/>\n");
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
