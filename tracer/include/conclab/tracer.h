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
	int compress;	    /* zlib level 0..9 for record chunks (-1: 1) */
	/*
	 * Stamp records with a virtual clock (clab__vclock, moved by the
	 * controlled scheduler) instead of the processor's: two runs of
	 * the same schedule then record the same times.
	 */
	int virtual_time;
	/*
	 * Called after a fatal signal saved the trace (see clab_tracer_open),
	 * in the thread that got the signal, inside its handler: only
	 * async-signal-safe calls.  addr is the faulting address (NULL for
	 * an abort).  If it returns, the signal goes on as if conclab had
	 * never caught it.  NULL: nothing is called.
	 */
	void (*on_crash)(int sig, void *addr);
	/*
	 * Sign the trace (NULL: do not): the bytes of a key file, at least
	 * CLAB_KEY_MIN of them.  The writer keeps a keyed MAC (BLAKE2b)
	 * over every byte it writes and ends the file with a signature
	 * chunk; the key itself is never written.  The bytes are used
	 * during clab_tracer_open only: the caller may wipe them after it.
	 */
	const void *key;
	size_t key_len;
};

/* The shortest key that signs a trace, in bytes. */
#define CLAB_KEY_MIN 32

struct clab_tracer_stats {
	uint64_t records; /* records written to the file */
	uint64_t drops;	  /* records that could not be kept */
	uint64_t stalls;  /* times a thread waited for the writer */
	uint64_t bytes;	  /* size of the file */
	uint64_t chunks;
	uint64_t record_bytes; /* bytes of record chunks (with headers) */
	int error;	       /* first write error, or 0 */
};

/*
 * clab_tracer_open - start recording into a new trace file.
 *
 * Registers the calling thread as thread 0 ("main").  Returns 0, or
 * CLAB_EBUSY if a trace is already open, or a negative errno if the file
 * cannot be created.  Not thread safe against other open/close calls.
 *
 * The trace survives the program's end: while it is open, a fatal signal
 * (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) first saves every record
 * published before it (the writer's thread writes them and closes the
 * file) and then goes to the handler the program had when it opened the
 * trace, or kills it as usual; exit() and a return from main close the
 * trace.  A handler the program installs after the open replaces conclab's
 * (clab_tracer_close puts back only its own).  A SIGKILL loses at most the
 * records of the last flush_ms; the file's whole chunks stay readable.
 * With a key, CLAB_EINVAL if it is shorter than CLAB_KEY_MIN bytes.
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

/*
 * clab_tracer_meta_add - add key = value to the trace's metadata (a META
 * chunk written now, read like the first one): what is known only once a
 * run has ended, such as its schedule.  Returns 0, CLAB_EINVAL when no
 * trace is open, or a write error.
 */
int clab_tracer_meta_add(const char *key, const char *value);

/* Whether a trace is open. */
int clab_tracer_active(void);

/* The open trace's path, or NULL: valid until the trace is closed. */
const char *clab__tracer_path(void);

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
	uint16_t pad; /* call stack id (stack.c), 0 for none */
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
	/* lazy time stamps (see clab__emit_fast) */
	uint32_t last_tick;
	uint32_t since_stamp;
	/* the writer's cursor, under the writer's lock */
	struct clab__block *wblk;
	uint32_t wpos;
	uint64_t wpending; /* writer clock when records were first waiting */
	_Atomic uint64_t drops;
	_Atomic int exited;
	/* the thread is gone for good: free once written (clab__tbuf_retire) */
	_Atomic int retire;
	struct clab__tbuf *next;
	uint64_t written; /* records the writer has written, under its lock */
};

/* The current trace generation; bumped by each open. */
extern _Atomic unsigned clab__trace_gen;

/*
 * clab__tbuf_new - register a thread and give it a buffer.
 * parent is the creating thread's tid.  Returns NULL when no trace is open
 * or memory is short.  The buffer lives until the trace is closed.
 */
struct clab__tbuf *clab__tbuf_new(const char *name, uint32_t parent);

/*
 * clab__tbuf_claim_main - the buffer of thread 0, made by clab_tracer_open
 * for the thread that opened the trace; returns it once, to that thread,
 * and NULL to any other call.
 */
struct clab__tbuf *clab__tbuf_claim_main(void);

/* The owner thread says it has ended: the writer may write and free all. */
void clab__tbuf_exit(struct clab__tbuf *tb);
/*
 * The thread of tb (exited) will never record again, nor anybody look at
 * tb: the writer frees it once its records and its definition are
 * written, so that a long run's ended threads cost nothing.
 */
void clab__tbuf_retire(struct clab__tbuf *tb);

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
/* The kind of object oid of the open trace, or 0 if there is none. */
unsigned clab__obj_kind(uint32_t oid);

/*
 * fork (the runtime's clab_fork): clab__tracer_fork_prepare takes the
 * writer's and the registry's locks, so that the child finds them in a
 * known state, and says what the child's trace needs: the open trace's
 * path ("" when none) and how many records tb (the forking thread's
 * buffer) has published, which is the index its next record gets in its
 * thread's stream.  In the parent, clab__tracer_fork_parent releases the
 * locks.  In the child, clab__tracer_fork_child forgets what the
 * parent's trace held (the other threads' buffers, the writer, the
 * file, what tb published) and, when path is not NULL, opens a trace at
 * path with the parent's settings and its "command" and "program"
 * metadata, and meta: tb becomes its thread 0, and the objects the
 * parent registered keep their ids (see docs/runtime.md).  Returns 0, or
 * a negative errno (the child then records nowhere).
 */
struct clab__fork_info {
	char path[4096];
	uint64_t seq;
	uint32_t nobjs; /* objects registered so far */
};
void clab__tracer_fork_prepare(struct clab__tbuf *tb,
			       struct clab__fork_info *fi);
void clab__tracer_fork_parent(void);
int clab__tracer_fork_child(struct clab__tbuf *tb, const char *path,
			    const struct clab_meta_kv *meta, size_t nmeta);

/* CLOCK_MONOTONIC in nanoseconds: the clock where there is no TSC. */
uint64_t clab__clock_slow(void);

/*
 * The virtual clock, in nanoseconds from 1, while a trace opened with
 * virtual_time is open: clab__clock() then reads it, the writer takes its
 * values as nanoseconds, and only its owner (the controlled scheduler)
 * moves it and clab__tick.
 */
extern _Atomic int clab__vclock_on;
extern _Atomic uint64_t clab__vclock;

static inline uint64_t clab__clock(void)
{
	if (__builtin_expect(
		atomic_load_explicit(&clab__vclock_on, memory_order_relaxed),
		0))
		return atomic_load_explicit(&clab__vclock,
					    memory_order_relaxed);
#if defined(__x86_64__) || defined(__i386__)
	return __builtin_ia32_rdtsc();
#else
	return clab__clock_slow();
#endif
}

/* Nanoseconds since the trace was opened, for a clab__clock() value. */
uint64_t clab__clock_ns(uint64_t tsc);

/*
 * Time stamps.  Reading the time-stamp counter is the most expensive part
 * of a record (about 18 ns on a virtual machine), so records of the fast
 * paths (an uncontended lock or unlock, an annotation) are stamped lazily:
 * only when the writer's millisecond tick has moved since the thread's last
 * stamp, or after CLAB__STAMP_EVERY records without one.  A record without
 * a stamp carries tsc 0 and the writer gives it a time interpolated between
 * the stamped records around it, which is exact to about a tick.  Every
 * record of a slow path (anything that blocks or wakes) is stamped.
 */
#define CLAB__STAMP_EVERY 1024u
extern _Atomic uint32_t clab__tick;

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

/*
 * A record stamped with tsc, a clab__clock() value, and a call stack id
 * (see clab__stack_here, 0 for none).  Read earlier, tsc keeps the time a
 * record written after what it records happened (see clab__cond_signal);
 * it must not be older than the thread's last record.
 */
static inline void clab__emit_at_s(struct clab__tbuf *tb, uint64_t tsc,
				   unsigned kind, uint32_t obj, uint32_t oseq,
				   const struct clab_site *site, unsigned a8,
				   uint32_t a32, uint16_t stack)
{
	struct clab__rec *r = clab__emit_slot(tb);
	r->tsc = tsc;
	tb->since_stamp = 0;
	r->site = site;
	r->u.o.obj = obj;
	r->u.o.oseq = oseq;
	r->kind = (uint8_t)kind;
	r->a8 = (uint8_t)a8;
	r->pad = stack;
	r->a32 = a32;
	clab__emit_publish(tb);
}

static inline void clab__emit_at(struct clab__tbuf *tb, uint64_t tsc,
				 unsigned kind, uint32_t obj, uint32_t oseq,
				 const struct clab_site *site, unsigned a8,
				 uint32_t a32)
{
	clab__emit_at_s(tb, tsc, kind, obj, oseq, site, a8, a32, 0);
}

/* clab__emit with a call stack id (see clab__stack_here), 0 for none. */
static inline void clab__emit_s(struct clab__tbuf *tb, unsigned kind,
				uint32_t obj, uint32_t oseq,
				const struct clab_site *site, unsigned a8,
				uint32_t a32, uint16_t stack)
{
	clab__emit_at_s(tb, clab__clock(), kind, obj, oseq, site, a8, a32,
			stack);
}

static inline void clab__emit(struct clab__tbuf *tb, unsigned kind,
			      uint32_t obj, uint32_t oseq,
			      const struct clab_site *site, unsigned a8,
			      uint32_t a32)
{
	clab__emit_s(tb, kind, obj, oseq, site, a8, a32, 0);
}

/* The time stamp of a fast-path record: the clock, or 0 (interpolated). */
static inline uint64_t clab__lazy_stamp(struct clab__tbuf *tb)
{
	uint32_t tick = atomic_load_explicit(&clab__tick, memory_order_relaxed);
	if (tick == tb->last_tick && ++tb->since_stamp < CLAB__STAMP_EVERY)
		return 0;
	tb->last_tick = tick;
	tb->since_stamp = 0;
	return clab__clock();
}

/* clab__emit for fast paths: stamped lazily. */
static inline void clab__emit_fast_s(struct clab__tbuf *tb, unsigned kind,
				     uint32_t obj, uint32_t oseq,
				     const struct clab_site *site, unsigned a8,
				     uint32_t a32, uint16_t stack)
{
	struct clab__rec *r = clab__emit_slot(tb);
	r->tsc = clab__lazy_stamp(tb);
	r->site = site;
	r->u.o.obj = obj;
	r->u.o.oseq = oseq;
	r->kind = (uint8_t)kind;
	r->a8 = (uint8_t)a8;
	r->pad = stack;
	r->a32 = a32;
	clab__emit_publish(tb);
}

static inline void clab__emit_fast(struct clab__tbuf *tb, unsigned kind,
				   uint32_t obj, uint32_t oseq,
				   const struct clab_site *site, unsigned a8,
				   uint32_t a32)
{
	clab__emit_fast_s(tb, kind, obj, oseq, site, a8, a32, 0);
}

/* An annotation-like record (stamped lazily). */
static inline void clab__emit_val(struct clab__tbuf *tb, unsigned kind,
				  int64_t val, const struct clab_site *site,
				  uint32_t a32)
{
	struct clab__rec *r = clab__emit_slot(tb);
	r->tsc = clab__lazy_stamp(tb);
	r->site = site;
	r->u.val = val;
	r->kind = (uint8_t)kind;
	r->a8 = 0;
	r->pad = 0;
	r->a32 = a32;
	clab__emit_publish(tb);
}

/*
 * Call stacks (stack.c), off by default.  When on, the runtime asks for the
 * calling thread's stack on its slow paths and for lock records, and the
 * record keeps the stack's id in its 16-bit pad: ids count from 1 (0 is
 * none) and at most CLAB__STACKS_MAX different stacks are kept per process;
 * a capture beyond that records 0 and is counted (clab__stacks_lost).
 */
#define CLAB__STACKS_MAX 65535u
#define CLAB__STACK_FRAMES 32u /* return addresses kept per stack */
extern _Atomic int clab__stacks_on;
void clab__stacks_set(int on);
/* The calling thread's stack, interned: its id, or 0 (table full). */
uint16_t clab__stack_capture(void);
/* The return addresses of stack id (innermost first), or NULL. */
const uintptr_t *clab__stack_pcs(uint16_t id, uint32_t *n);
/* Captures that got no id because the table was full. */
uint64_t clab__stacks_lost(void);

/* A stack id for a record, when stacks are on: one predictable branch. */
static inline uint16_t clab__stack_here(void)
{
	if (__builtin_expect(
		atomic_load_explicit(&clab__stacks_on, memory_order_relaxed),
		0))
		return clab__stack_capture();
	return 0;
}

#endif
