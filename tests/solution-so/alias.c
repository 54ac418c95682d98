/*
 * The same calls under the C library's second names, and two that fork
 * without saying so: refused all the same.
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

int __pthread_mutex_lock(pthread_mutex_t *m);
int __pthread_rwlock_wrlock(pthread_rwlock_t *rw);
pid_t __fork(void);
int forkpty(int *amaster, char *name, void *termp, void *winp);

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;

int fixture_alias(void)
{
	int fd;

	if (__pthread_mutex_lock(&m) != 0 || __pthread_rwlock_wrlock(&rw))
		return daemon(0, 0);
	if (__fork() == 0)
		return forkpty(&fd, NULL, NULL, NULL);
	return 0;
}
