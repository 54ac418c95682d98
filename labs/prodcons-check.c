/*
 * The prodcons lab's checker (prodcons.c): every item made is taken once,
 * in the buffer's order, never from an empty buffer; an exercise's buffer
 * is judged by what its buf_get() returned.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "prodcons-int.h"

struct ev {
	uint64_t pos; /* where the item entered or left the buffer */
	uint64_t seq; /* the note */
	int64_t id;
	uint32_t who; /* producer or consumer index */
	uint32_t tid;
	int put;
};

static int ev_cmp(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;

	if (x->pos != y->pos)
		return x->pos < y->pos ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static const char *note_label(const struct clab_trace *tr,
			      const struct clab_record *r)
{
	const struct clab_site_info *si = clab_trace_site(tr, r->site);

	return si != NULL ? si->label : NULL;
}

/*
 * Collect the put and get notes.  For the queue variants each note is
 * moved to its queue record: a "put" to the same thread's next queue.put,
 * a "get" to the same thread's last queue.get.
 */
static struct ev *collect(const struct clab_trace *tr, int queued, size_t *nev)
{
	size_t nrec = clab_trace_nrecords(tr), n = 0, cap = 64;
	uint32_t nthr = clab_trace_nthreads(tr);
	struct ev *ev = malloc(cap * sizeof(*ev));
	size_t *pending = calloc((size_t)nthr + 1, sizeof(*pending));
	uint64_t *lastget = calloc((size_t)nthr + 1, sizeof(*lastget));

	if (ev == NULL || pending == NULL || lastget == NULL)
		goto fail;
	for (size_t i = 0; i < nrec; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		const char *label;
		int put;

		if (r->tid >= nthr)
			continue;
		if (queued && r->kind == CLAB_K_QUEUE_PUT) {
			if (pending[r->tid] != 0)
				ev[pending[r->tid] - 1].pos = r->seq;
			pending[r->tid] = 0;
			continue;
		}
		if (queued && r->kind == CLAB_K_QUEUE_GET) {
			lastget[r->tid] = r->seq + 1;
			continue;
		}
		if (r->kind != CLAB_K_NOTE)
			continue;
		label = note_label(tr, r);
		if (label == NULL)
			continue;
		if (strcmp(label, "put") == 0)
			put = 1;
		else if (strcmp(label, "get") == 0)
			put = 0;
		else
			continue;
		if (n == cap) {
			struct ev *ne = realloc(ev, 2 * cap * sizeof(*ev));
			if (ne == NULL)
				goto fail;
			ev = ne;
			cap *= 2;
		}
		ev[n].pos = ev[n].seq = r->seq;
		ev[n].id = r->val;
		ev[n].who = r->a32;
		ev[n].tid = r->tid;
		ev[n].put = put;
		if (queued && put) {
			/* until its queue.put is seen, it is not in */
			ev[n].pos = UINT64_MAX;
			pending[r->tid] = n + 1;
		} else if (queued && lastget[r->tid] != 0) {
			ev[n].pos = lastget[r->tid] - 1;
			lastget[r->tid] = 0;
		}
		n++;
	}
	free(pending);
	free(lastget);
	qsort(ev, n, sizeof(*ev), ev_cmp);
	*nev = n;
	return ev;
fail:
	free(ev);
	free(pending);
	free(lastget);
	return NULL;
}

/* The last record of the thread called prefix<i>, or UINT64_MAX. */
static uint64_t last_rec_of(const struct clab_trace *tr, long i)
{
	uint32_t tid = UINT32_MAX;

	for (uint32_t t = 0; t < clab_trace_nthreads(tr); t++)
		if (clab_lab_thread_index(tr, t, "producer", "prod-", i + 1) ==
		    i)
			tid = t;
	if (tid == UINT32_MAX)
		return UINT64_MAX;
	for (size_t k = clab_trace_nrecords(tr); k-- > 0;)
		if (clab_trace_record(tr, k)->tid == tid)
			return clab_trace_record(tr, k)->seq;
	return UINT64_MAX;
}

struct item_state {
	uint64_t put_seq; /* + 1; 0 = never put */
	uint64_t get_seq; /* + 1 */
	long rank;	  /* position in its producer's put order */
	int gets;
	int producer;
};

/* What the checker found, with the first instance of each problem. */
struct tally {
	const struct clab_trace *tr;
	struct item_state *st;
	long total, nprod, cap;
	long *puts;	 /* items put, per producer */
	long *last_rank; /* rank of the producer's last item taken */
	long depth, maxdepth;
	long nunknown, nempty, ntwice, nlost, nfifo;
	uint64_t depth_rec, empty_rec, twice_rec, lost_rec, fifo_rec;
	char depth_msg[160], empty_msg[120], twice_msg[120];
	char lost_msg[120], fifo_msg[160];
};

static void on_put(struct tally *t, const struct ev *e)
{
	struct item_state *it =
	    e->id >= 1 && e->id <= t->total ? &t->st[e->id] : NULL;

	t->depth++;
	if (it == NULL || it->put_seq != 0 || e->who >= (uint32_t)t->nprod) {
		t->nunknown++;
		return;
	}
	it->put_seq = e->seq + 1;
	it->producer = (int)e->who;
	it->rank = t->puts[e->who]++;
}

static void on_get(struct tally *t, const struct ev *e)
{
	struct item_state *it =
	    e->id >= 1 && e->id <= t->total ? &t->st[e->id] : NULL;
	const char *who = clab_trace_thread_label(t->tr, e->tid);
	unsigned long long seq = e->seq;

	t->depth--;
	if (it == NULL || it->put_seq == 0) {
		if (t->nempty++ > 0)
			return;
		t->empty_rec = e->seq;
		snprintf(t->empty_msg, sizeof(t->empty_msg),
			 "%s took %s (seq %llu)", who,
			 e->id == 0 ? "an empty slot" : "an item never put",
			 seq);
		return;
	}
	if (it->gets++ > 0) {
		if (t->ntwice++ > 0)
			return;
		t->twice_rec = e->seq;
		snprintf(t->twice_msg, sizeof(t->twice_msg),
			 "item %lld taken again by %s (seq %llu, first at "
			 "seq %llu)",
			 (long long)e->id, who, seq,
			 (unsigned long long)(it->get_seq - 1));
		return;
	}
	it->get_seq = e->seq + 1;
	if (it->rank >= t->last_rank[it->producer]) {
		t->last_rank[it->producer] = it->rank;
		return;
	}
	if (t->nfifo++ > 0)
		return;
	t->fifo_rec = e->seq;
	snprintf(t->fifo_msg, sizeof(t->fifo_msg),
		 "prod-%d's item %lld taken by %s (seq %llu) after a later "
		 "item of the same producer",
		 it->producer, (long long)e->id, who, seq);
}

/* ---- an exercise's buffer, judged by what buf_get() returned ---- */

/* Values a thread noted with "get" and not yet matched by a "took". */
struct fifo {
	int64_t *v;
	size_t head, n, cap;
};

static int fifo_push(struct fifo *f, int64_t v)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 8;
		int64_t *nv = realloc(f->v, cap * sizeof(*nv));
		if (nv == NULL)
			return -1;
		f->v = nv;
		f->cap = cap;
	}
	f->v[f->n++] = v;
	return 0;
}

struct returns {
	const struct clab_trace *tr;
	long total, items, nprod, ncons;
	uint32_t nthr, nobj;
	uint32_t *owner;   /* per mutex: tid + 1 */
	uint32_t *held;	   /* per thread: mutexes held */
	long *puts;	   /* per thread: "put" notes */
	long *last;	   /* per consumer and producer: the rank last taken */
	int *count;	   /* per item: times returned */
	struct fifo *gets; /* per thread */
	long nunsync, nmismatch, nbad, norder;
	uint64_t unsync_rec, mismatch_rec, bad_rec, order_rec;
	char unsync_msg[160], mismatch_msg[160], bad_msg[120], order_msg[160];
};

static void note_unsync(struct returns *x, const struct clab_record *r,
			const char *label)
{
	if (x->nunsync++ > 0)
		return;
	x->unsync_rec = r->seq;
	snprintf(x->unsync_msg, sizeof(x->unsync_msg),
		 "%s noted \"%s\" %lld holding no conclab mutex",
		 clab_trace_thread_label(x->tr, r->tid), label,
		 (long long)r->val);
}

static void mismatch(struct returns *x, const struct clab_record *r,
		     const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void mismatch(struct returns *x, const struct clab_record *r,
		     const char *fmt, ...)
{
	char what[120];
	va_list ap;

	if (x->nmismatch++ > 0)
		return;
	x->mismatch_rec = r->seq;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(x->mismatch_msg, sizeof(x->mismatch_msg), "%s %s",
		 clab_trace_thread_label(x->tr, r->tid), what);
}

static void on_record(struct returns *x, const struct clab_record *r)
{
	uint32_t t = r->tid;
	const char *label;

	if (r->obj != 0 && r->obj <= x->nobj &&
	    r->kind == CLAB_K_MUTEX_ACQUIRE && x->owner[r->obj] != t + 1) {
		x->owner[r->obj] = t + 1;
		x->held[t]++;
		return;
	}
	if (r->obj != 0 && r->obj <= x->nobj &&
	    r->kind == CLAB_K_MUTEX_RELEASE && r->a32 == 0 &&
	    x->owner[r->obj] == t + 1) {
		x->owner[r->obj] = 0;
		x->held[t]--;
		return;
	}
	if (r->kind != CLAB_K_NOTE)
		return;
	label = clab_lab_note_label(x->tr, r);
	if (label != NULL &&
	    (strcmp(label, "put") == 0 || strcmp(label, "get") == 0)) {
		int prod = clab_lab_thread_index(x->tr, t, "producer", "prod-",
						 x->nprod);
		if (x->held[t] == 0)
			note_unsync(x, r, label);
		if (label[0] == 'g') {
			if (fifo_push(&x->gets[t], r->val) != 0)
				x->nmismatch++;
		} else if (prod < 0) {
			mismatch(x, r, "noted \"put\" %lld in no producer",
				 (long long)r->val);
		} else if (r->val != prod * x->items + x->puts[t] + 1) {
			mismatch(x, r,
				 "noted \"put\" %lld where the harness put "
				 "%lld",
				 (long long)r->val,
				 (long long)(prod * x->items + x->puts[t] + 1));
		}
		if (label[0] == 'p')
			x->puts[t]++;
		return;
	}
	label = clab_lab_harness_label(x->tr, r);
	if (label == NULL || strcmp(label, "took") != 0)
		return;
	/* what buf_get() returned, in consumer t */
	struct fifo *f = &x->gets[t];
	if (f->head == f->n)
		mismatch(x, r,
			 "got %lld from buf_get() with no \"get\" noted "
			 "for it",
			 (long long)r->val);
	else if (f->v[f->head++] != r->val)
		mismatch(x, r,
			 "got %lld from buf_get(), which noted \"get\" %lld",
			 (long long)r->val, (long long)f->v[f->head - 1]);
	if (r->val < 1 || r->val > x->total) {
		if (x->nbad++ == 0) {
			x->bad_rec = r->seq;
			snprintf(x->bad_msg, sizeof(x->bad_msg),
				 "%s's buf_get() returned %lld, which no "
				 "producer put",
				 clab_trace_thread_label(x->tr, t),
				 (long long)r->val);
		}
		return;
	}
	if (x->count[r->val]++ > 0) {
		if (x->nbad++ == 0) {
			x->bad_rec = r->seq;
			snprintf(x->bad_msg, sizeof(x->bad_msg),
				 "%s's buf_get() returned item %lld again",
				 clab_trace_thread_label(x->tr, t),
				 (long long)r->val);
		}
		return;
	}
	/* a producer's items come out of one consumer in their order */
	long p = (long)((r->val - 1) / x->items),
	     k = (long)((r->val - 1) % x->items);
	int c = clab_lab_thread_index(x->tr, t, "consumer", "cons-", x->ncons);
	if (c < 0)
		return;
	long *last = &x->last[(size_t)c * (size_t)x->nprod + (size_t)p];
	if (k >= *last) {
		*last = k;
		return;
	}
	if (x->norder++ == 0) {
		x->order_rec = r->seq;
		snprintf(x->order_msg, sizeof(x->order_msg),
			 "cons-%d's buf_get() returned prod-%ld's item %lld "
			 "after its later item %lld",
			 c, p, (long long)r->val,
			 (long long)(p * x->items + *last + 1));
	}
}

static void check_returns(const struct clab_trace *tr,
			  const struct clab_lab_ctx *ctx,
			  struct clab_lab_report *rep)
{
	struct returns x;
	size_t nrec = clab_trace_nrecords(tr);

	memset(&x, 0, sizeof(x));
	x.tr = tr;
	x.items = ctx->param[P_ITEMS];
	x.nprod = ctx->param[P_PROD];
	x.ncons = ctx->param[P_CONS];
	x.total = x.nprod * x.items;
	x.nthr = clab_trace_nthreads(tr);
	x.nobj = clab_trace_nobjects(tr);
	x.owner = calloc((size_t)x.nobj + 1, sizeof(*x.owner));
	x.held = calloc((size_t)x.nthr + 1, sizeof(*x.held));
	x.puts = calloc((size_t)x.nthr + 1, sizeof(*x.puts));
	x.gets = calloc((size_t)x.nthr + 1, sizeof(*x.gets));
	x.count = calloc((size_t)x.total + 1, sizeof(*x.count));
	x.last = malloc((size_t)(x.ncons * x.nprod + 1) * sizeof(*x.last));
	if (!x.owner || !x.held || !x.puts || !x.gets || !x.count || !x.last) {
		clab_lab_report_add(rep, "checker", 0, UINT64_MAX,
				    "out of memory");
		goto out;
	}
	for (long i = 0; i < x.ncons * x.nprod; i++)
		x.last[i] = -1;
	for (size_t i = 0; i < nrec; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		if (r->tid < x.nthr)
			on_record(&x, r);
	}
	long never = 0, first = 0;
	for (long id = x.total; id >= 1; id--)
		if (x.count[id] == 0) {
			never++;
			first = id;
		}
	/* a "get" noted whose buf_get() had not returned yet when the run
	 * stopped: a disagreement only if the run went on to its end */
	long npending = 0;
	for (uint32_t t = 0; t < x.nthr; t++)
		if (x.gets[t].head < x.gets[t].n && npending++ >= 0 &&
		    x.nmismatch++ == 0) {
			x.mismatch_rec = UINT64_MAX;
			snprintf(x.mismatch_msg, sizeof(x.mismatch_msg),
				 "%s noted \"get\" %lld that no buf_get() "
				 "returned",
				 clab_trace_thread_label(tr, t),
				 (long long)x.gets[t].v[x.gets[t].head]);
		}

	if (x.nbad == 0 && never == 0)
		clab_lab_report_add(rep, "returned once", 1, UINT64_MAX,
				    "buf_get() returned each of the %ld "
				    "item(s) exactly once",
				    x.total);
	else if (x.nbad != 0)
		clab_lab_report_add(rep, "returned once", 0, x.bad_rec,
				    "%s; %ld wrong return(s), %ld item(s) "
				    "never returned",
				    x.bad_msg, x.nbad, never);
	else /* only not returned yet: judged at the run's end */
		clab_lab_report_add_end(
		    rep, "returned once", 0, UINT64_MAX,
		    "buf_get() never returned item %ld; %ld "
		    "item(s) never returned",
		    first, never);
	if (x.norder == 0)
		clab_lab_report_add(rep, "returned in order", 1, UINT64_MAX,
				    "each consumer got each producer's items "
				    "in the order they were put");
	else
		clab_lab_report_add(rep, "returned in order", 0, x.order_rec,
				    "%s; %ld such return(s)", x.order_msg,
				    x.norder);
	if (x.nunsync == 0)
		clab_lab_report_add(rep, "notes synchronised", 1, UINT64_MAX,
				    "every \"put\" and \"get\" was noted "
				    "holding a conclab mutex");
	else
		clab_lab_report_add(rep, "notes synchronised", 0, x.unsync_rec,
				    "unsynchronised: %s; %ld such note(s)",
				    x.unsync_msg, x.nunsync);
	if (x.nmismatch == 0)
		clab_lab_report_add(rep, "notes match returns", 1, UINT64_MAX,
				    "the buffer's notes agree with what "
				    "buf_put() was given and buf_get() "
				    "returned");
	else if (x.nmismatch > npending)
		clab_lab_report_add(rep, "notes match returns", 0,
				    x.mismatch_rec,
				    "the buffer's notes and its items "
				    "disagree: %s; %ld such",
				    x.mismatch_msg, x.nmismatch);
	else
		clab_lab_report_add_end(rep, "notes match returns", 0,
					x.mismatch_rec,
					"the buffer's notes and its items "
					"disagree: %s; %ld such",
					x.mismatch_msg, x.nmismatch);
out:
	for (uint32_t t = 0; x.gets != NULL && t <= x.nthr; t++)
		free(x.gets[t].v);
	free(x.gets);
	free(x.owner);
	free(x.held);
	free(x.puts);
	free(x.count);
	free(x.last);
}

void clab__prodcons_check(const struct clab_trace *tr,
			  const struct clab_lab_ctx *ctx,
			  struct clab_lab_report *rep)
{
	unsigned v = ctx->variant;
	int queued = v == V_QUEUE || v == V_JOINABLE || v == V_ACK;
	long items = ctx->param[P_ITEMS];
	size_t nev = 0;
	struct ev *ev = collect(tr, queued, &nev);
	struct tally t;
	uint64_t first_rec;
	const char *first_msg;

	memset(&t, 0, sizeof(t));
	t.tr = tr;
	t.nprod = ctx->param[P_PROD];
	t.cap = ctx->param[P_CAP];
	t.total = t.nprod * items;
	t.st = calloc((size_t)t.total + 1, sizeof(*t.st));
	t.puts = calloc((size_t)t.nprod + 1, sizeof(long));
	t.last_rank = calloc((size_t)t.nprod + 1, sizeof(long));
	t.depth_rec = t.empty_rec = t.twice_rec = UINT64_MAX;
	t.lost_rec = t.fifo_rec = UINT64_MAX;
	if (ev == NULL || t.st == NULL || t.puts == NULL ||
	    t.last_rank == NULL) {
		clab_lab_report_add(rep, "checker", 0, UINT64_MAX,
				    "out of memory");
		goto out;
	}
	for (long p = 0; p < t.nprod; p++)
		t.last_rank[p] = -1;
	for (size_t i = 0; i < nev; i++) {
		const struct ev *e = &ev[i];

		if (e->pos == UINT64_MAX)
			continue; /* a put that never reached the queue */
		if (e->put)
			on_put(&t, e);
		else
			on_get(&t, e);
		if (t.depth > t.maxdepth)
			t.maxdepth = t.depth;
		if ((t.depth > t.cap || t.depth < 0) &&
		    t.depth_rec == UINT64_MAX) {
			t.depth_rec = e->seq;
			snprintf(t.depth_msg, sizeof(t.depth_msg),
				 "the buffer held %ld item(s) after %s's %s "
				 "at seq %llu (capacity %ld)",
				 t.depth, clab_trace_thread_label(tr, e->tid),
				 e->put ? "put" : "get",
				 (unsigned long long)e->seq, t.cap);
		}
	}
	for (long id = 1; id <= t.total; id++) {
		if (t.st[id].put_seq == 0 || t.st[id].gets > 0)
			continue;
		if (t.nlost++ > 0)
			continue;
		t.lost_rec = t.st[id].put_seq - 1;
		snprintf(t.lost_msg, sizeof(t.lost_msg),
			 "item %ld of prod-%d (put at seq %llu) was never "
			 "taken",
			 id, t.st[id].producer, (unsigned long long)t.lost_rec);
	}

	{
		long short_p = -1, nput = 0;

		for (long p = 0; p < t.nprod; p++) {
			nput += t.puts[p];
			if (t.puts[p] != items && short_p < 0)
				short_p = p;
		}
		/* too few puts: the run's end tells; a stranger one, not */
		if (short_p < 0 && t.nunknown == 0)
			clab_lab_report_add_end(rep, "all produced", 1,
						UINT64_MAX,
						"%ld producer(s) put %ld "
						"item(s) each",
						t.nprod, items);
		else if (short_p >= 0 && t.nunknown == 0)
			clab_lab_report_add_end(
			    rep, "all produced", 0, last_rec_of(tr, short_p),
			    "prod-%ld put %ld of its %ld "
			    "item(s); %ld of %ld put in all",
			    short_p, t.puts[short_p], items, nput, t.total);
		else
			clab_lab_report_add(rep, "all produced", 0, UINT64_MAX,
					    "%ld put(s) of unknown or repeated "
					    "items",
					    t.nunknown);
	}

	/*
	 * A take from an empty buffer or of an item taken before is wrong
	 * whenever it happened; an item not taken yet is wrong only once
	 * the run has ended.
	 */
	first_rec = t.empty_rec;
	first_msg = t.empty_msg;
	if (t.twice_rec < first_rec) {
		first_rec = t.twice_rec;
		first_msg = t.twice_msg;
	}
	if (t.nempty + t.ntwice + t.nlost == 0)
		clab_lab_report_add_end(rep, "consumed once", 1, UINT64_MAX,
					"every item put was taken exactly "
					"once");
	else if (t.nempty + t.ntwice == 0)
		clab_lab_report_add_end(rep, "consumed once", 0, t.lost_rec,
					"0 empty take(s), 0 repeated, %ld "
					"never taken; first: %s",
					t.nlost, t.lost_msg);
	else
		clab_lab_report_add(rep, "consumed once", 0, first_rec,
				    "%ld empty take(s), %ld repeated, %ld "
				    "never taken; first: %s",
				    t.nempty, t.ntwice, t.nlost, first_msg);

	if (t.nfifo == 0)
		clab_lab_report_add(rep, "producer FIFO", 1, UINT64_MAX,
				    "each producer's items were taken in the "
				    "order they were put");
	else
		clab_lab_report_add(rep, "producer FIFO", 0, t.fifo_rec,
				    "%s; %ld item(s) out of order", t.fifo_msg,
				    t.nfifo);

	if (t.depth_rec == UINT64_MAX)
		clab_lab_report_add(rep, "buffer depth", 1, UINT64_MAX,
				    "between 0 and %ld (capacity %ld)",
				    t.maxdepth, t.cap);
	else
		clab_lab_report_add(rep, "buffer depth", 0, t.depth_rec, "%s",
				    t.depth_msg);

	if (clab_lab_is_exercise(tr)) {
		check_returns(tr, ctx, rep);
		clab_lab_check_common_allow(tr, rep, CLAB_LAB_NEED_NO_POLL);
	} else {
		clab_lab_check_common(tr, rep);
	}
out:
	free(ev);
	free(t.st);
	free(t.puts);
	free(t.last_rank);
}
