/*
 * 8. Address reuse: T1 takes A,B with B on the heap; B is destroyed and
 * freed, and a new mutex C is allocated at the same address; T2 takes
 * C,A.  There is no inversion (C is not B), but a tool that names locks
 * by address may see B -> A.
 */
#include "compat.h"

static void scenario(void)
{
	compat_mutex_t a, *b, *c, *spare[64];
	int nspare = 0;
	MUTEX_INIT(&a, "A");
	b = malloc(sizeof(*b));
	if (b == NULL)
		abort();
	MUTEX_INIT(b, "B");
	struct compat_step s1[] = {{&a, b, NULL, 0}};
	compat_run_steps(s1, 1);
	MUTEX_DESTROY(b);
	uintptr_t old = (uintptr_t)b;
	free(b);
	/* Allocate until the allocator hands the same block back. */
	for (;;) {
		c = malloc(sizeof(*c));
		if (c == NULL)
			abort();
		if ((uintptr_t)c == old || nspare == 64)
			break;
		spare[nspare++] = c;
	}
	printf("address reuse: %s after %d extra allocation(s)\n",
	       (uintptr_t)c == old ? "same address" : "NOT the same address",
	       nspare);
	fflush(stdout);
	MUTEX_INIT(c, "C");
	struct compat_step s2[] = {{c, &a, NULL, 0}};
	compat_run_steps(s2, 1);
	MUTEX_DESTROY(c);
	free(c);
	while (nspare > 0)
		free(spare[--nspare]);
}

COMPAT_MAIN("s08-reuse")
