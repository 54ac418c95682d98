/*
 * Test helpers for the suites that write traces record by record
 * through the tracer's internals (test-trace.c, test-trace-damage.c,
 * test-export.c), and read them back.
 */
#ifndef CONCLAB_TESTUTIL_TRACE_H
#define CONCLAB_TESTUTIL_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include <conclab/trace.h>

#include "tracer-emit.h"

/* The file of the trace the suite writes now. */
extern char tu_trace_path[256];
/* What tu_trace_open asks for: the codec, the level, the buffer's MB. */
extern int tu_trace_codec, tu_trace_level;
/*
 * Nonzero: tu_trace_open's trace is on the virtual clock, so that which
 * records get a time stamp does not depend on how fast the test runs.
 */
extern int tu_trace_virtual;
extern unsigned tu_trace_buffer_mb;

/* A new empty file under $TMPDIR, named in tu_trace_path. */
void tu_trace_tmp(void);
/* Open a trace into a new file under $TMPDIR (lab unit, seed 42). */
void tu_trace_open(void);
/* Close it, delete the file and return its bytes (free them), *len long. */
uint8_t *tu_trace_close(size_t *len);
/* A record of tb at time tsc, without a site. */
void tu_put(struct clab__tbuf *tb, uint64_t tsc, unsigned kind, uint32_t obj,
	    uint32_t oseq, unsigned a8, uint32_t a32);
/* A trace of 100 records, two threads on one mutex, in several chunks. */
uint8_t *tu_small_trace(size_t *len);
/* The trace's dump, in a new string (free it). */
char *tu_dump_text(const struct clab_trace *tr);

#endif
