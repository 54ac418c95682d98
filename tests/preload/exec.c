/*
 * A program that replaces itself: two threads share a mutex, then main
 * execs a program (given as the arguments, else echo) with execlp or
 * execvp.  The trace holds everything before the exec, closed whole.
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static long count;

static void *adder(void *arg)
{
	(void)arg;
	for (int i = 0; i < 100; i++) {
		pthread_mutex_lock(&m);
		count++;
		pthread_mutex_unlock(&m);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;
	pthread_create(&t, NULL, adder, NULL);
	adder(NULL);
	pthread_join(t, NULL);
	printf("exec: count %ld\n", count);
	fflush(stdout);
	if (argc > 1)
		execvp(argv[1], argv + 1);
	else
		execlp("echo", "echo", "exec: replaced", (char *)NULL);
	perror("exec");
	return 1;
}
