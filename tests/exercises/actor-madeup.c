/*
 * actor: a mailbox that does not carry the messages but counts them out
 * itself, 1 to 5, then the sentinel: the actor "handles" messages the
 * sender has not sent yet (a cheat: "in order" fails, from the
 * harness's own notes of what it sent).
 */
#include <stdlib.h>

#include "actor.h"

struct mbox {
	clab_mutex_t lock;
	long next;
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
	(void)m;
	(void)value;
}

long mbox_get(struct mbox *m)
{
	clab_mutex_lock(&m->lock);
	long value = m->next < 5 ? ++m->next : MBOX_EXIT;
	clab_mutex_unlock(&m->lock);
	return value;
}
