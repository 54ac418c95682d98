/*
 * A forked child joins a thread of its parent's (undefined behaviour: the
 * child has only the thread that forked, and the C library gives the
 * other threads' stacks, and so their handles, to the child's new
 * threads).  conclab refuses the join, as a misuse (bad-object,
 * of-parent), and the child goes on; before, the join reaped one of
 * conclab's own threads in the child, which then hung at its exit.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_barrier_t b;

static void *worker(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&b);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_barrier_init(&b, NULL, 2);
	pthread_create(&t, NULL, worker, NULL);
	pid_t pid = fork();
	if (pid == 0) {
		int r = pthread_join(t, NULL); /* the parent's */
		printf("forkjoin: the child's join returned %s\n",
		       r ? "an error" : "0");
		exit(0);
	}
	pthread_barrier_wait(&b);
	pthread_join(t, NULL);
	int st = 0;
	waitpid(pid, &st, 0);
	printf("forkjoin: child %s %d\n",
	       WIFEXITED(st) ? "exited" : "killed by signal",
	       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	return 0;
}
