/*
 * tracer: damaged and hostile trace files: cut or flipped anywhere, old
 * or forged, checksums, and files built to make the reader slow.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <conclab/error.h>
#include <conclab/trace.h>

#include "badtrace.h"
#include "clab-util.h"
#include "format.h"
#include "testutil.h"
#include "testutil-trace.h"

/* Cut anywhere: an error or a damaged trace, never a crash. */
static void test_truncation_everywhere(void)
{
	size_t len;
	uint8_t *data = tu_small_trace(&len);
	size_t prev = 0, whole = 0;
	char err[256];
	struct clab_trace *tr;
	CU_ASSERT_EQUAL_FATAL(
	    clab_trace_load_mem(data, len, "t", &tr, err, sizeof(err)), 0);
	whole = clab_trace_nrecords(tr);
	CU_ASSERT_EQUAL(whole, 100);
	clab_trace_free(tr);
	int ok = 1;
	for (size_t cut = 0; cut < len; cut++) {
		int rc =
		    clab_trace_load_mem(data, cut, "t", &tr, err, sizeof(err));
		if (cut < 16) {
			ok &= rc == CLAB_EBADMSG && tr == NULL &&
			      strstr(err, "not a conclab trace") != NULL;
			continue;
		}
		ok &= rc == 0 && clab_trace_damage(tr) != NULL;
		if (rc == 0) {
			size_t n = clab_trace_nrecords(tr);
			ok &= n >= prev && n <= whole;
			prev = n;
			clab_trace_free(tr);
		}
	}
	CU_ASSERT(ok);
	CU_ASSERT(prev > 50); /* most of the records survive a short cut */
	free(data);
}

/* Flip every byte in turn: never a crash, and the damage is noticed. */
static void test_corruption_everywhere(void)
{
	size_t len;
	uint8_t *data = tu_small_trace(&len);
	char err[256];
	int ok = 1;
	size_t noticed = 0;
	for (size_t i = 0; i < len; i++) {
		uint8_t *copy = malloc(len);
		memcpy(copy, data, len);
		copy[i] ^= 0x5a;
		struct clab_trace *tr;
		int rc =
		    clab_trace_load_mem(copy, len, "t", &tr, err, sizeof(err));
		if (rc != 0) {
			ok &= tr == NULL && err[0] != 0;
			noticed++;
		} else {
			if (clab_trace_damage(tr))
				noticed++;
			clab_trace_free(tr);
		}
		free(copy);
	}
	CU_ASSERT(ok);
	/* Since format 1.3 the whole header is under the checksum too. */
	CU_ASSERT_EQUAL(noticed, len);
	free(data);
}

static void test_version_refused(void)
{
	size_t len;
	uint8_t *data = tu_small_trace(&len);
	char err[256];
	struct clab_trace *tr;
	data[8] = 2; /* major version 2 */
	CU_ASSERT_EQUAL(
	    clab_trace_load_mem(data, len, "t.clt", &tr, err, sizeof(err)),
	    CLAB_EPROTO);
	CU_ASSERT_PTR_NULL(tr);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "t.clt"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "version 2."));
	data[8] = 1;
	data[10] = 9; /* a newer minor version is read, but not this one */
	CU_ASSERT_EQUAL(
	    clab_trace_load_mem(data, len, "t", &tr, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(clab_trace_version_minor(tr), 9);
	CU_ASSERT_PTR_NOT_NULL(clab_trace_damage(tr)); /* header changed */
	clab_trace_free(tr);
	/* a file a 1.9 writer wrote, with a chunk type 1.3 does not know */
	struct bt b;
	bt_begin(&b, 9);
	bt_defs(&b, 1, 1);
	struct clab_wbuf p = {0};
	clab_wbuf_uv(&p, 42);
	bt_chunk(&b, 99, &p);
	p.len = 0;
	bt_rec_mutex(&p, CLAB_K_MUTEX_ACQUIRE, 2, 0);
	bt_events(&b, 0, 1, 0, &p, 0);
	clab_wbuf_free(&p);
	bt_end(&b);
	CU_ASSERT_EQUAL_FATAL(
	    clab_trace_load_mem(b.f.p, b.f.len, "t", &tr, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(clab_trace_version_minor(tr), 9);
	CU_ASSERT_PTR_NULL(clab_trace_damage(tr));
	CU_ASSERT_EQUAL(clab_trace_checksum_ok(tr), 1);
	CU_ASSERT_EQUAL(clab_trace_nrecords(tr), 1);
	clab_trace_free(tr);
	clab_wbuf_free(&b.f);
	CU_ASSERT_EQUAL(
	    clab_trace_load("/nonexistent/x.clt", &tr, err, sizeof(err)),
	    CLAB_ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/x.clt"));
	free(data);
}

static void test_checksum(void)
{
	size_t len;
	uint8_t *data = tu_small_trace(&len);
	char err[256];
	struct clab_trace *tr;
	CU_ASSERT_EQUAL_FATAL(
	    clab_trace_load_mem(data, len, "t", &tr, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(clab_trace_checksum_ok(tr), 1);
	CU_ASSERT_PTR_NULL(clab_trace_damage(tr));
	clab_trace_free(tr);
	/* find the last record chunk (type 5) and cut it out */
	size_t off = 16, last = 0, lastlen = 0;
	while (off + 12 <= len) {
		uint32_t type = data[off] | data[off + 1] << 8;
		size_t clen = 12 + (data[off + 4] | data[off + 5] << 8 |
				    (size_t)data[off + 6] << 16);
		if (type == 5) {
			last = off;
			lastlen = clen;
		}
		off += clen;
	}
	CU_ASSERT_FATAL(last > 0);
	memmove(data + last, data + last + lastlen, len - last - lastlen);
	CU_ASSERT_EQUAL_FATAL(clab_trace_load_mem(data, len - lastlen, "t", &tr,
						  err, sizeof(err)),
			      0);
	CU_ASSERT_EQUAL(clab_trace_checksum_ok(tr), -1);
	CU_ASSERT_PTR_NOT_NULL(clab_trace_damage(tr));
	CU_ASSERT_PTR_NOT_NULL(strstr(clab_trace_damage(tr), "checksum"));
	clab_trace_free(tr);
	free(data);
}

/* A chunk's checksum gives back its payload's CRC-32 (clab_chunk_pcrc_of). */
static void test_payload_crc_of(void)
{
	uint8_t p[3000];
	unsigned seed = 7;
	int ok = 1;
	for (size_t i = 0; i < sizeof(p); i++)
		p[i] = (uint8_t)(rand_r(&seed) >> 7);
	for (uint32_t n = 0; n < sizeof(p); n += 1 + n / 3) {
		uint32_t type = 1 + n % 9;
		uint32_t crc = clab_chunk_crc(type, n, p);
		uint32_t want = (uint32_t)crc32(0L, p, n);
		ok &= clab_chunk_pcrc_of(type, n, crc) == want;
		ok &= clab_chunk_pcrc_of(type + 1, n, crc) != want;
	}
	CU_ASSERT(ok);
}

/* Write len bytes of data to a new file; its path in path. */
static void write_tmp(char *path, size_t plen, const uint8_t *data, size_t len)
{
	const char *dir = getenv("TMPDIR");
	snprintf(path, plen, "%s/conclab-meta-XXXXXX",
		 dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	FILE *f = fdopen(fd, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL_FATAL(fwrite(data, 1, len, f), len);
	CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
}

/*
 * What a meta-only load (the quick report's) checks: every chunk it reads,
 * and the chunks' order through the end chunk's checksum; a record
 * chunk's payload, which it never reads, only through its checksum.
 */
static void test_meta_checks(void)
{
	size_t len, off = 16, ev = 0, evlen = 0, defs = 0;
	uint8_t *data = tu_small_trace(&len);
	while (off + 12 <= len) { /* the last record chunk, the first other */
		uint32_t type = clab_rbuf_u32le(data + off);
		size_t clen = 12 + clab_rbuf_u32le(data + off + 4);
		if (type == CLAB_CH_EVENTS) {
			ev = off;
			evlen = clen;
		} else if (type == CLAB_CH_THREADS && !defs) {
			defs = off;
		}
		off += clen;
	}
	CU_ASSERT_FATAL(ev > 0 && defs > 0 && evlen > 20);
	char path[256], err[256];
	struct clab_trace *tr;

	write_tmp(path, sizeof(path), data, len);
	CU_ASSERT_EQUAL_FATAL(clab_trace_load_meta(path, &tr, err, sizeof(err)),
			      0);
	CU_ASSERT_PTR_NULL(clab_trace_damage(tr));
	CU_ASSERT_EQUAL(clab_trace_checksum_ok(tr), 1);
	clab_trace_free(tr);
	unlink(path);

	/* a definition changed: read, so noticed */
	data[defs + 13] ^= 0x5a;
	write_tmp(path, sizeof(path), data, len);
	CU_ASSERT_EQUAL_FATAL(clab_trace_load_meta(path, &tr, err, sizeof(err)),
			      0);
	CU_ASSERT_PTR_NOT_NULL(clab_trace_damage(tr));
	clab_trace_free(tr);
	unlink(path);
	data[defs + 13] ^= 0x5a;

	/* a record changed: for a load that reads the records */
	data[ev + evlen - 1] ^= 0x5a;
	write_tmp(path, sizeof(path), data, len);
	CU_ASSERT_EQUAL_FATAL(clab_trace_load_meta(path, &tr, err, sizeof(err)),
			      0);
	CU_ASSERT_PTR_NULL(clab_trace_damage(tr));
	clab_trace_free(tr);
	CU_ASSERT_EQUAL_FATAL(clab_trace_load(path, &tr, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(clab_trace_damage(tr));
	clab_trace_free(tr);
	unlink(path);
	data[ev + evlen - 1] ^= 0x5a;

	/* a record chunk taken out: the end chunk's checksum tells */
	memmove(data + ev, data + ev + evlen, len - ev - evlen);
	write_tmp(path, sizeof(path), data, len - evlen);
	CU_ASSERT_EQUAL_FATAL(clab_trace_load_meta(path, &tr, err, sizeof(err)),
			      0);
	CU_ASSERT_EQUAL(clab_trace_checksum_ok(tr), -1);
	CU_ASSERT_PTR_NOT_NULL(clab_trace_damage(tr));
	clab_trace_free(tr);
	unlink(path);
	free(data);
}

/* ---- hostile and old files, built byte by byte (badtrace.h) ---- */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The offset of the nth (from 0) chunk of type in a file, or 0. */
static size_t chunk_offset(const uint8_t *p, size_t len, uint32_t type, int nth)
{
	for (size_t off = CLAB_FMT_HDR_LEN; off + CLAB_CHUNK_HDR_LEN <= len;
	     off += CLAB_CHUNK_HDR_LEN + clab_rbuf_u32le(p + off + 4))
		if (clab_rbuf_u32le(p + off) == type && nth-- == 0)
			return off;
	return 0;
}

/*
 * How the time to load a file grows with its size, measured in the same
 * run so that the machine's speed and load do not matter: the fastest of
 * REPS loads of the small file (n records) and of the large one (about
 * 4n), taken in turns (a busy spell only adds time), per byte.  A linear
 * reader takes about as long a byte for both (up to 2 times as long on a
 * loaded machine or under a sanitizer, whose caches hold less of the
 * large file), a quadratic one as many times as the large file is larger
 * (4 and more): the ratio a byte must stay under 3.2.
 */
enum { REPS = 5 };

static double load_s(const struct bt *b, const char *name)
{
	struct clab_trace *tr;
	char err[256];
	double t0 = now_s();
	if (clab_trace_load_mem(b->f.p, b->f.len, name, &tr, err,
				sizeof(err)) != 0) {
		printf("(%s: %s) ", name, err);
		return -1;
	}
	double dt = now_s() - t0;
	clab_trace_free(tr);
	return dt;
}

static void check_linear(const struct bt *small, const struct bt *large,
			 const char *name)
{
	double m1 = 0, m4 = 0;
	for (int i = 0; i < REPS; i++) {
		double t1 = load_s(small, name), t4 = load_s(large, name);
		CU_ASSERT_FATAL(t1 >= 0 && t4 >= 0);
		m1 = i == 0 || t1 < m1 ? t1 : m1;
		m4 = i == 0 || t4 < m4 ? t4 : m4;
	}
	double grow = (double)large->f.len / (double)small->f.len;
	double ratio = m4 / (m1 > 1e-6 ? m1 : 1e-6) / grow;
	printf("(%zu bytes in %.4f s, %zu in %.4f s: %.2f times a byte) ",
	       small->f.len, m1, large->f.len, m4, ratio);
	CU_ASSERT(grow >= 3.5);
	CU_ASSERT(ratio < 3.2);
}

/*
 * Chunks that each name more objects than the reader once kept at hand
 * (64): it looked back through the chunk for each of the others, which
 * took 13 s for a file of 2^16 mutexes a chunk.
 */
static void test_wide_chunks_linear(void)
{
	const uint32_t nm = 1u << 16;
	struct bt small, b;
	bt_wide(&small, 2, nm / 4);
	bt_wide(&b, 2, nm);
	CU_ASSERT_FATAL(!small.f.oom && !b.f.oom);
	check_linear(&small, &b, "wide");
	struct clab_trace *tr;
	char err[256];
	CU_ASSERT_EQUAL_FATAL(
	    clab_trace_load_mem(b.f.p, b.f.len, "wide", &tr, err, sizeof(err)),
	    0);
	CU_ASSERT_PTR_NULL(clab_trace_damage(tr));
	CU_ASSERT_EQUAL_FATAL(clab_trace_nrecords(tr), 4 * (size_t)nm);
	/* each record has its mutex's number, in order */
	int ok = 1;
	for (size_t i = 0; i < 4 * (size_t)nm; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		size_t c = i / (2 * nm), m = i / 2 % nm;
		ok &= r->obj == 2 + m && r->oseq == 2 * c + 1 + i % 2;
	}
	CU_ASSERT(ok);
	CU_ASSERT_EQUAL(clab_trace_gaps(tr), 0);
	clab_trace_free(tr);
	clab_wbuf_free(&small.f);
	clab_wbuf_free(&b.f);
}

/*
 * Many threads waiting for numbers that never come: the merge once looked
 * at every waiting thread for each record, and at every thread for each
 * record it let through by time alone (5 s for the large file).  The
 * small file has a quarter of the threads and a quarter of the rounds: a
 * quarter of the records, a sixteenth of that work.
 */
static void test_parked_linear(void)
{
	const uint32_t nt = 2000, rounds = 1u << 17, waits = 100;
	struct bt small, b;
	bt_parked(&small, nt / 4, rounds / 4, waits);
	bt_parked(&b, nt, rounds, waits);
	CU_ASSERT_FATAL(!small.f.oom && !b.f.oom);
	check_linear(&small, &b, "parked");
	struct clab_trace *tr;
	char err[256];
	CU_ASSERT_EQUAL_FATAL(clab_trace_load_mem(b.f.p, b.f.len, "parked", &tr,
						  err, sizeof(err)),
			      0);
	size_t n0 = 2 * (size_t)rounds, nw = (size_t)(nt - 1) * waits;
	CU_ASSERT_EQUAL_FATAL(clab_trace_nrecords(tr), n0 + nw);
	CU_ASSERT_EQUAL(clab_trace_gaps(tr), nw);
	/* T0 first, then the others by time, then by thread */
	int ok = 1;
	for (size_t i = 0; i < n0 + nw; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		if (i < n0)
			ok &= r->tid == 0 && r->oseq == i + 1;
		else
			ok &= r->tid == 1 + (i - n0) % (nt - 1) &&
			      r->ns == 1 + (i - n0) / (nt - 1);
	}
	CU_ASSERT(ok);
	clab_trace_free(tr);
	clab_wbuf_free(&small.f);
	clab_wbuf_free(&b.f);
}

/* Load the file in a child; its peak memory growth in KB, or -1. */
static long child_load_kb(const struct clab_wbuf *f, char *why, size_t whylen)
{
	int fd[2];
	if (pipe(fd) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		struct rusage u0, u1;
		getrusage(RUSAGE_SELF, &u0);
		struct clab_trace *tr;
		char err[256] = "";
		int rc = clab_trace_load_mem(f->p, f->len, "forged", &tr, err,
					     sizeof(err));
		getrusage(RUSAGE_SELF, &u1);
		char msg[300];
		snprintf(msg, sizeof(msg), "%ld %s",
			 u1.ru_maxrss - u0.ru_maxrss,
			 rc			 ? err
			 : clab_trace_damage(tr) ? clab_trace_damage(tr)
						 : "whole");
		ssize_t k = write(fd[1], msg, strlen(msg) + 1);
		_exit(k > 0 ? 0 : 1);
	}
	close(fd[1]);
	char msg[300] = "";
	size_t got = 0;
	ssize_t k;
	while (got < sizeof(msg) - 1 &&
	       (k = read(fd[0], msg + got, sizeof(msg) - 1 - got)) > 0)
		got += (size_t)k;
	close(fd[0]);
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		return -1;
	char *sp = strchr(msg, ' ');
	snprintf(why, whylen, "%s", sp ? sp + 1 : "");
	return strtol(msg, NULL, 10);
}

/* An record chunk of T0 with any count, raw length and data. */
static void forged_chunk(struct bt *b, uint64_t n, unsigned codec,
			 uint64_t rawlen, const void *data, size_t len)
{
	struct clab_wbuf p = {0};
	clab_wbuf_uv(&p, 0);
	clab_wbuf_uv(&p, n);
	clab_wbuf_uv(&p, 0);
	clab_wbuf_u8(&p, codec);
	clab_wbuf_uv(&p, rawlen);
	clab_wbuf_put(&p, data, len);
	bt_chunk(b, CLAB_CH_EVENTS, &p);
	clab_wbuf_free(&p);
}

/* The damage of the file b holds, or "whole", and its records; frees it. */
static void bt_damage(struct bt *b, char *why, size_t whylen)
{
	struct clab_trace *tr;
	char err[256];
	snprintf(why, whylen, "not loaded");
	if (clab_trace_load_mem(b->f.p, b->f.len, "f", &tr, err, sizeof(err)) ==
	    0) {
		snprintf(why, whylen, "%s (%zu records)",
			 clab_trace_damage(tr) ? clab_trace_damage(tr)
					       : "whole",
			 clab_trace_nrecords(tr));
		clab_trace_free(tr);
	}
	clab_wbuf_free(&b->f);
}

/* The damage a file of one forged record chunk gets, or "whole". */
static void forged_damage(uint64_t n, unsigned codec, uint64_t rawlen,
			  const void *data, size_t len, char *why,
			  size_t whylen)
{
	struct bt b;
	bt_begin(&b, CLAB_FMT_MINOR);
	bt_defs(&b, 1, 1);
	forged_chunk(&b, n, codec, rawlen, data, len);
	bt_end(&b);
	bt_damage(&b, why, whylen);
}

/*
 * A record count is checked against the bytes that could hold it before
 * anything is allocated for it: the tester's 49 KB file that declares (and
 * holds, compressed 1000 to 1) 2^24 records once took 838 MB and 6 s.
 */
static void test_forged_count(void)
{
	struct bt b;
	bt_forged_count(&b);
	CU_ASSERT_FATAL(!b.f.oom);
	CU_ASSERT(b.f.len < 50000);
	char why[300];
	long kb = child_load_kb(&b.f, why, sizeof(why));
	printf("(%ld KB more, \"%s\") ", kb, why);
	CU_ASSERT(kb >= 0 && kb < 64 * 1024);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(why, "more records than the compressed data can hold"));
	clab_wbuf_free(&b.f);

	/* what tries to slip past: the count just within the limit... */
	uint8_t rec[3 * 64];
	for (size_t i = 0; i < sizeof(rec); i += 3) {
		rec[i] = CLAB_K_SLEEP_END;
		rec[i + 1] = rec[i + 2] = 0;
	}
	uint8_t z[256];
	uLongf zlen = sizeof(z);
	CU_ASSERT_FATAL(compress2(z, &zlen, rec, sizeof(rec), 9) == Z_OK);
	forged_damage(64, 1, sizeof(rec), z, zlen, why, sizeof(why));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "whole (64 records)"));
	forged_damage(16 * zlen + 1, 1, 3 * (16 * zlen + 1), z, zlen, why,
		      sizeof(why));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "more records than"));
	/* ...but more than the data holds, its raw length agreeing */
	forged_damage(65, 1, 3 * 65, z, zlen, why, sizeof(why));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "ends early"));
	forged_damage(65, 1, sizeof(rec), z, zlen, why, sizeof(why));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "bad record chunk header"));

	/* fewer than it holds; a raw length longer or shorter than it is */
	forged_damage(63, 1, sizeof(rec), z, zlen, why, sizeof(why));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "longer than its count"));
	forged_damage(64, 1, sizeof(rec) + 1, z, zlen, why, sizeof(why));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "does not decompress"));

	forged_damage(64, 1, sizeof(rec) - 1, z, zlen, why, sizeof(why));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "bad record chunk header"));

	/* bytes after the compressed data */
	z[zlen] = 0;
	forged_damage(64, 1, sizeof(rec), z, zlen + 1, why, sizeof(why));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "does not decompress"));

	/* raw data: the count against the bytes there are */
	forged_damage(64, 0, sizeof(rec), rec, sizeof(rec), why, sizeof(why));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "whole (64 records)"));
	forged_damage(65, 0, sizeof(rec), rec, sizeof(rec), why, sizeof(why));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "bad record chunk header"));
	forged_damage(1u << 24, 0, sizeof(rec), rec, sizeof(rec), why,
		      sizeof(why));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "bad record chunk header"));
}

/* Since 1.3 every byte of the header is under the content checksum. */
static void test_header_checksum(void)
{
	size_t len;
	uint8_t *data = tu_small_trace(&len);
	CU_ASSERT_EQUAL(clab_rbuf_u16le(data + 10), CLAB_FMT_MINOR_HOLDS);
	CU_ASSERT_EQUAL(CLAB_FMT_MINOR, 3);
	char err[256];
	struct clab_trace *tr;
	for (int i = 10; i < 16; i++) {
		for (int x = 1; x < 256; x <<= 1) {
			data[i] ^= (uint8_t)x;
			int rc = clab_trace_load_mem(data, len, "t", &tr, err,
						     sizeof(err));
			CU_ASSERT_EQUAL(rc, 0);
			if (rc == 0) {
				const char *d = clab_trace_damage(tr);
				CU_ASSERT(d && strstr(d, "checksum"));
				clab_trace_free(tr);
			}
			data[i] ^= (uint8_t)x;
		}
	}
	free(data);

	/* a 1.2 file: read, its checksum over the chunks alone */
	struct bt b;
	bt_begin(&b, 2);
	bt_defs(&b, 1, 1);
	struct clab_wbuf p = {0};
	bt_rec_mutex(&p, CLAB_K_MUTEX_ACQUIRE, 2, 0);
	bt_events(&b, 0, 1, 0, &p, 1);
	clab_wbuf_free(&p);
	bt_end(&b);
	CU_ASSERT_EQUAL_FATAL(
	    clab_trace_load_mem(b.f.p, b.f.len, "old", &tr, err, sizeof(err)),
	    0);
	CU_ASSERT_PTR_NULL(clab_trace_damage(tr));
	CU_ASSERT_EQUAL(clab_trace_checksum_ok(tr), 1);
	CU_ASSERT_EQUAL(clab_trace_version_minor(tr), 2);
	CU_ASSERT_EQUAL(clab_trace_nrecords(tr), 1);
	clab_trace_free(tr);
	/* in 1.2 the flags were outside it (docs/trace-format.md) */
	b.f.p[12] ^= 1;
	CU_ASSERT_EQUAL(
	    clab_trace_load_mem(b.f.p, b.f.len, "old", &tr, err, sizeof(err)),
	    0);
	CU_ASSERT_PTR_NULL(clab_trace_damage(tr));
	clab_trace_free(tr);
	b.f.p[12] ^= 1;
	/* a 1.2 file called 1.3, and a 1.3 file called 1.2: refused */
	b.f.p[10] = 3;
	CU_ASSERT_EQUAL(
	    clab_trace_load_mem(b.f.p, b.f.len, "old", &tr, err, sizeof(err)),
	    0);
	CU_ASSERT_EQUAL(clab_trace_checksum_ok(tr), -1);
	clab_trace_free(tr);
	clab_wbuf_free(&b.f);
	bt_unknown_object(&b, 3);
	b.f.p[10] = 2;
	CU_ASSERT_EQUAL(
	    clab_trace_load_mem(b.f.p, b.f.len, "new", &tr, err, sizeof(err)),
	    0);
	CU_ASSERT_EQUAL(clab_trace_checksum_ok(tr), -1);
	CU_ASSERT_PTR_NOT_NULL(clab_trace_damage(tr));
	clab_trace_free(tr);
	clab_wbuf_free(&b.f);
}

/* Load bt_unknown_object(bad); NULL after a failed assertion. */
static struct clab_trace *load_unknown(uint64_t bad, size_t *chunk)
{
	struct bt b;
	bt_unknown_object(&b, bad);
	*chunk = chunk_offset(b.f.p, b.f.len, CLAB_CH_EVENTS, 0);
	struct clab_trace *tr = NULL;
	char err[256];
	CU_ASSERT_EQUAL(
	    clab_trace_load_mem(b.f.p, b.f.len, "u.clt", &tr, err, sizeof(err)),
	    0);
	clab_wbuf_free(&b.f);
	return tr;
}

/* A record that names an undefined object is skipped, the rest read. */
static void test_unknown_object(void)
{
	static const uint64_t bad[] = {4, 99, (uint64_t)UINT32_MAX + 5};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		size_t chunk;
		struct clab_trace *tr = load_unknown(bad[k], &chunk);
		CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
		CU_ASSERT_PTR_NULL(clab_trace_damage(tr));
		CU_ASSERT(clab_trace_complete(tr));
		CU_ASSERT_EQUAL(clab_trace_checksum_ok(tr), 1);
		CU_ASSERT_EQUAL(clab_trace_skipped(tr), 1);
		CU_ASSERT_EQUAL(clab_trace_gaps(tr), 0);
		const char *w = clab_trace_warning(tr);
		CU_ASSERT_PTR_NOT_NULL_FATAL(w);
		char want[200];
		snprintf(want, sizeof(want),
			 "u.clt: record 3 of the chunk at byte %zu (thread 0) "
			 "refers to object %llu, which the trace never "
			 "defined; skipped",
			 chunk, (unsigned long long)bad[k]);
		CU_ASSERT_STRING_EQUAL(w, want);
		/* the others, with their numbers, in order */
		static const uint32_t obj[] = {2, 2, 3, 3, 2, 2, 3};
		static const uint32_t seq[] = {1, 2, 1, 2, 3, 4, 3};
		CU_ASSERT_EQUAL_FATAL(clab_trace_nrecords(tr), 7);
		for (size_t i = 0; i < 7; i++) {
			CU_ASSERT_EQUAL(clab_trace_record(tr, i)->obj, obj[i]);
			CU_ASSERT_EQUAL(clab_trace_record(tr, i)->oseq, seq[i]);
		}
		char *d = tu_dump_text(tr);
		CU_ASSERT_PTR_NOT_NULL(
		    strstr(d, "# records 7, dropped 0, skipped 1\n"));
		CU_ASSERT_PTR_NOT_NULL(strstr(d, "# warning: u.clt: record 3"));
		free(d);
		clab_trace_free(tr);
	}
	/* objects that are defined, and 0 (none), are kept */
	static const uint64_t good[] = {3, 0, 1};
	for (size_t k = 0; k < sizeof(good) / sizeof(good[0]); k++) {
		size_t chunk;
		struct clab_trace *tr = load_unknown(good[k], &chunk);
		CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
		CU_ASSERT_EQUAL(clab_trace_nrecords(tr), 8);
		CU_ASSERT_EQUAL(clab_trace_skipped(tr), 0);
		CU_ASSERT_PTR_NULL(clab_trace_warning(tr));
		clab_trace_free(tr);
	}
	/* a chunk lost to damage takes its skipped records with it */
	struct bt b;
	bt_begin(&b, CLAB_FMT_MINOR);
	bt_defs(&b, 1, 1);
	struct clab_wbuf raw = {0};
	bt_rec_mutex(&raw, CLAB_K_MUTEX_ACQUIRE, 2, 0);
	bt_rec_mutex(&raw, CLAB_K_MUTEX_ACQUIRE, 77, 0);
	bt_rec_mutex(&raw, 0xee, 2, 0); /* not a record kind */
	bt_events(&b, 0, 3, 0, &raw, 0);
	clab_wbuf_free(&raw);
	bt_end(&b);
	struct clab_trace *tr;
	char err[256];
	CU_ASSERT_EQUAL_FATAL(
	    clab_trace_load_mem(b.f.p, b.f.len, "d", &tr, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(clab_trace_damage(tr));
	CU_ASSERT_EQUAL(clab_trace_nrecords(tr), 0);
	CU_ASSERT_EQUAL(clab_trace_skipped(tr), 0);
	CU_ASSERT_PTR_NULL(clab_trace_warning(tr));
	clab_trace_free(tr);
	clab_wbuf_free(&b.f);
}

/*
 * A damaged zstd frame is damage like a damaged zlib stream: the chunk is
 * refused with a reason, the chunks before it are read, and a frame that
 * asks for a window larger than a chunk needs is refused before the
 * decoder allocates it.
 */
static void test_zstd_damage(void)
{
	uint8_t rec[3 * 64];
	for (size_t i = 0; i < sizeof(rec); i += 3) {
		rec[i] = CLAB_K_SLEEP_END;
		rec[i + 1] = (uint8_t)(i & 0x7f); /* dt */
		rec[i + 2] = 0;
	}
	uint8_t z[512];
	size_t zlen = ZSTD_compress(z, sizeof(z), rec, sizeof(rec), 1);
	CU_ASSERT_FATAL(!ZSTD_isError(zlen) && zlen < sizeof(z) - 1);
	char why[300];
	forged_damage(64, CLAB_CODEC_ZSTD, sizeof(rec), z, zlen, why,
		      sizeof(why));
	CU_ASSERT_STRING_EQUAL(why, "whole (64 records)");
	/* bytes after the frame; the frame cut short; a longer raw length */
	z[zlen] = 0;
	forged_damage(64, CLAB_CODEC_ZSTD, sizeof(rec), z, zlen + 1, why,
		      sizeof(why));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "does not decompress"));
	forged_damage(64, CLAB_CODEC_ZSTD, sizeof(rec), z, zlen - 1, why,
		      sizeof(why));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "ends early"));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "(0 records)"));
	forged_damage(64, CLAB_CODEC_ZSTD, sizeof(rec) + 1, z, zlen, why,
		      sizeof(why));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "does not decompress"));
	/* every byte of the frame changed in turn: never a crash */
	for (size_t i = 0; i < zlen; i++) {
		for (int x = 1; x < 256; x <<= 3) {
			z[i] ^= (uint8_t)x;
			forged_damage(64, CLAB_CODEC_ZSTD, sizeof(rec), z, zlen,
				      why, sizeof(why));
			CU_ASSERT_PTR_NOT_NULL(strstr(why, "records)"));
			z[i] ^= (uint8_t)x;
		}
	}
	/* a whole chunk, then a damaged one: the first is kept */
	struct bt b;
	bt_begin(&b, CLAB_FMT_MINOR_ZSTD);
	bt_defs(&b, 1, 1);
	forged_chunk(&b, 64, CLAB_CODEC_ZSTD, sizeof(rec), z, zlen);
	z[zlen / 2] ^= 0x55;
	z[zlen / 2 + 1] ^= 0x55;
	forged_chunk(&b, 64, CLAB_CODEC_ZSTD, sizeof(rec), z, zlen);
	bt_end(&b);
	bt_damage(&b, why, sizeof(why));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "does not decompress"));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "(64 records)"));

	/* a frame whose window is 128 MiB, which no writer's chunk needs */
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	CU_ASSERT_PTR_NOT_NULL_FATAL(cc);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_windowLog, 27);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_contentSizeFlag, 0);
	/* streamed: a single call would fit the window to the input */
	ZSTD_inBuffer in = {rec, sizeof(rec), 0}, none = {NULL, 0, 0};
	ZSTD_outBuffer out = {z, sizeof(z), 0};
	ZSTD_compressStream2(cc, &out, &in, ZSTD_e_continue);
	CU_ASSERT_EQUAL(ZSTD_compressStream2(cc, &out, &none, ZSTD_e_end), 0);
	ZSTD_freeCCtx(cc);
	CU_ASSERT(ZSTD_getFrameContentSize(z, out.pos) ==
		  ZSTD_CONTENTSIZE_UNKNOWN);
	forged_damage(64, CLAB_CODEC_ZSTD, sizeof(rec), z, out.pos, why,
		      sizeof(why));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "does not decompress"));
	/* ...and the same records in a window of 1 MiB read whole */
	cc = ZSTD_createCCtx();
	ZSTD_CCtx_setParameter(cc, ZSTD_c_windowLog, 20);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_contentSizeFlag, 0);
	in.pos = out.pos = 0;
	ZSTD_compressStream2(cc, &out, &in, ZSTD_e_continue);
	CU_ASSERT_EQUAL(ZSTD_compressStream2(cc, &out, &none, ZSTD_e_end), 0);
	ZSTD_freeCCtx(cc);
	forged_damage(64, CLAB_CODEC_ZSTD, sizeof(rec), z, out.pos, why,
		      sizeof(why));
	CU_ASSERT_STRING_EQUAL(why, "whole (64 records)");
}

/*
 * A mutex record of T0 on object 2 (bt_defs), the next in its order:
 * with its time delta dt, or without one (dt < 0) in a lazy chunk.
 */
static void lazy_rec(struct clab_wbuf *raw, unsigned kind, int64_t dt)
{
	if (dt < 0) {
		clab_wbuf_u8(raw, kind | CLAB_REC_LAZY);
	} else {
		clab_wbuf_u8(raw, kind);
		clab_wbuf_uv(raw, (uint64_t)dt);
	}
	clab_wbuf_uv(raw, 0); /* site */
	clab_wbuf_uv(raw, 2); /* object */
	clab_wbuf_sv(raw, 0); /* the next sequence number */
	clab_wbuf_u8(raw, CLAB_HOW_BLOCK);
	clab_wbuf_uv(raw, 0);
}

/*
 * A file of version 1.minor: T0 and nmutex mutexes (bt_defs), nsites
 * sites (site i at line 100 + i) and one raw record chunk of T0, n
 * records from base with the codec byte codec.  Loaded, or NULL; why
 * says its damage ("whole" when none), or why it did not load.
 */
static struct clab_trace *one_chunk(unsigned minor, uint32_t nmutex,
				    unsigned nsites, unsigned codec,
				    uint64_t base, const struct clab_wbuf *raw,
				    uint64_t n, char *why, size_t whylen)
{
	struct bt b;
	bt_begin(&b, minor);
	bt_defs(&b, 1, nmutex);
	struct clab_wbuf p = {0};
	if (nsites) {
		clab_wbuf_uv(&p, nsites);
		for (unsigned i = 1; i <= nsites; i++) {
			clab_wbuf_uv(&p, i);
			clab_wbuf_uv(&p, 100 + i);
			clab_wbuf_str(&p, "r.c");
			clab_wbuf_str(&p, "f");
			clab_wbuf_u8(&p, 0);
		}
		bt_chunk(&b, CLAB_CH_SITES, &p);
		p.len = 0;
	}
	clab_wbuf_uv(&p, 0);
	clab_wbuf_uv(&p, n);
	clab_wbuf_uv(&p, base);
	clab_wbuf_u8(&p, codec);
	clab_wbuf_uv(&p, raw->len);
	clab_wbuf_put(&p, raw->p, raw->len);
	bt_chunk(&b, CLAB_CH_EVENTS, &p);
	clab_wbuf_free(&p);
	b.records += n;
	bt_end(&b);
	struct clab_trace *tr;
	snprintf(why, whylen, "not loaded");
	if (clab_trace_load_mem(b.f.p, b.f.len, "f", &tr, why, whylen) != 0)
		tr = NULL;
	else
		snprintf(why, whylen, "%s",
			 clab_trace_damage(tr) ? clab_trace_damage(tr)
					       : "whole");
	clab_wbuf_free(&b.f);
	return tr;
}

/* The times of the records of a file with one raw chunk; 0 or -1. */
static int chunk_times(unsigned minor, unsigned codec, uint64_t base,
		       const struct clab_wbuf *raw, uint64_t n, uint64_t *ns,
		       char *why, size_t whylen)
{
	struct clab_trace *tr =
	    one_chunk(minor, 1, 0, codec, base, raw, n, why, whylen);
	if (!tr)
		return -1;
	int rc = clab_trace_nrecords(tr) == n ? 0 : -1;
	for (size_t i = 0; i < clab_trace_nrecords(tr) && i < n; i++)
		ns[i] = clab_trace_record(tr, i)->ns;
	clab_trace_free(tr);
	return rc;
}

/*
 * The same five records in a chunk of the older form (a time delta each,
 * format 1.5 and before) and of the 1.6 form (CLAB_CODEC_LAZY: records
 * without a stamp have none) read to the same times: a stamp at 1000, two
 * records without one, a stamp at 1009, one more the chunk ends on.
 */
static void test_lazy_form(void)
{
	static const uint64_t want[5] = {1000, 1003, 1006, 1009, 1009};
	static const unsigned kinds[5] = {
	    CLAB_K_MUTEX_ACQUIRE, CLAB_K_MUTEX_RELEASE, CLAB_K_MUTEX_ACQUIRE,
	    CLAB_K_MUTEX_RELEASE, CLAB_K_MUTEX_ACQUIRE};
	static const int64_t old_dt[5] = {0, 3, 3, 3, 0},
			     lazy_dt[5] = {10, -1, -1, 9, -1};
	struct clab_wbuf o = {0}, l = {0};
	for (int i = 0; i < 5; i++) {
		lazy_rec(&o, kinds[i], old_dt[i]);
		lazy_rec(&l, kinds[i], lazy_dt[i]);
	}
	uint64_t ns[5];
	char why[300];
	/* the older form, in a 1.5 file: its base is its first record's */
	CU_ASSERT_EQUAL(chunk_times(CLAB_FMT_MINOR_ZSTD, CLAB_CODEC_RAW, 1000,
				    &o, 5, ns, why, sizeof(why)),
			0);
	CU_ASSERT_STRING_EQUAL(why, "whole");
	CU_ASSERT_EQUAL(memcmp(ns, want, sizeof(ns)), 0);
	/* the 1.6 form: its base is the time before its first record */
	memset(ns, 0, sizeof(ns));
	CU_ASSERT_EQUAL(chunk_times(CLAB_FMT_MINOR_LAZY,
				    CLAB_CODEC_RAW | CLAB_CODEC_LAZY, 990, &l,
				    5, ns, why, sizeof(why)),
			0);
	CU_ASSERT_STRING_EQUAL(why, "whole");
	CU_ASSERT_EQUAL(memcmp(ns, want, sizeof(ns)), 0);
	/* the lazy records without the chunk's flag: no kind of record */
	CU_ASSERT_EQUAL(chunk_times(CLAB_FMT_MINOR_LAZY, CLAB_CODEC_RAW, 990,
				    &l, 5, ns, why, sizeof(why)),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "unknown record kind"));
	/* the flag on records that all have a delta: read as they say */
	CU_ASSERT_EQUAL(chunk_times(CLAB_FMT_MINOR_LAZY,
				    CLAB_CODEC_RAW | CLAB_CODEC_LAZY, 1000, &o,
				    5, ns, why, sizeof(why)),
			0);
	CU_ASSERT_EQUAL(memcmp(ns, want, sizeof(ns)), 0);
	/*
	 * A lazy record of a kind without fields takes 2 bytes, kind and
	 * site: five of them in 10 bytes read (at 1000), six are refused.
	 */
	struct clab_wbuf z = {0};
	for (int i = 0; i < 5; i++) {
		clab_wbuf_u8(&z, CLAB_K_SLEEP_END | CLAB_REC_LAZY);
		clab_wbuf_uv(&z, 0);
	}
	CU_ASSERT_EQUAL(chunk_times(CLAB_FMT_MINOR_LAZY,
				    CLAB_CODEC_RAW | CLAB_CODEC_LAZY, 1000, &z,
				    5, ns, why, sizeof(why)),
			0);
	CU_ASSERT_STRING_EQUAL(why, "whole");
	CU_ASSERT_EQUAL(ns[0], 1000);
	CU_ASSERT_EQUAL(ns[4], 1000);
	CU_ASSERT_EQUAL(chunk_times(CLAB_FMT_MINOR_LAZY,
				    CLAB_CODEC_RAW | CLAB_CODEC_LAZY, 1000, &z,
				    6, ns, why, sizeof(why)),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "bad record chunk header"));
	/* without the flag they are not records at all */
	CU_ASSERT_EQUAL(chunk_times(CLAB_FMT_MINOR_LAZY, CLAB_CODEC_RAW, 1000,
				    &z, 5, ns, why, sizeof(why)),
			-1);
	clab_wbuf_free(&z);
	clab_wbuf_free(&o);
	clab_wbuf_free(&l);
}

/*
 * A file of version 1.minor, one record chunk of T0 (codec flags `flags`,
 * raw) over 21 mutexes (objects 2 to 22) and 17 sites (1 and 17 share a
 * slot), read into r (up to 16 records): the records read, or -1 with
 * why.
 */
static int read_chunk(unsigned minor, unsigned flags,
		      const struct clab_wbuf *raw, uint64_t n,
		      struct clab_record *r, char *why, size_t whylen)
{
	struct clab_trace *tr = one_chunk(minor, 21, 17, CLAB_CODEC_RAW | flags,
					  1000, raw, n, why, whylen);
	if (!tr)
		return -1;
	int got = (int)clab_trace_nrecords(tr);
	for (int i = 0; i < got && i < 16; i++)
		r[i] = *clab_trace_record(tr, i);
	clab_trace_free(tr);
	return got;
}

/* The same in a 1.7 file. */
static int repeat_chunk(unsigned flags, const struct clab_wbuf *raw, uint64_t n,
			struct clab_record *r, char *why, size_t whylen)
{
	return read_chunk(CLAB_FMT_MINOR_REPEAT, flags, raw, n, r, why, whylen);
}

/* A whole mutex record of the 1.7 form, lazy (no dt). */
static void full_rec(struct clab_wbuf *raw, unsigned kind, unsigned site,
		     uint64_t obj, unsigned a8, unsigned a32)
{
	clab_wbuf_u8(raw, kind | CLAB_REC_LAZY);
	clab_wbuf_uv(raw, site);
	clab_wbuf_uv(raw, obj);
	clab_wbuf_sv(raw, 0);
	clab_wbuf_u8(raw, a8);
	clab_wbuf_uv(raw, a32);
}

/* A record's fields as a test expects them (no stack: STACKS is off). */
struct want_rec {
	unsigned kind, site, obj, oseq, a8, a32;
};

static void check_rec(const struct clab_record *r, const struct want_rec *w)
{
	CU_ASSERT_EQUAL(r->kind, w->kind);
	CU_ASSERT_EQUAL(r->site, w->site);
	CU_ASSERT_EQUAL(r->obj, w->obj);
	CU_ASSERT_EQUAL(r->oseq, w->oseq);
	CU_ASSERT_EQUAL(r->a8, w->a8);
	CU_ASSERT_EQUAL(r->a32, w->a32);
	CU_ASSERT_EQUAL(r->stack, 0);
}

/*
 * Records that repeat the last at their site slot (format 1.7, codec flag
 * CLAB_CODEC_REPEAT): what each one reads as, and every way such a record
 * can be wrong.
 */
static void test_repeat_form(void)
{
	struct clab_record r[16];
	char why[300];
	struct clab_wbuf w = {0};
	/* site 1, object 2: whole, then repeated by its entry (2 % 15) */
	full_rec(&w, CLAB_K_MUTEX_ACQUIRE, 1, 2, CLAB_HOW_TRY, 1);
	clab_wbuf_u8(&w, CLAB_REC_LAZY);
	clab_wbuf_u8(&w, 1 | (2 + 1) << 4);
	/* object 17 (entry 2 too): named, then by its entry */
	clab_wbuf_u8(&w, CLAB_REC_LAZY);
	clab_wbuf_u8(&w, 1);
	clab_wbuf_uv(&w, 17);
	clab_wbuf_u8(&w, CLAB_REC_LAZY);
	clab_wbuf_u8(&w, 1 | (2 + 1) << 4);
	/* with its dt (stamped: 1000 + 30) */
	clab_wbuf_u8(&w, 0);
	clab_wbuf_uv(&w, 30);
	clab_wbuf_u8(&w, 1 | (2 + 1) << 4);
	/* site 17 takes slot 1: a release there, then a repeat of it */
	full_rec(&w, CLAB_K_MUTEX_RELEASE, 17, 17, CLAB_HOW_BLOCK, 0);
	clab_wbuf_u8(&w, CLAB_REC_LAZY);
	clab_wbuf_u8(&w, 1);
	clab_wbuf_uv(&w, 2);
	/* a kind without an object: sleep, 5 ms, and its repeat */
	clab_wbuf_u8(&w, CLAB_K_SLEEP_BEGIN | CLAB_REC_LAZY);
	clab_wbuf_uv(&w, 3);
	clab_wbuf_uv(&w, 5);
	clab_wbuf_u8(&w, CLAB_REC_LAZY);
	clab_wbuf_u8(&w, 3);
	static const struct want_rec want[9] = {
	    {CLAB_K_MUTEX_ACQUIRE, 1, 2, 1, CLAB_HOW_TRY, 1},
	    {CLAB_K_MUTEX_ACQUIRE, 1, 2, 2, CLAB_HOW_TRY, 1},
	    {CLAB_K_MUTEX_ACQUIRE, 1, 17, 1, CLAB_HOW_TRY, 1},
	    {CLAB_K_MUTEX_ACQUIRE, 1, 17, 2, CLAB_HOW_TRY, 1},
	    {CLAB_K_MUTEX_ACQUIRE, 1, 17, 3, CLAB_HOW_TRY, 1},
	    {CLAB_K_MUTEX_RELEASE, 17, 17, 4, CLAB_HOW_BLOCK, 0},
	    {CLAB_K_MUTEX_RELEASE, 17, 2, 3, CLAB_HOW_BLOCK, 0},
	    {CLAB_K_SLEEP_BEGIN, 3, 0, 0, 0, 5},
	    {CLAB_K_SLEEP_BEGIN, 3, 0, 0, 0, 5},
	};
	const unsigned fl = CLAB_CODEC_REPEAT | CLAB_CODEC_LAZY;
	CU_ASSERT_EQUAL(repeat_chunk(fl, &w, 9, r, why, sizeof(why)), 9);
	CU_ASSERT_STRING_EQUAL(why, "whole");
	for (int i = 0; i < 9; i++) {
		check_rec(&r[i], &want[i]);
		/* the times: the stamp at 1030, the run before it spread */
		if (i >= 4)
			CU_ASSERT_EQUAL(r[i].ns, 1030);
	}
	CU_ASSERT(r[0].ns < r[1].ns && r[1].ns < r[2].ns && r[2].ns < 1030);
	/* without the flag, a repeated record is no kind of record */
	CU_ASSERT_EQUAL(
	    repeat_chunk(CLAB_CODEC_LAZY, &w, 9, r, why, sizeof(why)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "unknown record kind"));

	/*
	 * Records after a whole one (a lazy acquire at site 1 of object 2,
	 * ACQ, or a lazy sleep of 5 ms at site 3, SLP), each chunk of n
	 * records read to got records (-1: refused) and why.
	 */
#define ACQ CLAB_K_MUTEX_ACQUIRE | CLAB_REC_LAZY, 1, 2, 0, CLAB_HOW_BLOCK, 1
#define SLP CLAB_K_SLEEP_BEGIN | CLAB_REC_LAZY, 3, 5
	const unsigned rs =
	    CLAB_CODEC_REPEAT | CLAB_CODEC_LAZY | CLAB_CODEC_STACKS;
	static const struct {
		unsigned flags;
		uint8_t b[16];
		size_t len;
		uint64_t n;
		int got;
		const char *why;
	} bad[] = {
	    /* slot 5 has no record yet, nor slot 3 */
	    {fl, {ACQ, CLAB_REC_LAZY, 5}, 8, 2, 0, "record repeats no record"},
	    {fl,
	     {ACQ, CLAB_REC_LAZY, 3 | 1 << 4},
	     8,
	     2,
	     0,
	     "record repeats no record"},
	    /* cut in the record: its code, its object, its dt */
	    {fl, {ACQ, CLAB_REC_LAZY}, 7, 2, 0, "ends early"},
	    {fl, {ACQ, 0, 0}, 8, 3, 0, "ends early"},
	    {fl, {ACQ, CLAB_REC_LAZY, 1}, 8, 2, 0, "ends early"},
	    {fl, {ACQ, 0, 0x85, 1}, 9, 2, 0, "ends early"},
	    /* an object's entry for a kind without an object */
	    {fl,
	     {SLP, CLAB_REC_LAZY, 3 | 1 << 4},
	     5,
	     2,
	     0,
	     "repeated record with a bad object"},
	    {fl, {SLP, CLAB_REC_LAZY, 3}, 5, 2, 2, "whole"},
	    /* the lazy bit in a chunk whose records all have a dt */
	    {CLAB_CODEC_REPEAT,
	     {CLAB_K_MUTEX_ACQUIRE, 0, 1, 2, 0, CLAB_HOW_BLOCK, 1,
	      CLAB_REC_LAZY, 1 | 3 << 4},
	     9,
	     2,
	     0,
	     "unknown record kind"},
	    {CLAB_CODEC_REPEAT,
	     {CLAB_K_MUTEX_ACQUIRE, 0, 1, 2, 0, CLAB_HOW_BLOCK, 1, 0, 4,
	      1 | 3 << 4},
	     10,
	     2,
	     2,
	     "whole"},
	    /* an object never defined: skipped, as in a whole record */
	    {fl, {ACQ, CLAB_REC_LAZY, 1, 99}, 9, 2, 1, "whole"},
	    /* a byte after the last record */
	    {fl,
	     {ACQ, CLAB_REC_LAZY, 1 | 3 << 4, 0},
	     9,
	     2,
	     0,
	     "longer than its count"},
	    /*
	     * 2 bytes a record at least, stacks or not: a whole record has
	     * its stack id (0), a repeated one none; 3 bytes a record at
	     * least in a chunk of stacks without the flag
	     */
	    {rs, {ACQ, 0, CLAB_REC_LAZY, 1 | 3 << 4}, 9, 2, 2, "whole"},
	    {rs,
	     {ACQ, 0, CLAB_REC_LAZY, 1 | 3 << 4},
	     9,
	     5,
	     0,
	     "bad record chunk header"},
	    {CLAB_CODEC_LAZY | CLAB_CODEC_STACKS,
	     {CLAB_K_SLEEP_BEGIN | CLAB_REC_LAZY, 3, 0,
	      CLAB_K_SLEEP_BEGIN | CLAB_REC_LAZY},
	     4,
	     2,
	     0,
	     "bad record chunk header"},
	};
#undef ACQ
#undef SLP
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		struct clab_wbuf x = {0};
		clab_wbuf_put(&x, bad[k].b, bad[k].len);
		int got = repeat_chunk(bad[k].flags, &x, bad[k].n, r, why,
				       sizeof(why));
		CU_ASSERT_EQUAL(got, bad[k].got);
		CU_ASSERT_PTR_NOT_NULL(strstr(why, bad[k].why));
		if (got != bad[k].got || !strstr(why, bad[k].why))
			fprintf(stderr, "case %zu: %d records, %s\n", k, got,
				why);
		clab_wbuf_free(&x);
	}
	/*
	 * A repeat of an object whose number is the last it can have is
	 * refused; one whose number is one before the last reads.
	 */
	for (int last = 0; last < 2; last++) {
		w.len = 0;
		clab_wbuf_u8(&w, CLAB_K_MUTEX_ACQUIRE | CLAB_REC_LAZY);
		clab_wbuf_uv(&w, 1);
		clab_wbuf_uv(&w, 2);
		clab_wbuf_sv(&w, (int64_t)UINT32_MAX - 2 + last);
		clab_wbuf_u8(&w, CLAB_HOW_BLOCK);
		clab_wbuf_uv(&w, 1);
		clab_wbuf_u8(&w, CLAB_REC_LAZY);
		clab_wbuf_u8(&w, 1 | (2 + 1) << 4);
		int got = repeat_chunk(fl, &w, 2, r, why, sizeof(why));
		CU_ASSERT_EQUAL(got, last ? 0 : 2);
		if (last) {
			CU_ASSERT_PTR_NOT_NULL(
			    strstr(why, "bad object sequence number"));
		} else {
			CU_ASSERT_EQUAL(r[1].oseq, UINT32_MAX);
		}
	}
	clab_wbuf_free(&w);
}

/*
 * Holds (format 1.8, codec flag CLAB_CODEC_HOLDS): a mutex's acquire and
 * its release as one record, whole or repeated, read as the two; and every
 * way such a record can be wrong.
 */
static void test_holds_form(void)
{
	struct clab_record r[16];
	char why[300];
	struct clab_wbuf w = {0};
	/* a hold at site 1 of object 2 (try, depth 1), released at site 3 */
	clab_wbuf_u8(&w, CLAB_REC_HOLD | CLAB_REC_LAZY);
	clab_wbuf_uv(&w, 1);
	clab_wbuf_uv(&w, 2);
	clab_wbuf_sv(&w, 0);
	clab_wbuf_u8(&w, CLAB_HOW_TRY);
	clab_wbuf_uv(&w, 1);
	clab_wbuf_uv(&w, 3);
	/* repeated by its object's entry (2 % 15), then on object 17 */
	clab_wbuf_u8(&w, CLAB_REC_LAZY);
	clab_wbuf_u8(&w, 1 | (2 + 1) << 4);
	clab_wbuf_u8(&w, CLAB_REC_LAZY);
	clab_wbuf_u8(&w, 1);
	clab_wbuf_uv(&w, 17);
	/* a whole release of object 2 at site 4, stamped at 1000 + 60 */
	clab_wbuf_u8(&w, CLAB_K_MUTEX_RELEASE);
	clab_wbuf_uv(&w, 60);
	clab_wbuf_uv(&w, 4);
	clab_wbuf_uv(&w, 2);
	clab_wbuf_sv(&w, 0);
	clab_wbuf_u8(&w, CLAB_HOW_BLOCK);
	clab_wbuf_uv(&w, 0);
	static const struct want_rec want[7] = {
	    {CLAB_K_MUTEX_ACQUIRE, 1, 2, 1, CLAB_HOW_TRY, 1},
	    {CLAB_K_MUTEX_RELEASE, 3, 2, 2, CLAB_HOW_BLOCK, 0},
	    {CLAB_K_MUTEX_ACQUIRE, 1, 2, 3, CLAB_HOW_TRY, 1},
	    {CLAB_K_MUTEX_RELEASE, 3, 2, 4, CLAB_HOW_BLOCK, 0},
	    {CLAB_K_MUTEX_ACQUIRE, 1, 17, 1, CLAB_HOW_TRY, 1},
	    {CLAB_K_MUTEX_RELEASE, 3, 17, 2, CLAB_HOW_BLOCK, 0},
	    {CLAB_K_MUTEX_RELEASE, 4, 2, 5, CLAB_HOW_BLOCK, 0},
	};
	const unsigned fl =
	    CLAB_CODEC_HOLDS | CLAB_CODEC_REPEAT | CLAB_CODEC_LAZY;
	CU_ASSERT_EQUAL(
	    read_chunk(CLAB_FMT_MINOR_HOLDS, fl, &w, 7, r, why, sizeof(why)),
	    7);
	CU_ASSERT_STRING_EQUAL(why, "whole");
	for (int i = 0; i < 7; i++) {
		check_rec(&r[i], &want[i]);
		/* six places in the run before the stamp at 1060 */
		CU_ASSERT_EQUAL(r[i].ns, 1000 + 60 * (uint64_t)(i + 1) / 7);
	}
	/* without the flag, the hold's kind byte is no kind */
	CU_ASSERT_EQUAL(read_chunk(CLAB_FMT_MINOR_HOLDS,
				   CLAB_CODEC_REPEAT | CLAB_CODEC_LAZY, &w, 7,
				   r, why, sizeof(why)),
			0);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "unknown record kind"));
	/* the flag without the 1.6 form, or with stacks */
	CU_ASSERT_EQUAL(read_chunk(CLAB_FMT_MINOR_HOLDS,
				   CLAB_CODEC_HOLDS | CLAB_CODEC_REPEAT, &w, 7,
				   r, why, sizeof(why)),
			0);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "bad record chunk header"));
	CU_ASSERT_EQUAL(read_chunk(CLAB_FMT_MINOR_HOLDS, fl | CLAB_CODEC_STACKS,
				   &w, 7, r, why, sizeof(why)),
			0);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "bad record chunk header"));
	/* a count that ends between the hold's two records */
	struct clab_wbuf one = {0};
	clab_wbuf_put(&one, w.p, 7);
	CU_ASSERT_EQUAL(
	    read_chunk(CLAB_FMT_MINOR_HOLDS, fl, &one, 1, r, why, sizeof(why)),
	    0);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "past the chunk's count"));
	/* a release site that names no site */
	one.p[6] = 18;
	CU_ASSERT_EQUAL(
	    read_chunk(CLAB_FMT_MINOR_HOLDS, fl, &one, 2, r, why, sizeof(why)),
	    0);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "unknown site"));
	/* a hold with a time (dt 5) */
	one.len = 0;
	clab_wbuf_u8(&one, CLAB_REC_HOLD);
	clab_wbuf_uv(&one, 5);
	clab_wbuf_put(&one, w.p + 1, 6);
	CU_ASSERT_EQUAL(
	    read_chunk(CLAB_FMT_MINOR_HOLDS, fl, &one, 2, r, why, sizeof(why)),
	    0);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "a hold with a time"));
	clab_wbuf_free(&one);
	clab_wbuf_free(&w);
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "truncation everywhere", test_truncation_everywhere);
	CU_add_test(s, "corruption everywhere", test_corruption_everywhere);
	CU_add_test(s, "version refused", test_version_refused);
	CU_add_test(s, "content checksum", test_checksum);
	CU_add_test(s, "a payload's CRC from its chunk's", test_payload_crc_of);
	CU_add_test(s, "what a meta-only load checks", test_meta_checks);
	CU_add_test(s, "wide chunks read in linear time",
		    test_wide_chunks_linear);
	CU_add_test(s, "many parked threads merged in linear time",
		    test_parked_linear);
	CU_add_test(s, "forged record counts", test_forged_count);
	CU_add_test(s, "header under the checksum", test_header_checksum);
	CU_add_test(s, "a damaged zstd frame", test_zstd_damage);
	CU_add_test(s, "records without a time (1.6) and with (1.5)",
		    test_lazy_form);
	CU_add_test(s, "record naming an unknown object", test_unknown_object);
	CU_add_test(s, "records that repeat their site's (1.7)",
		    test_repeat_form);
	CU_add_test(s, "holds, and every way one is wrong", test_holds_form);
}

int main(void)
{
	return tu_main("tracer/trace-damage", add_tests);
}
