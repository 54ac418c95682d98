/*
 * A child that crashes holding a lock: it locks and unlocks a mutex 1000
 * times, locks it once more and aborts.  Its trace is saved whole, with
 * the lock held; the parent's trace is not touched.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

int main(void)
{
	pthread_mutex_lock(&m);
	pthread_mutex_unlock(&m);
	pid_t pid = fork(); /* fork */
	if (pid == 0) {
		for (int i = 0; i < 1000; i++) {
			pthread_mutex_lock(&m);
			pthread_mutex_unlock(&m);
		}
		pthread_mutex_lock(&m); /* taken */
		abort();
	}
	int st = 0;
	waitpid(pid, &st, 0);
	printf("forkcrash: child %s %d\n",
	       WIFSIGNALED(st) ? "killed by signal" : "exited",
	       WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT ? 0 : 1;
}
