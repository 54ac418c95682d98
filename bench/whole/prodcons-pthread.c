/*
 * producer-consumer, on plain pthreads: 2 producers put ITEMS numbers
 * (1,000,000) into a bounded buffer of 64 slots, guarded by a mutex and
 * two condition variables, and 2 consumers take them out and add them
 * up; the main thread puts one 0 per consumer at the end, which stops it.
 */
#include <pthread.h>

#include "whole.h"

#define CAP 64
#define PRODUCERS 2
#define CONSUMERS 2

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static long buf[CAP];
static unsigned head, len; /* under m */

static void put(long v)
{
	WHOLE_PT(pthread_mutex_lock(&m));
	while (len == CAP)
		WHOLE_PT(pthread_cond_wait(&not_full, &m));
	buf[(head + len) % CAP] = v;
	len++;
	WHOLE_PT(pthread_cond_signal(&not_empty));
	WHOLE_PT(pthread_mutex_unlock(&m));
}

static long get(void)
{
	WHOLE_PT(pthread_mutex_lock(&m));
	while (len == 0)
		WHOLE_PT(pthread_cond_wait(&not_empty, &m));
	long v = buf[head];
	head = (head + 1) % CAP;
	len--;
	WHOLE_PT(pthread_cond_signal(&not_full));
	WHOLE_PT(pthread_mutex_unlock(&m));
	return v;
}

struct producer {
	pthread_t th;
	long first, n;
};

struct consumer {
	pthread_t th;
	long got;
	unsigned long long sum;
};

static void *produce(void *arg)
{
	struct producer *p = arg;
	for (long i = 0; i < p->n; i++)
		put(p->first + i);
	return NULL;
}

static void *consume(void *arg)
{
	struct consumer *c = arg;
	for (long v; (v = get()) != 0; c->got++)
		c->sum += (unsigned long long)v;
	return NULL;
}

int main(int argc, char **argv)
{
	struct whole_usage u = {argc, argv, 1, "[ITEMS]"};
	long items = whole_arg(&u, 1, 1000000, 1, 1000000000);
	struct producer p[PRODUCERS];
	struct consumer c[CONSUMERS] = {0};
	for (int i = 0; i < CONSUMERS; i++)
		WHOLE_PT(pthread_create(&c[i].th, NULL, consume, &c[i]));
	long first = 1;
	for (int i = 0; i < PRODUCERS; i++) {
		p[i].first = first;
		p[i].n = items / PRODUCERS + (i < items % PRODUCERS);
		first += p[i].n;
		WHOLE_PT(pthread_create(&p[i].th, NULL, produce, &p[i]));
	}
	for (int i = 0; i < PRODUCERS; i++)
		WHOLE_PT(pthread_join(p[i].th, NULL));
	for (int i = 0; i < CONSUMERS; i++)
		put(0);
	long got = 0;
	unsigned long long sum = 0;
	for (int i = 0; i < CONSUMERS; i++) {
		WHOLE_PT(pthread_join(c[i].th, NULL));
		got += c[i].got;
		sum += c[i].sum;
	}
	printf("prodcons: %ld items, %ld consumed, sum %llu\n", items, got,
	       sum);
	return 0;
}
