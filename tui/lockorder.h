/*
 * The lock-order cycles of a trace, for the viewer's lock-order view:
 * the tracer's detector replayed over the records (clab_analyze), copied
 * into plain arrays with each cycle's edges starting from its lowest lock
 * and the records it points at (where it closed, the diagnostic the run
 * recorded for it).  Curses-free; unit-tested.
 */
#ifndef CLAB_TUI_LOCKORDER_H
#define CLAB_TUI_LOCKORDER_H

#include <stdint.h>

#include <conclab/lockdep.h>
#include <conclab/trace.h>

struct clab_lorder_edge {
	uint32_t from, to; /* lock object ids: `to` requested holding `from` */
	uint32_t tid;	   /* the first thread that did it */
	uint32_t from_site, to_site; /* where from was taken, to requested */
	uint32_t first;		     /* the record of the first request */
	uint64_t count;		     /* how many times */
};

struct clab_lorder_cycle {
	enum clab_ld_class cls;
	uint32_t gate;	       /* the gate lock of a gated cycle */
	uint32_t gate_permits; /* 0: a lock; n: a semaphore's permits */
	uint32_t record;       /* the request that closed it (or ungated it) */
	uint32_t tid;	       /* the thread of that request */
	uint32_t diag;	       /* its lock-cycle diagnostic, or UINT32_MAX */
	uint32_t nedges;
	struct clab_lorder_edge *edges; /* edges[i].to == edges[i+1].from */
};

struct clab_lorder {
	uint32_t ncycles;
	struct clab_lorder_cycle *cycles; /* in the order they were found */
};

/*
 * clab_lorder_build - find the lock-order cycles of tr.  Returns 0 or a
 * negative error (CLAB_ENOMEM); on error lo is empty.  Free with
 * clab_lorder_fini (which accepts an empty or zeroed lo).
 */
int clab_lorder_build(const struct clab_trace *tr, struct clab_lorder *lo);
void clab_lorder_fini(struct clab_lorder *lo);

#endif
