/*
 * Semaphores used as signals, which one thread takes and another gives:
 * not locks, so nothing is held when a thread ends.  go starts at 0 (a
 * permit only once the worker posts); ready starts at 1 and main takes it
 * twice, the second time after the worker posted it (a thread without a
 * permit gave it: a signal), and main ends with both taken.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

static sem_t go, ready;

static void *worker(void *arg)
{
	(void)arg;
	sem_post(&go);
	sem_post(&ready); /* a permit main takes and never gives */
	return NULL;
}

int main(void)
{
	pthread_t t;
	if (sem_init(&go, 0, 0) != 0 || sem_init(&ready, 0, 1) != 0)
		return 2;
	sem_wait(&ready);
	if (pthread_create(&t, NULL, worker, NULL) != 0)
		return 2;
	sem_wait(&go);
	pthread_join(t, NULL);
	sem_wait(&ready); /* main ends with it */
	puts("signalled twice");
	return 0;
}
