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
 * Cycles that can deadlock, counting timed-only ones (not latent/gated),
 * in class mode locks of one class taken against their indexes, and the
 * watchdog's deadlock when the trace has one.
 */
size_t clab_analysis_problems(const struct clab_analysis *an);

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
