/*
 * A shared counter: your solution.
 *
 * Build and run it (from this directory):
 *     conclab exercise race race.c
 *
 * As written, counter_add() reads the counter and writes it back plus
 * one, with nothing to stop another thread from doing the same in
 * between: two threads that read the same value both write it back plus
 * one, and one of the two updates is lost.  It compiles and runs, and the
 * checker shows the lost updates.  Change counter_add() so that no update
 * is ever lost (there are two ways: race.h).
 */
#include <stdlib.h>

#include "race.h"

struct counter {
	_Atomic long value;
};

struct counter *counter_new(void)
{
	struct counter *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	atomic_init(&c->value, 0);
	return c;
}

void counter_add(struct counter *c)
{
	/* replace this: another thread may write between the two steps */
	long v = counter_read(&c->value);

	counter_write(&c->value, v + 1);
}

long counter_value(struct counter *c)
{
	return atomic_load(&c->value);
}

void counter_free(struct counter *c)
{
	free(c);
}
