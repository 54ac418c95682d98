/*
 * main makes a thread and returns at once.  Under the controlled scheduler
 * the new thread waits for its turn, which never comes before the process
 * ends: it never starts.  "all threads ended" must not pass it (a thread
 * that never started has no start record, and a check that counted only
 * the started ones said every thread ended).  Run freely, the thread
 * starts or not, and waits forever if it does: the check fails either way.
 */
#include <pthread.h>
#include <unistd.h>

static void *idle(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

int main(void)
{
	pthread_t t;
	return pthread_create(&t, NULL, idle, NULL) == 0 ? 0 : 2;
}
