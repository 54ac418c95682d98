/*
 * A thread that blocks in read() on a pipe that nobody writes, and a main
 * that joins it: the program never ends.  Under `conclab trace --sched`
 * the reader keeps the turn while the kernel holds it, and the run's time
 * limit ends it (exit 4, trace saved; tests/e2e/trace.sh).
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static int fds[2];

static void *reader(void *arg)
{
	char c;
	(void)arg;
	ssize_t n = read(fds[0], &c, 1); /* readblock.c: forever */
	return (void *)n;
}

int main(void)
{
	pthread_t t;
	if (pipe(fds) != 0 || pthread_create(&t, NULL, reader, NULL) != 0)
		return 2;
	pthread_join(t, NULL);
	puts("readblock: read returned");
	return 1;
}
