/*
 * Threads that end holding what they took: a read lock never released, a
 * write lock held at the end, and a permit of a semaphore used as a lock
 * (it starts with one, and only the thread that took it would give it
 * back).  The C library does not care; conclab reports all three.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

static pthread_rwlock_t r = PTHREAD_RWLOCK_INITIALIZER;
static pthread_rwlock_t w = PTHREAD_RWLOCK_INITIALIZER;
static sem_t lock;

static void *reader(void *arg)
{
	(void)arg;
	pthread_rwlock_rdlock(&r); /* reader keeps it */
	return NULL;
}

static void *writer(void *arg)
{
	(void)arg;
	pthread_rwlock_wrlock(&w); /* writer keeps it */
	return NULL;
}

static void *taker(void *arg)
{
	(void)arg;
	sem_wait(&lock); /* taker keeps it */
	return NULL;
}

int main(void)
{
	void *(*fn[])(void *) = {reader, writer, taker};
	if (sem_init(&lock, 0, 1) != 0)
		return 2;
	for (int i = 0; i < 3; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, fn[i], NULL) != 0)
			return 2;
		pthread_join(t, NULL);
	}
	int v = -1;
	sem_getvalue(&lock, &v);
	printf("read and write locks and a permit kept; value %d\n", v);
	return 0;
}
