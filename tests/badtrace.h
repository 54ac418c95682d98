/*
 * Trace files built byte by byte, for the tests of files that no writer
 * makes: hostile ones (a forged record count, chunks that name thousands
 * of objects), old versions and writers' slips.  The format is
 * docs/trace-format.md; every chunk gets a right CRC and the end chunk a
 * right content checksum, so that the reader sees only what a test means.
 */
#ifndef CONCLAB_BADTRACE_H
#define CONCLAB_BADTRACE_H

#include <stddef.h>
#include <stdint.h>

#include "format.h"

struct bt {
	struct clab_wbuf f; /* the file so far */
	unsigned minor;
	uint64_t records; /* records in the record chunks so far */
};

/* The file header, of version 1.minor. */
void bt_begin(struct bt *b, unsigned minor);
/* One chunk, its CRC computed. */
void bt_chunk(struct bt *b, uint32_t type, const struct clab_wbuf *payload);
/*
 * META (lab=unit), THREADS (nthreads threads: T0 main is object 1, Tk is
 * object k+1) and OBJECTS: the threads, then nmutex mutexes with ids
 * nthreads+1 on.
 */
void bt_defs(struct bt *b, uint32_t nthreads, uint32_t nmutex);
/* A record chunk of thread tid: n records in raw, compressed if zlib. */
void bt_events(struct bt *b, uint32_t tid, uint64_t n, uint64_t base,
	       const struct clab_wbuf *raw, int zlib);
/* A mutex acquire (how=block, depth 1) or release record, dt 1. */
void bt_rec_mutex(struct clab_wbuf *raw, unsigned kind, uint64_t obj,
		  int64_t doseq);
/* The end chunk, with the content checksum (from version 1.2 on). */
void bt_end(struct bt *b);

/* Whole files (each starts with bt_begin and ends with bt_end). */
/*
 * chunks record chunks of T0, each locking and unlocking nmutex mutexes
 * once: every chunk names nmutex objects.
 */
void bt_wide(struct bt *b, unsigned chunks, uint32_t nmutex);
/*
 * T0 locks and unlocks one mutex rounds times; nthreads - 1 other threads
 * each have waits records on it that wait for sequence numbers that never
 * come: every record of T0 finds them all waiting, and then each of theirs
 * is let through by time alone.
 */
void bt_parked(struct bt *b, uint32_t nthreads, uint32_t rounds,
	       uint32_t waits);
/*
 * The tester's file: 49 KB whose one record chunk declares 2^24 records
 * and holds them, compressed about 1000 to 1.
 */
void bt_forged_count(struct bt *b);
/*
 * Two mutexes (objects 2 and 3) locked and unlocked in two chunks; the
 * first chunk's third record names object bad instead (4 is the first
 * object never defined).  The file holds 8 records.
 */
void bt_unknown_object(struct bt *b, uint64_t bad);

#endif
