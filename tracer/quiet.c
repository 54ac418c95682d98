/*
 * Signals and the tracer's locks.
 *
 * A program's signal handler may end the program (_exit, or a fatal
 * signal's default action after crash.c's rescue) on whatever thread the
 * signal hit, wherever that thread was.  The rescue (clab__writer_save)
 * asks the writer's thread to write what is left and to close the file,
 * and the writer needs its locks for that: w.lk, the registry's lock, the
 * kick lock, the clock's calibration lock.  A program thread that holds one
 * of them when its handler ends the program never gives it back, and the
 * rescue waited out its stall limit for a writer that could not move: the
 * trace was left cut short.  So a program thread holds the asynchronous
 * signals off (and cancellation, whose cond-wait points would unwind with a
 * lock held) for as long as it holds one of those locks (clab__lock):
 * a signal that comes meanwhile is delivered when the thread lets go.
 * The waits done with a lock held are bounded (wait_for_room waits 5 ms at
 * a time), so a signal is never held off for long.  Holding them off costs
 * two system calls, too many for the lock a thread takes for each new block
 * of records: the free list has a lock of its own that the rescue never
 * takes (clab__blocks_put), held without this.
 *
 * The signals a thread raises on itself by a fault or an abort are never
 * held off: blocked, the kernel would kill the process without crash.c's
 * handler.
 *
 * The tracer's and the runtime's own threads (the writer, the ticker, the
 * watchdog) are made with the asynchronous signals blocked for good
 * (clab__thread_quiet): a program's process-wide signal (SIGINT, a timer's
 * SIGALRM) goes to one of the program's threads, as it would without
 * conclab, and never to a thread the program does not know of (nor to the
 * writer, which could not rescue the trace from its own handler).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>

#include "tracer-emit.h"

/* How deep this thread is in the tracer's locks, and what it held before. */
static _Thread_local unsigned depth __attribute__((tls_model("initial-exec")));
static _Thread_local sigset_t saved_mask
    __attribute__((tls_model("initial-exec")));
static _Thread_local int saved_cancel
    __attribute__((tls_model("initial-exec")));

/* Every signal but those a thread's own fault or abort raises. */
void clab__async_signals(sigset_t *s)
{
	static const int own[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL,
				  SIGTRAP, SIGSYS, SIGABRT};
	sigfillset(s);
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		sigdelset(s, own[i]);
}

void clab__hold(void)
{
	if (depth++)
		return;
	sigset_t s;
	clab__async_signals(&s);
	pthread_sigmask(SIG_BLOCK, &s, &saved_mask);
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &saved_cancel);
}

void clab__unhold(void)
{
	if (--depth)
		return;
	pthread_setcancelstate(saved_cancel, NULL);
	/* a signal that came meanwhile is delivered here */
	pthread_sigmask(SIG_SETMASK, &saved_mask, NULL);
}

void clab__lock(pthread_mutex_t *m)
{
	clab__hold();
	pthread_mutex_lock(m);
}

int clab__trylock(pthread_mutex_t *m)
{
	clab__hold();
	int e = pthread_mutex_trylock(m);
	if (e)
		clab__unhold();
	return e;
}

void clab__unlock(pthread_mutex_t *m)
{
	pthread_mutex_unlock(m);
	clab__unhold();
}

struct quiet_start {
	void *(*fn)(void *);
	void *arg;
	const char *name;
};

static void *quiet_main(void *p)
{
	struct quiet_start s = *(struct quiet_start *)p;
	free(p);
	/* blocked for good (inherited): clab__hold has nothing to do here */
	depth = 1;
	prctl(PR_SET_NAME, s.name, 0, 0, 0);
	return s.fn(s.arg);
}

int clab__thread_quiet(pthread_t *t, const char *name, void *(*fn)(void *),
		       void *arg)
{
	struct quiet_start *s = malloc(sizeof(*s));
	if (!s)
		return ENOMEM;
	s->fn = fn;
	s->arg = arg;
	s->name = name;
	sigset_t all, old;
	clab__async_signals(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int e = pthread_create(t, NULL, quiet_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e)
		free(s);
	return e;
}
