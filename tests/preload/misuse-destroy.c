/*
 * Destroying a mutex that is held (EBUSY from the C library, and from
 * conclab trace), one never initialised, and one destroyed already (both
 * undefined; the C library returns what it returns, conclab records them).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

int main(void)
{
	pthread_mutex_t junk, twice;
	pthread_mutex_lock(&m);
	int held = pthread_mutex_destroy(&m); /* held */
	pthread_mutex_unlock(&m);
	memset(&junk, 0x5a, sizeof(junk));
	pthread_mutex_destroy(&junk); /* never initialised */
	pthread_mutex_init(&twice, NULL);
	pthread_mutex_lock(&twice);
	pthread_mutex_unlock(&twice);
	pthread_mutex_destroy(&twice);
	pthread_mutex_destroy(&twice); /* destroyed already */
	/* one never used since its initializer is fine to destroy */
	pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;
	int ok = pthread_mutex_destroy(&fresh);
	printf("destroy of a held mutex: %s, of a fresh one: %d\n",
	       held == EBUSY ? "EBUSY" : "?", ok);
	return held == EBUSY && ok == 0 ? 0 : 1;
}
