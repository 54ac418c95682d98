/*
 * The signals whose default action ends the program (Ctrl-C's SIGINT,
 * SIGTERM, SIGHUP...) have conclab's handler while the trace is open, where
 * their action was the default (tracer/crash.c): it saves the trace and
 * ends the program as the default would.  The program is shown the
 * default there, as it would see without conclab: a program (or a
 * language's runtime, as Python's for Ctrl-C) that installs its own
 * handler only over the default still does, and one that keeps the old
 * action to put it back later puts the default back.
 */
#include <signal.h>
#include <string.h>

#include "preload.h"

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	int r = CLAB__PL_REAL(sigaction)(sig, act, old);
	if (r == 0 && old && clab__stop_handler(old)) {
		memset(old, 0, sizeof(*old));
		old->sa_handler = SIG_DFL;
		sigemptyset(&old->sa_mask);
	}
	if (r == 0 && act)
		clab__stop_refresh(); /* for the other processes' watchdogs */
	return r;
}

/*
 * The C library's signal() and its kin set the action without our
 * sigaction: the old handler r as the program is shown it.
 */
static sighandler_t shown(sighandler_t r)
{
	if (r != SIG_ERR)
		clab__stop_refresh();
	return r != SIG_ERR && clab__stop_handler_fn(r) ? SIG_DFL : r;
}

sighandler_t signal(int sig, sighandler_t h)
{
	return shown(CLAB__PL_REAL(signal)(sig, h));
}

/*
 * signal() itself in a program built for strict ISO C or X/Open (gcc
 * -std=c11, where <signal.h> names __sysv_signal for it), and the older
 * names: System V's, BSD's (not declared under _GNU_SOURCE) and sigset.
 */
sighandler_t bsd_signal(int sig, sighandler_t h);

sighandler_t __sysv_signal(int sig, sighandler_t h)
{
	return shown(CLAB__PL_REAL(sysv_signal)(sig, h));
}

sighandler_t sysv_signal(int sig, sighandler_t h)
{
	return shown(CLAB__PL_REAL(sysv_signal)(sig, h));
}

sighandler_t bsd_signal(int sig, sighandler_t h)
{
	return shown(CLAB__PL_REAL(signal)(sig, h)); /* the same in glibc */
}

sighandler_t sigset(int sig, sighandler_t h)
{
	return shown(CLAB__PL_REAL(sigset)(sig, h));
}
