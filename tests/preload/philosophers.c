/*
 * Five philosophers on semaphores: each fork is a semaphore of one
 * permit, and a butler (a semaphore of four) lets at most four sit down,
 * so that they cannot deadlock.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

#define N 5
#define MEALS 200

static sem_t fork_[N], butler;
static int meals[N];

static void *philosopher(void *arg)
{
	int i = (int)(long)arg;
	for (int k = 0; k < MEALS; k++) {
		sem_wait(&butler);
		sem_wait(&fork_[i]);
		sem_wait(&fork_[(i + 1) % N]);
		meals[i]++;
		sem_post(&fork_[(i + 1) % N]);
		sem_post(&fork_[i]);
		sem_post(&butler);
	}
	return NULL;
}

int main(void)
{
	pthread_t t[N];
	sem_init(&butler, 0, N - 1);
	for (int i = 0; i < N; i++)
		sem_init(&fork_[i], 0, 1);
	for (int i = 0; i < N; i++)
		if (pthread_create(&t[i], NULL, philosopher, (void *)(long)i))
			return 2;
	int total = 0;
	for (int i = 0; i < N; i++) {
		pthread_join(t[i], NULL);
		total += meals[i];
	}
	int v = -1;
	sem_getvalue(&butler, &v);
	for (int i = 0; i < N; i++)
		sem_destroy(&fork_[i]);
	sem_destroy(&butler);
	printf("meals = %d, butler = %d\n", total, v);
	return total == N * MEALS && v == N - 1 ? 0 : 1;
}
