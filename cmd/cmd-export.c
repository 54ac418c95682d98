/* conclab export: a trace as Chrome Trace Event JSON or JSON Lines. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/error.h>
#include <conclab/export.h>
#include <conclab/trace.h>

#include "cmd.h"

enum { FMT_NONE = -1, FMT_CHROME, FMT_JSONL };

/* Read a whole file into memory; NULL (errno set) on failure. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;
	if (!f)
		return NULL;
	for (;;) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 1 << 16;
			char *nb = realloc(buf, ncap);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
			cap = ncap;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

/* --validate FILE: check an export (exit 0 valid, 1 invalid, 2 unreadable) */
static int validate(const char *path, int fmt)
{
	size_t len = 0;
	char *text = slurp(path, &len), err[512];
	struct clab_export_check st;
	if (!text) {
		perror(path);
		return CLAB_EXIT_USAGE;
	}
	int rc =
	    fmt == FMT_JSONL
		? clab_export_check_jsonl(text, len, &st, err, sizeof(err))
		: clab_export_check_chrome(text, len, &st, err, sizeof(err));
	free(text);
	if (rc == CLAB_ENOMEM) {
		fprintf(stderr, "conclab export: out of memory\n");
		return CLAB_EXIT_IO;
	}
	if (rc) {
		fprintf(stderr, "conclab export: %s: invalid: %s\n", path, err);
		return CLAB_EXIT_CHECK;
	}
	if (fmt == FMT_JSONL)
		printf("%s: valid: %zu records\n", path, st.records);
	else
		printf("%s: valid: %zu events, %zu threads, %zu slices, %zu "
		       "async spans, %zu instants, %zu flows, %zu unfinished\n",
		       path, st.events, st.threads, st.slices, st.asyncs,
		       st.instants, st.flows, st.unfinished);
	return CLAB_EXIT_OK;
}

static const char *const formats[] = {"chrome", "jsonl", NULL};

struct export_opts {
	int format;
	const char *output, *validate;
};

static const struct clab_opt export_opts[] = {
    {.name = "format",
     .abbrev = 'f',
     .type = CLAB_OPT_CHOICE,
     .arg = "FMT",
     .off = offsetof(struct export_opts, format),
     .choices = formats,
     .want = "chrome or jsonl",
     .help = "chrome or jsonl"},
    {.name = "output",
     .abbrev = 'o',
     .type = CLAB_OPT_STRING,
     .arg = "FILE",
     .off = offsetof(struct export_opts, output),
     .help = "write to FILE instead of standard output"},
    {.name = "validate",
     .type = CLAB_OPT_STRING,
     .arg = "FILE",
     .off = offsetof(struct export_opts, validate),
     .help = "check that FILE is a valid export of --format (chrome by "
	     "default): exit 0 valid, 1 invalid"},
    CLAB_OPT_TABLE_END,
};

static int export_exec(int argc, char **argv)
{
	struct export_opts o = {.format = FMT_NONE};
	struct clab_opts_rest r = {0};
	void *const bases[] = {&o};
	int prc = clab_opts_parse(&clab_cmd_export, argc, argv, bases, &r);
	if (prc || r.help) /* --help: printed */
		return prc;
	const char *path = r.operands[0], *outpath = o.output,
		   *check = o.validate;
	int fmt = o.format;
	if (check) {
		if (path || outpath)
			return clab_cmd_misuse(&clab_cmd_export,
					       "--validate takes only a file "
					       "(and --format)");
		return validate(check, fmt);
	}
	if (fmt == FMT_NONE)
		return clab_cmd_misuse(&clab_cmd_export,
				       "which format? --format chrome or "
				       "--format jsonl");
	if (!path)
		return clab_cmd_misuse(&clab_cmd_export, "which trace?");

	char err[512];
	struct clab_trace *tr;
	if (clab_trace_load(path, &tr, err, sizeof(err)) != 0) {
		fprintf(stderr, "conclab export: %s\n", err);
		return CLAB_EXIT_USAGE;
	}
	FILE *out = clab_cmd_out_open(&clab_cmd_export, outpath);
	if (!out) {
		clab_trace_free(tr);
		return CLAB_EXIT_IO;
	}
	int werr = fmt == FMT_CHROME ? clab_export_chrome(tr, out)
				     : clab_export_jsonl(tr, out);
	int rc = clab_cmd_out_close(&clab_cmd_export, outpath, out);
	if (werr == CLAB_ENOMEM) {
		fprintf(stderr, "conclab export: out of memory\n");
		rc = CLAB_EXIT_IO;
	}
	/* a trace the writer never closed says so in "verdict" */
	if (clab_trace_damage(tr) && !clab_trace_whole(tr)) {
		fprintf(stderr,
			"conclab export: %s\nconclab export: the %zu records "
			"of the whole chunks before the damage were "
			"exported\n",
			clab_trace_damage(tr), clab_trace_nrecords(tr));
		if (rc == CLAB_EXIT_OK)
			rc = CLAB_EXIT_USAGE;
	}
	clab_trace_free(tr);
	return rc;
}

const struct clab_cmd clab_cmd_export = {
    .name = "export",
    .args = "--format chrome|jsonl [-o FILE] TRACE",
    .summary = "convert a trace for Perfetto, chrome://tracing or scripts",
    .help =
	"--format chrome writes Chrome Trace Event JSON: open it in "
	"https://ui.perfetto.dev\n(\"Open trace file\") or chrome://tracing.  "
	"Each thread is a lane with its waits\n(\"wait fork-3\", \"wait cond "
	"c\", \"join T3\", \"sleep\"); each mutex is a track of\nwho holds it "
	"(\"hold fork-3\"); annotations, diagnostics and signals are\n"
	"instants; arrows lead from a release to the acquire it let through, "
	"from a\nsignal to the wake-up, from a semaphore release to a "
	"waiter, from a thread's\nexit to its join.  Spans still open when "
	"the trace ended (a deadlock) end with\nit and say \"unfinished\".\n\n"
	"--format jsonl writes a header object (metadata, threads, objects), "
	"then one\nJSON object per record, one a line, for jq and scripts.\n"
	"Both carry a \"verdict\": what 'conclab analyze' and 'conclab "
	"check' say of the\nlock order, a deadlock and an incomplete run, "
	"with the same records.\n\n"
	"The same trace always exports to the same bytes.  A damaged trace "
	"is exported\nup to its last whole chunk; the damage is reported on "
	"stderr and the exit code\nis 2.  docs/export.md describes both "
	"formats.\n",
    .groups = (const struct clab_opt_group[]){{export_opts, 0}, {NULL, 0}},
    .max_operands = 1,
    .too_many = "one trace at a time",
    .more = "Exit codes: 0 exported; 2 usage error or a bad or damaged trace; "
	    "5 the output\ncould not be written.\n",
    .exec = export_exec,
};
