/*
 * The calls that end a process or a thread, seen where a loaded student's
 * shared object makes them: its GOT entries for exit, _exit, _Exit,
 * quick_exit, abort, pthread_exit and thrd_exit are pointed at conclab's
 * own functions, which name the call and its site before anything ends.
 * Its raise, gsignal and pthread_kill send a signal that stops the run
 * (SIGINT, SIGTERM, SIGHUP) to the process, where conclab takes it: the
 * run is stopped and reported as after a Ctrl-C.
 */
#ifndef CONCLAB_SOLUTION_HOOKS_H
#define CONCLAB_SOLUTION_HOOKS_H

/* A call that would end the process or the calling thread. */
struct clab_solution_end {
	const char *call; /* "exit", "_exit", "abort", "pthread_exit", ... */
	int has_status;	  /* exit, _exit, _Exit and quick_exit take one */
	int status;
	const char *func; /* the solution's function that called it, or "?" */
	const char *file; /* its source file (base name), or "?" */
	int line;	  /* its line, or 0 without debug information */
};

/*
 * Called with the call and its site.  It may end the process itself;
 * when it returns, the original function is called.
 */
typedef void (*clab_solution_end_fn)(const struct clab_solution_end *e);

/* A call that names a file (open, fopen, rename, unlink, chdir...). */
struct clab_solution_file {
	const char *call;  /* "open", "fopen", "rename", ... */
	const char *path;  /* the path it names (or NULL) */
	const char *path2; /* rename, link, symlink: the second, or NULL */
	const char *func;  /* as in struct clab_solution_end */
	const char *file;
	int line;
};

/* Called with the call and its site; then the original is called. */
typedef void (*clab_solution_file_fn)(const struct clab_solution_file *f);

/*
 * clab_solution_on_files - make clab_solution_hook_ends() also point the
 * solution's calls that name a file (open, open64, openat, openat64,
 * creat, fopen, fopen64, freopen, opendir, unlink, remove, rename,
 * mkdir, rmdir, truncate, link, symlink, chdir) at hooks that call fn
 * first.  Raw system calls are not seen (the sandbox contains them).
 * Call it before clab_solution_hook_ends().
 */
void clab_solution_on_files(clab_solution_file_fn fn);

struct clab_site;
/*
 * Called with the site of an annotation the solution makes (its calls of
 * clab__note, which clab_note() and clab_note2() expand to, or of its
 * address); the note is recorded with the site it returns (the same, or
 * one that says it is the solution's).  A solution that calls dlsym() is
 * refused before it runs (cmd/solution-symbols.c).
 */
typedef const struct clab_site *(*clab_solution_note_fn)(
    const struct clab_site *site);

/*
 * clab_solution_on_notes - make clab_solution_hook_ends() also point the
 * solution's clab__note at a hook that record the note with the
 * site fn gives.  Call it before clab_solution_hook_ends().
 */
void clab_solution_on_notes(clab_solution_note_fn fn);

/*
 * clab_solution_hook_ends - make the shared object dl, loaded from path
 * with dlopen(RTLD_NOW), call fn before it calls one of the functions
 * above.  Its relocations are read from path with libelf and its GOT
 * entries rewritten (the RELRO pages made writable for the time it
 * takes).  A call made before this (in a constructor) is not seen.  Once
 * per process, from one thread, before the object runs.  Returns the
 * number of entries rewritten (0 when it calls none of them), or -ENOEXEC
 * (unreadable relocations), -ENOTSUP (an architecture whose relocations
 * are not known), or another negative errno.
 */
int clab_solution_hook_ends(void *dl, const char *path,
			    clab_solution_end_fn fn);

/*
 * Whether a thread of the solution stopped the run (raise(SIGINT) and its
 * like): it holds the turn under the controlled scheduler and waits, so
 * the scheduler's state may be read; reading this orders its writes first.
 */
int clab_solution_stopped(void);

#endif
