/*
 * Fork while holding a read lock, a write lock and a semaphore's permit:
 * the child's trace begins with those holds (the forking thread's, at the
 * lines where it took them), so that their release in the child follows
 * their acquisition, and a mutex the child takes under the write lock
 * and the permit is ordered after them: taken the other way round later,
 * they make two lock-order cycles in the child.  A lock released before
 * the fork is not held in the child, and makes no cycle.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_rwlock_t rd = PTHREAD_RWLOCK_INITIALIZER;
static pthread_rwlock_t wr = PTHREAD_RWLOCK_INITIALIZER;
static pthread_rwlock_t gone = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static sem_t s;

int main(void)
{
	sem_init(&s, 0, 1);
	pthread_rwlock_wrlock(&gone); /* gone */
	pthread_rwlock_unlock(&gone);
	pthread_rwlock_rdlock(&rd); /* read */
	pthread_rwlock_wrlock(&wr); /* write */
	sem_wait(&s);		    /* permit */
	pid_t pid = fork();
	if (pid == 0) {
		int fails = 0;
		/* under the write lock and the permit held since the fork */
		fails += pthread_mutex_lock(&m) != 0; /* under */
		fails += pthread_mutex_unlock(&m) != 0;
		fails += sem_post(&s) != 0;
		fails += pthread_rwlock_unlock(&wr) != 0;
		fails += pthread_rwlock_unlock(&rd) != 0;
		/* the other way round: two cycles, and none with gone, which
		 * is free (it was released before the fork) */
		fails += pthread_mutex_lock(&m) != 0;
		fails += pthread_rwlock_wrlock(&gone) != 0; /* again */
		fails += pthread_rwlock_unlock(&gone) != 0;
		fails += pthread_rwlock_wrlock(&wr) != 0; /* inverted */
		fails += pthread_rwlock_unlock(&wr) != 0;
		fails += sem_wait(&s) != 0;
		fails += sem_post(&s) != 0;
		fails += pthread_mutex_unlock(&m) != 0;
		printf("child: %d failures\n", fails);
		exit(fails != 0);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	sem_post(&s);
	pthread_rwlock_unlock(&wr);
	pthread_rwlock_unlock(&rd);
	printf("parent: child exited %d\n",
	       WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}
