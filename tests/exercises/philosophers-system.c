/* Wrong: runs another program (and forks) from get_forks: refused. */
#include <stdlib.h>
#include <unistd.h>

#include "philosophers.h"

void get_forks(struct table *t, int i)
{
	if (i == 0 && system("true") != 0 && fork() == 0)
		_exit(0);
	clab_mutex_lock(&t->fork[i < (i + 1) % t->n ? i : (i + 1) % t->n]);
	clab_mutex_lock(&t->fork[i < (i + 1) % t->n ? (i + 1) % t->n : i]);
}

void put_forks(struct table *t, int i)
{
	clab_mutex_unlock(&t->fork[(i + 1) % t->n]);
	clab_mutex_unlock(&t->fork[i]);
}
