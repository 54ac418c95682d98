/* Tests of runtime/mutex.c: plain, error-checking and recursive mutexes. */
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
}

int main(void)
{
	return tu_main("runtime/mutex", add_tests);
}
