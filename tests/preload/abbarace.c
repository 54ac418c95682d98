/*
 * An ABBA inversion whose two threads run at once: one takes a then b,
 * the other b then a.  It deadlocks only when each thread takes its first
 * lock before the other takes its second, which the operating system
 * seldom lets happen and `conclab trace --sched random` finds on some
 * seeds (tests/e2e/trace.sh).
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
static int shared;

static void *a_then_b(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&a);
	pthread_mutex_lock(&b); /* abbarace.c: a then b */
	shared++;
	pthread_mutex_unlock(&b);
	pthread_mutex_unlock(&a);
	return NULL;
}

static void *b_then_a(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&b);
	pthread_mutex_lock(&a); /* abbarace.c: b then a */
	shared++;
	pthread_mutex_unlock(&a);
	pthread_mutex_unlock(&b);
	return NULL;
}

int main(void)
{
	pthread_t t[2];
	if (pthread_create(&t[0], NULL, a_then_b, NULL) != 0 ||
	    pthread_create(&t[1], NULL, b_then_a, NULL) != 0)
		return 2;
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	printf("shared = %d\n", shared);
	return shared == 2 ? 0 : 1;
}
