/*
 * 10. Scenario 1 repeated 10000 times, each round in two fresh threads
 * one after the other, on the same two locks: how often is it reported?
 */
#include "compat.h"

#ifndef ROUNDS
#define ROUNDS 10000
#endif

static void scenario(void)
{
	compat_mutex_t a, b;
	MUTEX_INIT(&a, "A");
	MUTEX_INIT(&b, "B");
	struct compat_step s[] = {{&a, &b, NULL, 0}, {&b, &a, NULL, 0}};
	for (int i = 0; i < ROUNDS; i++)
		compat_run_steps(s, 2);
}

COMPAT_MAIN("s10-repeat")
