/*
 * Named semaphores: two threads take turns in a critical section guarded
 * by a semaphore opened with sem_open (binary: value 1), which the second
 * open in the process finds already made; closed twice and unlinked.
 */
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <unistd.h>

static sem_t *guard;
static long count;

static void *adder(void *arg)
{
	(void)arg;
	for (int i = 0; i < 1000; i++) {
		sem_wait(guard); /* enter */
		count++;
		sem_post(guard);
	}
	return NULL;
}

int main(void)
{
	char name[64];
	snprintf(name, sizeof(name), "/conclab-named-%d", (int)getpid());
	guard = sem_open(name, O_CREAT | O_EXCL, 0600, 1); /* exclusive */
	if (guard == SEM_FAILED) {
		perror("sem_open");
		return 2;
	}
	sem_t *again = sem_open(name, 0); /* the same semaphore */
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, adder, NULL);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	int v = -1;
	sem_getvalue(again, &v);
	sem_close(again);
	sem_close(guard); /* last close */
	sem_unlink(name);
	printf("named: count %ld, value %d, same %d\n", count, v,
	       again == guard);
	return count == 2000 && v == 1 ? 0 : 1;
}
