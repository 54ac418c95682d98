/*
 * thread churn, on plain pthreads: COUNT short threads (100,000), each
 * created and joined before the next starts; each hands back a number
 * that the main thread adds up.
 */
#include <pthread.h>
#include <stdint.h>

#include "whole.h"

static void *child(void *arg)
{
	return (void *)((uintptr_t)arg * 2 + 1);
}

int main(int argc, char **argv)
{
	struct whole_usage u = {argc, argv, 1, "[COUNT]"};
	long count = whole_arg(&u, 1, 100000, 1, 100000000);
	unsigned long long sum = 0;
	for (long i = 0; i < count; i++) {
		pthread_t th;
		void *ret;
		WHOLE_PT(
		    pthread_create(&th, NULL, child, (void *)(uintptr_t)i));
		WHOLE_PT(pthread_join(th, &ret));
		sum += (uintptr_t)ret;
	}
	printf("churn: %ld threads, sum %llu\n", count, sum);
	return 0;
}
