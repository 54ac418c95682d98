/*
 * tracer: the trace file written by the writer and read back by the
 * reader — fields, ordering, damage handling, dump stability.
 */
#include <pthread.h>
#include <stdatomic.h>
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

static char path[256];

static void open_trace(void)
{
	snprintf(path, sizeof(path), "%s/conclab-trace-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	struct clab_meta_kv meta[] = {{"lab", "unit"}, {"seed", "42"}};
	struct clab_tracer_opts o = {
	    .path = path, .meta = meta, .nmeta = 2, .compress = -1};
	CU_ASSERT_EQUAL_FATAL(clab_tracer_open(&o), 0);
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
	/*
	 * Only the header's minor version (a newer minor is read) and its
	 * 4 reserved flag bytes may change unnoticed.
	 */
	CU_ASSERT_EQUAL(noticed, len - 6);
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
	data[10] = 7; /* a newer minor version is read */
	CU_ASSERT_EQUAL(
	    clab_trace_load_mem(data, len, "t", &tr, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(clab_trace_version_minor(tr), 7);
	clab_trace_free(tr);
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
	CU_add_test(s, "a rescue saves the open trace", test_rescue_saves);
	CU_add_test(s, "a rescue gives up on a stuck writer",
		    test_rescue_gives_up);
}

int main(void)
{
	return tu_main("tracer/trace", add_tests);
}
