/*
 * race: the read under the lock, the write under it again, but the lock
 * let go in between: another thread reads the same value in the gap, and
 * an update is lost (a wrong solution: "no lost update" fails).
 */
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
	long v;

	clab_mutex_lock(&c->lock);
	v = counter_read(&c->value);
	clab_mutex_unlock(&c->lock);
	clab_mutex_lock(&c->lock);
	counter_write(&c->value, v + 1);
	clab_mutex_unlock(&c->lock);
}

long counter_value(struct counter *c)
{
	return atomic_load(&c->value);
}
