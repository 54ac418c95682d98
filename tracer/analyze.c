/*
 * Analyses over a whole trace: replay each thread's mutexes into the
 * lock-order detector, and note blocking waits made while holding one.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/analyze.h>
#include <conclab/error.h>
#include <conclab/export.h>

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

static void note_wakeup(struct wakeup *w, const struct clab_record *r)
{
	switch (r->kind) {
	case CLAB_K_COND_SIGNAL:
	case CLAB_K_COND_BROADCAST:
	case CLAB_K_LATCH_SET:
	case CLAB_K_SEM_RELEASE:
		*w = (struct wakeup){r->seq + 1, r->kind, r->tid, r->site,
				     UINT32_MAX};
		break;
	case CLAB_K_COND_WAKE:
	case CLAB_K_LATCH_WAKE:
		if (w->seq && w->woke == UINT32_MAX &&
		    (r->a8 == CLAB_CAUSE_SIGNAL ||
		     r->a8 == CLAB_CAUSE_BROADCAST || r->a8 == CLAB_CAUSE_SET))
			w->woke = r->tid;
		break;
	case CLAB_K_SEM_ACQUIRE:
		/* a release's permit, taken by a thread that had waited */
		if (w->seq && w->woke == UINT32_MAX &&
		    w->kind == CLAB_K_SEM_RELEASE && r->a8 != CLAB_HOW_TRY)
			w->woke = r->tid;
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

static int is_wait(unsigned kind)
{
	switch (kind) {
	case CLAB_K_SEM_ACQUIRE: /* may block, even when it did not */
	case CLAB_K_LATCH_WAIT:
	case CLAB_K_QUEUE_PUT_WAIT:
	case CLAB_K_QUEUE_GET_WAIT:
	case CLAB_K_QUEUE_JOIN_WAIT:
	case CLAB_K_THREAD_JOIN_WAIT:
	case CLAB_K_COND_WAIT:
		return 1;
	default:
		return 0;
	}
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
	int read = r->kind == CLAB_K_RW_READ_REQUEST ||
		   r->kind == CLAB_K_RW_READ_ACQUIRE;
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
	for (uint32_t o = 0; o <= no; o++) {
		const struct clab_object_info *oi = clab_trace_object(tr, o);
		like[o] = oi && oi->kind == CLAB_O_SEM;
		holder[o] = UINT32_MAX;
	}
	uint8_t *used = calloc((size_t)no + 1, 1);
	for (size_t i = 0; used && i < clab_trace_nrecords(tr); i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		if (r->obj > no || !like[r->obj])
			continue;
		if (r->kind == CLAB_K_SEM_ACQUIRE) {
			if (holder[r->obj] != UINT32_MAX || r->a32 != 0)
				like[r->obj] = 0;
			holder[r->obj] = r->tid;
			used[r->obj] = 1;
		} else if (r->kind == CLAB_K_SEM_RELEASE) {
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
	for (size_t i = 0; permits && seen && i < clab_trace_nrecords(tr);
	     i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		if (r->obj > no || like[r->obj] || seen[r->obj])
			continue;
		const struct clab_object_info *oi =
		    clab_trace_object(tr, r->obj);
		if (!oi || oi->kind != CLAB_O_SEM)
			continue;
		switch (r->kind) {
		case CLAB_K_SEM_ACQUIRE:
			permits[r->obj] = r->a32 + 1;
			break;
		case CLAB_K_SEM_RELEASE:
			permits[r->obj] = r->a32 ? r->a32 - 1 : 0;
			break;
		case CLAB_K_SEM_WAIT:
		case CLAB_K_SEM_BUSY:
		case CLAB_K_SEM_TIMEOUT:
			permits[r->obj] = r->a32;
			break;
		default:
			continue;
		}
		seen[r->obj] = 1;
	}
	free(seen);
	return permits;
}

/* A mutex's index in its array (clab_mutex_init_indexed), or -1. */
static long lock_index(const struct clab_trace *tr, uint32_t oid)
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
			long hi = lock_index(tr, h->lock);
			long li = lock_index(tr, r->obj);
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
	if (r->kind == CLAB_K_SEM_RELEASE) {
		if (pop(t, r->obj) || *p == UINT32_MAX)
			return 0;
	} else if (r->kind == CLAB_K_SEM_ACQUIRE) {
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
	uint32_t nt = clab_trace_nthreads(tr);
	struct tstate *ts = calloc(nt ? nt : 1, sizeof(*ts));
	uint32_t *owner =
	    calloc((size_t)clab_trace_nobjects(tr) + 1,
		   sizeof(*owner)); /* tid + 1 of a mutex's owner */
	struct wakeup *wk =
	    calloc((size_t)clab_trace_nobjects(tr) + 1, sizeof(*wk));
	an->deadlock_seq = UINT64_MAX;
	an->stuck_seq = UINT64_MAX;
	int rc = an->ld && ts && permits && owner && wk ? 0 : CLAB_ENOMEM;
	size_t n = clab_trace_nrecords(tr);
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		if (r->tid >= nt)
			continue;
		struct tstate *t = &ts[r->tid];
		unsigned kind = r->kind;
		if (clab_kind_begins_wait(kind))
			t->wait_seq = r->seq;
		if ((r->kind == CLAB_K_MUTEX_ACQUIRE && r->a32 == 1) ||
		    r->kind == CLAB_K_RW_WRITE_ACQUIRE)
			owner[r->obj] = r->tid + 1;
		else if ((r->kind == CLAB_K_MUTEX_RELEASE && r->a32 == 0) ||
			 (r->kind == CLAB_K_RW_RELEASE && r->a8))
			owner[r->obj] = 0;
		else if (r->kind == CLAB_K_DIAG && r->a8 == CLAB_D_DEADLOCK &&
			 an->deadlock_seq == UINT64_MAX)
			an->deadlock_seq = r->seq;
		if (r->kind == CLAB_K_DIAG && an->stuck_seq == UINT64_MAX &&
		    (r->a8 == CLAB_D_DEADLOCK || r->a8 == CLAB_D_RUN_TIMEOUT ||
		     r->a8 == CLAB_D_STEP_LIMIT)) {
			an->stuck_seq = r->seq;
			an->stuck_diag = r->a8;
			an->stuck_arg = r->a32;
		} else if (r->kind == CLAB_K_DIAG && r->a8 == CLAB_D_BLOCKED &&
			   note_blocked(tr, an, ts, nt, owner, wk, r))
			rc = CLAB_ENOMEM;
		if (r->obj <= clab_trace_nobjects(tr))
			note_wakeup(&wk[r->obj], r);
		/* a semaphore used as a lock is replayed as a mutex */
		if (r->obj <= clab_trace_nobjects(tr) && semlock[r->obj]) {
			switch (kind) {
			case CLAB_K_SEM_WAIT:
				kind = CLAB_K_MUTEX_REQUEST;
				break;
			case CLAB_K_SEM_ACQUIRE:
				kind = CLAB_K_MUTEX_ACQUIRE;
				break;
			case CLAB_K_SEM_TIMEOUT:
			case CLAB_K_SEM_BUSY:
				kind = CLAB_K_MUTEX_TIMEOUT;
				break;
			case CLAB_K_SEM_RELEASE:
				pop(t, r->obj);
				continue;
			}
		}
		switch (kind) {
		case CLAB_K_MUTEX_REQUEST:
			t->pending = r->obj;
			rc = request(tr, an, t, r, ld_flags(r->a8));
			break;
		case CLAB_K_MUTEX_ACQUIRE:
			if (r->a32 > 1)
				break; /* a recursive relock */
			if (t->pending != r->obj)
				rc = request(tr, an, t, r, ld_flags(r->a8));
			t->pending = 0;
			if (rc >= 0 && push(t, r->obj, r->site, r->seq, 0))
				rc = CLAB_ENOMEM;
			break;
		case CLAB_K_MUTEX_TIMEOUT:
		case CLAB_K_MUTEX_BUSY:
		case CLAB_K_RW_TIMEOUT:
		case CLAB_K_RW_BUSY:
			t->pending = 0;
			break;
		case CLAB_K_RW_READ_REQUEST:
		case CLAB_K_RW_WRITE_REQUEST:
			t->pending = r->obj;
			rc = request(tr, an, t, r, rw_flags(r));
			break;
		case CLAB_K_RW_READ_ACQUIRE:
		case CLAB_K_RW_WRITE_ACQUIRE:
			if (t->pending != r->obj)
				rc = request(tr, an, t, r, rw_flags(r));
			t->pending = 0;
			if (rc >= 0 && push(t, r->obj, r->site, r->seq, 0))
				rc = CLAB_ENOMEM;
			else if (rc >= 0)
				t->held[t->n - 1].shared =
				    r->kind == CLAB_K_RW_READ_ACQUIRE;
			break;
		case CLAB_K_RW_RELEASE:
			pop(t, r->obj);
			break;
		case CLAB_K_MUTEX_RELEASE:
			if (r->a32 == 0)
				pop(t, r->obj);
			break;
		case CLAB_K_THREAD_EXIT:
			t->n = 0;
			t->pending = 0;
			break;
		default:
			if (!is_wait(kind) || (kind == CLAB_K_SEM_ACQUIRE &&
					       r->a8 == CLAB_HOW_TRY))
				break;
			for (uint32_t k = 0; k < t->n && rc == 0; k++) {
				/* a condition wait releases its own mutex */
				if (r->kind == CLAB_K_COND_WAIT &&
				    t->held[k].lock == r->a32)
					continue;
				if (t->held[k].permits)
					continue; /* a semaphore's permit */
				if (note_wait(an, r, &t->held[k]))
					rc = CLAB_ENOMEM;
			}
			break;
		}
		if (rc >= 0 && r->obj <= clab_trace_nobjects(tr) &&
		    permits[r->obj])
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

static void json_rec(FILE *out, uint64_t seq)
{
	if (seq == UINT64_MAX)
		fputs("null", out);
	else
		fprintf(out, "%" PRIu64, seq);
}

void clab_verdict_json(const struct clab_verdict *v, FILE *out)
{
	uint64_t lo = v->cycle	? v->cycle->seq
		      : v->nest ? v->nest->seq
				: UINT64_MAX;
	if (v->cycle && v->nest && v->nest->seq < lo)
		lo = v->nest->seq;
	fputs("{\"incomplete\":", out);
	if (v->incomplete)
		clab_json_str(out, v->incomplete);
	else
		fputs("null", out);
	fprintf(out, ",\"lock_order\":{\"ok\":%s,\"record\":",
		v->ncycles + v->ninverted ? "false" : "true");
	json_rec(out, lo);
	fprintf(out, ",\"cycles\":%zu,\"latent\":%zu,\"gated\":%zu}",
		v->ncycles, v->nlatent, v->ngated);
	fprintf(out, ",\"deadlock\":{\"ok\":%s,\"record\":",
		v->stuck_seq == UINT64_MAX ? "true" : "false");
	json_rec(out, v->stuck_seq);
	fputs(",\"kind\":", out);
	if (v->stuck_seq == UINT64_MAX)
		fputs("null", out);
	else
		clab_json_str(out, clab_diag_tag(v->stuck_diag));
	fputs("}}", out);
}

/* ---- report ---- */

static const char *site_str(const struct clab_trace *tr, uint32_t id, char *buf,
			    size_t len)
{
	const struct clab_site_info *s = clab_trace_site(tr, id);
	if (!s)
		snprintf(buf, len, "an unknown site");
	else
		snprintf(buf, len, "%s:%d", clab_site_path(s->file), s->line);
	return buf;
}

/*
 * The analysis being printed, for lock_str's class names: the printers
 * below are called only through clab_analysis_print/json, one at a time
 * in a thread; per thread, so that two threads can print two analyses.
 */
static _Thread_local const struct clab_analysis *printing;

static const char *lock_str(const struct clab_trace *tr, uint32_t oid,
			    char *buf, size_t len)
{
	const struct clab_object_info *o = clab_trace_object(tr, oid);
	if (printing && printing->classes && oid <= printing->nobjs &&
	    printing->csize[oid] > 1) {
		const struct clab_site_info *si = clab_trace_site(tr, o->site);
		snprintf(buf, len, "class %s... (%u made at %s:%d)", o->name,
			 printing->csize[oid],
			 clab_site_path(si ? si->file : "?"),
			 si ? si->line : 0);
		return buf;
	}
	snprintf(buf, len, "%s", clab_trace_object_label(tr, oid));
	return buf;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* The edge of c at position i, starting from its lowest lock. */
static const struct clab_ld_edge *cyc_edge(const struct clab_lockdep *ld,
					   const struct clab_ld_cycle *c,
					   uint32_t i)
{
	uint32_t first = 0;
	for (uint32_t k = 1; k < c->nedges; k++)
		if (clab_lockdep_edge(ld, c->edges[k])->from <
		    clab_lockdep_edge(ld, c->edges[first])->from)
			first = k;
	return clab_lockdep_edge(ld, c->edges[(first + i) % c->nedges]);
}

/*
 * A possible interleaving: each thread takes the first lock of its edge,
 * then all request their second and wait for each other.  One column per
 * thread when that fits in 80 columns, else one line per step.
 */
static void print_interleaving(const struct clab_trace *tr,
			       const struct clab_lockdep *ld,
			       const struct clab_ld_cycle *c, FILE *out)
{
	enum { COL = 16 };
	char b1[64], who[64], act[96];
	int table = 4 + 6 + c->nedges * (COL + 1) <= 80;
	fprintf(out, "  A possible interleaving%s:\n",
		table ? " (one column per thread)" : "");
	if (table) {
		fprintf(out, "    %-5s", "step");
		for (uint32_t i = 0; i < c->nedges; i++) {
			const struct clab_ld_edge *e = cyc_edge(ld, c, i);
			if (c->cls == CLAB_LD_LATENT)
				snprintf(who, sizeof(who), "thread #%u",
					 (unsigned)i + 1);
			else
				snprintf(who, sizeof(who), "%s",
					 clab_trace_thread_label(tr, e->tid));
			if (i + 1 < c->nedges)
				fprintf(out, " %-*.*s", COL, COL, who);
			else
				fprintf(out, " %.*s", COL, who);
		}
		fprintf(out, "\n");
	}
	unsigned step = 1;
	for (int phase = 0; phase < 2; phase++)
		for (uint32_t i = 0; i < c->nedges; i++) {
			const struct clab_ld_edge *e = cyc_edge(ld, c, i);
			snprintf(act, sizeof(act), "%s %s",
				 phase ? "waits for" : "locks",
				 lock_str(tr, phase ? e->to : e->from, b1,
					  sizeof(b1)));
			if (table) {
				fprintf(out, "    %-5u", step++);
				for (uint32_t k = 0; k < i; k++)
					fprintf(out, " %-*s", COL, "");
				fprintf(out, " %s\n", act);
				continue;
			}
			if (c->cls == CLAB_LD_LATENT)
				snprintf(who, sizeof(who), "thread #%u",
					 (unsigned)i + 1);
			else
				snprintf(who, sizeof(who), "%s",
					 clab_trace_thread_label(tr, e->tid));
			fprintf(out, "    %-4u %-16s %s\n", step++, who, act);
		}
	fprintf(out, "    Now every thread waits for a lock the next one "
		     "holds: none can go on.\n");
}

/* A global order (creation order) and the edges of c that go against it. */
static void print_fix(const struct clab_trace *tr,
		      const struct clab_lockdep *ld,
		      const struct clab_ld_cycle *c, FILE *out)
{
	char b1[64], b2[64], s1[160], s2[160];
	uint32_t *locks = malloc(c->nedges * sizeof(*locks));
	if (!locks)
		return;
	for (uint32_t i = 0; i < c->nedges; i++)
		locks[i] = clab_lockdep_edge(ld, c->edges[i])->from;
	qsort(locks, c->nedges, sizeof(*locks), cmp_u32);
	fprintf(out, "  Fix: take these locks in one global order, for "
		     "example the order they were\n  created in: ");
	for (uint32_t i = 0; i < c->nedges; i++)
		fprintf(out, "%s%s", i ? " < " : "",
			lock_str(tr, locks[i], b1, sizeof(b1)));
	fprintf(out, ".\n");
	free(locks);
	for (uint32_t i = 0; i < c->nedges; i++) {
		const struct clab_ld_edge *e = cyc_edge(ld, c, i);
		if (e->from < e->to)
			continue;
		fprintf(out,
			"  Against that order: %s takes %s (%s) before %s "
			"(%s).\n",
			clab_trace_thread_label(tr, e->tid),
			lock_str(tr, e->from, b1, sizeof(b1)),
			site_str(tr, e->from_site, s1, sizeof(s1)),
			lock_str(tr, e->to, b2, sizeof(b2)),
			site_str(tr, e->to_site, s2, sizeof(s2)));
	}
}

/*
 * A record of thread tid about lock at site, with a call stack: the record
 * seq itself if it has one, else the first of that thread's records of
 * the same kinds (a request, or an acquire when acquire is set) about the
 * lock at the site.  NULL when the trace has no such stack.
 */
static const struct clab_record *stacked(const struct clab_trace *tr,
					 uint64_t seq, uint32_t tid,
					 uint32_t lock, uint32_t site,
					 int acquire)
{
	const struct clab_record *r = clab_trace_record(tr, seq);
	if (r && r->stack)
		return r;
	if (!clab_trace_nstacks(tr))
		return NULL;
	for (size_t i = 0; i < clab_trace_nrecords(tr); i++) {
		r = clab_trace_record(tr, i);
		if (!r->stack || r->tid != tid || r->obj != lock ||
		    r->site != site)
			continue;
		if (acquire ? r->kind == CLAB_K_MUTEX_ACQUIRE ||
				  r->kind == CLAB_K_SEM_ACQUIRE
			    : r->kind == CLAB_K_MUTEX_REQUEST ||
				  r->kind == CLAB_K_SEM_WAIT)
			return r;
	}
	return NULL;
}

/* The call stack of r, indented under the line of its edge. */
static void print_stack(const struct clab_trace *tr,
			const struct clab_record *r, const char *what,
			FILE *out)
{
	const struct clab_stack_info *st =
	    r ? clab_trace_stack(tr, r->stack) : NULL;
	if (!st)
		return;
	fprintf(out, "      %s (record %" PRIu64 ", stack %u):\n", what, r->seq,
		r->stack);
	for (uint32_t k = 0; k < st->nframes; k++) {
		const struct clab_frame_info *f = &st->frames[k];
		fprintf(out, "        %s (%s", f->func,
			clab_site_path(f->file));
		if (f->line)
			fprintf(out, ":%d", f->line);
		fprintf(out, ")\n");
	}
}

static void print_cycle(const struct clab_trace *tr,
			const struct clab_lockdep *ld,
			const struct clab_ld_cycle *c, FILE *out)
{
	char b1[64], b2[64], s1[160], s2[160];
	const char *what =
	    c->cls == CLAB_LD_DEADLOCK ? "potential deadlock"
	    : c->cls == CLAB_LD_TIMED_ONLY
		? "warning: lock order kept only by a timeout"
	    : c->cls == CLAB_LD_LATENT ? "latent lock-order cycle (one thread)"
	    : c->cls == CLAB_LD_SHARED ? "note: lock-order cycle of readers"
				       : "note: gated lock-order cycle";
	fprintf(out, "lock-order cycle %u: %s, %u locks\n", c->id + 1, what,
		c->nedges);
	fprintf(out, "  closed at record %" PRIu64 " by %s", c->seq,
		clab_trace_thread_label(tr, c->tid));
	if (c->seen > 1)
		fprintf(out, "; closed %" PRIu64 " times", c->seen);
	fprintf(out, "\n\n    ");
	for (uint32_t i = 0; i < c->nedges; i++)
		fprintf(out, "%s -> ",
			lock_str(tr, cyc_edge(ld, c, i)->from, b1, sizeof(b1)));
	fprintf(out, "%s\n\n",
		lock_str(tr, cyc_edge(ld, c, 0)->from, b1, sizeof(b1)));
	for (uint32_t i = 0; i < c->nedges; i++) {
		const struct clab_ld_edge *e = cyc_edge(ld, c, i);
		fprintf(out,
			"  %s -> %s: %s held %s (taken at %s) and requested "
			"%s at %s",
			lock_str(tr, e->from, b1, sizeof(b1)),
			lock_str(tr, e->to, b2, sizeof(b2)),
			clab_trace_thread_label(tr, e->tid),
			lock_str(tr, e->from, b1, sizeof(b1)),
			site_str(tr, e->from_site, s1, sizeof(s1)),
			lock_str(tr, e->to, b2, sizeof(b2)),
			site_str(tr, e->to_site, s2, sizeof(s2)));
		if (e->timed && !e->untimed)
			fprintf(out, " with a timeout");
		fprintf(out, " (record %" PRIu64, e->first_seq);
		if (e->count > 1)
			fprintf(out, ", %" PRIu64 " times, last %" PRIu64,
				e->count, e->last_seq);
		if (e->multi_thread)
			fprintf(out, ", by several threads");
		fprintf(out, ")\n");
		/* with --stacks: where it was requested, and where held */
		print_stack(
		    tr, stacked(tr, e->first_seq, e->tid, e->to, e->to_site, 0),
		    "request", out);
		print_stack(
		    tr,
		    stacked(tr, UINT64_MAX, e->tid, e->from, e->from_site, 1),
		    "held lock taken", out);
	}
	fprintf(out, "\n");
	switch (c->cls) {
	case CLAB_LD_GATED:
		if (c->gate_permits)
			fprintf(out,
				"  Every edge was taken while holding a permit "
				"of %s, which lets at most %u\n  thread(s) in "
				"at once; a deadlock on this cycle needs %u "
				"threads inside it,\n  one per edge, so it "
				"cannot deadlock as long as %s guards it.\n",
				lock_str(tr, c->gate, b1, sizeof(b1)),
				c->gate_permits, c->nedges,
				lock_str(tr, c->gate, b2, sizeof(b2)));
		else
			fprintf(out,
				"  Every edge was taken while holding %s, so "
				"two threads can never be inside\n  this cycle "
				"at once: it cannot deadlock as long as %s "
				"guards it.\n",
				lock_str(tr, c->gate, b1, sizeof(b1)),
				lock_str(tr, c->gate, b2, sizeof(b2)));
		return;
	case CLAB_LD_SHARED:
		fprintf(out, "  Some lock of this cycle was only ever read "
			     "where the cycle passes it, and\n  readers do "
			     "not wait for each other: it cannot deadlock.\n");
		return;
	case CLAB_LD_LATENT:
		if (c->nedges == 1) {
			fprintf(out,
				"  A reader asked for the write lock while "
				"still reading (an upgrade): a writer\n"
				"  waits for every reader, itself "
				"included.  Alone it waits for itself "
				"unless\n  it gives up; two threads doing "
				"it at once wait for each other.\n");
			return;
		}
		fprintf(out,
			"  One thread took these locks in both orders.  "
			"Alone it cannot deadlock, but two\n  threads running "
			"this code at once can:\n");
		break;
	case CLAB_LD_TIMED_ONLY:
		fprintf(out,
			"  This order survives only because a timed lock "
			"gives up; without the timeout\n  it deadlocks:\n");
		break;
	case CLAB_LD_DEADLOCK:
		if (c->nedges == 1) {
			fprintf(out,
				"  Several readers asked for the write lock "
				"while still reading (an upgrade):\n  "
				"each waits for the others to stop "
				"reading, and none does.\n");
			return;
		}
		break;
	}
	print_interleaving(tr, ld, c, out);
	print_fix(tr, ld, c, out);
}

static void print_nests(const struct clab_trace *tr,
			const struct clab_analysis *an, FILE *out)
{
	char s1[160], s2[160];
	for (size_t i = 0; i < an->nnests; i++) {
		const struct clab_class_nest *c = &an->nests[i];
		const struct clab_object_info *o =
		    clab_trace_object(tr, c->held);
		const struct clab_site_info *si = clab_trace_site(tr, o->site);
		fprintf(out,
			"%s: %s holds %s (taken at %s) and requests %s at %s "
			"(record %" PRIu64,
			c->inverted ? "class order" : "note: class nesting",
			clab_trace_thread_label(tr, c->tid),
			clab_trace_object_label(tr, c->held),
			site_str(tr, c->held_site, s1, sizeof(s1)),
			clab_trace_object_label(tr, c->lock),
			site_str(tr, c->site, s2, sizeof(s2)), c->seq);
		if (c->count > 1)
			fprintf(out, ", %" PRIu64 " times", c->count);
		fprintf(out, ")\n");
		if (c->inverted)
			fprintf(out,
				"  Both were made at %s:%d, one class: take "
				"them in increasing index, %ld before %ld.\n",
				clab_site_path(si ? si->file : "?"),
				si ? si->line : 0, lock_index(tr, c->lock),
				lock_index(tr, c->held));
		else
			fprintf(out,
				"  Both were made at %s:%d, one class, and "
				"have no index: give them one with\n  "
				"clab_mutex_init_indexed() so that their order "
				"can be checked.\n",
				clab_site_path(si ? si->file : "?"),
				si ? si->line : 0);
	}
}

/*
 * For each condition, latch or semaphore that blocked threads wait on
 * (once each): the last record that could have woken them, and whom it
 * woke instead.
 */
static void print_last_signals(const struct clab_trace *tr,
			       const struct clab_analysis *an, FILE *out)
{
	char s1[160];
	for (size_t i = 0; i < an->nblocked; i++) {
		const struct clab_blocked_at *b = &an->blocked[i];
		const struct clab_object_info *o =
		    clab_trace_object(tr, b->obj);
		size_t nw = 0, first = i;
		for (size_t k = 0; k < an->nblocked; k++)
			if (an->blocked[k].obj == b->obj) {
				nw++;
				first = k < first ? k : first;
			}
		if (first != i || !o ||
		    (o->kind != CLAB_O_COND && o->kind != CLAB_O_LATCH &&
		     o->kind != CLAB_O_SEM))
			continue;
		fprintf(out, "  %s (%zu waiting): ",
			clab_trace_object_label(tr, b->obj), nw);
		if (b->signal_seq == UINT64_MAX) {
			fprintf(out, "never %s\n",
				o->kind == CLAB_O_COND	  ? "signalled"
				: o->kind == CLAB_O_LATCH ? "set"
							  : "released");
			continue;
		}
		fprintf(out, "its last %s, record %" PRIu64 " by %s at %s, ",
			clab_kind_name(b->signal_kind), b->signal_seq,
			clab_trace_thread_label(tr, b->signal_tid),
			site_str(tr, b->signal_site, s1, sizeof(s1)));
		int sem = b->signal_kind == CLAB_K_SEM_RELEASE;
		if (b->signal_woke == UINT32_MAX) {
			fprintf(out, sem ? "gave a permit nobody took\n"
					 : "woke nobody\n");
			continue;
		}
		fprintf(out, sem ? "gave its permit to %s" : "woke %s",
			clab_trace_thread_label(tr, b->signal_woke));
		for (size_t k = 0; k < an->nblocked; k++)
			if (an->blocked[k].tid == b->signal_woke &&
			    an->blocked[k].obj == b->obj) {
				fprintf(out,
					", which waits on it again since "
					"record %" PRIu64,
					an->blocked[k].since);
				break;
			}
		fprintf(out, "\n");
	}
}

void clab_analysis_print(const struct clab_trace *tr,
			 const struct clab_analysis *an, FILE *out)
{
	printing = an;
	print_nests(tr, an, out);
	char b3[64], s1[160], s2[160];
	uint32_t nc = clab_lockdep_ncycles(an->ld);
	for (uint32_t i = 0; i < nc; i++) {
		print_cycle(tr, an->ld, clab_lockdep_cycle(an->ld, i), out);
		fprintf(out, "\n");
	}
	for (size_t i = 0; i < an->nwaits; i++) {
		const struct clab_hold_wait *w = &an->waits[i];
		const struct clab_object_info *o =
		    clab_trace_object(tr, w->obj);
		fprintf(out,
			"warning: %s waits on %s %s at %s while holding %s "
			"(taken at %s)",
			clab_trace_thread_label(tr, w->tid),
			o ? clab_objkind_name(o->kind) : "object",
			clab_trace_object_label(tr, w->obj),
			site_str(tr, w->site, s1, sizeof(s1)),
			lock_str(tr, w->held, b3, sizeof(b3)),
			site_str(tr, w->held_site, s2, sizeof(s2)));
		fprintf(out, " (record %" PRIu64, w->seq);
		if (w->count > 1)
			fprintf(out, ", %" PRIu64 " times", w->count);
		fprintf(out,
			")\n  No other thread can take %s until "
			"the wait ends.\n",
			lock_str(tr, w->held, b3, sizeof(b3)));
		print_stack(tr, clab_trace_record(tr, w->seq), "wait", out);
		print_stack(
		    tr,
		    stacked(tr, UINT64_MAX, w->tid, w->held, w->held_site, 1),
		    "held lock taken", out);
	}
	if (an->stuck_seq != UINT64_MAX && an->stuck_diag != CLAB_D_DEADLOCK)
		fprintf(out,
			"%s at record %" PRIu64 " (the watchdog's report)\n",
			an->stuck_diag == CLAB_D_STEP_LIMIT
			    ? "the run never ended (the step limit)"
			    : "the run hit its time limit",
			an->stuck_seq);
	if (an->nblocked)
		fprintf(out,
			"deadlock at record %" PRIu64
			" (the watchdog's report):\n",
			an->deadlock_seq);
	for (size_t i = 0; i < an->nblocked; i++) {
		const struct clab_blocked_at *b = &an->blocked[i];
		const struct clab_object_info *o =
		    clab_trace_object(tr, b->obj);
		fprintf(out, "  %s waits on %s %s since record %" PRIu64,
			clab_trace_thread_label(tr, b->tid),
			o ? clab_objkind_name(o->kind) : "object",
			clab_trace_object_label(tr, b->obj), b->since);
		if (b->holder != UINT32_MAX)
			fprintf(out, ", held by %s",
				clab_trace_thread_label(tr, b->holder));
		fprintf(out, "\n");
	}
	print_last_signals(tr, an, out);
	printing = NULL;
}

static void jsite(const struct clab_trace *tr, uint32_t id, FILE *out)
{
	char s[160];
	clab_json_str(out, site_str(tr, id, s, sizeof(s)));
}

/* ,"KEY":{"record":N,"frames":[...]}: r's call stack, when it has one. */
static void jstack(const struct clab_trace *tr, const struct clab_record *r,
		   const char *key, FILE *out)
{
	const struct clab_stack_info *st =
	    r ? clab_trace_stack(tr, r->stack) : NULL;
	if (!st)
		return;
	fprintf(out, ",\"%s\":{\"record\":%" PRIu64 ",\"frames\":[", key,
		r->seq);
	for (uint32_t k = 0; k < st->nframes; k++) {
		const struct clab_frame_info *f = &st->frames[k];
		fprintf(out, "%s{\"func\":", k ? "," : "");
		clab_json_str(out, f->func);
		fprintf(out, ",\"file\":");
		clab_json_str(out, clab_site_path(f->file));
		fprintf(out, ",\"line\":%d}", f->line);
	}
	fprintf(out, "]}");
}

void clab_analysis_json(const struct clab_trace *tr,
			const struct clab_analysis *an, FILE *out)
{
	printing = an;
	char b[64];
	static const char *const cls[] = {"potential-deadlock", "timed",
					  "latent", "gated", "shared"};
	for (uint32_t i = 0; i < clab_lockdep_ncycles(an->ld); i++) {
		const struct clab_ld_cycle *c = clab_lockdep_cycle(an->ld, i);
		fprintf(out,
			"{\"type\":\"lock-cycle\",\"id\":%u,\"class\":\"%s\","
			"\"closed_at\":%" PRIu64
			",\"thread\":%u,\"seen\":%" PRIu64,
			c->id + 1, cls[c->cls], c->seq, c->tid, c->seen);
		if (c->cls == CLAB_LD_GATED) {
			fprintf(out, ",\"gate\":");
			clab_json_str(out, lock_str(tr, c->gate, b, sizeof(b)));
			fprintf(out, ",\"gate_permits\":%u",
				c->gate_permits ? c->gate_permits : 1);
		}
		fprintf(out, ",\"edges\":[");
		for (uint32_t k = 0; k < c->nedges; k++) {
			const struct clab_ld_edge *e =
			    clab_lockdep_edge(an->ld, c->edges[k]);
			fprintf(out, "%s{\"from\":", k ? "," : "");
			clab_json_str(out, lock_str(tr, e->from, b, sizeof(b)));
			fprintf(out, ",\"from_id\":%u,\"to\":", e->from);
			clab_json_str(out, lock_str(tr, e->to, b, sizeof(b)));
			fprintf(out, ",\"to_id\":%u,\"thread\":%u,\"held_at\":",
				e->to, e->tid);
			jsite(tr, e->from_site, out);
			fprintf(out, ",\"requested_at\":");
			jsite(tr, e->to_site, out);
			fprintf(out,
				",\"first\":%" PRIu64 ",\"last\":%" PRIu64
				",\"count\":%" PRIu64 ",\"timed\":%s",
				e->first_seq, e->last_seq, e->count,
				e->timed && !e->untimed ? "true" : "false");
			jstack(tr,
			       stacked(tr, e->first_seq, e->tid, e->to,
				       e->to_site, 0),
			       "request_stack", out);
			jstack(tr,
			       stacked(tr, UINT64_MAX, e->tid, e->from,
				       e->from_site, 1),
			       "held_stack", out);
			fprintf(out, "}");
		}
		fprintf(out, "]}\n");
	}
	for (size_t i = 0; i < an->nwaits; i++) {
		const struct clab_hold_wait *w = &an->waits[i];
		fprintf(out,
			"{\"type\":\"wait-holding\",\"record\":%" PRIu64
			",\"thread\":%u,\"waits_on\":",
			w->seq, w->tid);
		clab_json_str(out,
			      clab_trace_objname(tr, w->obj, b, sizeof(b)));
		fprintf(out, ",\"at\":");
		jsite(tr, w->site, out);
		fprintf(out, ",\"holding\":");
		clab_json_str(out, lock_str(tr, w->held, b, sizeof(b)));
		fprintf(out, ",\"held_at\":");
		jsite(tr, w->held_site, out);
		fprintf(out, ",\"count\":%" PRIu64, w->count);
		jstack(tr, clab_trace_record(tr, w->seq), "stack", out);
		jstack(
		    tr,
		    stacked(tr, UINT64_MAX, w->tid, w->held, w->held_site, 1),
		    "held_stack", out);
		fprintf(out, "}\n");
	}
	for (size_t i = 0; i < an->nnests; i++) {
		const struct clab_class_nest *c = &an->nests[i];
		fprintf(out,
			"{\"type\":\"class-%s\",\"record\":%" PRIu64
			",\"thread\":%u,\"holds\":",
			c->inverted ? "order" : "nesting", c->seq, c->tid);
		clab_json_str(out,
			      clab_trace_objname(tr, c->held, b, sizeof(b)));
		fprintf(out, ",\"held_at\":");
		jsite(tr, c->held_site, out);
		fprintf(out, ",\"requests\":");
		clab_json_str(out,
			      clab_trace_objname(tr, c->lock, b, sizeof(b)));
		fprintf(out, ",\"at\":");
		jsite(tr, c->site, out);
		fprintf(out, ",\"count\":%" PRIu64 "}\n", c->count);
	}
	for (size_t i = 0; i < an->nblocked; i++) {
		const struct clab_blocked_at *bl = &an->blocked[i];
		fprintf(out,
			"{\"type\":\"blocked\",\"deadlock\":%" PRIu64
			",\"thread\":%u,\"waits_on\":",
			an->deadlock_seq, bl->tid);
		clab_json_str(out,
			      clab_trace_objname(tr, bl->obj, b, sizeof(b)));
		fprintf(out, ",\"since\":%" PRIu64 ",\"holder\":", bl->since);
		if (bl->holder != UINT32_MAX)
			fprintf(out, "%u", bl->holder);
		else
			fprintf(out, "null");
		fprintf(out, ",\"last_signal\":");
		if (bl->signal_seq == UINT64_MAX) {
			fprintf(out, "null}\n");
			continue;
		}
		fprintf(out,
			"{\"record\":%" PRIu64 ",\"kind\":", bl->signal_seq);
		clab_json_str(out, clab_kind_name(bl->signal_kind));
		fprintf(out, ",\"thread\":%u,\"at\":", bl->signal_tid);
		jsite(tr, bl->signal_site, out);
		if (bl->signal_woke != UINT32_MAX)
			fprintf(out, ",\"woke\":%u}}\n", bl->signal_woke);
		else
			fprintf(out, ",\"woke\":null}}\n");
	}
	printing = NULL;
}
