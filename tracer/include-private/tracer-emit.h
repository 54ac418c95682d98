/*
 * Recording internals shared by the tracer and the runtime (and the tests
 * and tools that write records directly): each thread's buffer of records,
 * the inline emit functions the primitives call on their hot paths, the
 * registry of threads and objects, the clock and call stacks.  Not
 * installed: programs use <conclab/runtime.h>.
 */
#ifndef CONCLAB_TRACER_EMIT_H
#define CONCLAB_TRACER_EMIT_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <conclab/kinds.h>
#include <conclab/site.h>
#include <conclab/tracer.h>

/*
 * Records a block holds: with its count and link, a block is 32 KiB, so
 * that a short thread's block costs little and a buffer is made of many
 * (tracer/buffer.c).
 */
#define CLAB__BLOCK_RECS 1023u

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
	/*
	 * The held-back acquire (see clab__emit_acquire_fast): its record in
	 * three words (site; obj and oseq, clab__pend_id; kind, a8, stack
	 * and a32), valid while pgen % 4 == 2.  Written by the owner only;
	 * the writer reads it as a sequence lock, to write it ahead.
	 */
	_Atomic uint64_t pend[3];
	_Atomic uint32_t pgen;
	/* hold records published (each is two records of the thread's) */
	uint64_t holds;
	/*
	 * The writer's cursor, under the writer's lock: from here on a line
	 * of its own, since the owner writes the lines above at every
	 * record (lock_heavy_4: 0.93x wall).
	 */
	_Alignas(64) struct clab__block *wblk;
	uint32_t wpos;
	uint64_t wpending; /* writer clock when records were first waiting */
	uint64_t wlast_ns; /* the time of the last record written */
	/* chunks to write in the older form, not the 1.6 (writer.c) */
	uint32_t wdense;
	/*
	 * The acquire held back that the writer wrote ahead (its obj and
	 * oseq word, 0: none), which it leaves out when the thread
	 * publishes it; the pgen it saw in its last pass.
	 */
	uint64_t wheld;
	uint32_t wpgen;
	_Atomic uint64_t drops;
	_Atomic int exited;
	_Atomic int unwritten; /* ended, counted in the registry's nended */
	/* the thread is gone for good: free once written (clab__tbuf_retire) */
	_Atomic int retire;
	struct clab__tbuf *next;
	uint64_t written; /* records the writer has written, under its lock */
	/* renamed since the writer's last pass, under the registry's lock */
	int renamed;
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
 * clab__tbuf_rename - the thread's new name: tb->name (and its object's)
 * from now on, under the registry's lock, and the metadata "name.<its
 * object id>" in the trace, written by the writer's next pass with the
 * last name it has then (docs/trace-format.md).  0 (also for a buffer of
 * no trace, or a name it has already), or CLAB_ENOMEM.
 */
int clab__tbuf_rename(struct clab__tbuf *tb, const char *name);

/*
 * clab__tbuf_renames_write - write the renames not written yet now, not at
 * the writer's next pass: under the controlled scheduler, so that where
 * they are in the file, and which names they give, do not depend on when
 * the writer runs (the same seed, the same trace).
 */
void clab__tbuf_renames_write(void);

/*
 * clab__tbuf_name - tb's name, copied into buf (len bytes) under the
 * registry's lock: a rename frees the one before.
 */
void clab__tbuf_name(const struct clab__tbuf *tb, char *buf, size_t len);

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

/*
 * A copy of the name given to an object (for reports), to free, or NULL
 * when the open trace has none for it (the object is unknown, or a thread
 * that ended and whose definition is written).  Not a hot path.
 */
char *clab__obj_name_dup(uint32_t oid);
/* The kind of object oid of the open trace, or 0 if there is none. */
unsigned clab__obj_kind(uint32_t oid);

/* The open trace's path, or NULL: valid until the trace is closed. */
const char *clab__tracer_path(void);

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

/*
 * Signals and the tracer's locks (quiet.c).  clab__lock takes one of the
 * locks the writer needs to finish a trace (w.lk, the registry's, the kick
 * and calibration locks) with the calling thread's asynchronous signals and
 * cancellation held off until clab__unlock, so that a signal handler that
 * ends the program there cannot leave the writer waiting on it for ever.
 * clab__hold and clab__unhold do the same around a stretch of several
 * locks; both nest.  clab__thread_quiet makes a thread of conclab's own
 * (the writer, the ticker, the watchdog) with the asynchronous signals
 * blocked for good, so that they go to the program's threads, and named
 * name (at most 15 bytes; "conclab-" first: what top, a debugger and
 * conclab trace's look at a stuck family show).
 */
/*
 * The stop signals (crash.c): the signals whose default action ends the
 * program (Ctrl-C's SIGINT, SIGTERM, SIGHUP...) get a handler of conclab's
 * while a trace is open, where their action was that default, which saves
 * the trace and ends the program as the default would.  Another process
 * reads which it has through clab__stop_mine, a magic word and the mask of
 * those signals (bit sig - 1), at the same offset of the same file in every
 * process that loads this code.  clab__stop_handler - whether sa is that
 * handler (which a program is shown as the default, and which does not
 * count as a handler of the program's), clab__stop_handler_fn the same for
 * a handler as signal() gives it; clab__stop_refresh - the mask made
 * anew from the actions (each watchdog period, and after the program sets
 * an action through the preload library).
 */
#define CLAB__STOP_MAGIC 0x636c61622d73746full /* "clab-sto" */
struct clab__stop_mine {
	uint64_t magic;
	_Atomic uint64_t mask;
};
extern struct clab__stop_mine clab__stop_mine;
struct sigaction;
int clab__stop_handler(const struct sigaction *sa);
int clab__stop_handler_fn(void (*h)(int));
void clab__stop_refresh(void);
uint64_t clab__stop_all(void); /* the mask of every stop signal */

void clab__hold(void);
void clab__unhold(void);
/*
 * The asynchronous signals into s: every signal but those a thread's own
 * fault or abort raises, which held off would kill the process without
 * crash.c's rescue (for a mask a signal handler may set: clab__hold is not
 * for handlers).
 */
void clab__async_signals(sigset_t *s);
void clab__lock(pthread_mutex_t *m);
int clab__trylock(pthread_mutex_t *m);
void clab__unlock(pthread_mutex_t *m);
int clab__thread_quiet(pthread_t *t, const char *name, void *(*fn)(void *),
		       void *arg);

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

/* How far ahead of the record written the next lines are asked for. */
#define CLAB__PREFETCH_BYTES 512

/*
 * An acquire of a mutex directly followed by its own release, on the same
 * thread with nothing recorded between and neither stamped, is kept in
 * the buffer as one record of this kind: the acquire's record with the
 * release's site in place of its time stamp (tsc).  The writer writes it
 * as the two records it stands for (tracer/writer.c), so the trace is
 * the same; the thread stores half as much, and the writer reads half
 * as much of what another CPU wrote.  Never in a trace file.
 */
#define CLAB__K_HOLD 0xffu

/* The next free record of the thread's buffer, the pending one aside. */
static inline struct clab__rec *clab__emit_slot_raw(struct clab__tbuf *tb)
{
	if (__builtin_expect(tb->pos == CLAB__BLOCK_RECS, 0))
		clab__tbuf_grow(tb);
	struct clab__rec *r = &tb->cur->recs[tb->pos];
	/*
	 * The block was last read by the writer, on another CPU: ask for
	 * the line ahead now, for writing, so that the store to it does
	 * not wait for that line when the mutex's atomic drains the stores.
	 * A prefetch past the block's end does not fault.  On x86-64 it is
	 * PREFETCHW, which takes the line exclusive: GCC's builtin emits it
	 * only for -mprfchw and otherwise a read prefetch, which leaves the
	 * line shared with the writer's CPU, still to be claimed by the
	 * store (lock_heavy_1 whole: 0.287 -> 0.252 s).  A CPU without it
	 * runs it as a no-op.
	 */
#if defined(__x86_64__)
	__asm__("prefetchw %0"
		:
		: "m"(*((const char *)r + CLAB__PREFETCH_BYTES)));
#else
	__builtin_prefetch((const char *)r + CLAB__PREFETCH_BYTES, 1);
#endif
	return r;
}

static inline void clab__emit_publish(struct clab__tbuf *tb)
{
	tb->pos++;
	atomic_store_explicit(&tb->cur->pos, tb->pos, memory_order_release);
}

/* The word of a held-back acquire that names it: its object and oseq. */
static inline uint64_t clab__pend_id(uint32_t obj, uint32_t oseq)
{
	return obj | (uint64_t)oseq << 32;
}

/* Whether the thread holds an acquire back (owner only). */
static inline int clab__pend_on(const struct clab__tbuf *tb)
{
	return atomic_load_explicit(&tb->pgen, memory_order_relaxed) & 2;
}

/*
 * The held-back acquire is gone (published, or made a hold).  The next
 * acquire's words are stored after this with release (a plain store on
 * x86-64), so that a writer that reads one of them sees this change too
 * (write_ahead); fences would do the same, but ThreadSanitizer does not
 * follow them.
 */
static inline void clab__pend_off(struct clab__tbuf *tb)
{
	uint32_t g = atomic_load_explicit(&tb->pgen, memory_order_relaxed);
	atomic_store_explicit(&tb->pgen, g + 2, memory_order_relaxed);
}

/*
 * Write the record the three words of an acquire held back stand for.  On
 * a little-endian machine the words are the record's own bytes (obj and
 * oseq; kind, a8, pad and a32), stored whole: four stores of 8 bytes, not
 * six of parts of words cut out with shifts.
 */
static inline void clab__pend_fill(struct clab__rec *r, uint64_t w0,
				   uint64_t w1, uint64_t w2)
{
	r->tsc = 0;
	r->site = (const struct clab_site *)(uintptr_t)w0;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	_Static_assert(offsetof(struct clab__rec, u.o.oseq) ==
			       offsetof(struct clab__rec, u.o.obj) + 4 &&
			   offsetof(struct clab__rec, a8) ==
			       offsetof(struct clab__rec, kind) + 1 &&
			   offsetof(struct clab__rec, pad) ==
			       offsetof(struct clab__rec, kind) + 2 &&
			   offsetof(struct clab__rec, a32) ==
			       offsetof(struct clab__rec, kind) + 4,
		       "the held-back words are the record's bytes");
	__builtin_memcpy(&r->u.o.obj, &w1, sizeof(w1));
	__builtin_memcpy(&r->kind, &w2, sizeof(w2));
#else
	r->u.o.obj = (uint32_t)w1;
	r->u.o.oseq = (uint32_t)(w1 >> 32);
	r->kind = (uint8_t)w2;
	r->a8 = (uint8_t)(w2 >> 8);
	r->pad = (uint16_t)(w2 >> 16);
	r->a32 = (uint32_t)(w2 >> 32);
#endif
}

/* Publish the acquire held back, as the record it is. */
static inline void clab__pend_flush(struct clab__tbuf *tb)
{
	struct clab__rec *r = clab__emit_slot_raw(tb);
	clab__pend_fill(
	    r, atomic_load_explicit(&tb->pend[0], memory_order_relaxed),
	    atomic_load_explicit(&tb->pend[1], memory_order_relaxed),
	    atomic_load_explicit(&tb->pend[2], memory_order_relaxed));
	clab__pend_off(tb);
	clab__emit_publish(tb);
}

/*
 * Append one record to the calling thread's buffer, after the acquire it
 * held back if any.  No lock, no syscall.
 */
static inline struct clab__rec *clab__emit_slot(struct clab__tbuf *tb)
{
	if (__builtin_expect(clab__pend_on(tb), 0))
		clab__pend_flush(tb);
	return clab__emit_slot_raw(tb);
}

/* Write the record r (the slot clab__emit_slot gave) and publish it. */
static inline void clab__emit_fill(struct clab__tbuf *tb, struct clab__rec *r,
				   uint64_t tsc, unsigned kind, uint32_t obj,
				   uint32_t oseq, const struct clab_site *site,
				   unsigned a8, uint32_t a32, uint16_t stack)
{
	r->tsc = tsc;
	r->site = site;
	r->u.o.obj = obj;
	r->u.o.oseq = oseq;
	r->kind = (uint8_t)kind;
	r->a8 = (uint8_t)a8;
	r->pad = stack;
	r->a32 = a32;
	clab__emit_publish(tb);
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
	tb->since_stamp = 0;
	clab__emit_fill(tb, r, tsc, kind, obj, oseq, site, a8, a32, stack);
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
	clab__emit_fill(tb, r, clab__lazy_stamp(tb), kind, obj, oseq, site, a8,
			a32, stack);
}

/*
 * The acquire of a mutex taken without waiting (stamped lazily): when it
 * gets no stamp it is held back, unpublished, so that the release that
 * follows it can make the two one record (CLAB__K_HOLD).  Any other
 * record of the thread publishes it first (clab__emit_slot), as does the
 * thread's end (clab__tbuf_exit) and a fork; the writer writes one still
 * held back ahead of its publication (a thread that holds the lock and
 * records nothing more) after a pass, at a flush and at the close.
 */
static inline void clab__emit_acquire_fast(struct clab__tbuf *tb, uint32_t obj,
					   uint32_t oseq,
					   const struct clab_site *site,
					   unsigned how, uint32_t depth,
					   uint16_t stack)
{
	uint64_t tsc = clab__lazy_stamp(tb);
	if (tsc) {
		struct clab__rec *r = clab__emit_slot(tb);
		clab__emit_fill(tb, r, tsc, CLAB_K_MUTEX_ACQUIRE, obj, oseq,
				site, how, depth, stack);
		return;
	}
	if (clab__pend_on(tb))
		clab__pend_flush(tb);
	/* release: after the last pend_off (see there) */
	atomic_store_explicit(&tb->pend[0], (uintptr_t)site,
			      memory_order_release);
	atomic_store_explicit(&tb->pend[1], clab__pend_id(obj, oseq),
			      memory_order_release);
	atomic_store_explicit(&tb->pend[2],
			      CLAB_K_MUTEX_ACQUIRE |
				  (uint64_t)(how & 0xff) << 8 |
				  (uint64_t)stack << 16 | (uint64_t)depth << 32,
			      memory_order_release);
	uint32_t g = atomic_load_explicit(&tb->pgen, memory_order_relaxed);
	atomic_store_explicit(&tb->pgen, g + 2, memory_order_release);
}

/*
 * The release of a mutex (how CLAB_HOW_BLOCK, depth 0, no stack) on a
 * fast path: with the acquire held back for it, the two become one hold.
 */
static inline void clab__emit_release_fast(struct clab__tbuf *tb, uint32_t obj,
					   uint32_t oseq,
					   const struct clab_site *site)
{
	uint64_t tsc = clab__lazy_stamp(tb);
	uint64_t acq = clab__pend_id(obj, oseq - 1);
	if (tsc == 0 && clab__pend_on(tb) &&
	    atomic_load_explicit(&tb->pend[1], memory_order_relaxed) == acq) {
		struct clab__rec *r = clab__emit_slot_raw(tb);
		uint64_t w2 =
		    atomic_load_explicit(&tb->pend[2], memory_order_relaxed);
		clab__pend_fill(
		    r, atomic_load_explicit(&tb->pend[0], memory_order_relaxed),
		    acq, (w2 & ~(uint64_t)0xff) | CLAB__K_HOLD);
		r->tsc = (uintptr_t)site;
		clab__pend_off(tb);
		tb->holds++;
		clab__emit_publish(tb);
		return;
	}
	struct clab__rec *r = clab__emit_slot(tb);
	clab__emit_fill(tb, r, tsc, CLAB_K_MUTEX_RELEASE, obj, oseq, site,
			CLAB_HOW_BLOCK, 0, 0);
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
