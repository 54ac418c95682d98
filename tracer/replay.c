/*
 * The replay model: applying records to a state, checkpoints and seeking,
 * and the one pass at open time that builds indexes and statistics.
 */
#include <stdlib.h>
#include <string.h>

#include <conclab/error.h>
#include <conclab/semantics.h>

#include "clab-kinds.h"
#include "replay-int.h"

#define CP_BUDGET (256u << 20) /* bytes of checkpoints at most */
#define HELD_MAX 0xffffu

static void set_state(struct clab_rthread *t, unsigned st, uint32_t obj,
		      uint32_t i)
{
	if (t->st != st || t->obj != obj) {
		t->st = (uint8_t)st;
		t->obj = obj;
		t->since = i;
	}
}

/* The thread leaves a wait (if it was in one) and runs. */
static void run(struct clab_rthread *t, uint32_t i)
{
	if (t->st != CLAB_TS_DONE)
		set_state(t, CLAB_TS_RUN, 0, i);
}

/* Every thread blocked on oid runs again (a barrier opened). */
static void release_all(const struct clab_replay *rp, struct clab_rstate *st,
			uint32_t oid, uint32_t i)
{
	for (uint32_t t = 0; t < rp->nthreads; t++) {
		struct clab_rthread *w = &st->th[t];
		if (w->obj == oid && w->st == CLAB_TS_BLOCK)
			set_state(w, CLAB_TS_RUN, 0, i);
	}
}

/* The thread state each clab_tmove puts its thread in. */
static const uint8_t tmove_state[] = {
    [CLAB_TM_RUN] = CLAB_TS_RUN,     [CLAB_TM_REQ] = CLAB_TS_REQ,
    [CLAB_TM_WAIT] = CLAB_TS_WAIT,   [CLAB_TM_BLOCK] = CLAB_TS_BLOCK,
    [CLAB_TM_SLEEP] = CLAB_TS_SLEEP, [CLAB_TM_DONE] = CLAB_TS_DONE,
};

static void take(struct clab_rthread *t)
{
	if (t->nheld < HELD_MAX)
		t->nheld++;
}

/* What record i does to its object o (the table's OBJECT column). */
static void apply_object(const struct clab_replay *rp, struct clab_rstate *st,
			 struct clab_rthread *t, const struct clab_record *r,
			 unsigned oe, uint32_t oid, uint32_t i)
{
	struct clab_robject *o = &st->ob[oid];
	switch (oe) {
	case CLAB_OE_CREATED:
		o->flags |= CLAB_RO_CREATED;
		break;
	case CLAB_OE_DESTROYED:
		o->flags |= CLAB_RO_DESTROYED;
		break;
	case CLAB_OE_STARTED:
		o->a = 1;
		o->flags |= CLAB_RO_CREATED;
		break;
	case CLAB_OE_ENDED:
		o->b = 1;
		break;
	case CLAB_OE_MUTEX_TAKE:
		if (o->a != r->tid + 1 || o->b == 0) {
			o->a = r->tid + 1;
			o->since = i;
			take(t);
		}
		o->b = r->a32;
		break;
	case CLAB_OE_MUTEX_GIVE:
		o->b = r->a32;
		if (r->a32 == 0 && o->a) {
			uint32_t owner = o->a - 1;
			if (owner < rp->nthreads && st->th[owner].nheld)
				st->th[owner].nheld--;
			o->a = 0;
			o->since = i;
		}
		break;
	/* a reader-writer lock: a = the writer's tid + 1, b = the readers
	 * with a tid below 32, one bit each */
	case CLAB_OE_READ_TAKE:
	case CLAB_OE_WRITE_TAKE:
		if (oe == CLAB_OE_WRITE_TAKE)
			o->a = r->tid + 1;
		else if (r->tid < 32)
			o->b |= 1u << r->tid;
		o->since = i;
		take(t);
		break;
	case CLAB_OE_RW_GIVE:
		if (r->a8)
			o->a = 0;
		else if (r->tid < 32)
			o->b &= ~(1u << r->tid);
		if (t->nheld)
			t->nheld--;
		o->since = i;
		break;
	case CLAB_OE_VALUE:
		o->a = r->a32;
		o->flags |= CLAB_RO_KNOWN;
		break;
	case CLAB_OE_COND_MUTEX:
	case CLAB_OE_LEVEL:
		o->a = r->a32;
		break;
	case CLAB_OE_PENDING:
	case CLAB_OE_ARRIVE:
		o->b = r->a32;
		break;
	case CLAB_OE_SET:
	case CLAB_OE_RUNS:
		o->a = 1;
		break;
	case CLAB_OE_CLEAR:
		o->a = 0;
		break;
	case CLAB_OE_PASS:
		o->a = r->a32;
		o->b = 0;
		release_all(rp, st, oid, i);
		break;
	case CLAB_OE_BROKEN:
		o->b = 0;
		break;
	case CLAB_OE_CLOSED:
		o->flags |= CLAB_RO_CLOSED;
		break;
	case CLAB_OE_TAKEN:
		if (!r->a8)
			o->a++; /* tasks taken */
		break;
	case CLAB_OE_DONE:
		o->a = 2;
		break;
	case CLAB_OE_CANCELLED:
		o->a = 3;
		break;
	/* a key: a = the threads (tid below 32, one bit each) holding a
	 * value, b = those whose value ended with them */
	case CLAB_OE_KEY_SET:
		if (r->tid < 32) {
			if (r->a8)
				o->a |= 1u << r->tid;
			else
				o->a &= ~(1u << r->tid);
			o->b &= ~(1u << r->tid);
		}
		break;
	case CLAB_OE_KEY_END:
		if (r->tid < 32) {
			o->a &= ~(1u << r->tid);
			o->b |= 1u << r->tid;
		}
		break;
	default:
		break;
	}
}

void clab__replay_apply(const struct clab_replay *rp, struct clab_rstate *st,
			uint32_t i)
{
	const struct clab_record *r = &rp->rec[i];
	const struct clab_kind_sem *sem = clab__kind_sem(r->kind);
	struct clab_rthread dummy_t;
	struct clab_rthread *t =
	    r->tid < rp->nthreads ? &st->th[r->tid] : &dummy_t;
	uint32_t oid = 0;

	st->at = i + 1;
	t->last = i;
	if (r->obj && r->obj <= rp->nobjects && clab_kind_on_object(r->kind))
		oid = r->obj;
	/* the thread first: a barrier's pass then lets it through too */
	if (sem->act == CLAB_DO_START)
		set_state(t, CLAB_TS_RUN, 0, i);
	else if (sem->tmove == CLAB_TM_RUN)
		run(t, i);
	else if (sem->tmove == CLAB_TM_SLEEP || sem->tmove == CLAB_TM_DONE)
		set_state(t, tmove_state[sem->tmove], 0, i);
	else if (sem->tmove != CLAB_TM_KEEP)
		set_state(t, tmove_state[sem->tmove], oid, i);
	if (oid) {
		st->ob[oid].last = i;
		apply_object(rp, st, t, r, sem->oe, oid, i);
	}
}

static void state_empty(const struct clab_replay *rp, struct clab_rstate *st)
{
	st->at = 0;
	memset(st->th, 0, sizeof(*st->th) * rp->nthreads);
	memset(st->ob, 0, sizeof(*st->ob) * (rp->nobjects + 1));
	for (uint32_t t = 0; t < rp->nthreads; t++)
		st->th[t].last = CLAB_REPLAY_NONE;
	for (uint32_t o = 0; o <= rp->nobjects; o++)
		st->ob[o].last = CLAB_REPLAY_NONE;
}

int clab_rstate_init(const struct clab_replay *rp, struct clab_rstate *st)
{
	st->nthreads = rp->nthreads;
	st->nobjects = rp->nobjects;
	st->th = calloc(rp->nthreads ? rp->nthreads : 1, sizeof(*st->th));
	st->ob = calloc(rp->nobjects + 1, sizeof(*st->ob));
	if (!st->th || !st->ob) {
		clab_rstate_destroy(st);
		return CLAB_ENOMEM;
	}
	state_empty(rp, st);
	return 0;
}

void clab_rstate_destroy(struct clab_rstate *st)
{
	if (!st)
		return;
	free(st->th);
	free(st->ob);
	st->th = NULL;
	st->ob = NULL;
}

int clab_rstate_equal(const struct clab_rstate *a, const struct clab_rstate *b)
{
	return a->at == b->at && a->nthreads == b->nthreads &&
	       a->nobjects == b->nobjects &&
	       memcmp(a->th, b->th, sizeof(*a->th) * a->nthreads) == 0 &&
	       memcmp(a->ob, b->ob, sizeof(*a->ob) * (a->nobjects + 1)) == 0;
}

void clab_replay_seek(const struct clab_replay *rp, struct clab_rstate *st,
		      uint32_t n)
{
	if (n > rp->n)
		n = rp->n;
	uint32_t k = n / rp->every;
	/* Stepping forward is cheaper when the state is already close. */
	if (!(st->at <= n && st->at >= k * rp->every)) {
		st->at = k * rp->every;
		memcpy(st->th, rp->cp_th + (size_t)k * rp->nthreads,
		       sizeof(*st->th) * rp->nthreads);
		memcpy(st->ob, rp->cp_ob + (size_t)k * (rp->nobjects + 1),
		       sizeof(*st->ob) * (rp->nobjects + 1));
	}
	while (st->at < n)
		clab__replay_apply(rp, st, st->at);
}

int clab_replay_step(const struct clab_replay *rp, struct clab_rstate *st)
{
	if (st->at >= rp->n)
		return 0;
	clab__replay_apply(rp, st, st->at);
	return 1;
}

void clab_replay_scan(const struct clab_replay *rp, struct clab_rstate *st,
		      uint32_t n)
{
	state_empty(rp, st);
	if (n > rp->n)
		n = rp->n;
	while (st->at < n)
		clab__replay_apply(rp, st, st->at);
}

/* ---- statistics, gathered while the checkpoints are built ---- */

static uint64_t span(const struct clab_replay *rp, uint32_t from, uint32_t to)
{
	if (from >= rp->n || to >= rp->n)
		return 0;
	uint64_t a = rp->rec[from].ns, b = rp->rec[to].ns;
	return b > a ? b - a : 0;
}

/* Before record i is applied to st: account for what it ends. */
static void stats_before(struct clab_replay *rp, const struct clab_rstate *st,
			 uint32_t i)
{
	const struct clab_record *r = &rp->rec[i];
	if (r->tid >= rp->nthreads)
		return;
	const struct clab_rthread *t = &st->th[r->tid];
	struct clab_rstats *ts = &rp->tstats[r->tid];
	uint32_t oid =
	    r->obj <= rp->nobjects && clab_kind_on_object(r->kind) ? r->obj : 0;
	const struct clab_kind_sem *sem = clab__kind_sem(r->kind);
	struct clab_rstats *os = &rp->ostats[oid];

	ts->records++;
	if (oid)
		os->records++;
	if (sem->oe == CLAB_OE_MUTEX_TAKE && oid &&
	    (st->ob[oid].a != r->tid + 1 || st->ob[oid].b == 0)) {
		ts->acquisitions++;
		os->acquisitions++;
		if (t->st == CLAB_TS_REQ) {
			ts->contended++;
			os->contended++;
		}
	}
	if (sem->act == CLAB_DO_ACQUIRE && sem->oe != CLAB_OE_MUTEX_TAKE) {
		ts->acquisitions++;
		os->acquisitions++;
		if (t->st == CLAB_TS_BLOCK || t->st == CLAB_TS_REQ) {
			ts->contended++;
			os->contended++;
		}
	}
	if (sem->oe == CLAB_OE_MUTEX_GIVE && oid && r->a32 == 0 &&
	    st->ob[oid].a) {
		uint64_t d = span(rp, st->ob[oid].since, i);
		os->hold_ns += d;
		uint32_t owner = st->ob[oid].a - 1;
		if (owner < rp->nthreads)
			rp->tstats[owner].hold_ns += d;
	}
	if (sem->act == CLAB_DO_SLEEP && sem->tmove == CLAB_TM_RUN &&
	    t->st == CLAB_TS_SLEEP)
		ts->sleep_ns += span(rp, t->since, i);
	if (sem->oe == CLAB_OE_PASS && oid) {
		/* the waiters it releases end their waits here */
		for (uint32_t k = 0; k < rp->nthreads; k++) {
			const struct clab_rthread *w = &st->th[k];
			if (w->obj == oid && w->st == CLAB_TS_BLOCK &&
			    k != r->tid) {
				uint64_t d = span(rp, w->since, i);
				rp->tstats[k].wait_ns += d;
				rp->tstats[k].waits++;
				os->wait_ns += d;
				os->waits++;
			}
		}
	}
}

/* After record i: a wait that ended in this record is counted. */
static void stats_after(struct clab_replay *rp, const struct clab_rthread *old,
			const struct clab_rstate *st, uint32_t i)
{
	const struct clab_record *r = &rp->rec[i];
	if (r->tid >= rp->nthreads)
		return;
	const struct clab_rthread *t = &st->th[r->tid];
	int was = old->st == CLAB_TS_REQ || old->st == CLAB_TS_WAIT ||
		  old->st == CLAB_TS_BLOCK;
	if (was && (t->st != old->st || t->obj != old->obj)) {
		uint64_t d = span(rp, old->since, i);
		rp->tstats[r->tid].wait_ns += d;
		rp->tstats[r->tid].waits++;
		if (old->obj && old->obj <= rp->nobjects) {
			rp->ostats[old->obj].wait_ns += d;
			rp->ostats[old->obj].waits++;
		}
	}
}

/* ---- building ---- */

static int build_index(struct clab_replay *rp)
{
	uint32_t nt = rp->nthreads, no = rp->nobjects;
	rp->thr_start = calloc((size_t)nt + 2, sizeof(uint32_t));
	rp->obj_start = calloc((size_t)no + 3, sizeof(uint32_t));
	if (!rp->thr_start || !rp->obj_start)
		return CLAB_ENOMEM;
	uint32_t nobjrec = 0;
	for (uint32_t i = 0; i < rp->n; i++) {
		const struct clab_record *r = &rp->rec[i];
		if (r->tid < nt)
			rp->thr_start[r->tid + 1]++;
		if (r->obj && r->obj <= no) {
			rp->obj_start[r->obj + 1]++;
			nobjrec++;
		}
		if (clab__kind_sem(r->kind)->act == CLAB_DO_DIAG)
			rp->ndiags++;
	}
	for (uint32_t t = 0; t < nt; t++)
		rp->thr_start[t + 1] += rp->thr_start[t];
	for (uint32_t o = 0; o <= no; o++)
		rp->obj_start[o + 1] += rp->obj_start[o];
	rp->thr_idx = malloc(((size_t)rp->thr_start[nt] + 1) * 4);
	rp->obj_idx = malloc(((size_t)nobjrec + 1) * 4);
	rp->diags = malloc(((size_t)rp->ndiags + 1) * 4);
	uint32_t *tpos = malloc(((size_t)nt + 1) * 4);
	uint32_t *opos = malloc(((size_t)no + 2) * 4);
	if (!rp->thr_idx || !rp->obj_idx || !rp->diags || !tpos || !opos) {
		free(tpos);
		free(opos);
		return CLAB_ENOMEM;
	}
	memcpy(tpos, rp->thr_start, (size_t)nt * 4);
	memcpy(opos, rp->obj_start, ((size_t)no + 1) * 4);
	uint32_t nd = 0;
	rp->deadlock = CLAB_REPLAY_NONE;
	for (uint32_t i = 0; i < rp->n; i++) {
		const struct clab_record *r = &rp->rec[i];
		if (r->tid < nt)
			rp->thr_idx[tpos[r->tid]++] = i;
		if (r->obj && r->obj <= no)
			rp->obj_idx[opos[r->obj]++] = i;
		if (clab__kind_sem(r->kind)->act == CLAB_DO_DIAG) {
			rp->diags[nd++] = i;
			if (r->a8 == CLAB_D_DEADLOCK &&
			    rp->deadlock == CLAB_REPLAY_NONE)
				rp->deadlock = i;
		}
	}
	free(tpos);
	free(opos);
	rp->memory += ((size_t)rp->thr_start[nt] + nobjrec + rp->ndiags) * 4;
	return 0;
}

static void save_cp(struct clab_replay *rp, const struct clab_rstate *st,
		    uint32_t k)
{
	memcpy(rp->cp_th + (size_t)k * rp->nthreads, st->th,
	       sizeof(*st->th) * rp->nthreads);
	memcpy(rp->cp_ob + (size_t)k * (rp->nobjects + 1), st->ob,
	       sizeof(*st->ob) * (rp->nobjects + 1));
}

static int build_checkpoints(struct clab_replay *rp, uint32_t every)
{
	size_t per = sizeof(struct clab_rthread) * rp->nthreads +
		     sizeof(struct clab_robject) * (rp->nobjects + 1);
	if (every == 0) {
		every = 4096;
		while ((size_t)(rp->n / every + 1) * per > CP_BUDGET &&
		       every < (1u << 30))
			every *= 2;
	}
	rp->every = every;
	rp->ncp = rp->n / every + 1;
	rp->cp_th = malloc(
	    (size_t)rp->ncp * rp->nthreads * sizeof(struct clab_rthread) + 1);
	rp->cp_ob = malloc((size_t)rp->ncp * (rp->nobjects + 1) *
			   sizeof(struct clab_robject));
	rp->tstats = calloc((size_t)rp->nthreads + 1, sizeof(*rp->tstats));
	rp->ostats = calloc((size_t)rp->nobjects + 1, sizeof(*rp->ostats));
	if (!rp->cp_th || !rp->cp_ob || !rp->tstats || !rp->ostats)
		return CLAB_ENOMEM;
	rp->memory += (size_t)rp->ncp * per;

	struct clab_rstate st;
	int err = clab_rstate_init(rp, &st);
	if (err)
		return err;
	save_cp(rp, &st, 0);
	for (uint32_t i = 0; i < rp->n; i++) {
		const struct clab_record *r = &rp->rec[i];
		struct clab_rthread old = {0};
		if (r->tid < rp->nthreads)
			old = st.th[r->tid];
		stats_before(rp, &st, i);
		clab__replay_apply(rp, &st, i);
		stats_after(rp, &old, &st, i);
		if ((i + 1) % every == 0)
			save_cp(rp, &st, (i + 1) / every);
	}
	clab_rstate_destroy(&st);
	return 0;
}

int clab_replay_new(const struct clab_trace *tr, uint32_t every,
		    struct clab_replay **out)
{
	size_t n = clab_trace_nrecords(tr);
	*out = NULL;
	if (n >= CLAB_REPLAY_NONE)
		return CLAB_EOVERFLOW;
	struct clab_replay *rp = calloc(1, sizeof(*rp));
	if (!rp)
		return CLAB_ENOMEM;
	rp->tr = tr;
	rp->rec = clab_trace_records(tr);
	rp->n = (uint32_t)n;
	rp->nthreads = clab_trace_nthreads(tr);
	rp->nobjects = clab_trace_nobjects(tr);
	rp->obj_tid = malloc(((size_t)rp->nobjects + 1) * 4);
	rp->obj_kind = calloc((size_t)rp->nobjects + 1, 1);
	int err = CLAB_ENOMEM;
	if (!rp->obj_tid || !rp->obj_kind)
		goto fail;
	for (uint32_t o = 0; o <= rp->nobjects; o++) {
		const struct clab_object_info *oi = clab_trace_object(tr, o);
		rp->obj_tid[o] = clab_trace_thread_of_obj(tr, o);
		rp->obj_kind[o] = oi ? oi->kind : 0;
	}
	if ((err = build_index(rp)) != 0 ||
	    (err = build_checkpoints(rp, every)) != 0)
		goto fail;
	*out = rp;
	return 0;
fail:
	clab_replay_free(rp);
	return err;
}

void clab_replay_free(struct clab_replay *rp)
{
	if (!rp)
		return;
	free(rp->obj_tid);
	free(rp->obj_kind);
	free(rp->cp_th);
	free(rp->cp_ob);
	free(rp->thr_start);
	free(rp->thr_idx);
	free(rp->obj_start);
	free(rp->obj_idx);
	free(rp->diags);
	free(rp->tstats);
	free(rp->ostats);
	free(rp);
}

const struct clab_trace *clab_replay_trace(const struct clab_replay *rp)
{
	return rp->tr;
}

uint32_t clab_replay_nrecords(const struct clab_replay *rp)
{
	return rp->n;
}

uint32_t clab_replay_every(const struct clab_replay *rp)
{
	return rp->every;
}

size_t clab_replay_memory(const struct clab_replay *rp)
{
	return rp->memory;
}

const struct clab_rstats *clab_replay_thread_stats(const struct clab_replay *rp,
						   uint32_t tid)
{
	return tid < rp->nthreads ? &rp->tstats[tid] : NULL;
}

const struct clab_rstats *clab_replay_object_stats(const struct clab_replay *rp,
						   uint32_t oid)
{
	return oid && oid <= rp->nobjects ? &rp->ostats[oid] : NULL;
}
