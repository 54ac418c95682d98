/*
 * tracer/export: the chrome and jsonl exports of real and hand-made
 * traces, and the checker that says whether Perfetto would take them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <conclab/error.h>
#include <conclab/export.h>
#include <conclab/runtime.h>
#include <conclab/tracer.h>

#include "rt.h"
#include "testutil.h"
#include "testutil-trace.h"

/* ---- helpers ---- */

/* The chrome export of tr as a string (free it). */
static char *chrome_text(const struct clab_trace *tr, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(clab_export_chrome(tr, f), 0);
	fclose(f);
	return buf;
}

static char *jsonl_text(const struct clab_trace *tr, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(clab_export_jsonl(tr, f), 0);
	fclose(f);
	return buf;
}

/* The export passes the checker; returns what it counted. */
static struct clab_export_check check_ok(const struct clab_trace *tr)
{
	struct clab_export_check st;
	char err[512];
	size_t len;
	char *text = chrome_text(tr, &len);
	int rc = clab_export_check_chrome(text, len, &st, err, sizeof(err));
	if (rc)
		fprintf(stderr, "\nchrome export invalid: %s\n", err);
	CU_ASSERT_EQUAL(rc, 0);
	free(text);
	text = jsonl_text(tr, &len);
	rc = clab_export_check_jsonl(text, len, NULL, err, sizeof(err));
	if (rc)
		fprintf(stderr, "\njsonl export invalid: %s\n", err);
	CU_ASSERT_EQUAL(rc, 0);
	free(text);
	return st;
}

/* The nth model event of this kind and phase ('H' for holds). */
static const struct clab_xevent *find_ev(const struct clab_export *x,
					 unsigned kind, char ph, size_t nth)
{
	for (size_t i = 0; i < clab_export_nevents(x); i++) {
		const struct clab_xevent *e = clab_export_event(x, i);
		if (e->kind == kind && e->ph == ph && nth-- == 0)
			return e;
	}
	return NULL;
}

static size_t count_ev(const struct clab_export *x, unsigned kind, char ph)
{
	size_t n = 0;
	while (find_ev(x, kind, ph, n))
		n++;
	return n;
}

/* The end of flow id (ph 'f'), or NULL. */
static const struct clab_xevent *flow_end(const struct clab_export *x,
					  uint64_t id)
{
	for (size_t i = 0; i < clab_export_nevents(x); i++) {
		const struct clab_xevent *e = clab_export_event(x, i);
		if (e->ph == 'f' && e->id == id)
			return e;
	}
	return NULL;
}

/* ---- hand-made traces: exact records through the tracer's buffers ---- */

static char path[256];

static void open_trace(void)
{
	snprintf(path, sizeof(path), "%s/conclab-export-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	struct clab_meta_kv meta[] = {{"lab", "unit"}, {"variant", "x\"y"}};
	struct clab_tracer_opts o = {
	    .path = path, .meta = meta, .nmeta = 2, .compress = -1};
	CU_ASSERT_EQUAL_FATAL(clab_tracer_open(&o), 0);
}

static struct clab_trace *close_trace(void)
{
	struct clab_trace *tr = NULL;
	char err[256];
	CU_ASSERT_EQUAL(clab_tracer_close(NULL), 0);
	CU_ASSERT_EQUAL(clab_trace_load(path, &tr, err, sizeof(err)), 0);
	unlink(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	return tr;
}

/*
 * Two threads each hold one lock and request the other's; the trace ends
 * there.  Every wait and hold is still open: each ends at the last record
 * and says it is unfinished.
 */
static void test_deadlock_unfinished(void)
{
	open_trace();
	struct clab__tbuf *a = clab__tbuf_claim_main();
	struct clab__tbuf *b = clab__tbuf_new("b", 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	uint32_t ma = clab__obj_new(CLAB_O_MUTEX, "A", NULL, 0, 0, 0);
	uint32_t mb = clab__obj_new(CLAB_O_MUTEX, "B", NULL, 0, 0, 0);
	uint64_t t0 = clab__clock();
	tu_put(a, t0 + 100, CLAB_K_MUTEX_ACQUIRE, ma, 1, 0, 1);
	tu_put(b, t0 + 200, CLAB_K_MUTEX_ACQUIRE, mb, 1, 0, 1);
	tu_put(a, t0 + 300, CLAB_K_MUTEX_REQUEST, mb, 0, 0, 0);
	tu_put(b, t0 + 400, CLAB_K_MUTEX_REQUEST, ma, 0, 0, 0);
	tu_put(b, t0 + 5000, CLAB_K_DIAG, 0, 0, CLAB_D_DEADLOCK, 2);
	clab__tbuf_exit(a);
	clab__tbuf_exit(b);
	struct clab_trace *tr = close_trace();
	CU_ASSERT_EQUAL_FATAL(clab_trace_nrecords(tr), 5);
	uint64_t last = clab_trace_record(tr, 4)->ns;

	struct clab_export *x;
	CU_ASSERT_EQUAL_FATAL(clab_export_build(tr, &x), 0);
	CU_ASSERT_EQUAL(count_ev(x, CLAB_XEV_HOLD, 'H'), 2);
	CU_ASSERT_EQUAL(count_ev(x, CLAB_XEV_WAIT, 'X'), 2);
	CU_ASSERT_EQUAL(count_ev(x, CLAB_XEV_DIAG, 'i'), 1);
	CU_ASSERT_EQUAL(count_ev(x, CLAB_XEV_FLOW, 's'), 0);
	for (size_t i = 0; i < clab_export_nevents(x); i++) {
		const struct clab_xevent *e = clab_export_event(x, i);
		if (e->kind != CLAB_XEV_HOLD && e->kind != CLAB_XEV_WAIT)
			continue;
		CU_ASSERT(e->unfinished);
		CU_ASSERT_EQUAL(e->ts + e->dur, last);
		CU_ASSERT_EQUAL(e->end_seq, CLAB_XSEQ_NONE);
	}
	char name[64];
	const struct clab_xevent *w = find_ev(x, CLAB_XEV_WAIT, 'X', 0);
	CU_ASSERT_STRING_EQUAL(clab_export_event_name(x, w, name, 64),
			       "wait B");
	CU_ASSERT_STRING_EQUAL(clab_export_event_cat(w), "wait");
	clab_export_free(x);
	struct clab_export_check st = check_ok(tr);
	CU_ASSERT_EQUAL(st.unfinished, 4);
	CU_ASSERT_EQUAL(st.asyncs, 2);
	CU_ASSERT_EQUAL(st.threads, 2);
	clab_trace_free(tr);
}

/*
 * A recursive mutex is one hold from the first acquire to the last
 * release; a release stamped after the acquire it let through (lazy
 * clocks) still gives an arrow that goes forward in time, and holds of
 * one mutex never overlap.
 */
static void test_recursive_and_skew(void)
{
	open_trace();
	struct clab__tbuf *a = clab__tbuf_claim_main();
	struct clab__tbuf *b = clab__tbuf_new("b", 0);
	uint32_t m =
	    clab__obj_new(CLAB_O_MUTEX, "r", NULL, 0, CLAB_MUTEX_RECURSIVE, 0);
	uint64_t t0 = clab__clock();
	tu_put(a, t0 + 10, CLAB_K_MUTEX_ACQUIRE, m, 1, 0, 1);
	tu_put(a, t0 + 20, CLAB_K_MUTEX_ACQUIRE, m, 2, 0, 2);
	tu_put(b, t0 + 30, CLAB_K_MUTEX_REQUEST, m, 0, 0, 0);
	tu_put(a, t0 + 40, CLAB_K_MUTEX_RELEASE, m, 3, 0, 1);
	/* a's clock runs late: its last release is stamped after b's acquire */
	tu_put(a, t0 + 90000, CLAB_K_MUTEX_RELEASE, m, 4, 0, 0);
	tu_put(b, t0 + 60, CLAB_K_MUTEX_ACQUIRE, m, 5, 0, 1);
	tu_put(b, t0 + 70, CLAB_K_MUTEX_RELEASE, m, 6, 0, 0);
	clab__tbuf_exit(a);
	clab__tbuf_exit(b);
	struct clab_trace *tr = close_trace();
	CU_ASSERT_EQUAL_FATAL(clab_trace_nrecords(tr), 7);

	struct clab_export *x;
	CU_ASSERT_EQUAL_FATAL(clab_export_build(tr, &x), 0);
	CU_ASSERT_EQUAL_FATAL(count_ev(x, CLAB_XEV_HOLD, 'H'), 2);
	const struct clab_xevent *h0 = find_ev(x, CLAB_XEV_HOLD, 'H', 0);
	const struct clab_xevent *h1 = find_ev(x, CLAB_XEV_HOLD, 'H', 1);
	CU_ASSERT_EQUAL(h0->tid, 0);
	CU_ASSERT_EQUAL(clab_trace_record(tr, h0->seq)->oseq, 1);
	CU_ASSERT_EQUAL(clab_trace_record(tr, h0->end_seq)->oseq, 4);
	CU_ASSERT(h0->ts + h0->dur <= h1->ts);
	const struct clab_xevent *s = find_ev(x, CLAB_XEV_FLOW, 's', 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	const struct clab_xevent *f = flow_end(x, s->id);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT(s->ts <= f->ts);
	CU_ASSERT_EQUAL(clab_trace_record(tr, s->seq)->oseq, 4);
	CU_ASSERT_EQUAL(clab_trace_record(tr, f->seq)->oseq, 5);
	clab_export_free(x);
	check_ok(tr);
	clab_trace_free(tr);
}

/*
 * A broadcast wakes two threads; the second's clock runs early, so its
 * wake is stamped before the broadcast.  Both arrows start on a slice of
 * the broadcasting thread at or before their ends, and the broadcast stays
 * at its own time: moving it back for the second arrow once left the
 * first arrow's start on no slice (a fuzzed trace found it).
 */
static void test_broadcast_skew(void)
{
	open_trace();
	struct clab__tbuf *a = clab__tbuf_claim_main();
	struct clab__tbuf *b = clab__tbuf_new("b", 0);
	struct clab__tbuf *c = clab__tbuf_new("c", 0);
	uint32_t cv = clab__obj_new(CLAB_O_COND, "cv", NULL, 0, 0, 0);
	uint64_t t0 = clab__clock();
	tu_put(b, t0 + 10, CLAB_K_COND_WAIT, cv, 1, 0, 0);
	tu_put(c, t0 + 20, CLAB_K_COND_WAIT, cv, 2, 0, 0);
	tu_put(a, t0 + 1000, CLAB_K_COND_BROADCAST, cv, 3, 0, 2);
	tu_put(b, t0 + 1100, CLAB_K_COND_WAKE, cv, 4, CLAB_CAUSE_BROADCAST, 0);
	tu_put(c, t0 + 500, CLAB_K_COND_WAKE, cv, 5, CLAB_CAUSE_BROADCAST, 0);
	clab__tbuf_exit(a);
	clab__tbuf_exit(b);
	clab__tbuf_exit(c);
	struct clab_trace *tr = close_trace();
	CU_ASSERT_EQUAL_FATAL(clab_trace_nrecords(tr), 5);

	const struct clab_record *bc = tu_find(tr, CLAB_K_COND_BROADCAST, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(bc);
	struct clab_export *x;
	CU_ASSERT_EQUAL_FATAL(clab_export_build(tr, &x), 0);
	const struct clab_xevent *sig = find_ev(x, CLAB_XEV_SIGNAL, 'i', 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sig);
	CU_ASSERT_EQUAL(sig->ts, bc->ns);
	CU_ASSERT_EQUAL(count_ev(x, CLAB_XEV_FLOW, 's'), 2);
	for (size_t k = 0; k < 2; k++) {
		const struct clab_xevent *s = find_ev(x, CLAB_XEV_FLOW, 's', k);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		const struct clab_xevent *f = flow_end(x, s->id);
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		CU_ASSERT_EQUAL(s->seq, bc->seq);
		CU_ASSERT(s->ts <= f->ts);
	}
	clab_export_free(x);
	check_ok(tr);
	clab_trace_free(tr);
}

/*
 * Names with quotes, backslashes and bytes that are not UTF-8 come out as
 * valid JSON; the same trace exports to the same bytes every time.
 */
static void test_escaping_and_stability(void)
{
	open_trace();
	struct clab__tbuf *a = clab__tbuf_claim_main();
	uint32_t m = clab__obj_new(CLAB_O_MUTEX, "q\"b\\s\xff", NULL, 0, 0, 0);
	uint64_t t0 = clab__clock();
	tu_put(a, t0 + 10, CLAB_K_MUTEX_ACQUIRE, m, 1, CLAB_HOW_TIMED, 1);
	tu_put(a, t0 + 20, CLAB_K_MUTEX_RELEASE, m, 2, 0, 0);
	clab__tbuf_exit(a);
	struct clab_trace *tr = close_trace();
	size_t l1, l2;
	char *c1 = chrome_text(tr, &l1), *c2 = chrome_text(tr, &l2);
	CU_ASSERT_EQUAL(l1, l2);
	CU_ASSERT(l1 == l2 && memcmp(c1, c2, l1) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(c1, "\"hold q\\\"b\\\\s\xef\xbf\xbd\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(c1, "\"variant\":\"x\\\"y\""));
	free(c1);
	free(c2);
	char *j = jsonl_text(tr, &l1);
	/* a header and one line per record */
	size_t lines = 0;
	for (size_t i = 0; i < l1; i++)
		lines += j[i] == '\n';
	CU_ASSERT_EQUAL(lines, clab_trace_nrecords(tr) + 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(j, "{\"seq\":0,\"ns\":"));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(j, "\"kind\":\"mutex.acquire\",\"obj\":"));
	CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"how\":\"timed\",\"depth\":1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"type\":\"trace\",\"format\":\"1."));
	free(j);
	check_ok(tr);
	clab_trace_free(tr);
}

/* ---- real threads on the runtime ---- */

static clab_mutex_t m1, m2;
static clab_cond_t cv;
static int ready, go;

static void *lock_unlock(void *arg)
{
	(void)arg;
	clab_mutex_lock(&m1);
	clab_mutex_unlock(&m1);
	return NULL;
}

static int mutex_has_waiter(void *p)
{
	clab_mutex_t *m = p;
	return atomic_load(&m->waiters) >= 1;
}

/*
 * A contended mutex: main holds it, a thread waits for it.  The arrow
 * starts at main's release and ends at the waiter's acquire.
 */
static void test_contended_flow(void)
{
	tu_begin();
	clab_mutex_init(&m1, "m1", CLAB_MUTEX_NORMAL);
	clab_mutex_lock(&m1);
	clab_thread_t *t;
	CU_ASSERT_EQUAL_FATAL(
	    clab_thread_create(&t, "waiter", lock_unlock, NULL), 0);
	CU_ASSERT_EQUAL(tu_wait_until(mutex_has_waiter, &m1), 0);
	clab_mutex_unlock(&m1);
	clab_thread_join(t, NULL);
	clab_mutex_destroy(&m1);
	struct clab_trace *tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	const struct clab_record *rel = tu_find(tr, CLAB_K_MUTEX_RELEASE, 0);
	const struct clab_record *acq = tu_find(tr, CLAB_K_MUTEX_ACQUIRE, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rel);
	CU_ASSERT_PTR_NOT_NULL_FATAL(acq);
	struct clab_export *x;
	CU_ASSERT_EQUAL_FATAL(clab_export_build(tr, &x), 0);
	const struct clab_xevent *s = NULL;
	for (size_t i = 0; i < clab_export_nevents(x); i++) {
		const struct clab_xevent *e = clab_export_event(x, i);
		if (e->ph == 's' && e->flow == CLAB_XFLOW_LOCK)
			s = e;
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->seq, rel->seq);
	CU_ASSERT_EQUAL(s->tid, rel->tid);
	const struct clab_xevent *f = flow_end(x, s->id);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(f->seq, acq->seq);
	CU_ASSERT_EQUAL(f->tid, acq->tid);
	CU_ASSERT_NOT_EQUAL(f->tid, s->tid);
	char name[64];
	CU_ASSERT_STRING_EQUAL(clab_export_event_name(x, s, name, 64),
			       "handoff m1");
	/* the waiter's wait ends at that acquire */
	const struct clab_xevent *w = NULL;
	for (size_t i = 0; i < clab_export_nevents(x); i++) {
		const struct clab_xevent *e = clab_export_event(x, i);
		if (e->kind == CLAB_XEV_WAIT && e->obj == acq->obj)
			w = e;
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_EQUAL(w->end_seq, acq->seq);
	CU_ASSERT_EQUAL(w->ts + w->dur, acq->ns);
	clab_export_free(x);
	struct clab_export_check st = check_ok(tr);
	CU_ASSERT(st.flows >= 1); /* the hand-off (and the join if it waited) */
	CU_ASSERT_EQUAL(st.unfinished, 0);
	clab_trace_free(tr);
}

static void *cond_waiter(void *arg)
{
	(void)arg;
	clab_mutex_lock(&m1);
	ready = 1;
	while (!go)
		clab_cond_wait(&cv, &m1);
	clab_mutex_unlock(&m1);
	return NULL;
}

/* A signal wakes a waiter: an arrow from the signal to the wake-up. */
static void test_signal_flow(void)
{
	tu_begin();
	clab_mutex_init(&m1, "lk", CLAB_MUTEX_NORMAL);
	clab_cond_init(&cv, "cv");
	ready = go = 0;
	clab_thread_t *t;
	CU_ASSERT_EQUAL_FATAL(clab_thread_create(&t, "w", cond_waiter, NULL),
			      0);
	for (;;) { /* once main has the lock after ready, w is in the wait */
		clab_mutex_lock(&m1);
		if (ready)
			break;
		clab_mutex_unlock(&m1);
		clab_sleep_ms(1);
	}
	go = 1;
	clab_cond_signal(&cv);
	clab_mutex_unlock(&m1);
	clab_thread_join(t, NULL);
	clab_cond_destroy(&cv);
	clab_mutex_destroy(&m1);
	struct clab_trace *tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	const struct clab_record *sig = tu_find(tr, CLAB_K_COND_SIGNAL, 0);
	const struct clab_record *wake = tu_find(tr, CLAB_K_COND_WAKE, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sig);
	CU_ASSERT_PTR_NOT_NULL_FATAL(wake);
	CU_ASSERT_EQUAL(sig->a32, 1);
	struct clab_export *x;
	CU_ASSERT_EQUAL_FATAL(clab_export_build(tr, &x), 0);
	const struct clab_xevent *s = NULL;
	for (size_t i = 0; i < clab_export_nevents(x); i++) {
		const struct clab_xevent *e = clab_export_event(x, i);
		if (e->ph == 's' && e->flow == CLAB_XFLOW_SIGNAL)
			s = e;
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->seq, sig->seq);
	const struct clab_xevent *f = flow_end(x, s->id);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(f->seq, wake->seq);
	char name[64];
	const struct clab_xevent *i0 = find_ev(x, CLAB_XEV_SIGNAL, 'i', 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(i0);
	CU_ASSERT_STRING_EQUAL(clab_export_event_name(x, i0, name, 64),
			       "signal cv");
	/* the wait on the condition ends at the wake */
	int found = 0;
	for (size_t i = 0; i < clab_export_nevents(x); i++) {
		const struct clab_xevent *e = clab_export_event(x, i);
		if (e->kind == CLAB_XEV_WAIT && e->end_seq == wake->seq) {
			found = 1;
			CU_ASSERT_STRING_EQUAL(
			    clab_export_event_name(x, e, name, 64),
			    "wait cond cv");
		}
	}
	CU_ASSERT(found);
	clab_export_free(x);
	check_ok(tr);
	clab_trace_free(tr);
}

/*
 * A taken, B taken, A released, B released: the holds overlap without
 * nesting.  They are on one track per mutex, so the export stays valid.
 */
static void test_non_nested_holds(void)
{
	tu_begin();
	clab_mutex_init(&m1, "A", CLAB_MUTEX_NORMAL);
	clab_mutex_init(&m2, "B", CLAB_MUTEX_NORMAL);
	clab_mutex_lock(&m1);
	clab_mutex_lock(&m2);
	clab_mutex_unlock(&m1);
	clab_mutex_unlock(&m2);
	clab_mutex_destroy(&m1);
	clab_mutex_destroy(&m2);
	struct clab_trace *tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	struct clab_export *x;
	CU_ASSERT_EQUAL_FATAL(clab_export_build(tr, &x), 0);
	CU_ASSERT_EQUAL_FATAL(count_ev(x, CLAB_XEV_HOLD, 'H'), 2);
	const struct clab_xevent *a = find_ev(x, CLAB_XEV_HOLD, 'H', 0);
	const struct clab_xevent *b = find_ev(x, CLAB_XEV_HOLD, 'H', 1);
	CU_ASSERT_NOT_EQUAL(a->id, b->id);
	CU_ASSERT(a->ts <= b->ts);
	CU_ASSERT(a->ts + a->dur <= b->ts + b->dur);
	clab_export_free(x);
	struct clab_export_check st = check_ok(tr);
	CU_ASSERT_EQUAL(st.asyncs, 2);
	clab_trace_free(tr);
}

/* ---- the checker ---- */

#define HEAD                                                                   \
	"{\"traceEvents\":[{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,"  \
	"\"tid\":1,\"ts\":0,\"args\":{\"name\":\"t\"}}"
#define TAIL "],\"displayTimeUnit\":\"ns\"}"
#define X(ts, dur)                                                             \
	",{\"ph\":\"X\",\"name\":\"x\",\"pid\":1,\"tid\":1,\"ts\":" #ts        \
	",\"dur\":" #dur "}"
#define I(ts)                                                                  \
	",{\"ph\":\"i\",\"name\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":1,"       \
	"\"ts\":" #ts "}"
#define FL(ph, ts, id)                                                         \
	",{\"ph\":\"" ph "\",\"name\":\"f\",\"cat\":\"c\",\"id\":" #id         \
	",\"pid\":1,\"tid\":1,\"ts\":" #ts ",\"bp\":\"e\"}"
#define AS(ph, ts, id)                                                         \
	",{\"ph\":\"" ph "\",\"name\":\"h\",\"cat\":\"c\",\"id\":\"" #id       \
	"\",\"pid\":1,\"tid\":1,\"ts\":" #ts "}"

static int check(const char *s)
{
	char err[256];
	return clab_export_check_chrome(s, strlen(s), NULL, err, sizeof(err));
}

static void test_checker(void)
{
	/* good: nested and disjoint slices, stacked instants, flows */
	CU_ASSERT_EQUAL(check(HEAD X(1, 10) AS("b", 1, 0x1) X(2, 3)
				  FL("s", 2, 7) AS("e", 3, 0x1) AS("b", 3, 0x1)
				      X(5, 0) I(5) I(5) AS("e", 9, 0x1) X(11, 1)
					  FL("f", 11.5, 7) TAIL),
			0);
	CU_ASSERT_EQUAL(check("{\"traceEvents\":[]}"), 0);
	CU_ASSERT_EQUAL(
	    check(" {\"traceEvents\":[],\"s\":\"\\u00e9\\ud83d\\ude00\"} "), 0);

	/* bad JSON */
	static const char *const bad_json[] = {
	    "",
	    "{\"traceEvents\":[],}",
	    "{\"traceEvents\":[1,]}",
	    "{\"traceEvents\":[01]}",
	    "{\"traceEvents\":[1.]}",
	    "{\"traceEvents\":[\"\\x\"]}",
	    "{\"traceEvents\":[\"\\ud800\"]}",
	    "{\"traceEvents\":[\"\xff\"]}",
	    "{\"traceEvents\":[\"\xc0\xaf\"]}",
	    "{\"traceEvents\":[\"a\tb\"]}",
	    "{\"traceEvents\":[],\"a\":1,\"a\":2}",
	    "{\"traceEvents\":[]} x",
	    "{\"traceEvents\":[tru]}",
	    "{'traceEvents':[]}",
	    "[]",
	};
	for (size_t i = 0; i < sizeof(bad_json) / sizeof(*bad_json); i++)
		CU_ASSERT_EQUAL(check(bad_json[i]), CLAB_EBADMSG);

	/* bad traces */
	static const char *const bad[] = {
	    HEAD X(1, 10) X(5, 10) TAIL, /* overlap, not nested */
	    HEAD X(5, 1) X(1, 1) TAIL,	 /* time goes back */
	    HEAD X(1, -1) TAIL,		 /* negative dur */
	    HEAD
	    ",{\"ph\":\"X\",\"name\":\"x\",\"pid\":1,\"tid\":1,\"ts\":1}" TAIL,
	    HEAD ",{\"ph\":\"i\",\"name\":\"x\",\"pid\":1,\"ts\":1}" TAIL,
	    HEAD
	    ",{\"ph\":\"i\",\"name\":\"x\",\"pid\":1,\"tid\":2,\"ts\":1}" TAIL,
	    HEAD
	    ",{\"ph\":\"Q\",\"name\":\"x\",\"pid\":1,\"tid\":1,\"ts\":1}" TAIL,
	    HEAD X(1, 5) FL("s", 2, 7) TAIL, /* no end */
	    HEAD X(1, 5) FL("f", 2, 7) TAIL, /* no start */
	    HEAD X(1, 5) FL("f", 2, 7) FL("s", 3, 7) TAIL,
	    HEAD X(1, 5) FL("s", 2, 7) FL("f", 3, 7) FL("s", 4, 7) TAIL,
	    HEAD X(1, 1) FL("s", 5, 7) FL("f", 5, 7) TAIL, /* nothing to bind */
	    HEAD AS("b", 1, 0x1) TAIL,			   /* never ends */
	    HEAD AS("e", 1, 0x1) TAIL,			   /* no begin */
	    HEAD
	    ",{\"ph\":\"B\",\"name\":\"x\",\"pid\":1,\"tid\":1,\"ts\":1}" TAIL,
	    "{\"traceEvents\":[],\"displayTimeUnit\":\"s\"}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		int rc = check(bad[i]);
		if (rc != CLAB_EBADMSG)
			fprintf(stderr, "\naccepted bad trace %zu\n", i);
		CU_ASSERT_EQUAL(rc, CLAB_EBADMSG);
	}

	/* jsonl */
	char err[256];
	const char *good =
	    "{\"type\":\"trace\",\"format\":\"1.0\",\"records\":1,"
	    "\"threads\":[],\"objects\":[]}\n"
	    "{\"seq\":0,\"ns\":5,\"tid\":0,\"kind\":\"note\"}\n";
	CU_ASSERT_EQUAL(
	    clab_export_check_jsonl(good, strlen(good), NULL, err, sizeof(err)),
	    0);
	const char *missing =
	    "{\"type\":\"trace\",\"format\":\"1.0\",\"records\":2,"
	    "\"threads\":[],\"objects\":[]}\n"
	    "{\"seq\":0,\"ns\":5,\"tid\":0,\"kind\":\"note\"}\n";
	CU_ASSERT_EQUAL(clab_export_check_jsonl(missing, strlen(missing), NULL,
						err, sizeof(err)),
			CLAB_EBADMSG);
	const char *two =
	    "{\"type\":\"trace\",\"format\":\"1.0\",\"records\":1,"
	    "\"threads\":[],\"objects\":[]}\n"
	    "{\"seq\":0,\"ns\":5,\"tid\":0,\"kind\":\"note\"} {}\n";
	CU_ASSERT_EQUAL(
	    clab_export_check_jsonl(two, strlen(two), NULL, err, sizeof(err)),
	    CLAB_EBADMSG);
}

/* Every JSON conclab writes goes through clab_json_str. */
static void test_json_str(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	clab_json_str(f, "a\"b\\c\n\x01\xff\xc3\xa9");
	clab_json_str(f, NULL);
	fclose(f);
	CU_ASSERT_STRING_EQUAL(buf, "\"a\\\"b\\\\c\\n\\u0001\xef\xbf\xbd"
				    "\xc3\xa9\"\"\"");
	free(buf);
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "checker accepts and rejects", test_checker);
	CU_add_test(s, "JSON strings: escapes, bad UTF-8", test_json_str);
	CU_add_test(s, "deadlock: unfinished spans", test_deadlock_unfinished);
	CU_add_test(s, "recursive hold, skewed clocks",
		    test_recursive_and_skew);
	CU_add_test(s, "escaping, stable bytes, jsonl",
		    test_escaping_and_stability);
	CU_add_test(s, "contended mutex: release -> acquire",
		    test_contended_flow);
	CU_add_test(s, "cond signal -> wake", test_signal_flow);
	CU_add_test(s, "broadcast, one wake stamped before it",
		    test_broadcast_skew);
	CU_add_test(s, "holds that do not nest", test_non_nested_holds);
}

int main(void)
{
	return tu_main("tracer/export", add_tests);
}
