/*
 * pthread_cancel of a thread in sleep(), a cancellation point: the thread
 * ends at once, its cleanup handler run, not when its sleep is over.
 * Under conclab's controlled scheduler the sleep is on the virtual clock,
 * where main's 2-second wait for the cleanup would time out first if the
 * cancellation waited for the sleeper's 20 seconds.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static sem_t started, cleaned;

static void cleanup(void *arg)
{
	(void)arg;
	sem_post(&cleaned);
}

static void *sleeper(void *arg)
{
	(void)arg;
	pthread_cleanup_push(cleanup, NULL);
	sem_post(&started);
	for (;;)
		sleep(20);
	pthread_cleanup_pop(0);
	return NULL;
}

int main(void)
{
	pthread_t t;
	void *r = NULL;
	sem_init(&started, 0, 0);
	sem_init(&cleaned, 0, 0);
	if (pthread_create(&t, NULL, sleeper, NULL) != 0)
		return 2;
	sem_wait(&started);
	pthread_cancel(t);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 2;
	int at_once = sem_timedwait(&cleaned, &ts) == 0;
	pthread_join(t, &r);
	printf("cancelsleep: cancelled %d, at once %d\n", r == PTHREAD_CANCELED,
	       at_once);
	return 0;
}
