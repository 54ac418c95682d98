/*
 * Crash safety: the trace of a program that dies is saved all the same.
 *
 * While a trace is open, a fatal signal (SIGSEGV, SIGBUS, SIGFPE, SIGILL,
 * SIGABRT) runs on_fatal first, in the thread it hit.  The handler does
 * nothing that is not async-signal-safe: it asks the writer's thread to
 * write every thread's published records and the end chunk and to close
 * the file (clab__writer_save), waits for it, and then gives the signal to
 * whoever had it before: the program's own handler (installed before the
 * trace was opened), a sanitizer's, or the default action.  A program that
 * installs its own handler after the open replaces ours: its choice.
 *
 * The signals whose default action ends a program that did nothing wrong
 * (Ctrl-C's SIGINT, Ctrl-\'s SIGQUIT, a hangup's SIGHUP, kill's SIGTERM, an
 * alarm's SIGALRM, a limit's SIGXCPU and SIGXFSZ) save it too, when their
 * action is that default at the open: on_stop saves the trace, names the
 * signal in its metadata (CLAB_META_SIGNAL, not a crash) and ends the
 * program by the signal's default action, as it would have ended.  One
 * the program ignores or handles itself is left alone; the preload
 * library shows a traced program the default where our handler is
 * (clab__stop_handler), so that a program that installs its own only over
 * the default (Python's Ctrl-C) still does.
 *
 * exit(), or a return from main, while a trace is open closes it in an
 * exit handler; a sanitizer's fatal report saves it as a signal would.  A
 * forked child inherits the open trace but not the writer's threads: neither
 * path does anything there.
 */
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tracer-int.h"

/* A signal and its name, as the trace's metadata gives it. */
struct sigdef {
	int sig;
	const char *name;
};

static const struct sigdef fatal_signals[] = {{SIGSEGV, "SIGSEGV"},
					      {SIGBUS, "SIGBUS"},
					      {SIGFPE, "SIGFPE"},
					      {SIGILL, "SIGILL"},
					      {SIGABRT, "SIGABRT"}};
#define NFATAL (sizeof(fatal_signals) / sizeof(fatal_signals[0]))

static const struct sigdef stop_signals[] = {
    {SIGINT, "SIGINT"},	  {SIGTERM, "SIGTERM"}, {SIGHUP, "SIGHUP"},
    {SIGQUIT, "SIGQUIT"}, {SIGALRM, "SIGALRM"}, {SIGXCPU, "SIGXCPU"},
    {SIGXFSZ, "SIGXFSZ"}};
#define NSTOP (sizeof(stop_signals) / sizeof(stop_signals[0]))

/* sig's index in defs[0..n) (the last one's when it is none of them) */
static size_t sig_index(const struct sigdef *defs, size_t n, int sig)
{
	size_t i = 0;
	while (i < n - 1 && defs[i].sig != sig)
		i++;
	return i;
}

/* The default action, which the stop handler puts back. */
static const struct sigaction dfl_action = {.sa_handler = SIG_DFL};

/*
 * Process-wide, as signal dispositions are: armed at the open of the one
 * trace a process has open at a time, put back at its close.
 */
/* What each signal did before the open: what it does again afterwards. */
static struct sigaction old_action[NFATAL];
static _Atomic int armed_pid; /* the process that opened the trace, or 0 */
static void (*_Atomic crash_hook)(int sig, void *addr);
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;

/*
 * How long a crashed thread waits for a writer that makes no progress
 * before it gives up (a lock the crash left held stops the writer): the
 * records written until then are in the file, and the program dies.
 */
#define SAVE_STALL_MS 2000u

const char *_Atomic clab__crash_why;
const char *_Atomic clab__stop_why;

/*
 * In the process that opened the trace (not a child that has none of its
 * own yet): *why set to name, unless a reason came first, and the trace
 * saved; returns whether it was that process.  From a signal's handler,
 * or a sanitizer's death callback.
 */
static int save_for(const char *_Atomic *why, const char *name)
{
	if (getpid() != atomic_load(&armed_pid))
		return 0;
	const char *none = NULL;
	atomic_compare_exchange_strong(why, &none, name);
	(void)clab__writer_save(SAVE_STALL_MS);
	return 1;
}

static void on_fatal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	int saved_errno = errno;
	if (save_for(
		&clab__crash_why,
		fatal_signals[sig_index(fatal_signals, NFATAL, sig)].name)) {
		void (*hook)(int, void *) = atomic_load(&crash_hook);
		if (hook)
			hook(sig, si ? si->si_addr : NULL);
	}
	/*
	 * The handler from before, and the signal again: a fault comes back
	 * by itself when the instruction runs again, a signal that was sent
	 * (abort(), raise(), kill) is sent again and arrives once this
	 * handler returns.
	 */
	sigaction(sig, &old_action[sig_index(fatal_signals, NFATAL, sig)],
		  NULL);
	if (!si || si->si_code <= 0)
		raise(sig);
	errno = saved_errno;
}

/*
 * The stop signals whose handler is on_stop in this process, published for
 * the watchdogs of the other processes of the run (catches, in
 * runtime/family.c): in .data, so that every process that loads this code
 * has it at the same offset of the same file.
 */
struct clab__stop_mine clab__stop_mine = {CLAB__STOP_MAGIC, 0};

int (*clab__real_sigaction)(int, const struct sigaction *, struct sigaction *);

/* sigaction, past the preload library's, which would hide on_stop */
static int sa_call(int sig, const struct sigaction *act, struct sigaction *old)
{
	return clab__real_sigaction ? clab__real_sigaction(sig, act, old)
				    : sigaction(sig, act, old);
}

static void on_stop(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	int saved_errno = errno;
	save_for(&clab__stop_why,
		 stop_signals[sig_index(stop_signals, NSTOP, sig)].name);
	/* the default again, and the signal, which arrives once this
	 * handler returns (it is blocked meanwhile): the program ends */
	sa_call(sig, &dfl_action, NULL);
	raise(sig);
	errno = saved_errno;
}

int clab__stop_handler(const struct sigaction *sa)
{
	return (sa->sa_flags & SA_SIGINFO) && sa->sa_sigaction == on_stop;
}

int clab__stop_handler_fn(void (*h)(int))
{
	/* the same address, as signal() gives an SA_SIGINFO handler */
	void (*ours)(int, siginfo_t *, void *) = on_stop;
	uintptr_t a, b;
	_Static_assert(sizeof(a) == sizeof(h) && sizeof(b) == sizeof(ours),
		       "handlers are addresses");
	memcpy(&a, &h, sizeof(a));
	memcpy(&b, &ours, sizeof(b));
	return a == b;
}

/* The stop signals whose handler is on_stop now. */
static uint64_t stop_mask_now(void)
{
	uint64_t mine = 0;
	struct sigaction cur;
	for (size_t i = 0; i < NSTOP; i++)
		if (sa_call(stop_signals[i].sig, NULL, &cur) == 0 &&
		    clab__stop_handler(&cur))
			mine |= 1ull << (stop_signals[i].sig - 1);
	return mine;
}

/*
 * Made anew from the actions, not from the mask before: an action the C
 * library changes past the preload library (system() ignores SIGINT and
 * SIGQUIT while its command runs, then puts them back) is seen again.
 */
void clab__stop_refresh(void)
{
	if (atomic_load(&armed_pid) == (int)getpid())
		atomic_store(&clab__stop_mine.mask, stop_mask_now());
}

uint64_t clab__stop_all(void)
{
	uint64_t all = 0;
	for (size_t i = 0; i < NSTOP; i++)
		all |= 1ull << (stop_signals[i].sig - 1);
	return all;
}

/* Ours on the stop signals whose action is the default. */
static void stop_arm(void)
{
	struct sigaction sa, cur;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_stop;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NSTOP; i++) {
		int sig = stop_signals[i].sig;
		if (sa_call(sig, NULL, &cur) == 0 &&
		    !(cur.sa_flags & SA_SIGINFO) && cur.sa_handler == SIG_DFL)
			sa_call(sig, &sa, NULL);
	}
	atomic_store(&clab__stop_mine.mask, stop_mask_now());
}

/* The default back where ours still is. */
static void stop_disarm(void)
{
	struct sigaction cur;
	for (size_t i = 0; i < NSTOP; i++)
		if (sa_call(stop_signals[i].sig, NULL, &cur) == 0 &&
		    clab__stop_handler(&cur))
			sa_call(stop_signals[i].sig, &dfl_action, NULL);
	atomic_store(&clab__stop_mine.mask, 0);
}

/*
 * A sanitizer's report that ends the program (halt_on_error) ends it by
 * _exit, past the exit handlers: its death callback saves the trace first.
 * Weak: NULL in a program without a sanitizer.  Each sanitizer runtime
 * keeps its own callback (GCC loads ASan's and UBSan's as two libraries),
 * so every loaded object that has the function is given it.
 */
extern void __sanitizer_set_death_callback(void (*cb)(void))
    __attribute__((weak));

static void on_sanitizer_death(void)
{
	save_for(&clab__crash_why, "sanitizer");
}

static int set_death_callback(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	(void)arg;
	if (!info->dlpi_name || !info->dlpi_name[0])
		return 0; /* the program: found by the weak reference */
	void *h = dlopen(info->dlpi_name, RTLD_LAZY | RTLD_NOLOAD);
	if (!h)
		return 0;
	void (*set)(void (*)(void));
	*(void **)&set = dlsym(h, "__sanitizer_set_death_callback");
	if (set)
		set(on_sanitizer_death);
	dlclose(h);
	return 0;
}

static void at_exit(void)
{
	if (getpid() == atomic_load(&armed_pid) && clab_tracer_active())
		(void)clab_tracer_close(NULL);
}

static void register_exit(void)
{
	(void)atexit(at_exit);
	if (__sanitizer_set_death_callback) {
		__sanitizer_set_death_callback(on_sanitizer_death);
		dl_iterate_phdr(set_death_callback, NULL);
	}
}

void clab__crash_arm(const struct clab_tracer_opts *o)
{
	atomic_store(&crash_hook, o->on_crash);
	pthread_once(&exit_once, register_exit);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fatal;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	/* armed first: a signal that comes while the handlers go in saves */
	atomic_store(&armed_pid, (int)getpid());
	for (size_t i = 0; i < NFATAL; i++)
		sigaction(fatal_signals[i].sig, &sa, &old_action[i]);
	stop_arm();
}

void clab__crash_disarm(void)
{
	if (!atomic_load(&armed_pid))
		return;
	atomic_store(&armed_pid, 0);
	for (size_t i = 0; i < NFATAL; i++) {
		struct sigaction cur;
		if (sigaction(fatal_signals[i].sig, NULL, &cur) == 0 &&
		    (cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == on_fatal)
			sigaction(fatal_signals[i].sig, &old_action[i], NULL);
	}
	stop_disarm();
	atomic_store(&crash_hook, NULL);
}
