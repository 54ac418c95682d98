/*
 * Recording: the tracer side that the runtime writes into.
 *
 * A program opens one trace at a time with clab_tracer_open().  Each thread
 * records into its own buffer, a chain of fixed-size blocks, without taking
 * a lock; a writer thread encodes what the threads published into chunks
 * and appends them to the trace file.  Nothing is dropped silently: a thread
 * that gets too far ahead of the writer waits for it (a "stall", counted),
 * and records that could not be kept are counted as drops in the file.
 *
 * The clab__ functions and structures here are shared between the tracer
 * and the runtime; programs use the runtime's API instead.
 */
#ifndef CONCLAB_TRACER_H
#define CONCLAB_TRACER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <conclab/error.h>
#include <conclab/kinds.h>
#include <conclab/site.h>

struct clab_meta_kv {
	const char *key;
	const char *value;
};

struct clab_tracer_opts {
	const char *path; /* trace file to create (replaced if it exists) */
	const struct clab_meta_kv *meta; /* written into the file header */
	size_t nmeta;
	unsigned flush_ms;  /* records older than this are written (500) */
	unsigned buffer_mb; /* memory for unwritten records (256) */
	int compress;       /* zlib level 0..9 for record chunks (-1: 1) */
};

struct clab_tracer_stats {
	uint64_t records; /* records written to the file */
	uint64_t drops;   /* records that could not be kept */
	uint64_t stalls;  /* times a thread waited for the writer */
	uint64_t bytes;   /* size of the file */
	uint64_t chunks;
	uint64_t record_bytes; /* bytes of record chunks (with headers) */
	int error;             /* first write error, or 0 */
};

/*
 * clab_tracer_open - start recording into a new trace file.
 *
 * Registers the calling thread as thread 0 ("main").  Returns 0, or
 * CLAB_EBUSY if a trace is already open, or a negative errno if the file
 * cannot be created.  Not thread safe against other open/close calls.
 */
int clab_tracer_open(const struct clab_tracer_opts *opts);

/*
 * clab_tracer_flush - write every record published so far, now.
 * Safe to call from any thread while a trace is open, including while other
 * threads are blocked.  Returns 0 or the first write error.
 */
int clab_tracer_flush(void);

/*
 * clab_tracer_close - write the remaining records and the end chunk, and
 * close the file.  Threads that are still running keep their buffers; what
 * they record afterwards is counted as dropped.  Fills *st if not NULL.
 * Returns 0, or the first write error.
 */
int clab_tracer_close(struct clab_tracer_stats *st);

/* Whether a trace is open. */
int clab_tracer_active(void);

/* The open trace's path, or NULL. */
const char *clab_tracer_path(void);

/* ---- shared with the runtime (not a stable API) ---- */

#define CLAB__BLOCK_RECS 8192u

struct clab__rec {
	uint64_t tsc;
	const struct clab_site *site;
	union {
		struct {
			uint32_t obj;
			uint32_t oseq;
		} o;
		int64_t val;
	} u;
	uint8_t kind;
	uint8_t a8;
	uint16_t pad;
	uint32_t a32;
};

struct clab__block {
	_Atomic uint32_t pos; /* records published in this block */
	struct clab__block *_Atomic next;
	struct clab__rec recs[CLAB__BLOCK_RECS];
};

/* One recording thread's buffer. */
struct clab__tbuf {
	/* written only by the owning thread */
	struct clab__block *cur;
	uint32_t pos;
	/* fixed at registration */
	uint32_t tid;
	uint32_t oid; /* the thread's object id */
	uint32_t parent;
	unsigned gen; /* the trace this buffer belongs to */
	char *name;
	/* the writer's cursor, under the writer's lock */
	struct clab__block *wblk;
	uint32_t wpos;
	uint64_t wfirst_tsc; /* time of the oldest unwritten record */
	_Atomic uint64_t drops;
	_Atomic int exited;
	struct clab__tbuf *next;
};

/* The current trace generation; bumped by each open. */
extern _Atomic unsigned clab__trace_gen;

/*
 * clab__tbuf_new - register a thread and give it a buffer.
 * parent is the creating thread's tid.  Returns NULL when no trace is open
 * or memory is short.  The buffer lives until the trace is closed.
 */
struct clab__tbuf *clab__tbuf_new(const char *name, uint32_t parent);

/* The owner thread says it has ended: the writer may write and free all. */
void clab__tbuf_exit(struct clab__tbuf *tb);

/* Slow path of clab__emit: the current block is full. */
void clab__tbuf_grow(struct clab__tbuf *tb);

/*
 * clab__obj_new - register an object; returns its id (from 1, never reused
 * within a trace), or 0 when no trace is open.  name is copied.
 */
uint32_t clab__obj_new(unsigned objkind, const char *name,
		       const struct clab_site *site, uint32_t tid,
		       unsigned flags, uint32_t param);

/* The name given to an object (for reports), or "?". Not a hot path. */
const char *clab__obj_name(uint32_t oid);

/* CLOCK_MONOTONIC in nanoseconds: the clock where there is no TSC. */
uint64_t clab__clock_slow(void);

static inline uint64_t clab__clock(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return __builtin_ia32_rdtsc();
#else
	return clab__clock_slow();
#endif
}

/* Nanoseconds since the trace was opened, for a clab__clock() value. */
uint64_t clab__clock_ns(uint64_t tsc);

/* Append one record to the calling thread's buffer.  No lock, no syscall. */
static inline struct clab__rec *clab__emit_slot(struct clab__tbuf *tb)
{
	if (__builtin_expect(tb->pos == CLAB__BLOCK_RECS, 0))
		clab__tbuf_grow(tb);
	return &tb->cur->recs[tb->pos];
}

static inline void clab__emit_publish(struct clab__tbuf *tb)
{
	tb->pos++;
	atomic_store_explicit(&tb->cur->pos, tb->pos, memory_order_release);
}

static inline void clab__emit(struct clab__tbuf *tb, unsigned kind,
			      uint32_t obj, uint32_t oseq,
			      const struct clab_site *site, unsigned a8,
			      uint32_t a32)
{
	struct clab__rec *r = clab__emit_slot(tb);
	r->tsc = clab__clock();
	r->site = site;
	r->u.o.obj = obj;
	r->u.o.oseq = oseq;
	r->kind = (uint8_t)kind;
	r->a8 = (uint8_t)a8;
	r->pad = 0;
	r->a32 = a32;
	clab__emit_publish(tb);
}

static inline void clab__emit_val(struct clab__tbuf *tb, unsigned kind,
				  int64_t val, const struct clab_site *site,
				  uint32_t a32)
{
	struct clab__rec *r = clab__emit_slot(tb);
	r->tsc = clab__clock();
	r->site = site;
	r->u.val = val;
	r->kind = (uint8_t)kind;
	r->a8 = 0;
	r->pad = 0;
	r->a32 = a32;
	clab__emit_publish(tb);
}

#endif
