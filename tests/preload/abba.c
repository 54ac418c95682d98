/*
 * An ABBA inversion that does not deadlock in this run: one thread takes
 * a then b, and only once it has ended does the other take b then a.
 * conclab trace reports the lock-order cycle with both sites.
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
	pthread_mutex_lock(&b); /* abba.c: a then b */
	shared++;
	pthread_mutex_unlock(&b);
	pthread_mutex_unlock(&a);
	return NULL;
}

static void *b_then_a(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&b);
	pthread_mutex_lock(&a); /* abba.c: b then a */
	shared++;
	pthread_mutex_unlock(&a);
	pthread_mutex_unlock(&b);
	return NULL;
}

/*
 * With an argument ("race") the two threads run at once: it deadlocks only
 * when each takes its first lock before the other takes its second, which
 * the operating system seldom lets happen and `conclab trace --sched
 * random` finds on some seeds (tests/e2e/trace.sh).
 */
int main(int argc, char **argv)
{
	pthread_t t, u;
	(void)argv;
	if (argc > 1) {
		if (pthread_create(&t, NULL, a_then_b, NULL) != 0 ||
		    pthread_create(&u, NULL, b_then_a, NULL) != 0)
			return 2;
		pthread_join(t, NULL);
		pthread_join(u, NULL);
		printf("shared = %d\n", shared);
		return shared == 2 ? 0 : 1;
	}
	if (pthread_create(&t, NULL, a_then_b, NULL) != 0 ||
	    pthread_join(t, NULL) != 0)
		return 2;
	if (pthread_create(&t, NULL, b_then_a, NULL) != 0 ||
	    pthread_join(t, NULL) != 0)
		return 2;
	printf("shared = %d\n", shared);
	return shared == 2 ? 0 : 1;
}
