/*
 * 5. Gated, then ungated: scenario 4, then a third thread takes B,A
 * without G.  Now the first and third orders can deadlock.
 */
#include "compat.h"

static void scenario(void)
{
	compat_mutex_t g, a, b;
	MUTEX_INIT(&g, "G");
	MUTEX_INIT(&a, "A");
	MUTEX_INIT(&b, "B");
	struct compat_step s[] = {
	    {&a, &b, &g, 0}, {&b, &a, &g, 0}, {&b, &a, NULL, 0}};
	compat_run_steps(s, 3);
}

COMPAT_MAIN("s05-gate-then-ungated")
