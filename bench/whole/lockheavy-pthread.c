/*
 * lock-heavy, on plain pthreads: ITERS iterations (4,000,000) shared out
 * among THREADS threads (1); each iteration locks one of 8 mutexes picked
 * at random and bumps its counter, and every fourth takes a nested pair
 * instead, the lower-numbered mutex first.
 */
#include <pthread.h>

#include "whole.h"

#define NLOCKS 8

static pthread_mutex_t locks[NLOCKS];
static long counts[NLOCKS]; /* counts[i] under locks[i] */

struct worker {
	pthread_t th;
	long n;
	unsigned long long rng;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	for (long i = 0; i < w->n; i++) {
		unsigned a = whole_next(&w->rng) % NLOCKS;
		if (i % 4 == 3) {
			unsigned b =
			    (a + 1 + whole_next(&w->rng) % (NLOCKS - 1)) %
			    NLOCKS;
			unsigned lo = a < b ? a : b, hi = a < b ? b : a;
			WHOLE_PT(pthread_mutex_lock(&locks[lo]));
			WHOLE_PT(pthread_mutex_lock(&locks[hi]));
			counts[lo]++;
			counts[hi]++;
			WHOLE_PT(pthread_mutex_unlock(&locks[hi]));
			WHOLE_PT(pthread_mutex_unlock(&locks[lo]));
		} else {
			WHOLE_PT(pthread_mutex_lock(&locks[a]));
			counts[a]++;
			WHOLE_PT(pthread_mutex_unlock(&locks[a]));
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct whole_usage u = {argc, argv, 2, "[ITERS [THREADS]]"};
	long iters = whole_arg(&u, 1, 4000000, 1, 1000000000);
	int nt = (int)whole_arg(&u, 2, 1, 1, 64);
	struct worker w[64];
	for (int i = 0; i < NLOCKS; i++)
		WHOLE_PT(pthread_mutex_init(&locks[i], NULL));
	for (int i = 0; i < nt; i++) {
		w[i].n = iters / nt + (i < iters % nt);
		w[i].rng = (unsigned long long)i + 1;
		WHOLE_PT(pthread_create(&w[i].th, NULL, work, &w[i]));
	}
	for (int i = 0; i < nt; i++)
		WHOLE_PT(pthread_join(w[i].th, NULL));
	long sum = 0;
	for (int i = 0; i < NLOCKS; i++) {
		sum += counts[i];
		WHOLE_PT(pthread_mutex_destroy(&locks[i]));
	}
	printf("lockheavy: %ld iterations, %d threads, %ld increments\n", iters,
	       nt, sum);
	return 0;
}
