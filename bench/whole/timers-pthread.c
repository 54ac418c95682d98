/*
 * timers, on plain pthreads: for TICKS (200) milliseconds, at once,
 *  - a periodic timer ticks every millisecond and 3 threads wait for
 *    its ticks until they see tick TICKS;
 *  - a poller thread waits on a condition variable that nobody signals,
 *    1 ms at a time, until TICKS of its waits have timed out;
 *  - the main thread starts TICKS one-shot timers one after another:
 *    half with a 1 ms delay, left to fire, and half with a 10 s delay,
 *    cancelled at once; each timer has a thread of its own, joined.
 * The periodic and the one-shot timers are what clab_ptimer and
 * clab_timer are, written with a thread, a mutex and a condition variable
 * on the monotonic clock each.
 */
#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "whole.h"

#define WAITERS 3

static void deadline(struct timespec *ts, const struct timespec *from, long ms)
{
	*ts = *from;
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static void monotonic_cond(pthread_cond_t *c)
{
	pthread_condattr_t a;
	WHOLE_PT(pthread_condattr_init(&a));
	WHOLE_PT(pthread_condattr_setclock(&a, CLOCK_MONOTONIC));
	WHOLE_PT(pthread_cond_init(c, &a));
	WHOLE_PT(pthread_condattr_destroy(&a));
}

/* ---- a periodic timer: wait_tick() returns the next tick's number ---- */

struct ptimer {
	pthread_mutex_t m;
	pthread_cond_t wake, ticked; /* the tick thread's, the waiters' */
	pthread_t th;
	long interval_ms, tick;
	int stop;
};

static void *ptimer_main(void *arg)
{
	struct ptimer *p = arg;
	struct timespec now, dl;
	clock_gettime(CLOCK_MONOTONIC, &now);
	WHOLE_PT(pthread_mutex_lock(&p->m));
	deadline(&dl, &now, p->interval_ms);
	while (!p->stop) {
		int r = pthread_cond_timedwait(&p->wake, &p->m, &dl);
		if (p->stop)
			break;
		if (r == 0)
			continue;
		if (r != ETIMEDOUT)
			whole_fail("pthread_cond_timedwait", strerror(r));
		p->tick++;
		WHOLE_PT(pthread_cond_broadcast(&p->ticked));
		deadline(&dl, &dl, p->interval_ms);
	}
	WHOLE_PT(pthread_mutex_unlock(&p->m));
	return NULL;
}

static void ptimer_start(struct ptimer *p, long interval_ms)
{
	WHOLE_PT(pthread_mutex_init(&p->m, NULL));
	monotonic_cond(&p->wake);
	monotonic_cond(&p->ticked);
	p->interval_ms = interval_ms;
	p->tick = 0;
	p->stop = 0;
	WHOLE_PT(pthread_create(&p->th, NULL, ptimer_main, p));
}

static long ptimer_wait_tick(struct ptimer *p)
{
	WHOLE_PT(pthread_mutex_lock(&p->m));
	long t = p->tick;
	while (p->tick == t && !p->stop)
		WHOLE_PT(pthread_cond_wait(&p->ticked, &p->m));
	t = p->stop ? -1 : p->tick;
	WHOLE_PT(pthread_mutex_unlock(&p->m));
	return t;
}

static void ptimer_stop(struct ptimer *p)
{
	WHOLE_PT(pthread_mutex_lock(&p->m));
	p->stop = 1;
	WHOLE_PT(pthread_cond_broadcast(&p->wake));
	WHOLE_PT(pthread_cond_broadcast(&p->ticked));
	WHOLE_PT(pthread_mutex_unlock(&p->m));
	WHOLE_PT(pthread_join(p->th, NULL));
	WHOLE_PT(pthread_cond_destroy(&p->ticked));
	WHOLE_PT(pthread_cond_destroy(&p->wake));
	WHOLE_PT(pthread_mutex_destroy(&p->m));
}

/* ---- a one-shot timer: fn(arg) in its own thread after delay_ms ---- */

enum { T_ARMED, T_FIRED, T_CANCELLED };

struct timer {
	pthread_mutex_t m;
	pthread_cond_t c;
	pthread_t th;
	long delay_ms;
	int state;
	void (*fn)(void *);
	void *arg;
};

static void *timer_main(void *arg)
{
	struct timer *t = arg;
	struct timespec now, dl;
	clock_gettime(CLOCK_MONOTONIC, &now);
	deadline(&dl, &now, t->delay_ms);
	WHOLE_PT(pthread_mutex_lock(&t->m));
	int r = 0;
	while (t->state == T_ARMED && r == 0)
		r = pthread_cond_timedwait(&t->c, &t->m, &dl);
	if (r != 0 && r != ETIMEDOUT)
		whole_fail("pthread_cond_timedwait", strerror(r));
	if (t->state != T_ARMED) {
		WHOLE_PT(pthread_mutex_unlock(&t->m));
		return NULL;
	}
	t->state = T_FIRED;
	WHOLE_PT(pthread_mutex_unlock(&t->m));
	t->fn(t->arg);
	return NULL;
}

static void timer_start(struct timer *t, long delay_ms, void (*fn)(void *),
			void *arg)
{
	WHOLE_PT(pthread_mutex_init(&t->m, NULL));
	monotonic_cond(&t->c);
	t->delay_ms = delay_ms;
	t->state = T_ARMED;
	t->fn = fn;
	t->arg = arg;
	WHOLE_PT(pthread_create(&t->th, NULL, timer_main, t));
}

/* 0 if cancelled in time, -1 if it had fired. */
static int timer_cancel(struct timer *t)
{
	WHOLE_PT(pthread_mutex_lock(&t->m));
	int r = t->state == T_ARMED ? 0 : -1;
	if (r == 0) {
		t->state = T_CANCELLED;
		WHOLE_PT(pthread_cond_signal(&t->c));
	}
	WHOLE_PT(pthread_mutex_unlock(&t->m));
	return r;
}

static void timer_destroy(struct timer *t)
{
	WHOLE_PT(pthread_join(t->th, NULL));
	WHOLE_PT(pthread_cond_destroy(&t->c));
	WHOLE_PT(pthread_mutex_destroy(&t->m));
}

/* ---- the program ---- */

static struct ptimer ticker;
static long ticks;
static pthread_mutex_t quiet_m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t quiet; /* nobody signals it */

static void *tick_waiter(void *arg)
{
	long t;
	while ((t = ptimer_wait_tick(&ticker)) >= 0 && t < ticks)
		;
	*(long *)arg = t;
	return NULL;
}

static void *poller(void *arg)
{
	long timeouts = 0;
	struct timespec now, dl;
	WHOLE_PT(pthread_mutex_lock(&quiet_m));
	while (timeouts < ticks) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		deadline(&dl, &now, 1);
		int r = pthread_cond_timedwait(&quiet, &quiet_m, &dl);
		if (r == ETIMEDOUT)
			timeouts++;
		else if (r != 0)
			whole_fail("pthread_cond_timedwait", strerror(r));
	}
	WHOLE_PT(pthread_mutex_unlock(&quiet_m));
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
	pthread_t waiters[WAITERS], poll_th;
	long seen[WAITERS], timeouts = 0, nfired = 0, ncancelled = 0;
	monotonic_cond(&quiet);
	ptimer_start(&ticker, 1);
	for (int i = 0; i < WAITERS; i++)
		WHOLE_PT(
		    pthread_create(&waiters[i], NULL, tick_waiter, &seen[i]));
	WHOLE_PT(pthread_create(&poll_th, NULL, poller, &timeouts));
	for (long i = 0; i < ticks; i++) {
		struct timer t;
		timer_start(&t, i % 2 ? 10000 : 1, fired, &nfired);
		if (i % 2 && timer_cancel(&t) == 0)
			ncancelled++;
		timer_destroy(&t);
	}
	int reached = 0;
	for (int i = 0; i < WAITERS; i++) {
		WHOLE_PT(pthread_join(waiters[i], NULL));
		reached += seen[i] >= ticks;
	}
	WHOLE_PT(pthread_join(poll_th, NULL));
	ptimer_stop(&ticker);
	WHOLE_PT(pthread_cond_destroy(&quiet));
	printf("timers: %ld ticks, %d waiters reached the last, %ld timed "
	       "out, %ld fired, %ld cancelled\n",
	       ticks, reached, timeouts, nfired, ncancelled);
	return 0;
}
