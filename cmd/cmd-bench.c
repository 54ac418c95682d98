/*
 * conclab bench: what recording costs.  The same loops run on plain
 * pthreads and on conclab's instrumented primitives, in one process, with
 * a trace open for the conclab side; each case prints both medians, the
 * ratio and the target.  Tests never time things: this command
 * reports, and exits 0 whether or not a target was met.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <conclab/export.h>
#include <conclab/lockdep.h>
#include <conclab/runtime.h>
#include <conclab/tracer.h>

#include "bench-whole.h"
#include "cmd.h"
#include "schedules.h"
#include "lab.h"

#define REPS 9 /* repetitions of a case, unless --reps says */
/* A ping-pong repetition is a third as long, and there are 4 times more. */
#define PP_SHORTER 3
#define PP_MORE 4
#define REPS_MAX (PP_MORE * 100)
#define NCASES 10
#define BUFFER_MB 512u /* per-thread records of one repetition fit */
#define SUSTAIN_MB 16u /* small: the writer bounds the sustained run */
#define WORK_NS 200.0  /* case 2: work inside the critical section */
#define REC_BYTES 32.0 /* sizeof(struct clab__rec) */
/* Case 1 and 6 repetitions stay below this many records (BUFFER_MB). */
#define FIT_RECORDS (6u * 1000u * 1000u)

enum verdict { V_NONE = -1, V_MISS = 0, V_PASS = 1 };

struct opts {
	int quick, json;
	long iters;	/* 0: calibrate by time */
	int reps;	/* repetitions of a case (ping-pongs: PP_MORE times) */
	unsigned only;	/* bit i: run case i (1..NCASES) */
	unsigned whole; /* bit i: run whole-program case i (bench-whole.c) */
	double scale;	/* whole programs' sizes times this (0: not set) */
	double rep_ns;	/* the length one repetition aims at */
	double sustain_ns;
};

/* One line of the table, and one object in the JSON. */
struct row {
	const char *key;   /* JSON key, stable */
	const char *label; /* for people */
	const char *unit;  /* of plain and clab: "ns", "M/s", "B/rec" */
	double plain;	   /* median; < 0 when there is no plain side */
	double clab;
	double ratio; /* median of the repetitions' clab/plain, paired */
	double added; /* median of the repetitions' clab - plain, paired */
	const char *target;
	enum verdict verdict;
	long iters;	  /* per repetition (per thread for case 3) */
	uint64_t records; /* written to the trace by the whole case */
	uint64_t stalls;  /* times a thread waited for the writer */
	double minflt;	  /* minor page faults per conclab repetition */
	double csw_plain; /* context switches per operation */
	double csw_clab;
	char note[160];
};

struct bench {
	struct opts o;
	char dir[256];
	char path[300];
	unsigned long spin_k; /* case 2: spins of the work loop */
	double work_ns;	      /* what spin_k spins measured */
	pthread_mutex_t pm, pouter;
	clab_mutex_t cm, couter;
	struct row rows[16];
	size_t nrows;
	struct row sustain;
	int io_error;
};

/* ---- time and statistics ---- */

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Minor page faults of the calling (measured) thread. */
static long minflt(void)
{
	struct rusage ru;
	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_minflt;
}

/* Context switches of the whole process (all threads, the writer too). */
static long ncsw(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_nvcsw + ru.ru_nivcsw;
}

static int want(const struct bench *b, int c)
{
	return (b->o.only >> c) & 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(const double *v, size_t n)
{
	double s[REPS_MAX];
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* ---- the trace each case records into ---- */

static int trace_begin(struct bench *b, unsigned buffer_mb)
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

static void trace_end(struct bench *b, struct clab_tracer_stats *st)
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
static void drain(void)
{
	clab_tracer_flush();
}

/* ---- running one case: calibrate, then interleave plain and conclab ---- */

typedef uint64_t (*loop_fn)(struct bench *b, long n);

/* Iterations that make run() take about the repetition's length. */
static long calibrate(struct bench *b, loop_fn run, long cap)
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
static void measure(struct bench *b, struct row *r, loop_fn plain, loop_fn clab,
		    long n, double per, int reps)
{
	double tp[REPS_MAX] = {0}, tc[REPS_MAX] = {0}, q[REPS_MAX], d[REPS_MAX];
	long flt = 0, cp = 0, cc = 0;
	for (int i = 0; i < reps; i++) {
		for (int side = 0; side < 2; side++) {
			int is_clab = (side ^ (i & 1)) == 1;
			drain();
			long f0 = minflt(), c0 = ncsw();
			if (is_clab) {
				tc[i] = (double)clab(b, n) / per;
				flt += minflt() - f0;
				cc += ncsw() - c0;
			} else if (plain) {
				tp[i] = (double)plain(b, n) / per;
				cp += ncsw() - c0;
			}
		}
	}
	r->plain = plain ? median(tp, (size_t)reps) : -1;
	r->clab = median(tc, (size_t)reps);
	for (int i = 0; plain && i < reps; i++) {
		q[i] = tc[i] / tp[i];
		d[i] = tc[i] - tp[i];
	}
	r->ratio = plain ? median(q, (size_t)reps) : -1;
	r->added = plain ? median(d, (size_t)reps) : 0;
	r->iters = n;
	r->csw_plain = (double)cp / reps / (double)n;
	r->csw_clab = (double)cc / reps / (double)n;
	r->minflt = (double)flt / reps;
}

/* ---- case 1 and 2: one thread, lock/unlock, with or without work ---- */

static volatile unsigned long spin_ctr;

static inline void spin(unsigned long k)
{
	for (unsigned long i = 0; i < k; i++)
		spin_ctr++;
}

static uint64_t lock_plain(struct bench *b, long n)
{
	int err = 0;
	uint64_t t0 = now_ns();
	for (long i = 0; i < n; i++) {
		err |= pthread_mutex_lock(&b->pm);
		err |= pthread_mutex_unlock(&b->pm);
	}
	uint64_t t = now_ns() - t0;
	if (err)
		fprintf(stderr, "conclab bench: pthread mutex error\n");
	return t;
}

static uint64_t lock_clab(struct bench *b, long n)
{
	int err = 0;
	uint64_t t0 = now_ns();
	for (long i = 0; i < n; i++) {
		err |= clab_mutex_lock(&b->cm);
		err |= clab_mutex_unlock(&b->cm);
	}
	uint64_t t = now_ns() - t0;
	if (err)
		fprintf(stderr, "conclab bench: conclab mutex error\n");
	return t;
}

static uint64_t work_plain(struct bench *b, long n)
{
	int err = 0;
	unsigned long k = b->spin_k;
	uint64_t t0 = now_ns();
	for (long i = 0; i < n; i++) {
		err |= pthread_mutex_lock(&b->pm);
		spin(k);
		err |= pthread_mutex_unlock(&b->pm);
	}
	uint64_t t = now_ns() - t0;
	if (err)
		fprintf(stderr, "conclab bench: pthread mutex error\n");
	return t;
}

static uint64_t work_clab(struct bench *b, long n)
{
	int err = 0;
	unsigned long k = b->spin_k;
	uint64_t t0 = now_ns();
	for (long i = 0; i < n; i++) {
		err |= clab_mutex_lock(&b->cm);
		spin(k);
		err |= clab_mutex_unlock(&b->cm);
	}
	uint64_t t = now_ns() - t0;
	if (err)
		fprintf(stderr, "conclab bench: conclab mutex error\n");
	return t;
}

static uint64_t work_alone(struct bench *b, long n)
{
	unsigned long k = b->spin_k;
	uint64_t t0 = now_ns();
	for (long i = 0; i < n; i++)
		spin(k);
	return now_ns() - t0;
}

/* Find the spins that take WORK_NS: the fastest of a few tries. */
static void calibrate_spin(struct bench *b)
{
	const unsigned long k = 100000;
	double best = 1e30;
	for (int i = 0; i < 7; i++) {
		uint64_t t0 = now_ns();
		spin(k);
		double t = (double)(now_ns() - t0) / (double)k;
		if (t < best)
			best = t;
	}
	b->spin_k = (unsigned long)(WORK_NS / best + 0.5);
	if (b->spin_k == 0)
		b->spin_k = 1;
	double v[REPS];
	for (int i = 0; i < REPS; i++)
		v[i] = (double)work_alone(b, 100000) / 100000.0;
	b->work_ns = median(v, REPS);
}

/* ---- two threads: start together, time from the start to the join ---- */

/*
 * Each object a pair shares on a cache line of its own, on both sides:
 * packed together, glibc's smaller objects would share lines that
 * conclab's do not, and the ratio would measure the layout.
 */
#define LINE _Alignas(64)
struct duo {
	struct bench *b;
	long n;
	_Atomic int ready, go;
	LINE int turn;
	/* plain */
	LINE pthread_mutex_t pm;
	struct {
		LINE pthread_cond_t v;
	} pc[2];
	struct {
		LINE sem_t v;
	} ps[2];
	/* conclab */
	LINE clab_mutex_t cm;
	struct {
		LINE clab_cond_t v;
	} cc[2];
	struct {
		LINE clab_sem_t v;
	} cs[2];
	LINE long counter;
	int err;
};

struct side {
	struct duo *d;
	int me;
};

/*
 * Each side of a pair on a CPU of its own (the first two the process may
 * use), the same for plain and conclab: left alone, the scheduler starts
 * the two threads on one CPU or on two, which changes a ping-pong round
 * trip by a factor of two and would decide a case by chance.  The
 * writer's and the watchdog's threads are not pinned.
 */
static void pin(int me)
{
	cpu_set_t all, one;
	if (sched_getaffinity(0, sizeof(all), &all) != 0 || CPU_COUNT(&all) < 2)
		return;
	for (int c = 0, k = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &all) && k++ == me) {
			CPU_ZERO(&one);
			CPU_SET(c, &one);
			(void)pthread_setaffinity_np(pthread_self(),
						     sizeof(one), &one);
			return;
		}
}

static void gate_wait(const struct side *s)
{
	struct duo *d = s->d;
	pin(s->me);
	atomic_fetch_add(&d->ready, 1);
	while (!atomic_load_explicit(&d->go, memory_order_acquire))
		sched_yield();
}

/* Open the gate once both threads wait at it; returns the start time. */
static uint64_t gate_open(struct duo *d)
{
	while (atomic_load(&d->ready) < 2)
		sched_yield();
	uint64_t t0 = now_ns();
	atomic_store_explicit(&d->go, 1, memory_order_release);
	return t0;
}

static void *contend_plain_fn(void *arg)
{
	struct side *s = arg;
	struct duo *d = s->d;
	int err = 0;
	gate_wait(s);
	for (long i = 0; i < d->n; i++) {
		err |= pthread_mutex_lock(&d->pm);
		d->counter++;
		err |= pthread_mutex_unlock(&d->pm);
	}
	if (err)
		d->err = 1;
	return NULL;
}

static void *contend_clab_fn(void *arg)
{
	struct side *s = arg;
	struct duo *d = s->d;
	int err = 0;
	gate_wait(s);
	for (long i = 0; i < d->n; i++) {
		err |= clab_mutex_lock(&d->cm);
		d->counter++;
		err |= clab_mutex_unlock(&d->cm);
	}
	if (err)
		d->err = 1;
	return NULL;
}

/* Turn-taking on a condition variable per side: a round trip is 2 turns. */
static void *cond_plain_fn(void *arg)
{
	struct side *s = arg;
	struct duo *d = s->d;
	int me = s->me, err = 0;
	gate_wait(s);
	for (long i = 0; i < d->n; i++) {
		err |= pthread_mutex_lock(&d->pm);
		while (d->turn != me)
			err |= pthread_cond_wait(&d->pc[me].v, &d->pm);
		d->turn = !me;
		err |= pthread_cond_signal(&d->pc[!me].v);
		err |= pthread_mutex_unlock(&d->pm);
	}
	if (err)
		d->err = 1;
	return NULL;
}

static void *cond_clab_fn(void *arg)
{
	struct side *s = arg;
	struct duo *d = s->d;
	int me = s->me, err = 0;
	gate_wait(s);
	for (long i = 0; i < d->n; i++) {
		err |= clab_mutex_lock(&d->cm);
		while (d->turn != me)
			err |= clab_cond_wait(&d->cc[me].v, &d->cm);
		d->turn = !me;
		if (clab_cond_signal(&d->cc[!me].v) < 0)
			err = 1;
		err |= clab_mutex_unlock(&d->cm);
	}
	if (err)
		d->err = 1;
	return NULL;
}

/* Side 0 posts ps[0] and waits on ps[1]; side 1 the other way round. */
static void *sem_plain_fn(void *arg)
{
	struct side *s = arg;
	struct duo *d = s->d;
	int err = 0;
	gate_wait(s);
	for (long i = 0; i < d->n; i++) {
		if (s->me == 0) {
			err |= sem_post(&d->ps[0].v);
			while (sem_wait(&d->ps[1].v) != 0)
				if (errno != EINTR) {
					err = 1;
					break;
				}
		} else {
			while (sem_wait(&d->ps[0].v) != 0)
				if (errno != EINTR) {
					err = 1;
					break;
				}
			err |= sem_post(&d->ps[1].v);
		}
	}
	if (err)
		d->err = 1;
	return NULL;
}

static void *sem_clab_fn(void *arg)
{
	struct side *s = arg;
	struct duo *d = s->d;
	int err = 0;
	gate_wait(s);
	for (long i = 0; i < d->n; i++) {
		if (s->me == 0) {
			err |= clab_sem_release(&d->cs[0].v);
			err |= clab_sem_acquire(&d->cs[1].v);
		} else {
			err |= clab_sem_acquire(&d->cs[0].v);
			err |= clab_sem_release(&d->cs[1].v);
		}
	}
	if (err)
		d->err = 1;
	return NULL;
}

enum duo_kind { DUO_CONTEND, DUO_COND, DUO_SEM };

static uint64_t duo_run(struct bench *b, long n, enum duo_kind kind,
			int is_clab)
{
	static void *(*const fns[3][2])(void *) = {
	    [DUO_CONTEND] = {contend_plain_fn, contend_clab_fn},
	    [DUO_COND] = {cond_plain_fn, cond_clab_fn},
	    [DUO_SEM] = {sem_plain_fn, sem_clab_fn},
	};
	struct duo *d = aligned_alloc(64, sizeof(*d));
	if (!d)
		return 0;
	memset(d, 0, sizeof(*d));
	d->b = b;
	d->n = n;
	struct side sides[2] = {{d, 0}, {d, 1}};
	uint64_t t0, t;
	if (!is_clab) {
		pthread_t th[2];
		pthread_mutex_init(&d->pm, NULL);
		pthread_cond_init(&d->pc[0].v, NULL);
		pthread_cond_init(&d->pc[1].v, NULL);
		sem_init(&d->ps[0].v, 0, 0);
		sem_init(&d->ps[1].v, 0, 0);
		for (int i = 0; i < 2; i++)
			pthread_create(&th[i], NULL, fns[kind][0], &sides[i]);
		t0 = gate_open(d);
		for (int i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		t = now_ns() - t0;
		sem_destroy(&d->ps[0].v);
		sem_destroy(&d->ps[1].v);
		pthread_cond_destroy(&d->pc[0].v);
		pthread_cond_destroy(&d->pc[1].v);
		pthread_mutex_destroy(&d->pm);
	} else {
		clab_thread_t *th[2];
		clab_mutex_init(&d->cm, "bench.m", CLAB_MUTEX_NORMAL);
		clab_cond_init(&d->cc[0].v, "bench.c0");
		clab_cond_init(&d->cc[1].v, "bench.c1");
		clab_sem_init(&d->cs[0].v, "bench.s0", 0, 0);
		clab_sem_init(&d->cs[1].v, "bench.s1", 0, 0);
		for (int i = 0; i < 2; i++)
			clab_thread_create(&th[i], i ? "bench-b" : "bench-a",
					   fns[kind][1], &sides[i]);
		t0 = gate_open(d);
		for (int i = 0; i < 2; i++)
			clab_thread_join(th[i], NULL);
		t = now_ns() - t0;
		clab_sem_destroy(&d->cs[0].v);
		clab_sem_destroy(&d->cs[1].v);
		clab_cond_destroy(&d->cc[0].v);
		clab_cond_destroy(&d->cc[1].v);
		clab_mutex_destroy(&d->cm);
	}
	if (d->err || (kind == DUO_CONTEND && d->counter != 2 * n))
		fprintf(stderr, "conclab bench: the %s %s loop went wrong\n",
			is_clab ? "conclab" : "plain",
			kind == DUO_CONTEND ? "contended"
			: kind == DUO_COND  ? "condition"
					    : "semaphore");
	free(d);
	return t;
}

static uint64_t contend_plain(struct bench *b, long n)
{
	return duo_run(b, n, DUO_CONTEND, 0);
}
static uint64_t contend_clab(struct bench *b, long n)
{
	return duo_run(b, n, DUO_CONTEND, 1);
}
static uint64_t cond_plain(struct bench *b, long n)
{
	return duo_run(b, n, DUO_COND, 0);
}
static uint64_t cond_clab(struct bench *b, long n)
{
	return duo_run(b, n, DUO_COND, 1);
}
static uint64_t sem_plain(struct bench *b, long n)
{
	return duo_run(b, n, DUO_SEM, 0);
}
static uint64_t sem_clab(struct bench *b, long n)
{
	return duo_run(b, n, DUO_SEM, 1);
}

/* ---- case 6: records into the buffer ---- */

static uint64_t note_clab(struct bench *b, long n)
{
	(void)b;
	uint64_t t0 = now_ns();
	for (long i = 0; i < n; i++)
		clab_note("bench", i);
	return now_ns() - t0;
}

/* ---- the cases ---- */

static struct row *row_new(struct bench *b, const char *key, const char *label,
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

static long iters_or(struct bench *b, loop_fn cal, long cap, long div)
{
	if (b->o.iters > 0) {
		long n = b->o.iters / div;
		return n < 16 ? 16 : n;
	}
	return calibrate(b, cal, cap);
}

/*
 * The ping-pongs: PP_MORE times as many repetitions, each a
 * PP_SHORTER-th as long, so that their ratios, which a round trip's wide
 * spread makes noisy, rest on many more pairs in 4/3 of the time.
 */
static long pp_iters(struct bench *b, loop_fn cal)
{
	if (b->o.iters > 0)
		return b->o.iters / 100 < 16 ? 16 : b->o.iters / 100;
	long n = calibrate(b, cal, 1 << 22) / PP_SHORTER;
	return n < 16 ? 16 : n;
}

static void print_row(const struct bench *b, const struct row *r);

static int case_locks(struct bench *b)
{
	struct clab_tracer_stats st;
	if (trace_begin(b, BUFFER_MB))
		return -1;
	pthread_mutex_init(&b->pm, NULL);
	clab_mutex_init(&b->cm, "bench.m", CLAB_MUTEX_NORMAL);

	/* 1: two records a pair; one repetition fits in the buffer */
	struct row *r = NULL, *w = NULL;
	if (want(b, 1)) {
		r = row_new(b, "lock_uncontended",
			    "uncontended lock/unlock pair", "ns", "<=4x,+25ns");
		long n = iters_or(b, lock_clab, FIT_RECORDS / 2, 1);
		measure(b, r, lock_plain, lock_clab, n, (double)n, b->o.reps);
		r->verdict = r->ratio <= 4 && r->added <= 25 ? V_PASS : V_MISS;
	}

	/* 2: the same around WORK_NS of work */
	if (want(b, 2)) {
		calibrate_spin(b);
		w = row_new(b, "lock_with_work",
			    "the same, ~200 ns work inside", "ns", "<=1.5x");
		long n = iters_or(b, work_clab, FIT_RECORDS / 2, 8);
		measure(b, w, work_plain, work_clab, n, (double)n, b->o.reps);
		w->verdict = w->ratio <= 1.5 ? V_PASS : V_MISS;
		snprintf(w->note, sizeof(w->note),
			 "work alone %.0f ns (%lu spins)", b->work_ns,
			 b->spin_k);
	}

	clab_mutex_destroy(&b->cm);
	pthread_mutex_destroy(&b->pm);
	trace_end(b, &st);
	/* Both rows share the trace: the stalls are the two cases' total. */
	if (r) {
		r->records = st.records;
		r->stalls = st.stalls;
		snprintf(r->note, sizeof(r->note),
			 "%ld pairs/rep fit the %u MB buffer: writer stalls "
			 "%" PRIu64 ", %.0f page faults/rep",
			 r->iters, BUFFER_MB, st.stalls, r->minflt);
		print_row(b, r);
	}
	if (w) {
		w->records = st.records;
		w->stalls = st.stalls;
		print_row(b, w);
	}
	return 0;
}

/*
 * The sustained run: lock/unlock for sustain_ns into a small buffer, so
 * that the writer thread, not the buffer, sets the pace.
 */
static int case_sustained(struct bench *b)
{
	struct clab_tracer_stats st;
	struct row *r = &b->sustain;
	memset(r, 0, sizeof(*r));
	r->key = "lock_sustained";
	r->label = "  sustained (writer-bound)";
	r->unit = "ns";
	r->target = "(info)";
	r->verdict = V_NONE;
	if (trace_begin(b, SUSTAIN_MB))
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
	long f0 = minflt();
	pairs = 0;
	while (tc < b->o.sustain_ns) {
		tc += lock_clab(b, batch);
		pairs += batch;
	}
	r->minflt = (double)(minflt() - f0);
	r->clab = (double)tc / (double)pairs;
	r->ratio = r->clab / r->plain;
	r->added = r->clab - r->plain;
	r->iters = pairs;
	clab_mutex_destroy(&b->cm);
	pthread_mutex_destroy(&b->pm);
	trace_end(b, &st);
	r->records = st.records;
	r->stalls = st.stalls;
	snprintf(r->note, sizeof(r->note),
		 "%.1f s, %u MB buffer: %.1f M records/s kept up, writer "
		 "stalls %" PRIu64,
		 (double)tc / 1e9, SUSTAIN_MB,
		 2.0 * (double)pairs / (double)tc * 1e3, st.stalls);
	print_row(b, r);
	return 0;
}

/* Cases 4 and 5: a ping-pong, held to within 5% of plain. */
static void pingpong(struct bench *b, const char *key, const char *label,
		     loop_fn plain, loop_fn clab, const char *what)
{
	struct row *r = row_new(b, key, label, "ns", "<=1.05x");
	long n = pp_iters(b, clab);
	measure(b, r, plain, clab, n, (double)n, PP_MORE * b->o.reps);
	r->verdict = r->ratio <= 1.05 ? V_PASS : V_MISS;
	snprintf(r->note, sizeof(r->note),
		 "%ld round trips/rep%s; context switches per round trip: "
		 "plain %.2f, conclab %.2f",
		 n, what, r->csw_plain, r->csw_clab);
	print_row(b, r);
}

static int case_duos(struct bench *b)
{
	struct clab_tracer_stats st;
	if (trace_begin(b, BUFFER_MB))
		return -1;
	clab_set_spurious(0, 0);

	size_t first = b->nrows;
	if (want(b, 3)) {
		struct row *r =
		    row_new(b, "contended_2threads",
			    "contended pair, 2 threads", "ns", "(report)");
		long n = iters_or(b, contend_clab, 1 << 24, 2);
		measure(b, r, contend_plain, contend_clab, n, 2.0 * (double)n,
			b->o.reps);
		snprintf(r->note, sizeof(r->note),
			 "%ld pairs per thread/rep, ns per pair of all "
			 "threads; context switches per pair: plain %.3f, "
			 "conclab %.3f",
			 n, r->csw_plain / 2, r->csw_clab / 2);
		print_row(b, r);
	}

	if (want(b, 4))
		pingpong(b, "cond_pingpong", "cond ping-pong round trip",
			 cond_plain, cond_clab, "");
	if (want(b, 5))
		pingpong(b, "sem_pingpong", "sem ping-pong round trip",
			 sem_plain, sem_clab, " (plain: POSIX sem_t)");

	trace_end(b, &st);
	for (size_t i = first; i < b->nrows; i++) {
		b->rows[i].records = st.records;
		b->rows[i].stalls = st.stalls;
	}
	return 0;
}

static int case_records(struct bench *b)
{
	struct clab_tracer_stats st;
	if (trace_begin(b, BUFFER_MB))
		return -1;
	struct row *r = row_new(b, "records_per_s", "clab_note records/s",
				"M/s", ">=50M/s");
	long n = iters_or(b, note_clab, FIT_RECORDS, 1);
	measure(b, r, NULL, note_clab, n, (double)n, b->o.reps);
	trace_end(b, &st);
	r->records = st.records;
	r->stalls = st.stalls;
	double ns = r->clab;
	r->clab = 1e3 / ns; /* M records/s */
	r->verdict = r->clab >= 50 ? V_PASS : V_MISS;
	snprintf(r->note, sizeof(r->note),
		 "%.2f ns/record, %ld records/rep: writer stalls %" PRIu64
		 ", %.0f page faults/rep",
		 ns, n, st.stalls, r->minflt);
	print_row(b, r);
	return 0;
}

/* ---- case 10: explore's schedules a second, on one core ---- */

static int explore_one(void *arg, const struct clab_sched_opts *o,
		       const char *trace)
{
	const struct clab_lab_ctx *base = arg;
	struct clab_cmd_sched s;
	clab_cmd_sched_init(&s);
	s.o = *o;
	struct clab_lab_ctx ctx = *base;
	ctx.seed = o->seed;
	ctx.out = NULL;
	return clab_run_lab(&ctx, trace, &s, 1);
}

static int case_explore(struct bench *b)
{
	const struct clab_lab *lab = clab_lab_find("philosophers");
	int v = lab ? clab_lab_variant_find(lab, "ordered") : -1;
	if (v < 0)
		return -1;
	struct clab_lab_ctx ctx;
	clab_lab_ctx_init(&ctx, lab, (unsigned)v);
	struct clab_budget bu = {.run = explore_one,
				 .arg = &ctx,
				 .strategy = CLAB_BUDGET_MIXED,
				 .seed = 1,
				 .schedules = b->o.quick ? 100 : 1000,
				 .jobs = 1,
				 .shard = 1,
				 .nshards = 1};
	bu.opts.spurious_max = -1;
	if (clab_budget_init(&bu))
		return -1;
	clab_budget_run(&bu);
	clab_budget_fini(&bu);
	struct row *r =
	    row_new(b, "explore_schedules_per_s",
		    "explore: schedules/s, 1 core", "/s", ">=1000/s");
	r->clab = bu.secs > 0 ? (double)bu.ran / bu.secs : 0;
	r->verdict = r->clab >= 1000 && !bu.failed ? V_PASS : V_MISS;
	snprintf(r->note, sizeof(r->note),
		 "%ld schedules of philosophers ordered in %.2f s, one "
		 "at a time, each forked; %ld failed",
		 bu.ran, bu.secs, bu.failed);
	print_row(b, r);
	return 0;
}

/* ---- case 7: bytes per record over the labs' correct variants ---- */

struct labrow {
	char name[64];
	uint64_t records, record_bytes, bytes;
};

static int case_labs(struct bench *b, struct labrow *lr, size_t *nlr,
		     size_t cap)
{
	*nlr = 0;
	for (size_t l = 0; l < clab_nlabs; l++) {
		const struct clab_lab *lab = clab_labs[l];
		for (size_t v = 0; v < lab->nvariants && *nlr < cap; v++) {
			if (lab->variants[v].expect != 0)
				continue;
			struct clab_lab_ctx ctx;
			clab_lab_ctx_init(&ctx, lab, (unsigned)v);
			ctx.seed = 1;
			ctx.out = NULL;
			if (trace_begin(b, 0))
				return -1;
			int rc = lab->run(&ctx);
			struct clab_tracer_stats st;
			trace_end(b, &st);
			if (rc < 0) {
				fprintf(stderr,
					"conclab bench: %s %s failed: %s\n",
					lab->name, lab->variants[v].name,
					clab_strerror(rc));
				continue;
			}
			struct labrow *x = &lr[(*nlr)++];
			snprintf(x->name, sizeof(x->name), "%s %s", lab->name,
				 lab->variants[v].name);
			x->records = st.records;
			x->record_bytes = st.record_bytes;
			x->bytes = st.bytes;
		}
	}
	return 0;
}

static double per(uint64_t a, uint64_t n)
{
	return n ? (double)a / (double)n : 0;
}

/* ---- output ---- */

static const char *verdict_name(enum verdict v)
{
	return v == V_PASS ? "PASS" : v == V_MISS ? "MISS" : "";
}

static void print_row(const struct bench *b, const struct row *r)
{
	if (b->o.json)
		return;
	char p[32], c[32], ratio[16], added[24];
	if (r->plain >= 0)
		snprintf(p, sizeof(p), "%.1f %s", r->plain, r->unit);
	else
		snprintf(p, sizeof(p), "-");
	snprintf(c, sizeof(c), "%.1f %s", r->clab, r->unit);
	if (r->plain > 0) {
		snprintf(ratio, sizeof(ratio), "%.2fx", r->ratio);
		snprintf(added, sizeof(added), "%+.1f %s", r->added, r->unit);
	} else {
		snprintf(ratio, sizeof(ratio), "-");
		snprintf(added, sizeof(added), "-");
	}
	printf("%-30s %10s %10s %7s %10s  %-11s %s\n", r->label, p, c, ratio,
	       added, r->target, verdict_name(r->verdict));
	if (r->note[0])
		printf("%-30s   %s\n", "", r->note);
	fflush(stdout);
}

static void json_row(const struct row *r, int last)
{
	printf("    ");
	clab_json_str(stdout, r->key);
	printf(": {\"unit\": ");
	clab_json_str(stdout, r->unit);
	if (r->plain >= 0)
		printf(", \"plain\": %.3f", r->plain);
	else
		printf(", \"plain\": null");
	printf(", \"conclab\": %.3f", r->clab);
	if (r->plain > 0)
		printf(", \"ratio\": %.4f, \"added\": %.3f", r->ratio,
		       r->added);
	else
		printf(", \"ratio\": null, \"added\": null");
	printf(", \"target\": ");
	clab_json_str(stdout, r->target);
	printf(", \"pass\": %s", r->verdict == V_PASS	? "true"
				 : r->verdict == V_MISS ? "false"
							: "null");
	printf(", \"iters\": %ld, \"records\": %" PRIu64
	       ", \"stalls\": %" PRIu64
	       ", \"minflt\": %.1f, \"csw_plain\": %.4f, \"csw_conclab\": "
	       "%.4f}%s\n",
	       r->iters, r->records, r->stalls, r->minflt, r->csw_plain,
	       r->csw_clab, last ? "" : ",");
}

/* The whole-program cases (null when none ran), and the end. */
static void json_whole(const struct clab_whole *whole)
{
	if (whole)
		clab_whole_json(whole, stdout);
	else
		printf("null");
	printf("\n}\n");
}

static void print_json(const struct bench *b, const struct labrow *lr,
		       size_t nlr, double brec, int bverdict,
		       const struct clab_whole *whole)
{
	printf("{\n  \"version\": ");
	clab_json_str(stdout, clab_version());
	printf(",\n  \"quick\": %s,\n  \"reps\": %d,\n  \"pingpong_reps\": "
	       "%d,\n  \"cpus\": %ld,\n  \"work_ns\": %.1f,\n  \"cases\": "
	       "{\n",
	       b->o.quick ? "true" : "false", b->o.reps, PP_MORE * b->o.reps,
	       sysconf(_SC_NPROCESSORS_ONLN), b->work_ns);
	int labs = want(b, 7);
	for (size_t i = 0; i < b->nrows; i++) {
		json_row(&b->rows[i],
			 !labs && !b->sustain.key && i + 1 == b->nrows);
		if (b->sustain.key && i == 0)
			json_row(&b->sustain, !labs && i + 1 == b->nrows);
	}
	if (!labs) {
		printf("  },\n  \"whole\": ");
		json_whole(whole);
		return;
	}
	uint64_t rec = 0, rb = 0, fb = 0;
	for (size_t i = 0; i < nlr; i++) {
		rec += lr[i].records;
		rb += lr[i].record_bytes;
		fb += lr[i].bytes;
	}
	printf("    \"bytes_per_record\": {\"unit\": \"B/rec\", \"conclab\": "
	       "%.3f, \"file\": %.3f, \"target\": \"<=8\", \"pass\": %s, "
	       "\"records\": %" PRIu64 ", \"record_bytes\": %" PRIu64
	       ", \"bytes\": %" PRIu64 ", \"labs\": [",
	       brec, per(fb, rec), bverdict ? "true" : "false", rec, rb, fb);
	for (size_t i = 0; i < nlr; i++) {
		printf("%s\n      {\"lab\": ", i ? "," : "");
		clab_json_str(stdout, lr[i].name);
		printf(", \"records\": %" PRIu64 ", \"record_bytes\": %" PRIu64
		       ", \"bytes\": %" PRIu64 ", \"per_record\": %.3f}",
		       lr[i].records, lr[i].record_bytes, lr[i].bytes,
		       per(lr[i].record_bytes, lr[i].records));
	}
	printf("]}\n  },\n  \"whole\": ");
	json_whole(whole);
}

/* ---- the lock-order detector ---- */

static uint64_t nested_plain(struct bench *b, long n)
{
	int err = pthread_mutex_lock(&b->pouter);
	uint64_t t0 = now_ns();
	for (long i = 0; i < n; i++) {
		err |= pthread_mutex_lock(&b->pm);
		err |= pthread_mutex_unlock(&b->pm);
	}
	uint64_t t = now_ns() - t0;
	err |= pthread_mutex_unlock(&b->pouter);
	if (err)
		fprintf(stderr, "conclab bench: pthread mutex error\n");
	return t;
}

static uint64_t nested_clab(struct bench *b, long n)
{
	int err = clab_mutex_lock(&b->couter);
	uint64_t t0 = now_ns();
	for (long i = 0; i < n; i++) {
		err |= clab_mutex_lock(&b->cm);
		err |= clab_mutex_unlock(&b->cm);
	}
	uint64_t t = now_ns() - t0;
	err |= clab_mutex_unlock(&b->couter);
	if (err)
		fprintf(stderr, "conclab bench: conclab mutex error\n");
	return t;
}

/*
 * 8: a pair taken while holding another mutex: every request goes through
 * the lock-order detector, which finds the chain in its cache.
 * 9: the detector's search for a cycle when a new edge appears, in a
 * graph of 1000 locks and 10000 edges (no cycle, so it searches all it
 * can reach).
 */
static int nested(struct bench *b)
{
	struct clab_tracer_stats st;
	if (trace_begin(b, BUFFER_MB))
		return -1;
	pthread_mutex_init(&b->pm, NULL);
	pthread_mutex_init(&b->pouter, NULL);
	clab_mutex_init(&b->couter, "bench.outer", CLAB_MUTEX_NORMAL);
	clab_mutex_init(&b->cm, "bench.m", CLAB_MUTEX_NORMAL);
	struct row *r = row_new(b, "lock_nested", "nested pair (detector on)",
				"ns", "<=5x,+10ns");
	long n = iters_or(b, nested_clab, FIT_RECORDS / 2, 1);
	measure(b, r, nested_plain, nested_clab, n, (double)n, b->o.reps);
	/*
	 * What the detector adds: against the same pair without the outer
	 * lock, in repetitions of their own, paired as the ratios are.
	 */
	struct row alone = {0};
	measure(b, &alone, lock_clab, nested_clab, n, (double)n, b->o.reps);
	double added = alone.added;
	r->verdict = r->ratio <= 5 && added <= 10 ? V_PASS : V_MISS;
	snprintf(r->note, sizeof(r->note),
		 "under another lock; the detector adds %.1f ns over the "
		 "uncontended pair",
		 added);
	clab_mutex_destroy(&b->cm);
	clab_mutex_destroy(&b->couter);
	pthread_mutex_destroy(&b->pouter);
	pthread_mutex_destroy(&b->pm);
	trace_end(b, &st);
	r->records = st.records;
	print_row(b, r);
	return 0;
}

static int case_detector(struct bench *b)
{
	if (want(b, 8) && nested(b))
		return -1;
	if (!want(b, 9))
		return 0;

	enum { LOCKS = 1000, EDGES = 10000, NEW = 2000 };
	struct row *c =
	    row_new(b, "cycle_check", "new-edge check, 1k locks 10k edges",
		    "us", "<=10us");
	uint32_t perm[LOCKS];
	uint64_t rng = 42;
	for (uint32_t i = 0; i < LOCKS; i++)
		perm[i] = i + 1;
	for (uint32_t i = LOCKS - 1; i > 0; i--) {
		uint32_t j = (uint32_t)(clab_lab_rand(&rng) % (i + 1));
		uint32_t t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	double v[REPS_MAX];
	for (int rep = 0; rep < b->o.reps; rep++) {
		struct clab_lockdep *ld = clab_lockdep_new();
		if (!ld)
			return -1;
		/* edges go forward in perm: a graph without a cycle */
		uint32_t made = 0;
		while (made < EDGES + NEW) {
			uint32_t i = (uint32_t)(clab_lab_rand(&rng) % LOCKS);
			uint32_t j = (uint32_t)(clab_lab_rand(&rng) % LOCKS);
			if (i == j)
				continue;
			if (i > j) {
				uint32_t t = i;
				i = j;
				j = t;
			}
			if (clab_lockdep_has_edge(ld, perm[i], perm[j]))
				continue;
			struct clab_ld_held h = {perm[i], 0, 0, 0, 0};
			uint64_t t0 = made == EDGES ? now_ns() : 0;
			clab_lockdep_request(ld, 1, &h, 1, perm[j], 0, 0, 0);
			made++;
			if (t0)
				v[rep] = (double)t0;
		}
		v[rep] = ((double)now_ns() - v[rep]) / NEW / 1000.0;
		clab_lockdep_free(ld);
	}
	c->clab = median(v, (size_t)b->o.reps);
	c->iters = NEW;
	c->verdict = c->clab <= 10 ? V_PASS : V_MISS;
	snprintf(c->note, sizeof(c->note),
		 "mean over %d new edges added to a graph of %d locks and %d "
		 "edges",
		 NEW, LOCKS, EDGES);
	print_row(b, c);
	return 0;
}

/*
 * "4,5", "1" or "prodcons,9": a bit per loop case (numbers) in *only and
 * per whole-program case (names) in *whole; -1 for anything else.
 */
static int parse_cases(const char *v, unsigned *only, unsigned *whole)
{
	for (;;) {
		size_t len = strcspn(v, ",");
		char name[64];
		long c;
		if (len == 0 || len >= sizeof(name))
			return -1;
		memcpy(name, v, len);
		name[len] = 0;
		int k = clab_whole_find(name);
		if (k >= 0)
			*whole |= 1u << k;
		else if (clab_cmd_parse_long(name, &c) == 0 && c >= 1 &&
			 c <= NCASES)
			*only |= 1u << c;
		else
			return -1;
		if (v[len] == '\0')
			return 0;
		v += len + 1;
	}
}

/* The whole-program cases' names, "a, b, c", for a usage error. */
static const char *whole_names(void)
{
	static char buf[256];
	size_t n = 0;
	for (unsigned i = 0; i < clab_whole_ncases() && n < sizeof(buf); i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
				      i ? ", " : "", clab_whole_name(i));
	return buf;
}

static int bench_exec(int argc, char **argv)
{
	struct bench *b = calloc(1, sizeof(*b));
	if (!b) {
		fprintf(stderr, "conclab bench: out of memory\n");
		return CLAB_EXIT_IO;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (clab_cmd_is_help(a)) {
			clab_cmd_usage(&clab_cmd_bench, stdout);
			free(b);
			return CLAB_EXIT_OK;
		} else if (strcmp(a, "--quick") == 0) {
			b->o.quick = 1;
		} else if (strcmp(a, "--json") == 0) {
			b->o.json = 1;
		} else if (strcmp(a, "--iters") == 0 ||
			   strncmp(a, "--iters=", 8) == 0) {
			const char *v = a[7] == '='    ? a + 8
					: i + 1 < argc ? argv[++i]
						       : NULL;
			if (!v || clab_cmd_parse_long(v, &b->o.iters) ||
			    b->o.iters < 1 || b->o.iters > 1000000000L) {
				free(b);
				return clab_cmd_misuse(
				    &clab_cmd_bench,
				    "--iters wants a number in "
				    "1..1000000000");
			}
		} else if (strcmp(a, "--reps") == 0 ||
			   strncmp(a, "--reps=", 7) == 0) {
			const char *v = a[6] == '='    ? a + 7
					: i + 1 < argc ? argv[++i]
						       : NULL;
			long reps;
			if (!v || clab_cmd_parse_long(v, &reps) || reps < 1 ||
			    reps > REPS_MAX / PP_MORE) {
				free(b);
				return clab_cmd_misuse(
				    &clab_cmd_bench,
				    "--reps wants a number in 1..%d",
				    REPS_MAX / PP_MORE);
			}
			b->o.reps = (int)reps;
		} else if (strcmp(a, "--case") == 0 ||
			   strncmp(a, "--case=", 7) == 0) {
			const char *v = a[6] == '='    ? a + 7
					: i + 1 < argc ? argv[++i]
						       : NULL;
			if (!v || parse_cases(v, &b->o.only, &b->o.whole)) {
				free(b);
				return clab_cmd_misuse(
				    &clab_cmd_bench,
				    "--case wants case numbers 1..%d or "
				    "whole-program cases (%s), separated by "
				    "commas (say --case 4,5)",
				    NCASES, whole_names());
			}
		} else if (strcmp(a, "--loops") == 0) {
			b->o.only = ((1u << NCASES) - 1) << 1;
		} else if (strcmp(a, "--whole") == 0) {
			b->o.whole = (1u << clab_whole_ncases()) - 1;
		} else if (strcmp(a, "--scale") == 0 ||
			   strncmp(a, "--scale=", 8) == 0) {
			const char *v = a[7] == '='    ? a + 8
					: i + 1 < argc ? argv[++i]
						       : NULL;
			char *end = NULL;
			double x = v ? strtod(v, &end) : 0;
			if (!v || end == v || *end ||
			    !(x >= 1e-6 && x <= 100)) {
				free(b);
				return clab_cmd_misuse(
				    &clab_cmd_bench,
				    "--scale wants a number in 0.000001..100 "
				    "(say --scale 0.1)");
			}
			b->o.scale = x;
		} else {
			free(b);
			return clab_cmd_misuse(&clab_cmd_bench,
					       "unknown argument '%s'", a);
		}
	}
	struct clab_whole_opts wo = {
	    .reps = b->o.reps ? b->o.reps : CLAB_WHOLE_REPS,
	    .scale = b->o.scale	  ? b->o.scale
		     : b->o.quick ? 0.1
				  : 1,
	    .json = b->o.json,
	    .only = b->o.whole,
	};
	if (b->o.reps == 0)
		b->o.reps = REPS;
	if (b->o.only == 0 && b->o.whole == 0)
		b->o.only = ((1u << NCASES) - 1) << 1;
	b->o.rep_ns = b->o.quick ? 25e6 : 150e6;
	b->o.sustain_ns = b->o.quick ? 0.3e9 : 2e9;
	const char *tmp = getenv("TMPDIR");
	snprintf(b->dir, sizeof(b->dir), "%s", tmp && *tmp ? tmp : "/tmp");

	uint64_t t_start = now_ns();
	if (!b->o.json)
		printf("conclab bench %s: %ld CPUs.\n", clab_version(),
		       sysconf(_SC_NPROCESSORS_ONLN));
	if (!b->o.json && b->o.only) {
		printf("\nLoop microbenchmarks: loops inside this process, "
		       "the trace already open;\neach value is the median "
		       "of %d repetitions (%d for the ping-pongs), plain\nand "
		       "conclab interleaved, and each ratio the median of the "
		       "repetitions'\nratios; the conclab side records into a "
		       "trace in %s (zlib 1,\nremoved afterwards).  Times are "
		       "wall-clock ns per operation.\n\n",
		       b->o.reps, PP_MORE * b->o.reps, b->dir);
		printf("%-30s %10s %10s %7s %10s  %-11s %s\n", "case", "plain",
		       "conclab", "ratio", "added", "target", "");
	}
	int rc = CLAB_EXIT_OK;
	struct labrow lr[64];
	size_t nlr = 0;
	if (((want(b, 1) || want(b, 2)) && case_locks(b)) || case_detector(b) ||
	    (want(b, 1) && case_sustained(b)) ||
	    ((want(b, 3) || want(b, 4) || want(b, 5)) && case_duos(b)) ||
	    (want(b, 6) && case_records(b)) ||
	    (want(b, 10) && case_explore(b)) ||
	    (want(b, 7) && case_labs(b, lr, &nlr, 64))) {
		free(b);
		return CLAB_EXIT_IO;
	}
	uint64_t rec = 0, rb = 0, fb = 0;
	for (size_t i = 0; i < nlr; i++) {
		rec += lr[i].records;
		rb += lr[i].record_bytes;
		fb += lr[i].bytes;
	}
	double brec = per(rb, rec);
	int bpass = brec <= 8.0;
	if (!b->o.json && want(b, 7)) {
		printf("%-30s %10s %10s\n", "bytes per record on disk",
		       "records", "record B");
		for (size_t i = 0; i < nlr; i++)
			printf("  %-28s %10" PRIu64 " %10.2f   (file %.2f "
			       "B/rec)\n",
			       lr[i].name, lr[i].records,
			       per(lr[i].record_bytes, lr[i].records),
			       per(lr[i].bytes, lr[i].records));
		printf("  %-28s %10" PRIu64 " %10.2f %7s %10s  %-11s %s\n",
		       "all labs", rec, brec, "", "", "<=8",
		       verdict_name(bpass ? V_PASS : V_MISS));
		printf("%-30s   record B = record chunks with their headers "
		       "/ records;\n%-30s   file %.2f B/rec counts the "
		       "header, definitions and end too\n",
		       "", "", per(fb, rec));
	}
	struct clab_whole *whole = NULL;
	if (wo.only) {
		whole = clab_whole_run(&wo, &rc);
		if (whole == NULL) {
			free(b);
			return rc;
		}
	}
	if (b->o.json)
		print_json(b, lr, nlr, brec, bpass, whole);
	clab_whole_free(whole);
	if (!b->o.json) {
		printf("\n%.1f s in all.  A MISS is reported, not an error: "
		       "the exit code is 0.\n",
		       (double)(now_ns() - t_start) / 1e9);
	}
	if (b->io_error)
		rc = CLAB_EXIT_IO;
	free(b);
	return rc;
}

const struct clab_cmd clab_cmd_bench = {
    .name = "bench",
    .args = "[--loops] [--whole] [--case LIST] [--reps N] [--quick] "
	    "[--iters N]\n       [--scale X] [--json]",
    .summary = "measure what recording costs, against plain pthreads",
    .help =
	"Two families of cases.  The loop microbenchmarks (--loops, the "
	"default)\nrun the same loops on plain pthreads and on conclab's "
	"primitives in this\nprocess, with a trace open for the conclab "
	"side, and print for each case\nthe median of 9 repetitions of "
	"both (interleaved, so that noise hits both;\n4 times as many, a "
	"third as long, for the ping-pongs), the median of the\n"
	"repetitions' ratios and of their differences ('added'), and "
	"the target it\nis held to:\n\n"
	"  1 uncontended lock/unlock pair, one thread  (<=4x and "
	"<=25 ns added)\n"
	"    Each repetition fits the 512 MB record buffer, so it "
	"measures the\n    thread's own cost; the 'sustained' line "
	"runs longer into a 16 MB buffer\n    and shows the rate the "
	"writer thread keeps up with, and its stalls.\n"
	"  2 the same with ~200 ns of work inside         (<=1.5x)\n"
	"  3 two threads contending for one mutex         (reported)\n"
	"  4 condition variable ping-pong, two threads    (<=1.05x)\n"
	"  5 semaphore ping-pong (POSIX sem_t vs clab)    (<=1.05x)\n"
	"    In 3, 4 and 5 the two threads are pinned to two CPUs, on both\n"
	"    sides: where the scheduler starts them changes a round trip\n"
	"    by up to 2x.\n"
	"  6 clab_note records per second, one thread     (>=50 M/s)\n"
	"  7 bytes per record on disk over the correct variants of "
	"every lab,\n    each run quietly with seed 1 into its own "
	"trace             (<=8)\n"
	"  8 a pair taken under another lock: the lock-order detector "
	"on every\n    request (<=5x plain, and <=10 ns over the same pair "
	"without the\n    outer lock, measured in pairs of repetitions "
	"beside it)\n"
	"  9 the detector's cycle search for a new edge in a graph of "
	"1000 locks\n    and 10000 edges                            "
	"(<=10 us)\n"
	" 10 explore's schedules a second, one core      (>=1000/s)\n\n"
	"A repetition lasts about 150 ms (25 ms with --quick); the loops "
	"take about\na minute, --quick a few seconds.  Traces go to "
	"$TMPDIR (or /tmp).\n\n"
	"The whole programs (--whole), written on plain pthreads and on the "
	"clab_*\nAPI (which records a trace), run from exec to exit as "
	"child processes:\nplain, conclab, and the pthread one built with "
	"-fsanitize=thread where the\ncompiler could (else left out, with "
	"a note), interleaved over 5 repetitions.\nFor each: the median "
	"wall time, the median of its ratios to plain (conclab\nis held "
	"to <=3x) and the median peak RSS (ru_maxrss).\n\n"
	"  lock_heavy_1  4,000,000 iterations on 8 mutexes, a nested pair "
	"every\n                fourth, 1 thread\n"
	"  lock_heavy_4  the same shared out among 4 threads\n"
	"  thread_churn  100,000 short threads, each created and joined "
	"in turn\n"
	"  prodcons      500,000 items through a 64-slot buffer (mutex, 2 "
	"condition\n                variables), 2 producers and 2 "
	"consumers\n"
	"  timers        200 ms of a 1 ms periodic timer with 3 waiters, "
	"1 ms timed\n                waits and 200 one-shot timers\n\n"
	"They take a few minutes.  conclab in its build tree runs that "
	"build's\nprograms (bench/whole/), an installed conclab those in\n"
	"<libexecdir>/conclab/bench, and $CONCLAB_BENCH_DIR overrides "
	"both.\n\n"
	"Options:\n"
	"  --loops     the loop microbenchmarks, 1 to 10 (the default "
	"when no case\n              is named)\n"
	"  --whole     the whole programs\n"
	"  --case LIST run only these cases: loop numbers and whole "
	"programs' names,\n              say --case 4,5 or --case "
	"9,prodcons\n"
	"  --reps N    N repetitions a case (at most 100) instead of 9 for "
	"the loops\n              (4N for the ping-pongs) and 5 for the "
	"whole programs\n"
	"  --quick     short repetitions, and the whole programs at "
	"--scale 0.1\n"
	"  --iters N   N iterations per loop repetition instead of "
	"calibrating by time\n"
	"              (N/8 in case 2, N/2 per thread in case 3, "
	"N/100 round trips\n              in cases 4 and 5)\n"
	"  --scale X   the whole programs' sizes times X (0.000001..100; "
	"each keeps\n              a few iterations at least)\n"
	"  --json      print the numbers as one JSON object: the loops "
	"under \"cases\",\n              the whole programs under "
	"\"whole\"\n"
	"  -h, --help  this text\n\n"
	"Exit codes: 0 the bench ran (a missed target is reported, "
	"not an error);\n1 a whole program is missing, failed, or printed "
	"another result than\nplain; 2 usage error; 5 a trace could not "
	"be written.\n",
    .exec = bench_exec,
};
