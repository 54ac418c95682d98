/*
 * Tests of runtime/fork.c: clab_fork, a child with a trace of its own,
 * linked to its parent's, as a reader finds them.
 */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <conclab/analyze.h>
#include <conclab/replay.h>
#include <conclab/semantics.h>

#include "rt.h"
#include "testutil.h"

/*
 * ThreadSanitizer does not support a child that starts threads after a
 * fork from a process with threads, as a child with a trace does (its
 * writer): it ends such a child, and with die_after_fork=0 it goes on "on
 * its own" and stops at its check "dup thread with used id" when a new
 * thread gets the stack of one the parent had.  Under it, only the fork
 * without a trace runs.
 */
#if defined(__SANITIZE_THREAD__)
#define TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TSAN 1
#endif
#endif
#ifndef TSAN
#define TSAN 0
#endif
/*
 * GCC's AddressSanitizer takes no allocator lock across a fork: a child
 * that starts threads (its writer) can wait for ever on a lock another
 * thread of the parent held at the fork (about 1 run in 30).  Under it
 * too, only the fork without a trace runs.
 */
#if defined(__SANITIZE_ADDRESS__)
#define ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ASAN 1
#endif
#endif
#ifndef ASAN
#define ASAN 0
#endif

static char dir[PATH_MAX], parent_path[PATH_MAX + 16];

/* Open a trace at DIR/p.clt (a stem the child's name is made from). */
static int open_parent(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/conclab-fork-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		CU_FAIL("mkdtemp");
		return -1;
	}
	snprintf(parent_path, sizeof(parent_path), "%s/p.clt", dir);
	struct clab_tracer_opts o = {
	    .path = parent_path, .flush_ms = 100, .compress = -1};
	int err = clab_tracer_open(&o);
	CU_ASSERT_EQUAL(err, 0);
	return err;
}

static struct clab_trace *load(const char *path)
{
	struct clab_trace *tr = NULL;
	char err[512];
	/* each process's own trace, without its children's */
	if (clab_trace_load_process(path, &tr, err, sizeof(err)) != 0) {
		fprintf(stderr, "load %s: %s\n", path, err);
		return NULL;
	}
	return tr;
}

static void child_path(pid_t pid, char *buf, size_t len)
{
	snprintf(buf, len, "%s/p.%ld.clt", dir, (long)pid);
}

static void family(const struct clab_trace *pt, const struct clab_trace *ct,
		   pid_t pid);

/* The trace of the child pid, alone (NULL: none). */
static struct clab_trace *load_child(pid_t pid)
{
	char cpath[PATH_MAX + 32];
	child_path(pid, cpath, sizeof(cpath));
	struct clab_trace *ct = load(cpath);
	CU_ASSERT_PTR_NOT_NULL(ct);
	return ct;
}

/* The parent's trace and the child's (pid), each alone; 0 if both load. */
static int load_both(pid_t pid, struct clab_trace **pt, struct clab_trace **ct)
{
	*pt = load(parent_path);
	*ct = load_child(pid);
	CU_ASSERT_PTR_NOT_NULL(*pt);
	return *pt && *ct ? 0 : -1;
}

/* Remove DIR and the traces in it. */
static void clean(pid_t pid)
{
	char p[PATH_MAX + 32];
	child_path(pid, p, sizeof(p));
	unlink(p);
	unlink(parent_path);
	rmdir(dir);
}

static int exit_status(pid_t pid)
{
	int st = 0;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* A thread that holds busy across the fork. */
static clab_mutex_t a, b, own, busy;
static clab_latch_t held, done;

static void *holder(void *arg)
{
	(void)arg;
	clab_mutex_lock(&busy);
	clab_latch_set(&held);
	clab_latch_wait(&done);
	clab_mutex_unlock(&busy);
	return NULL;
}

/* Make busy, and a thread that holds it until done is set. */
static clab_thread_t *start_holder(void)
{
	clab_mutex_init(&busy, "busy", CLAB_MUTEX_NORMAL);
	clab_latch_init(&held, "held");
	clab_latch_init(&done, "done");
	clab_thread_t *t = NULL;
	CU_ASSERT_EQUAL(clab_thread_create(&t, "holder", holder, NULL), 0);
	if (t)
		clab_latch_wait(&held);
	return t;
}

static void *adder(void *arg)
{
	(void)arg;
	for (int i = 0; i < 10; i++) {
		clab_mutex_lock(&a);
		clab_mutex_unlock(&a);
	}
	return NULL;
}

/* In the child: what it can do with the objects it inherited. */
static int child_main(void)
{
	int bad = 0;
	if (!clab_tracer_active())
		bad |= 1;
	/* held by a thread that is not in this process: held for good */
	if (clab_mutex_trylock(&busy) != CLAB_EBUSY)
		bad |= 2;
	/* held by the forking thread: its own */
	if (clab_mutex_unlock(&own) != 0)
		bad |= 4;
	/* b then a: the parent took a then b, which the child forgot */
	clab_mutex_lock(&b);
	clab_mutex_lock(&a);
	clab_mutex_unlock(&a);
	clab_mutex_unlock(&b);
	clab_thread_t *t;
	if (clab_thread_create(&t, "adder", adder, NULL) != 0 ||
	    clab_thread_join(t, NULL) != 0)
		bad |= 8;
	return bad;
}

static void test_child_trace(void)
{
	if (open_parent())
		return;
	clab_mutex_init(&a, "a", CLAB_MUTEX_NORMAL);
	clab_mutex_init(&b, "b", CLAB_MUTEX_NORMAL);
	clab_mutex_init(&own, "own", CLAB_MUTEX_NORMAL);
	clab_thread_t *t = start_holder();
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	clab_mutex_lock(&a);
	clab_mutex_lock(&b);
	clab_mutex_unlock(&b);
	clab_mutex_unlock(&a);
	clab_mutex_lock(&own);
	pid_t pid = clab_fork();
	if (pid == 0)
		exit(child_main()); /* exit() closes the child's trace */
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(exit_status(pid), 0);
	clab_mutex_unlock(&own);
	clab_latch_set(&done);
	clab_thread_join(t, NULL);
	CU_ASSERT_EQUAL(clab_tracer_close(NULL), 0);

	char want[128];
	struct clab_trace *pt, *ct;
	if (load_both(pid, &pt, &ct) != 0)
		goto out;
	/* the child's trace: whole, closed, its own threads */
	CU_ASSERT_TRUE(clab_trace_whole(ct));
	CU_ASSERT_TRUE(clab_trace_checksum_ok(ct));
	CU_ASSERT_EQUAL(clab_trace_end(ct, NULL), CLAB_END_COMPLETE);
	CU_ASSERT_EQUAL(clab_trace_gaps(ct), 0);
	CU_ASSERT_EQUAL(clab_trace_nthreads(ct), 2);
	CU_ASSERT_STRING_EQUAL(clab_trace_thread(ct, 0)->name, "main");
	/*
	 * its records, not the parent's: own, held at the fork, first; then
	 * b and a once by main, a 10 times by adder
	 */
	CU_ASSERT_EQUAL(tu_count(ct, CLAB_K_MUTEX_ACQUIRE), 13);
	const struct clab_record *first = tu_find(ct, CLAB_K_MUTEX_ACQUIRE, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(first);
	CU_ASSERT_EQUAL(first->tid, 0);
	CU_ASSERT_STRING_EQUAL(clab_trace_object(ct, first->obj)->name, "own");
	CU_ASSERT_EQUAL(tu_count(ct, CLAB_K_MUTEX_RELEASE), 13);
	CU_ASSERT_EQUAL(tu_count(pt, CLAB_K_MUTEX_ACQUIRE), 4);
	/* a fresh lock-order graph: b -> a is no cycle in the child */
	CU_ASSERT_EQUAL(tu_count_diag(ct, CLAB_D_LOCK_CYCLE), 0);
	CU_ASSERT_EQUAL(tu_count_diag(ct, CLAB_D_LOCK_CYCLE_LATENT), 0);
	CU_ASSERT_EQUAL(tu_count_diag(ct, CLAB_D_LOCK_CYCLE_TIMED), 0);
	CU_ASSERT_EQUAL(tu_count_diag(ct, CLAB_D_BAD_OBJECT), 0);
	/* the links between the two */
	snprintf(want, sizeof(want), "%ld", (long)pid);
	CU_ASSERT_STRING_EQUAL(clab_trace_meta(ct, "process.pid"), want);
	snprintf(want, sizeof(want), "%ld", (long)getpid());
	CU_ASSERT_STRING_EQUAL(clab_trace_meta(ct, "process.parent_pid"), want);
	CU_ASSERT_STRING_EQUAL(clab_trace_meta(pt, "process.pid"), want);
	CU_ASSERT_STRING_EQUAL(clab_trace_meta(ct, "process.parent_trace"),
			       "p.clt");
	CU_ASSERT_STRING_EQUAL(clab_trace_meta(ct, "process.fork_thread"), "0");
	const char *pid_id = clab_trace_meta(pt, "process.id");
	const char *kid_id = clab_trace_meta(ct, "process.id");
	CU_ASSERT_PTR_NOT_NULL(pid_id);
	CU_ASSERT_PTR_NOT_NULL(kid_id);
	if (pid_id && kid_id) {
		CU_ASSERT_EQUAL(strlen(kid_id), 32);
		CU_ASSERT_STRING_NOT_EQUAL(pid_id, kid_id);
		CU_ASSERT_STRING_EQUAL(clab_trace_meta(ct, "process.parent_id"),
				       pid_id);
		char key[64], val[128];
		snprintf(key, sizeof(key), "process.child.%ld", (long)pid);
		snprintf(val, sizeof(val), "%s p.%ld.clt", kid_id, (long)pid);
		const char *v = clab_trace_meta(pt, key);
		CU_ASSERT_PTR_NOT_NULL(v);
		if (v)
			CU_ASSERT_STRING_EQUAL(v, val);
	}
	/* process.fork_seq: main's record at that place is the fork */
	const char *seq = clab_trace_meta(ct, "process.fork_seq");
	CU_ASSERT_PTR_NOT_NULL_FATAL(seq);
	long nth = strtol(seq, NULL, 10), k = 0;
	const struct clab_record *fork_rec = NULL;
	for (size_t i = 0; i < clab_trace_nrecords(pt) && !fork_rec; i++) {
		const struct clab_record *r = clab_trace_record(pt, i);
		if (r->tid == 0 && k++ == nth)
			fork_rec = r;
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(fork_rec);
	CU_ASSERT_EQUAL(fork_rec->kind, CLAB_K_NOTE);
	CU_ASSERT_EQUAL(fork_rec->val, pid);
	const struct clab_site_info *si = clab_trace_site(pt, fork_rec->site);
	CU_ASSERT_TRUE(si && si->label && strcmp(si->label, "fork") == 0);
	family(pt, ct, pid);
out:
	clab_trace_free(pt);
	clab_trace_free(ct);
	clean(pid);
}

/*
 * The parent's trace loads with the child's: one timeline, the child's
 * threads named by its pid, none of its records before the fork; a
 * child's trace that is missing, or is not the child's, is left out.
 */
static void family(const struct clab_trace *pt, const struct clab_trace *ct,
		   pid_t pid)
{
	char path[PATH_MAX + 32], moved[PATH_MAX + 40], err[512];
	char want[PATH_MAX + 32], parent[PATH_MAX + 32];
	struct clab_trace *ft = NULL;
	uint32_t np = clab_trace_nthreads(pt);
	snprintf(path, sizeof(path), "%s/p.clt", dir);
	CU_ASSERT_EQUAL_FATAL(clab_trace_load(path, &ft, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NULL(clab_trace_warning(ft));
	CU_ASSERT_EQUAL(clab_trace_nthreads(ft), np + clab_trace_nthreads(ct));
	CU_ASSERT_EQUAL(clab_trace_nrecords(ft),
			clab_trace_nrecords(pt) + clab_trace_nrecords(ct));
	CU_ASSERT_EQUAL(tu_count(ft, CLAB_K_MUTEX_ACQUIRE),
			tu_count(pt, CLAB_K_MUTEX_ACQUIRE) +
			    tu_count(ct, CLAB_K_MUTEX_ACQUIRE));
	snprintf(want, sizeof(want), "pid %ld / main", (long)pid);
	CU_ASSERT_STRING_EQUAL(clab_trace_thread(ft, np)->name, want);
	size_t fork_at = SIZE_MAX, first = SIZE_MAX;
	for (size_t i = 0; i < clab_trace_nrecords(ft); i++) {
		const struct clab_record *r = clab_trace_record(ft, i);
		CU_ASSERT_EQUAL(r->seq, i);
		if (r->tid == 0 && r->kind == CLAB_K_NOTE && r->val == pid &&
		    fork_at == SIZE_MAX)
			fork_at = i;
		if (r->tid >= np && first == SIZE_MAX)
			first = i;
	}
	CU_ASSERT(fork_at < first && first != SIZE_MAX);
	clab_trace_free(ft);

	/* the child's trace gone: the parent's alone, and a warning */
	child_path(pid, path, sizeof(path));
	snprintf(moved, sizeof(moved), "%s.moved", path);
	CU_ASSERT_EQUAL_FATAL(rename(path, moved), 0);
	snprintf(parent, sizeof(parent), "%s/p.clt", dir);
	CU_ASSERT_EQUAL(clab_trace_load(parent, &ft, err, sizeof(err)), 0);
	if (ft) {
		CU_ASSERT_EQUAL(clab_trace_nthreads(ft), np);
		CU_ASSERT_PTR_NOT_NULL(clab_trace_warning(ft));
		clab_trace_free(ft);
	}
	/* another trace under the child's name (the parent's own): its
	 * links do not match, it is left out */
	char cmd[3 * PATH_MAX];
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", parent, path);
	CU_ASSERT_EQUAL(system(cmd), 0);
	CU_ASSERT_EQUAL(clab_trace_load(parent, &ft, err, sizeof(err)), 0);
	if (ft) {
		CU_ASSERT_EQUAL(clab_trace_nthreads(ft), np);
		const char *w = clab_trace_warning(ft);
		CU_ASSERT_TRUE(w && strstr(w, "not the trace of this run's"));
		clab_trace_free(ft);
	}
	CU_ASSERT_EQUAL(rename(moved, path), 0);
}

/*
 * Open the parent's trace, make m and fork: the child locks and unlocks m
 * n times and returns 0, the parent returns the child's pid (-1: no
 * trace).
 */
static pid_t fork_locking(clab_mutex_t *m, int n)
{
	if (open_parent())
		return -1;
	clab_mutex_init(m, "m", CLAB_MUTEX_NORMAL);
	pid_t pid = clab_fork();
	if (pid == 0)
		for (int i = 0; i < n; i++) {
			clab_mutex_lock(m);
			clab_mutex_unlock(m);
		}
	CU_ASSERT_FATAL(pid >= 0);
	return pid;
}

/* A child that aborts holding a lock: its trace has every record. */
static void test_child_crash(void)
{
	clab_mutex_t m;
	pid_t pid = fork_locking(&m, 1000);
	if (pid < 0)
		return;
	if (pid == 0) {
		clab_mutex_lock(&m);
		abort();
	}
	CU_ASSERT_EQUAL(exit_status(pid), 128 + SIGABRT);
	CU_ASSERT_EQUAL(clab_tracer_close(NULL), 0);
	struct clab_trace *ct, *pt;
	load_both(pid, &pt, &ct);
	if (ct) {
		CU_ASSERT_TRUE(clab_trace_whole(ct));
		CU_ASSERT_EQUAL(tu_count(ct, CLAB_K_MUTEX_ACQUIRE), 1001);
		const char *why = clab_trace_meta(ct, CLAB_META_CRASH);
		CU_ASSERT_TRUE(why && strcmp(why, "SIGABRT") == 0);
	}
	/* the parent's trace is its own: no crash, none of those locks */
	if (pt) {
		CU_ASSERT_EQUAL(clab_trace_end(pt, NULL), CLAB_END_COMPLETE);
		CU_ASSERT_EQUAL(tu_count(pt, CLAB_K_MUTEX_ACQUIRE), 0);
		CU_ASSERT_PTR_NULL(clab_trace_meta(pt, CLAB_META_CRASH));
	}
	clab_trace_free(ct);
	clab_trace_free(pt);
	clean(pid);
}

/*
 * A child that SIGTERM ends by its default action, holding a lock: conclab
 * saves its trace (every record, the signal named, a run that did not
 * end) before the signal ends it; before, the records of its last half
 * second were lost.  A signal the program ignores is left ignored.
 */
static void test_child_stopped(void)
{
	clab_mutex_t m;
	pid_t pid = fork_locking(&m, 1000);
	if (pid < 0)
		return;
	if (pid == 0) {
		clab_mutex_lock(&m);
		raise(SIGTERM);
		_exit(99); /* not reached */
	}
	CU_ASSERT_EQUAL(exit_status(pid), 128 + SIGTERM);
	CU_ASSERT_EQUAL(clab_tracer_close(NULL), 0);
	struct clab_trace *ct = load_child(pid);
	if (ct) {
		CU_ASSERT_PTR_NULL(clab_trace_damage(ct));
		CU_ASSERT_EQUAL(tu_count(ct, CLAB_K_MUTEX_ACQUIRE), 1001);
		const char *sig = clab_trace_meta(ct, CLAB_META_SIGNAL);
		CU_ASSERT_TRUE(sig && strcmp(sig, "SIGTERM") == 0);
		CU_ASSERT_PTR_NULL(clab_trace_meta(ct, CLAB_META_CRASH));
		CU_ASSERT_EQUAL(clab_trace_end(ct, NULL), CLAB_END_STOPPED);
		const char *inc = clab_trace_incomplete(ct);
		CU_ASSERT_TRUE(inc && strcmp(inc, "stopped by SIGTERM while 1 "
						  "thread ran") == 0);
	}
	clab_trace_free(ct);
	clean(pid);

	/* ignored before the open: it stays ignored, and the child goes on */
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGTERM, &ign, &old);
	pid = fork_locking(&m, 10);
	if (pid == 0) {
		raise(SIGTERM);
		exit(7);
	}
	if (pid > 0) {
		CU_ASSERT_EQUAL(exit_status(pid), 7);
		CU_ASSERT_EQUAL(clab_tracer_close(NULL), 0);
		ct = load_child(pid);
		if (ct) {
			CU_ASSERT_PTR_NULL(
			    clab_trace_meta(ct, CLAB_META_SIGNAL));
			CU_ASSERT_EQUAL(clab_trace_end(ct, NULL),
					CLAB_END_COMPLETE);
		}
		clab_trace_free(ct);
		clean(pid);
	}
	sigaction(SIGTERM, &old, NULL);
}

/* _exit in a child neither writes into the parent's trace nor harms it. */
static void test_child_exit_now(void)
{
	clab_mutex_t m;
	pid_t pid = fork_locking(&m, 50);
	if (pid < 0)
		return;
	if (pid == 0)
		_exit(0);
	CU_ASSERT_EQUAL(exit_status(pid), 0);
	for (int i = 0; i < 7; i++) {
		clab_mutex_lock(&m);
		clab_mutex_unlock(&m);
	}
	CU_ASSERT_EQUAL(clab_tracer_close(NULL), 0);
	struct clab_trace *pt = load(parent_path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pt);
	CU_ASSERT_TRUE(clab_trace_whole(pt));
	CU_ASSERT_TRUE(clab_trace_checksum_ok(pt));
	CU_ASSERT_EQUAL(clab_trace_end(pt, NULL), CLAB_END_COMPLETE);
	CU_ASSERT_EQUAL(tu_count(pt, CLAB_K_MUTEX_ACQUIRE), 7);
	clab_trace_free(pt);
	clean(pid);
}

/*
 * The watchdog in the child: started again, it sees the child's threads
 * only (the parent's holder is not there to be reported).
 */
static void on_stuck(const struct clab_deadlock *d, void *arg)
{
	(void)arg;
	_exit(40 + (int)d->nthreads);
}

static void test_child_watchdog(void)
{
	if (open_parent())
		return;
	struct clab_watchdog_opts w = {.period_ms = 20, .on_stuck = on_stuck};
	CU_ASSERT_EQUAL_FATAL(clab_watchdog_start(&w), 0);
	clab_thread_t *t = start_holder();
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	pid_t pid = clab_fork();
	if (pid == 0) {
		clab_mutex_lock(&busy); /* for ever: its holder is not here */
		_exit(1);
	}
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(exit_status(pid), 41);
	clab_latch_set(&done);
	clab_thread_join(t, NULL);
	clab_watchdog_stop();
	CU_ASSERT_EQUAL(clab_tracer_close(NULL), 0);
	struct clab_trace *ct = load_child(pid);
	if (ct)
		CU_ASSERT_EQUAL(tu_count_diag(ct, CLAB_D_DEADLOCK), 1);
	clab_trace_free(ct);
	clean(pid);
}

static void *nothing(void *arg)
{
	return arg;
}

/*
 * A child forked after thousands of threads ended: the parent gave back
 * their objects' entries, whole pages of them; the child's trace still
 * defines every id the parent gave (the ended threads without their
 * names), and the objects made after them keep theirs.
 */
static void test_child_after_churn(void)
{
	if (open_parent())
		return;
	for (int i = 0; i < 3000; i++) {
		clab_thread_t *t;
		CU_ASSERT_EQUAL_FATAL(
		    clab_thread_create(&t, "short", nothing, NULL), 0);
		CU_ASSERT_EQUAL_FATAL(clab_thread_join(t, NULL), 0);
	}
	CU_ASSERT_EQUAL(clab_tracer_flush(), 0); /* written, given back */
	clab_mutex_t m;
	clab_mutex_init(&m, "late", CLAB_MUTEX_NORMAL);
	pid_t pid = clab_fork();
	if (pid == 0) {
		clab_mutex_lock(&m);
		clab_mutex_unlock(&m);
		exit(0);
	}
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(exit_status(pid), 0);
	CU_ASSERT_EQUAL(clab_tracer_close(NULL), 0);
	struct clab_trace *pt, *ct;
	if (load_both(pid, &pt, &ct) != 0)
		goto out;
	CU_ASSERT_TRUE(clab_trace_whole(ct));
	CU_ASSERT_EQUAL(clab_trace_nobjects(ct), clab_trace_nobjects(pt));
	const struct clab_record *r = tu_find(ct, CLAB_K_MUTEX_ACQUIRE, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_STRING_EQUAL(clab_trace_object(ct, r->obj)->name, "late");
	CU_ASSERT_STRING_EQUAL(clab_trace_object(pt, r->obj)->name, "late");
	uint32_t named = 0, nameless = 0;
	for (uint32_t id = 1; id <= clab_trace_nobjects(pt); id++) {
		const struct clab_object_info *po = clab_trace_object(pt, id);
		const struct clab_object_info *co = clab_trace_object(ct, id);
		CU_ASSERT_EQUAL(po->kind, co->kind);
		if (po->kind != CLAB_O_THREAD || id == 1)
			continue;
		CU_ASSERT_STRING_EQUAL(po->name, "short");
		if (strcmp(co->name, "short") == 0)
			named++;
		else if (co->name[0] == 0)
			nameless++;
	}
	/* the first 2,900 or so are given back, the last few not yet */
	CU_ASSERT_EQUAL(named + nameless, 3000);
	CU_ASSERT(nameless >= 2048);
out:
	clab_trace_free(pt);
	clab_trace_free(ct);
	clean(pid);
}

/* Without a trace: a plain fork, and the child's primitives work. */
static void test_no_trace(void)
{
	CU_ASSERT_FALSE_FATAL(clab_tracer_active());
	clab_mutex_t m;
	clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL);
	clab_mutex_lock(&m);
	pid_t pid = clab_fork();
	if (pid == 0) {
		int ok = !clab_tracer_active() && clab_mutex_unlock(&m) == 0 &&
			 clab_mutex_lock(&m) == 0;
		_exit(ok ? 0 : 1);
	}
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(exit_status(pid), 0);
	CU_ASSERT_EQUAL(clab_mutex_unlock(&m), 0);
}

/*
 * What the forking thread holds goes into the child's trace in the order
 * it took it, each at its site: mutexes, reader-writer locks (read and
 * write) and permits; what it let go of before the fork does not.
 */
static clab_rwlock_t rd, wr, freed;
static clab_sem_t permit, dead;

static int child_lets_go(void)
{
	int bad = 0;
	bad |= clab_sem_release(&permit) != 0;
	bad |= (clab_rwlock_unlock(&wr) != 0) << 1;
	bad |= (clab_mutex_unlock(&b) != 0) << 2;
	bad |= (clab_rwlock_unlock(&rd) != 0) << 3;
	bad |= (clab_mutex_unlock(&a) != 0) << 4;
	/* released before the fork: not held, the unlock is refused */
	bad |= (clab_rwlock_unlock(&freed) != CLAB_EPERM) << 5;
	return bad;
}

static void test_child_holds(void)
{
	if (open_parent())
		return;
	clab_mutex_init(&a, "a", CLAB_MUTEX_NORMAL);
	clab_mutex_init(&b, "b", CLAB_MUTEX_NORMAL);
	clab_rwlock_init(&rd, "rd", CLAB_RWLOCK_READERS);
	clab_rwlock_init(&wr, "wr", CLAB_RWLOCK_READERS);
	clab_rwlock_init(&freed, "freed", CLAB_RWLOCK_READERS);
	clab_sem_init(&permit, "permit", 2, 0);
	clab_sem_init(&dead, "dead", 1, 0);
	clab_rwlock_rdlock(&freed);
	clab_rwlock_unlock(&freed);
	/* a permit of a semaphore destroyed since: nothing to replay */
	CU_ASSERT_EQUAL(clab_sem_acquire(&dead), 0);
	CU_ASSERT_EQUAL(clab_sem_destroy(&dead), 0);
	clab_mutex_lock(&a);
	clab_rwlock_rdlock(&rd);
	clab_mutex_lock(&b);
	clab_rwlock_wrlock(&wr);
	clab_sem_acquire(&permit);
	pid_t pid = clab_fork();
	if (pid == 0)
		exit(child_lets_go());
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(exit_status(pid), 0);
	CU_ASSERT_EQUAL(child_lets_go(), 0);
	CU_ASSERT_EQUAL(clab_tracer_close(NULL), 0);

	struct clab_trace *pt, *ct;
	if (load_both(pid, &pt, &ct) != 0)
		goto out;
	static const struct {
		unsigned kind;
		const char *obj;
		uint32_t a32;
	} want[] = {
	    {CLAB_K_THREAD_START, "main", 0},
	    {CLAB_K_MUTEX_ACQUIRE, "a", 1},
	    {CLAB_K_RW_READ_ACQUIRE, "rd", 1},
	    {CLAB_K_MUTEX_ACQUIRE, "b", 1},
	    {CLAB_K_RW_WRITE_ACQUIRE, "wr", 0},
	    {CLAB_K_SEM_ACQUIRE, "permit", 1},
	    {CLAB_K_SEM_RELEASE, "permit", 2},
	};
	size_t nwant = sizeof(want) / sizeof(want[0]);
	CU_ASSERT_FATAL(clab_trace_nrecords(ct) > nwant);
	for (size_t i = 0; i < nwant; i++) {
		const struct clab_record *r = clab_trace_record(ct, i);
		const struct clab_object_info *oi =
		    clab_trace_object(ct, r->obj);
		CU_ASSERT_EQUAL(r->kind, want[i].kind);
		CU_ASSERT_EQUAL(r->a32, want[i].a32);
		CU_ASSERT_TRUE(oi && strcmp(oi->name, want[i].obj) == 0);
		if (i == 0 || i + 1 == nwant)
			continue;
		/* at the site where the parent took it */
		const struct clab_site_info *si = clab_trace_site(ct, r->site);
		CU_ASSERT_TRUE(si && si->func &&
			       strcmp(si->func, "test_child_holds") == 0);
	}
	/* the lock let go before the fork and the semaphore destroyed:
	 * not in the child's trace, but for the refused unlock */
	uint32_t nfreed = 0;
	for (size_t i = 0; i < clab_trace_nrecords(ct); i++) {
		const struct clab_record *r = clab_trace_record(ct, i);
		const struct clab_object_info *oi =
		    clab_trace_object(ct, r->obj);
		nfreed += clab_kind_on_object(r->kind) && oi &&
			  (strcmp(oi->name, "freed") == 0 ||
			   strcmp(oi->name, "dead") == 0);
	}
	CU_ASSERT_EQUAL(nfreed, 0);
	CU_ASSERT_EQUAL(tu_count_diag(ct, CLAB_D_UNLOCK_UNLOCKED), 1);
	/* the viewer's holder line: after the replay, main holds a, rd, b
	 * and wr (mutexes and reader-writer locks) */
	struct clab_replay *rp = NULL;
	CU_ASSERT_EQUAL_FATAL(clab_replay_new(ct, 0, &rp), 0);
	struct clab_rstate st;
	CU_ASSERT_EQUAL_FATAL(clab_rstate_init(rp, &st), 0);
	clab_replay_seek(rp, &st, (uint32_t)nwant - 1);
	uint32_t hold[8];
	CU_ASSERT_EQUAL(clab_replay_held(rp, &st, 0, hold, 8), 4);
	clab_replay_seek(rp, &st, clab_trace_nrecords(ct));
	CU_ASSERT_EQUAL(clab_replay_held(rp, &st, 0, hold, 8), 0);
	clab_rstate_destroy(&st);
	clab_replay_free(rp);
	/* nothing out of order: the child takes nothing the other way */
	struct clab_analysis an;
	CU_ASSERT_EQUAL_FATAL(clab_analyze(ct, &an), 0);
	CU_ASSERT_EQUAL(clab_lockdep_ncycles(an.ld), 0);
	clab_analysis_fini(&an);
out:
	clab_trace_free(pt);
	clab_trace_free(ct);
	clean(pid);
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "without a trace", test_no_trace);
	if (TSAN || ASAN) {
		printf("%s: the tests of a child with a trace skipped (see "
		       "above)\n",
		       TSAN ? "ThreadSanitizer" : "AddressSanitizer");
		return;
	}
	CU_add_test(s, "the child's trace, linked to the parent's",
		    test_child_trace);
	CU_add_test(s, "a child that aborts holding a lock", test_child_crash);
	CU_add_test(s, "a child that SIGTERM ends holding a lock",
		    test_child_stopped);
	CU_add_test(s, "_exit in a child", test_child_exit_now);
	CU_add_test(s, "the watchdog in a child", test_child_watchdog);
	CU_add_test(s, "a child after thousands of threads ended",
		    test_child_after_churn);
	CU_add_test(s, "what the forking thread holds, in the child's trace",
		    test_child_holds);
}

int main(void)
{
	return tu_main("runtime/fork", add_tests);
}
