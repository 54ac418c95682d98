/*
 * Fork, then lock in both: main forks two children while a worker that
 * locked the same mutex still runs.  The first child locks it too, starts
 * a thread of its own and ends by exit (its exit handlers and destructors
 * run); the second runs this program again by exec ("again"), which locks
 * it as well.  Only the parent's locks belong in its trace: ROUNDS by the
 * worker and ROUNDS by main.
 *
 * The forks come once the worker has done its locking and before it ends:
 * a fork while it held the mutex would leave it locked for good in the
 * first child, whose thread would wait forever, and a fork while a thread
 * starts or ends can leave a sanitizer's thread registry locked in the
 * child (seen under ASan).
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROUNDS 50
#define CHILD_ROUNDS 70

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static long count;

static void *adder(void *arg)
{
	long n = (long)arg;
	for (long i = 0; i < n; i++) {
		pthread_mutex_lock(&m);
		count++;
		pthread_mutex_unlock(&m);
	}
	return NULL;
}

static atomic_int locked, forked;

static void *worker(void *arg)
{
	adder(arg);
	atomic_store(&locked, 1);
	while (!atomic_load(&forked))
		sched_yield();
	return NULL;
}

static int waited(pid_t pid)
{
	int st = 0;
	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) ? WEXITSTATUS(st)
							    : -1;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "again") == 0) {
		adder((void *)(long)CHILD_ROUNDS);
		printf("forkrec: exec'd child %ld\n", count);
		return count == CHILD_ROUNDS ? 0 : 1;
	}
	pthread_t t;
	pthread_create(&t, NULL, worker, (void *)(long)ROUNDS);
	while (!atomic_load(&locked))
		sched_yield();
	pid_t a = fork(); /* fork a */
	if (a == 0) {
		pthread_t u;
		pthread_create(&u, NULL, adder, (void *)(long)CHILD_ROUNDS);
		pthread_join(u, NULL);
		printf("forkrec: child locked %d times\n", CHILD_ROUNDS);
		fflush(stdout);
		exit(0);
	}
	pid_t b = fork(); /* fork b */
	if (b == 0) {
		execl("/proc/self/exe", argv[0], "again", (char *)NULL);
		_exit(127);
	}
	atomic_store(&forked, 1);
	adder((void *)(long)ROUNDS);
	pthread_join(t, NULL);
	int sa = waited(a), sb = waited(b);
	printf("forkrec: children %d %d exited %d %d\n", (int)a, (int)b, sa,
	       sb);
	printf("forkrec: parent %ld\n", count);
	return sa == 0 && sb == 0 && count == 2 * ROUNDS ? 0 : 1;
}
