/* Tests of runtime/key.c: thread-local values (pthread_key_t recorded). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rt.h"
#include "testutil.h"

#define NTHREADS 3

static _Atomic int freed; /* destructor calls */

static void count_free(void *p)
{
	atomic_fetch_add(&freed, 1);
	free(p);
}

static void test_set_get_delete(void)
{
	clab_key_t k;
	int a = 1, b = 2;
	const struct clab_record *r;
	struct clab_trace *tr;

	tu_begin();
	CU_ASSERT_EQUAL(clab_key_create(&k, "k", NULL), 0);
	CU_ASSERT_PTR_NULL(clab_key_get(&k)); /* nothing set yet */
	CU_ASSERT_EQUAL(clab_key_set(&k, &a), 0);
	CU_ASSERT_PTR_EQUAL(clab_key_get(&k), &a);
	CU_ASSERT_EQUAL(clab_key_set(&k, &b), 0);
	CU_ASSERT_PTR_EQUAL(clab_key_get(&k), &b);
	/* a value still set: the delete is refused, the key stays usable */
	CU_ASSERT_EQUAL(clab_key_delete(&k), CLAB_EBUSY);
	CU_ASSERT_PTR_EQUAL(clab_key_get(&k), &b);
	CU_ASSERT_EQUAL(clab_key_set(&k, &a), 0); /* a again: a new id */
	CU_ASSERT_EQUAL(clab_key_set(&k, NULL), 0);
	CU_ASSERT_PTR_NULL(clab_key_get(&k));
	CU_ASSERT_EQUAL(clab_key_delete(&k), 0);
	CU_ASSERT_EQUAL(clab_key_delete(NULL), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_OBJ_CREATE, k.h.id), 1);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_OBJ_DESTROY, k.h.id), 1);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_KEY_SET, k.h.id), 4);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_KEY_GET, k.h.id), 5);
	/* ids: &a 1, &b 2, &a again 3 (no thread held it between), NULL 0 */
	static const uint32_t ids[] = {1, 2, 3, 0};
	for (size_t i = 0; i < 4; i++) {
		r = tu_find_obj(tr, CLAB_K_KEY_SET, k.h.id, i);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		CU_ASSERT_EQUAL(r->a32, ids[i]);
		CU_ASSERT_EQUAL(r->a8, ids[i] != 0);
	}
	r = tu_find_obj(tr, CLAB_K_KEY_GET, k.h.id, 0);
	CU_ASSERT_EQUAL(r->a8, 0);
	r = tu_find_obj(tr, CLAB_K_KEY_GET, k.h.id, 1);
	CU_ASSERT_EQUAL(r->a8, 1);
	CU_ASSERT_EQUAL(r->a32, 1);
	CU_ASSERT_EQUAL(tu_count_diag(tr, CLAB_D_KEY_IN_USE), 1);
	r = tu_find(tr, CLAB_K_DIAG, 0);
	CU_ASSERT_EQUAL(r->a8, CLAB_D_KEY_IN_USE);
	CU_ASSERT_EQUAL(r->obj, k.h.id);
	CU_ASSERT_EQUAL(r->a32, 1); /* one thread held a value */
	clab_trace_free(tr);
}

struct targ {
	clab_key_t *k;
	void *shared; /* when not NULL: the value every thread sets */
	int own;      /* the thread saw its own value back */
};

static void *setter(void *p)
{
	struct targ *a = p;
	void *v = a->shared;

	if (v == NULL)
		v = malloc(16);
	if (v == NULL || clab_key_set(a->k, v) != 0)
		return NULL;
	a->own = clab_key_get(a->k) == v;
	return NULL;
}

/* Each thread's value is destroyed in it, when it ends, before its exit. */
static void test_destructor_at_end(void)
{
	clab_key_t k;
	clab_thread_t *t[NTHREADS];
	struct targ a[NTHREADS];
	struct clab_trace *tr;

	atomic_store(&freed, 0);
	tu_begin();
	CU_ASSERT_EQUAL(clab_key_create(&k, "k", count_free), 0);
	for (int i = 0; i < NTHREADS; i++) {
		a[i] = (struct targ){.k = &k};
		CU_ASSERT_EQUAL_FATAL(
		    clab_thread_create(&t[i], "setter", setter, &a[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++) {
		CU_ASSERT_EQUAL(clab_thread_join(t[i], NULL), 0);
		CU_ASSERT_TRUE(a[i].own);
	}
	CU_ASSERT_EQUAL(atomic_load(&freed), NTHREADS);
	/* every value was destroyed: the key can go */
	CU_ASSERT_EQUAL(clab_key_delete(&k), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_KEY_END, k.h.id), NTHREADS);
	for (size_t i = 0; i < NTHREADS; i++) {
		const struct clab_record *e, *s, *x;
		size_t j;

		e = tu_find_obj(tr, CLAB_K_KEY_END, k.h.id, i);
		CU_ASSERT_PTR_NOT_NULL_FATAL(e);
		CU_ASSERT_EQUAL(e->a8, 1); /* the destructor ran */
		/* the set of the same thread had the same value id */
		for (j = 0; (s = tu_find_obj(tr, CLAB_K_KEY_SET, k.h.id, j)) &&
			    s->tid != e->tid;
		     j++)
			;
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		CU_ASSERT_EQUAL(s->a32, e->a32);
		/* and the thread's exit came after it */
		for (j = 0; (x = tu_find(tr, CLAB_K_THREAD_EXIT, j)) &&
			    x->tid != e->tid;
		     j++)
			;
		CU_ASSERT_PTR_NOT_NULL_FATAL(x);
		CU_ASSERT_TRUE(e->seq < x->seq);
	}
	clab_trace_free(tr);
}

/* One pointer set by several threads at once keeps one id. */
static void test_shared_value_one_id(void)
{
	clab_key_t k;
	clab_thread_t *t[NTHREADS];
	struct targ a[NTHREADS];
	static int one;
	struct clab_trace *tr;

	tu_begin();
	CU_ASSERT_EQUAL(clab_key_create(&k, "k", NULL), 0);
	CU_ASSERT_EQUAL(clab_key_set(&k, &one), 0); /* main holds it too */
	for (int i = 0; i < NTHREADS; i++) {
		a[i] = (struct targ){.k = &k, .shared = &one};
		CU_ASSERT_EQUAL_FATAL(
		    clab_thread_create(&t[i], "setter", setter, &a[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++)
		CU_ASSERT_EQUAL(clab_thread_join(t[i], NULL), 0);
	CU_ASSERT_EQUAL(clab_key_set(&k, NULL), 0);
	CU_ASSERT_EQUAL(clab_key_delete(&k), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	for (size_t i = 0; i < NTHREADS + 1; i++)
		CU_ASSERT_EQUAL(tu_find_obj(tr, CLAB_K_KEY_SET, k.h.id, i)->a32,
				1);
	/* no destructor: each end says so */
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_KEY_END, k.h.id), NTHREADS);
	CU_ASSERT_EQUAL(tu_find_obj(tr, CLAB_K_KEY_END, k.h.id, 0)->a8, 0);
	clab_trace_free(tr);
}

static clab_key_t *again_key;
static _Atomic int again_runs;

/* A destructor that sets its value again: rounds, then forgotten. */
static void set_again(void *p)
{
	atomic_fetch_add(&again_runs, 1);
	clab_key_set(again_key, p);
}

static void *set_once(void *p)
{
	clab_key_set(again_key, p);
	return NULL;
}

static void test_destructor_sets_again(void)
{
	clab_key_t k;
	clab_thread_t *t;
	static int v;
	struct clab_trace *tr;

	again_key = &k;
	atomic_store(&again_runs, 0);
	tu_begin();
	CU_ASSERT_EQUAL(clab_key_create(&k, "k", set_again), 0);
	CU_ASSERT_EQUAL_FATAL(clab_thread_create(&t, "t", set_once, &v), 0);
	CU_ASSERT_EQUAL(clab_thread_join(t, NULL), 0);
	CU_ASSERT_EQUAL(atomic_load(&again_runs), 4); /* POSIX's rounds */
	/* the value left after the rounds was forgotten, not kept */
	CU_ASSERT_EQUAL(clab_key_delete(&k), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_KEY_END, k.h.id), 5);
	CU_ASSERT_EQUAL(tu_find_obj(tr, CLAB_K_KEY_END, k.h.id, 4)->a8, 0);
	clab_trace_free(tr);
}

/* Wrong uses: refused with a bad-object diagnostic, never undefined. */
static void test_misuse(void)
{
	clab_key_t k, never, other, junk;
	clab_latch_t l;
	int a = 1;
	struct clab_trace *tr;

	memset(&never, 0, sizeof(never));
	tu_begin();
	CU_ASSERT_EQUAL(clab_key_create(&k, "k", NULL), 0);
	CU_ASSERT_EQUAL(clab_key_create(&k, "twice", NULL), CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_key_set(&k, &a), 0);
	CU_ASSERT_EQUAL(clab_key_set(&k, NULL), 0);
	CU_ASSERT_EQUAL(clab_key_delete(&k), 0);
	/* deleted: set, get and a second delete are refused */
	CU_ASSERT_EQUAL(clab_key_set(&k, &a), CLAB_EINVAL);
	CU_ASSERT_PTR_NULL(clab_key_get(&k));
	CU_ASSERT_EQUAL(clab_key_delete(&k), CLAB_EINVAL);
	/* never created */
	CU_ASSERT_EQUAL(clab_key_set(&never, &a), CLAB_EINVAL);
	CU_ASSERT_PTR_NULL(clab_key_get(&never));
	/* garbage, and NULL */
	memset(&junk, 0x5a, sizeof(junk));
	CU_ASSERT_EQUAL(clab_key_set(&junk, &a), CLAB_EINVAL);
	CU_ASSERT_PTR_NULL(clab_key_get(&junk));
	CU_ASSERT_EQUAL(clab_key_delete(&junk), CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_key_set(NULL, &a), CLAB_EINVAL);
	CU_ASSERT_PTR_NULL(clab_key_get(NULL));
	CU_ASSERT_EQUAL(clab_key_create(NULL, "null", NULL), CLAB_EINVAL);
	/* a latch is not a key */
	CU_ASSERT_EQUAL(clab_latch_init(&l, "l"), 0);
	CU_ASSERT_EQUAL(clab_key_set((clab_key_t *)(void *)&l, &a),
			CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_latch_destroy(&l), 0);
	/* a key created again at the same address is a new one: the old
	 * key's value of this thread does not come back */
	CU_ASSERT_EQUAL(clab_key_create(&other, "other", NULL), 0);
	CU_ASSERT_EQUAL(clab_key_set(&other, &a), 0);
	CU_ASSERT_EQUAL(clab_key_set(&other, NULL), 0);
	CU_ASSERT_EQUAL(clab_key_delete(&other), 0);
	CU_ASSERT_EQUAL(clab_key_create(&other, "other2", NULL), 0);
	CU_ASSERT_PTR_NULL(clab_key_get(&other));
	CU_ASSERT_EQUAL(clab_key_delete(&other), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	/* twice, set/get/delete deleted, set/get never, three garbage,
	 * three NULL, the latch */
	CU_ASSERT_EQUAL(tu_count_diag(tr, CLAB_D_BAD_OBJECT), 13);
	CU_ASSERT_EQUAL(tu_count_diag(tr, CLAB_D_KEY_IN_USE), 0);
	clab_trace_free(tr);
}

/* Under the controlled scheduler: the same seed, the same records. */
static void sched_child(const char *trace, uint64_t seed)
{
	struct clab_tracer_opts t = {
	    .path = trace, .compress = -1, .virtual_time = 1};
	struct clab_watchdog_opts w = {.period_ms = 8000};
	struct clab_sched_opts o = {.mode = CLAB_SCHED_RANDOM, .seed = seed};
	clab_key_t k;
	clab_thread_t *th[NTHREADS];
	struct targ a[NTHREADS];
	char sched[CLAB_SCHED_STRING_MAX];

	if (clab_tracer_open(&t) != 0 || clab_watchdog_start(&w) != 0 ||
	    clab_sched_start(&o) != 0)
		_exit(10);
	if (clab_key_create(&k, "k", free) != 0)
		_exit(11);
	for (int i = 0; i < NTHREADS; i++) {
		a[i] = (struct targ){.k = &k};
		if (clab_thread_create(&th[i], "setter", setter, &a[i]) != 0)
			_exit(12);
	}
	for (int i = 0; i < NTHREADS; i++)
		if (clab_thread_join(th[i], NULL) != 0 || !a[i].own)
			_exit(13);
	if (clab_key_delete(&k) != 0)
		_exit(14);
	if (clab_sched_stop(sched, sizeof(sched)) < 0)
		_exit(15);
	clab_watchdog_stop();
	clab_tracer_close(NULL);
	_exit(0);
}

/* The controlled run's records: kind, thread, a8, a32 of each. */
static size_t sched_run(uint64_t seed, char *sig, size_t len)
{
	char trace[] = "/tmp/conclab-test-key-XXXXXX", err[256];
	struct clab_trace *tr = NULL;
	int fd = mkstemp(trace), st = 0;
	size_t n = 0, nend = 0;
	pid_t pid;

	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	fflush(NULL);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0)
		sched_child(trace, seed);
	waitpid(pid, &st, 0);
	CU_ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	if (clab_trace_load(trace, &tr, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < clab_trace_nrecords(tr); i++) {
			const struct clab_record *r = clab_trace_record(tr, i);
			if (r->kind == CLAB_K_KEY_END)
				nend += r->a8 == 1;
			n += (size_t)snprintf(sig + n, n < len ? len - n : 0,
					      "%u.%u.%u.%u;", r->kind, r->tid,
					      r->a8, r->a32);
		}
		clab_trace_free(tr);
	}
	unlink(trace);
	CU_ASSERT_EQUAL(nend, NTHREADS);
	return n;
}

static void test_controlled(void)
{
	static char s1[65536], s2[65536];

	sched_run(7, s1, sizeof(s1));
	sched_run(7, s2, sizeof(s2));
	CU_ASSERT_TRUE(s1[0] != 0);
	CU_ASSERT_STRING_EQUAL(s1, s2);
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "create, set, get, delete", test_set_get_delete);
	CU_add_test(s, "destructors run at thread end", test_destructor_at_end);
	CU_add_test(s, "a shared value keeps one id", test_shared_value_one_id);
	CU_add_test(s, "destructors that set again",
		    test_destructor_sets_again);
	CU_add_test(s, "misuse is refused and recorded", test_misuse);
	CU_add_test(s, "under the controlled scheduler", test_controlled);
}

int main(void)
{
	return tu_main("runtime/key", add_tests);
}
