/*
 * Threads that sleep: a worker naps (usleep, nanosleep, sleep) and then
 * sets a flag under a mutex; main polls the flag, sleeping between looks.
 * Under `conclab trace --sched` the sleeps are waits on the virtual clock
 * where the turn goes to another thread; slept in the kernel, main's
 * polling would keep the turn and the worker would never run.
 */
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t lk = PTHREAD_MUTEX_INITIALIZER;
static int done;

static void *worker(void *arg)
{
	(void)arg;
	struct timespec ns = {0, 2000000};
	usleep(3000);
	nanosleep(&ns, NULL);
	sleep(1);
	pthread_mutex_lock(&lk);
	done = 1;
	pthread_mutex_unlock(&lk);
	return NULL;
}

int main(void)
{
	pthread_t t;
	int looks = 0;
	if (pthread_create(&t, NULL, worker, NULL) != 0)
		return 2;
	for (;;) {
		pthread_mutex_lock(&lk);
		int d = done;
		pthread_mutex_unlock(&lk);
		if (d)
			break;
		looks++;
		usleep(100000); /* sleepy.c: main polls */
	}
	pthread_join(t, NULL);
	printf("sleepy: done after %s\n", looks > 0 ? "some looks" : "none");
	return 0;
}
