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

/* The C library's signal() sets the action without our sigaction. */
sighandler_t signal(int sig, sighandler_t h)
{
	sighandler_t r = CLAB__PL_REAL(signal)(sig, h);
	if (r != SIG_ERR)
		clab__stop_refresh();
	return r != SIG_ERR && clab__stop_handler_fn(r) ? SIG_DFL : r;
}
