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
#include "raw-syscall.h"

static int tried;

static void escape(void)
{
	long pid = raw_syscall(57, 0, 0, 0); /* fork */
	if (pid == 0) {
		/* setsid: out of the process group */
		raw_syscall(112, 0, 0, 0);
		for (;;)
			raw_syscall(34, 0, 0, 0); /* pause */
	}
	/* socket(AF_INET, SOCK_STREAM) */
	long sock = raw_syscall(41, 2, 1, 0);
	static char *const argv[] = {"true", NULL};
	long exec = raw_syscall(59, (long)"/bin/true", (long)argv, 0);
	/* kill(grader, KILL) */
	long kill = raw_syscall(62, (long)getppid(), 9, 0);
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
