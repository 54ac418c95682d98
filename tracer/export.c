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
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/analyze.h>
#include <conclab/error.h>
#include <conclab/export.h>
#include <conclab/kinds.h>
#include <conclab/trace.h>

#define NONE_IDX SIZE_MAX

/* ------------------------------------------------------------------ */
/* JSON text                                                            */
/* ------------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void clab_json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p);
	putc('"', f);
	while (n > 0) {
		unsigned c = *p;
		if (c == '"' || c == '\\') {
			putc('\\', f);
			putc((int)c, f);
		} else if (c == '\n') {
			fputs("\\n", f);
		} else if (c == '\t') {
			fputs("\\t", f);
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
		} else if (c >= 0x80) {
			size_t l = utf8_len(p, n);
			if (l == 0) {
				fputs("\xef\xbf\xbd", f);
				l = 1;
			} else {
				fwrite(p, 1, l, f);
			}
			p += l;
			n -= l;
			continue;
		} else {
			putc((int)c, f);
		}
		p++;
		n--;
	}
	putc('"', f);
}

/* ,"key":"value" */
static void jkv_str(FILE *f, const char *key, const char *v)
{
	fprintf(f, ",\"%s\":", key);
	clab_json_str(f, v);
}

static void jkv_u64(FILE *f, const char *key, uint64_t v)
{
	fprintf(f, ",\"%s\":%" PRIu64, key, v);
}

/* Nanoseconds as microseconds with three decimals: exact, no rounding. */
static void jus(FILE *f, const char *key, uint64_t ns)
{
	fprintf(f, ",\"%s\":%" PRIu64 ".%03u", key, ns / 1000,
		(unsigned)(ns % 1000));
}

/* ,"site":"file:line","func":"fn" for a record's site, if it has one. */
static void jsite(FILE *f, const struct clab_trace *tr, uint32_t site,
		  const char *key, int with_func)
{
	const struct clab_site_info *si = site ? clab_trace_site(tr, site) : 0;
	char buf[600];
	if (!si)
		return;
	snprintf(buf, sizeof(buf), "%s:%d", clab_site_path(si->file), si->line);
	jkv_str(f, key, buf);
	if (with_func && si->func && si->func[0])
		jkv_str(f, "func", si->func);
}

/* The name people know an object by: its name, a thread's name, "#7". */
static const char *obj_name(const struct clab_trace *tr, uint32_t oid,
			    char *buf, size_t len)
{
	const struct clab_object_info *o = clab_trace_object(tr, oid);
	if (!o) {
		snprintf(buf, len, "#%" PRIu32, oid);
	} else if (o->kind == CLAB_O_THREAD) {
		uint32_t t = clab_trace_thread_of_obj(tr, oid);
		const struct clab_thread_info *ti = clab_trace_thread(tr, t);
		snprintf(buf, len, "%s", ti && ti->name ? ti->name : o->name);
	} else if (o->name && o->name[0]) {
		snprintf(buf, len, "%s", o->name);
	} else {
		snprintf(buf, len, "%s#%" PRIu32, clab_objkind_name(o->kind),
			 oid);
	}
	return buf;
}

static unsigned obj_kind(const struct clab_trace *tr, uint32_t oid)
{
	const struct clab_object_info *o = clab_trace_object(tr, oid);
	return o ? o->kind : 0;
}

static const char *thread_name(const struct clab_trace *tr, uint32_t tid)
{
	const struct clab_thread_info *ti = clab_trace_thread(tr, tid);
	return ti && ti->name ? ti->name : "?";
}

/* ------------------------------------------------------------------ */
/* The chrome model                                                     */
/* ------------------------------------------------------------------ */

struct xev {
	struct clab_xevent e;
	uint64_t
	    ord; /* creation order; an arrow sorts right after its anchor */
};

struct clab_export {
	const struct clab_trace *tr;
	struct xev *ev;
	size_t n, cap;
	uint64_t end_ns;
	uint64_t nflows;
	int oom;
};

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
 * new mark on r's thread.  If the clocks disagree, the start moves back to
 * the end's time: the cause never appears after its effect.
 */
static void add_flow(struct builder *b, unsigned flow, uint64_t from_seq,
		     uint64_t from_ns, uint32_t from_tid, size_t anchor,
		     const struct clab_record *r)
{
	struct clab_export *x = b->x;
	uint64_t ts_s = from_ns < r->ns ? from_ns : r->ns;
	if (anchor == NONE_IDX) {
		anchor = add_ev(x, 'X', CLAB_XEV_MARK, ts_s, from_tid, r->obj,
				from_seq);
		if (anchor == NONE_IDX)
			return;
		x->ev[anchor].e.flow = (uint8_t)flow;
	} else if (x->ev[anchor].e.ts > r->ns) {
		x->ev[anchor].e.ts = r->ns;
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

static void on_record(struct builder *b, const struct clab_record *r)
{
	struct clab_export *x = b->x;
	struct ostate *o = ostate(b, r->obj);
	uint64_t w;
	struct credit *c;
	size_t i;

	if (clab_kind_begins_wait(r->kind)) {
		begin_wait(b, r, CLAB_XEV_WAIT);
		return;
	}
	switch (r->kind) {
	case CLAB_K_SLEEP_BEGIN:
		begin_wait(b, r, CLAB_XEV_SLEEP);
		break;
	case CLAB_K_SLEEP_END:
	case CLAB_K_MUTEX_BUSY:
	case CLAB_K_MUTEX_TIMEOUT:
	case CLAB_K_SEM_TIMEOUT:
	case CLAB_K_BARRIER_BROKEN:
	case CLAB_K_QUEUE_PUT:
	case CLAB_K_QUEUE_GET:
	case CLAB_K_QUEUE_JOIN:
	case CLAB_K_QUEUE_TIMEOUT:
	case CLAB_K_QUEUE_CLOSED:
	case CLAB_K_PTIMER_WAKE:
	case CLAB_K_THREAD_JOIN_TIMEOUT:
	case CLAB_K_RW_TIMEOUT:
		end_wait(b, r);
		break;
	case CLAB_K_RW_WRITE_ACQUIRE:
	case CLAB_K_RW_READ_ACQUIRE:
		w = end_wait(b, r);
		if (!o)
			break;
		if (r->kind == CLAB_K_RW_WRITE_ACQUIRE)
			open_hold(b, o, r);
		else
			open_read_hold(b, r);
		if (w != CLAB_XSEQ_NONE && o->has_rel && o->rel_tid != r->tid)
			add_flow(b, CLAB_XFLOW_LOCK, o->rel_seq, o->rel_ns,
				 o->rel_tid, NONE_IDX, r);
		break;
	case CLAB_K_RW_RELEASE:
		if (!o)
			break;
		if (r->a8 && o->held) {
			close_span(x, o->hold_ev, r->ns, r->seq);
			o->held = 0;
			o->last_hold_ev = o->hold_ev;
		} else if (!r->a8) {
			close_read_hold(b, r);
		}
		o->has_rel = 1;
		o->rel_seq = r->seq;
		o->rel_ns = r->ns;
		o->rel_tid = r->tid;
		break;
	case CLAB_K_BARRIER_PASS:
		/* the last to arrive lets every waiter through */
		for (uint32_t t = 0; t < b->nthr; t++)
			if (b->ts[t].waiting && b->ts[t].wait_obj == r->obj)
				end_wait_at(b, &b->ts[t], r->ns,
					    t == r->tid ? r->seq
							: CLAB_XSEQ_NONE);
		break;
	case CLAB_K_MUTEX_ACQUIRE:
		w = end_wait(b, r);
		if (!o)
			break;
		if (r->a32 <= 1 || !o->held) {
			open_hold(b, o, r);
			if (w != CLAB_XSEQ_NONE && o->has_rel &&
			    o->rel_tid != r->tid)
				add_flow(b, CLAB_XFLOW_LOCK, o->rel_seq,
					 o->rel_ns, o->rel_tid, NONE_IDX, r);
		}
		o->has_rel = 0;
		break;
	case CLAB_K_MUTEX_RELEASE:
		if (!o || r->a32 != 0)
			break; /* a recursive mutex still held */
		if (o->held) {
			close_span(x, o->hold_ev, r->ns, r->seq);
			o->held = 0;
			o->last_hold_ev = o->hold_ev;
		}
		o->has_rel = 1;
		o->rel_seq = r->seq;
		o->rel_ns = r->ns;
		o->rel_tid = r->tid;
		break;
	case CLAB_K_COND_SIGNAL:
	case CLAB_K_COND_BROADCAST:
	case CLAB_K_LATCH_SET:
		i = add_ev(x, 'i', CLAB_XEV_SIGNAL, r->ns, r->tid, r->obj,
			   r->seq);
		if (i != NONE_IDX && o && r->a32 > 0)
			push_credit(b, o, r, r->a32, i);
		break;
	case CLAB_K_COND_WAKE:
	case CLAB_K_LATCH_WAKE:
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
	case CLAB_K_SEM_RELEASE:
		if (o && o->waiting > 0)
			push_credit(b, o, r, 1, NONE_IDX);
		break;
	case CLAB_K_SEM_ACQUIRE:
		w = end_wait(b, r);
		if (w == CLAB_XSEQ_NONE || !o)
			break;
		c = take_credit(o, w);
		if (c)
			add_flow(b, CLAB_XFLOW_SEM, c->seq, c->ns, c->tid,
				 NONE_IDX, r);
		break;
	case CLAB_K_THREAD_EXIT:
		if (o) {
			o->exited = 1;
			o->exit_seq = r->seq;
			o->exit_ns = r->ns;
			o->exit_tid = r->tid;
		}
		break;
	case CLAB_K_THREAD_JOIN:
		w = end_wait(b, r);
		if (w != CLAB_XSEQ_NONE && o && o->exited &&
		    o->exit_tid != r->tid)
			add_flow(b, CLAB_XFLOW_JOIN, o->exit_seq, o->exit_ns,
				 o->exit_tid, NONE_IDX, r);
		break;
	case CLAB_K_NOTE:
		add_ev(x, 'i', CLAB_XEV_NOTE, r->ns, r->tid, 0, r->seq);
		break;
	case CLAB_K_DIAG: {
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

static const char *wait_name(const struct clab_trace *tr,
			     const struct clab_record *r, const char *on,
			     char *buf, size_t len)
{
	switch (r->kind) {
	case CLAB_K_MUTEX_REQUEST:
		snprintf(buf, len, "wait %s", on);
		break;
	case CLAB_K_RW_READ_REQUEST:
		snprintf(buf, len, "wait rwlock %s (read)", on);
		break;
	case CLAB_K_RW_WRITE_REQUEST:
		snprintf(buf, len, "wait rwlock %s (write)", on);
		break;
	case CLAB_K_THREAD_JOIN_WAIT:
		snprintf(buf, len, "join T%" PRIu32,
			 clab_trace_thread_of_obj(tr, r->obj));
		break;
	case CLAB_K_QUEUE_PUT_WAIT:
		snprintf(buf, len, "wait queue %s (put)", on);
		break;
	case CLAB_K_QUEUE_GET_WAIT:
		snprintf(buf, len, "wait queue %s (get)", on);
		break;
	case CLAB_K_QUEUE_JOIN_WAIT:
		snprintf(buf, len, "wait queue %s (join)", on);
		break;
	default:
		snprintf(buf, len, "wait %s %s",
			 clab_objkind_name(obj_kind(tr, r->obj)), on);
		break;
	}
	return buf;
}

static const char *mark_verb(unsigned kind)
{
	switch (kind) {
	case CLAB_K_MUTEX_RELEASE:
	case CLAB_K_SEM_RELEASE:
	case CLAB_K_RW_RELEASE:
		return "release";
	case CLAB_K_MUTEX_ACQUIRE:
	case CLAB_K_SEM_ACQUIRE:
		return "acquire";
	case CLAB_K_RW_READ_ACQUIRE:
		return "read";
	case CLAB_K_RW_WRITE_ACQUIRE:
		return "write";
	case CLAB_K_COND_WAKE:
	case CLAB_K_LATCH_WAKE:
		return "wake";
	case CLAB_K_THREAD_EXIT:
		return "exit";
	case CLAB_K_THREAD_JOIN:
		return "joined";
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
	char on[256];
	obj_name(tr, ev->obj, on, sizeof(on));
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
		snprintf(buf, len,
			 r->kind == CLAB_K_RW_READ_ACQUIRE    ? "read %s"
			 : r->kind == CLAB_K_RW_WRITE_ACQUIRE ? "write %s"
							      : "hold %s",
			 on);
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
		snprintf(buf, len, "%s %s",
			 r->kind == CLAB_K_COND_BROADCAST ? "broadcast"
			 : r->kind == CLAB_K_LATCH_SET	  ? "set"
							  : "signal",
			 on);
		break;
	case CLAB_XEV_MARK:
		if (r->kind == CLAB_K_THREAD_JOIN)
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

/* ------------------------------------------------------------------ */
/* Writing the chrome JSON                                              */
/* ------------------------------------------------------------------ */

#define PID 1

/* One written event: model event i as phase ph ('b'/'e' for holds). */
struct item {
	size_t i;
	uint64_t ts;
	int cls; /* 0: the end of a hold that lasted, 1: the rest */
	char ph;
};

static int item_cmp(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	/* an async end first, so the next hold of a mutex opens after it */
	if (a->cls != b->cls)
		return a->cls < b->cls ? -1 : 1;
	if (a->i != b->i) /* the model is sorted already */
		return a->i < b->i ? -1 : 1;
	return (a->ph == 'e') - (b->ph == 'e'); /* b before its e */
}

static void write_head(FILE *f, const char *ph, const char *name,
		       const char *cat, uint32_t tid, uint64_t ts)
{
	fprintf(f, "{\"ph\":\"%s\",\"name\":", ph);
	clab_json_str(f, name);
	if (cat)
		jkv_str(f, "cat", cat);
	fprintf(f, ",\"pid\":%d,\"tid\":%" PRIu32, PID, tid + 1);
	jus(f, "ts", ts);
}

static void write_args(FILE *f, const struct clab_export *x,
		       const struct clab_xevent *e)
{
	const struct clab_trace *tr = x->tr;
	const struct clab_record *r = clab_trace_record(tr, e->seq);
	const struct clab_record *end = e->end_seq != CLAB_XSEQ_NONE
					    ? clab_trace_record(tr, e->end_seq)
					    : NULL;
	char buf[256];

	fprintf(f, ",\"args\":{\"seq\":%" PRIu64, e->seq);
	if (e->kind == CLAB_XEV_FLOW) {
		fputs("}", f);
		return;
	}
	if (end)
		jkv_u64(f, "end_seq", e->end_seq);
	if (e->obj && e->kind != CLAB_XEV_DIAG) {
		jkv_str(f, "object", obj_name(tr, e->obj, buf, sizeof(buf)));
		jkv_u64(f, "obj", e->obj);
	}
	switch (e->kind) {
	case CLAB_XEV_WAIT:
		if (r->kind == CLAB_K_MUTEX_REQUEST ||
		    r->kind == CLAB_K_RW_READ_REQUEST ||
		    r->kind == CLAB_K_RW_WRITE_REQUEST)
			jkv_str(f, "how", clab_how_name(r->a8));
		if (end)
			jkv_str(f, "until", clab_kind_name(end->kind));
		break;
	case CLAB_XEV_SLEEP:
		jkv_u64(f, "ms", r->a32);
		break;
	case CLAB_XEV_HOLD:
		jkv_str(f, "thread", thread_name(tr, e->tid));
		jkv_u64(f, "tid", e->tid);
		jkv_str(f, "how", clab_how_name(r->a8));
		break;
	case CLAB_XEV_NOTE: {
		const struct clab_site_info *si = clab_trace_site(tr, r->site);
		jkv_str(f, "label", si && si->label ? si->label : "");
		fprintf(f, ",\"value\":%" PRId64, r->val);
		jkv_u64(f, "value2", r->a32);
		break;
	}
	case CLAB_XEV_DIAG:
		jkv_str(f, "diag", clab_diag_tag(r->a8));
		jkv_str(f, "text", clab_diag_text(r->a8));
		if (r->obj) {
			jkv_str(f, "object",
				obj_name(tr, r->obj, buf, sizeof(buf)));
			jkv_u64(f, "obj", r->obj);
		}
		if (r->a8 == CLAB_D_BLOCKED || r->a8 == CLAB_D_LOCK_ORDER)
			jkv_str(f, r->a8 == CLAB_D_BLOCKED ? "waits" : "held",
				obj_name(tr, r->a32, buf, sizeof(buf)));
		else
			jkv_u64(f, "detail", r->a32);
		jkv_u64(f, "recorded_by", r->tid);
		break;
	case CLAB_XEV_SIGNAL:
		jkv_u64(f, "woken", r->a32);
		break;
	default:
		break;
	}
	jsite(f, tr, r->site, "site", 1);
	if (end && end->site && end->site != r->site)
		jsite(f, tr, end->site, "end_site", 0);
	if (e->unfinished)
		fputs(",\"unfinished\":true", f);
	fputs("}", f);
}

/* The trace's metadata as one JSON object; a repeated key keeps its first
 * value. */
static void json_meta(FILE *f, const struct clab_trace *tr)
{
	size_t nm = clab_trace_nmeta(tr), written = 0;
	fputs("{", f);
	for (size_t i = 0; i < nm; i++) {
		const char *k, *v, *k2, *v2;
		int dup = 0;
		clab_trace_meta_at(tr, i, &k, &v);
		for (size_t j = 0; j < i && !dup; j++) {
			clab_trace_meta_at(tr, j, &k2, &v2);
			dup = strcmp(k, k2) == 0;
		}
		if (dup)
			continue;
		if (written++)
			fputs(",", f);
		clab_json_str(f, k);
		fputs(":", f);
		clab_json_str(f, v);
	}
	fputs("}", f);
}

static void write_event(FILE *f, const struct clab_export *x,
			const struct item *it)
{
	const struct clab_xevent *e = &x->ev[it->i].e;
	const char *cat = clab_export_event_cat(e);
	char name[320], ph[2] = {it->ph, 0};

	clab_export_event_name(x, e, name, sizeof(name));
	write_head(f, ph, name, cat, e->tid, it->ts);
	switch (it->ph) {
	case 'X':
		jus(f, "dur", e->dur);
		write_args(f, x, e);
		break;
	case 'b':
		fprintf(f, ",\"id\":\"0x%" PRIx32 "\"", e->obj);
		write_args(f, x, e);
		break;
	case 'e':
		fprintf(f, ",\"id\":\"0x%" PRIx32 "\"", e->obj);
		break;
	case 'i':
		fputs(",\"s\":\"t\"", f);
		write_args(f, x, e);
		break;
	case 's':
	case 'f':
		fprintf(f, ",\"id\":%" PRIu64, e->id);
		if (it->ph == 'f')
			fputs(",\"bp\":\"e\"", f);
		write_args(f, x, e);
		break;
	}
	fputs("}", f);
}

/*
 * ,"verdict":{...}: what `conclab analyze` and `conclab check` say of the
 * trace (the lock order, a deadlock, an incomplete run), from the same
 * analysis (clab_verdict_json).  Returns 0 or CLAB_ENOMEM.
 */
static int jverdict(FILE *f, const struct clab_trace *tr)
{
	struct clab_analysis an;
	struct clab_verdict v;
	if (clab_analyze(tr, &an) != 0)
		return CLAB_ENOMEM;
	clab_analysis_verdict(tr, &an, &v);
	fputs(",\"verdict\":", f);
	clab_verdict_json(&v, f);
	clab_analysis_fini(&an);
	return 0;
}

int clab_export_write_chrome(const struct clab_export *x, FILE *out)
{
	const struct clab_trace *tr = x->tr;
	uint32_t nthr = clab_trace_nthreads(tr);
	size_t nit = 0;
	struct item *it = malloc((x->n * 2 + 1) * sizeof(*it));
	char buf[512];

	if (!it)
		return CLAB_ENOMEM;
	for (size_t i = 0; i < x->n; i++) {
		const struct clab_xevent *e = &x->ev[i].e;
		if (e->ph == 'H') {
			it[nit++] = (struct item){i, e->ts, 1, 'b'};
			it[nit++] = (struct item){i, e->ts + e->dur,
						  e->dur > 0 ? 0 : 1, 'e'};
		} else {
			it[nit++] = (struct item){i, e->ts, 1, e->ph};
		}
	}
	qsort(it, nit, sizeof(*it), item_cmp);

	fputs("{\"traceEvents\":[\n", out);
	const char *lab = clab_trace_meta(tr, "lab");
	const char *variant = clab_trace_meta(tr, "variant");
	if (lab)
		snprintf(buf, sizeof(buf), "conclab %s%s%s", lab,
			 variant ? " " : "", variant ? variant : "");
	else
		snprintf(buf, sizeof(buf), "conclab");
	write_head(out, "M", "process_name", NULL, 0, 0);
	fputs(",\"args\":{\"name\":", out);
	clab_json_str(out, buf);
	fputs("}}", out);
	for (uint32_t t = 0; t < nthr; t++) {
		snprintf(buf, sizeof(buf), "T%" PRIu32 " %s", t,
			 thread_name(tr, t));
		fputs(",\n", out);
		write_head(out, "M", "thread_name", NULL, t, 0);
		fputs(",\"args\":{\"name\":", out);
		clab_json_str(out, buf);
		fputs("}}", out);
		fputs(",\n", out);
		write_head(out, "M", "thread_sort_index", NULL, t, 0);
		fprintf(out, ",\"args\":{\"sort_index\":%" PRIu32 "}}", t);
	}
	for (size_t i = 0; i < nit; i++) {
		fputs(",\n", out);
		write_event(out, x, &it[i]);
	}
	free(it);
	fputs("\n],\n\"displayTimeUnit\":\"ns\",\n\"metadata\":{", out);
	fprintf(out,
		"\"source\":\"conclab\",\"trace_format\":\"%" PRIu32 ".%" PRIu32
		"\"",
		clab_trace_version_major(tr), clab_trace_version_minor(tr));
	jkv_u64(out, "records", clab_trace_nrecords(tr));
	jkv_u64(out, "dropped", clab_trace_drops(tr));
	fprintf(out, ",\"complete\":%s",
		clab_trace_complete(tr) ? "true" : "false");
	if (clab_trace_damage(tr))
		jkv_str(out, "damage", clab_trace_damage(tr));
	if (jverdict(out, tr))
		return CLAB_ENOMEM;
	fputs(",\"meta\":", out);
	json_meta(out, tr);
	fputs("}}\n", out);
	return ferror(out) ? CLAB_EIO : 0;
}

int clab_export_chrome(const struct clab_trace *tr, FILE *out)
{
	struct clab_export *x;
	int r = clab_export_build(tr, &x);
	if (r)
		return r;
	r = clab_export_write_chrome(x, out);
	clab_export_free(x);
	return r;
}

/* ------------------------------------------------------------------ */
/* JSON Lines                                                           */
/* ------------------------------------------------------------------ */

static int jsonl_header(FILE *f, const struct clab_trace *tr)
{
	char buf[256];
	fprintf(f, "{\"type\":\"trace\",\"format\":\"%" PRIu32 ".%" PRIu32 "\"",
		clab_trace_version_major(tr), clab_trace_version_minor(tr));
	jkv_u64(f, "records", clab_trace_nrecords(tr));
	fprintf(f, ",\"complete\":%s",
		clab_trace_complete(tr) ? "true" : "false");
	jkv_u64(f, "dropped", clab_trace_drops(tr));
	jkv_u64(f, "gaps", clab_trace_gaps(tr));
	if (clab_trace_damage(tr))
		jkv_str(f, "damage", clab_trace_damage(tr));
	else
		fputs(",\"damage\":null", f);
	if (jverdict(f, tr))
		return CLAB_ENOMEM;
	fputs(",\"meta\":", f);
	json_meta(f, tr);
	fputs(",\"threads\":[", f);
	for (uint32_t t = 0; t < clab_trace_nthreads(tr); t++) {
		const struct clab_thread_info *ti = clab_trace_thread(tr, t);
		fprintf(f, "%s{\"tid\":%" PRIu32, t ? "," : "", t);
		jkv_str(f, "name", ti->name);
		jkv_u64(f, "obj", ti->oid);
		jkv_u64(f, "parent", ti->parent);
		fputs("}", f);
	}
	fputs("],\"objects\":[", f);
	for (uint32_t o = 1; o <= clab_trace_nobjects(tr); o++) {
		const struct clab_object_info *oi = clab_trace_object(tr, o);
		if (!oi)
			continue;
		fprintf(f, "%s{\"obj\":%" PRIu32, o > 1 ? "," : "", o);
		jkv_str(f, "kind", clab_objkind_name(oi->kind));
		jkv_str(f, "name", obj_name(tr, o, buf, sizeof(buf)));
		jkv_u64(f, "flags", oi->flags);
		jkv_u64(f, "param", oi->param);
		jkv_u64(f, "tid", oi->tid);
		jsite(f, tr, oi->site, "site", 1);
		fputs("}", f);
	}
	fputs("]}\n", f);
	return 0;
}

static void jsonl_a8(FILE *f, const struct clab_record *r)
{
	const char *name = clab_kind_a8name(r->kind);
	if (strcmp(name, "how") == 0)
		jkv_str(f, name, clab_how_name(r->a8));
	else if (strcmp(name, "cause") == 0)
		jkv_str(f, name, clab_cause_name(r->a8));
	else if (strcmp(name, "op") == 0)
		jkv_str(f, name, clab_qop_name(r->a8));
	else if (name[0])
		fprintf(f, ",\"%s\":%s", name, r->a8 ? "true" : "false");
	else
		jkv_u64(f, "a8", r->a8);
}

static const char *diag_detail_key(unsigned code)
{
	switch (code) {
	case CLAB_D_LOCK_ORDER:
		return "held";
	case CLAB_D_BLOCKED:
		return "waits";
	case CLAB_D_DEADLOCK:
	case CLAB_D_RUN_TIMEOUT:
		return "blocked";
	case CLAB_D_STEP_LIMIT:
		return "steps";
	case CLAB_D_LOCK_CYCLE:
	case CLAB_D_LOCK_CYCLE_TIMED:
	case CLAB_D_LOCK_CYCLE_LATENT:
		return "cycle";
	case CLAB_D_UNLOCK_NOT_OWNER:
		return "owner";
	case CLAB_D_BAD_VALUE:
		return "value";
	default:
		return "detail";
	}
}

static void jsonl_record(FILE *f, const struct clab_trace *tr,
			 const struct clab_record *r)
{
	unsigned fl = clab_kind_fields(r->kind);
	char buf[256];
	fprintf(f, "{\"seq\":%" PRIu64 ",\"ns\":%" PRIu64 ",\"tid\":%" PRIu32,
		r->seq, r->ns, r->tid);
	jkv_str(f, "thread", thread_name(tr, r->tid));
	jkv_str(f, "kind", clab_kind_name(r->kind));
	if (fl & CLAB_F_OBJ && (r->obj || r->kind != CLAB_K_DIAG)) {
		jkv_u64(f, "obj", r->obj);
		jkv_str(f, "object", obj_name(tr, r->obj, buf, sizeof(buf)));
	}
	if (fl & CLAB_F_SEQ)
		jkv_u64(f, "oseq", r->oseq);
	if (r->kind == CLAB_K_NOTE) {
		const struct clab_site_info *si = clab_trace_site(tr, r->site);
		jkv_str(f, "label", si && si->label ? si->label : "");
		fprintf(f, ",\"value\":%" PRId64, r->val);
		jkv_u64(f, "value2", r->a32);
	} else if (r->kind == CLAB_K_DIAG) {
		jkv_str(f, "diag", clab_diag_tag(r->a8));
		jkv_u64(f, diag_detail_key(r->a8), r->a32);
		if (r->a8 == CLAB_D_BAD_OBJECT) {
			jkv_str(f, "why", clab_badobj_name(r->a32 & 0xff));
			jkv_str(f, "want",
				clab_objkind_name(r->a32 >> 8 & 0xff));
			if (r->a32 >> 16 & 0xff)
				jkv_str(f, "found",
					clab_objkind_name(r->a32 >> 16 & 0xff));
		}
	} else {
		if (fl & CLAB_F_A8)
			jsonl_a8(f, r);
		if (fl & CLAB_F_A32) {
			const char *n = clab_kind_a32name(r->kind);
			jkv_u64(f, n[0] ? n : "a32", r->a32);
		}
		if (fl & CLAB_F_VAL)
			fprintf(f, ",\"val\":%" PRId64, r->val);
	}
	jsite(f, tr, r->site, "site", 1);
	fputs("}\n", f);
}

int clab_export_jsonl(const struct clab_trace *tr, FILE *out)
{
	size_t n = clab_trace_nrecords(tr);
	if (jsonl_header(out, tr))
		return CLAB_ENOMEM;
	for (size_t i = 0; i < n && !ferror(out); i++)
		jsonl_record(out, tr, clab_trace_record(tr, i));
	return ferror(out) ? CLAB_EIO : 0;
}

/* ------------------------------------------------------------------ */
/* A strict JSON parser (RFC 8259), for the checks                       */
/* ------------------------------------------------------------------ */

enum { JNULL, JFALSE, JTRUE, JNUM, JSTR, JARR, JOBJ };

struct jv {
	int type;
	size_t off; /* where it starts in the text */
	double num;
	int is_int;
	char *s;	 /* JSTR */
	size_t n, cap;	 /* JARR, JOBJ */
	struct jv *kids; /* elements, or an object's values */
	char **keys;	 /* JOBJ */
};

struct jp {
	const char *p, *start, *end;
	char *err;
	size_t errlen;
	int failed, oom;
};

#define JMAXDEPTH 64

static void jp_fail(struct jp *j, const char *fmt, ...)
{
	va_list ap;
	if (j->failed)
		return;
	j->failed = 1;
	int k = snprintf(j->err, j->errlen,
			 "byte %zu: ", (size_t)(j->p - j->start));
	if (k < 0 || (size_t)k >= j->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(j->err + k, j->errlen - (size_t)k, fmt, ap);
	va_end(ap);
}

static void jv_free(struct jv *v)
{
	if (!v)
		return;
	free(v->s);
	for (size_t i = 0; i < v->n; i++) {
		jv_free(&v->kids[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->kids);
	free(v->keys);
	memset(v, 0, sizeof(*v));
}

static void jp_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
				 *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int hex4(const char *p, uint32_t *out)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* A string at j->p (on the opening quote); returns it unescaped. */
static char *jp_string(struct jp *j)
{
	const char *q = ++j->p;
	size_t cap = 16;
	for (const char *t = q; t < j->end && *t != '"'; t++, cap++)
		if (*t == '\\' && t + 1 < j->end) {
			t++;
			cap++;
		}
	char *o = malloc(cap + 4), *w = o;
	if (!o) {
		j->oom = 1;
		jp_fail(j, "out of memory");
		return NULL;
	}
	while (j->p < j->end) {
		unsigned char c = (unsigned char)*j->p;
		if (c == '"') {
			j->p++;
			*w = 0;
			return o;
		}
		if (c < 0x20) {
			jp_fail(j, "control byte 0x%02x in a string", c);
			break;
		}
		if (c == '\\') {
			if (j->p + 1 >= j->end) {
				jp_fail(j, "unterminated string");
				break;
			}
			char e = j->p[1];
			j->p += 2;
			const char *simple = strchr("\"\\/bfnrt", e);
			if (e && simple) {
				static const char map[] = "\"\\/\b\f\n\r\t";
				*w++ = map[simple - "\"\\/bfnrt"];
				continue;
			}
			if (e != 'u') {
				j->p -= 2;
				jp_fail(j, "bad escape '\\%c'", e);
				break;
			}
			uint32_t cp, lo;
			if (j->end - j->p < 4 || hex4(j->p, &cp)) {
				jp_fail(j, "bad \\u escape");
				break;
			}
			j->p += 4;
			if (cp >= 0xdc00 && cp <= 0xdfff) {
				jp_fail(j, "lone low surrogate \\u%04x", cp);
				break;
			}
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (j->end - j->p < 6 || j->p[0] != '\\' ||
				    j->p[1] != 'u' || hex4(j->p + 2, &lo) ||
				    lo < 0xdc00 || lo > 0xdfff) {
					jp_fail(j, "lone high surrogate");
					break;
				}
				j->p += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     (lo - 0xdc00);
			}
			if (cp == 0) {
				jp_fail(j, "\\u0000 in a string");
				break;
			}
			w += put_utf8(w, cp);
			continue;
		}
		size_t l = utf8_len((const unsigned char *)j->p,
				    (size_t)(j->end - j->p));
		if (l == 0) {
			jp_fail(j, "invalid UTF-8");
			break;
		}
		memcpy(w, j->p, l);
		w += l;
		j->p += l;
	}
	if (!j->failed)
		jp_fail(j, "unterminated string");
	free(o);
	return NULL;
}

static int jp_number(struct jp *j, struct jv *v)
{
	const char *s = j->p;
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p >= j->end || *j->p < '0' || *j->p > '9') {
		jp_fail(j, "bad number");
		return -1;
	}
	if (*j->p == '0') {
		j->p++;
		if (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
			jp_fail(j, "leading zero in a number");
			return -1;
		}
	} else {
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	v->is_int = 1;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		v->is_int = 0;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9') {
			jp_fail(j, "no digits after the decimal point");
			return -1;
		}
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		v->is_int = 0;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9') {
			jp_fail(j, "no digits in the exponent");
			return -1;
		}
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	char tmp[64];
	size_t n = (size_t)(j->p - s);
	if (n >= sizeof(tmp)) {
		/* still a valid number; keep its magnitude roughly */
		v->num = s[0] == '-' ? -1e300 : 1e300;
	} else {
		memcpy(tmp, s, n);
		tmp[n] = 0;
		v->num = strtod(tmp, NULL);
	}
	v->type = JNUM;
	return 0;
}

static int jp_value(struct jp *j, struct jv *v, int depth);

static struct jv *jp_grow(struct jp *j, struct jv *v, int obj)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 4;
		struct jv *k = realloc(v->kids, cap * sizeof(*k));
		if (!k) {
			j->oom = 1;
			jp_fail(j, "out of memory");
			return NULL;
		}
		v->kids = k;
		if (obj) {
			char **keys = realloc(v->keys, cap * sizeof(*keys));
			if (!keys) {
				j->oom = 1;
				jp_fail(j, "out of memory");
				return NULL;
			}
			v->keys = keys;
		}
		v->cap = cap;
	}
	struct jv *k = &v->kids[v->n];
	memset(k, 0, sizeof(*k));
	if (obj)
		v->keys[v->n] = NULL;
	v->n++;
	return k;
}

static int jp_container(struct jp *j, struct jv *v, int depth, int obj)
{
	char close = obj ? '}' : ']';
	v->type = obj ? JOBJ : JARR;
	j->p++;
	jp_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return 0;
	}
	for (;;) {
		char *key = NULL;
		jp_ws(j);
		if (obj) {
			if (j->p >= j->end || *j->p != '"') {
				jp_fail(j, "expected a key string");
				return -1;
			}
			key = jp_string(j);
			if (!key)
				return -1;
			for (size_t i = 0; i < v->n; i++)
				if (strcmp(v->keys[i], key) == 0) {
					jp_fail(j, "duplicate key \"%s\"", key);
					free(key);
					return -1;
				}
			jp_ws(j);
			if (j->p >= j->end || *j->p != ':') {
				free(key);
				jp_fail(j, "expected ':'");
				return -1;
			}
			j->p++;
		}
		struct jv *k = jp_grow(j, v, obj);
		if (!k) {
			free(key);
			return -1;
		}
		if (obj)
			v->keys[v->n - 1] = key;
		if (jp_value(j, k, depth + 1))
			return -1;
		jp_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			jp_ws(j);
			if (j->p < j->end && *j->p == close) {
				jp_fail(j, "trailing comma");
				return -1;
			}
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			return 0;
		}
		jp_fail(j, obj ? "expected ',' or '}'" : "expected ',' or ']'");
		return -1;
	}
}

static int jp_value(struct jp *j, struct jv *v, int depth)
{
	jp_ws(j);
	v->off = (size_t)(j->p - j->start);
	if (depth > JMAXDEPTH) {
		jp_fail(j, "nested more than %d deep", JMAXDEPTH);
		return -1;
	}
	if (j->p >= j->end) {
		jp_fail(j, "unexpected end of the text");
		return -1;
	}
	switch (*j->p) {
	case '{':
		return jp_container(j, v, depth, 1);
	case '[':
		return jp_container(j, v, depth, 0);
	case '"':
		v->type = JSTR;
		v->s = jp_string(j);
		return v->s ? 0 : -1;
	case 't':
	case 'f':
	case 'n': {
		static const char *const lit[] = {"true", "false", "null"};
		static const int type[] = {JTRUE, JFALSE, JNULL};
		for (int i = 0; i < 3; i++) {
			size_t l = strlen(lit[i]);
			if ((size_t)(j->end - j->p) >= l &&
			    memcmp(j->p, lit[i], l) == 0) {
				j->p += l;
				v->type = type[i];
				return 0;
			}
		}
		jp_fail(j, "unexpected character '%c'", *j->p);
		return -1;
	}
	default:
		if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9'))
			return jp_number(j, v);
		if ((unsigned char)*j->p >= 0x20 && (unsigned char)*j->p < 0x7f)
			jp_fail(j, "unexpected character '%c'", *j->p);
		else
			jp_fail(j, "unexpected byte 0x%02x",
				(unsigned char)*j->p);
		return -1;
	}
}

/* Parse the whole of [s, e) as one value; 0, CLAB_EBADMSG or CLAB_ENOMEM. */
static int jparse(const char *s, const char *e, size_t base, struct jv *v,
		  char *err, size_t errlen)
{
	struct jp j = {s, s - base, e, err, errlen, 0, 0};
	memset(v, 0, sizeof(*v));
	if (jp_value(&j, v, 0) == 0) {
		jp_ws(&j);
		if (j.p != e)
			jp_fail(&j, "text after the JSON value");
	}
	if (j.failed) {
		jv_free(v);
		return j.oom ? CLAB_ENOMEM : CLAB_EBADMSG;
	}
	return 0;
}

static const struct jv *jget(const struct jv *o, const char *key)
{
	if (!o || o->type != JOBJ)
		return NULL;
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->keys[i], key) == 0)
			return &o->kids[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The chrome checks                                                    */
/* ------------------------------------------------------------------ */

/* One event, with what the checks need. */
struct cev {
	size_t index; /* in traceEvents */
	char ph;
	int64_t ts, dur; /* nanoseconds */
	uint32_t pid, tid;
	const char *name, *cat, *ids, *bp, *scope;
	int has_id, id_is_num;
	char idbuf[32]; /* a numeric id, as text */
};

/* The id as text (the events move when sorted: no pointer into one). */
static const char *cid(const struct cev *e)
{
	return !e->has_id ? "" : e->id_is_num ? e->idbuf : e->ids;
}

struct span {
	int64_t b, e;
	size_t index;
	int instant;
};

static int err_at(char *err, size_t errlen, size_t index, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int err_at(char *err, size_t errlen, size_t index, const char *fmt, ...)
{
	va_list ap;
	int k = snprintf(err, errlen, "traceEvents[%zu]: ", index);
	if (k >= 0 && (size_t)k < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + k, errlen - (size_t)k, fmt, ap);
		va_end(ap);
	}
	return CLAB_EBADMSG;
}

static int64_t to_ns(double us)
{
	double v = us * 1000.0; /* rounded as Perfetto does (llround) */
	return (int64_t)(v >= 0 ? v + 0.5 : v - 0.5);
}

static int get_uint(const struct jv *v, uint32_t *out)
{
	if (!v || v->type != JNUM || !v->is_int || v->num < 0 ||
	    v->num > 4294967295.0)
		return -1;
	*out = (uint32_t)v->num;
	return 0;
}

static int cev_cmp_track(const struct cev *a, const struct cev *b)
{
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	if (a->tid != b->tid)
		return a->tid < b->tid ? -1 : 1;
	return 0;
}

static int span_cmp(const void *pa, const void *pb)
{
	const struct span *a = pa, *b = pb;
	if (a->b != b->b)
		return a->b < b->b ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

static int str_eq(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/* Is phase ph drawn on the thread's own track? */
static int on_thread_track(const struct cev *e)
{
	switch (e->ph) {
	case 'X':
	case 'B':
	case 'E':
	case 's':
	case 't':
	case 'f':
		return 1;
	case 'i':
	case 'I':
		return !e->scope || strcmp(e->scope, "t") == 0;
	default:
		return 0;
	}
}

static int same_async(const struct cev *a, const struct cev *b)
{
	return a->pid == b->pid && str_eq(a->cat, b->cat) &&
	       str_eq(cid(a), cid(b)) && str_eq(a->name, b->name);
}

/*
 * The per-thread rules: timestamps in file order, B/E balanced, every
 * slice nested in or disjoint from the others, and a slice for every
 * flow end to bind to.  ev holds one thread's events in file order.
 */
static int check_thread(const struct cev *ev, size_t n, char *err,
			size_t errlen)
{
	struct span *sp = malloc((n + 1) * sizeof(*sp));
	size_t *open = malloc((n + 1) * sizeof(*open));
	size_t nsp = 0, nopen = 0;
	int rc = 0;

	if (!sp || !open) {
		free(sp);
		free(open);
		return CLAB_ENOMEM;
	}
	for (size_t i = 0; i < n && !rc; i++) {
		const struct cev *e = &ev[i];
		if (i > 0 && e->ts < ev[i - 1].ts)
			rc = err_at(err, errlen, e->index,
				    "ts goes back on its thread (tid %" PRIu32
				    ") in file order",
				    e->tid);
		else if (e->ph == 'X' || e->ph == 'i' || e->ph == 'I')
			sp[nsp++] = (struct span){e->ts, e->ts + e->dur,
						  e->index, e->ph != 'X'};
		else if (e->ph == 'B')
			open[nopen++] = i;
		else if (e->ph == 'E') {
			if (nopen == 0) {
				rc = err_at(err, errlen, e->index,
					    "E without a B on tid %" PRIu32,
					    e->tid);
				break;
			}
			const struct cev *b = &ev[open[--nopen]];
			if (e->name && b->name && !str_eq(e->name, b->name))
				rc = err_at(err, errlen, e->index,
					    "E \"%s\" closes B \"%s\"", e->name,
					    b->name);
			sp[nsp++] = (struct span){b->ts, e->ts, b->index, 0};
		}
	}
	if (!rc && nopen > 0)
		rc = err_at(err, errlen, ev[open[nopen - 1]].index,
			    "B never ended");
	if (!rc) {
		qsort(sp, nsp, sizeof(*sp), span_cmp);
		/* a stack of enclosing spans: [b, e), instants stack freely */
		nopen = 0;
		for (size_t i = 0; i < nsp && !rc; i++) {
			while (nopen > 0) {
				const struct span *t = &sp[open[nopen - 1]];
				if (t->e < sp[i].b ||
				    (t->e == sp[i].b &&
				     !(t->e == t->b && sp[i].e == sp[i].b)))
					nopen--;
				else
					break;
			}
			if (nopen > 0 && sp[i].e > sp[open[nopen - 1]].e) {
				const struct span *t = &sp[open[nopen - 1]];
				rc = err_at(
				    err, errlen, sp[i].index,
				    "overlaps traceEvents[%zu] on its "
				    "thread without nesting in it (%" PRId64
				    "..%" PRId64 " ns vs %" PRId64 "..%" PRId64
				    " ns)",
				    t->index, sp[i].b, sp[i].e, t->b, t->e);
				break;
			}
			open[nopen++] = i;
		}
	}
	/* every flow end binds to a slice of its thread */
	for (size_t i = 0; i < n && !rc; i++) {
		const struct cev *e = &ev[i];
		int enclosing = e->ph == 's' || e->ph == 't' ||
				(e->ph == 'f' && e->bp && !strcmp(e->bp, "e"));
		if (e->ph != 's' && e->ph != 't' && e->ph != 'f')
			continue;
		int found = 0;
		for (size_t k = 0; k < nsp && !found; k++) {
			if (enclosing)
				found = sp[k].b <= e->ts && e->ts <= sp[k].e;
			else
				found = sp[k].b >= e->ts;
		}
		if (!found)
			rc = err_at(err, errlen, e->index,
				    "flow '%c' id %s has no slice on its "
				    "thread to bind to",
				    e->ph, cid(e));
	}
	free(sp);
	free(open);
	return rc;
}

static int track_cmp(const void *pa, const void *pb)
{
	const struct cev *a = pa, *b = pb;
	int c = cev_cmp_track(a, b);
	if (c)
		return c;
	return a->index < b->index ? -1 : a->index > b->index;
}

static int async_cmp(const void *pa, const void *pb)
{
	const struct cev *a = pa, *b = pb;
	int c;
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	if ((c = strcmp(a->cat ? a->cat : "", b->cat ? b->cat : "")))
		return c;
	if ((c = strcmp(cid(a), cid(b))))
		return c;
	if ((c = strcmp(a->name ? a->name : "", b->name ? b->name : "")))
		return c;
	return a->index < b->index ? -1 : a->index > b->index;
}

static int flow_cmp(const void *pa, const void *pb)
{
	const struct cev *a = pa, *b = pb;
	int c;
	if ((c = strcmp(a->cat ? a->cat : "", b->cat ? b->cat : "")))
		return c;
	if ((c = strcmp(cid(a), cid(b))))
		return c;
	if ((c = strcmp(a->name ? a->name : "", b->name ? b->name : "")))
		return c;
	return a->index < b->index ? -1 : a->index > b->index;
}

static int check_events(struct cev *ev, size_t n, char *err, size_t errlen)
{
	int rc = 0;
	/* per thread */
	qsort(ev, n, sizeof(*ev), track_cmp);
	struct cev *th = malloc((n + 1) * sizeof(*th));
	if (!th)
		return CLAB_ENOMEM;
	for (size_t i = 0; i < n && !rc;) {
		size_t k = i, m = 0;
		while (k < n && cev_cmp_track(&ev[k], &ev[i]) == 0) {
			if (on_thread_track(&ev[k]))
				th[m++] = ev[k];
			k++;
		}
		rc = check_thread(th, m, err, errlen);
		i = k;
	}
	free(th);
	if (rc)
		return rc;
	/* async tracks: b opens, e closes, in time order, nothing left */
	qsort(ev, n, sizeof(*ev), async_cmp);
	for (size_t i = 0; i < n && !rc;) {
		if (ev[i].ph != 'b' && ev[i].ph != 'e' && ev[i].ph != 'n') {
			i++;
			continue;
		}
		size_t k = i, depth = 0;
		int64_t last = INT64_MIN;
		while (k < n && same_async(&ev[k], &ev[i]) && !rc) {
			const struct cev *e = &ev[k++];
			if (e->ph != 'b' && e->ph != 'e' && e->ph != 'n')
				continue;
			if (e->ts < last)
				rc = err_at(err, errlen, e->index,
					    "ts goes back on async track "
					    "\"%s\" id %s",
					    e->name, cid(e));
			last = e->ts;
			if (e->ph == 'b')
				depth++;
			else if (e->ph == 'e' && depth == 0)
				rc = err_at(err, errlen, e->index,
					    "async end without a begin "
					    "(\"%s\" id %s)",
					    e->name, cid(e));
			else if (e->ph == 'e')
				depth--;
		}
		if (!rc && depth)
			rc = err_at(err, errlen, ev[k - 1].index,
				    "async \"%s\" id %s never ended",
				    ev[i].name, cid(&ev[i]));
		i = k;
	}
	if (rc)
		return rc;
	/* flows: one start, one end, in time and file order */
	qsort(ev, n, sizeof(*ev), flow_cmp);
	for (size_t i = 0; i < n && !rc;) {
		if (ev[i].ph != 's' && ev[i].ph != 'f' && ev[i].ph != 't') {
			i++;
			continue;
		}
		size_t k = i, ns = 0, nf = 0;
		const struct cev *s = NULL, *f = NULL;
		while (k < n && str_eq(ev[k].cat, ev[i].cat) &&
		       str_eq(cid(&ev[k]), cid(&ev[i])) &&
		       str_eq(ev[k].name, ev[i].name)) {
			if (ev[k].ph == 's') {
				ns++;
				s = &ev[k];
			} else if (ev[k].ph == 'f') {
				nf++;
				f = &ev[k];
			}
			k++;
		}
		if (ns != 1 || nf != 1)
			rc = err_at(err, errlen, ev[i].index,
				    "flow \"%s\" cat \"%s\" id %s has %zu "
				    "start(s) and %zu end(s), not one of each",
				    ev[i].name, ev[i].cat, cid(&ev[i]), ns, nf);
		else if (f->ts < s->ts || f->index < s->index)
			rc = err_at(err, errlen, f->index,
				    "flow id %s ends before it starts "
				    "(traceEvents[%zu])",
				    cid(f), s->index);
		i = k;
	}
	return rc;
}

static int check_chrome_doc(const struct jv *doc, struct clab_export_check *st,
			    char *err, size_t errlen)
{
	const struct jv *evs = jget(doc, "traceEvents"), *u, *md;
	if (doc->type != JOBJ || !evs || evs->type != JARR) {
		snprintf(err, errlen,
			 "not a JSON object with a traceEvents "
			 "array");
		return CLAB_EBADMSG;
	}
	u = jget(doc, "displayTimeUnit");
	if (u &&
	    (u->type != JSTR || (strcmp(u->s, "ms") && strcmp(u->s, "ns")))) {
		snprintf(err, errlen,
			 "displayTimeUnit is not \"ms\" or \"ns\"");
		return CLAB_EBADMSG;
	}
	md = jget(doc, "metadata");
	if (md && md->type != JOBJ) {
		snprintf(err, errlen, "metadata is not an object");
		return CLAB_EBADMSG;
	}
	size_t n = evs->n, nc = 0;
	struct cev *ev = calloc(n + 1, sizeof(*ev));
	struct {
		uint32_t pid, tid;
	} *named = calloc(n + 1, sizeof(*named));
	size_t nnamed = 0;
	int rc = 0;
	if (!ev || !named) {
		free(ev);
		free(named);
		return CLAB_ENOMEM;
	}
	for (size_t i = 0; i < n && !rc; i++) {
		const struct jv *o = &evs->kids[i], *v;
		struct cev *e = &ev[nc];
		if (o->type != JOBJ) {
			rc = err_at(err, errlen, i, "not an object");
			break;
		}
		e->index = i;
		v = jget(o, "ph");
		if (!v || v->type != JSTR || strlen(v->s) != 1 ||
		    !strchr("XBEbeniIstfMC", v->s[0])) {
			rc = err_at(err, errlen, i, "no known \"ph\"");
			break;
		}
		e->ph = v->s[0];
		v = jget(o, "name");
		if (!v || v->type != JSTR) {
			rc = err_at(err, errlen, i, "no \"name\" string");
			break;
		}
		e->name = v->s;
		v = jget(o, "cat");
		if (v && v->type != JSTR) {
			rc = err_at(err, errlen, i, "\"cat\" is not a string");
			break;
		}
		e->cat = v ? v->s : NULL;
		if (get_uint(jget(o, "pid"), &e->pid) ||
		    get_uint(jget(o, "tid"), &e->tid)) {
			rc = err_at(err, errlen, i,
				    "\"pid\" and \"tid\" must be whole "
				    "numbers >= 0");
			break;
		}
		v = jget(o, "ts");
		if (!v || v->type != JNUM || v->num < 0) {
			rc = err_at(err, errlen, i, "no \"ts\" number >= 0");
			break;
		}
		e->ts = to_ns(v->num);
		v = jget(o, "dur");
		if (e->ph == 'X' && (!v || v->type != JNUM || v->num < 0)) {
			rc = err_at(err, errlen, i,
				    "X event without a \"dur\" >= 0");
			break;
		}
		e->dur = e->ph == 'X' ? to_ns(v->num) : 0;
		v = jget(o, "id");
		if (v && v->type == JSTR) {
			e->ids = v->s;
			e->has_id = 1;
		} else if (v && v->type == JNUM && v->is_int) {
			snprintf(e->idbuf, sizeof(e->idbuf), "%.0f", v->num);
			e->has_id = e->id_is_num = 1;
		} else if (v) {
			rc = err_at(err, errlen, i,
				    "\"id\" is not a string "
				    "or a whole number");
			break;
		}
		if (strchr("bensft", e->ph) && (!e->has_id || !e->cat)) {
			rc = err_at(err, errlen, i,
				    "'%c' event without an \"id\" and a "
				    "\"cat\"",
				    e->ph);
			break;
		}
		v = jget(o, "bp");
		if (v && (v->type != JSTR || strcmp(v->s, "e"))) {
			rc = err_at(err, errlen, i, "\"bp\" is not \"e\"");
			break;
		}
		e->bp = v ? v->s : NULL;
		v = jget(o, "s");
		if ((e->ph == 'i' || e->ph == 'I') && v &&
		    (v->type != JSTR || !strchr("tpg", v->s[0]) ||
		     strlen(v->s) != 1)) {
			rc = err_at(err, errlen, i,
				    "instant scope \"s\" is "
				    "not \"t\", \"p\" or \"g\"");
			break;
		}
		e->scope = v && v->type == JSTR ? v->s : NULL;
		v = jget(o, "args");
		if (v && v->type != JOBJ) {
			rc =
			    err_at(err, errlen, i, "\"args\" is not an object");
			break;
		}
		if (v && jget(v, "unfinished") &&
		    jget(v, "unfinished")->type == JTRUE && st)
			st->unfinished++;
		if (e->ph == 'M') {
			if (strcmp(e->name, "thread_name") == 0 ||
			    strcmp(e->name, "process_name") == 0) {
				const struct jv *nm = jget(v, "name");
				if (!nm || nm->type != JSTR) {
					rc = err_at(err, errlen, i,
						    "%s without args.name",
						    e->name);
					break;
				}
			}
			if (strcmp(e->name, "thread_name") == 0) {
				named[nnamed].pid = e->pid;
				named[nnamed++].tid = e->tid;
				if (st)
					st->threads++;
			}
			continue;
		}
		if (st) {
			st->slices += e->ph == 'X';
			st->asyncs += e->ph == 'b';
			st->instants += e->ph == 'i' || e->ph == 'I';
			st->flows += e->ph == 's';
		}
		nc++;
	}
	/* every thread that has events has a name */
	for (size_t i = 0; i < nc && !rc; i++) {
		int found = 0;
		if (!on_thread_track(&ev[i]))
			continue;
		for (size_t k = 0; k < nnamed && !found; k++)
			found = named[k].pid == ev[i].pid &&
				named[k].tid == ev[i].tid;
		if (!found)
			rc = err_at(err, errlen, ev[i].index,
				    "tid %" PRIu32 " has no thread_name",
				    ev[i].tid);
	}
	if (!rc)
		rc = check_events(ev, nc, err, errlen);
	if (st)
		st->events = n;
	free(ev);
	free(named);
	return rc;
}

int clab_export_check_chrome(const char *text, size_t len,
			     struct clab_export_check *st, char *err,
			     size_t errlen)
{
	struct jv doc;
	char dummy[8];
	if (!err || errlen == 0) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = 0;
	if (st)
		memset(st, 0, sizeof(*st));
	int rc = jparse(text, text + len, 0, &doc, err, errlen);
	if (rc)
		return rc;
	rc = check_chrome_doc(&doc, st, err, errlen);
	jv_free(&doc);
	return rc;
}

int clab_export_check_jsonl(const char *text, size_t len,
			    struct clab_export_check *st, char *err,
			    size_t errlen)
{
	const char *p = text, *end = text + len;
	size_t line = 0;
	uint64_t nrec = 0;
	int rc = 0;
	char dummy[8];
	if (!err || errlen == 0) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = 0;
	if (st)
		memset(st, 0, sizeof(*st));
	if (len == 0 || text[len - 1] != '\n') {
		snprintf(err, errlen, "empty, or the last line has no newline");
		return CLAB_EBADMSG;
	}
	while (p < end && !rc) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct jv v;
		char e2[256];
		line++;
		rc = jparse(p, nl, (size_t)(p - text), &v, e2, sizeof(e2));
		if (rc) {
			snprintf(err, errlen, "line %zu: %s", line, e2);
			break;
		}
		if (v.type != JOBJ) {
			snprintf(err, errlen, "line %zu: not a JSON object",
				 line);
			rc = CLAB_EBADMSG;
		} else if (line == 1) {
			const struct jv *t = jget(&v, "type");
			const struct jv *r = jget(&v, "records");
			if (!t || t->type != JSTR || strcmp(t->s, "trace") ||
			    !jget(&v, "format") || !jget(&v, "threads") ||
			    !jget(&v, "objects") || !r || r->type != JNUM) {
				snprintf(err, errlen,
					 "line 1: not a conclab header "
					 "(type, format, records, threads, "
					 "objects)");
				rc = CLAB_EBADMSG;
			} else {
				nrec = (uint64_t)r->num;
			}
		} else {
			const struct jv *s = jget(&v, "seq");
			const struct jv *k = jget(&v, "kind");
			if (!s || s->type != JNUM || !s->is_int ||
			    s->num != (double)(line - 2) || !k ||
			    k->type != JSTR || !jget(&v, "ns") ||
			    !jget(&v, "tid")) {
				snprintf(err, errlen,
					 "line %zu: not record %zu (seq, ns, "
					 "tid, kind)",
					 line, line - 2);
				rc = CLAB_EBADMSG;
			}
		}
		jv_free(&v);
		p = nl + 1;
	}
	if (!rc && line - 1 != nrec) {
		snprintf(err, errlen,
			 "%zu record lines, the header says %" PRIu64, line - 1,
			 nrec);
		rc = CLAB_EBADMSG;
	}
	if (st) {
		st->events = line;
		st->records = line ? line - 1 : 0;
	}
	return rc;
}
