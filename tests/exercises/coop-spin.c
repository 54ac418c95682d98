/*
 * coop: rr_wait_turn() lets go of the lock and takes it again until the
 * turn is its own (a wrong solution: "busy waiting" fails).
 */
#include <stdlib.h>

#include "coop.h"

struct rr {
	clab_mutex_t lock;
	int tasks, turn;
	int ended[16];
};

struct rr *rr_new(int tasks)
{
	struct rr *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->tasks = tasks;
	clab_mutex_init(&s->lock, "rr.lock", CLAB_MUTEX_NORMAL);
	return s;
}

void rr_wait_turn(struct rr *s, int id)
{
	clab_mutex_lock(&s->lock);
	while (s->turn != id) {
		clab_mutex_unlock(&s->lock);
		clab_mutex_lock(&s->lock);
	}
	clab_mutex_unlock(&s->lock);
}

void rr_yield(struct rr *s, int id, int last)
{
	clab_mutex_lock(&s->lock);
	s->ended[id] = last;
	s->turn = -1;
	for (int i = 1; i <= s->tasks; i++) {
		int next = (id + i) % s->tasks;
		if (!s->ended[next]) {
			s->turn = next;
			break;
		}
	}
	clab_mutex_unlock(&s->lock);
}
