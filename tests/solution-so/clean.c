/* Calls nothing an exercise refuses; its atomic is inlined, unseen. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static atomic_int counter;

int fixture_clean(int n)
{
	char *p = malloc(16);
	int len;

	if (p == NULL)
		return -1;
	snprintf(p, 16, "%d", n);
	len = (int)strlen(p);
	free(p);
	return len + atomic_fetch_add(&counter, n);
}
