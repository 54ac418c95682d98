/*
 * A real two-thread deadlock: each thread takes its own mutex, both meet
 * at a barrier, and each then asks for the other's.  conclab trace ends it
 * with the watchdog's report and exit 3.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t m[2] = {PTHREAD_MUTEX_INITIALIZER,
			       PTHREAD_MUTEX_INITIALIZER};
static pthread_barrier_t both;

static void *worker(void *arg)
{
	int i = *(int *)arg;
	pthread_mutex_lock(&m[i]);
	pthread_barrier_wait(&both);
	pthread_mutex_lock(&m[1 - i]); /* deadlock.c: the other's */
	pthread_mutex_unlock(&m[1 - i]);
	pthread_mutex_unlock(&m[i]);
	return NULL;
}

int main(void)
{
	static int ids[2] = {0, 1};
	pthread_t t[2];
	pthread_barrier_init(&both, NULL, 2);
	for (int i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, worker, &ids[i]) != 0)
			return 2;
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	puts("no deadlock?");
	return 0;
}
