/*
 * Tests of preload/objmap.c: the program's objects by address, read without
 * a lock while other threads add to the table and grow it, and the claim
 * that lets one thread of many set up an object on its first use.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "preload.h"
#include "testutil.h"

#define KEYS 20000 /* past the first table's 4096 slots, several times */
#define THREADS 4

/* Keys are addresses the test never touches. */
static const void *key(size_t i)
{
	return (const void *)(uintptr_t)(0x10000 + i * 64);
}

static void test_find(void)
{
	static char a, b;
	CU_ASSERT_PTR_NULL(clab__pl_obj_find(&a, 0));
	struct clab__pl_obj *e = clab__pl_obj_find(&a, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_PTR_EQUAL(e->key, &a);
	CU_ASSERT_EQUAL(atomic_load(&e->state), CLAB__PL_NONE);
	CU_ASSERT_PTR_EQUAL(clab__pl_obj_find(&a, 0), e);
	CU_ASSERT_PTR_EQUAL(clab__pl_obj_find(&a, 1), e);
	CU_ASSERT_PTR_NULL(clab__pl_obj_find(&b, 0));
	struct clab__pl_obj *f = clab__pl_obj_find(&b, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_EQUAL(e, f);
}

struct adder {
	pthread_barrier_t *go;
	size_t first; /* threads start at different keys, and wrap */
	struct clab__pl_obj **got;
	int missed; /* a key added earlier that a lookup did not find */
};

static void *add_all(void *p)
{
	struct adder *a = p;
	pthread_barrier_wait(a->go);
	for (size_t n = 0; n < KEYS; n++) {
		size_t i = (a->first + n) % KEYS;
		a->got[i] = clab__pl_obj_find(key(i), 1);
		/* every key this thread added is still there, grown or not */
		size_t j = (a->first + n / 2) % KEYS;
		if (clab__pl_obj_find(key(j), 0) != a->got[j])
			a->missed++;
	}
	return NULL;
}

static void test_concurrent_growth(void)
{
	pthread_barrier_t go;
	pthread_t t[THREADS];
	struct adder a[THREADS];
	pthread_barrier_init(&go, NULL, THREADS);
	for (int k = 0; k < THREADS; k++) {
		a[k] = (struct adder){&go, (size_t)k * KEYS / THREADS,
				      calloc(KEYS, sizeof(*a[k].got)), 0};
		CU_ASSERT_PTR_NOT_NULL_FATAL(a[k].got);
		pthread_create(&t[k], NULL, add_all, &a[k]);
	}
	for (int k = 0; k < THREADS; k++)
		pthread_join(t[k], NULL);
	pthread_barrier_destroy(&go);
	size_t differ = 0, wrong = 0;
	for (size_t i = 0; i < KEYS; i++) {
		struct clab__pl_obj *e = a[0].got[i];
		wrong += !e || e->key != key(i);
		for (int k = 1; k < THREADS; k++)
			differ += a[k].got[i] != e;
		wrong += clab__pl_obj_find(key(i), 0) != e;
	}
	CU_ASSERT_EQUAL(differ, 0); /* one entry per key, whoever added it */
	CU_ASSERT_EQUAL(wrong, 0);
	for (int k = 0; k < THREADS; k++) {
		CU_ASSERT_EQUAL(a[k].missed, 0);
		free(a[k].got);
	}
}

struct claimer {
	pthread_barrier_t *go;
	struct clab__pl_obj *e;
	_Atomic int *setting; /* threads inside a set-up: never more than 1 */
	int won, seen_ready, overlap;
};

static void *claim(void *p)
{
	struct claimer *c = p;
	pthread_barrier_wait(c->go);
	if (clab__pl_obj_claim(c->e, CLAB__PL_MUTEX, NULL)) {
		c->won = 1;
		if (atomic_fetch_add(c->setting, 1) != 0)
			c->overlap = 1;
		for (volatile int i = 0; i < 100000; i++)
			; /* a set-up that takes a while */
		atomic_fetch_sub(c->setting, 1);
		clab__pl_obj_ready(c->e, CLAB__PL_MUTEX);
	} else {
		c->seen_ready = atomic_load(&c->e->state) == CLAB__PL_READY &&
				c->e->kind == CLAB__PL_MUTEX;
	}
	return NULL;
}

static void test_claim_once(void)
{
	static char obj;
	pthread_barrier_t go;
	pthread_t t[THREADS];
	struct claimer c[THREADS];
	_Atomic int setting = 0;
	struct clab__pl_obj *e = clab__pl_obj_find(&obj, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	pthread_barrier_init(&go, NULL, THREADS);
	for (int k = 0; k < THREADS; k++) {
		c[k] = (struct claimer){&go, e, &setting, 0, 0, 0};
		pthread_create(&t[k], NULL, claim, &c[k]);
	}
	int won = 0, ready = 0, overlap = 0;
	for (int k = 0; k < THREADS; k++) {
		pthread_join(t[k], NULL);
		won += c[k].won;
		ready += c[k].seen_ready;
		overlap += c[k].overlap;
	}
	pthread_barrier_destroy(&go);
	CU_ASSERT_EQUAL(won, 1);
	CU_ASSERT_EQUAL(ready, THREADS - 1); /* the others waited for it */
	CU_ASSERT_EQUAL(overlap, 0);
	/* the same kind again: nothing to set up */
	CU_ASSERT_EQUAL(clab__pl_obj_claim(e, CLAB__PL_MUTEX, NULL), 0);
	/* released (destroyed), it is set up anew */
	clab__pl_obj_release(e);
	CU_ASSERT_EQUAL(clab__pl_obj_claim(e, CLAB__PL_MUTEX, NULL), 1);
	clab__pl_obj_release(e);
}

/* Another kind at a used address: the old object is destroyed first. */
static void test_claim_replaces(void)
{
	static char obj;
	tu_begin();
	struct clab__pl_obj *e = clab__pl_obj_find(&obj, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(clab__pl_obj_claim(e, CLAB__PL_MUTEX, NULL), 1);
	CU_ASSERT_EQUAL(clab_mutex_init(&e->u.m, "m", CLAB_MUTEX_NORMAL), 0);
	uint32_t id = e->u.m.h.id;
	clab__pl_obj_ready(e, CLAB__PL_MUTEX);
	CU_ASSERT_EQUAL(clab__pl_obj_claim(e, CLAB__PL_COND, NULL), 1);
	CU_ASSERT_EQUAL(atomic_load(&e->state), CLAB__PL_BUSY);
	CU_ASSERT_EQUAL(clab_cond_init(&e->u.c, "c"), 0);
	clab__pl_obj_ready(e, CLAB__PL_COND);
	/* an explicit init replaces even an object of its kind */
	uint32_t cid = e->u.c.h.id;
	CU_ASSERT_PTR_EQUAL(clab__pl_obj_init(&obj, NULL), e);
	CU_ASSERT_EQUAL(atomic_load(&e->state), CLAB__PL_BUSY);
	clab__pl_obj_release(e);
	struct clab_trace *tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_OBJ_DESTROY, id), 1);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_OBJ_DESTROY, cid), 1);
	clab_trace_free(tr);
}

/*
 * An explicit init of a mutex that is held: a misuse recorded, and a fresh
 * entry in the table for the calls that come, while the held one stays
 * for its holder.  One not held is replaced in place, without a misuse.
 */
static void test_init_held(void)
{
	static char obj, idle;
	tu_begin();
	struct clab__pl_obj *e = clab__pl_obj_find(&obj, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(clab__pl_obj_claim(e, CLAB__PL_MUTEX, NULL), 1);
	CU_ASSERT_EQUAL(clab_mutex_init(&e->u.m, "m", CLAB_MUTEX_NORMAL), 0);
	clab__pl_obj_ready(e, CLAB__PL_MUTEX);
	uint32_t id = e->u.m.h.id;
	CU_ASSERT_EQUAL(clab_mutex_lock(&e->u.m), 0);
	struct clab__pl_obj *n = clab__pl_obj_init(&obj, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_NOT_EQUAL(n, e);
	CU_ASSERT_EQUAL(atomic_load(&n->state), CLAB__PL_BUSY);
	CU_ASSERT_PTR_EQUAL(clab__pl_obj_find(&obj, 0), n);
	/* the old one is still there, held, for its holder */
	CU_ASSERT_EQUAL(atomic_load(&e->state), CLAB__PL_READY);
	CU_ASSERT_TRUE(clab_mutex_held(&e->u.m));
	CU_ASSERT_EQUAL(clab_mutex_unlock(&e->u.m), 0);
	clab__pl_obj_release(n);

	struct clab__pl_obj *f = clab__pl_obj_find(&idle, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(clab__pl_obj_claim(f, CLAB__PL_MUTEX, NULL), 1);
	CU_ASSERT_EQUAL(clab_mutex_init(&f->u.m, "idle", CLAB_MUTEX_NORMAL), 0);
	clab__pl_obj_ready(f, CLAB__PL_MUTEX);
	CU_ASSERT_EQUAL(clab_mutex_lock(&f->u.m), 0);
	CU_ASSERT_EQUAL(clab_mutex_unlock(&f->u.m), 0);
	CU_ASSERT_PTR_EQUAL(clab__pl_obj_init(&idle, NULL), f);
	clab__pl_obj_release(f);

	struct clab_trace *tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	const struct clab_record *d = tu_find_obj(tr, CLAB_K_DIAG, id, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->a8, CLAB_D_BAD_OBJECT);
	CU_ASSERT_EQUAL(d->a32 & 0xff, CLAB_BADOBJ_INIT_TWICE);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_DIAG, 0), 1);
	clab_trace_free(tr);
}

/* Make e (found or added for its key) a READY mutex named name. */
static void make_mutex(struct clab__pl_obj *e, const char *name)
{
	CU_ASSERT_EQUAL(clab__pl_obj_claim(e, CLAB__PL_MUTEX, NULL), 1);
	CU_ASSERT_EQUAL(clab_mutex_init(&e->u.m, name, CLAB_MUTEX_NORMAL), 0);
	clab__pl_obj_ready(e, CLAB__PL_MUTEX);
}

/*
 * The thread's memo of a mutex (clab__pl_mutex_ready) gives what the table
 * gives: nothing before the mutex is made, nor once it is destroyed or
 * another kind of object took its address, nor while an init makes it
 * again, and the fresh entry, not the one it had, after an init while it
 * is held.
 */
static void test_memo_follows(void)
{
	static char obj;
	tu_begin();
	CU_ASSERT_PTR_NULL(clab__pl_mutex_ready(&obj));
	struct clab__pl_obj *e = clab__pl_obj_find(&obj, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_PTR_NULL(clab__pl_mutex_ready(&obj)); /* NONE */
	make_mutex(e, "m");
	CU_ASSERT_PTR_EQUAL(clab__pl_mutex_ready(&obj), e); /* the table */
	CU_ASSERT_PTR_EQUAL(clab__pl_memo_of(&obj)->key, &obj);
	CU_ASSERT_PTR_EQUAL(clab__pl_mutex_ready(&obj), e); /* the memo */

	/* destroyed */
	CU_ASSERT_EQUAL(clab_mutex_destroy(&e->u.m), 0);
	clab__pl_obj_release(e);
	CU_ASSERT_PTR_NULL(clab__pl_mutex_ready(&obj));

	/* a condition variable at its address */
	make_mutex(e, "m");
	CU_ASSERT_PTR_EQUAL(clab__pl_mutex_ready(&obj), e);
	CU_ASSERT_EQUAL(clab__pl_obj_claim(e, CLAB__PL_COND, NULL), 1);
	CU_ASSERT_PTR_NULL(clab__pl_mutex_ready(&obj)); /* BUSY */
	CU_ASSERT_EQUAL(clab_cond_init(&e->u.c, "c"), 0);
	clab__pl_obj_ready(e, CLAB__PL_COND);
	CU_ASSERT_PTR_NULL(clab__pl_mutex_ready(&obj));

	/* a mutex again, made again while idle: nothing while it is made */
	make_mutex(e, "m");
	CU_ASSERT_PTR_EQUAL(clab__pl_mutex_ready(&obj), e);
	CU_ASSERT_PTR_EQUAL(clab__pl_obj_init(&obj, NULL), e);
	CU_ASSERT_PTR_NULL(clab__pl_mutex_ready(&obj)); /* BUSY */
	CU_ASSERT_EQUAL(clab_mutex_init(&e->u.m, "m", CLAB_MUTEX_NORMAL), 0);
	clab__pl_obj_ready(e, CLAB__PL_MUTEX);

	/* made again while held: the fresh entry from now on */
	CU_ASSERT_PTR_EQUAL(clab__pl_mutex_ready(&obj), e);
	CU_ASSERT_EQUAL(clab_mutex_lock(&e->u.m), 0);
	struct clab__pl_obj *n = clab__pl_obj_init(&obj, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_NOT_EQUAL(n, e);
	CU_ASSERT_PTR_NULL(clab__pl_mutex_ready(&obj)); /* n is BUSY */
	CU_ASSERT_EQUAL(clab_mutex_init(&n->u.m, "m", CLAB_MUTEX_NORMAL), 0);
	clab__pl_obj_ready(n, CLAB__PL_MUTEX);
	CU_ASSERT_PTR_EQUAL(clab__pl_mutex_ready(&obj), n);
	CU_ASSERT_PTR_EQUAL(clab__pl_mutex_ready(&obj), n);
	CU_ASSERT_EQUAL(clab_mutex_unlock(&e->u.m), 0);
	clab__pl_obj_release(n);
	CU_ASSERT_PTR_NULL(clab__pl_mutex_ready(&obj));
	clab_trace_free(tu_end());
}

struct memo_peer {
	pthread_barrier_t *step;
	const void *key;
	struct clab__pl_obj *before, *after;
};

/* Looks key up, waits while main destroys it, looks again. */
static void *memo_peer(void *p)
{
	struct memo_peer *m = p;
	m->before = clab__pl_mutex_ready(m->key);
	m->before = clab__pl_mutex_ready(m->key); /* from its memo */
	pthread_barrier_wait(m->step);
	pthread_barrier_wait(m->step); /* main destroyed it */
	m->after = clab__pl_mutex_ready(m->key);
	return NULL;
}

/* A mutex destroyed by one thread is gone from every thread's memo. */
static void test_memo_other_thread(void)
{
	static char obj;
	pthread_barrier_t step;
	pthread_t t;
	tu_begin();
	struct clab__pl_obj *e = clab__pl_obj_find(&obj, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	make_mutex(e, "m");
	struct memo_peer m = {&step, &obj, NULL, NULL};
	pthread_barrier_init(&step, NULL, 2);
	pthread_create(&t, NULL, memo_peer, &m);
	pthread_barrier_wait(&step);
	CU_ASSERT_EQUAL(clab_mutex_destroy(&e->u.m), 0);
	clab__pl_obj_release(e);
	pthread_barrier_wait(&step);
	pthread_join(t, NULL);
	pthread_barrier_destroy(&step);
	CU_ASSERT_PTR_EQUAL(m.before, e);
	CU_ASSERT_PTR_NULL(m.after);
	clab_trace_free(tu_end());
}

/* Two mutexes in one slot of the memo: each lookup gives its own. */
static void test_memo_shared_slot(void)
{
	static char objs[4096];
	size_t j = 1;
	while (j < sizeof(objs) &&
	       clab__pl_memo_of(&objs[j]) != clab__pl_memo_of(&objs[0]))
		j++;
	CU_ASSERT_FATAL(j < sizeof(objs));
	tu_begin();
	struct clab__pl_obj *a = clab__pl_obj_find(&objs[0], 1),
			    *b = clab__pl_obj_find(&objs[j], 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	make_mutex(a, "a");
	make_mutex(b, "b");
	for (int i = 0; i < 3; i++) {
		CU_ASSERT_PTR_EQUAL(clab__pl_mutex_ready(&objs[0]), a);
		CU_ASSERT_PTR_EQUAL(clab__pl_mutex_ready(&objs[0]), a);
		CU_ASSERT_PTR_EQUAL(clab__pl_mutex_ready(&objs[j]), b);
	}
	clab__pl_obj_release(a);
	clab__pl_obj_release(b);
	clab_trace_free(tu_end());
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "an init of a held mutex is a misuse, with a new entry",
		    test_init_held);
	CU_add_test(s, "find and create", test_find);
	CU_add_test(s, "concurrent adds while the table grows",
		    test_concurrent_growth);
	CU_add_test(s, "one thread of many sets an object up", test_claim_once);
	CU_add_test(s, "another kind replaces the object", test_claim_replaces);
	CU_add_test(s, "a mutex's memo follows its entry", test_memo_follows);
	CU_add_test(s, "a destroy reaches other threads' memos",
		    test_memo_other_thread);
	CU_add_test(s, "two mutexes in one memo slot", test_memo_shared_slot);
}

int main(void)
{
	return tu_main("preload/objmap", add_tests);
}
