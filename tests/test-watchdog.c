/*
 * Tests of runtime/watchdog.c: deadlock and time-limit detection.
 *
 * The watchdog's callback usually ends the program, so each scenario runs
 * in a forked child: the child records a trace, starts the watchdog with a
 * callback that writes the report to a file, closes the trace and exits
 * with status 3, and then gets stuck.  The parent waits for it (killing it
 * after 10 s) and checks the exit status, the report and the trace.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <conclab/label.h>

#include "rt.h"
#include "testutil.h"

#define STUCK_EXIT 3

static char report_path[4096];

/* The callback: write "why=N" and the report, close the trace, exit. */
static void on_stuck(const struct clab_deadlock *d, void *arg)
{
	FILE *f = fopen(report_path, "w");
	char *buf;
	int n;

	(void)arg;
	n = clab_deadlock_format(d, NULL, 0);
	buf = malloc((size_t)n + 1);
	if (f != NULL && buf != NULL) {
		clab_deadlock_format(d, buf, (size_t)n + 1);
		fprintf(f, "why=%d\n%s", (int)d->why, buf);
		for (size_t i = 0; i < d->npids; i++)
			fprintf(f, "other=%d\n", (int)d->pids[i]);
	}
	if (f != NULL)
		fclose(f);
	free(buf);
	clab_tracer_close(NULL);
	clab_deadlock_end_others(d); /* as the callback ends the process */
	_exit(STUCK_EXIT);
}

static void child_begin(const char *trace, unsigned run_limit_ms)
{
	struct clab_tracer_opts o = {.path = trace, .compress = -1};
	struct clab_watchdog_opts w = {
	    .period_ms = 50,
	    .run_limit_ms = run_limit_ms,
	    .on_stuck = on_stuck,
	};

	if (clab_tracer_open(&o) != 0)
		_exit(10);
	if (clab_watchdog_start(&w) != 0)
		_exit(11);
}

/* What a child left behind. */
struct outcome {
	int status; /* exit status, 128 + signal, or -1 if it was killed */
	uint64_t ms;
	char report[8192];
	struct clab_trace *tr;
};

static void read_report(struct outcome *o)
{
	FILE *f = fopen(report_path, "r");
	size_t n = 0;

	if (f != NULL) {
		n = fread(o->report, 1, sizeof(o->report) - 1, f);
		fclose(f);
	}
	o->report[n] = '\0';
}

/* Run scenario in a child; fill o.  Free o->tr afterwards. */
static void run_child(void (*scenario)(const char *trace), struct outcome *o)
{
	char trace[] = "/tmp/conclab-test-wd-XXXXXX";
	struct timespec ts = {0, 10000000L};
	char err[512];
	uint64_t t0;
	pid_t pid;
	int fd, st = 0, i, done = 0;

	memset(o, 0, sizeof(*o));
	o->status = -1;
	fd = mkstemp(trace);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	strcpy(report_path, "/tmp/conclab-test-wdr-XXXXXX");
	fd = mkstemp(report_path);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	fflush(NULL);
	t0 = clab__mono_ns();
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		scenario(trace);
		_exit(12); /* scenarios do not return */
	}
	for (i = 0; i < 1000 && !done; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			done = 1;
		else
			nanosleep(&ts, NULL);
	}
	o->ms = (clab__mono_ns() - t0) / 1000000u;
	if (!done) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		CU_FAIL("the child did not end within 10 s");
	} else {
		o->status =
		    WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
	read_report(o);
	if (o->status == STUCK_EXIT || o->status == 0) {
		err[0] = '\0';
		if (clab_trace_load(trace, &o->tr, err, sizeof(err)) != 0)
			fprintf(stderr, "\nclab_trace_load: %s\n", err);
		CU_ASSERT_PTR_NOT_NULL(o->tr);
	}
	if (o->status != STUCK_EXIT && o->status != 0)
		fprintf(stderr, "\nchild status %d, report:\n%s\n", o->status,
			o->report);
	unlink(trace);
	unlink(report_path);
}

/* The object (or thread object) with this name, or 0. */
static uint32_t oid_named(const struct clab_trace *tr, const char *name)
{
	uint32_t i, n = tr != NULL ? clab_trace_nobjects(tr) : 0;

	for (i = 1; i <= n; i++)
		if (strcmp(clab_trace_object(tr, i)->name, name) == 0)
			return i;
	return 0;
}

/* The a32 of the BLOCKED diagnostic about thread object oid, or 0. */
static uint32_t blocked_on(const struct clab_trace *tr, uint32_t oid)
{
	size_t i, n = tu_count(tr, CLAB_K_DIAG);
	const struct clab_record *r;

	for (i = 0; i < n; i++) {
		r = tu_find(tr, CLAB_K_DIAG, i);
		if (r->a8 == CLAB_D_BLOCKED && r->obj == oid)
			return r->a32;
	}
	return 0;
}

static size_t count_diag(const struct clab_trace *tr, unsigned code)
{
	size_t i, c = 0, n = tu_count(tr, CLAB_K_DIAG);

	for (i = 0; i < n; i++)
		if (tu_find(tr, CLAB_K_DIAG, i)->a8 == code)
			c++;
	return c;
}

static const struct clab_record *find_diag(const struct clab_trace *tr,
					   unsigned code)
{
	size_t i, n = tu_count(tr, CLAB_K_DIAG);

	for (i = 0; i < n; i++)
		if (tu_find(tr, CLAB_K_DIAG, i)->a8 == code)
			return tu_find(tr, CLAB_K_DIAG, i);
	return NULL;
}

#define REPORT_HAS(o, s)                                                       \
	do {                                                                   \
		if (strstr((o)->report, (s)) == NULL)                          \
			fprintf(stderr, "\nreport lacks \"%s\":\n%s\n", (s),   \
				(o)->report);                                  \
		CU_ASSERT_PTR_NOT_NULL(strstr((o)->report, (s)));              \
	} while (0)

/* ---- two threads take two locks in opposite orders ---- */
static struct {
	clab_mutex_t a, b;
	clab_barrier_t both;
	clab_cond_t c;
	clab_mutex_t m;
	int flag;
} sc;

static void *take_ab(void *p)
{
	(void)p;
	clab_mutex_lock(&sc.a);
	clab_barrier_wait(&sc.both);
	clab_mutex_lock(&sc.b);
	return NULL;
}

static void *take_ba(void *p)
{
	(void)p;
	clab_mutex_lock(&sc.b);
	clab_barrier_wait(&sc.both);
	clab_mutex_lock(&sc.a);
	return NULL;
}

static void scenario_cycle(const char *trace)
{
	clab_thread_t *t1, *t2;

	child_begin(trace, 0);
	clab_mutex_init(&sc.a, "fork-A", CLAB_MUTEX_NORMAL);
	clab_mutex_init(&sc.b, "fork-B", CLAB_MUTEX_NORMAL);
	clab_barrier_init(&sc.both, "both", 2);
	clab_thread_create(&t1, "alice", take_ab, NULL);
	clab_thread_create(&t2, "bob", take_ba, NULL);
	/* main keeps running (outside conclab): only the cycle is stuck */
	for (;;)
		pause();
}

static void test_cycle(void)
{
	struct outcome o;
	const struct clab_record *d;
	uint32_t alice, bob, fa, fb;

	run_child(scenario_cycle, &o);
	CU_ASSERT_EQUAL(o.status, STUCK_EXIT);
	REPORT_HAS(&o, "why=2\n");
	REPORT_HAS(&o, "deadlock: threads wait for each other in a cycle\n");
	REPORT_HAS(&o, "  main  running\n");
	REPORT_HAS(&o, "  alice waits on mutex fork-B at ");
	REPORT_HAS(&o, ", held by bob (taken at ");
	REPORT_HAS(&o, "  bob   waits on mutex fork-A at ");
	REPORT_HAS(&o, ", held by alice (taken at ");
	REPORT_HAS(&o, "  cycle: alice -> bob -> alice\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(o.tr);

	CU_ASSERT_TRUE(clab_trace_complete(o.tr));
	alice = oid_named(o.tr, "alice");
	bob = oid_named(o.tr, "bob");
	fa = oid_named(o.tr, "fork-A");
	fb = oid_named(o.tr, "fork-B");
	CU_ASSERT_TRUE(alice && bob && fa && fb);
	CU_ASSERT_EQUAL(count_diag(o.tr, CLAB_D_DEADLOCK), 1);
	d = find_diag(o.tr, CLAB_D_DEADLOCK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->a32, 2); /* blocked threads */
	CU_ASSERT_EQUAL(count_diag(o.tr, CLAB_D_BLOCKED), 2);
	CU_ASSERT_EQUAL(blocked_on(o.tr, alice), fb);
	CU_ASSERT_EQUAL(blocked_on(o.tr, bob), fa);
	CU_ASSERT_EQUAL(count_diag(o.tr, CLAB_D_RUN_TIMEOUT), 0);
	clab_trace_free(o.tr);
}

/* ---- two readers both upgrade to the write lock ---- */
static clab_rwlock_t rw;

static void *upgrade(void *p)
{
	(void)p;
	clab_rwlock_rdlock(&rw);
	clab_barrier_wait(&sc.both);
	clab_rwlock_wrlock(&rw);
	return NULL;
}

static void scenario_upgrade(const char *trace)
{
	clab_thread_t *t1, *t2;

	child_begin(trace, 0);
	clab_rwlock_init(&rw, "table", CLAB_RWLOCK_FAIR);
	clab_barrier_init(&sc.both, "both", 2);
	clab_thread_create(&t1, "alice", upgrade, NULL);
	clab_thread_create(&t2, "bob", upgrade, NULL);
	for (;;)
		pause();
}

static void test_rwlock_upgrade(void)
{
	struct outcome o;
	uint32_t alice, bob, table;

	run_child(scenario_upgrade, &o);
	CU_ASSERT_EQUAL(o.status, STUCK_EXIT);
	REPORT_HAS(&o, "why=2\n");
	REPORT_HAS(&o, "  alice waits on rwlock table at ");
	REPORT_HAS(&o, "  bob   waits on rwlock table at ");
	REPORT_HAS(&o, ", held by readers ");
	REPORT_HAS(&o, "alice, bob");
	REPORT_HAS(&o, "  cycle: ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(o.tr);
	alice = oid_named(o.tr, "alice");
	bob = oid_named(o.tr, "bob");
	table = oid_named(o.tr, "table");
	CU_ASSERT_TRUE(alice && bob && table);
	CU_ASSERT_EQUAL(blocked_on(o.tr, alice), table);
	CU_ASSERT_EQUAL(blocked_on(o.tr, bob), table);
	clab_trace_free(o.tr);
}

/* ---- one reader upgrades: it waits for itself ---- */
static void scenario_self_upgrade(const char *trace)
{
	child_begin(trace, 0);
	clab_rwlock_init(&rw, "table", CLAB_RWLOCK_READERS);
	clab_rwlock_rdlock(&rw);
	clab_rwlock_wrlock(&rw);
	_exit(13); /* never */
}

static void test_rwlock_self_upgrade(void)
{
	struct outcome o;

	run_child(scenario_self_upgrade, &o);
	CU_ASSERT_EQUAL(o.status, STUCK_EXIT);
	REPORT_HAS(&o, "  main waits on rwlock table at ");
	REPORT_HAS(&o, ", held by reader main (it waits for its own read "
		       "lock)");
	REPORT_HAS(&o, "  cycle: main -> main\n");
	clab_trace_free(o.tr);
}

/* ---- everyone waits on a condition nobody will signal ---- */
static void *wait_flag(void *p)
{
	uint32_t ms = (uint32_t)(uintptr_t)p;
	int r = 0;

	clab_mutex_lock(&sc.m);
	while (!sc.flag && r == 0)
		r = ms ? clab_cond_timedwait(&sc.c, &sc.m, ms)
		       : clab_cond_wait(&sc.c, &sc.m);
	/* a timed waiter that timed out wakes the others */
	sc.flag = 1;
	clab_cond_broadcast(&sc.c);
	clab_mutex_unlock(&sc.m);
	return NULL;
}

static void scenario_all_blocked(const char *trace)
{
	clab_thread_t *t1, *t2;

	child_begin(trace, 0);
	clab_mutex_init(&sc.m, "m", CLAB_MUTEX_NORMAL);
	clab_cond_init(&sc.c, "nonempty");
	sc.flag = 0;
	clab_thread_create(&t1, "w1", wait_flag, NULL);
	clab_thread_create(&t2, "w2", wait_flag, NULL);
	clab_thread_join(t1, NULL);
	_exit(13); /* never */
}

static void test_all_blocked(void)
{
	struct outcome o;
	const struct clab_record *d;
	uint32_t w1, w2, c;

	run_child(scenario_all_blocked, &o);
	CU_ASSERT_EQUAL(o.status, STUCK_EXIT);
	REPORT_HAS(&o, "why=1\n");
	REPORT_HAS(&o, "every live thread is blocked");
	REPORT_HAS(&o, "  main waits on thread w1 at ");
	REPORT_HAS(&o, ", until w1 ends\n");
	REPORT_HAS(&o, "  w1   waits on cond nonempty at ");
	REPORT_HAS(&o, "  w2   waits on cond nonempty at ");
	CU_ASSERT_PTR_NULL(strstr(o.report, "cycle:"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(o.tr);

	w1 = oid_named(o.tr, "w1");
	w2 = oid_named(o.tr, "w2");
	c = oid_named(o.tr, "nonempty");
	CU_ASSERT_TRUE(w1 && w2 && c);
	d = find_diag(o.tr, CLAB_D_DEADLOCK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->a32, 3);
	CU_ASSERT_EQUAL(count_diag(o.tr, CLAB_D_BLOCKED), 3);
	CU_ASSERT_EQUAL(blocked_on(o.tr, clab_trace_thread(o.tr, 0)->oid), w1);
	CU_ASSERT_EQUAL(blocked_on(o.tr, w1), c);
	CU_ASSERT_EQUAL(blocked_on(o.tr, w2), c);
	clab_trace_free(o.tr);
}

/*
 * ---- processes that wait for each other in the kernel ----
 * main waits for its child (waitpid), which reads a pipe whose write end
 * only main holds; a thread waits for good on a condition that only this
 * process could signal.  (ThreadSanitizer runs a thread of its own, in
 * neither wait: there the look never finds the process stuck.)
 */
#ifndef __SANITIZE_THREAD__
static void scenario_kernel(const char *trace)
{
	clab_thread_t *t;
	int p[2];
	char b;

	child_begin(trace, 0);
	clab_mutex_init(&sc.m, "m", CLAB_MUTEX_NORMAL);
	clab_cond_init(&sc.c, "never");
	sc.flag = 0;
	clab_thread_create(&t, "waiter", wait_flag, NULL);
	if (pipe(p) != 0)
		_exit(14);
	pid_t kid = fork();
	if (kid == 0) {
		close(p[1]);
		read(p[0], &b, 1);
		_exit(0);
	}
	waitpid(kid, NULL, 0);
	_exit(13); /* never */
}

static void test_kernel(void)
{
	struct outcome o;
	const struct clab_record *d;
	int kid = 0;

	run_child(scenario_kernel, &o);
	CU_ASSERT_EQUAL(o.status, STUCK_EXIT);
	REPORT_HAS(&o, "why=5\n");
	REPORT_HAS(&o, "deadlock: processes wait for each other in a cycle\n");
	REPORT_HAS(&o, "  main   waits in the kernel (below)\n");
	REPORT_HAS(&o, "  waiter waits on cond never at ");
	REPORT_HAS(&o, ") reads from a pipe (fd ");
	const char *l = strstr(o.report, "other=");
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	kid = atoi(l + 6);
	CU_ASSERT_TRUE(kid > 0);
	char path[64], stat[256] = "";
	snprintf(path, sizeof(path), "/proc/%d/stat", kid);
	/* ended: gone, or a zombie its new parent has not reaped yet */
	for (int i = 0; i < 100; i++) {
		FILE *f = fopen(path, "r");
		if (!f || !fgets(stat, sizeof(stat), f) ||
		    strstr(stat, ") Z ") != NULL) {
			stat[0] = 0;
			if (f)
				fclose(f);
			break;
		}
		fclose(f);
		usleep(10000);
	}
	CU_ASSERT_STRING_EQUAL(stat, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(o.tr);
	d = find_diag(o.tr, CLAB_D_DEADLOCK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->a32, 2); /* main in the kernel, waiter on c */
	clab_trace_free(o.tr);
}
#endif

/* ---- a timed waiter among blocked threads is not a deadlock ---- */
static void scenario_timed(const char *trace)
{
	clab_thread_t *t1, *t2;

	child_begin(trace, 0);
	clab_mutex_init(&sc.m, "m", CLAB_MUTEX_NORMAL);
	clab_cond_init(&sc.c, "c");
	sc.flag = 0;
	clab_thread_create(&t1, "forever", wait_flag, NULL);
	clab_thread_create(&t2, "timed", wait_flag, (void *)(uintptr_t)3000);
	clab_thread_join(t1, NULL);
	clab_thread_join(t2, NULL);
	clab_watchdog_stop();
	clab_tracer_close(NULL);
	_exit(0);
}

static void test_timed_is_not_stuck(void)
{
	struct outcome o;

	run_child(scenario_timed, &o);
	CU_ASSERT_EQUAL(o.status, 0);
	CU_ASSERT_STRING_EQUAL(o.report, "");
	CU_ASSERT_TRUE(o.ms >= 2900);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o.tr);
	CU_ASSERT_EQUAL(count_diag(o.tr, CLAB_D_DEADLOCK), 0);
	CU_ASSERT_EQUAL(count_diag(o.tr, CLAB_D_BLOCKED), 0);
	/* the timed waiter did time out, then woke the other */
	CU_ASSERT_EQUAL(tu_count(o.tr, CLAB_K_COND_WAIT), 2);
	CU_ASSERT_EQUAL(tu_count(o.tr, CLAB_K_THREAD_EXIT), 2);
	clab_trace_free(o.tr);
}

/* ---- a thread slow to exit after its end: its joiner is not stuck ---- */
static pthread_key_t slow_key;

static void slow_exit(void *p)
{
	(void)p;
	/* what a thread does after its start routine: here, take long */
	struct timespec d = {0, 400 * 1000000L};
	while (nanosleep(&d, &d) != 0)
		;
}

static void *ends_slowly(void *p)
{
	pthread_setspecific(slow_key, p);
	return NULL;
}

static void scenario_slow_exit(const char *trace)
{
	clab_thread_t *t;

	child_begin(trace, 0);
	pthread_key_create(&slow_key, slow_exit);
	clab_thread_create(&t, "slow", ends_slowly, &slow_key);
	/* sleeps in the thread's pthread_join for 400 ms after its end */
	clab_thread_join(t, NULL);
	clab_watchdog_stop();
	clab_tracer_close(NULL);
	_exit(0);
}

/*
 * A join without a deadline sleeps in the thread's pthread_join, which
 * returns only once the thread has exited; from the thread's end record
 * on, the joiner is woken, not blocked, so that the watchdog (every 50 ms
 * here) does not take main, the only live thread, for stuck.
 */
static void test_slow_exit_is_not_stuck(void)
{
	struct outcome o;

	run_child(scenario_slow_exit, &o);
	CU_ASSERT_EQUAL(o.status, 0);
	CU_ASSERT_STRING_EQUAL(o.report, "");
	CU_ASSERT_TRUE(o.ms >= 390);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o.tr);
	CU_ASSERT_EQUAL(count_diag(o.tr, CLAB_D_DEADLOCK), 0);
	CU_ASSERT_EQUAL(tu_count(o.tr, CLAB_K_THREAD_JOIN), 1);
	clab_trace_free(o.tr);
}

/* ---- spinning threads: only the run limit stops them ---- */
static void *spin(void *p)
{
	clab_mutex_t *first = p, *second = p == &sc.a ? &sc.b : &sc.a;

	clab_mutex_lock(first);
	clab_barrier_wait(&sc.both);
	while (clab_mutex_trylock(second) == CLAB_EBUSY)
		clab_sleep_ms(1);
	return NULL;
}

static void scenario_livelock(const char *trace)
{
	clab_thread_t *t1, *t2;

	child_begin(trace, 300);
	clab_mutex_init(&sc.a, "fork-A", CLAB_MUTEX_NORMAL);
	clab_mutex_init(&sc.b, "fork-B", CLAB_MUTEX_NORMAL);
	clab_barrier_init(&sc.both, "both", 2);
	clab_thread_create(&t1, "alice", spin, &sc.a);
	clab_thread_create(&t2, "bob", spin, &sc.b);
	clab_thread_join(t1, NULL);
	_exit(13); /* never */
}

static void test_time_limit(void)
{
	struct outcome o;
	const struct clab_record *d;

	run_child(scenario_livelock, &o);
	CU_ASSERT_EQUAL(o.status, STUCK_EXIT);
	REPORT_HAS(&o, "why=3\n");
	REPORT_HAS(&o, "stopped: the run exceeded its time limit");
	REPORT_HAS(&o, "  alice running\n");
	REPORT_HAS(&o, "  bob   running\n");
	CU_ASSERT_TRUE(o.ms >= 300);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o.tr);

	CU_ASSERT_EQUAL(count_diag(o.tr, CLAB_D_DEADLOCK), 0);
	d = find_diag(o.tr, CLAB_D_RUN_TIMEOUT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->a32, 1);
	CU_ASSERT_EQUAL(count_diag(o.tr, CLAB_D_BLOCKED), 1);
	CU_ASSERT_EQUAL(blocked_on(o.tr, clab_trace_thread(o.tr, 0)->oid),
			oid_named(o.tr, "alice"));
	CU_ASSERT_TRUE(tu_count(o.tr, CLAB_K_MUTEX_BUSY) >= 2);
	clab_trace_free(o.tr);
}

/* ---- the report text for a hand-built deadlock ---- */
static void test_format(void)
{
	static const struct clab_site s1 = {"./labs/x.c", "f", NULL, 10};
	static const struct clab_site s2 = {"../labs/x.c", "g", NULL, 20};
	static const struct clab_site s3 = {"labs/y.c", "h", NULL, 7};
	struct clab_blocked b[4];
	uint32_t cycle[2] = {1, 2};
	struct clab_deadlock d;
	static const char want[] =
	    "deadlock: threads wait for each other in a cycle\n"
	    "  main   running\n"
	    "  alice  waits on mutex fork-B at labs/x.c:10, "
	    "held by bob (taken at labs/x.c:20)\n"
	    "  bob    waits (with a timeout) on mutex fork-A at "
	    "labs/y.c:7, held by alice\n"
	    "  joiner waits on thread alice at labs/y.c:7, "
	    "until alice ends\n"
	    "  cycle: alice -> bob -> alice\n";
	char buf[1024], small[16];
	int n;

	memset(b, 0, sizeof(b));
	b[0] = (struct clab_blocked){
	    .tid = 0, .thread = "main", .holder = UINT32_MAX};
	b[1] = (struct clab_blocked){.tid = 1,
				     .thread = "alice",
				     .obj = 5,
				     .objkind = CLAB_O_MUTEX,
				     .objname = "fork-B",
				     .holder = 2,
				     .holder_name = "bob",
				     .site = &s1,
				     .holder_site = &s2};
	b[2] = (struct clab_blocked){.tid = 2,
				     .thread = "bob",
				     .obj = 4,
				     .objkind = CLAB_O_MUTEX,
				     .objname = "fork-A",
				     .holder = 1,
				     .holder_name = "alice",
				     .site = &s3,
				     .timed = 1};
	b[3] = (struct clab_blocked){.tid = 3,
				     .thread = "joiner",
				     .obj = 2,
				     .objkind = CLAB_O_THREAD,
				     .objname = "alice",
				     .holder = 1,
				     .holder_name = "alice",
				     .site = &s3};
	d = (struct clab_deadlock){.why = CLAB_STUCK_CYCLE,
				   .nthreads = 4,
				   .threads = b,
				   .ncycle = 2,
				   .cycle = cycle};
	n = clab_deadlock_format(&d, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, want);
	CU_ASSERT_EQUAL(n, (int)strlen(want));
	/* too small: cut short, terminated, the full length returned */
	memset(small, 'x', sizeof(small));
	CU_ASSERT_EQUAL(clab_deadlock_format(&d, small, sizeof(small)), n);
	CU_ASSERT_EQUAL(small[sizeof(small) - 1], '\0');
	CU_ASSERT_EQUAL(strncmp(small, want, sizeof(small) - 1), 0);
	CU_ASSERT_EQUAL(clab_deadlock_format(&d, NULL, 0), n);

	d = (struct clab_deadlock){
	    .why = CLAB_STUCK_ALL_BLOCKED, .nthreads = 1, .threads = &b[3]};
	clab_deadlock_format(&d, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(
	    buf, "deadlock: every live thread is blocked and none can "
		 "wake another\n"
		 "  joiner waits on thread alice at labs/y.c:7, "
		 "until alice ends\n");
	d = (struct clab_deadlock){.why = CLAB_STUCK_TIME_LIMIT};
	clab_deadlock_format(&d, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "stopped: the run exceeded its time limit "
				    "(livelock, starvation, or a very slow "
				    "run)\n");
}

/*
 * Names two threads (or two objects) share get the id; a name a thread
 * shares with an object, or an object two threads wait on, does not; no
 * name gives the id alone.
 */
static void test_format_shared(void)
{
	static const struct clab_site s1 = {"labs/x.c", "f", NULL, 10};
	struct clab_blocked b[5];
	uint32_t cycle[2] = {3, 4};
	struct clab_deadlock d;
	static const char want[] =
	    "deadlock: threads wait for each other in a cycle\n"
	    "  main        waits on thread worker (T3) at labs/x.c:10, "
	    "until worker (T3) ends\n"
	    "  lock        waits on mutex q at labs/x.c:10, held by "
	    "worker (T4)\n"
	    "  worker (T3) waits on mutex lock (#7) at labs/x.c:10, "
	    "held by worker (T4)\n"
	    "  worker (T4) waits on mutex lock (#8) at labs/x.c:10, "
	    "held by worker (T3)\n"
	    "  T5          waits on mutex #9 at labs/x.c:10, held by "
	    "T6\n"
	    "  cycle: worker (T3) -> worker (T4) -> worker (T3)\n";
	char buf[1024];

	b[0] = (struct clab_blocked){.tid = 0,
				     .thread = "main",
				     .obj = 2,
				     .objkind = CLAB_O_THREAD,
				     .objname = "worker",
				     .holder = 3,
				     .holder_name = "worker",
				     .site = &s1};
	b[1] = (struct clab_blocked){.tid = 1,
				     .thread = "lock",
				     .obj = 6,
				     .objkind = CLAB_O_MUTEX,
				     .objname = "q",
				     .holder = 4,
				     .holder_name = "worker",
				     .site = &s1};
	b[2] = (struct clab_blocked){.tid = 3,
				     .thread = "worker",
				     .obj = 7,
				     .objkind = CLAB_O_MUTEX,
				     .objname = "lock",
				     .holder = 4,
				     .holder_name = "worker",
				     .site = &s1};
	b[3] = (struct clab_blocked){.tid = 4,
				     .thread = "worker",
				     .obj = 8,
				     .objkind = CLAB_O_MUTEX,
				     .objname = "lock",
				     .holder = 3,
				     .holder_name = "worker",
				     .site = &s1};
	b[4] = (struct clab_blocked){.tid = 5,
				     .thread = "",
				     .obj = 9,
				     .objkind = CLAB_O_MUTEX,
				     .objname = NULL,
				     .holder = 6,
				     .holder_name = NULL,
				     .site = &s1};
	d = (struct clab_deadlock){.why = CLAB_STUCK_CYCLE,
				   .nthreads = 5,
				   .threads = b,
				   .ncycle = 2,
				   .cycle = cycle};
	clab_deadlock_format(&d, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, want);

	/* one object waited on by two threads is not two objects */
	b[3].obj = 7;
	b[3].holder = 1;
	b[3].holder_name = "lock";
	d.nthreads = 4;
	d.ncycle = 0;
	clab_deadlock_format(&d, buf, sizeof(buf));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(buf, "  worker (T3) waits on mutex lock at "));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(buf, "  worker (T4) waits on mutex lock at labs/x.c:10, "
			"held by lock\n"));
}

/*
 * A report folds at the text width, each thread's detail under its
 * message; holders that all took their locks at one site are told so
 * once; in a deadlock, how long each waited is left out.
 */
static void test_fold(void)
{
	static const struct clab_site take = {"labs/p.c", "f", NULL, 154};
	static const struct clab_site want_at = {"labs/p.c", "f", NULL, 158};
	struct clab_blocked b[3];
	uint32_t cycle[3] = {0, 1, 2};
	char buf[2048];
	const char *names[3] = {"phil-0", "phil-1", "philosopher-2"};
	const char *forks[3] = {"fork-1", "fork-2", "fork-0"};
	for (uint32_t i = 0; i < 3; i++)
		b[i] = (struct clab_blocked){.tid = i,
					     .thread = names[i],
					     .obj = 10 + (i + 1) % 3,
					     .objkind = CLAB_O_MUTEX,
					     .objname = forks[i],
					     .holder = (i + 1) % 3,
					     .holder_name = names[(i + 1) % 3],
					     .site = &want_at,
					     .holder_site = &take,
					     .waited_ns = 2000000};
	struct clab_deadlock d = {.why = CLAB_STUCK_CYCLE,
				  .nthreads = 3,
				  .threads = b,
				  .ncycle = 3,
				  .cycle = cycle};
	clab_text_width_set(60);
	clab_deadlock_format(&d, buf, sizeof(buf));
	clab_text_width_set(0);
	CU_ASSERT_STRING_EQUAL(
	    buf, "deadlock: threads wait for each other in a cycle\n"
		 "  phil-0        waits on mutex fork-1 at labs/p.c:158, held\n"
		 "                by phil-1\n"
		 "  phil-1        waits on mutex fork-2 at labs/p.c:158, held\n"
		 "                by philosopher-2\n"
		 "  philosopher-2 waits on mutex fork-0 at labs/p.c:158, held\n"
		 "                by phil-0\n"
		 "  the held locks were all taken at labs/p.c:154\n"
		 "  cycle: phil-0 -> phil-1 -> philosopher-2 -> phil-0\n");
	/* one holder took it elsewhere: each says where; a time limit says
	 * how long */
	static const struct clab_site other = {"labs/q.c", "g", NULL, 9};
	b[2].holder_site = &other;
	d.why = CLAB_STUCK_TIME_LIMIT;
	d.ncycle = 0;
	clab_deadlock_format(&d, buf, sizeof(buf));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "  phil-0        waits on mutex "
					   "fork-1 at labs/p.c:158 for 2 ms, "
					   "held by phil-1 (taken at "
					   "labs/p.c:154)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "(taken at labs/q.c:9)\n"));
	CU_ASSERT_PTR_NULL(strstr(buf, "all taken at"));
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "two readers upgrade: a cycle", test_rwlock_upgrade);
	CU_add_test(s, "a reader upgrades alone: waits for itself",
		    test_rwlock_self_upgrade);
	CU_add_test(s, "lock cycle", test_cycle);
	CU_add_test(s, "every thread blocked", test_all_blocked);
#ifndef __SANITIZE_THREAD__
	CU_add_test(s, "processes that wait for each other in the kernel",
		    test_kernel);
#endif
	CU_add_test(s, "a timed wait is not a deadlock",
		    test_timed_is_not_stuck);
	CU_add_test(s, "a thread slow to exit: its joiner is not stuck",
		    test_slow_exit_is_not_stuck);
	CU_add_test(s, "run time limit", test_time_limit);
	CU_add_test(s, "report format", test_format);
	CU_add_test(s, "report format, shared names", test_format_shared);
	CU_add_test(s, "report folded", test_fold);
}

int main(void)
{
	/* the reports' content, not how they fold (test_fold checks that) */
	clab_text_width_set(0);
	return tu_main("runtime/watchdog", add_tests);
}
