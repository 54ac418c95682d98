/*
 * 3. The inversion of scenario 1, but T2 takes its second lock (A) with a
 * timed lock (1 s): the order can only stall, not hang forever.
 */
#include "compat.h"

static void scenario(void)
{
	compat_mutex_t a, b;
	MUTEX_INIT(&a, "A");
	MUTEX_INIT(&b, "B");
	struct compat_step s[] = {{&a, &b, NULL, 0}, {&b, &a, NULL, 1}};
	compat_run_steps(s, 2);
}

COMPAT_MAIN("s03-timed")
