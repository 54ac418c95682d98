/*
 * Takes its signal with sigwait() in a thread of its own, as daemons and
 * servers do: every thread blocks SIGUSR1 (main before it starts any), and
 * main sends it to the process while holding a lock.  The signal must go
 * to the waiting thread, never to a thread the program does not know of
 * (conclab's writer, at whose default action the program would die).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static sigset_t set;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static int got;

static void *waiter(void *arg)
{
	(void)arg;
	int sig = 0;
	sigwait(&set, &sig);
	pthread_mutex_lock(&m);
	got = sig;
	pthread_mutex_unlock(&m);
	return NULL;
}

int main(void)
{
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	pthread_t t;
	pthread_create(&t, NULL, waiter, NULL);
	pthread_mutex_lock(&m);
	kill(getpid(), SIGUSR1);
	pthread_mutex_unlock(&m);
	pthread_join(t, NULL);
	printf("sigwait: took signal %s\n", got == SIGUSR1 ? "SIGUSR1" : "?");
	return 0;
}
