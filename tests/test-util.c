/*
 * The helpers every part shares (clab-util.h): time arithmetic, the
 * growable array, the comparisons and the median.
 */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "clab-util.h"
#include "testutil.h"

static void test_time(void)
{
	struct timespec a = {.tv_sec = 5, .tv_nsec = 999999999L};
	CU_ASSERT_EQUAL(clab__ts_ns(&a), 5999999999ull);
	struct timespec b = clab__ns_ts(5999999999ull);
	CU_ASSERT_EQUAL(b.tv_sec, 5);
	CU_ASSERT_EQUAL(b.tv_nsec, 999999999L);
	/* a carry into the seconds, and a whole second and more at once */
	clab__ts_add_ns(&b, 1);
	CU_ASSERT_EQUAL(b.tv_sec, 6);
	CU_ASSERT_EQUAL(b.tv_nsec, 0);
	clab__ts_add_ms(&b, 2500);
	CU_ASSERT_EQUAL(b.tv_sec, 8);
	CU_ASSERT_EQUAL(b.tv_nsec, 500000000L);
	clab__ts_add_ms(&b, 600);
	CU_ASSERT_EQUAL(b.tv_sec, 9);
	CU_ASSERT_EQUAL(b.tv_nsec, 100000000L);
	/* the longest wait a millisecond count can ask for */
	struct timespec c = {0, 0};
	clab__ts_add_ms(&c, UINT32_MAX);
	CU_ASSERT_EQUAL(clab__ts_ns(&c), (uint64_t)UINT32_MAX * 1000000u);

	CU_ASSERT_TRUE(clab__ts_before(&a, &b));
	CU_ASSERT_FALSE(clab__ts_before(&b, &a));
	CU_ASSERT_FALSE(clab__ts_before(&b, &b));
	struct timespec d = {.tv_sec = 9, .tv_nsec = 100000001L};
	CU_ASSERT_TRUE(clab__ts_before(&b, &d)); /* same second */
	CU_ASSERT_DOUBLE_EQUAL(clab__ts_ms_between(&a, &b), 3100.000001, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(clab__ts_ms_between(&b, &a), -3100.000001, 1e-6);

	struct timespec now, in;
	clock_gettime(CLOCK_MONOTONIC, &now);
	clab__ts_in_ms(&in, CLOCK_MONOTONIC, 1000);
	double ms = clab__ts_ms_between(&now, &in);
	CU_ASSERT(ms >= 1000 && ms < 1000 + 5000);
	uint64_t m0 = clab__mono_ns(), m1 = clab__mono_ns();
	CU_ASSERT(m1 >= m0 && m0 >= clab__ts_ns(&now));
}

static void test_grow(void)
{
	uint32_t *a = NULL, cap = 0;
	CU_ASSERT_EQUAL(clab__grow((void **)&a, &cap, 0, sizeof(*a)), 0);
	CU_ASSERT_PTR_NULL(a); /* no room asked for, none made */
	for (uint32_t i = 0; i < 1000; i++) {
		CU_ASSERT_EQUAL_FATAL(CLAB__GROW(a, i, cap), 0);
		CU_ASSERT_TRUE_FATAL(i < cap);
		CU_ASSERT_EQUAL(a[i], 0); /* new room is zero */
		a[i] = i + 1;
	}
	CU_ASSERT_EQUAL(cap, 1024);
	for (uint32_t i = 0; i < 1000; i++)
		CU_ASSERT_EQUAL(a[i], i + 1); /* kept through every move */
	/* enough room: nothing moves */
	uint32_t *was = a;
	CU_ASSERT_EQUAL(clab__grow((void **)&a, &cap, 1024, sizeof(*a)), 0);
	CU_ASSERT_PTR_EQUAL(a, was);
	/* a jump past a doubling, then a capacity past 32 bits: refused */
	CU_ASSERT_EQUAL(clab__grow((void **)&a, &cap, 5000, sizeof(*a)), 0);
	CU_ASSERT_EQUAL(cap, 8192);
	CU_ASSERT_EQUAL(a[4999], 0);
	CU_ASSERT_EQUAL(a[999], 1000);
	CU_ASSERT_EQUAL(
	    clab__grow((void **)&a, &cap, UINT32_MAX / 2 + 2, sizeof(*a)), -1);
	CU_ASSERT_EQUAL(cap, 8192); /* unchanged on failure */
	CU_ASSERT_EQUAL(CLAB__GROW(a, UINT32_MAX, cap), -1); /* no wrap to 0 */
	CU_ASSERT_EQUAL(cap, 8192);
	free(a);
}

static void test_order(void)
{
	uint32_t u[] = {3, UINT32_MAX, 0, 7};
	qsort(u, 4, sizeof(*u), clab__cmp_u32);
	CU_ASSERT(u[0] == 0 && u[1] == 3 && u[2] == 7 && u[3] == UINT32_MAX);
	uint64_t w[] = {UINT64_MAX, 1, (uint64_t)1 << 40};
	qsort(w, 3, sizeof(*w), clab__cmp_u64);
	CU_ASSERT(w[0] == 1 && w[1] == (uint64_t)1 << 40 && w[2] == UINT64_MAX);
	double v[] = {2.5, -1, 10, 3};
	CU_ASSERT_DOUBLE_EQUAL(clab__median(v, 4), 2.75, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(v[0], -1, 0); /* sorted in place */
	CU_ASSERT_DOUBLE_EQUAL(v[3], 10, 0);
	CU_ASSERT_DOUBLE_EQUAL(clab__median(v, 3), 2.5, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(clab__median(v, 0), 0, 0);
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "time: ns, add with carry, before, between", test_time);
	CU_add_test(s, "grow: doubling, zeroed, kept, 32-bit bound", test_grow);
	CU_add_test(s, "comparisons and the median", test_order);
}

int main(void)
{
	return tu_main("tracer/util", add_tests);
}
