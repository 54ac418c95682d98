/*
 * Thread-specific data destructors that use the program's objects: each
 * of four threads leaves a value under a key (a C11 tss key for
 * one of them, and one ends by pthread_exit), whose destructor counts the
 * thread done under the program's mutex and signals the condition main
 * waits on.  The C library runs the destructors after the thread's start
 * function has returned; under conclab they must still reach conclab's
 * mutex and condition, before the thread's end is recorded.  Before, they
 * reached the C library's: main was never woken, and conclab trace
 * reported a deadlock.
 */
#include <pthread.h>
#include <stdio.h>
#include <threads.h>

#define N 4

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static pthread_key_t key;
static tss_t tkey;
static int done, total;

static void count(void *v)
{
	pthread_mutex_lock(&m); /* the destructor's lock */
	done++;
	total += *(int *)v;
	pthread_cond_signal(&c);
	pthread_mutex_unlock(&m);
}

static void *worker(void *arg)
{
	static int tally[N];
	int i = (int)(long)arg;
	tally[i] = 10 * (i + 1);
	if (i == 1)
		tss_set(tkey, &tally[i]);
	else
		pthread_setspecific(key, &tally[i]);
	if (i == 2)
		pthread_exit(NULL);
	return NULL;
}

int main(void)
{
	pthread_t t[N];
	if (pthread_key_create(&key, count) != 0 ||
	    tss_create(&tkey, count) != thrd_success)
		return 2;
	for (long i = 0; i < N; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)i) != 0)
			return 2;
	/* woken by the destructors, before any join */
	pthread_mutex_lock(&m);
	while (done < N)
		pthread_cond_wait(&c, &m);
	pthread_mutex_unlock(&m);
	for (int i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	printf("tsddtor: %d destructors, total %d\n", done, total);
	return 0;
}
