/* conclab dump: the stable text form of a trace. */
#include <stdio.h>
#include <string.h>

#include <conclab/trace.h>

#include "cmd.h"

static int dump_exec(int argc, char **argv)
{
	const char *path = NULL, *outpath = NULL;
	int alone = 0;
	for (int i = 1; i < argc; i++) {
		if (clab_cmd_is_help(argv[i])) {
			clab_cmd_usage(&clab_cmd_dump, stdout);
			return CLAB_EXIT_OK;
		}
		if (strcmp(argv[i], "-o") == 0 ||
		    strcmp(argv[i], "--output") == 0) {
			if (i + 1 >= argc)
				return clab_cmd_misuse(
				    &clab_cmd_dump, "%s needs a file", argv[i]);
			outpath = argv[++i];
		} else if (strcmp(argv[i], "--alone") == 0) {
			alone = 1;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return clab_cmd_misuse(&clab_cmd_dump,
					       "unknown option '%s'", argv[i]);
		} else if (!path) {
			path = argv[i];
		} else {
			return clab_cmd_misuse(&clab_cmd_dump,
					       "one trace at a time");
		}
	}
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
	int rc = clab_cmd_out_close(&clab_cmd_dump, outpath, out);
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
	    "records come after its fork.\n\n"
	    "Options:\n  -o, --output FILE  write to FILE instead of "
	    "standard output\n  --alone            this process's trace "
	    "alone, without its children's\n",
    .exec = dump_exec,
};
