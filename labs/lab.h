/*
 * Labs: classic concurrency problems with a correct variant and buggy ones.
 *
 * A lab is one source file that fills in one `const struct clab_lab` with
 * designated initialisers; the table in lab.c lists them for `conclab list`.
 * A lab runs in the calling thread (the traced main thread) with its
 * parameters, and has a checker that verifies its properties on the trace
 * the run produced.
 */
#ifndef CONCLAB_LAB_H
#define CONCLAB_LAB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <conclab/trace.h>
#include <conclab/semantics.h>

#define CLAB_LAB_MAX_PARAMS 16

struct clab_lab_param {
	const char *name; /* used as --name VALUE */
	const char *help;
	long def;
	long min;
	long max;
};

/* A per-variant default, overriding the lab's. */
struct clab_lab_default {
	const char *param;
	long value;
};

struct clab_lab_variant {
	const char *name;
	const char *summary;
	/* For a buggy variant: what goes wrong; NULL for a correct one. */
	const char *bug;
	/* Expected end: 0 completes, 3 deadlocks, 1 a property fails. */
	int expect;
	const struct clab_lab_default *defaults; /* ends with {NULL, 0} */
};

struct clab_lab_ctx {
	const struct clab_lab *lab;
	unsigned variant;		 /* index into lab->variants */
	long param[CLAB_LAB_MAX_PARAMS]; /* by index into lab->params */
	uint64_t seed;
	FILE *out; /* narration for people, or NULL when quiet */
};

/* One property checked on a trace. */
struct clab_lab_prop {
	char name[48];
	int ok;
	uint64_t rec; /* seq of a record that shows a failure, or UINT64_MAX */
	char msg[320];
	/*
	 * Information, not a property (the longest wait for a fork, the
	 * tick period): shown as "info", always ok, never worth points.
	 */
	int info;
	/*
	 * Holds only because nothing happened that could break it ("forks
	 * exclusive" with no meal eaten holding forks): ok, no points.
	 */
	int vacuous;
	/*
	 * needs_end: the verdict needs the run's end (every item taken, the
	 * count at the end), set by clab_lab_report_add_end.  On a run that
	 * was stopped, or whose trace was never closed, such a property is
	 * not judged (not_judged, set by clab_lab_check): neither ok nor
	 * failed.  A safety property (a fork held twice) is judged on what
	 * happened, however the run ended.
	 */
	unsigned char needs_end, not_judged;
};

/*
 * How the checks are asked to judge, set by the caller (`conclab check
 * --starvation-ms N`) before the check runs; zero means the default.
 */
struct clab_lab_check_opts {
	/*
	 * starvation: a thread waiting longer than this fails.  0: the
	 * larger of CLAB_LAB_STARVATION_MS and CLAB_LAB_STARVATION_MEDIANS
	 * times the median wait of the trace.
	 */
	long starvation_ms;
};

struct clab_lab_report {
	struct clab_lab_prop *props;
	size_t n, cap;
	struct clab_lab_check_opts opts; /* read by the checks, never changed */
	/*
	 * The run did not complete (a deadlock, the time or step limit, a
	 * crash, an early exit: clab_lab_check_common_allow sets it): the
	 * properties that hold held on a part of a run and give no points.
	 */
	int partial;
	/* set by clab_lab_check: clab_trace_incomplete(), or NULL */
	const char *incomplete;
	/*
	 * Properties that could not be recorded (no memory for them): each
	 * counts as failed, and the report says it is not whole.
	 */
	size_t lost;
};

/*
 * The topics of the catalogue, in the order `conclab list` shows them:
 * X(NAME, heading).  Every lab sets its .topic; a lab without one (0,
 * CLAB_TOPIC_NONE) is listed last, under "Other labs", and fails
 * tests/e2e/cli.sh.  A new topic is one line here.
 */
#define CLAB_LAB_TOPIC_MAP(X)                                                  \
	X(NONE, "Other labs")                                                  \
	X(MUTEX, "Mutual exclusion")                                           \
	X(DEADLOCK, "Deadlock and lock order")                                 \
	X(CONDVAR, "Condition variables")                                      \
	X(SEMAPHORE, "Semaphores")                                             \
	X(COORDINATION, "Coordination")                                        \
	X(STOPPING, "Stopping threads")                                        \
	X(TASKS, "Tasks and messages")                                         \
	X(PROCESSES, "Processes")

#define CLAB__LAB_TOPIC_ENUM(name, heading) CLAB_TOPIC_##name,
enum clab_lab_topic { CLAB_LAB_TOPIC_MAP(CLAB__LAB_TOPIC_ENUM) CLAB_TOPIC_N };
#undef CLAB__LAB_TOPIC_ENUM

/* The heading of a topic ("Mutual exclusion"), "?" past the table. */
const char *clab_lab_topic_name(enum clab_lab_topic topic);

struct clab_lab {
	const char *name;
	const char *summary;
	const char *idea;	   /* what the lab teaches, for --help */
	enum clab_lab_topic topic; /* its group in the catalogue */
	/* What it teaches in one line (64 columns at most), for the list. */
	const char *teaches;
	const struct clab_lab_variant *variants;
	size_t nvariants;
	const struct clab_lab_param *params;
	size_t nparams;
	/* Run the lab; returns 0 or a negative error. */
	int (*run)(const struct clab_lab_ctx *ctx);
	/* Check the lab's properties on tr, adding them to rep. */
	void (*check)(const struct clab_trace *tr,
		      const struct clab_lab_ctx *ctx,
		      struct clab_lab_report *rep);
};

extern const struct clab_lab *const clab_labs[];
extern const size_t clab_nlabs;

const struct clab_lab *clab_lab_find(const char *name);
/* Index of the variant called name, or -1. */
int clab_lab_variant_find(const struct clab_lab *lab, const char *name);
/*
 * clab_lab_say - narrate one line (the newline is added) on ctx->out,
 * unless the run is quiet (ctx->out NULL); whole lines, from any thread.
 * (The first three labs keep copies of their own: their handouts quote
 * their source lines.)
 */
void clab_lab_say(const struct clab_lab_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The label of an annotation record ("eat", "put"), or NULL for others. */
const char *clab_lab_note_label(const struct clab_trace *tr,
				const struct clab_record *r);

/* Whether tr is the trace of `conclab exercise` (metadata exercise=1). */
int clab_lab_is_exercise(const struct clab_trace *tr);
/*
 * Whether a site's file is one of the harnesses' (labs/exercise*.c, listed
 * in lab.c).  A solution's note that names one (with #line) is recorded
 * under the solution's name instead (cmd/exercise-child.c).
 */
int clab_lab_harness_file(const char *file);
/*
 * The label of an annotation the lab's own code made: in an exercise's
 * trace, only the harness's (clab_lab_harness_file), never one the
 * solution made with the same label; in a lab's trace, any.  NULL for
 * the others.
 */
const char *clab_lab_harness_label(const struct clab_trace *tr,
				   const struct clab_record *r);
/*
 * clab_lab_unwoken - the threads that what happened at the record `at` (a
 * sequence number) did not wake: a thread between its note `open`, made
 * before `at`, and its next note `close`, that was asleep at `at`, or in a
 * wait on a condition or an object (not a lock) that ended after `at`
 * because its time ran out.  A thread that slept or waited with a timeout
 * through `at` was told nothing; one that ran, or waited for a lock, will
 * look.  Returns how many, and the first one's first record after `at`
 * and its thread.
 */
long clab_lab_unwoken(const struct clab_trace *tr, const char *open,
		      const char *close, uint64_t at, uint64_t *first_rec,
		      uint32_t *first_tid);
/*
 * The index (0..n-1) of a thread the harness or the lab gave role
 * ("philosopher" 3), or -1; in a trace older than roles, read off its name
 * "prefixN" ("phil-3").
 */
int clab_lab_thread_index(const struct clab_trace *tr, uint32_t tid,
			  const char *role, const char *prefix, long n);

/* "file:line" of a site, into buf (or "an unknown site"). */
const char *clab_lab_site_text(const struct clab_trace *tr, uint32_t id,
			       char *buf, size_t len);

/* Fill ctx with the defaults of lab and variant. */
void clab_lab_ctx_init(struct clab_lab_ctx *ctx, const struct clab_lab *lab,
		       unsigned variant);
/*
 * Rebuild the context a trace was made with, from its metadata (lab,
 * variant, param.NAME, seed), so that its checker can run on it later.
 * lab_name, if not NULL, overrides the trace's lab.  Returns 0, or -1 with
 * a message in err.
 */
int clab_lab_ctx_from_trace(struct clab_lab_ctx *ctx,
			    const struct clab_trace *tr, const char *lab_name,
			    char *err, size_t errlen);
/* Index of the parameter called name, or -1. */
int clab_lab_param_find(const struct clab_lab *lab, const char *name);
/*
 * Whether two names of parameters or options are the same, '-' and '_'
 * alike: --think-ms is --think_ms.
 */
int clab_lab_same_name(const char *a, const char *b);
/* A parameter's value by name (the lab's own code uses this), or 0. */
long clab_lab_param(const struct clab_lab_ctx *ctx, const char *name);
/* The default of a parameter for a variant. */
long clab_lab_param_default(const struct clab_lab *lab, unsigned variant,
			    size_t param);

/* Add a property result; fmt describes it (a failure says what broke). */
void clab_lab_report_add(struct clab_lab_report *rep, const char *name, int ok,
			 uint64_t rec, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* The same, for information (prop.info): ok, shown as "info". */
void clab_lab_report_info(struct clab_lab_report *rep, const char *name,
			  const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/*
 * The same for a property whose verdict needs the run's end (its last
 * count, every item taken, every thread ended): not judged on a run that
 * did not get there.
 */
void clab_lab_report_add_end(struct clab_lab_report *rep, const char *name,
			     int ok, uint64_t rec, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/*
 * clab_lab_check - check ctx's lab on tr into rep: the lab's properties and
 * the shared ones, then, when the run is incomplete (clab_trace_incomplete:
 * stopped, or never closed), those that need its end are not judged.  What
 * `conclab run`, `check` and `exercise` all call.
 */
void clab_lab_check(const struct clab_lab_ctx *ctx, const struct clab_trace *tr,
		    struct clab_lab_report *rep);
/* Number of failed properties (judged and not ok). */
size_t clab_lab_report_failed(const struct clab_lab_report *rep);
void clab_lab_report_free(struct clab_lab_report *rep);

/*
 * Checks shared by the labs: a deadlock diagnostic in the trace, any
 * misuse diagnostic, that every thread that started also ended, "run
 * completed" when an annotation "ended-early:CALL" says the program ended
 * the run early (conclab exercise; the line is there only then), and the
 * generic checks (clab_generic_check: starvation, busy waiting,
 * concurrency).
 */
void clab_lab_check_common(const struct clab_trace *tr,
			   struct clab_lab_report *rep);
/*
 * The same, but diagnostics whose code c has bit (1u << c) set in allow are
 * what the variant teaches (a lock-order violation in philosophers
 * "checked"): they are counted in the message and do not fail "no misuse".
 * Deadlock and time-limit diagnostics fail "no deadlock"; "blocked" records
 * belong to a deadlock report and are not misuse.  The CLAB_LAB_NEED_*
 * bits opt into generic checks that are otherwise information only.
 */
void clab_lab_check_common_allow(const struct clab_trace *tr,
				 struct clab_lab_report *rep, unsigned allow);

/*
 * Bits of the allow mask above the diagnostic codes (lab.c asserts that
 * every code stays below them): a lab that teaches concurrency sets
 * CLAB_LAB_NEED_CONCURRENCY and then "concurrency" fails when no two
 * threads ever held mutexes at the same time.
 */
#define CLAB_LAB_NEED_CONCURRENCY (1u << 31)
/*
 * CLAB_LAB_NEED_NO_POLL: "busy waiting" also fails a thread that takes the
 * same mutex again and again with nothing else between (a count polled
 * under a lock), for labs whose correct code always does something
 * visible between two critical sections (the exercises' harnesses).
 */
#define CLAB_LAB_NEED_NO_POLL (1u << 30)
#define CLAB_LAB_NEED_MASK (CLAB_LAB_NEED_CONCURRENCY | CLAB_LAB_NEED_NO_POLL)

/* Default thresholds of the generic checks (docs/grading.md). */
#define CLAB_LAB_STARVATION_MS 1000L   /* a wait longer than 1 s... */
#define CLAB_LAB_STARVATION_MEDIANS 10 /* ...and 10x the median wait */
#define CLAB_LAB_BUSY_RUN 100 /* failed attempts in a row: busy waiting */

/*
 * clab_generic_check - the checks any trace can be given, computed from its
 * records alone (labs/generic.c); clab_lab_check_common_allow adds them.
 *
 *   starvation    the longest wait of each thread; fails when a thread
 *                 waited longer than the threshold (rep->opts)
 *   busy waiting  fails when a thread failed more than CLAB_LAB_BUSY_RUN
 *                 non-blocking attempts in a row with no blocking wait or
 *                 sleep between them
 *   concurrency   how much of the time threads ran, and held mutexes, at
 *                 the same time; fails only with CLAB_LAB_NEED_CONCURRENCY
 *                 in need, when no two threads ever held mutexes at once
 */
void clab_generic_check(const struct clab_trace *tr,
			struct clab_lab_report *rep, unsigned need);

/*
 * clab_generic_check_any - the checks for a trace that belongs to no lab
 * (`conclab trace`, a program on libconclab, `conclab check` without
 * --lab): those of clab_lab_check_common, then
 *
 *   locks held at exit  fails when a mutex or a reader-writer lock was
 *                       still held when the trace ended (by a thread that
 *                       ended or was stopped holding it), or a thread
 *                       ended holding a semaphore permit (its exit-holding
 *                       diagnostic), naming the first one and where it
 *                       was taken
 */
void clab_generic_check_any(const struct clab_trace *tr,
			    struct clab_lab_report *rep);
/*
 * The same, with an: tr's analysis by clab_analyze() (without flags),
 * made already for the lock-order report, which "no deadlock" and "lock
 * order" then judge instead of making their own; NULL: they make it.
 */
struct clab_analysis;
void clab_generic_check_any_with(const struct clab_trace *tr,
				 const struct clab_analysis *an,
				 struct clab_lab_report *rep);
/*
 * clab_generic_check_quiet - the lines clab_generic_check_any_with gives
 * a trace with nothing to report, for a trace tr (loaded with
 * clab_trace_load_meta) whose digest proves it so (clab_trace_digest_quiet)
 * without its records: the same lines, but for "concurrency", which needs
 * the merged records and says how to get it.  Starvation's line lists the
 * threads' longest waits from the digest (clab_trace_digest_waits).
 * Returns 0, or -1 (rep then holds partial lines: free it) when only the
 * full report can give starvation's line: the digest did not follow the
 * waits, their median makes the threshold, or a wait passes it.
 */
int clab_generic_check_quiet(const struct clab_trace *tr, uint64_t nrecords,
			     struct clab_lab_report *rep);

/*
 * Inside the labs (lab.c, generic.c): clab_lab_check_common_allow with
 * the analysis an (or NULL) and, when held_at_exit, "locks held at exit"
 * after the generic checks, from the same pass over the records.
 */
void clab__lab_check_common(const struct clab_trace *tr,
			    const struct clab_analysis *an,
			    struct clab_lab_report *rep, unsigned allow,
			    int held_at_exit);
/*
 * A run that did not end (clab_trace_incomplete): rep says so, and its
 * properties that need the end are not judged (the labs' and the checks
 * of a trace of no lab alike).
 */
void clab__lab_judge_end(const struct clab_trace *tr,
			 struct clab_lab_report *rep);
void clab__generic_check(const struct clab_trace *tr,
			 struct clab_lab_report *rep, unsigned need,
			 int held_at_exit);
/* The generic checks' lines of a quiet trace (clab_generic_check_quiet). */
int clab__generic_check_quiet(const struct clab_trace *tr, uint64_t nrecords,
			      struct clab_lab_report *rep);

/*
 * The numbers behind "concurrency".  Times are in nanoseconds, out of the
 * time at least two threads existed (started and not yet ended).
 */
struct clab_generic_concurrency {
	uint64_t multi_ns;    /* two or more threads existed */
	uint64_t running_ns;  /* two or more ran: not waiting or sleeping */
	uint64_t holding_ns;  /* two or more held a mutex (different ones) */
	uint32_t max_running; /* most threads running at once */
	uint32_t max_holding; /* most threads holding a mutex at once */
};

/* Measure tr's concurrency into c.  Returns 0 or CLAB_ENOMEM. */
int clab_generic_concurrency(const struct clab_trace *tr,
			     struct clab_generic_concurrency *c);

/* Deterministic per-thread random numbers for the labs (splitmix64). */
static inline uint64_t clab_lab_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

extern const struct clab_lab clab_lab_philosophers;
extern const struct clab_lab clab_lab_prodcons;
extern const struct clab_lab clab_lab_timer;
extern const struct clab_lab clab_lab_race;
extern const struct clab_lab clab_lab_lockorder;
extern const struct clab_lab clab_lab_rlock;
extern const struct clab_lab clab_lab_semaphore;
extern const struct clab_lab clab_lab_startup;
extern const struct clab_lab clab_lab_barrier;
extern const struct clab_lab clab_lab_rwlock;
extern const struct clab_lab clab_lab_stop;
extern const struct clab_lab clab_lab_pool;
extern const struct clab_lab clab_lab_actor;
extern const struct clab_lab clab_lab_coop;
extern const struct clab_lab clab_lab_tls;
extern const struct clab_lab clab_lab_processes;

#endif
