/*
 * Questions asked of the replay model: who holds and waits, the wait-for
 * cycle, causality links, per-thread and per-object navigation,
 * diagnostics and search.
 */
#include <stdlib.h>
#include <string.h>

#include <conclab/semantics.h>

#include "clab-kinds.h"
#include "replay-int.h"

#define CAUSE_SCAN (1u << 20) /* object records looked at, at most */

const char *clab_tstate_name(unsigned st)
{
	static const char *const names[CLAB_TS_COUNT] = {
	    [CLAB_TS_NONE] = "not started", [CLAB_TS_RUN] = "running",
	    [CLAB_TS_REQ] = "requesting",   [CLAB_TS_WAIT] = "waiting",
	    [CLAB_TS_BLOCK] = "blocked",    [CLAB_TS_SLEEP] = "sleeping",
	    [CLAB_TS_DONE] = "finished",
	};
	return st < CLAB_TS_COUNT ? names[st] : "?";
}

size_t clab_replay_held(const struct clab_replay *rp,
			const struct clab_rstate *st, uint32_t tid,
			uint32_t *oids, size_t max)
{
	size_t n = 0;
	if (tid >= rp->nthreads || st->th[tid].nheld == 0)
		return 0;
	for (uint32_t o = 1; o <= rp->nobjects && n < max; o++)
		if ((rp->obj_kind[o] == CLAB_O_MUTEX &&
		     st->ob[o].a == tid + 1) ||
		    (rp->obj_kind[o] == CLAB_O_RWLOCK &&
		     (st->ob[o].a == tid + 1 ||
		      (tid < 32 && st->ob[o].b >> tid & 1))))
			oids[n++] = o;
	return n;
}

static int is_waiting(unsigned s)
{
	return s == CLAB_TS_REQ || s == CLAB_TS_WAIT || s == CLAB_TS_BLOCK;
}

size_t clab_replay_waiters(const struct clab_rstate *st, uint32_t oid,
			   uint32_t *tids, size_t max)
{
	size_t n = 0;
	for (uint32_t t = 0; t < st->nthreads && n < max; t++) {
		if (st->th[t].obj != oid || !is_waiting(st->th[t].st))
			continue;
		/* insert in the order the waits began */
		size_t k = n++;
		while (k > 0 && st->th[tids[k - 1]].since > st->th[t].since) {
			tids[k] = tids[k - 1];
			k--;
		}
		tids[k] = t;
	}
	return n;
}

uint32_t clab_replay_waits_for(const struct clab_replay *rp,
			       const struct clab_rstate *st, uint32_t tid)
{
	if (tid >= rp->nthreads)
		return CLAB_REPLAY_NONE;
	const struct clab_rthread *t = &st->th[tid];
	uint32_t o = t->obj;
	if (!o || o > rp->nobjects)
		return CLAB_REPLAY_NONE;
	if (t->st == CLAB_TS_REQ && st->ob[o].a)
		return st->ob[o].a - 1;
	if (t->st == CLAB_TS_REQ && rp->obj_kind[o] == CLAB_O_RWLOCK) {
		/* a reader other than itself, or itself (an upgrade) */
		uint32_t rd = st->ob[o].b, self = tid < 32 ? 1u << tid : 0;
		if (rd & ~self)
			return (uint32_t)__builtin_ctz(rd & ~self);
		if (rd & self)
			return tid;
	}
	if (t->st == CLAB_TS_BLOCK && rp->obj_kind[o] == CLAB_O_THREAD) {
		uint32_t j = rp->obj_tid[o];
		if (j < rp->nthreads && st->th[j].st != CLAB_TS_DONE)
			return j;
	}
	return CLAB_REPLAY_NONE;
}

size_t clab_replay_cycle(const struct clab_replay *rp,
			 const struct clab_rstate *st, uint32_t *tids,
			 size_t max)
{
	uint32_t nt = rp->nthreads;
	uint32_t *mark = calloc(nt ? nt : 1, sizeof(*mark));
	size_t len = 0;
	if (!mark)
		return 0;
	for (uint32_t s = 0; s < nt && len == 0; s++) {
		uint32_t t = s;
		/* walk from s, marking with s + 1, until a dead end or a mark
		 */
		while (t != CLAB_REPLAY_NONE && mark[t] == 0) {
			mark[t] = s + 1;
			t = clab_replay_waits_for(rp, st, t);
		}
		if (t == CLAB_REPLAY_NONE || mark[t] != s + 1)
			continue;
		uint32_t c = t;
		do {
			if (len < max)
				tids[len] = c;
			len++;
			c = clab_replay_waits_for(rp, st, c);
		} while (c != t && len <= nt);
	}
	free(mark);
	return len < max ? len : max;
}

/* ---- positions in the per-thread and per-object indexes ---- */

/* The first k in [lo, hi) with idx[k] > i (or hi). */
static uint32_t upper(const uint32_t *idx, uint32_t lo, uint32_t hi, uint32_t i)
{
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (idx[mid] <= i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static uint32_t next_in(const uint32_t *idx, uint32_t lo, uint32_t hi,
			uint32_t i, int dir)
{
	if (dir > 0) {
		uint32_t k = upper(idx, lo, hi, i);
		return k < hi ? idx[k] : CLAB_REPLAY_NONE;
	}
	/* the last k with idx[k] < i */
	uint32_t k = i ? upper(idx, lo, hi, i - 1) : lo;
	return k > lo ? idx[k - 1] : CLAB_REPLAY_NONE;
}

uint32_t clab_replay_thread_next(const struct clab_replay *rp, uint32_t tid,
				 uint32_t i, int dir)
{
	if (tid >= rp->nthreads)
		return CLAB_REPLAY_NONE;
	return next_in(rp->thr_idx, rp->thr_start[tid], rp->thr_start[tid + 1],
		       i, dir);
}

uint32_t clab_replay_object_next(const struct clab_replay *rp, uint32_t oid,
				 uint32_t i, int dir)
{
	if (!oid || oid > rp->nobjects)
		return CLAB_REPLAY_NONE;
	return next_in(rp->obj_idx, rp->obj_start[oid], rp->obj_start[oid + 1],
		       i, dir);
}

/* ---- causality ---- */

/* Whether record j, earlier on the object, is what record r waited for. */
typedef int cause_fn(const struct clab_record *j, const struct clab_record *r);

/* Scan the records of oid before record i for the latest one is(j, i). */
static uint32_t scan_back(const struct clab_replay *rp, uint32_t oid,
			  uint32_t i, cause_fn *is)
{
	uint32_t lo = rp->obj_start[oid];
	uint32_t k =
	    i ? upper(rp->obj_idx, lo, rp->obj_start[oid + 1], i - 1) : lo;
	for (uint32_t seen = 0; k > lo && seen < CAUSE_SCAN; seen++) {
		uint32_t j = rp->obj_idx[--k];
		if (is(&rp->rec[j], &rp->rec[i]))
			return j;
	}
	return CLAB_REPLAY_NONE;
}

/* Whether the record of i's thread just before i began a wait on its object. */
static int after_wait(const struct clab_replay *rp, uint32_t i)
{
	uint32_t p = clab_replay_thread_next(rp, rp->rec[i].tid, i, -1);
	return p != CLAB_REPLAY_NONE &&
	       clab__kind_begins_wait(rp->rec[p].kind) &&
	       rp->rec[p].obj == rp->rec[i].obj;
}

/* The object's record with sequence number oseq - 1, if it is a release. */
static uint32_t handoff(const struct clab_replay *rp, uint32_t i)
{
	const struct clab_record *r = &rp->rec[i];
	uint32_t lo = rp->obj_start[r->obj];
	uint32_t k =
	    i ? upper(rp->obj_idx, lo, rp->obj_start[r->obj + 1], i - 1) : lo;
	for (uint32_t seen = 0; k > lo && seen < CAUSE_SCAN; seen++) {
		const struct clab_record *p = &rp->rec[rp->obj_idx[--k]];
		if (p->oseq == 0)
			continue; /* requests, busy, timeouts */
		if (p->oseq + 1 == r->oseq &&
		    clab__kind_sem(p->kind)->oe == CLAB_OE_MUTEX_GIVE)
			return rp->obj_idx[k];
		return CLAB_REPLAY_NONE;
	}
	return CLAB_REPLAY_NONE;
}

static unsigned act_of(const struct clab_record *j)
{
	return clab__kind_sem(j->kind)->act;
}

static int is_signal(const struct clab_record *j, const struct clab_record *r)
{
	(void)r;
	return act_of(j) == CLAB_DO_SIGNAL;
}

/* What hands a reader-writer lock over to its waiters. */
static int made_room(const struct clab_record *j, const struct clab_record *r)
{
	(void)r;
	return act_of(j) == CLAB_DO_RELEASE || act_of(j) == CLAB_DO_TIMEOUT;
}

static int is_release(const struct clab_record *j, const struct clab_record *r)
{
	(void)r;
	return act_of(j) == CLAB_DO_RELEASE;
}

static int is_exit(const struct clab_record *j, const struct clab_record *r)
{
	(void)r;
	return act_of(j) == CLAB_DO_EXIT;
}

/* The put before a get that waited (the get before a put), or a close. */
static int is_item(const struct clab_record *j, const struct clab_record *r)
{
	const struct clab_kind_sem *sj = clab__kind_sem(j->kind);
	const struct clab_kind_sem *sr = clab__kind_sem(r->kind);
	return sj->oe == CLAB_OE_CLOSED ||
	       (j->kind != r->kind && sj->act == sr->act && sj->oe == sr->oe);
}

static int is_task_done(const struct clab_record *j,
			const struct clab_record *r)
{
	(void)r;
	return act_of(j) == CLAB_DO_OTHER &&
	       clab__kind_sem(j->kind)->oe == CLAB_OE_PENDING;
}

static int is_tick(const struct clab_record *j, const struct clab_record *r)
{
	(void)r;
	return act_of(j) == CLAB_DO_TIMER &&
	       clab__kind_sem(j->kind)->tmove == CLAB_TM_KEEP &&
	       clab__kind_sem(j->kind)->oe == CLAB_OE_LEVEL;
}

static int is_arrival(const struct clab_record *j, const struct clab_record *r)
{
	(void)r;
	return act_of(j) == CLAB_DO_WAIT_BEGIN;
}

uint32_t clab_replay_cause(const struct clab_replay *rp, uint32_t i)
{
	if (i >= rp->n)
		return CLAB_REPLAY_NONE;
	const struct clab_record *r = &rp->rec[i];
	uint32_t o = r->obj;
	if (!o || o > rp->nobjects || !clab_kind_on_object(r->kind))
		return CLAB_REPLAY_NONE;
	switch (clab__kind_sem(r->kind)->waited) {
	case CLAB_WF_HANDOFF:
		return handoff(rp, i);
	case CLAB_WF_SIGNAL:
		return r->a8 == CLAB_CAUSE_SIGNAL ||
			       r->a8 == CLAB_CAUSE_BROADCAST ||
			       r->a8 == CLAB_CAUSE_SET
			   ? scan_back(rp, o, i, is_signal)
			   : CLAB_REPLAY_NONE;
	case CLAB_WF_ROOM:
		return after_wait(rp, i) ? scan_back(rp, o, i, made_room)
					 : CLAB_REPLAY_NONE;
	case CLAB_WF_PERMIT:
		return after_wait(rp, i) ? scan_back(rp, o, i, is_release)
					 : CLAB_REPLAY_NONE;
	case CLAB_WF_EXIT:
		return scan_back(rp, o, i, is_exit);
	case CLAB_WF_ITEM:
		return after_wait(rp, i) ? scan_back(rp, o, i, is_item)
					 : CLAB_REPLAY_NONE;
	case CLAB_WF_TASKS:
		return scan_back(rp, o, i, is_task_done);
	case CLAB_WF_TICK:
		return scan_back(rp, o, i, is_tick);
	case CLAB_WF_ARRIVAL:
		return scan_back(rp, o, i, is_arrival);
	default:
		return CLAB_REPLAY_NONE;
	}
}

/* ---- diagnostics ---- */

uint32_t clab_replay_ndiags(const struct clab_replay *rp)
{
	return rp->ndiags;
}

uint32_t clab_replay_diag(const struct clab_replay *rp, uint32_t k)
{
	return k < rp->ndiags ? rp->diags[k] : CLAB_REPLAY_NONE;
}

uint32_t clab_replay_diag_next(const struct clab_replay *rp, uint32_t i,
			       int dir)
{
	return next_in(rp->diags, 0, rp->ndiags, i, dir);
}

uint32_t clab_replay_deadlock(const struct clab_replay *rp)
{
	return rp->deadlock;
}

/* ---- search ---- */

uint32_t clab_replay_search(const struct clab_replay *rp, uint32_t i, int dir,
			    const char *text)
{
	char line[512];
	if (rp->n == 0 || !text || !*text)
		return CLAB_REPLAY_NONE;
	if (i >= rp->n)
		i = dir > 0 ? rp->n - 1 : 0;
	uint32_t j = i;
	for (uint32_t k = 0; k < rp->n; k++) {
		if (dir > 0)
			j = j + 1 >= rp->n ? 0 : j + 1;
		else
			j = j == 0 ? rp->n - 1 : j - 1;
		clab_trace_format_record(rp->tr, &rp->rec[j], line,
					 sizeof(line));
		if (strcasestr(line, text))
			return j;
	}
	return CLAB_REPLAY_NONE;
}
