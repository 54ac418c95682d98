/*
 * Robust mutexes: a thread that ends holding one leaves it to the next
 * locker with EOWNERDEAD, which makes it consistent again
 * (pthread_mutex_consistent) or, by unlocking it as it is, leaves it
 * unusable (ENOTRECOVERABLE).  Under conclab trace they stay the C
 * library's, which keeps that promise: before, the mutex stayed held by
 * the thread that had ended, and the next locker waited for ever (a
 * deadlock, for a correct program).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t kept, lost;

static void *dies_holding(void *arg)
{
	pthread_mutex_lock(arg);
	return NULL; /* its owner's death, for the next locker */
}

static const char *name(int e)
{
	return e == 0 ? "0" : strerrorname_np(e);
}

static void make(pthread_mutex_t *m)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(m, &a); /* robust */
	pthread_mutexattr_destroy(&a);
}

static int run_and_lock(pthread_mutex_t *m)
{
	pthread_t t;
	pthread_create(&t, NULL, dies_holding, m);
	pthread_join(t, NULL);
	return pthread_mutex_lock(m);
}

int main(void)
{
	make(&kept);
	make(&lost);
	int died = run_and_lock(&kept);
	int fixed = pthread_mutex_consistent(&kept);
	pthread_mutex_unlock(&kept);
	int again = pthread_mutex_lock(&kept);
	pthread_mutex_unlock(&kept);
	int died2 = run_and_lock(&lost);
	pthread_mutex_unlock(&lost); /* not made consistent */
	int gone = pthread_mutex_lock(&lost);
	printf("robust: %s, consistent %s, again %s; not made consistent: "
	       "%s, then %s\n",
	       name(died), name(fixed), name(again), name(died2), name(gone));
	return died == EOWNERDEAD && again == 0 && gone == ENOTRECOVERABLE ? 0
									   : 1;
}
