/*
 * conclab error codes.
 *
 * Every library function returns 0 (or a non-negative count) on success and
 * a negative value from this table on failure.  Most are negated errno values
 * with a conclab-specific explanation; clab_strerror() gives the text.
 */
#ifndef CONCLAB_ERROR_H
#define CONCLAB_ERROR_H

#include <errno.h>

/* X(name, value, text) */
#define CLAB_ERRNO_MAP(X)                                                      \
	X(EPERM, -EPERM, "the calling thread does not own this object")        \
	X(EDEADLK, -EDEADLK,                                                   \
	  "would deadlock: the calling thread already holds this lock")        \
	X(ETIMEDOUT, -ETIMEDOUT, "timed out")                                  \
	X(EBUSY, -EBUSY, "busy: the object is held or has waiters")            \
	X(EAGAIN, -EAGAIN, "would block")                                      \
	X(EOVERFLOW, -EOVERFLOW,                                               \
	  "released more times than acquired (bounded semaphore)")             \
	X(EBROKEN, -EPIPE, "the barrier is broken (aborted or reset)")         \
	X(ECLOSED, -ESHUTDOWN, "the queue is closed")                          \
	X(ECANCELED, -ECANCELED, "cancelled")                                  \
	X(EINTR, -EINTR, "interrupted by a signal handler")                    \
	X(EINVAL, -EINVAL, "invalid argument")                                 \
	X(ENOMEM, -ENOMEM, "out of memory")                                    \
	X(ENOENT, -ENOENT, "no such file")                                     \
	X(EIO, -EIO, "input/output error")                                     \
	X(EBADMSG, -EBADMSG, "corrupt trace data")                             \
	X(EPROTO, -EPROTONOSUPPORT, "unsupported trace format version")        \
	X(ESRCH, -ESRCH, "no such thread")                                     \
	X(EORDER, -4000,                                                       \
	  "lock order violation: a lock was requested out of the global "      \
	  "order")

enum clab_error {
#define CLAB__ERR_ENUM(name, value, text) CLAB_##name = (value),
	CLAB_ERRNO_MAP(CLAB__ERR_ENUM)
#undef CLAB__ERR_ENUM
};

/*
 * clab_strerror - text for a value returned by a conclab function.
 *
 * Accepts any negative errno as well; unknown values fall back to
 * strerror().  Returns a static string.  Thread safe.
 */
const char *clab_strerror(int err);

#endif
