/*
 * An actor's mailbox from a mutex and a condition variable: your
 * solution.
 *
 * Build and run it (from this directory):
 *     conclab exercise actor actor.c
 *
 * As written, mbox_get() takes the message list's lock and, when the
 * list is empty, returns the exit sentinel: an empty mailbox is taken
 * for "no more messages", and the actor stops before the sender is done.
 * It compiles and runs, and the checker shows the messages the actor
 * never handled.  Replace the body of mbox_get() so that it waits for a
 * message while the mailbox is empty.
 */
#include <stdlib.h>

#include "actor.h"

struct msg {
	long value;
	struct msg *next;
};

struct mbox {
	clab_mutex_t lock;
	struct msg *head, *tail; /* oldest first */
};

struct mbox *mbox_new(void)
{
	struct mbox *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	clab_mutex_init(&m->lock, "mbox.lock", CLAB_MUTEX_NORMAL);
	return m;
}

void mbox_put(struct mbox *m, long value)
{
	struct msg *e = malloc(sizeof(*e));

	if (e == NULL)
		abort();
	e->value = value;
	e->next = NULL;
	clab_mutex_lock(&m->lock);
	if (m->tail != NULL)
		m->tail->next = e;
	else
		m->head = e;
	m->tail = e;
	clab_mutex_unlock(&m->lock);
}

long mbox_get(struct mbox *m)
{
	long value = MBOX_EXIT;

	clab_mutex_lock(&m->lock);
	/* replace this: an empty mailbox is not the end of the messages */
	if (m->head != NULL) {
		struct msg *e = m->head;
		m->head = e->next;
		if (m->head == NULL)
			m->tail = NULL;
		value = e->value;
		free(e);
	}
	clab_mutex_unlock(&m->lock);
	return value;
}

void mbox_free(struct mbox *m)
{
	while (m->head != NULL) {
		struct msg *e = m->head;
		m->head = e->next;
		free(e);
	}
	clab_mutex_destroy(&m->lock);
	free(m);
}
