/*
 * Unlocking a mutex one does not hold: a thread unlocks the mutex main
 * holds, and main unlocks one nobody holds.  Error-checking mutexes, so
 * that the C library returns EPERM for both, as conclab trace must.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t m = PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP;
static pthread_mutex_t idle = PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP;

static void *other(void *arg)
{
	(void)arg;
	return (void *)(long)pthread_mutex_unlock(&m); /* not the owner */
}

int main(void)
{
	pthread_t t;
	void *r;
	pthread_mutex_lock(&m);
	if (pthread_create(&t, NULL, other, NULL) != 0)
		return 2;
	pthread_join(t, &r);
	pthread_mutex_unlock(&m);
	int e = pthread_mutex_unlock(&idle); /* nobody holds it */
	printf("unlock by another thread: %s, of an unlocked one: %s\n",
	       (long)r == EPERM ? "EPERM" : "?", e == EPERM ? "EPERM" : "?");
	return (long)r == EPERM && e == EPERM ? 0 : 1;
}
