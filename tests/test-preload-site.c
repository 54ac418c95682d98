/*
 * Tests of preload/site.c: the site of a call by the address it returns
 * to, made once and kept, read without a lock while other threads add
 * to the table, and kept apart from another address in the same slot.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "preload.h"
#include "testutil.h"

#define THREADS 4
#define PCS 64

/* The address this call returns to: a line of its caller. */
static __attribute__((noinline)) const void *here(void)
{
	return __builtin_return_address(0);
}

/* Another address in the first slot of pc's probe: pc + 1, 2... on. */
static uintptr_t same_slot(uintptr_t pc)
{
	uintptr_t o = pc + 1;
	while (clab__pl_site_slot(o) != clab__pl_site_slot(pc))
		o++;
	return o;
}

static void test_same_slot(void)
{
	const void *ret = here(); /* the call */
	int line = __LINE__ - 1;
	uintptr_t pc = (uintptr_t)ret, other = same_slot(pc);
	/* the other address first: it takes the slot, pc probes on */
	const struct clab_site *o = clab__pl_site((const void *)other);
	const struct clab_site *s = clab__pl_site(ret);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_PTR_NOT_EQUAL(s, o);
	CU_ASSERT_STRING_EQUAL(s->func, "test_same_slot");
	CU_ASSERT_PTR_NOT_NULL_FATAL(strstr(s->file, "test-preload-site.c"));
	CU_ASSERT_EQUAL(s->line, line);
	/* made once: the same site, again and again */
	CU_ASSERT_PTR_EQUAL(clab__pl_site(ret), s);
	CU_ASSERT_PTR_EQUAL(clab__pl_site((const void *)other), o);
	CU_ASSERT_PTR_EQUAL(clab__pl_site(ret), s);
}

/* No call returns to 0 (a free slot): the unknown site, "?". */
static void test_zero(void)
{
	const struct clab_site *s = clab__pl_site(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s->func, "?");
	CU_ASSERT_STRING_EQUAL(s->file, "?");
	const void *ret = here();
	CU_ASSERT_PTR_NOT_EQUAL(clab__pl_site(ret), s);
	CU_ASSERT_PTR_EQUAL(clab__pl_site(NULL), s);
}

struct finder {
	pthread_barrier_t *go;
	uintptr_t base;
	const struct clab_site *got[PCS];
};

static void *find_all(void *p)
{
	struct finder *f = p;
	pthread_barrier_wait(f->go);
	for (size_t i = 0; i < PCS; i++)
		f->got[i] = clab__pl_site((const void *)(f->base + i));
	return NULL;
}

/* Threads that meet the same new addresses at once get the same sites. */
static void test_concurrent(void)
{
	pthread_barrier_t go;
	pthread_t t[THREADS];
	static struct finder f[THREADS];
	uintptr_t base = (uintptr_t)here + 4096 * 16;
	pthread_barrier_init(&go, NULL, THREADS);
	for (int k = 0; k < THREADS; k++) {
		f[k].go = &go;
		f[k].base = base;
		pthread_create(&t[k], NULL, find_all, &f[k]);
	}
	for (int k = 0; k < THREADS; k++)
		pthread_join(t[k], NULL);
	pthread_barrier_destroy(&go);
	size_t differ = 0, same = 0;
	for (size_t i = 0; i < PCS; i++) {
		for (int k = 1; k < THREADS; k++)
			differ += f[k].got[i] != f[0].got[i];
		same += i && f[0].got[i] == f[0].got[i - 1];
	}
	CU_ASSERT_EQUAL(differ, 0);
	CU_ASSERT_EQUAL(same, 0); /* one site per address */
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "two addresses in one slot", test_same_slot);
	CU_add_test(s, "no call returns to 0", test_zero);
	CU_add_test(s, "threads that add the same sites", test_concurrent);
}

int main(void)
{
	return tu_main("preload/site", add_tests);
}
