/* What the analysis's files share (analyze*.c): not installed. */
#ifndef CONCLAB_ANALYZE_INT_H
#define CONCLAB_ANALYZE_INT_H

#include <stdint.h>

#include <conclab/trace.h>

/* A mutex's index in its array (clab_mutex_init_indexed), or -1. */
long clab__analyze_lock_index(const struct clab_trace *tr, uint32_t oid);

#endif
