/*
 * main ends with pthread_exit while its threads still run: the process
 * ends, with status 0, when the last of them does (as the C library
 * ends it).  With "alone", main is the only thread when it calls it.
 * With "slowend", main's cleanup handler outlasts the workers: the last
 * of them ends while main is still ending, whose end must be in the
 * trace all the same.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static sem_t go, finished;
static int count;

/* main's cleanup handler, in its pthread_exit: the workers end first */
static void slow_end(void *unused)
{
	(void)unused;
	struct timespec pause = {0, 100 * 1000 * 1000};
	sem_wait(&finished);
	nanosleep(&pause, NULL);
}

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
	if (count == 2000) {
		printf("worker %d: the last, count %d\n", n, count);
		sem_post(&finished);
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

int main(int argc, char **argv)
{
	static int ids[2] = {1, 2};
	pthread_t t[2];
	int slow = argc > 1 && strcmp(argv[1], "slowend") == 0;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && strcmp(argv[1], "alone") == 0) {
		printf("main alone: pthread_exit\n");
		pthread_exit(NULL);
	}
	sem_init(&go, 0, 0);
	sem_init(&finished, 0, 0);
	for (int i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, worker, &ids[i]) != 0)
			return 1;
	/* detached: no one is left to join them */
	pthread_detach(t[0]);
	pthread_detach(t[1]);
	printf("main: pthread_exit\n");
	pthread_cleanup_push(slow_end, NULL);
	sem_post(&go);
	sem_post(&go);
	if (slow)
		pthread_exit(NULL);
	pthread_cleanup_pop(0);
	pthread_exit(NULL);
}
