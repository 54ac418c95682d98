/* Test helpers that look inside the runtime's objects (testutil-rt.c). */
#ifndef CONCLAB_TESTUTIL_RT_H
#define CONCLAB_TESTUTIL_RT_H

#include <conclab/runtime.h>

/* How many threads wait on q, the queue of an object locked by lk. */
unsigned tu_nwaiting(clab__lock_t *lk, const struct clab__waitq *q);

#endif
