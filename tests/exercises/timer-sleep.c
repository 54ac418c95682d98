/* Wrong: ticker_wait() sleeps forever instead of waiting for a tick. */
#include <stdlib.h>
#include <unistd.h>

#include "timer.h"

struct ticker {
	int ticks;
};

struct ticker *ticker_new(void)
{
	return calloc(1, sizeof(struct ticker));
}

void ticker_tick(struct ticker *t)
{
	t->ticks++;
}

int ticker_wait(struct ticker *t, int last_seen)
{
	for (;;)
		sleep(1000);
	return last_seen + 1;
}
