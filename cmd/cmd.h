/* The conclab command: one file per subcommand, each one const struct. */
#ifndef CONCLAB_CMD_H
#define CONCLAB_CMD_H

#include <stdint.h>
#include <stdio.h>

#include "opts.h"

/* Exit codes, documented in `conclab --help` and conclab(1). */
enum {
	CLAB_EXIT_OK = 0,
	CLAB_EXIT_CHECK = 1,	/* a lab property failed */
	CLAB_EXIT_USAGE = 2,	/* bad usage, or bad or damaged input */
	CLAB_EXIT_DEADLOCK = 3, /* the watchdog found a deadlock */
	CLAB_EXIT_TIMEOUT = 4,	/* the run exceeded its time limit */
	CLAB_EXIT_IO = 5,	/* the trace could not be written */
	/* CONCLAB_DIGEST_COMPARE, for conclab's tests: the digest was wrong */
	CLAB_EXIT_DIGEST = 70,
};

struct clab_opt_group;

struct clab_cmd {
	const char *name;
	const char *args;    /* usage after the name */
	const char *summary; /* one line */
	const char *help;    /* --help before the options */
	/* Its option tables (opts.h), ended by one whose .opts is NULL. */
	const struct clab_opt_group *groups;
	const char *help_help; /* -h's text (NULL: "this text") */
	const char *more;      /* --help after the options (exit codes) */
	size_t max_operands;   /* arguments that are not options */
	const char *too_many;  /* the message for one more (NULL: generic) */
	/* The first operand ends the options; it and the rest are kept. */
	int operands_end_options;
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
extern const struct clab_cmd clab_cmd_exercise;
extern const struct clab_cmd clab_cmd_explore;
extern const struct clab_cmd clab_cmd_step;
extern const struct clab_cmd clab_cmd_demo;
extern const struct clab_cmd clab_cmd_trace;

struct clab_lab;
struct clab_lab_ctx;
struct clab_meta_kv;

/* At most this many extra metadata entries in a clab_run_spec. */
#define CLAB_RUN_MAX_EXTRA 8

struct clab_rubric;

/* Something to run the way `conclab run` runs a lab (cmd-run.c). */
struct clab_run_spec {
	const struct clab_lab *lab;	/* whose checker grades the trace */
	const struct clab_lab_ctx *ctx; /* parameters and seed */
	const char *variant;		/* what ran, for the report */
	const char *trace;		/* the trace file to write */
	/*
	 * Where the process writes and reads it, when not trace (a
	 * sandbox's own directory, from which the parent copies it to
	 * trace); messages and the report still name trace.  NULL: trace.
	 */
	const char *trace_file;
	const struct clab_meta_kv *extra; /* more metadata ("exercise") */
	size_t nextra;
	/* Runs in the traced main thread; returns 0 or a negative error. */
	int (*body)(const struct clab_lab_ctx *ctx, void *arg);
	void *arg;
	long limit_s; /* time limit, seconds (0: none) */
	int quiet;
	/* The controlled scheduler's options (NULL: the OS schedules). */
	const struct clab_cmd_sched *sched;
	/* The run's replay line says "conclab exercise LAB replay_as". */
	const char *replay_as;
	/* Sign the trace with these key bytes (NULL: do not). */
	const void *key;
	size_t key_len;
	/* The report's weights (NULL: the lab's defaults; rubric.h). */
	const struct clab_rubric *rubric;
};

/*
 * clab_run_traced - run s->body under the tracer and the deadlock watchdog
 * as `conclab run` runs a lab: the trace gets lab, seed, the parameters and
 * s->extra as metadata (no "variant"), then the lock-order report and the
 * lab's checker are printed.  Returns the exit code (0, 1, or 5 when the
 * trace could not be written).  Does not return on a deadlock (exit 3), the
 * time limit (4), Ctrl-C and friends (128+N), or a crash in the body
 * (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT: the trace is saved and
 * checked, then exit 128+N).  Call it once per process.
 */
int clab_run_traced(const struct clab_run_spec *s);
/*
 * clab_run_abandon - end the run of clab_run_traced() from the body (the
 * student's code called exit()): say why on stderr, save the trace, print
 * the report and exit 1 (5 when the trace cannot be written).  Record why
 * in the trace first (an "ended-early:CALL" note, which fails "run
 * completed"), or the report will not show it.
 */
_Noreturn void clab_run_abandon(const char *why);
/* Load s->trace, print the lock-order report and check it; exit code. */
int clab_run_check(const struct clab_run_spec *s);

/*
 * How a trace is recorded, for conclab run and conclab trace: --codec (enum
 * clab_trace_codec) and --buffer-mb (0: the tracer's 8).
 */
struct clab_cmd_record {
	int codec;
	long buffer_mb;
};
extern const struct clab_opt clab_cmd_record_opts[];

/* A lab, its variant and its parameters, from a command's arguments. */
struct clab_lab_args {
	const char *lab;
	const char *variant;
	struct {
		char *name;
		const char *value;
	} params[32];
	size_t nparams;
};
/* --variant V or --PARAM V: returns 0, or a usage error's exit code. */
int clab_lab_args_opt(const struct clab_cmd *cmd, struct clab_lab_args *a,
		      const char *key, const char *val);
/* Find the lab and variant and set the parameters in ctx (and *vi). */
int clab_lab_args_resolve(const struct clab_cmd *cmd,
			  const struct clab_lab_args *a,
			  struct clab_lab_ctx *ctx, int *vi);
void clab_lab_args_fini(struct clab_lab_args *a);
/*
 * clab_lab_args_print - print to out, as options (" --NAME VALUE"), the
 * parameters of ctx that are not its variant's defaults: what a command
 * that runs the same lab again needs.
 */
void clab_lab_args_print(FILE *out, const struct clab_lab_ctx *ctx);

/*
 * clab_run_lab - run ctx's lab as `conclab run` does, writing trace, under
 * sched (NULL: the OS schedules).  Returns the exit code; does not return
 * on a deadlock, a time or step limit, a signal.  Once per process.
 */
struct clab_cmd_sched;
int clab_run_lab(const struct clab_lab_ctx *ctx, const char *trace,
		 const struct clab_cmd_sched *sched, int quiet);

/*
 * The key that signs traces (cmd/key.c): the bytes of a key file.  A
 * longer file is refused, as a file that is not a key at all.
 */
#define CLAB_CMD_KEY_MAX 4096
struct clab_cmd_key {
	unsigned char bytes[CLAB_CMD_KEY_MAX];
	size_t len; /* 0: no key */
	const char *path;
};
/*
 * Read the key file path (NULL: the one $CONCLAB_KEY_FILE names; neither:
 * no key, k->len 0) into k.  Returns 0, or the exit code of an error it
 * reported on stderr (2: unreadable, shorter than CLAB_KEY_MIN bytes or
 * longer than CLAB_CMD_KEY_MAX).  Warns when others can read the file
 * (once in a process and the children it forks after).
 */
int clab_cmd_key_load(const struct clab_cmd *cmd, const char *path,
		      struct clab_cmd_key *k);
/* The same from fd, a key file open already (named path in messages). */
int clab_cmd_key_read(const struct clab_cmd *cmd, int fd, const char *path,
		      struct clab_cmd_key *k);
/* Forget the key (overwrite its bytes). */
void clab_cmd_key_wipe(struct clab_cmd_key *k);
/* The --key option's entry in a table (run, exercise, check). */
#define CLAB_CMD_KEY_OPT(st, field)                                            \
	{                                                                      \
		.name = "key", .type = CLAB_OPT_STRING, .arg = "FILE",         \
		.off = offsetof(st, field),                                    \
		.def = "$CONCLAB_KEY_FILE, if set",                            \
		.help =                                                        \
		    "sign the trace with the key in FILE (32 random bytes or " \
		    "more: head -c 32 /dev/urandom > FILE); 'conclab check "   \
		    "--key FILE' verifies it"                                  \
	}

/* Print cmd's usage and help to out. */
void clab_cmd_usage(const struct clab_cmd *cmd, FILE *out);
/* Report a usage error for cmd on stderr; returns CLAB_EXIT_USAGE. */
int clab_cmd_misuse(const struct clab_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
struct clab_trace;
/*
 * Print the reader's warning about records it skipped (they name an
 * object the trace never defined) and how many, on stderr; nothing if none.
 */
void clab_cmd_trace_warning(const struct clab_cmd *cmd,
			    const struct clab_trace *tr);
/*
 * The base name of the program a trace recorded (its "program" metadata,
 * written by conclab trace), or NULL.
 */
const char *clab_cmd_program_name(const struct clab_trace *tr);
/*
 * clab_cmd_forks - on out, the processes the trace at path links to: the
 * parent of a forked child, and each child the trace's process forked,
 * with where and its own trace, or "not traced" (docs/runtime.md).
 * Nothing for a trace of a process that neither forked nor was forked.
 */
void clab_cmd_forks(const struct clab_trace *tr, const char *path, FILE *out);
/*
 * clab_cmd_forks_settle - from now on, for ms, clab_cmd_forks waits for a
 * child whose trace is not closed while its process lives (conclab trace,
 * right after the program ended: its children may still be saving theirs).
 */
void clab_cmd_forks_settle(unsigned ms);

/*
 * clab_cmd_unlink_trace - remove the trace at path and every STEM.PID.clt
 * beside it (and STEM.PID.PID.clt...), whoever made them: only for a
 * command's own traces in a directory of its own (explore, step, demo).
 * In a user's directory, clab_cmd_remove_children.
 */
void clab_cmd_unlink_trace(const char *path);
/*
 * clab_cmd_remove_children - remove the traces an earlier run's children
 * left beside the trace at path, before a new run replaces it: each file
 * STEM.PID.clt (STEM.PID.PID.clt...) in its directory whose
 * process.parent_id is the old trace's process.id, or that of one removed
 * (a child's child).  Files of other processes stay.  Returns how many
 * were removed.  For conclab run and trace, before they replace a trace.
 */
int clab_cmd_remove_children(const char *path);
/*
 * The quick report of `conclab trace` (digest.c): when the trace at path
 * has a digest that proves there is nothing to report and more than min
 * records or more than min_threads threads, print the lock-order line (none
 * when quiet, as the brief form), the checks (when check) and the trace's name
 * as the full report does, from the digest alone, set *failed and return 1;
 * else print nothing and return 0.
 */
int clab_cmd_quick_report(const char *trace, const char *prog, int check,
			  int quiet, uint64_t min, uint32_t min_threads,
			  int *failed);
/*
 * For conclab's tests (CONCLAB_DIGEST_COMPARE): say on err what the
 * digest of the trace at path says ("digest: quiet", "digest: not quiet:
 * WHY", "digest: none: WHY") and, when quiet, whether the full analysis
 * and checks agree.  Returns 1 when they disagree, else 0.
 */
int clab_cmd_digest_compare(const char *trace, FILE *err);
struct clab_analysis;
/* Whether the lock-order report has nothing to say (no cycle, no wait). */
int clab_cmd_no_problem(const struct clab_analysis *an);
/* The lock-order report: the line that says nothing, or the report. */
void clab_cmd_lock_report(const struct clab_trace *tr,
			  const struct clab_analysis *an, FILE *out);
/* Whether the trace holds a diagnostic with that code (the watchdog's). */
int clab_cmd_has_diag(const struct clab_trace *tr, unsigned code);
/*
 * Say on out that a trace of no lab got only the generic checks: which
 * checks were not run, and why.
 */
void clab_cmd_nolab_note(FILE *out);
/*
 * clab_cmd_out_open - the stream a command writes its output to: path, or
 * standard output when path is NULL.  NULL after saying on stderr which
 * file could not be opened and why.
 */
FILE *clab_cmd_out_open(const struct clab_cmd *cmd, const char *path);
/*
 * clab_cmd_out_close - flush out (and close it, unless it is standard
 * output).  Returns 0, or CLAB_EXIT_IO after "conclab CMD: cannot write
 * PATH: REASON" on stderr when anything written to it was lost.
 */
int clab_cmd_out_close(const struct clab_cmd *cmd, const char *path, FILE *out);
/* Whether arg is -h or --help. */
int clab_cmd_is_help(const char *arg);
/* Parse a whole decimal number into *out; returns 0 or -1. */
int clab_cmd_parse_long(const char *s, long *out);
/* Parse "WIDTHxHEIGHT" (1..1000 each); returns 0 or -1. */
int clab_cmd_parse_size(const char *s, int *w, int *h);

/* The controlled scheduler's options of a command (sched-opts.c). */
#include <conclab/runtime.h>
struct clab_cmd_sched {
	struct clab_sched_opts o;
	char *replay;	    /* the schedule string to replay (owned) */
	int mode_given;	    /* --sched or --replay was given */
	long trace_seed;    /* --replay TRACE: the seed of that run */
	int has_trace_seed; /* and whether it had one */
};
void clab_cmd_sched_init(struct clab_cmd_sched *s);
void clab_cmd_sched_fini(struct clab_cmd_sched *s);
/* After parsing: check the options go together and set the seed. */
int clab_cmd_sched_ready(const struct clab_cmd *cmd, struct clab_cmd_sched *s,
			 uint64_t seed);
/*
 * clab_cmd_sched_print - print to out, as options, those of s that shape
 * a controlled run and were given (--step-limit, --spurious,
 * --early-timeouts): what a replay of the run needs to be the same run.
 */
void clab_cmd_sched_print(FILE *out, const struct clab_cmd_sched *s);

#endif
