/* Schedule budgets, shared by explore and exercise (schedules.c). */
#ifndef CONCLAB_SCHEDULES_H
#define CONCLAB_SCHEDULES_H

#include <stddef.h>
#include <stdint.h>

#include <sys/types.h>

#include <conclab/runtime.h>

/* Sizes of the budget's directory name and of the paths under it. */
#define CLAB_BUDGET_DIR 256
#define CLAB_BUDGET_PATH (CLAB_BUDGET_DIR + 64)
#define CLAB_BUDGET_CPUS 256
/* Schedules one child runs, one after another, unless told otherwise. */
#define CLAB_BUDGET_BATCH 32

enum clab_budget_strategy {
	CLAB_BUDGET_MIXED, /* pct and a random walk by turns */
	CLAB_BUDGET_PCT,
	CLAB_BUDGET_RANDOM,
	CLAB_BUDGET_BOUNDED, /* every schedule within `bound` deviations */
};

struct clab_budget {
	/*
	 * Runs in the child: the program under o (mode, seed, replay set
	 * for this schedule), its trace to trace; returns the exit code.
	 * Output goes to /dev/null unless a rerun asks for it.
	 */
	int (*run)(void *arg, const struct clab_sched_opts *o,
		   const char *trace);
	void *arg;
	struct clab_sched_opts opts; /* the rest of the options */
	enum clab_budget_strategy strategy;
	uint64_t seed; /* schedule i's seed is seed + i */
	long schedules;
	long limit_s; /* stop starting schedules after it (0: none) */
	long jobs;
	long shard, nshards; /* shard K of N, K from 1 */
	long
	    batch; /* schedules one child runs in turn (0: CLAB_BUDGET_BATCH) */
	int all;   /* go on after a failure */
	int progress;	/* a progress line on stderr */
	unsigned bound; /* BOUNDED: deviations from the default */
	int por; /* BOUNDED: leave out schedules equivalent to others (por.c) */
	/*
	 * Each child gets a directory of its own under dir, where its
	 * run writes the trace (the run applies the sandbox: sandbox.h);
	 * the parent kills its process group when it ends, copies the
	 * trace out and removes the directory, and at the end kills every
	 * orphan the children left (the caller is their reaper).
	 */
	int boxed;
	char dir[CLAB_BUDGET_DIR]; /* the children's traces */
	/*
	 * Each child runs on one processor of the parent's set, the least
	 * busy: under control one thread runs at a time, and a handoff
	 * between threads on one processor is a plain context switch, not a
	 * wakeup across processors.
	 */
	int ncpus, cpu[CLAB_BUDGET_CPUS], busy[CLAB_BUDGET_CPUS];
	struct clab_budget_pin {
		pid_t pid;
		int cpu;
	} * pins; /* one per running child: jobs + 1 */
	/* results */
	long ran, failed, by_code[6];
	long first;	/* index of the first failure, or -1 */
	int first_code; /* its exit code */
	double secs;
	int exhausted; /* BOUNDED: every schedule of the bound was run */
	long pruned;   /* BOUNDED with por: schedules left out */
};

/*
 * A directory for the children's traces ($TMPDIR, else /dev/shm when it
 * is a writable directory, else /tmp) and the processors they may use;
 * 0 or a negative errno.  Set jobs before.
 */
int clab_budget_init(struct clab_budget *b);
void clab_budget_fini(struct clab_budget *b);
/* Run the budget; fills the results.  The first failure's trace is kept. */
void clab_budget_run(struct clab_budget *b);
/* The mode of schedule i, its name ("pct", "bounded") and its seed. */
enum clab_sched_mode clab_budget_mode(const struct clab_budget *b, long i);
const char *clab_budget_mode_name(const struct clab_budget *b, long i);
uint64_t clab_budget_seed(const struct clab_budget *b, long i);
/* What an exit code means ("deadlock"). */
const char *clab_budget_what(int code);
/* The schedule string a trace recorded (malloc'd), or NULL. */
char *clab_budget_schedule_of(const char *trace);
/* The first failure's schedule string (malloc'd), or NULL; drops its trace. */
char *clab_budget_first_schedule(struct clab_budget *b);
/* Replay a schedule string with seed in a child; its exit code. */
int clab_budget_rerun(struct clab_budget *b, const char *replay, uint64_t seed,
		      const char *trace, const char *out);
/*
 * Shrink str (malloc'd, consumed) while its replay fails with code;
 * returns the shrunk string as a replay recorded it.  *tries counts runs.
 */
char *clab_budget_shrink(struct clab_budget *b, char *str, uint64_t seed,
			 int code, long *tries);

/* A schedule string's choices, and how many of them switch threads. */
struct clab_shape {
	size_t choices, switches;
};
struct clab_shape clab_budget_shape(const char *schedule);

#endif
