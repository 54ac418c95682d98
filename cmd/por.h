/*
 * Partial-order reduction of the bounded search (por.c): sleep sets over
 * the steps a run's trace records.
 */
#ifndef CONCLAB_POR_H
#define CONCLAB_POR_H

#include <stddef.h>
#include <stdint.h>

#include <conclab/runtime.h>

/* One record of a step, as the dependency relation sees it. */
struct clab_por_op {
	unsigned kind; /* enum clab_kind */
	uint32_t obj;  /* the object it touches, 0 for none */
	uint32_t a32;  /* a condition wait's mutex */
	unsigned a8;   /* whether a wait is timed, why a waiter woke */
};

/*
 * clab_por_dependent - whether two steps, given by the records each made,
 * may not commute: 1 when they touch a common object (a condition wait
 * touches its mutex too), or one reads the virtual clock that every step
 * advances (a sleep, a wait that may be timed, a timeout); 0 when they do
 * not (notes touch nothing).
 */
int clab_por_dependent(const struct clab_por_op *a, size_t na,
		       const struct clab_por_op *b, size_t nb);

/* The threads asleep at a point of the search; NULL is none. */
struct clab_por_sleep;
void clab_por_sleep_free(struct clab_por_sleep *z);

/*
 * clab_por_log_to - in a schedule's child: log every choice (its options,
 * the pick, the virtual time) to path through o's on_pick.  0 or a
 * negative errno.
 */
int clab_por_log_to(struct clab_sched_opts *o, const char *path);

/*
 * A child of a run for the search to run: the run's first j picks, then
 * a; z (consumed) the threads asleep there.  0, or -1 when out of memory.
 */
typedef int (*clab_por_push_fn)(void *arg, const uint32_t *picks, size_t j,
				uint32_t a, struct clab_por_sleep *z);

/*
 * clab_por_children - the children of a run of the bounded search, from
 * its trace and the log clab_por_log_to wrote: every other option at each
 * choice from n on (the run's own n picks are its prefix) while the picks
 * that are not the default number at most bound, except those that would
 * run a thread asleep (z: those asleep after the prefix's first n - 1
 * picks).  Pushes them in the order of the unreduced search; counts the
 * children left out in *pruned.  0, or -1 when the run's trace or log
 * cannot be read.
 */
int clab_por_children(const char *trace, const char *log, size_t n,
		      const struct clab_por_sleep *z, unsigned bound,
		      clab_por_push_fn push, void *arg, long *pruned);

#endif
