/*
 * A thread that returns while it holds a mutex, and main that exits
 * holding another: the C library does not care, conclab records both.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&a); /* worker keeps it */
	return NULL;
}

int main(void)
{
	pthread_t t;
	if (pthread_create(&t, NULL, worker, NULL) != 0)
		return 2;
	pthread_join(t, NULL);
	pthread_mutex_lock(&b); /* main keeps it */
	puts("exiting with b held");
	return 0;
}
