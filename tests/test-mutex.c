/* Tests of runtime/mutex.c: plain, error-checking and recursive mutexes. */
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "rt.h"
#include "testutil.h"

static int mutex_has_waiter(void *p)
{
	clab_mutex_t *m = p;

	return atomic_load(&m->waiters) >= 1;
}

/*
 * Waiters that an unlock will see: counted, and the word at 2 (a waiter
 * counts itself before it sets 2, and an unlock between the two finds 1).
 */
static int mutex_has_set_waiter(void *p)
{
	clab_mutex_t *m = p;

	return atomic_load(&m->waiters) >= 1 && atomic_load(&m->state) == 2;
}

static int mutex_has_two_set_waiters(void *p)
{
	clab_mutex_t *m = p;

	return atomic_load(&m->waiters) >= 2 && atomic_load(&m->state) == 2;
}

/*
 * The FUTEX_WAKE calls the calling thread made on wake_word: the runtime
 * makes its futex calls through syscall() (rt.h), wrapped here.
 */
static _Thread_local unsigned wakes;
static _Atomic(void *) wake_word;
long __real_syscall(long n, ...);
long __wrap_syscall(long n, ...);
long __wrap_syscall(long n, ...)
{
	long a[6];
	va_list ap;
	va_start(ap, n);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (n == SYS_futex && (void *)a[0] == atomic_load(&wake_word) &&
	    (a[1] & FUTEX_CMD_MASK) == FUTEX_WAKE)
		wakes++;
	return __real_syscall(n, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* One operation on a mutex, run in another thread. */
enum op { OP_LOCK, OP_TRY, OP_TIMED, OP_UNLOCK, OP_LOCK_UNLOCK };

struct opa {
	clab_mutex_t *m;
	enum op op;
	uint32_t ms;
	int ret, ret2;
	uint64_t ns; /* how long the call took */
	uint32_t tid;
};

static void *do_op(void *p)
{
	struct opa *a = p;
	uint64_t t0 = clab__mono_ns();

	a->tid = clab_thread_tid(clab_thread_self());
	switch (a->op) {
	case OP_LOCK:
		a->ret = clab_mutex_lock(a->m);
		break;
	case OP_TRY:
		a->ret = clab_mutex_trylock(a->m);
		break;
	case OP_TIMED:
		a->ret = clab_mutex_timedlock(a->m, a->ms);
		break;
	case OP_UNLOCK:
		a->ret = clab_mutex_unlock(a->m);
		break;
	case OP_LOCK_UNLOCK:
		a->ret = clab_mutex_lock(a->m);
		a->ret2 = clab_mutex_unlock(a->m);
		break;
	}
	a->ns = clab__mono_ns() - t0;
	return NULL;
}

/* Run one operation in a new thread and wait for it. */
static void run_op(clab_mutex_t *m, enum op op, uint32_t ms, struct opa *a)
{
	clab_thread_t *t;

	memset(a, 0, sizeof(*a));
	a->m = m;
	a->op = op;
	a->ms = ms;
	a->ret = a->ret2 = 1;
	CU_ASSERT_EQUAL_FATAL(clab_thread_create(&t, "op", do_op, a), 0);
	CU_ASSERT_EQUAL(clab_thread_join(t, NULL), 0);
}

/* Every record about obj that has an object sequence number, in order. */
static size_t obj_records(const struct clab_trace *tr, uint32_t obj,
			  const struct clab_record **out, size_t max)
{
	size_t i, k = 0, n = clab_trace_nrecords(tr);
	const struct clab_record *r;

	for (i = 0; i < n; i++) {
		r = clab_trace_record(tr, i);
		if (r->obj == obj && r->oseq != 0 && k < max)
			out[k++] = r;
	}
	return k;
}

static void test_lock_unlock_records(void)
{
	clab_mutex_t m;
	const struct clab_record *r[16];
	struct clab_trace *tr;
	size_t n, i;

	tu_begin();
	CU_ASSERT_EQUAL(clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL), 0);
	CU_ASSERT_FALSE(clab_mutex_held(&m));
	CU_ASSERT_EQUAL(clab_mutex_lock(&m), 0);
	CU_ASSERT_TRUE(clab_mutex_held(&m));
	CU_ASSERT_EQUAL(clab_mutex_unlock(&m), 0);
	CU_ASSERT_FALSE(clab_mutex_held(&m));
	CU_ASSERT_EQUAL(clab_mutex_trylock(&m), 0);
	CU_ASSERT_EQUAL(clab_mutex_unlock(&m), 0);
	CU_ASSERT_EQUAL(clab_mutex_timedlock(&m, 10), 0);
	CU_ASSERT_EQUAL(clab_mutex_unlock(&m), 0);
	CU_ASSERT_EQUAL(clab_mutex_destroy(&m), 0);
	CU_ASSERT_EQUAL(clab_mutex_destroy(NULL), 0);
	CU_ASSERT_EQUAL(clab_mutex_init(&m, "bad", 7), CLAB_EINVAL);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	CU_ASSERT_EQUAL(clab_trace_object(tr, m.h.id)->kind, CLAB_O_MUTEX);
	CU_ASSERT_STRING_EQUAL(clab_trace_object(tr, m.h.id)->name, "m");
	/* create, 3 x (acquire, release), destroy: oseq 1..8 */
	n = obj_records(tr, m.h.id, r, 16);
	CU_ASSERT_EQUAL_FATAL(n, 8);
	for (i = 0; i < n; i++)
		CU_ASSERT_EQUAL(r[i]->oseq, i + 1);
	CU_ASSERT_EQUAL(r[0]->kind, CLAB_K_OBJ_CREATE);
	CU_ASSERT_EQUAL(r[7]->kind, CLAB_K_OBJ_DESTROY);
	for (i = 1; i < 7; i += 2) {
		CU_ASSERT_EQUAL(r[i]->kind, CLAB_K_MUTEX_ACQUIRE);
		CU_ASSERT_EQUAL(r[i]->a32, 1);
		CU_ASSERT_EQUAL(r[i + 1]->kind, CLAB_K_MUTEX_RELEASE);
		CU_ASSERT_EQUAL(r[i + 1]->a32, 0);
		CU_ASSERT_EQUAL(r[i]->tid, 0);
	}
	CU_ASSERT_EQUAL(r[1]->a8, CLAB_HOW_BLOCK);
	CU_ASSERT_EQUAL(r[3]->a8, CLAB_HOW_TRY);
	CU_ASSERT_EQUAL(r[5]->a8, CLAB_HOW_TIMED);
	/* uncontended: no request; the one diagnostic is the bad type */
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_MUTEX_REQUEST), 0);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_DIAG), 1);
	CU_ASSERT_EQUAL(tu_find(tr, CLAB_K_DIAG, 0)->a8, CLAB_D_BAD_VALUE);
	CU_ASSERT_EQUAL(tu_find(tr, CLAB_K_DIAG, 0)->a32, 7);
	clab_trace_free(tr);
}

struct locker {
	clab_mutex_t *m;
	int ret, ret2;
};

static void *locker(void *p)
{
	struct locker *l = p;

	l->ret = clab_mutex_lock(l->m);
	l->ret2 = clab_mutex_unlock(l->m);
	return NULL;
}

struct waker {
	clab_mutex_t *m;
	int ret, ret2;
	unsigned wakes; /* FUTEX_WAKE calls of its unlock */
};

static void *lock_then_count_unlock(void *p)
{
	struct waker *l = p;

	l->ret = clab_mutex_lock(l->m);
	wakes = 0;
	l->ret2 = clab_mutex_unlock(l->m);
	l->wakes = wakes;
	return NULL;
}

/*
 * An unlock wakes a sleeper only while one waits: the holder's unlock
 * wakes the one waiter; that waiter, which leaves the word at 2 (it
 * cannot know whether another came), makes no futex call when it unlocks
 * with nobody waiting.  With two waiters, the first to get the lock wakes
 * the second when it unlocks, and the second nobody.
 */
static void test_unlock_wakes(void)
{
	clab_mutex_t m;
	clab_thread_t *t[2];
	struct waker w[2] = {{&m, -1, -1, 99}, {&m, -1, -1, 99}};

	tu_begin();
	CU_ASSERT_EQUAL(clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL), 0);
	atomic_store(&wake_word, (void *)&m.state);
	CU_ASSERT_EQUAL(clab_mutex_lock(&m), 0);
	CU_ASSERT_EQUAL_FATAL(
	    clab_thread_create(&t[0], "one", lock_then_count_unlock, &w[0]), 0);
	CU_ASSERT_EQUAL(tu_wait_until(mutex_has_set_waiter, &m), 0);
	wakes = 0;
	CU_ASSERT_EQUAL(clab_mutex_unlock(&m), 0);
	CU_ASSERT_EQUAL(wakes, 1);
	CU_ASSERT_EQUAL(clab_thread_join(t[0], NULL), 0);
	CU_ASSERT_EQUAL(w[0].ret, 0);
	CU_ASSERT_EQUAL(w[0].ret2, 0);
	CU_ASSERT_EQUAL(w[0].wakes, 0);

	w[0].wakes = w[1].wakes = 99;
	CU_ASSERT_EQUAL(clab_mutex_lock(&m), 0);
	for (int i = 0; i < 2; i++)
		CU_ASSERT_EQUAL_FATAL(clab_thread_create(&t[i], "two",
							 lock_then_count_unlock,
							 &w[i]),
				      0);
	CU_ASSERT_EQUAL(tu_wait_until(mutex_has_two_set_waiters, &m), 0);
	wakes = 0;
	CU_ASSERT_EQUAL(clab_mutex_unlock(&m), 0);
	CU_ASSERT_EQUAL(wakes, 1);
	for (int i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL(clab_thread_join(t[i], NULL), 0);
		CU_ASSERT_EQUAL(w[i].ret, 0);
		CU_ASSERT_EQUAL(w[i].ret2, 0);
	}
	CU_ASSERT_EQUAL(w[0].wakes + w[1].wakes, 1);
	atomic_store(&wake_word, NULL);
	CU_ASSERT_EQUAL(clab_mutex_destroy(&m), 0);
	clab_trace_free(tu_end());
}

/* The waiter's acquire comes after the holder's release, oseq in a row. */
static void test_contended(void)
{
	clab_mutex_t m;
	clab_thread_t *t;
	struct locker l = {&m, 1, 1};
	const struct clab_record *req, *rel, *acq;
	struct clab_trace *tr;
	uint32_t ttid;

	tu_begin();
	CU_ASSERT_EQUAL(clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL), 0);
	CU_ASSERT_EQUAL(clab_mutex_lock(&m), 0);
	CU_ASSERT_EQUAL_FATAL(clab_thread_create(&t, "waiter", locker, &l), 0);
	ttid = clab_thread_tid(t);
	CU_ASSERT_EQUAL(tu_wait_until(mutex_has_waiter, &m), 0);
	CU_ASSERT_EQUAL(clab_mutex_unlock(&m), 0);
	CU_ASSERT_EQUAL(clab_thread_join(t, NULL), 0);
	CU_ASSERT_EQUAL(l.ret, 0);
	CU_ASSERT_EQUAL(l.ret2, 0);
	CU_ASSERT_EQUAL(clab_mutex_destroy(&m), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	req = tu_find_obj(tr, CLAB_K_MUTEX_REQUEST, m.h.id, 0);
	rel = tu_find_obj(tr, CLAB_K_MUTEX_RELEASE, m.h.id, 0);
	acq = tu_find_obj(tr, CLAB_K_MUTEX_ACQUIRE, m.h.id, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(req);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rel);
	CU_ASSERT_PTR_NOT_NULL_FATAL(acq);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_MUTEX_REQUEST, m.h.id), 1);
	CU_ASSERT_EQUAL(req->tid, ttid);
	CU_ASSERT_EQUAL(req->a8, CLAB_HOW_BLOCK);
	CU_ASSERT_EQUAL(rel->tid, 0);
	CU_ASSERT_EQUAL(acq->tid, ttid);
	CU_ASSERT_EQUAL(acq->a8, CLAB_HOW_BLOCK);
	CU_ASSERT_TRUE(req->seq < rel->seq);
	CU_ASSERT_TRUE(rel->seq < acq->seq);
	CU_ASSERT_EQUAL(acq->oseq, rel->oseq + 1);
	clab_trace_free(tr);
}

static void test_try_and_timed_on_held(void)
{
	clab_mutex_t m;
	struct opa a, b, c;
	const struct clab_record *r, *req;
	struct clab_trace *tr;

	tu_begin();
	CU_ASSERT_EQUAL(clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL), 0);
	CU_ASSERT_EQUAL(clab_mutex_lock(&m), 0);
	run_op(&m, OP_TRY, 0, &a);
	CU_ASSERT_EQUAL(a.ret, CLAB_EBUSY);
	run_op(&m, OP_TIMED, 40, &b);
	CU_ASSERT_EQUAL(b.ret, CLAB_ETIMEDOUT);
	CU_ASSERT_TRUE(b.ns >= 39000000u);
	/* still ours, and usable by others once released */
	CU_ASSERT_TRUE(clab_mutex_held(&m));
	CU_ASSERT_EQUAL(clab_mutex_unlock(&m), 0);
	run_op(&m, OP_TRY, 0, &c);
	CU_ASSERT_EQUAL(c.ret, 0);
	CU_ASSERT_EQUAL(clab_mutex_destroy(&m), CLAB_EBUSY);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	r = tu_find_obj(tr, CLAB_K_MUTEX_BUSY, m.h.id, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->tid, a.tid);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_MUTEX_BUSY, m.h.id), 1);
	req = tu_find_obj(tr, CLAB_K_MUTEX_REQUEST, m.h.id, 0);
	r = tu_find_obj(tr, CLAB_K_MUTEX_TIMEOUT, m.h.id, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(req);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(req->tid, b.tid);
	CU_ASSERT_EQUAL(req->a8, CLAB_HOW_TIMED);
	CU_ASSERT_EQUAL(r->tid, b.tid);
	CU_ASSERT_TRUE(req->seq < r->seq);
	CU_ASSERT_TRUE(r->ns - req->ns >= 39000000u);
	/* only main's lock and c's trylock acquired it */
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_MUTEX_ACQUIRE, m.h.id), 2);
	r = tu_find_obj(tr, CLAB_K_MUTEX_ACQUIRE, m.h.id, 1);
	CU_ASSERT_EQUAL(r->tid, c.tid);
	CU_ASSERT_EQUAL(r->a8, CLAB_HOW_TRY);
	/* c ended holding it: its destroy was refused */
	CU_ASSERT_EQUAL(tu_find(tr, CLAB_K_DIAG, 1)->a8, CLAB_D_DESTROY_HELD);
	clab_trace_free(tr);
}

static void test_recursive_depth(void)
{
	clab_mutex_t m;
	struct opa a;
	const struct clab_record *r;
	struct clab_trace *tr;
	uint32_t i;

	tu_begin();
	CU_ASSERT_EQUAL(clab_mutex_init(&m, "rm", CLAB_MUTEX_RECURSIVE), 0);
	CU_ASSERT_EQUAL(clab_mutex_lock(&m), 0);
	CU_ASSERT_EQUAL(clab_mutex_trylock(&m), 0);
	CU_ASSERT_EQUAL(clab_mutex_timedlock(&m, 10), 0);
	run_op(&m, OP_TRY, 0, &a);
	CU_ASSERT_EQUAL(a.ret, CLAB_EBUSY);
	CU_ASSERT_EQUAL(clab_mutex_unlock(&m), 0);
	CU_ASSERT_EQUAL(clab_mutex_unlock(&m), 0);
	CU_ASSERT_TRUE(clab_mutex_held(&m));
	CU_ASSERT_EQUAL(clab_mutex_unlock(&m), 0);
	CU_ASSERT_FALSE(clab_mutex_held(&m));
	CU_ASSERT_EQUAL(clab_mutex_unlock(&m), CLAB_EPERM);
	/* fully released: another thread can take it */
	run_op(&m, OP_LOCK_UNLOCK, 0, &a);
	CU_ASSERT_EQUAL(a.ret, 0);
	CU_ASSERT_EQUAL(a.ret2, 0);
	CU_ASSERT_EQUAL(clab_mutex_destroy(&m), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	CU_ASSERT_EQUAL(clab_trace_object(tr, m.h.id)->flags,
			CLAB_MUTEX_RECURSIVE);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_MUTEX_ACQUIRE, m.h.id), 4);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_MUTEX_RELEASE, m.h.id), 4);
	for (i = 0; i < 3; i++) {
		r = tu_find_obj(tr, CLAB_K_MUTEX_ACQUIRE, m.h.id, i);
		CU_ASSERT_EQUAL(r->a32, i + 1);
		r = tu_find_obj(tr, CLAB_K_MUTEX_RELEASE, m.h.id, i);
		CU_ASSERT_EQUAL(r->a32, 2 - i);
	}
	CU_ASSERT_EQUAL(tu_find_obj(tr, CLAB_K_MUTEX_ACQUIRE, m.h.id, 1)->a8,
			CLAB_HOW_TRY);
	CU_ASSERT_EQUAL(tu_find_obj(tr, CLAB_K_MUTEX_ACQUIRE, m.h.id, 2)->a8,
			CLAB_HOW_TIMED);
	r = tu_find_obj(tr, CLAB_K_MUTEX_ACQUIRE, m.h.id, 3);
	CU_ASSERT_EQUAL(r->tid, a.tid);
	CU_ASSERT_EQUAL(r->a32, 1);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_DIAG), 1);
	CU_ASSERT_EQUAL(tu_find(tr, CLAB_K_DIAG, 0)->a8,
			CLAB_D_UNLOCK_UNLOCKED);
	clab_trace_free(tr);
}

/* A second lock by the owner is refused; the mutex stays held once. */
static void relock(int type)
{
	clab_mutex_t m;
	const struct clab_record *d;
	struct clab_trace *tr;

	tu_begin();
	CU_ASSERT_EQUAL(clab_mutex_init(&m, "m", type), 0);
	CU_ASSERT_EQUAL(clab_mutex_lock(&m), 0);
	CU_ASSERT_EQUAL(clab_mutex_lock(&m), CLAB_EDEADLK);
	CU_ASSERT_EQUAL(clab_mutex_timedlock(&m, 10), CLAB_EDEADLK);
	CU_ASSERT_TRUE(clab_mutex_held(&m));
	CU_ASSERT_EQUAL(clab_mutex_unlock(&m), 0);
	CU_ASSERT_FALSE(clab_mutex_held(&m));
	CU_ASSERT_EQUAL(clab_mutex_unlock(&m), CLAB_EPERM);
	CU_ASSERT_EQUAL(clab_mutex_destroy(&m), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_MUTEX_ACQUIRE, m.h.id), 1);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_MUTEX_RELEASE, m.h.id), 1);
	CU_ASSERT_EQUAL(tu_find_obj(tr, CLAB_K_MUTEX_RELEASE, m.h.id, 0)->a32,
			0);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_DIAG), 3);
	d = tu_find(tr, CLAB_K_DIAG, 0);
	CU_ASSERT_EQUAL(d->a8, CLAB_D_RELOCK);
	CU_ASSERT_EQUAL(d->obj, m.h.id);
	CU_ASSERT_EQUAL(d->tid, 0);
	CU_ASSERT_NOT_EQUAL(d->site, 0);
	CU_ASSERT_EQUAL(tu_find(tr, CLAB_K_DIAG, 1)->a8, CLAB_D_RELOCK);
	CU_ASSERT_EQUAL(tu_find(tr, CLAB_K_DIAG, 2)->a8,
			CLAB_D_UNLOCK_UNLOCKED);
	clab_trace_free(tr);
}

static void test_relock_normal(void)
{
	relock(CLAB_MUTEX_NORMAL);
}

static void test_relock_errorcheck(void)
{
	relock(CLAB_MUTEX_ERRORCHECK);
}

static void test_unlock_misuse(void)
{
	clab_mutex_t m;
	struct opa a;
	const struct clab_record *d;
	struct clab_trace *tr;

	tu_begin();
	CU_ASSERT_EQUAL(clab_mutex_init(&m, "m", CLAB_MUTEX_ERRORCHECK), 0);
	/* unlock of an unlocked mutex */
	CU_ASSERT_EQUAL(clab_mutex_unlock(&m), CLAB_EPERM);
	/* unlock by a thread that does not hold it */
	CU_ASSERT_EQUAL(clab_mutex_lock(&m), 0);
	run_op(&m, OP_UNLOCK, 0, &a);
	CU_ASSERT_EQUAL(a.ret, CLAB_EPERM);
	CU_ASSERT_TRUE(clab_mutex_held(&m));
	/* destroy while held, by the owner */
	CU_ASSERT_EQUAL(clab_mutex_destroy(&m), CLAB_EBUSY);
	CU_ASSERT_TRUE(clab_mutex_held(&m));
	CU_ASSERT_EQUAL(clab_mutex_unlock(&m), 0);
	CU_ASSERT_EQUAL(clab_mutex_destroy(&m), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	CU_ASSERT_EQUAL_FATAL(tu_count(tr, CLAB_K_DIAG), 3);
	d = tu_find(tr, CLAB_K_DIAG, 0);
	CU_ASSERT_EQUAL(d->a8, CLAB_D_UNLOCK_UNLOCKED);
	CU_ASSERT_EQUAL(d->obj, m.h.id);
	CU_ASSERT_EQUAL(d->tid, 0);
	d = tu_find(tr, CLAB_K_DIAG, 1);
	CU_ASSERT_EQUAL(d->a8, CLAB_D_UNLOCK_NOT_OWNER);
	CU_ASSERT_EQUAL(d->obj, m.h.id);
	CU_ASSERT_EQUAL(d->tid, a.tid);
	CU_ASSERT_EQUAL(d->a32, 0); /* the owner: main */
	d = tu_find(tr, CLAB_K_DIAG, 2);
	CU_ASSERT_EQUAL(d->a8, CLAB_D_DESTROY_HELD);
	CU_ASSERT_EQUAL(d->obj, m.h.id);
	/* refused calls record no release and no destroy */
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_MUTEX_RELEASE, m.h.id), 1);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_OBJ_DESTROY, m.h.id), 1);
	CU_ASSERT_TRUE(tu_find_obj(tr, CLAB_K_MUTEX_RELEASE, m.h.id, 0)->seq <
		       tu_find_obj(tr, CLAB_K_OBJ_DESTROY, m.h.id, 0)->seq);
	clab_trace_free(tr);
}

static void test_lock_ordered(void)
{
	clab_mutex_t f1, f2;
	const struct clab_record *d;
	struct clab_trace *tr;

	tu_begin();
	CU_ASSERT_EQUAL(clab_mutex_init(&f1, "fork-1", CLAB_MUTEX_NORMAL), 0);
	CU_ASSERT_EQUAL(clab_mutex_init(&f2, "fork-2", CLAB_MUTEX_NORMAL), 0);
	CU_ASSERT_TRUE(f1.h.id < f2.h.id);
	/* out of order: refused, f1 not taken */
	CU_ASSERT_EQUAL(clab_mutex_lock_ordered(&f2), 0);
	CU_ASSERT_EQUAL(clab_mutex_lock_ordered(&f1), CLAB_EORDER);
	CU_ASSERT_FALSE(clab_mutex_held(&f1));
	CU_ASSERT_TRUE(clab_mutex_held(&f2));
	CU_ASSERT_EQUAL(clab_mutex_trylock(&f1), 0);
	CU_ASSERT_EQUAL(clab_mutex_unlock(&f1), 0);
	CU_ASSERT_EQUAL(clab_mutex_unlock(&f2), 0);
	/* in order */
	CU_ASSERT_EQUAL(clab_mutex_lock_ordered(&f1), 0);
	CU_ASSERT_EQUAL(clab_mutex_lock_ordered(&f2), 0);
	CU_ASSERT_TRUE(clab_mutex_held(&f1) && clab_mutex_held(&f2));
	CU_ASSERT_EQUAL(clab_mutex_unlock(&f1), 0);
	/* f2 alone is held: taking f1 now is out of order again */
	CU_ASSERT_EQUAL(clab_mutex_lock_ordered(&f1), CLAB_EORDER);
	CU_ASSERT_EQUAL(clab_mutex_unlock(&f2), 0);
	CU_ASSERT_EQUAL(clab_mutex_destroy(&f1), 0);
	CU_ASSERT_EQUAL(clab_mutex_destroy(&f2), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	CU_ASSERT_EQUAL_FATAL(tu_count(tr, CLAB_K_DIAG), 2);
	d = tu_find(tr, CLAB_K_DIAG, 0);
	CU_ASSERT_EQUAL(d->a8, CLAB_D_LOCK_ORDER);
	CU_ASSERT_EQUAL(d->obj, f1.h.id);
	CU_ASSERT_EQUAL(d->a32, f2.h.id);
	CU_ASSERT_NOT_EQUAL(d->site, 0);
	/* the refused request neither acquired nor queued */
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_MUTEX_ACQUIRE, f1.h.id), 2);
	CU_ASSERT_EQUAL(tu_count_obj(tr, CLAB_K_MUTEX_REQUEST, f1.h.id), 0);
	CU_ASSERT_TRUE(d->seq <
		       tu_find_obj(tr, CLAB_K_MUTEX_ACQUIRE, f1.h.id, 0)->seq);
	clab_trace_free(tr);
}

#define NTHR 4
#define NITER 20000

struct counter {
	clab_mutex_t *m;
	int *count;
	int fails;
};

static void *incrementer(void *p)
{
	struct counter *c = p;
	int i;

	for (i = 0; i < NITER; i++) {
		if (clab_mutex_lock(c->m) != 0) {
			c->fails++;
			continue;
		}
		(*c->count)++;
		if (clab_mutex_unlock(c->m) != 0)
			c->fails++;
	}
	return NULL;
}

/*
 * No update is lost, and in merged order the mutex's records alternate
 * acquire/release by the same thread with consecutive object sequence
 * numbers: the merge never shows two holders at once.
 */
static void test_mutual_exclusion(void)
{
	clab_mutex_t m;
	clab_thread_t *t[NTHR];
	struct counter c[NTHR];
	struct clab_trace *tr;
	const struct clab_record *r, *prev = NULL;
	size_t i, n, nacq = 0, nrel = 0, bad_alt = 0, bad_seq = 0;
	size_t bad_tid = 0, bad_pos = 0;
	int count = 0;

	tu_begin();
	CU_ASSERT_EQUAL(clab_mutex_init(&m, "counter", CLAB_MUTEX_NORMAL), 0);
	for (i = 0; i < NTHR; i++) {
		c[i].m = &m;
		c[i].count = &count;
		c[i].fails = 0;
		CU_ASSERT_EQUAL_FATAL(
		    clab_thread_create(&t[i], "inc", incrementer, &c[i]), 0);
	}
	for (i = 0; i < NTHR; i++) {
		CU_ASSERT_EQUAL(clab_thread_join(t[i], NULL), 0);
		CU_ASSERT_EQUAL(c[i].fails, 0);
	}
	CU_ASSERT_EQUAL(count, NTHR * NITER);
	CU_ASSERT_EQUAL(clab_mutex_destroy(&m), 0);
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);

	CU_ASSERT_EQUAL(clab_trace_drops(tr), 0);
	CU_ASSERT_EQUAL(clab_trace_gaps(tr), 0);
	n = clab_trace_nrecords(tr);
	for (i = 0; i < n; i++) {
		r = clab_trace_record(tr, i);
		if (r->seq != i)
			bad_pos++;
		if (r->obj != m.h.id || r->oseq == 0)
			continue;
		if (prev != NULL && r->oseq != prev->oseq + 1)
			bad_seq++;
		if (r->kind == CLAB_K_MUTEX_ACQUIRE) {
			nacq++;
			if (prev == NULL || prev->kind == CLAB_K_MUTEX_ACQUIRE)
				bad_alt++;
		} else if (r->kind == CLAB_K_MUTEX_RELEASE) {
			nrel++;
			if (prev == NULL || prev->kind != CLAB_K_MUTEX_ACQUIRE)
				bad_alt++;
			else if (prev->tid != r->tid)
				bad_tid++;
		}
		prev = r;
	}
	CU_ASSERT_EQUAL(nacq, NTHR * NITER);
	CU_ASSERT_EQUAL(nrel, NTHR * NITER);
	CU_ASSERT_EQUAL(bad_pos, 0);
	CU_ASSERT_EQUAL(bad_alt, 0);
	CU_ASSERT_EQUAL(bad_seq, 0);
	CU_ASSERT_EQUAL(bad_tid, 0);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_DIAG), 0);
	clab_trace_free(tr);
}

/* The line of record r's site in tr, or -1. */
static int site_line(const struct clab_trace *tr, const struct clab_record *r)
{
	const struct clab_site_info *si = clab_trace_site(tr, r->site);
	return si ? si->line : -1;
}

/*
 * How many fields of x, the object's record i (from 1, after its create),
 * are not those of alternate pairs: acquire (how, depth 1), release (block,
 * depth 0), with consecutive sequence numbers.
 */
static size_t pair_record_bad(const struct clab_record *x, size_t i,
			      unsigned how)
{
	int acq = i % 2 == 1;
	return (x->oseq != i + 1) +
	       (x->kind !=
		(acq ? CLAB_K_MUTEX_ACQUIRE : CLAB_K_MUTEX_RELEASE)) +
	       (x->a32 != (acq ? 1u : 0u)) +
	       (x->a8 != (acq ? how : CLAB_HOW_BLOCK));
}

/*
 * An acquire directly followed by its release is kept in the thread's
 * buffer as one record (CLAB__K_HOLD) and written as the two: every
 * pattern around it comes out as it was made, each record with its own
 * site, how, depth and sequence number, and most rounds were holds.
 */
#define HOLD_ROUNDS 200
static void test_holds(void)
{
	clab_mutex_t a, b, r;
	struct clab_trace *tr;
	int line[8];
	uint64_t holds0 = clab__self()->tb ? clab__self()->tb->holds : 0;
	uint64_t holds = 0;

	tu_begin();
	CU_ASSERT_EQUAL(clab_mutex_init(&a, "a", CLAB_MUTEX_NORMAL), 0);
	CU_ASSERT_EQUAL(clab_mutex_init(&b, "b", CLAB_MUTEX_NORMAL), 0);
	CU_ASSERT_EQUAL(clab_mutex_init(&r, "r", CLAB_MUTEX_RECURSIVE), 0);
	holds0 = clab__self()->tb->holds;
	for (int i = 0; i < HOLD_ROUNDS; i++) {
		/* a alone; a around b; a try and b timed; r twice */
		line[0] = __LINE__ + 1;
		clab_mutex_lock(&a);
		line[1] = __LINE__ + 1;
		clab_mutex_unlock(&a);
		clab_mutex_lock(&a);
		line[2] = __LINE__ + 1;
		clab_mutex_lock(&b);
		line[3] = __LINE__ + 1;
		clab_mutex_unlock(&b);
		line[4] = __LINE__ + 1;
		clab_mutex_unlock(&a);
		CU_ASSERT_EQUAL(clab_mutex_trylock(&a), 0);
		clab_mutex_unlock(&a);
		CU_ASSERT_EQUAL(clab_mutex_timedlock(&b, 100), 0);
		clab_mutex_unlock(&b);
		clab_mutex_lock(&r);
		clab_mutex_lock(&r);
		clab_mutex_unlock(&r);
		clab_mutex_unlock(&r);
	}
	holds = clab__self()->tb->holds - holds0;
	tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	/* the path is taken: a stamped acquire (one a tick) is not held */
	CU_ASSERT(holds >= HOLD_ROUNDS * 4 / 2);

	/* a: create, then 3 pairs a round; b: 2 pairs; r: 2 pairs */
	const struct clab_record *ra[1 + 6 * HOLD_ROUNDS + 1];
	const struct clab_record *rb[1 + 4 * HOLD_ROUNDS + 1];
	const struct clab_record *rr[1 + 4 * HOLD_ROUNDS + 1];
	CU_ASSERT_EQUAL_FATAL(obj_records(tr, a.h.id, ra, 1 + 6 * HOLD_ROUNDS),
			      1 + 6 * HOLD_ROUNDS);
	CU_ASSERT_EQUAL_FATAL(obj_records(tr, b.h.id, rb, 1 + 4 * HOLD_ROUNDS),
			      1 + 4 * HOLD_ROUNDS);
	CU_ASSERT_EQUAL_FATAL(obj_records(tr, r.h.id, rr, 1 + 4 * HOLD_ROUNDS),
			      1 + 4 * HOLD_ROUNDS);
	size_t bad = 0;
	static const uint8_t how_a[3] = {CLAB_HOW_BLOCK, CLAB_HOW_BLOCK,
					 CLAB_HOW_TRY};
	static const uint8_t how_b[2] = {CLAB_HOW_BLOCK, CLAB_HOW_TIMED};
	static const uint32_t depth_r[4] = {1, 2, 1, 0};
	for (size_t i = 1; i < 1 + 6 * HOLD_ROUNDS; i++)
		bad += pair_record_bad(ra[i], i, how_a[(i - 1) / 2 % 3]);
	for (size_t i = 1; i < 1 + 4 * HOLD_ROUNDS; i++) {
		bad += pair_record_bad(rb[i], i, how_b[(i - 1) / 2 % 2]);
		/* r: acquire 1, acquire 2, release 1, release 0 */
		const struct clab_record *x = rr[i];
		bad += x->oseq != i + 1;
		bad += x->kind != ((i - 1) % 4 < 2 ? CLAB_K_MUTEX_ACQUIRE
						   : CLAB_K_MUTEX_RELEASE);
		bad += x->a32 != depth_r[(i - 1) % 4];
	}
	CU_ASSERT_EQUAL(bad, 0);
	/* each record at its own call */
	for (int i = 0; i < HOLD_ROUNDS; i += 37) {
		CU_ASSERT_EQUAL(site_line(tr, ra[1 + 6 * i]), line[0]);
		CU_ASSERT_EQUAL(site_line(tr, ra[2 + 6 * i]), line[1]);
		CU_ASSERT_EQUAL(site_line(tr, rb[1 + 4 * i]), line[2]);
		CU_ASSERT_EQUAL(site_line(tr, rb[2 + 4 * i]), line[3]);
		CU_ASSERT_EQUAL(site_line(tr, ra[4 + 6 * i]), line[4]);
	}
	/* and the thread's records in its own order: a's pair first */
	CU_ASSERT(ra[1]->seq < ra[2]->seq && ra[2]->seq < ra[3]->seq &&
		  ra[3]->seq < rb[1]->seq && rb[1]->seq < rb[2]->seq &&
		  rb[2]->seq < ra[4]->seq);
	clab_trace_free(tr);
}

/*
 * A thread that holds back its acquire when the trace is closed (it holds
 * the lock, in a call that records nothing): the acquire is its last
 * record in the trace, not lost.
 */
struct holder {
	clab_mutex_t *m;
	_Atomic int state; /* 1: holding, held back; 2: let go; 3: done */
	int tries;
};

static void *hold_across_close(void *p)
{
	struct holder *h = p;
	struct clab__tbuf *tb = clab__self()->tb;
	for (h->tries = 0; h->tries < 1000; h->tries++) {
		clab_mutex_lock(h->m);
		if (clab__pend_on(tb))
			break; /* not stamped: held back */
		clab_mutex_unlock(h->m);
	}
	atomic_store(&h->state, 1);
	while (atomic_load(&h->state) != 2)
		sched_yield();
	clab_mutex_unlock(h->m);
	atomic_store(&h->state, 3);
	return NULL;
}

static void test_held_back_at_close(void)
{
	clab_mutex_t m;
	struct holder h = {.m = &m};
	clab_thread_t *t;

	tu_begin();
	CU_ASSERT_EQUAL(clab_mutex_init(&m, "kept", CLAB_MUTEX_NORMAL), 0);
	CU_ASSERT_EQUAL_FATAL(
	    clab_thread_create(&t, "holder", hold_across_close, &h), 0);
	while (atomic_load(&h.state) != 1)
		sched_yield();
	struct clab_trace *tr = tu_end();
	atomic_store(&h.state, 2);
	CU_ASSERT_EQUAL(clab_thread_join(t, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT(h.tries < 1000);
	/* its pairs, then the acquire it holds, last of its thread */
	const struct clab_record *x[2 * 1000 + 2];
	size_t n = obj_records(tr, m.h.id, x, 2 * 1000 + 2);
	CU_ASSERT_EQUAL_FATAL(n, 1 + 2 * (size_t)h.tries + 1);
	CU_ASSERT_EQUAL(x[n - 1]->kind, CLAB_K_MUTEX_ACQUIRE);
	CU_ASSERT_EQUAL(x[n - 1]->oseq, n);
	CU_ASSERT_EQUAL(x[n - 1]->a32, 1);
	uint32_t tid = x[n - 1]->tid;
	size_t last = 0, nr = clab_trace_nrecords(tr);
	for (size_t i = 0; i < nr; i++)
		if (clab_trace_record(tr, i)->tid == tid)
			last = i;
	CU_ASSERT_EQUAL(last, x[n - 1]->seq);
	clab_trace_free(tr);
	CU_ASSERT_EQUAL(clab_mutex_destroy(&m), 0);
}

/*
 * An acquire held back and written ahead by a flush (the thread holds the
 * lock and records nothing): the flushed file has it, and when the thread
 * publishes it after all, alone (its next lock) or in a hold (its
 * unlock), the trace has it once.
 */
static void *hold_then_go_on(void *p)
{
	struct holder *h = p;
	struct clab__tbuf *tb = clab__self()->tb;
	clab_mutex_t other;
	clab_mutex_init(&other, "other", CLAB_MUTEX_NORMAL);
	for (int round = 0; round < 2; round++) {
		for (h->tries = 0; h->tries < 1000; h->tries++) {
			clab_mutex_lock(h->m);
			if (clab__pend_on(tb))
				break;
			clab_mutex_unlock(h->m);
		}
		atomic_store(&h->state, 1);
		while (atomic_load(&h->state) != 2)
			sched_yield();
		if (round == 1) { /* published alone, before this lock */
			clab_mutex_lock(&other);
			clab_mutex_unlock(&other);
		}
		clab_mutex_unlock(h->m); /* round 0: in a hold */
		clab_mutex_lock(h->m);
		clab_mutex_unlock(h->m);
		atomic_store(&h->state, round == 0 ? 0 : 3);
	}
	clab_mutex_destroy(&other);
	return NULL;
}

static void test_written_ahead_once(void)
{
	clab_mutex_t m;
	struct holder h = {.m = &m};
	clab_thread_t *t;
	struct clab_trace *mid;
	char err[256];
	size_t seen[2] = {0, 0}, tries[2];

	tu_begin();
	CU_ASSERT_EQUAL(clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL), 0);
	CU_ASSERT_EQUAL_FATAL(
	    clab_thread_create(&t, "holder", hold_then_go_on, &h), 0);
	for (int round = 0; round < 2; round++) {
		while (atomic_load(&h.state) != 1)
			sched_yield();
		tries[round] = (size_t)h.tries;
		CU_ASSERT_EQUAL(clab_tracer_flush(), 0);
		/* the file as it is now: the acquire held is in it */
		CU_ASSERT_EQUAL_FATAL(
		    clab_trace_load_process(clab__tracer_path(), &mid, err,
					    sizeof(err)),
		    0);
		for (size_t i = 0; i < clab_trace_nrecords(mid); i++) {
			const struct clab_record *r = clab_trace_record(mid, i);
			seen[round] +=
			    r->obj == m.h.id && r->kind == CLAB_K_MUTEX_ACQUIRE;
		}
		clab_trace_free(mid);
		atomic_store(&h.state, 2);
		while (atomic_load(&h.state) == 2)
			sched_yield();
	}
	CU_ASSERT_EQUAL(clab_thread_join(t, NULL), 0);
	CU_ASSERT_EQUAL(clab_mutex_destroy(&m), 0);
	struct clab_trace *tr = tu_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT(tries[0] < 1000 && tries[1] < 1000);
	CU_ASSERT_EQUAL(seen[0], tries[0] + 1);
	CU_ASSERT_EQUAL(seen[1], tries[0] + 2 + tries[1] + 1);
	/* create, each round tries + 2 pairs, destroy; oseq 1, 2, ... */
	const struct clab_record *x[4100];
	size_t n = obj_records(tr, m.h.id, x, 4100);
	CU_ASSERT_EQUAL_FATAL(n, 1 + 2 * (tries[0] + 2 + tries[1] + 2) + 1);
	size_t bad = 0;
	for (size_t i = 1; i + 1 < n; i++)
		bad += x[i]->oseq != i + 1 ||
		       x[i]->kind != (i % 2 ? CLAB_K_MUTEX_ACQUIRE
					    : CLAB_K_MUTEX_RELEASE);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(clab_trace_gaps(tr), 0);
	clab_trace_free(tr);
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "lock and unlock records", test_lock_unlock_records);
	CU_add_test(s, "contended lock waits for the release", test_contended);
	CU_add_test(s, "an unlock wakes a sleeper only while one waits",
		    test_unlock_wakes);
	CU_add_test(s, "trylock and timedlock on a held mutex",
		    test_try_and_timed_on_held);
	CU_add_test(s, "recursive depth", test_recursive_depth);
	CU_add_test(s, "relock of a normal mutex", test_relock_normal);
	CU_add_test(s, "relock of an errorcheck mutex", test_relock_errorcheck);
	CU_add_test(s, "unlock and destroy misuse", test_unlock_misuse);
	CU_add_test(s, "lock order", test_lock_ordered);
	CU_add_test(s, "mutual exclusion and merged order",
		    test_mutual_exclusion);
	CU_add_test(s, "an acquire and its release kept as one (holds)",
		    test_holds);
	CU_add_test(s, "an acquire held back when the trace closes",
		    test_held_back_at_close);
	CU_add_test(s, "an acquire written ahead, then published, once",
		    test_written_ahead_once);
}

int main(void)
{
	return tu_main("runtime/mutex", add_tests);
}
