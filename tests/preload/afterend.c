/*
 * Threads that go on after the trace's end.  The end comes with exit (main
 * returns while other threads still run) or with an exec; one that fails
 * after the trace was ended (a file that is executable but no program:
 * ENOEXEC) returns to a program whose threads go on, unrecorded, with the
 * locks they took while it was recorded.  Here main holds m when its exec
 * fails,
 * and a worker waits for m: main's unlock must hand m to the worker, and
 * m must keep excluding.  (Before, the calls after the end went to the C
 * library, whose mutex knew nothing of the lock taken through conclab: the
 * worker waited for ever, or, with threads that lock and unlock as the
 * process ends, glibc aborted on `__owner == 0`.)
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static int inside; /* threads between lock and unlock of m */
static int broken;

static void enter(void)
{
	pthread_mutex_lock(&m);
	if (__atomic_add_fetch(&inside, 1, __ATOMIC_SEQ_CST) != 1)
		broken = 1;
}

static void leave(void)
{
	__atomic_sub_fetch(&inside, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&m);
}

static void *worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < 20000; i++) {
		enter();
		leave();
	}
	return NULL;
}

int main(void)
{
	enter();
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	usleep(20000); /* the workers wait for m, inside conclab */
	char path[] = "/tmp/conclab-afterend-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, "no program\n", 11) != 11 ||
	    fchmod(fd, 0700) != 0 || close(fd) != 0) {
		perror("afterend: the file to exec");
		return 2;
	}
	execl(path, "afterend", (char *)NULL);
	int err = errno;
	unlink(path);
	if (err != ENOEXEC) {
		printf("afterend: exec failed with %d, not ENOEXEC\n", err);
		return 2;
	}
	leave(); /* the exec failed: the trace has ended */
	for (int i = 0; i < 20000; i++) {
		enter();
		leave();
	}
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	printf("afterend: %s\n", broken ? "two threads held m at once"
					: "m held by one thread at a time");
	return broken;
}
