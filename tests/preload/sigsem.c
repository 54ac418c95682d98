/*
 * A signal handler interrupts sem_wait and sem_timedwait: the C library's
 * return -1 with EINTR when the handler was installed without SA_RESTART
 * (with it, the wait goes on), as conclab's must.  An alarm still to come
 * whose handler may end the wait is no deadlock yet.
 *   sigsem          main waits alone, SIGALRM in 0.3 s: EINTR (before,
 *                   the watchdog called it a deadlock)
 *   sigsem timed    sem_timedwait of 5 s, SIGALRM in 0.3 s: EINTR, not
 *                   ETIMEDOUT at 5 s
 *   sigsem restart  SA_RESTART: the wait goes on until a thread posts
 *   sigsem again    waits again after EINTR, with nobody to post: a
 *                   deadlock once the alarm has fired
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
static volatile sig_atomic_t got;

static void on_alarm(int sig)
{
	(void)sig;
	got++;
}

static void *poster(void *arg)
{
	(void)arg;
	usleep(600000);
	sem_post(&s);
	return NULL;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "intr";
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	if (strcmp(mode, "restart") == 0)
		sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	sem_init(&s, 0, 0);
	pthread_t t;
	if (strcmp(mode, "restart") == 0)
		pthread_create(&t, NULL, poster, NULL);
	struct itimerval it = {{0, 0}, {0, 300000}};
	setitimer(ITIMER_REAL, &it, NULL);
	int r, e;
	if (strcmp(mode, "timed") == 0) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 5;
		r = sem_timedwait(&s, &ts);
	} else if (strcmp(mode, "again") == 0) {
		do
			r = sem_wait(&s); /* BUG: nobody posts */
		while (r == -1 && errno == EINTR);
	} else {
		r = sem_wait(&s);
	}
	e = r ? errno : 0;
	if (strcmp(mode, "restart") == 0)
		pthread_join(t, NULL);
	printf("sigsem: %s returned %d (%s), handler ran %d\n", mode, r,
	       e == EINTR ? "EINTR"
	       : e	  ? strerror(e)
			  : "no error",
	       (int)got);
	return 0;
}
