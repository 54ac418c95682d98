/*
 * Exporting a trace: Chrome Trace Event JSON and JSON Lines, and a strict
 * checker for both (docs/export.md).
 *
 * The chrome export is a model first: one pass over the records in merged
 * order opens and closes spans (waits on the thread's lane, holds on one
 * async track per mutex) and links causes to effects with arrows; the
 * events are then sorted into the order they are written in.  Nothing here
 * depends on the machine, the locale or the time of the export.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/analyze.h>
#include <conclab/error.h>
#include <conclab/export.h>
#include <conclab/kinds.h>
#include <conclab/semantics.h>
#include <conclab/trace.h>

#include "clab-kinds.h"
#include "export-int.h"

/* ------------------------------------------------------------------ */
/* The chrome model                                                     */
/* ------------------------------------------------------------------ */

/* A wake-up that a signal, a broadcast, a latch set or a release owes. */
struct credit {
	uint64_t seq, ns;
	uint32_t tid, left;
	size_t anchor; /* the signal's instant, or NONE_IDX */
};

struct ostate {
	int held;
	size_t hold_ev, last_hold_ev;
	int has_rel;
	uint64_t rel_seq, rel_ns;
	uint32_t rel_tid;
	struct credit *cr;
	size_t ncr, capcr, head;
	uint32_t waiting;
	int exited;
	uint64_t exit_seq, exit_ns;
	uint32_t exit_tid;
};

struct tstate {
	int waiting;
	size_t wait_ev;
	uint32_t wait_obj;
	/* the read hold of a reader-writer lock it has open (one at most) */
	uint32_t rd_obj, rd_depth;
	size_t rd_ev;
};

struct builder {
	struct clab_export *x;
	struct ostate *os; /* by object id, 0..nobjects */
	uint32_t nobj;
	struct tstate *ts;
	uint32_t nthr;
};

static size_t add_ev(struct clab_export *x, char ph, unsigned kind, uint64_t ts,
		     uint32_t tid, uint32_t obj, uint64_t seq)
{
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 256;
		struct xev *ev = realloc(x->ev, cap * sizeof(*ev));
		if (!ev) {
			x->oom = 1;
			return NONE_IDX;
		}
		x->ev = ev;
		x->cap = cap;
	}
	struct xev *v = &x->ev[x->n];
	memset(v, 0, sizeof(*v));
	v->e.ph = ph;
	v->e.kind = (uint8_t)kind;
	v->e.ts = ts;
	v->e.tid = tid;
	v->e.obj = obj;
	v->e.seq = seq;
	v->e.end_seq = CLAB_XSEQ_NONE;
	v->ord = 2 * (uint64_t)x->n;
	return x->n++;
}

static struct ostate *ostate(struct builder *b, uint32_t obj)
{
	return obj && obj <= b->nobj ? &b->os[obj] : NULL;
}

static void close_span(struct clab_export *x, size_t i, uint64_t ns,
		       uint64_t end_seq)
{
	struct clab_xevent *e = &x->ev[i].e;
	e->dur = ns > e->ts ? ns - e->ts : 0;
	e->end_seq = end_seq;
}

static void end_wait_at(struct builder *b, struct tstate *t, uint64_t ns,
			uint64_t end_seq)
{
	struct ostate *o = ostate(b, t->wait_obj);
	close_span(b->x, t->wait_ev, ns, end_seq);
	t->waiting = 0;
	if (o && o->waiting)
		o->waiting--;
}

static void begin_wait(struct builder *b, const struct clab_record *r,
		       unsigned kind)
{
	struct tstate *t = &b->ts[r->tid];
	if (t->waiting) /* a wait whose end was not recorded */
		end_wait_at(b, t, r->ns, CLAB_XSEQ_NONE);
	size_t i = add_ev(b->x, 'X', kind, r->ns, r->tid, r->obj, r->seq);
	if (i == NONE_IDX)
		return;
	t->waiting = 1;
	t->wait_ev = i;
	t->wait_obj = r->obj;
	struct ostate *o = ostate(b, r->obj);
	if (o)
		o->waiting++;
}

/* Close r's thread's wait if it is on r's object; its first record's seq. */
static uint64_t end_wait(struct builder *b, const struct clab_record *r)
{
	struct tstate *t = &b->ts[r->tid];
	if (!t->waiting || t->wait_obj != r->obj)
		return CLAB_XSEQ_NONE;
	uint64_t begin = b->x->ev[t->wait_ev].e.seq;
	end_wait_at(b, t, r->ns, r->seq);
	return begin;
}

static void open_hold(struct builder *b, struct ostate *o,
		      const struct clab_record *r)
{
	struct clab_export *x = b->x;
	if (o->held) /* taken again before a release was recorded */
		close_span(x, o->hold_ev, r->ns, CLAB_XSEQ_NONE);
	/* Lazily stamped times may disagree by a little: keep holds apart. */
	size_t last = o->held ? o->hold_ev : o->last_hold_ev;
	if (last != NONE_IDX) {
		struct clab_xevent *p = &x->ev[last].e;
		if (p->ts + p->dur > r->ns)
			p->dur = r->ns > p->ts ? r->ns - p->ts : 0;
		if (p->ts > r->ns) /* never: times of a thread only grow */
			p->ts = r->ns;
	}
	size_t i = add_ev(x, 'H', CLAB_XEV_HOLD, r->ns, r->tid, r->obj, r->seq);
	if (i == NONE_IDX)
		return;
	x->ev[i].e.id = r->obj;
	o->held = 1;
	o->hold_ev = i;
}

/*
 * A read hold of a reader-writer lock: several readers hold it at once, so
 * each hold is its own span (id: the object and the thread), opened by the
 * thread's first read hold and closed by its last release.
 */
static void open_read_hold(struct builder *b, const struct clab_record *r)
{
	struct tstate *t = r->tid < b->nthr ? &b->ts[r->tid] : NULL;
	if (!t || (t->rd_obj && t->rd_obj != r->obj))
		return; /* a second lock read at once: not drawn */
	if (t->rd_depth++)
		return;
	size_t i =
	    add_ev(b->x, 'H', CLAB_XEV_HOLD, r->ns, r->tid, r->obj, r->seq);
	if (i == NONE_IDX) {
		t->rd_depth = 0;
		return;
	}
	b->x->ev[i].e.id = r->obj | (uint64_t)(r->tid + 1) << 32;
	t->rd_obj = r->obj;
	t->rd_ev = i;
}

static void close_read_hold(struct builder *b, const struct clab_record *r)
{
	struct tstate *t = r->tid < b->nthr ? &b->ts[r->tid] : NULL;
	if (!t || t->rd_obj != r->obj || --t->rd_depth)
		return;
	close_span(b->x, t->rd_ev, r->ns, r->seq);
	t->rd_obj = 0;
}

/*
 * An arrow from the record (from_seq, from_ns, from_tid) to r.  The start
 * binds to anchor (an instant already made) or to a new mark; the end to a
 * new mark on r's thread.  If the clocks disagree, the start is a new mark
 * at the end's time: the cause never appears after its effect.  The anchor
 * stays where it is, since other arrows may start at it already (a set
 * that wakes three threads).
 */
static void add_flow(struct builder *b, unsigned flow, uint64_t from_seq,
		     uint64_t from_ns, uint32_t from_tid, size_t anchor,
		     const struct clab_record *r)
{
	struct clab_export *x = b->x;
	uint64_t ts_s = from_ns < r->ns ? from_ns : r->ns;
	if (anchor != NONE_IDX && x->ev[anchor].e.ts > r->ns)
		anchor = NONE_IDX;
	if (anchor == NONE_IDX) {
		anchor = add_ev(x, 'X', CLAB_XEV_MARK, ts_s, from_tid, r->obj,
				from_seq);
		if (anchor == NONE_IDX)
			return;
		x->ev[anchor].e.flow = (uint8_t)flow;
	}
	ts_s = x->ev[anchor].e.ts;
	uint64_t id = ++x->nflows;
	size_t s =
	    add_ev(x, 's', CLAB_XEV_FLOW, ts_s, from_tid, r->obj, from_seq);
	if (s == NONE_IDX)
		return;
	x->ev[s].e.id = id;
	x->ev[s].e.flow = (uint8_t)flow;
	x->ev[s].e.end_seq = r->seq;
	x->ev[s].ord = x->ev[anchor].ord + 1;
	size_t m = add_ev(x, 'X', CLAB_XEV_MARK, r->ns, r->tid, r->obj, r->seq);
	if (m == NONE_IDX)
		return;
	x->ev[m].e.flow = (uint8_t)flow;
	size_t f = add_ev(x, 'f', CLAB_XEV_FLOW, r->ns, r->tid, r->obj, r->seq);
	if (f == NONE_IDX)
		return;
	x->ev[f].e.id = id;
	x->ev[f].e.flow = (uint8_t)flow;
	x->ev[f].e.end_seq = from_seq;
	x->ev[f].ord = x->ev[m].ord + 1;
}

static void push_credit(struct builder *b, struct ostate *o,
			const struct clab_record *r, uint32_t n, size_t anchor)
{
	if (o->ncr == o->capcr) {
		size_t cap = o->capcr ? o->capcr * 2 : 8;
		struct credit *cr = realloc(o->cr, cap * sizeof(*cr));
		if (!cr) {
			b->x->oom = 1;
			return;
		}
		o->cr = cr;
		o->capcr = cap;
	}
	o->cr[o->ncr++] = (struct credit){r->seq, r->ns, r->tid, n, anchor};
}

/* The oldest credit made after the wait began, or NULL. */
static struct credit *take_credit(struct ostate *o, uint64_t wait_seq)
{
	while (o->head < o->ncr) {
		struct credit *c = &o->cr[o->head];
		if (c->left == 0 || c->seq < wait_seq) {
			o->head++;
			continue;
		}
		c->left--;
		return c;
	}
	return NULL;
}

static void on_acquire(struct builder *b, struct ostate *o,
		       const struct clab_record *r, unsigned oe)
{
	uint64_t w = end_wait(b, r);
	struct credit *c;
	if (!o)
		return;
	switch (oe) {
	case CLAB_OE_READ_TAKE:
	case CLAB_OE_WRITE_TAKE:
		if (oe == CLAB_OE_WRITE_TAKE)
			open_hold(b, o, r);
		else
			open_read_hold(b, r);
		if (w != CLAB_XSEQ_NONE && o->has_rel && o->rel_tid != r->tid)
			add_flow(b, CLAB_XFLOW_LOCK, o->rel_seq, o->rel_ns,
				 o->rel_tid, NONE_IDX, r);
		break;
	case CLAB_OE_MUTEX_TAKE:
		if (r->a32 <= 1 || !o->held) {
			open_hold(b, o, r);
			if (w != CLAB_XSEQ_NONE && o->has_rel &&
			    o->rel_tid != r->tid)
				add_flow(b, CLAB_XFLOW_LOCK, o->rel_seq,
					 o->rel_ns, o->rel_tid, NONE_IDX, r);
		}
		o->has_rel = 0;
		break;
	default: /* a permit */
		if (w == CLAB_XSEQ_NONE)
			break;
		c = take_credit(o, w);
		if (c)
			add_flow(b, CLAB_XFLOW_SEM, c->seq, c->ns, c->tid,
				 NONE_IDX, r);
		break;
	}
}

static void on_release(struct builder *b, struct ostate *o,
		       const struct clab_record *r, unsigned oe)
{
	if (!o)
		return;
	if (oe != CLAB_OE_MUTEX_GIVE && oe != CLAB_OE_RW_GIVE) {
		if (o->waiting > 0) /* a permit a waiter takes */
			push_credit(b, o, r, 1, NONE_IDX);
		return;
	}
	if (oe == CLAB_OE_MUTEX_GIVE && r->a32 != 0)
		return; /* a recursive mutex still held */
	if (oe == CLAB_OE_RW_GIVE && !r->a8) {
		close_read_hold(b, r);
	} else if (o->held) {
		close_span(b->x, o->hold_ev, r->ns, r->seq);
		o->held = 0;
		o->last_hold_ev = o->hold_ev;
	}
	o->has_rel = 1;
	o->rel_seq = r->seq;
	o->rel_ns = r->ns;
	o->rel_tid = r->tid;
}

static void on_record(struct builder *b, const struct clab_record *r)
{
	struct clab_export *x = b->x;
	const struct clab_kind_sem *sem = clab__kind_sem(r->kind);
	struct ostate *o = ostate(b, r->obj);
	uint64_t w;
	struct credit *c;
	size_t i;

	if (clab__kind_begins_wait(r->kind)) {
		begin_wait(b, r, CLAB_XEV_WAIT);
		return;
	}
	switch (sem->act) {
	case CLAB_DO_SLEEP:
		if (sem->tmove == CLAB_TM_SLEEP)
			begin_wait(b, r, CLAB_XEV_SLEEP);
		else
			end_wait(b, r);
		break;
	case CLAB_DO_BUSY:
	case CLAB_DO_TIMEOUT:
	case CLAB_DO_FAIL:
	case CLAB_DO_TIMER:
		if (sem->tmove == CLAB_TM_RUN) /* a wait gave up, or ended */
			end_wait(b, r);
		break;
	case CLAB_DO_WAIT_END:
		if (sem->oe == CLAB_OE_PASS) {
			/* the last to arrive lets every waiter through */
			for (uint32_t t = 0; t < b->nthr; t++)
				if (b->ts[t].waiting &&
				    b->ts[t].wait_obj == r->obj)
					end_wait_at(b, &b->ts[t], r->ns,
						    t == r->tid
							? r->seq
							: CLAB_XSEQ_NONE);
			break;
		}
		w = end_wait(b, r);
		/* a join: what it waited for was the thread's exit */
		if (w != CLAB_XSEQ_NONE && o && o->exited &&
		    o->exit_tid != r->tid)
			add_flow(b, CLAB_XFLOW_JOIN, o->exit_seq, o->exit_ns,
				 o->exit_tid, NONE_IDX, r);
		break;
	case CLAB_DO_ACQUIRE:
		on_acquire(b, o, r, sem->oe);
		break;
	case CLAB_DO_RELEASE:
		on_release(b, o, r, sem->oe);
		break;
	case CLAB_DO_SIGNAL:
		i = add_ev(x, 'i', CLAB_XEV_SIGNAL, r->ns, r->tid, r->obj,
			   r->seq);
		if (i != NONE_IDX && o && r->a32 > 0)
			push_credit(b, o, r, r->a32, i);
		break;
	case CLAB_DO_WAKE:
		w = end_wait(b, r);
		if (w == CLAB_XSEQ_NONE || !o ||
		    (r->a8 != CLAB_CAUSE_SIGNAL &&
		     r->a8 != CLAB_CAUSE_BROADCAST && r->a8 != CLAB_CAUSE_SET))
			break;
		c = take_credit(o, w);
		if (c)
			add_flow(b, CLAB_XFLOW_SIGNAL, c->seq, c->ns, c->tid,
				 c->anchor, r);
		break;
	case CLAB_DO_EXIT:
		if (o) {
			o->exited = 1;
			o->exit_seq = r->seq;
			o->exit_ns = r->ns;
			o->exit_tid = r->tid;
		}
		break;
	case CLAB_DO_NOTE:
		add_ev(x, 'i', CLAB_XEV_NOTE, r->ns, r->tid, 0, r->seq);
		break;
	case CLAB_DO_DIAG: {
		uint32_t lane = r->tid;
		if (r->a8 == CLAB_D_BLOCKED) { /* on the blocked thread */
			uint32_t t = clab_trace_thread_of_obj(x->tr, r->obj);
			if (t < b->nthr)
				lane = t;
		}
		add_ev(x, 'i', CLAB_XEV_DIAG, r->ns, lane, r->obj, r->seq);
		break;
	}
	default:
		break;
	}
}

static int xev_cmp(const void *pa, const void *pb)
{
	const struct xev *a = pa, *b = pb;
	if (a->e.ts != b->e.ts)
		return a->e.ts < b->e.ts ? -1 : 1;
	if (a->e.dur != b->e.dur) /* the enclosing span first */
		return a->e.dur > b->e.dur ? -1 : 1;
	if (a->ord != b->ord)
		return a->ord < b->ord ? -1 : 1;
	if (a->e.id != b->e.id)
		return a->e.id < b->e.id ? -1 : 1;
	return 0;
}

/*
 * A thread's lane shows nested spans only: one that starts inside another
 * and would end after it (a damaged or hand-made trace whose thread went
 * on recording while it waited) is cut at the enclosing one's end.  The
 * events are sorted by time, the enclosing span first.
 */
static int nest_lanes(struct clab_export *x, uint32_t nthr)
{
	uint64_t **stack = calloc((size_t)nthr + 1, sizeof(*stack));
	size_t *depth = calloc((size_t)nthr + 1, sizeof(*depth));
	size_t *cap = calloc((size_t)nthr + 1, sizeof(*cap));
	int rc = stack && depth && cap ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < x->n; i++) {
		struct clab_xevent *e = &x->ev[i].e;
		if (e->ph != 'X' || e->tid >= nthr)
			continue;
		uint32_t t = e->tid;
		while (depth[t] && stack[t][depth[t] - 1] <= e->ts)
			depth[t]--;
		if (depth[t] && stack[t][depth[t] - 1] < e->ts + e->dur)
			e->dur = stack[t][depth[t] - 1] - e->ts;
		if (depth[t] == cap[t]) {
			size_t nc = cap[t] ? 2 * cap[t] : 8;
			uint64_t *ns = realloc(stack[t], nc * sizeof(*ns));
			if (!ns) {
				rc = -1;
				break;
			}
			stack[t] = ns;
			cap[t] = nc;
		}
		stack[t][depth[t]++] = e->ts + e->dur;
	}
	for (uint32_t t = 0; stack && t <= nthr; t++)
		free(stack[t]);
	free(stack);
	free(depth);
	free(cap);
	return rc;
}

int clab_export_build(const struct clab_trace *tr, struct clab_export **out)
{
	struct clab_export *x = calloc(1, sizeof(*x));
	struct builder b = {0};
	size_t n = clab_trace_nrecords(tr);

	*out = NULL;
	if (!x)
		return CLAB_ENOMEM;
	x->tr = tr;
	b.x = x;
	b.nobj = clab_trace_nobjects(tr);
	b.nthr = clab_trace_nthreads(tr);
	b.os = calloc((size_t)b.nobj + 1, sizeof(*b.os));
	b.ts = calloc((size_t)b.nthr + 1, sizeof(*b.ts));
	if (!b.os || !b.ts) {
		free(b.os);
		free(b.ts);
		free(x);
		return CLAB_ENOMEM;
	}
	for (uint32_t i = 0; i <= b.nobj; i++)
		b.os[i].hold_ev = b.os[i].last_hold_ev = NONE_IDX;
	for (size_t i = 0; i < n && !x->oom; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		if (r->ns > x->end_ns)
			x->end_ns = r->ns;
		if (r->tid < b.nthr)
			on_record(&b, r);
	}
	/* What is still open ended with the trace (a deadlock, a cut). */
	for (uint32_t t = 0; t < b.nthr && !x->oom; t++)
		if (b.ts[t].waiting) {
			x->ev[b.ts[t].wait_ev].e.unfinished = 1;
			end_wait_at(&b, &b.ts[t], x->end_ns, CLAB_XSEQ_NONE);
		}
	for (uint32_t i = 0; i <= b.nobj; i++) {
		if (b.os[i].held && !x->oom) {
			x->ev[b.os[i].hold_ev].e.unfinished = 1;
			close_span(x, b.os[i].hold_ev, x->end_ns,
				   CLAB_XSEQ_NONE);
		}
		free(b.os[i].cr);
	}
	free(b.os);
	free(b.ts);
	if (x->oom) {
		clab_export_free(x);
		return CLAB_ENOMEM;
	}
	if (x->n > 1)
		qsort(x->ev, x->n, sizeof(*x->ev), xev_cmp);
	if (nest_lanes(x, b.nthr) != 0) {
		clab_export_free(x);
		return CLAB_ENOMEM;
	}
	*out = x;
	return 0;
}

void clab_export_free(struct clab_export *x)
{
	if (!x)
		return;
	free(x->ev);
	free(x);
}

size_t clab_export_nevents(const struct clab_export *x)
{
	return x ? x->n : 0;
}

const struct clab_xevent *clab_export_event(const struct clab_export *x,
					    size_t i)
{
	return x && i < x->n ? &x->ev[i].e : NULL;
}

static const char *flow_cat(unsigned flow)
{
	switch (flow) {
	case CLAB_XFLOW_LOCK:
		return "lock";
	case CLAB_XFLOW_SIGNAL:
		return "signal";
	case CLAB_XFLOW_SEM:
		return "sem";
	case CLAB_XFLOW_JOIN:
		return "join";
	default:
		return "flow";
	}
}

const char *clab_export_event_cat(const struct clab_xevent *ev)
{
	switch (ev->kind) {
	case CLAB_XEV_WAIT:
		return "wait";
	case CLAB_XEV_SLEEP:
		return "sleep";
	case CLAB_XEV_HOLD:
		return "lock";
	case CLAB_XEV_NOTE:
		return "note";
	case CLAB_XEV_DIAG:
		return "diag";
	case CLAB_XEV_SIGNAL:
		return "signal";
	default:
		return flow_cat(ev->flow);
	}
}

/*
 * The operation a kind names, from its name in the table: the word after
 * the dot, up to a dash ("rwlock.read-request": read, "queue.put-wait":
 * put, "cond.broadcast": broadcast).
 */
static const char *op_word(unsigned kind, char *buf, size_t len)
{
	const char *dot = strchr(clab_kind_name(kind), '.');
	const char *w = dot ? dot + 1 : clab_kind_name(kind);
	snprintf(buf, len, "%.*s", (int)strcspn(w, "-"), w);
	return buf;
}

static const char *wait_name(const struct clab_trace *tr,
			     const struct clab_record *r, const char *on,
			     char *buf, size_t len)
{
	unsigned ok = clab__xobj_kind(tr, r->obj);
	char op[32];
	const char *name = clab_kind_name(r->kind);
	if (ok == CLAB_O_THREAD)
		snprintf(buf, len, "join T%" PRIu32,
			 clab_trace_thread_of_obj(tr, r->obj));
	else if (ok == CLAB_O_MUTEX)
		snprintf(buf, len, "wait %s", on);
	else if (strchr(name, '-')) /* the operation it waits in */
		snprintf(buf, len, "wait %s %s (%s)", clab_objkind_name(ok), on,
			 op_word(r->kind, op, sizeof(op)));
	else
		snprintf(buf, len, "wait %s %s", clab_objkind_name(ok), on);
	return buf;
}

/* A reader-writer lock's take is a read or a write; any other, verb. */
static const char *take_verb(unsigned kind, const char *verb)
{
	unsigned oe = clab__kind_sem(kind)->oe;
	return oe == CLAB_OE_READ_TAKE	  ? "read"
	       : oe == CLAB_OE_WRITE_TAKE ? "write"
					  : verb;
}

static const char *mark_verb(unsigned kind)
{
	switch (clab__kind_sem(kind)->act) {
	case CLAB_DO_RELEASE:
		return "release";
	case CLAB_DO_ACQUIRE:
		return take_verb(kind, "acquire");
	case CLAB_DO_WAKE:
		return "wake";
	case CLAB_DO_EXIT:
		return "exit";
	default:
		return clab_kind_name(kind);
	}
}

const char *clab_export_event_name(const struct clab_export *x,
				   const struct clab_xevent *ev, char *buf,
				   size_t len)
{
	const struct clab_trace *tr = x->tr;
	const struct clab_record *r = clab_trace_record(tr, ev->seq);
	char on[256], op[32];
	clab__xobj_name(tr, ev->obj, on, sizeof(on));
	if (!r) {
		snprintf(buf, len, "?");
		return buf;
	}
	switch (ev->kind) {
	case CLAB_XEV_WAIT:
		return wait_name(tr, r, on, buf, len);
	case CLAB_XEV_SLEEP:
		snprintf(buf, len, "sleep");
		break;
	case CLAB_XEV_HOLD:
		snprintf(buf, len, "%s %s", take_verb(r->kind, "hold"), on);
		break;
	case CLAB_XEV_NOTE: {
		const struct clab_site_info *si = clab_trace_site(tr, r->site);
		const char *label = si && si->label ? si->label : "note";
		if (r->a32)
			snprintf(buf, len, "%s %" PRId64 " %" PRIu32, label,
				 r->val, r->a32);
		else
			snprintf(buf, len, "%s %" PRId64, label, r->val);
		break;
	}
	case CLAB_XEV_DIAG:
		snprintf(buf, len, "%s", clab_diag_tag(r->a8));
		break;
	case CLAB_XEV_SIGNAL:
		snprintf(buf, len, "%s %s", op_word(r->kind, op, sizeof(op)),
			 on);
		break;
	case CLAB_XEV_MARK:
		if (clab__kind_sem(r->kind)->act == CLAB_DO_WAIT_END &&
		    clab__xobj_kind(tr, r->obj) == CLAB_O_THREAD)
			snprintf(buf, len, "joined T%" PRIu32,
				 clab_trace_thread_of_obj(tr, r->obj));
		else
			snprintf(buf, len, "%s %s", mark_verb(r->kind), on);
		break;
	case CLAB_XEV_FLOW:
		snprintf(buf, len, "%s %s",
			 ev->flow == CLAB_XFLOW_LOCK	 ? "handoff"
			 : ev->flow == CLAB_XFLOW_SIGNAL ? "wake"
			 : ev->flow == CLAB_XFLOW_SEM	 ? "post"
							 : "exit",
			 on);
		break;
	default:
		snprintf(buf, len, "?");
		break;
	}
	return buf;
}
