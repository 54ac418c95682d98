#include "badtrace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <conclab/kinds.h>

void bt_begin(struct bt *b, unsigned minor)
{
	memset(b, 0, sizeof(*b));
	b->minor = minor;
	clab_wbuf_put(&b->f, CLAB_FMT_MAGIC, CLAB_FMT_MAGIC_LEN);
	clab_wbuf_u16le(&b->f, CLAB_FMT_MAJOR);
	clab_wbuf_u16le(&b->f, minor);
	clab_wbuf_u32le(&b->f, 0);
}

void bt_chunk(struct bt *b, uint32_t type, const struct clab_wbuf *payload)
{
	clab_wbuf_u32le(&b->f, type);
	clab_wbuf_u32le(&b->f, (uint32_t)payload->len);
	clab_wbuf_u32le(
	    &b->f, clab_chunk_crc(type, (uint32_t)payload->len, payload->p));
	if (payload->len)
		clab_wbuf_put(&b->f, payload->p, payload->len);
}

void bt_defs(struct bt *b, uint32_t nthreads, uint32_t nmutex)
{
	struct clab_wbuf p = {0};
	clab_wbuf_uv(&p, 1);
	clab_wbuf_str(&p, "lab");
	clab_wbuf_str(&p, "unit");
	bt_chunk(b, CLAB_CH_META, &p);
	p.len = 0;
	clab_wbuf_uv(&p, nthreads);
	for (uint32_t t = 0; t < nthreads; t++) {
		char name[32];
		snprintf(name, sizeof(name), t ? "t%u" : "main", (unsigned)t);
		clab_wbuf_uv(&p, t);
		clab_wbuf_uv(&p, t + 1);
		clab_wbuf_uv(&p, 0);
		clab_wbuf_str(&p, name);
	}
	bt_chunk(b, CLAB_CH_THREADS, &p);
	p.len = 0;
	clab_wbuf_uv(&p, (uint64_t)nthreads + nmutex);
	for (uint32_t i = 1; i <= nthreads + nmutex; i++) {
		char name[32];
		snprintf(name, sizeof(name), "o%u", (unsigned)i);
		clab_wbuf_uv(&p, i);
		clab_wbuf_u8(&p, i <= nthreads ? CLAB_O_THREAD : CLAB_O_MUTEX);
		clab_wbuf_u8(&p, 0); /* flags */
		clab_wbuf_uv(&p, 0); /* param */
		clab_wbuf_uv(&p, 0); /* site */
		clab_wbuf_uv(&p, 0); /* creating thread */
		clab_wbuf_str(&p, name);
	}
	bt_chunk(b, CLAB_CH_OBJECTS, &p);
	clab_wbuf_free(&p);
}

void bt_events(struct bt *b, uint32_t tid, uint64_t n, uint64_t base,
	       const struct clab_wbuf *raw, int zlib)
{
	struct clab_wbuf p = {0};
	clab_wbuf_uv(&p, tid);
	clab_wbuf_uv(&p, n);
	clab_wbuf_uv(&p, base);
	clab_wbuf_u8(&p, zlib ? CLAB_CODEC_ZLIB : CLAB_CODEC_RAW);
	clab_wbuf_uv(&p, raw->len);
	if (zlib) {
		uLongf zlen = compressBound((uLong)raw->len);
		clab_wbuf_reserve(&p, zlen);
		if (!p.oom && compress2(p.p + p.len, &zlen, raw->p,
					(uLong)raw->len, 9) == Z_OK)
			p.len += zlen;
		else
			p.oom = 1;
	} else {
		clab_wbuf_put(&p, raw->p, raw->len);
	}
	bt_chunk(b, CLAB_CH_EVENTS, &p);
	b->records += n;
	clab_wbuf_free(&p);
}

void bt_rec_mutex(struct clab_wbuf *raw, unsigned kind, uint64_t obj,
		  int64_t doseq)
{
	clab_wbuf_u8(raw, kind);
	clab_wbuf_uv(raw, 1); /* dt */
	clab_wbuf_uv(raw, 0); /* site */
	clab_wbuf_uv(raw, obj);
	clab_wbuf_sv(raw, doseq);
	clab_wbuf_u8(raw, CLAB_HOW_BLOCK);
	clab_wbuf_uv(raw, kind == CLAB_K_MUTEX_ACQUIRE ? 1 : 0); /* depth */
}

void bt_end(struct bt *b)
{
	struct clab_wbuf p = {0};
	clab_wbuf_uv(&p, b->records);
	clab_wbuf_uv(&p, 0);
	clab_wbuf_uv(&p, 0);
	if (b->minor >= 2) {
		size_t from =
		    b->minor >= CLAB_FMT_MINOR_HDRSUM ? 0 : CLAB_FMT_HDR_LEN;
		uLong c = crc32(0L, Z_NULL, 0);
		if (!b->f.oom)
			c = crc32(c, b->f.p + from, (uInt)(b->f.len - from));
		clab_wbuf_uv(&p, c);
	}
	bt_chunk(b, CLAB_CH_END, &p);
	clab_wbuf_free(&p);
}

void bt_wide(struct bt *b, unsigned chunks, uint32_t nmutex)
{
	bt_begin(b, CLAB_FMT_MINOR);
	bt_defs(b, 1, nmutex);
	struct clab_wbuf raw = {0};
	for (unsigned c = 0; c < chunks; c++) {
		raw.len = 0;
		for (uint32_t m = 0; m < nmutex; m++) {
			/* sequence numbers 2c+1 and 2c+2 of the mutex */
			bt_rec_mutex(&raw, CLAB_K_MUTEX_ACQUIRE, 2 + m, 2 * c);
			bt_rec_mutex(&raw, CLAB_K_MUTEX_RELEASE, 2 + m, 0);
		}
		bt_events(b, 0, 2 * (uint64_t)nmutex, (uint64_t)c * 4 * nmutex,
			  &raw, 0);
	}
	clab_wbuf_free(&raw);
	bt_end(b);
}

void bt_parked(struct bt *b, uint32_t nthreads, uint32_t rounds, uint32_t waits)
{
	bt_begin(b, CLAB_FMT_MINOR);
	bt_defs(b, nthreads, 1);
	uint32_t m = nthreads + 1;
	struct clab_wbuf raw = {0};
	/* T0: sequence numbers 1 to 2 rounds, a chunk a megabyte */
	uint64_t first = 0;
	for (uint64_t s = 1; s <= 2 * (uint64_t)rounds; s++) {
		bt_rec_mutex(
		    &raw, s % 2 ? CLAB_K_MUTEX_ACQUIRE : CLAB_K_MUTEX_RELEASE,
		    m, s == first + 1 ? (int64_t)first : 0);
		if (raw.len > (1u << 20) || s == 2 * (uint64_t)rounds) {
			bt_events(b, 0, s - first, first, &raw, 0);
			raw.len = 0;
			first = s;
		}
	}
	/* the others: numbers after those, none following another */
	for (uint32_t t = 1; t < nthreads; t++) {
		raw.len = 0;
		uint64_t prev = 0;
		for (uint32_t j = 0; j < waits; j++) {
			uint64_t s = 2 * (uint64_t)rounds +
				     2 * ((uint64_t)j * nthreads + t) + 2;
			bt_rec_mutex(&raw, CLAB_K_MUTEX_ACQUIRE, m,
				     (int64_t)(s - prev - 1));
			prev = s;
		}
		if (waits)
			bt_events(b, t, waits, 0, &raw, 0);
	}
	clab_wbuf_free(&raw);
	bt_end(b);
}

void bt_forged_count(struct bt *b)
{
	bt_begin(b, CLAB_FMT_MINOR);
	bt_defs(b, 1, 0);
	struct clab_wbuf raw = {0};
	uint64_t n = 1u << 24;
	clab_wbuf_reserve(&raw, 3 * n);
	for (uint64_t i = 0; i < n && !raw.oom; i++) {
		raw.p[raw.len++] = CLAB_K_SLEEP_END;
		raw.p[raw.len++] = 0; /* dt */
		raw.p[raw.len++] = 0; /* site */
	}
	bt_events(b, 0, n, 0, &raw, 1);
	clab_wbuf_free(&raw);
	bt_end(b);
}

void bt_unknown_object(struct bt *b, uint64_t bad)
{
	bt_begin(b, CLAB_FMT_MINOR);
	bt_defs(b, 1, 2);
	struct clab_wbuf raw = {0};
	/* object 2: numbers 1 2, then (bad) 1, then object 3: 1 2 */
	bt_rec_mutex(&raw, CLAB_K_MUTEX_ACQUIRE, 2, 0);
	bt_rec_mutex(&raw, CLAB_K_MUTEX_RELEASE, 2, 0);
	bt_rec_mutex(&raw, CLAB_K_MUTEX_ACQUIRE, bad, 0);
	bt_rec_mutex(&raw, CLAB_K_MUTEX_ACQUIRE, 3, 0);
	bt_rec_mutex(&raw, CLAB_K_MUTEX_RELEASE, 3, 0);
	bt_events(b, 0, 5, 0, &raw, 0);
	/* the next chunk: object 2, numbers 3 4; object 3: 3 */
	raw.len = 0;
	bt_rec_mutex(&raw, CLAB_K_MUTEX_ACQUIRE, 2, 2);
	bt_rec_mutex(&raw, CLAB_K_MUTEX_RELEASE, 2, 0);
	bt_rec_mutex(&raw, CLAB_K_MUTEX_ACQUIRE, 3, 2);
	bt_events(b, 0, 3, 100, &raw, 0);
	clab_wbuf_free(&raw);
	bt_end(b);
}
