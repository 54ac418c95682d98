/*
 * The replay model: the state of every thread and object of a trace after
 * any number of its records.  Part of the tracer (no terminal, no
 * runtime): the checks, the exporter, the scheduler's tools and the viewer
 * read a trace through it.  Not installed: a tool of this tree's API, as
 * <conclab/trace.h> is.
 *
 * clab_replay_new() makes one pass over the trace: it builds an index of
 * each thread's and each object's records, the list of diagnostics, the
 * statistics, and a checkpoint of the state every K records.  Seeking is
 * then the nearest checkpoint before the position plus a replay of fewer
 * than K records, never a scan from the start.
 *
 * A state is two flat arrays (threads, objects) of small fixed-size
 * structs; the waiters of an object are the threads whose state points at
 * it, in the order of the records that made them wait, so nothing in a
 * state is variable-sized and a checkpoint is one memcpy.
 *
 * Positions are record numbers (uint32_t; a trace has fewer than 2^32-1
 * records).  "The state at n" is the state after records 0..n-1 happened:
 * the viewer's cursor on record i shows the state at i + 1.
 */
#ifndef CONCLAB_REPLAY_H
#define CONCLAB_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include <conclab/trace.h>

#define CLAB_REPLAY_NONE UINT32_MAX

/* What a thread is doing. */
enum clab_tstate {
	CLAB_TS_NONE,  /* not started yet */
	CLAB_TS_RUN,   /* running */
	CLAB_TS_REQ,   /* requesting a mutex (contended) */
	CLAB_TS_WAIT,  /* waiting on a condition variable */
	CLAB_TS_BLOCK, /* blocked: semaphore, latch, barrier, queue, join */
	CLAB_TS_SLEEP, /* sleeping */
	CLAB_TS_DONE,  /* finished */
	CLAB_TS_COUNT
};

/* A thread's state: 16 bytes, no padding. */
struct clab_rthread {
	uint8_t st; /* enum clab_tstate */
	uint8_t pad;
	uint16_t nheld; /* mutexes held (capped) */
	uint32_t obj;	/* the object waited on, 0 when running */
	uint32_t since; /* the record that began the state */
	uint32_t last;	/* the thread's last record, or NONE */
};

#define CLAB_RO_CREATED 1u
#define CLAB_RO_DESTROYED 2u
#define CLAB_RO_KNOWN 4u  /* a (the value) was seen in a record */
#define CLAB_RO_CLOSED 8u /* a queue was closed */

/*
 * An object's state: 20 bytes.  Meaning of a and b by kind:
 *   mutex    a = owner tid + 1 (0: free), b = depth, since = taking record
 *   sem      a = value (when KNOWN)
 *   cond     a = the mutex last used with it
 *   latch    a = 1 when set
 *   barrier  a = generation, b = arrivals in the current one
 *   queue    a = depth, b = unfinished tasks
 *   thread   a = 1 when started, b = 1 when ended
 *   timer    a = 1 when armed
 *   ptimer   a = tick
 *   key      a = the threads holding a value, b = those whose value
 *            ended with them (one bit each, for tids below 32)
 */
struct clab_robject {
	uint32_t a;
	uint32_t b;
	uint32_t since;
	uint32_t last; /* the object's last record, or NONE */
	uint32_t flags;
};

struct clab_rstate {
	uint32_t at; /* records applied */
	uint32_t nthreads, nobjects;
	struct clab_rthread *th; /* by tid */
	struct clab_robject *ob; /* by object id; ob[0] unused */
};

/* Whole-trace statistics of a thread or an object. */
struct clab_rstats {
	uint64_t wait_ns;      /* requesting, waiting or blocked */
	uint64_t hold_ns;      /* mutexes held (outermost acquire..release) */
	uint64_t sleep_ns;     /* threads: sleeping */
	uint64_t acquisitions; /* mutex acquires (outermost), sem acquires */
	uint64_t contended;    /* acquires that had to wait */
	uint64_t waits;	       /* waits of any kind that blocked */
	uint64_t records;
};

struct clab_replay;

/*
 * clab_replay_new - index a loaded trace.  every: records between
 * checkpoints, 0 for the default (4096, more when the state is large).
 * Returns 0 or a negative error (CLAB_ENOMEM, CLAB_EOVERFLOW).  The trace must
 * outlive the replay.
 */
int clab_replay_new(const struct clab_trace *tr, uint32_t every,
		    struct clab_replay **out);
void clab_replay_free(struct clab_replay *rp);

const struct clab_trace *clab_replay_trace(const struct clab_replay *rp);
uint32_t clab_replay_nrecords(const struct clab_replay *rp);
uint32_t clab_replay_every(const struct clab_replay *rp);
/* Bytes used by checkpoints and indexes. */
size_t clab_replay_memory(const struct clab_replay *rp);

/* States: allocate one, then seek it or step it. */
int clab_rstate_init(const struct clab_replay *rp, struct clab_rstate *st);
void clab_rstate_destroy(struct clab_rstate *st);
int clab_rstate_equal(const struct clab_rstate *a, const struct clab_rstate *b);
/* The state after records 0..n-1 (n is clamped to the record count). */
void clab_replay_seek(const struct clab_replay *rp, struct clab_rstate *st,
		      uint32_t n);
/* Apply the next record; returns 0 at the end of the trace. */
int clab_replay_step(const struct clab_replay *rp, struct clab_rstate *st);
/* Replay from an empty state, for tests (what seek must equal). */
void clab_replay_scan(const struct clab_replay *rp, struct clab_rstate *st,
		      uint32_t n);

/* The mutex objects tid holds in st, up to max; returns the count. */
size_t clab_replay_held(const struct clab_replay *rp,
			const struct clab_rstate *st, uint32_t tid,
			uint32_t *oids, size_t max);
/* The threads waiting on oid, in the order they began to wait. */
size_t clab_replay_waiters(const struct clab_rstate *st, uint32_t oid,
			   uint32_t *tids, size_t max);
/*
 * The thread tid waits for in st: the owner of the mutex it requests, or
 * the thread it joins; CLAB_REPLAY_NONE when none.
 */
uint32_t clab_replay_waits_for(const struct clab_replay *rp,
			       const struct clab_rstate *st, uint32_t tid);
/*
 * A wait-for cycle in st: the threads of the first cycle found, in order
 * (tids[0] waits for tids[1] ... the last for tids[0]).  Returns its
 * length, 0 when there is none.
 */
size_t clab_replay_cycle(const struct clab_replay *rp,
			 const struct clab_rstate *st, uint32_t *tids,
			 size_t max);

/* Short words for a thread state ("running", "requesting", ...). */
const char *clab_tstate_name(unsigned st);

/*
 * The record that record i waited for: the release before a mutex
 * acquire, the signal or broadcast before a cond wake, the release before
 * a semaphore acquire, the set before a latch wake, the exit before a
 * join, the put (get) before a get (put) that waited, the tick before a
 * periodic timer wake, the last arrival before a barrier pass.
 * CLAB_REPLAY_NONE when the record did not wait for another one.
 */
uint32_t clab_replay_cause(const struct clab_replay *rp, uint32_t i);

/* Records of a thread / an object: the next after i or the last before i. */
uint32_t clab_replay_thread_next(const struct clab_replay *rp, uint32_t tid,
				 uint32_t i, int dir);
uint32_t clab_replay_object_next(const struct clab_replay *rp, uint32_t oid,
				 uint32_t i, int dir);

/* Diagnostics: record numbers of the DIAG records, in order. */
uint32_t clab_replay_ndiags(const struct clab_replay *rp);
uint32_t clab_replay_diag(const struct clab_replay *rp, uint32_t k);
/* The first diagnostic after i (dir > 0) or before i (dir < 0). */
uint32_t clab_replay_diag_next(const struct clab_replay *rp, uint32_t i,
			       int dir);
/* The first deadlock diagnostic, or CLAB_REPLAY_NONE. */
uint32_t clab_replay_deadlock(const struct clab_replay *rp);

const struct clab_rstats *clab_replay_thread_stats(const struct clab_replay *rp,
						   uint32_t tid);
const struct clab_rstats *clab_replay_object_stats(const struct clab_replay *rp,
						   uint32_t oid);

/*
 * The next record after i (dir > 0) or before i (dir < 0) whose dump line
 * contains text (case-insensitive), wrapping around; NONE when none.
 */
uint32_t clab_replay_search(const struct clab_replay *rp, uint32_t i, int dir,
			    const char *text);

#endif
