/*
 * Recording a trace: open it, flush it, close it.
 *
 * A program opens one trace at a time with clab_tracer_open().  Each thread
 * records into its own buffer, a chain of fixed-size blocks, without taking
 * a lock; a writer thread encodes what the threads published into chunks
 * and appends them to the trace file.  Nothing is dropped silently: a thread
 * that gets too far ahead of the writer waits for it (a "stall", counted),
 * and records that could not be kept are counted as drops in the file.
 *
 * What the runtime writes through (the buffers, the emit functions, the
 * registry of objects, the clock) is private: tracer-emit.h.
 */
#ifndef CONCLAB_TRACER_H
#define CONCLAB_TRACER_H

#include <stddef.h>
#include <stdint.h>

struct clab_meta_kv {
	const char *key;
	const char *value;
};

struct clab_tracer_opts {
	const char *path; /* trace file to create (replaced if it exists) */
	const struct clab_meta_kv *meta; /* written into the file header */
	size_t nmeta;
	unsigned flush_ms;  /* records older than this are written (500) */
	unsigned buffer_mb; /* memory for unwritten records (8) */
	/*
	 * compression level 0..9 for record chunks (0: none; -1: the
	 * default, zstd's fast level -2, or zlib's level 1).  Under the
	 * default with zstd, a chunk written within 10 ms of a thread's
	 * wait for the writer (the buffer was full) is left uncompressed;
	 * a level asked for compresses every chunk.
	 */
	int compress;
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
	/*
	 * The codec of record chunks (enum clab_trace_codec): zstd unless
	 * asked otherwise.  zlib writes what a reader before format 1.5
	 * reads; none (or a level of 0) writes the records uncompressed.
	 */
	int codec;
};

enum clab_trace_codec {
	CLAB_TRACE_ZSTD = 0, /* the default */
	CLAB_TRACE_ZLIB = 1,
	CLAB_TRACE_NONE = 2,
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
	/* CPU time spent writing (encoding, compressing, writing), in ns */
	uint64_t write_ns;
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

#endif
