/* The conclab command: one file per subcommand, each one const struct. */
#ifndef CONCLAB_CMD_H
#define CONCLAB_CMD_H

#include <stdio.h>

/* Exit codes, documented in `conclab --help` and conclab(1). */
enum {
	CLAB_EXIT_OK = 0,
	CLAB_EXIT_CHECK = 1,	/* a lab property failed */
	CLAB_EXIT_USAGE = 2,	/* bad usage, or bad or damaged input */
	CLAB_EXIT_DEADLOCK = 3, /* the watchdog found a deadlock */
	CLAB_EXIT_TIMEOUT = 4,	/* the run exceeded its time limit */
	CLAB_EXIT_IO = 5,	/* the trace could not be written */
};

struct clab_cmd {
	const char *name;
	const char *args;    /* usage after the name */
	const char *summary; /* one line */
	const char *help;    /* the rest of --help */
	int (*exec)(int argc, char **argv);
};

extern const struct clab_cmd clab_cmd_list;
extern const struct clab_cmd clab_cmd_run;
extern const struct clab_cmd clab_cmd_dump;
extern const struct clab_cmd clab_cmd_analyze;
extern const struct clab_cmd clab_cmd_export;
extern const struct clab_cmd clab_cmd_check;
extern const struct clab_cmd clab_cmd_bench;
extern const struct clab_cmd clab_cmd_replay;

/* Print cmd's usage and help to out. */
void clab_cmd_usage(const struct clab_cmd *cmd, FILE *out);
/* Report a usage error for cmd on stderr; returns CLAB_EXIT_USAGE. */
int clab_cmd_misuse(const struct clab_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Whether arg is -h or --help. */
int clab_cmd_is_help(const char *arg);
/* Parse a whole decimal number into *out; returns 0 or -1. */
int clab_cmd_parse_long(const char *s, long *out);

#endif
