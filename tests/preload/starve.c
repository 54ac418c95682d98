/*
 * Waits that only the full report can judge (tests/e2e/digest.sh): main
 * holds a mutex MS milliseconds (argument 1, default 1200) while WAITERS
 * threads (argument 2, default 1) ask for it; then, SHORT times (argument
 * 3, default 3), it holds it 20 ms while one more thread asks.  A wait past
 * the 1 s threshold among short ones fails starvation; several of 150 ms
 * make their median the threshold (10 times it).  Nothing else is wrong.
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

static void *waiter(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&m);
	pthread_mutex_unlock(&m);
	return NULL;
}

int main(int argc, char **argv)
{
	long ms = argc > 1 ? atol(argv[1]) : 1200;
	int n = argc > 2 ? atoi(argv[2]) : 1;
	int nshort = argc > 3 ? atoi(argv[3]) : 3;
	pthread_t t[16];
	if (ms < 0 || n < 1 || n > 16 || nshort < 0)
		return 2;
	pthread_mutex_lock(&m);
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, waiter, NULL);
	usleep((useconds_t)ms * 1000);
	pthread_mutex_unlock(&m);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < nshort; i++) {
		pthread_mutex_lock(&m);
		pthread_create(&t[0], NULL, waiter, NULL);
		usleep(20000);
		pthread_mutex_unlock(&m);
		pthread_join(t[0], NULL);
	}
	return 0;
}
