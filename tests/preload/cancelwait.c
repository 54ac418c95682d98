/*
 * pthread_cancel of threads that wait where POSIX lets a cancellation act:
 * in pthread_cond_wait (the mutex taken again for the cleanup handler,
 * which gives it back), sem_wait, sem_timedwait (at once, not at its time
 * limit), pthread_join, and sem_wait on a named semaphore (the C
 * library's wait, recorded).  A thread whose cancellation is disabled goes on
 * waiting, and acts on it once it enables it again.  Under conclab the
 * waits are its own, which the C library's cancellation did not end: the
 * program hung, and conclab trace reported a deadlock.
 */
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static sem_t never, later, timed, gate, end;
static sem_t *named;
static int cleaned[4], got_later;
static pthread_t forever;

static void unlock(void *arg)
{
	cleaned[0]++;
	pthread_mutex_unlock(arg);
}

static void note(void *arg)
{
	cleaned[*(int *)arg]++;
}

static void *in_cond(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&m);
	pthread_cleanup_push(unlock, &m);
	for (;;)
		pthread_cond_wait(&c, &m);
	pthread_cleanup_pop(1);
	return NULL;
}

static void *in_sem(void *arg)
{
	static int one = 1;
	(void)arg;
	pthread_cleanup_push(note, &one);
	sem_wait(&never);
	pthread_cleanup_pop(0);
	return NULL;
}

static void *in_named(void *arg)
{
	static int three = 3;
	(void)arg;
	pthread_cleanup_push(note, &three);
	sem_wait(named);
	pthread_cleanup_pop(0);
	return NULL;
}

static void *in_timedwait(void *arg)
{
	(void)arg;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 20;
	sem_timedwait(&timed, &ts);
	return NULL;
}

static void *in_join(void *arg)
{
	static int two = 2;
	(void)arg;
	pthread_cleanup_push(note, &two);
	pthread_join(forever, NULL);
	pthread_cleanup_pop(0);
	return NULL;
}

static void *disabled(void *arg)
{
	(void)arg;
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	sem_post(&gate);
	sem_wait(&later); /* the cancel comes meanwhile: not acted on */
	got_later = 1;
	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
	pthread_testcancel();
	got_later = 2; /* not reached */
	return NULL;
}

static void *forever_main(void *arg)
{
	(void)arg;
	sem_wait(&end); /* until main lets it end */
	return NULL;
}

int main(void)
{
	sem_init(&never, 0, 0);
	sem_init(&later, 0, 0);
	sem_init(&timed, 0, 0);
	sem_init(&gate, 0, 0);
	sem_init(&end, 0, 0);
	char name[64];
	snprintf(name, sizeof(name), "/conclab-cancel-%d", (int)getpid());
	named = sem_open(name, O_CREAT | O_EXCL, 0600, 0);
	if (named == SEM_FAILED)
		return 2;
	sem_unlink(name);
	pthread_create(&forever, NULL, forever_main, NULL);
	pthread_t t[6];
	void *r[6];
	pthread_create(&t[0], NULL, in_cond, NULL);
	pthread_create(&t[1], NULL, in_sem, NULL);
	pthread_create(&t[2], NULL, in_timedwait, NULL);
	pthread_create(&t[3], NULL, in_join, NULL);
	pthread_create(&t[4], NULL, disabled, NULL);
	pthread_create(&t[5], NULL, in_named, NULL);
	sem_wait(&gate); /* disabled has its cancellation off */
	usleep(50000);	 /* every thread waits */
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 6; i++)
		pthread_cancel(t[i]);
	for (int i = 0; i < 6; i++)
		if (i != 4)
			pthread_join(t[i], &r[i]);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	int fast = t1.tv_sec - t0.tv_sec < 5;
	sem_post(&later);
	pthread_join(t[4], &r[4]);
	sem_post(&end);
	pthread_join(forever, NULL);
	int is_free = pthread_mutex_trylock(&m) == 0;
	if (is_free)
		pthread_mutex_unlock(&m);
	printf("cancelwait: cancelled %d %d %d %d %d %d, cleanup %d %d %d %d, "
	       "at once %d, mutex free %d, disabled got its permit %d\n",
	       r[0] == PTHREAD_CANCELED, r[1] == PTHREAD_CANCELED,
	       r[2] == PTHREAD_CANCELED, r[3] == PTHREAD_CANCELED,
	       r[4] == PTHREAD_CANCELED, r[5] == PTHREAD_CANCELED, cleaned[0],
	       cleaned[1], cleaned[2], cleaned[3], fast, is_free, got_later);
	sem_close(named);
	return 0;
}
