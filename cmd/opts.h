/*
 * A command's options, declared: one table per command (and shared ones for
 * the scheduler's and the viewer's options), read by the parser, by --help
 * and by the test that holds docs/conclab.1 to them (tests/e2e/options.sh).
 */
#ifndef CONCLAB_CMD_OPTS_H
#define CONCLAB_CMD_OPTS_H

#include <stddef.h>
#include <stdio.h>

struct clab_cmd;
struct clab_lab_args;

enum clab_opt_type {
	CLAB_OPT_END,	  /* ends a table */
	CLAB_OPT_FLAG,	  /* no value: the int at .off becomes .set (0: 1) */
	CLAB_OPT_LONG,	  /* a whole number in .min...max: the long at .off */
	CLAB_OPT_STRING,  /* text (.min 1: not empty): the char * at .off */
	CLAB_OPT_CHOICE,  /* one of .choices: its index, the int at .off */
	CLAB_OPT_REST,	  /* the arguments after it are its values */
	CLAB_OPT_REFUSED, /* not for this command: .help says why */
};

struct clab_opt {
	const char *name; /* "time-limit" for --time-limit */
	char abbrev;	  /* 'q' for -q, or 0 */
	enum clab_opt_type type;
	const char *arg; /* the value's name in --help: "SEC", "FILE" */
	size_t off;	 /* where the value goes in the options' structure */
	long min, max;	 /* CLAB_OPT_LONG's range */
	int set;	 /* CLAB_OPT_FLAG's value (0: 1) */
	const char *const *choices; /* CLAB_OPT_CHOICE's, NULL-terminated */
	/*
	 * Instead of storing the value (the number already checked, for
	 * CLAB_OPT_LONG; val NULL for a flag): returns 0, -1 for the usual
	 * message ("--NAME wants WANT, not 'VAL'"), or the exit code of an
	 * error it reported.
	 */
	int (*parse)(const struct clab_cmd *cmd, void *base, const char *val,
		     long num);
	const char *want; /* what a bad value's message says it wants */
	const char *def;  /* the default, for --help */
	const char *help; /* its text in --help (wrapped there) */
};

/* A table's last entry. */
#define CLAB_OPT_TABLE_END                                                     \
	{                                                                      \
		.type = CLAB_OPT_END                                           \
	}

/* The tables a command reads, in order: its own, then shared ones. */
struct clab_opt_group {
	const struct clab_opt *opts;
	/* Index of the structure its values go to in clab_opts_parse's bases.
	 */
	unsigned base;
};

/* What clab_opts_parse found besides the options. */
struct clab_opts_rest {
	const char *operands[4];
	size_t noperands;
	int help;     /* -h or --help was given (and printed) */
	int own_help; /* the command prints its --help itself */
	int rest;     /* CLAB_OPT_REST: argv index of its values (0: none) */
	struct clab_lab_args *lab; /* --KEY VALUE not in the tables goes here */
};

/*
 * clab_opts_parse - parse argv[1..argc-1] by cmd's tables into bases[]
 * (one structure per group's .base).  A name is matched with '_' read as
 * '-' (--think_ms is --think-ms), in the forms "--NAME VALUE", "--NAME=VALUE"
 * and "-X VALUE".  Operands go to r->operands (at most cmd->max_operands);
 * with r->lab set, other "--KEY VALUE" are lab arguments
 * (clab_lab_args_opt) and the first operand is the lab.  Returns 0, or
 * the exit code of a usage error it reported (clab_cmd_misuse).  After
 * -h or --help (r->help), the usage is printed, unless r->own_help.
 */
int clab_opts_parse(const struct clab_cmd *cmd, int argc, char **argv,
		    void *const *bases, struct clab_opts_rest *r);

/* Print cmd's options as --help lists them (every table, then -h). */
void clab_opts_help(const struct clab_cmd *cmd, FILE *out);

/* Whether two option names are the same, '_' and '-' alike. */
int clab_opts_same(const char *a, const char *b);

/* The scheduler's options (sched-opts.c) and the viewer's (view-opts.c). */
extern const struct clab_opt clab_cmd_sched_mode_opts[]; /* --sched --replay */
extern const struct clab_opt clab_cmd_sched_pct_opts[];	 /* --pct-depth */
extern const struct clab_opt clab_cmd_sched_opts[];	 /* the others */
extern const struct clab_opt clab_cmd_view_opts[];
/* --variant, into a struct clab_lab_args (cmd-run.c) */
extern const struct clab_opt clab_cmd_lab_opts[];

#endif
