/*
 * exec*: the program replaces itself.  The trace is closed whole first
 * (every record written, the end chunk), as at exit, with what it runs in
 * its metadata (process.exec): the new program
 * image would lose whatever the writer had not written.  The new program
 * is not traced (the constructor took the trace's settings out of the
 * environment).  An exec that cannot start anything (no file of that name,
 * in PATH for the search forms, that is a regular file this process may
 * execute) fails at once and leaves the trace open: the program goes on,
 * recorded.  One that fails later (E2BIG, ENOEXEC, ETXTBSY, ENOMEM), after
 * the trace was ended, returns to a program that goes on unrecorded.
 *
 * The C library's exec functions call its execve inside, not through this
 * library: each is defined here.  The list forms (execl, execlp, execle)
 * gather their arguments and call the vector forms.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "preload.h"

extern char **environ;

/* Whether path is a regular file that this process may execute. */
static int runnable(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	       faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) == 0;
}

/*
 * Whether an exec of file would start something: file itself, or with
 * search and no '/' in it, the first of PATH's directories that has it
 * (the C library's default path without PATH; an empty entry is the
 * current directory), as execvp looks.  Only the stack is used: a child
 * of vfork shares its parent's heap.
 */
static int startable(const char *file, int search)
{
	if (!file || !*file)
		return 0;
	if (!search || strchr(file, '/'))
		return runnable(file);
	const char *p = getenv("PATH");
	if (!p)
		p = "/bin:/usr/bin";
	char buf[PATH_MAX];
	for (;;) {
		const char *end = strchrnul(p, ':');
		int n = end == p ? snprintf(buf, sizeof(buf), "%s", file)
				 : snprintf(buf, sizeof(buf), "%.*s/%s",
					    (int)(end - p), p, file);
		if (n > 0 && (size_t)n < sizeof(buf) && runnable(buf))
			return 1;
		if (!*end)
			return 0;
		p = end + 1;
	}
}

int execve(const char *path, char *const argv[], char *const envp[])
{
	if (startable(path, 0))
		clab__pl_exec(path);
	return CLAB__PL_REAL(execve)(path, argv, envp);
}

int execv(const char *path, char *const argv[])
{
	if (startable(path, 0))
		clab__pl_exec(path);
	return CLAB__PL_REAL(execv)(path, argv);
}

int execvp(const char *file, char *const argv[])
{
	if (startable(file, 1))
		clab__pl_exec(file);
	return CLAB__PL_REAL(execvp)(file, argv);
}

int execvpe(const char *file, char *const argv[], char *const envp[])
{
	if (startable(file, 1))
		clab__pl_exec(file);
	return CLAB__PL_REAL(execvpe)(file, argv, envp);
}

int fexecve(int fd, char *const argv[], char *const envp[])
{
	clab__pl_exec("fexecve");
	return CLAB__PL_REAL(fexecve)(fd, argv, envp);
}

/*
 * A list form: its arguments, from arg0 to the NULL that ends them, in a
 * vector on the stack (a child of vfork must not touch the heap it shares
 * with its parent), then execv (path), execvp (search) or execve (with the
 * environment after the NULL, env).
 */
#define EXEC_MAX_ARGS 65536

static int exec_list(const char *file, const char *arg0, va_list ap, int search,
		     int env)
{
	va_list count;
	va_copy(count, ap);
	size_t n = 1;
	while (n < EXEC_MAX_ARGS && va_arg(count, char *) != NULL)
		n++;
	va_end(count);
	if (n >= EXEC_MAX_ARGS) {
		errno = E2BIG;
		return -1;
	}
	char *argv[n + 1];
	argv[0] = (char *)arg0;
	for (size_t i = 1; i <= n; i++)
		argv[i] = va_arg(ap, char *);
	char **envp = env ? va_arg(ap, char **) : environ;
	return env	? execve(file, argv, envp)
	       : search ? execvp(file, argv)
			: execv(file, argv);
}

int execl(const char *path, const char *arg0, ...)
{
	va_list ap;
	va_start(ap, arg0);
	int r = exec_list(path, arg0, ap, 0, 0);
	va_end(ap);
	return r;
}

int execlp(const char *file, const char *arg0, ...)
{
	va_list ap;
	va_start(ap, arg0);
	int r = exec_list(file, arg0, ap, 1, 0);
	va_end(ap);
	return r;
}

int execle(const char *path, const char *arg0, ...)
{
	va_list ap;
	va_start(ap, arg0);
	int r = exec_list(path, arg0, ap, 0, 1);
	va_end(ap);
	return r;
}

/*
 * Programs started by posix_spawn, system and popen are not traced (the
 * constructor took the trace's settings out of the environment): counted,
 * and the first named, for the report (process.untraced).  The C library
 * calls its own inside them, not through this library.
 */
int posix_spawn(pid_t *pid, const char *path,
		const posix_spawn_file_actions_t *fa,
		const posix_spawnattr_t *attr, char *const argv[],
		char *const envp[])
{
	clab__pl_untraced(path);
	return CLAB__PL_REAL(posix_spawn)(pid, path, fa, attr, argv, envp);
}

int posix_spawnp(pid_t *pid, const char *file,
		 const posix_spawn_file_actions_t *fa,
		 const posix_spawnattr_t *attr, char *const argv[],
		 char *const envp[])
{
	clab__pl_untraced(file);
	return CLAB__PL_REAL(posix_spawnp)(pid, file, fa, attr, argv, envp);
}

int system(const char *command)
{
	if (command) /* (NULL asks whether there is a shell) */
		clab__pl_untraced(command);
	return CLAB__PL_REAL(system)(command);
}

FILE *popen(const char *command, const char *type)
{
	clab__pl_untraced(command);
	return CLAB__PL_REAL(popen)(command, type);
}

/*
 * _exit and _Exit: the program ends without its exit handlers and
 * destructors, as a shell ends, or a forked child that is done.  The trace
 * is closed whole first, as at exit: without this, what the writer had not
 * written was lost, and the file ended with no end chunk ("cut short").
 */
void _exit(int status)
{
	clab__pl_exit_now();
	CLAB__PL_REAL(exit_now)(status);
	for (;;) /* the C library's _exit does not return */
		syscall(SYS_exit_group, status);
}

void _Exit(int status)
{
	_exit(status);
}
