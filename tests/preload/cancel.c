/*
 * pthread_cancel: a thread sleeping in a loop (sleep is a cancellation
 * point) is cancelled; its joiner gets PTHREAD_CANCELED.
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t lk = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int started;

static void *sleeper(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lk);
	started = 1;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&lk);
	for (;;)
		sleep(10);
	return NULL;
}

int main(void)
{
	pthread_t t;
	void *ret = NULL;
	if (pthread_create(&t, NULL, sleeper, NULL) != 0)
		return 2;
	pthread_mutex_lock(&lk);
	while (!started)
		pthread_cond_wait(&cv, &lk);
	pthread_mutex_unlock(&lk);
	pthread_cancel(t); /* cancel */
	pthread_join(t, &ret);
	printf("cancel: %s\n",
	       ret == PTHREAD_CANCELED ? "PTHREAD_CANCELED" : "not cancelled");
	return ret == PTHREAD_CANCELED ? 0 : 1;
}
