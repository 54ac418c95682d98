/* runtime/proc: child processes, pipes of messages, and the watchdog's
 * deadlock between processes. */
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rt.h"
#include "testutil.h"

static char dir[PATH_MAX], path[PATH_MAX + 16];

/*
 * A trace in a directory of its own; controlled: on virtual time, under
 * the controlled scheduler (pct, seed 3).  0, or the failure asserted.
 */
static int open_trace_as(int controlled)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/conclab-proc-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		CU_FAIL("mkdtemp");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/t.clt", dir);
	struct clab_tracer_opts o = {
	    .path = path, .compress = -1, .virtual_time = controlled};
	int err = clab_tracer_open(&o);
	CU_ASSERT_EQUAL(err, 0);
	if (err || !controlled)
		return err;
	struct clab_sched_opts so = {.mode = CLAB_SCHED_PCT, .seed = 3};
	err = clab_sched_start(&so);
	CU_ASSERT_EQUAL(err, 0);
	return err;
}

static int open_trace(void)
{
	return open_trace_as(0);
}

/* Close the trace and load it, with the children's. */
static struct clab_trace *close_load(void)
{
	struct clab_trace *tr = NULL;
	char err[512];
	CU_ASSERT_EQUAL(clab_tracer_close(NULL), 0);
	if (clab_trace_load(path, &tr, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		CU_FAIL("load");
	}
	return tr;
}

static void clean(void)
{
	char cmd[PATH_MAX + 32];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

/* One process alone: messages in order, the capacity, the end of file, a
 * write with no reader, and values refused. */
static void test_pipe_alone(void)
{
	if (open_trace())
		return;
	clab_pipe_t p;
	int64_t v;
	CU_ASSERT_EQUAL_FATAL(clab_pipe_init(&p, "p", sizeof(v), 3), 0);
	for (v = 1; v <= 3; v++)
		CU_ASSERT_EQUAL(clab_pipe_write(&p, &v), 0);
	CU_ASSERT_EQUAL(clab_pipe_units(&p), 3);
	for (int64_t want = 1; want <= 3; want++) {
		CU_ASSERT_EQUAL(clab_pipe_read(&p, &v), 1);
		CU_ASSERT_EQUAL(v, want);
	}
	CU_ASSERT_EQUAL(clab_pipe_units(&p), 0);
	CU_ASSERT_EQUAL(clab_pipe_close(&p, CLAB_PIPE_WRITE), 0);
	CU_ASSERT_EQUAL(clab_pipe_read(&p, &v), 0); /* the end of file */
	CU_ASSERT_EQUAL(clab_pipe_close(&p, CLAB_PIPE_WRITE), CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_pipe_write(&p, &v), CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_pipe_destroy(&p), 0);

	clab_pipe_t q;
	CU_ASSERT_EQUAL_FATAL(clab_pipe_init(&q, "q", sizeof(v), 1), 0);
	CU_ASSERT_EQUAL(clab_pipe_close(&q, CLAB_PIPE_READ), 0);
	CU_ASSERT_EQUAL(clab_pipe_write(&q, &v), CLAB_EBROKEN);
	CU_ASSERT_EQUAL(clab_pipe_destroy(&q), 0);

	clab_pipe_t bad;
	CU_ASSERT_EQUAL(clab_pipe_init(&bad, "zero", 0, 1), CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_pipe_init(&bad, "big", CLAB_PIPE_MAX_MSG + 1, 1),
			CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_pipe_init(&bad, "none", 8, 0), CLAB_EINVAL);
	CU_ASSERT_EQUAL(
	    clab_pipe_init(&bad, "many", 8, CLAB_PIPE_MAX_UNITS + 1),
	    CLAB_EINVAL);
	struct clab_trace *tr = close_load();
	if (tr) {
		CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_PIPE_WRITE), 3);
		CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_PIPE_READ), 3);
		CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_PIPE_EOF), 1);
		CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_PIPE_BROKEN), 1);
		CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_PIPE_WRITE_WAIT), 0);
		CU_ASSERT(tu_count_diag(tr, CLAB_D_BAD_VALUE) >= 6);
		clab_trace_free(tr);
	}
	clean();
}

static clab_pipe_t cp;
static long nitems;

static int writer(void *arg)
{
	(void)arg;
	clab_pipe_close(&cp, CLAB_PIPE_READ);
	for (int64_t i = 0; i < nitems; i++)
		if (clab_pipe_write(&cp, &i) != 0)
			return 1;
	return 7;
}

static int killed(void *arg)
{
	(void)arg;
	raise(SIGKILL);
	return 0;
}

/* A child: its exit status, or 128 + the signal; its records merged in,
 * the waits for room in a pipe of 2 among them. */
static void test_spawn(void)
{
	if (open_trace())
		return;
	clab_proc_t c, k;
	int status = -1;
	nitems = 20;
	CU_ASSERT_EQUAL_FATAL(clab_pipe_init(&cp, "cp", sizeof(int64_t), 2), 0);
	CU_ASSERT_EQUAL_FATAL(clab_proc_spawn(&c, "writer", writer, NULL), 0);
	CU_ASSERT(clab_proc_pid(&c) > 0);
	clab_pipe_close(&cp, CLAB_PIPE_WRITE);
	int64_t v, want = 0;
	int r;
	/* slow enough that the child fills the pipe */
	while ((r = clab_pipe_read(&cp, &v)) == 1) {
		CU_ASSERT_EQUAL(v, want++);
		struct timespec ts = {0, 2000000};
		nanosleep(&ts, NULL);
	}
	CU_ASSERT_EQUAL(r, 0);
	CU_ASSERT_EQUAL(want, 20);
	CU_ASSERT_EQUAL(clab_proc_wait(&c, &status), 0);
	CU_ASSERT_EQUAL(status, 7);
	CU_ASSERT_EQUAL(clab_proc_wait(&c, &status), 0); /* reaped: again */
	CU_ASSERT_EQUAL(status, 7);
	CU_ASSERT_EQUAL(clab_proc_spawn(&k, "killed", killed, NULL), 0);
	CU_ASSERT_EQUAL(clab_proc_wait(&k, &status), 0);
	CU_ASSERT_EQUAL(status, 128 + SIGKILL);
	clab_pipe_destroy(&cp);
	struct clab_trace *tr = close_load();
	if (tr) {
		CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_PROC_SPAWN), 2);
		CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_PROC_REAPED), 2);
		CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_PIPE_READ), 20);
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
		/* the children record nothing there (runtime/proc.c) */
		CU_ASSERT_EQUAL(clab_trace_nthreads(tr), 1);
		clab_trace_free(tr);
		clean();
		return;
#endif
		/* the child's writes, merged with the parent's reads */
		CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_PIPE_WRITE), 20);
		CU_ASSERT(tu_count(tr, CLAB_K_PIPE_WRITE_WAIT) >= 1);
		/* no write ever left more than 2 messages in the pipe */
		for (size_t i = 0; i < clab_trace_nrecords(tr); i++) {
			const struct clab_record *x = clab_trace_record(tr, i);
			if (x->kind == CLAB_K_PIPE_WRITE)
				CU_ASSERT(x->a32 <= 2);
		}
		/* main, and the writer's thread by its pid (the killed
		 * child may have written no trace) */
		char tname[64];
		snprintf(tname, sizeof(tname), "pid %d / main",
			 clab_proc_pid(&c));
		CU_ASSERT(clab_trace_nthreads(tr) >= 2);
		CU_ASSERT_STRING_EQUAL(clab_trace_thread(tr, 1)->name, tname);
		clab_trace_free(tr);
	}
	clean();
}

static _Atomic int stuck_why;
static char stuck_text[4096];
static clab_proc_t victim;

/* The watchdog's callback: note the report, then end the child, which
 * ends the parent's wait. */
static void on_stuck(const struct clab_deadlock *d, void *arg)
{
	(void)arg;
	clab_deadlock_format(d, stuck_text, sizeof(stuck_text));
	atomic_store(&stuck_why, (int)d->why);
	kill(victim.pid, SIGKILL);
}

static int slow_writer(void *arg)
{
	(void)arg;
	struct timespec ts = {0, 400000000}; /* 400 ms: four looks */
	nanosleep(&ts, NULL);
	return writer(NULL);
}

/*
 * A trace, the watchdog, and a child that writes 5 messages into cp, a
 * pipe of 2, of which the parent holds only the read end.  0, or -1.
 */
static int watched_child(int (*fn)(void *))
{
	if (open_trace())
		return -1;
	struct clab_watchdog_opts wo = {.period_ms = 50, .on_stuck = on_stuck};
	atomic_store(&stuck_why, 0);
	nitems = 5;
	if (clab_watchdog_start(&wo) != 0 ||
	    clab_pipe_init(&cp, "cp", sizeof(int64_t), 2) != 0 ||
	    clab_proc_spawn(&victim, "child", fn, NULL) != 0) {
		CU_FAIL("the watchdog, the pipe or the child");
		return -1;
	}
	clab_pipe_close(&cp, CLAB_PIPE_WRITE);
	return 0;
}

/* Waiting for the child before reading: the watchdog sees both waits in
 * the table and reports a deadlock between processes. */
static void test_deadlock(void)
{
	if (watched_child(writer))
		return;
	int status = -1;
	CU_ASSERT_EQUAL(clab_proc_wait(&victim, &status), 0);
	CU_ASSERT_EQUAL(status, 128 + SIGKILL);
	CU_ASSERT_EQUAL(atomic_load(&stuck_why), CLAB_STUCK_PROCESSES);
	CU_ASSERT_PTR_NOT_NULL(strstr(stuck_text, "waits for child (pid "));
	CU_ASSERT_PTR_NOT_NULL(strstr(stuck_text,
				      "waits to write to pipe cp (full: 2 of 2 "
				      "messages), which only parent (pid "));
	clab_watchdog_stop();
	clab_pipe_destroy(&cp);
	struct clab_trace *tr = close_load();
	if (tr) {
		CU_ASSERT_EQUAL(tu_count_diag(tr, CLAB_D_DEADLOCK), 1);
		CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_PROC_WAIT), 1);
		clab_trace_free(tr);
	}
	clean();
}

/* Reading first, from a child slow to start, and a child that fills the
 * pipe while the parent reads slowly: long waits on other processes that
 * end, which the watchdog must not call a deadlock. */
static void test_no_false_report(void)
{
	if (watched_child(slow_writer))
		return;
	int64_t v;
	int n = 0;
	while (clab_pipe_read(&cp, &v) == 1) {
		n++;
		struct timespec ts = {0, 150000000}; /* the child waits */
		nanosleep(&ts, NULL);
	}
	CU_ASSERT_EQUAL(n, 5);
	int status = -1;
	CU_ASSERT_EQUAL(clab_proc_wait(&victim, &status), 0);
	CU_ASSERT_EQUAL(status, 7);
	CU_ASSERT_EQUAL(atomic_load(&stuck_why), 0);
	clab_watchdog_stop();
	clab_pipe_destroy(&cp);
	struct clab_trace *tr = close_load();
	if (tr) {
		CU_ASSERT_EQUAL(tu_count_diag(tr, CLAB_D_DEADLOCK), 0);
		clab_trace_free(tr);
	}
	clean();
}

#if !defined(__SANITIZE_THREAD__) && !defined(__SANITIZE_ADDRESS__)
/* (the controlled families: not in sanitizer builds, see add_tests) */
/*
 * A child fn that writes n messages into cp, a pipe of cap: the parent
 * reads them to the end of file, then reaps the child.  Its status.
 */
static int read_child(int (*fn)(void *), uint32_t cap, long n)
{
	clab_proc_t c;
	int status = -1;
	int64_t v, want = 0;
	nitems = n;
	CU_ASSERT_EQUAL_FATAL(clab_pipe_init(&cp, "cp", sizeof(int64_t), cap),
			      0);
	CU_ASSERT_EQUAL_FATAL(clab_proc_spawn(&c, "child", fn, NULL), 0);
	clab_pipe_close(&cp, CLAB_PIPE_WRITE);
	while (clab_pipe_read(&cp, &v) == 1)
		CU_ASSERT_EQUAL(v, want++);
	CU_ASSERT_EQUAL(want, n);
	CU_ASSERT_EQUAL(clab_proc_wait(&c, &status), 0);
	clab_pipe_destroy(&cp);
	return status;
}

/*
 * Under the controlled scheduler the processes take turns: the parent's
 * first read finds the pipe empty and hands the turn to the writer, which
 * fills the pipe (2) and hands it back, and so on; the merged records are
 * in that order, on one clock that never goes back.  pattern gets the
 * pipe's records as "w1 w2 W r1 r0 R ..." (W, R: a write's, a read's
 * wait; e: the end of file).
 */
static void controlled_family(char *pattern, size_t len)
{
	pattern[0] = 0;
	if (open_trace_as(1))
		return;
	CU_ASSERT_EQUAL(read_child(writer, 2, 6), 7);
	char sched[CLAB_SCHED_STRING_MAX];
	CU_ASSERT(clab_sched_stop(sched, sizeof(sched)) > 0);
	struct clab_trace *tr = close_load();
	size_t n = 0;
	uint64_t last = 0;
	for (size_t i = 0; tr && i < clab_trace_nrecords(tr); i++) {
		const struct clab_record *x = clab_trace_record(tr, i);
		CU_ASSERT(x->ns >= last);
		last = x->ns;
		char one[16] = "";
		if (x->kind == CLAB_K_PIPE_WRITE || x->kind == CLAB_K_PIPE_READ)
			snprintf(one, sizeof(one), "%c%u ",
				 x->kind == CLAB_K_PIPE_WRITE ? 'w' : 'r',
				 x->a32);
		else if (x->kind == CLAB_K_PIPE_WRITE_WAIT)
			strcpy(one, "W ");
		else if (x->kind == CLAB_K_PIPE_READ_WAIT)
			strcpy(one, "R ");
		else if (x->kind == CLAB_K_PIPE_EOF)
			strcpy(one, "e ");
		if (n + strlen(one) < len) {
			strcpy(pattern + n, one);
			n += strlen(one);
		}
	}
	clab_trace_free(tr);
	clean();
}

static void test_turns(void)
{
	char a[256], b[256];
	controlled_family(a, sizeof(a));
	CU_ASSERT_STRING_EQUAL(a, "R w1 w2 W r1 r0 R w1 w2 W r1 r0 R w1 w2 "
				  "r1 r0 e ");
	controlled_family(b, sizeof(b));
	CU_ASSERT_STRING_EQUAL(a, b);
}

/*
 * Under the controlled scheduler, a parent that ends its run without
 * waiting for its children: each child still gets the turn and finishes
 * its turns (its records, its end), rather than wait for a turn that
 * never comes and die with its parent; a run after it in the same
 * process takes turns as a family of its own.
 */
static void test_unreaped(void)
{
	if (open_trace_as(1))
		return;
	clab_proc_t c[2];
	nitems = 3;
	/* room for every message: the writers never wait for the parent */
	CU_ASSERT_EQUAL_FATAL(clab_pipe_init(&cp, "cp", sizeof(int64_t), 8), 0);
	CU_ASSERT_EQUAL_FATAL(clab_proc_spawn(&c[0], "w0", writer, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(clab_proc_spawn(&c[1], "w1", writer, NULL), 0);
	clab_pipe_close(&cp, CLAB_PIPE_WRITE);
	char sched[CLAB_SCHED_STRING_MAX];
	CU_ASSERT(clab_sched_stop(sched, sizeof(sched)) > 0);
	/* the children end on their own (they ended their runs before the
	 * run's end returned; the exits follow), with their status */
	for (int i = 0; i < 2; i++) {
		int st = -1;
		pid_t r = 0;
		for (int ms = 0; r == 0 && ms < 10000; ms++) {
			r = waitpid(clab_proc_pid(&c[i]), &st, WNOHANG);
			struct timespec ts = {0, 1000000};
			if (r == 0)
				nanosleep(&ts, NULL);
		}
		CU_ASSERT_EQUAL(r, clab_proc_pid(&c[i]));
		CU_ASSERT(r > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 7);
	}
	struct clab_trace *tr = close_load();
	if (tr) {
		/* both children's records, each to its end */
		CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_PIPE_WRITE), 6);
		CU_ASSERT_EQUAL(clab_trace_nthreads(tr), 3);
		CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_THREAD_EXIT), 2);
		CU_ASSERT(clab_trace_whole(tr));
		clab_trace_free(tr);
	}
	clean();
	/* the next controlled family takes turns as the first did */
	char a[256];
	controlled_family(a, sizeof(a));
	CU_ASSERT_STRING_EQUAL(a, "R w1 w2 W r1 r0 R w1 w2 W r1 r0 R w1 w2 "
				  "r1 r0 e ");
}

/* A child that spawns a writer of its own and ends without waiting. */
static int spawner(void *arg)
{
	(void)arg;
	clab_proc_t g;
	if (clab_proc_spawn(&g, "grandchild", writer, NULL) != 0)
		return 1;
	clab_pipe_close(&cp, CLAB_PIPE_READ);
	clab_pipe_close(&cp, CLAB_PIPE_WRITE);
	return 5;
}

/*
 * The same one level down: a child that ends without waiting for its own
 * child hands it the turn first, so that the grandchild writes every
 * message (and does not die with its parent), and the parent reads them
 * to the end of file.
 */
static void test_unreaped_grandchild(void)
{
	if (open_trace_as(1))
		return;
	CU_ASSERT_EQUAL(read_child(spawner, 8, 3), 5);
	char sched[CLAB_SCHED_STRING_MAX];
	CU_ASSERT(clab_sched_stop(sched, sizeof(sched)) > 0);
	struct clab_trace *tr = close_load();
	if (tr) {
		CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_PIPE_WRITE), 3);
		CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_PIPE_READ), 3);
		clab_trace_free(tr);
	}
	clean();
}
#endif

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "a pipe in one process", test_pipe_alone);
	CU_add_test(s, "a child, its status, its records merged", test_spawn);
	CU_add_test(s, "waiting for the child before reading: a deadlock",
		    test_deadlock);
	CU_add_test(s, "long waits that end are no deadlock",
		    test_no_false_report);
#if !defined(__SANITIZE_THREAD__) && !defined(__SANITIZE_ADDRESS__)
	/* (the children record nothing there, and run free: proc.c) */
	CU_add_test(s, "a controlled family takes turns", test_turns);
	CU_add_test(s, "children a controlled parent did not wait for end",
		    test_unreaped);
	CU_add_test(s, "so does a grandchild whose parent did not wait",
		    test_unreaped_grandchild);
#endif
}

int main(void)
{
	return tu_main("runtime/proc", add_tests);
}
