/* Does not compile: a missing semicolon and an undeclared name. */
#include "philosophers.h"

void get_forks(struct table *t, int i)
{
	clab_mutex_lock(&t->fork[i]) clab_mutex_lock(&t->fork[no_such_fork]);
}

void put_forks(struct table *t, int i)
{
}
