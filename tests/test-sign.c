/*
 * tracer/sign: traces signed by the writer with a key, and every change
 * made to one afterwards refused by clab_trace_verify (and the reader
 * still reading them as before).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <conclab/error.h>
#include <conclab/trace.h>
#include <conclab/tracer.h>

#include "format.h"
#include "testutil.h"
#include "tracer-int.h"

static const uint8_t key1[40] = "0123456789abcdef0123456789abcdef-one----";
static const uint8_t key2[40] = "0123456789abcdef0123456789abcdef-two----";

/*
 * A trace of two threads and several record chunks, signed with key (NULL:
 * not signed); the file's bytes (malloc'd) and their number.
 */
/* The codec make_trace writes with (enum clab_trace_codec). */
static int codec = CLAB_TRACE_ZSTD;

static uint8_t *make_trace(const void *key, size_t keylen, int rounds,
			   size_t *len)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/conclab-sign-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	struct clab_meta_kv meta[] = {{"lab", "unit"}};
	struct clab_tracer_opts o = {.path = path,
				     .meta = meta,
				     .nmeta = 1,
				     .compress = -1,
				     .key = key,
				     .key_len = keylen,
				     .codec = codec};
	CU_ASSERT_EQUAL_FATAL(clab_tracer_open(&o), 0);
	struct clab__tbuf *tb = clab__tbuf_claim_main();
	struct clab__tbuf *tb2 = clab__tbuf_new("other", 0);
	uint32_t m = clab__obj_new(CLAB_O_MUTEX, "m", CLAB_SITE(), 0, 0, 0);
	for (int i = 0; i < rounds; i++) {
		struct clab__tbuf *t = i % 2 ? tb2 : tb;
		clab__emit(t, CLAB_K_MUTEX_ACQUIRE, m, 2 * (uint32_t)i + 1,
			   CLAB_SITE(), 0, 1);
		clab__emit(t, CLAB_K_MUTEX_RELEASE, m, 2 * (uint32_t)i + 2,
			   CLAB_SITE(), 0, 0);
		if (i % 10 == 9)
			clab_tracer_flush(); /* several chunks */
	}
	clab__tbuf_exit(tb);
	clab__tbuf_exit(tb2);
	CU_ASSERT_EQUAL(clab_tracer_close(NULL), 0);
	void *data;
	char err[256];
	CU_ASSERT_EQUAL_FATAL(
	    clab_trace_read_file(path, &data, len, err, sizeof(err)), 0);
	unlink(path);
	return data;
}

/* The byte offsets of the file's chunks, in order; returns how many. */
static size_t chunks(const uint8_t *p, size_t len, size_t *off, size_t max)
{
	size_t n = 0, o = CLAB_FMT_HDR_LEN;
	while (o + CLAB_CHUNK_HDR_LEN <= len && n < max) {
		off[n++] = o;
		o += CLAB_CHUNK_HDR_LEN + clab_rbuf_u32le(p + o + 4);
	}
	CU_ASSERT_EQUAL(o, len);
	return n;
}

static size_t chunk_len(const uint8_t *p, size_t off)
{
	return CLAB_CHUNK_HDR_LEN + clab_rbuf_u32le(p + off + 4);
}

static int verify(const uint8_t *p, size_t len, const void *key, size_t klen,
		  char *err, size_t errlen)
{
	return clab_trace_verify(p, len, "t.clt", key, klen, err, errlen);
}

/* A signed trace: verified with its key, read as before without it. */
static void test_signed_verifies(void)
{
	size_t len;
	uint8_t *p = make_trace(key1, sizeof(key1), 60, &len);
	char err[512];
	CU_ASSERT_EQUAL(verify(p, len, key1, sizeof(key1), err, sizeof(err)),
			CLAB_SIG_VERIFIED);
	CU_ASSERT_STRING_EQUAL(err, "t.clt: signature verified");
	CU_ASSERT_EQUAL(verify(p, len, NULL, 0, err, sizeof(err)),
			CLAB_SIG_SIGNED);
	/* 1.7 (zstd chunks); its last chunk is the signature, right after
	 * the end chunk */
	CU_ASSERT_EQUAL(clab_rbuf_u16le(p + 10), CLAB_FMT_MINOR_HOLDS);
	size_t off[64];
	size_t n = chunks(p, len, off, 64);
	CU_ASSERT_FATAL(n >= 4);
	CU_ASSERT_EQUAL(clab_rbuf_u32le(p + off[n - 1]), CLAB_CH_SIGNATURE);
	CU_ASSERT_EQUAL(clab_rbuf_u32le(p + off[n - 1] + 4), CLAB_SIG_LEN);
	CU_ASSERT_EQUAL(clab_rbuf_u32le(p + off[n - 2]), CLAB_CH_END);
	/* the key is in no byte of the file */
	CU_ASSERT_PTR_NULL(memmem(p, len, key1, CLAB_KEY_MIN));
	struct clab_trace *tr;
	CU_ASSERT_EQUAL_FATAL(
	    clab_trace_load_mem(p, len, "t.clt", &tr, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NULL(clab_trace_damage(tr));
	CU_ASSERT_EQUAL(clab_trace_signed(tr), 1);
	CU_ASSERT_EQUAL(clab_trace_checksum_ok(tr), 1);
	CU_ASSERT_EQUAL(clab_trace_nrecords(tr), 120);
	clab_trace_free(tr);
	free(p);
}

/*
 * Without a key, the writer writes what it always wrote: 1.7 with zstd
 * chunks, and with zlib chunks 1.3, or 1.4 when signed.
 */
static void test_unsigned_as_before(void)
{
	size_t len;
	codec = CLAB_TRACE_ZLIB;
	uint8_t *p = make_trace(key1, sizeof(key1), 60, &len);
	CU_ASSERT_EQUAL(clab_rbuf_u16le(p + 10), CLAB_FMT_MINOR_SIGNED);
	free(p);
	p = make_trace(NULL, 0, 60, &len);
	CU_ASSERT_EQUAL(clab_rbuf_u16le(p + 10), 3);
	free(p);
	codec = CLAB_TRACE_ZSTD;
	p = make_trace(NULL, 0, 60, &len);
	char err[512];
	CU_ASSERT_EQUAL(clab_rbuf_u16le(p + 10), CLAB_FMT_MINOR_HOLDS);
	size_t off[64];
	size_t n = chunks(p, len, off, 64);
	CU_ASSERT_EQUAL(clab_rbuf_u32le(p + off[n - 1]), CLAB_CH_END);
	struct clab_trace *tr;
	CU_ASSERT_EQUAL_FATAL(
	    clab_trace_load_mem(p, len, "t.clt", &tr, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NULL(clab_trace_damage(tr));
	CU_ASSERT_EQUAL(clab_trace_signed(tr), 0);
	CU_ASSERT_EQUAL(clab_trace_nrecords(tr), 120);
	clab_trace_free(tr);
	CU_ASSERT_EQUAL(verify(p, len, key1, sizeof(key1), err, sizeof(err)),
			CLAB_SIG_NONE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not signed"));
	CU_ASSERT_EQUAL(verify(p, len, NULL, 0, err, sizeof(err)),
			CLAB_SIG_NONE);
	free(p);
}

/* A key shorter than CLAB_KEY_MIN signs nothing and verifies nothing. */
static void test_short_key(void)
{
	struct clab_tracer_opts o = {.path = "/tmp/conclab-sign-never.clt",
				     .key = key1,
				     .key_len = CLAB_KEY_MIN - 1};
	CU_ASSERT_EQUAL(clab_tracer_open(&o), CLAB_EINVAL);
	CU_ASSERT_EQUAL(access(o.path, F_OK), -1);
	size_t len;
	uint8_t *p = make_trace(key1, sizeof(key1), 10, &len);
	char err[512];
	CU_ASSERT_EQUAL(
	    verify(p, len, key1, CLAB_KEY_MIN - 1, err, sizeof(err)),
	    CLAB_EINVAL);
	/* exactly CLAB_KEY_MIN bytes is a key: another one than key1's */
	CU_ASSERT_EQUAL(verify(p, len, key1, CLAB_KEY_MIN, err, sizeof(err)),
			CLAB_SIG_WRONG_KEY);
	free(p);
}

static void test_wrong_key(void)
{
	size_t len;
	uint8_t *p = make_trace(key1, sizeof(key1), 30, &len);
	char err[512];
	CU_ASSERT_EQUAL(verify(p, len, key2, sizeof(key2), err, sizeof(err)),
			CLAB_SIG_WRONG_KEY);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "signed with another key"));
	free(p);
	/* a trace signed with the other key: refused with this one */
	p = make_trace(key2, sizeof(key2), 30, &len);
	CU_ASSERT_EQUAL(verify(p, len, key1, sizeof(key1), err, sizeof(err)),
			CLAB_SIG_WRONG_KEY);
	CU_ASSERT_EQUAL(verify(p, len, key2, sizeof(key2), err, sizeof(err)),
			CLAB_SIG_VERIFIED);
	free(p);
}

/* Every single byte flipped is refused, under some status or other. */
static void test_every_byte(void)
{
	size_t len;
	uint8_t *p = make_trace(key1, sizeof(key1), 30, &len);
	char err[512];
	size_t off[64];
	size_t n = chunks(p, len, off, 64);
	size_t sig = off[n - 1];
	int ok = 1, mismatch = 0;
	for (size_t i = 0; i < len; i++) {
		p[i] ^= 0x01;
		int st = verify(p, len, key1, sizeof(key1), err, sizeof(err));
		ok &= st != CLAB_SIG_VERIFIED;
		/* a byte of a chunk's content before the signature: the MAC */
		if (i < sig && i >= CLAB_FMT_HDR_LEN &&
		    st == CLAB_SIG_MISMATCH &&
		    strstr(err, "changed after it was signed"))
			mismatch++;
		p[i] ^= 0x01;
	}
	CU_ASSERT(ok);
	/* all but the bytes of lengths that send the search astray */
	CU_ASSERT(mismatch > (int)(sig * 3 / 4));
	CU_ASSERT_EQUAL(verify(p, len, key1, sizeof(key1), err, sizeof(err)),
			CLAB_SIG_VERIFIED);
	free(p);
}

/* Build a file from chunks of p in the order given (-1 ends the list). */
static uint8_t *rearrange(const uint8_t *p, const size_t *off, const int *order,
			  size_t *outlen)
{
	uint8_t *q = malloc(1 << 20);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	memcpy(q, p, CLAB_FMT_HDR_LEN);
	size_t n = CLAB_FMT_HDR_LEN;
	for (int i = 0; order[i] >= 0; i++) {
		size_t l = chunk_len(p, off[order[i]]);
		memcpy(q + n, p + off[order[i]], l);
		n += l;
	}
	*outlen = n;
	return q;
}

static void test_chunks_moved(void)
{
	size_t len;
	uint8_t *p = make_trace(key1, sizeof(key1), 60, &len);
	char err[512];
	size_t off[64];
	size_t n = chunks(p, len, off, 64);
	CU_ASSERT_FATAL(n >= 6 && n < 60);
	int order[70];
	size_t qlen;
	uint8_t *q;
	struct clab_trace *tr;

	/* each chunk but the last two (end, signature) dropped in turn */
	for (size_t drop = 0; drop + 2 < n; drop++) {
		int k = 0;
		for (size_t i = 0; i < n; i++)
			if (i != drop)
				order[k++] = (int)i;
		order[k] = -1;
		q = rearrange(p, off, order, &qlen);
		CU_ASSERT_EQUAL(
		    verify(q, qlen, key1, sizeof(key1), err, sizeof(err)),
		    CLAB_SIG_MISMATCH);
		free(q);
	}
	/* two record chunks swapped: each chunk whole, the order not */
	size_t a = n, b = n;
	for (size_t i = 0; i < n && b == n; i++) {
		if (clab_rbuf_u32le(p + off[i]) != CLAB_CH_EVENTS)
			continue;
		if (a == n)
			a = i;
		else
			b = i;
	}
	CU_ASSERT_FATAL(a < n && b < n);
	for (size_t i = 0; i < n; i++)
		order[i] = (int)(i == a ? b : i == b ? a : i);
	order[n] = -1;
	q = rearrange(p, off, order, &qlen);
	CU_ASSERT_EQUAL(qlen, len);
	CU_ASSERT_EQUAL(verify(q, qlen, key1, sizeof(key1), err, sizeof(err)),
			CLAB_SIG_MISMATCH);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "changed after it was signed"));
	free(q);
	/* a chunk added twice */
	for (size_t i = 0, k = 0; i < n; i++) {
		order[k++] = (int)i;
		if (i == a)
			order[k++] = (int)a;
		order[k] = -1;
	}
	q = rearrange(p, off, order, &qlen);
	CU_ASSERT_EQUAL(verify(q, qlen, key1, sizeof(key1), err, sizeof(err)),
			CLAB_SIG_MISMATCH);
	free(q);
	/* a chunk appended after the signature */
	for (size_t i = 0; i < n; i++)
		order[i] = (int)i;
	order[n] = (int)a;
	order[n + 1] = -1;
	q = rearrange(p, off, order, &qlen);
	CU_ASSERT_EQUAL(verify(q, qlen, key1, sizeof(key1), err, sizeof(err)),
			CLAB_SIG_APPENDED);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "appended"));
	/* the reader calls it damaged too, signature or not */
	CU_ASSERT_EQUAL(verify(q, qlen, NULL, 0, err, sizeof(err)),
			CLAB_SIG_APPENDED);
	CU_ASSERT_EQUAL_FATAL(
	    clab_trace_load_mem(q, qlen, "t", &tr, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(clab_trace_damage(tr));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(clab_trace_damage(tr), "after the signature chunk"));
	clab_trace_free(tr);
	free(q);
	/* the signature chunk before the end chunk */
	for (size_t i = 0; i < n; i++)
		order[i] = (int)i;
	order[n - 2] = (int)(n - 1);
	order[n - 1] = (int)(n - 2);
	q = rearrange(p, off, order, &qlen);
	CU_ASSERT_EQUAL(verify(q, qlen, key1, sizeof(key1), err, sizeof(err)),
			CLAB_SIG_MALFORMED);
	free(q);
	/* the signature removed: cut right before it, a whole 1.4 trace */
	CU_ASSERT_EQUAL(
	    verify(p, off[n - 1], key1, sizeof(key1), err, sizeof(err)),
	    CLAB_SIG_NONE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not signed"));
	CU_ASSERT_EQUAL_FATAL(
	    clab_trace_load_mem(p, off[n - 1], "t", &tr, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NULL(clab_trace_damage(tr));
	CU_ASSERT_EQUAL(clab_trace_signed(tr), 0);
	clab_trace_free(tr);
	free(p);
}

/* A signature copied from another trace signed with the same key. */
static void test_signature_copied(void)
{
	size_t la, lb;
	uint8_t *a = make_trace(key1, sizeof(key1), 20, &la);
	uint8_t *b = make_trace(key1, sizeof(key1), 40, &lb);
	char err[512];
	CU_ASSERT_EQUAL(verify(a, la, key1, sizeof(key1), err, sizeof(err)),
			CLAB_SIG_VERIFIED);
	size_t sig = CLAB_CHUNK_HDR_LEN + CLAB_SIG_LEN;
	memcpy(b + lb - sig, a + la - sig, sig);
	CU_ASSERT_EQUAL(verify(b, lb, key1, sizeof(key1), err, sizeof(err)),
			CLAB_SIG_MISMATCH);
	/* a re-signed without the key: a MAC made with another key whose
	 * key id is forged to be key1's */
	uint8_t *c = make_trace(key2, sizeof(key2), 20, &lb);
	memcpy(c + lb - CLAB_SIG_LEN + 1, a + la - CLAB_SIG_LEN + 1,
	       CLAB_SIG_KEYID_LEN);
	/* the chunk's CRC, as a forger would put it right */
	uint32_t crc = clab_chunk_crc(CLAB_CH_SIGNATURE, CLAB_SIG_LEN,
				      c + lb - CLAB_SIG_LEN);
	for (int i = 0; i < 4; i++)
		c[lb - CLAB_SIG_LEN - 4 + i] = (uint8_t)(crc >> (8 * i));
	CU_ASSERT_EQUAL(verify(c, lb, key1, sizeof(key1), err, sizeof(err)),
			CLAB_SIG_MISMATCH);
	free(a);
	free(b);
	free(c);
}

/* Not a trace, or too short for a header: malformed, never a crash. */
static void test_not_a_trace(void)
{
	char err[512];
	static const uint8_t text[] = "hello, this is not a trace at all";
	CU_ASSERT_EQUAL(
	    verify(text, sizeof(text), key1, sizeof(key1), err, sizeof(err)),
	    CLAB_SIG_MALFORMED);
	CU_ASSERT_EQUAL(verify(text, 3, key1, sizeof(key1), err, sizeof(err)),
			CLAB_SIG_MALFORMED);
	size_t len;
	uint8_t *p = make_trace(key1, sizeof(key1), 10, &len);
	/* cut anywhere: never verified */
	int ok = 1;
	for (size_t cut = 0; cut < len; cut++)
		ok &= verify(p, cut, key1, sizeof(key1), err, sizeof(err)) !=
		      CLAB_SIG_VERIFIED;
	CU_ASSERT(ok);
	free(p);
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "a signed trace verifies", test_signed_verifies);
	CU_add_test(s, "an unsigned trace is as before",
		    test_unsigned_as_before);
	CU_add_test(s, "a short key is refused", test_short_key);
	CU_add_test(s, "a wrong key is refused", test_wrong_key);
	CU_add_test(s, "every byte is under the signature", test_every_byte);
	CU_add_test(s, "chunks dropped, swapped, added, moved",
		    test_chunks_moved);
	CU_add_test(s, "a signature copied or forged", test_signature_copied);
	CU_add_test(s, "not a trace", test_not_a_trace);
}

int main(void)
{
	return tu_main("tracer/sign", add_tests);
}
