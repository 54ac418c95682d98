/*
 * conclab bench, the loops of one thread (cases 1, 2, 6 and the sustained
 * writer) and what every loop case shares: time, statistics, the trace a
 * case records into, calibration and the interleaved measurement.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <conclab/runtime.h>
#include <conclab/tracer.h>

#include "cmd.h"
#include "schedules.h"
#include "lab.h"
#include "bench.h"
#include "clab-util.h"

/* ---- time and statistics ---- */

uint64_t bench_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return clab__ts_ns(&ts);
}

/* Minor page faults of the calling (measured) thread. */
long bench_minflt(void)
{
	struct rusage ru;
	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_minflt;
}

/* Context switches of the whole process (all threads, the writer too). */
long bench_ncsw(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_nvcsw + ru.ru_nivcsw;
}

int bench_want(const struct bench *b, int c)
{
	return (b->o.only >> c) & 1;
}

double bench_median(const double *v, size_t n)
{
	double s[REPS_MAX];
	memcpy(s, v, n * sizeof(*s));
	return clab__median(s, n);
}

/* ---- the trace each case records into ---- */

int bench_trace_begin(struct bench *b, unsigned buffer_mb)
{
	snprintf(b->path, sizeof(b->path), "%s/conclab-bench-XXXXXX.clt",
		 b->dir);
	int fd = mkstemps(b->path, 4);
	if (fd < 0) {
		fprintf(stderr,
			"conclab bench: cannot create a trace in %s: "
			"%s\n",
			b->dir, strerror(errno));
		return -1;
	}
	close(fd);
	struct clab_meta_kv meta[] = {{"bench", "conclab bench"}};
	struct clab_tracer_opts topts = {
	    .path = b->path,
	    .meta = meta,
	    .nmeta = 1,
	    .buffer_mb = buffer_mb,
	    .compress = -1,
	    .codec = b->codec,
	};
	int err = clab_tracer_open(&topts);
	if (err) {
		fprintf(stderr, "conclab bench: cannot open the trace %s: %s\n",
			b->path, clab_strerror(err));
		unlink(b->path);
		return -1;
	}
	clab_thread_self(); /* the main thread is T0 */
	return 0;
}

void bench_trace_end(struct bench *b, struct clab_tracer_stats *st)
{
	int err = clab_tracer_close(st);
	if (err) {
		fprintf(stderr, "conclab bench: could not write %s: %s\n",
			b->path, clab_strerror(err));
		b->io_error = 1;
	}
	unlink(b->path);
}

/* Write what was recorded so far, so the next repetition starts empty. */
void bench_drain(void)
{
	clab_tracer_flush();
}

/* ---- running one case: calibrate, then interleave plain and conclab ---- */

typedef uint64_t (*loop_fn)(struct bench *b, long n);

/* Iterations that make run() take about the repetition's length. */
long bench_calibrate(struct bench *b, loop_fn run, long cap)
{
	long n = 64;
	for (;;) {
		uint64_t t = run(b, n);
		if (t >= b->o.rep_ns / 16 || n >= cap) {
			double k = b->o.rep_ns / (double)(t ? t : 1);
			double nn = (double)n * k;
			n = nn > (double)cap ? cap : nn < 16 ? 16 : (long)nn;
			return n;
		}
		n *= 4;
	}
}

/*
 * reps repetitions of each side, interleaved (plain first in even ones,
 * conclab first in odd ones), each starting with the writer idle.  Fills
 * the medians in ns per `per` operations, and the ratio: the median of
 * each repetition's conclab time over its plain one, taken back to back,
 * so that a slow spell of the machine hits both sides of a ratio; and
 * what conclab adds, the median of the same pairs' differences.
 */
void bench_measure(struct bench *b, struct row *r, loop_fn plain, loop_fn clab,
		   long n, double per, int reps)
{
	double tp[REPS_MAX] = {0}, tc[REPS_MAX] = {0}, q[REPS_MAX], d[REPS_MAX];
	long flt = 0, cp = 0, cc = 0;
	for (int i = 0; i < reps; i++) {
		for (int side = 0; side < 2; side++) {
			int is_clab = (side ^ (i & 1)) == 1;
			bench_drain();
			long f0 = bench_minflt(), c0 = bench_ncsw();
			if (is_clab) {
				tc[i] = (double)clab(b, n) / per;
				flt += bench_minflt() - f0;
				cc += bench_ncsw() - c0;
			} else if (plain) {
				tp[i] = (double)plain(b, n) / per;
				cp += bench_ncsw() - c0;
			}
		}
	}
	r->plain = plain ? bench_median(tp, (size_t)reps) : -1;
	r->clab = bench_median(tc, (size_t)reps);
	for (int i = 0; plain && i < reps; i++) {
		q[i] = tc[i] / tp[i];
		d[i] = tc[i] - tp[i];
	}
	r->ratio = plain ? bench_median(q, (size_t)reps) : -1;
	r->added = plain ? bench_median(d, (size_t)reps) : 0;
	r->iters = n;
	r->csw_plain = (double)cp / reps / (double)n;
	r->csw_clab = (double)cc / reps / (double)n;
	r->minflt = (double)flt / reps;
}

/* ---- case 1 and 2: one thread, lock/unlock, with or without work ---- */

/* The work's sink: volatile, so that the loop is not optimised away. */
static volatile unsigned long spin_ctr;

static inline void spin(unsigned long k)
{
	for (unsigned long i = 0; i < k; i++)
		spin_ctr++;
}

static uint64_t lock_plain(struct bench *b, long n)
{
	int err = 0;
	uint64_t t0 = clab__mono_ns();
	for (long i = 0; i < n; i++) {
		err |= pthread_mutex_lock(&b->pm);
		err |= pthread_mutex_unlock(&b->pm);
	}
	uint64_t t = clab__mono_ns() - t0;
	if (err)
		fprintf(stderr, "conclab bench: pthread mutex error\n");
	return t;
}

uint64_t bench_lock_clab(struct bench *b, long n)
{
	int err = 0;
	uint64_t t0 = clab__mono_ns();
	for (long i = 0; i < n; i++) {
		err |= clab_mutex_lock(&b->cm);
		err |= clab_mutex_unlock(&b->cm);
	}
	uint64_t t = clab__mono_ns() - t0;
	if (err)
		fprintf(stderr, "conclab bench: conclab mutex error\n");
	return t;
}

static uint64_t work_plain(struct bench *b, long n)
{
	int err = 0;
	unsigned long k = b->spin_k;
	uint64_t t0 = clab__mono_ns();
	for (long i = 0; i < n; i++) {
		err |= pthread_mutex_lock(&b->pm);
		spin(k);
		err |= pthread_mutex_unlock(&b->pm);
	}
	uint64_t t = clab__mono_ns() - t0;
	if (err)
		fprintf(stderr, "conclab bench: pthread mutex error\n");
	return t;
}

static uint64_t work_clab(struct bench *b, long n)
{
	int err = 0;
	unsigned long k = b->spin_k;
	uint64_t t0 = clab__mono_ns();
	for (long i = 0; i < n; i++) {
		err |= clab_mutex_lock(&b->cm);
		spin(k);
		err |= clab_mutex_unlock(&b->cm);
	}
	uint64_t t = clab__mono_ns() - t0;
	if (err)
		fprintf(stderr, "conclab bench: conclab mutex error\n");
	return t;
}

static uint64_t work_alone(struct bench *b, long n)
{
	unsigned long k = b->spin_k;
	uint64_t t0 = clab__mono_ns();
	for (long i = 0; i < n; i++)
		spin(k);
	return clab__mono_ns() - t0;
}

/* Find the spins that take WORK_NS: the fastest of a few tries. */
static void calibrate_spin(struct bench *b)
{
	const unsigned long k = 100000;
	double best = 1e30;
	for (int i = 0; i < 7; i++) {
		uint64_t t0 = clab__mono_ns();
		spin(k);
		double t = (double)(clab__mono_ns() - t0) / (double)k;
		if (t < best)
			best = t;
	}
	b->spin_k = (unsigned long)(WORK_NS / best + 0.5);
	if (b->spin_k == 0)
		b->spin_k = 1;
	double v[REPS];
	for (int i = 0; i < REPS; i++)
		v[i] = (double)work_alone(b, 100000) / 100000.0;
	b->work_ns = bench_median(v, REPS);
}

/* ---- case 6: records into the buffer ---- */

static uint64_t note_clab(struct bench *b, long n)
{
	(void)b;
	uint64_t t0 = clab__mono_ns();
	for (long i = 0; i < n; i++)
		clab_note("bench", i);
	return clab__mono_ns() - t0;
}

/* ---- the cases ---- */

struct row *bench_row_new(struct bench *b, const char *key, const char *label,
			  const char *unit, const char *target)
{
	struct row *r = &b->rows[b->nrows++];
	memset(r, 0, sizeof(*r));
	r->key = key;
	r->label = label;
	r->unit = unit;
	r->target = target;
	r->verdict = V_NONE;
	r->plain = -1;
	return r;
}

long bench_iters_or(struct bench *b, loop_fn cal, long cap, long div)
{
	if (b->o.iters > 0) {
		long n = b->o.iters / div;
		return n < 16 ? 16 : n;
	}
	return bench_calibrate(b, cal, cap);
}

/*
 * The ping-pongs: PP_MORE times as many repetitions, each a
 * PP_SHORTER-th as long, so that their ratios, which a round trip's wide
 * spread makes noisy, rest on many more pairs in 4/3 of the time.
 */
long bench_pp_iters(struct bench *b, loop_fn cal)
{
	if (b->o.iters > 0)
		return b->o.iters / 100 < 16 ? 16 : b->o.iters / 100;
	long n = bench_calibrate(b, cal, 1 << 22) / PP_SHORTER;
	return n < 16 ? 16 : n;
}

int bench_case_locks(struct bench *b)
{
	struct clab_tracer_stats st;
	if (bench_trace_begin(b, BUFFER_MB))
		return -1;
	pthread_mutex_init(&b->pm, NULL);
	clab_mutex_init(&b->cm, "bench.m", CLAB_MUTEX_NORMAL);

	/* 1: two records a pair; one repetition fits in the buffer */
	struct row *r = NULL, *w = NULL;
	if (bench_want(b, 1)) {
		r = bench_row_new(b, "lock_uncontended",
				  "uncontended lock/unlock pair", "ns",
				  "<=4x,+25ns");
		long n = bench_iters_or(b, bench_lock_clab, FIT_RECORDS / 2, 1);
		bench_measure(b, r, lock_plain, bench_lock_clab, n, (double)n,
			      b->o.reps);
		r->verdict = r->ratio <= 4 && r->added <= 25 ? V_PASS : V_MISS;
	}

	/* 2: the same around WORK_NS of work */
	if (bench_want(b, 2)) {
		calibrate_spin(b);
		w = bench_row_new(b, "lock_with_work",
				  "the same, ~200 ns work inside", "ns",
				  "<=1.5x");
		long n = bench_iters_or(b, work_clab, FIT_RECORDS / 2, 8);
		bench_measure(b, w, work_plain, work_clab, n, (double)n,
			      b->o.reps);
		w->verdict = w->ratio <= 1.5 ? V_PASS : V_MISS;
		snprintf(w->note, sizeof(w->note),
			 "work alone %.0f ns (%lu spins)", b->work_ns,
			 b->spin_k);
	}

	clab_mutex_destroy(&b->cm);
	pthread_mutex_destroy(&b->pm);
	bench_trace_end(b, &st);
	/* Both rows share the trace: the stalls are the two cases' total. */
	if (r) {
		r->records = st.records;
		r->stalls = st.stalls;
		snprintf(r->note, sizeof(r->note),
			 "%ld pairs/rep fit the %u MB buffer: writer stalls "
			 "%" PRIu64 ", %.0f page faults/rep",
			 r->iters, BUFFER_MB, st.stalls, r->minflt);
		bench_print_row(b, r);
	}
	if (w) {
		w->records = st.records;
		w->stalls = st.stalls;
		bench_print_row(b, w);
	}
	return 0;
}

/*
 * The sustained run: lock/unlock for sustain_ns into a small buffer, so
 * that the writer thread, not the buffer, sets the pace.
 */
int bench_case_sustained(struct bench *b)
{
	struct clab_tracer_stats st;
	struct row *r = &b->sustain;
	memset(r, 0, sizeof(*r));
	r->key = "lock_sustained";
	r->label = "  sustained (writer-bound)";
	r->unit = "ns";
	r->target = "(info)";
	r->verdict = V_NONE;
	if (bench_trace_begin(b, SUSTAIN_MB))
		return -1;
	pthread_mutex_init(&b->pm, NULL);
	clab_mutex_init(&b->cm, "bench.m", CLAB_MUTEX_NORMAL);
	const long batch = 1 << 16;
	/* plain: the same length, in the same batches */
	long pairs = 0;
	uint64_t tp = 0, tc = 0;
	while (tp < b->o.sustain_ns / 4) {
		tp += lock_plain(b, batch);
		pairs += batch;
	}
	r->plain = (double)tp / (double)pairs;
	long f0 = bench_minflt();
	pairs = 0;
	while (tc < b->o.sustain_ns) {
		tc += bench_lock_clab(b, batch);
		pairs += batch;
	}
	r->minflt = (double)(bench_minflt() - f0);
	r->clab = (double)tc / (double)pairs;
	r->ratio = r->clab / r->plain;
	r->added = r->clab - r->plain;
	r->iters = pairs;
	clab_mutex_destroy(&b->cm);
	pthread_mutex_destroy(&b->pm);
	bench_trace_end(b, &st);
	r->records = st.records;
	r->stalls = st.stalls;
	snprintf(r->note, sizeof(r->note),
		 "%.1f s, %u MB buffer: %.1f M records/s kept up, writer "
		 "stalls %" PRIu64 "; %.1f M records/CPU-s written",
		 (double)tc / 1e9, SUSTAIN_MB,
		 2.0 * (double)pairs / (double)tc * 1e3, st.stalls,
		 st.write_ns ? (double)st.records / (double)st.write_ns * 1e3
			     : 0.0);
	bench_print_row(b, r);
	return 0;
}

/* Cases 4 and 5: a ping-pong, held to within 5% of plain. */
int bench_case_records(struct bench *b)
{
	struct clab_tracer_stats st;
	if (bench_trace_begin(b, BUFFER_MB))
		return -1;
	struct row *r = bench_row_new(b, "records_per_s", "clab_note records/s",
				      "M/s", ">=50M/s");
	long n = bench_iters_or(b, note_clab, FIT_RECORDS, 1);
	bench_measure(b, r, NULL, note_clab, n, (double)n, b->o.reps);
	/* one more repetition in CPU time: on a busy machine, the rate
	 * of the thread itself */
	bench_drain();
	uint64_t c0 = bench_cpu_ns();
	note_clab(b, n);
	double cpu_rate = (double)n / (double)(bench_cpu_ns() - c0 + 1) * 1e3;
	bench_trace_end(b, &st);
	r->records = st.records;
	r->stalls = st.stalls;
	double ns = r->clab;
	r->clab = 1e3 / ns; /* M records/s */
	r->verdict = r->clab >= 50 ? V_PASS : V_MISS;
	snprintf(r->note, sizeof(r->note),
		 "%.2f ns/record, %ld records/rep: writer stalls %" PRIu64
		 ", %.0f page faults/rep; %.1f M/CPU-s",
		 ns, n, st.stalls, r->minflt, cpu_rate);
	bench_print_row(b, r);
	return 0;
}

double bench_per(uint64_t a, uint64_t n)
{
	return n ? (double)a / (double)n : 0;
}
