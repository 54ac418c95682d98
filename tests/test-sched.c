/*
 * Tests of runtime/sched.c: the controlled scheduler.
 *
 * Each run happens in a forked child, which opens a trace on the virtual
 * clock, starts the watchdog and the scheduler, runs a scenario, and
 * leaves its schedule string (or the watchdog's report, when stuck) in a
 * file; the parent checks the exit status, the string, the report and the
 * trace.  A child that has not ended after 10 s of real time is killed.
 */
#include <glob.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rt.h"
#include "testutil.h"

#define STUCK_EXIT 3

/*
 * A child with a trace starts threads of its own (its writer), which
 * ThreadSanitizer refuses after a fork from a process with threads, and
 * GCC's AddressSanitizer can hang on (see tests/test-fork.c): the test of
 * a fork under control runs in neither.
 */
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define FORK_RECORDS 0
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
#define FORK_RECORDS 0
#endif
#endif
#ifndef FORK_RECORDS
#define FORK_RECORDS 1
#endif

static char out_path[4096];

static void write_out(const char *text)
{
	/* after what the children of a scenario wrote (scenario_forks) */
	FILE *f = fopen(out_path, "a");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* The watchdog's callback: the report (why=N first), then exit 3. */
static void on_stuck(const struct clab_deadlock *d, void *arg)
{
	char buf[8192];
	int k = snprintf(buf, sizeof(buf), "why=%d\n", (int)d->why);
	(void)arg;
	clab_deadlock_format(d, buf + k, sizeof(buf) - (size_t)k);
	write_out(buf);
	clab_tracer_close(NULL);
	_exit(STUCK_EXIT);
}

struct run {
	struct clab_sched_opts o;
	void (*scenario)(void);
	/* results */
	int status; /* exit status, or -1 when killed */
	uint64_t ms;
	char out[8192]; /* the schedule string, or the report */
	struct clab_trace *tr;
	int diverged;
};

static void child(struct run *r, const char *trace)
{
	struct clab_tracer_opts t = {
	    .path = trace, .compress = -1, .virtual_time = 1};
	/* a long period: only the scheduler can report a deadlock in time */
	struct clab_watchdog_opts w = {.period_ms = 8000, .on_stuck = on_stuck};
	char sched[CLAB_SCHED_STRING_MAX];

	if (clab_tracer_open(&t) != 0)
		_exit(10);
	if (clab_watchdog_start(&w) != 0)
		_exit(11);
	if (clab_sched_start(&r->o) != 0)
		_exit(12);
	r->scenario();
	if (clab_sched_stop(sched, sizeof(sched)) < 0)
		_exit(13);
	if (clab_sched_diverged())
		strcat(sched, " diverged");
	write_out(sched);
	clab_watchdog_stop();
	clab_tracer_close(NULL);
	_exit(0);
}

static void run(struct run *r)
{
	char trace[] = "/tmp/conclab-test-sched-XXXXXX";
	struct timespec ts = {0, 5000000L};
	char err[512];
	int fd, st = 0, done = 0;
	uint64_t t0;
	pid_t pid;

	r->status = -1;
	r->tr = NULL;
	r->out[0] = 0;
	fd = mkstemp(trace);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	strcpy(out_path, "/tmp/conclab-test-scho-XXXXXX");
	fd = mkstemp(out_path);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	fflush(NULL);
	t0 = clab__mono_ns();
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0)
		child(r, trace);
	for (int i = 0; i < 2000 && !done; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			done = 1;
		else
			nanosleep(&ts, NULL);
	}
	r->ms = (clab__mono_ns() - t0) / 1000000u;
	if (!done) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		CU_FAIL("the child did not end within 10 s");
	} else {
		r->status =
		    WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
	FILE *f = fopen(out_path, "r");
	if (f) {
		size_t n = fread(r->out, 1, sizeof(r->out) - 1, f);
		r->out[n] = 0;
		fclose(f);
	}
	r->diverged = strstr(r->out, " diverged") != NULL;
	if (r->status == 0 || r->status == STUCK_EXIT) {
		if (clab_trace_load(trace, &r->tr, err, sizeof(err)) != 0)
			fprintf(stderr, "\nclab_trace_load: %s\n", err);
		CU_ASSERT_PTR_NOT_NULL(r->tr);
	} else if (r->status != 12) { /* 12: clab_sched_start refused */
		fprintf(stderr, "\nchild status %d: %s\n", r->status, r->out);
	}
	unlink(trace);
	unlink(out_path);
	/* the traces of the children a scenario forked */
	char pat[sizeof(trace) + 16];
	glob_t g;
	snprintf(pat, sizeof(pat), "%s.*", trace);
	if (glob(pat, GLOB_NOSORT, NULL, &g) == 0)
		for (size_t i = 0; i < g.gl_pathc; i++)
			unlink(g.gl_pathv[i]);
	globfree(&g);
}

/* The records as a string of what ran: kind, thread, object, arguments. */
static char *signature(const struct clab_trace *tr)
{
	size_t n = tr ? clab_trace_nrecords(tr) : 0, len = 0;
	char *s = malloc(n * 48 + 1);
	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		len += (size_t)sprintf(s + len, "%u.%u.%u.%u.%u.%llu;", r->kind,
				       r->tid, r->obj, r->a8, r->a32,
				       (unsigned long long)r->ns);
	}
	s[len] = 0;
	return s;
}

static struct clab_sched_opts mode(enum clab_sched_mode m, uint64_t seed)
{
	struct clab_sched_opts o = {.mode = m, .seed = seed};
	o.spurious_max = -1;
	return o;
}

/* ---- a busy little program: three workers, a mutex, a condition ---- */
static struct {
	clab_mutex_t m;
	clab_cond_t c;
	int turn, count;
} pp;

static void *worker(void *arg)
{
	int me = (int)(intptr_t)arg;
	for (int i = 0; i < 4; i++) {
		clab_mutex_lock(&pp.m);
		while (pp.turn % 3 != me)
			clab_cond_wait(&pp.c, &pp.m);
		pp.turn++;
		pp.count++;
		clab_cond_broadcast(&pp.c);
		clab_mutex_unlock(&pp.m);
		clab_note("did", i);
	}
	return NULL;
}

static void scenario_workers(void)
{
	clab_thread_t *t[3];
	clab_mutex_init(&pp.m, "m", CLAB_MUTEX_NORMAL);
	clab_cond_init(&pp.c, "c");
	pp.turn = pp.count = 0;
	for (int i = 0; i < 3; i++)
		clab_thread_create(&t[i], "worker", worker,
				   (void *)(intptr_t)i);
	for (int i = 0; i < 3; i++)
		clab_thread_join(t[i], NULL);
	if (pp.count != 12)
		_exit(20);
}

/* ---- forks under control ---- */

/*
 * The scenario's main thread starts the workers, forks twice while they
 * run, and joins them; each child runs workers of its own under its own
 * scheduler, and writes to the end of out_path what it saw: its schedule
 * string, whether its clock went on from the parent's, and its seed.
 */
static int fork_child(uint64_t at)
{
	uint64_t now = clab__sched_now();
	char sched[CLAB_SCHED_STRING_MAX];
	scenario_workers();
	if (clab_sched_stop(sched, sizeof(sched)) < 0)
		return 13;
	FILE *f = fopen(out_path, "a");
	if (!f)
		return 14;
	fprintf(f, "child %s clock %s\n", sched,
		now >= at && at > 1 ? "goes on" : "restarted");
	fclose(f);
	return 0;
}

static clab_mutex_t fm;

static void *locker(void *arg)
{
	(void)arg;
	for (int i = 0; i < 6; i++) {
		clab_mutex_lock(&fm);
		clab_note("locked", i);
		clab_mutex_unlock(&fm);
	}
	return NULL;
}

static void scenario_forks(void)
{
	clab_thread_t *t;
	clab_mutex_init(&fm, "fm", CLAB_MUTEX_NORMAL);
	clab_thread_create(&t, "locker", locker, NULL);
	for (int k = 0; k < 2; k++) {
		clab_mutex_lock(&fm);
		clab_mutex_unlock(&fm);
		uint64_t at = clab__sched_now();
		pid_t pid = clab_fork();
		if (pid == 0) {
			int rc = fork_child(at);
			clab_tracer_close(NULL);
			_exit(rc);
		}
		int st = 0;
		/* the parent keeps its turn: its locker waits meanwhile */
		if (pid < 0 || waitpid(pid, &st, 0) != pid || st != 0)
			_exit(21);
	}
	clab_thread_join(t, NULL);
}

/* The children's lines of a run's output; *parent, the parent's string. */
static char *children_of(struct run *r, const char **parent)
{
	char *nl = strrchr(r->out, '\n');
	*parent = nl ? nl + 1 : r->out;
	return nl ? strndup(r->out, (size_t)(nl - r->out)) : strdup("");
}

/*
 * A fork under control: the child has a scheduler of its own, seeded from
 * the parent's seed and the fork's number, and its clock goes on from the
 * parent's; the same seed gives the same family, a replay of the parent's
 * string too, and another seed other children.
 */
static void test_fork(void)
{
	struct run a = {.o = mode(CLAB_SCHED_PCT, 7),
			.scenario = scenario_forks};
	struct run b = a, c = a, d = a;
	c.o.seed = 8;
	run(&a);
	run(&b);
	run(&c);
	CU_ASSERT_EQUAL_FATAL(a.status, 0);
	CU_ASSERT_EQUAL_FATAL(b.status, 0);
	CU_ASSERT_EQUAL_FATAL(c.status, 0);
	const char *pa, *pc;
	char *ca = children_of(&a, &pa), *cc = children_of(&c, &pc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ca);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cc);
	/* two children, each with choices of its own, on the parent's clock */
	char k1[256] = "", k2[256] = "";
	CU_ASSERT_EQUAL(sscanf(ca,
			       "child %255s clock goes on\nchild %255s "
			       "clock goes on",
			       k1, k2),
			2);
	CU_ASSERT_EQUAL(strncmp(k1, "1.1.", 4), 0);
	CU_ASSERT_STRING_NOT_EQUAL(k1, "1.1.AA");
	/* the second fork's child is not the first's */
	CU_ASSERT_STRING_NOT_EQUAL(k1, k2);
	/* the same seed: the same children, the same merged records */
	CU_ASSERT_STRING_EQUAL(a.out, b.out);
	char *sa = signature(a.tr), *sb = signature(b.tr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sb);
	CU_ASSERT_STRING_EQUAL(sa, sb);
	/* main, locker; in each child main and 3 workers */
	CU_ASSERT_EQUAL(clab_trace_nthreads(a.tr), 2 + 2 * 4);
	/* another seed: other children */
	CU_ASSERT_STRING_NOT_EQUAL(ca, cc);
	/* the parent's string replayed with the seed: the same children */
	d.o = mode(CLAB_SCHED_REPLAY, 7);
	d.o.replay = pa;
	run(&d);
	CU_ASSERT_EQUAL(d.status, 0);
	CU_ASSERT_FALSE(d.diverged);
	CU_ASSERT_STRING_EQUAL(a.out, d.out);
	char *sd = signature(d.tr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sd);
	CU_ASSERT_STRING_EQUAL(sa, sd);
	free(ca);
	free(cc);
	free(sa);
	free(sb);
	free(sd);
	clab_trace_free(a.tr);
	clab_trace_free(b.tr);
	clab_trace_free(c.tr);
	clab_trace_free(d.tr);
}

/* The same mode and seed: the same records, times and schedule. */
static void test_same_seed_same_run(void)
{
	enum clab_sched_mode modes[] = {CLAB_SCHED_RANDOM, CLAB_SCHED_PCT};
	for (int m = 0; m < 2; m++) {
		struct run a = {.o = mode(modes[m], 42),
				.scenario = scenario_workers};
		struct run b = a;
		run(&a);
		run(&b);
		CU_ASSERT_EQUAL(a.status, 0);
		CU_ASSERT_EQUAL(b.status, 0);
		CU_ASSERT_STRING_EQUAL(a.out, b.out);
		char *sa = signature(a.tr), *sb = signature(b.tr);
		CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
		CU_ASSERT_PTR_NOT_NULL_FATAL(sb);
		CU_ASSERT_STRING_EQUAL(sa, sb);
		CU_ASSERT_TRUE(strlen(sa) > 100);
		free(sa);
		free(sb);
		clab_trace_free(a.tr);
		clab_trace_free(b.tr);
	}
}

/* Seeds make different interleavings; a replay makes the same one. */
static void test_replay(void)
{
	char first[8192] = "";
	int differ = 0;
	for (uint64_t seed = 1; seed <= 6; seed++) {
		struct run a = {.o = mode(CLAB_SCHED_RANDOM, seed),
				.scenario = scenario_workers};
		run(&a);
		CU_ASSERT_EQUAL_FATAL(a.status, 0);
		CU_ASSERT_EQUAL(strncmp(a.out, "1.1.", 4), 0);
		if (!first[0])
			strcpy(first, a.out);
		else if (strcmp(first, a.out) != 0)
			differ = 1;
		/* replayed with another seed: the schedule decides */
		struct run b = {.o = mode(CLAB_SCHED_REPLAY, 1000 + seed),
				.scenario = scenario_workers};
		b.o.replay = a.out;
		run(&b);
		CU_ASSERT_EQUAL(b.status, 0);
		CU_ASSERT_FALSE(b.diverged);
		CU_ASSERT_STRING_EQUAL(a.out, b.out);
		char *sa = signature(a.tr), *sb = signature(b.tr);
		CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
		CU_ASSERT_PTR_NOT_NULL_FATAL(sb);
		CU_ASSERT_STRING_EQUAL(sa, sb);
		free(sa);
		free(sb);
		clab_trace_free(a.tr);
		clab_trace_free(b.tr);
	}
	CU_ASSERT_TRUE(differ);
}

/* A replay of another program's schedule says it left it. */
static void test_replay_diverges(void)
{
	struct run b = {.o = mode(CLAB_SCHED_REPLAY, 1),
			.scenario = scenario_workers};
	b.o.replay = "1.1.AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEA";
	run(&b);
	CU_ASSERT_EQUAL(b.status, 0);
	CU_ASSERT_TRUE(b.diverged);
	clab_trace_free(b.tr);
}

/* ---- two threads take two locks in opposite orders ---- */
static clab_mutex_t ma, mb;

static void *take_ab(void *p)
{
	(void)p;
	clab_mutex_lock(&ma);
	clab_mutex_lock(&mb);
	clab_mutex_unlock(&mb);
	clab_mutex_unlock(&ma);
	return NULL;
}

static void *take_ba(void *p)
{
	(void)p;
	clab_mutex_lock(&mb);
	clab_mutex_lock(&ma);
	clab_mutex_unlock(&ma);
	clab_mutex_unlock(&mb);
	return NULL;
}

static void scenario_abba(void)
{
	clab_thread_t *t1, *t2;
	clab_mutex_init(&ma, "A", CLAB_MUTEX_NORMAL);
	clab_mutex_init(&mb, "B", CLAB_MUTEX_NORMAL);
	clab_thread_create(&t1, "alice", take_ab, NULL);
	clab_thread_create(&t2, "bob", take_ba, NULL);
	clab_thread_join(t1, NULL);
	clab_thread_join(t2, NULL);
}

/*
 * Some seeds deadlock and some do not; a deadlock is reported at once
 * (the watchdog's own look would come after 8 s here).
 */
static void test_deadlock(void)
{
	int found = 0, clean = 0;
	for (uint64_t seed = 1; seed <= 20 && !(found && clean); seed++) {
		struct run a = {.o = mode(CLAB_SCHED_RANDOM, seed),
				.scenario = scenario_abba};
		run(&a);
		if (a.status == 0) {
			clean++;
		} else {
			CU_ASSERT_EQUAL(a.status, STUCK_EXIT);
			CU_ASSERT_PTR_NOT_NULL(strstr(a.out, "why=2\n"));
			CU_ASSERT_PTR_NOT_NULL(
			    strstr(a.out, "cycle: alice -> bob -> alice"));
			CU_ASSERT_TRUE(a.ms < 6000);
			found++;
		}
		clab_trace_free(a.tr);
	}
	CU_ASSERT_TRUE(found > 0);
	CU_ASSERT_TRUE(clean > 0);
}

/* ---- a livelock: two threads that never stop retrying ---- */
static clab_mutex_t spin;

static void *spinner(void *p)
{
	(void)p;
	for (;;) {
		if (clab_mutex_trylock(&spin) == 0)
			clab_mutex_unlock(&spin);
	}
	return NULL;
}

static void scenario_livelock(void)
{
	clab_thread_t *t1, *t2;
	clab_mutex_init(&spin, "spin", CLAB_MUTEX_NORMAL);
	clab_thread_create(&t1, "spin-1", spinner, NULL);
	clab_thread_create(&t2, "spin-2", spinner, NULL);
	clab_thread_join(t1, NULL);
}

static void test_step_limit(void)
{
	struct run a = {.o = mode(CLAB_SCHED_PCT, 3),
			.scenario = scenario_livelock};
	a.o.step_limit = 5000;
	run(&a);
	CU_ASSERT_EQUAL(a.status, STUCK_EXIT);
	CU_ASSERT_PTR_NOT_NULL(strstr(a.out, "why=4\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(a.out, "5000 scheduling steps"));
	CU_ASSERT_PTR_NOT_NULL(strstr(a.out, "spin-1 running at "));
	/*
	 * main waits for spin-1: how long is left out, for time is virtual
	 * (it was a virtual start taken from the real clock's now, or 5 ms
	 * of virtual time that said nothing)
	 */
	CU_ASSERT_PTR_NOT_NULL(strstr(a.out, "main   waits on thread spin-1"));
	CU_ASSERT_PTR_NULL(strstr(a.out, " ms"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(a.tr);
	size_t n = tu_count(a.tr, CLAB_K_DIAG), limit = 0;
	for (size_t i = 0; i < n; i++)
		if (tu_find(a.tr, CLAB_K_DIAG, i)->a8 == CLAB_D_STEP_LIMIT)
			limit++;
	CU_ASSERT_EQUAL(limit, 1);
	clab_trace_free(a.tr);
}

/* ---- virtual time ---- */
static clab_mutex_t vm;
static clab_cond_t vc;

static void *sleeper(void *p)
{
	(void)p;
	clab_sleep_ms(10000);
	clab_note("slept", 0);
	return NULL;
}

static void scenario_time(void)
{
	clab_thread_t *t;
	clab_mutex_init(&vm, "vm", CLAB_MUTEX_NORMAL);
	clab_cond_init(&vc, "vc");
	clab_thread_create(&t, "sleeper", sleeper, NULL);
	clab_mutex_lock(&vm);
	/* nobody signals: it times out after 3 s of virtual time */
	if (clab_cond_timedwait(&vc, &vm, 3000) != CLAB_ETIMEDOUT)
		_exit(21);
	clab_mutex_unlock(&vm);
	clab_thread_join(t, NULL);
}

static void test_virtual_time(void)
{
	struct run a = {.o = mode(CLAB_SCHED_RANDOM, 1),
			.scenario = scenario_time};
	a.o.spurious_max = 0;
	run(&a);
	CU_ASSERT_EQUAL(a.status, 0);
	CU_ASSERT_TRUE(a.ms < 5000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a.tr);
	const struct clab_record *w = tu_find(a.tr, CLAB_K_COND_WAIT, 0);
	const struct clab_record *k = tu_find(a.tr, CLAB_K_COND_WAKE, 0);
	const struct clab_record *n = tu_find(a.tr, CLAB_K_NOTE, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_EQUAL(k->a8, CLAB_CAUSE_TIMEOUT);
	CU_ASSERT_TRUE(k->ns - w->ns >= 3000000000ull);
	CU_ASSERT_TRUE(k->ns - w->ns < 3001000000ull);
	CU_ASSERT_TRUE(n->ns >= 10000000000ull);
	CU_ASSERT_TRUE(n->ns < 10001000000ull);
	clab_trace_free(a.tr);
}

/* ---- choices the operating system would make ---- */
static int ready;

static void *waiter(void *p)
{
	(void)p;
	clab_mutex_lock(&vm);
	ready++;
	clab_cond_wait(&vc, &vm); /* once, no loop: spurious or signalled */
	clab_mutex_unlock(&vm);
	clab_note("woke", 0);
	return NULL;
}

static void scenario_signal(void)
{
	clab_thread_t *t[2];
	clab_mutex_init(&vm, "vm", CLAB_MUTEX_NORMAL);
	clab_cond_init(&vc, "vc");
	ready = 0;
	clab_thread_create(&t[0], "w0", waiter, NULL);
	clab_thread_create(&t[1], "w1", waiter, NULL);
	for (;;) { /* until both wait: ready counts them under vm */
		clab_mutex_lock(&vm);
		int both = ready == 2;
		clab_mutex_unlock(&vm);
		if (both)
			break;
		clab_sleep_ms(1);
	}
	clab_mutex_lock(&vm);
	clab_cond_signal(&vc);
	clab_cond_signal(&vc);
	clab_mutex_unlock(&vm);
	clab_thread_join(t[0], NULL);
	clab_thread_join(t[1], NULL);
}

/* Which of two waiters a signal wakes depends on the seed. */
static void test_signal_choice(void)
{
	int first[2] = {0, 0}, spurious = 0;
	for (uint64_t seed = 1; seed <= 24; seed++) {
		struct run a = {.o = mode(CLAB_SCHED_RANDOM, seed),
				.scenario = scenario_signal};
		a.o.spurious_max = 0;
		run(&a);
		CU_ASSERT_EQUAL(a.status, 0);
		const struct clab_record *k =
		    tu_find(a.tr, CLAB_K_COND_WAKE, 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(k);
		spurious += k->a8 == CLAB_CAUSE_SPURIOUS;
		const struct clab_thread_info *ti =
		    clab_trace_thread(a.tr, k->tid);
		if (ti && strcmp(ti->name, "w0") == 0)
			first[0]++;
		else if (ti && strcmp(ti->name, "w1") == 0)
			first[1]++;
		clab_trace_free(a.tr);
	}
	CU_ASSERT_TRUE(first[0] > 0);
	CU_ASSERT_TRUE(first[1] > 0);
	CU_ASSERT_EQUAL(spurious, 0);
}

/* Spurious wakeups happen under control, and not with spurious_max 0. */
static void test_spurious(void)
{
	int found = 0;
	for (uint64_t seed = 1; seed <= 60 && !found; seed++) {
		struct run a = {.o = mode(CLAB_SCHED_RANDOM, seed),
				.scenario = scenario_signal};
		run(&a);
		CU_ASSERT_EQUAL(a.status, 0);
		size_t n = tu_count(a.tr, CLAB_K_COND_WAKE);
		for (size_t i = 0; i < n; i++)
			if (tu_find(a.tr, CLAB_K_COND_WAKE, i)->a8 ==
			    CLAB_CAUSE_SPURIOUS)
				found = 1;
		clab_trace_free(a.tr);
	}
	CU_ASSERT_TRUE(found);
}

/* Bad options are refused, in the process that asks. */
static void test_refused(void)
{
	struct clab_sched_opts o = mode(CLAB_SCHED_RANDOM, 1);
	/* no trace on the virtual clock */
	CU_ASSERT_EQUAL(clab_sched_start(&o), CLAB_EINVAL);
	tu_begin();
	CU_ASSERT_EQUAL(clab_sched_start(&o), CLAB_EINVAL);
	clab_trace_free(tu_end());
	o.mode = CLAB_SCHED_REPLAY;
	o.replay = NULL;
	CU_ASSERT_EQUAL(clab_sched_start(&o), CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_sched_start(NULL), CLAB_EINVAL);
	CU_ASSERT_EQUAL(clab_sched_mode_parse("pct"), CLAB_SCHED_PCT);
	CU_ASSERT_EQUAL(clab_sched_mode_parse("fair"), -1);
	CU_ASSERT_STRING_EQUAL(clab_sched_mode_name(CLAB_SCHED_RANDOM),
			       "random");
}

/* Malformed schedule strings are refused by clab_sched_start. */
static void scenario_none(void)
{
}

static void test_malformed(void)
{
	const char *bad[] = {"", "2.1.AA", "1.x.AA", "1.1.A*", "1.1.gA", "1.1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct run a = {.o = mode(CLAB_SCHED_REPLAY, 1),
				.scenario = scenario_none};
		a.o.replay = bad[i];
		run(&a);
		if (a.status != 12)
			fprintf(stderr, "\n'%s' was taken\n", bad[i]);
		CU_ASSERT_EQUAL(a.status, 12);
		clab_trace_free(a.tr);
	}
}

/* ---- ASK: the caller picks ---- */
static unsigned asked, bad_option;

/* Always the last option; every option names a thread and a kind. */
static unsigned ask_turns(void *arg, const struct clab_sched_option *o,
			  size_t n)
{
	(void)arg;
	asked++;
	while (n > 1 && o[n - 1].what == CLAB_SCHED_WAKES_SPURIOUSLY)
		n--;
	for (size_t i = 0; i < n; i++)
		if (!o[i].thread || o[i].what > CLAB_SCHED_IS_WOKEN ||
		    (o[i].what == CLAB_SCHED_GOES_ON && i > 0 &&
		     o[i].tid == o[0].tid))
			bad_option++;
	return (unsigned)(asked % n);
}

static void scenario_asked(void)
{
	scenario_workers();
	if (asked == 0 || bad_option)
		_exit(22);
}

/* The caller's picks make a run that a replay of its string repeats. */
static void test_ask(void)
{
	struct run a = {.o = mode(CLAB_SCHED_ASK, 1),
			.scenario = scenario_asked};
	a.o.ask = ask_turns;
	run(&a);
	if (a.status != 0)
		fprintf(stderr, "\nstatus %d: %s\n", a.status, a.out);
	CU_ASSERT_EQUAL_FATAL(a.status, 0);
	struct run b = {.o = mode(CLAB_SCHED_REPLAY, 1),
			.scenario = scenario_workers};
	b.o.replay = a.out;
	run(&b);
	CU_ASSERT_EQUAL(b.status, 0);
	CU_ASSERT_FALSE(b.diverged);
	char *sa = signature(a.tr), *sb = signature(b.tr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sb);
	CU_ASSERT_STRING_EQUAL(sa, sb);
	free(sa);
	free(sb);
	clab_trace_free(a.tr);
	clab_trace_free(b.tr);
	/* without a callback, ASK is refused */
	struct clab_sched_opts o = mode(CLAB_SCHED_ASK, 1);
	CU_ASSERT_EQUAL(clab_sched_start(&o), CLAB_EINVAL);
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "same seed, same run", test_same_seed_same_run);
	CU_add_test(s, "replay", test_replay);
	CU_add_test(s, "replay diverges", test_replay_diverges);
	CU_add_test(s, "deadlock at once", test_deadlock);
	CU_add_test(s, "step limit", test_step_limit);
	CU_add_test(s, "virtual time", test_virtual_time);
	CU_add_test(s, "which waiter a signal wakes", test_signal_choice);
	CU_add_test(s, "spurious wakeups", test_spurious);
	CU_add_test(s, "refused options", test_refused);
	CU_add_test(s, "malformed schedules", test_malformed);
	CU_add_test(s, "the caller picks", test_ask);
	if (FORK_RECORDS)
		CU_add_test(s, "a fork under control", test_fork);
	else
		printf("a sanitizer's build: the fork under control skipped\n");
}

int main(void)
{
	return tu_main("runtime/sched", add_tests);
}
