/*
 * Supervised runs (supervise.h): the child process, its wait and its
 * deadline, Ctrl-C forwarded to it, its ending as an exit code, and what
 * is left of a sandboxed one.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "supervise.h"

pid_t clab_supervise_fork(int group)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid > 0 && group)
		setpgid(pid, pid); /* before the parent may signal the group */
	return pid;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int clab_supervise_wait(pid_t pid, double limit_s, int *status, int *killed)
{
	if (limit_s <= 0) {
		while (waitpid(pid, status, 0) < 0)
			if (errno != EINTR)
				return -errno;
		return 0;
	}
	double deadline = now_s() + limit_s;
	*killed = 0;
	for (;;) {
		pid_t w = waitpid(pid, status, WNOHANG);
		if (w == pid)
			return 0;
		if (w < 0 && errno != EINTR)
			return -errno;
		if (now_s() > deadline && !*killed) {
			kill(pid, SIGKILL);
			*killed = 1;
		}
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

int clab_supervise_code(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The process group that SIGINT is forwarded to. */
static volatile pid_t forward_to;

static void forward(int sig)
{
	if (forward_to > 0)
		kill(-forward_to, sig);
}

void clab_supervise_forward(pid_t pgid)
{
	struct sigaction sa = {.sa_handler = pgid ? forward : SIG_DFL};
	forward_to = pgid;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
}

void clab_supervise_ignore(struct clab_supervise_ignore *ig)
{
	struct sigaction ign = {.sa_handler = SIG_IGN};
	sigaction(SIGINT, &ign, &ig->old_int);
	sigaction(SIGQUIT, &ign, &ig->old_quit);
}

/*
 * The child that SIGTERM and SIGHUP are passed on to (0: not started yet),
 * the one that came before it was, and whether one was passed on.
 */
static volatile pid_t pass_pid;
static volatile sig_atomic_t pass_pending, passed;

/* A second one is for this process: a child that takes no notice of the
 * first must not leave it impossible to end. */
static void pass(int sig)
{
	if (!passed && pass_pid == 0 && !pass_pending) {
		pass_pending = sig;
		return;
	}
	if (!passed && pass_pid > 0) {
		passed = 1;
		kill(pass_pid, sig);
		return;
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

void clab_supervise_pass_begin(struct clab_supervise_pass *ps)
{
	struct sigaction sa = {.sa_handler = pass, .sa_flags = SA_RESTART};
	sigemptyset(&sa.sa_mask);
	pass_pid = 0;
	pass_pending = passed = 0;
	sigaction(SIGTERM, &sa, &ps->old_term);
	sigaction(SIGHUP, &sa, &ps->old_hup);
	/* one this process was started ignoring stays ignored */
	if (ps->old_hup.sa_handler == SIG_IGN)
		sigaction(SIGHUP, &ps->old_hup, NULL);
}

void clab_supervise_pass_to(pid_t pid)
{
	sigset_t s, old;
	sigemptyset(&s);
	sigaddset(&s, SIGTERM);
	sigaddset(&s, SIGHUP);
	sigprocmask(SIG_BLOCK, &s, &old);
	pass_pid = pid;
	if (pass_pending && !passed) {
		passed = 1;
		kill(pid, pass_pending);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
}

void clab_supervise_pass_end(const struct clab_supervise_pass *ps)
{
	sigaction(SIGTERM, &ps->old_term, NULL);
	sigaction(SIGHUP, &ps->old_hup, NULL);
	pass_pid = 0;
}

static volatile sig_atomic_t interrupted;

static void note(int sig)
{
	(void)sig;
	interrupted = 1;
}

void clab_supervise_note(struct clab_supervise_ignore *ig)
{
	struct sigaction sa = {.sa_handler = note, .sa_flags = SA_RESTART};
	sigemptyset(&sa.sa_mask);
	interrupted = 0;
	clab_supervise_ignore(ig);
	/* a SIGINT that this process was started ignoring stays ignored */
	if (ig->old_int.sa_handler != SIG_IGN)
		sigaction(SIGINT, &sa, NULL);
}

int clab_supervise_interrupted(void)
{
	return interrupted;
}

void clab_supervise_restore(const struct clab_supervise_ignore *ig)
{
	sigaction(SIGINT, &ig->old_int, NULL);
	sigaction(SIGQUIT, &ig->old_quit, NULL);
}

long clab_supervise_unbox(pid_t pid, int all, const char *box, const char *name,
			  const char *dest, int *err)
{
	long left = clab_sandbox_kill(pid, all);
	int e = clab_sandbox_collect(box, name, dest);
	if (err)
		*err = e;
	return left;
}

static int mark_fd = -1;

void clab_supervise_mark_to(int fd)
{
	mark_fd = fd > 2 ? fd : -1;
}

int clab_supervise_mark(int code)
{
	if (mark_fd < 0)
		return 0;
	return write(mark_fd, &code, sizeof(code)) == (ssize_t)sizeof(code)
		   ? 0
		   : -1;
}

_Noreturn void clab_supervise_end(int code)
{
	clab_supervise_mark(code); /* a parent that is gone reads nothing */
	syscall(SYS_exit_group, code);
	_exit(code);
}
