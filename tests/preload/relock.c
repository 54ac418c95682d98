/*
 * A default mutex locked again by its owner: the C library hangs, and so
 * does the program under conclab trace, where the watchdog reports it.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

int main(void)
{
	pthread_mutex_lock(&m);
	pthread_mutex_lock(&m); /* relock.c: hangs */
	puts("relocked?");
	return 0;
}
