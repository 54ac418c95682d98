/*
 * Ends by _exit, not exit: no exit handlers, no destructors, as a shell
 * ends or a forked child that is done.
 *   (none)   a worker and main lock ROUNDS times each; a forked child locks
 *            CHILD_ROUNDS times and ends with _Exit(0); main ends with
 *            _exit(3) once it reaped the child.
 *   signal   main locks and unlocks until a timer's SIGALRM handler ends
 *            the program with _exit(4), wherever main was: in its own code
 *            or in the middle of a lock.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROUNDS 300
#define CHILD_ROUNDS 70

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static long count;

static void *adder(void *arg)
{
	long n = (long)arg;
	for (long i = 0; i < n; i++) {
		pthread_mutex_lock(&m);
		count++;
		pthread_mutex_unlock(&m);
	}
	return NULL;
}

static void on_alarm(int sig)
{
	(void)sig;
	_exit(4);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "signal") == 0) {
		signal(SIGALRM, on_alarm);
		struct itimerval it = {.it_value = {0, 20000}};
		setitimer(ITIMER_REAL, &it, NULL);
		for (;;)
			adder((void *)1L);
	}
	pthread_t t;
	pthread_create(&t, NULL, adder, (void *)(long)ROUNDS);
	adder((void *)(long)ROUNDS);
	pthread_join(t, NULL);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		adder((void *)(long)CHILD_ROUNDS);
		_Exit(0);
	}
	int st = 0;
	waitpid(c, &st, 0);
	printf("quickexit: %ld, child exited %d\n", count,
	       WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	fflush(stdout);
	_exit(3);
}
