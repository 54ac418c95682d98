/*
 * The trace's file against a program that closes descriptors it did not
 * open: a daemon's loop over every descriptor up to the limit, closefrom,
 * close_range, or a dup2 onto a number it wants.  Without these, the
 * program's next open took the trace's number, and the writer wrote the
 * rest of the trace into the program's own file (and the program ended
 * with "could not write the trace: Bad file descriptor", exit 5).
 *
 * The program's close of the trace's descriptor says it succeeded and
 * leaves the file open; a range is closed around it; a dup2 or dup3 onto
 * it first moves the trace's file to another descriptor.  conclab's own
 * calls (the guard set) go straight to the C library's.  A program that
 * closes descriptors with the system call itself is not seen.
 */
#include <errno.h>
#include <unistd.h>

#include "preload.h"
#include "tracer-int.h"

int close(int fd)
{
	if (!clab__pl_guard && clab__tracer_fd_kept(fd))
		return 0;
	return CLAB__PL_REAL(close)(fd);
}

/* close_range's closing of [first, last], around the trace's file. */
static int close_around(unsigned first, unsigned last, int flags)
{
	int t = clab__tracer_fd_in(first, last);
	if (t < 0)
		return CLAB__PL_REAL(close_range)(first, last, flags);
	int r = 0;
	if ((unsigned)t > first)
		r = CLAB__PL_REAL(close_range)(first, (unsigned)t - 1, flags);
	if (r == 0 && (unsigned)t < last)
		r = CLAB__PL_REAL(close_range)((unsigned)t + 1, last, flags);
	return r;
}

int close_range(unsigned first, unsigned last, int flags)
{
	/* only a range that closes; CLOSE_RANGE_CLOEXEC marks, harmlessly */
	if (clab__pl_guard || first > last || (flags & CLOSE_RANGE_CLOEXEC))
		return CLAB__PL_REAL(close_range)(first, last, flags);
	return close_around(first, last, flags);
}

void closefrom(int lowfd)
{
	if (lowfd < 0)
		lowfd = 0;
	if (close_range((unsigned)lowfd, ~0u, 0) == 0)
		return;
	/* no close_range (an old kernel): one at a time, as glibc does */
	long max = sysconf(_SC_OPEN_MAX);
	for (long fd = lowfd; fd < max; fd++)
		(void)close((int)fd);
}

/*
 * Before the program's dup2 or dup3 of oldfd onto newfd: the trace's file,
 * if newfd is it, moved to another descriptor.  0, or -1 with errno set
 * (newfd left as it was).
 */
static int free_target(int oldfd, int newfd)
{
	if (clab__pl_guard || oldfd == newfd)
		return 0;
	int err = clab__tracer_fd_move(newfd);
	if (err) {
		errno = -err;
		return -1;
	}
	return 0;
}

int dup2(int oldfd, int newfd)
{
	if (free_target(oldfd, newfd))
		return -1;
	return CLAB__PL_REAL(dup2)(oldfd, newfd);
}

int dup3(int oldfd, int newfd, int flags)
{
	if (free_target(oldfd, newfd))
		return -1;
	return CLAB__PL_REAL(dup3)(oldfd, newfd, flags);
}
