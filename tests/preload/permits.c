/*
 * A thread takes 100 permits of a counting semaphore and gives none back
 * (tests/e2e/digest.sh): more than the trace's digest follows as held.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

static sem_t s;

static void *taker(void *arg)
{
	(void)arg;
	for (int i = 0; i < 100; i++)
		sem_wait(&s);
	return NULL;
}

int main(void)
{
	pthread_t t;
	sem_init(&s, 0, 100);
	pthread_create(&t, NULL, taker, NULL);
	pthread_join(t, NULL);
	sem_destroy(&s);
	printf("took 100 permits\n");
	return 0;
}
