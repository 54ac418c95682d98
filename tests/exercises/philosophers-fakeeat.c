/*
 * Wrong: no forks at all; get_forks() writes an "eat" note of its own, as
 * if a note were a meal.  The checker counts only the harness's notes
 * (labs/exercise.c) and, at the harness's "eat", the philosopher holds
 * neither fork: "eats holding both forks" fails.
 */
#include "philosophers.h"

void get_forks(struct table *t, int i)
{
	(void)t;
	clab_note("eat", 1); /* a fake meal: not the harness's note */
	(void)i;
}

void put_forks(struct table *t, int i)
{
	(void)t;
	(void)i;
}
