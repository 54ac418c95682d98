/* race: the read and the write under one mutex (a correct solution). */
#include <stdlib.h>

#include "race.h"

struct counter {
	clab_mutex_t lock;
	_Atomic long value;
};

struct counter *counter_new(void)
{
	struct counter *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	atomic_init(&c->value, 0);
	clab_mutex_init(&c->lock, "counter.lock", CLAB_MUTEX_NORMAL);
	return c;
}

void counter_add(struct counter *c)
{
	clab_mutex_lock(&c->lock);
	counter_write(&c->value, counter_read(&c->value) + 1);
	clab_mutex_unlock(&c->lock);
}

long counter_value(struct counter *c)
{
	return atomic_load(&c->value);
}

void counter_free(struct counter *c)
{
	clab_mutex_destroy(&c->lock);
	free(c);
}
