/* conclab dump: the stable text form of a trace. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <conclab/trace.h>

#include "cmd.h"

struct dump_opts {
	const char *output;
	int alone;
};

static const struct clab_opt dump_opts[] = {
    {.name = "output",
     .abbrev = 'o',
     .type = CLAB_OPT_STRING,
     .arg = "FILE",
     .off = offsetof(struct dump_opts, output),
     .help = "write to FILE instead of standard output"},
    {.name = "alone",
     .type = CLAB_OPT_FLAG,
     .off = offsetof(struct dump_opts, alone),
     .help = "this process's trace alone, without its children's"},
    CLAB_OPT_TABLE_END,
};

static int dump_exec(int argc, char **argv)
{
	struct dump_opts d = {0};
	struct clab_opts_rest r = {0};
	void *const bases[] = {&d};
	int rc = clab_opts_parse(&clab_cmd_dump, argc, argv, bases, &r);
	if (rc || r.help) /* --help: printed */
		return rc;
	const char *path = r.operands[0], *outpath = d.output;
	int alone = d.alone;
	if (!path)
		return clab_cmd_misuse(&clab_cmd_dump, "which trace?");
	char err[512];
	struct clab_trace *tr;
	if ((alone ? clab_trace_load_process
		   : clab_trace_load)(path, &tr, err, sizeof(err)) != 0) {
		fprintf(stderr, "conclab dump: %s\n", err);
		return CLAB_EXIT_USAGE;
	}
	FILE *out = clab_cmd_out_open(&clab_cmd_dump, outpath);
	if (!out) {
		clab_trace_free(tr);
		return CLAB_EXIT_IO;
	}
	clab_trace_dump(tr, out);
	rc = clab_cmd_out_close(&clab_cmd_dump, outpath, out);
	clab_cmd_trace_warning(&clab_cmd_dump, tr);
	if (clab_trace_damage(tr)) {
		fprintf(stderr,
			"conclab dump: %s\nconclab dump: the %zu records of "
			"the whole chunks before the damage were dumped\n",
			clab_trace_damage(tr), clab_trace_nrecords(tr));
		if (rc == CLAB_EXIT_OK)
			rc = CLAB_EXIT_USAGE;
	}
	clab_trace_free(tr);
	return rc;
}

const struct clab_cmd clab_cmd_dump = {
    .name = "dump",
    .args = "[-o FILE] [--alone] TRACE",
    .summary = "print a trace as text, one record a line",
    .help = "Prints the trace's metadata, threads and objects as '#' "
	    "lines, then one line\nper record: sequence number, time "
	    "(seconds since the trace started),\nthread, kind, object, "
	    "arguments and source site.  The same trace always\ndumps to "
	    "the same bytes, so dumps can be diffed and graded.\n\n"
	    "A trace that was cut short or damaged is dumped up to its "
	    "last whole chunk;\nthe damage is reported on stderr and the "
	    "exit code is 2.\nA record that names an object the trace never "
	    "defined is skipped with a\nwarning on stderr and a '# warning' "
	    "line; the exit code stays 0.\n\n"
	    "The trace of a process that forked children (clab_fork) is "
	    "dumped with\ntheirs, from the same directory, as one timeline: "
	    "their threads are named\n'pid N / NAME', and each child's "
	    "records come after its fork.\n",
    .groups = (const struct clab_opt_group[]){{dump_opts, 0}, {NULL, 0}},
    .more = "Exit codes: 0 dumped; 2 usage error or a bad or damaged "
	    "trace; 5 the output\ncould not be written.\n",
    .max_operands = 1,
    .too_many = "one trace at a time",
    .exec = dump_exec,
};
