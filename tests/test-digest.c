/*
 * The DIGEST chunk as the reader trusts it (tracer/reader-digest.c):
 * trace files built byte by byte (tests/badtrace.h), each with a digest
 * that says one thing, and digests that try to slip past: partial,
 * misplaced, doubled, malformed, from another trace, edited after the
 * end chunk's checksum, in a trace cut short or of an older version.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <conclab/error.h>
#include <conclab/trace.h>

#include "badtrace.h"
#include "format.h"
#include "testutil.h"

/* What a built digest says. */
struct spec {
	unsigned flags;
	uint64_t records; /* 0: the trace's own (2) */
	unsigned note, diag;
	int count; /* one of CLAB_DG_*, set to 1; -1: none */
	const uint32_t *edges;
	uint32_t nedges;
	/* the waits' section: its flags, then nw varints; nw 0: none */
	unsigned wflags, nw;
	uint64_t w[16];
	const char *junk; /* bytes after the payload */
};

static void payload(struct clab_wbuf *p, const struct spec *s)
{
	clab_wbuf_u8(p, s->flags);
	clab_wbuf_uv(p, s->records ? s->records : 2);
	/* kinds: the records' own, and a note */
	clab_wbuf_uv(p, 2 + (s->note != 0));
	clab_wbuf_uv(p, CLAB_K_MUTEX_ACQUIRE);
	clab_wbuf_uv(p, 1);
	clab_wbuf_uv(p, CLAB_K_MUTEX_RELEASE);
	clab_wbuf_uv(p, 1);
	if (s->note) {
		clab_wbuf_uv(p, CLAB_K_NOTE);
		clab_wbuf_uv(p, s->note);
	}
	clab_wbuf_uv(p, s->diag != 0);
	if (s->diag) {
		clab_wbuf_uv(p, s->diag);
		clab_wbuf_uv(p, 1);
	}
	for (int i = 0; i < CLAB_DIGEST_NCOUNTS; i++)
		clab_wbuf_uv(p, i == s->count);
	clab_wbuf_uv(p, s->nedges);
	for (uint32_t i = 0; i < 2 * s->nedges; i++)
		clab_wbuf_uv(p, s->edges[i]);
	if (s->nw) {
		clab_wbuf_u8(p, (uint8_t)s->wflags);
		for (unsigned i = 0; i < s->nw; i++)
			clab_wbuf_uv(p, s->w[i]);
	}
	if (s->junk)
		clab_wbuf_put(p, s->junk, strlen(s->junk));
}

enum where { BEFORE_END, BEFORE_META, TWICE, NO_END };

/* A trace of T0 locking and unlocking a mutex, with the digest s. */
static void build(struct bt *b, unsigned minor, const struct spec *s,
		  enum where where)
{
	bt_begin(b, minor);
	bt_defs(b, 1, 2);
	struct clab_wbuf raw = {0}, dg = {0};
	bt_rec_mutex(&raw, CLAB_K_MUTEX_ACQUIRE, 2, 0);
	bt_rec_mutex(&raw, CLAB_K_MUTEX_RELEASE, 2, 0);
	bt_events(b, 0, 2, 0, &raw, 0);
	payload(&dg, s);
	bt_chunk(b, CLAB_CH_DIGEST, &dg);
	if (where == TWICE)
		bt_chunk(b, CLAB_CH_DIGEST, &dg);
	if (where == BEFORE_META) {
		struct clab_wbuf m = {0};
		clab_wbuf_uv(&m, 0);
		bt_chunk(b, CLAB_CH_META, &m);
		clab_wbuf_free(&m);
	}
	if (where != NO_END)
		bt_end(b);
	clab_wbuf_free(&raw);
	clab_wbuf_free(&dg);
}

/* The digest's answer on the file b holds, and its reasons in why. */
static int quiet_of(const struct bt *b, char *why, size_t len)
{
	struct clab_trace *tr;
	char err[256];
	uint64_t n = 0;
	CU_ASSERT_EQUAL_FATAL(
	    clab_trace_load_mem(b->f.p, b->f.len, "t", &tr, err, sizeof(err)),
	    0);
	int q = clab_trace_digest_quiet(tr, &n, why, len);
	if (q == 1)
		CU_ASSERT_EQUAL(n, 2);
	clab_trace_free(tr);
	return q;
}

static int quiet(const struct spec *s, enum where where, unsigned minor,
		 const char *want)
{
	struct bt b;
	char why[256];
	build(&b, minor, s, where);
	int q = quiet_of(&b, why, sizeof(why));
	if (want && !strstr(why, want)) {
		fprintf(stderr, "why: \"%s\", wanted \"%s\"\n", why, want);
		CU_FAIL("the reason");
	}
	clab_wbuf_free(&b.f);
	return q;
}

static void test_quiet(void)
{
	struct spec s = {.count = -1};
	CU_ASSERT_EQUAL(quiet(&s, BEFORE_END, CLAB_FMT_MINOR_DIGEST, NULL), 1);
	/* edges in one order, a chain: no cycle */
	static const uint32_t chain[] = {2, 3, 3, 4, 2, 4};
	s.edges = chain;
	s.nedges = 3;
	CU_ASSERT_EQUAL(quiet(&s, BEFORE_END, CLAB_FMT_MINOR_DIGEST, NULL), 1);
}

/* Each thing the digest can show is something to report. */
static void test_something(void)
{
	static const char *const why[CLAB_DIGEST_NCOUNTS] = {
	    "a thread waited",
	    "a non-blocking attempt failed",
	    "waited while holding a lock",
	    "asked for a lock it held",
	    "never ended",
	    "ended holding a lock",
	    "held when the trace ended",
	    "was waiting when the trace ended",
	};
	for (int i = 0; i < CLAB_DIGEST_NCOUNTS; i++) {
		struct spec s = {.count = i};
		CU_ASSERT_EQUAL(
		    quiet(&s, BEFORE_END, CLAB_FMT_MINOR_DIGEST, why[i]), 0);
	}
	struct spec s = {.count = -1, .diag = CLAB_D_UNLOCK_NOT_OWNER};
	CU_ASSERT_EQUAL(
	    quiet(&s, BEFORE_END, CLAB_FMT_MINOR_DIGEST, "a diagnostic"), 0);
	s = (struct spec){.count = -1, .note = 1};
	CU_ASSERT_EQUAL(quiet(&s, BEFORE_END, CLAB_FMT_MINOR_DIGEST, "notes"),
			0);
	s = (struct spec){.count = -1, .flags = CLAB_DIGEST_UNFOLLOWED};
	CU_ASSERT_EQUAL(
	    quiet(&s, BEFORE_END, CLAB_FMT_MINOR_DIGEST, "could not follow"),
	    0);
	static const uint32_t abba[] = {2, 3, 3, 2};
	static const uint32_t ring[] = {2, 3, 3, 4, 5, 6, 4, 2};
	s = (struct spec){.count = -1, .edges = abba, .nedges = 2};
	CU_ASSERT_EQUAL(quiet(&s, BEFORE_END, CLAB_FMT_MINOR_DIGEST, "cycle"),
			0);
	s.edges = ring;
	s.nedges = 4;
	CU_ASSERT_EQUAL(quiet(&s, BEFORE_END, CLAB_FMT_MINOR_DIGEST, "cycle"),
			0);
}

/* Digests that must not be trusted, however little they claim. */
static void test_untrusted(void)
{
	struct spec s = {.count = -1};
	const int m = CLAB_FMT_MINOR_DIGEST;
	CU_ASSERT_EQUAL(quiet(&s, BEFORE_END, CLAB_FMT_MINOR_ZSTD, "no digest"),
			CLAB_ENOENT);
	CU_ASSERT_EQUAL(quiet(&s, BEFORE_META, m, "misplaced"), CLAB_ENOENT);
	CU_ASSERT_EQUAL(quiet(&s, TWICE, m, "misplaced"), CLAB_ENOENT);
	CU_ASSERT_EQUAL(quiet(&s, NO_END, m, "not closed"), CLAB_ENOENT);
	s.flags = CLAB_DIGEST_PARTIAL;
	CU_ASSERT_EQUAL(quiet(&s, BEFORE_END, m, "partial"), CLAB_ENOENT);
	s = (struct spec){.count = -1, .records = 3}; /* another trace's */
	CU_ASSERT_EQUAL(quiet(&s, BEFORE_END, m, "do not match"), CLAB_ENOENT);
	s = (struct spec){.count = -1, .junk = "x"};
	CU_ASSERT_EQUAL(quiet(&s, BEFORE_END, m, "malformed"), CLAB_ENOENT);
}

/*
 * A digest with something to report, edited to claim nothing: its chunk's
 * CRC made right again, but the end chunk's content checksum catches it.
 */
static void test_edited(void)
{
	struct spec s = {.count = CLAB_DG_WAITS_HOLDING};
	struct bt b;
	char why[256];
	build(&b, CLAB_FMT_MINOR_DIGEST, &s, BEFORE_END);
	CU_ASSERT_EQUAL(quiet_of(&b, why, sizeof(why)), 0);
	/* the chunk: find it, set the count to 0, fix its CRC */
	size_t off = CLAB_FMT_HDR_LEN;
	while (clab_rbuf_u32le(b.f.p + off) != CLAB_CH_DIGEST)
		off += CLAB_CHUNK_HDR_LEN + clab_rbuf_u32le(b.f.p + off + 4);
	uint32_t len = clab_rbuf_u32le(b.f.p + off + 4);
	uint8_t *pl = b.f.p + off + CLAB_CHUNK_HDR_LEN;
	/* the counts are the 8 bytes before the edges' count (1 byte) */
	uint8_t *c = pl + len - 1 - CLAB_DIGEST_NCOUNTS + CLAB_DG_WAITS_HOLDING;
	CU_ASSERT_EQUAL_FATAL(*c, 1);
	*c = 0;
	uint32_t crc = clab_chunk_crc(CLAB_CH_DIGEST, len, pl);
	memcpy(b.f.p + off + 8, &crc, 4); /* little-endian hosts */
	CU_ASSERT_EQUAL(quiet_of(&b, why, sizeof(why)), CLAB_ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "damaged"));
	clab_wbuf_free(&b.f);
}

/* The digest's waits (ended, short, threads of tid, ns, object). */
static void test_waits(void)
{
	const int m = CLAB_FMT_MINOR_DIGEST;
	const unsigned F = CLAB_DIGEST_WAITS_FOLLOWED;
	struct spec s = {.count = CLAB_DG_JUDGED_WAITS,
			 .wflags = F,
			 .nw = 6,
			 .w = {2, 1, 1, 0, 5000000, 2}};
	CU_ASSERT_EQUAL(quiet(&s, BEFORE_END, m, NULL), 1);
	struct bt b;
	struct clab_trace *tr;
	char err[256];
	build(&b, m, &s, BEFORE_END);
	CU_ASSERT_EQUAL_FATAL(
	    clab_trace_load_mem(b.f.p, b.f.len, "t", &tr, err, sizeof(err)), 0);
	struct clab_trace_waits w;
	CU_ASSERT_EQUAL(clab_trace_digest_waits(tr, &w), 0);
	CU_ASSERT_EQUAL(w.ended, 2);
	CU_ASSERT_EQUAL(w.nshort, 1);
	CU_ASSERT_EQUAL(w.short_ns, CLAB_DIGEST_SHORT_WAIT_NS);
	CU_ASSERT_EQUAL_FATAL(w.n, 1);
	CU_ASSERT_EQUAL(w.w[0].tid, 0);
	CU_ASSERT_EQUAL(w.w[0].ns, 5000000);
	CU_ASSERT_EQUAL(w.w[0].obj, 2);
	clab_trace_free(tr);
	clab_wbuf_free(&b.f);

	/* waits not followed (a barrier's), or none in the digest */
	s.wflags = 0;
	CU_ASSERT_EQUAL(quiet(&s, BEFORE_END, m, "a thread waited"), 0);
	s = (struct spec){.count = CLAB_DG_JUDGED_WAITS};
	CU_ASSERT_EQUAL(quiet(&s, BEFORE_END, m, "a thread waited"), 0);
	/* followed, but a thread still waits at the end */
	s = (struct spec){.count = CLAB_DG_WAITING_AT_END,
			  .wflags = F,
			  .nw = 3,
			  .w = {0, 0, 0}};
	CU_ASSERT_EQUAL(quiet(&s, BEFORE_END, m, "was waiting"), 0);

	/* malformed: an unknown flag, more short waits (or threads) than
	 * waits, a thread's triple cut short, a tid past 32 bits */
	static const struct spec bad[] = {
	    {.count = -1, .wflags = 2 | F, .nw = 3, .w = {0, 0, 0}},
	    {.count = -1, .wflags = F, .nw = 3, .w = {1, 2, 0}},
	    {.count = -1, .wflags = F, .nw = 6, .w = {0, 0, 1, 0, 1, 2}},
	    {.count = -1, .wflags = F, .nw = 5, .w = {1, 1, 1, 0, 1}},
	    {.count = -1,
	     .wflags = F,
	     .nw = 6,
	     .w = {1, 1, 1, 1ull << 32, 1, 2}},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(quiet(&bad[i], BEFORE_END, m, "malformed"),
				CLAB_ENOENT);
}

/*
 * A trace whose digest names waiters: T1 and T2 share the name "w", T3
 * waited for T1 (a join, on its object), T1 on one of two mutexes named
 * "m", T2 on "x"; then forged threads, each claiming the object T1
 * waited on, as many as nforged.  meta: key and value pairs, NULL after
 * the last, written after the definitions (renames, in test_renamed).
 */
static void waiters_trace(struct bt *b, uint32_t nforged,
			  const char *const *meta)
{
	static const char *const tname[] = {"main", "w", "w", "solo"};
	static const char *const oname[] = {"m", "m", "x"};
	struct clab_wbuf p = {0};
	bt_begin(b, CLAB_FMT_MINOR);
	clab_wbuf_uv(&p, 4 + nforged);
	for (uint32_t t = 0; t < 4 + nforged; t++) {
		clab_wbuf_uv(&p, t);
		clab_wbuf_uv(&p, t < 4 ? t + 1 : 5);
		clab_wbuf_uv(&p, 0);
		clab_wbuf_str(&p, t < 4 ? tname[t] : "forged");
	}
	bt_chunk(b, CLAB_CH_THREADS, &p);
	p.len = 0;
	clab_wbuf_uv(&p, 7);
	for (uint32_t o = 1; o <= 7; o++) {
		clab_wbuf_uv(&p, o);
		clab_wbuf_u8(&p, o <= 4 ? CLAB_O_THREAD : CLAB_O_MUTEX);
		clab_wbuf_u8(&p, 0);
		clab_wbuf_uv(&p, 0);
		clab_wbuf_uv(&p, 0);
		clab_wbuf_uv(&p, 0);
		clab_wbuf_str(&p, o <= 4 ? tname[o - 1] : oname[o - 5]);
	}
	bt_chunk(b, CLAB_CH_OBJECTS, &p);
	size_t nmeta = 0;
	while (meta && meta[2 * nmeta])
		nmeta++;
	if (nmeta) {
		p.len = 0;
		clab_wbuf_uv(&p, nmeta);
		for (size_t i = 0; i < 2 * nmeta; i++)
			clab_wbuf_str(&p, meta[i]);
		bt_chunk(b, CLAB_CH_META, &p);
	}
	struct clab_wbuf raw = {0}, dg = {0};
	bt_rec_mutex(&raw, CLAB_K_MUTEX_ACQUIRE, 5, 0);
	bt_rec_mutex(&raw, CLAB_K_MUTEX_RELEASE, 5, 0);
	bt_events(b, 0, 2, 0, &raw, 0);
	/* tid, ns, obj of each waiter */
	struct spec sp = {.count = -1,
			  .wflags = CLAB_DIGEST_WAITS_FOLLOWED,
			  .nw = 12,
			  .w = {3, 3, 3, 1, 1000, 5, 3, 2000, 2, 2, 3000, 7}};
	payload(&dg, &sp);
	bt_chunk(b, CLAB_CH_DIGEST, &dg);
	bt_end(b);
	clab_wbuf_free(&p);
	clab_wbuf_free(&raw);
	clab_wbuf_free(&dg);
}

/* The trace b holds, in a file, loaded whole and meta-only. */
static void load_both(const struct bt *b, struct clab_trace **whole,
		      struct clab_trace **meta)
{
	char path[256], err[256];
	snprintf(path, sizeof(path), "%s/conclab-digest-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(write(fd, b->f.p, b->f.len) == (ssize_t)b->f.len);
	close(fd);
	CU_ASSERT_EQUAL_FATAL(clab_trace_load(path, whole, err, sizeof(err)),
			      0);
	CU_ASSERT_EQUAL_FATAL(
	    clab_trace_load_meta(path, meta, err, sizeof(err)), 0);
	unlink(path);
}

/*
 * A meta-only load keeps the threads and objects the digest names, and
 * those threads' objects, labelled as a whole load labels them (a name
 * another thread, or another object that is no thread, has too gets its
 * id); the others are counted, not kept.
 */
static void test_meta_keeps_waiters(void)
{
	struct bt b;
	struct clab_trace *whole, *meta;
	waiters_trace(&b, 0, NULL);
	load_both(&b, &whole, &meta);
	clab_wbuf_free(&b.f);
	CU_ASSERT_EQUAL(clab_trace_nthreads(meta), 4);
	CU_ASSERT_EQUAL(clab_trace_nobjects(meta), 7);
	for (uint32_t t = 1; t <= 3; t++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(clab_trace_thread(meta, t));
		CU_ASSERT_STRING_EQUAL(clab_trace_thread_label(meta, t),
				       clab_trace_thread_label(whole, t));
		CU_ASSERT_EQUAL(clab_trace_thread(meta, t)->oid, t + 1);
		CU_ASSERT_EQUAL(clab_trace_thread_of_obj(meta, t + 1), t);
	}
	CU_ASSERT_STRING_EQUAL(clab_trace_thread_label(meta, 1), "w (T1)");
	CU_ASSERT_STRING_EQUAL(clab_trace_thread_label(meta, 3), "solo");
	static const uint32_t kept[] = {2, 3, 4, 5, 7};
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		CU_ASSERT_PTR_NOT_NULL(clab_trace_object(meta, kept[i]));
		CU_ASSERT_STRING_EQUAL(clab_trace_object_label(meta, kept[i]),
				       clab_trace_object_label(whole, kept[i]));
	}
	CU_ASSERT_STRING_EQUAL(clab_trace_object_label(meta, 5), "m (#5)");
	CU_ASSERT_STRING_EQUAL(clab_trace_object_label(meta, 2), "w (T1)");
	CU_ASSERT_STRING_EQUAL(clab_trace_object_label(meta, 7), "x");
	/* main and the other "m" are not named: not kept */
	CU_ASSERT_PTR_NULL(clab_trace_thread(meta, 0));
	CU_ASSERT_STRING_EQUAL(clab_trace_thread_label(meta, 0), "?");
	CU_ASSERT_PTR_NULL(clab_trace_object(meta, 6));
	CU_ASSERT_PTR_NULL(clab_trace_object(meta, 1));
	CU_ASSERT_EQUAL(clab_trace_thread_of_obj(meta, 1), UINT32_MAX);
	CU_ASSERT_PTR_NULL(clab_trace_thread(meta, 4));
	clab_trace_free(whole);
	clab_trace_free(meta);

	/*
	 * 1000 forged threads claim the mutex T1 waited on: kept, all of
	 * them (the table of wanted objects grows for them), labelled as
	 * the whole load does.
	 */
	waiters_trace(&b, 1000, NULL);
	load_both(&b, &whole, &meta);
	clab_wbuf_free(&b.f);
	CU_ASSERT_EQUAL(clab_trace_nthreads(meta), 1004);
	CU_ASSERT_PTR_NOT_NULL(clab_trace_thread(meta, 1003));
	CU_ASSERT_STRING_EQUAL(clab_trace_thread_label(meta, 1003),
			       clab_trace_thread_label(whole, 1003));
	CU_ASSERT_STRING_EQUAL(clab_trace_thread_label(meta, 1003),
			       "forged (T1003)");
	CU_ASSERT_STRING_EQUAL(clab_trace_thread_label(meta, 1),
			       clab_trace_thread_label(whole, 1));
	clab_trace_free(whole);
	clab_trace_free(meta);
}

/*
 * Threads and objects renamed after they were made ("name.<object id>",
 * clab_thread_rename): the last name of each counts, in a whole load and
 * a meta-only one alike, names shared or no longer shared included; keys
 * that name no object, and empty names, change nothing.
 */
static void test_renamed(void)
{
	static const char *const meta[] = {
	    "name.2", "reader", /* T1 ... */
	    "name.4", "w",	/* T3 now shares T2's name */
	    "name.2", "writer", /* ... T1's last name */
	    "name.6", "lock",	/* the other "m": #5's name is its own */
	    "name.0", "zero",	"name.99", "far",     "name.x",
	    "x",      "name.",	"none",	   "name.03", "zero3",
	    "name.7", "",	"names.7", "no",      NULL};
	struct bt b;
	struct clab_trace *whole, *meta_tr;
	waiters_trace(&b, 0, meta);
	load_both(&b, &whole, &meta_tr);
	clab_wbuf_free(&b.f);
	static const char *const tlabel[] = {"writer", "w (T2)", "w (T3)"};
	for (uint32_t t = 1; t <= 3; t++) {
		CU_ASSERT_STRING_EQUAL(clab_trace_thread_label(whole, t),
				       tlabel[t - 1]);
		CU_ASSERT_STRING_EQUAL(clab_trace_thread_label(meta_tr, t),
				       tlabel[t - 1]);
	}
	CU_ASSERT_STRING_EQUAL(clab_trace_thread(whole, 1)->name, "writer");
	CU_ASSERT_STRING_EQUAL(clab_trace_object(whole, 2)->name, "writer");
	CU_ASSERT_STRING_EQUAL(clab_trace_object_label(whole, 2), "writer");
	CU_ASSERT_STRING_EQUAL(clab_trace_object_label(meta_tr, 2), "writer");
	CU_ASSERT_STRING_EQUAL(clab_trace_object(whole, 6)->name, "lock");
	for (uint32_t o = 5; o <= 7; o += 2) {
		CU_ASSERT_STRING_EQUAL(clab_trace_object_label(whole, o),
				       o == 5 ? "m" : "x");
		CU_ASSERT_STRING_EQUAL(clab_trace_object_label(meta_tr, o),
				       o == 5 ? "m" : "x");
	}
	CU_ASSERT_STRING_EQUAL(clab_trace_thread(whole, 0)->name, "main");
	clab_trace_free(whole);
	clab_trace_free(meta_tr);
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "a digest that proves nothing to report", test_quiet);
	CU_add_test(s, "a meta-only load keeps what the digest names",
		    test_meta_keeps_waiters);
	CU_add_test(s, "threads and objects renamed", test_renamed);
	CU_add_test(s, "each thing it shows is something", test_something);
	CU_add_test(s, "digests never trusted", test_untrusted);
	CU_add_test(s, "an edited digest", test_edited);
	CU_add_test(s, "the waits, and waits that try to slip past",
		    test_waits);
}

int main(void)
{
	return tu_main("tracer/digest", add_tests);
}
