/*
 * coop: rr_yield() passes the turn but wakes nobody: the next task sleeps
 * through its turn (a wrong solution: "no deadlock" fails).
 */
#include <stdio.h>
#include <stdlib.h>

#include "coop.h"

struct rr {
	clab_mutex_t lock;
	int tasks, turn;
	int ended[16];
	clab_cond_t mine[16]; /* mine[id]: it is id's turn now */
};

struct rr *rr_new(int tasks)
{
	struct rr *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->tasks = tasks;
	clab_mutex_init(&s->lock, "rr.lock", CLAB_MUTEX_NORMAL);
	for (int i = 0; i < tasks; i++) {
		char name[24];
		snprintf(name, sizeof(name), "rr.turn-%d", i);
		clab_cond_init(&s->mine[i], name);
	}
	return s;
}

void rr_wait_turn(struct rr *s, int id)
{
	clab_mutex_lock(&s->lock);
	while (s->turn != id)
		clab_cond_wait(&s->mine[id], &s->lock);
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

void rr_free(struct rr *s)
{
	for (int i = 0; i < s->tasks; i++)
		clab_cond_destroy(&s->mine[i]);
	clab_mutex_destroy(&s->lock);
	free(s);
}
