/*
 * pingpong: the bench's two ping-pong cases alone, with many more
 * repetitions, so that what recording costs can be told from noise.
 *
 *   pingpong [-k cond|sem] [-n ROUNDTRIPS] [-r REPS] [-p none|same|split]
 *            [-m plain,clab,traced] [-z LEVEL]
 *
 * Each repetition runs every mode of -m once (in a rotating order) with
 * n round trips; it prints the median, the minimum and the quartiles of
 * ns per round trip of each mode, and their ratios to plain.  "clab" runs
 * the instrumented primitives with no trace open, "traced" with one open.
 * -p pins the two threads to CPU 0 (same) or to CPUs 0 and 1 (split).
 * -z is the trace's zlib level (default 1, as in the bench; 0: none).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <conclab/runtime.h>
#include <conclab/tracer.h>

enum mode { M_PLAIN, M_CLAB, M_TRACED, M_MAX };
static const char *const mode_name[M_MAX] = {"plain", "clab", "traced"};

/* Each object on a cache line of its own, as in conclab bench. */
#define LINE _Alignas(64)
struct duo {
	long n;
	int sem, pin;
	_Atomic int ready, go;
	LINE int turn;
	LINE pthread_mutex_t pm;
	struct {
		LINE pthread_cond_t v;
	} pc[2];
	struct {
		LINE sem_t v;
	} ps[2];
	LINE clab_mutex_t cm;
	struct {
		LINE clab_cond_t v;
	} cc[2];
	struct {
		LINE clab_sem_t v;
	} cs[2];
};

struct side {
	struct duo *d;
	int me;
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void pin(int pin, int me)
{
	cpu_set_t set;
	if (pin == 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(pin == 1 ? 0 : me, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void gate_wait(struct duo *d, int me)
{
	pin(d->pin, me);
	atomic_fetch_add(&d->ready, 1);
	while (!atomic_load_explicit(&d->go, memory_order_acquire))
		sched_yield();
}

static void *plain_fn(void *arg)
{
	struct side *s = arg;
	struct duo *d = s->d;
	int me = s->me;
	gate_wait(d, me);
	for (long i = 0; i < d->n; i++) {
		if (d->sem) {
			if (me == 0) {
				sem_post(&d->ps[0].v);
				while (sem_wait(&d->ps[1].v) != 0)
					;
			} else {
				while (sem_wait(&d->ps[0].v) != 0)
					;
				sem_post(&d->ps[1].v);
			}
			continue;
		}
		pthread_mutex_lock(&d->pm);
		while (d->turn != me)
			pthread_cond_wait(&d->pc[me].v, &d->pm);
		d->turn = !me;
		pthread_cond_signal(&d->pc[!me].v);
		pthread_mutex_unlock(&d->pm);
	}
	return NULL;
}

static void *clab_fn(void *arg)
{
	struct side *s = arg;
	struct duo *d = s->d;
	int me = s->me;
	gate_wait(d, me);
	for (long i = 0; i < d->n; i++) {
		if (d->sem) {
			if (me == 0) {
				clab_sem_release(&d->cs[0].v);
				clab_sem_acquire(&d->cs[1].v);
			} else {
				clab_sem_acquire(&d->cs[0].v);
				clab_sem_release(&d->cs[1].v);
			}
			continue;
		}
		clab_mutex_lock(&d->cm);
		while (d->turn != me)
			clab_cond_wait(&d->cc[me].v, &d->cm);
		d->turn = !me;
		clab_cond_signal(&d->cc[!me].v);
		clab_mutex_unlock(&d->cm);
	}
	return NULL;
}

static int zlevel = -1;

static double run(enum mode m, int sem, long n, int pinning)
{
	struct duo *d = aligned_alloc(64, sizeof(*d));
	memset(d, 0, sizeof(*d));
	struct side sides[2] = {{d, 0}, {d, 1}};
	uint64_t t0, t;
	char path[] = "/tmp/pingpong-XXXXXX.clt";

	d->n = n;
	d->sem = sem;
	d->pin = pinning;
	if (m == M_PLAIN) {
		pthread_t th[2];
		pthread_mutex_init(&d->pm, NULL);
		pthread_cond_init(&d->pc[0].v, NULL);
		pthread_cond_init(&d->pc[1].v, NULL);
		sem_init(&d->ps[0].v, 0, 0);
		sem_init(&d->ps[1].v, 0, 0);
		for (int i = 0; i < 2; i++)
			pthread_create(&th[i], NULL, plain_fn, &sides[i]);
		while (atomic_load(&d->ready) < 2)
			sched_yield();
		t0 = now_ns();
		atomic_store(&d->go, 1);
		for (int i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		t = now_ns() - t0;
		free(d);
		return (double)t / (double)n;
	}
	if (m == M_TRACED) {
		int fd = mkstemps(path, 4);
		close(fd);
		struct clab_tracer_opts o = {
		    .path = path, .buffer_mb = 512, .compress = zlevel};
		if (clab_tracer_open(&o) != 0) {
			fprintf(stderr, "pingpong: cannot open a trace\n");
			exit(1);
		}
		clab_thread_self();
	}
	clab_thread_t *th[2];
	clab_mutex_init(&d->cm, "m", CLAB_MUTEX_NORMAL);
	clab_cond_init(&d->cc[0].v, "c0");
	clab_cond_init(&d->cc[1].v, "c1");
	clab_sem_init(&d->cs[0].v, "s0", 0, 0);
	clab_sem_init(&d->cs[1].v, "s1", 0, 0);
	for (int i = 0; i < 2; i++)
		clab_thread_create(&th[i], i ? "b" : "a", clab_fn, &sides[i]);
	while (atomic_load(&d->ready) < 2)
		sched_yield();
	t0 = now_ns();
	atomic_store(&d->go, 1);
	for (int i = 0; i < 2; i++)
		clab_thread_join(th[i], NULL);
	t = now_ns() - t0;
	clab_sem_destroy(&d->cs[0].v);
	clab_sem_destroy(&d->cs[1].v);
	clab_cond_destroy(&d->cc[0].v);
	clab_cond_destroy(&d->cc[1].v);
	clab_mutex_destroy(&d->cm);
	if (m == M_TRACED) {
		clab_tracer_close(NULL);
		unlink(path);
	}
	free(d);
	return (double)t / (double)n;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int sem = 0, pinning = 0, reps = 21, opt;
	long n = 10000;
	int modes[M_MAX], nmodes = 0;
	char mlist[64] = "plain,clab,traced";

	while ((opt = getopt(argc, argv, "k:n:r:p:m:z:")) != -1) {
		switch (opt) {
		case 'k':
			sem = strcmp(optarg, "sem") == 0;
			break;
		case 'n':
			n = atol(optarg);
			break;
		case 'r':
			reps = atoi(optarg);
			break;
		case 'p':
			pinning = strcmp(optarg, "same") == 0	 ? 1
				  : strcmp(optarg, "split") == 0 ? 2
								 : 0;
			break;
		case 'z':
			zlevel = atoi(optarg);
			break;
		case 'm':
			snprintf(mlist, sizeof(mlist), "%s", optarg);
			break;
		default:
			fprintf(stderr, "usage: see the comment in "
					"bench/pingpong.c\n");
			return 2;
		}
	}
	for (char *tok = strtok(mlist, ","); tok; tok = strtok(NULL, ","))
		for (int m = 0; m < M_MAX; m++)
			if (strcmp(tok, mode_name[m]) == 0)
				modes[nmodes++] = m;
	if (nmodes == 0 || reps < 1 || n < 1)
		return 2;
	double *v = calloc((size_t)M_MAX * (size_t)reps, sizeof(*v));
	long csw[M_MAX] = {0};
	for (int r = 0; r < reps; r++) {
		for (int k = 0; k < nmodes; k++) {
			int m = modes[(k + r) % nmodes];
			struct rusage a, b;
			getrusage(RUSAGE_SELF, &a);
			v[m * reps + r] = run(m, sem, n, pinning);
			getrusage(RUSAGE_SELF, &b);
			csw[m] +=
			    b.ru_nvcsw + b.ru_nivcsw - a.ru_nvcsw - a.ru_nivcsw;
		}
	}
	double base = 0;
	printf("%s ping-pong, %ld round trips x %d reps, pin %s\n",
	       sem ? "sem" : "cond", n, reps,
	       pinning == 1   ? "same"
	       : pinning == 2 ? "split"
			      : "none");
	for (int k = 0; k < nmodes; k++) {
		int m = modes[k];
		double *x = &v[m * reps];
		qsort(x, (size_t)reps, sizeof(*x), cmp);
		double med = x[reps / 2];
		if (m == M_PLAIN)
			base = med;
		printf("%-7s median %8.1f  min %8.1f  q1 %8.1f  q3 %8.1f  "
		       "csw/rt %.2f",
		       mode_name[m], med, x[0], x[reps / 4], x[(3 * reps) / 4],
		       (double)csw[m] / reps / (double)n);
		if (base > 0)
			printf("  x%.3f", med / base);
		printf("\n");
	}
	free(v);
	return 0;
}
