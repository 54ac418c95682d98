/*
 * A program that replaces itself: two threads share a mutex, then main
 * execs a program (given as the arguments, else echo) with execlp or
 * execvp.  The trace holds everything before the exec, closed whole.
 * With --vfork, a child made with vfork execs echo instead, and the
 * program goes on: the trace is its own, still open.  With --spawn, it
 * runs true by posix_spawnp, then system and popen, and goes on.  With
 * --missing, it tries execs that cannot start anything (a command in no
 * directory of PATH, a path to nothing, a directory, a file it may not
 * execute), each of which fails at once, and goes on: the trace stays
 * open.
 */
#include <errno.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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
	if (argc > 1 && strcmp(argv[1], "--vfork") == 0) {
		pid_t pid = vfork();
		if (pid == 0) {
			execlp("echo", "echo", "exec: vforked", (char *)NULL);
			_exit(127);
		}
		int st = 0;
		waitpid(pid, &st, 0);
		adder(NULL); /* after the vfork */
		printf("exec: count %ld after the child\n", count);
		return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
	}
	if (argc > 1 && strcmp(argv[1], "--spawn") == 0) {
		extern char **environ;
		char *targv[] = {"true", NULL};
		pid_t pid;
		int st = 0, ok = 1;
		ok &=
		    posix_spawnp(&pid, "true", NULL, NULL, targv, environ) == 0;
		ok &= waitpid(pid, &st, 0) == pid && st == 0;
		ok &= system("true") == 0;
		FILE *p = popen("true", "r");
		ok &= p != NULL && pclose(p) == 0;
		printf("exec: spawned %s\n", ok ? "3" : "not all");
		return ok ? 0 : 1;
	}
	if (argc > 2 && strcmp(argv[1], "--missing") == 0) {
		/* argv[2]: a file this process may read but not execute */
		char *targv[] = {"x", NULL};
		const char *e[4];
		execlp("conclab-no-such-command", "x", (char *)NULL);
		e[0] = strerrorname_np(errno);
		execl("/nonexistent/conclab", "x", (char *)NULL);
		e[1] = strerrorname_np(errno);
		execv("/", targv);
		e[2] = strerrorname_np(errno);
		execvp(argv[2], targv);
		e[3] = strerrorname_np(errno);
		adder(NULL); /* after the execs */
		printf("exec: %s %s %s %s, count %ld after them\n", e[0], e[1],
		       e[2], e[3], count);
		return 0;
	}
	if (argc > 1)
		execvp(argv[1], argv + 1);
	else
		execlp("echo", "echo", "exec: replaced", (char *)NULL);
	perror("exec");
	return 1;
}
