/*
 * Changes its working directory to DIR, as a daemon does (chdir("/")),
 * then forks a child that locks and unlocks a mutex 10 times.  Traced with
 * a relative trace path, the child's trace belongs beside the parent's,
 * not in DIR.
 */
#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

int main(int argc, char **argv)
{
	if (argc < 2 || chdir(argv[1]) != 0) {
		fprintf(stderr,
			"usage: chdirfork DIR (an existing directory)\n");
		return 2;
	}
	pid_t c = fork();
	if (c == 0) {
		for (int i = 0; i < 10; i++) {
			pthread_mutex_lock(&m);
			pthread_mutex_unlock(&m);
		}
		return 0;
	}
	int st = 0;
	waitpid(c, &st, 0);
	pthread_mutex_lock(&m);
	pthread_mutex_unlock(&m);
	printf("chdirfork: child %ld exited %d\n", (long)c,
	       WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 0;
}
