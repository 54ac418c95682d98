/*
 * Process-shared objects: a mutex, a condition variable, a semaphore, a
 * barrier, a read-write lock and a spin lock made PTHREAD_PROCESS_SHARED
 * in shared memory, used by a process and the child it forks.  Under
 * conclab trace they must still exclude the other process (each process's
 * conclab objects would be its own): every count is as without conclab.
 * A private condition variable waited on with the shared mutex, and a
 * private mutex, are used beside them; the private mutex is recorded.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define N 20000
#define ROUNDS 500

struct shared {
	pthread_mutex_t m;
	pthread_cond_t c;
	sem_t ping, pong;
	pthread_barrier_t b;
	pthread_rwlock_t rw;
	pthread_spinlock_t sp;
	long locked, written, read, spun, pinged;
	int ready;
};

static struct shared *sh;
static pthread_mutex_t own = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t local = PTHREAD_COND_INITIALIZER; /* not shared */
static int told;
static long owned;

static void in_ms(struct timespec *t, long ms)
{
	clock_gettime(CLOCK_REALTIME, t);
	t->tv_sec += ms / 1000;
	t->tv_nsec += ms % 1000 * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

/* What both processes do: each count goes up N (or N / 4) times each. */
static void work(void)
{
	for (int i = 0; i < N; i++) {
		if (i % 16 == 1) {
			while (pthread_mutex_trylock(&sh->m) != 0)
				sched_yield();
		} else if (i % 16 == 2) {
			struct timespec t;
			in_ms(&t, 10000);
			if (pthread_mutex_timedlock(&sh->m, &t) != 0)
				abort();
		} else {
			pthread_mutex_lock(&sh->m);
		}
		sh->locked++;
		pthread_mutex_unlock(&sh->m);
	}
	pthread_barrier_wait(&sh->b);
	for (int i = 0; i < N / 4; i++) {
		pthread_rwlock_wrlock(&sh->rw);
		sh->written++;
		pthread_rwlock_unlock(&sh->rw);
		pthread_rwlock_rdlock(&sh->rw);
		if (sh->written > 0)
			__atomic_fetch_add(&sh->read, 1, __ATOMIC_RELAXED);
		pthread_rwlock_unlock(&sh->rw);
		pthread_spin_lock(&sh->sp);
		sh->spun++;
		pthread_spin_unlock(&sh->sp);
	}
	pthread_barrier_wait(&sh->b);
}

static void *waiter(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&sh->m);
	while (!told) /* a private condition with the shared mutex */
		pthread_cond_wait(&local, &sh->m);
	pthread_mutex_unlock(&sh->m);
	return NULL;
}

int main(void)
{
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 2;
	pthread_mutexattr_t ma;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&sh->m, &ma); /* the shared mutex */
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
	pthread_cond_init(&sh->c, &ca);
	sem_init(&sh->ping, 1, 0);
	sem_init(&sh->pong, 1, 0);
	pthread_barrierattr_t ba;
	pthread_barrierattr_init(&ba);
	pthread_barrierattr_setpshared(&ba, PTHREAD_PROCESS_SHARED);
	pthread_barrier_init(&sh->b, &ba, 2);
	pthread_rwlockattr_t ra;
	pthread_rwlockattr_init(&ra);
	pthread_rwlockattr_setpshared(&ra, PTHREAD_PROCESS_SHARED);
	pthread_rwlock_init(&sh->rw, &ra);
	pthread_spin_init(&sh->sp, PTHREAD_PROCESS_SHARED);

	pid_t child = fork();
	if (child < 0)
		return 2;
	work();
	if (child == 0) {
		for (int i = 0; i < ROUNDS; i++) { /* the semaphores' echo */
			sem_wait(&sh->ping);
			sh->pinged++;
			sem_post(&sh->pong);
		}
		pthread_mutex_lock(&sh->m);
		sh->ready = 1;
		pthread_cond_signal(&sh->c);
		pthread_mutex_unlock(&sh->m);
		exit(0);
	}
	for (int i = 0; i < ROUNDS; i++) {
		sem_post(&sh->ping);
		struct timespec t;
		in_ms(&t, 10000);
		if (sem_timedwait(&sh->pong, &t) != 0)
			break;
	}
	pthread_mutex_lock(&sh->m);
	while (!sh->ready) /* the child's signal, across processes */
		pthread_cond_wait(&sh->c, &sh->m);
	pthread_mutex_unlock(&sh->m);

	pthread_t w;
	pthread_create(&w, NULL, waiter, NULL);
	for (int i = 0; i < 1000; i++) { /* a private mutex: recorded */
		pthread_mutex_lock(&own);
		owned++;
		pthread_mutex_unlock(&own);
	}
	pthread_mutex_lock(&sh->m);
	told = 1;
	pthread_cond_signal(&local);
	pthread_mutex_unlock(&sh->m);
	pthread_join(w, NULL);

	int status;
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status))
		return 2;
	printf("pshared: mutex %ld rwlock %ld/%ld spin %ld sem %ld cond %d "
	       "private %ld\n",
	       sh->locked, sh->written, sh->read, sh->spun, sh->pinged,
	       sh->ready, owned);
	pthread_spin_destroy(&sh->sp);
	pthread_rwlock_destroy(&sh->rw);
	pthread_barrier_destroy(&sh->b);
	sem_destroy(&sh->pong);
	sem_destroy(&sh->ping);
	pthread_cond_destroy(&sh->c);
	pthread_mutex_destroy(&sh->m);
	return sh->locked == 2 * N && sh->spun == N / 2 ? 0 : 1;
}
