/*
 * The trace writer's state (writer.c), shared with what a fork does to it
 * (writer-fork.c).  Not installed.
 */
#ifndef CLAB_WRITER_INT_H
#define CLAB_WRITER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#include <conclab/tracer.h>

#include "codec.h"
#include "tracer-int.h"

#define CHUNK_RECS 16384u

/*
 * The last sequence number of each object in the current chunk: a table
 * of twice the objects a chunk can name, by open addressing on the object
 * id, whose entries of earlier chunks (gen) are free; its size does not
 * grow with the objects a run makes.
 */
#define LAST_BITS 15
#define LAST_SLOTS (1u << LAST_BITS)
_Static_assert(LAST_SLOTS >= 2 * CHUNK_RECS, "room for a chunk's objects");
struct last_oseq {
	uint32_t gen;
	uint32_t obj;
	uint32_t oseq;
};

/*
 * The writer thread's scheduling: none (no writer thread), normal (it
 * could not come back from idle: SCHED_BATCH at the program's nice),
 * idle (SCHED_IDLE), boosted (SCHED_OTHER while threads wait on it).
 */
enum { WPRIO_NONE, WPRIO_NORMAL, WPRIO_IDLE, WPRIO_BOOSTED };

struct clab__writer {
	pthread_mutex_t lk;
	pthread_cond_t kick;
	pthread_t thr, ticker;
	int running, ticking, stop, kicked;
	/*
	 * Under clab__writer_kick_lk: the writer waits for a kick; its
	 * scheduling (WPRIO_*); the threads that wait on its pass
	 * (clab__writer_boost); its thread, while prio is not WPRIO_NONE.
	 */
	int sleeping, prio;
	unsigned boosters;
	/* the ticker found records piling up: one of the boosters (press) */
	int pressed;
	pthread_t self;
	int saved;   /* the file was finished by a rescue (clab__writer_save) */
	int closing; /* clab_tracer_close is stopping the threads */
	int by_opener; /* ...called by the thread that opened the trace */
	_Atomic int tick_stop;
	/*
	 * The ticker sleeps on tick_cv (CLOCK_MONOTONIC) under tick_lk, so
	 * that a close wakes it rather than wait out its millisecond.
	 */
	pthread_mutex_t tick_lk;
	pthread_cond_t tick_cv;
	/*
	 * Threads that wait for w.lk and must not wait for a whole pass
	 * (clab__writer_lock_now): the pass stops at its next chunk, so that
	 * a thread that records as fast as the writer writes cannot keep it,
	 * and them, going; what is left waits for the next pass.
	 */
	_Atomic int lk_wanted;
	int fd;
	/*
	 * The earlier trace of the same name, unlinked but still open, so
	 * that its blocks are freed when the writer's thread closes it, not
	 * in the program's open (clab__trace_create); -1: none.
	 */
	_Atomic int old_fd;
	char *path;
	uint64_t flush_ns, flush_ticks; /* flush_ticks: 0 until known */
	/* the header's "command" and "program", for a forked child's trace */
	char *m_command, *m_program;
	/* sites: pointer -> id (open addressing), and the list by id */
	const struct clab_site **skeys;
	uint32_t *svals;
	size_t scap, nsites;
	const struct clab_site **sites;
	size_t sites_cap, sites_written;
	uint32_t threads_written, objs_written;
	/* per-object last sequence in the current chunk */
	struct last_oseq *last; /* LAST_SLOTS of them */
	uint32_t chunkgen;
	/* call stacks: process id -> trace id, and process ids by trace id */
	uint16_t *stk_tid, *stk_pid;
	uint32_t nstk, stk_written;
	uint64_t stk_lost0, stk_lost_written;
	struct clab__syms *syms;
	uint32_t content_crc; /* CRC-32 of the header and every chunk so far */
	int signing;	      /* a keyed MAC of every byte written so far */
	struct clab__signer sig;
	struct clab_wbuf ebuf, zbuf, dbuf;
	/*
	 * The bytes of the chunks of the pass under way, written by one
	 * writev at its end (out_flush), not one for each chunk: a pass
	 * over many ended threads writes a small chunk for each.
	 */
	struct clab_wbuf obuf;
	/* one compressor for every chunk (codec.c) */
	struct clab__codec codec;
	/*
	 * The default codec (zstd, no level asked for): a chunk is written
	 * uncompressed for RAW_MS after a thread waited for the writer
	 * (compress_body): until raw_until (clab__clock; RAW_MS is
	 * raw_ticks, set with flush_ticks in pass), the stalls seen last
	 * being stalls_seen.
	 */
	int adapt;
	uint64_t stalls_seen, raw_until, raw_ticks;
	struct clab_tracer_stats st;
	/*
	 * A chunk's records and times, filled before they are read: left out
	 * of clab__writer_reset(), so that a fresh process does not fault them
	 * in before it has a chunk to write.
	 */
	const struct clab__rec *recp[CHUNK_RECS];
	uint64_t ns[CHUNK_RECS];
	/*
	 * What peek saw of w.recp while it read each record: the entries
	 * with a time stamp, in order (nstamped of them), with the call
	 * stack ids of the records up to each or'ed (pads_to: whether a
	 * chunk that ends there has stacks), and of them all (pads).
	 */
	uint32_t nstamped;
	uint16_t pads;
	uint32_t stamped[CHUNK_RECS];
	uint16_t pads_to[CHUNK_RECS];
	/*
	 * A record made for a chunk, not in a thread's buffer: an acquire
	 * held back, written ahead (write_ahead), or the release of a hold
	 * whose acquire was (peek).
	 */
	struct clab__rec xrec;
};

extern struct clab__writer clab__w;
/* taken after clab__w.lk, around the writer's kicks */
extern pthread_mutex_t clab__writer_kick_lk;
/*
 * A rescue (clab__writer_save): file_open is 1 from the open until the
 * file is finished; rescue asks the writer's thread to finish it now.
 */
extern _Atomic int clab__writer_file_open, clab__writer_rescue;
extern _Atomic pid_t clab__writer_tid; /* the writer's thread, while it runs */

/* Records tb has published that the writer has not written, up to max. */
uint32_t clab__writer_available(struct clab__tbuf *tb, uint32_t max);
/* Free what the writer holds for its file; keep its descriptor. */
void clab__writer_reset(void);
/*
 * The trace file at path, empty, open for writing (an open(2) descriptor,
 * or -1 with errno set): a rerun's trace of the same name made anew, the
 * old one left open in clab__w.old_fd.
 */
int clab__trace_create(const char *path);
/* Close clab__w.old_fd, if open. */
void clab__trace_old_close(void);

/*
 * The trace file's descriptor, w.fd, also published for
 * clab__tracer_fd_kept (read by any thread, without w.lk): set through
 * clab__writer_set_fd, under w.lk.
 */
extern _Atomic int clab__writer_fd;
static inline void clab__writer_set_fd(int fd)
{
	clab__w.fd = fd;
	atomic_store(&clab__writer_fd, fd);
}
/*
 * The end of an open, with clab__w.fd open and clab__w.lk held (released
 * here): the header with meta and more, the writer's threads, the crash
 * handlers.
 */
int clab__writer_start_file(const struct clab_tracer_opts *o,
			    const struct clab_meta_kv *meta, size_t nmeta,
			    const struct clab_meta_kv *more, size_t nmore);

/*
 * clab__writer_lock_now - take w.lk without waiting for the writer's whole
 * pass: for a fork (writer-fork.c) and a metadata entry, which a program
 * makes while its other threads may record as fast as the writer writes.
 */
void clab__writer_lock_now(void);

#endif
