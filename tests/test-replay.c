/*
 * tui/replay: the replay model on synthetic traces (written here, record
 * by record, in the file format) and on the real traces of every lab
 * variant, recorded by the built `conclab run` (argv[1]).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <conclab/kinds.h>
#include <conclab/trace.h>

#include "format.h"
#include "lab.h"
#include "labpic.h"
#include "lockorder.h"
#include <conclab/replay.h>
#include "testutil.h"

static const char *conclab; /* the built command */

/* ---- a synthetic trace, written chunk by chunk ---- */

struct syn {
	struct clab_wbuf f;
	uint64_t ns;
	uint32_t nrec;
};

static void chunk(struct syn *s, uint32_t type, struct clab_wbuf *p)
{
	clab_wbuf_u32le(&s->f, type);
	clab_wbuf_u32le(&s->f, (uint32_t)p->len);
	clab_wbuf_u32le(&s->f, clab_chunk_crc(type, (uint32_t)p->len, p->p));
	clab_wbuf_put(&s->f, p->p, p->len);
	clab_wbuf_free(p);
}

/*
 * Threads T0..T(nt-1) are objects 1..nt; then the objects of kinds[] (a
 * zero-terminated list) get ids nt+1...
 */
static void syn_begin(struct syn *s, unsigned nt, const uint8_t *kinds)
{
	memset(s, 0, sizeof(*s));
	clab_wbuf_put(&s->f, CLAB_FMT_MAGIC, CLAB_FMT_MAGIC_LEN);
	clab_wbuf_u16le(&s->f, CLAB_FMT_MAJOR);
	clab_wbuf_u16le(&s->f, CLAB_FMT_MINOR);
	clab_wbuf_u32le(&s->f, 0);
	struct clab_wbuf p = {0};
	clab_wbuf_uv(&p, 2);
	clab_wbuf_str(&p, "lab");
	clab_wbuf_str(&p, "synthetic");
	clab_wbuf_str(&p, "variant");
	clab_wbuf_str(&p, "unit");
	chunk(s, CLAB_CH_META, &p);
	clab_wbuf_uv(&p, nt);
	for (unsigned t = 0; t < nt; t++) {
		char name[16];
		snprintf(name, sizeof(name), "t%u", t);
		clab_wbuf_uv(&p, t);
		clab_wbuf_uv(&p, t + 1);
		clab_wbuf_uv(&p, 0);
		clab_wbuf_str(&p, name);
	}
	chunk(s, CLAB_CH_THREADS, &p);
	unsigned no = 0;
	while (kinds[no])
		no++;
	clab_wbuf_uv(&p, nt + no);
	for (unsigned o = 0; o < nt + no; o++) {
		char name[16];
		snprintf(name, sizeof(name), "o%u", o + 1);
		clab_wbuf_uv(&p, o + 1);
		clab_wbuf_u8(&p, o < nt ? CLAB_O_THREAD : kinds[o - nt]);
		clab_wbuf_u8(&p, 0);
		clab_wbuf_uv(&p, 2); /* param */
		clab_wbuf_uv(&p, 0);
		clab_wbuf_uv(&p, 0);
		clab_wbuf_str(&p, name);
	}
	chunk(s, CLAB_CH_OBJECTS, &p);
}

/* One record in its own EVENTS chunk, 1 us after the previous one. */
static void rec(struct syn *s, unsigned tid, unsigned kind, uint32_t obj,
		uint32_t oseq, unsigned a8, uint32_t a32)
{
	struct clab_wbuf d = {0}, p = {0};
	unsigned f = clab_kind_fields(kind);
	clab_wbuf_u8(&d, kind);
	clab_wbuf_uv(&d, 0);
	clab_wbuf_uv(&d, 0);
	if (f & CLAB_F_OBJ)
		clab_wbuf_uv(&d, obj);
	if (f & CLAB_F_SEQ)
		clab_wbuf_sv(&d, (int64_t)oseq - 1);
	if (f & CLAB_F_A8)
		clab_wbuf_u8(&d, a8);
	if (f & CLAB_F_A32)
		clab_wbuf_uv(&d, a32);
	if (f & CLAB_F_VAL)
		clab_wbuf_sv(&d, 0);
	s->ns += 1000;
	clab_wbuf_uv(&p, tid);
	clab_wbuf_uv(&p, 1);
	clab_wbuf_uv(&p, s->ns);
	clab_wbuf_u8(&p, CLAB_CODEC_RAW);
	clab_wbuf_uv(&p, d.len);
	clab_wbuf_put(&p, d.p, d.len);
	clab_wbuf_free(&d);
	chunk(s, CLAB_CH_EVENTS, &p);
	s->nrec++;
}

static struct clab_trace *syn_end(struct syn *s)
{
	struct clab_wbuf p = {0};
	clab_wbuf_uv(&p, s->nrec);
	clab_wbuf_uv(&p, 0);
	clab_wbuf_uv(&p, 0);
	chunk(s, CLAB_CH_END, &p);
	struct clab_trace *tr = NULL;
	char err[256];
	int rc = clab_trace_load_mem(s->f.p, s->f.len, "synthetic", &tr, err,
				     sizeof(err));
	if (rc)
		fprintf(stderr, "synthetic trace: %s\n", err);
	CU_ASSERT_EQUAL(rc, 0);
	clab_wbuf_free(&s->f);
	return rc ? NULL : tr;
}

/* Objects of the first synthetic trace: threads are 1..3. */
enum { TH1 = 2, TH2 = 3, M = 4, C = 5, S = 6 };

static struct clab_trace *trace_basic(void)
{
	static const uint8_t kinds[] = {CLAB_O_MUTEX, CLAB_O_COND, CLAB_O_SEM,
					0};
	struct syn s;
	syn_begin(&s, 3, kinds);
	rec(&s, 0, CLAB_K_THREAD_START, 1, 1, 0, 0);		  /* 0 */
	rec(&s, 0, CLAB_K_OBJ_CREATE, M, 1, 0, 0);		  /* 1 */
	rec(&s, 0, CLAB_K_THREAD_CREATE, TH1, 1, 0, 0);		  /* 2 */
	rec(&s, 0, CLAB_K_THREAD_CREATE, TH2, 1, 0, 0);		  /* 3 */
	rec(&s, 1, CLAB_K_THREAD_START, TH1, 2, 0, 0);		  /* 4 */
	rec(&s, 2, CLAB_K_THREAD_START, TH2, 2, 0, 0);		  /* 5 */
	rec(&s, 1, CLAB_K_MUTEX_ACQUIRE, M, 2, 0, 1);		  /* 6 */
	rec(&s, 2, CLAB_K_MUTEX_REQUEST, M, 0, 0, 0);		  /* 7 */
	rec(&s, 0, CLAB_K_MUTEX_REQUEST, M, 0, 0, 0);		  /* 8 */
	rec(&s, 1, CLAB_K_MUTEX_RELEASE, M, 3, 0, 0);		  /* 9 */
	rec(&s, 2, CLAB_K_MUTEX_ACQUIRE, M, 4, 0, 1);		  /* 10 */
	rec(&s, 1, CLAB_K_SLEEP_BEGIN, 0, 0, 0, 5);		  /* 11 */
	rec(&s, 2, CLAB_K_COND_WAIT, C, 1, 0, M);		  /* 12 */
	rec(&s, 2, CLAB_K_MUTEX_RELEASE, M, 5, CLAB_HOW_COND, 0); /* 13 */
	rec(&s, 0, CLAB_K_MUTEX_ACQUIRE, M, 6, 0, 1);		  /* 14 */
	rec(&s, 0, CLAB_K_COND_SIGNAL, C, 2, 0, 1);		  /* 15 */
	rec(&s, 2, CLAB_K_COND_WAKE, C, 3, CLAB_CAUSE_SIGNAL, 0); /* 16 */
	rec(&s, 2, CLAB_K_MUTEX_REQUEST, M, 0, CLAB_HOW_COND, 0); /* 17 */
	rec(&s, 0, CLAB_K_MUTEX_RELEASE, M, 7, 0, 0);		  /* 18 */
	rec(&s, 2, CLAB_K_MUTEX_ACQUIRE, M, 8, CLAB_HOW_COND, 1); /* 19 */
	rec(&s, 1, CLAB_K_SLEEP_END, 0, 0, 0, 0);		  /* 20 */
	rec(&s, 1, CLAB_K_SEM_WAIT, S, 1, 0, 0);		  /* 21 */
	rec(&s, 0, CLAB_K_SEM_RELEASE, S, 2, 0, 1);		  /* 22 */
	rec(&s, 1, CLAB_K_SEM_ACQUIRE, S, 3, 0, 0);		  /* 23 */
	rec(&s, 0, CLAB_K_THREAD_JOIN_WAIT, TH1, 0, 0, 0);	  /* 24 */
	rec(&s, 1, CLAB_K_THREAD_EXIT, TH1, 3, 0, 0);		  /* 25 */
	rec(&s, 0, CLAB_K_THREAD_JOIN, TH1, 4, 0, 0);		  /* 26 */
	rec(&s, 2, CLAB_K_DIAG, TH2, 0, CLAB_D_EXIT_HOLDING, M);  /* 27 */
	rec(&s, 2, CLAB_K_THREAD_EXIT, TH2, 3, 0, 0);		  /* 28 */
	return syn_end(&s);
}

/* The state after record i (the viewer's cursor on i). */
static void at(struct clab_replay *rp, struct clab_rstate *st, uint32_t i)
{
	clab_replay_seek(rp, st, i + 1);
}

static void test_basic_states(void)
{
	struct clab_trace *tr = trace_basic();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_EQUAL_FATAL(clab_trace_nrecords(tr), 29);
	CU_ASSERT_EQUAL(clab_trace_record(tr, 10)->kind, CLAB_K_MUTEX_ACQUIRE);
	CU_ASSERT_EQUAL(clab_trace_record(tr, 10)->tid, 2);
	struct clab_replay *rp;
	CU_ASSERT_EQUAL_FATAL(clab_replay_new(tr, 4, &rp), 0);
	struct clab_rstate st;
	CU_ASSERT_EQUAL_FATAL(clab_rstate_init(rp, &st), 0);
	uint32_t w[8], h[8];

	at(rp, &st, 3); /* T1 and T2 created, not started */
	CU_ASSERT_EQUAL(st.th[0].st, CLAB_TS_RUN);
	CU_ASSERT_EQUAL(st.th[1].st, CLAB_TS_NONE);

	at(rp, &st, 7); /* T1 holds m (uncontended), T2 requests it */
	CU_ASSERT_EQUAL(st.th[1].st, CLAB_TS_RUN);
	CU_ASSERT_EQUAL(st.th[1].nheld, 1);
	CU_ASSERT_EQUAL(st.ob[M].a, 2); /* owner T1 + 1 */
	CU_ASSERT_EQUAL(st.ob[M].b, 1);
	CU_ASSERT_EQUAL(st.ob[M].since, 6);
	CU_ASSERT_EQUAL(st.th[2].st, CLAB_TS_REQ);
	CU_ASSERT_EQUAL(st.th[2].obj, M);
	CU_ASSERT_EQUAL(st.th[2].since, 7);
	CU_ASSERT_EQUAL(clab_replay_held(rp, &st, 1, h, 8), 1);
	CU_ASSERT_EQUAL(h[0], M);

	at(rp, &st, 8); /* waiters in the order of their requests */
	CU_ASSERT_EQUAL_FATAL(clab_replay_waiters(&st, M, w, 8), 2);
	CU_ASSERT_EQUAL(w[0], 2);
	CU_ASSERT_EQUAL(w[1], 0);
	CU_ASSERT_EQUAL(clab_replay_waits_for(rp, &st, 2), 1);
	CU_ASSERT_EQUAL(clab_replay_waits_for(rp, &st, 0), 1);
	CU_ASSERT_EQUAL(clab_replay_cycle(rp, &st, w, 8), 0);

	at(rp, &st, 10); /* T2 took it over; T0 still waits */
	CU_ASSERT_EQUAL(st.ob[M].a, 3);
	CU_ASSERT_EQUAL(st.th[1].nheld, 0);
	CU_ASSERT_EQUAL(st.th[2].st, CLAB_TS_RUN);
	CU_ASSERT_EQUAL(clab_replay_waiters(&st, M, w, 8), 1);
	CU_ASSERT_EQUAL(clab_replay_waits_for(rp, &st, 0), 2);

	at(rp, &st, 11);
	CU_ASSERT_EQUAL(st.th[1].st, CLAB_TS_SLEEP);
	at(rp, &st, 13); /* T2 waits on c and gave m up */
	CU_ASSERT_EQUAL(st.th[2].st, CLAB_TS_WAIT);
	CU_ASSERT_EQUAL(st.th[2].obj, C);
	CU_ASSERT_EQUAL(st.ob[C].a, M);
	CU_ASSERT_EQUAL(st.ob[M].a, 0);
	CU_ASSERT_EQUAL(clab_replay_waiters(&st, C, w, 8), 1);
	at(rp, &st, 16); /* woken: running */
	CU_ASSERT_EQUAL(st.th[2].st, CLAB_TS_RUN);
	at(rp, &st, 17); /* retaking the mutex */
	CU_ASSERT_EQUAL(st.th[2].st, CLAB_TS_REQ);
	at(rp, &st, 21);
	CU_ASSERT_EQUAL(st.th[1].st, CLAB_TS_BLOCK);
	CU_ASSERT_EQUAL(st.th[1].obj, S);
	CU_ASSERT(st.ob[S].flags & CLAB_RO_KNOWN);
	CU_ASSERT_EQUAL(st.ob[S].a, 0);
	at(rp, &st, 22);
	CU_ASSERT_EQUAL(st.ob[S].a, 1);
	at(rp, &st, 24); /* main joins T1 */
	CU_ASSERT_EQUAL(st.th[0].st, CLAB_TS_BLOCK);
	CU_ASSERT_EQUAL(clab_replay_waits_for(rp, &st, 0), 1);
	at(rp, &st, 25);
	CU_ASSERT_EQUAL(st.th[1].st, CLAB_TS_DONE);
	CU_ASSERT_EQUAL(clab_replay_waits_for(rp, &st, 0), CLAB_REPLAY_NONE);
	at(rp, &st, 28); /* T2 ended holding m */
	CU_ASSERT_EQUAL(st.th[2].st, CLAB_TS_DONE);
	CU_ASSERT_EQUAL(st.ob[M].a, 3);

	clab_rstate_destroy(&st);
	clab_replay_free(rp);
	clab_trace_free(tr);
}

static void test_basic_links(void)
{
	struct clab_trace *tr = trace_basic();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	struct clab_replay *rp;
	CU_ASSERT_EQUAL_FATAL(clab_replay_new(tr, 0, &rp), 0);
	CU_ASSERT_EQUAL(clab_replay_cause(rp, 6), CLAB_REPLAY_NONE);
	CU_ASSERT_EQUAL(clab_replay_cause(rp, 10), 9);
	CU_ASSERT_EQUAL(clab_replay_cause(rp, 14), 13);
	CU_ASSERT_EQUAL(clab_replay_cause(rp, 16), 15);
	CU_ASSERT_EQUAL(clab_replay_cause(rp, 19), 18);
	CU_ASSERT_EQUAL(clab_replay_cause(rp, 23), 22);
	CU_ASSERT_EQUAL(clab_replay_cause(rp, 26), 25);
	CU_ASSERT_EQUAL(clab_replay_cause(rp, 9), CLAB_REPLAY_NONE);

	CU_ASSERT_EQUAL(clab_replay_ndiags(rp), 1);
	CU_ASSERT_EQUAL(clab_replay_diag(rp, 0), 27);
	CU_ASSERT_EQUAL(clab_replay_diag_next(rp, 0, 1), 27);
	CU_ASSERT_EQUAL(clab_replay_diag_next(rp, 27, 1), CLAB_REPLAY_NONE);
	CU_ASSERT_EQUAL(clab_replay_diag_next(rp, 28, -1), 27);
	CU_ASSERT_EQUAL(clab_replay_deadlock(rp), CLAB_REPLAY_NONE);

	CU_ASSERT_EQUAL(clab_replay_thread_next(rp, 1, 6, 1), 9);
	CU_ASSERT_EQUAL(clab_replay_thread_next(rp, 1, 9, -1), 6);
	CU_ASSERT_EQUAL(clab_replay_thread_next(rp, 1, 4, -1),
			CLAB_REPLAY_NONE);
	CU_ASSERT_EQUAL(clab_replay_object_next(rp, M, 10, -1), 9);
	CU_ASSERT_EQUAL(clab_replay_object_next(rp, M, 10, 1), 13);
	CU_ASSERT_EQUAL(clab_replay_object_next(rp, S, 23, 1),
			CLAB_REPLAY_NONE);

	/* acquires of m: 6, 10, 14, 19; all but the first waited */
	const struct clab_rstats *os = clab_replay_object_stats(rp, M);
	CU_ASSERT_EQUAL(os->acquisitions, 4);
	CU_ASSERT_EQUAL(os->contended, 3);
	CU_ASSERT_EQUAL(os->hold_ns, 3000 + 3000 + 4000);
	const struct clab_rstats *t0 = clab_replay_thread_stats(rp, 0);
	CU_ASSERT_EQUAL(t0->contended, 1);
	CU_ASSERT_EQUAL(t0->wait_ns, 6000 + 2000); /* m 8..14, join 24..26 */
	CU_ASSERT_EQUAL(clab_replay_thread_stats(rp, 1)->sleep_ns, 9000);

	CU_ASSERT_EQUAL(clab_replay_search(rp, 0, 1, "sem.release"), 22);
	CU_ASSERT_EQUAL(clab_replay_search(rp, 22, 1, "SEM.RELEASE"), 22);
	CU_ASSERT_EQUAL(clab_replay_search(rp, 5, -1, "exit-holding"), 27);
	CU_ASSERT_EQUAL(clab_replay_search(rp, 0, 1, "no such thing"),
			CLAB_REPLAY_NONE);
	clab_replay_free(rp);
	clab_trace_free(tr);
}

static void test_synthetic_deadlock(void)
{
	static const uint8_t kinds[] = {CLAB_O_MUTEX, CLAB_O_MUTEX, 0};
	enum { A = 4, B = 5 };
	struct syn s;
	syn_begin(&s, 3, kinds);
	rec(&s, 1, CLAB_K_THREAD_START, 2, 1, 0, 0);
	rec(&s, 2, CLAB_K_THREAD_START, 3, 1, 0, 0);
	rec(&s, 1, CLAB_K_MUTEX_ACQUIRE, A, 1, 0, 1);
	rec(&s, 2, CLAB_K_MUTEX_ACQUIRE, B, 1, 0, 1);
	rec(&s, 1, CLAB_K_MUTEX_REQUEST, B, 0, 0, 0);
	rec(&s, 2, CLAB_K_MUTEX_REQUEST, A, 0, 0, 0); /* 5: the cycle */
	rec(&s, 0, CLAB_K_DIAG, 0, 0, CLAB_D_DEADLOCK, 2);
	struct clab_trace *tr = syn_end(&s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	struct clab_replay *rp;
	CU_ASSERT_EQUAL_FATAL(clab_replay_new(tr, 0, &rp), 0);
	struct clab_rstate st;
	CU_ASSERT_EQUAL_FATAL(clab_rstate_init(rp, &st), 0);
	uint32_t c[8];
	at(rp, &st, 4);
	CU_ASSERT_EQUAL(clab_replay_cycle(rp, &st, c, 8), 0);
	at(rp, &st, 5);
	CU_ASSERT_EQUAL_FATAL(clab_replay_cycle(rp, &st, c, 8), 2);
	CU_ASSERT_EQUAL(c[0], 1);
	CU_ASSERT_EQUAL(c[1], 2);
	CU_ASSERT_EQUAL(clab_replay_deadlock(rp), 6);
	clab_rstate_destroy(&st);
	clab_replay_free(rp);
	clab_trace_free(tr);
}

/* Two readers, a writer behind them, then both readers upgrade. */
static void test_synthetic_rwlock(void)
{
	static const uint8_t kinds[] = {CLAB_O_RWLOCK, 0};
	enum { L = 4 };
	struct syn s;
	syn_begin(&s, 3, kinds);
	rec(&s, 1, CLAB_K_THREAD_START, 2, 1, 0, 0);
	rec(&s, 2, CLAB_K_THREAD_START, 3, 1, 0, 0);
	rec(&s, 1, CLAB_K_RW_READ_ACQUIRE, L, 1, 0, 1);	 /* 2 */
	rec(&s, 2, CLAB_K_RW_READ_ACQUIRE, L, 2, 0, 2);	 /* 3 */
	rec(&s, 0, CLAB_K_RW_WRITE_REQUEST, L, 3, 0, 2); /* 4 */
	rec(&s, 0, CLAB_K_RW_TIMEOUT, L, 4, 1, 2);	 /* 5 */
	rec(&s, 1, CLAB_K_RW_WRITE_REQUEST, L, 5, 0, 2); /* 6 */
	rec(&s, 2, CLAB_K_RW_WRITE_REQUEST, L, 6, 0, 2); /* 7: the cycle */
	struct clab_trace *tr = syn_end(&s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	struct clab_replay *rp;
	CU_ASSERT_EQUAL_FATAL(clab_replay_new(tr, 0, &rp), 0);
	struct clab_rstate st;
	CU_ASSERT_EQUAL_FATAL(clab_rstate_init(rp, &st), 0);
	uint32_t c[8], h[8];
	at(rp, &st, 4); /* both read; the writer waits for one of them */
	CU_ASSERT_EQUAL(st.ob[L].a, 0);
	CU_ASSERT_EQUAL(st.ob[L].b, 6); /* T1 and T2 */
	CU_ASSERT_EQUAL(st.th[0].st, CLAB_TS_REQ);
	CU_ASSERT_EQUAL(clab_replay_waits_for(rp, &st, 0), 1);
	CU_ASSERT_EQUAL_FATAL(clab_replay_held(rp, &st, 2, h, 8), 1);
	CU_ASSERT_EQUAL(h[0], L);
	CU_ASSERT_EQUAL(clab_replay_held(rp, &st, 0, h, 8), 0);
	at(rp, &st, 5); /* it gave up */
	CU_ASSERT_EQUAL(st.th[0].st, CLAB_TS_RUN);
	at(rp, &st, 6); /* T1 upgrades: it waits for T2, not itself */
	CU_ASSERT_EQUAL(clab_replay_waits_for(rp, &st, 1), 2);
	CU_ASSERT_EQUAL(clab_replay_cycle(rp, &st, c, 8), 0);
	at(rp, &st, 7);
	CU_ASSERT_EQUAL(clab_replay_waits_for(rp, &st, 2), 1);
	CU_ASSERT_EQUAL_FATAL(clab_replay_cycle(rp, &st, c, 8), 2);
	CU_ASSERT_EQUAL(c[0], 1);
	CU_ASSERT_EQUAL(c[1], 2);
	clab_rstate_destroy(&st);
	clab_replay_free(rp);
	clab_trace_free(tr);
}

/* ---- real traces of every lab variant ---- */

static char tmpdir[256];

/*
 * A controlled run of lab's variant, loaded with its children's traces, or
 * alone (its parent's trace only, as where children record nothing).
 */
static struct clab_trace *lab_trace_as(const char *lab, const char *variant,
				       int alone)
{
	char path[512], err[512];
	snprintf(path, sizeof(path), "%s/%s-%s.clt", tmpdir, lab, variant);
	int rc = tu_run_lab(conclab, lab, variant, path);
	CU_ASSERT(rc >= 0 && rc <= 3);
	struct clab_trace *tr = NULL;
	if ((alone ? clab_trace_load_process
		   : clab_trace_load)(path, &tr, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		CU_FAIL("lab trace did not load");
		tr = NULL;
	}
	unlink(path);
	return tr;
}

static struct clab_trace *lab_trace(const char *lab, const char *variant)
{
	return lab_trace_as(lab, variant, 0);
}

/* Invariants every state must keep. */
static void check_invariants(const struct clab_replay *rp,
			     const struct clab_rstate *st)
{
	const struct clab_trace *tr = clab_replay_trace(rp);
	uint32_t held[64] = {0};
	for (uint32_t o = 1; o <= st->nobjects; o++) {
		const struct clab_object_info *oi = clab_trace_object(tr, o);
		if ((oi->kind == CLAB_O_MUTEX || oi->kind == CLAB_O_RWLOCK) &&
		    st->ob[o].a) {
			CU_ASSERT(st->ob[o].a <= st->nthreads);
			if (st->ob[o].a - 1 < 64)
				held[st->ob[o].a - 1]++;
		}
		/* a reader-writer lock's readers, one bit each */
		for (uint32_t t = 0; oi->kind == CLAB_O_RWLOCK && t < 32; t++)
			held[t] += st->ob[o].b >> t & 1;
	}
	for (uint32_t t = 0; t < st->nthreads && t < 64; t++) {
		CU_ASSERT_EQUAL(st->th[t].nheld, held[t]);
		if (st->th[t].st == CLAB_TS_REQ)
			CU_ASSERT(st->th[t].obj != 0);
	}
}

static void seek_equals_scan(const char *lab, const char *variant)
{
	struct clab_trace *tr = lab_trace(lab, variant);
	if (!tr)
		return;
	struct clab_replay *rp;
	/* small checkpoint distance, so that many seeks cross them */
	CU_ASSERT_EQUAL_FATAL(clab_replay_new(tr, 37, &rp), 0);
	struct clab_rstate a, b;
	CU_ASSERT_EQUAL_FATAL(clab_rstate_init(rp, &a), 0);
	CU_ASSERT_EQUAL_FATAL(clab_rstate_init(rp, &b), 0);
	uint32_t n = clab_replay_nrecords(rp);
	CU_ASSERT(n > 10);
	uint64_t rnd = 42;
	unsigned bad = 0;
	for (uint32_t k = 0; k < 300; k++) {
		/* the ends, then random positions in random order */
		uint32_t i = k == 0 ? 0
			     : k == 1
				 ? n
				 : (uint32_t)(clab_lab_rand(&rnd) % (n + 1));
		clab_replay_seek(rp, &a, i);
		clab_replay_scan(rp, &b, i);
		if (!clab_rstate_equal(&a, &b) && bad++ < 3)
			fprintf(stderr, "%s/%s: seek(%u) != scan(%u)\n", lab,
				variant, i, i);
		check_invariants(rp, &a);
	}
	CU_ASSERT_EQUAL(bad, 0);
	/* stepping record by record equals seeking */
	clab_replay_seek(rp, &a, 0);
	for (uint32_t i = 1; i <= n && i < 3000; i++) {
		clab_replay_step(rp, &a);
		if (i % 97 == 0) {
			clab_replay_seek(rp, &b, i);
			CU_ASSERT(clab_rstate_equal(&a, &b));
		}
	}
	/* every cause precedes its effect and is about the same object */
	for (uint32_t i = 0; i < n; i++) {
		uint32_t c = clab_replay_cause(rp, i);
		if (c == CLAB_REPLAY_NONE)
			continue;
		CU_ASSERT(c < i);
		CU_ASSERT_EQUAL(clab_trace_record(tr, c)->obj,
				clab_trace_record(tr, i)->obj);
	}
	clab_rstate_destroy(&a);
	clab_rstate_destroy(&b);
	clab_replay_free(rp);
	clab_trace_free(tr);
}

static void test_every_variant(void)
{
	for (size_t l = 0; l < clab_nlabs; l++)
		for (size_t v = 0; v < clab_labs[l]->nvariants; v++)
			seek_equals_scan(clab_labs[l]->name,
					 clab_labs[l]->variants[v].name);
}

static void test_philosophers_deadlock(void)
{
	struct clab_trace *tr = lab_trace("philosophers", "naive");
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	struct clab_replay *rp;
	CU_ASSERT_EQUAL_FATAL(clab_replay_new(tr, 0, &rp), 0);
	uint32_t d = clab_replay_deadlock(rp);
	CU_ASSERT_NOT_EQUAL_FATAL(d, CLAB_REPLAY_NONE);
	CU_ASSERT(clab_replay_ndiags(rp) >= 6); /* deadlock + 6 blocked */
	struct clab_rstate st;
	CU_ASSERT_EQUAL_FATAL(clab_rstate_init(rp, &st), 0);
	at(rp, &st, d);
	uint32_t c[16];
	size_t len = clab_replay_cycle(rp, &st, c, 16);
	CU_ASSERT_EQUAL(len, 5); /* five philosophers, one fork each */
	for (size_t k = 0; k < len; k++) {
		uint32_t t = c[k];
		const struct clab_thread_info *ti = clab_trace_thread(tr, t);
		CU_ASSERT(strncmp(ti->name, "phil-", 5) == 0);
		CU_ASSERT_EQUAL(st.th[t].st, CLAB_TS_REQ);
		CU_ASSERT_EQUAL(st.th[t].nheld, 1);
		CU_ASSERT_EQUAL(clab_replay_waits_for(rp, &st, t),
				c[(k + 1) % len]);
	}
	/* main joins phil-0 and waits for it */
	CU_ASSERT_EQUAL(st.th[0].st, CLAB_TS_BLOCK);
	clab_rstate_destroy(&st);
	clab_replay_free(rp);
	clab_trace_free(tr);
}

static void test_prodcons_signals(void)
{
	struct clab_trace *tr = lab_trace("prodcons", "condvar");
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	struct clab_replay *rp;
	CU_ASSERT_EQUAL_FATAL(clab_replay_new(tr, 0, &rp), 0);
	size_t wakes = 0, linked = 0, acq = 0;
	for (uint32_t i = 0; i < clab_replay_nrecords(rp); i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		uint32_t c = clab_replay_cause(rp, i);
		if (r->kind == CLAB_K_COND_WAKE && r->a8 == CLAB_CAUSE_SIGNAL) {
			wakes++;
			if (c != CLAB_REPLAY_NONE) {
				unsigned k = clab_trace_record(tr, c)->kind;
				linked += k == CLAB_K_COND_SIGNAL ||
					  k == CLAB_K_COND_BROADCAST;
			}
		}
		if (r->kind == CLAB_K_MUTEX_ACQUIRE && c != CLAB_REPLAY_NONE) {
			const struct clab_record *p = clab_trace_record(tr, c);
			CU_ASSERT_EQUAL(p->kind, CLAB_K_MUTEX_RELEASE);
			CU_ASSERT_EQUAL(p->oseq + 1, r->oseq);
			acq++;
		}
	}
	CU_ASSERT(wakes > 0);
	CU_ASSERT_EQUAL(linked, wakes);
	CU_ASSERT(acq > 0);
	clab_replay_free(rp);
	clab_trace_free(tr);
}

/* ---- the lock-order view's model ---- */

static void test_lorder_naive(void)
{
	struct clab_trace *tr = lab_trace("philosophers", "naive");
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	struct clab_lorder lo;
	CU_ASSERT_EQUAL_FATAL(clab_lorder_build(tr, &lo), 0);
	CU_ASSERT_EQUAL_FATAL(lo.ncycles, 1);
	const struct clab_lorder_cycle *c = &lo.cycles[0];
	CU_ASSERT_EQUAL(c->cls, CLAB_LD_DEADLOCK);
	CU_ASSERT_EQUAL_FATAL(c->nedges, 5);
	char name[64];
	for (uint32_t k = 0; k < c->nedges; k++) {
		const struct clab_lorder_edge *e = &c->edges[k];
		/* fork-k -> fork-(k+1), from the lowest lock, as a chain */
		snprintf(name, sizeof(name), "fork-%u", k);
		CU_ASSERT_STRING_EQUAL(clab_trace_object(tr, e->from)->name,
				       name);
		CU_ASSERT_EQUAL(e->to, c->edges[(k + 1) % 5].from);
		const struct clab_thread_info *ti =
		    clab_trace_thread(tr, e->tid);
		snprintf(name, sizeof(name), "phil-%u", k);
		CU_ASSERT_STRING_EQUAL(ti->name, name);
		CU_ASSERT(e->from_site != e->to_site);
		CU_ASSERT_NOT_EQUAL_FATAL(e->first, UINT32_MAX);
		const struct clab_record *r = clab_trace_record(tr, e->first);
		CU_ASSERT_EQUAL(r->tid, e->tid);
		CU_ASSERT_EQUAL(r->obj, e->to);
	}
	/* the record that closed it: a request by the cycle's thread */
	CU_ASSERT_NOT_EQUAL_FATAL(c->record, UINT32_MAX);
	const struct clab_record *r = clab_trace_record(tr, c->record);
	CU_ASSERT_EQUAL(r->kind, CLAB_K_MUTEX_REQUEST);
	CU_ASSERT_EQUAL(r->tid, c->tid);
	/* and the diagnostic the run recorded for it, cycle 1 */
	CU_ASSERT_NOT_EQUAL_FATAL(c->diag, UINT32_MAX);
	r = clab_trace_record(tr, c->diag);
	CU_ASSERT_EQUAL(r->kind, CLAB_K_DIAG);
	CU_ASSERT_EQUAL(r->a8, CLAB_D_LOCK_CYCLE);
	CU_ASSERT_EQUAL(r->a32, 1);
	clab_lorder_fini(&lo);
	clab_lorder_fini(&lo); /* an empty one is fine */
	clab_trace_free(tr);
}

static void test_lorder_ordered(void)
{
	struct clab_trace *tr = lab_trace("philosophers", "ordered");
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	struct clab_lorder lo;
	CU_ASSERT_EQUAL_FATAL(clab_lorder_build(tr, &lo), 0);
	CU_ASSERT_EQUAL(lo.ncycles, 0);
	clab_lorder_fini(&lo);
	clab_trace_free(tr);
}

/* ---- lab pictures ---- */

static void test_labpic_naive(void)
{
	struct clab_trace *tr = lab_trace("philosophers", "naive");
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	struct clab_replay *rp;
	struct clab_labpic *lp;
	struct clab_rstate st;
	CU_ASSERT_EQUAL_FATAL(clab_replay_new(tr, 0, &rp), 0);
	CU_ASSERT_EQUAL_FATAL(clab_labpic_new(rp, &lp), 0);
	CU_ASSERT_EQUAL_FATAL(clab_labpic_kind(lp), CLAB_PIC_PHILOSOPHERS);
	CU_ASSERT_EQUAL_FATAL(clab_rstate_init(rp, &st), 0);
	uint32_t d = clab_replay_deadlock(rp);
	CU_ASSERT_NOT_EQUAL_FATAL(d, CLAB_REPLAY_NONE);
	clab_replay_seek(rp, &st, d + 1);
	struct clab_phil ph[8];
	CU_ASSERT_EQUAL_FATAL(clab_labpic_philos(lp, &st, d, ph, 8), 5);
	for (uint32_t i = 0; i < 5; i++) {
		/* each holds its left fork and wants its right one */
		CU_ASSERT_EQUAL(ph[i].index, i);
		CU_ASSERT_EQUAL(ph[i].doing, CLAB_PH_WANTS);
		CU_ASSERT_EQUAL(ph[i].wants, ph[i].right);
		CU_ASSERT_EQUAL(ph[i].right, ph[(i + 1) % 5].left);
		CU_ASSERT_EQUAL(st.ob[ph[i].left].a, ph[i].tid + 1);
	}
	/* before anything happened, nobody sits at the table */
	clab_replay_seek(rp, &st, 1);
	CU_ASSERT_EQUAL(clab_labpic_philos(lp, &st, 0, ph, 8), 5);
	CU_ASSERT_EQUAL(ph[0].doing, CLAB_PH_AWAY);
	clab_rstate_destroy(&st);
	clab_labpic_free(lp);
	clab_replay_free(rp);
	clab_trace_free(tr);
}

static void test_labpic_ordered(void)
{
	struct clab_trace *tr = lab_trace("philosophers", "ordered");
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	struct clab_replay *rp;
	struct clab_labpic *lp;
	struct clab_rstate st;
	CU_ASSERT_EQUAL_FATAL(clab_replay_new(tr, 0, &rp), 0);
	CU_ASSERT_EQUAL_FATAL(clab_labpic_new(rp, &lp), 0);
	CU_ASSERT_EQUAL_FATAL(clab_rstate_init(rp, &st), 0);
	uint32_t n = clab_replay_nrecords(rp), eating = 0, left = 0;
	struct clab_phil ph[8];
	clab_replay_seek(rp, &st, 0);
	for (uint32_t i = 0; i < n; i++) {
		clab_replay_step(rp, &st);
		size_t np = clab_labpic_philos(lp, &st, i, ph, 8);
		CU_ASSERT_EQUAL_FATAL(np, 5);
		for (size_t k = 0; k < np; k++) {
			if (ph[k].doing == CLAB_PH_EAT) {
				/* an eating philosopher holds both forks */
				eating++;
				CU_ASSERT_EQUAL(st.ob[ph[k].left].a,
						ph[k].tid + 1);
				CU_ASSERT_EQUAL(st.ob[ph[k].right].a,
						ph[k].tid + 1);
				CU_ASSERT(ph[k].meal >= 1);
			}
			if (i + 1 == n)
				left += ph[k].doing == CLAB_PH_LEFT;
		}
	}
	CU_ASSERT(eating > 0);
	CU_ASSERT_EQUAL(left, 5); /* all finished at the end */
	clab_rstate_destroy(&st);
	clab_labpic_free(lp);
	clab_replay_free(rp);
	clab_trace_free(tr);
}

static void test_labpic_buffer(void)
{
	struct clab_trace *tr = lab_trace("prodcons", "condvar");
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	struct clab_replay *rp;
	struct clab_labpic *lp, *lp2;
	CU_ASSERT_EQUAL_FATAL(clab_replay_new(tr, 0, &rp), 0);
	CU_ASSERT_EQUAL_FATAL(clab_labpic_new(rp, &lp), 0);
	CU_ASSERT_EQUAL_FATAL(clab_labpic_new(rp, &lp2), 0);
	CU_ASSERT_EQUAL_FATAL(clab_labpic_kind(lp), CLAB_PIC_BUFFER);
	long cap = atol(clab_trace_meta(tr, "param.capacity"));
	uint32_t n = clab_replay_nrecords(rp);
	struct clab_buffer_pic b, b2;
	uint64_t maxfull = 0;
	for (uint32_t i = 0; i < n; i++) {
		CU_ASSERT_EQUAL_FATAL(clab_labpic_buffer(lp, i, &b), 0);
		CU_ASSERT_EQUAL(b.cap, (uint32_t)cap);
		uint64_t full = 0;
		for (uint32_t s = 0; s < b.cap; s++)
			full += b.item[s] != 0;
		/* a correct buffer: the items in it are those put, not got */
		CU_ASSERT_EQUAL(full, b.puts - b.gets);
		CU_ASSERT(full <= (uint64_t)cap);
		CU_ASSERT_EQUAL(b.bad, CLAB_REPLAY_NONE);
		maxfull = full > maxfull ? full : maxfull;
	}
	CU_ASSERT(maxfull > 0);
	CU_ASSERT(b.puts > 0 && b.puts == b.gets); /* empty at the end */
	/* going back gives what a fresh look gives */
	uint32_t mid = n / 2;
	CU_ASSERT_EQUAL(clab_labpic_buffer(lp, mid, &b), 0);
	CU_ASSERT_EQUAL(clab_labpic_buffer(lp2, mid, &b2), 0);
	CU_ASSERT_EQUAL(b.puts, b2.puts);
	CU_ASSERT_EQUAL(b.head, b2.head);
	CU_ASSERT_EQUAL(b.tail, b2.tail);
	CU_ASSERT(memcmp(b.item, b2.item, b.cap * sizeof(*b.item)) == 0);
	CU_ASSERT(b.last <= mid);
	clab_labpic_free(lp);
	clab_labpic_free(lp2);
	clab_labpic_free(NULL);
	clab_replay_free(rp);
	clab_trace_free(tr);
}

/* The record of the first kind k in tr, or NONE. */
static uint32_t first_kind(const struct clab_trace *tr, unsigned k)
{
	for (size_t i = 0; i < clab_trace_nrecords(tr); i++)
		if (clab_trace_record(tr, i)->kind == k)
			return (uint32_t)i;
	return CLAB_REPLAY_NONE;
}

/* The processes lab's picture of a controlled run, and its replay. */
struct procs {
	struct clab_trace *tr;
	struct clab_replay *rp;
	struct clab_labpic *lp;
	struct clab_rstate st;
	struct clab_proc_pic pr[4];
	struct clab_pipe_pic pi[4];
};

/*
 * A controlled run of the processes lab's variant, its parent's trace
 * alone (as where a child records nothing) or its family: 0, or -1 (the
 * failure asserted).
 */
static int procs_open(struct procs *p, const char *variant, int alone)
{
	memset(p, 0, sizeof(*p));
	p->tr = lab_trace_as("processes", variant, alone);
	CU_ASSERT_PTR_NOT_NULL(p->tr);
	if (!p->tr)
		return -1;
	CU_ASSERT_EQUAL_FATAL(clab_replay_new(p->tr, 0, &p->rp), 0);
	CU_ASSERT_EQUAL_FATAL(clab_labpic_new(p->rp, &p->lp), 0);
	CU_ASSERT_EQUAL_FATAL(clab_labpic_kind(p->lp), CLAB_PIC_PROCESSES);
	CU_ASSERT_EQUAL_FATAL(clab_rstate_init(p->rp, &p->st), 0);
	return 0;
}

/* Its processes after record r: how many. */
static int procs_at(struct procs *p, uint32_t r)
{
	clab_replay_seek(p->rp, &p->st, r + 1);
	return clab_labpic_procs(p->lp, &p->st, r, p->pr, 4);
}

/* The record of its deadlock (asserted). */
static uint32_t procs_deadlock(struct procs *p)
{
	uint32_t d = clab_replay_deadlock(p->rp);
	CU_ASSERT_NOT_EQUAL_FATAL(d, CLAB_REPLAY_NONE);
	return d;
}

static void procs_close(struct procs *p)
{
	clab_rstate_destroy(&p->st);
	clab_labpic_free(p->lp);
	clab_replay_free(p->rp);
	clab_trace_free(p->tr);
}

/*
 * The processes lab under control, the parent's trace alone, as where a
 * child records nothing: the parent waits for its child at the deadlock,
 * the child is there as what the parent saw of it, and its pipe's count is
 * not known.  Main has its pid (process.pid) under control too.
 */
static void test_labpic_procs_wait(void)
{
	struct procs p;
	struct clab_counter_pic c;
	if (procs_open(&p, "wait-then-read", 1) != 0)
		return;
	/* before anything: main runs, the child is not forked, no pipe */
	CU_ASSERT_EQUAL_FATAL(procs_at(&p, 0), 2);
	CU_ASSERT_STRING_EQUAL(p.pr[0].name, "main");
	CU_ASSERT_EQUAL(p.pr[0].doing, CLAB_PR_RUN);
	CU_ASSERT(p.pr[0].pid > 0);
	CU_ASSERT_STRING_EQUAL(p.pr[1].name, "child");
	CU_ASSERT_EQUAL(p.pr[1].doing, CLAB_PR_AWAY);
	CU_ASSERT_EQUAL(clab_labpic_pipes(p.lp, 0, p.pi, 4), 0);
	CU_ASSERT_EQUAL(clab_labpic_counter(p.lp, 0, &c), -1);
	/* at the deadlock: main waits for the child, which records nothing */
	uint32_t d = procs_deadlock(&p);
	CU_ASSERT_EQUAL_FATAL(procs_at(&p, d), 2);
	CU_ASSERT_EQUAL(p.pr[0].doing, CLAB_PR_CHILD);
	CU_ASSERT_EQUAL(p.pr[0].on, 1);
	CU_ASSERT_EQUAL(p.pr[1].doing, CLAB_PR_UNSEEN);
	CU_ASSERT(p.pr[1].pid > 0);
	CU_ASSERT(p.pr[0].pid > 0 && p.pr[0].pid != p.pr[1].pid);
	CU_ASSERT_EQUAL_FATAL(clab_labpic_pipes(p.lp, d, p.pi, 4), 1);
	CU_ASSERT_STRING_EQUAL(p.pi[0].name, "results");
	CU_ASSERT_EQUAL(p.pi[0].cap, 4);
	CU_ASSERT(p.pi[0].unseen);
	CU_ASSERT_EQUAL(p.pi[0].readers,
			1); /* main, which closed its write end */
	CU_ASSERT_EQUAL(p.pi[0].writers, 0);
	procs_close(&p);
}

/*
 * The pipe variant's reads and reaping (the parent's trace alone); the
 * shared counter's notes.
 */
static void test_labpic_procs_end(void)
{
	struct procs p;
	struct clab_counter_pic c;
	if (procs_open(&p, "pipe", 1) != 0)
		return;
	/* at the end of file main still reads; then it reaps the child */
	uint32_t eof = first_kind(p.tr, CLAB_K_PIPE_EOF);
	uint32_t reap = first_kind(p.tr, CLAB_K_PROC_REAPED);
	CU_ASSERT_FATAL(eof != CLAB_REPLAY_NONE && reap != CLAB_REPLAY_NONE);
	CU_ASSERT(eof < reap);
	CU_ASSERT_EQUAL_FATAL(procs_at(&p, eof), 2);
	CU_ASSERT_EQUAL(p.pr[0].doing, CLAB_PR_RUN);
	CU_ASSERT_EQUAL(p.pr[1].doing, CLAB_PR_UNSEEN);
	CU_ASSERT_EQUAL_FATAL(procs_at(&p, reap), 2);
	CU_ASSERT_EQUAL(p.pr[1].doing, CLAB_PR_EXITED);
	CU_ASSERT_EQUAL(p.pr[1].status, 0);
	/* the child gone, the pipe's count is main's own: empty */
	CU_ASSERT_EQUAL_FATAL(clab_labpic_pipes(p.lp, reap, p.pi, 4), 1);
	CU_ASSERT(!p.pi[0].unseen);
	CU_ASSERT_EQUAL(p.pi[0].units, 0);
	procs_close(&p);

	if (procs_open(&p, "shared-locked", 0) != 0)
		return;
	uint32_t n = clab_replay_nrecords(p.rp);
	CU_ASSERT_EQUAL(clab_labpic_counter(p.lp, 0, &c), 0);
	CU_ASSERT_EQUAL(c.total, -1); /* not read yet */
	CU_ASSERT_EQUAL(clab_labpic_counter(p.lp, n - 1, &c), 0);
	CU_ASSERT_EQUAL(c.nmade, 3);
	CU_ASSERT_EQUAL(c.made, 120);
	CU_ASSERT_EQUAL(c.total, 120);
	procs_close(&p);
}

/*
 * The same deadlock with the child's trace merged in (a child records
 * under control too): the child waits for room in the full pipe, and the
 * pipe's count and ends are known; main's pid is the one the child's
 * trace names as its parent's.  Where children record nothing (the
 * sanitizers' builds, runtime/proc.c), it is the test above.
 */
static void test_labpic_procs_family(void)
{
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
	return;
#endif
	struct procs p;
	if (procs_open(&p, "wait-then-read", 0) != 0)
		return;
	uint32_t d = procs_deadlock(&p);
	CU_ASSERT_EQUAL_FATAL(procs_at(&p, d), 2);
	CU_ASSERT_EQUAL(p.pr[0].doing, CLAB_PR_CHILD);
	CU_ASSERT_EQUAL(p.pr[0].on, 1);
	/* main's pid, as its child's own trace names its parent's */
	char path[512], err[512];
	snprintf(path, sizeof(path), "%s/processes-wait-then-read.%ld.clt",
		 tmpdir, (long)p.pr[1].pid);
	struct clab_trace *ct = NULL;
	CU_ASSERT_EQUAL(clab_trace_load_process(path, &ct, err, sizeof(err)),
			0);
	const char *ppid = ct ? clab_trace_meta(ct, "process.parent_pid") : 0;
	CU_ASSERT_PTR_NOT_NULL(ppid);
	CU_ASSERT(p.pr[0].pid > 0 && ppid && p.pr[0].pid == atol(ppid));
	clab_trace_free(ct);
	CU_ASSERT(p.pr[1].recorded);
	CU_ASSERT_EQUAL(p.pr[1].doing, CLAB_PR_WRITE);
	CU_ASSERT_EQUAL_FATAL(clab_labpic_pipes(p.lp, d, p.pi, 4), 1);
	CU_ASSERT_EQUAL(p.pr[1].on, p.pi[0].index);
	CU_ASSERT(!p.pi[0].unseen);
	CU_ASSERT_EQUAL(p.pi[0].units, 4);
	CU_ASSERT_EQUAL(p.pi[0].cap, 4);
	CU_ASSERT_EQUAL(p.pi[0].writers, 2u); /* the child's end */
	CU_ASSERT_EQUAL(p.pi[0].readers, 1u); /* main's */
	procs_close(&p);
}

/* Another lab, or a trace from no lab: no picture, and a reason. */
static void test_labpic_none(void)
{
	struct clab_trace *tr = lab_trace("timer", "condvar");
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	struct clab_replay *rp;
	struct clab_labpic *lp;
	struct clab_buffer_pic b;
	CU_ASSERT_EQUAL_FATAL(clab_replay_new(tr, 0, &rp), 0);
	CU_ASSERT_EQUAL_FATAL(clab_labpic_new(rp, &lp), 0);
	CU_ASSERT_EQUAL(clab_labpic_kind(lp), CLAB_PIC_NONE);
	CU_ASSERT(strstr(clab_labpic_why(lp), "no picture") != NULL);
	CU_ASSERT_EQUAL(clab_labpic_buffer(lp, 0, &b), -1);
	clab_labpic_free(lp);
	clab_replay_free(rp);
	clab_trace_free(tr);
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "states of a synthetic trace", test_basic_states);
	CU_add_test(s, "causality, navigation, statistics, search",
		    test_basic_links);
	CU_add_test(s, "a wait-for cycle", test_synthetic_deadlock);
	CU_add_test(s, "a reader-writer lock: readers, upgrades",
		    test_synthetic_rwlock);
	CU_add_test(s, "philosophers naive: the cycle at the deadlock",
		    test_philosophers_deadlock);
	CU_add_test(s, "prodcons condvar: wakes link to signals",
		    test_prodcons_signals);
	CU_add_test(s, "seek equals scan on every lab variant",
		    test_every_variant);
	CU_add_test(s, "lock order: the naive philosophers' 5-fork cycle",
		    test_lorder_naive);
	CU_add_test(s, "lock order: none for ordered philosophers",
		    test_lorder_ordered);
	CU_add_test(s, "picture: the naive philosophers at the deadlock",
		    test_labpic_naive);
	CU_add_test(s, "picture: ordered philosophers eat with two forks",
		    test_labpic_ordered);
	CU_add_test(s, "picture: the prodcons buffer", test_labpic_buffer);
	CU_add_test(s, "picture: none for other labs", test_labpic_none);
	CU_add_test(s, "picture: processes at a deadlock, a child unseen",
		    test_labpic_procs_wait);
	CU_add_test(s, "picture: processes reaped, a shared counter",
		    test_labpic_procs_end);
	CU_add_test(s, "picture: processes at a deadlock, the family",
		    test_labpic_procs_family);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: test-replay path/to/conclab\n");
		return 2;
	}
	conclab = argv[1];
	snprintf(tmpdir, sizeof(tmpdir), "%s/conclab-replay-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	int rc = tu_main("tui/replay", add_tests);
	if (tu_remove_dir(tmpdir) != 0) {
		perror(tmpdir);
		rc = rc ? rc : 1;
	}
	return rc;
}
