/*
 * The numbers of a program's own descriptors, which it may print or count
 * on (the first open gives 3): the same under conclab trace as without,
 * whatever conclab holds open meanwhile (the trace's file, the old trace
 * of a rerun until it is closed, the files it reads the program's symbols
 * from).  It locks a mutex from two sites and a thread first, so that the
 * sites are looked up, then opens a pipe and a file.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static long count;

static void *adder(void *arg)
{
	(void)arg;
	for (int i = 0; i < 1000; i++) {
		pthread_mutex_lock(&m);
		count++;
		pthread_mutex_unlock(&m);
	}
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, adder, NULL);
	adder(NULL);
	pthread_join(t, NULL);
	int p[2];
	if (pipe(p) != 0) {
		perror("fdnum: pipe");
		return 1;
	}
	int fd = open("/dev/null", O_RDONLY);
	printf("fdnum: pipe %d %d, open %d, count %ld\n", p[0], p[1], fd,
	       count);
	return 0;
}
