/*
 * Wrong: correct forks, but philosopher 0 tries, once, to get out of the
 * sandbox by raw system calls, which leave no symbol for the screening of
 * calls to see (x86-64): start a daemon (fork, setsid, pause forever),
 * open a socket, run a program, kill the grader.  The sandbox refuses
 * each (or kills the daemon after the run) and the grade fails.
 */
#include <stdio.h>
#include <unistd.h>

#include "philosophers.h"

static long raw(long nr, long a, long b, long c)
{
#if defined(__x86_64__)
	long r;
	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return r;
#else
	(void)nr, (void)a, (void)b, (void)c;
	return -38; /* ENOSYS: the test runs on x86-64 only */
#endif
}

static int tried;

static void escape(void)
{
	long pid = raw(57, 0, 0, 0); /* fork */
	if (pid == 0) {
		raw(112, 0, 0, 0); /* setsid: out of the process group */
		for (;;)
			raw(34, 0, 0, 0); /* pause */
	}
	long sock = raw(41, 2, 1, 0); /* socket(AF_INET, SOCK_STREAM) */
	static char *const argv[] = {"true", NULL};
	long exec = raw(59, (long)"/bin/true", (long)argv, 0); /* execve */
	long kill = raw(62, (long)getppid(), 9, 0); /* kill(grader, KILL) */
	printf("escape: fork %s, socket %s, execve %s, kill %s\n",
	       pid > 0 ? "done" : "refused", sock >= 0 ? "done" : "refused",
	       exec >= 0 ? "done" : "refused", kill >= 0 ? "done" : "refused");
}

void get_forks(struct table *t, int i)
{
	int left = i, right = (i + 1) % t->n;

	if (i == 0 && !tried) {
		tried = 1;
		escape();
	}
	clab_mutex_lock(&t->fork[left < right ? left : right]);
	clab_mutex_lock(&t->fork[left < right ? right : left]);
}

void put_forks(struct table *t, int i)
{
	clab_mutex_unlock(&t->fork[(i + 1) % t->n]);
	clab_mutex_unlock(&t->fork[i]);
}
