/*
 * A signal handler posts a semaphore that a thread waits on: sem_post is
 * async-signal-safe, and this is how a program wakes up for a signal.
 *   sigpost        main waits 1000 times on s; an interval timer's
 *                  handler posts s every 200 microseconds (it comes,
 *                  mostly, while main sleeps in its wait, or runs
 *                  conclab's code around it)
 *   sigpost join   a worker waits on s with the signal blocked, and main
 *                  joins it: the alarm's handler runs on main, in its
 *                  join, and its post wakes the worker
 *   sigpost join-nocancel
 *                  the same, with main's cancellation disabled (the
 *                  runtime's join waits differently then)
 *   sigpost nest   two handlers on main, the second coming while the
 *                  first posts 2000 times: every post counted (the
 *                  second's is left for when the first is done)
 *   sigpost ending SIGUSR1 lands only on workers that are ending (the
 *                  others block it): each signal, one post
 * Before, a post from a handler that came while its thread ran conclab's
 * code went to the C library's count, which conclab's waits never read:
 * the first hung (the timer's next post, to the same place, never came
 * through), the second was reported as a deadlock.  nest and ending are
 * the review's: a handler in the middle of another's post spun on a lock
 * its thread held, and a post left by a thread that then ended was lost.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static sem_t s;
static volatile sig_atomic_t posts;

static void on_alarm(int sig)
{
	(void)sig;
	sem_post(&s); /* the handler posts */
	posts++;      /* after: a tail call would name the C library's site */
}

static void *worker(void *arg)
{
	(void)arg;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &set, NULL); /* the handler runs on main */
	while (sem_wait(&s) != 0)		/* the worker waits */
		;
	return NULL;
}

static sem_t t;
static volatile sig_atomic_t n1, n2, done;
static pthread_t mainth;

static void on_usr1(int sig)
{
	(void)sig;
	for (int i = 0; i < 2000; i++)
		sem_post(&t);
	sem_post(&s); /* the first handler posts */
	n1++;
}

static void on_usr2(int sig)
{
	(void)sig;
	sem_post(&t); /* the second handler posts */
	n2++;
}

static void *sender(void *arg)
{
	(void)arg;
	for (int i = 0; i < 100; i++) {
		pthread_kill(mainth, SIGUSR1);
		usleep(50 + (unsigned)(i * 37) % 300);
		pthread_kill(mainth, SIGUSR2);
		usleep(2000);
	}
	done = 1;
	return NULL;
}

static int in_ms(struct timespec *ts, long ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_nsec += ms * 1000000;
	ts->tv_sec += ts->tv_nsec / 1000000000;
	ts->tv_nsec %= 1000000000;
	return 0;
}

static int nest(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_usr2;
	sigaction(SIGUSR2, &sa, NULL);
	if (sem_init(&s, 0, 0) != 0 || sem_init(&t, 0, 0) != 0)
		return 2;
	mainth = pthread_self();
	pthread_t th;
	if (pthread_create(&th, NULL, sender, NULL) != 0)
		return 2;
	int taken = 0;
	for (;;) {
		struct timespec ts;
		in_ms(&ts, 20);
		if (sem_timedwait(&s, &ts) == 0)
			taken++;
		else if (errno == ETIMEDOUT && done && taken == n1)
			break;
	}
	pthread_join(th, NULL);
	int v;
	sem_getvalue(&t, &v);
	printf("sigpost nest: %s\n",
	       v == (int)n1 * 2000 + (int)n2 && taken == n1
		   ? "every post counted"
		   : "posts lost");
	return 0;
}

static volatile int stop;

static void on_ending(int sig)
{
	(void)sig;
	sem_post(&s); /* an ending worker's handler posts */
}

static void *ending_worker(void *arg)
{
	(void)arg;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	return NULL;
}

static void *spawner(void *arg)
{
	(void)arg;
	while (!stop) { /* joined: every worker has ended at main's end */
		pthread_t t1;
		if (pthread_create(&t1, NULL, ending_worker, NULL) == 0)
			pthread_join(t1, NULL);
	}
	return NULL;
}

static int ending(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_ending;
	sigaction(SIGUSR1, &sa, NULL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL); /* only the workers take it */
	if (sem_init(&s, 0, 0) != 0)
		return 2;
	pthread_t sp;
	if (pthread_create(&sp, NULL, spawner, NULL) != 0)
		return 2;
	int got = 0;
	for (int i = 0; i < 500; i++) {
		kill(getpid(), SIGUSR1);
		struct timespec ts;
		in_ms(&ts, 5000);
		if (sem_timedwait(&s, &ts) != 0)
			break;
		got++;
	}
	stop = 1;
	pthread_join(sp, NULL);
	printf("sigpost ending: %d of 500 signals posted\n", got);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	if (strcmp(mode, "nest") == 0)
		return nest();
	if (strcmp(mode, "ending") == 0)
		return ending();
	int join = strncmp(mode, "join", 4) == 0;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sem_init(&s, 0, 0) != 0 || sigaction(SIGALRM, &sa, NULL) != 0)
		return 2;
	if (join) {
		pthread_t w;
		if (pthread_create(&w, NULL, worker, NULL) != 0)
			return 2;
		alarm(1);
		if (strcmp(mode, "join-nocancel") ==
		    0) /* not a cancellation point */
			pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
		pthread_join(w, NULL); /* main joins */
		printf("sigpost join: the worker woke, %d post(s)\n",
		       (int)posts);
		return 0;
	}
	struct itimerval it = {{0, 200}, {0, 200}};
	setitimer(ITIMER_REAL, &it, NULL);
	int waits = 0;
	for (int i = 0; i < 1000; i++) {
		while (sem_wait(&s) != 0) /* main waits */
			if (errno != EINTR)
				return 2;
		waits++;
	}
	struct itimerval off = {{0, 0}, {0, 0}};
	setitimer(ITIMER_REAL, &off, NULL);
	printf("sigpost: %d waits, each on a post from the handler\n", waits);
	return 0;
}
