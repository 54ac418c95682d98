/*
 * A solution that writes through a bad pointer: the grader must end with a
 * report.  The address is near NULL, as a field of a NULL structure would
 * be; NULL itself would be caught by UBSan before the fault (see
 * philosophers-oob.c), and this tests the crash.
 */
#include "philosophers.h"

void get_forks(struct table *t, int i)
{
	clab_mutex_lock(&t->fork[i]);
	if (i == 2) {
		int *volatile bad = (int *)16;
		*bad = i; /* SIGSEGV */
	}
	clab_mutex_lock(&t->fork[(i + 1) % t->n]);
}

void put_forks(struct table *t, int i)
{
	clab_mutex_unlock(&t->fork[(i + 1) % t->n]);
	clab_mutex_unlock(&t->fork[i]);
}
