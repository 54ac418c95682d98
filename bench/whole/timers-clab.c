/*
 * timers, on conclab's clab_* API: for TICKS (200) milliseconds, at once,
 *  - a periodic timer (clab_ptimer) ticks every millisecond and 3
 *    threads wait for its ticks until they see tick TICKS;
 *  - a poller thread waits on a condition variable that nobody signals,
 *    1 ms at a time, until TICKS of its waits have timed out;
 *  - the main thread starts TICKS one-shot timers (clab_timer) one after
 *    another: half with a 1 ms delay, left to fire, and half with a 10 s
 *    delay, cancelled at once; each timer has a thread of its own, joined.
 * Records timers.clt.
 */
#include <conclab/runtime.h>
#include <conclab/tracer.h>

#include "whole.h"

#define WAITERS 3

static clab_ptimer_t ticker;
static long ticks;
static clab_mutex_t quiet_m;
static clab_cond_t quiet; /* nobody signals it */

static void *tick_waiter(void *arg)
{
	int t;
	while ((t = clab_ptimer_wait_tick(&ticker)) >= 0 && t < ticks)
		;
	if (t < 0)
		whole_fail("clab_ptimer_wait_tick", clab_strerror(t));
	*(long *)arg = t;
	return NULL;
}

static void *poller(void *arg)
{
	long timeouts = 0;
	WHOLE_CL(clab_mutex_lock(&quiet_m));
	while (timeouts < ticks) {
		int r = clab_cond_timedwait(&quiet, &quiet_m, 1);
		if (r == CLAB_ETIMEDOUT)
			timeouts++;
		else if (r < 0)
			whole_fail("clab_cond_timedwait", clab_strerror(r));
	}
	WHOLE_CL(clab_mutex_unlock(&quiet_m));
	*(long *)arg = timeouts;
	return NULL;
}

static void fired(void *arg)
{
	(*(long *)arg)++; /* joined before it is read */
}

int main(int argc, char **argv)
{
	struct whole_usage u = {argc, argv, 1, "[TICKS]"};
	ticks = whole_arg(&u, 1, 200, 1, 1000000);
	clab_thread_t *waiters[WAITERS], *poll_th;
	long seen[WAITERS], timeouts = 0, nfired = 0, ncancelled = 0;
	struct clab_meta_kv meta[] = {{"program", "timers"}};
	struct clab_tracer_opts o = {
	    .path = "timers.clt", .meta = meta, .nmeta = 1, .compress = -1};
	WHOLE_CL(clab_tracer_open(&o));
	clab_thread_self();
	WHOLE_CL(clab_mutex_init(&quiet_m, "quiet_m", CLAB_MUTEX_NORMAL));
	WHOLE_CL(clab_cond_init(&quiet, "quiet"));
	WHOLE_CL(clab_ptimer_init(&ticker, "ticker", 1));
	WHOLE_CL(clab_ptimer_start(&ticker));
	for (int i = 0; i < WAITERS; i++)
		WHOLE_CL(clab_thread_create(&waiters[i], "tick-waiter",
					    tick_waiter, &seen[i]));
	WHOLE_CL(clab_thread_create(&poll_th, "poller", poller, &timeouts));
	for (long i = 0; i < ticks; i++) {
		clab_timer_t t;
		WHOLE_CL(clab_timer_init(&t, "oneshot"));
		WHOLE_CL(
		    clab_timer_start(&t, i % 2 ? 10000 : 1, fired, &nfired));
		if (i % 2 && clab_timer_cancel(&t) == 0)
			ncancelled++;
		WHOLE_CL(clab_timer_destroy(&t));
	}
	int reached = 0;
	for (int i = 0; i < WAITERS; i++) {
		WHOLE_CL(clab_thread_join(waiters[i], NULL));
		reached += seen[i] >= ticks;
	}
	WHOLE_CL(clab_thread_join(poll_th, NULL));
	WHOLE_CL(clab_ptimer_stop(&ticker));
	WHOLE_CL(clab_ptimer_destroy(&ticker));
	WHOLE_CL(clab_cond_destroy(&quiet));
	WHOLE_CL(clab_mutex_destroy(&quiet_m));
	WHOLE_CL(clab_tracer_close(NULL));
	printf("timers: %ld ticks, %d waiters reached the last, %ld timed "
	       "out, %ld fired, %ld cancelled\n",
	       ticks, reached, timeouts, nfired, ncancelled);
	return 0;
}
