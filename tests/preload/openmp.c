/*
 * An OpenMP program: libgomp makes the threads of its teams with
 * pthread_create and keeps them, idle, for the next team until the process
 * exits.  Those are the library's, not the program's to end: "all threads
 * ended" holds.  With an argument the program also leaves a thread of its
 * own running at its end, which it does not.
 */
#include <omp.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <unistd.h>

static sem_t started;

static void *idle(void *arg)
{
	sem_post(&started);
	for (;;)
		pause();
	return arg;
}

int main(int argc, char **argv)
{
	(void)argv;
	long sum = 0, count = 0;
	omp_lock_t lock;
	omp_init_lock(&lock);
#pragma omp parallel for num_threads(3) reduction(+ : sum)
	for (int i = 0; i < 100000; i++)
		sum += i;
#pragma omp parallel num_threads(3)
	for (int k = 0; k < 1000; k++) {
		omp_set_lock(&lock);
		count++;
		omp_unset_lock(&lock);
	}
	omp_destroy_lock(&lock);
	if (argc > 1) {
		pthread_t t;
		sem_init(&started, 0, 0);
		pthread_create(&t, NULL, idle, NULL); /* the program's own */
		pthread_detach(t);
		sem_wait(&started);
	}
	printf("openmp: sum %ld, count %ld\n", sum, count);
	return 0;
}
