/*
 * Waiting on a condition without holding its mutex: the C library returns
 * EPERM for an error-checking mutex, and so does conclab trace, which
 * records the misuse.  The mutex is never locked before the wait.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t m = PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;

int main(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 1;
	int r = pthread_cond_timedwait(&c, &m, &ts); /* not holding m */
	printf("wait without the mutex: %s\n", r == EPERM ? "EPERM" : "?");
	return r == EPERM ? 0 : 1;
}
