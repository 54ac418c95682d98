/*
 * runtime/park: the objects' internal lock (clab__lock_t), which every
 * primitive guards its state with: exclusion under contention, and a
 * waiter that sleeps on the word and is woken by the unlock.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "rt.h"
#include "testutil.h"

#define THREADS 4
#define ROUNDS 50000

struct shared {
	clab__lock_t lk;
	long counter; /* guarded by lk, plain on purpose (TSan checks it) */
	_Atomic int in;
};

static void *hammer(void *arg)
{
	struct shared *sh = arg;
	void *overlap = NULL;
	for (int i = 0; i < ROUNDS; i++) {
		clab__lk_lock(&sh->lk);
		/* nobody else inside */
		if (atomic_fetch_add(&sh->in, 1) != 0)
			overlap = (void *)1;
		sh->counter++;
		atomic_fetch_sub(&sh->in, 1);
		clab__lk_drop(&sh->lk);
	}
	return overlap;
}

static void test_exclusion(void)
{
	struct shared sh = {.counter = 0};
	pthread_t t[THREADS];
	clab__lk_init(&sh.lk);
	atomic_init(&sh.in, 0);
	for (int i = 0; i < THREADS; i++)
		CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL, hammer, &sh),
				      0);
	for (int i = 0; i < THREADS; i++) {
		void *r;
		pthread_join(t[i], &r);
		CU_ASSERT_PTR_NULL(r);
	}
	CU_ASSERT_EQUAL(sh.counter, (long)THREADS * ROUNDS);
	CU_ASSERT_EQUAL(atomic_load(&sh.lk.word), 0);
}

static void *taker(void *arg)
{
	struct shared *sh = arg;
	clab__lk_lock(&sh->lk);
	sh->counter = 1;
	clab__lk_drop(&sh->lk);
	return NULL;
}

/* The waiter has given up spinning: it marked the word and sleeps. */
static int word_says_waiter(void *arg)
{
	struct shared *sh = arg;
	return atomic_load(&sh->lk.word) == 2;
}

static void test_sleep_and_wake(void)
{
	struct shared sh = {.counter = 0};
	pthread_t t;
	clab__lk_init(&sh.lk);
	clab__lk_lock(&sh.lk);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, taker, &sh), 0);
	CU_ASSERT_EQUAL(tu_wait_until(word_says_waiter, &sh), 0);
	CU_ASSERT_EQUAL(sh.counter, 0); /* it waits */
	clab__lk_drop(&sh.lk);		/* wakes it */
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(sh.counter, 1);
	CU_ASSERT_EQUAL(atomic_load(&sh.lk.word), 0);
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "internal lock: exclusion under contention",
		    test_exclusion);
	CU_add_test(s, "internal lock: a waiter sleeps, the unlock wakes it",
		    test_sleep_and_wake);
}

int main(void)
{
	return tu_main("runtime/park", add_tests);
}
