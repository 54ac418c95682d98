/*
 * forklat [N]: how long a fork takes while another thread locks and
 * unlocks a mutex as fast as it can (and so, under conclab trace, records
 * as fast as it can).  Forks N times (default 20), 20 ms apart; each child
 * exits at once.  Prints the median and the longest fork, in ms, from the
 * call to its return in the parent.  Run it plain and under conclab trace
 * (docs/performance.md, "A fork beside a busy thread"); it is a
 * benchmark, not a test: the times are the machine's.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXN 1000

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static atomic_int stop;
static long count;

static void *busy(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		pthread_mutex_lock(&m);
		count++;
		pthread_mutex_unlock(&m);
	}
	return NULL;
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 20;
	if (n < 1 || n > MAXN) {
		fprintf(stderr, "usage: forklat [N], 1 <= N <= %d\n", MAXN);
		return 2;
	}
	static double ms[MAXN];
	pthread_t t;
	pthread_create(&t, NULL, busy, NULL);
	for (int i = 0; i < n; i++) {
		nanosleep(&(struct timespec){0, 20000000}, NULL);
		double t0 = now_ms();
		pid_t pid = fork();
		if (pid == 0)
			_exit(0);
		ms[i] = now_ms() - t0;
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		waitpid(pid, NULL, 0);
	}
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	qsort(ms, (size_t)n, sizeof(ms[0]), cmp);
	printf("forklat: %d forks beside a busy thread: median %.2f ms, "
	       "longest %.2f ms\n",
	       n, ms[n / 2], ms[n - 1]);
	return 0;
}
