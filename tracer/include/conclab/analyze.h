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

struct clab_analysis {
	struct clab_lockdep *ld;
	struct clab_hold_wait *waits;
	size_t nwaits;
};

/* Analyse tr; returns 0 or CLAB_ENOMEM.  Free with clab_analysis_fini. */
int clab_analyze(const struct clab_trace *tr, struct clab_analysis *an);
void clab_analysis_fini(struct clab_analysis *an);

/* Cycles that can deadlock, counting timed-only ones (not latent/gated). */
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
