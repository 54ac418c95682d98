/*
 * Wrong: correct forks, but philosopher 0 leaves a process behind, out of
 * its process group (raw fork and setsid, then pause forever).  With the
 * sandbox's filter the fork is refused; without it (a kernel without
 * seccomp, or CONCLAB_SANDBOX_SKIP=seccomp) the process is killed after
 * the run, and the grade fails either way.
 */
#include "philosophers.h"
#include "raw-syscall.h"

static int tried;

void get_forks(struct table *t, int i)
{
	int left = i, right = (i + 1) % t->n;

	if (i == 0 && !tried) {
		tried = 1;
		if (raw_syscall(57, 0, 0, 0) == 0) { /* fork */
			raw_syscall(112, 0, 0, 0);   /* setsid */
			for (;;)
				raw_syscall(34, 0, 0, 0); /* pause */
		}
	}
	clab_mutex_lock(&t->fork[left < right ? left : right]);
	clab_mutex_lock(&t->fork[left < right ? right : left]);
}

void put_forks(struct table *t, int i)
{
	clab_mutex_unlock(&t->fork[(i + 1) % t->n]);
	clab_mutex_unlock(&t->fork[i]);
}
