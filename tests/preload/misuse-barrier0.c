/*
 * A barrier of no threads: EINVAL from the C library and conclab trace.  A
 * barrier of one thread is fine: its one waiter is the serial thread.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

int main(void)
{
	pthread_barrier_t b;
	int r = pthread_barrier_init(&b, NULL, 0); /* count 0 */
	int one = pthread_barrier_init(&b, NULL, 1) == 0 &&
		  pthread_barrier_wait(&b) == PTHREAD_BARRIER_SERIAL_THREAD;
	printf("barrier of 0: %s, of 1: %s\n", r == EINVAL ? "EINVAL" : "?",
	       one ? "serial" : "?");
	return r == EINVAL && one ? 0 : 1;
}
