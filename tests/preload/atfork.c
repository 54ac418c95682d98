/*
 * pthread_atfork, as textbooks use it: a thread locks and unlocks a mutex
 * while main forks; a prepare handler takes the mutex, and the parent's
 * and the child's handlers give it back, so that no child starts with the
 * mutex held by a thread it does not have.  Under conclab trace the
 * handlers must lock conclab's mutex, the one the thread uses (before,
 * glibc ran them inside conclab's fork, on its own mutex: a child could
 * find the mutex held for good, a deadlock).  The handlers' order is
 * POSIX's: prepare last registered first, parent and child first first.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static long n;
static char order[64];

static void note(const char *what)
{
	if (strlen(order) + strlen(what) < sizeof(order))
		strcat(order, what);
}

static void prepare_a(void)
{
	note("pa ");
	pthread_mutex_lock(&m); /* prepare takes the lock */
}
static void parent_a(void)
{
	note("Pa ");
	pthread_mutex_unlock(&m);
}
static void child_a(void)
{
	note("Ca ");
	pthread_mutex_unlock(&m); /* the child gives it back */
}
static void prepare_b(void)
{
	note("pb ");
}
static void parent_b(void)
{
	note("Pb");
}
static void child_b(void)
{
	note("Cb");
}

static void *worker(void *arg)
{
	for (int i = 0; i < 100000; i++) {
		pthread_mutex_lock(&m);
		n++;
		pthread_mutex_unlock(&m);
	}
	return arg;
}

int main(void)
{
	pthread_atfork(prepare_a, parent_a, child_a);
	pthread_atfork(prepare_b, parent_b, child_b);
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	int bad = 0;
	for (int k = 0; k < 20; k++) {
		order[0] = 0;
		pid_t p = fork();
		if (p == 0) {
			int ok = strcmp(order, "pb pa Ca Cb") == 0;
			pthread_mutex_lock(&m); /* free: the handler gave it */
			pthread_mutex_unlock(&m);
			_exit(ok ? 0 : 3);
		}
		int st;
		if (p < 0 || waitpid(p, &st, 0) != p || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			bad++;
	}
	pthread_join(t, NULL);
	printf("atfork: count %ld, children that failed %d, order %s\n", n, bad,
	       order);
	return bad != 0;
}
