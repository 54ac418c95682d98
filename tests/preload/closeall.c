/*
 * Closes descriptors it did not open, as a daemon does, then writes a file
 * of its own while it locks and unlocks a mutex; prints what it read back.
 *   loop       close() on every descriptor from 3 to 1023
 *   closefrom  closefrom(3)
 *   range      close_range(3, ~0U, 0)
 *   dup2       dup2() of /dev/null onto every descriptor from 3 to 1009
 *              (conclab's descriptors are from 1000 up: the trace's file
 *              moves on before each dup2 onto it, ten times)
 * The trace's file (conclab trace's) is among them: it must stay the
 * trace's, and the program's file its own.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static long count;

static void *adder(void *arg)
{
	(void)arg;
	for (int i = 0; i < 100000; i++) {
		pthread_mutex_lock(&m);
		count++;
		pthread_mutex_unlock(&m);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const char *how = argc > 2 ? argv[2] : "loop";
	if (argc < 2) {
		fprintf(stderr,
			"usage: closeall FILE [loop|closefrom|range|dup2]\n");
		return 2;
	}
	adder(NULL); /* records before the descriptors go */
	if (strcmp(how, "closefrom") == 0) {
		closefrom(3);
	} else if (strcmp(how, "range") == 0) {
		if (close_range(3, ~0U, 0) != 0)
			perror("close_range");
	} else if (strcmp(how, "dup2") == 0) {
		int null = open("/dev/null", O_WRONLY);
		for (int fd = 3; fd < 1010; fd++)
			if (fd != null)
				dup2(null, fd);
		close(null);
	} else {
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
	}
	int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	pthread_t t;
	pthread_create(&t, NULL, adder, NULL);
	adder(NULL);
	pthread_join(t, NULL);
	char line[64];
	int n = snprintf(line, sizeof(line), "count %ld\n", count);
	if (fd < 0 || write(fd, line, (size_t)n) != n || close(fd) != 0) {
		perror("closeall: its own file");
		return 1;
	}
	FILE *f = fopen(argv[1], "r");
	char back[64] = "";
	if (!f || !fgets(back, sizeof(back), f))
		strcpy(back, "(nothing)\n");
	if (f)
		fclose(f);
	printf("closeall %s: the file holds: %s", how, back);
	return 0;
}
