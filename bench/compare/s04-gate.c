/*
 * 4. Gate lock: both threads take G first, then A,B and B,A.  G keeps the
 * two inside the inversion apart, so this cannot deadlock.
 */
#include "compat.h"

static void scenario(void)
{
	compat_mutex_t g, a, b;
	MUTEX_INIT(&g, "G");
	MUTEX_INIT(&a, "A");
	MUTEX_INIT(&b, "B");
	struct compat_step s[] = {{&a, &b, &g, 0}, {&b, &a, &g, 0}};
	compat_run_steps(s, 2);
}

COMPAT_MAIN("s04-gate")
