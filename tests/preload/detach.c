/*
 * Detached threads, by attribute and by themselves, and a join of one,
 * which fails with EINVAL; a thread made with a stack size of its own.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>

static sem_t done;
static pthread_t self_detached;

static void *by_attr(void *arg)
{
	(void)arg;
	sem_post(&done);
	return NULL;
}

static void *by_itself(void *arg)
{
	(void)arg;
	self_detached = pthread_self();
	int r = pthread_detach(pthread_self());
	sem_post(&done);
	return (void *)(intptr_t)r;
}

static void *deep(void *arg)
{
	char big[512 * 1024]; /* more than a small default stack would hold */
	for (size_t i = 0; i < sizeof(big); i += 4096)
		big[i] = (char)i;
	return (void *)(intptr_t)(big[4096] + *(int *)arg);
}

int main(void)
{
	pthread_attr_t a;
	pthread_t t;
	int fails = 0, seven = 7;
	void *ret;
	sem_init(&done, 0, 0);
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	fails += pthread_create(&t, &a, by_attr, NULL) != 0;
	pthread_attr_destroy(&a);
	fails += pthread_join(t, NULL) != EINVAL;
	fails += pthread_create(&t, NULL, by_itself, NULL) != 0;
	sem_wait(&done);
	sem_wait(&done);
	fails += pthread_join(self_detached, NULL) != EINVAL;
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 4u << 20);
	fails += pthread_create(&t, &a, deep, &seven) != 0;
	pthread_attr_destroy(&a);
	fails += pthread_join(t, &ret) != 0 || (intptr_t)ret != 7;
	printf("detach: %d failures\n", fails);
	return fails != 0;
}
