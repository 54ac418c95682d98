/*
 * A deadlock over named semaphores in one process (the way programs
 * written for systems without sem_init use them): main waits on b, which
 * only the thread posts, and the thread waits on a, which only main posts
 * after its wait.  The C library counts a named semaphore, and another
 * process could post it: conclab's watchdog calls the wait one forever
 * only when no other process can.
 *   nameddead            the names are unlinked at once: no other process
 *                        has them open, and none can open them: a
 *                        deadlock, reported (exit 3)
 *   nameddead linked     the names stay: a program that opens them could
 *                        post; conclab says so once and the run goes on,
 *                        as it does without conclab
 *   nameddead post NAME  that program: posts NAME
 */
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static sem_t *a, *b;

static void *thread(void *arg)
{
	(void)arg;
	sem_wait(a);
	sem_post(b);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "post") == 0) {
		sem_t *s = sem_open(argv[2], 0);
		if (s == SEM_FAILED)
			return 2;
		sem_post(s);
		sem_close(s);
		return 0;
	}
	int linked = argc == 2 && strcmp(argv[1], "linked") == 0;
	char na[64], nb[64];
	snprintf(na, sizeof(na), "/conclab-nd-a-%d", (int)getpid());
	snprintf(nb, sizeof(nb), "/conclab-nd-b-%d", (int)getpid());
	a = sem_open(na, O_CREAT | O_EXCL, 0600, 0);
	b = sem_open(nb, O_CREAT | O_EXCL, 0600, 0);
	if (a == SEM_FAILED || b == SEM_FAILED)
		return 2;
	if (!linked) {
		sem_unlink(na);
		sem_unlink(nb);
	}
	printf("nameddead: main waits on %s\n", nb);
	fflush(stdout);
	pthread_t t;
	pthread_create(&t, NULL, thread, NULL);
	sem_wait(b); /* BUG: only the thread posts b, after main's post */
	sem_post(a);
	pthread_join(t, NULL);
	if (linked) {
		sem_unlink(na);
		sem_unlink(nb);
	}
	printf("nameddead: both waits ended\n");
	return 0;
}
