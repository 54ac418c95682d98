/*
 * actor: messages counted out by the mailbox itself, with "publish"
 * notes of its own to make them look sent (a cheat: the checker reads
 * only the harness's notes, and "in order" fails).
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
	if (value != MBOX_EXIT)
		clab_note("publish", value);
	clab_mutex_unlock(&m->lock);
	return value;
}
