/* conclab: the command's entry point and subcommand table. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <inttypes.h>
#include <unistd.h>

#include <conclab/label.h>
#include <conclab/runtime.h>
#include <conclab/trace.h>

#include "cmd.h"

/* clang-format off */
static const struct clab_cmd *const cmds[] = {
	&clab_cmd_list,
	&clab_cmd_run,
	&clab_cmd_dump,
	&clab_cmd_analyze,
	&clab_cmd_export,
	&clab_cmd_check,
	&clab_cmd_bench,
	&clab_cmd_replay,
	&clab_cmd_exercise,
	&clab_cmd_explore,
	&clab_cmd_step,
	&clab_cmd_demo,
	&clab_cmd_trace,
};
/* clang-format on */
#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static const char exit_codes[] =
    "Exit codes:\n"
    "  0  success\n"
    "  1  a lab property check failed (bench --whole: a program failed)\n"
    "  2  usage error, or an unreadable, corrupt or truncated trace\n"
    "  3  the watchdog found a deadlock (report on stderr, trace saved)\n"
    "  4  the run exceeded its time limit (trace saved)\n"
    "  5  the trace file could not be written\n"
    "  128+N  the run was stopped by signal N (130: Ctrl-C; trace saved)\n";

static void usage(FILE *out)
{
	fprintf(out, "usage: conclab COMMAND [OPTIONS] [ARGS]\n\n"
		     "conclab runs concurrency labs on instrumented threads,\n"
		     "records every synchronisation operation in a trace,\n"
		     "and finds deadlocks.\n\nCommands:\n");
	for (size_t i = 0; i < NCMDS; i++)
		fprintf(out, "  %-8s %s\n", cmds[i]->name, cmds[i]->summary);
	fprintf(out,
		"\n'conclab COMMAND --help' describes a command.\n"
		"Options: -h, --help    this text\n"
		"         -V, --version print the version\n\n%s",
		exit_codes);
}

void clab_cmd_usage(const struct clab_cmd *cmd, FILE *out)
{
	fprintf(out, "usage: conclab %s %s\n\n%s\n\n%s", cmd->name, cmd->args,
		cmd->summary, cmd->help);
	if (!cmd->groups)
		return;
	fprintf(out, "\n");
	clab_opts_help(cmd, out);
	if (cmd->more)
		fprintf(out, "\n%s", cmd->more);
}

int clab_cmd_misuse(const struct clab_cmd *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "conclab %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr,
		"\nusage: conclab %s %s\n"
		"Try 'conclab %s --help' for more.\n",
		cmd->name, cmd->args, cmd->name);
	return CLAB_EXIT_USAGE;
}

int clab_cmd_is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

void clab_cmd_trace_warning(const struct clab_cmd *cmd,
			    const struct clab_trace *tr)
{
	uint64_t n = clab_trace_skipped(tr);
	if (!n && clab_trace_warning(tr)) /* a child's trace left out */
		fprintf(stderr, "conclab %s: warning: %s\n", cmd->name,
			clab_trace_warning(tr));
	if (!n)
		return;
	fprintf(stderr,
		"conclab %s: warning: %s\nconclab %s: warning: %" PRIu64
		" record%s naming an undefined object skipped, the rest of "
		"the trace read\n",
		cmd->name, clab_trace_warning(tr), cmd->name, n,
		n == 1 ? "" : "s");
}

const char *clab_cmd_program_name(const struct clab_trace *tr)
{
	const char *p = clab_trace_meta(tr, "program");
	const char *b = p ? strrchr(p, '/') : NULL;
	return b ? b + 1 : p;
}

void clab_cmd_nolab_note(FILE *out)
{
	fprintf(out, "lab checks not run: the trace names no lab (it was not "
		     "made by 'conclab run'\nor 'conclab exercise'); 'conclab "
		     "check --lab LAB' "
		     "checks it against\na lab's properties too\n");
}

int clab_cmd_parse_long(const char *s, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end)
		return -1;
	*out = v;
	return 0;
}

FILE *clab_cmd_out_open(const struct clab_cmd *cmd, const char *path)
{
	/* errno tells why a write failed, even one before the flush */
	errno = 0;
	if (!path)
		return stdout;
	FILE *out = fopen(path, "w");
	if (!out)
		fprintf(stderr, "conclab %s: cannot write %s: %s\n", cmd->name,
			path, strerror(errno));
	return out;
}

int clab_cmd_out_close(const struct clab_cmd *cmd, const char *path, FILE *out)
{
	/*
	 * A write that failed before the flush left the error flag, and
	 * its reason in errno (the writers change errno only by failing).
	 */
	int e = fflush(out) != 0 ? errno
		: ferror(out)	 ? (errno ? errno : EIO)
				 : 0;
	if (out != stdout && fclose(out) != 0 && !e)
		e = errno;
	if (!e)
		return 0;
	fprintf(stderr, "conclab %s: cannot write %s: %s\n", cmd->name,
		path ? path : "the standard output", strerror(e));
	if (out == stdout)
		clearerr(stdout); /* said once: main's last flush is quiet */
	return CLAB_EXIT_IO;
}

/*
 * What a command printed on standard output and could not write (a full
 * disk, a closed pipe's reader gone) is an error of its own: exit 5.
 */
static int finish(const struct clab_cmd *cmd, int rc)
{
	int wrc = clab_cmd_out_close(cmd, NULL, stdout);
	return wrc ? wrc : rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLAB_EXIT_USAGE;
	}
	if (clab_cmd_is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
		if (argc > 2 && strcmp(argv[1], "help") == 0) {
			for (size_t i = 0; i < NCMDS; i++)
				if (strcmp(argv[2], cmds[i]->name) == 0) {
					clab_cmd_usage(cmds[i], stdout);
					return CLAB_EXIT_OK;
				}
		}
		usage(stdout);
		return CLAB_EXIT_OK;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("conclab %s\n", clab_version());
		return CLAB_EXIT_OK;
	}
	clab_text_width_choose();
	for (size_t i = 0; i < NCMDS; i++)
		if (strcmp(argv[1], cmds[i]->name) == 0)
			return finish(cmds[i],
				      cmds[i]->exec(argc - 1, argv + 1));
	fprintf(stderr, "conclab: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return CLAB_EXIT_USAGE;
}

int clab_cmd_parse_size(const char *s, int *w, int *h)
{
	char *end;
	long a = strtol(s, &end, 10);
	if (end == s || *end != 'x')
		return -1;
	const char *p = end + 1;
	long b = strtol(p, &end, 10);
	if (end == p || *end || a < 1 || b < 1 || a > 1000 || b > 1000)
		return -1;
	*w = (int)a;
	*h = (int)b;
	return 0;
}
