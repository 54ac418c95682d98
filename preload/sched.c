/*
 * The controlled scheduler in a traced program (`conclab trace --sched`):
 * its options from the environment, its schedule into the trace, and the
 * program's sleeps and yields made scheduling points on the virtual clock.
 *
 * Under control one of the program's threads runs at a time and hands the
 * turn on only inside the functions this library stands in for.  A sleep
 * in the C library would keep the turn for its whole length, and a loop
 * that sleeps until another thread does something would keep it for good;
 * so sleep, usleep, nanosleep, clock_nanosleep and sched_yield are
 * conclab's sleep (a wait on the virtual clock, recorded as sleep.begin
 * and sleep.end) and scheduling point instead.  Outside control they go to
 * the C library, unrecorded, as before.  A thread that blocks in the
 * kernel in anything else (read, poll, a futex) keeps the turn until the
 * run's time limit ends it.
 */
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "preload.h"

#define RET() __builtin_return_address(0)

static int controlled; /* set once by the constructor */

static const char *const env_names[] = {
    "CONCLAB_TRACE_SCHED",	    "CONCLAB_TRACE_SEED",
    "CONCLAB_TRACE_REPLAY",	    "CONCLAB_TRACE_PCT_DEPTH",
    "CONCLAB_TRACE_STEP_LIMIT",	    "CONCLAB_TRACE_SPURIOUS",
    "CONCLAB_TRACE_EARLY_TIMEOUTS",
};

int clab__pl_sched_read(struct clab_sched_opts *o, char *mode, size_t len)
{
	memset(o, 0, sizeof(*o));
	o->mode = CLAB_SCHED_OS;
	o->spurious_max = -1;
	const char *m = getenv("CONCLAB_TRACE_SCHED");
	int k = m && *m ? clab_sched_mode_parse(m) : CLAB_SCHED_OS;
	snprintf(mode, len, "%s", m ? m : "");
	if (k < 0)
		return CLAB_EINVAL;
	o->mode = (enum clab_sched_mode)k;
	o->seed = (uint64_t)clab__pl_env_long("CONCLAB_TRACE_SEED", 1);
	o->pct_depth =
	    (unsigned)clab__pl_env_long("CONCLAB_TRACE_PCT_DEPTH", 0);
	o->step_limit =
	    (uint64_t)clab__pl_env_long("CONCLAB_TRACE_STEP_LIMIT", 0);
	o->spurious_max = (int)clab__pl_env_long("CONCLAB_TRACE_SPURIOUS", -1);
	o->early_timeouts =
	    clab__pl_env_long("CONCLAB_TRACE_EARLY_TIMEOUTS", 0) != 0;
	const char *r = getenv("CONCLAB_TRACE_REPLAY");
	o->replay = r && *r ? strdup(r) : NULL;
	for (size_t i = 0; i < sizeof(env_names) / sizeof(env_names[0]); i++)
		unsetenv(env_names[i]);
	return 0;
}

int clab__pl_sched_start(const struct clab_sched_opts *o)
{
	if (o->mode == CLAB_SCHED_OS)
		return 0;
	int e = clab_sched_start(o);
	if (e == 0)
		controlled = 1;
	return e;
}

int clab__pl_sched_controlled(void)
{
	return controlled;
}

void clab__pl_sched_save(void)
{
	if (!controlled)
		return;
	char *buf = malloc(CLAB_SCHED_STRING_MAX);
	if (!buf)
		return;
	if (clab_sched_schedule(buf, CLAB_SCHED_STRING_MAX) >= 0)
		clab_tracer_meta_add("sched.schedule", buf);
	if (clab_sched_options(buf, CLAB_SCHED_STRING_MAX) >= 0)
		clab_tracer_meta_add("sched.options", buf);
	char steps[32];
	snprintf(steps, sizeof(steps), "%" PRIu64, clab_sched_steps());
	clab_tracer_meta_add("sched.steps", steps);
	free(buf);
}

/*
 * The calling thread, when the call is the program's and the thread is
 * under control (the guard set: clab__pl_leave clears it); else NULL.
 */
static struct clab__thr *ctl_enter(void)
{
	if (!controlled || !clab__pl_enter())
		return NULL;
	struct clab__thr *self = clab__self();
	if (clab__sched_ctl(self))
		return self;
	clab__pl_leave();
	return NULL;
}

/*
 * A sleep of ns nanoseconds on the virtual clock, in milliseconds rounded
 * up, called inside ctl_enter.  It stays a cancellation point, as the C
 * library's sleeps are: a pending cancellation acts before and after it.
 */
static void vsleep(uint64_t ns, const void *ret)
{
	uint64_t ms = (ns + 999999) / 1000000;
	const struct clab_site *site = clab__pl_site(ret);
	clab__pl_leave();
	clab__pl_testcancel(clab__self());
	clab__pl_guard = 1;
	/* a cancellation point, as the C library's sleeps */
	struct clab__thr *self = clab__pl_cancel_begin();
	int e = clab__sleep_ms(
	    ms >= CLAB_FOREVER ? CLAB_FOREVER - 1 : (uint32_t)ms, site);
	clab__pl_cancel_end(self, e == CLAB_ECANCELED);
	clab__pl_leave();
	clab__pl_testcancel(self);
}

unsigned int sleep(unsigned int s)
{
	if (!ctl_enter())
		return CLAB__PL_REAL(sleep)(s);
	vsleep((uint64_t)s * 1000000000u, RET());
	return 0;
}

int usleep(useconds_t us)
{
	if (!ctl_enter())
		return CLAB__PL_REAL(usleep)(us);
	vsleep((uint64_t)us * 1000u, RET());
	return 0;
}

/* A relative time the C library would take: whole, not negative. */
static int good(const struct timespec *d)
{
	return d && d->tv_sec >= 0 && d->tv_nsec >= 0 &&
	       d->tv_nsec < 1000000000L;
}

int clab__pl_nanosleep_at(const struct timespec *d, struct timespec *rem,
			  const void *at)
{
	if (!good(d) || !ctl_enter())
		return CLAB__PL_REAL(nanosleep)(d, rem);
	vsleep((uint64_t)d->tv_sec * 1000000000u + (uint64_t)d->tv_nsec, at);
	if (rem)
		*rem = (struct timespec){0, 0};
	return 0;
}

int nanosleep(const struct timespec *d, struct timespec *rem)
{
	int r = clab__pl_nanosleep_at(d, rem, RET());
	CLAB__PL_KEEP_FRAME();
	return r;
}

int clock_nanosleep(clockid_t clock, int flags, const struct timespec *d,
		    struct timespec *rem)
{
	if (!good(d) || (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC) ||
	    !ctl_enter())
		return CLAB__PL_REAL(clock_nanosleep)(clock, flags, d, rem);
	uint64_t ns;
	if (flags & TIMER_ABSTIME) {
		long long ms = clab__pl_ms_until(clock, d);
		ns = ms > 0 ? (uint64_t)ms * 1000000u : 0;
	} else {
		ns = (uint64_t)d->tv_sec * 1000000000u + (uint64_t)d->tv_nsec;
		if (rem)
			*rem = (struct timespec){0, 0};
	}
	vsleep(ns, RET());
	return 0;
}

int clab__pl_yield_at(const void *at)
{
	struct clab__thr *self = ctl_enter();
	if (!self)
		return CLAB__PL_REAL(sched_yield)();
	clab__sched_point(self, clab__pl_site(at));
	clab__pl_leave();
	return 0;
}

int sched_yield(void)
{
	int r = clab__pl_yield_at(RET());
	CLAB__PL_KEEP_FRAME();
	return r;
}
