#include "format.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

void clab_wbuf_reserve(struct clab_wbuf *b, size_t more)
{
	if (b->oom || b->len + more <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + more)
		cap *= 2;
	uint8_t *np = realloc(b->p, cap);
	if (!np) {
		b->oom = 1;
		return;
	}
	b->p = np;
	b->cap = cap;
}

void clab_wbuf_put(struct clab_wbuf *b, const void *data, size_t n)
{
	clab_wbuf_reserve(b, n);
	if (b->oom)
		return;
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

void clab_wbuf_u8(struct clab_wbuf *b, unsigned v)
{
	uint8_t c = (uint8_t)v;
	clab_wbuf_put(b, &c, 1);
}

void clab_wbuf_u16le(struct clab_wbuf *b, unsigned v)
{
	uint8_t c[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
	clab_wbuf_put(b, c, 2);
}

void clab_wbuf_u32le(struct clab_wbuf *b, uint32_t v)
{
	uint8_t c[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			(uint8_t)(v >> 24)};
	clab_wbuf_put(b, c, 4);
}

void clab_wbuf_uv(struct clab_wbuf *b, uint64_t v)
{
	uint8_t c[10];
	size_t n = 0;
	while (v >= 0x80) {
		c[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	c[n++] = (uint8_t)v;
	clab_wbuf_put(b, c, n);
}

void clab_wbuf_sv(struct clab_wbuf *b, int64_t v)
{
	clab_wbuf_uv(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

void clab_wbuf_str(struct clab_wbuf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	clab_wbuf_uv(b, n);
	if (n)
		clab_wbuf_put(b, s, n);
}

void clab_wbuf_free(struct clab_wbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

unsigned clab_rbuf_u8(struct clab_rbuf *b)
{
	if (b->p >= b->end) {
		b->err = 1;
		return 0;
	}
	return *b->p++;
}

uint16_t clab_rbuf_u16le(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

uint32_t clab_rbuf_u32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

uint64_t clab_rbuf_uv(struct clab_rbuf *b)
{
	uint64_t v = 0;
	for (unsigned shift = 0; shift < 70; shift += 7) {
		if (b->p >= b->end) {
			b->err = 1;
			return 0;
		}
		uint8_t c = *b->p++;
		if (shift == 63 && c > 1) {
			b->err = 1;
			return 0;
		}
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return v;
	}
	b->err = 1;
	return 0;
}

int64_t clab_rbuf_sv(struct clab_rbuf *b)
{
	uint64_t u = clab_rbuf_uv(b);
	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

char *clab_rbuf_str(struct clab_rbuf *b)
{
	return clab_rbuf_str_max(b, 65536);
}

const uint8_t *clab_rbuf_str_raw(struct clab_rbuf *b, uint64_t max, size_t *len)
{
	uint64_t n = clab_rbuf_uv(b);
	*len = 0;
	if (b->err || n > (uint64_t)(b->end - b->p) || n > max) {
		b->err = 1;
		return NULL;
	}
	const uint8_t *s = b->p;
	b->p += n;
	*len = (size_t)n;
	return s;
}

char clab_name_byte(uint8_t c)
{
	/* Names are printed one a line: keep them free of control bytes. */
	return c < 0x20 || c == 0x7f ? '?' : (char)c;
}

char *clab_rbuf_str_max(struct clab_rbuf *b, uint64_t max)
{
	size_t n;
	const uint8_t *raw = clab_rbuf_str_raw(b, max, &n);
	char *s = raw ? malloc(n + 1) : NULL;
	if (!s) {
		b->err = 1;
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		s[i] = clab_name_byte(raw[i]);
	s[n] = 0;
	return s;
}

uint32_t clab_chunk_crc_from(uint32_t type, uint32_t len, uint32_t pcrc)
{
	uint8_t h[8] = {(uint8_t)type,	       (uint8_t)(type >> 8),
			(uint8_t)(type >> 16), (uint8_t)(type >> 24),
			(uint8_t)len,	       (uint8_t)(len >> 8),
			(uint8_t)(len >> 16),  (uint8_t)(len >> 24)};
	uLong c = crc32(0L, h, 8);
	return (uint32_t)crc32_combine(c, pcrc, (z_off_t)len);
}

uint32_t clab_chunk_pcrc_of(uint32_t type, uint32_t len, uint32_t crc)
{
	return crc ^ clab_chunk_crc_from(type, len, 0);
}

uint32_t clab_chunk_crc(uint32_t type, uint32_t len, const uint8_t *payload)
{
	uLong pcrc = crc32(0L, Z_NULL, 0);
	if (len)
		pcrc = crc32(pcrc, payload, len);
	return clab_chunk_crc_from(type, len, (uint32_t)pcrc);
}

uint32_t clab_chunk_crc_past(uint32_t content, const uint8_t *hdr, uint32_t len,
			     uint32_t pcrc)
{
	uLong c = crc32(content, hdr, CLAB_CHUNK_HDR_LEN);
	return (uint32_t)crc32_combine(c, pcrc, (z_off_t)len);
}
