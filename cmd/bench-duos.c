/*
 * conclab bench, cases 3 to 5: two threads that contend for a mutex or
 * ping-pong on a condition variable or a semaphore, pinned to two CPUs.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/runtime.h>
#include <conclab/tracer.h>

#include "bench.h"

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
	uint64_t t0 = clab__mono_ns();
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
		t = clab__mono_ns() - t0;
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
		t = clab__mono_ns() - t0;
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

static void pingpong(struct bench *b, const char *key, const char *label,
		     loop_fn plain, loop_fn clab, const char *what)
{
	struct row *r = bench_row_new(b, key, label, "ns", "<=1.05x");
	long n = bench_pp_iters(b, clab);
	bench_measure(b, r, plain, clab, n, (double)n, PP_MORE * b->o.reps);
	r->verdict = r->ratio <= 1.05 ? V_PASS : V_MISS;
	snprintf(r->note, sizeof(r->note),
		 "%ld round trips/rep%s; context switches per round trip: "
		 "plain %.2f, conclab %.2f",
		 n, what, r->csw_plain, r->csw_clab);
	bench_print_row(b, r);
}

int bench_case_duos(struct bench *b)
{
	struct clab_tracer_stats st;
	if (bench_trace_begin(b, BUFFER_MB))
		return -1;
	clab_set_spurious(0, 0);

	size_t first = b->nrows;
	if (bench_want(b, 3)) {
		struct row *r = bench_row_new(b, "contended_2threads",
					      "contended pair, 2 threads", "ns",
					      "(report)");
		long n = bench_iters_or(b, contend_clab, 1 << 24, 2);
		bench_measure(b, r, contend_plain, contend_clab, n,
			      2.0 * (double)n, b->o.reps);
		snprintf(r->note, sizeof(r->note),
			 "%ld pairs per thread/rep, ns per pair of all "
			 "threads; context switches per pair: plain %.3f, "
			 "conclab %.3f",
			 n, r->csw_plain / 2, r->csw_clab / 2);
		bench_print_row(b, r);
	}

	if (bench_want(b, 4))
		pingpong(b, "cond_pingpong", "cond ping-pong round trip",
			 cond_plain, cond_clab, "");
	if (bench_want(b, 5))
		pingpong(b, "sem_pingpong", "sem ping-pong round trip",
			 sem_plain, sem_clab, " (plain: POSIX sem_t)");

	bench_trace_end(b, &st);
	for (size_t i = first; i < b->nrows; i++) {
		b->rows[i].records = st.records;
		b->rows[i].stalls = st.stalls;
	}
	return 0;
}
