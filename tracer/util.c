/* The shared helpers of clab-util.h that are not inline. */
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "clab-util.h"

int clab__grow(void **arr, uint32_t *cap, uint64_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	uint32_t n = *cap ? *cap : 16;
	while (n < need) {
		if (n > UINT32_MAX / 2)
			return -1;
		n *= 2;
	}
	void *p = realloc(*arr, (size_t)n * elem);
	if (!p)
		return -1;
	memset((char *)p + (size_t)*cap * elem, 0, (size_t)(n - *cap) * elem);
	*arr = p;
	*cap = n;
	return 0;
}

int clab__cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

int clab__cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

int clab__cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double clab__median(double *v, size_t n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), clab__cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void clab__nap(const struct timespec *d)
{
	uint64_t end = clab__mono_ns() + clab__ts_ns(d);
	for (uint64_t now = clab__mono_ns(); now < end; now = clab__mono_ns()) {
		struct timespec left = {(time_t)((end - now) / CLAB__NS_PER_S),
					(long)((end - now) % CLAB__NS_PER_S)};
		/* poll with no descriptor: a sleep the library stands not in */
		(void)ppoll(NULL, 0, &left, NULL);
	}
}
