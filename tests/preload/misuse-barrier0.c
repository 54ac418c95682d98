/* A barrier of no threads: EINVAL from the C library and conclab trace. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

int main(void)
{
	pthread_barrier_t b;
	int r = pthread_barrier_init(&b, NULL, 0); /* count 0 */
	printf("barrier of 0: %s\n", r == EINVAL ? "EINVAL" : "?");
	return r == EINVAL ? 0 : 1;
}
