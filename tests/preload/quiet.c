/*
 * A program with nothing to report (tests/e2e/digest.sh): threads one
 * after another, each taking two mutexes in one order, a read-write lock
 * both ways, a semaphore as a lock and a static condition variable that
 * nobody waits on; ITERS (argument 1, default 1000) times each.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static sem_t s;
static long iters = 1000, total;

static void *work(void *arg)
{
	(void)arg;
	for (long i = 0; i < iters; i++) {
		pthread_mutex_lock(&a);
		pthread_mutex_lock(&b);
		total++;
		pthread_cond_signal(&c);
		pthread_mutex_unlock(&b);
		pthread_mutex_unlock(&a);
		pthread_rwlock_rdlock(&rw);
		pthread_rwlock_unlock(&rw);
		pthread_rwlock_wrlock(&rw);
		pthread_rwlock_unlock(&rw);
		sem_wait(&s);
		sem_post(&s);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		iters = atol(argv[1]);
	sem_init(&s, 0, 1);
	for (int i = 0; i < 2; i++) {
		pthread_t t;
		pthread_create(&t, NULL, work, NULL);
		pthread_join(t, NULL);
	}
	sem_destroy(&s);
	printf("total = %ld\n", total);
	return total == 2 * iters ? 0 : 1;
}
