/*
 * 1. Two-lock inversion separated in time: T1 takes A then B and ends,
 * then T2 takes B then A.  No deadlock happens; a detector should still
 * report the order A -> B -> A.
 */
#include "compat.h"

static void scenario(void)
{
	compat_mutex_t a, b;
	MUTEX_INIT(&a, "A");
	MUTEX_INIT(&b, "B");
	struct compat_step s[] = {{&a, &b, NULL, 0}, {&b, &a, NULL, 0}};
	compat_run_steps(s, 2);
}

COMPAT_MAIN("s01-inversion")
