/*
 * Threads that name themselves, or are named by another, after they were
 * made: conclab's reports must call them by those names.  main names
 * itself "boss" and its first worker "left-hand"; the second worker names
 * itself through prctl, with a name the kernel cuts to 15 bytes.  A name
 * too long for pthread_setname_np (ERANGE) changes nothing.
 *
 * The workers take two mutexes in opposite orders: one after the other,
 * a lock-order inversion; with "deadlock", at once, each after the other
 * has its first: the watchdog reports them by name.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both;
static sem_t named; /* main has named the left hand, which is still there */
static int deadlock;

static void *left(void *arg)
{
	(void)arg;
	sem_wait(&named);
	pthread_mutex_lock(&a);
	if (deadlock)
		pthread_barrier_wait(&both);
	pthread_mutex_lock(&b); /* BUG: a then b */
	pthread_mutex_unlock(&b);
	pthread_mutex_unlock(&a);
	return NULL;
}

static void *right(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "right-hand-of-the-boss", 0, 0, 0);
	char name[16];
	if (pthread_getname_np(pthread_self(), name, sizeof(name)) == 0)
		printf("worker 2 is %s\n", name);
	pthread_mutex_lock(&b);
	if (deadlock)
		pthread_barrier_wait(&both);
	pthread_mutex_lock(&a); /* BUG: b then a */
	pthread_mutex_unlock(&a);
	pthread_mutex_unlock(&b);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t l, r;
	deadlock = argc > 1 && strcmp(argv[1], "deadlock") == 0;
	pthread_barrier_init(&both, NULL, 2);
	if (pthread_setname_np(pthread_self(), "boss") != 0 ||
	    pthread_setname_np(pthread_self(), "a-name-far-too-long") != ERANGE)
		return 2;
	sem_init(&named, 0, 0);
	if (pthread_create(&l, NULL, left, NULL) != 0 ||
	    pthread_setname_np(l, "left-hand") != 0)
		return 2;
	sem_post(&named);
	if (!deadlock)
		pthread_join(l, NULL);
	if (pthread_create(&r, NULL, right, NULL) != 0)
		return 2;
	if (deadlock)
		pthread_join(l, NULL);
	pthread_join(r, NULL);
	printf("done\n");
	return 0;
}
