/*
 * rawtrace IN OUT: write the trace IN again with every compressed record
 * chunk stored raw (codec 0), each chunk's CRC and the end chunk's
 * content checksum made right: the fuzzer's seeds (scripts/fuzz.sh
 * corpus), whose mutations reach the records themselves, where those of
 * zlib data mostly stop at zlib's own checksum.  A signature chunk is
 * copied as it is (and no longer matches).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include <conclab/trace.h>

#include "format.h"

/* The record chunk in b, raw, into out; 0, or -1 if it is malformed. */
static int raw_events(struct clab_rbuf *b, struct clab_wbuf *out)
{
	uint64_t tid = clab_rbuf_uv(b), n = clab_rbuf_uv(b),
		 base = clab_rbuf_uv(b);
	unsigned codec = clab_rbuf_u8(b);
	uint64_t rawlen = clab_rbuf_uv(b);
	if (b->err || rawlen > CLAB_CHUNK_MAX)
		return -1;
	clab_wbuf_uv(out, tid);
	clab_wbuf_uv(out, n);
	clab_wbuf_uv(out, base);
	clab_wbuf_u8(out, codec & CLAB_CODEC_FLAGS);
	clab_wbuf_uv(out, rawlen);
	size_t have = (size_t)(b->end - b->p);
	if ((codec & ~(unsigned)CLAB_CODEC_FLAGS) == CLAB_CODEC_RAW) {
		clab_wbuf_put(out, b->p, have);
		return 0;
	}
	clab_wbuf_reserve(out, (size_t)rawlen);
	if (out->oom)
		return -1;
	if ((codec & ~(unsigned)CLAB_CODEC_FLAGS) == CLAB_CODEC_ZSTD) {
		size_t got =
		    ZSTD_decompress(out->p + out->len, rawlen, b->p, have);
		if (ZSTD_isError(got) || got != rawlen)
			return -1;
		out->len += got;
		return 0;
	}
	uLongf got = (uLongf)rawlen;
	if (uncompress(out->p + out->len, &got, b->p, have) != Z_OK ||
	    got != rawlen)
		return -1;
	out->len += got;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: rawtrace IN OUT\n");
		return 2;
	}
	void *data;
	size_t len;
	char err[512];
	if (clab_trace_read_file(argv[1], &data, &len, err, sizeof(err))) {
		fprintf(stderr, "rawtrace: %s\n", err);
		return 1;
	}
	const uint8_t *p = data;
	struct clab_wbuf f = {0}, pl = {0};
	if (len < CLAB_FMT_HDR_LEN) {
		fprintf(stderr, "rawtrace: %s: too short\n", argv[1]);
		return 1;
	}
	unsigned minor = clab_rbuf_u16le(p + 10);
	clab_wbuf_put(&f, p, CLAB_FMT_HDR_LEN);
	uint32_t content = minor >= CLAB_FMT_MINOR_HDRSUM
			       ? (uint32_t)crc32(0, p, CLAB_FMT_HDR_LEN)
			       : 0;
	size_t off = CLAB_FMT_HDR_LEN;
	while (len - off >= CLAB_CHUNK_HDR_LEN) {
		uint32_t type = clab_rbuf_u32le(p + off),
			 clen = clab_rbuf_u32le(p + off + 4);
		if (clen > len - off - CLAB_CHUNK_HDR_LEN)
			break;
		struct clab_rbuf b = {p + off + CLAB_CHUNK_HDR_LEN,
				      p + off + CLAB_CHUNK_HDR_LEN + clen, 0};
		pl.len = 0;
		if (type == CLAB_CH_EVENTS) {
			if (raw_events(&b, &pl)) {
				fprintf(stderr,
					"rawtrace: %s: bad record chunk at "
					"byte %zu\n",
					argv[1], off);
				return 1;
			}
		} else if (type == CLAB_CH_END) {
			clab_wbuf_uv(&pl, clab_rbuf_uv(&b)); /* records */
			clab_wbuf_uv(&pl, clab_rbuf_uv(&b)); /* drops */
			clab_wbuf_uv(&pl, clab_rbuf_uv(&b)); /* stalls */
			if (b.p != b.end)
				clab_wbuf_uv(&pl, content);
		} else {
			clab_wbuf_put(&pl, b.p, clen);
		}
		size_t at = f.len;
		clab_wbuf_u32le(&f, type);
		clab_wbuf_u32le(&f, (uint32_t)pl.len);
		clab_wbuf_u32le(&f,
				clab_chunk_crc(type, (uint32_t)pl.len, pl.p));
		clab_wbuf_put(&f, pl.p, pl.len);
		if (!f.oom)
			content = (uint32_t)crc32(content, f.p + at,
						  (uInt)(f.len - at));
		off += CLAB_CHUNK_HDR_LEN + clen;
	}
	FILE *o = fopen(argv[2], "wb");
	if (f.oom || pl.oom || !o || fwrite(f.p, 1, f.len, o) != f.len ||
	    fclose(o) != 0) {
		perror(argv[2]);
		return 1;
	}
	clab_wbuf_free(&f);
	clab_wbuf_free(&pl);
	free(data);
	return 0;
}
