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

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
#define NFATAL (sizeof(fatal_signals) / sizeof(fatal_signals[0]))

static const int stop_signals[] = {SIGINT,  SIGTERM, SIGHUP, SIGQUIT,
				   SIGALRM, SIGXCPU, SIGXFSZ};
#define NSTOP (sizeof(stop_signals) / sizeof(stop_signals[0]))
static const char *const stop_names[] = {
    "SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGALRM", "SIGXCPU", "SIGXFSZ"};

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

static const char *const fatal_names[] = {"SIGSEGV", "SIGBUS", "SIGFPE",
					  "SIGILL", "SIGABRT"};

static size_t fatal_index(int sig)
{
	size_t i = 0;
	while (i < NFATAL - 1 && fatal_signals[i] != sig)
		i++;
	return i;
}

static void on_fatal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	int saved_errno = errno;
	if (getpid() == atomic_load(&armed_pid)) {
		const char *none = NULL;
		atomic_compare_exchange_strong(&clab__crash_why, &none,
					       fatal_names[fatal_index(sig)]);
		(void)clab__writer_save(SAVE_STALL_MS);
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
	sigaction(sig, &old_action[fatal_index(sig)], NULL);
	if (!si || si->si_code <= 0)
		raise(sig);
	errno = saved_errno;
}

const char *_Atomic clab__stop_why;

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

static size_t stop_index(int sig)
{
	size_t i = 0;
	while (i < NSTOP - 1 && stop_signals[i] != sig)
		i++;
	return i;
}

static void on_stop(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	int saved_errno = errno;
	if (getpid() == atomic_load(&armed_pid)) {
		const char *none = NULL;
		atomic_compare_exchange_strong(&clab__stop_why, &none,
					       stop_names[stop_index(sig)]);
		(void)clab__writer_save(SAVE_STALL_MS);
	}
	/* the default again, and the signal, which arrives once this
	 * handler returns (it is blocked meanwhile): the program ends */
	struct sigaction dfl;
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sa_call(sig, &dfl, NULL);
	atomic_fetch_and(&clab__stop_mine.mask, ~(1ull << (sig - 1)));
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

void clab__stop_refresh(void)
{
	uint64_t mine = atomic_load(&clab__stop_mine.mask), now = mine;
	for (size_t i = 0; mine && i < NSTOP; i++) {
		int sig = stop_signals[i];
		struct sigaction cur;
		if ((mine >> (sig - 1) & 1) && (sa_call(sig, NULL, &cur) != 0 ||
						!clab__stop_handler(&cur)))
			now &= ~(1ull << (sig - 1));
	}
	if (now != mine)
		atomic_store(&clab__stop_mine.mask, now);
}

/* Ours on the stop signals whose action is the default. */
static void stop_arm(void)
{
	struct sigaction sa, cur;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_stop;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	uint64_t mine = 0;
	for (size_t i = 0; i < NSTOP; i++) {
		int sig = stop_signals[i];
		if (sa_call(sig, NULL, &cur) != 0)
			continue;
		/* ours already: a trace of this process's before this one */
		if (clab__stop_handler(&cur) ||
		    (!(cur.sa_flags & SA_SIGINFO) &&
		     cur.sa_handler == SIG_DFL && sa_call(sig, &sa, NULL) == 0))
			mine |= 1ull << (sig - 1);
	}
	atomic_store(&clab__stop_mine.mask, mine);
}

/* The default back where ours still is. */
static void stop_disarm(void)
{
	struct sigaction dfl, cur;
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	for (size_t i = 0; i < NSTOP; i++)
		if (sa_call(stop_signals[i], NULL, &cur) == 0 &&
		    clab__stop_handler(&cur))
			sa_call(stop_signals[i], &dfl, NULL);
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
	if (getpid() == atomic_load(&armed_pid)) {
		const char *none = NULL;
		atomic_compare_exchange_strong(&clab__crash_why, &none,
					       "sanitizer");
		(void)clab__writer_save(SAVE_STALL_MS);
	}
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
	for (size_t i = 0; i < NFATAL; i++)
		sigaction(fatal_signals[i], &sa, &old_action[i]);
	stop_arm();
	atomic_store(&armed_pid, (int)getpid());
}

void clab__crash_disarm(void)
{
	if (!atomic_load(&armed_pid))
		return;
	atomic_store(&armed_pid, 0);
	for (size_t i = 0; i < NFATAL; i++) {
		struct sigaction cur;
		if (sigaction(fatal_signals[i], NULL, &cur) == 0 &&
		    (cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == on_fatal)
			sigaction(fatal_signals[i], &old_action[i], NULL);
	}
	stop_disarm();
	atomic_store(&crash_hook, NULL);
}
