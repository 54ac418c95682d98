/*
 * Wrong: correct forks, but philosopher 0 writes a file one directory up,
 * outside its own.  The sandbox keeps it from writing there, and the call
 * is reported: "stays in its directory" fails.
 */
#include <stdio.h>

#include "philosophers.h"

static int tried;

void get_forks(struct table *t, int i)
{
	int left = i, right = (i + 1) % t->n;

	if (i == 0 && !tried) {
		FILE *f = fopen("../escaped.txt", "w");
		tried = 1;
		if (f) {
			fputs("out\n", f);
			fclose(f);
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
