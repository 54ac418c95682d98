/*
 * Analyses of a whole trace: the lock-order detector replayed over the
 * records, and warnings about waits made while holding a lock.  The same
 * code runs after every `conclab run` and in `conclab analyze`.
 */
#ifndef CONCLAB_ANALYZE_H
#define CONCLAB_ANALYZE_H

#include <stdio.h>

#include <conclab/lockdep.h>
#include <conclab/trace.h>

/* A blocking wait made while holding a mutex (one per site and mutex). */
struct clab_hold_wait {
	uint64_t seq; /* the first such wait */
	uint32_t tid;
	uint32_t obj;  /* what it waited on */
	uint32_t held; /* a mutex it held */
	uint32_t held_site;
	uint32_t site;
	uint64_t count; /* how many times */
};

/*
 * Class mode: two locks of one class (made at one site) nested.  With
 * indexes (clab_mutex_init_indexed) they must be taken in increasing
 * index order; without, the detector cannot order them.
 */
struct clab_class_nest {
	uint64_t seq; /* the first time */
	uint32_t tid;
	uint32_t held, lock; /* the two locks (object ids) */
	uint32_t held_site, site;
	int inverted; /* both indexed, taken in decreasing order */
	uint64_t count;
};

/* A thread the watchdog found blocked (its `blocked` diagnostic). */
struct clab_blocked_at {
	uint32_t tid;
	uint32_t obj;	 /* what it waits on */
	uint64_t since;	 /* the record that began the wait */
	uint32_t holder; /* tid holding obj (a mutex), or UINT32_MAX */
	/*
	 * For a condition, latch or semaphore: the last record that could
	 * wake a waiter on obj (signal, broadcast, set, release), before
	 * the deadlock, or UINT64_MAX if there was none; who made it and
	 * where, and the first thread it woke (UINT32_MAX: none).
	 */
	uint64_t signal_seq;
	uint32_t signal_kind, signal_tid, signal_site, signal_woke;
};

struct clab_analysis {
	struct clab_lockdep *ld;
	/* the watchdog's deadlock, if the trace has one */
	uint64_t deadlock_seq; /* its record, or UINT64_MAX */
	/*
	 * The watchdog's first stop of the run: a deadlock, the time limit
	 * or the step limit (its diagnostic's record, code and count), or
	 * stuck_seq UINT64_MAX.
	 */
	uint64_t stuck_seq;
	unsigned stuck_diag;
	uint32_t stuck_arg;
	struct clab_blocked_at *blocked;
	size_t nblocked;
	struct clab_hold_wait *waits;
	size_t nwaits;
	/* class mode (CLAB_ANALYZE_CLASSES) */
	int classes;
	uint32_t *cls;	 /* object id -> the id of its class's first lock */
	uint32_t *csize; /* by class id: how many locks it has */
	uint32_t nobjs;
	struct clab_class_nest *nests;
	size_t nnests;
};

/*
 * Group locks by the site that made them (lockdep's lock classes): an
 * order found between two locks holds for every pair made at the same two
 * sites, so one run's forks 0 and 1 speak for forks 3 and 4 too.
 */
#define CLAB_ANALYZE_CLASSES 1u

/* Analyse tr; returns 0 or CLAB_ENOMEM.  Free with clab_analysis_fini. */
int clab_analyze(const struct clab_trace *tr, struct clab_analysis *an);
int clab_analyze_flags(const struct clab_trace *tr, struct clab_analysis *an,
		       unsigned flags);
void clab_analysis_fini(struct clab_analysis *an);

/*
 * A condition, latch or semaphore that threads were blocked on at the
 * deadlock, and why nobody will wake them: the last record that could
 * have (in first's signal_* fields), and the threads that ever signalled,
 * set or released it, with what they do now.
 */
#define CLAB_STUCK_WAKERS 16
struct clab_stuck_obj {
	const struct clab_blocked_at *first; /* its first blocked waiter */
	size_t nwait;			     /* how many wait on it */
	uint64_t woke_since; /* signal_woke waits on it again since, or
				UINT64_MAX */
	size_t nwakers;	     /* threads that signalled it (the first ones) */
	uint32_t wakers[CLAB_STUCK_WAKERS];
	uint32_t wakers_on; /* the object all of them wait on now; 0 when
			       they differ or one has ended */
};

/*
 * clab_analysis_stuck - the i-th such object (from 0) in *s; returns 0,
 * or -1 when there are fewer.
 */
int clab_analysis_stuck(const struct clab_trace *tr,
			const struct clab_analysis *an, size_t i,
			struct clab_stuck_obj *s);
/* How many such objects there are (no wakers looked for). */
size_t clab_analysis_nstuck(const struct clab_trace *tr,
			    const struct clab_analysis *an);

/* What blocked thread tid waits on at the deadlock, or NULL: it is not. */
const struct clab_blocked_at *
clab_analysis_blocked(const struct clab_analysis *an, uint32_t tid);

/*
 * clab_analysis_wakers - the threads that signalled, set or released obj
 * before the deadlock: writes at most max tids, in the order of their
 * first such record, and returns how many there are.
 */
size_t clab_analysis_wakers(const struct clab_trace *tr,
			    const struct clab_analysis *an, uint32_t obj,
			    uint32_t *tids, size_t max);

/*
 * Cycles that can deadlock, counting timed-only ones (not latent/gated),
 * in class mode locks of one class taken against their indexes, and the
 * watchdog's stop of the run (a deadlock, the time or the step limit) when
 * the trace has one: what fails "lock order" or "no deadlock" in
 * `conclab check`.
 */
size_t clab_analysis_problems(const struct clab_analysis *an);

/*
 * The verdicts that every report gives of a trace, computed once from its
 * analysis: `conclab analyze`'s exit code, `conclab check`'s "lock order"
 * and "no deadlock", the viewer and `conclab export`.  Each names the
 * record that shows it, the same record everywhere.
 */
struct clab_verdict {
	const char *incomplete; /* clab_trace_incomplete(), or NULL */
	/*
	 * Lock order: cycles that can deadlock (potential deadlocks and
	 * timed-only orders) and the first of them by the record that closed
	 * it (or that ungated it), or NULL; latent and gated ones are notes.
	 */
	size_t ncycles, nlatent, ngated;
	const struct clab_ld_cycle *cycle;
	/* class mode: locks of one class taken against their indexes */
	size_t ninverted;
	const struct clab_class_nest *nest; /* the first, or NULL */
	/* the watchdog's stop (struct clab_analysis: stuck_*) */
	uint64_t stuck_seq;
	unsigned stuck_diag;
	uint32_t stuck_arg;
};

/*
 * Fill v from an (of tr; NULL leaves v->incomplete NULL); v points into an,
 * which must outlive it.
 */
void clab_analysis_verdict(const struct clab_trace *tr,
			   const struct clab_analysis *an,
			   struct clab_verdict *v);

/*
 * The verdict as one JSON object, the same in `conclab analyze --json`
 * (a line of type "verdict") and `conclab export`:
 * {"incomplete":null|"...","lock_order":{"ok":B,"record":N|null,
 *  "cycles":N,"latent":N,"gated":N},"deadlock":{"ok":B,"record":N|null,
 *  "kind":null|"deadlock"|"run-timeout"|"step-limit"}}
 */
void clab_verdict_json(const struct clab_verdict *v, FILE *out);

/*
 * The short report after a run (conclab run, conclab trace), where the
 * watchdog has told the deadlock or the time limit already: each cycle in
 * a line with the order that fixes it, each wait while holding a lock in
 * one, and for the conditions that blocked threads wait on, the last
 * signal and whom it woke.  'conclab analyze' prints the whole report.
 * Lines are folded at the text width (label.h).  Prints nothing when
 * clab_analysis_brief_says is 0.
 */
void clab_analysis_print_brief(const struct clab_trace *tr,
			       const struct clab_analysis *an, FILE *out);
int clab_analysis_brief_says(const struct clab_trace *tr,
			     const struct clab_analysis *an);

/*
 * The report for people: every cycle drawn, each edge with its thread
 * and both sites, a possible interleaving, a lock order that fixes it;
 * notes for gated cycles; warnings for waits while holding a lock.
 * Prints nothing when there is nothing to say.
 */
void clab_analysis_print(const struct clab_trace *tr,
			 const struct clab_analysis *an, FILE *out);

/* The same as JSON lines, one object per finding. */
void clab_analysis_json(const struct clab_trace *tr,
			const struct clab_analysis *an, FILE *out);

#endif
