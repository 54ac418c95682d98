/* conclab export: a trace as Chrome Trace Event JSON or JSON Lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/error.h>
#include <conclab/export.h>
#include <conclab/trace.h>

#include "cmd.h"

enum { FMT_NONE, FMT_CHROME, FMT_JSONL };

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

static int export_exec(int argc, char **argv)
{
	const char *path = NULL, *outpath = NULL, *check = NULL;
	int fmt = FMT_NONE;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (clab_cmd_is_help(a)) {
			clab_cmd_usage(&clab_cmd_export, stdout);
			return CLAB_EXIT_OK;
		}
		if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0 ||
		    strcmp(a, "-f") == 0 || strcmp(a, "--format") == 0 ||
		    strcmp(a, "--validate") == 0) {
			if (i + 1 >= argc)
				return clab_cmd_misuse(&clab_cmd_export,
						       "%s needs an argument",
						       a);
			const char *v = argv[++i];
			if (a[1] == 'o' || a[2] == 'o')
				outpath = v;
			else if (a[2] == 'v')
				check = v;
			else if (strcmp(v, "chrome") == 0)
				fmt = FMT_CHROME;
			else if (strcmp(v, "jsonl") == 0)
				fmt = FMT_JSONL;
			else
				return clab_cmd_misuse(
				    &clab_cmd_export,
				    "unknown format '%s' (chrome, jsonl)", v);
		} else if (strncmp(a, "--format=", 9) == 0) {
			if (strcmp(a + 9, "chrome") == 0)
				fmt = FMT_CHROME;
			else if (strcmp(a + 9, "jsonl") == 0)
				fmt = FMT_JSONL;
			else
				return clab_cmd_misuse(
				    &clab_cmd_export,
				    "unknown format '%s' (chrome, jsonl)",
				    a + 9);
		} else if (a[0] == '-' && a[1]) {
			return clab_cmd_misuse(&clab_cmd_export,
					       "unknown option '%s'", a);
		} else if (!path) {
			path = a;
		} else {
			return clab_cmd_misuse(&clab_cmd_export,
					       "one trace at a time");
		}
	}
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
	"formats.\n\n"
	"Options:\n"
	"  -f, --format FMT   chrome or jsonl\n"
	"  -o, --output FILE  write to FILE instead of standard output\n"
	"  -h, --help         this text\n\n"
	"Exit codes: 0 exported; 2 usage error or a bad or damaged trace; "
	"5 the output\ncould not be written.\n",
    .exec = export_exec,
};
