/*
 * Questions asked of the replay model: who holds and waits, the wait-for
 * cycle, causality links, per-thread and per-object navigation,
 * diagnostics and search.
 */
#include <stdlib.h>
#include <string.h>

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

/*
 * Scan the records of oid before record i for the latest one of a kind in
 * kinds (a zero-terminated list).
 */
static uint32_t scan_back(const struct clab_replay *rp, uint32_t oid,
			  uint32_t i, const uint8_t *kinds)
{
	uint32_t lo = rp->obj_start[oid];
	uint32_t k =
	    i ? upper(rp->obj_idx, lo, rp->obj_start[oid + 1], i - 1) : lo;
	for (uint32_t seen = 0; k > lo && seen < CAUSE_SCAN; seen++) {
		uint32_t j = rp->obj_idx[--k];
		for (const uint8_t *p = kinds; *p; p++)
			if (rp->rec[j].kind == *p)
				return j;
	}
	return CLAB_REPLAY_NONE;
}

/* Whether the record of i's thread just before i is of kind `kind`. */
static int after(const struct clab_replay *rp, uint32_t i, unsigned kind)
{
	uint32_t p = clab_replay_thread_next(rp, rp->rec[i].tid, i, -1);
	return p != CLAB_REPLAY_NONE && rp->rec[p].kind == kind &&
	       rp->rec[p].obj == rp->rec[i].obj;
}

/* The object's record with sequence number oseq - 1, if it is a release. */
static uint32_t mutex_cause(const struct clab_replay *rp, uint32_t i)
{
	const struct clab_record *r = &rp->rec[i];
	uint32_t lo = rp->obj_start[r->obj];
	uint32_t k =
	    i ? upper(rp->obj_idx, lo, rp->obj_start[r->obj + 1], i - 1) : lo;
	for (uint32_t seen = 0; k > lo && seen < CAUSE_SCAN; seen++) {
		const struct clab_record *p = &rp->rec[rp->obj_idx[--k]];
		if (p->oseq == 0)
			continue; /* requests, busy, timeouts */
		if (p->oseq + 1 == r->oseq && p->kind == CLAB_K_MUTEX_RELEASE)
			return rp->obj_idx[k];
		return CLAB_REPLAY_NONE;
	}
	return CLAB_REPLAY_NONE;
}

uint32_t clab_replay_cause(const struct clab_replay *rp, uint32_t i)
{
	static const uint8_t signals[] = {CLAB_K_COND_SIGNAL,
					  CLAB_K_COND_BROADCAST, 0};
	static const uint8_t sem_rel[] = {CLAB_K_SEM_RELEASE, 0};
	/* what hands a reader-writer lock over to its waiters */
	static const uint8_t rw_made_room[] = {CLAB_K_RW_RELEASE,
					       CLAB_K_RW_TIMEOUT, 0};
	static const uint8_t latch_set[] = {CLAB_K_LATCH_SET, 0};
	static const uint8_t exits[] = {CLAB_K_THREAD_EXIT, 0};
	static const uint8_t puts[] = {CLAB_K_QUEUE_PUT, CLAB_K_QUEUE_CLOSE, 0};
	static const uint8_t gets[] = {CLAB_K_QUEUE_GET, CLAB_K_QUEUE_CLOSE, 0};
	static const uint8_t dones[] = {CLAB_K_QUEUE_TASK_DONE, 0};
	static const uint8_t ticks[] = {CLAB_K_PTIMER_TICK, 0};
	static const uint8_t arrivals[] = {CLAB_K_BARRIER_WAIT, 0};

	if (i >= rp->n)
		return CLAB_REPLAY_NONE;
	const struct clab_record *r = &rp->rec[i];
	uint32_t o = r->obj;
	if (!o || o > rp->nobjects || r->kind == CLAB_K_DIAG)
		return CLAB_REPLAY_NONE;
	switch (r->kind) {
	case CLAB_K_MUTEX_ACQUIRE:
		return mutex_cause(rp, i);
	case CLAB_K_COND_WAKE:
		if (r->a8 == CLAB_CAUSE_SIGNAL || r->a8 == CLAB_CAUSE_BROADCAST)
			return scan_back(rp, o, i, signals);
		return CLAB_REPLAY_NONE;
	case CLAB_K_RW_READ_ACQUIRE:
	case CLAB_K_RW_WRITE_ACQUIRE:
		return after(rp, i,
			     r->kind == CLAB_K_RW_READ_ACQUIRE
				 ? CLAB_K_RW_READ_REQUEST
				 : CLAB_K_RW_WRITE_REQUEST)
			   ? scan_back(rp, o, i, rw_made_room)
			   : CLAB_REPLAY_NONE;
	case CLAB_K_SEM_ACQUIRE:
		return after(rp, i, CLAB_K_SEM_WAIT)
			   ? scan_back(rp, o, i, sem_rel)
			   : CLAB_REPLAY_NONE;
	case CLAB_K_LATCH_WAKE:
		return r->a8 == CLAB_CAUSE_SET ? scan_back(rp, o, i, latch_set)
					       : CLAB_REPLAY_NONE;
	case CLAB_K_THREAD_JOIN:
		return scan_back(rp, o, i, exits);
	case CLAB_K_QUEUE_GET:
		return after(rp, i, CLAB_K_QUEUE_GET_WAIT)
			   ? scan_back(rp, o, i, puts)
			   : CLAB_REPLAY_NONE;
	case CLAB_K_QUEUE_PUT:
		return after(rp, i, CLAB_K_QUEUE_PUT_WAIT)
			   ? scan_back(rp, o, i, gets)
			   : CLAB_REPLAY_NONE;
	case CLAB_K_QUEUE_JOIN:
		return scan_back(rp, o, i, dones);
	case CLAB_K_PTIMER_WAKE:
		return scan_back(rp, o, i, ticks);
	case CLAB_K_BARRIER_PASS:
		return scan_back(rp, o, i, arrivals);
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
