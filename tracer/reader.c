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
 * counted as a gap.  In the trace of a run that did not end (threads still
 * ran at the close, or the writer never closed it) the missing number was
 * being written when the file stopped: the merge stops there instead, so
 * that what is read is a consistent cut (every record's predecessors, on
 * its thread and on its object, are in it), and counts what it left out.
 */
#include <errno.h>
#include <inttypes.h>
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

/* An object's last sequence number in the record chunk numbered gen. */
struct olast {
	uint32_t gen, oseq;
};

struct clab_trace {
	char *damage;
	char *warning;	  /* the first record skipped, or NULL */
	uint64_t skipped; /* records skipped: they name an unknown object */
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
	uint64_t cut; /* records past the consistent cut of an incomplete run */
	int complete;
	int unclosed;	     /* no end chunk */
	int whole;	     /* ...but every chunk read is whole and sound */
	uint32_t running;    /* threads running at the close (end.running) */
	char incomplete[64]; /* clab_trace_incomplete's text, or "" */
	uint32_t major, minor;
	int checksum; /* 1 matched, -1 did not, 0 none (before 1.2) */
	int sig;      /* a signature chunk follows the end chunk (1.4) */
	uint32_t *obj2tid;
	char *labels; /* the labels that are not names (label.h) */
	struct stream *streams;
	uint32_t nstreams, streams_cap;
	struct olast *olast; /* by object id, for the record chunk chunkgen */
	size_t olast_cap;
	uint32_t chunkgen;
};

#define GROW(arr, n, cap)                                                      \
	((n) < (cap) ? 0 : grow((void **)&(arr), &(cap), sizeof(*(arr))))

static int grow(void **arr, uint32_t *cap, size_t elem)
{
	if (*cap >= UINT32_MAX / 2)
		return -1; /* ids are 32 bits */
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
	free(tr->warning);
	free(tr->olast);
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
		/* a value may be long: a controlled run's schedule */
		char *k = clab_rbuf_str(b),
		     *v = clab_rbuf_str_max(b, CLAB_META_VALUE_MAX);
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
		/* a frame takes 3 bytes at least */
		if (b->err || id != (uint64_t)tr->nstacks + 1 ||
		    id > CLAB_STACKS_MAX || nf > 1024 ||
		    nf * 3 > (uint64_t)(b->end - b->p) ||
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

/*
 * Where a record chunk's records are decoded from: the payload itself
 * (raw), or a window that zlib's inflate refills as the decoding goes, so
 * that a chunk costs a window of memory whatever its raw length says.
 */
#define REC_MAX 72	   /* the longest record: kind, 7 varints, a8 */
#define WINDOW (64u << 10) /* inflated bytes decoded at a time */

struct recsrc {
	struct clab_rbuf r; /* the bytes not decoded yet */
	z_stream z;
	uint8_t *win; /* zlib: WINDOW + REC_MAX bytes; NULL: raw */
	int zend;     /* inflate has given the whole stream */
	int zbad;     /* inflate failed, or gave more than the raw length */
	uint64_t rawlen;
};

/* zlib: move what is left to the window's start and inflate after it. */
static void recsrc_fill(struct recsrc *src)
{
	if (!src->win || src->zend || src->zbad)
		return;
	size_t left = (size_t)(src->r.end - src->r.p);
	memmove(src->win, src->r.p, left);
	src->z.next_out = src->win + left;
	src->z.avail_out = (uInt)(WINDOW + REC_MAX - left);
	while (src->z.avail_out) {
		int zr = inflate(&src->z, Z_NO_FLUSH);
		if (zr == Z_STREAM_END) {
			src->zend = 1;
			break;
		}
		if (zr != Z_OK) {
			src->zbad = 1;
			break;
		}
	}
	if (src->z.total_out > src->rawlen)
		src->zbad = 1;
	src->r.p = src->win;
	src->r.end = src->z.next_out;
}

/* Room for the next record: at least REC_MAX bytes, or all there is. */
static void recsrc_need(struct recsrc *src)
{
	if (src->win && (size_t)(src->r.end - src->r.p) < REC_MAX)
		recsrc_fill(src);
}

/* Room in the objects' last sequence numbers for every object defined. */
static int olast_reserve(struct clab_trace *tr)
{
	if ((size_t)tr->nobjs + 1 <= tr->olast_cap)
		return 0;
	size_t cap = tr->olast_cap ? tr->olast_cap : 64;
	while (cap < (size_t)tr->nobjs + 1)
		cap *= 2;
	struct olast *p = realloc(tr->olast, cap * sizeof(*p));
	if (!p)
		return -1;
	memset(p + tr->olast_cap, 0, (cap - tr->olast_cap) * sizeof(*p));
	tr->olast = p;
	tr->olast_cap = cap;
	return 0;
}

static void warn_unknown_object(struct clab_trace *tr, const char *name,
				size_t off, uint64_t tid, uint64_t i,
				uint64_t obj)
{
	tr->skipped++;
	if (tr->warning)
		return;
	char buf[512];
	snprintf(buf, sizeof(buf),
		 "%s: record %" PRIu64 " of the chunk at byte %zu (thread "
		 "%" PRIu64 ") refers to object %" PRIu64
		 ", which the trace never defined; skipped",
		 name, i + 1, off, tid, obj);
	tr->warning = strdup(buf);
}

/*
 * One record chunk.  name and off (the chunk's offset in the file) are
 * for the warning about a record that names an unknown object.
 */
static int parse_events(struct clab_trace *tr, struct clab_rbuf *b,
			const char *name, size_t off, const char **why)
{
	uint64_t tid = clab_rbuf_uv(b), n = clab_rbuf_uv(b),
		 base = clab_rbuf_uv(b);
	unsigned codec = clab_rbuf_u8(b);
	unsigned stacks = codec & CLAB_CODEC_STACKS;
	codec &= ~(unsigned)CLAB_CODEC_STACKS;
	uint64_t rawlen = clab_rbuf_uv(b);
	uint64_t minrec = stacks ? 4 : 3; /* kind, dt, site, [stack] */
	size_t have = (size_t)(b->end - b->p);
	/* Every count is checked against the bytes that could hold it. */
	if (b->err || tid >= tr->nthreads || n == 0 || n > (1u << 24) ||
	    rawlen > CLAB_CHUNK_MAX || rawlen < n * minrec ||
	    rawlen > n * REC_MAX) {
		*why = "bad record chunk header";
		return -1;
	}
	struct recsrc src = {.r = {b->p, b->end, 0}, .rawlen = rawlen};
	if (codec == CLAB_CODEC_ZLIB) {
		if (n > (uint64_t)have * CLAB_RECS_PER_ZBYTE) {
			*why = "more records than the compressed data can hold";
			return -1;
		}
		src.win = malloc(WINDOW + REC_MAX);
		if (!src.win) {
			*why = "out of memory";
			return -1;
		}
		src.z.next_in = (Bytef *)(uintptr_t)b->p;
		src.z.avail_in = (uInt)have;
		if (inflateInit(&src.z) != Z_OK) {
			free(src.win);
			*why = "out of memory";
			return -1;
		}
		src.r.p = src.r.end = src.win;
		recsrc_fill(&src);
	} else if (codec != CLAB_CODEC_RAW || rawlen != have) {
		*why = "unknown record encoding";
		return -1;
	}
	struct clab_rbuf *r = &src.r;
	while (tr->nstreams <= tid) {
		if (GROW(tr->streams, tr->nstreams, tr->streams_cap)) {
			*why = "out of memory";
			r->err = 1;
			break;
		}
		tr->nstreams++;
	}
	if (!r->err && olast_reserve(tr) != 0) {
		*why = "out of memory";
		r->err = 1;
	}
	if (++tr->chunkgen == 0 && tr->olast) { /* wrapped: forget all */
		memset(tr->olast, 0, tr->olast_cap * sizeof(*tr->olast));
		tr->chunkgen = 1;
	}
	struct stream *s = r->err ? NULL : &tr->streams[tid];
	uint64_t t = base;
	if (s && s->n && t < s->r[s->n - 1].ns) {
		*why = "a thread's time goes backwards";
		r->err = 1;
	}
	size_t start = s ? s->n : 0;
	uint64_t skipped = 0;
	int warned = tr->warning != NULL;
	for (uint64_t i = 0; i < n && !r->err; i++) {
		/* Records are stored as they are decoded, never by n. */
		if (s->n == s->cap && stream_reserve(s, s->n + 1) != 0) {
			*why = "out of memory";
			r->err = 1;
			break;
		}
		recsrc_need(&src);
		struct clab_record *rec = &s->r[s->n];
		memset(rec, 0, sizeof(*rec));
		unsigned kind = clab_rbuf_u8(r);
		if (!r->err && !clab_kind_valid(kind)) {
			r->err = 1;
			*why = "unknown record kind";
			break;
		}
		unsigned f = clab_kind_fields(kind);
		t += clab_rbuf_uv(r);
		uint64_t site = clab_rbuf_uv(r);
		rec->kind = (uint8_t)kind;
		rec->tid = (uint32_t)tid;
		rec->ns = t;
		if (site > tr->nsites) {
			r->err = 1;
			*why = "record refers to an unknown site";
			break;
		}
		rec->site = (uint32_t)site;
		uint64_t obj = 0;
		if (f & CLAB_F_OBJ)
			obj = clab_rbuf_uv(r);
		int known = obj <= tr->nobjs;
		rec->obj = known ? (uint32_t)obj : 0;
		if (f & CLAB_F_SEQ) {
			int64_t d = clab_rbuf_sv(r);
			struct olast *ol = known ? &tr->olast[obj] : NULL;
			int64_t expect = ol && ol->gen == tr->chunkgen
					     ? (int64_t)ol->oseq + 1
					     : 1;
			int64_t v = expect + d;
			if (known && (v <= 0 || v > UINT32_MAX)) {
				r->err = 1;
				*why = "bad object sequence number";
				break;
			}
			if (ol) {
				rec->oseq = (uint32_t)v;
				ol->gen = tr->chunkgen;
				ol->oseq = rec->oseq;
			}
		}
		if (f & CLAB_F_A8)
			rec->a8 = (uint8_t)clab_rbuf_u8(r);
		if (f & CLAB_F_A32) {
			uint64_t v = clab_rbuf_uv(r);
			if (v > UINT32_MAX)
				r->err = 1;
			rec->a32 = (uint32_t)v;
		}
		if (f & CLAB_F_VAL)
			rec->val = clab_rbuf_sv(r);
		if (stacks) {
			uint64_t st = clab_rbuf_uv(r);
			if (st > tr->nstacks) {
				r->err = 1;
				*why = "record refers to an unknown stack";
				break;
			}
			rec->stack = (uint16_t)st;
		}
		if (r->err)
			break;
		if (!known) {
			/* A writer's slip, not damage: skip the record. */
			skipped++;
			warn_unknown_object(tr, name, off, tid, i, obj);
			continue;
		}
		s->n++;
	}
	if (!r->err) {
		recsrc_fill(&src); /* the stream's end may not be seen yet */
		if (src.zbad || (src.win && (!src.zend || src.z.avail_in ||
					     src.z.total_out != rawlen))) {
			r->err = 1;
			*why = "record data does not decompress";
		} else if (r->p != r->end) {
			r->err = 1;
			*why = "record data longer than its count";
		}
	}
	if (src.win) {
		inflateEnd(&src.z);
		free(src.win);
		/* data that does not inflate ends early: say which it is */
		if (r->err && src.zbad)
			*why = "record data does not decompress";
	}
	if (r->err) {
		if (s)
			s->n = start;
		tr->skipped -= skipped; /* the chunk is lost: so are they */
		if (!warned) {
			free(tr->warning);
			tr->warning = NULL;
		}
		if (!*why)
			*why = "record data ends early";
		return -1;
	}
	return 0;
}

/* crc: the CRC-32 of every chunk before the end chunk (and, since 1.3, of
 * the file header before them). */
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

/*
 * How the run ended, from the end chunk and the threads running at the
 * close (CLAB_META_RUNNING: ids separated by spaces).
 */
static void end_of_run(struct clab_trace *tr)
{
	const char *v = clab_trace_meta(tr, CLAB_META_RUNNING);
	const char *crash = clab_trace_meta(tr, CLAB_META_CRASH);
	tr->running = 0;
	for (const char *p = v; p && *p; p++)
		if (*p != ' ' && (p == v || p[-1] == ' '))
			tr->running++;
	if (tr->unclosed)
		snprintf(tr->incomplete, sizeof(tr->incomplete),
			 "the writer never closed the trace");
	else if (tr->complete && (tr->running || crash))
		snprintf(tr->incomplete, sizeof(tr->incomplete),
			 "%s%.16s%s while %" PRIu32 " thread%s ran",
			 crash ? "crashed (" : "stopped", crash ? crash : "",
			 crash ? ")" : "", tr->running,
			 tr->running == 1 ? "" : "s");
	else
		tr->incomplete[0] = 0;
}

enum clab_trace_end clab_trace_end(const struct clab_trace *tr,
				   uint32_t *nrunning)
{
	if (nrunning)
		*nrunning = tr->running;
	return tr->unclosed		     ? CLAB_END_UNCLOSED
	       : tr->complete && tr->running ? CLAB_END_STOPPED
					     : CLAB_END_COMPLETE;
}

int clab_trace_whole(const struct clab_trace *tr)
{
	return tr->whole;
}

const char *clab_trace_incomplete(const struct clab_trace *tr)
{
	return tr->incomplete[0] ? tr->incomplete : NULL;
}

/* ---- merge ---- */

#define NONE UINT32_MAX

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

static int merge(struct clab_trace *tr)
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
	while (live) {
		if (ready.n == 0 && cut) {
			for (uint32_t t = 0; t < ns; t++)
				tr->cut +=
				    tr->streams[t].n - tr->streams[t].head;
			break;
		}
		if (ready.n == 0) {
			/* Data is missing: release the earliest parked head. */
			uint32_t best = heap_pop(key, &parked);
			const struct clab_record *hd = HEAD(best);
			waits_del(&w, best, hd->obj, hd->oseq);
			expect[hd->obj] = hd->oseq;
			tr->gaps++;
			heap_push(key, &ready, best);
		}
		uint32_t t = heap_pop(key, &ready);
		struct clab_record *r = &tr->recs[out];
		*r = *HEAD(t);
		r->seq = out++;
		if (r->oseq && r->oseq >= expect[r->obj]) {
			expect[r->obj] = r->oseq + 1;
			/* Wake the thread whose head waits for this number. */
			struct wslot *sl =
			    waits_find(&w, r->obj, expect[r->obj]);
			if (sl->head != NONE) {
				uint32_t u = sl->head;
				waits_del(&w, u, r->obj, expect[r->obj]);
				heap_remove(key, &parked, u);
				heap_push(key, &ready, u);
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
	for (uint32_t i = 0; i < tr->nstreams; i++)
		stream_free(&tr->streams[i]);
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
static int signature(struct clab_trace *tr, const uint8_t *p, size_t len,
		     size_t *off)
{
	size_t o = *off;
	if (tr->minor < CLAB_FMT_MINOR_SIGNED ||
	    len - o < CLAB_CHUNK_HDR_LEN + CLAB_SIG_LEN ||
	    clab_rbuf_u32le(p + o) != CLAB_CH_SIGNATURE ||
	    clab_rbuf_u32le(p + o + 4) != CLAB_SIG_LEN ||
	    clab_chunk_crc(CLAB_CH_SIGNATURE, CLAB_SIG_LEN,
			   p + o + CLAB_CHUNK_HDR_LEN) !=
		clab_rbuf_u32le(p + o + 8))
		return 0;
	tr->sig = 1;
	*off = o + CLAB_CHUNK_HDR_LEN + CLAB_SIG_LEN;
	return 1;
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
	/* CRC-32 of what was read so far: since 1.3, the header too */
	uint32_t content = minor >= CLAB_FMT_MINOR_HDRSUM
			       ? (uint32_t)crc32(0, p, CLAB_FMT_HDR_LEN)
			       : 0;
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
			rc = parse_events(tr, &b, name, off, &why);
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
		if (type == CLAB_CH_END && off < len &&
		    signature(tr, p, len, &off) && off < len) {
			set_damage(tr,
				   "%s: %zu bytes of junk after the signature "
				   "chunk at byte %zu",
				   name, len - off,
				   off - CLAB_CHUNK_HDR_LEN - CLAB_SIG_LEN);
			break;
		}
		if (type == CLAB_CH_END && off < len) {
			set_damage(tr,
				   "%s: %zu bytes of junk after the end "
				   "chunk at byte %zu",
				   name, len - off, off);
			break;
		}
	}
	free(tr->olast); /* only the record chunks need it */
	tr->olast = NULL;
	tr->olast_cap = 0;
	if (tr->checksum < 0)
		set_damage(tr,
			   "%s: the content does not match the checksum in its "
			   "end chunk: chunks were removed, added or changed "
			   "after the trace was written",
			   name);
	if (!tr->complete && !tr->damage) {
		set_damage(tr,
			   "%s: cut short: no end chunk (the program did not "
			   "close the trace; %zu whole chunks read)",
			   name, nchunks);
		tr->whole = 1;
	}
	tr->unclosed = !tr->complete;
	if (!tr->damage)
		tr->whole = 1;
	end_of_run(tr);
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

int clab_trace_read_file(const char *path, void **out, size_t *outlen,
			 char *errbuf, size_t errlen)
{
	*out = NULL;
	*outlen = 0;
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
	*out = data;
	*outlen = len;
	return 0;
}

int clab_trace_load(const char *path, struct clab_trace **out, char *errbuf,
		    size_t errlen)
{
	*out = NULL;
	void *data;
	size_t len;
	int rc = clab_trace_read_file(path, &data, &len, errbuf, errlen);
	if (rc != 0)
		return rc;
	rc = clab_trace_load_mem(data, len, path, out, errbuf, errlen);
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

int clab_trace_signed(const struct clab_trace *tr)
{
	return tr->sig;
}

int clab_trace_checksum_ok(const struct clab_trace *tr)
{
	return tr->checksum;
}

uint32_t clab_trace_version_minor(const struct clab_trace *tr)
{
	return tr->minor;
}

uint64_t clab_trace_cut(const struct clab_trace *tr)
{
	return tr->cut;
}

uint64_t clab_trace_gaps(const struct clab_trace *tr)
{
	return tr->gaps;
}

uint64_t clab_trace_skipped(const struct clab_trace *tr)
{
	return tr->skipped;
}

const char *clab_trace_warning(const struct clab_trace *tr)
{
	return tr->warning;
}
