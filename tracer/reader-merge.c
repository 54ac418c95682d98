/*
 * The merge of the per-thread record streams into one order: every record that
 * touches an object with a sequence number must come after the record with the
 * number before it, and every thread's records stay in their own order.  Among
 * the records that may come next, the earliest (then the lowest thread id) goes
 * first.  The result is a total order consistent with causality: an acquire
 * never precedes the release it waited for.  If data is missing (a file cut
 * short), a record that waits for a number that never comes is let through by
 * time alone and counted as a gap.  In the trace of a run that did not end
 * (threads still ran at the close, or the writer never closed it) the missing
 * number was being written when the file stopped: the merge stops there
 * instead, so that what is read is a consistent cut (every record's
 * predecessors, on its thread and on its object, are in it), and counts what it
 * left out.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include <conclab/trace.h>

#include "reader-int.h"

/* Room for need records in s; 0, or -1 when out of memory. */
int clab__stream_reserve(struct stream *s, size_t need)
{
	if (need <= s->cap)
		return 0;
	size_t cap = s->cap ? s->cap : need;
	while (cap < need)
		cap *= 2;
	if (cap * sizeof(*s->r) < STREAM_RELEASE) {
		struct clab_record *nr = realloc(s->r, cap * sizeof(*nr));
		if (!nr)
			return -1;
		s->r = nr;
		s->cap = cap;
		return 0;
	}
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t bytes = (cap * sizeof(*s->r) + page - 1) / page * page;
	void *p = s->bytes ? mremap(s->r, s->bytes, bytes, MREMAP_MAYMOVE)
			   : mmap(NULL, bytes, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	if (!s->bytes && s->r) { /* from the heap to a mapping */
		memcpy(p, s->r, s->n * sizeof(*s->r));
		free(s->r);
	}
	s->r = p;
	s->bytes = bytes;
	s->cap = bytes / sizeof(*s->r);
	return 0;
}

void clab__stream_free(struct stream *s)
{
	if (s->bytes)
		munmap(s->r, s->bytes);
	else
		free(s->r);
	s->r = NULL;
	s->bytes = s->cap = 0;
}

/* The merge is past s's records before head: give their pages back. */
static void stream_done(struct stream *s)
{
	size_t past = s->head * sizeof(*s->r);
	if (!s->bytes || past < s->released + STREAM_RELEASE)
		return;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	past = past / page * page;
	madvise((char *)s->r + s->released, past - s->released, MADV_DONTNEED);
	s->released = past;
}

#define NONE UINT32_MAX

/*
 * The trace of a forked child (docs/runtime.md) has the objects its
 * parent made, "process.objects" of them, with the sequence numbers they
 * had: each one's numbers start at its first record in this trace.
 */
static void inherited_start(const struct clab_trace *tr, uint32_t *expect)
{
	const char *v = clab_trace_meta(tr, "process.objects");
	if (!v)
		return;
	unsigned long n = strtoul(v, NULL, 10);
	if (n > tr->nobjs)
		n = tr->nobjs;
	for (uint32_t o = 1; o <= n; o++)
		expect[o] = UINT32_MAX;
	for (uint32_t t = 0; t < tr->nstreams; t++)
		for (size_t i = 0; i < tr->streams[t].n; i++) {
			const struct clab_record *r = &tr->streams[t].r[i];
			if (r->oseq && r->obj >= 1 && r->obj <= n &&
			    r->oseq < expect[r->obj])
				expect[r->obj] = r->oseq;
		}
	for (uint32_t o = 1; o <= n; o++)
		if (expect[o] == UINT32_MAX)
			expect[o] = 1;
}

/*
 * A binary heap of threads ordered by their head records (earliest first,
 * then the lower thread id), that knows where each thread is in it so that
 * any one can be taken out.
 */
struct heap {
	uint32_t *a, *pos; /* pos[t]: t's index in a, or NONE */
	uint32_t n;
};

/* key[t]: the time of thread t's head, kept at hand for the heaps. */
static int before(const uint64_t *key, uint32_t x, uint32_t y)
{
	return key[x] != key[y] ? key[x] < key[y] : x < y;
}

static void heap_set(struct heap *h, uint32_t i, uint32_t t)
{
	h->a[i] = t;
	h->pos[t] = i;
}

static void heap_up(const uint64_t *key, struct heap *h, uint32_t i)
{
	uint32_t t = h->a[i];
	while (i && before(key, t, h->a[(i - 1) / 2])) {
		heap_set(h, i, h->a[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(h, i, t);
}

static void heap_down(const uint64_t *key, struct heap *h, uint32_t i)
{
	uint32_t t = h->a[i];
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = t, mi = i;
		if (l < h->n && before(key, h->a[l], m))
			m = h->a[mi = l];
		if (r < h->n && before(key, h->a[r], m))
			m = h->a[mi = r];
		if (mi == i)
			break;
		heap_set(h, i, m);
		i = mi;
	}
	heap_set(h, i, t);
}

static void heap_push(const uint64_t *key, struct heap *h, uint32_t t)
{
	h->a[h->n] = t;
	heap_up(key, h, h->n++);
}

static void heap_remove(const uint64_t *key, struct heap *h, uint32_t t)
{
	uint32_t i = h->pos[t];
	h->pos[t] = NONE;
	if (i == --h->n)
		return;
	uint32_t m = h->a[h->n];
	heap_set(h, i, m);
	heap_up(key, h, i);
	if (h->pos[m] == i)
		heap_down(key, h, i);
}

static uint32_t heap_pop(const uint64_t *key, struct heap *h)
{
	uint32_t top = h->a[0];
	heap_remove(key, h, top);
	return top;
}

/*
 * The threads whose head waits for a sequence number, by (object, number):
 * a hash table of lists, each newest first, so that a release finds the
 * thread waiting for its successor without looking at the others.  The
 * hash is keyed per load, so no file can make its chains long.
 */
struct waits {
	struct wslot {
		uint32_t obj, oseq, head; /* head NONE: free */
	} * slot;
	uint32_t mask;
	uint64_t key;
	uint32_t *next, *prev; /* by thread */
};

static uint32_t waits_hash(const struct waits *w, uint32_t obj, uint32_t oseq)
{
	uint64_t x = ((uint64_t)obj << 32 | oseq) ^ w->key;
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9u;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebu;
	x ^= x >> 31;
	return (uint32_t)x & w->mask;
}

/* The slot of (obj, oseq): its list, or the free slot where it would go. */
static struct wslot *waits_find(const struct waits *w, uint32_t obj,
				uint32_t oseq)
{
	uint32_t i = waits_hash(w, obj, oseq);
	while (w->slot[i].head != NONE &&
	       (w->slot[i].obj != obj || w->slot[i].oseq != oseq))
		i = (i + 1) & w->mask;
	return &w->slot[i];
}

/* Free a slot, moving up the entries after it that would be cut off. */
static void waits_free_slot(struct waits *w, struct wslot *sl)
{
	uint32_t i = (uint32_t)(sl - w->slot);
	for (uint32_t j = (i + 1) & w->mask; w->slot[j].head != NONE;
	     j = (j + 1) & w->mask) {
		uint32_t home = waits_hash(w, w->slot[j].obj, w->slot[j].oseq);
		/* j may move to i unless its home lies in (i, j] */
		if (((j - home) & w->mask) >= ((j - i) & w->mask)) {
			w->slot[i] = w->slot[j];
			i = j;
		}
	}
	w->slot[i].head = NONE;
}

static void waits_add(struct waits *w, uint32_t t, uint32_t obj, uint32_t oseq)
{
	struct wslot *sl = waits_find(w, obj, oseq);
	w->prev[t] = NONE;
	if (sl->head == NONE) {
		sl->obj = obj;
		sl->oseq = oseq;
		w->next[t] = NONE;
	} else {
		w->next[t] = sl->head;
		w->prev[sl->head] = t;
	}
	sl->head = t;
}

static void waits_del(struct waits *w, uint32_t t, uint32_t obj, uint32_t oseq)
{
	if (w->next[t] != NONE)
		w->prev[w->next[t]] = w->prev[t];
	if (w->prev[t] != NONE) {
		w->next[w->prev[t]] = w->next[t];
		return;
	}
	struct wslot *sl = waits_find(w, obj, oseq);
	if (w->next[t] != NONE)
		sl->head = w->next[t];
	else
		waits_free_slot(w, sl);
}

int clab__trace_merge(struct clab_trace *tr)
{
	size_t total = 0;
	for (uint32_t i = 0; i < tr->nstreams; i++)
		total += tr->streams[i].n;
	uint32_t ns = tr->nstreams, nsl = 16;
	if (ns > (1u << 30))
		return -1; /* the table of waits would not fit its index */
	while (nsl < 2 * ns)
		nsl *= 2;
	size_t n1 = ns ? ns : 1;
	tr->recs = malloc((total ? total : 1) * sizeof(*tr->recs));
	uint32_t *expect = malloc(((size_t)tr->nobjs + 1) * sizeof(*expect));
	/* ready: heads that may come next; parked: heads that wait */
	struct heap ready = {malloc(n1 * 4), malloc(n1 * 4), 0};
	struct heap parked = {malloc(n1 * 4), malloc(n1 * 4), 0};
	struct waits w = {malloc(nsl * sizeof(*w.slot)), nsl - 1, 0,
			  malloc(n1 * 4), malloc(n1 * 4)};
	uint64_t *key = malloc(n1 * sizeof(*key));
	int rc = -1;
	if (!tr->recs || !expect || !key || !ready.a || !ready.pos ||
	    !parked.a || !parked.pos || !w.slot || !w.next || !w.prev)
		goto out;
	w.key = (uint64_t)(uintptr_t)&w * 0x9e3779b97f4a7c15u ^
		(uint64_t)(uintptr_t)tr->recs;
	for (uint32_t i = 0; i < nsl; i++)
		w.slot[i].head = NONE;
	for (uint32_t o = 0; o <= tr->nobjs; o++)
		expect[o] = 1;
	inherited_start(tr, expect);
	for (uint32_t t = 0; t < ns; t++)
		ready.pos[t] = parked.pos[t] = NONE;
#define HEAD(t) (&tr->streams[t].r[tr->streams[t].head])
		/* Place thread t's head: ready, or parked on its object's
		 * number. */
#define PLACE(t)                                                               \
	do {                                                                   \
		const struct clab_record *hd_ = HEAD(t);                       \
		key[t] = hd_->ns;                                              \
		if (hd_->oseq && hd_->oseq > expect[hd_->obj]) {               \
			waits_add(&w, (t), hd_->obj, hd_->oseq);               \
			heap_push(key, &parked, (t));                          \
		} else {                                                       \
			heap_push(key, &ready, (t));                           \
		}                                                              \
	} while (0)
	uint32_t live = 0;
	for (uint32_t t = 0; t < ns; t++)
		if (tr->streams[t].n) {
			PLACE(t);
			live++;
		}
	size_t out = 0;
	/* a run that did not end: its records up to a consistent cut */
	int cut = tr->running || (tr->unclosed && tr->whole);
	/*
	 * t: the thread whose head goes next, kept out of the ready heap
	 * while its records come before every other ready head (most of a
	 * trace is one thread's run of records); NONE: the heap's top.
	 */
	uint32_t t = NONE;
	while (live) {
		if (t == NONE && ready.n == 0 && cut) {
			for (uint32_t u = 0; u < ns; u++)
				tr->cut +=
				    tr->streams[u].n - tr->streams[u].head;
			break;
		}
		if (t == NONE && ready.n == 0) {
			/* Data is missing: release the earliest parked head. */
			uint32_t best = heap_pop(key, &parked);
			const struct clab_record *hd = HEAD(best);
			waits_del(&w, best, hd->obj, hd->oseq);
			expect[hd->obj] = hd->oseq;
			tr->gaps++;
			heap_push(key, &ready, best);
		}
		if (t == NONE)
			t = heap_pop(key, &ready);
		struct clab_record *r = &tr->recs[out];
		*r = *HEAD(t);
		r->seq = out++;
		if (r->oseq && r->oseq >= expect[r->obj]) {
			expect[r->obj] = r->oseq + 1;
			/* Wake the thread whose head waits for this number. */
			struct wslot *sl =
			    parked.n ? waits_find(&w, r->obj, expect[r->obj])
				     : NULL;
			if (sl && sl->head != NONE) {
				uint32_t u = sl->head;
				waits_del(&w, u, r->obj, expect[r->obj]);
				heap_remove(key, &parked, u);
				heap_push(key, &ready, u);
			}
		}
		struct stream *st = &tr->streams[t];
		uint32_t done = t;
		if (++st->head == st->n) {
			live--;
			t = NONE;
		} else if (HEAD(t)->oseq &&
			   HEAD(t)->oseq > expect[HEAD(t)->obj]) {
			PLACE(t); /* parked */
			t = NONE;
		} else {
			key[t] = HEAD(t)->ns;
			/* next again, unless another ready head comes first */
			if (ready.n && before(key, ready.a[0], t)) {
				heap_push(key, &ready, t);
				t = NONE;
			}
		}
		stream_done(&tr->streams[done]);
	}
#undef PLACE
#undef HEAD
	tr->nrecs = out;
	for (uint32_t i = 0; i < tr->nstreams; i++)
		clab__stream_free(&tr->streams[i]);
	rc = 0;
out:
	free(expect);
	free(key);
	free(ready.a);
	free(ready.pos);
	free(parked.a);
	free(parked.pos);
	free(w.slot);
	free(w.next);
	free(w.prev);
	return rc;
}

/*
 * After the end chunk at *off: a signature chunk (since 1.4), which only a
 * signed file has.  If it is there and whole, note it and move *off past
 * it; returns 1 if it was (then nothing may follow), 0 if not.  Its MAC
 * is clab_trace_verify()'s to check, with the key.
 */
