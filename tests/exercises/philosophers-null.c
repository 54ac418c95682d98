/* A solution that dereferences NULL: the grader must end with a report. */
#include <stddef.h>

#include "philosophers.h"

void get_forks(struct table *t, int i)
{
	clab_mutex_lock(&t->fork[i]);
	if (i == 2) {
		int *volatile none = NULL;
		*none = i; /* SIGSEGV */
	}
	clab_mutex_lock(&t->fork[(i + 1) % t->n]);
}

void put_forks(struct table *t, int i)
{
	clab_mutex_unlock(&t->fork[(i + 1) % t->n]);
	clab_mutex_unlock(&t->fork[i]);
}
