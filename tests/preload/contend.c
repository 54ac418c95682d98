/*
 * Threads that wait but do nothing wrong (tests/e2e/digest.sh): THREADS
 * (argument 1, default 4) threads take one mutex ITERS (argument 2,
 * default 10000) times each, a short critical section each time, so that
 * they wait for it (they start together, each waiting on a condition
 * variable until main lets them all go, so that each waits); then a producer
 * and a consumer hand each other ITERS items through a condition variable, one
 * slot at a time.  With a third argument "barrier", the threads meet at a
 * barrier first.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static pthread_cond_t start = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t meet;
static long iters = 10000, total, slot;
static int full, barrier, go;

static void *work(void *arg)
{
	(void)arg;
	if (barrier)
		pthread_barrier_wait(&meet);
	pthread_mutex_lock(&m);
	while (!go)
		pthread_cond_wait(&start, &m);
	pthread_mutex_unlock(&m);
	for (long i = 0; i < iters; i++) {
		pthread_mutex_lock(&m);
		for (int k = 0; k < 20; k++)
			total += k;
		pthread_mutex_unlock(&m);
	}
	return NULL;
}

static void *produce(void *arg)
{
	(void)arg;
	for (long i = 1; i <= iters; i++) {
		pthread_mutex_lock(&m);
		while (full)
			pthread_cond_wait(&changed, &m);
		slot = i;
		full = 1;
		pthread_cond_signal(&changed);
		pthread_mutex_unlock(&m);
	}
	return NULL;
}

static void *consume(void *arg)
{
	long *sum = arg;
	for (long i = 1; i <= iters; i++) {
		pthread_mutex_lock(&m);
		while (!full)
			pthread_cond_wait(&changed, &m);
		*sum += slot;
		full = 0;
		pthread_cond_signal(&changed);
		pthread_mutex_unlock(&m);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 4;
	if (argc > 2)
		iters = atol(argv[2]);
	barrier = argc > 3 && strcmp(argv[3], "barrier") == 0;
	if (n < 1 || n > 64 || iters < 1)
		return 2;
	pthread_t t[64], p, c;
	if (barrier)
		pthread_barrier_init(&meet, NULL, (unsigned)n);
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, work, NULL);
	usleep(20000);
	pthread_mutex_lock(&m);
	go = 1;
	pthread_cond_broadcast(&start);
	pthread_mutex_unlock(&m);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	long sum = 0;
	pthread_create(&p, NULL, produce, NULL);
	pthread_create(&c, NULL, consume, &sum);
	pthread_join(p, NULL);
	pthread_join(c, NULL);
	if (barrier)
		pthread_barrier_destroy(&meet);
	printf("total %ld, sum %ld\n", total, sum);
	return sum == iters * (iters + 1) / 2 ? 0 : 1;
}
