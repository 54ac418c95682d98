/* actor: a list of messages under a mutex, waited for (correct). */
#include <stdlib.h>

#include "actor.h"

struct msg {
	long value;
	struct msg *next;
};

struct mbox {
	clab_mutex_t lock;
	clab_cond_t nonempty;
	struct msg *head, *tail; /* oldest first */
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
	e->next = NULL;
	clab_mutex_lock(&m->lock);
	if (m->tail != NULL)
		m->tail->next = e;
	else
		m->head = e;
	m->tail = e;
	clab_cond_signal(&m->nonempty);
	clab_mutex_unlock(&m->lock);
}

long mbox_get(struct mbox *m)
{
	clab_mutex_lock(&m->lock);
	while (m->head == NULL)
		clab_cond_wait(&m->nonempty, &m->lock);
	struct msg *e = m->head;
	m->head = e->next;
	if (m->head == NULL)
		m->tail = NULL;
	clab_mutex_unlock(&m->lock);
	long value = e->value;
	free(e);
	return value;
}

void mbox_free(struct mbox *m)
{
	while (m->head != NULL) {
		struct msg *e = m->head;
		m->head = e->next;
		free(e);
	}
	clab_cond_destroy(&m->nonempty);
	clab_mutex_destroy(&m->lock);
	free(m);
}
