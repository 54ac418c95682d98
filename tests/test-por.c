/*
 * Tests of cmd/por.c: the dependency relation of the bounded search's
 * partial-order reduction, the scheduler's log of choices it reads, and
 * its sleep sets on small scenarios searched here, each schedule a
 * replay in a forked child as `conclab explore` runs it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <conclab/kinds.h>
#include <conclab/runtime.h>
#include <conclab/trace.h>

#include "por.h"
#include "testutil.h"

/* ---- the dependency relation ---- */

#define OP(k, o, a) ((struct clab_por_op){CLAB_K_##k, (o), (a), 0})
#define OP8(k, o, a, a8) ((struct clab_por_op){CLAB_K_##k, (o), (a), (a8)})

static int dep1(struct clab_por_op a, struct clab_por_op b)
{
	return clab_por_dependent(&a, 1, &b, 1);
}

static void test_dependent(void)
{
	/* the same mutex: a lock and an unlock, two locks, a trylock */
	CU_ASSERT_EQUAL(dep1(OP(MUTEX_ACQUIRE, 2, 0), OP(MUTEX_RELEASE, 2, 0)),
			1);
	CU_ASSERT_EQUAL(dep1(OP(MUTEX_ACQUIRE, 2, 0), OP(MUTEX_ACQUIRE, 2, 0)),
			1);
	CU_ASSERT_EQUAL(dep1(OP(MUTEX_BUSY, 2, 0), OP(MUTEX_RELEASE, 2, 0)), 1);
	/* a signal and the step of the waiter it wakes, which relocks */
	struct clab_por_op sig = OP(COND_SIGNAL, 5, 1);
	struct clab_por_op relock[] = {OP(COND_WAKE, 5, 0),
				       OP(MUTEX_ACQUIRE, 2, 0)};
	CU_ASSERT_EQUAL(clab_por_dependent(&sig, 1, relock, 2), 1);
	CU_ASSERT_EQUAL(clab_por_dependent(relock, 2, &sig, 1), 1);
	/* a wait touches its mutex: an unlock of it by another thread */
	CU_ASSERT_EQUAL(dep1(OP(COND_WAIT, 5, 2), OP(MUTEX_RELEASE, 2, 0)), 1);
	CU_ASSERT_EQUAL(dep1(OP(MUTEX_ACQUIRE, 2, 0), OP(COND_WAIT, 5, 2)), 1);
	/* a semaphore's post and wait, a queue's put and get */
	CU_ASSERT_EQUAL(dep1(OP(SEM_RELEASE, 7, 1), OP(SEM_ACQUIRE, 7, 0)), 1);
	CU_ASSERT_EQUAL(dep1(OP(QUEUE_PUT, 8, 1), OP(QUEUE_GET, 8, 0)), 1);
	/* a join and the exit of the thread joined (the thread's object) */
	CU_ASSERT_EQUAL(dep1(OP(THREAD_JOIN_WAIT, 9, 0), OP(THREAD_EXIT, 9, 0)),
			1);
	/*
	 * A sleep or a timed wait reads the clock every step advances: its
	 * deadline depends on how many steps came first.  So does a timeout.
	 */
	CU_ASSERT_EQUAL(dep1(OP(SLEEP_BEGIN, 0, 10), OP(MUTEX_RELEASE, 2, 0)),
			1);
	CU_ASSERT_EQUAL(dep1(OP(NOTE, 0, 1), OP(SLEEP_BEGIN, 0, 10)), 1);
	CU_ASSERT_EQUAL(dep1(OP8(COND_WAIT, 5, 2, 1), OP(MUTEX_ACQUIRE, 3, 0)),
			1);
	CU_ASSERT_EQUAL(dep1(OP8(MUTEX_REQUEST, 2, 0, CLAB_HOW_TIMED),
			     OP(MUTEX_ACQUIRE, 3, 0)),
			1);
	CU_ASSERT_EQUAL(
	    dep1(OP8(COND_WAKE, 5, 0, CLAB_CAUSE_TIMEOUT), OP(NOTE, 0, 1)), 1);
	CU_ASSERT_EQUAL(dep1(OP(NOTE, 0, 1), OP(SLEEP_END, 0, 0)), 1);
}

static void test_independent(void)
{
	CU_ASSERT_EQUAL(dep1(OP(MUTEX_ACQUIRE, 2, 0), OP(MUTEX_ACQUIRE, 3, 0)),
			0);
	CU_ASSERT_EQUAL(dep1(OP(MUTEX_RELEASE, 2, 0), OP(MUTEX_ACQUIRE, 3, 0)),
			0);
	/* two notes; a note and a lock */
	CU_ASSERT_EQUAL(dep1(OP(NOTE, 0, 1), OP(NOTE, 0, 1)), 0);
	CU_ASSERT_EQUAL(dep1(OP(NOTE, 0, 2), OP(MUTEX_ACQUIRE, 2, 0)), 0);
	/* waits without a deadline, wakeups that are not timeouts */
	CU_ASSERT_EQUAL(dep1(OP8(COND_WAIT, 5, 2, 0), OP(MUTEX_ACQUIRE, 3, 0)),
			0);
	CU_ASSERT_EQUAL(dep1(OP8(MUTEX_REQUEST, 2, 0, CLAB_HOW_BLOCK),
			     OP(MUTEX_ACQUIRE, 3, 0)),
			0);
	CU_ASSERT_EQUAL(dep1(OP8(COND_WAKE, 5, 0, CLAB_CAUSE_SIGNAL),
			     OP(MUTEX_ACQUIRE, 3, 0)),
			0);
	/* only a condition wait's a32 is an object: a signal's is a count */
	CU_ASSERT_EQUAL(dep1(OP(COND_SIGNAL, 5, 2), OP(MUTEX_ACQUIRE, 2, 0)),
			0);
	CU_ASSERT_EQUAL(dep1(OP(SEM_RELEASE, 7, 3), OP(MUTEX_ACQUIRE, 3, 0)),
			0);
	/* no records: nothing to depend on */
	CU_ASSERT_EQUAL(clab_por_dependent(NULL, 0, NULL, 0), 0);
}

/* ---- scenarios under the scheduler ---- */

static clab_mutex_t m1, m2;
static int same; /* both workers on m1 */

static void *worker(void *arg)
{
	clab_mutex_t *m = arg;
	for (int i = 0; i < 2; i++) {
		clab_mutex_lock(m);
		clab_note("in", i);
		clab_mutex_unlock(m);
	}
	return NULL;
}

static void scenario(void)
{
	clab_thread_t *a, *b;
	clab_mutex_init(&m1, "m1", CLAB_MUTEX_NORMAL);
	clab_mutex_init(&m2, "m2", CLAB_MUTEX_NORMAL);
	clab_thread_create(&a, "a", worker, &m1);
	clab_thread_create(&b, "b", worker, same ? &m1 : &m2);
	clab_thread_join(a, NULL);
	clab_thread_join(b, NULL);
	clab_mutex_destroy(&m1);
	clab_mutex_destroy(&m2);
}

/* Run the schedule replay (its log to log when not NULL); exit status. */
static int run(const char *replay, const char *trace, const char *log)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		struct clab_tracer_opts t = {
		    .path = trace, .compress = -1, .virtual_time = 1};
		struct clab_watchdog_opts w = {.period_ms = 8000};
		struct clab_sched_opts o = {.mode = CLAB_SCHED_REPLAY,
					    .replay = replay,
					    .spurious_max = -1};
		if (log && clab_por_log_to(&o, log) != 0)
			_exit(10);
		if (clab_tracer_open(&t) != 0 || clab_watchdog_start(&w) != 0 ||
		    clab_sched_start(&o) != 0)
			_exit(11);
		scenario();
		char s[CLAB_SCHED_STRING_MAX];
		clab_sched_stop(s, sizeof(s));
		clab_tracer_meta_add("sched.schedule", s);
		clab_watchdog_stop();
		clab_tracer_close(NULL);
		_exit(0);
	}
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

struct node {
	uint32_t *p;
	size_t n;
	struct clab_por_sleep *z;
};

struct stack {
	struct node v[4096];
	size_t n;
};

static int reduce; /* 0: drop every sleep set, the unreduced search */

static int push(void *arg, const uint32_t *p, size_t j, uint32_t a,
		struct clab_por_sleep *z)
{
	struct stack *s = arg;
	if (!reduce) {
		clab_por_sleep_free(z);
		z = NULL;
	}
	uint32_t *c = malloc((j + 1) * sizeof(*c));
	if (!c || s->n == 4096) {
		free(c);
		return -1;
	}
	if (j)
		memcpy(c, p, j * sizeof(*c));
	c[j] = a;
	s->v[s->n++] = (struct node){c, j + 1, z};
	return 0;
}

/* The order in which the workers' critical sections ran ("abab"). */
static void order(const char *trace, char *buf, size_t len)
{
	struct clab_trace *tr;
	char err[256];
	size_t k = 0;
	buf[0] = 0;
	if (clab_trace_load(trace, &tr, err, sizeof(err)) != 0)
		return;
	for (size_t i = 0; i < clab_trace_nrecords(tr) && k + 1 < len; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		if (r->kind == CLAB_K_NOTE)
			buf[k++] = (char)('a' + r->tid - 1);
	}
	buf[k] = 0;
	clab_trace_free(tr);
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The comma-ended list s ("abab,aabb,") in order, in place. */
static void sorted(char *s)
{
	char *w[256], copy[4096];
	size_t n = 0;
	snprintf(copy, sizeof(copy), "%s", s);
	for (char *t = strtok(copy, ","); t && n < 256; t = strtok(NULL, ","))
		w[n++] = t;
	qsort(w, n, sizeof(*w), by_str);
	s[0] = 0;
	for (size_t i = 0; i < n; i++)
		strcat(strcat(s, w[i]), ",");
}

/*
 * Search the scenario within bound: returns the schedules run, the
 * children left out in *pruned, and (when orders is not NULL) the
 * distinct orders of the critical sections seen, as "aabb,abab,".
 */
static long search(unsigned bound, long *pruned, char *orders, size_t olen)
{
	char trace[] = "/tmp/conclab-test-por-XXXXXX";
	char log[64];
	int fd = mkstemp(trace);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	snprintf(log, sizeof(log), "%s.por", trace);
	static struct stack st;
	long ran = 0;
	st.n = 0;
	*pruned = 0;
	if (orders)
		orders[0] = 0;
	CU_ASSERT_EQUAL_FATAL(push(&st, NULL, 0, 0, NULL), 0);
	st.v[0].n = 0;
	while (st.n && ran < 100000) {
		struct node nd = st.v[--st.n];
		char s[4096];
		clab_sched_format(nd.p, nd.n, 1, s, sizeof(s));
		CU_ASSERT_EQUAL(run(s, trace, log), 0);
		ran++;
		if (orders) {
			char o[64];
			order(trace, o, sizeof(o));
			if (!strstr(orders, o) && strlen(orders) + 66 < olen)
				strcat(strcat(orders, o), ",");
		}
		CU_ASSERT_EQUAL(clab_por_children(trace, log, nd.n, nd.z, bound,
						  push, &st, pruned),
				0);
		free(nd.p);
		clab_por_sleep_free(nd.z);
	}
	unlink(trace);
	unlink(log);
	if (orders)
		sorted(orders);
	return ran;
}

static void test_log(void)
{
	char trace[] = "/tmp/conclab-test-por-XXXXXX", log[64];
	int fd = mkstemp(trace);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	snprintf(log, sizeof(log), "%s.por", trace);
	same = 0;
	CU_ASSERT_EQUAL_FATAL(run("1.1.AA", trace, log), 0);
	/* the log has a whole choice for each one of the schedule's */
	FILE *f = fopen(log, "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	size_t picks = 0;
	struct {
		uint64_t now;
		uint32_t n, k;
	} h;
	while (fread(&h, sizeof(h), 1, f) == 1) {
		CU_ASSERT(h.n >= 2 && h.k < h.n && h.now > 0);
		CU_ASSERT_EQUAL(fseek(f, (long)h.n * 8, SEEK_CUR), 0);
		picks++;
	}
	fclose(f);
	struct clab_trace *tr;
	char err[256];
	CU_ASSERT_EQUAL_FATAL(clab_trace_load(trace, &tr, err, sizeof(err)), 0);
	uint32_t *p;
	size_t n;
	unsigned spur;
	CU_ASSERT_EQUAL(clab_sched_parse(clab_trace_meta(tr, "sched.schedule"),
					 &p, &n, &spur),
			0);
	CU_ASSERT(n > 2);
	CU_ASSERT_EQUAL(picks, n);
	free(p);
	clab_trace_free(tr);
	/* a log or a trace that is not there: no children, an error */
	long pruned = 0;
	CU_ASSERT_EQUAL(clab_por_children(trace, "/nonexistent/log", 0, NULL, 2,
					  push, NULL, &pruned),
			-1);
	CU_ASSERT_EQUAL(clab_por_children("/nonexistent.clt", log, 0, NULL, 2,
					  push, NULL, &pruned),
			-1);
	unlink(trace);
	unlink(log);
}

static void test_search(void)
{
	long pruned, ran, all;
	char orders[4096], every[4096];
	/* different mutexes: independent steps, schedules left out */
	same = 0;
	reduce = 0;
	all = search(2, &pruned, every, sizeof(every));
	CU_ASSERT_EQUAL(pruned, 0);
	reduce = 1;
	ran = search(2, &pruned, orders, sizeof(orders));
	CU_ASSERT(ran > 10);
	CU_ASSERT(pruned > 0);
	CU_ASSERT(ran < all);
	/*
	 * The notes of a and b, on no common object, may come in another
	 * order in a schedule left out: those orders are not kept, but
	 * each one seen is one the unreduced search saw.
	 */
	for (char *t = strtok(orders, ","); t; t = strtok(NULL, ","))
		CU_ASSERT_PTR_NOT_NULL(strstr(every, t));
	/* bound 1: nothing sleeps before a second deviation */
	CU_ASSERT_EQUAL(search(1, &pruned, NULL, 0), 14);
	CU_ASSERT_EQUAL(pruned, 0);
	/*
	 * One mutex: which worker goes in first is a dependent choice;
	 * every order the unreduced search reaches within two deviations
	 * (a's two sections, then b's; b's first; a, b, a, b) is reached.
	 */
	same = 1;
	reduce = 0;
	search(2, &pruned, every, sizeof(every));
	reduce = 1;
	search(2, &pruned, orders, sizeof(orders));
	CU_ASSERT_PTR_NOT_NULL(strstr(orders, "aabb,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(orders, "bbaa,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(orders, "abab,"));
	CU_ASSERT_STRING_EQUAL(orders, every);
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "dependent steps", test_dependent);
	CU_add_test(s, "independent steps", test_independent);
	CU_add_test(s, "the scheduler's log of choices", test_log);
	CU_add_test(s, "sleep sets leave out, and keep, what they should",
		    test_search);
}

int main(void)
{
	return tu_main("cmd/por", add_tests);
}
