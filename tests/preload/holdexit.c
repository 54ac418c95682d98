/*
 * The program ends while another thread holds a mutex (tests/e2e/
 * digest.sh): no misuse diagnostic, but a lock held at the end and a
 * thread that never ended.
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lk = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t taken = PTHREAD_COND_INITIALIZER;
static int has;

static void *holder(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&m);
	pthread_mutex_lock(&lk);
	has = 1;
	pthread_cond_signal(&taken);
	pthread_mutex_unlock(&lk);
	for (;;)
		pause(); /* holding m until the process ends */
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, holder, NULL);
	pthread_mutex_lock(&lk);
	while (!has)
		pthread_cond_wait(&taken, &lk);
	pthread_mutex_unlock(&lk);
	printf("exiting while m is held\n");
	return 0;
}
