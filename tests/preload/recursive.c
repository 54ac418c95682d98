/*
 * Recursive mutexes, one from the static initializer and one from an
 * attribute, taken three deep while another thread waits for them; the
 * other thread's trylock must fail with EBUSY until they are released.
 * Each barrier gives PTHREAD_BARRIER_SERIAL_THREAD to one thread.
 */
#include <errno.h>
#include <stdatomic.h>
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t r1 = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static pthread_mutex_t r2;
static pthread_barrier_t held, tried;
static int fails;
static _Atomic int serial; /* barrier waits that got the serial thread */

static void *other(void *arg)
{
	(void)arg;
	serial += pthread_barrier_wait(&held) == PTHREAD_BARRIER_SERIAL_THREAD;
	if (pthread_mutex_trylock(&r1) != EBUSY)
		fails++;
	if (pthread_mutex_trylock(&r2) != EBUSY)
		fails++;
	serial += pthread_barrier_wait(&tried) == PTHREAD_BARRIER_SERIAL_THREAD;
	pthread_mutex_lock(&r1); /* waits for main's last unlock */
	pthread_mutex_lock(&r2);
	pthread_mutex_unlock(&r2);
	pthread_mutex_unlock(&r1);
	return NULL;
}

int main(void)
{
	pthread_mutexattr_t a;
	pthread_t t;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&r2, &a);
	pthread_mutexattr_destroy(&a);
	pthread_barrier_init(&held, NULL, 2);
	pthread_barrier_init(&tried, NULL, 2);
	if (pthread_create(&t, NULL, other, NULL) != 0)
		return 2;
	for (int i = 0; i < 3; i++) {
		fails += pthread_mutex_lock(&r1) != 0;
		fails += pthread_mutex_trylock(&r2) != 0;
	}
	serial += pthread_barrier_wait(&held) == PTHREAD_BARRIER_SERIAL_THREAD;
	serial += pthread_barrier_wait(&tried) == PTHREAD_BARRIER_SERIAL_THREAD;
	for (int i = 0; i < 3; i++) {
		fails += pthread_mutex_unlock(&r2) != 0;
		fails += pthread_mutex_unlock(&r1) != 0;
	}
	pthread_join(t, NULL);
	fails += serial != 2; /* one a barrier */
	fails += pthread_mutex_destroy(&r2) != 0;
	pthread_barrier_destroy(&held);
	pthread_barrier_destroy(&tried);
	printf("recursive: %d failures\n", fails);
	return fails != 0;
}
