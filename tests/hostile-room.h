/*
 * Memory an object of any kind could live in, aligned as objects are: the
 * hostile-object tests fill it with garbage or zeros, or make an object of
 * one kind in it and hand it to another (tests/test-hostile*.c and the
 * program tests/own/hostile.c).
 */
#ifndef CLAB_TEST_HOSTILE_ROOM_H
#define CLAB_TEST_HOSTILE_ROOM_H

#include <conclab/runtime.h>

union room {
	_Alignas(64) unsigned char b[256];
	clab_mutex_t m;
	clab_cond_t c;
	clab_sem_t s;
	clab_latch_t l;
	clab_barrier_t ba;
	clab_queue_t q;
	clab_timer_t t;
	clab_ptimer_t p;
};

#endif
