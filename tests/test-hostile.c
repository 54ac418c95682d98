/*
 * Hostile objects: garbage bytes, zero-filled, destroyed, wrong-kind,
 * copied, stale and freed objects, bad pointers and values out of range,
 * handed to every kind of primitive.  Each must give an error and a
 * bad-object (or bad-value) diagnostic with its site in the trace, and
 * never a crash, a hang or silence.
 *
 * Each test runs its misuse in a forked child with a trace of its own and
 * an alarm, so that a crash or a hang fails the test instead of the
 * suite; the child sends back the calls' results and the parent checks
 * them and the child's trace.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <conclab/tracer.h>

#include "hostile-room.h"
#include "rt.h"
#include "testutil.h"

/* ASan and TSan both stop a program at a read of freed memory. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define HOSTILE_UAF 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define HOSTILE_UAF 1
#endif
#endif
#ifndef HOSTILE_UAF
#define HOSTILE_UAF 0
#endif

#define CHILD_SECONDS 20 /* a child that takes longer hangs */
#define MAX_RC 64

/* What the child sends back: the results of its calls, in order. */
struct out {
	int n;
	int rc[MAX_RC];
};

static struct out child_out;

static void rc(int r)
{
	if (child_out.n < MAX_RC)
		child_out.rc[child_out.n++] = r;
}

/* The next child's trace runs on virtual time (for the scheduler). */
static int virtual_time;

static int open_trace(const char *path)
{
	struct clab_tracer_opts o;

	memset(&o, 0, sizeof(o));
	o.path = path;
	o.virtual_time = virtual_time;
	o.flush_ms = 100;
	o.compress = -1;
	return clab_tracer_open(&o);
}

static void tmp_path(char *buf, size_t len, const char *what)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	snprintf(buf, len, "%s/conclab-hostile-%s-XXXXXX", dir, what);
	fd = mkstemp(buf);
	if (fd >= 0)
		close(fd);
}

/* The child's stderr, kept for the parent to look at. */
static char err_text[8192];
/* The next child is meant to be stopped (by a sanitizer): keep quiet. */
static int child_may_die;

/*
 * Run body in a child with a trace open (pre, if not NULL, runs before the
 * trace is opened).  Returns the child's wait status; *tr gets the trace
 * when the child ended normally, o its results.
 */
static int run_pre(void (*pre)(void), void (*body)(void), struct out *o,
		   struct clab_trace **tr)
{
	char path[4096], epath[4096], msg[512];
	int pfd[2], status = 0;
	pid_t pid;
	FILE *f;
	size_t n;

	*tr = NULL;
	memset(o, 0, sizeof(*o));
	err_text[0] = '\0';
	tmp_path(path, sizeof(path), "trace");
	tmp_path(epath, sizeof(epath), "err");
	if (pipe(pfd) != 0) {
		CU_FAIL("pipe");
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		FILE *e = freopen(epath, "w", stderr);
		(void)e;
		close(pfd[0]);
		alarm(CHILD_SECONDS);
		if (pre != NULL)
			pre();
		if (open_trace(path) < 0)
			_exit(3);
		body();
		if (clab_tracer_close(NULL) < 0)
			_exit(4);
		if (write(pfd[1], &child_out, sizeof(child_out)) !=
		    (ssize_t)sizeof(child_out))
			_exit(5);
		_exit(0);
	}
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		CU_FAIL("fork");
		return -1;
	}
	n = 0;
	while (n < sizeof(*o)) {
		ssize_t r = read(pfd[0], (char *)o + n, sizeof(*o) - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(pfd[0]);
	waitpid(pid, &status, 0);
	f = fopen(epath, "r");
	if (f != NULL) {
		size_t k = fread(err_text, 1, sizeof(err_text) - 1, f);
		err_text[k] = '\0';
		fclose(f);
	}
	unlink(epath);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && n == sizeof(*o)) {
		if (clab_trace_load(path, tr, msg, sizeof(msg)) < 0) {
			fprintf(stderr, "clab_trace_load: %s\n", msg);
			*tr = NULL;
		}
	} else if (!child_may_die) {
		fprintf(stderr, "child: status %#x%s%s\n", (unsigned)status,
			WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM
			    ? " (hung: killed by the alarm)"
			    : "",
			err_text[0] ? "; its stderr:" : "");
		fputs(err_text, stderr);
	}
	unlink(path);
	return status;
}

/* run_pre without pre; fails the test unless the child ended well. */
static struct clab_trace *run(void (*body)(void), struct out *o)
{
	struct clab_trace *tr;
	int status = run_pre(NULL, body, o, &tr);

	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CU_ASSERT_PTR_NOT_NULL(tr);
	return tr;
}

/* The nth (from 0) diagnostic of code in the trace, or NULL. */
static const struct clab_record *diag(const struct clab_trace *tr,
				      unsigned code, size_t nth)
{
	size_t i, n = clab_trace_nrecords(tr);

	for (i = 0; i < n; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		if (r->kind == CLAB_K_DIAG && r->a8 == code && nth-- == 0)
			return r;
	}
	return NULL;
}

static size_t ndiag(const struct clab_trace *tr, unsigned code)
{
	size_t k = 0;

	while (diag(tr, code, k) != NULL)
		k++;
	return k;
}

/* Whether the record's site is a call in this file (not NULL, a line). */
static int site_here(const struct clab_trace *tr, const struct clab_record *r)
{
	const struct clab_site_info *si = clab_trace_site(tr, r->site);

	return si != NULL && si->line > 0 && si->file != NULL &&
	       strstr(si->file, "test-hostile.c") != NULL;
}

/*
 * Check that the nth bad-object diagnostic says why and wanted kind want,
 * at a site in this file (or with no site when sited is 0); returns it.
 */
static const struct clab_record *expect_bad(const struct clab_trace *tr,
					    size_t nth, unsigned why,
					    unsigned want, int sited)
{
	const struct clab_record *r = diag(tr, CLAB_D_BAD_OBJECT, nth);

	CU_ASSERT_PTR_NOT_NULL(r);
	if (r == NULL) {
		fprintf(stderr, "no bad-object diagnostic #%zu\n", nth);
		return NULL;
	}
	if ((r->a32 & 0xff) != why || (r->a32 >> 8 & 0xff) != want)
		fprintf(stderr, "bad-object #%zu: why %s want %s, got %s %s\n",
			nth, clab_badobj_name(why), clab_objkind_name(want),
			clab_badobj_name(r->a32 & 0xff),
			clab_objkind_name(r->a32 >> 8 & 0xff));
	CU_ASSERT_EQUAL(r->a32 & 0xff, why);
	CU_ASSERT_EQUAL(r->a32 >> 8 & 0xff, want);
	if (sited) {
		CU_ASSERT_TRUE(site_here(tr, r));
	} else {
		CU_ASSERT_EQUAL(r->site, 0);
	}
	return r;
}

/* The object a diagnostic names; UINT32_MAX when there is none. */
static uint32_t bad_obj(const struct clab_record *r)
{
	return r ? r->obj : UINT32_MAX;
}

/* Every result from..to-1 is CLAB_EINVAL. */
static void expect_einval(const struct out *o, int from, int to)
{
	CU_ASSERT_TRUE(o->n >= to);
	for (int i = from; i < to && i < o->n; i++) {
		if (o->rc[i] != CLAB_EINVAL)
			fprintf(stderr, "result %d: %d, not CLAB_EINVAL\n", i,
				o->rc[i]);
		CU_ASSERT_EQUAL(o->rc[i], CLAB_EINVAL);
	}
}

/* ---- garbage bytes ---- */

static void body_garbage_mutex(void)
{
	union room u;

	memset(&u, 0xa5, sizeof(u));
	rc(clab_mutex_lock(&u.m));
	rc(clab_mutex_trylock(&u.m));
	rc(clab_mutex_timedlock(&u.m, 10));
	rc(clab_mutex_lock_ordered(&u.m));
	rc(clab_mutex_unlock(&u.m));
	rc(clab_mutex_destroy(&u.m));
}

static void test_garbage_mutex(void)
{
	struct out o;
	struct clab_trace *tr = run(body_garbage_mutex, &o);

	expect_einval(&o, 0, 6);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(ndiag(tr, CLAB_D_BAD_OBJECT), 6);
	for (size_t i = 0; i < 6; i++)
		CU_ASSERT_EQUAL(bad_obj(expect_bad(tr, i, CLAB_BADOBJ_CORRUPT,
						   CLAB_O_MUTEX, 1)),
				0);
	/* nothing was locked, nothing else was said */
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_MUTEX_ACQUIRE), 0);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_DIAG), 6);
	clab_trace_free(tr);
}

/* 0xff: the internal lock word looks taken, and would be for ever. */
static void body_garbage_sem_barrier(void)
{
	union room u;

	memset(&u, 0xff, sizeof(u));
	rc(clab_sem_acquire(&u.s));
	rc(clab_sem_tryacquire(&u.s));
	rc(clab_sem_release(&u.s));
	rc(clab_sem_destroy(&u.s));
	rc(clab_barrier_wait(&u.ba));
	rc(clab_barrier_abort(&u.ba));
	rc(clab_barrier_reset(&u.ba));
	rc(clab_barrier_destroy(&u.ba));
	rc((int)clab_sem_value(&u.s));
	rc(clab_barrier_broken(&u.ba));
}

static void test_garbage_sem_barrier(void)
{
	struct out o;
	struct clab_trace *tr = run(body_garbage_sem_barrier, &o);

	expect_einval(&o, 0, 8);
	CU_ASSERT_EQUAL(o.rc[8], 0); /* the getters say 0 */
	CU_ASSERT_EQUAL(o.rc[9], 0);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(ndiag(tr, CLAB_D_BAD_OBJECT), 10);
	for (size_t i = 0; i < 4; i++)
		expect_bad(tr, i, CLAB_BADOBJ_CORRUPT, CLAB_O_SEM, 1);
	for (size_t i = 4; i < 8; i++)
		expect_bad(tr, i, CLAB_BADOBJ_CORRUPT, CLAB_O_BARRIER, 1);
	/* the getters have no site */
	expect_bad(tr, 8, CLAB_BADOBJ_CORRUPT, CLAB_O_SEM, 0);
	expect_bad(tr, 9, CLAB_BADOBJ_CORRUPT, CLAB_O_BARRIER, 0);
	clab_trace_free(tr);
}

static void noop(void *arg)
{
	(void)arg;
}

static void body_garbage_others(void)
{
	union room u;
	clab_mutex_t m;
	void *item;

	memset(&u, 0x5a, sizeof(u));
	clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL);
	clab_mutex_lock(&m);
	rc(clab_cond_signal(&u.c));
	rc(clab_cond_broadcast(&u.c));
	rc(clab_cond_wait(&u.c, &m));
	rc(clab_cond_destroy(&u.c));
	rc(clab_latch_set(&u.l));
	rc(clab_latch_wait(&u.l));
	rc(clab_latch_clear(&u.l));
	rc(clab_queue_put(&u.q, &m));
	rc(clab_queue_get(&u.q, &item));
	rc(clab_queue_join(&u.q));
	rc(clab_queue_task_done(&u.q));
	rc(clab_queue_close(&u.q));
	rc(clab_timer_start(&u.t, 1, noop, NULL));
	rc(clab_timer_cancel(&u.t));
	rc(clab_timer_destroy(&u.t));
	rc(clab_ptimer_start(&u.p));
	rc(clab_ptimer_wait_tick(&u.p));
	rc(clab_ptimer_stop(&u.p));
	rc(clab_ptimer_destroy(&u.p));
	/* the mutex is still held and works */
	rc(clab_mutex_unlock(&m));
	rc(clab_mutex_destroy(&m));
}

static void test_garbage_others(void)
{
	static const unsigned want[] = {
	    CLAB_O_COND,   CLAB_O_COND,	  CLAB_O_COND,	 CLAB_O_COND,
	    CLAB_O_LATCH,  CLAB_O_LATCH,  CLAB_O_LATCH,	 CLAB_O_QUEUE,
	    CLAB_O_QUEUE,  CLAB_O_QUEUE,  CLAB_O_QUEUE,	 CLAB_O_QUEUE,
	    CLAB_O_TIMER,  CLAB_O_TIMER,  CLAB_O_TIMER,	 CLAB_O_PTIMER,
	    CLAB_O_PTIMER, CLAB_O_PTIMER, CLAB_O_PTIMER,
	};
	const size_t n = sizeof(want) / sizeof(want[0]);
	struct out o;
	struct clab_trace *tr = run(body_garbage_others, &o);

	expect_einval(&o, 0, (int)n);
	CU_ASSERT_EQUAL(o.rc[n], 0);
	CU_ASSERT_EQUAL(o.rc[n + 1], 0);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(ndiag(tr, CLAB_D_BAD_OBJECT), n);
	for (size_t i = 0; i < n; i++)
		expect_bad(tr, i, CLAB_BADOBJ_CORRUPT, want[i], 1);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_DIAG), n);
	clab_trace_free(tr);
}

/* ---- zero-filled: never initialised ---- */

static void body_zero(void)
{
	static union room z[8]; /* zero, as a global the user forgot */

	rc(clab_mutex_lock(&z[0].m));
	rc(clab_mutex_unlock(&z[0].m));
	rc(clab_cond_signal(&z[1].c));
	rc(clab_sem_acquire(&z[2].s));
	rc(clab_latch_wait(&z[3].l));
	rc(clab_barrier_wait(&z[4].ba));
	rc(clab_queue_put(&z[5].q, NULL));
	rc(clab_timer_cancel(&z[6].t));
	rc(clab_ptimer_wait_tick(&z[7].p));
	rc(clab_mutex_held(&z[0].m));
	rc(clab_latch_is_set(&z[3].l));
	rc((int)clab_queue_len(&z[5].q));
}

static void test_zero(void)
{
	static const unsigned want[] = {
	    CLAB_O_MUTEX, CLAB_O_MUTEX, CLAB_O_COND,
	    CLAB_O_SEM,	  CLAB_O_LATCH, CLAB_O_BARRIER,
	    CLAB_O_QUEUE, CLAB_O_TIMER, CLAB_O_PTIMER};
	struct out o;
	struct clab_trace *tr = run(body_zero, &o);

	expect_einval(&o, 0, 9);
	CU_ASSERT_EQUAL(o.rc[9], 0);
	CU_ASSERT_EQUAL(o.rc[10], 0);
	CU_ASSERT_EQUAL(o.rc[11], 0);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(ndiag(tr, CLAB_D_BAD_OBJECT), 12);
	for (size_t i = 0; i < 9; i++)
		expect_bad(tr, i, CLAB_BADOBJ_UNINIT, want[i], 1);
	expect_bad(tr, 9, CLAB_BADOBJ_UNINIT, CLAB_O_MUTEX, 0);
	expect_bad(tr, 10, CLAB_BADOBJ_UNINIT, CLAB_O_LATCH, 0);
	expect_bad(tr, 11, CLAB_BADOBJ_UNINIT, CLAB_O_QUEUE, 0);
	clab_trace_free(tr);
}

/* ---- destroyed, then used ---- */

static void body_destroyed_mutex(void)
{
	clab_mutex_t m;

	rc(clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL));
	rc(clab_mutex_lock(&m));
	rc(clab_mutex_unlock(&m));
	rc(clab_mutex_destroy(&m));
	rc(clab_mutex_lock(&m));
	rc(clab_mutex_unlock(&m));
	rc(clab_mutex_destroy(&m)); /* twice */
	rc(clab_mutex_held(&m));
	/* destroyed, it may be initialised again: no diagnostic */
	rc(clab_mutex_init(&m, "again", CLAB_MUTEX_NORMAL));
	rc(clab_mutex_lock(&m));
	rc(clab_mutex_unlock(&m));
	rc(clab_mutex_destroy(&m));
}

static void test_destroyed_mutex(void)
{
	struct out o;
	struct clab_trace *tr = run(body_destroyed_mutex, &o);
	const struct clab_record *r;
	const struct clab_object_info *oi;

	CU_ASSERT_EQUAL(o.rc[0], 0);
	CU_ASSERT_EQUAL(o.rc[3], 0);
	expect_einval(&o, 4, 7);
	CU_ASSERT_EQUAL(o.rc[7], 0);
	for (int i = 8; i < 12; i++)
		CU_ASSERT_EQUAL(o.rc[i], 0);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(ndiag(tr, CLAB_D_BAD_OBJECT), 4);
	for (size_t i = 0; i < 3; i++) {
		/* the diagnostic names the mutex that was destroyed */
		r = expect_bad(tr, i, CLAB_BADOBJ_DESTROYED, CLAB_O_MUTEX, 1);
		CU_ASSERT_TRUE(r != NULL && r->obj != 0);
		oi = r ? clab_trace_object(tr, r->obj) : NULL;
		CU_ASSERT_TRUE(oi != NULL && strcmp(oi->name, "m") == 0);
	}
	expect_bad(tr, 3, CLAB_BADOBJ_DESTROYED, CLAB_O_MUTEX, 0);
	clab_trace_free(tr);
}

static void body_destroyed_each(void)
{
	clab_cond_t c;
	clab_sem_t s;
	clab_latch_t l;
	clab_barrier_t b;
	clab_queue_t q;
	clab_timer_t t;
	clab_ptimer_t p;
	clab_mutex_t m;

	clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL);
	clab_cond_init(&c, "c");
	clab_sem_init(&s, "s", 1, 0);
	clab_latch_init(&l, "l");
	clab_barrier_init(&b, "b", 2);
	clab_queue_init(&q, "q", 4);
	clab_timer_init(&t, "t");
	clab_ptimer_init(&p, "p", 10);
	rc(clab_cond_destroy(&c));
	rc(clab_sem_destroy(&s));
	rc(clab_latch_destroy(&l));
	rc(clab_barrier_destroy(&b));
	rc(clab_queue_destroy(&q));
	rc(clab_timer_destroy(&t));
	rc(clab_ptimer_destroy(&p));
	clab_mutex_lock(&m);
	rc(clab_cond_wait(&c, &m));
	rc(clab_sem_release(&s));
	rc(clab_latch_set(&l));
	rc(clab_barrier_wait(&b));
	rc(clab_queue_put(&q, NULL));
	rc(clab_timer_start(&t, 1, noop, NULL));
	rc(clab_ptimer_start(&p));
	clab_mutex_unlock(&m);
	clab_mutex_destroy(&m);
}

static void test_destroyed_each(void)
{
	static const struct {
		unsigned kind;
		const char *name;
	} want[] = {{CLAB_O_COND, "c"},	 {CLAB_O_SEM, "s"},
		    {CLAB_O_LATCH, "l"}, {CLAB_O_BARRIER, "b"},
		    {CLAB_O_QUEUE, "q"}, {CLAB_O_TIMER, "t"},
		    {CLAB_O_PTIMER, "p"}};
	struct out o;
	struct clab_trace *tr = run(body_destroyed_each, &o);

	for (int i = 0; i < 7; i++)
		CU_ASSERT_EQUAL(o.rc[i], 0);
	expect_einval(&o, 7, 14);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(ndiag(tr, CLAB_D_BAD_OBJECT), 7);
	for (size_t i = 0; i < 7; i++) {
		const struct clab_record *r =
		    expect_bad(tr, i, CLAB_BADOBJ_DESTROYED, want[i].kind, 1);
		const struct clab_object_info *oi =
		    r ? clab_trace_object(tr, r->obj) : NULL;
		CU_ASSERT_TRUE(oi != NULL && oi->kind == want[i].kind &&
			       strcmp(oi->name, want[i].name) == 0);
	}
	clab_trace_free(tr);
}

/* ---- the wrong kind ---- */

static void body_wrong_kind(void)
{
	clab_sem_t s;
	clab_mutex_t m;
	clab_cond_t c;

	clab_sem_init(&s, "s", 1, 0);
	clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL);
	clab_cond_init(&c, "c");
	rc(clab_mutex_lock((clab_mutex_t *)(void *)&s));
	rc(clab_mutex_unlock((clab_mutex_t *)(void *)&s));
	rc(clab_cond_signal((clab_cond_t *)(void *)&m));
	clab_mutex_lock(&m);
	/* a condition passed as the mutex of a wait */
	rc(clab_cond_wait(&c, (clab_mutex_t *)(void *)&c));
	rc(clab_sem_release((clab_sem_t *)(void *)&c));
	clab_mutex_unlock(&m);
	/* the real objects are untouched */
	rc(clab_sem_acquire(&s));
	rc((int)clab_sem_value(&s));
	rc(clab_sem_destroy(&s));
	rc(clab_cond_destroy(&c));
	rc(clab_mutex_destroy(&m));
}

static void test_wrong_kind(void)
{
	static const unsigned want[][2] = {{CLAB_O_MUTEX, CLAB_O_SEM},
					   {CLAB_O_MUTEX, CLAB_O_SEM},
					   {CLAB_O_COND, CLAB_O_MUTEX},
					   {CLAB_O_MUTEX, CLAB_O_COND},
					   {CLAB_O_SEM, CLAB_O_COND}};
	struct out o;
	struct clab_trace *tr = run(body_wrong_kind, &o);

	expect_einval(&o, 0, 5);
	for (int i = 5; i < 10; i++)
		CU_ASSERT_EQUAL(o.rc[i], 0);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(ndiag(tr, CLAB_D_BAD_OBJECT), 5);
	for (size_t i = 0; i < 5; i++) {
		const struct clab_record *r =
		    expect_bad(tr, i, CLAB_BADOBJ_WRONG_KIND, want[i][0], 1);
		const struct clab_object_info *oi =
		    r ? clab_trace_object(tr, r->obj) : NULL;
		CU_ASSERT_TRUE(r != NULL &&
			       (r->a32 >> 16 & 0xff) == want[i][1]);
		/* the diagnostic names the object that was passed */
		CU_ASSERT_TRUE(oi != NULL && oi->kind == want[i][1]);
	}
	clab_trace_free(tr);
}

/* ---- initialised twice ---- */

static void body_init_twice(void)
{
	clab_mutex_t m;
	union room u;

	rc(clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL));
	rc(clab_mutex_lock(&m));
	/* over a held mutex: refused, and the mutex stays held */
	rc(clab_mutex_init(&m, "m2", CLAB_MUTEX_NORMAL));
	rc(clab_mutex_held(&m));
	rc(clab_mutex_unlock(&m));
	rc(clab_mutex_destroy(&m));
	/* a live semaphore's memory made a mutex */
	memset(&u, 0, sizeof(u));
	rc(clab_sem_init(&u.s, "s", 1, 0));
	rc(clab_mutex_init(&u.m, "m3", CLAB_MUTEX_NORMAL));
	rc(clab_sem_init(&u.s, "s2", 1, 0));
	rc(clab_sem_acquire(&u.s));
	rc(clab_sem_destroy(&u.s));
	/* destroyed: free to be a mutex now */
	rc(clab_mutex_init(&u.m, "m4", CLAB_MUTEX_NORMAL));
	rc(clab_mutex_destroy(&u.m));
}

static void test_init_twice(void)
{
	static const int want[] = {0, 0,	   CLAB_EINVAL, 1, 0, 0,
				   0, CLAB_EINVAL, CLAB_EINVAL, 0, 0, 0,
				   0};
	struct out o;
	struct clab_trace *tr = run(body_init_twice, &o);
	const struct clab_record *r;

	CU_ASSERT_EQUAL(o.n, 13);
	for (int i = 0; i < 13; i++)
		CU_ASSERT_EQUAL(o.rc[i], want[i]);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(ndiag(tr, CLAB_D_BAD_OBJECT), 3);
	r = expect_bad(tr, 0, CLAB_BADOBJ_INIT_TWICE, CLAB_O_MUTEX, 1);
	CU_ASSERT_TRUE(r != NULL && (r->a32 >> 16 & 0xff) == CLAB_O_MUTEX);
	r = expect_bad(tr, 1, CLAB_BADOBJ_INIT_TWICE, CLAB_O_MUTEX, 1);
	CU_ASSERT_TRUE(r != NULL && (r->a32 >> 16 & 0xff) == CLAB_O_SEM);
	expect_bad(tr, 2, CLAB_BADOBJ_INIT_TWICE, CLAB_O_SEM, 1);
	/* objects made: m, s, m4; none for the refused inits */
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_OBJ_CREATE), 3);
	clab_trace_free(tr);
}

/* ---- values out of range ---- */

static void body_values(void)
{
	clab_sem_t s;
	clab_barrier_t b;
	clab_mutex_t m;
	clab_ptimer_t p;
	clab_queue_t q;

	memset(&s, 0, sizeof(s));
	rc(clab_sem_init(&s, "huge", 4294967295u, 0));
	rc(clab_sem_init(&s, "over", (uint32_t)INT32_MAX + 1, 0));
	rc(clab_sem_init(&s, "bound", 1, 4294967295u));
	rc(clab_barrier_init(&b, "none", 0));
	rc(clab_barrier_init(&b, "huge", 4294967295u));
	rc(clab_mutex_init(&m, "type", 3));
	rc(clab_mutex_init(&m, "type", -1));
	rc(clab_ptimer_init(&p, "p", 0));
	rc(clab_queue_init(&q, "q", 4294967295u));
	/* at the limit: fine, and a release past it is refused */
	rc(clab_sem_init(&s, "max", INT32_MAX, 0));
	rc(clab_sem_release(&s));
	rc((int)clab_sem_value(&s));
	rc(clab_sem_acquire(&s));
	rc(clab_sem_release(&s));
	rc(clab_sem_destroy(&s));
	rc(clab_barrier_init(&b, "one", 1));
	rc(clab_barrier_wait(&b));
	rc(clab_barrier_destroy(&b));
}

static void test_values(void)
{
	static const uint32_t vals[] = {4294967295u,  (uint32_t)INT32_MAX + 1,
					4294967295u,  0,
					4294967295u,  3,
					(uint32_t)-1, 0,
					4294967295u};
	struct out o;
	struct clab_trace *tr = run(body_values, &o);
	const struct clab_record *r;

	expect_einval(&o, 0, 9);
	CU_ASSERT_EQUAL(o.rc[9], 0);
	CU_ASSERT_EQUAL(o.rc[10], CLAB_EOVERFLOW);
	CU_ASSERT_EQUAL(o.rc[11], INT32_MAX);
	for (int i = 12; i < 18; i++)
		CU_ASSERT_EQUAL(o.rc[i], 0);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(ndiag(tr, CLAB_D_BAD_VALUE), 10);
	for (size_t i = 0; i < 9; i++) {
		r = diag(tr, CLAB_D_BAD_VALUE, i);
		CU_ASSERT_TRUE(r != NULL && r->a32 == vals[i] &&
			       site_here(tr, r));
	}
	/* the refused release names the semaphore and its value */
	r = diag(tr, CLAB_D_BAD_VALUE, 9);
	CU_ASSERT_TRUE(r != NULL && r->obj != 0 && r->a32 == INT32_MAX);
	CU_ASSERT_EQUAL(ndiag(tr, CLAB_D_BAD_OBJECT), 0);
	/* only "max" and "one" were made */
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_OBJ_CREATE), 2);
	clab_trace_free(tr);
}

/* ---- pointers: NULL, misaligned, the first page ---- */

static void body_pointers(void)
{
	union room u;
	clab_cond_t c;
	clab_mutex_t *odd = (clab_mutex_t *)(void *)(u.b + 1);
	clab_sem_t *low = (clab_sem_t *)(uintptr_t)64;

	memset(&u, 0, sizeof(u));
	clab_cond_init(&c, "c");
	rc(clab_mutex_lock(NULL));
	rc(clab_mutex_unlock(NULL));
	rc(clab_sem_acquire(NULL));
	rc(clab_latch_wait(NULL));
	rc(clab_cond_wait(&c, NULL));
	rc(clab_mutex_init(NULL, "n", CLAB_MUTEX_NORMAL));
	rc(clab_mutex_lock(odd));
	rc(clab_mutex_init(odd, "odd", CLAB_MUTEX_NORMAL));
	rc(clab_sem_release(low));
	rc(clab_sem_init(low, "low", 1, 0));
	/* destructors take NULL quietly */
	rc(clab_mutex_destroy(NULL));
	rc(clab_sem_destroy(NULL));
	rc(clab_cond_destroy(&c));
}

static void test_pointers(void)
{
	static const struct {
		unsigned why, kind;
	} want[] = {{CLAB_BADOBJ_NULL, CLAB_O_MUTEX},
		    {CLAB_BADOBJ_NULL, CLAB_O_MUTEX},
		    {CLAB_BADOBJ_NULL, CLAB_O_SEM},
		    {CLAB_BADOBJ_NULL, CLAB_O_LATCH},
		    {CLAB_BADOBJ_NULL, CLAB_O_MUTEX},
		    {CLAB_BADOBJ_NULL, CLAB_O_MUTEX},
		    {CLAB_BADOBJ_POINTER, CLAB_O_MUTEX},
		    {CLAB_BADOBJ_POINTER, CLAB_O_MUTEX},
		    {CLAB_BADOBJ_POINTER, CLAB_O_SEM},
		    {CLAB_BADOBJ_POINTER, CLAB_O_SEM}};
	struct out o;
	struct clab_trace *tr = run(body_pointers, &o);

	expect_einval(&o, 0, 10);
	for (int i = 10; i < 13; i++)
		CU_ASSERT_EQUAL(o.rc[i], 0);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(ndiag(tr, CLAB_D_BAD_OBJECT), 10);
	for (size_t i = 0; i < 10; i++)
		expect_bad(tr, i, want[i].why, want[i].kind, 1);
	clab_trace_free(tr);
}

/* ---- a copy of a live object ---- */

static void body_copy(void)
{
	clab_mutex_t m, copy;
	clab_sem_t s, scopy;

	clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL);
	clab_sem_init(&s, "s", 1, 0);
	memcpy(&copy, &m, sizeof(m));
	memcpy(&scopy, &s, sizeof(s));
	rc(clab_mutex_lock(&copy));
	rc(clab_sem_acquire(&scopy));
	rc(clab_mutex_lock(&m));
	rc(clab_mutex_unlock(&m));
	rc(clab_mutex_destroy(&m));
	rc(clab_sem_destroy(&s));
}

static void test_copy(void)
{
	struct out o;
	struct clab_trace *tr = run(body_copy, &o);

	expect_einval(&o, 0, 2);
	for (int i = 2; i < 6; i++)
		CU_ASSERT_EQUAL(o.rc[i], 0);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(ndiag(tr, CLAB_D_BAD_OBJECT), 2);
	expect_bad(tr, 0, CLAB_BADOBJ_CORRUPT, CLAB_O_MUTEX, 1);
	expect_bad(tr, 1, CLAB_BADOBJ_CORRUPT, CLAB_O_SEM, 1);
	clab_trace_free(tr);
}

/* ---- an object of an earlier trace ---- */

static clab_mutex_t stale_m;
static clab_latch_t stale_l;

static void pre_stale(void)
{
	char path[4096];

	tmp_path(path, sizeof(path), "earlier");
	if (open_trace(path) < 0)
		_exit(6);
	clab_mutex_init(&stale_m, "m", CLAB_MUTEX_NORMAL);
	clab_latch_init(&stale_l, "l");
	clab_tracer_close(NULL);
	unlink(path);
}

static void body_stale(void)
{
	rc(clab_mutex_lock(&stale_m));
	rc(clab_latch_set(&stale_l));
	/* initialised again in this trace, it is fine */
	rc(clab_mutex_init(&stale_m, "m", CLAB_MUTEX_NORMAL));
	rc(clab_mutex_lock(&stale_m));
	rc(clab_mutex_unlock(&stale_m));
	rc(clab_mutex_destroy(&stale_m));
}

static void test_stale(void)
{
	struct out o;
	struct clab_trace *tr;
	int status = run_pre(pre_stale, body_stale, &o, &tr);

	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	expect_einval(&o, 0, 2);
	for (int i = 2; i < 6; i++)
		CU_ASSERT_EQUAL(o.rc[i], 0);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(ndiag(tr, CLAB_D_BAD_OBJECT), 2);
	expect_bad(tr, 0, CLAB_BADOBJ_EARLIER_TRACE, CLAB_O_MUTEX, 1);
	expect_bad(tr, 1, CLAB_BADOBJ_EARLIER_TRACE, CLAB_O_LATCH, 1);
	clab_trace_free(tr);
}

/* ---- freed memory ---- */

static void body_freed(void)
{
	/* volatile: the compiler must not see (and warn of) the reuse */
	clab_mutex_t *volatile m = malloc(sizeof(*m));
	clab_sem_t *volatile s = malloc(sizeof(*s));

	if (m == NULL || s == NULL)
		_exit(7);
	rc(clab_mutex_init(m, "m", CLAB_MUTEX_NORMAL));
	rc(clab_mutex_destroy(m));
	rc(clab_sem_init(s, "s", 1, 0));
	rc(clab_sem_destroy(s));
	free(m);
	free(s);
	/* use after free: ASan and TSan stop here; without them, refused */
	rc(clab_mutex_lock(m));
	rc(clab_sem_acquire(s));
}

static void test_freed(void)
{
	struct out o;
	struct clab_trace *tr;
	int status;

	child_may_die = HOSTILE_UAF;
	status = run_pre(NULL, body_freed, &o, &tr);
	child_may_die = 0;

	if (HOSTILE_UAF) {
		/* the sanitizer reports the read of the freed header */
		CU_ASSERT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "heap-use-after-free"));
		if (tr != NULL)
			clab_trace_free(tr);
		return;
	}
	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	for (int i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(o.rc[i], 0);
	expect_einval(&o, 4, 6);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(ndiag(tr, CLAB_D_BAD_OBJECT), 2);
	for (size_t i = 0; i < 2; i++) {
		const struct clab_record *r = diag(tr, CLAB_D_BAD_OBJECT, i);
		unsigned why = r ? r->a32 & 0xff : 0;
		/*
		 * What free() leaves decides which: the allocator's own
		 * words (or MALLOC_PERTURB_'s bytes) over the header read as
		 * corrupt, an untouched header as destroyed.
		 */
		CU_ASSERT_TRUE(why == CLAB_BADOBJ_DESTROYED ||
			       why == CLAB_BADOBJ_CORRUPT);
		CU_ASSERT_TRUE(r != NULL && site_here(tr, r));
	}
	clab_trace_free(tr);
}

/* ---- lock_many with one bad mutex ---- */

static void body_lock_many(void)
{
	clab_mutex_t a, b, zero;
	clab_mutex_t *ms[3] = {&a, &zero, &b};

	memset(&zero, 0, sizeof(zero));
	clab_mutex_init(&a, "a", CLAB_MUTEX_NORMAL);
	clab_mutex_init(&b, "b", CLAB_MUTEX_NORMAL);
	rc(clab_lock_many(ms, 3));
	rc(clab_mutex_held(&a));
	rc(clab_mutex_held(&b));
	rc(clab_unlock_many(ms, 3));
	rc(clab_mutex_destroy(&a));
	rc(clab_mutex_destroy(&b));
}

static void test_lock_many(void)
{
	struct out o;
	struct clab_trace *tr = run(body_lock_many, &o);

	CU_ASSERT_EQUAL(o.rc[0], CLAB_EINVAL);
	CU_ASSERT_EQUAL(o.rc[1], 0); /* nothing was taken */
	CU_ASSERT_EQUAL(o.rc[2], 0);
	CU_ASSERT_EQUAL(o.rc[3], CLAB_EINVAL);
	CU_ASSERT_EQUAL(o.rc[4], 0);
	CU_ASSERT_EQUAL(o.rc[5], 0);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(ndiag(tr, CLAB_D_BAD_OBJECT), 2);
	expect_bad(tr, 0, CLAB_BADOBJ_UNINIT, CLAB_O_MUTEX, 1);
	expect_bad(tr, 1, CLAB_BADOBJ_UNINIT, CLAB_O_MUTEX, 1);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_MUTEX_ACQUIRE), 0);
	clab_trace_free(tr);
}

/* ---- from another thread, with the detector and the watchdog on ---- */

static void *bad_worker(void *arg)
{
	union room *u = arg;

	return (void *)(intptr_t)clab_sem_acquire(&u->s);
}

static void body_thread(void)
{
	static union room u;
	struct clab_watchdog_opts wo;
	clab_thread_t *t;
	void *ret = NULL;

	memset(&u, 0xff, sizeof(u));
	memset(&wo, 0, sizeof(wo));
	wo.period_ms = 20;
	rc(clab_watchdog_start(&wo));
	rc(clab_thread_create(&t, "worker", bad_worker, &u));
	rc(clab_thread_join(t, &ret));
	rc((int)(intptr_t)ret);
	clab_watchdog_stop();
}

static void test_thread(void)
{
	struct out o;
	struct clab_trace *tr = run(body_thread, &o);
	const struct clab_record *r;

	CU_ASSERT_EQUAL(o.rc[0], 0);
	CU_ASSERT_EQUAL(o.rc[1], 0);
	CU_ASSERT_EQUAL(o.rc[2], 0);
	CU_ASSERT_EQUAL(o.rc[3], CLAB_EINVAL);
	if (tr == NULL)
		return;
	r = expect_bad(tr, 0, CLAB_BADOBJ_CORRUPT, CLAB_O_SEM, 1);
	CU_ASSERT_TRUE(r != NULL && r->tid == 1); /* the worker's */
	CU_ASSERT_EQUAL(ndiag(tr, CLAB_D_DEADLOCK), 0);
	clab_trace_free(tr);
}

/* ---- more kinds initialised twice and destroyed twice ---- */

static void body_twice_each(void)
{
	clab_cond_t c;
	clab_latch_t l;
	clab_barrier_t b;
	clab_queue_t q;
	clab_timer_t t;
	clab_ptimer_t p;

	rc(clab_cond_init(&c, "c"));
	rc(clab_latch_init(&l, "l"));
	rc(clab_barrier_init(&b, "b", 2));
	rc(clab_queue_init(&q, "q", 0));
	rc(clab_timer_init(&t, "t"));
	rc(clab_ptimer_init(&p, "p", 5));
	rc(clab_cond_init(&c, "c"));
	rc(clab_latch_init(&l, "l"));
	rc(clab_barrier_init(&b, "b", 2));
	rc(clab_queue_init(&q, "q", 0));
	rc(clab_timer_init(&t, "t"));
	rc(clab_ptimer_init(&p, "p", 5));
	rc(clab_cond_destroy(&c));
	rc(clab_latch_destroy(&l));
	rc(clab_barrier_destroy(&b));
	rc(clab_queue_destroy(&q));
	rc(clab_timer_destroy(&t));
	rc(clab_ptimer_destroy(&p));
	rc(clab_cond_destroy(&c));
	rc(clab_latch_destroy(&l));
	rc(clab_barrier_destroy(&b));
	rc(clab_queue_destroy(&q));
	rc(clab_timer_destroy(&t));
	rc(clab_ptimer_destroy(&p));
}

static void test_twice_each(void)
{
	static const unsigned kinds[] = {CLAB_O_COND,	 CLAB_O_LATCH,
					 CLAB_O_BARRIER, CLAB_O_QUEUE,
					 CLAB_O_TIMER,	 CLAB_O_PTIMER};
	struct out o;
	struct clab_trace *tr = run(body_twice_each, &o);

	CU_ASSERT_EQUAL(o.n, 24);
	for (int i = 0; i < 24; i++)
		CU_ASSERT_EQUAL(o.rc[i], i / 6 % 2 ? CLAB_EINVAL : 0);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(ndiag(tr, CLAB_D_BAD_OBJECT), 12);
	for (size_t i = 0; i < 6; i++) {
		expect_bad(tr, i, CLAB_BADOBJ_INIT_TWICE, kinds[i], 1);
		expect_bad(tr, 6 + i, CLAB_BADOBJ_DESTROYED, kinds[i], 1);
	}
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_OBJ_CREATE), 6);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_OBJ_DESTROY), 6);
	clab_trace_free(tr);
}

/* ---- a condition wait on a destroyed mutex ---- */

static void body_cond_dead_mutex(void)
{
	clab_cond_t c;
	clab_mutex_t m;

	clab_cond_init(&c, "c");
	clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL);
	clab_mutex_destroy(&m);
	rc(clab_cond_wait(&c, &m));
	rc(clab_cond_timedwait(&c, &m, 10));
	rc(clab_cond_destroy(&c));
}

static void test_cond_dead_mutex(void)
{
	struct out o;
	struct clab_trace *tr = run(body_cond_dead_mutex, &o);

	expect_einval(&o, 0, 2);
	CU_ASSERT_EQUAL(o.rc[2], 0);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(ndiag(tr, CLAB_D_BAD_OBJECT), 2);
	expect_bad(tr, 0, CLAB_BADOBJ_DESTROYED, CLAB_O_MUTEX, 1);
	expect_bad(tr, 1, CLAB_BADOBJ_DESTROYED, CLAB_O_MUTEX, 1);
	/* no wait began, and no cond-without-mutex either */
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_COND_WAIT), 0);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_DIAG), 2);
	clab_trace_free(tr);
}

/* ---- strict order: a bad mutex is bad, not out of order ---- */

static void body_strict(void)
{
	clab_mutex_t a, b;
	union room u;

	memset(&u, 0x33, sizeof(u));
	clab_set_strict_order(1);
	clab_mutex_init(&a, "a", CLAB_MUTEX_NORMAL);
	clab_mutex_init(&b, "b", CLAB_MUTEX_NORMAL);
	rc(clab_mutex_lock(&b));
	rc(clab_mutex_lock(&u.m));
	rc(clab_mutex_lock_ordered(&u.m));
	rc(clab_mutex_lock(&a)); /* out of order: refused as before */
	rc(clab_mutex_unlock(&b));
	clab_set_strict_order(0);
	clab_mutex_destroy(&a);
	clab_mutex_destroy(&b);
}

static void test_strict(void)
{
	struct out o;
	struct clab_trace *tr = run(body_strict, &o);

	CU_ASSERT_EQUAL(o.rc[0], 0);
	CU_ASSERT_EQUAL(o.rc[1], CLAB_EINVAL);
	CU_ASSERT_EQUAL(o.rc[2], CLAB_EINVAL);
	CU_ASSERT_EQUAL(o.rc[3], CLAB_EORDER);
	CU_ASSERT_EQUAL(o.rc[4], 0);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(ndiag(tr, CLAB_D_BAD_OBJECT), 2);
	CU_ASSERT_EQUAL(ndiag(tr, CLAB_D_LOCK_ORDER), 1);
	expect_bad(tr, 0, CLAB_BADOBJ_CORRUPT, CLAB_O_MUTEX, 1);
	expect_bad(tr, 1, CLAB_BADOBJ_CORRUPT, CLAB_O_MUTEX, 1);
	clab_trace_free(tr);
}

/* ---- under the controlled scheduler ---- */

static void *sched_worker(void *arg)
{
	clab_mutex_t *m = arg;
	union room u;
	intptr_t r;

	memset(&u, 0xff, sizeof(u));
	r = clab_sem_acquire(&u.s);
	clab_mutex_lock(m);
	clab_mutex_unlock(m);
	return (void *)r;
}

static void body_sched(void)
{
	struct clab_sched_opts so;
	struct clab_watchdog_opts wo;
	char sched[CLAB_SCHED_STRING_MAX];
	clab_thread_t *t[2];
	clab_mutex_t m;
	void *ret;

	memset(&wo, 0, sizeof(wo));
	memset(&so, 0, sizeof(so));
	so.mode = CLAB_SCHED_RANDOM;
	so.seed = 7;
	wo.period_ms = 50;
	rc(clab_watchdog_start(&wo));
	rc(clab_sched_start(&so));
	clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL);
	for (int i = 0; i < 2; i++)
		rc(clab_thread_create(&t[i], "worker", sched_worker, &m));
	for (int i = 0; i < 2; i++) {
		rc(clab_thread_join(t[i], &ret));
		rc((int)(intptr_t)ret);
	}
	rc(clab_mutex_destroy(&m));
	rc(clab_sched_stop(sched, sizeof(sched)) > 0 ? 0 : -1);
	clab_watchdog_stop();
}

static void test_sched(void)
{
	static const int want[] = {0,		0, 0,		0, 0,
				   CLAB_EINVAL, 0, CLAB_EINVAL, 0, 0};
	struct out o;
	struct clab_trace *tr;

	virtual_time = 1;
	tr = run(body_sched, &o);
	virtual_time = 0;
	CU_ASSERT_EQUAL(o.n, 10);
	for (int i = 0; i < 10; i++)
		CU_ASSERT_EQUAL(o.rc[i], want[i]);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(ndiag(tr, CLAB_D_BAD_OBJECT), 2);
	expect_bad(tr, 0, CLAB_BADOBJ_CORRUPT, CLAB_O_SEM, 1);
	expect_bad(tr, 1, CLAB_BADOBJ_CORRUPT, CLAB_O_SEM, 1);
	CU_ASSERT_EQUAL(ndiag(tr, CLAB_D_DEADLOCK), 0);
	CU_ASSERT_EQUAL(ndiag(tr, CLAB_D_STEP_LIMIT), 0);
	clab_trace_free(tr);
}

/* ---- a recursive mutex: bad at every depth ---- */

static void body_recursive(void)
{
	clab_mutex_t m;

	clab_mutex_init(&m, "r", CLAB_MUTEX_RECURSIVE);
	rc(clab_mutex_lock(&m));
	rc(clab_mutex_lock(&m));
	/* destroy refuses a held mutex, as before: it stays alive */
	rc(clab_mutex_destroy(&m));
	rc(clab_mutex_unlock(&m));
	rc(clab_mutex_unlock(&m));
	rc(clab_mutex_destroy(&m));
	rc(clab_mutex_lock(&m));
	rc(clab_mutex_unlock(&m));
}

static void test_recursive(void)
{
	static const int want[] = {0, 0, CLAB_EBUSY,  0,
				   0, 0, CLAB_EINVAL, CLAB_EINVAL};
	struct out o;
	struct clab_trace *tr = run(body_recursive, &o);

	CU_ASSERT_EQUAL(o.n, 8);
	for (int i = 0; i < 8; i++)
		CU_ASSERT_EQUAL(o.rc[i], want[i]);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(ndiag(tr, CLAB_D_DESTROY_HELD), 1);
	CU_ASSERT_EQUAL(ndiag(tr, CLAB_D_BAD_OBJECT), 2);
	expect_bad(tr, 0, CLAB_BADOBJ_DESTROYED, CLAB_O_MUTEX, 1);
	expect_bad(tr, 1, CLAB_BADOBJ_DESTROYED, CLAB_O_MUTEX, 1);
	clab_trace_free(tr);
}

/* ---- forged headers: the right bytes in the wrong places ---- */

static void body_forged(void)
{
	union room u;
	clab_mutex_t m;
	uint16_t c;

	clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL);
	c = m.h.check;
	memset(&u, 0, sizeof(u));
	/* a mutex's kind and alive flag, with no check */
	u.m.h.kind = CLAB_O_MUTEX;
	u.m.h.alive = 1;
	rc(clab_mutex_lock(&u.m));
	/* the check of another address (m's) */
	u.m.h.check = c;
	rc(clab_mutex_lock(&u.m));
	/* a thread's kind, which no call takes */
	u.m.h.kind = CLAB_O_THREAD;
	rc(clab_mutex_lock(&u.m));
	/* m with an alive flag that is neither 0 nor 1 */
	m.h.alive = 2;
	rc(clab_mutex_lock(&m));
	/* and m again as it was: it works */
	m.h.alive = 1;
	rc(clab_mutex_lock(&m));
	rc(clab_mutex_unlock(&m));
	rc(clab_mutex_destroy(&m));
}

static void test_forged(void)
{
	struct out o;
	struct clab_trace *tr = run(body_forged, &o);

	expect_einval(&o, 0, 4);
	for (int i = 4; i < 7; i++)
		CU_ASSERT_EQUAL(o.rc[i], 0);
	if (tr == NULL)
		return;
	CU_ASSERT_EQUAL(ndiag(tr, CLAB_D_BAD_OBJECT), 4);
	for (size_t i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(bad_obj(expect_bad(tr, i, CLAB_BADOBJ_CORRUPT,
						   CLAB_O_MUTEX, 1)),
				0);
	clab_trace_free(tr);
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "garbage mutex", test_garbage_mutex);
	CU_add_test(s, "garbage semaphore and barrier do not hang",
		    test_garbage_sem_barrier);
	CU_add_test(s, "garbage cond, latch, queue, timers",
		    test_garbage_others);
	CU_add_test(s, "zero-filled: never initialised", test_zero);
	CU_add_test(s, "destroyed mutex, used and destroyed again",
		    test_destroyed_mutex);
	CU_add_test(s, "each kind destroyed, then used", test_destroyed_each);
	CU_add_test(s, "the wrong kind through a cast", test_wrong_kind);
	CU_add_test(s, "initialised twice", test_init_twice);
	CU_add_test(s, "values out of range", test_values);
	CU_add_test(s, "NULL, misaligned and first-page pointers",
		    test_pointers);
	CU_add_test(s, "a copy of a live object", test_copy);
	CU_add_test(s, "an object of an earlier trace", test_stale);
	CU_add_test(s, "freed memory", test_freed);
	CU_add_test(s, "lock_many with a bad mutex", test_lock_many);
	CU_add_test(s, "in another thread, under the watchdog", test_thread);
	CU_add_test(s, "each kind initialised twice, destroyed twice",
		    test_twice_each);
	CU_add_test(s, "a condition wait on a destroyed mutex",
		    test_cond_dead_mutex);
	CU_add_test(s, "strict order: bad, not out of order", test_strict);
	CU_add_test(s, "under the controlled scheduler", test_sched);
	CU_add_test(s, "a recursive mutex destroyed", test_recursive);
	CU_add_test(s, "forged headers", test_forged);
}

int main(void)
{
	return tu_main("runtime/hostile", add_tests);
}
