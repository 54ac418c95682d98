/*
 * main ends with pthread_exit while its threads still run: the process
 * ends, with status 0, when the last of them does (as the C library
 * ends it).  With "alone", main is the only thread when it calls it.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static sem_t go;
static int count;

static void *worker(void *arg)
{
	int n = *(int *)arg;
	sem_wait(&go); /* main has called pthread_exit, or is about to */
	for (int i = 0; i < 1000; i++) {
		pthread_mutex_lock(&lock);
		count++;
		pthread_mutex_unlock(&lock);
	}
	pthread_mutex_lock(&lock);
	if (count == 2000)
		printf("worker %d: the last, count %d\n", n, count);
	pthread_mutex_unlock(&lock);
	return NULL;
}

int main(int argc, char **argv)
{
	static int ids[2] = {1, 2};
	pthread_t t[2];
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && strcmp(argv[1], "alone") == 0) {
		printf("main alone: pthread_exit\n");
		pthread_exit(NULL);
	}
	sem_init(&go, 0, 0);
	for (int i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, worker, &ids[i]) != 0)
			return 1;
	/* detached: no one is left to join them */
	pthread_detach(t[0]);
	pthread_detach(t[1]);
	printf("main: pthread_exit\n");
	sem_post(&go);
	sem_post(&go);
	pthread_exit(NULL);
}
