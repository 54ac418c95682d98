/*
 * tracer: the trace file written by the writer and read back by the
 * reader — fields, ordering, damage handling, dump stability.
 */
#include <pthread.h>
#include <stdatomic.h>
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
#include <conclab/tracer.h>

#include "badtrace.h"
#include "format.h"
#include "testutil.h"
#include "tracer-int.h"

static char path[256];

/* The codec and level open_trace asks for (enum clab_trace_codec). */
static int open_codec, open_level = -1;

static void open_trace_mb(unsigned buffer_mb)
{
	snprintf(path, sizeof(path), "%s/conclab-trace-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	struct clab_meta_kv meta[] = {{"lab", "unit"}, {"seed", "42"}};
	struct clab_tracer_opts o = {.path = path,
				     .meta = meta,
				     .nmeta = 2,
				     .compress = open_level,
				     .codec = open_codec,
				     .buffer_mb = buffer_mb};
	CU_ASSERT_EQUAL_FATAL(clab_tracer_open(&o), 0);
}

static void open_trace(void)
{
	open_trace_mb(0);
}

/* Close the trace and return the file's bytes. */
static uint8_t *close_trace(size_t *len)
{
	struct clab_tracer_stats st;
	CU_ASSERT_EQUAL(clab_tracer_close(&st), 0);
	FILE *f = fopen(path, "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	uint8_t *data = malloc(1 << 24);
	*len = fread(data, 1, 1 << 24, f);
	fclose(f);
	unlink(path);
	return data;
}

static void put(struct clab__tbuf *tb, uint64_t tsc, unsigned kind,
		uint32_t obj, uint32_t oseq, unsigned a8, uint32_t a32)
{
	clab__emit_at(tb, tsc, kind, obj, oseq, NULL, a8, a32);
}

static void test_varints(void)
{
	static const uint64_t u[] = {0,		1,	    127,
				     128,	300,	    16383,
				     16384,	UINT32_MAX, (uint64_t)1 << 63,
				     UINT64_MAX};
	static const int64_t s[] = {0,	 1,  -1,	63,
				    -64, 64, INT64_MAX, INT64_MIN};
	struct clab_wbuf b = {0};
	for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++)
		clab_wbuf_uv(&b, u[i]);
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		clab_wbuf_sv(&b, s[i]);
	clab_wbuf_str(&b, "fork-\n3");
	struct clab_rbuf r = {b.p, b.p + b.len, 0};
	for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++)
		CU_ASSERT_EQUAL(clab_rbuf_uv(&r), u[i]);
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		CU_ASSERT_EQUAL(clab_rbuf_sv(&r), s[i]);
	char *str = clab_rbuf_str(&r);
	CU_ASSERT_STRING_EQUAL(str, "fork-?3"); /* control bytes masked */
	free(str);
	CU_ASSERT_EQUAL(r.err, 0);
	CU_ASSERT_PTR_EQUAL(r.p, r.end);
	/* Reading past the end is an error, never an overrun. */
	CU_ASSERT_EQUAL(clab_rbuf_uv(&r), 0);
	CU_ASSERT_EQUAL(r.err, 1);
	/* An 11-byte varint is malformed. */
	uint8_t bad[11];
	memset(bad, 0xff, sizeof(bad));
	struct clab_rbuf rb = {bad, bad + sizeof(bad), 0};
	clab_rbuf_uv(&rb);
	CU_ASSERT_EQUAL(rb.err, 1);
	clab_wbuf_free(&b);
}

/* Every field a record kind uses comes back as it was written. */
static void test_fields_roundtrip(void)
{
	open_trace();
	struct clab__tbuf *tb = clab__tbuf_claim_main();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tb);
	CU_ASSERT_PTR_NULL(clab__tbuf_claim_main()); /* only once */
	static const struct clab_site site = {"dir/file.c", "fn", NULL, 42};
	uint32_t m =
	    clab__obj_new(CLAB_O_MUTEX, "fork-1", &site, 0, 2 /* flags */, 0);
	uint32_t q = clab__obj_new(CLAB_O_QUEUE, "buf", &site, 0, 0, 8);
	CU_ASSERT(m > 0 && q > m);
	clab__emit(tb, CLAB_K_MUTEX_ACQUIRE, m, 1, &site, CLAB_HOW_TIMED, 3);
	clab__emit(tb, CLAB_K_QUEUE_PUT, q, 1, &site, 0, 123456789);
	clab__emit_val(tb, CLAB_K_NOTE, -77, CLAB__SITE_L("eat"), 9);
	clab__emit(tb, CLAB_K_DIAG, m, 0, &site, CLAB_D_RELOCK, 0);
	clab__tbuf_exit(tb);
	size_t len;
	uint8_t *data = close_trace(&len);
	struct clab_trace *tr;
	char err[256];
	CU_ASSERT_EQUAL_FATAL(
	    clab_trace_load_mem(data, len, "t", &tr, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NULL(clab_trace_damage(tr));
	CU_ASSERT(clab_trace_complete(tr));
	CU_ASSERT_EQUAL(clab_trace_drops(tr), 0);
	CU_ASSERT_STRING_EQUAL(clab_trace_meta(tr, "lab"), "unit");
	CU_ASSERT_STRING_EQUAL(clab_trace_meta(tr, "seed"), "42");
	CU_ASSERT_PTR_NOT_NULL(clab_trace_meta(tr, "conclab.version"));
	CU_ASSERT_EQUAL_FATAL(clab_trace_nrecords(tr), 4);
	CU_ASSERT_EQUAL(clab_trace_nthreads(tr), 1);
	CU_ASSERT_STRING_EQUAL(clab_trace_thread(tr, 0)->name, "main");

	const struct clab_object_info *mo = clab_trace_object(tr, m);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mo);
	CU_ASSERT_EQUAL(mo->kind, CLAB_O_MUTEX);
	CU_ASSERT_EQUAL(mo->flags, 2);
	CU_ASSERT_STRING_EQUAL(mo->name, "fork-1");
	CU_ASSERT_EQUAL(clab_trace_object(tr, q)->param, 8);
	const struct clab_site_info *si = clab_trace_site(tr, mo->site);
	CU_ASSERT_PTR_NOT_NULL_FATAL(si);
	CU_ASSERT_STRING_EQUAL(si->file, "dir/file.c");
	CU_ASSERT_STRING_EQUAL(si->func, "fn");
	CU_ASSERT_EQUAL(si->line, 42);
	CU_ASSERT_PTR_NULL(si->label);

	const struct clab_record *r = clab_trace_record(tr, 0);
	CU_ASSERT_EQUAL(r->kind, CLAB_K_MUTEX_ACQUIRE);
	CU_ASSERT_EQUAL(r->obj, m);
	CU_ASSERT_EQUAL(r->oseq, 1);
	CU_ASSERT_EQUAL(r->a8, CLAB_HOW_TIMED);
	CU_ASSERT_EQUAL(r->a32, 3);
	r = clab_trace_record(tr, 1);
	CU_ASSERT_EQUAL(r->a32, 123456789);
	r = clab_trace_record(tr, 2);
	CU_ASSERT_EQUAL(r->kind, CLAB_K_NOTE);
	CU_ASSERT_EQUAL(r->val, -77);
	CU_ASSERT_EQUAL(r->a32, 9);
	CU_ASSERT_STRING_EQUAL(clab_trace_site(tr, r->site)->label, "eat");
	r = clab_trace_record(tr, 3);
	CU_ASSERT_EQUAL(r->kind, CLAB_K_DIAG);
	CU_ASSERT_EQUAL(r->a8, CLAB_D_RELOCK);
	for (size_t i = 1; i < 4; i++)
		CU_ASSERT(clab_trace_record(tr, i)->ns >=
			  clab_trace_record(tr, i - 1)->ns);
	clab_trace_free(tr);
	free(data);
}

/*
 * The merge follows each object's sequence, not the clock: a release
 * stamped later than the acquire it enabled still comes first.
 */
static void test_merge_follows_object_order(void)
{
	open_trace();
	struct clab__tbuf *a = clab__tbuf_claim_main();
	struct clab__tbuf *b = clab__tbuf_new("b", 0);
	uint32_t m = clab__obj_new(CLAB_O_MUTEX, "m", NULL, 0, 0, 0);
	uint64_t t0 = clab__clock();
	/* a: acquire(1) release(2) at t0+10, t0+1000 (its clock runs late) */
	put(a, t0 + 10, CLAB_K_MUTEX_ACQUIRE, m, 1, 0, 1);
	put(a, t0 + 100000, CLAB_K_MUTEX_RELEASE, m, 2, 0, 0);
	/* b: acquire(3) stamped before a's release, release(4) */
	put(b, t0 + 20, CLAB_K_MUTEX_ACQUIRE, m, 3, 0, 1);
	put(b, t0 + 30, CLAB_K_MUTEX_RELEASE, m, 4, 0, 0);
	/* b also has a record about nothing, stamped first of all */
	put(b, t0 + 40, CLAB_K_SLEEP_BEGIN, 0, 0, 0, 5);
	clab__tbuf_exit(a);
	clab__tbuf_exit(b);
	size_t len;
	uint8_t *data = close_trace(&len);
	struct clab_trace *tr;
	char err[256];
	CU_ASSERT_EQUAL_FATAL(
	    clab_trace_load_mem(data, len, "t", &tr, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(clab_trace_nrecords(tr), 5);
	uint32_t oseq[4], n = 0;
	for (size_t i = 0; i < 5; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		CU_ASSERT_EQUAL(r->seq, i);
		if (r->obj == m)
			oseq[n++] = r->oseq;
	}
	CU_ASSERT_EQUAL_FATAL(n, 4);
	for (uint32_t i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(oseq[i], i + 1);
	CU_ASSERT_EQUAL(clab_trace_gaps(tr), 0);
	clab_trace_free(tr);
	free(data);
}

/* Many records from several threads: counts, per-thread order. */
static void test_many_records(void)
{
	open_trace();
	enum { T = 3, N = 30000 };
	struct clab__tbuf *tb[T];
	uint32_t m = clab__obj_new(CLAB_O_MUTEX, "m", NULL, 0, 0, 0);
	tb[0] = clab__tbuf_claim_main();
	for (int t = 1; t < T; t++)
		tb[t] = clab__tbuf_new(NULL, 0);
	uint32_t seq = 0;
	for (int i = 0; i < N; i++)
		for (int t = 0; t < T; t++)
			clab__emit(tb[t], CLAB_K_MUTEX_ACQUIRE, m, ++seq, NULL,
				   0, (uint32_t)i);
	for (int t = 0; t < T; t++)
		clab__tbuf_exit(tb[t]);
	size_t len;
	uint8_t *data = close_trace(&len);
	struct clab_trace *tr;
	char err[256];
	CU_ASSERT_EQUAL_FATAL(
	    clab_trace_load_mem(data, len, "t", &tr, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(clab_trace_nrecords(tr), (size_t)T * N);
	uint32_t next[T] = {0};
	int ok = 1;
	for (size_t i = 0; i < clab_trace_nrecords(tr); i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		ok &= r->oseq == i + 1;
		ok &= r->a32 == next[r->tid]++;
	}
	CU_ASSERT(ok);
	/* Compact: under the 8 bytes a record the format promises. */
	CU_ASSERT(len < (size_t)T * N * 8);
	clab_trace_free(tr);
	free(data);
}

/* Burn CPU at normal priority until told to stop. */
static _Atomic int spin_stop;
static void *spinner(void *arg)
{
	(void)arg;
	volatile unsigned long x = 0;
	while (!atomic_load_explicit(&spin_stop, memory_order_relaxed))
		x++;
	return NULL;
}

/*
 * A 1 MB buffer, and every CPU kept busy by other threads: the writer
 * (idle priority) gets little time, so the recording thread runs out of
 * room and writes passes itself.  Nothing is lost, nothing hangs.
 */
static void test_out_of_room(void)
{
	enum { N = 400000, SPIN = 2 };
	snprintf(path, sizeof(path), "%s/conclab-trace-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	struct clab_tracer_opts o = {.path = path, .buffer_mb = 1};
	CU_ASSERT_EQUAL_FATAL(clab_tracer_open(&o), 0);
	pthread_t sp[SPIN];
	atomic_store(&spin_stop, 0);
	for (int i = 0; i < SPIN; i++)
		CU_ASSERT_EQUAL_FATAL(
		    pthread_create(&sp[i], NULL, spinner, NULL), 0);
	struct clab__tbuf *tb = clab__tbuf_claim_main();
	uint32_t m = clab__obj_new(CLAB_O_MUTEX, "m", NULL, 0, 0, 0);
	for (uint32_t i = 0; i < N; i++)
		clab__emit(tb, CLAB_K_MUTEX_ACQUIRE, m, i + 1, NULL, 0, i);
	clab__tbuf_exit(tb);
	atomic_store(&spin_stop, 1);
	for (int i = 0; i < SPIN; i++)
		pthread_join(sp[i], NULL);
	struct clab_tracer_stats st;
	CU_ASSERT_EQUAL(clab_tracer_close(&st), 0);
	CU_ASSERT_EQUAL(st.records, N);
	CU_ASSERT_EQUAL(st.drops, 0);
	CU_ASSERT(st.stalls > 0); /* it did run out of room */
	struct clab_trace *tr;
	char err[256];
	CU_ASSERT_EQUAL_FATAL(clab_trace_load(path, &tr, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(clab_trace_nrecords(tr), N);
	int ok = 1;
	for (size_t i = 0; i < clab_trace_nrecords(tr); i++)
		ok &= clab_trace_record(tr, i)->a32 == i;
	CU_ASSERT(ok);
	clab_trace_free(tr);
	unlink(path);
}

static uint8_t *small_trace(size_t *len)
{
	open_trace();
	struct clab__tbuf *tb = clab__tbuf_claim_main();
	struct clab__tbuf *tb2 = clab__tbuf_new("other", 0);
	uint32_t m = clab__obj_new(CLAB_O_MUTEX, "m", CLAB_SITE(), 0, 0, 0);
	for (uint32_t i = 0; i < 50; i++) {
		struct clab__tbuf *t = i % 2 ? tb2 : tb;
		clab__emit(t, CLAB_K_MUTEX_ACQUIRE, m, 2 * i + 1, CLAB_SITE(),
			   0, 1);
		clab__emit(t, CLAB_K_MUTEX_RELEASE, m, 2 * i + 2, CLAB_SITE(),
			   0, 0);
		if (i % 10 == 9)
			clab_tracer_flush(); /* several chunks */
	}
	clab__tbuf_exit(tb);
	clab__tbuf_exit(tb2);
	return close_trace(len);
}

/* Cut anywhere: an error or a damaged trace, never a crash. */
static void test_truncation_everywhere(void)
{
	size_t len;
	uint8_t *data = small_trace(&len);
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
	uint8_t *data = small_trace(&len);
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
	uint8_t *data = small_trace(&len);
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
	data[10] = 7; /* a newer minor version is read, but not this one */
	CU_ASSERT_EQUAL(
	    clab_trace_load_mem(data, len, "t", &tr, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(clab_trace_version_minor(tr), 7);
	CU_ASSERT_PTR_NOT_NULL(clab_trace_damage(tr)); /* header changed */
	clab_trace_free(tr);
	/* a file a 1.7 writer wrote, with a chunk type 1.3 does not know */
	struct bt b;
	bt_begin(&b, 7);
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
	CU_ASSERT_EQUAL(clab_trace_version_minor(tr), 7);
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

static char *dump_text(const struct clab_trace *tr)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	CU_ASSERT_EQUAL(clab_trace_dump(tr, f), 0);
	fclose(f);
	return buf;
}

static void test_dump_stable(void)
{
	size_t len;
	uint8_t *data = small_trace(&len);
	char err[256];
	struct clab_trace *a, *b;
	CU_ASSERT_EQUAL_FATAL(
	    clab_trace_load_mem(data, len, "t", &a, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(
	    clab_trace_load_mem(data, len, "t", &b, err, sizeof(err)), 0);
	char *da = dump_text(a), *db = dump_text(b);
	CU_ASSERT_STRING_EQUAL(da, db);
	CU_ASSERT_PTR_NOT_NULL(strstr(da, "# records 100, dropped 0\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(da, " mutex.acquire "));
	CU_ASSERT_PTR_NOT_NULL(strstr(da, "test-trace.c:"));
	free(da);
	free(db);
	clab_trace_free(a);
	clab_trace_free(b);
	free(data);
}

static void test_open_errors(void)
{
	struct clab_tracer_opts o = {.path = "/nonexistent/dir/t.clt"};
	CU_ASSERT(clab_tracer_open(&o) < 0);
	CU_ASSERT_FALSE(clab_tracer_active());
	CU_ASSERT_EQUAL(clab_tracer_open(NULL), CLAB_EINVAL);
	open_trace();
	struct clab_tracer_opts o2 = {.path = "/tmp/x.clt"};
	CU_ASSERT_EQUAL(clab_tracer_open(&o2), CLAB_EBUSY);
	size_t len;
	free(close_trace(&len));
	CU_ASSERT_EQUAL(clab_tracer_close(NULL), CLAB_EINVAL);
}

/* Removing a whole chunk keeps every chunk's CRC: the checksum sees it. */
/* Load the file at path as it is now, the trace still open. */
static struct clab_trace *load_now(void)
{
	struct clab_trace *tr = NULL;
	char err[256];
	CU_ASSERT_EQUAL(clab_trace_load(path, &tr, err, sizeof(err)), 0);
	return tr;
}

/*
 * What a fatal signal's handler does (crash.c): the writer's thread writes
 * every published record, of live threads too, and the end chunk, while
 * the trace stays open; close then gives the counts, and a new trace can
 * be opened.
 */
static void test_rescue_saves(void)
{
	enum { N = 5000 };
	open_trace();
	uint32_t m = clab__obj_new(CLAB_O_MUTEX, "m", NULL, 0, 0, 0);
	struct clab__tbuf *tb[2] = {clab__tbuf_claim_main(),
				    clab__tbuf_new("live", 0)};
	uint32_t seq = 0;
	for (int i = 0; i < N; i++)
		for (int t = 0; t < 2; t++)
			clab__emit(tb[t], CLAB_K_MUTEX_ACQUIRE, m, ++seq, NULL,
				   0, (uint32_t)i);
	CU_ASSERT_EQUAL(clab__writer_save(2000), 0);
	CU_ASSERT(clab_tracer_active()); /* saved, not closed */
	struct clab_trace *tr = load_now();
	if (tr) {
		CU_ASSERT_PTR_NULL(clab_trace_damage(tr));
		CU_ASSERT_EQUAL(clab_trace_nrecords(tr), 2 * N);
		clab_trace_free(tr);
	}
	/* a second save finds the file finished */
	CU_ASSERT_EQUAL(clab__writer_save(2000), 0);
	/* nothing opens over a saved trace until it is closed */
	struct clab_tracer_opts o = {.path = path};
	CU_ASSERT_EQUAL(clab_tracer_open(&o), CLAB_EBUSY);
	struct clab_tracer_stats st;
	CU_ASSERT_EQUAL(clab_tracer_close(&st), 0);
	CU_ASSERT_EQUAL(st.records, 2 * N);
	CU_ASSERT_EQUAL(clab_tracer_close(NULL), CLAB_EINVAL);
	open_trace();
	size_t len;
	free(close_trace(&len));
	CU_ASSERT(len > 0);
}

/*
 * A writer that cannot go on (a lock the crash left held; here the
 * registry's, held by this thread) makes no progress: the save gives up
 * after stall_ms instead of hanging the dying program, and finishes once
 * the lock is free.
 */
static void test_rescue_gives_up(void)
{
	open_trace();
	struct clab__tbuf *tb = clab__tbuf_claim_main();
	for (uint32_t i = 1; i <= 100; i++)
		clab__emit(tb, CLAB_K_NOTE, 0, 0, NULL, 0, i);
	pthread_mutex_lock(&clab__reg.lk);
	uint64_t t0 = clab__clock_slow();
	int rc = clab__writer_save(100);
	uint64_t ms = (clab__clock_slow() - t0) / 1000000u;
	pthread_mutex_unlock(&clab__reg.lk);
	CU_ASSERT_EQUAL(rc, CLAB_ETIMEDOUT);
	CU_ASSERT(ms >= 100 && ms < 2000);
	CU_ASSERT_EQUAL(clab__writer_save(2000), 0);
	struct clab_tracer_stats st;
	CU_ASSERT_EQUAL(clab_tracer_close(&st), 0);
	CU_ASSERT_EQUAL(st.records, 100);
	unlink(path);
}

static void test_checksum(void)
{
	size_t len;
	uint8_t *data = small_trace(&len);
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
 * Chunks that each name more objects than the reader once kept at hand
 * (64): it looked back through the chunk for each of the others, which
 * took 13 s for this 3 MB file.  A bound of seconds, so that a loaded
 * machine does not fail it.
 */
static void test_wide_chunks_linear(void)
{
	const uint32_t nm = 1u << 16;
	struct bt b;
	bt_wide(&b, 2, nm);
	CU_ASSERT_FATAL(!b.f.oom);
	struct clab_trace *tr;
	char err[256];
	double t0 = now_s();
	CU_ASSERT_EQUAL_FATAL(
	    clab_trace_load_mem(b.f.p, b.f.len, "wide", &tr, err, sizeof(err)),
	    0);
	double dt = now_s() - t0;
	printf("(%zu bytes read in %.3f s) ", b.f.len, dt);
	CU_ASSERT(dt < 3.0);
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
	clab_wbuf_free(&b.f);
}

/*
 * Many threads waiting for numbers that never come: the merge once looked
 * at every waiting thread for each record, and at every thread for each
 * record it let through by time alone (5 s for this file).
 */
static void test_parked_linear(void)
{
	const uint32_t nt = 2000, rounds = 1u << 17, waits = 100;
	struct bt b;
	bt_parked(&b, nt, rounds, waits);
	CU_ASSERT_FATAL(!b.f.oom);
	struct clab_trace *tr;
	char err[256];
	double t0 = now_s();
	CU_ASSERT_EQUAL_FATAL(clab_trace_load_mem(b.f.p, b.f.len, "parked", &tr,
						  err, sizeof(err)),
			      0);
	double dt = now_s() - t0;
	printf("(%zu bytes read in %.3f s) ", b.f.len, dt);
	CU_ASSERT(dt < 3.0);
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

/* The writer never writes a chunk the reader's limit refuses. */
static void test_writer_keeps_limit(void)
{
	open_trace();
	struct clab__tbuf *tb = clab__tbuf_claim_main();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tb);
	uint32_t m = clab__obj_new(CLAB_O_MUTEX, "m", NULL, 0, 0, 0);
	uint64_t t0 = clab__clock();
	/* records that differ in nothing but their numbers compress well */
	for (uint32_t i = 0; i < 20000; i++)
		put(tb, t0, i % 2 ? CLAB_K_MUTEX_RELEASE : CLAB_K_MUTEX_ACQUIRE,
		    m, i + 1, 0, i % 2 ? 0 : 1);
	clab__tbuf_exit(tb);
	size_t len;
	uint8_t *data = close_trace(&len);
	struct clab_trace *tr;
	char err[256];
	CU_ASSERT_EQUAL_FATAL(
	    clab_trace_load_mem(data, len, "t", &tr, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NULL(clab_trace_damage(tr));
	CU_ASSERT_EQUAL(clab_trace_nrecords(tr), 20000);
	clab_trace_free(tr);
	free(data);
}

static long minflt(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/*
 * A thread that records far more than its buffer holds reuses the blocks
 * the writer gives back: once the buffer has grown, recording faults in
 * no new page, and the blocks out and free never exceed the cap.
 */
static void test_blocks_reused(void)
{
	enum { N = 1500000 };
	open_trace_mb(1); /* 32 blocks of 1023 records */
	struct clab__tbuf *tb = clab__tbuf_claim_main();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tb);
	uint32_t m = clab__obj_new(CLAB_O_MUTEX, "m", NULL, 0, 0, 0);
	long f0 = 0, f1;
	size_t most = 0, over = 0;
	for (uint32_t i = 0; i < N; i++) {
		clab__emit(tb, CLAB_K_MUTEX_ACQUIRE, m, i + 1, NULL, 0, i);
		if (i == N / 3) /* the buffer has grown: count from here */
			f0 = minflt();
		if (i % 1023 == 0) {
			pthread_mutex_lock(&clab__reg.lk);
			size_t held = atomic_load(&clab__reg.blocks_out) +
				      clab__reg.nfree;
			over = clab__reg.over_cap;
			pthread_mutex_unlock(&clab__reg.lk);
			most = held > most ? held : most;
		}
	}
	f1 = minflt();
	clab__tbuf_exit(tb);
	struct clab_tracer_stats st;
	CU_ASSERT_EQUAL(clab_tracer_close(&st), 0);
	unlink(path);
	CU_ASSERT_EQUAL(st.records, N);
	CU_ASSERT_EQUAL(st.drops, 0);
	/* a million records in fresh blocks would fault about 7800 pages */
	printf("(%ld page faults for %d records, at most %zu blocks, %zu over "
	       "the cap) ",
	       f1 - f0, 2 * N / 3, most, over);
	CU_ASSERT(f1 - f0 < 200);
	/* over the cap only when the writer made no room for 200 ms */
	CU_ASSERT(most <= 32 + over);
	CU_ASSERT(most >= 4);
}

/* The codec byte of the first record chunk of a file, or -1. */
static int first_codec(const uint8_t *p, size_t len)
{
	for (size_t off = CLAB_FMT_HDR_LEN; off + CLAB_CHUNK_HDR_LEN <= len;
	     off += CLAB_CHUNK_HDR_LEN + clab_rbuf_u32le(p + off + 4)) {
		if (clab_rbuf_u32le(p + off) != CLAB_CH_EVENTS)
			continue;
		struct clab_rbuf b = {p + off + CLAB_CHUNK_HDR_LEN, p + len, 0};
		clab_rbuf_uv(&b);
		clab_rbuf_uv(&b);
		clab_rbuf_uv(&b);
		return (int)clab_rbuf_u8(&b);
	}
	return -1;
}

/*
 * Every codec writes the same records: zstd by default (format 1.5), zlib
 * as a 1.3 writer did, none; a level of 0 is none whatever the codec.
 */
static void test_codecs(void)
{
	static const struct {
		int codec, level, chunk, minor;
	} c[] = {
	    {CLAB_TRACE_ZSTD, -1, CLAB_CODEC_ZSTD, CLAB_FMT_MINOR_ZSTD},
	    {CLAB_TRACE_ZSTD, 9, CLAB_CODEC_ZSTD, CLAB_FMT_MINOR_ZSTD},
	    {CLAB_TRACE_ZLIB, -1, CLAB_CODEC_ZLIB, CLAB_FMT_MINOR},
	    {CLAB_TRACE_NONE, -1, CLAB_CODEC_RAW, CLAB_FMT_MINOR},
	    {CLAB_TRACE_ZLIB, 0, CLAB_CODEC_RAW, CLAB_FMT_MINOR},
	};
	char *dumps[5] = {0};
	for (size_t i = 0; i < 5; i++) {
		open_codec = c[i].codec;
		open_level = c[i].level;
		size_t len;
		uint8_t *data = small_trace(&len);
		CU_ASSERT_EQUAL(clab_rbuf_u16le(data + 10), c[i].minor);
		CU_ASSERT_EQUAL(first_codec(data, len), c[i].chunk);
		struct clab_trace *tr;
		char err[256];
		CU_ASSERT_EQUAL_FATAL(
		    clab_trace_load_mem(data, len, "t", &tr, err, sizeof(err)),
		    0);
		CU_ASSERT_PTR_NULL(clab_trace_damage(tr));
		CU_ASSERT_EQUAL(clab_trace_checksum_ok(tr), 1);
		CU_ASSERT_EQUAL(clab_trace_nrecords(tr), 100);
		size_t dlen;
		FILE *f = open_memstream(&dumps[i], &dlen);
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		/*
		 * the records only (the header line names the version), each
		 * thread's in its order: how the two threads' records merge
		 * depends on their times, which differ from run to run
		 */
		for (uint32_t t = 0; t < 2; t++)
			for (size_t k = 0; k < clab_trace_nrecords(tr); k++) {
				const struct clab_record *r =
				    clab_trace_record(tr, k);
				if (r->tid == t)
					fprintf(f, "%u %u %u %u %u\n", r->kind,
						r->tid, r->obj, r->oseq,
						r->site);
			}
		fclose(f);
		if (i)
			CU_ASSERT_STRING_EQUAL(dumps[i], dumps[0]);
		clab_trace_free(tr);
		free(data);
	}
	for (size_t i = 0; i < 5; i++)
		free(dumps[i]);
	open_codec = CLAB_TRACE_ZSTD;
	open_level = -1;
	/* a codec that does not exist */
	struct clab_tracer_opts o = {.path = "/nonexistent/t.clt", .codec = 3};
	CU_ASSERT_EQUAL(clab_tracer_open(&o), CLAB_EINVAL);
	o.codec = -1;
	CU_ASSERT_EQUAL(clab_tracer_open(&o), CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_tracer_active(), 0);
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

/* Since 1.3 every byte of the header is under the content checksum. */
static void test_header_checksum(void)
{
	size_t len;
	uint8_t *data = small_trace(&len);
	CU_ASSERT_EQUAL(clab_rbuf_u16le(data + 10), CLAB_FMT_MINOR_ZSTD);
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
		char *d = dump_text(tr);
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
 * Labels name by name, with the id only for a name shared by two threads
 * (or two objects that are not threads); a thread's object is labelled as
 * the thread, and a name a thread shares with a mutex is not shared.
 */
static void test_labels(void)
{
	open_trace();
	struct clab__tbuf *tb[5];
	tb[0] = clab__tbuf_claim_main();
	tb[1] = clab__tbuf_new("worker", 0);
	tb[2] = clab__tbuf_new("worker", 0);
	tb[3] = clab__tbuf_new("solo", 0);
	tb[4] = clab__tbuf_new("", 0);
	for (int i = 0; i < 5; i++)
		CU_ASSERT_PTR_NOT_NULL_FATAL(tb[i]);
	uint32_t l1 = clab__obj_new(CLAB_O_MUTEX, "lock", CLAB_SITE(), 0, 0, 0);
	uint32_t l2 = clab__obj_new(CLAB_O_SEM, "lock", CLAB_SITE(), 0, 0, 1);
	uint32_t w =
	    clab__obj_new(CLAB_O_MUTEX, "worker", CLAB_SITE(), 0, 0, 0);
	uint32_t anon = clab__obj_new(CLAB_O_COND, "", CLAB_SITE(), 0, 0, 0);
	uint32_t lk =
	    clab__obj_new(CLAB_O_MUTEX, "locks", CLAB_SITE(), 0, 0, 0);
	uint32_t solo =
	    clab__obj_new(CLAB_O_MUTEX, "solo", CLAB_SITE(), 0, 0, 0);
	for (int i = 0; i < 5; i++)
		clab__tbuf_exit(tb[i]);
	size_t len;
	uint8_t *data = close_trace(&len);
	struct clab_trace *tr;
	char err[256];
	CU_ASSERT_EQUAL_FATAL(
	    clab_trace_load_mem(data, len, "t", &tr, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(clab_trace_nthreads(tr), 5);
	CU_ASSERT_STRING_EQUAL(clab_trace_thread_label(tr, 0), "main");
	CU_ASSERT_STRING_EQUAL(clab_trace_thread_label(tr, 1), "worker (T1)");
	CU_ASSERT_STRING_EQUAL(clab_trace_thread_label(tr, 2), "worker (T2)");
	CU_ASSERT_STRING_EQUAL(clab_trace_thread_label(tr, 3), "solo");
	CU_ASSERT_STRING_EQUAL(clab_trace_thread_label(tr, 4), "T4");
	CU_ASSERT_STRING_EQUAL(clab_trace_thread_label(tr, 5), "?");
	CU_ASSERT_STRING_EQUAL(clab_trace_thread(tr, 1)->label, "worker (T1)");
	/* the name itself, not a copy, when it says enough */
	CU_ASSERT_PTR_EQUAL(clab_trace_thread(tr, 3)->label,
			    clab_trace_thread(tr, 3)->name);

	char want[32];
	snprintf(want, sizeof(want), "lock (#%u)", (unsigned)l1);
	CU_ASSERT_STRING_EQUAL(clab_trace_object_label(tr, l1), want);
	snprintf(want, sizeof(want), "lock (#%u)", (unsigned)l2);
	CU_ASSERT_STRING_EQUAL(clab_trace_object_label(tr, l2), want);
	CU_ASSERT_STRING_EQUAL(clab_trace_object_label(tr, w), "worker");
	CU_ASSERT_STRING_EQUAL(clab_trace_object_label(tr, lk), "locks");
	CU_ASSERT_STRING_EQUAL(clab_trace_object_label(tr, solo), "solo");
	snprintf(want, sizeof(want), "#%u", (unsigned)anon);
	CU_ASSERT_STRING_EQUAL(clab_trace_object_label(tr, anon), want);
	CU_ASSERT_STRING_EQUAL(
	    clab_trace_object_label(tr, clab_trace_thread(tr, 2)->oid),
	    "worker (T2)");
	CU_ASSERT_STRING_EQUAL(
	    clab_trace_object_label(tr, clab_trace_thread(tr, 3)->oid), "solo");
	CU_ASSERT_STRING_EQUAL(clab_trace_object_label(tr, 0), "?");
	CU_ASSERT_STRING_EQUAL(
	    clab_trace_object_label(tr, clab_trace_nobjects(tr) + 1), "?");
	/* the dump keeps its own names */
	char buf[32];
	snprintf(want, sizeof(want), "lock#%u", (unsigned)l1);
	CU_ASSERT_STRING_EQUAL(clab_trace_objname(tr, l1, buf, sizeof(buf)),
			       want);
	clab_trace_free(tr);
	free(data);
}

/* Metadata added at the end, with a value longer than a name may be. */
static void test_meta_added(void)
{
	open_trace();
	size_t big = 200000;
	char *v = malloc(big + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	for (size_t i = 0; i < big; i++)
		v[i] = (char)('A' + i % 26);
	v[big] = 0;
	CU_ASSERT_EQUAL(clab_tracer_meta_add("sched.schedule", v), 0);
	CU_ASSERT_EQUAL(clab_tracer_meta_add(NULL, v), CLAB_EINVAL);
	size_t len;
	uint8_t *data = close_trace(&len);
	CU_ASSERT_EQUAL(clab_tracer_meta_add("late", "1"), CLAB_EINVAL);
	struct clab_trace *tr;
	char err[256];
	CU_ASSERT_EQUAL_FATAL(
	    clab_trace_load_mem(data, len, "t", &tr, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NULL(clab_trace_damage(tr));
	CU_ASSERT_STRING_EQUAL(clab_trace_meta(tr, "lab"), "unit");
	const char *got = clab_trace_meta(tr, "sched.schedule");
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_STRING_EQUAL(got, v);
	clab_trace_free(tr);
	free(data);
	free(v);
}

static void *closer(void *arg)
{
	size_t *len = arg;
	return close_trace(len);
}

/* Close the trace from another thread, as Ctrl-C or the watchdog do. */
static uint8_t *close_elsewhere(size_t *len)
{
	pthread_t t;
	void *data = NULL;
	CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, closer, len), 0);
	pthread_join(t, &data);
	return data;
}

/* The offset of the last chunk (the end chunk of a closed trace). */
static size_t last_chunk(const uint8_t *data, size_t len)
{
	size_t off = CLAB_FMT_HDR_LEN, last = off;
	while (off + CLAB_CHUNK_HDR_LEN <= len) {
		last = off;
		off += CLAB_CHUNK_HDR_LEN + clab_rbuf_u32le(data + off + 4);
	}
	return last;
}

/*
 * How a run ended: every thread ended (complete); a thread still running
 * when the trace was closed (stopped, and how many); no end chunk (never
 * closed, yet whole); cut inside a chunk (not whole).
 */
static void test_run_end(void)
{
	size_t len;
	char err[256];
	struct clab_trace *tr;
	uint32_t n = 99;
	uint8_t *data = small_trace(&len);
	CU_ASSERT_EQUAL_FATAL(
	    clab_trace_load_mem(data, len, "t", &tr, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(clab_trace_end(tr, &n), CLAB_END_COMPLETE);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_PTR_NULL(clab_trace_incomplete(tr));
	CU_ASSERT_PTR_NULL(clab_trace_meta(tr, CLAB_META_RUNNING));
	CU_ASSERT(clab_trace_whole(tr));
	clab_trace_free(tr);
	free(data);

	/* thread 0 ends the run with a worker left: complete all the same */
	open_trace();
	struct clab__tbuf *left = clab__tbuf_new("left", 0);
	clab__emit(left, CLAB_K_NOTE, 0, 0, CLAB_SITE(), 0, 0);
	data = close_trace(&len);
	CU_ASSERT_EQUAL_FATAL(
	    clab_trace_load_mem(data, len, "t", &tr, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(clab_trace_end(tr, NULL), CLAB_END_COMPLETE);
	CU_ASSERT_PTR_NULL(clab_trace_incomplete(tr));
	clab_trace_free(tr);
	free(data);

	/* another thread stops the run: thread 0 and the worker ran */
	open_trace();
	struct clab__tbuf *tb = clab__tbuf_claim_main();
	struct clab__tbuf *w = clab__tbuf_new("worker", 0);
	struct clab__tbuf *done = clab__tbuf_new("done", 0);
	uint32_t m = clab__obj_new(CLAB_O_MUTEX, "m", CLAB_SITE(), 0, 0, 0);
	clab__emit(tb, CLAB_K_MUTEX_ACQUIRE, m, 1, CLAB_SITE(), 0, 1);
	clab__emit(tb, CLAB_K_MUTEX_RELEASE, m, 2, CLAB_SITE(), 0, 0);
	clab__emit(w, CLAB_K_MUTEX_ACQUIRE, m, 3, CLAB_SITE(), 0, 1);
	clab__emit(done, CLAB_K_NOTE, 0, 0, CLAB_SITE(), 0, 0);
	clab__tbuf_exit(done);
	data = close_elsewhere(&len);
	CU_ASSERT_EQUAL_FATAL(
	    clab_trace_load_mem(data, len, "t", &tr, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NULL(clab_trace_damage(tr));
	CU_ASSERT_EQUAL(clab_trace_end(tr, &n), CLAB_END_STOPPED);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_STRING_EQUAL(clab_trace_meta(tr, CLAB_META_RUNNING), "0 1");
	CU_ASSERT_PTR_NULL(clab_trace_meta(tr, CLAB_META_CRASH));
	CU_ASSERT_STRING_EQUAL(clab_trace_incomplete(tr),
			       "stopped while 2 threads ran");
	size_t nrec = clab_trace_nrecords(tr);
	CU_ASSERT_EQUAL(nrec, 4);
	clab_trace_free(tr);

	/* the same file without its end chunk: never closed, every record */
	size_t end = last_chunk(data, len);
	CU_ASSERT_EQUAL(clab_rbuf_u32le(data + end), CLAB_CH_END);
	CU_ASSERT_EQUAL_FATAL(
	    clab_trace_load_mem(data, end, "t", &tr, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(clab_trace_damage(tr));
	CU_ASSERT(clab_trace_whole(tr));
	CU_ASSERT_EQUAL(clab_trace_end(tr, NULL), CLAB_END_UNCLOSED);
	CU_ASSERT_STRING_EQUAL(clab_trace_incomplete(tr),
			       "the writer never closed the trace");
	CU_ASSERT_EQUAL(clab_trace_nrecords(tr), nrec);
	clab_trace_free(tr);

	/* cut inside a chunk, or a byte changed: not whole, whatever else */
	CU_ASSERT_EQUAL_FATAL(
	    clab_trace_load_mem(data, end - 1, "t", &tr, err, sizeof(err)), 0);
	CU_ASSERT(!clab_trace_whole(tr));
	CU_ASSERT_EQUAL(clab_trace_end(tr, NULL), CLAB_END_UNCLOSED);
	clab_trace_free(tr);
	data[end - 1] ^= 1;
	CU_ASSERT_EQUAL_FATAL(
	    clab_trace_load_mem(data, len, "t", &tr, err, sizeof(err)), 0);
	CU_ASSERT(!clab_trace_whole(tr));
	clab_trace_free(tr);
	free(data);
}

/*
 * A record whose predecessor on its object is not in the file: a run that
 * ended lets it through by time (a gap); one that did not end (the record
 * before it was being written at the close) stops at the consistent cut.
 */
static void test_consistent_cut(void)
{
	for (int stopped = 0; stopped < 2; stopped++) {
		open_trace();
		struct clab__tbuf *tb = clab__tbuf_claim_main();
		struct clab__tbuf *w = clab__tbuf_new("w", 0);
		uint32_t m =
		    clab__obj_new(CLAB_O_MUTEX, "m", CLAB_SITE(), 0, 0, 0);
		clab__emit(tb, CLAB_K_NOTE, 0, 0, CLAB_SITE(), 0, 0);
		/* oseq 1 on m never comes: w's acquire waits for it */
		clab__emit(w, CLAB_K_MUTEX_ACQUIRE, m, 2, CLAB_SITE(), 0, 1);
		clab__emit(w, CLAB_K_MUTEX_RELEASE, m, 3, CLAB_SITE(), 0, 0);
		size_t len;
		uint8_t *data =
		    stopped ? close_elsewhere(&len) : close_trace(&len);
		char err[256];
		struct clab_trace *tr;
		CU_ASSERT_EQUAL_FATAL(
		    clab_trace_load_mem(data, len, "t", &tr, err, sizeof(err)),
		    0);
		CU_ASSERT_EQUAL(clab_trace_end(tr, NULL),
				stopped ? CLAB_END_STOPPED : CLAB_END_COMPLETE);
		CU_ASSERT_EQUAL(clab_trace_nrecords(tr), stopped ? 1 : 3);
		CU_ASSERT_EQUAL(clab_trace_cut(tr), stopped ? 2 : 0);
		CU_ASSERT_EQUAL(clab_trace_gaps(tr), stopped ? 0 : 1);
		clab_trace_free(tr);
		free(data);
	}
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "varints and strings", test_varints);
	CU_add_test(s, "fields round trip", test_fields_roundtrip);
	CU_add_test(s, "merge follows object order",
		    test_merge_follows_object_order);
	CU_add_test(s, "many records", test_many_records);
	CU_add_test(s, "out of room, CPUs busy", test_out_of_room);
	CU_add_test(s, "truncation everywhere", test_truncation_everywhere);
	CU_add_test(s, "corruption everywhere", test_corruption_everywhere);
	CU_add_test(s, "version refused", test_version_refused);
	CU_add_test(s, "dump is stable", test_dump_stable);
	CU_add_test(s, "open errors", test_open_errors);
	CU_add_test(s, "content checksum", test_checksum);
	CU_add_test(s, "wide chunks read in linear time",
		    test_wide_chunks_linear);
	CU_add_test(s, "many parked threads merged in linear time",
		    test_parked_linear);
	CU_add_test(s, "forged record counts", test_forged_count);
	CU_add_test(s, "writer keeps the records-per-byte limit",
		    test_writer_keeps_limit);
	CU_add_test(s, "header under the checksum", test_header_checksum);
	CU_add_test(s, "every codec writes the same records", test_codecs);
	CU_add_test(s, "a damaged zstd frame", test_zstd_damage);
	CU_add_test(s, "blocks are reused, within the cap", test_blocks_reused);
	CU_add_test(s, "record naming an unknown object", test_unknown_object);
	CU_add_test(s, "labels", test_labels);
	CU_add_test(s, "metadata added at the end", test_meta_added);
	CU_add_test(s, "how the run ended", test_run_end);
	CU_add_test(s, "an incomplete run read to a consistent cut",
		    test_consistent_cut);
	CU_add_test(s, "a rescue saves the open trace", test_rescue_saves);
	CU_add_test(s, "a rescue gives up on a stuck writer",
		    test_rescue_gives_up);
}

int main(void)
{
	return tu_main("tracer/trace", add_tests);
}
