/*
 * Initialising again a mutex that is held, and a barrier that a thread
 * waits at: the C library returns 0 and starts afresh (the barrier's
 * waiter is never released); conclab trace records both.  A mutex made
 * again while nobody holds it, and a barrier nobody waits at, are fine.
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lk = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t b;
static int arriving;

static void *waiter(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lk);
	arriving = 1;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&lk);
	pthread_barrier_wait(&b); /* never released */
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_mutex_t idle;
	pthread_mutex_init(&idle, NULL);
	pthread_mutex_lock(&idle);
	pthread_mutex_unlock(&idle);
	pthread_mutex_init(&idle, NULL); /* not held: fine */
	pthread_barrier_init(&b, NULL, 2);
	pthread_barrier_init(&b, NULL, 2); /* nobody waits: fine */
	pthread_mutex_lock(&m);
	int rm = pthread_mutex_init(&m, NULL); /* held */
	if (pthread_create(&t, NULL, waiter, NULL) != 0)
		return 2;
	pthread_mutex_lock(&lk);
	while (!arriving)
		pthread_cond_wait(&cv, &lk);
	pthread_mutex_unlock(&lk);
	/* the waiter is on its way into the barrier: give it time to arrive */
	usleep(200 * 1000);
	int rb = pthread_barrier_init(&b, NULL, 2); /* in use */
	printf("init of a held mutex: %d, of a barrier in use: %d\n", rm, rb);
	return rm == 0 && rb == 0 ? 0 : 1;
}
