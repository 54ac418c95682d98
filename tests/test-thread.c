/* Tests of runtime/thread.c: threads, join, detach, sleep and notes. */
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <semaphore.h>
#include <time.h>
#include <unistd.h>

#include "rt.h"
#include "testutil.h"

static int retval = 42;

struct child {
	clab_thread_t *grandchild;
	uint32_t tid;
	uint32_t gc_tid;
};

static void *grandchild(void *p)
{
	(void)p;
	return NULL;
}

static void *worker(void *p)
{
	struct child *c = p;

	c->tid = clab_thread_tid(clab_thread_self());
	if (clab_thread_create(&c->grandchild, "grandchild", grandchild,
			       NULL) == 0) {
		c->gc_tid = clab_thread_tid(c->grandchild);
		clab_thread_join(c->grandchild, NULL);
	}
	return &retval;
}

static clab_thread_t *main_handle;

static void *join_main(void *p)
{
	*(int *)p = clab_thread_join(main_handle, NULL);
	return NULL;
}

/*
 * The nth diagnostic is a bad-object one for a thread handle, refused
 * for why, naming object oid (0: none), at a site in this file.
 */
static void expect_bad_thread(const struct clab_trace *tr, size_t nth,
			      unsigned why, uint32_t oid)
{
	const struct clab_record *d = tu_find(tr, CLAB_K_DIAG, nth);
	const struct clab_site_info *si;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->a8, CLAB_D_BAD_OBJECT);
	CU_ASSERT_EQUAL(d->a32 & 0xff, why);
	CU_ASSERT_EQUAL(d->a32 >> 8 & 0xff, CLAB_O_THREAD);
	CU_ASSERT_EQUAL(d->obj, oid);
	si = clab_trace_site(tr, d->site);
	CU_ASSERT_TRUE(si != NULL && strstr(si->file, "test-thread.c"));
}

static void test_create_join(void)
{
	clab_thread_t *t;
	struct child c = {NULL, UINT32_MAX, UINT32_MAX};
	const struct clab_record *cr, *st, *ex, *jn;
	const struct clab_thread_info *ti;
	struct clab_trace *tr;
	uint32_t oid, tid;
	void *ret = NULL;

	tu_begin();
	CU_ASSERT_EQUAL(clab_thread_tid(clab_thread_self()), 0);
	CU_ASSERT_STRING_EQUAL(clab_thread_name(clab_thread_self()), "main");
	CU_ASSERT_EQUAL(clab_thread_create(NULL, "x", worker, &c), CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_thread_create(&t, "x", NULL, &c), CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_thread_join(NULL, NULL), CLAB_EINVAL);
	CU_ASSERT_EQUAL_FATAL(clab_thread_create(&t, "worker", worker, &c), 0);
	oid = t->h.id;
	tid = clab_thread_tid(t);
	CU_ASSERT_STRING_EQUAL(clab_thread_name(t), "worker");
	CU_ASSERT_EQUAL(clab_thread_join(t, &ret), 0);
	CU_ASSERT_PTR_EQUAL(ret, &retval);
	CU_ASSERT_EQUAL(c.tid, tid);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	ti = clab_trace_thread(tr, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ti);
	CU_ASSERT_STRING_EQUAL(ti->name, "main");
	ti = clab_trace_thread(tr, tid);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ti);
	CU_ASSERT_STRING_EQUAL(ti->name, "worker");
	CU_ASSERT_EQUAL(ti->oid, oid);
	CU_ASSERT_EQUAL(ti->parent, 0);
	CU_ASSERT_EQUAL(clab_trace_thread_of_obj(tr, oid), tid);
	CU_ASSERT_EQUAL(clab_trace_object(tr, oid)->kind, CLAB_O_THREAD);
	ti = clab_trace_thread(tr, c.gc_tid);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ti);
	CU_ASSERT_STRING_EQUAL(ti->name, "grandchild");
	CU_ASSERT_EQUAL(ti->parent, tid);
	CU_ASSERT_EQUAL(clab_trace_nthreads(tr), 3);

	cr = tu_find_obj(tr, CLAB_K_THREAD_CREATE, oid, 0);
	st = tu_find_obj(tr, CLAB_K_THREAD_START, oid, 0);
	ex = tu_find_obj(tr, CLAB_K_THREAD_EXIT, oid, 0);
	jn = tu_find_obj(tr, CLAB_K_THREAD_JOIN, oid, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ex);
	CU_ASSERT_PTR_NOT_NULL_FATAL(jn);
	CU_ASSERT_EQUAL(cr->tid, 0);
	CU_ASSERT_EQUAL(st->tid, tid);
	CU_ASSERT_EQUAL(ex->tid, tid);
	CU_ASSERT_EQUAL(jn->tid, 0);
	CU_ASSERT_TRUE(cr->seq < st->seq && st->seq < ex->seq &&
		       ex->seq < jn->seq);
	CU_ASSERT_EQUAL(cr->oseq, 1);
	CU_ASSERT_EQUAL(st->oseq, 2);
	CU_ASSERT_EQUAL(ex->oseq, 3);
	CU_ASSERT_EQUAL(jn->oseq, 4);
	CU_ASSERT_NOT_EQUAL(cr->site, 0);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_THREAD_CREATE), 2);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_THREAD_JOIN), 2);
	/* the join of NULL: refused with a diagnostic at its site */
	CU_ASSERT_EQUAL_FATAL(tu_count(tr, CLAB_K_DIAG), 1);
	expect_bad_thread(tr, 0, CLAB_BADOBJ_NULL, 0);
	clab_trace_free(tr);
}

static void *child_of(void *p)
{
	return p;
}

/*
 * Threads started and joined one after another: the runtime keeps a
 * bounded number of their states (joined ones are used again), and the
 * trace still has every thread, named, with its start, exit and join.
 */
static void test_churn(void)
{
	enum { N = 3000 };
	struct clab_trace *tr;
	size_t kept = 0;
	tu_begin();
	for (uintptr_t i = 0; i < N; i++) {
		clab_thread_t *t;
		void *ret = NULL;
		CU_ASSERT_EQUAL_FATAL(clab_thread_create(&t,
							 i % 2 ? "odd" : "even",
							 child_of, (void *)i),
				      0);
		CU_ASSERT_EQUAL_FATAL(clab_thread_join(t, &ret), 0);
		CU_ASSERT_PTR_EQUAL(ret, (void *)i);
	}
	pthread_mutex_lock(&clab__thr_lock);
	for (struct clab__thr *t = clab__thr_all; t; t = t->next_all)
		kept++;
	pthread_mutex_unlock(&clab__thr_lock);
	/* the registry doubled at most since the last reap: not N */
	CU_ASSERT(kept <= 2 * 64 + 8);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_EQUAL(clab_trace_nthreads(tr), N + 1);
	CU_ASSERT_STRING_EQUAL(clab_trace_thread(tr, 1)->name, "even");
	CU_ASSERT_STRING_EQUAL(clab_trace_thread(tr, N)->name, "odd");
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_THREAD_START), N + 1);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_THREAD_EXIT), N);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_THREAD_JOIN), N);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_DIAG), 0);
	clab_trace_free(tr);
}

/* A detached thread hands its number back through done, then ends. */
static clab_sem_t done;
static uintptr_t handed;

/*
 * Whether every thread but main ended within ms milliseconds (main is thread
 * 0 of each test's trace, and its states of the earlier traces stay live).
 */
static int others_ended(int ms)
{
	for (int waited = 0; waited < ms; waited++) {
		int live = 0;
		pthread_mutex_lock(&clab__thr_lock);
		for (struct clab__thr *u = clab__thr_all; u; u = u->next_all)
			live += u->tid != 0 && atomic_load(&u->live);
		pthread_mutex_unlock(&clab__thr_lock);
		if (!live)
			return 1;
		usleep(1000);
	}
	return 0;
}

static void *hand_back(void *p)
{
	handed = (uintptr_t)p;
	clab_sem_release(&done);
	return NULL;
}

/*
 * A thread whose state must outlive its end record: its key's destructor
 * runs after it, waits for main, then reads the runtime's state of its
 * thread, which must still be its own.
 */
static pthread_key_t late_key;
static sem_t late_go, late_done;
static _Atomic uint32_t late_tid = UINT32_MAX, late_tid_after;

static void late_destructor(void *p)
{
	(void)p;
	sem_post(&late_done);
	while (sem_wait(&late_go) != 0)
		;
	atomic_store(&late_tid_after, clab_thread_tid(clab__tls_self));
	sem_post(&late_done);
}

static void *late(void *p)
{
	(void)p;
	atomic_store(&late_tid, clab_thread_tid(clab_thread_self()));
	pthread_setspecific(late_key, &late_key);
	return NULL;
}

static clab_mutex_t kept_m;

static void *end_holding(void *p)
{
	(void)p;
	clab_mutex_lock(&kept_m);
	clab_sem_release(&done);
	return NULL;
}

/*
 * Detached threads one after another: their states are used again once
 * they have exited, as joined ones are; not one that is still running
 * after its end record (a key's destructor), nor one that ended holding a
 * mutex (whose owner field points at it).
 */
static void test_churn_detached(void)
{
	enum { N = 3000 };
	tu_begin();
	CU_ASSERT_EQUAL_FATAL(clab_sem_init(&done, "done", 0, 0), 0);
	CU_ASSERT_EQUAL_FATAL(pthread_key_create(&late_key, late_destructor),
			      0);
	sem_init(&late_go, 0, 0);
	sem_init(&late_done, 0, 0);
	clab_thread_t *t, *lt, *ht;
	CU_ASSERT_EQUAL_FATAL(clab_thread_create(&lt, "late", late, NULL), 0);
	CU_ASSERT_EQUAL(clab_thread_detach(lt), 0);
	while (sem_wait(&late_done) != 0)
		;
	clab_mutex_init(&kept_m, "kept", CLAB_MUTEX_NORMAL);
	CU_ASSERT_EQUAL_FATAL(
	    clab_thread_create(&ht, "holder", end_holding, NULL), 0);
	CU_ASSERT_EQUAL(clab_thread_detach(ht), 0);
	CU_ASSERT_EQUAL(clab_sem_acquire(&done), 0);
	uint64_t sum = 0;
	for (uintptr_t i = 0; i < N; i++) {
		CU_ASSERT_EQUAL_FATAL(
		    clab_thread_create(&t, "d", hand_back, (void *)i), 0);
		CU_ASSERT_EQUAL_FATAL(clab_thread_detach(t), 0);
		CU_ASSERT_EQUAL_FATAL(clab_sem_acquire(&done), 0);
		sum += handed;
	}
	CU_ASSERT_EQUAL(sum, (uint64_t)N * (N - 1) / 2);
	size_t kept = 0;
	int late_kept = 0, holder_kept = 0;
	pthread_mutex_lock(&clab__thr_lock);
	for (struct clab__thr *u = clab__thr_all; u; u = u->next_all) {
		kept++;
		late_kept |= u == lt;
		holder_kept |= u == ht;
	}
	pthread_mutex_unlock(&clab__thr_lock);
	/* the registry doubled at most since the last reap: not N */
	CU_ASSERT(kept <= 2 * 64 + 8);
	CU_ASSERT_TRUE(late_kept);
	CU_ASSERT_TRUE(holder_kept);
	/* the late thread's state was its own all along */
	sem_post(&late_go);
	while (sem_wait(&late_done) != 0)
		;
	CU_ASSERT_EQUAL(atomic_load(&late_tid_after), atomic_load(&late_tid));
	/*
	 * The detached threads record their ends after they handed back (the
	 * late one after its destructor): the trace is closed once they have,
	 * or an end comes after the close (seen under ASan on a busy machine).
	 */
	CU_ASSERT_TRUE(others_ended(10000));
	struct clab_trace *tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_EQUAL(clab_trace_nthreads(tr), N + 3);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_THREAD_EXIT), N + 2);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_THREAD_DETACH), N + 2);
	clab_trace_free(tr);
	pthread_key_delete(late_key);
	sem_destroy(&late_go);
	sem_destroy(&late_done);
}

static void *wait_latch(void *p)
{
	clab_latch_wait((clab_latch_t *)p);
	return &retval;
}

static void test_join_timeout(void)
{
	clab_latch_t go;
	clab_thread_t *t;
	const struct clab_record *w, *to;
	struct clab_trace *tr;
	void *ret = NULL;
	uint32_t oid;

	tu_begin();
	CU_ASSERT_EQUAL(clab_latch_init(&go, "go"), 0);
	CU_ASSERT_EQUAL_FATAL(
	    clab_thread_create(&t, "sleeper", wait_latch, &go), 0);
	oid = t->h.id;
	CU_ASSERT_EQUAL(clab_thread_join_timeout(t, &ret, 30), CLAB_ETIMEDOUT);
	CU_ASSERT_EQUAL(clab_thread_join_timeout(t, &ret, 0), CLAB_ETIMEDOUT);
	CU_ASSERT_PTR_NULL(ret);
	CU_ASSERT_TRUE(clab_latch_set(&go) >= 0);
	CU_ASSERT_EQUAL(clab_thread_join_timeout(t, &ret, 10000), 0);
	CU_ASSERT_PTR_EQUAL(ret, &retval);
	CU_ASSERT_EQUAL(clab_latch_destroy(&go), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_THREAD_JOIN_TIMEOUT, oid), 2);
	w = tu_find_obj(tr, CLAB_K_THREAD_JOIN_WAIT, oid, 0);
	to = tu_find_obj(tr, CLAB_K_THREAD_JOIN_TIMEOUT, oid, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(to);
	CU_ASSERT_EQUAL(to->tid, 0);
	CU_ASSERT_TRUE(w->seq < to->seq);
	CU_ASSERT_TRUE(to->ns - w->ns >= 29000000u);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_THREAD_JOIN, oid), 1);
	CU_ASSERT_TRUE(to->seq <
		       tu_find_obj(tr, CLAB_K_THREAD_JOIN, oid, 0)->seq);
	clab_trace_free(tr);
}

static void *join_it(void *p)
{
	return (void *)(intptr_t)clab_thread_join((clab_thread_t *)p, NULL);
}

/*
 * While one thread sleeps in a join (in the thread's pthread_join), a
 * second join or a detach of the same thread is refused as a join of a
 * joined thread, not a second pthread_join of it; the first join returns
 * once the thread ends.
 */
static void test_join_while_joined(void)
{
	clab_latch_t go;
	clab_thread_t *t, *j;
	struct clab_trace *tr;
	void *r = (void *)1;

	tu_begin();
	CU_ASSERT_EQUAL(clab_latch_init(&go, "go"), 0);
	CU_ASSERT_EQUAL_FATAL(
	    clab_thread_create(&t, "sleeper", wait_latch, &go), 0);
	CU_ASSERT_EQUAL_FATAL(clab_thread_create(&j, "joiner", join_it, t), 0);
	/* the joiner is asleep in its join of t when it waits on t */
	while (atomic_load(&j->blocked_on) != &t->h)
		sched_yield();
	CU_ASSERT_EQUAL(clab_thread_join(t, NULL), CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_thread_detach(t), CLAB_EINVAL);
	CU_ASSERT_TRUE(clab_latch_set(&go) >= 0);
	CU_ASSERT_EQUAL(clab_thread_join(j, &r), 0);
	CU_ASSERT_PTR_NULL(r); /* the joiner's join returned 0 */
	CU_ASSERT_EQUAL(clab_latch_destroy(&go), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_EQUAL_FATAL(tu_count(tr, CLAB_K_DIAG), 2);
	expect_bad_thread(tr, 0, CLAB_BADOBJ_JOINED,
			  clab_trace_thread(tr, 1)->oid);
	expect_bad_thread(tr, 1, CLAB_BADOBJ_JOINED,
			  clab_trace_thread(tr, 1)->oid);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_THREAD_JOIN), 2);
	clab_trace_free(tr);
}

static void *join_self(void *p)
{
	*(int *)p = clab_thread_join(clab_thread_self(), NULL);
	return NULL;
}

static void test_join_self(void)
{
	clab_thread_t *t, *t2;
	const struct clab_record *d;
	struct clab_trace *tr;
	int r = 1;

	tu_begin();
	CU_ASSERT_EQUAL(clab_thread_join(clab_thread_self(), NULL),
			CLAB_EDEADLK);
	CU_ASSERT_EQUAL_FATAL(
	    clab_thread_create(&t, "narcissus", join_self, &r), 0);
	CU_ASSERT_EQUAL(clab_thread_join(t, NULL), 0);
	CU_ASSERT_EQUAL(r, CLAB_EDEADLK);
	/* a second join of a joined thread is refused */
	CU_ASSERT_EQUAL(clab_thread_join(t, NULL), CLAB_EINVAL);
	/* so are a pointer no handle has, and main, which no one created */
	CU_ASSERT_EQUAL(clab_thread_join((clab_thread_t *)(uintptr_t)8, NULL),
			CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_thread_detach((clab_thread_t *)((char *)t + 1)),
			CLAB_EINVAL);
	main_handle = clab_thread_self();
	CU_ASSERT_EQUAL_FATAL(
	    clab_thread_create(&t2, "joins-main", join_main, &r), 0);
	CU_ASSERT_EQUAL(clab_thread_join(t2, NULL), 0);
	CU_ASSERT_EQUAL(r, CLAB_EINVAL);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	CU_ASSERT_EQUAL_FATAL(tu_count(tr, CLAB_K_DIAG), 6);
	expect_bad_thread(tr, 2, CLAB_BADOBJ_JOINED,
			  clab_trace_thread(tr, 1)->oid);
	expect_bad_thread(tr, 3, CLAB_BADOBJ_POINTER, 0);
	expect_bad_thread(tr, 4, CLAB_BADOBJ_POINTER, 0);
	expect_bad_thread(tr, 5, CLAB_BADOBJ_NOT_CREATED,
			  clab_trace_thread(tr, 0)->oid);
	d = tu_find(tr, CLAB_K_DIAG, 0);
	CU_ASSERT_EQUAL(d->a8, CLAB_D_JOIN_SELF);
	CU_ASSERT_EQUAL(d->tid, 0);
	CU_ASSERT_EQUAL(d->obj, clab_trace_thread(tr, 0)->oid);
	d = tu_find(tr, CLAB_K_DIAG, 1);
	CU_ASSERT_EQUAL(d->a8, CLAB_D_JOIN_SELF);
	CU_ASSERT_EQUAL(d->tid, 1);
	CU_ASSERT_EQUAL(d->obj, clab_trace_thread(tr, 1)->oid);
	clab_trace_free(tr);
}

static int thread_ended(void *p)
{
	clab_thread_t *t = p;
	int e;

	clab__lk_lock(&t->lk);
	e = t->ended;
	clab__lk_drop(&t->lk);
	return e;
}

static void test_detach(void)
{
	clab_latch_t go;
	clab_thread_t *t;
	const struct clab_record *d, *ex;
	struct clab_trace *tr;
	uint32_t oid;

	tu_begin();
	CU_ASSERT_EQUAL(clab_latch_init(&go, "go"), 0);
	CU_ASSERT_EQUAL_FATAL(clab_thread_create(&t, "daemon", wait_latch, &go),
			      0);
	oid = t->h.id;
	CU_ASSERT_EQUAL(clab_thread_detach(t), 0);
	CU_ASSERT_EQUAL(clab_thread_detach(t), CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_thread_join(t, NULL), CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_thread_detach(NULL), CLAB_EINVAL);
	CU_ASSERT_TRUE(clab_latch_set(&go) >= 0);
	CU_ASSERT_EQUAL(tu_wait_until(thread_ended, t), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	/* each refusal is a diagnostic that names the detached thread */
	CU_ASSERT_EQUAL_FATAL(tu_count(tr, CLAB_K_DIAG), 3);
	expect_bad_thread(tr, 0, CLAB_BADOBJ_DETACHED, oid);
	expect_bad_thread(tr, 1, CLAB_BADOBJ_DETACHED, oid);
	expect_bad_thread(tr, 2, CLAB_BADOBJ_NULL, 0);

	d = tu_find_obj(tr, CLAB_K_THREAD_DETACH, oid, 0);
	ex = tu_find_obj(tr, CLAB_K_THREAD_EXIT, oid, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ex);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_THREAD_DETACH, oid), 1);
	CU_ASSERT_EQUAL(d->tid, 0);
	CU_ASSERT_TRUE(d->seq < ex->seq);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_THREAD_JOIN, oid), 0);
	clab_trace_free(tr);
}

static void *lock_and_leave(void *p)
{
	clab_mutex_lock((clab_mutex_t *)p);
	return NULL;
}

static void test_exit_holding(void)
{
	clab_mutex_t m;
	clab_thread_t *t;
	const struct clab_record *d, *ex;
	struct clab_trace *tr;
	uint32_t tid;

	tu_begin();
	CU_ASSERT_EQUAL(clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL), 0);
	CU_ASSERT_EQUAL_FATAL(
	    clab_thread_create(&t, "leaver", lock_and_leave, &m), 0);
	tid = clab_thread_tid(t);
	CU_ASSERT_EQUAL(clab_thread_join(t, NULL), 0);
	CU_ASSERT_FALSE(clab_mutex_held(&m));
	CU_ASSERT_EQUAL(clab_mutex_trylock(&m), CLAB_EBUSY);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	CU_ASSERT_EQUAL_FATAL(tu_count(tr, CLAB_K_DIAG), 1);
	d = tu_find(tr, CLAB_K_DIAG, 0);
	CU_ASSERT_EQUAL(d->a8, CLAB_D_EXIT_HOLDING);
	CU_ASSERT_EQUAL(d->obj, m.h.id);
	CU_ASSERT_EQUAL(d->tid, tid);
	/* the site is where the mutex was taken */
	CU_ASSERT_EQUAL(d->site,
			tu_find_obj(tr, CLAB_K_MUTEX_ACQUIRE, m.h.id, 0)->site);
	ex = tu_find(tr, CLAB_K_THREAD_EXIT, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ex);
	CU_ASSERT_EQUAL(ex->tid, tid);
	CU_ASSERT_TRUE(d->seq < ex->seq);
	clab_trace_free(tr);
}

/* ---- a thread ending with reader-writer locks and a permit ---- */
struct keep {
	clab_rwlock_t r, w;
	clab_sem_t lk, sig;
};

static void *keep_all(void *p)
{
	struct keep *k = p;
	clab_rwlock_rdlock(&k->r);
	clab_rwlock_wrlock(&k->w);
	clab_sem_acquire(&k->lk);
	return NULL;
}

/* Takes sig's permit, then the one main gives it: a signal, not a lock. */
static void *wait_signal(void *p)
{
	struct keep *k = p;
	clab_sem_acquire(&k->sig);
	clab_sem_acquire(&k->sig);
	return NULL;
}

static void test_exit_holding_rw_sem(void)
{
	struct keep k;
	clab_thread_t *t, *w;
	struct clab_trace *tr;

	tu_begin();
	CU_ASSERT_EQUAL(clab_rwlock_init(&k.r, "r", CLAB_RWLOCK_FAIR), 0);
	CU_ASSERT_EQUAL(clab_rwlock_init(&k.w, "w", CLAB_RWLOCK_FAIR), 0);
	CU_ASSERT_EQUAL(clab_sem_init(&k.lk, "lk", 1, 0), 0);
	CU_ASSERT_EQUAL(clab_sem_init(&k.sig, "sig", 1, 0), 0);
	CU_ASSERT_EQUAL_FATAL(clab_thread_create(&t, "keeper", keep_all, &k),
			      0);
	uint32_t tid = clab_thread_tid(t);
	CU_ASSERT_EQUAL(clab_thread_join(t, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(clab_thread_create(&w, "waiter", wait_signal, &k),
			      0);
	CU_ASSERT_EQUAL(clab_sem_release(&k.sig), 0);
	CU_ASSERT_EQUAL(clab_thread_join(w, NULL), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	/* one each for r (read), w (write) and lk (a permit); none for sig */
	CU_ASSERT_EQUAL_FATAL(tu_count_diag(tr, CLAB_D_EXIT_HOLDING), 3);
	const uint32_t obj[3] = {k.r.h.id, k.w.h.id, k.lk.h.id};
	for (unsigned i = 0; i < 3; i++) {
		const struct clab_record *d = tu_find(tr, CLAB_K_DIAG, i);
		CU_ASSERT_PTR_NOT_NULL_FATAL(d);
		CU_ASSERT_EQUAL(d->a8, CLAB_D_EXIT_HOLDING);
		CU_ASSERT_EQUAL(d->obj, obj[i]);
		CU_ASSERT_EQUAL(d->a32, i + 1);
		CU_ASSERT_EQUAL(d->tid, tid);
	}
	clab_trace_free(tr);
}

/* ---- a thread ending with more mutexes than the held list keeps ---- */
#define NHELD 300

static void *lock_many(void *p)
{
	clab_mutex_t *m = p;
	int i;

	for (i = 0; i < NHELD; i++)
		clab_mutex_lock(&m[i]);
	return NULL;
}

/* Run fn in a forked child; its exit status, or -1 (after CU_FAIL). */
static int in_child(void (*fn)(const char *path), const char *path)
{
	struct timespec ts = {0, 10000000L};
	pid_t pid, w;
	int st, i;

	fflush(NULL);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		fn(path);
		_exit(0);
	}
	for (i = 0; i < 1000; i++) {
		w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st)
					     : 128 + WTERMSIG(st);
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	CU_FAIL("the child did not end within 10 s");
	return -1;
}

static void exit_holding_many(const char *path)
{
	struct clab_tracer_opts o = {.path = path, .compress = -1};
	clab_mutex_t *m = calloc(NHELD, sizeof(*m));
	clab_thread_t *t;
	int i;

	if (m == NULL || clab_tracer_open(&o) != 0)
		_exit(10);
	for (i = 0; i < NHELD; i++)
		clab_mutex_init(&m[i], "m", CLAB_MUTEX_NORMAL);
	if (clab_thread_create(&t, "hoarder", lock_many, m) != 0)
		_exit(11);
	clab_thread_join(t, NULL);
	clab_tracer_close(NULL);
	_exit(0);
}

static void test_exit_holding_many(void)
{
	char path[] = "/tmp/conclab-test-held-XXXXXX";
	struct clab_trace *tr = NULL;
	char err[256];
	int fd, st;

	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	st = in_child(exit_holding_many, path);
	if (st != 0)
		fprintf(stderr, "\nthe child ended with status %d\n", st);
	CU_ASSERT_EQUAL(st, 0);
	if (st == 0) {
		CU_ASSERT_EQUAL(clab_trace_load(path, &tr, err, sizeof(err)),
				0);
		/* every mutex it tracks as held is reported */
		CU_ASSERT_TRUE(tu_count(tr, CLAB_K_DIAG) >= CLAB__HELD_MAX);
		CU_ASSERT_TRUE(tu_count(tr, CLAB_K_DIAG) <= NHELD);
		CU_ASSERT_EQUAL(tu_find(tr, CLAB_K_DIAG, 0)->a8,
				CLAB_D_EXIT_HOLDING);
		CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_THREAD_EXIT), 1);
		clab_trace_free(tr);
	}
	unlink(path);
}

static void test_sleep(void)
{
	const struct clab_record *b, *e;
	struct clab_trace *tr;
	uint64_t t0;

	tu_begin();
	t0 = clab__mono_ns();
	clab_sleep_ms(25);
	CU_ASSERT_TRUE(clab__mono_ns() - t0 >= 25000000u);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	b = tu_find(tr, CLAB_K_SLEEP_BEGIN, 0);
	e = tu_find(tr, CLAB_K_SLEEP_END, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(b->a32, 25);
	CU_ASSERT_EQUAL(b->tid, 0);
	CU_ASSERT_EQUAL(e->tid, 0);
	CU_ASSERT_TRUE(b->seq < e->seq);
	CU_ASSERT_TRUE(e->ns - b->ns >= 25000000u);
	CU_ASSERT_NOT_EQUAL(b->site, 0);
	clab_trace_free(tr);
}

static void test_note(void)
{
	const struct clab_record *r;
	const struct clab_site_info *si;
	struct clab_trace *tr;

	tu_begin();
	clab_note("eat", 7);
	clab_note2("produce", -5, 9);
	clab_note("big", (int64_t)1 << 40);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	CU_ASSERT_EQUAL_FATAL(tu_count(tr, CLAB_K_NOTE), 3);
	r = tu_find(tr, CLAB_K_NOTE, 0);
	si = clab_trace_site(tr, r->site);
	CU_ASSERT_PTR_NOT_NULL_FATAL(si);
	CU_ASSERT_PTR_NOT_NULL_FATAL(si->label);
	CU_ASSERT_STRING_EQUAL(si->label, "eat");
	CU_ASSERT_STRING_EQUAL(si->func, "test_note");
	CU_ASSERT_EQUAL(r->val, 7);
	CU_ASSERT_EQUAL(r->a32, 0);
	CU_ASSERT_EQUAL(r->tid, 0);
	r = tu_find(tr, CLAB_K_NOTE, 1);
	si = clab_trace_site(tr, r->site);
	CU_ASSERT_PTR_NOT_NULL_FATAL(si);
	CU_ASSERT_PTR_NOT_NULL_FATAL(si->label);
	CU_ASSERT_STRING_EQUAL(si->label, "produce");
	CU_ASSERT_EQUAL(r->val, -5);
	CU_ASSERT_EQUAL(r->a32, 9);
	r = tu_find(tr, CLAB_K_NOTE, 2);
	CU_ASSERT_EQUAL(r->val, (int64_t)1 << 40);
	clab_trace_free(tr);
}

/* A thread conclab did not make, using a conclab mutex. */
static void *plain_user(void *p)
{
	clab_mutex_t *m = p;

	clab_mutex_lock(m);
	clab_mutex_unlock(m);
	return NULL;
}

static void test_plain_pthread(void)
{
	clab_mutex_t m;
	pthread_t pt;
	const struct clab_record *st, *acq, *rel, *ex;
	const struct clab_thread_info *ti;
	struct clab_trace *tr;

	tu_begin();
	CU_ASSERT_EQUAL(clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL), 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&pt, NULL, plain_user, &m), 0);
	CU_ASSERT_EQUAL(pthread_join(pt, NULL), 0);
	CU_ASSERT_EQUAL(clab_mutex_destroy(&m), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	CU_ASSERT_EQUAL_FATAL(clab_trace_nthreads(tr), 2);
	ti = clab_trace_thread(tr, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ti);
	CU_ASSERT_PTR_NOT_NULL(ti->name);
	st = tu_find_obj(tr, CLAB_K_THREAD_START, ti->oid, 0);
	acq = tu_find_obj(tr, CLAB_K_MUTEX_ACQUIRE, m.h.id, 0);
	rel = tu_find_obj(tr, CLAB_K_MUTEX_RELEASE, m.h.id, 0);
	ex = tu_find_obj(tr, CLAB_K_THREAD_EXIT, ti->oid, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(acq);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rel);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ex);
	CU_ASSERT_EQUAL(st->tid, 1);
	CU_ASSERT_EQUAL(acq->tid, 1);
	CU_ASSERT_EQUAL(ex->tid, 1);
	CU_ASSERT_TRUE(st->seq < acq->seq && rel->seq < ex->seq);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_THREAD_CREATE, ti->oid), 0);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_DIAG), 0);
	clab_trace_free(tr);
}

static void *note_first(void *p)
{
	(void)p;
	clab_note("from-pthread", 1);
	return NULL;
}

/*
 * clab_tracer_open registers the calling thread as thread 0, "main", even
 * when another thread records first.
 */
static void test_main_is_tid0(void)
{
	pthread_t pt;
	const struct clab_record *r;
	const struct clab_site_info *si;
	struct clab_trace *tr;

	tu_begin();
	CU_ASSERT_EQUAL_FATAL(pthread_create(&pt, NULL, note_first, NULL), 0);
	CU_ASSERT_EQUAL(pthread_join(pt, NULL), 0);
	clab_note("from-main", 2);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	CU_ASSERT_STRING_EQUAL(clab_trace_thread(tr, 0)->name, "main");
	CU_ASSERT_EQUAL_FATAL(tu_count(tr, CLAB_K_NOTE), 2);
	r = tu_find(tr, CLAB_K_NOTE, 1);
	si = clab_trace_site(tr, r->site);
	CU_ASSERT_PTR_NOT_NULL_FATAL(si);
	CU_ASSERT_STRING_EQUAL(si->label, "from-main");
	CU_ASSERT_EQUAL(r->tid, 0);
	CU_ASSERT_NOT_EQUAL(tu_find(tr, CLAB_K_NOTE, 0)->tid, 0);
	clab_trace_free(tr);
}

/* Each trace of a process starts afresh: main is T0, ids from 1. */
static void test_traces_in_a_row(void)
{
	clab_mutex_t m;
	clab_thread_t *t;
	const struct clab_thread_info *ti;
	struct clab_trace *tr;
	int round;

	for (round = 0; round < 3; round++) {
		tu_begin();
		CU_ASSERT_EQUAL(clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL), 0);
		CU_ASSERT_EQUAL_FATAL(
		    clab_thread_create(&t, "w", plain_user, &m), 0);
		CU_ASSERT_EQUAL(clab_thread_tid(t), 1);
		CU_ASSERT_EQUAL(clab_thread_join(t, NULL), 0);
		CU_ASSERT_EQUAL(clab_thread_tid(clab_thread_self()), 0);
		CU_ASSERT_EQUAL(clab_mutex_destroy(&m), 0);
		tr = tu_end();
		CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

		CU_ASSERT_EQUAL(clab_trace_nthreads(tr), 2);
		CU_ASSERT_EQUAL(clab_trace_nobjects(tr), 3);
		ti = clab_trace_thread(tr, 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(ti);
		CU_ASSERT_STRING_EQUAL(ti->name, "main");
		CU_ASSERT_EQUAL(ti->oid, 1);
		CU_ASSERT_EQUAL(m.h.id, 2);
		CU_ASSERT_EQUAL(clab_trace_object(tr, 2)->kind, CLAB_O_MUTEX);
		ti = clab_trace_thread(tr, 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(ti);
		CU_ASSERT_STRING_EQUAL(ti->name, "w");
		CU_ASSERT_EQUAL(ti->oid, 3);
		CU_ASSERT_EQUAL(tu_find(tr, CLAB_K_OBJ_CREATE, 0)->obj, 2);
		CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_THREAD_EXIT), 1);
		CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_DIAG), 0);
		clab_trace_free(tr);
	}
}

/*
 * Roles declared when objects are made: the first declaration of an
 * object, and of a role and index, holds; names do not count once a trace
 * declares roles; a trace without roles is read by names.
 */
static void test_roles(void)
{
	clab_mutex_t a, b, c;
	tu_begin();
	clab_mutex_init(&a, "fork-1", 0);
	clab_mutex_init(&b, "fork-1", 0); /* the same name, no role */
	clab_mutex_init(&c, "fork-2", 0);
	CU_ASSERT_EQUAL(clab_role(&a, "fork", 1), 0);
	CU_ASSERT_EQUAL(clab_role(&b, "fork", 1), 0);  /* taken: ignored */
	CU_ASSERT_EQUAL(clab_role(&a, "spoon", 2), 0); /* a has one */
	CU_ASSERT_EQUAL(clab_role(&c, "Fork", 2), CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_role(&c, "", 2), CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_role(&c, "fork 2", 2), CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_role(&c, "a-role-name-longer-than-31-chars", 2),
			CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_thread_role(clab_thread_self(), "main", 7), 0);
	CU_ASSERT_EQUAL(clab_thread_role(NULL, "main", 7), CLAB_EINVAL);
	clab_mutex_destroy(&a);
	clab_mutex_destroy(&b);
	CU_ASSERT_EQUAL(clab_role(&b, "fork", 3), CLAB_EINVAL); /* destroyed */
	clab_mutex_destroy(&c);
	struct clab_trace *tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT(clab_trace_has_roles(tr));
	CU_ASSERT_STRING_EQUAL(clab_trace_object(tr, a.h.id)->role, "fork");
	CU_ASSERT_EQUAL(clab_trace_object(tr, a.h.id)->role_index, 1);
	CU_ASSERT_PTR_NULL(clab_trace_object(tr, b.h.id)->role);
	CU_ASSERT_EQUAL(clab_trace_role_index(tr, a.h.id, "fork", "fork-", 5),
			1);
	CU_ASSERT_EQUAL(clab_trace_role_index(tr, a.h.id, "fork", "fork-", 1),
			-1); /* not below n */
	CU_ASSERT_EQUAL(clab_trace_role_index(tr, a.h.id, "spoon", NULL, 5),
			-1);
	/* named fork-1 and fork-2, but the trace declares roles */
	CU_ASSERT_EQUAL(clab_trace_role_index(tr, b.h.id, "fork", "fork-", 5),
			-1);
	CU_ASSERT_EQUAL(clab_trace_role_index(tr, c.h.id, "fork", "fork-", 5),
			-1);
	CU_ASSERT_EQUAL(clab_trace_thread_role_index(tr, 0, "main", NULL, 8),
			7);
	clab_trace_free(tr);

	/* a trace without roles: by names, and only with a prefix */
	tu_begin();
	clab_mutex_init(&c, "fork-2", 0);
	clab_mutex_destroy(&c);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT(!clab_trace_has_roles(tr));
	CU_ASSERT_EQUAL(clab_trace_role_index(tr, c.h.id, "fork", "fork-", 5),
			2);
	CU_ASSERT_EQUAL(clab_trace_role_index(tr, c.h.id, "fork", "phil-", 5),
			-1);
	CU_ASSERT_EQUAL(clab_trace_role_index(tr, c.h.id, "fork", NULL, 5), -1);
	clab_trace_free(tr);
}

static void *rename_self(void *arg)
{
	clab_latch_t *go = arg;
	clab_thread_rename(clab_thread_self(), "worker-busy");
	clab_latch_wait(go);
	return NULL;
}

/*
 * A thread renamed after it was made, by itself and by another: the
 * runtime names it by its last name at once, and so does the trace; a
 * bad name changes nothing.
 */
static void test_rename(void)
{
	clab_thread_t *t;
	clab_latch_t go;
	char longname[CLAB_THREAD_NAME_MAX + 2];
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	tu_begin();
	clab_latch_init(&go, "go");
	CU_ASSERT_EQUAL_FATAL(
	    clab_thread_create(&t, "worker", rename_self, &go), 0);
	CU_ASSERT_EQUAL(clab_thread_rename(t, "worker-1"), 0);
	CU_ASSERT_EQUAL(clab_thread_rename(t, NULL), CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_thread_rename(t, ""), CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_thread_rename(t, longname), CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_thread_rename(NULL, "x"), CLAB_EINVAL);
	longname[CLAB_THREAD_NAME_MAX] = 0; /* the longest name allowed */
	CU_ASSERT_EQUAL(clab_thread_rename(clab_thread_self(), longname), 0);
	CU_ASSERT_STRING_EQUAL(clab_thread_name(clab_thread_self()), longname);
	CU_ASSERT_EQUAL(clab_thread_rename(clab_thread_self(), "boss"), 0);
	CU_ASSERT_EQUAL(clab_thread_rename(clab_thread_self(), "boss"), 0);
	CU_ASSERT_STRING_EQUAL(clab_thread_name(clab_thread_self()), "boss");
	clab_latch_set(&go);
	CU_ASSERT_EQUAL(clab_thread_join(t, NULL), 0);
	clab_latch_destroy(&go);
	struct clab_trace *tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_STRING_EQUAL(clab_trace_thread(tr, 0)->name, "boss");
	CU_ASSERT_STRING_EQUAL(clab_trace_thread_label(tr, 0), "boss");
	const struct clab_thread_info *ti = clab_trace_thread(tr, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ti);
	/* the two renames raced: the one written last is its name */
	CU_ASSERT(strcmp(ti->name, "worker-1") == 0 ||
		  strcmp(ti->name, "worker-busy") == 0);
	CU_ASSERT_STRING_EQUAL(clab_trace_object(tr, ti->oid)->name, ti->name);
	size_t nnames = 0;
	for (size_t i = 0; i < clab_trace_nmeta(tr); i++) {
		const char *k, *v;
		clab_trace_meta_at(tr, i, &k, &v);
		nnames += strncmp(k, "name.", 5) == 0;
	}
	/* a pass writes each thread's last name: one to four of them */
	CU_ASSERT(nnames >= 2 && nnames <= 4);
	clab_trace_free(tr);
}

static void add_tests(CU_pSuite s)
{
	/* first: fork while the process has a single thread */
	CU_add_test(s, "exit holding more mutexes than the held list",
		    test_exit_holding_many);
	CU_add_test(s, "create, start, exit, join", test_create_join);
	CU_add_test(s, "roles declared, not read off names", test_roles);
	CU_add_test(s, "threads renamed", test_rename);
	CU_add_test(s, "thousands of threads, one after another", test_churn);
	CU_add_test(s, "thousands of detached threads, one after another",
		    test_churn_detached);
	CU_add_test(s, "join with a timeout", test_join_timeout);
	CU_add_test(s, "join yourself", test_join_self);
	CU_add_test(s, "a join while another join waits",
		    test_join_while_joined);
	CU_add_test(s, "detach", test_detach);
	CU_add_test(s, "exit holding a mutex", test_exit_holding);
	CU_add_test(s, "exit holding rwlocks and a permit, not a signal",
		    test_exit_holding_rw_sem);
	CU_add_test(s, "sleep", test_sleep);
	CU_add_test(s, "notes", test_note);
	CU_add_test(s, "a thread not made by conclab", test_plain_pthread);
	CU_add_test(s, "traces in a row", test_traces_in_a_row);
	CU_add_test(s, "main is thread 0", test_main_is_tid0);
}

int main(void)
{
	return tu_main("runtime/thread", add_tests);
}
