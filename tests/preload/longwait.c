/*
 * A thread waits 50 ms on a condition variable until main signals it
 * (tests/e2e/digest.sh): a wait the starvation check judges.
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t go = PTHREAD_COND_INITIALIZER;
static int ready;

static void *waiter(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&m);
	while (!ready)
		pthread_cond_wait(&go, &m);
	pthread_mutex_unlock(&m);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, waiter, NULL);
	usleep(50000);
	pthread_mutex_lock(&m);
	ready = 1;
	pthread_cond_signal(&go);
	pthread_mutex_unlock(&m);
	pthread_join(t, NULL);
	printf("woke\n");
	return 0;
}
