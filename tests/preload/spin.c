/*
 * Spin locks: four threads add under one, and one thread's trylock fails
 * with EBUSY while another holds it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

#define THREADS 4
#define ADDS 5000

static pthread_spinlock_t spin;
static pthread_barrier_t held, tried;
static long total;

static void *adder(void *arg)
{
	(void)arg;
	for (int i = 0; i < ADDS; i++) {
		pthread_spin_lock(&spin);
		total++;
		pthread_spin_unlock(&spin);
	}
	return NULL;
}

static void *trier(void *arg)
{
	int *busy = arg;
	pthread_barrier_wait(&held);
	*busy = pthread_spin_trylock(&spin) == EBUSY;
	pthread_barrier_wait(&tried);
	return NULL;
}

int main(void)
{
	pthread_t t[THREADS];
	int busy = 0;
	pthread_spin_init(&spin, PTHREAD_PROCESS_PRIVATE);
	pthread_barrier_init(&held, NULL, 2);
	pthread_barrier_init(&tried, NULL, 2);
	pthread_create(&t[0], NULL, trier, &busy);
	pthread_spin_lock(&spin);
	pthread_barrier_wait(&held);
	pthread_barrier_wait(&tried);
	pthread_spin_unlock(&spin);
	pthread_join(t[0], NULL);
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, adder, NULL);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	pthread_spin_destroy(&spin);
	printf("spin: total %ld, trylock busy %d\n", total, busy);
	return total == THREADS * ADDS && busy ? 0 : 1;
}
