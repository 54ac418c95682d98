/*
 * The digest the writer keeps while it writes (digest.c), written as the
 * DIGEST chunk at the close.  Not installed.
 */
#ifndef CLAB_DIGEST_H
#define CLAB_DIGEST_H

#include <stdint.h>

#include "format.h"
#include "tracer-emit.h"

/*
 * The n records of thread tid about to go into a record chunk, in the
 * thread's order, and their times (ns[i], as the reader gives them);
 * called by the writer (under its lock) for every chunk.
 */
void clab__digest_records(uint32_t tid, const struct clab__rec *const *recs,
			  const uint64_t *ns, uint32_t n);
/*
 * 1 (the default): the common records (a lock taken or given back, its
 * edges known) take a fast path; 0: every record takes the general path,
 * which the tests compare it with.
 */
extern int clab__digest_fastpath;
/*
 * The DIGEST chunk's payload into b; partial: the trace is being saved
 * after a crash, and the digest must not be trusted.
 */
void clab__digest_chunk(struct clab_wbuf *b, int partial);
/* Forget everything (a new trace, or a forked child's). */
void clab__digest_reset(void);

#endif
