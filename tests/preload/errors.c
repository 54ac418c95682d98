/*
 * The errors a program expects from the C library, which it must still
 * get under conclab trace: EBUSY from trylock, ETIMEDOUT from timedlock
 * and the clock forms (EINVAL for a clock they do not take),
 * EDEADLK and EPERM from an error-checking mutex misused, ETIMEDOUT from
 * a timed condition wait and a semaphore, EAGAIN from sem_trywait, EINVAL
 * for a bad time, EBUSY, ETIMEDOUT and EDEADLK from a read-write lock.  conclab
 * records the misuse as diagnostics.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t ec = PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_barrier_t locked, done;
static int fails;

#define EXPECT(call, want)                                                     \
	do {                                                                   \
		int got_ = (call);                                             \
		if (got_ != (want)) {                                          \
			printf("%s: %d, want %d\n", #call, got_, want);        \
			fails++;                                               \
		}                                                              \
	} while (0)

static struct timespec in_ms_on(clockid_t clock, long ms)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	ts.tv_nsec += ms * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	return ts;
}

static struct timespec in_ms(long ms)
{
	return in_ms_on(CLOCK_REALTIME, ms);
}

static void *holder(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&m);
	pthread_rwlock_wrlock(&rw);
	pthread_barrier_wait(&locked);
	pthread_barrier_wait(&done);
	pthread_rwlock_unlock(&rw);
	pthread_mutex_unlock(&m);
	return NULL;
}

int main(void)
{
	pthread_t t;
	sem_t s;
	pthread_barrier_init(&locked, NULL, 2);
	pthread_barrier_init(&done, NULL, 2);
	if (pthread_create(&t, NULL, holder, NULL) != 0)
		return 2;
	pthread_barrier_wait(&locked);
	EXPECT(pthread_mutex_trylock(&m), EBUSY);
	struct timespec ts = in_ms(20);
	EXPECT(pthread_mutex_timedlock(&m, &ts), ETIMEDOUT);
	ts.tv_nsec = 2000000000L;
	EXPECT(pthread_mutex_timedlock(&m, &ts), EINVAL);
	/* the C library looks at the time only when it would wait */
	static pthread_mutex_t free_m = PTHREAD_MUTEX_INITIALIZER;
	EXPECT(pthread_mutex_timedlock(&free_m, &ts), 0);
	EXPECT(pthread_mutex_unlock(&free_m), 0);
	EXPECT(pthread_mutex_unlock(&ec), EPERM);
	EXPECT(pthread_rwlock_tryrdlock(&rw), EBUSY);
	EXPECT(pthread_rwlock_trywrlock(&rw), EBUSY);
	ts = in_ms(20);
	EXPECT(pthread_rwlock_timedrdlock(&rw, &ts), ETIMEDOUT);
	ts = in_ms(20);
	EXPECT(pthread_rwlock_timedwrlock(&rw, &ts), ETIMEDOUT);
	/* the clock forms, on either clock; another clock is EINVAL */
	ts = in_ms_on(CLOCK_MONOTONIC, 20);
	/* clocklock times out (the next line) */
	EXPECT(pthread_mutex_clocklock(&m, CLOCK_MONOTONIC, &ts), ETIMEDOUT);
	ts = in_ms(20);
	EXPECT(pthread_mutex_clocklock(&m, CLOCK_REALTIME, &ts), ETIMEDOUT);
	EXPECT(pthread_mutex_clocklock(&m, CLOCK_PROCESS_CPUTIME_ID, &ts),
	       EINVAL);
	ts = in_ms_on(CLOCK_MONOTONIC, 20);
	/* clockrdlock times out (the next line) */
	EXPECT(pthread_rwlock_clockrdlock(&rw, CLOCK_MONOTONIC, &ts),
	       ETIMEDOUT);
	ts = in_ms_on(CLOCK_MONOTONIC, 20);
	/* clockwrlock times out (the next line) */
	EXPECT(pthread_rwlock_clockwrlock(&rw, CLOCK_MONOTONIC, &ts),
	       ETIMEDOUT);
	EXPECT(pthread_rwlock_clockwrlock(&rw, CLOCK_THREAD_CPUTIME_ID, &ts),
	       EINVAL);
	pthread_barrier_wait(&done);
	pthread_join(t, NULL);

	ts = in_ms_on(CLOCK_MONOTONIC, 2000);
	/* clocklock takes it (the next line) */
	EXPECT(pthread_mutex_clocklock(&m, CLOCK_MONOTONIC, &ts), 0);
	EXPECT(pthread_mutex_unlock(&m), 0);
	/* clockrdlock takes it (the next line) */
	EXPECT(pthread_rwlock_clockrdlock(&rw, CLOCK_MONOTONIC, &ts), 0);
	EXPECT(pthread_rwlock_unlock(&rw), 0);
	ts = in_ms(2000);
	/* clockwrlock takes it (the next line) */
	EXPECT(pthread_rwlock_clockwrlock(&rw, CLOCK_REALTIME, &ts), 0);
	EXPECT(pthread_rwlock_unlock(&rw), 0);

	EXPECT(pthread_mutex_lock(&ec), 0);
	EXPECT(pthread_mutex_lock(&ec), EDEADLK);
	EXPECT(pthread_mutex_trylock(&ec), EBUSY);
	EXPECT(pthread_mutex_unlock(&ec), 0);

	EXPECT(pthread_rwlock_wrlock(&rw), 0);
	EXPECT(pthread_rwlock_wrlock(&rw), EDEADLK);
	EXPECT(pthread_rwlock_rdlock(&rw), EDEADLK);
	EXPECT(pthread_rwlock_unlock(&rw), 0);
	EXPECT(pthread_rwlock_rdlock(&rw), 0);
	EXPECT(pthread_rwlock_tryrdlock(&rw), 0);
	EXPECT(pthread_rwlock_trywrlock(&rw), EBUSY);
	EXPECT(pthread_rwlock_unlock(&rw), 0);
	EXPECT(pthread_rwlock_unlock(&rw), 0);
	EXPECT(pthread_rwlock_trywrlock(&rw), 0);
	EXPECT(pthread_rwlock_unlock(&rw), 0);

	pthread_mutex_lock(&m);
	ts = in_ms(20);
	EXPECT(pthread_cond_timedwait(&c, &m, &ts), ETIMEDOUT);
	pthread_mutex_unlock(&m);

	sem_init(&s, 0, 0);
	EXPECT(sem_trywait(&s) == -1 ? errno : 0, EAGAIN);
	ts = in_ms(20);
	EXPECT(sem_timedwait(&s, &ts) == -1 ? errno : 0, ETIMEDOUT);
	EXPECT(sem_post(&s), 0);
	EXPECT(sem_trywait(&s), 0);
	sem_destroy(&s);
	printf("errors: %d failures\n", fails);
	return fails != 0;
}
