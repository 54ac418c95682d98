/*
 * Reading a trace: check the header and every chunk, decode the per-thread
 * record streams, and merge them into one order.
 *
 * The merge: every record that touches an object with a sequence number
 * must come after the record with the number before it, and every thread's
 * records stay in their own order.  Among the records that may come next,
 * the earliest (then the lowest thread id) goes first.  The result is a
 * total order consistent with causality: an acquire never precedes the
 * release it waited for.  If data is missing (a file cut short), a record
 * that waits for a number that never comes is let through by time alone and
 * counted as a gap.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include <conclab/error.h>
#include <conclab/label.h>
#include <conclab/trace.h>

#include "format.h"

/*
 * One thread's records as decoded, before the merge puts them in order.
 * A large one is mapped, not malloc'd: the merge hands the pages it has
 * gone past back to the system (stream_done), so that a trace's records
 * are not held twice over at their peak, once per thread and once merged.
 * Small ones stay on the heap (a trace may have more threads than a
 * process may have mappings).
 */
struct stream {
	struct clab_record *r;
	size_t n, cap, head;
	size_t bytes;	 /* mapped, or 0: on the heap */
	size_t released; /* bytes from the start given back */
};

#define STREAM_RELEASE (1u << 20) /* give pages back a megabyte at a time */

/* Room for need records in s; 0, or -1 when out of memory. */
static int stream_reserve(struct stream *s, size_t need)
{
	if (need <= s->cap)
		return 0;
	size_t cap = s->cap ? s->cap : 1024;
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

static void stream_free(struct stream *s)
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

struct clab_trace {
	char *damage;
	struct clab_record *recs;
	size_t nrecs;
	struct clab_thread_info *threads;
	uint32_t nthreads, threads_cap;
	struct clab_object_info *objs;
	uint32_t nobjs, objs_cap;
	struct clab_site_info *sites;
	uint32_t nsites, sites_cap;
	struct clab_stack_info *stacks;
	uint32_t nstacks, stacks_cap;
	uint64_t stacks_lost;
	char **mkeys, **mvals;
	size_t nmeta, meta_cap;
	uint64_t drops, stalls, end_records, gaps;
	int complete;
	uint32_t major, minor;
	int checksum; /* 1 matched, -1 did not, 0 none (before 1.2) */
	uint32_t *obj2tid;
	char *labels; /* the labels that are not names (label.h) */
	struct stream *streams;
	uint32_t nstreams, streams_cap;
};

#define GROW(arr, n, cap)                                                      \
	((n) < (cap) ? 0 : grow((void **)&(arr), &(cap), sizeof(*(arr))))

static int grow(void **arr, uint32_t *cap, size_t elem)
{
	uint32_t n = *cap ? *cap * 2 : 16;
	void *p = realloc(*arr, (size_t)n * elem);
	if (!p)
		return -1;
	memset((char *)p + (size_t)*cap * elem, 0, (size_t)(n - *cap) * elem);
	*arr = p;
	*cap = n;
	return 0;
}

static void set_damage(struct clab_trace *tr, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_damage(struct clab_trace *tr, const char *fmt, ...)
{
	if (tr->damage)
		return;
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	tr->damage = strdup(buf);
}

void clab_trace_free(struct clab_trace *tr)
{
	if (!tr)
		return;
	free(tr->damage);
	free(tr->recs);
	for (uint32_t i = 0; i < tr->nthreads; i++)
		free((char *)tr->threads[i].name);
	free(tr->threads);
	for (uint32_t i = 0; i < tr->nobjs; i++)
		free((char *)tr->objs[i].name);
	free(tr->objs);
	free(tr->labels);
	for (uint32_t i = 0; i < tr->nsites; i++) {
		free((char *)tr->sites[i].file);
		free((char *)tr->sites[i].func);
		free((char *)tr->sites[i].label);
	}
	free(tr->sites);
	for (uint32_t i = 0; i < tr->nstacks; i++) {
		struct clab_frame_info *f =
		    (struct clab_frame_info *)tr->stacks[i].frames;
		for (uint32_t k = 0; k < tr->stacks[i].nframes; k++) {
			free((char *)f[k].func);
			free((char *)f[k].file);
		}
		free(f);
	}
	free(tr->stacks);
	for (size_t i = 0; i < tr->nmeta; i++) {
		free(tr->mkeys[i]);
		free(tr->mvals[i]);
	}
	free(tr->mkeys);
	free(tr->mvals);
	free(tr->obj2tid);
	for (uint32_t i = 0; i < tr->nstreams; i++)
		stream_free(&tr->streams[i]);
	free(tr->streams);
	free(tr);
}

/* ---- chunk parsers: return 0, or -1 for malformed content ---- */

static int parse_meta(struct clab_trace *tr, struct clab_rbuf *b)
{
	uint64_t n = clab_rbuf_uv(b);
	for (uint64_t i = 0; i < n && !b->err; i++) {
		char *k = clab_rbuf_str(b), *v = clab_rbuf_str(b);
		if (b->err || tr->nmeta == tr->meta_cap) {
			size_t cap = tr->meta_cap ? tr->meta_cap * 2 : 16;
			char **nk = b->err
					? NULL
					: realloc(tr->mkeys, cap * sizeof(*nk));
			if (nk)
				tr->mkeys = nk;
			char **nv =
			    nk ? realloc(tr->mvals, cap * sizeof(*nv)) : NULL;
			if (nv)
				tr->mvals = nv;
			if (!nk || !nv) {
				free(k);
				free(v);
				return -1;
			}
			tr->meta_cap = cap;
		}
		tr->mkeys[tr->nmeta] = k;
		tr->mvals[tr->nmeta++] = v;
	}
	return b->err ? -1 : 0;
}

static int parse_threads(struct clab_trace *tr, struct clab_rbuf *b)
{
	uint64_t n = clab_rbuf_uv(b);
	for (uint64_t i = 0; i < n && !b->err; i++) {
		uint64_t tid = clab_rbuf_uv(b), oid = clab_rbuf_uv(b),
			 parent = clab_rbuf_uv(b);
		char *name = clab_rbuf_str(b);
		if (b->err || tid != tr->nthreads || oid == 0 ||
		    oid > UINT32_MAX || parent > tid ||
		    GROW(tr->threads, tr->nthreads, tr->threads_cap)) {
			free(name);
			return -1;
		}
		struct clab_thread_info *t = &tr->threads[tr->nthreads++];
		t->tid = (uint32_t)tid;
		t->oid = (uint32_t)oid;
		t->parent = (uint32_t)parent;
		t->name = name;
	}
	return b->err ? -1 : 0;
}

static int parse_objects(struct clab_trace *tr, struct clab_rbuf *b)
{
	uint64_t n = clab_rbuf_uv(b);
	for (uint64_t i = 0; i < n && !b->err; i++) {
		uint64_t oid = clab_rbuf_uv(b);
		unsigned kind = clab_rbuf_u8(b), flags = clab_rbuf_u8(b);
		uint64_t param = clab_rbuf_uv(b), site = clab_rbuf_uv(b),
			 tid = clab_rbuf_uv(b);
		char *name = clab_rbuf_str(b);
		if (b->err || oid != (uint64_t)tr->nobjs + 1 ||
		    param > UINT32_MAX || site > UINT32_MAX ||
		    tid > UINT32_MAX ||
		    GROW(tr->objs, tr->nobjs, tr->objs_cap)) {
			free(name);
			return -1;
		}
		struct clab_object_info *o = &tr->objs[tr->nobjs++];
		o->oid = (uint32_t)oid;
		o->kind = (uint8_t)kind;
		o->flags = (uint8_t)flags;
		o->param = (uint32_t)param;
		o->site = (uint32_t)site;
		o->tid = (uint32_t)tid;
		o->name = name;
	}
	return b->err ? -1 : 0;
}

static int parse_sites(struct clab_trace *tr, struct clab_rbuf *b)
{
	uint64_t n = clab_rbuf_uv(b);
	for (uint64_t i = 0; i < n && !b->err; i++) {
		uint64_t id = clab_rbuf_uv(b), line = clab_rbuf_uv(b);
		char *file = clab_rbuf_str(b), *func = clab_rbuf_str(b);
		char *label = NULL;
		if (clab_rbuf_u8(b))
			label = clab_rbuf_str(b);
		if (b->err || id != (uint64_t)tr->nsites + 1 ||
		    line > INT32_MAX ||
		    GROW(tr->sites, tr->nsites, tr->sites_cap)) {
			free(file);
			free(func);
			free(label);
			return -1;
		}
		struct clab_site_info *s = &tr->sites[tr->nsites++];
		s->id = (uint32_t)id;
		s->line = (int)line;
		s->file = file;
		s->func = func;
		s->label = label;
	}
	return b->err ? -1 : 0;
}

static int parse_stacks(struct clab_trace *tr, struct clab_rbuf *b)
{
	uint64_t lost = clab_rbuf_uv(b), n = clab_rbuf_uv(b);
	if (lost > tr->stacks_lost)
		tr->stacks_lost = lost;
	for (uint64_t i = 0; i < n && !b->err; i++) {
		uint64_t id = clab_rbuf_uv(b), nf = clab_rbuf_uv(b);
		if (b->err || id != (uint64_t)tr->nstacks + 1 ||
		    id > CLAB_STACKS_MAX || nf > 1024 ||
		    nf > (uint64_t)(b->end - b->p) ||
		    GROW(tr->stacks, tr->nstacks, tr->stacks_cap))
			return -1;
		struct clab_frame_info *f = calloc(nf ? nf : 1, sizeof(*f));
		if (!f)
			return -1;
		struct clab_stack_info *st = &tr->stacks[tr->nstacks++];
		st->id = (uint32_t)id;
		st->nframes = (uint32_t)nf;
		st->frames = f;
		for (uint64_t k = 0; k < nf && !b->err; k++) {
			f[k].func = clab_rbuf_str(b);
			f[k].file = clab_rbuf_str(b);
			uint64_t line = clab_rbuf_uv(b);
			if (line > INT32_MAX)
				b->err = 1;
			f[k].line = (int)line;
			if (!f[k].func || !f[k].file)
				b->err = 1;
		}
	}
	return b->err ? -1 : 0;
}

static int parse_events(struct clab_trace *tr, struct clab_rbuf *b,
			const char **why)
{
	uint64_t tid = clab_rbuf_uv(b), n = clab_rbuf_uv(b),
		 base = clab_rbuf_uv(b);
	unsigned codec = clab_rbuf_u8(b);
	unsigned stacks = codec & CLAB_CODEC_STACKS;
	codec &= ~(unsigned)CLAB_CODEC_STACKS;
	uint64_t rawlen = clab_rbuf_uv(b);
	if (b->err || tid >= tr->nthreads || n == 0 || n > (1u << 24) ||
	    rawlen > CLAB_CHUNK_MAX || rawlen < n * 3) {
		*why = "bad record chunk header";
		return -1;
	}
	uint8_t *raw = NULL;
	struct clab_rbuf r;
	if (codec == CLAB_CODEC_ZLIB) {
		raw = malloc((size_t)rawlen);
		uLongf out = (uLongf)rawlen;
		if (!raw ||
		    uncompress(raw, &out, b->p, (uLong)(b->end - b->p)) !=
			Z_OK ||
		    out != rawlen) {
			free(raw);
			*why = "record data does not decompress";
			return -1;
		}
		r.p = raw;
		r.end = raw + rawlen;
	} else if (codec == CLAB_CODEC_RAW &&
		   rawlen == (uint64_t)(b->end - b->p)) {
		r.p = b->p;
		r.end = b->end;
	} else {
		*why = "unknown record encoding";
		return -1;
	}
	r.err = 0;
	while (tr->nstreams <= tid) {
		if (GROW(tr->streams, tr->nstreams, tr->streams_cap)) {
			free(raw);
			*why = "out of memory";
			return -1;
		}
		tr->nstreams++;
	}
	struct stream *s = &tr->streams[tid];
	if (stream_reserve(s, s->n + n) != 0) {
		free(raw);
		*why = "out of memory";
		return -1;
	}
	uint64_t t = base;
	if (s->n && t < s->r[s->n - 1].ns) {
		free(raw);
		*why = "a thread's time goes backwards";
		return -1;
	}
	/* per-object last sequence within this chunk */
	struct {
		uint32_t obj, oseq;
	} last[64];
	unsigned nlast = 0;
	size_t start = s->n;
	for (uint64_t i = 0; i < n; i++) {
		struct clab_record *rec = &s->r[s->n];
		memset(rec, 0, sizeof(*rec));
		unsigned kind = clab_rbuf_u8(&r);
		if (!clab_kind_valid(kind)) {
			r.err = 1;
			*why = "unknown record kind";
			break;
		}
		unsigned f = clab_kind_fields(kind);
		t += clab_rbuf_uv(&r);
		uint64_t site = clab_rbuf_uv(&r);
		rec->kind = (uint8_t)kind;
		rec->tid = (uint32_t)tid;
		rec->ns = t;
		if (site > tr->nsites) {
			r.err = 1;
			*why = "record refers to an unknown site";
			break;
		}
		rec->site = (uint32_t)site;
		if (f & CLAB_F_OBJ) {
			uint64_t obj = clab_rbuf_uv(&r);
			if (obj > tr->nobjs) {
				r.err = 1;
				*why = "record refers to an unknown object";
				break;
			}
			rec->obj = (uint32_t)obj;
		}
		if (f & CLAB_F_SEQ) {
			int64_t d = clab_rbuf_sv(&r);
			unsigned j;
			for (j = 0; j < nlast && last[j].obj != rec->obj; j++)
				;
			int64_t expect =
			    j < nlast ? (int64_t)last[j].oseq + 1 : 1;
			/* slow path for chunks touching many objects */
			if (j == nlast && nlast == 64) {
				for (size_t k = s->n; k-- > start;)
					if (s->r[k].obj == rec->obj &&
					    s->r[k].oseq) {
						expect =
						    (int64_t)s->r[k].oseq + 1;
						break;
					}
			}
			int64_t v = expect + d;
			if (v <= 0 || v > UINT32_MAX) {
				r.err = 1;
				*why = "bad object sequence number";
				break;
			}
			rec->oseq = (uint32_t)v;
			if (j < nlast)
				last[j].oseq = rec->oseq;
			else if (nlast < 64) {
				last[nlast].obj = rec->obj;
				last[nlast++].oseq = rec->oseq;
			}
		}
		if (f & CLAB_F_A8)
			rec->a8 = (uint8_t)clab_rbuf_u8(&r);
		if (f & CLAB_F_A32) {
			uint64_t v = clab_rbuf_uv(&r);
			if (v > UINT32_MAX)
				r.err = 1;
			rec->a32 = (uint32_t)v;
		}
		if (f & CLAB_F_VAL)
			rec->val = clab_rbuf_sv(&r);
		if (stacks) {
			uint64_t st = clab_rbuf_uv(&r);
			if (st > tr->nstacks) {
				r.err = 1;
				*why = "record refers to an unknown stack";
				break;
			}
			rec->stack = (uint16_t)st;
		}
		if (r.err)
			break;
		s->n++;
	}
	if (!r.err && r.p != r.end) {
		r.err = 1;
		*why = "record data longer than its count";
	}
	free(raw);
	if (r.err) {
		s->n = start;
		if (!*why)
			*why = "record data ends early";
		return -1;
	}
	return 0;
}

/* crc: the CRC-32 of every chunk before the end chunk. */
static int parse_end(struct clab_trace *tr, struct clab_rbuf *b, uint32_t crc)
{
	tr->end_records = clab_rbuf_uv(b);
	tr->drops = clab_rbuf_uv(b);
	tr->stalls = clab_rbuf_uv(b);
	if (b->err)
		return -1;
	if (b->p != b->end) { /* format 1.2: the content checksum */
		uint64_t want = clab_rbuf_uv(b);
		if (b->err || want > UINT32_MAX)
			return -1;
		tr->checksum = want == crc ? 1 : -1;
	}
	tr->complete = 1;
	return 0;
}

/* ---- merge ---- */

struct heap {
	uint32_t *a;
	uint32_t n;
};

static int before(const struct clab_trace *tr, uint32_t x, uint32_t y)
{
	const struct clab_record *a = &tr->streams[x].r[tr->streams[x].head];
	const struct clab_record *b = &tr->streams[y].r[tr->streams[y].head];
	return a->ns != b->ns ? a->ns < b->ns : x < y;
}

static void heap_push(const struct clab_trace *tr, struct heap *h, uint32_t t)
{
	uint32_t i = h->n++;
	h->a[i] = t;
	while (i && before(tr, h->a[i], h->a[(i - 1) / 2])) {
		uint32_t p = (i - 1) / 2, tmp = h->a[p];
		h->a[p] = h->a[i];
		h->a[i] = tmp;
		i = p;
	}
}

static uint32_t heap_pop(const struct clab_trace *tr, struct heap *h)
{
	uint32_t top = h->a[0];
	h->a[0] = h->a[--h->n];
	for (uint32_t i = 0;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < h->n && before(tr, h->a[l], h->a[m]))
			m = l;
		if (r < h->n && before(tr, h->a[r], h->a[m]))
			m = r;
		if (m == i)
			break;
		uint32_t tmp = h->a[m];
		h->a[m] = h->a[i];
		h->a[i] = tmp;
		i = m;
	}
	return top;
}

static int merge(struct clab_trace *tr)
{
	size_t total = 0;
	for (uint32_t i = 0; i < tr->nstreams; i++)
		total += tr->streams[i].n;
	uint32_t ns = tr->nstreams;
	tr->recs = malloc((total ? total : 1) * sizeof(*tr->recs));
	uint32_t *expect = calloc((size_t)tr->nobjs + 1, sizeof(*expect));
	uint32_t *wait_head =
	    malloc(((size_t)tr->nobjs + 1) * sizeof(uint32_t));
	uint32_t *wait_next = malloc((ns ? ns : 1) * sizeof(uint32_t));
	uint8_t *parked = calloc(ns ? ns : 1, 1);
	struct heap h = {malloc((ns ? ns : 1) * sizeof(uint32_t)), 0};
	if (!tr->recs || !expect || !wait_head || !wait_next || !h.a ||
	    !parked) {
		free(expect);
		free(wait_head);
		free(wait_next);
		free(parked);
		free(h.a);
		return -1;
	}
	for (uint32_t o = 0; o <= tr->nobjs; o++) {
		expect[o] = 1;
		wait_head[o] = UINT32_MAX;
	}
#define HEAD(t) (&tr->streams[t].r[tr->streams[t].head])
	/* Place thread t's head: ready (heap) or parked on its object. */
#define PLACE(t)                                                               \
	do {                                                                   \
		const struct clab_record *hd_ = HEAD(t);                       \
		if (hd_->oseq && hd_->oseq > expect[hd_->obj]) {               \
			wait_next[t] = wait_head[hd_->obj];                    \
			wait_head[hd_->obj] = (t);                             \
			parked[t] = 1;                                         \
		} else {                                                       \
			heap_push(tr, &h, (t));                                \
		}                                                              \
	} while (0)
	uint32_t live = 0;
	for (uint32_t t = 0; t < ns; t++)
		if (tr->streams[t].n) {
			PLACE(t);
			live++;
		}
	size_t out = 0;
	while (live) {
		if (h.n == 0) {
			/* Data is missing: release the earliest parked head. */
			uint32_t best = UINT32_MAX;
			for (uint32_t t = 0; t < ns; t++)
				if (parked[t] &&
				    (best == UINT32_MAX || before(tr, t, best)))
					best = t;
			const struct clab_record *hd = HEAD(best);
			uint32_t *pp = &wait_head[hd->obj];
			while (*pp != best)
				pp = &wait_next[*pp];
			*pp = wait_next[best];
			parked[best] = 0;
			expect[hd->obj] = hd->oseq;
			tr->gaps++;
			heap_push(tr, &h, best);
		}
		uint32_t t = heap_pop(tr, &h);
		struct clab_record *r = &tr->recs[out];
		*r = *HEAD(t);
		r->seq = out++;
		if (r->oseq && r->oseq >= expect[r->obj]) {
			expect[r->obj] = r->oseq + 1;
			/* Wake the thread whose head waits for this number. */
			for (uint32_t *pp = &wait_head[r->obj];
			     *pp != UINT32_MAX; pp = &wait_next[*pp]) {
				uint32_t u = *pp;
				if (HEAD(u)->oseq == expect[r->obj]) {
					*pp = wait_next[u];
					parked[u] = 0;
					heap_push(tr, &h, u);
					break;
				}
			}
		}
		if (++tr->streams[t].head < tr->streams[t].n)
			PLACE(t);
		else
			live--;
		stream_done(&tr->streams[t]);
	}
#undef PLACE
#undef HEAD
	tr->nrecs = out;
	free(expect);
	free(wait_head);
	free(wait_next);
	free(parked);
	free(h.a);
	for (uint32_t i = 0; i < tr->nstreams; i++)
		stream_free(&tr->streams[i]);
	return 0;
}

static int fail(char *errbuf, size_t errlen, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(char *errbuf, size_t errlen, int err, const char *fmt, ...)
{
	if (errbuf && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(errbuf, errlen, fmt, ap);
		va_end(ap);
	}
	return err;
}

int clab_trace_load_mem(const void *data, size_t len, const char *name,
			struct clab_trace **out, char *errbuf, size_t errlen)
{
	const uint8_t *p = data;
	*out = NULL;
	if (!name)
		name = "trace";
	if (len < CLAB_FMT_HDR_LEN)
		return fail(errbuf, errlen, CLAB_EBADMSG,
			    "%s: not a conclab trace (%zu bytes, too short "
			    "for the %d-byte header)",
			    name, len, CLAB_FMT_HDR_LEN);
	if (memcmp(p, CLAB_FMT_MAGIC, CLAB_FMT_MAGIC_LEN) != 0)
		return fail(errbuf, errlen, CLAB_EBADMSG,
			    "%s: not a conclab trace (bad magic bytes)", name);
	uint32_t major = clab_rbuf_u16le(p + 8),
		 minor = clab_rbuf_u16le(p + 10);
	if (major != CLAB_FMT_MAJOR)
		return fail(errbuf, errlen, CLAB_EPROTO,
			    "%s: trace format version %u.%u; this conclab "
			    "reads version %d.x",
			    name, major, minor, CLAB_FMT_MAJOR);
	struct clab_trace *tr = calloc(1, sizeof(*tr));
	if (!tr)
		return fail(errbuf, errlen, CLAB_ENOMEM, "%s: out of memory",
			    name);
	tr->major = major;
	tr->minor = minor;
	size_t off = CLAB_FMT_HDR_LEN;
	size_t nchunks = 0;
	uint32_t content = 0; /* CRC-32 of the chunks read so far */
	while (off < len) {
		if (len - off < CLAB_CHUNK_HDR_LEN) {
			set_damage(tr,
				   "%s: cut short: the file ends inside a "
				   "chunk header at byte %zu (%zu whole "
				   "chunks read)",
				   name, off, nchunks);
			break;
		}
		uint32_t type = clab_rbuf_u32le(p + off);
		uint32_t clen = clab_rbuf_u32le(p + off + 4);
		uint32_t crc = clab_rbuf_u32le(p + off + 8);
		if (clen > CLAB_CHUNK_MAX) {
			set_damage(tr,
				   "%s: corrupt chunk header at byte %zu "
				   "(length %u) (%zu whole chunks read)",
				   name, off, clen, nchunks);
			break;
		}
		if (clen > len - off - CLAB_CHUNK_HDR_LEN) {
			set_damage(tr,
				   "%s: cut short: the chunk at byte %zu "
				   "needs %u bytes, %zu remain (%zu whole "
				   "chunks read)",
				   name, off, clen,
				   len - off - CLAB_CHUNK_HDR_LEN, nchunks);
			break;
		}
		const uint8_t *payload = p + off + CLAB_CHUNK_HDR_LEN;
		if (clab_chunk_crc(type, clen, payload) != crc) {
			set_damage(tr,
				   "%s: corrupt: checksum mismatch in the "
				   "chunk at byte %zu (%zu whole chunks "
				   "read)",
				   name, off, nchunks);
			break;
		}
		struct clab_rbuf b = {payload, payload + clen, 0};
		const char *why = NULL;
		int rc = 0;
		switch (type) {
		case CLAB_CH_META:
			rc = parse_meta(tr, &b);
			break;
		case CLAB_CH_THREADS:
			rc = parse_threads(tr, &b);
			break;
		case CLAB_CH_OBJECTS:
			rc = parse_objects(tr, &b);
			break;
		case CLAB_CH_SITES:
			rc = parse_sites(tr, &b);
			break;
		case CLAB_CH_EVENTS:
			rc = parse_events(tr, &b, &why);
			break;
		case CLAB_CH_END:
			rc = parse_end(tr, &b, content);
			break;
		case CLAB_CH_STACKS:
			rc = parse_stacks(tr, &b);
			break;
		default:
			break; /* a newer minor version's chunk: skip it */
		}
		if (rc == 0 && type != CLAB_CH_EVENTS &&
		    type <= CLAB_CH_STACKS && b.p != b.end)
			rc = -1;
		if (rc != 0) {
			set_damage(tr,
				   "%s: corrupt: malformed %s in the chunk at "
				   "byte %zu (%zu whole chunks read)",
				   name, why ? why : "definitions", off,
				   nchunks);
			break;
		}
		nchunks++;
		content = (uint32_t)crc32(content, p + off,
					  (uInt)(CLAB_CHUNK_HDR_LEN + clen));
		off += CLAB_CHUNK_HDR_LEN + clen;
		if (type == CLAB_CH_END && off < len) {
			set_damage(tr,
				   "%s: %zu bytes of junk after the end "
				   "chunk at byte %zu",
				   name, len - off, off);
			break;
		}
	}
	if (tr->checksum < 0)
		set_damage(tr,
			   "%s: the content does not match the checksum in its "
			   "end chunk: chunks were removed, added or changed "
			   "after the trace was written",
			   name);
	if (!tr->complete && !tr->damage)
		set_damage(tr,
			   "%s: cut short: no end chunk (the program did not "
			   "close the trace; %zu whole chunks read)",
			   name, nchunks);
	if (merge(tr) != 0) {
		clab_trace_free(tr);
		return fail(errbuf, errlen, CLAB_ENOMEM, "%s: out of memory",
			    name);
	}
	tr->obj2tid = malloc(((size_t)tr->nobjs + 1) * sizeof(uint32_t));
	if (!tr->obj2tid) {
		clab_trace_free(tr);
		return fail(errbuf, errlen, CLAB_ENOMEM, "%s: out of memory",
			    name);
	}
	for (uint32_t i = 0; i <= tr->nobjs; i++)
		tr->obj2tid[i] = UINT32_MAX;
	for (uint32_t i = 0; i < tr->nthreads; i++)
		if (tr->threads[i].oid <= tr->nobjs)
			tr->obj2tid[tr->threads[i].oid] = i;
	if (clab__label_trace(tr->threads, tr->nthreads, tr->objs, tr->nobjs,
			      tr->obj2tid, &tr->labels) != 0) {
		clab_trace_free(tr);
		return fail(errbuf, errlen, CLAB_ENOMEM, "%s: out of memory",
			    name);
	}
	*out = tr;
	return 0;
}

int clab_trace_load(const char *path, struct clab_trace **out, char *errbuf,
		    size_t errlen)
{
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (!f)
		return fail(errbuf, errlen, -errno, "%s: %s", path,
			    strerror(errno));
	size_t cap = 1 << 16, len = 0;
	uint8_t *data = malloc(cap);
	while (data) {
		size_t k = fread(data + len, 1, cap - len, f);
		len += k;
		if (k == 0)
			break;
		if (len == cap) {
			uint8_t *n = realloc(data, cap * 2);
			if (!n) {
				free(data);
				data = NULL;
				break;
			}
			data = n;
			cap *= 2;
		}
	}
	int rerr = ferror(f);
	fclose(f);
	if (!data)
		return fail(errbuf, errlen, CLAB_ENOMEM, "%s: out of memory",
			    path);
	if (rerr) {
		free(data);
		return fail(errbuf, errlen, CLAB_EIO, "%s: read error", path);
	}
	int rc = clab_trace_load_mem(data, len, path, out, errbuf, errlen);
	free(data);
	return rc;
}

const char *clab_trace_damage(const struct clab_trace *tr)
{
	return tr->damage;
}

size_t clab_trace_nrecords(const struct clab_trace *tr)
{
	return tr->nrecs;
}

const struct clab_record *clab_trace_record(const struct clab_trace *tr,
					    size_t seq)
{
	return seq < tr->nrecs ? &tr->recs[seq] : NULL;
}

const struct clab_record *clab_trace_records(const struct clab_trace *tr)
{
	return tr->recs;
}

uint32_t clab_trace_nthreads(const struct clab_trace *tr)
{
	return tr->nthreads;
}

const struct clab_thread_info *clab_trace_thread(const struct clab_trace *tr,
						 uint32_t tid)
{
	return tid < tr->nthreads ? &tr->threads[tid] : NULL;
}

uint32_t clab_trace_thread_of_obj(const struct clab_trace *tr, uint32_t oid)
{
	return oid <= tr->nobjs ? tr->obj2tid[oid] : UINT32_MAX;
}

uint32_t clab_trace_nobjects(const struct clab_trace *tr)
{
	return tr->nobjs;
}

const struct clab_object_info *clab_trace_object(const struct clab_trace *tr,
						 uint32_t oid)
{
	return oid >= 1 && oid <= tr->nobjs ? &tr->objs[oid - 1] : NULL;
}

const char *clab_trace_thread_label(const struct clab_trace *tr, uint32_t tid)
{
	return tid < tr->nthreads ? tr->threads[tid].label : "?";
}

const char *clab_trace_object_label(const struct clab_trace *tr, uint32_t oid)
{
	return oid >= 1 && oid <= tr->nobjs ? tr->objs[oid - 1].label : "?";
}

const struct clab_site_info *clab_trace_site(const struct clab_trace *tr,
					     uint32_t id)
{
	return id >= 1 && id <= tr->nsites ? &tr->sites[id - 1] : NULL;
}

size_t clab_trace_nmeta(const struct clab_trace *tr)
{
	return tr->nmeta;
}

int clab_trace_meta_at(const struct clab_trace *tr, size_t i, const char **key,
		       const char **value)
{
	if (i >= tr->nmeta)
		return CLAB_EINVAL;
	*key = tr->mkeys[i];
	*value = tr->mvals[i];
	return 0;
}

const char *clab_trace_meta(const struct clab_trace *tr, const char *key)
{
	for (size_t i = tr->nmeta; i-- > 0;)
		if (strcmp(tr->mkeys[i], key) == 0)
			return tr->mvals[i];
	return NULL;
}

uint32_t clab_trace_nstacks(const struct clab_trace *tr)
{
	return tr->nstacks;
}

const struct clab_stack_info *clab_trace_stack(const struct clab_trace *tr,
					       uint32_t id)
{
	return id >= 1 && id <= tr->nstacks ? &tr->stacks[id - 1] : NULL;
}

uint64_t clab_trace_stacks_lost(const struct clab_trace *tr)
{
	return tr->stacks_lost;
}

uint64_t clab_trace_drops(const struct clab_trace *tr)
{
	return tr->drops;
}

int clab_trace_complete(const struct clab_trace *tr)
{
	return tr->complete;
}

uint32_t clab_trace_version_major(const struct clab_trace *tr)
{
	return tr->major;
}

int clab_trace_checksum_ok(const struct clab_trace *tr)
{
	return tr->checksum;
}

uint32_t clab_trace_version_minor(const struct clab_trace *tr)
{
	return tr->minor;
}

uint64_t clab_trace_gaps(const struct clab_trace *tr)
{
	return tr->gaps;
}
