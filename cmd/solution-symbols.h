/*
 * What a student's shared object calls that conclab cannot see or must
 * not run: its undefined dynamic symbols, read with libelf before the
 * object is loaded (conclab exercise refuses it when there are any).
 */
#ifndef CONCLAB_SOLUTION_SYMBOLS_H
#define CONCLAB_SOLUTION_SYMBOLS_H

#include <stddef.h>

enum clab_solution_kind {
	CLAB_SOLUTION_SYNC,    /* synchronises where conclab cannot see it */
	CLAB_SOLUTION_PROCESS, /* leaves the process: fork, exec, sockets... */
};

/* One forbidden call, or one library the object needs that is unknown. */
struct clab_solution_use {
	enum clab_solution_kind kind;
	char *name;	     /* the symbol ("pthread_cond_wait") or library */
	const char *why;     /* "which conclab cannot see", ... */
	const char *instead; /* "clab_cond_wait", or NULL: no replacement */
};

/*
 * clab_solution_forbidden - the calls in the shared object at path that an
 * exercise refuses: the undefined dynamic symbols that synchronise where
 * conclab cannot see it (pthread_mutex_*, pthread_cond_*, pthread_spin_*,
 * pthread_rwlock_*, pthread_barrier_*, sem_*, C11 mtx_* and cnd_*,
 * syscall, the out-of-line __atomic_* and __sync_* of libatomic), start
 * or replace processes (fork, vfork, clone, exec*, system, popen,
 * posix_spawn*, forkpty, daemon), open sockets (socket, connect, bind),
 * or look up functions at run time (dlopen, dlsym), under these names or
 * the C library's second ones (__pthread_mutex_lock, __fork), and every
 * library it needs (DT_NEEDED) other than the C library's own, libubsan
 * and libatomic.
 * Names in allow (NULL-terminated, may be NULL) are not refused.
 * Atomic operations the compiler inlines leave no symbol and are not seen.
 *
 * On success *out is a malloc'ed array of *n uses in the object's symbol
 * order (NULL when *n is 0), to free with clab_solution_uses_free().
 * Returns 0, -ENOENT or -EACCES (cannot open), -ENOEXEC (not an ELF
 * shared object), or -ENOMEM.  Thread-safe.
 */
int clab_solution_forbidden(const char *path, const char *const *allow,
			    struct clab_solution_use **out, size_t *n);

/*
 * clab_solution_forbidden_mem - the same for the object's len bytes at
 * data (which are not kept): -ENOEXEC, -ENOMEM, or 0 and the uses.
 */
int clab_solution_forbidden_mem(const void *data, size_t len,
				const char *const *allow,
				struct clab_solution_use **out, size_t *n);

/* Free what clab_solution_forbidden() returned; accepts NULL. */
void clab_solution_uses_free(struct clab_solution_use *u, size_t n);

#endif
