/*
 * Memory that held a mutex made a mutex again without pthread_mutex_init:
 * a zeroed struct, an initializer assigned (what a C++ object's
 * std::mutex does in its constructor).  Each is a new mutex: the first,
 * a default one, is taken before stats; the second, recursive, after
 * stats, and twice.  Under conclab each must be an object of its own:
 * before, the second went on with the first's object, a default mutex, so
 * its second lock was a self-deadlock (reported, exit 3), and the two
 * orders with stats a lock-order cycle.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t stats = PTHREAD_MUTEX_INITIALIZER;
static struct {
	pthread_mutex_t m;
	int v;
} slot; /* one struct's memory, then another's */

int main(void)
{
	slot.m = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&slot.m); /* the first mutex */
	pthread_mutex_lock(&stats);
	slot.v++;
	pthread_mutex_unlock(&stats);
	pthread_mutex_unlock(&slot.m);
	/* the first struct is gone; its memory is the second's */
	memset(&slot, 0, sizeof(slot));
	slot.m = (pthread_mutex_t)PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
	pthread_mutex_lock(&stats);
	pthread_mutex_lock(&slot.m); /* the second mutex */
	pthread_mutex_lock(&slot.m);
	slot.v += 2;
	pthread_mutex_unlock(&slot.m);
	pthread_mutex_unlock(&slot.m);
	pthread_mutex_unlock(&stats);
	printf("reused: v %d\n", slot.v);
	return 0;
}
