/*
 * spawn: how `conclab bench --whole` starts a program and measures it.
 *
 *	spawn DIR OUT ERR PROGRAM [ARG...]
 *
 * Runs PROGRAM in DIR, its stdin /dev/null and its stdout and stderr
 * into the files OUT and ERR, waits for it, and prints one line:
 *
 *	ok STATUS WALL_NS USER_US SYS_US MAXRSS_KB
 *
 * (STATUS as wait4 gives it), or `exec ERRNO` if it could not be started.
 * A process's peak resident memory (ru_maxrss) counts the memory of the
 * process it was forked from, up to its exec: started by this small
 * program rather than by conclab, which holds the records of its loop
 * benchmarks, a program's figure is its own.  Exit status 0, or 2 on a
 * usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* fd, opened as path, moved to `to`; -1 on failure. */
static int open_to(const char *path, int flags, int to)
{
	int fd = open(path, flags, 0600);
	if (fd < 0)
		return -1;
	if (fd != to) {
		if (dup2(fd, to) < 0)
			return -1;
		close(fd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: spawn DIR OUT ERR PROGRAM [ARG...]\n");
		return 2;
	}
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0) {
		printf("exec %d\n", errno);
		return 0;
	}
	fflush(stdout);
	uint64_t t0 = now_ns();
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		if (chdir(argv[1]) == 0 &&
		    open_to("/dev/null", O_RDONLY, 0) == 0 &&
		    open_to(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 1) == 0 &&
		    open_to(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 2) == 0)
			execv(argv[4], argv + 4);
		int e = errno;
		(void)!write(p[1], &e, sizeof(e));
		_exit(127);
	}
	close(p[1]);
	if (pid < 0) {
		printf("exec %d\n", errno);
		return 0;
	}
	int status, e = 0;
	struct rusage ru;
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR) {
			printf("exec %d\n", errno);
			return 0;
		}
	uint64_t t = now_ns() - t0;
	if (read(p[0], &e, sizeof(e)) == (ssize_t)sizeof(e)) {
		printf("exec %d\n", e);
		return 0;
	}
	printf("ok %d %llu %lld %lld %ld\n", status, (unsigned long long)t,
	       (long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec,
	       (long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec,
	       ru.ru_maxrss);
	return 0;
}
