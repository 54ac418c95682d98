/*
 * stop: the pause waits on the condition with its timeout, but the request
 * wakes nobody: a worker that pauses sleeps on through the stop (a wrong
 * solution, the lab's lost-stop with a timeout: "stopped at once" fails).
 */
#include <stdlib.h>

#include "stop.h"

struct stopper {
	clab_mutex_t lock;
	clab_cond_t asked;
	int stop;
};

struct stopper *stopper_new(void)
{
	struct stopper *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	clab_mutex_init(&s->lock, "stopper.lock", CLAB_MUTEX_NORMAL);
	clab_cond_init(&s->asked, "stopper.asked");
	return s;
}

void stopper_request(struct stopper *s)
{
	clab_mutex_lock(&s->lock);
	s->stop = 1;
	clab_mutex_unlock(&s->lock);
}

int stopper_requested(struct stopper *s)
{
	clab_mutex_lock(&s->lock);
	int stop = s->stop;
	clab_mutex_unlock(&s->lock);
	return stop;
}

void stopper_pause(struct stopper *s, int ms)
{
	clab_mutex_lock(&s->lock);
	/* one timed wait: a spurious wakeup only ends the pause early */
	if (!s->stop)
		clab_cond_timedwait(&s->asked, &s->lock, (uint32_t)ms);
	clab_mutex_unlock(&s->lock);
}

void stopper_free(struct stopper *s)
{
	clab_cond_destroy(&s->asked);
	clab_mutex_destroy(&s->lock);
	free(s);
}
