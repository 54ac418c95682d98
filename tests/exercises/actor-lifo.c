/*
 * actor: a stack, not a queue: mbox_get() takes the newest message, so
 * two messages that wait are handled last first (a wrong solution: "in
 * order" fails).
 */
#include <stdlib.h>

#include "actor.h"

struct msg {
	long value;
	struct msg *next;
};

struct mbox {
	clab_mutex_t lock;
	clab_cond_t nonempty;
	struct msg *top;
};

struct mbox *mbox_new(void)
{
	struct mbox *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	clab_mutex_init(&m->lock, "mbox.lock", CLAB_MUTEX_NORMAL);
	clab_cond_init(&m->nonempty, "mbox.nonempty");
	return m;
}

void mbox_put(struct mbox *m, long value)
{
	struct msg *e = malloc(sizeof(*e));

	if (e == NULL)
		abort();
	e->value = value;
	clab_mutex_lock(&m->lock);
	e->next = m->top;
	m->top = e;
	clab_cond_signal(&m->nonempty);
	clab_mutex_unlock(&m->lock);
}

long mbox_get(struct mbox *m)
{
	clab_mutex_lock(&m->lock);
	while (m->top == NULL)
		clab_cond_wait(&m->nonempty, &m->lock);
	struct msg *e = m->top;
	m->top = e->next;
	clab_mutex_unlock(&m->lock);
	long value = e->value;
	free(e);
	return value;
}
