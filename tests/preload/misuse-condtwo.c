/*
 * One condition variable used with two mutexes (undefined for the C
 * library, which goes on): each timed wait runs out, conclab records the
 * second mutex.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t m1 = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t m2 = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;

static int wait_on(pthread_mutex_t *m)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 10 * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	pthread_mutex_lock(m);
	int r = pthread_cond_timedwait(&c, m, &ts); /* waits */
	pthread_mutex_unlock(m);
	return r;
}

int main(void)
{
	int a = wait_on(&m1), b = wait_on(&m2);
	printf("waits: %s, %s\n", a == ETIMEDOUT ? "ETIMEDOUT" : "?",
	       b == ETIMEDOUT ? "ETIMEDOUT" : "?");
	return a == ETIMEDOUT && b == ETIMEDOUT ? 0 : 1;
}
