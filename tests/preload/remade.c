/*
 * One address made into a mutex, then a spin lock without the mutex being
 * destroyed, then a mutex again on its first lock (its bytes set to the
 * initializer's), then made again while it is held: each is an object of its
 * own, which the calls made after it name (conclab trace keeps each thread's
 * last mutexes in a memo, which must not outlive what it says).  The held one
 * stays held at exit.
 */
#include <pthread.h>
#include <stdio.h>

static union {
	pthread_mutex_t m;
	pthread_spinlock_t s;
} u;

int main(void)
{
	int r = pthread_mutex_init(&u.m, NULL); /* a mutex */
	r |= pthread_mutex_lock(&u.m);		/* first lock */
	r |= pthread_mutex_unlock(&u.m);	/* first unlock */
	r |= pthread_spin_init(&u.s, 0);	/* a spin lock */
	r |= pthread_spin_lock(&u.s);		/* spin lock */
	r |= pthread_spin_unlock(&u.s);		/* spin unlock */
	/* the C library's spin lock leaves its word at 1: a mutex's locked */
	u.m = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
	r |= pthread_mutex_lock(&u.m);	     /* made on first use */
	r |= pthread_mutex_unlock(&u.m);     /* its unlock */
	r |= pthread_mutex_lock(&u.m);	     /* kept */
	r |= pthread_mutex_init(&u.m, NULL); /* made again, held */
	r |= pthread_mutex_lock(&u.m);	     /* the fresh one */
	r |= pthread_mutex_unlock(&u.m);     /* the fresh one's unlock */
	printf("remade: %d\n", r);
	return r != 0;
}
