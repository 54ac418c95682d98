/*
 * Analyses over a whole trace: replay each thread's mutexes into the
 * lock-order detector, and note blocking waits made while holding one.
 * Their verdict and report are printed by analyze-print.c.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/analyze.h>
#include <conclab/error.h>
#include <conclab/export.h>
#include <conclab/semantics.h>

#include "analyze-int.h"
#include "clab-kinds.h"

struct tstate {
	struct clab_ld_held *held;
	uint32_t n, cap;
	uint32_t pending;  /* mutex of an outstanding request */
	uint64_t wait_seq; /* the last record that began a blocking wait */
};

/* The last record on an object that could wake its waiters. */
struct wakeup {
	uint64_t seq; /* + 1; 0: none yet */
	uint32_t kind, tid, site, woke;
};

/* A record that can wake the waiters of its object. */
static int wakes_waiters(unsigned kind)
{
	const struct clab_kind_sem *sem = clab__kind_sem(kind);
	return sem->act == CLAB_DO_SIGNAL ||
	       (sem->act == CLAB_DO_RELEASE && sem->oe == CLAB_OE_VALUE);
}

static void note_wakeup(struct wakeup *w, const struct clab_record *r)
{
	const struct clab_kind_sem *sem = clab__kind_sem(r->kind);
	if (wakes_waiters(r->kind)) { /* a signal; a permit given back */
		*w = (struct wakeup){r->seq + 1, r->kind, r->tid, r->site,
				     UINT32_MAX};
		return;
	}
	switch (sem->act) {
	case CLAB_DO_WAKE:
		if (w->seq && w->woke == UINT32_MAX &&
		    (r->a8 == CLAB_CAUSE_SIGNAL ||
		     r->a8 == CLAB_CAUSE_BROADCAST || r->a8 == CLAB_CAUSE_SET))
			w->woke = r->tid;
		break;
	case CLAB_DO_ACQUIRE:
		/* a release's permit, taken by a thread that had waited */
		if (sem->oe == CLAB_OE_VALUE && w->seq &&
		    w->woke == UINT32_MAX &&
		    clab__kind_sem(w->kind)->act == CLAB_DO_RELEASE &&
		    r->a8 != CLAB_HOW_TRY)
			w->woke = r->tid;
		break;
	default:
		break;
	}
}

/* The watchdog's report, with what the trace adds: since when, by whom. */
static int note_blocked(const struct clab_trace *tr, struct clab_analysis *an,
			const struct tstate *ts, uint32_t nt,
			const uint32_t *owner, const struct wakeup *wk,
			const struct clab_record *r)
{
	uint32_t tid = clab_trace_thread_of_obj(tr, r->obj);
	if (tid >= nt)
		return 0;
	struct clab_blocked_at *n =
	    realloc(an->blocked, (an->nblocked + 1) * sizeof(*n));
	if (!n)
		return -1;
	an->blocked = n;
	uint32_t h = r->a32 <= clab_trace_nobjects(tr) ? owner[r->a32] : 0;
	const struct wakeup *w =
	    r->a32 <= clab_trace_nobjects(tr) ? &wk[r->a32] : NULL;
	an->blocked[an->nblocked++] = (struct clab_blocked_at){
	    .tid = tid,
	    .obj = r->a32,
	    .since = ts[tid].wait_seq,
	    .holder = h ? h - 1 : UINT32_MAX,
	    .signal_seq = w && w->seq ? w->seq - 1 : UINT64_MAX,
	    .signal_kind = w ? w->kind : 0,
	    .signal_tid = w ? w->tid : 0,
	    .signal_site = w ? w->site : 0,
	    .signal_woke = w && w->seq ? w->woke : UINT32_MAX,
	};
	return 0;
}

static int push(struct tstate *t, uint32_t lock, uint32_t site, uint64_t seq,
		uint32_t permits)
{
	if (t->n == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 8;
		struct clab_ld_held *h = realloc(t->held, cap * sizeof(*h));
		if (!h)
			return -1;
		t->held = h;
		t->cap = cap;
	}
	t->held[t->n++] = (struct clab_ld_held){lock, site, seq, permits, 0};
	return 0;
}

/* Drop the innermost hold of lock; 0 if the thread did not hold it. */
static int pop(struct tstate *t, uint32_t lock)
{
	for (uint32_t i = t->n; i-- > 0;)
		if (t->held[i].lock == lock) {
			memmove(&t->held[i], &t->held[i + 1],
				(t->n - i - 1) * sizeof(*t->held));
			t->n--;
			return 1;
		}
	return 0;
}

/*
 * Whether r waits, or may wait, on another thread: a wait or a join that
 * began on an object (not a periodic timer's tick: the clock brings that),
 * or a blocking take of a permit, even when it did not block (a
 * semaphore's wait record comes before its acquire, which counts instead).
 */
static int is_wait(const struct clab_record *r)
{
	const struct clab_kind_sem *sem = clab__kind_sem(r->kind);
	if (sem->oe == CLAB_OE_VALUE)
		return sem->act == CLAB_DO_ACQUIRE && r->a8 != CLAB_HOW_TRY;
	return sem->act == CLAB_DO_WAIT_BEGIN || sem->act == CLAB_DO_JOIN_WAIT;
}

static int note_wait(struct clab_analysis *an, const struct clab_record *r,
		     const struct clab_ld_held *h)
{
	for (size_t i = 0; i < an->nwaits; i++) {
		struct clab_hold_wait *w = &an->waits[i];
		if (w->site == r->site && w->held == h->lock &&
		    w->obj == r->obj) {
			w->count++;
			return 0;
		}
	}
	struct clab_hold_wait *n =
	    realloc(an->waits, (an->nwaits + 1) * sizeof(*n));
	if (!n)
		return -1;
	an->waits = n;
	an->waits[an->nwaits++] = (struct clab_hold_wait){
	    .seq = r->seq,
	    .tid = r->tid,
	    .obj = r->obj,
	    .held = h->lock,
	    .held_site = h->site,
	    .site = r->site,
	    .count = 1,
	};
	return 0;
}

static unsigned ld_flags(unsigned how)
{
	return how == CLAB_HOW_TRY     ? CLAB_LD_TRY
	       : how == CLAB_HOW_TIMED ? CLAB_LD_TIMED
				       : 0;
}

/* A reader-writer lock's request or acquire, for the detector. */
static unsigned rw_flags(const struct clab_record *r)
{
	unsigned oe = clab__kind_sem(r->kind)->oe;
	int read = oe == CLAB_OE_READ_WANT || oe == CLAB_OE_READ_TAKE;
	return ld_flags(r->a8) | (read ? CLAB_LD_READ : 0);
}

/*
 * Semaphores used as locks: never above 1, and every release made by the
 * thread that took it.  Those take part in the lock order like mutexes
 * (a binary semaphore guarding a resource deadlocks like a mutex).
 */
static uint8_t *lock_like_sems(const struct clab_trace *tr)
{
	uint32_t no = clab_trace_nobjects(tr);
	uint8_t *like = calloc((size_t)no + 1, 1);
	uint32_t *holder = malloc(((size_t)no + 1) * sizeof(*holder));
	if (!like || !holder) {
		free(like);
		free(holder);
		return NULL;
	}
	uint32_t nsems = 0;
	for (uint32_t o = 0; o <= no; o++) {
		const struct clab_object_info *oi = clab_trace_object(tr, o);
		like[o] = oi && oi->kind == CLAB_O_SEM;
		nsems += like[o];
		holder[o] = UINT32_MAX;
	}
	uint8_t *used = calloc((size_t)no + 1, 1);
	const struct clab_record *recs = clab_trace_records(tr);
	size_t n = nsems ? clab_trace_nrecords(tr) : 0; /* none: no scan */
	for (size_t i = 0; used && i < n; i++) {
		const struct clab_record *r = &recs[i];
		if (r->obj > no || !like[r->obj])
			continue;
		unsigned act = clab__kind_sem(r->kind)->act;
		if (act == CLAB_DO_ACQUIRE) {
			if (holder[r->obj] != UINT32_MAX || r->a32 != 0)
				like[r->obj] = 0;
			holder[r->obj] = r->tid;
			used[r->obj] = 1;
		} else if (act == CLAB_DO_RELEASE) {
			if (holder[r->obj] != r->tid || r->a32 > 1)
				like[r->obj] = 0;
			holder[r->obj] = UINT32_MAX;
		}
	}
	for (uint32_t o = 0; used && o <= no; o++)
		like[o] &= used[o];
	free(used);
	free(holder);
	return like;
}

/*
 * The other semaphores: the permits each started with, read off its first
 * record (each record carries the value after it).  A thread holding a
 * permit can gate a lock-order cycle (conclab/lockdep.h).
 */
static uint32_t *sem_permits(const struct clab_trace *tr, const uint8_t *like)
{
	uint32_t no = clab_trace_nobjects(tr);
	uint32_t *permits = calloc((size_t)no + 1, sizeof(*permits));
	uint8_t *seen = calloc((size_t)no + 1, 1);
	/* the semaphores not used as locks, each seen once it is read */
	uint32_t left = 0;
	for (uint32_t o = 1; o <= no; o++)
		left +=
		    clab_trace_object(tr, o)->kind == CLAB_O_SEM && !like[o];
	const struct clab_record *recs = clab_trace_records(tr);
	size_t n = clab_trace_nrecords(tr);
	for (size_t i = 0; permits && seen && left && i < n; i++) {
		const struct clab_record *r = &recs[i];
		if (r->obj > no || like[r->obj] || seen[r->obj])
			continue;
		const struct clab_object_info *oi =
		    clab_trace_object(tr, r->obj);
		if (!oi || oi->kind != CLAB_O_SEM)
			continue;
		const struct clab_kind_sem *sem = clab__kind_sem(r->kind);
		if (sem->oe != CLAB_OE_VALUE)
			continue;
		if (sem->act == CLAB_DO_ACQUIRE)
			permits[r->obj] = r->a32 + 1;
		else if (sem->act == CLAB_DO_RELEASE)
			permits[r->obj] = r->a32 ? r->a32 - 1 : 0;
		else /* the value as it is */
			permits[r->obj] = r->a32;
		seen[r->obj] = 1;
		left--;
	}
	free(seen);
	return permits;
}

long clab__analyze_lock_index(const struct clab_trace *tr, uint32_t oid)
{
	const struct clab_object_info *o = clab_trace_object(tr, oid);
	return o && o->kind == CLAB_O_MUTEX && o->param ? (long)o->param - 1
							: -1;
}

/* Lock classes: every lock maps to the first lock made at its site. */
static int make_classes(const struct clab_trace *tr, struct clab_analysis *an)
{
	uint32_t no = clab_trace_nobjects(tr);
	an->nobjs = no;
	an->cls = calloc((size_t)no + 1, sizeof(*an->cls));
	an->csize = calloc((size_t)no + 1, sizeof(*an->csize));
	if (!an->cls || !an->csize)
		return CLAB_ENOMEM;
	for (uint32_t o = 1; o <= no; o++) {
		const struct clab_object_info *oi = clab_trace_object(tr, o);
		an->cls[o] = o;
		for (uint32_t p = 1; oi->site && p < o; p++) {
			const struct clab_object_info *pi =
			    clab_trace_object(tr, p);
			if (pi->site == oi->site && pi->kind == oi->kind) {
				an->cls[o] = an->cls[p];
				break;
			}
		}
		an->csize[an->cls[o]]++;
	}
	return 0;
}

static int note_nest(struct clab_analysis *an, const struct clab_record *r,
		     const struct clab_ld_held *h, int inverted)
{
	for (size_t i = 0; i < an->nnests; i++) {
		struct clab_class_nest *c = &an->nests[i];
		if (c->held_site == h->site && c->site == r->site &&
		    c->inverted == inverted) {
			c->count++;
			return 0;
		}
	}
	struct clab_class_nest *n =
	    realloc(an->nests, (an->nnests + 1) * sizeof(*n));
	if (!n)
		return -1;
	an->nests = n;
	an->nests[an->nnests++] = (struct clab_class_nest){
	    .seq = r->seq,
	    .tid = r->tid,
	    .held = h->lock,
	    .lock = r->obj,
	    .held_site = h->site,
	    .site = r->site,
	    .inverted = inverted,
	    .count = 1,
	};
	return 0;
}

/*
 * The request of r->obj while holding t's locks, into the detector; in
 * class mode by class, after checking locks of the same class.
 */
static int request(const struct clab_trace *tr, struct clab_analysis *an,
		   struct tstate *t, const struct clab_record *r,
		   unsigned flags)
{
	if (!an->classes)
		return clab_lockdep_request(an->ld, r->tid, t->held, t->n,
					    r->obj, r->site, r->seq, flags);
	struct clab_ld_held cl[64];
	uint32_t n = 0, c = an->cls[r->obj];
	for (uint32_t k = 0; k < t->n; k++) {
		const struct clab_ld_held *h = &t->held[k];
		if (an->cls[h->lock] == c && h->lock != r->obj && !h->permits) {
			long hi = clab__analyze_lock_index(tr, h->lock);
			long li = clab__analyze_lock_index(tr, r->obj);
			int ok = hi >= 0 && li >= 0 && li > hi;
			if (!ok && !(flags & CLAB_LD_TRY) &&
			    note_nest(an, r, h, hi >= 0 && li >= 0))
				return CLAB_ENOMEM;
			continue;
		}
		if (n < 64) {
			cl[n] = *h;
			cl[n++].lock = an->cls[h->lock];
		}
	}
	return clab_lockdep_request(an->ld, r->tid, cl, n, c, r->site, r->seq,
				    flags);
}

int clab_analyze(const struct clab_trace *tr, struct clab_analysis *an)
{
	return clab_analyze_flags(tr, an, 0);
}

/*
 * A permit of a counting semaphore, taken or given back: held permits go
 * with the thread's locks into the detector, where they can gate a cycle.
 * A release by a thread without a permit frees the semaphore's holders
 * from its count, and a thread taking more than CLAB_LD_PERMITS_MAX permits
 * escapes the runtime's tracking: either way the semaphore gates nothing
 * from then on (permits[sem] = UINT32_MAX), as live.
 */
static int sem_gate(struct clab_analysis *an, struct tstate *t,
		    const struct clab_record *r, uint32_t *permits)
{
	uint32_t *p = &permits[r->obj];
	unsigned act = clab__kind_sem(r->kind)->act;
	if (act == CLAB_DO_RELEASE) {
		if (pop(t, r->obj) || *p == UINT32_MAX)
			return 0;
	} else if (act == CLAB_DO_ACQUIRE) {
		if (*p == UINT32_MAX)
			return 0; /* gates nothing any more */
		uint32_t held = 0;
		for (uint32_t k = 0; k < t->n; k++)
			held += t->held[k].permits != 0;
		if (held < CLAB_LD_PERMITS_MAX)
			return push(t, r->obj, r->site, r->seq, *p)
				   ? CLAB_ENOMEM
				   : 0;
	} else {
		return 0;
	}
	*p = UINT32_MAX;
	return clab_lockdep_ungate(
	    an->ld, an->classes ? an->cls[r->obj] : r->obj, r->tid, r->seq);
}

int clab_analyze_flags(const struct clab_trace *tr, struct clab_analysis *an,
		       unsigned aflags)
{
	memset(an, 0, sizeof(*an));
	an->classes = (aflags & CLAB_ANALYZE_CLASSES) != 0;
	if (an->classes && make_classes(tr, an)) {
		clab_analysis_fini(an);
		return CLAB_ENOMEM;
	}
	uint8_t *semlock = lock_like_sems(tr);
	uint32_t *permits = semlock ? sem_permits(tr, semlock) : NULL;
	an->ld = clab_lockdep_new();
	uint32_t nt = clab_trace_nthreads(tr), no = clab_trace_nobjects(tr);
	struct tstate *ts = calloc(nt ? nt : 1, sizeof(*ts));
	uint32_t *owner = calloc(
	    (size_t)no + 1, sizeof(*owner)); /* tid + 1 of a mutex's owner */
	struct wakeup *wk = calloc((size_t)no + 1, sizeof(*wk));
	an->deadlock_seq = UINT64_MAX;
	an->stuck_seq = UINT64_MAX;
	int rc = an->ld && ts && permits && owner && wk ? 0 : CLAB_ENOMEM;
	const struct clab_record *recs = clab_trace_records(tr);
	size_t n = clab_trace_nrecords(tr);
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct clab_record *r = &recs[i];
		if (r->tid >= nt)
			continue;
		struct tstate *t = &ts[r->tid];
		const struct clab_kind_sem *sem = clab__kind_sem(r->kind);
		unsigned act = sem->act, oe = sem->oe;
		if (clab__kind_begins_wait(r->kind))
			t->wait_seq = r->seq;
		if ((oe == CLAB_OE_MUTEX_TAKE && r->a32 == 1) ||
		    oe == CLAB_OE_WRITE_TAKE)
			owner[r->obj] = r->tid + 1;
		else if ((oe == CLAB_OE_MUTEX_GIVE && r->a32 == 0) ||
			 (oe == CLAB_OE_RW_GIVE && r->a8))
			owner[r->obj] = 0;
		else if (act == CLAB_DO_DIAG && r->a8 == CLAB_D_DEADLOCK &&
			 an->deadlock_seq == UINT64_MAX)
			an->deadlock_seq = r->seq;
		if (act == CLAB_DO_DIAG && an->stuck_seq == UINT64_MAX &&
		    (r->a8 == CLAB_D_DEADLOCK || r->a8 == CLAB_D_RUN_TIMEOUT ||
		     r->a8 == CLAB_D_STEP_LIMIT)) {
			an->stuck_seq = r->seq;
			an->stuck_diag = r->a8;
			an->stuck_arg = r->a32;
		} else if (act == CLAB_DO_DIAG && r->a8 == CLAB_D_BLOCKED &&
			   note_blocked(tr, an, ts, nt, owner, wk, r))
			rc = CLAB_ENOMEM;
		if (r->obj <= no)
			note_wakeup(&wk[r->obj], r);
		/* a semaphore used as a lock is replayed as a mutex */
		if (r->obj <= no && semlock[r->obj]) {
			if (act == CLAB_DO_RELEASE) {
				pop(t, r->obj);
				continue;
			}
			if (act == CLAB_DO_WAIT_BEGIN)
				act = CLAB_DO_REQUEST;
			if (act == CLAB_DO_REQUEST || act == CLAB_DO_ACQUIRE)
				oe = act == CLAB_DO_ACQUIRE ? CLAB_OE_MUTEX_TAKE
							    : CLAB_OE_WANT;
		}
		switch (act) {
		case CLAB_DO_REQUEST:
			t->pending = r->obj;
			rc = request(tr, an, t, r,
				     oe == CLAB_OE_WANT ? ld_flags(r->a8)
							: rw_flags(r));
			break;
		case CLAB_DO_ACQUIRE:
			if (oe == CLAB_OE_MUTEX_TAKE && r->a32 > 1)
				break; /* a recursive relock */
			if (oe != CLAB_OE_MUTEX_TAKE &&
			    oe != CLAB_OE_READ_TAKE && oe != CLAB_OE_WRITE_TAKE)
				goto waits; /* a permit */
			if (t->pending != r->obj)
				rc = request(tr, an, t, r,
					     oe == CLAB_OE_MUTEX_TAKE
						 ? ld_flags(r->a8)
						 : rw_flags(r));
			t->pending = 0;
			if (rc >= 0 && push(t, r->obj, r->site, r->seq, 0))
				rc = CLAB_ENOMEM;
			else if (rc >= 0)
				t->held[t->n - 1].shared =
				    oe == CLAB_OE_READ_TAKE;
			break;
		case CLAB_DO_BUSY:
		case CLAB_DO_TIMEOUT:
		case CLAB_DO_FAIL:
			t->pending = 0;
			break;
		case CLAB_DO_RELEASE:
			if (oe == CLAB_OE_RW_GIVE ||
			    (oe == CLAB_OE_MUTEX_GIVE && r->a32 == 0))
				pop(t, r->obj);
			break;
		case CLAB_DO_EXIT:
			t->n = 0;
			t->pending = 0;
			break;
		default:
waits:
			if (!is_wait(r))
				break;
			for (uint32_t k = 0; k < t->n && rc == 0; k++) {
				/* a condition wait releases its own mutex */
				if (oe == CLAB_OE_COND_MUTEX &&
				    t->held[k].lock == r->a32)
					continue;
				if (t->held[k].permits)
					continue; /* a semaphore's permit */
				if (note_wait(an, r, &t->held[k]))
					rc = CLAB_ENOMEM;
			}
			break;
		}
		if (rc >= 0 && r->obj <= no && permits[r->obj])
			rc = sem_gate(an, t, r, permits);
		if (rc > 0)
			rc = 0;
	}
	for (uint32_t i = 0; ts && i < nt; i++)
		free(ts[i].held);
	free(ts);
	free(semlock);
	free(permits);
	free(owner);
	free(wk);
	if (rc)
		clab_analysis_fini(an);
	return rc;
}

void clab_analysis_fini(struct clab_analysis *an)
{
	clab_lockdep_free(an->ld);
	free(an->waits);
	free(an->cls);
	free(an->csize);
	free(an->nests);
	free(an->blocked);
	memset(an, 0, sizeof(*an));
}

void clab_analysis_verdict(const struct clab_trace *tr,
			   const struct clab_analysis *an,
			   struct clab_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->incomplete = tr ? clab_trace_incomplete(tr) : NULL;
	for (uint32_t i = 0; an->ld && i < clab_lockdep_ncycles(an->ld); i++) {
		const struct clab_ld_cycle *c = clab_lockdep_cycle(an->ld, i);
		if (c->cls == CLAB_LD_LATENT) {
			v->nlatent++;
		} else if (c->cls == CLAB_LD_GATED ||
			   c->cls == CLAB_LD_SHARED) {
			v->ngated++; /* cannot deadlock: gated, or only read */
		} else {
			v->ncycles++;
			if (!v->cycle || c->seq < v->cycle->seq)
				v->cycle = c;
		}
	}
	for (size_t i = 0; i < an->nnests; i++)
		if (an->nests[i].inverted) {
			if (!v->nest || an->nests[i].seq < v->nest->seq)
				v->nest = &an->nests[i];
			v->ninverted++;
		}
	v->stuck_seq = an->stuck_seq;
	v->stuck_diag = an->stuck_diag;
	v->stuck_arg = an->stuck_arg;
}

size_t clab_analysis_problems(const struct clab_analysis *an)
{
	struct clab_verdict v;
	clab_analysis_verdict(NULL, an, &v);
	return v.ncycles + v.ninverted + (v.stuck_seq != UINT64_MAX);
}

size_t clab_analysis_wakers(const struct clab_trace *tr,
			    const struct clab_analysis *an, uint32_t obj,
			    uint32_t *tids, size_t max)
{
	size_t n = 0, nrec = clab_trace_nrecords(tr);
	uint32_t nt = clab_trace_nthreads(tr);
	uint8_t *seen = calloc(nt ? nt : 1, 1); /* by tid: counted already */
	if (!seen)
		return 0;
	if (an->deadlock_seq < nrec)
		nrec = (size_t)an->deadlock_seq;
	for (size_t i = 0; i < nrec; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		if (r->obj != obj || r->tid >= nt || seen[r->tid] ||
		    !wakes_waiters(r->kind))
			continue;
		seen[r->tid] = 1;
		if (n < max)
			tids[n] = r->tid;
		n++;
	}
	free(seen);
	return n;
}

const struct clab_blocked_at *
clab_analysis_blocked(const struct clab_analysis *an, uint32_t tid)
{
	for (size_t k = 0; k < an->nblocked; k++)
		if (an->blocked[k].tid == tid)
			return &an->blocked[k];
	return NULL;
}

/*
 * The first waiter on the i-th (from 0) condition, latch or semaphore
 * that blocked threads wait on, or NULL when there are fewer.
 */
static const struct clab_blocked_at *
stuck_at(const struct clab_trace *tr, const struct clab_analysis *an, size_t i)
{
	for (size_t k = 0; k < an->nblocked; k++) {
		const struct clab_blocked_at *b = &an->blocked[k];
		const struct clab_object_info *o =
		    clab_trace_object(tr, b->obj);
		size_t j = 0;
		while (j < k && an->blocked[j].obj != b->obj)
			j++;
		if (j < k || !o ||
		    (o->kind != CLAB_O_COND && o->kind != CLAB_O_LATCH &&
		     o->kind != CLAB_O_SEM))
			continue; /* not the first waiter, or not such an object
				   */
		if (i-- == 0)
			return b;
	}
	return NULL;
}

size_t clab_analysis_nstuck(const struct clab_trace *tr,
			    const struct clab_analysis *an)
{
	size_t n = 0;
	while (stuck_at(tr, an, n))
		n++;
	return n;
}

int clab_analysis_stuck(const struct clab_trace *tr,
			const struct clab_analysis *an, size_t i,
			struct clab_stuck_obj *s)
{
	const struct clab_blocked_at *b = stuck_at(tr, an, i);
	if (!b)
		return -1;
	*s = (struct clab_stuck_obj){.first = b, .woke_since = UINT64_MAX};
	for (size_t j = 0; j < an->nblocked; j++)
		s->nwait += an->blocked[j].obj == b->obj;
	const struct clab_blocked_at *w =
	    b->signal_seq != UINT64_MAX && b->signal_woke != UINT32_MAX
		? clab_analysis_blocked(an, b->signal_woke)
		: NULL;
	if (w && w->obj == b->obj)
		s->woke_since = w->since;
	s->nwakers =
	    clab_analysis_wakers(tr, an, b->obj, s->wakers, CLAB_STUCK_WAKERS);
	size_t shown =
	    s->nwakers < CLAB_STUCK_WAKERS ? s->nwakers : CLAB_STUCK_WAKERS;
	const struct clab_blocked_at *f =
	    shown ? clab_analysis_blocked(an, s->wakers[0]) : NULL;
	s->wakers_on = f ? f->obj : 0;
	for (size_t j = 1; j < shown && s->wakers_on; j++) {
		const struct clab_blocked_at *x =
		    clab_analysis_blocked(an, s->wakers[j]);
		if (!x || x->obj != s->wakers_on)
			s->wakers_on = 0;
	}
	return 0;
}
