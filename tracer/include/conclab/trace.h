/*
 * Reading conclab trace files (.clt).
 *
 * clab_trace_load() reads a whole trace into memory, checks every chunk's
 * checksum and merges the per-thread record streams into one total order
 * that is consistent with causality (see docs/trace-format.md).  Records are
 * then addressed by their sequence number 0..n-1.
 *
 * A loaded trace is immutable; it may be read from several threads at once.
 */
#ifndef CONCLAB_TRACE_H
#define CONCLAB_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <conclab/kinds.h>

/* One record, in merged order.  Fields a kind does not use are zero. */
struct clab_record {
	uint64_t seq;  /* position in the merged order */
	uint64_t ns;   /* nanoseconds since the trace started */
	int64_t val;   /* annotation value (CLAB_F_VAL) */
	uint32_t tid;  /* thread (dense, 0 = main) */
	uint32_t obj;  /* object id (dense, from 1), 0 = none */
	uint32_t oseq; /* per-object order, 0 = none */
	uint32_t site; /* site id, 0 = unknown */
	uint32_t a32;
	uint8_t kind;
	uint8_t a8;
	uint16_t stack; /* call stack id (clab_trace_stack), 0 = none */
};

struct clab_thread_info {
	uint32_t tid;
	uint32_t oid;	 /* the thread's object id */
	uint32_t parent; /* creating thread's tid (main: itself) */
	const char *name;
	const char *label; /* how reports name it (label.h) */
	/*
	 * The thread opened the trace of its process (T0, and the first
	 * thread of each child process merged in): it ends after its trace
	 * does, with no record of its end.
	 */
	int opener;
};

struct clab_object_info {
	uint32_t oid;
	uint8_t kind;	/* enum clab_objkind */
	uint8_t flags;	/* kind specific: the mutex type, the queue order */
	uint32_t param; /* kind specific: semaphore bound, queue capacity, */
			/* barrier parties, timer period in ms */
	uint32_t site;	/* creation site */
	uint32_t tid;	/* creating thread */
	const char *name;
	const char *label; /* how reports name it: a thread's as its thread's */
	const char *role;  /* what it is in the lab ("fork"), or NULL */
	uint32_t role_index; /* which one of them (fork 3) */
};

struct clab_site_info {
	uint32_t id;
	int line;
	const char *file;
	const char *func;
	const char *label; /* annotation label, or NULL */
};

/* One frame of a call stack, innermost first. */
struct clab_frame_info {
	const char *func; /* function, or symbol / "+0xOFFSET" without debug */
	const char *file; /* source file, or the module without debug info */
	int line;	  /* 0 when unknown */
};

/* Stack ids fit a record's 16 bits: at most this many per trace. */
#define CLAB_STACKS_MAX 65535u

struct clab_stack_info {
	uint32_t id;
	uint32_t nframes;
	const struct clab_frame_info *frames; /* [0] is where it was taken */
};

struct clab_trace;

/*
 * clab_trace_load - read and merge a trace file.
 *
 * On success returns 0 and sets *out.  If the file is damaged after some
 * whole chunks (cut short by a crash, or a corrupt chunk), the whole chunks
 * before the damage are loaded, 0 is returned, and clab_trace_damage()
 * describes what was lost.  Returns a negative error (CLAB_ENOENT,
 * CLAB_EBADMSG, CLAB_EPROTO, CLAB_ENOMEM) and writes a message naming the
 * file and the byte offset to errbuf when nothing usable could be read.
 *
 * The trace of a process that forked with clab_fork comes with those of
 * its children (named in its metadata, in the same directory), merged in:
 * their threads, named "pid N / NAME", and their records, each child's
 * after the parent's record of its fork.  A child's trace that is missing
 * or not this run's is left out, and clab_trace_warning() says so.
 */
int clab_trace_load(const char *path, struct clab_trace **out, char *errbuf,
		    size_t errlen);
/* The same for one process alone, without its children's traces. */
int clab_trace_load_process(const char *path, struct clab_trace **out,
			    char *errbuf, size_t errlen);
/*
 * clab_trace_load_meta - the trace at path without its records: its
 * metadata, sites and digest (the records' chunks are neither read nor
 * decoded: they are taken on their checksums, which the end chunk's
 * checksum covers; clab_trace_nrecords() is 0).  Of its threads and objects,
 * clab_trace_nthreads() and clab_trace_nobjects() count them all, but
 * only those the digest names (the threads that waited, the objects they
 * waited on, and those threads' objects) are kept, with the labels a
 * whole load gives them: clab_trace_thread() and clab_trace_object() are
 * NULL for the others, and their labels "?"; no object has a role.  For
 * what a file says of itself at little cost, in memory that does not grow
 * with its threads.  Returns as clab_trace_load_process does.
 */
int clab_trace_load_meta(const char *path, struct clab_trace **out,
			 char *errbuf, size_t errlen);
/*
 * clab_trace_add_children - merge into tr, the trace of the file path
 * loaded alone (clab_trace_load_mem, clab_trace_load_process), the traces
 * of its children, as clab_trace_load does.  0, or CLAB_ENOMEM (tr is
 * then unusable: free it).
 */
int clab_trace_add_children(struct clab_trace *tr, const char *path);

/*
 * clab_trace_digest_quiet - whether the trace's digest (the DIGEST chunk
 * its writer kept while it wrote, docs/trace-format.md) proves that the
 * lock-order report and the generic checks have nothing to report: no
 * diagnostic, no lock-order cycle (nor any edge that could make one), no
 * wait while holding a lock, no thread that failed an attempt, never
 * ended, was waiting at the end or held a lock at its end, no wait the
 * digest did not follow (clab_trace_digest_waits), no note, no stop, no drop.
 * Returns 1 (and *records, the trace's records) when it does, 0 when the
 * digest shows something to report (why, len bytes, says everything it
 * shows, by "; "), CLAB_ENOENT when the trace has no digest it can trust
 * (why says why: none, partial, misplaced, or the trace damaged or not
 * closed), CLAB_ENOMEM.  It errs one way only: a 0 may be a report with
 * nothing in it, never the other way.  Works on a trace loaded with
 * clab_trace_load_meta.
 */
int clab_trace_digest_quiet(const struct clab_trace *tr, uint64_t *records,
			    char *why, size_t len);

/*
 * clab_trace_digest_waits - the judged waits the digest followed (those
 * the starvation check of labs/generic.c measures, each on its waiting
 * thread's times): how many ended, how many of them lasted short_ns or
 * less (for the median), and each thread's longest (tid, ns, object), in
 * no order.  Points into tr.  0, or CLAB_ENOENT when the digest did not
 * follow every wait (a barrier's pass ends waits at a time only the merged
 * order has; an older digest has no waits).  Call it after
 * clab_trace_digest_quiet has returned 1.
 */
struct clab_trace_waiter {
	uint32_t tid, obj;
	uint64_t ns;
};
struct clab_trace_waits {
	uint64_t ended, nshort, short_ns;
	size_t n;
	const struct clab_trace_waiter *w;
};
int clab_trace_digest_waits(const struct clab_trace *tr,
			    struct clab_trace_waits *out);

/* clab_trace_load_mem - the same over a buffer (which is not kept). */
int clab_trace_load_mem(const void *data, size_t len, const char *name,
			struct clab_trace **out, char *errbuf, size_t errlen);

/* clab_trace_free - release a trace.  Accepts NULL. */
void clab_trace_free(struct clab_trace *tr);

/* A description of damage found while loading, or NULL if the file is whole. */
const char *clab_trace_damage(const struct clab_trace *tr);

/*
 * The metadata key of the threads still running when the trace was
 * closed (their ids, by spaces), written just before the end chunk of a
 * run that was stopped rather than ended (docs/trace-format.md).
 */
#define CLAB_META_RUNNING "end.running"
/*
 * The metadata key of a crash: the fatal signal ("SIGSEGV", "SIGABRT"...)
 * or "sanitizer" (a sanitizer's report ended the program), written with
 * CLAB_META_RUNNING when the crash handler saved the trace.
 */
#define CLAB_META_CRASH "end.crash"
/*
 * The metadata key of a signal that stopped the run by its default action
 * with nothing wrong ("SIGINT" for Ctrl-C, "SIGTERM", "SIGHUP", "SIGQUIT",
 * "SIGALRM", "SIGXCPU", "SIGXFSZ"), written with CLAB_META_RUNNING when its
 * handler saved the trace.
 */
#define CLAB_META_SIGNAL "end.signal"

/* How the run behind a trace ended (clab_trace_end). */
enum clab_trace_end {
	CLAB_END_COMPLETE = 0, /* closed once every thread had ended */
	CLAB_END_STOPPED = 1,  /* closed while threads still ran */
	CLAB_END_UNCLOSED = 2, /* no end chunk: the writer never closed it */
};

/*
 * clab_trace_end - how the run ended: complete, stopped (Ctrl-C, the time
 * limit, a deadlock, a crash: *nrunning threads had not ended), or never
 * closed (SIGKILL; every whole chunk is read, and clab_trace_damage says
 * "cut short: no end chunk").  nrunning may be NULL.  A trace of a format
 * before this key reads as complete when it has its end chunk.
 */
enum clab_trace_end clab_trace_end(const struct clab_trace *tr,
				   uint32_t *nrunning);
/*
 * clab_trace_whole - 1 when every chunk of the file was read whole and
 * sound: no damage, or none but a missing end chunk (a writer that never
 * closed the trace: it is judged as an incomplete run); 0 for a trace cut
 * inside a chunk, corrupt, or with junk after its end.
 */
int clab_trace_whole(const struct clab_trace *tr);
/*
 * clab_trace_incomplete - what every report says of an incomplete run:
 * "stopped while N threads ran", "crashed (SIGSEGV) while N threads ran"
 * or "the writer never closed the trace"; NULL for a complete one.
 */
const char *clab_trace_incomplete(const struct clab_trace *tr);

size_t clab_trace_nrecords(const struct clab_trace *tr);
const struct clab_record *clab_trace_record(const struct clab_trace *tr,
					    size_t seq);
const struct clab_record *clab_trace_records(const struct clab_trace *tr);

uint32_t clab_trace_nthreads(const struct clab_trace *tr);
/* tid in 0..nthreads-1; NULL when out of range. */
const struct clab_thread_info *clab_trace_thread(const struct clab_trace *tr,
						 uint32_t tid);
/* tid of the thread whose object id is oid, or UINT32_MAX. */
uint32_t clab_trace_thread_of_obj(const struct clab_trace *tr, uint32_t oid);

/* Objects have ids 1..nobjects. */
uint32_t clab_trace_nobjects(const struct clab_trace *tr);
const struct clab_object_info *clab_trace_object(const struct clab_trace *tr,
						 uint32_t oid);

/* Sites have ids from 1; NULL for an id that names no site. */
const struct clab_site_info *clab_trace_site(const struct clab_trace *tr,
					     uint32_t id);

/*
 * Call stacks (recorded with conclab run --stacks) have ids 1..nstacks;
 * clab_trace_stack returns NULL for 0 or an id out of range.
 * clab_trace_stacks_lost counts records that should have had a stack but
 * got none because the recording process's table of stacks was full.
 */
uint32_t clab_trace_nstacks(const struct clab_trace *tr);
const struct clab_stack_info *clab_trace_stack(const struct clab_trace *tr,
					       uint32_t id);
uint64_t clab_trace_stacks_lost(const struct clab_trace *tr);

/* Metadata written by the program (lab, variant, seed, parameters...). */
size_t clab_trace_nmeta(const struct clab_trace *tr);
int clab_trace_meta_at(const struct clab_trace *tr, size_t i, const char **key,
		       const char **value);
/* The value for key, or NULL. */
const char *clab_trace_meta(const struct clab_trace *tr, const char *key);

/*
 * Roles: what an object or a thread is in the lab ("fork" 3,
 * "philosopher" 2), declared when it was made (clab_role,
 * clab_thread_role) and set on its object (clab_object_info.role and
 * role_index; a thread's on its object).  The first declaration of an
 * object, and of a role and index, holds; later ones are ignored.
 *
 * clab_trace_role_index gives the index of object oid in role, or -1
 * when it has another role or none, or an index not below n.  A trace
 * that declares no role at all (one recorded before roles existed) is read
 * by names instead: legacy_prefix followed by the index ("fork-3"); NULL
 * reads none.  clab_trace_thread_role_index does the same for a thread.
 */
int clab_trace_has_roles(const struct clab_trace *tr);
long clab_trace_role_index(const struct clab_trace *tr, uint32_t oid,
			   const char *role, const char *legacy_prefix, long n);
long clab_trace_thread_role_index(const struct clab_trace *tr, uint32_t tid,
				  const char *role, const char *legacy_prefix,
				  long n);

/* Totals from the trace's end chunk (0 when the trace was cut short). */
uint64_t clab_trace_drops(const struct clab_trace *tr);
int clab_trace_complete(const struct clab_trace *tr);
uint32_t clab_trace_version_major(const struct clab_trace *tr);
uint32_t clab_trace_version_minor(const struct clab_trace *tr);
/*
 * The end chunk's checksum over every chunk before it and, since format
 * 1.3, the file header (format 1.2 and later): 1 if
 * it matches, -1 if not (the trace is then damaged: chunks were removed,
 * added or changed after it was written), 0 if the trace has none.
 */
int clab_trace_checksum_ok(const struct clab_trace *tr);
/*
 * Whether the trace ends with a signature chunk after its end chunk
 * (format 1.4): 1 if so, else 0.  Says nothing about whether the
 * signature is right: clab_trace_verify() checks it with the key.
 */
int clab_trace_signed(const struct clab_trace *tr);

/* What clab_trace_verify() found. */
enum clab_sig_status {
	CLAB_SIG_VERIFIED,  /* signed with this key, nothing changed */
	CLAB_SIG_SIGNED,    /* signed; not verified (no key given) */
	CLAB_SIG_NONE,	    /* not signed: no signature chunk */
	CLAB_SIG_WRONG_KEY, /* signed with another key */
	CLAB_SIG_MISMATCH,  /* changed after it was signed */
	CLAB_SIG_APPENDED,  /* bytes after the signature chunk */
	CLAB_SIG_MALFORMED, /* a signature chunk out of place or damaged */
};

/*
 * clab_trace_verify - check the signature of the trace file in data
 * against key (keylen bytes, at least CLAB_KEY_MIN; NULL: only say
 * whether there is one).  name is the file's name for the message.
 *
 * Recomputes the keyed MAC over every byte before the signature chunk
 * and compares it in constant time.  Returns a clab_sig_status (only
 * CLAB_SIG_VERIFIED means the file is what the holder of the key wrote;
 * without a key, CLAB_SIG_SIGNED is the best there is), or CLAB_EINVAL
 * for a short key, CLAB_EIO if libsodium does not start.  A message for
 * every outcome is put into errbuf.  Thread safe.
 */
int clab_trace_verify(const void *data, size_t len, const char *name,
		      const void *key, size_t keylen, char *errbuf,
		      size_t errlen);

/*
 * clab_trace_read_file - the whole file at path in a new buffer (*data,
 * freed with free()) and its length.  Returns 0, or a negative errno with
 * a message in errbuf.
 */
int clab_trace_read_file(const char *path, void **data, size_t *len,
			 char *errbuf, size_t errlen);

/*
 * Records of an incomplete run (clab_trace_end) left out of the merge:
 * those that come after a record that the file does not have (it was being
 * written when the run stopped), so that what is read is a consistent cut.
 */
uint64_t clab_trace_cut(const struct clab_trace *tr);
/* Records the merge had to order by time alone because data was missing. */
uint64_t clab_trace_gaps(const struct clab_trace *tr);
/*
 * Records skipped because they name an object the trace never defined (a
 * writer's slip, not damage: the rest of the trace is read), and a message
 * that names the first of them (the file, the chunk's byte offset, the
 * record's place in it, the thread and the object), or NULL if none was;
 * or, when none was, what left a child process's trace out (see
 * clab_trace_load).
 */
uint64_t clab_trace_skipped(const struct clab_trace *tr);
const char *clab_trace_warning(const struct clab_trace *tr);

/*
 * clab_trace_format_record - the dump line for one record (no newline).
 * Returns the length that the full line needs, like snprintf.
 */
int clab_trace_format_record(const struct clab_trace *tr,
			     const struct clab_record *r, char *buf,
			     size_t len);

/*
 * clab_trace_dump - write the stable text form: a header of '#' lines, then
 * one record a line.  The same trace always gives the same bytes.
 * Returns 0 or a negative error if writing failed.
 */
int clab_trace_dump(const struct clab_trace *tr, FILE *out);

/*
 * A site's file as conclab shows it: the compiler's path without leading
 * "./" and "../" ("labs/philosophers.c"); "?" for NULL or "".
 */
const char *clab_site_path(const char *file);

/*
 * How reports name thread tid and object oid (see label.h): "phil-0",
 * "worker (T3)" when another thread is also called worker, "lock (#7)";
 * "?" for an id out of range.
 */
const char *clab_trace_thread_label(const struct clab_trace *tr, uint32_t tid);
const char *clab_trace_object_label(const struct clab_trace *tr, uint32_t oid);

/* The dump's name for an object, "fork-3#7" style, written to buf. */
const char *clab_trace_objname(const struct clab_trace *tr, uint32_t oid,
			       char *buf, size_t len);

#endif
