/*
 * 2. Five-philosopher cycle separated in time: thread i takes L[i] then
 * L[(i+1)%5], one thread after another.  The whole cycle is 5 locks.
 */
#include "compat.h"

static void scenario(void)
{
	static const char *names[] = {"L0", "L1", "L2", "L3", "L4"};
	compat_mutex_t l[5];
	struct compat_step s[5];
	for (int i = 0; i < 5; i++)
		MUTEX_INIT(&l[i], names[i]);
	for (int i = 0; i < 5; i++)
		s[i] = (struct compat_step){&l[i], &l[(i + 1) % 5], NULL, 0};
	compat_run_steps(s, 5);
}

COMPAT_MAIN("s02-five")
