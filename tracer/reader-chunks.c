/*
 * Decoding a trace's chunks: its metadata, threads, objects, sites,
 * stacks, record chunks (into one stream per thread) and end chunk.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include <conclab/label.h>
#include <conclab/trace.h>

#include "clab-kinds.h"
#include "format.h"
#include "reader-int.h"

int clab__trace_parse_meta(struct clab_trace *tr, struct clab_rbuf *b)
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

int clab__read_thread_def(struct clab_rbuf *b, struct clab__thread_def *d)
{
	d->tid = clab_rbuf_uv(b);
	d->oid = clab_rbuf_uv(b);
	d->parent = clab_rbuf_uv(b);
	d->name = clab_rbuf_str_raw(b, CLAB_NAME_MAX, &d->nlen);
	return b->err ? -1 : 0;
}

int clab__read_object_def(struct clab_rbuf *b, struct clab__object_def *d)
{
	d->oid = clab_rbuf_uv(b);
	d->kind = clab_rbuf_u8(b);
	d->flags = clab_rbuf_u8(b);
	d->param = clab_rbuf_uv(b);
	d->site = clab_rbuf_uv(b);
	d->tid = clab_rbuf_uv(b);
	d->name = clab_rbuf_str_raw(b, CLAB_NAME_MAX, &d->nlen);
	return b->err ? -1 : 0;
}

char *clab__name_dup(const uint8_t *raw, size_t n)
{
	char *s = malloc(n + 1);
	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++)
		s[i] = clab_name_byte(raw[i]);
	s[n] = 0;
	return s;
}

void clab__thread_info_set(struct clab_thread_info *t,
			   const struct clab__thread_def *d, char *name)
{
	memset(t, 0, sizeof(*t));
	t->tid = (uint32_t)d->tid;
	t->oid = (uint32_t)d->oid;
	t->parent = (uint32_t)d->parent;
	t->name = name;
}

int clab__trace_parse_threads(struct clab_trace *tr, struct clab_rbuf *b)
{
	uint64_t n = clab_rbuf_uv(b);
	for (uint64_t i = 0; i < n && !b->err; i++) {
		struct clab__thread_def d;
		if (clab__read_thread_def(b, &d) != 0 ||
		    d.tid != tr->nthreads || d.oid == 0 || d.oid > UINT32_MAX ||
		    d.parent > d.tid || tr->nthreads == UINT32_MAX)
			return -1;
		if (tr->meta_only) { /* kept later, if named (reader-defs.c) */
			tr->nthreads++;
			continue;
		}
		char *name = NULL;
		if (GROW(tr->threads, tr->nthreads, tr->threads_cap) ||
		    !(name = clab__name_dup(d.name, d.nlen)))
			return -1;
		clab__thread_info_set(&tr->threads[tr->nthreads++], &d, name);
	}
	return b->err ? -1 : 0;
}

int clab__object_def_ok(const struct clab__object_def *d, uint64_t oid)
{
	return d->oid == oid && d->param <= UINT32_MAX &&
	       d->site <= UINT32_MAX && d->tid <= UINT32_MAX;
}

void clab__object_info_set(struct clab_object_info *o,
			   const struct clab__object_def *d, char *name)
{
	memset(o, 0, sizeof(*o));
	o->oid = (uint32_t)d->oid;
	o->kind = (uint8_t)d->kind;
	o->flags = (uint8_t)d->flags;
	o->param = (uint32_t)d->param;
	o->site = (uint32_t)d->site;
	o->tid = (uint32_t)d->tid;
	o->name = name;
}

int clab__trace_parse_objects(struct clab_trace *tr, struct clab_rbuf *b)
{
	uint64_t n = clab_rbuf_uv(b);
	for (uint64_t i = 0; i < n && !b->err; i++) {
		struct clab__object_def d;
		if (clab__read_object_def(b, &d) != 0 ||
		    !clab__object_def_ok(&d, (uint64_t)tr->nobjs + 1) ||
		    tr->nobjs == UINT32_MAX)
			return -1;
		if (tr->meta_only) {
			tr->nobjs++;
			continue;
		}
		char *name = NULL;
		if (GROW(tr->objs, tr->nobjs, tr->objs_cap) ||
		    !(name = clab__name_dup(d.name, d.nlen)))
			return -1;
		clab__object_info_set(&tr->objs[tr->nobjs++], &d, name);
	}
	return b->err ? -1 : 0;
}

int clab__trace_parse_sites(struct clab_trace *tr, struct clab_rbuf *b)
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

int clab__trace_parse_stacks(struct clab_trace *tr, struct clab_rbuf *b)
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
 * (raw), or a window that zlib's inflate or zstd's decoder refills as the
 * decoding goes, so that a chunk costs a window of memory whatever its raw
 * length says.
 */
#define REC_MAX 72	   /* the longest record: kind, 7 varints, a8 */
#define WINDOW (64u << 10) /* decompressed bytes decoded at a time */
/*
 * The largest zstd window a reader allows, as a power of two: a writer's
 * chunk holds at most 4096 records (under 256 KiB raw), and a frame that
 * asks for more (up to 2 GiB) is refused before the decoder allocates it.
 */
#define ZSTD_WINDOW_LOG 20

struct recsrc {
	struct clab_rbuf r; /* the bytes not decoded yet */
	unsigned codec;
	z_stream z;
	ZSTD_DCtx *zd; /* the trace's (tr->zd) */
	ZSTD_inBuffer zin;
	uint8_t *win; /* compressed: WINDOW + REC_MAX bytes; NULL: raw */
	int zend;     /* the whole stream (frame) is decompressed */
	int zbad;     /* it failed, or gave more than the raw length */
	uint64_t rawlen, total_out;
};

/* Decompress into out..out+room; returns the bytes written. */
static size_t recsrc_zlib(struct recsrc *src, uint8_t *out, size_t room)
{
	src->z.next_out = out;
	src->z.avail_out = (uInt)room;
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
	return room - src->z.avail_out;
}

static size_t recsrc_zstd(struct recsrc *src, uint8_t *out, size_t room)
{
	ZSTD_outBuffer o = {out, room, 0};
	while (o.pos < o.size) {
		size_t zr = ZSTD_decompressStream(src->zd, &o, &src->zin);
		if (ZSTD_isError(zr)) {
			src->zbad = 1;
			break;
		}
		if (zr == 0) {
			src->zend = 1;
			break;
		}
		/* out of input, and everything it had is out */
		if (src->zin.pos == src->zin.size && o.pos < o.size)
			break;
	}
	return o.pos;
}

/* Move what is left to the window's start and decompress after it. */
static void recsrc_fill(struct recsrc *src)
{
	if (!src->win || src->zend || src->zbad)
		return;
	size_t left = (size_t)(src->r.end - src->r.p);
	memmove(src->win, src->r.p, left);
	uint8_t *out = src->win + left;
	size_t room = WINDOW + REC_MAX - left;
	size_t got = src->codec == CLAB_CODEC_ZSTD
			 ? recsrc_zstd(src, out, room)
			 : recsrc_zlib(src, out, room);
	src->total_out += got;
	if (src->total_out > src->rawlen)
		src->zbad = 1;
	src->r.p = src->win;
	src->r.end = out + got;
}

/* Compressed bytes the decoder has not taken. */
static size_t recsrc_unread(const struct recsrc *src)
{
	return src->codec == CLAB_CODEC_ZSTD ? src->zin.size - src->zin.pos
					     : src->z.avail_in;
}

/* Set up decompressing the payload of have bytes at p; 0 or -1. */
static int recsrc_start(struct clab_trace *tr, struct recsrc *src,
			const uint8_t *p, size_t have)
{
	if (src->codec == CLAB_CODEC_ZSTD) {
		/* one decoder for the whole trace, reset for each chunk */
		if (!tr->zd) {
			tr->zd = ZSTD_createDCtx();
			if (tr->zd &&
			    ZSTD_isError(ZSTD_DCtx_setParameter(
				tr->zd, ZSTD_d_windowLogMax, ZSTD_WINDOW_LOG)))
				clab__trace_zstd_free(tr);
			if (!tr->zd)
				return -1;
		} else {
			ZSTD_DCtx_reset(tr->zd, ZSTD_reset_session_only);
		}
		src->zd = tr->zd;
		src->zin = (ZSTD_inBuffer){p, have, 0};
	} else {
		src->z.next_in = (Bytef *)(uintptr_t)p;
		src->z.avail_in = (uInt)have;
		if (inflateInit(&src->z) != Z_OK)
			return -1;
	}
	src->win = malloc(WINDOW + REC_MAX);
	if (!src->win) {
		if (src->codec == CLAB_CODEC_ZLIB)
			inflateEnd(&src->z);
		return -1;
	}
	src->r.p = src->r.end = src->win;
	recsrc_fill(src);
	return 0;
}

void clab__trace_zstd_free(struct clab_trace *tr)
{
	ZSTD_freeDCtx(tr->zd);
	tr->zd = NULL;
}

/*
 * clab_rbuf_uv and clab_rbuf_u8 with their common case inline: a varint
 * of one byte (most of a record's fields), a byte that is there.
 */
static inline uint64_t rec_uv(struct clab_rbuf *b)
{
	if (b->p < b->end && !(*b->p & 0x80))
		return *b->p++;
	return clab_rbuf_uv(b);
}

static inline int64_t rec_sv(struct clab_rbuf *b)
{
	uint64_t u = rec_uv(b);
	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

static inline unsigned rec_u8(struct clab_rbuf *b)
{
	return b->p < b->end ? *b->p++ : clab_rbuf_u8(b);
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
	clab__trace_set_warning(tr,
				"%s: record %" PRIu64
				" of the chunk at byte %zu (thread "
				"%" PRIu64 ") refers to object %" PRIu64
				", which the trace never defined; skipped",
				name, i + 1, off, tid, obj);
}

/*
 * The times of the kept records s->r[pend..s->n) of a run of g records
 * without a time between a stamp at from and the next at to, by the
 * writer's own interpolation; each holds its place in the run in its ns
 * (records skipped for an unknown object leave gaps in the places).
 */
static void lerp_run(struct stream *s, size_t pend, uint64_t from, uint64_t to,
		     uint64_t g)
{
	struct clab_lerp l;
	clab_lerp_init(&l, from, to, g + 1);
	uint64_t k = 0, at = from;
	for (size_t j = pend; j < s->n; j++) {
		while (k < s->r[j].ns) {
			at = clab_lerp_next(&l);
			k++;
		}
		s->r[j].ns = at;
	}
}

/*
 * A record's object and its sequence number, the next of its object in
 * this chunk plus d: 1 when the object is known, 0 when it is not (the
 * record is skipped), -1 with *why when the number is bad.
 */
static inline int rec_object(struct clab_trace *tr, struct clab_record *rec,
			     unsigned f, uint64_t obj, int64_t d,
			     const char **why)
{
	int known = obj <= tr->nobjs;
	rec->obj = known ? (uint32_t)obj : 0;
	if (!(f & CLAB_F_SEQ))
		return known;
	struct olast *ol = known ? &tr->olast[obj] : NULL;
	int64_t expect =
	    ol && ol->gen == tr->chunkgen ? (int64_t)ol->oseq + 1 : 1;
	int64_t v = expect + d;
	if (known && (v <= 0 || v > UINT32_MAX)) {
		*why = "bad object sequence number";
		return -1;
	}
	if (ol) {
		rec->oseq = (uint32_t)v;
		ol->gen = tr->chunkgen;
		ol->oseq = rec->oseq;
	}
	return known;
}

/*
 * The rest of a repeated record (since 1.7), after its kind byte and its
 * dt: its code byte, and its object unless the code names its entry in
 * ro.  Fills rec's kind, site, a8, a32 and val from its slot and *obj;
 * 0, or -1 with r->err set and *why.
 */
static int repeat_record(struct clab_rbuf *r, const struct clab_repeat_slot *rs,
			 const uint64_t *ro, struct clab_record *rec,
			 uint64_t *obj, const char **why)
{
	unsigned code = rec_u8(r);
	const struct clab_repeat_slot *t = &rs[code % CLAB_REPEAT_SLOTS];
	unsigned oe = code / CLAB_REPEAT_SLOTS;
	if (r->err)
		return -1;
	if (!t->kind) {
		r->err = 1;
		*why = "record repeats no record";
		return -1;
	}
	int has_obj = t->kind == CLAB_REC_HOLD ||
		      (clab__kind_row(t->kind)->fields & CLAB_F_OBJ) != 0;
	if (oe && !has_obj) {
		r->err = 1;
		*why = "repeated record with a bad object";
		return -1;
	}
	if (oe)
		*obj = ro[oe - 1];
	else if (has_obj)
		*obj = rec_uv(r);
	rec->kind = t->kind;
	rec->site = t->site;
	rec->a8 = t->a8;
	rec->a32 = t->a32;
	rec->val = t->val;
	return r->err ? -1 : 0;
}

/*
 * One record chunk.  name and off (the chunk's offset in the file) are
 * for the warning about a record that names an unknown object.
 */
int clab__trace_parse_events(struct clab_trace *tr, struct clab_rbuf *b,
			     const char *name, size_t off, const char **why)
{
	uint64_t tid = clab_rbuf_uv(b), n = clab_rbuf_uv(b),
		 base = clab_rbuf_uv(b);
	unsigned codec = clab_rbuf_u8(b);
	unsigned stacks = codec & CLAB_CODEC_STACKS,
		 lazy = codec & CLAB_CODEC_LAZY,
		 repeat = codec & CLAB_CODEC_REPEAT,
		 holds = codec & CLAB_CODEC_HOLDS;
	codec &= ~(unsigned)CLAB_CODEC_FLAGS;
	uint64_t rawlen = clab_rbuf_uv(b);
	/*
	 * kind, dt (not in a lazy record), site, [stack]; a repeated record
	 * (since 1.7): kind, dt (not in a lazy one), code, and no stack; a
	 * repeated hold (since 1.8): kind and code for two records
	 */
	uint64_t minrec = (lazy ? 2 : 3) + (stacks && !repeat);
	size_t have = (size_t)(b->end - b->p);
	/* Every count is checked against the bytes that could hold it. */
	if (b->err || tid >= tr->nthreads || n == 0 || n > (1u << 24) ||
	    rawlen > CLAB_CHUNK_MAX ||
	    rawlen < (holds ? (n + 1) / 2 * minrec : n * minrec) ||
	    rawlen > n * REC_MAX || (holds && (!lazy || !repeat || stacks))) {
		*why = "bad record chunk header";
		return -1;
	}
	struct recsrc src = {
	    .r = {b->p, b->end, 0}, .codec = codec, .rawlen = rawlen};
	if (codec == CLAB_CODEC_ZLIB || codec == CLAB_CODEC_ZSTD) {
		if (n > (uint64_t)have * CLAB_RECS_PER_ZBYTE) {
			*why = "more records than the compressed data can hold";
			return -1;
		}
		if (recsrc_start(tr, &src, b->p, have) != 0) {
			*why = "out of memory";
			return -1;
		}
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
	/*
	 * A lazy chunk's records without a time (since 1.6) wait for the
	 * next stamped one: g of them since the last stamp at t, the ones
	 * kept from s->r[pend] on, each with its place in the run (1..g) in
	 * its ns until then.
	 */
	uint64_t g = 0;
	size_t pend = start;
	uint64_t skipped = 0;
	int warned = tr->warning != NULL;
	/*
	 * Room for the n records the header says, at once: n was checked
	 * against the bytes that hold them above, and a large stream is
	 * mapped, so that room no record fills costs no memory.
	 */
	if (s && clab__stream_reserve(s, s->n + (size_t)n) != 0) {
		*why = "out of memory";
		r->err = 1;
	}
	/* a repeat chunk's tables (format.h, CLAB_REPEAT_*) */
	struct clab_repeat_slot rs[CLAB_REPEAT_SLOTS] = {0};
	uint64_t ro[CLAB_REPEAT_OBJS] = {0};
	for (uint64_t i = 0; i < n && !r->err; i++) {
		recsrc_need(&src);
		struct clab_record *rec = &s->r[s->n];
		memset(rec, 0, sizeof(*rec));
		unsigned kind = rec_u8(r);
		unsigned untimed = lazy ? kind & CLAB_REC_LAZY : 0;
		kind &= ~untimed;
		int rep = repeat && kind == 0;
		/* a hold (since 1.8): an acquire and its release, untimed */
		int hold = holds && kind == CLAB_REC_HOLD;
		if (!r->err && !rep && !hold && !clab__kind_valid(kind)) {
			r->err = 1;
			*why = "unknown record kind";
			break;
		}
		if (untimed) {
			if (g++ == 0)
				pend = s->n;
			rec->ns = g;
		} else {
			uint64_t from = t;
			t += rec_uv(r);
			if (g)
				lerp_run(s, pend, from, t, g);
			g = 0;
			rec->ns = t;
		}
		uint64_t site, obj = 0;
		int64_t d = 0;
		unsigned f;
		int known;
		uint64_t rsite = 0; /* a hold's release's site */
		if (rep) {
			if (repeat_record(r, rs, ro, rec, &obj, why) != 0)
				break;
			kind = rec->kind;
			site = rec->site;
			hold = kind == CLAB_REC_HOLD;
			if (hold) {
				kind = CLAB_K_MUTEX_ACQUIRE;
				rsite = (uint64_t)rec->val;
				rec->val = 0;
			}
			f = clab__kind_row(kind)->fields;
			known = rec_object(tr, rec, f, obj, 0, why);
			if (known < 0) {
				r->err = 1;
				break;
			}
		} else if (hold) {
			kind = CLAB_K_MUTEX_ACQUIRE;
			f = clab__kind_row(kind)->fields;
			site = rec_uv(r);
			obj = rec_uv(r);
			d = rec_sv(r);
			rec->a8 = (uint8_t)rec_u8(r);
			uint64_t v = rec_uv(r);
			rsite = rec_uv(r);
			if (!r->err &&
			    (site > tr->nsites || rsite > tr->nsites)) {
				r->err = 1;
				*why = "record refers to an unknown site";
				break;
			}
			if (v > UINT32_MAX)
				r->err = 1;
			rec->a32 = (uint32_t)v;
			known = rec_object(tr, rec, f, obj, d, why);
			if (known < 0) {
				r->err = 1;
				break;
			}
			rs[site % CLAB_REPEAT_SLOTS] =
			    (struct clab_repeat_slot){(uint32_t)site,
						      CLAB_REC_HOLD, rec->a8,
						      rec->a32, (int64_t)rsite};
		} else {
			f = clab__kind_row(kind)->fields;
			site = rec_uv(r);
			if (site > tr->nsites) {
				r->err = 1;
				*why = "record refers to an unknown site";
				break;
			}
			if (f & CLAB_F_OBJ)
				obj = rec_uv(r);
			if (f & CLAB_F_SEQ)
				d = rec_sv(r);
			known = rec_object(tr, rec, f, obj, d, why);
			if (known < 0) {
				r->err = 1;
				break;
			}
			if (f & CLAB_F_A8)
				rec->a8 = (uint8_t)rec_u8(r);
			if (f & CLAB_F_A32) {
				uint64_t v = rec_uv(r);
				if (v > UINT32_MAX)
					r->err = 1;
				rec->a32 = (uint32_t)v;
			}
			if (f & CLAB_F_VAL)
				rec->val = rec_sv(r);
			if (stacks) {
				uint64_t st = rec_uv(r);
				if (st > tr->nstacks) {
					r->err = 1;
					*why =
					    "record refers to an unknown stack";
					break;
				}
				rec->stack = (uint16_t)st;
			}
			if (repeat)
				rs[site % CLAB_REPEAT_SLOTS] =
				    (struct clab_repeat_slot){
					(uint32_t)site, (uint8_t)kind, rec->a8,
					rec->a32, rec->val};
		}
		if (repeat && (f & CLAB_F_OBJ))
			ro[obj % CLAB_REPEAT_OBJS] = obj;
		rec->kind = (uint8_t)kind;
		rec->tid = (uint32_t)tid;
		rec->site = (uint32_t)site;
		if (!r->err && hold && (!untimed || i + 1 >= n)) {
			r->err = 1;
			*why = "a hold with a time, or past the chunk's count";
		}
		if (r->err)
			break;
		uint64_t at = i; /* the record's place, a hold's acquire's */
		if (known)
			s->n++;
		if (hold) {
			/* the release: the next number, untimed too */
			struct clab_record *rel = &s->r[s->n];
			memset(rel, 0, sizeof(*rel));
			rel->kind = CLAB_K_MUTEX_RELEASE;
			rel->tid = (uint32_t)tid;
			rel->site = (uint32_t)rsite;
			rel->a8 = CLAB_HOW_BLOCK;
			if (g++ == 0)
				pend = s->n;
			rel->ns = g;
			i++;
			if (rec_object(
				tr, rel,
				clab__kind_row(CLAB_K_MUTEX_RELEASE)->fields,
				obj, 0, why) < 0) {
				r->err = 1;
				break;
			}
			if (known)
				s->n++;
		}
		if (!known) {
			/* A writer's slip, not damage: skip the record. */
			skipped += 1 + (hold != 0);
			warn_unknown_object(tr, name, off, tid, at, obj);
			continue;
		}
	}
	/* records after the last stamp: the time of the last stamp */
	if (!r->err && g)
		lerp_run(s, pend, t, t, g);
	if (!r->err) {
		recsrc_fill(&src); /* the stream's end may not be seen yet */
		if (src.zbad || (src.win && (!src.zend || recsrc_unread(&src) ||
					     src.total_out != rawlen))) {
			r->err = 1;
			*why = "record data does not decompress";
		} else if (r->p != r->end) {
			r->err = 1;
			*why = "record data longer than its count";
		}
	}
	if (src.win) {
		if (codec == CLAB_CODEC_ZLIB)
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
int clab__trace_parse_end(struct clab_trace *tr, struct clab_rbuf *b,
			  uint32_t crc)
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
void clab__trace_end_of_run(struct clab_trace *tr)
{
	const char *v = clab_trace_meta(tr, CLAB_META_RUNNING);
	const char *crash = clab_trace_meta(tr, CLAB_META_CRASH);
	const char *sig = clab_trace_meta(tr, CLAB_META_SIGNAL);
	tr->running = 0;
	for (const char *p = v; p && *p; p++)
		if (*p != ' ' && (p == v || p[-1] == ' '))
			tr->running++;
	if (tr->unclosed)
		snprintf(tr->incomplete, sizeof(tr->incomplete),
			 "the writer never closed the trace");
	else if (tr->complete && (tr->running || crash || sig))
		snprintf(tr->incomplete, sizeof(tr->incomplete),
			 "%s%.16s%s while %" PRIu32 " thread%s ran",
			 crash ? "crashed ("
			 : sig ? "stopped by "
			       : "stopped",
			 crash ? crash
			 : sig ? sig
			       : "",
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
