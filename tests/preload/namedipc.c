/*
 * Named semaphores between processes: a forked child and the program
 * count under one named semaphore (a lock) in shared memory, and the child
 * says it is done with another; a program the child execs (not traced)
 * opens two more by name and echoes the program's posts.  Under conclab
 * trace each must be the one the other processes see: every count is as
 * without conclab, and the program's waits and posts are recorded.
 */
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define N 20000
#define ROUNDS 200

static void names(char (*nm)[64], long id)
{
	static const char *const what[4] = {"guard", "done", "ping", "pong"};
	for (int i = 0; i < 4; i++)
		snprintf(nm[i], 64, "/conclab-ipc-%ld-%s", id, what[i]);
}

/* The program the child execs: the echo of ping on pong, ROUNDS times. */
static int echo(long id)
{
	char nm[4][64];
	names(nm, id);
	sem_t *ping = sem_open(nm[2], 0), *pong = sem_open(nm[3], 0);
	if (ping == SEM_FAILED || pong == SEM_FAILED)
		return 2;
	for (int i = 0; i < ROUNDS; i++) {
		sem_wait(ping);
		sem_post(pong);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--echo") == 0)
		return echo(atol(argv[2]));
	long id = (long)getpid(), *count;
	char nm[4][64], ids[24];
	names(nm, id);
	snprintf(ids, sizeof(ids), "%ld", id);
	count = mmap(NULL, sizeof(*count), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (count == MAP_FAILED)
		return 2;
	sem_t *guard = sem_open(nm[0], O_CREAT | O_EXCL, 0600, 1); /* lock */
	sem_t *done = sem_open(nm[1], O_CREAT | O_EXCL, 0600, 0);
	sem_t *ping = sem_open(nm[2], O_CREAT | O_EXCL, 0600, 0);
	sem_t *pong = sem_open(nm[3], O_CREAT | O_EXCL, 0600, 0);
	if (guard == SEM_FAILED || done == SEM_FAILED || ping == SEM_FAILED ||
	    pong == SEM_FAILED)
		return 2;
	pid_t kid = fork();
	if (kid < 0)
		return 2;
	for (int i = 0; i < N; i++) {
		if (i % 8 != 1 || sem_trywait(guard) != 0)
			sem_wait(guard); /* enter */
		++*count;
		sem_post(guard);
	}
	if (kid == 0) {
		sem_post(done); /* to the program */
		return 0;
	}
	pid_t echoer = fork();
	if (echoer == 0) {
		execl("/proc/self/exe", argv[0], "--echo", ids, (char *)NULL);
		_exit(127);
	}
	int echoes = 0;
	for (int i = 0; i < ROUNDS; i++) {
		sem_post(ping);
		struct timespec t;
		clock_gettime(CLOCK_REALTIME, &t);
		t.tv_sec += 10;
		if (sem_timedwait(pong, &t) == 0) /* the echo */
			echoes++;
	}
	sem_wait(done); /* the child's post */
	int st1, st2;
	waitpid(kid, &st1, 0);
	waitpid(echoer, &st2, 0);
	printf("namedipc: count %ld, echoes %d, exits %d %d\n", *count, echoes,
	       WIFEXITED(st1) ? WEXITSTATUS(st1) : -1,
	       WIFEXITED(st2) ? WEXITSTATUS(st2) : -1);
	for (int i = 0; i < 4; i++)
		sem_unlink(nm[i]);
	return *count == 2 * N && echoes == ROUNDS ? 0 : 1;
}
