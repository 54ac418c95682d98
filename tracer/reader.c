/*
 * Reading a trace: check the header and every chunk, have each chunk
 * decoded (reader-chunks.c), and merge the per-thread record streams into
 * one order (reader-merge.c); what a loaded trace answers is in
 * reader-query.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <conclab/error.h>
#include <conclab/label.h>
#include <conclab/trace.h>

#include "format.h"
#include "reader-int.h"

/* *slot = the message, unless it holds one already. */
static void set_first(char **slot, const char *fmt, va_list ap)
{
	if (*slot)
		return;
	char buf[1024];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	*slot = strdup(buf);
}

void clab__trace_set_damage(struct clab_trace *tr, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_first(&tr->damage, fmt, ap);
	va_end(ap);
}

void clab__trace_set_warning(struct clab_trace *tr, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_first(&tr->warning, fmt, ap);
	va_end(ap);
}

void clab_trace_free(struct clab_trace *tr)
{
	if (!tr)
		return;
	free(tr->damage);
	free(tr->warning);
	free(tr->defs_at);
	free(tr->olast);
	clab__trace_zstd_free(tr);
	free(tr->recs);
	uint32_t nth = tr->sparse ? tr->kthreads : tr->nthreads;
	uint32_t nob = tr->sparse ? tr->kobjs : tr->nobjs;
	for (uint32_t i = 0; i < nth; i++)
		free((char *)tr->threads[i].name);
	free(tr->threads);
	for (uint32_t i = 0; i < nob; i++) {
		free((char *)tr->objs[i].name);
		free((char *)tr->objs[i].role);
	}
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
	free(tr->renamed);
	clab__digest_free(tr->digest);
	for (uint32_t i = 0; i < tr->nstreams; i++)
		clab__stream_free(&tr->streams[i]);
	free(tr->streams);
	free(tr);
}

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

/*
 * Parse one chunk's payload by its type (a type this version does not
 * know is skipped); content is the CRC-32 of what came before it.
 * Returns 0, or -1 with *why saying what was malformed, if it knows.
 */
static int parse_chunk(struct clab_trace *tr, uint32_t type,
		       const uint8_t *payload, uint32_t clen, const char *name,
		       size_t off, uint32_t content, const char **why)
{
	struct clab_rbuf b = {payload, payload + clen, 0};
	int rc = 0;
	switch (type) {
	case CLAB_CH_META:
		rc = clab__trace_parse_meta(tr, &b);
		break;
	case CLAB_CH_THREADS:
		rc = clab__trace_parse_threads(tr, &b);
		break;
	case CLAB_CH_OBJECTS:
		rc = clab__trace_parse_objects(tr, &b);
		break;
	case CLAB_CH_SITES:
		rc = clab__trace_parse_sites(tr, &b);
		break;
	case CLAB_CH_EVENTS:
		if (!tr->meta_only)
			rc = clab__trace_parse_events(tr, &b, name, off, why);
		break;
	case CLAB_CH_END:
		tr->digest_last = tr->prev_type == CLAB_CH_DIGEST;
		rc = clab__trace_parse_end(tr, &b, content);
		break;
	case CLAB_CH_DIGEST:
		clab__trace_parse_digest(tr, &b);
		break;
	case CLAB_CH_STACKS:
		rc = clab__trace_parse_stacks(tr, &b);
		break;
	default:
		break; /* a newer minor version's chunk: skip it */
	}
	if (rc == 0 && type != CLAB_CH_EVENTS && type <= CLAB_CH_STACKS &&
	    b.p != b.end)
		rc = -1;
	tr->prev_type = type;
	return rc;
}

/*
 * Whether the chunk at off is whole: its header and payload are in the
 * file and its checksum matches (the payload's own CRC-32 in *pcrc).  If
 * not, the damage is noted in tr.
 *
 * A meta-only load never reads a record chunk's payload (most of the
 * file), so it takes the chunk's checksum on trust for it: *pcrc is what
 * that checksum implies, and the end chunk's checksum still tells a chunk
 * removed, added or moved.  A record chunk damaged inside is found by a
 * load that reads its records.
 */
static int chunk_whole(struct clab_trace *tr, const uint8_t *p, size_t len,
		       size_t off, size_t nchunks, const char *name,
		       uint32_t *pcrc)
{
	if (len - off < CLAB_CHUNK_HDR_LEN) {
		clab__trace_set_damage(tr,
				       "%s: cut short: the file ends inside a "
				       "chunk header at byte %zu (%zu whole "
				       "chunks read)",
				       name, off, nchunks);
		return 0;
	}
	uint32_t type = clab_rbuf_u32le(p + off);
	uint32_t clen = clab_rbuf_u32le(p + off + 4);
	uint32_t crc = clab_rbuf_u32le(p + off + 8);
	if (clen > CLAB_CHUNK_MAX) {
		clab__trace_set_damage(tr,
				       "%s: corrupt chunk header at byte %zu "
				       "(length %u) (%zu whole chunks read)",
				       name, off, clen, nchunks);
		return 0;
	}
	if (clen > len - off - CLAB_CHUNK_HDR_LEN) {
		clab__trace_set_damage(tr,
				       "%s: cut short: the chunk at byte %zu "
				       "needs %u bytes, %zu remain (%zu whole "
				       "chunks read)",
				       name, off, clen,
				       len - off - CLAB_CHUNK_HDR_LEN, nchunks);
		return 0;
	}
	if (tr->meta_only && type == CLAB_CH_EVENTS) {
		*pcrc = clab_chunk_pcrc_of(type, clen, crc);
		return 1;
	}
	const uint8_t *payload = p + off + CLAB_CHUNK_HDR_LEN;
	*pcrc = (uint32_t)crc32(0L, payload, clen);
	if (clab_chunk_crc_from(type, clen, *pcrc) != crc) {
		clab__trace_set_damage(tr,
				       "%s: corrupt: checksum mismatch in the "
				       "chunk at byte %zu (%zu whole chunks "
				       "read)",
				       name, off, nchunks);
		return 0;
	}
	return 1;
}

/*
 * A file read through a mapping (released from 0 on for each pass): give back
 * the pages of the chunks before off, a megabyte at a time, once they are read
 * (what was kept of them is copied), so that reading a large file holds a chunk
 * of it at a time, not the whole file.  A page read again would come back from
 * the file.
 */
void clab__trace_release(struct clab_trace *tr, const uint8_t *p, size_t off)
{
	if (!tr->mapped || off < tr->released + MAP_RELEASE)
		return;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t past = off / page * page;
	madvise((void *)(p + tr->released), past - tr->released, MADV_DONTNEED);
	tr->released = past;
}

/*
 * A mapped file's pages from off on, a megabyte at a time, mapped by one
 * call before the walk reads them (MADV_POPULATE_READ, Linux 5.14), where
 * a fault for each 64 KiB would take as long as a system call each: the
 * walk over a meta-only load's chunk headers, on a 13 MB trace, 7 ms of
 * faults.  Where the call is refused the pages come by faults as before.
 */
static void populate(struct clab_trace *tr, const uint8_t *p, size_t len,
		     size_t off)
{
#ifdef MADV_POPULATE_READ
	if (!tr->mapped || off < tr->populated)
		return;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t from = off / page * page, to = from + MAP_RELEASE;
	if (to > len)
		to = len;
	madvise((void *)(p + from), to - from, MADV_POPULATE_READ);
	tr->populated = to;
#else
	(void)tr, (void)p, (void)len, (void)off;
#endif
}

/*
 * Read the chunks after the header in order, until the end of the file
 * or the first damage, which is noted in tr.  Returns how many chunks
 * were read whole.
 */
static size_t read_chunks(struct clab_trace *tr, const uint8_t *p, size_t len,
			  const char *name)
{
	size_t off = CLAB_FMT_HDR_LEN;
	size_t nchunks = 0;
	/* CRC-32 of what was read so far: since 1.3, the header too */
	uint32_t content = tr->minor >= CLAB_FMT_MINOR_HDRSUM
			       ? (uint32_t)crc32(0, p, CLAB_FMT_HDR_LEN)
			       : 0;
	while (off < len) {
		uint32_t pcrc;
		populate(tr, p, len, off);
		if (!chunk_whole(tr, p, len, off, nchunks, name, &pcrc))
			break;
		uint32_t type = clab_rbuf_u32le(p + off);
		uint32_t clen = clab_rbuf_u32le(p + off + 4);
		const uint8_t *payload = p + off + CLAB_CHUNK_HDR_LEN;
		const char *why = NULL;
		int rc = parse_chunk(tr, type, payload, clen, name, off,
				     content, &why);
		if (rc != 0) {
			clab__trace_set_damage(
			    tr,
			    "%s: corrupt: malformed %s in the chunk at "
			    "byte %zu (%zu whole chunks read)",
			    name, why ? why : "definitions", off, nchunks);
			break;
		}
		if (tr->meta_only &&
		    (type == CLAB_CH_THREADS || type == CLAB_CH_OBJECTS)) {
			if (CLAB__GROW(tr->defs_at, tr->ndefs_at,
				       tr->defs_at_cap) < 0)
				tr->defs_oom = 1;
			else
				tr->defs_at[tr->ndefs_at++] = off;
		}
		nchunks++;
		content = clab_chunk_crc_past(content, p + off, clen, pcrc);
		off += CLAB_CHUNK_HDR_LEN + clen;
		clab__trace_release(tr, p, off);
		if (type == CLAB_CH_END && off < len &&
		    signature(tr, p, len, &off) && off < len) {
			clab__trace_set_damage(
			    tr,
			    "%s: %zu bytes of junk after the signature "
			    "chunk at byte %zu",
			    name, len - off,
			    off - CLAB_CHUNK_HDR_LEN - CLAB_SIG_LEN);
			break;
		}
		if (type == CLAB_CH_END && off < len) {
			clab__trace_set_damage(
			    tr,
			    "%s: %zu bytes of junk after the end "
			    "chunk at byte %zu",
			    name, len - off, off);
			break;
		}
	}
	return nchunks;
}

/*
 * Once the chunks are read: what the damage notes say of a trace that was
 * tampered with or never closed, the merge into one order, the threads by
 * object and the labels.  Returns 0 or CLAB_ENOMEM.
 */
static int finish(struct clab_trace *tr, const uint8_t *p, size_t len,
		  const char *name, size_t nchunks)
{
	free(tr->olast); /* only the record chunks need it */
	clab__trace_zstd_free(tr);
	tr->olast = NULL;
	tr->olast_cap = 0;
	if (tr->checksum < 0)
		clab__trace_set_damage(
		    tr,
		    "%s: the content does not match the checksum in its "
		    "end chunk: chunks were removed, added or changed "
		    "after the trace was written",
		    name);
	if (!tr->complete && !tr->damage) {
		clab__trace_set_damage(
		    tr,
		    "%s: cut short: no end chunk (the program did not "
		    "close the trace; %zu whole chunks read)",
		    name, nchunks);
		tr->whole = 1;
	}
	tr->unclosed = !tr->complete;
	if (!tr->damage)
		tr->whole = 1;
	clab__trace_end_of_run(tr);
	if (clab__trace_names_index(tr) != 0)
		return CLAB_ENOMEM;
	if (tr->meta_only) { /* no records, and few threads and objects */
		int rc = tr->defs_oom || clab__trace_keep_defs(tr, p) != 0;
		free(tr->defs_at);
		tr->defs_at = NULL;
		tr->ndefs_at = tr->defs_at_cap = 0;
		return rc ? CLAB_ENOMEM : 0;
	}
	if (clab__trace_merge(tr) != 0)
		return CLAB_ENOMEM;
	tr->obj2tid = malloc(((size_t)tr->nobjs + 1) * sizeof(uint32_t));
	if (!tr->obj2tid)
		return CLAB_ENOMEM;
	for (uint32_t i = 0; i <= tr->nobjs; i++)
		tr->obj2tid[i] = UINT32_MAX;
	for (uint32_t i = 0; i < tr->nthreads; i++)
		if (tr->threads[i].oid <= tr->nobjs)
			tr->obj2tid[tr->threads[i].oid] = i;
	if (clab__trace_rename(tr) != 0 ||
	    clab__label_trace(tr->threads, tr->nthreads, tr->objs, tr->nobjs,
			      tr->obj2tid, &tr->labels) != 0 ||
	    clab__trace_roles(tr) != 0)
		return CLAB_ENOMEM;
	return 0;
}

/* How load_mem reads: meta_only, and whether data is a file's mapping. */
enum { LOAD_META = 1, LOAD_MAPPED = 2 };

static int load_mem(const void *data, size_t len, const char *name, int how,
		    struct clab_trace **out, char *errbuf, size_t errlen);

int clab_trace_load_mem(const void *data, size_t len, const char *name,
			struct clab_trace **out, char *errbuf, size_t errlen)
{
	return load_mem(data, len, name, 0, out, errbuf, errlen);
}

static int load_mem(const void *data, size_t len, const char *name, int how,
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
	tr->meta_only = (how & LOAD_META) != 0;
	tr->mapped = (how & LOAD_MAPPED) != 0;
	size_t nchunks = read_chunks(tr, p, len, name);
	if (finish(tr, p, len, name, nchunks) != 0) {
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
	int rc = clab_trace_load_process(path, out, errbuf, errlen);
	if (rc == 0 && clab_trace_add_children(*out, path) != 0) {
		clab_trace_free(*out);
		*out = NULL;
		return fail(errbuf, errlen, CLAB_ENOMEM, "%s: out of memory",
			    path);
	}
	return rc;
}

/* The regular file at path, mapped read-only (*len bytes); 0, or -1. */
static int map_file(const char *path, void **map, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return -1;
	*map = MAP_FAILED;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uint64_t)st.st_size <= SIZE_MAX) {
		*len = (size_t)st.st_size;
		*map = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
	}
	close(fd);
	return *map == MAP_FAILED ? -1 : 0;
}

/*
 * For a meta-only load (the quick report, on the trace a run just wrote),
 * a regular file is mapped, and read a chunk at a time (release_behind):
 * its records, most of the file, are never held.  Anything else is read
 * into memory whole: a full load holds every record anyway (48 bytes each,
 * against about one in the file), and a mapped file that another process
 * truncates (a run that replaces it) would stop the reader with SIGBUS,
 * where a read gives a trace cut short.
 */
static int load_file(const char *path, int how, struct clab_trace **out,
		     char *errbuf, size_t errlen)
{
	*out = NULL;
	void *map;
	size_t mlen;
	if ((how & LOAD_META) && map_file(path, &map, &mlen) == 0) {
		madvise(map, mlen, MADV_SEQUENTIAL);
		int rc = load_mem(map, mlen, path, how | LOAD_MAPPED, out,
				  errbuf, errlen);
		munmap(map, mlen);
		return rc;
	}
	void *data;
	size_t len;
	int rc = clab_trace_read_file(path, &data, &len, errbuf, errlen);
	if (rc != 0)
		return rc;
	rc = load_mem(data, len, path, how, out, errbuf, errlen);
	free(data);
	return rc;
}

int clab_trace_load_process(const char *path, struct clab_trace **out,
			    char *errbuf, size_t errlen)
{
	return load_file(path, 0, out, errbuf, errlen);
}

int clab_trace_load_meta(const char *path, struct clab_trace **out,
			 char *errbuf, size_t errlen)
{
	return load_file(path, LOAD_META, out, errbuf, errlen);
}
