/*
 * The compression of record chunks (codec.c), shared by the writer and
 * `conclab bench`, which compares the codecs on the same chunks.
 */
#ifndef CLAB_CODEC_H
#define CLAB_CODEC_H

#include <stddef.h>

#include "format.h"

/*
 * One compressor, reused chunk after chunk: a fresh zlib stream or zstd
 * context costs more to set up than a small chunk costs to compress.
 */
struct clab__codec {
	unsigned codec; /* CLAB_CODEC_ZSTD, CLAB_CODEC_ZLIB or CLAB_CODEC_RAW */
	int level;
	void *state; /* z_stream or ZSTD_CCtx, made on first use */
};

/*
 * The zstd level of clab_tracer_opts' compress -1 (the default): one of
 * zstd's fast levels, tuned in codec.c.  zlib's default is level 1.
 */
#define CLAB__ZSTD_FAST (-2)

/* The codec (CLAB_CODEC_*) that clab_tracer_opts' codec and level ask for. */
unsigned clab__codec_pick(int codec, int level);
/* The most bytes len bytes can compress to. */
size_t clab__codec_bound(unsigned codec, size_t len);
/*
 * Compress len bytes at src into out (room for cap bytes, at least
 * clab__codec_bound): the compressed length, or 0 when it failed.
 */
size_t clab__codec_compress(struct clab__codec *c, const void *src, size_t len,
			    void *out, size_t cap);
/* Free what the compressor holds (and keep codec and level). */
void clab__codec_end(struct clab__codec *c);
/* The codec's name ("zstd", "zlib", "none"), or NULL for no codec. */
const char *clab__codec_name(unsigned codec);

#endif
