/* Synchronises with pthreads and POSIX semaphores: refused. */
#include <pthread.h>
#include <semaphore.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static pthread_spinlock_t s;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static sem_t sem;

int fixture_pthread(int ready)
{
	pthread_mutex_lock(&m);
	while (!ready)
		pthread_cond_wait(&c, &m);
	pthread_mutex_unlock(&m);
	pthread_spin_lock(&s);
	pthread_rwlock_rdlock(&rw);
	sem_wait(&sem);
	return sem_post(&sem);
}
