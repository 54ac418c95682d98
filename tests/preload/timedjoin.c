/*
 * The waits with a time limit that glibc adds to POSIX's: sem_clockwait,
 * pthread_tryjoin_np, pthread_timedjoin_np and pthread_clockjoin_np.  They
 * must behave as without conclab (each result is printed), and under
 * conclab trace be recorded as the waits they are: a post reaches a
 * clockwait, a join that returned 0 is a join, a try that found the
 * thread running a failed attempt (200 of them in a row: a spin).
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static sem_t posts, go;

static void *poster(void *arg)
{
	(void)arg;
	for (int i = 0; i < 100; i++)
		sem_post(&posts);
	return NULL;
}

static void *waiter(void *arg)
{
	sem_wait(&go);
	return arg;
}

/* now on clock, plus ms */
static struct timespec in(clockid_t clock, long ms)
{
	struct timespec t;
	clock_gettime(clock, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += ms % 1000 * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

static const char *name(int e)
{
	return e == 0 ? "0" : strerrorname_np(e);
}

int main(void)
{
	pthread_t t[4];
	void *r[4] = {0};
	sem_init(&posts, 0, 0);
	sem_init(&go, 0, 0);
	pthread_create(&t[0], NULL, poster, NULL);
	int got = 0;
	for (int i = 0; i < 100; i++) {
		struct timespec ts = in(CLOCK_MONOTONIC, 5000);
		if (sem_clockwait(&posts, CLOCK_MONOTONIC, &ts) == 0)
			got++;
	}
	struct timespec past = in(CLOCK_MONOTONIC, 0);
	int e1 = sem_clockwait(&posts, CLOCK_MONOTONIC, &past) ? errno : 0;
	int e2 =
	    sem_clockwait(&posts, CLOCK_PROCESS_CPUTIME_ID, &past) ? errno : 0;
	int j0 = pthread_join(t[0], NULL);
	printf("timedjoin: sem_clockwait got %d, past %s, other clock %s, "
	       "join %s\n",
	       got, name(e1), name(e2), name(j0));

	pthread_create(&t[1], NULL, waiter, (void *)7);
	int a1 = pthread_tryjoin_np(t[1], &r[1]);
	struct timespec ts = in(CLOCK_REALTIME, 50);
	int a2 = pthread_timedjoin_np(t[1], &r[1], &ts);
	ts = in(CLOCK_MONOTONIC, 30);
	int a3 = pthread_clockjoin_np(t[1], &r[1], CLOCK_MONOTONIC, &ts);
	sem_post(&go);
	ts = in(CLOCK_MONOTONIC, 5000);
	int a4 = pthread_clockjoin_np(t[1], &r[1], CLOCK_MONOTONIC, &ts);
	printf("timedjoin: a waiting thread: try %s, timed %s, clock %s, "
	       "then %s with %ld\n",
	       name(a1), name(a2), name(a3), name(a4), (long)r[1]);

	pthread_create(&t[2], NULL, waiter, (void *)8);
	pthread_create(&t[3], NULL, waiter, (void *)9);
	int busy = 0, b;
	for (int i = 0; i < 200; i++) /* a spin: conclab trace says so */
		busy += pthread_tryjoin_np(t[2], &r[2]) == EBUSY;
	sem_post(&go);
	sem_post(&go);
	while ((b = pthread_tryjoin_np(t[2], &r[2])) == EBUSY)
		;
	ts = in(CLOCK_REALTIME, 5000);
	int c = pthread_timedjoin_np(t[3], &r[3], &ts);
	printf("timedjoin: %d tries busy, then %s with %ld; timed %s with "
	       "%ld\n",
	       busy, name(b), (long)r[2], name(c), (long)r[3]);
	return 0;
}
