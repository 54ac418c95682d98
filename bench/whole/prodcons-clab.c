/*
 * producer-consumer, on conclab's clab_* API: 2 producers put ITEMS
 * numbers (1,000,000) into a bounded buffer of 64 slots, guarded by a
 * mutex and two condition variables, and 2 consumers take them out and
 * add them up; the main thread puts one 0 per consumer at the end, which
 * stops it.  Records prodcons.clt.
 */
#include <conclab/runtime.h>
#include <conclab/tracer.h>

#include "whole.h"

#define CAP 64
#define PRODUCERS 2
#define CONSUMERS 2

static clab_mutex_t m;
static clab_cond_t not_full, not_empty;
static long buf[CAP];
static unsigned head, len; /* under m */

static void put(long v)
{
	WHOLE_CL(clab_mutex_lock(&m));
	while (len == CAP)
		WHOLE_CL(clab_cond_wait(&not_full, &m));
	buf[(head + len) % CAP] = v;
	len++;
	WHOLE_CL(clab_cond_signal(&not_empty));
	WHOLE_CL(clab_mutex_unlock(&m));
}

static long get(void)
{
	WHOLE_CL(clab_mutex_lock(&m));
	while (len == 0)
		WHOLE_CL(clab_cond_wait(&not_empty, &m));
	long v = buf[head];
	head = (head + 1) % CAP;
	len--;
	WHOLE_CL(clab_cond_signal(&not_full));
	WHOLE_CL(clab_mutex_unlock(&m));
	return v;
}

struct producer {
	clab_thread_t *th;
	long first, n;
};

struct consumer {
	clab_thread_t *th;
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
	struct clab_meta_kv meta[] = {{"program", "prodcons"}};
	struct clab_tracer_opts o = {
	    .path = "prodcons.clt", .meta = meta, .nmeta = 1, .compress = -1};
	WHOLE_CL(clab_tracer_open(&o));
	clab_thread_self();
	WHOLE_CL(clab_mutex_init(&m, "buffer", CLAB_MUTEX_NORMAL));
	WHOLE_CL(clab_cond_init(&not_full, "not_full"));
	WHOLE_CL(clab_cond_init(&not_empty, "not_empty"));
	for (int i = 0; i < CONSUMERS; i++)
		WHOLE_CL(
		    clab_thread_create(&c[i].th, "consumer", consume, &c[i]));
	long first = 1;
	for (int i = 0; i < PRODUCERS; i++) {
		p[i].first = first;
		p[i].n = items / PRODUCERS + (i < items % PRODUCERS);
		first += p[i].n;
		WHOLE_CL(
		    clab_thread_create(&p[i].th, "producer", produce, &p[i]));
	}
	for (int i = 0; i < PRODUCERS; i++)
		WHOLE_CL(clab_thread_join(p[i].th, NULL));
	for (int i = 0; i < CONSUMERS; i++)
		put(0);
	long got = 0;
	unsigned long long sum = 0;
	for (int i = 0; i < CONSUMERS; i++) {
		WHOLE_CL(clab_thread_join(c[i].th, NULL));
		got += c[i].got;
		sum += c[i].sum;
	}
	WHOLE_CL(clab_cond_destroy(&not_empty));
	WHOLE_CL(clab_cond_destroy(&not_full));
	WHOLE_CL(clab_mutex_destroy(&m));
	WHOLE_CL(clab_tracer_close(NULL));
	printf("prodcons: %ld items, %ld consumed, sum %llu\n", items, got,
	       sum);
	return 0;
}
