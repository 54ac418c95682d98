/*
 * Wrong: correct forks, but philosopher 0 starts a fork bomb by raw
 * system calls (no fork symbol for the screening to refuse).  The
 * sandbox's filter refuses every fork: the grade fails, and the report
 * counts the attempts to start a process.
 */
#include "philosophers.h"
#include "raw-syscall.h"

static int tried;

void get_forks(struct table *t, int i)
{
	int left = i, right = (i + 1) % t->n;

	if (i == 0 && !tried) {
		tried = 1;
		for (int k = 0; k < 64; k++)
			if (raw_syscall(57, 0, 0, 0) == 0) /* fork */
				for (;;)
					raw_syscall(57, 0, 0, 0);
	}
	clab_mutex_lock(&t->fork[left < right ? left : right]);
	clab_mutex_lock(&t->fork[left < right ? right : left]);
}

void put_forks(struct table *t, int i)
{
	clab_mutex_unlock(&t->fork[(i + 1) % t->n]);
	clab_mutex_unlock(&t->fork[i]);
}
