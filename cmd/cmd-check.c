/* conclab check: a lab's properties on a trace, for people and graders. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/trace.h>

#include "cmd.h"
#include "lab.h"
#include "report.h"
#include "rubric.h"

struct check_opts {
	const char *lab, *output, *key, *rubric;
	int format;
	long starvation_ms; /* 0: the checks' default */
};

static const struct clab_opt check_opts[] = {
    {.name = "lab",
     .type = CLAB_OPT_STRING,
     .arg = "LAB",
     .off = offsetof(struct check_opts, lab),
     .help = "check against LAB's properties"},
    {.name = "format",
     .type = CLAB_OPT_CHOICE,
     .arg = "F",
     .off = offsetof(struct check_opts, format),
     .choices = clab_report_format_names,
     .def = "text",
     .help = "text, json, gradescope (results.json) or junit"},
    {.name = "output",
     .abbrev = 'o',
     .type = CLAB_OPT_STRING,
     .arg = "FILE",
     .off = offsetof(struct check_opts, output),
     .help = "write the report to FILE"},
    {.name = "key",
     .type = CLAB_OPT_STRING,
     .arg = "FILE",
     .off = offsetof(struct check_opts, key),
     .def = "$CONCLAB_KEY_FILE, if set",
     .help = "verify the trace's signature with the key in FILE (the one "
	     "'conclab run' or 'conclab exercise' signed it with)"},
    {.name = "rubric",
     .type = CLAB_OPT_STRING,
     .arg = "FILE",
     .off = offsetof(struct check_opts, rubric),
     .help = "weigh the properties as FILE says (docs/grading.md, "
	     "\"Rubrics\")"},
    {.name = "starvation-ms",
     .type = CLAB_OPT_LONG,
     .arg = "N",
     .off = offsetof(struct check_opts, starvation_ms),
     .min = 1,
     .max = 86400000L,
     .want = "milliseconds (1..86400000)",
     .def = "the larger of 1000 and 10 times the median wait",
     .help = "a wait longer than N ms fails \"starvation\""},
    CLAB_OPT_TABLE_END,
};

static int check_exec(int argc, char **argv)
{
	struct check_opts o = {.format = CLAB_REPORT_TEXT};
	struct clab_opts_rest r = {0};
	void *const bases[] = {&o};
	static struct clab_cmd_key key;
	int prc = clab_opts_parse(&clab_cmd_check, argc, argv, bases, &r);
	if (prc || r.help) /* --help: printed */
		return prc;
	const char *path = r.operands[0], *lab = o.lab, *outpath = o.output,
		   *keypath = o.key;
	int fmt = o.format;
	long starvation_ms = o.starvation_ms;
	if (!path)
		return clab_cmd_misuse(&clab_cmd_check, "which trace?");
	int rc = clab_cmd_key_load(&clab_cmd_check, keypath, &key);
	if (rc)
		return rc;
	char err[512];
	void *data;
	size_t len;
	if (clab_trace_read_file(path, &data, &len, err, sizeof(err)) != 0) {
		fprintf(stderr, "conclab check: %s\n", err);
		clab_cmd_key_wipe(&key);
		return CLAB_EXIT_USAGE;
	}
	/*
	 * With a key, the signature first, over the very bytes that are
	 * graded: a trace that is not what the key's holder wrote is refused
	 * whatever else is wrong with it.
	 */
	const char *sig = NULL;
	int keyed = key.len != 0;
	if (keyed) {
		int st = clab_trace_verify(data, len, path, key.bytes, key.len,
					   err, sizeof(err));
		clab_cmd_key_wipe(&key);
		if (st != CLAB_SIG_VERIFIED) {
			fprintf(stderr, "conclab check: %s\n", err);
			free(data);
			return CLAB_EXIT_USAGE;
		}
		sig = "signed, verified";
	}
	struct clab_trace *tr;
	rc = clab_trace_load_mem(data, len, path, &tr, err, sizeof(err));
	free(data);
	/* a signature covers one file: a signed grade is its process's */
	if (rc == 0 && !keyed && clab_trace_add_children(tr, path) != 0) {
		clab_trace_free(tr);
		snprintf(err, sizeof(err), "%s: out of memory", path);
		rc = CLAB_ENOMEM;
	}
	if (rc != 0) {
		fprintf(stderr, "conclab check: %s\n", err);
		return CLAB_EXIT_USAGE;
	}
	if (!sig)
		sig = clab_trace_signed(tr) ? "signed (not verified: no --key)"
					    : "not signed";
	if (clab_trace_damage(tr) && !clab_trace_whole(tr)) {
		/*
		 * A grade needs the whole trace: refuse a damaged one.  One
		 * whose writer never closed it (SIGKILL) is whole as far as
		 * it goes: judged as an incomplete run.
		 */
		fprintf(stderr, "conclab check: %s\n", clab_trace_damage(tr));
		clab_trace_free(tr);
		return CLAB_EXIT_USAGE;
	}
	clab_cmd_trace_warning(&clab_cmd_check, tr);
	struct clab_lab_ctx ctx;
	/* a trace of no lab (conclab trace, an own program): generic checks */
	int nolab = !lab && !clab_trace_meta(tr, "lab");
	if (!nolab &&
	    clab_lab_ctx_from_trace(&ctx, tr, lab, err, sizeof(err)) != 0) {
		fprintf(stderr, "conclab check: %s: %s\n", path, err);
		clab_trace_free(tr);
		return CLAB_EXIT_USAGE;
	}
	/* a rubric names the lab's properties: read once the lab is known,
	 * before the checks */
	static struct clab_rubric rubric;
	if (o.rubric) {
		const char *rlab = nolab ? "no lab" : ctx.lab->name;
		clab_rubric_default(&rubric, rlab);
		if (clab_rubric_load(&rubric, rlab, o.rubric, err,
				     sizeof(err)) != 0) {
			fprintf(stderr, "conclab check: %s\n", err);
			clab_trace_free(tr);
			return CLAB_EXIT_USAGE;
		}
	}
	struct clab_lab_report rep = {0};
	rep.opts.starvation_ms = starvation_ms;
	if (nolab) {
		clab_generic_check_any(tr, &rep);
	} else {
		clab_lab_check(&ctx, tr, &rep);
	}
	FILE *out = clab_cmd_out_open(&clab_cmd_check, outpath);
	if (!out) {
		clab_lab_report_free(&rep);
		clab_trace_free(tr);
		return CLAB_EXIT_IO;
	}
	/* an exercise's trace is the student's code, not a variant */
	const char *lname, *vname;
	if (nolab) {
		lname = "no lab";
		vname = clab_cmd_program_name(tr);
	} else {
		lname = ctx.lab->name;
		vname = clab_trace_meta(tr, "exercise")
			    ? "exercise"
			    : ctx.lab->variants[ctx.variant].name;
	}
	clab_report_write(out, (enum clab_report_format)fmt, path, lname, vname,
			  sig, &rep, o.rubric ? &rubric : NULL);
	if (nolab)
		clab_cmd_nolab_note(fmt == CLAB_REPORT_TEXT ? out : stderr);
	if (fmt == CLAB_REPORT_TEXT)
		clab_cmd_forks(tr, path, out);
	int werr = clab_cmd_out_close(&clab_cmd_check, outpath, out);
	rc = werr			    ? CLAB_EXIT_IO
	     : clab_lab_report_failed(&rep) ? CLAB_EXIT_CHECK
					    : CLAB_EXIT_OK;
	/* conclab's tests: the digest's verdict against this full one */
	if (getenv("CONCLAB_DIGEST_COMPARE") &&
	    clab_cmd_digest_compare(path, stderr))
		rc = CLAB_EXIT_DIGEST;
	clab_lab_report_free(&rep);
	clab_trace_free(tr);
	return rc;
}

const struct clab_cmd clab_cmd_check = {
    .name = "check",
    .args = "[--lab LAB] [--format F] [-o FILE] [--starvation-ms N] "
	    "[--rubric FILE] [--key FILE] TRACE",
    .summary = "check a lab's properties on a trace, for graders",
    .help =
	"Runs the lab's checker on the trace: each property (a fork is never "
	"held by\ntwo philosophers, every item is consumed exactly once, "
	"every waiter sees\nevery tick...) plus the checks every lab shares "
	"(no deadlock, no lock-order\ncycle, no misuse, every thread "
	"ended, no starvation, no busy waiting, and\nhow much ran "
	"concurrently).  A failed property names the record\nthat shows it, so "
	"it can be found in 'conclab dump' or the viewer.\n"
	"Lines of information (the longest wait for a fork...) are shown as "
	"info and\nare worth nothing; each property that holds is worth its "
	"lab's weight for it\n(docs/grading.md), and none when the run did "
	"not complete (deadlock, crash,\ntime limit).\n\n"
	"The lab, its variant and parameters are read from the trace "
	"(written by\n'conclab run'); --lab names the lab of a trace that "
	"does not say.  Without it,\na trace of no lab ('conclab trace', "
	"a program of one's own) gets the checks\nevery lab shares and "
	"\"locks held at exit\" (a mutex, reader-writer lock or\nsemaphore "
	"permit still held when the trace ended), and a last line\nsays "
	"that no lab's checks were run, and why (on stderr for the "
	"formats\nother than text).  The same trace always gives a "
	"byte-identical report.\n\n"
	"--rubric FILE weighs the properties as 'conclab exercise --rubric' "
	"does: one\n'name, weight' line each (docs/grading.md, "
	"\"Rubrics\").\n\n"
	"The report says whether the trace is signed: \"signed, verified\" "
	"(with --key),\n\"signed (not verified: no --key)\" or \"not "
	"signed\".  With --key, a trace\nthat is not signed, was signed "
	"with another key, or was changed after it\nwas signed (a byte "
	"edited, chunks removed, added or reordered, anything\nappended) "
	"is refused with a message that says which.\n\n"
	"The trace of a process that forked children (clab_fork) is "
	"checked with\ntheirs, from the same directory, as one run; with "
	"--key, alone (a\nsignature covers one file).\n\n"
	"A run that did not end (Ctrl-C, the watchdog, a crash, or a trace "
	"whose writer\nnever closed it) is reported \"incomplete: stopped "
	"while N threads ran\" and\njudged on what happened: a safety "
	"property still fails, one that needs the\nrun's end (every item "
	"taken) is \"not judged\" (--) and fails nothing.\n"
	"\"no deadlock\" and \"lock order\" come from the analysis "
	"that 'conclab analyze'\nprints, with the same records.\n",
    .groups = (const struct clab_opt_group[]){{check_opts, 0}, {NULL, 0}},
    .max_operands = 1,
    .too_many = "one trace at a time",
    .more =
	"Exit codes: 0 every property holds (or was not judged); 1 a "
	"property failed;\n2 usage error, or an unreadable, damaged or "
	"unknown trace, or (with --key)\none whose signature does not "
	"verify; 5 the report could not be written\n(the message names the "
	"file and the reason).\nA record that names an object the trace "
	"never defined is skipped with a\nwarning on stderr, and the rest "
	"of the trace is checked.\n\n"
	"Environment: CONCLAB_DIGEST_COMPARE (for conclab's tests) compares "
	"the verdict\nof the trace's digest with the full report's, exit 70 "
	"when they disagree\n(docs/trace-command.md, \"The quick report\").\n",
    .exec = check_exec,
};
