/*
 * Signals whose default action ends a program (tests/e2e/trace.sh): the
 * trace of a program they end is saved, and a program that handles them
 * itself is left to do so.
 *   stopsig            a worker sleeps 100 s holding a mutex, and main
 *                      joins it: ended by the SIGINT or SIGTERM the test
 *                      sends, the trace whole, "stopped by SIGINT"
 *   stopsig alarm      the same, with an alarm(1) that nobody handles:
 *                      SIGALRM ends it after a second
 *   stopsig own        installs a handler of its own for SIGINT where the
 *                      action is the default (what Python does for its
 *                      Ctrl-C), asking sigaction for the old action first,
 *                      and waits for the handler's byte on a pipe: the
 *                      test's SIGINT ends it through its own handler
 *   stopsig signal     the same, with signal()'s old action
 *   stopsig sysv, xopen, bsd, sigset
 *                      the same with sysv_signal, __sysv_signal (what
 *                      signal() is in a program built with gcc -std=c11),
 *                      bsd_signal and sigset
 * Before, a program ended by such a signal left its trace cut short (its
 * last records lost, its report judged "9 of 9"), and a traced program
 * that installs its handler only over the default action saw conclab's.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>

/* not declared under _GNU_SOURCE */
sighandler_t bsd_signal(int sig, sighandler_t h);
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static int p[2];

static void *worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&m); /* taken, then a long sleep */
	sleep(100);
	pthread_mutex_unlock(&m);
	return NULL;
}

/* sigset, obsolete (deprecated in <signal.h>), which old programs call */
static sighandler_t obsolete_sigset(int sig, sighandler_t h)
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	return sigset(sig, h);
#pragma GCC diagnostic pop
}

static void on_int(int sig)
{
	(void)sig;
	(void)write(p[1], "i", 1);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	char b = 0;
	if (pipe(p) != 0)
		return 2;
	sighandler_t (*set)(int, sighandler_t) =
	    strcmp(mode, "signal") == 0	  ? signal
	    : strcmp(mode, "sysv") == 0	  ? sysv_signal
	    : strcmp(mode, "xopen") == 0  ? __sysv_signal
	    : strcmp(mode, "bsd") == 0	  ? bsd_signal
	    : strcmp(mode, "sigset") == 0 ? obsolete_sigset
					  : NULL;
	if (strcmp(mode, "own") == 0 || set) {
		int dfl;
		if (!set) {
			struct sigaction old;
			sigaction(SIGINT, NULL, &old);
			dfl = !(old.sa_flags & SA_SIGINFO) &&
			      old.sa_handler == SIG_DFL;
			if (dfl) {
				struct sigaction sa;
				memset(&sa, 0, sizeof(sa));
				sa.sa_handler = on_int;
				sa.sa_flags = SA_RESTART;
				sigemptyset(&sa.sa_mask);
				sigaction(SIGINT, &sa, NULL);
			}
		} else {
			void (*old)(int) = set(SIGINT, on_int);
			dfl = old == SIG_DFL;
			if (!dfl)
				set(SIGINT, old); /* not ours to take */
		}
		printf("stopsig: pid %d, SIGINT's action was %s\n",
		       (int)getpid(), dfl ? "the default" : "another");
		fflush(stdout);
		if (!dfl)
			return 1;
		ssize_t n;
		do /* System V's handler does not restart the read */
			n = read(p[0], &b, 1);
		while (n < 0 && errno == EINTR);
		printf("stopsig: its own handler's byte, %zd %c\n", n, b);
		return 0;
	}
	if (strcmp(mode, "alarm") == 0)
		alarm(1);
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	printf("stopsig: pid %d sleeps\n", (int)getpid());
	fflush(stdout);
	pthread_join(t, NULL);
	return 0;
}
