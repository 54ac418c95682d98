/* The replay model's insides, shared by replay.c and replay-query.c. */
#ifndef CLAB_REPLAY_INT_H
#define CLAB_REPLAY_INT_H

#include <conclab/replay.h>

struct clab_replay {
	const struct clab_trace *tr;
	const struct clab_record *rec;
	uint32_t n;
	uint32_t nthreads, nobjects;
	uint32_t *obj_tid; /* by object id: the thread it is, or NONE */
	uint8_t *obj_kind; /* by object id */
	uint32_t every;	   /* records between checkpoints */
	uint32_t ncp;	   /* checkpoints: 0, every, 2 * every, ... */
	struct clab_rthread *cp_th; /* ncp * nthreads */
	struct clab_robject *cp_ob; /* ncp * (nobjects + 1) */
	/* Record numbers of each thread and each object, in order. */
	uint32_t *thr_start, *thr_idx; /* nthreads + 1 offsets */
	uint32_t *obj_start, *obj_idx; /* nobjects + 2 offsets */
	uint32_t *diags, ndiags;
	uint32_t deadlock;
	struct clab_rstats *tstats, *ostats;
	size_t memory;
};

/* Apply record i to st (st->at must be i). */
void clab__replay_apply(const struct clab_replay *rp, struct clab_rstate *st,
			uint32_t i);

#endif
