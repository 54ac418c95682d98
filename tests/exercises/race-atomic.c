/* race: one atomic step per update (a correct solution without a lock). */
#include <stdlib.h>

#include "race.h"

struct counter {
	_Atomic long value;
};

struct counter *counter_new(void)
{
	struct counter *c = calloc(1, sizeof(*c));

	if (c != NULL)
		atomic_init(&c->value, 0);
	return c;
}

void counter_add(struct counter *c)
{
	counter_inc(&c->value);
}

long counter_value(struct counter *c)
{
	return atomic_load(&c->value);
}
