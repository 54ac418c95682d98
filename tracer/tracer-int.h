/* Tracer internals shared by buffer.c (registry, blocks) and writer.c. */
#ifndef CLAB_TRACER_INT_H
#define CLAB_TRACER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "clab-util.h"
#include "tracer-emit.h"

struct clab__objdef {
	uint32_t oid;
	uint8_t kind;
	uint8_t flags;
	uint32_t param;
	uint32_t tid;
	const struct clab_site *site;
	char *name;
};

/*
 * The objects' definitions, in pages of CLAB__OBJ_PAGE by id: a page whose
 * objects were all dropped (threads that ended, were written and retired)
 * is freed, so that a program that starts threads one after another keeps
 * a bounded table.
 */
#define CLAB__OBJ_PAGE 1024u
struct clab__objpage {
	uint32_t ndropped;
	struct clab__objdef d[CLAB__OBJ_PAGE];
};

struct clab__reg {
	pthread_mutex_t lk;
	_Atomic int open;
	/* threads of the open trace, in tid order */
	struct clab__tbuf *threads;
	struct clab__tbuf **tail;
	uint32_t nthreads;
	/* objects of the open trace; oid = index + 1, in pages */
	struct clab__objpage **opages;
	uint32_t nobjs, npages_cap;
	/*
	 * blocks: the free ones under free_lk, a lock of their own that a
	 * thread takes for a new block (clab__tbuf_grow) without holding its
	 * signals off, as it does for lk (quiet.c): a rescue never takes it
	 * (clab__blocks_put unmaps instead), so a thread that a handler ends
	 * while it holds free_lk holds nothing the rescue needs.  Taken
	 * after lk where both are.
	 */
	pthread_mutex_t free_lk;
	struct clab__block *freelist;
	unsigned nfree;
	_Atomic size_t blocks_out;
	_Atomic size_t cap_blocks; /* read without lk by clab__tbuf_new */
	/*
	 * threads of the open trace that have not ended: each has its
	 * current block beside the cap (clab__tbuf_grow)
	 */
	_Atomic size_t nlive;
	/* threads that ended and whose last block is not written yet */
	_Atomic size_t nended;
	size_t over_cap; /* blocks taken over the cap (wait_for_room) */
	pthread_cond_t room;
	unsigned room_waiters; /* threads in a wait on room */
	_Atomic uint64_t stalls;
	/* thread 0: made at open for the opening thread, until it claims it */
	struct clab__tbuf *main_tb;
	pthread_t opener;
	/* buffers of threads that outlived their trace, kept until exit */
	struct clab__tbuf *orphans;
	/* buffers retired (no longer in threads), and what they dropped */
	uint32_t nretired;
	uint64_t retired_drops;
	/* threads renamed since the writer's last pass (clab__tbuf_rename) */
	_Atomic uint32_t nrenamed;
};

extern struct clab__reg clab__reg;

void clab__clock_start(int virtual_time);
/* Forget the processor's rate, as a new process has it (the tests'). */
void clab__clock_forget(void);
uint64_t clab__clock_ticks(uint64_t ns);

/*
 * The definition of object oid, or NULL when it was dropped (or there is
 * none).  Under clab__reg.lk.
 */
struct clab__objdef *clab__objdef_at(uint32_t oid);
/*
 * Object oid will never be named or written again (its definition is
 * written): free its name, and its page once all of the page's are
 * dropped.  Under clab__reg.lk.
 */
void clab__obj_drop_locked(uint32_t oid);

/*
 * The writer wrote every record of tb, which ended: its last block goes
 * back (under the writer's lock).
 */
void clab__tbuf_written(struct clab__tbuf *tb);

/*
 * Whether the blocks out make the cap (the buffer option, and a block for
 * each live thread): a thread that wants one more waits.
 */
int clab__reg_full(void);
/* Give a block back (the writer, once it wrote every record in it). */
void clab__block_put(struct clab__block *b);
/* Give back the n blocks from first, linked by their next. */
void clab__blocks_put(struct clab__block *first, unsigned n);
/* Called by open/close under no lock. */
void clab__reg_reset(size_t cap_blocks);
void clab__reg_release(void);
/*
 * In a forked child, with clab__reg.lk held: keep tb alone, as thread 0,
 * with none of what it published in the parent (its records are the
 * parent's trace's); the other threads' buffers go to the orphans (their
 * names may still label a report) without their blocks.  The objects
 * stay, with their ids.
 */
void clab__reg_fork_child(struct clab__tbuf *tb);
/*
 * Take (on) or release the lock of the process's table of call stacks:
 * around a fork, so that the child does not find it held by a thread it
 * has not got (a leaf: nothing is locked under it).
 */
void clab__stacks_lock(int on);
/* Register the opening thread as thread 0 "main" (at open). */
void clab__reg_open_main(void);
/* Wake the writer, when it sleeps: a thread is waiting for room. */
void clab__writer_kick(void);
/*
 * A thread starts (on) or stops waiting on the writer's pass: while any
 * does, a writer at idle priority runs at normal priority, so that the
 * waiter does not wait on a thread that a busy machine never runs.
 */
void clab__writer_boost(int on);
/*
 * Write a pass in the calling thread, one that waits for room, unless a
 * pass is being written already; returns whether it wrote one.
 */
int clab__writer_help(void);

/*
 * Crash safety (crash.c): at open, handlers for the fatal signals that save
 * the trace, and (once per process) an exit handler that closes it; at
 * close, the program's own handlers back where ours still are.
 */
void clab__crash_arm(const struct clab_tracer_opts *o);
void clab__crash_disarm(void);

/*
 * clab__writer_save - from a fatal signal's handler: ask the writer's
 * thread to finish the file now (the records not written yet, the end
 * chunk) and wait until it has.  Async-signal-safe: atomics and nanosleep.
 * Returns 0 when the file is finished (or no trace is open), CLAB_EDEADLK
 * in the writer's own thread, CLAB_ETIMEDOUT when the writer made no
 * progress for stall_ms (it waits for a lock the crash left held).
 */
int clab__writer_save(unsigned stall_ms);

/*
 * The trace's own descriptors, against a program that closes descriptors
 * it did not open (a daemon's loop up to the limit, closefrom): without
 * this, its next open took the trace's number and the writer wrote the
 * trace into the program's file.  clab__tracer_fd_kept - whether fd is
 * the open trace's file, which the caller keeps open (and tells the
 * program it closed); when fd is the old file of a rerun (writer.c) not
 * closed yet, the writer gives it up and the caller closes it.
 * clab__tracer_fd_in - the same for a range of descriptors: the trace's
 * file, if it is in [first, last], else -1.
 * clab__tracer_fd_move - before the program makes fd another file's
 * (dup2, dup3): the trace's file, if fd is it, goes to another
 * descriptor; 0, or a negative errno (fd left as it was).
 */
int clab__tracer_fd_kept(int fd);
int clab__tracer_fd_in(unsigned first, unsigned last);
int clab__tracer_fd_move(int fd);

/*
 * Why the program died, set by the crash handlers before they save the
 * trace: "SIGSEGV", "SIGABRT"... or "sanitizer"; NULL while it lives.  The
 * writer puts it in the metadata (CLAB_META_CRASH) before the end chunk.
 */
extern const char *_Atomic clab__crash_why;
/*
 * The same for a signal that ended the program by its default action with
 * nothing wrong (crash.c's stop signals: "SIGINT", "SIGTERM"...), which the
 * writer puts in the metadata as CLAB_META_SIGNAL.
 */
extern const char *_Atomic clab__stop_why;
/*
 * The sigaction that crash.c calls, set by the preload library to the one
 * past its own (which shows a program the default where conclab's stop
 * handler is, and would hide it from crash.c too); NULL: sigaction.
 */
extern int (*clab__real_sigaction)(int, const struct sigaction *,
				   struct sigaction *);

/*
 * clab__fd_high - fd moved out of the program's way (writer.c): to the
 * first free descriptor from 1000 (or from just under the process's limit
 * on descriptors, when that is lower), close-on-exec, and fd closed; fd
 * itself when none is free there.  A program traced numbers its own
 * descriptors as without conclab (its first open gives 3), and its closing
 * and reuse of low numbers (a daemon's close loop) leaves conclab's files
 * alone.  errno is kept.
 */
int clab__fd_high(int fd);

/* Symbols for call stacks (symbols.c), used by the writer only. */
struct clab__frame {
	char *func;
	char *file;    /* relative to the build directory, or the module */
	uint32_t line; /* 0 when unknown */
};
struct clab__syms;
struct clab__syms *clab__syms_new(void);
void clab__syms_free(struct clab__syms *s);
/*
 * The frames of a stack given by its return addresses (innermost first),
 * without conclab's own frames at the top.  *out is valid until the next
 * call.  Returns the number of frames.
 */
size_t clab__syms_stack(struct clab__syms *s, const uintptr_t *pc, uint32_t n,
			const struct clab__frame **out);
/*
 * The name of the process's data symbol (a global or static object) that
 * holds addr, valid while s lives, with addr's offset in it in *off and
 * its size in *size; NULL when no data symbol holds it.
 */
const char *clab__syms_object(struct clab__syms *s, uintptr_t addr,
			      uint64_t *off, uint64_t *size);

#endif
