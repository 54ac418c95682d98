/*
 * The lock-order detector (lockdep-style), as a data structure.
 *
 * Feed it every lock request made while other locks are held: "thread T,
 * holding locks H1..Hk (taken at sites S1..Sk), requests lock L at site S".
 * It keeps a graph with an edge Hi -> L for every such pair, and reports a
 * cycle in that graph the moment an observation closes one: a lock order
 * that two threads can follow into a deadlock, even if this run did not.
 *
 * For each cycle it knows whether it can really deadlock:
 *   - gated: every observation of every edge was made while holding one
 *     same other lock (a gate), so two threads cannot be inside the cycle
 *     at once.  Reported again, as a deadlock, once an observation without
 *     the gate appears.  A counting semaphore held across every edge is a
 *     gate too when it lets fewer threads in than the cycle has edges (a
 *     cycle of k locks needs k threads to deadlock): the dining
 *     philosophers' waiter with N-1 seats.
 *   - latent: all its edges come from one thread; a second thread taking
 *     the same path would deadlock.
 *   - timed: an edge was only ever taken with a timed lock; the order only
 *     survives because the timeout gives up.
 *
 * Locks are dense ids (object ids in a trace); sites and threads are the
 * caller's numbers.  Not thread safe: callers serialise.  Used offline by
 * the trace analyser and live by the runtime.
 */
#ifndef CONCLAB_LOCKDEP_H
#define CONCLAB_LOCKDEP_H

#include <stddef.h>
#include <stdint.h>

/*
 * Permits one thread may hold at once for them to gate: one more, and the
 * semaphore is ungated for good (the runtime keeps a small array).
 */
#define CLAB_LD_PERMITS_MAX 8

#define CLAB_LD_TRY 1u	 /* a trylock: adds no edge */
#define CLAB_LD_TIMED 2u /* a lock with a timeout */
#define CLAB_LD_READ 4u	 /* a read request of a reader-writer lock */

struct clab_ld_held {
	uint32_t lock;
	uint32_t site; /* where it was taken */
	uint64_t seq;  /* the record that took it */
	/*
	 * 0: a lock, which takes part in the order.  n > 0: a permit of a
	 * semaphore that lets at most n threads in at once; it makes no
	 * edges and can only gate (see clab_lockdep_ungate).
	 */
	uint32_t permits;
	/*
	 * 1: a read hold of a reader-writer lock.  Readers do not exclude
	 * each other: a cycle whose every hold and request of some lock is
	 * a read cannot deadlock (CLAB_LD_SHARED); a read hold and a write
	 * request of the same lock (an upgrade) make an edge from the lock
	 * to itself, which two threads deadlock on.
	 */
	uint32_t shared;
};

struct clab_ld_edge {
	uint32_t from, to;
	uint32_t tid;	    /* the first thread that made it */
	uint32_t from_site; /* where `from` was taken, first time */
	uint32_t to_site;   /* where `to` was requested, first time */
	uint64_t first_seq; /* first and last observation */
	uint64_t last_seq;
	uint64_t count;	    /* observations */
	int multi_thread;   /* made by more than one thread */
	int timed, untimed; /* made with a timed lock / a plain one */
	uint32_t ngates;    /* locks held at every observation */
	uint32_t *gates;
	uint32_t closes; /* 1 + id of the cycle it closed, or 0 */
	/* seen with `from` held for writing (or a mutex) / `to` requested
	 * for writing: where readers could not share */
	int from_excl, to_excl;
};

enum clab_ld_class {
	CLAB_LD_DEADLOCK = 0, /* two threads can deadlock on it */
	CLAB_LD_TIMED_ONLY = 1,
	CLAB_LD_LATENT = 2,
	CLAB_LD_GATED = 3,
	/* some lock of the cycle only ever read, by both of its edges */
	CLAB_LD_SHARED = 4,
};

struct clab_ld_cycle {
	uint32_t id;	 /* from 0, in the order cycles were found */
	uint32_t nedges; /* the cycle: edges[i].to == edges[i+1].from */
	uint32_t *edges; /* edge indexes */
	enum clab_ld_class cls;
	uint32_t gate;	       /* the gate lock when gated */
	uint32_t gate_permits; /* 0: the gate is a lock; n: a semaphore's */
	uint64_t seq;  /* the observation that closed it (or ungated it) */
	uint32_t tid;  /* the thread of that observation */
	uint64_t seen; /* times its closing edge was taken (from 1) */
	int reported;  /* set by the caller once reported */
};

struct clab_lockdep;

struct clab_lockdep *clab_lockdep_new(void);
void clab_lockdep_free(struct clab_lockdep *ld);

/*
 * clab_lockdep_request - thread tid, holding held[0..nheld) (outermost
 * first), requests lock at site (record seq) with flags CLAB_LD_*.
 * Returns the number of cycles whose report changed (new, or a class
 * that got worse, e.g. gated -> deadlock), 0 if none, or CLAB_ENOMEM.
 * clab_lockdep_changed() gives the ids of the cycles that changed.
 */
int clab_lockdep_request(struct clab_lockdep *ld, uint32_t tid,
			 const struct clab_ld_held *held, uint32_t nheld,
			 uint32_t lock, uint32_t site, uint64_t seq,
			 unsigned flags);

/*
 * clab_lockdep_ungate - semaphore sem was released by a thread that did
 * not hold a permit of it: its holders are no longer bounded by its
 * permits, so it gates nothing from now on.  Cycles it gated are
 * classified again; returns the number whose report changed (see
 * clab_lockdep_changed), 0, or CLAB_ENOMEM.
 */
int clab_lockdep_ungate(struct clab_lockdep *ld, uint32_t sem, uint32_t tid,
			uint64_t seq);

/* Cycles changed by the last request (or ungate): ids written to out (at most
 * max). */
uint32_t clab_lockdep_changed(const struct clab_lockdep *ld, uint32_t *out,
			      uint32_t max);

uint32_t clab_lockdep_nedges(const struct clab_lockdep *ld);
const struct clab_ld_edge *clab_lockdep_edge(const struct clab_lockdep *ld,
					     uint32_t i);
uint32_t clab_lockdep_ncycles(const struct clab_lockdep *ld);
const struct clab_ld_cycle *clab_lockdep_cycle(const struct clab_lockdep *ld,
					       uint32_t i);
/* Whether an edge from -> to exists (for tests and suggestions). */
int clab_lockdep_has_edge(const struct clab_lockdep *ld, uint32_t from,
			  uint32_t to);

const char *clab_ld_class_name(enum clab_ld_class c);

#endif
