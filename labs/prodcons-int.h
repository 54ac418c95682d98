/* What the prodcons lab's files share (prodcons*.c): not installed. */
#ifndef CONCLAB_PRODCONS_INT_H
#define CONCLAB_PRODCONS_INT_H

#include "lab.h"

#define MAX_THREADS 16

enum {
	V_CONDVAR,
	V_SINGLE_CV,
	V_IF_WAIT,
	V_SEMAPHORES,
	V_SEM_ORDER,
	V_QUEUE,
	V_JOINABLE,
	V_ACK,
	V_COUNT
};

enum { P_PROD, P_CONS, P_ITEMS, P_CAP, P_PRODUCE, P_CONSUME, P_COUNT };

/* Run the variant ctx names (prodcons-run.c); 0, or a negative errno. */
int clab__prodcons_run(const struct clab_lab_ctx *ctx);
/* Judge a run's trace (prodcons-check.c). */
void clab__prodcons_check(const struct clab_trace *tr,
			  const struct clab_lab_ctx *ctx,
			  struct clab_lab_report *rep);

#endif
