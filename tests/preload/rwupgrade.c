/*
 * Two readers of one table both decide to write it while still reading
 * (an upgrade): each waits for the other to stop reading, for ever.  The
 * C library hangs; under conclab trace the watchdog reports it.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_rwlock_t table = PTHREAD_RWLOCK_INITIALIZER;
static pthread_barrier_t both;
static int rows;

static void *editor(void *arg)
{
	(void)arg;
	pthread_rwlock_rdlock(&table);
	int seen = rows;
	pthread_barrier_wait(&both);
	pthread_rwlock_wrlock(&table); /* rwupgrade.c: waits for the other */
	rows = seen + 1;
	pthread_rwlock_unlock(&table);
	pthread_rwlock_unlock(&table);
	return NULL;
}

int main(void)
{
	pthread_t t[2];
	pthread_barrier_init(&both, NULL, 2);
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, editor, NULL);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	printf("rows: %d\n", rows);
	return 0;
}
