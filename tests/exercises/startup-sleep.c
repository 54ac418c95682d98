/*
 * startup: no wait at all; event_wait() sleeps for longer than the
 * preparation takes (a wrong solution that reads the prepared value: "ready
 * before start" fails, the workers waited for nothing).
 */
#include <stdlib.h>

#include "startup.h"

struct event {
	int set;
};

struct event *event_new(void)
{
	return calloc(1, sizeof(struct event));
}

void event_set(struct event *e)
{
	e->set = 1;
}

void event_wait(struct event *e)
{
	(void)e;
	clab_sleep_ms(200); /* longer than the harness's 20 ms */
}

void event_free(struct event *e)
{
	free(e);
}
