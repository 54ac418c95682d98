/*
 * Producer and consumer on a bounded buffer, with static initializers:
 * one mutex, two condition variables.  The consumer ends with
 * pthread_exit and a value that the joiner checks.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define ITEMS 2000
#define SLOTS 4

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static int buf[SLOTS], head, count;

static void *producer(void *arg)
{
	(void)arg;
	for (int i = 1; i <= ITEMS; i++) {
		pthread_mutex_lock(&lock);
		while (count == SLOTS)
			pthread_cond_wait(&not_full, &lock);
		buf[(head + count++) % SLOTS] = i;
		pthread_cond_signal(&not_empty);
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

static void *consumer(void *arg)
{
	(void)arg;
	long sum = 0;
	for (int i = 0; i < ITEMS; i++) {
		pthread_mutex_lock(&lock);
		while (count == 0)
			pthread_cond_wait(&not_empty, &lock);
		sum += buf[head];
		head = (head + 1) % SLOTS;
		count--;
		pthread_cond_signal(&not_full);
		pthread_mutex_unlock(&lock);
	}
	pthread_exit((void *)(intptr_t)sum);
}

int main(void)
{
	pthread_t p, c;
	void *sum;
	if (pthread_create(&c, NULL, consumer, NULL) != 0 ||
	    pthread_create(&p, NULL, producer, NULL) != 0)
		return 2;
	pthread_join(p, NULL);
	pthread_join(c, &sum);
	long want = (long)ITEMS * (ITEMS + 1) / 2;
	printf("sum = %ld (want %ld)\n", (long)(intptr_t)sum, want);
	return (long)(intptr_t)sum == want ? 0 : 1;
}
