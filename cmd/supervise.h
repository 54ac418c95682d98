/*
 * Supervised runs (supervise.c), with the sandbox they may run in
 * (sandbox.h): one module for what `run`, `exercise`, `explore` and
 * `trace` do around a process that runs a lab, a solution or a program.
 * A child is forked (in a process group of its own when the parent will
 * kill the group or forward Ctrl-C to it), waited for (with a deadline
 * after which it is killed), and its ending becomes an exit code: its
 * own exit status, or 128+N when signal N ended it.  A process that
 * conclab ends itself (a deadlock, the time limit, Ctrl-C, a crash) first
 * writes that code to the pipe its parent reads (the ending mark), so the
 * parent can tell those endings from code that ended the process on its
 * own.
 */
#ifndef CONCLAB_SUPERVISE_H
#define CONCLAB_SUPERVISE_H

#include <signal.h>
#include <sys/types.h>

#include "sandbox.h"

/*
 * clab_supervise_fork - flush every stdio stream and fork.  With group,
 * the child gets a process group of its own (set by the parent too, before
 * it may signal the group).  Returns the child's pid in the parent, 0 in
 * the child, -1 (errno set) when fork() fails.
 */
pid_t clab_supervise_fork(int group);

/*
 * clab_supervise_wait - wait for pid to end, through interruptions by
 * signals, into *status.  limit_s > 0: kill it (SIGKILL) once that many
 * seconds have passed, and set *killed (which may be NULL without a
 * limit).  0, or a negative errno from waitpid().
 */
int clab_supervise_wait(pid_t pid, double limit_s, int *status, int *killed);

/* The exit code of a child that ended with status: its own, or 128+N. */
int clab_supervise_code(int status);

/*
 * clab_supervise_forward - from now on, SIGINT received by this process
 * is sent on to the process group pgid (a child that the terminal's
 * Ctrl-C does not reach).  pgid 0: stop forwarding (SIGINT's action is
 * the default again).
 */
void clab_supervise_forward(pid_t pgid);

/* Signals the parent ignores while the child, which gets them, runs. */
struct clab_supervise_ignore {
	struct sigaction old_int, old_quit;
};
/* Ignore SIGINT and SIGQUIT (Ctrl-C and Ctrl-\ are the child's). */
void clab_supervise_ignore(struct clab_supervise_ignore *ig);
/*
 * A SIGTERM or SIGHUP sent to this process alone (kill, a harness's time
 * limit) passed on to the child, which saves its trace and ends by it,
 * rather than this process ending at once and leaving the child running
 * unwatched; a second one ends this process, as the first would have.
 * clab_supervise_pass_begin - before the child is started (one that comes
 * meanwhile waits for it; the handlers do not outlive the child's exec);
 * clab_supervise_pass_to - the child, once started; clab_supervise_pass_end
 * - the actions as they were.
 */
struct clab_supervise_pass {
	struct sigaction old_term, old_hup;
};
void clab_supervise_pass_begin(struct clab_supervise_pass *ps);
void clab_supervise_pass_to(pid_t pid);
void clab_supervise_pass_end(const struct clab_supervise_pass *ps);
/* Take them back as they were. */
void clab_supervise_restore(const struct clab_supervise_ignore *ig);
/*
 * As clab_supervise_ignore, but SIGINT is noted rather than ignored (the
 * process lives on through it): clab_supervise_interrupted() says
 * whether one came since.  A Ctrl-C that reaches the child too late to
 * stop it (it was ending, or had not yet set itself to take it) is not
 * lost on the parent.
 */
void clab_supervise_note(struct clab_supervise_ignore *ig);
int clab_supervise_interrupted(void);

/*
 * clab_supervise_unbox - after a sandboxed child pid (its process group)
 * has ended: kill what is left of the group (with all, also every other
 * child of this process: clab_sandbox_kill), then copy the file name out of
 * its directory box to dest (NULL: drop it) and remove box.  Returns how
 * many processes were left; *err (may be NULL) gets clab_sandbox_collect's
 * result.
 */
long clab_supervise_unbox(pid_t pid, int all, const char *box, const char *name,
			  const char *dest, int *err);

/*
 * The ending mark.  clab_supervise_mark_to() says where a process writes
 * it (fd > 2; -1: nowhere, the default); clab_supervise_mark() writes code
 * there (write() only: async-signal-safe) and returns 0, or -1 when the
 * pipe could not take it.  clab_supervise_end() marks, then ends the
 * process at once with code (the exit_group system call, not _exit(),
 * which a sanitizer's runtime intercepts to look at the threads a stopped
 * run leaves behind, and whose exit code it would give instead).
 */
void clab_supervise_mark_to(int fd);
int clab_supervise_mark(int code);
_Noreturn void clab_supervise_end(int code);

#endif
