/*
 * The helpers of testutil.h that look inside the runtime (rt.h), apart,
 * so that suites of the tracer alone do not link the runtime.
 */
#include "rt.h"
#include "testutil-rt.h"

unsigned tu_nwaiting(clab__lock_t *lk, const struct clab__waitq *q)
{
	unsigned n = 0;

	clab__lk_lock(lk);
	for (const struct clab__waiter *w = q->head; w != NULL; w = w->next)
		n++;
	clab__lk_drop(lk);
	return n;
}
