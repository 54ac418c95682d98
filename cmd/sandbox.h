/*
 * The sandbox of a child process that runs a student's code (sandbox.c):
 * its own empty directory, resource limits, its own process group that
 * the grader kills, user, mount and network namespaces, Landlock and a
 * seccomp filter, each where the kernel has it.
 */
#ifndef CONCLAB_SANDBOX_H
#define CONCLAB_SANDBOX_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* The mechanisms, as clab_sandbox_enter() reports the ones it applied. */
#define CLAB_SANDBOX_MECHS(X)                                                  \
	X(DIR, 0, "directory")                                                 \
	X(RLIMITS, 1, "limits")                                                \
	X(PGROUP, 2, "process group")                                          \
	X(NAMESPACES, 3, "namespaces")                                         \
	X(LANDLOCK, 4, "landlock")                                             \
	X(SECCOMP, 5, "seccomp")

enum {
#define CLAB_SANDBOX_BIT(name, bit, text) CLAB_SANDBOX_##name = 1u << (bit),
	CLAB_SANDBOX_MECHS(CLAB_SANDBOX_BIT)
#undef CLAB_SANDBOX_BIT
	    CLAB_SANDBOX_ALL = (1u << 6) - 1,
};

/* What the seccomp filter refused, by kind. */
#define CLAB_SANDBOX_DENIALS(X)                                                \
	X(EXEC, "run a program (execve)")                                      \
	X(PROCESS, "start a process (fork, vfork, clone)")                     \
	X(SOCKET, "open a socket")                                             \
	X(PTRACE, "look into another process (ptrace, process_vm_*)")          \
	X(SIGNAL, "signal a process outside its own")                          \
	X(SESSION, "leave its process group (setsid, setpgid)")                \
	X(OTHER, "make a system call the sandbox forbids")

enum clab_sandbox_denial {
#define CLAB_SANDBOX_DENY(name, text) CLAB_SANDBOX_DENY_##name,
	CLAB_SANDBOX_DENIALS(CLAB_SANDBOX_DENY)
#undef CLAB_SANDBOX_DENY
	    CLAB_SANDBOX_NDENIALS
};

/*
 * Shared between the grader and its children (a MAP_SHARED page made by
 * clab_sandbox_shared_new() before they are forked): what the children's
 * filters refused, and the mechanisms the last child applied.
 */
struct clab_sandbox_shared {
	unsigned long denied[CLAB_SANDBOX_NDENIALS];
	long other_nr; /* the last "other" system call's number */
	unsigned applied;
};

struct clab_sandbox_opts {
	const char *dir;	 /* the child's own directory (made empty) */
	const char *const *read; /* more files it may read (the solution) */
	size_t nread;
	long cpu_s; /* CPU-time limit, seconds (0: none) */
	struct clab_sandbox_shared *shared; /* or NULL */
	/* let the child fork (the processes exercise's harness does) */
	int processes;
};

/*
 * clab_sandbox_shared_new - map the shared page (zeroed).  NULL when
 * mmap() fails.  clab_sandbox_shared_free() unmaps it (NULL: nothing).
 */
struct clab_sandbox_shared *clab_sandbox_shared_new(void);
void clab_sandbox_shared_free(struct clab_sandbox_shared *s);

/*
 * clab_sandbox_dir_new - make a new empty directory for a child under
 * parent ($TMPDIR, else "/tmp", when NULL), mode 0700, into buf.  0 or a
 * negative errno.
 */
int clab_sandbox_dir_new(const char *parent, char *buf, size_t len);

/*
 * clab_sandbox_reaper - make this process the reaper of its orphaned
 * descendants (PR_SET_CHILD_SUBREAPER), so that a process a child leaves
 * behind becomes this one's child, which clab_sandbox_sweep() kills.
 * 0 or a negative errno.
 */
int clab_sandbox_reaper(void);

/*
 * clab_sandbox_enter - in a child just forked, before the student's code
 * is loaded: apply every mechanism the kernel allows (see docs/grading.md)
 * and return the ones applied (CLAB_SANDBOX_*), after saying on stderr why
 * each missing one is missing.  The working directory becomes o->dir, the
 * environment a few variables only.  Single-threaded callers only.
 */
unsigned clab_sandbox_enter(const struct clab_sandbox_opts *o);

/* The names of the mechanisms in mask, comma-separated, into buf. */
void clab_sandbox_describe(unsigned mask, char *buf, size_t len);

/*
 * clab_sandbox_kill - in the grader, once the child pgid is reaped: kill
 * what is left of its process group.  With all, also every other child of
 * this process (orphans of the sandbox, given to the reaper), and reap
 * them: only when no other child of this process should live.  Returns
 * how many processes were killed (without all: how many of them were
 * this process's children, the others are not looked for).
 */
long clab_sandbox_kill(pid_t pgid, int all);

/*
 * clab_sandbox_collect - in the grader, once the child and its processes
 * are gone: copy the regular file dir/name (never a link) to dest, which
 * the grader creates, then remove dir and whatever the child left in it.
 * 0, or a negative errno (-ENOENT: the child wrote no such file; dir is
 * removed all the same).  dest NULL: only remove dir.
 */
int clab_sandbox_collect(const char *dir, const char *name, const char *dest);

/*
 * clab_sandbox_report - print to f what the filter refused (one line per
 * kind); returns how many kinds there were.
 */
int clab_sandbox_report(const struct clab_sandbox_shared *s, FILE *f,
			const char *prefix);

#endif
