/*
 * Fork from a multithreaded parent: a worker holds x while main forks.
 * main took a, then b before; the child takes b, then a (no cycle of its
 * own: what the parent's threads did is not the child's), then x, whose
 * holder is not in the child: it waits for ever, and the child's
 * watchdog says so, naming only the child's thread.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t x = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t held, done;

static void *worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&x); /* held */
	pthread_barrier_wait(&held);
	pthread_barrier_wait(&done);
	pthread_mutex_unlock(&x);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_barrier_init(&held, NULL, 2);
	pthread_barrier_init(&done, NULL, 2);
	pthread_create(&t, NULL, worker, NULL);
	pthread_barrier_wait(&held);
	pthread_mutex_lock(&a);
	pthread_mutex_lock(&b);
	pthread_mutex_unlock(&b);
	pthread_mutex_unlock(&a);
	fflush(stdout);
	pid_t pid = fork(); /* fork */
	if (pid == 0) {
		pthread_mutex_lock(&b);
		pthread_mutex_lock(&a);
		pthread_mutex_unlock(&a);
		pthread_mutex_unlock(&b);
		puts("forkmt: child locks x");
		fflush(stdout);
		pthread_mutex_lock(&x); /* waits */
		puts("forkmt: child got x");
		return 1;
	}
	int st = 0;
	waitpid(pid, &st, 0);
	pthread_barrier_wait(&done);
	pthread_join(t, NULL);
	printf("forkmt: child exited %d\n",
	       WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 0;
}
