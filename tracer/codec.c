/*
 * The compression of record chunks: zstd by default, zlib for readers
 * before format 1.5, or none.  Each compressor is made once and reset
 * between chunks.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include <conclab/tracer.h>

#include "codec.h"

unsigned clab__codec_pick(int codec, int level)
{
	if (level == 0 || codec == CLAB_TRACE_NONE)
		return CLAB_CODEC_RAW;
	return codec == CLAB_TRACE_ZLIB ? CLAB_CODEC_ZLIB : CLAB_CODEC_ZSTD;
}

const char *clab__codec_name(unsigned codec)
{
	switch (codec) {
	case CLAB_CODEC_RAW:
		return "none";
	case CLAB_CODEC_ZLIB:
		return "zlib";
	case CLAB_CODEC_ZSTD:
		return "zstd";
	}
	return NULL;
}

size_t clab__codec_bound(unsigned codec, size_t len)
{
	if (codec == CLAB_CODEC_ZSTD)
		return ZSTD_compressBound(len);
	if (codec == CLAB_CODEC_ZLIB)
		return compressBound((uLong)len);
	return len;
}

/* The same bytes as compress2() at the level. */
static size_t zlib_compress(struct clab__codec *c, const void *src, size_t len,
			    void *out, size_t cap)
{
	z_stream *zs = c->state;
	if (!zs) {
		zs = calloc(1, sizeof(*zs));
		if (!zs)
			return 0;
		if (deflateInit(zs, c->level) != Z_OK) {
			free(zs);
			return 0;
		}
		c->state = zs;
	} else if (deflateReset(zs) != Z_OK) {
		return 0;
	}
	zs->next_in = (Bytef *)(uintptr_t)src;
	zs->avail_in = (uInt)len;
	zs->next_out = out;
	zs->avail_out = (uInt)cap;
	if (deflate(zs, Z_FINISH) != Z_STREAM_END)
		return 0;
	return zs->total_out;
}

/*
 * zstd at the level; a negative level (one of zstd's fast ones, the
 * default CLAB__ZSTD_FAST) with matches of 7 bytes at least and a table
 * of 2^13 hashes: on lock-heavy chunks it compresses in 60% of level 1's
 * time to 0.76 bytes a record (level 1: 0.50; level -2 as it comes:
 * 1.0, since it takes the many short matches).  docs/performance.md.
 */
static ZSTD_CCtx *zstd_new(int level)
{
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	if (!cc)
		return NULL;
	size_t e = ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, level);
	if (level < 0 && !ZSTD_isError(e))
		e = ZSTD_CCtx_setParameter(cc, ZSTD_c_minMatch, 7);
	if (level < 0 && !ZSTD_isError(e))
		e = ZSTD_CCtx_setParameter(cc, ZSTD_c_hashLog, 13);
	if (ZSTD_isError(e)) {
		ZSTD_freeCCtx(cc);
		return NULL;
	}
	return cc;
}

static size_t zstd_compress(struct clab__codec *c, const void *src, size_t len,
			    void *out, size_t cap)
{
	if (!c->state) {
		c->state = zstd_new(c->level);
		if (!c->state)
			return 0;
	}
	/* the parameters stay, the frame starts anew (its size known) */
	size_t n = ZSTD_compress2(c->state, out, cap, src, len);
	return ZSTD_isError(n) ? 0 : n;
}

size_t clab__codec_compress(struct clab__codec *c, const void *src, size_t len,
			    void *out, size_t cap)
{
	if (c->codec == CLAB_CODEC_ZSTD)
		return zstd_compress(c, src, len, out, cap);
	if (c->codec == CLAB_CODEC_ZLIB)
		return zlib_compress(c, src, len, out, cap);
	return 0;
}

void clab__codec_end(struct clab__codec *c)
{
	if (!c->state)
		return;
	if (c->codec == CLAB_CODEC_ZSTD) {
		ZSTD_freeCCtx(c->state);
	} else {
		deflateEnd(c->state);
		free(c->state);
	}
	c->state = NULL;
}
