/*
 * Case 11: the codecs of record chunks compared on the same chunks.  A
 * lock-heavy loop (8 mutexes, a nested pair every fourth iteration, as the
 * whole program lock_heavy) records into a trace of the default codec,
 * whose chunks (in the 1.8 form) are decompressed; each codec then
 * compresses those very chunks, as the writer does (codec.c, one
 * compressor reused), and the table gives its bytes per record and the
 * records it compresses per second of the thread's CPU time: on a shared
 * machine, what one core does, not what the others left of it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include <conclab/tracer.h>

#include "bench.h"
#include "codec.h"

#define CODEC_ITERS 1000000L /* lock-heavy iterations recorded */
#define NLOCKS 8

/* The record chunks of a trace: payloads, their record counts. */
struct chunks {
	uint8_t *file, *raw; /* the file; the chunks' data, decompressed */
	size_t len;
	const uint8_t **p; /* raw record data of each chunk */
	size_t *n, *plen;
	size_t count, cap;
	uint64_t records, raw_bytes, chunk_bytes;
};

static void record_lock_heavy(long iters)
{
	clab_mutex_t m[NLOCKS];
	for (int i = 0; i < NLOCKS; i++)
		clab_mutex_init(&m[i], "bench.codec", CLAB_MUTEX_NORMAL);
	unsigned long long rng = 1;
	for (long i = 0; i < iters; i++) {
		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		unsigned a = (unsigned)(rng >> 33) % NLOCKS;
		if (i % 4 == 0) {
			unsigned c = (a + 1) % NLOCKS, lo = a < c ? a : c,
				 hi = a < c ? c : a;
			clab_mutex_lock(&m[lo]);
			clab_mutex_lock(&m[hi]);
			clab_mutex_unlock(&m[hi]);
			clab_mutex_unlock(&m[lo]);
		} else {
			clab_mutex_lock(&m[a]);
			clab_mutex_unlock(&m[a]);
		}
	}
	for (int i = 0; i < NLOCKS; i++)
		clab_mutex_destroy(&m[i]);
}

static int read_file(const char *path, struct chunks *c)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	rewind(f);
	c->file = len > 0 ? malloc((size_t)len) : NULL;
	c->len = c->file ? fread(c->file, 1, (size_t)len, f) : 0;
	fclose(f);
	return c->len == (size_t)len && len > 0 ? 0 : -1;
}

/*
 * The header of the record chunk at pl: its count, codec (without the
 * flags of the record forms, 1.6's and 1.7's) and raw length.
 */
static struct clab_rbuf chunk_head(const uint8_t *pl, size_t plen, uint64_t *n,
				   unsigned *codec, uint64_t *rawlen)
{
	struct clab_rbuf r = {pl, pl + plen, 0};
	clab_rbuf_uv(&r);
	*n = clab_rbuf_uv(&r);
	clab_rbuf_uv(&r);
	*codec = clab_rbuf_u8(&r) & ~(unsigned)CLAB_CODEC_FLAGS;
	*rawlen = clab_rbuf_uv(&r);
	return r;
}

/* The raw length of all the record chunks of the file. */
static size_t raw_total(const struct chunks *c)
{
	size_t off = CLAB_FMT_HDR_LEN, sum = 0;
	while (off + CLAB_CHUNK_HDR_LEN <= c->len) {
		uint32_t type = clab_rbuf_u32le(c->file + off);
		size_t plen = clab_rbuf_u32le(c->file + off + 4);
		const uint8_t *pl = c->file + off + CLAB_CHUNK_HDR_LEN;
		if (plen > c->len - off - CLAB_CHUNK_HDR_LEN)
			break;
		off += CLAB_CHUNK_HDR_LEN + plen;
		uint64_t n, rawlen;
		unsigned codec;
		if (type == CLAB_CH_EVENTS &&
		    !chunk_head(pl, plen, &n, &codec, &rawlen).err &&
		    rawlen <= CLAB_CHUNK_MAX)
			sum += rawlen;
	}
	return sum;
}

/*
 * Find the record chunks (without stacks) of the file, raw or zstd, and
 * their data, decompressed into c->raw.
 */
static int split_chunks(struct chunks *c)
{
	size_t rawcap = raw_total(c), rawlen_all = 0;
	c->raw = malloc(rawcap ? rawcap : 1);
	if (!c->raw)
		return -1;
	size_t off = CLAB_FMT_HDR_LEN;
	while (off + CLAB_CHUNK_HDR_LEN <= c->len) {
		uint32_t type = clab_rbuf_u32le(c->file + off);
		size_t plen = clab_rbuf_u32le(c->file + off + 4);
		const uint8_t *pl = c->file + off + CLAB_CHUNK_HDR_LEN;
		if (plen > c->len - off - CLAB_CHUNK_HDR_LEN)
			return -1;
		off += CLAB_CHUNK_HDR_LEN + plen;
		if (type != CLAB_CH_EVENTS)
			continue;
		uint64_t n, rawlen;
		unsigned codec;
		struct clab_rbuf r = chunk_head(pl, plen, &n, &codec, &rawlen);
		if (r.err || rawlen > rawcap - rawlen_all ||
		    (codec == CLAB_CODEC_RAW &&
		     rawlen != (uint64_t)(r.end - r.p)))
			return -1;
		uint8_t *dst = c->raw + rawlen_all;
		if (codec == CLAB_CODEC_RAW) {
			memcpy(dst, r.p, rawlen);
		} else if (codec != CLAB_CODEC_ZSTD ||
			   ZSTD_decompress(dst, rawlen, r.p,
					   (size_t)(r.end - r.p)) != rawlen) {
			return -1;
		}
		rawlen_all += rawlen;
		if (c->count == c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 256;
			const uint8_t **p = realloc(c->p, cap * sizeof(*p));
			if (p)
				c->p = p;
			size_t *nn = realloc(c->n, cap * sizeof(*nn));
			if (nn)
				c->n = nn;
			size_t *pp = realloc(c->plen, cap * sizeof(*pp));
			if (pp)
				c->plen = pp;
			if (!p || !nn || !pp)
				return -1;
			c->cap = cap;
		}
		c->p[c->count] = dst;
		c->n[c->count] = n;
		c->plen[c->count] = rawlen;
		c->count++;
		c->records += n;
		c->raw_bytes += rawlen;
		/* what the chunk's header costs besides the data */
		c->chunk_bytes += CLAB_CHUNK_HDR_LEN + (size_t)(r.p - pl);
	}
	return c->count ? 0 : -1;
}

/*
 * One codec over every chunk, reps times: the median M records/s and the
 * bytes a record takes in the file (chunk headers included).
 */
static int measure(struct bench *b, const struct chunks *c, unsigned codec,
		   int level, double *mrs, double *brec)
{
	struct clab__codec z = {.codec = codec, .level = level};
	size_t cap = 0;
	for (size_t i = 0; i < c->count; i++) {
		size_t k = clab__codec_bound(codec, c->plen[i]);
		cap = k > cap ? k : cap;
	}
	uint8_t *out = malloc(cap ? cap : 1);
	if (!out)
		return -1;
	double rate[REPS_MAX];
	int reps = b->o.reps < REPS_MAX ? b->o.reps : REPS_MAX;
	uint64_t bytes = 0;
	int err = 0;
	for (int r = 0; r < reps && !err; r++) {
		bytes = c->chunk_bytes;
		uint64_t t0 = bench_cpu_ns();
		for (size_t i = 0; i < c->count; i++) {
			size_t k = clab__codec_compress(&z, c->p[i], c->plen[i],
							out, cap);
			if (!k) {
				err = 1;
				break;
			}
			bytes += k < c->plen[i] ? k : c->plen[i];
		}
		uint64_t dt = bench_cpu_ns() - t0;
		rate[r] = dt ? (double)c->records / (double)dt * 1e3 : 0;
	}
	clab__codec_end(&z);
	free(out);
	*mrs = bench_median(rate, (size_t)reps);
	*brec = bench_per(bytes, c->records);
	return err ? -1 : 0;
}

int bench_case_codecs(struct bench *b)
{
	static const struct {
		const char *key, *label;
		unsigned codec;
		int level;
		const char *target;
	} codecs[] = {
	    {"codec_zstd_fast", "codec zstd -2 (the default)", CLAB_CODEC_ZSTD,
	     CLAB__ZSTD_FAST, ">=50M/s"},
	    {"codec_zstd_m5", "codec zstd -5", CLAB_CODEC_ZSTD, -5, "(info)"},
	    {"codec_zstd1", "codec zstd 1 (before 1.6)", CLAB_CODEC_ZSTD, 1,
	     "(info)"},
	    {"codec_zstd3", "codec zstd 3", CLAB_CODEC_ZSTD, 3, "(info)"},
	    {"codec_zlib1", "codec zlib 1 (before 1.5)", CLAB_CODEC_ZLIB, 1,
	     "(info)"},
	};
	struct clab_tracer_stats st;
	int err = bench_trace_begin(b, BUFFER_MB);
	if (err)
		return -1;
	long iters = b->o.quick ? CODEC_ITERS / 10 : CODEC_ITERS;
	record_lock_heavy(iters);
	struct chunks c = {0};
	if (clab_tracer_close(&st) || read_file(b->path, &c) ||
	    split_chunks(&c)) {
		fprintf(stderr,
			"conclab bench: cannot read the record chunks of "
			"%s\n",
			b->path);
		unlink(b->path);
		free(c.file);
		free(c.raw);
		free(c.p);
		free(c.n);
		free(c.plen);
		return -1;
	}
	unlink(b->path);
	for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++) {
		struct row *r = bench_row_new(b, codecs[i].key, codecs[i].label,
					      "M/s", codecs[i].target);
		double brec = 0;
		if (measure(b, &c, codecs[i].codec, codecs[i].level, &r->clab,
			    &brec) != 0)
			err = -1;
		r->plain = -1;
		r->records = c.records;
		r->iters = (long)c.records;
		r->verdict = codecs[i].target[0] == '>'
				 ? (r->clab >= 50 ? V_PASS : V_MISS)
				 : V_NONE;
		snprintf(r->note, sizeof(r->note),
			 "%.2f B/record (raw %.2f), %zu chunks, %" PRIu64
			 " records; per CPU second",
			 brec,
			 bench_per(c.raw_bytes + c.chunk_bytes, c.records),
			 c.count, c.records);
		bench_print_row(b, r);
	}
	free(c.file);
	free(c.raw);
	free(c.p);
	free(c.n);
	free(c.plen);
	return err;
}
