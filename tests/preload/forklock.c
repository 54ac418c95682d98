/*
 * Fork, then lock: a worker holds a mutex while main forks.  In the child
 * only main's thread exists, so that mutex stays locked for good: a lock
 * would hang (the child tries it instead).  A mutex main held at the fork
 * is main's in the child too, and a semaphore keeps its count.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t own = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t held, done;
static sem_t s;

static void *worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&m);
	pthread_barrier_wait(&held);
	pthread_barrier_wait(&done);
	pthread_mutex_unlock(&m);
	return NULL;
}

int main(void)
{
	pthread_t t;
	sem_init(&s, 0, 0);
	sem_post(&s);
	sem_post(&s);
	sem_wait(&s);
	pthread_barrier_init(&held, NULL, 2);
	pthread_barrier_init(&done, NULL, 2);
	pthread_create(&t, NULL, worker, NULL);
	pthread_barrier_wait(&held);
	pthread_mutex_lock(&own);
	pid_t pid = fork(); /* fork */
	if (pid == 0) {
		int busy = pthread_mutex_trylock(&m);
		int un = pthread_mutex_unlock(&own);
		int v = -1;
		sem_getvalue(&s, &v);
		printf("child: m %s, own unlocked %d, sem %d\n",
		       busy == EBUSY ? "EBUSY" : "free", un, v);
		fflush(stdout);
		_exit(busy == EBUSY && un == 0 && v == 1 ? 0 : 1);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	pthread_mutex_unlock(&own);
	pthread_barrier_wait(&done);
	pthread_join(t, NULL);
	printf("parent: child exited %d\n",
	       WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}
