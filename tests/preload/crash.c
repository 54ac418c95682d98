/*
 * A program that crashes holding a lock: a worker takes the mutex, and
 * main, once it knows, dereferences a null pointer.  The trace is saved
 * by conclab's crash handler, with the lock still held.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t taken, never;

static void *worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&m); /* taken, never released */
	pthread_barrier_wait(&taken);
	pthread_barrier_wait(&never); /* main crashes first */
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_barrier_init(&taken, NULL, 2);
	pthread_barrier_init(&never, NULL, 2);
	pthread_create(&t, NULL, worker, NULL);
	pthread_barrier_wait(&taken);
	puts("crashing");
	fflush(stdout);
	volatile int *p = NULL;
	return *p;
}
