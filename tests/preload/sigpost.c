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
 * Before, a post from a handler that came while its thread ran conclab's
 * code went to the C library's count, which conclab's waits never read:
 * the first hung (the timer's next post, to the same place, never came
 * through), the second was reported as a deadlock.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
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

int main(int argc, char **argv)
{
	int join = argc > 1 && strcmp(argv[1], "join") == 0;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sem_init(&s, 0, 0) != 0 || sigaction(SIGALRM, &sa, NULL) != 0)
		return 2;
	if (join) {
		pthread_t t;
		if (pthread_create(&t, NULL, worker, NULL) != 0)
			return 2;
		alarm(1);
		pthread_join(t, NULL); /* main joins */
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
