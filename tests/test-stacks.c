/*
 * tracer/stacks: full call stacks (clab_set_stacks, conclab run --stacks),
 * from the capture in the runtime to the file, the reader, the dump and
 * the lock-order report.  argv[1] is the built conclab, for the end-to-end
 * check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <conclab/runtime.h>
#include <conclab/trace.h>
#include <conclab/tracer.h>

#include "rt.h"
#include "testutil.h"

static const char *conclab;
static char tmpdir[4096];

/* ---- a contended mutex, requested from one call site ---- */

static clab_mutex_t m;

static int has_waiter(void *arg)
{
	(void)arg;
	return atomic_load(&m.waiters) > 0;
}

/* The call site whose stack the tests look for. */
__attribute__((noinline)) static void contend_here(void)
{
	clab_mutex_lock(&m);
	clab_mutex_unlock(&m);
}

static void *contender(void *arg)
{
	(void)arg;
	contend_here();
	return NULL;
}

/* rounds times: main holds m until a thread waits for it in contend_here. */
static void contend(int rounds)
{
	for (int i = 0; i < rounds; i++) {
		clab_thread_t *t;
		clab_mutex_lock(&m);
		CU_ASSERT_EQUAL_FATAL(
		    clab_thread_create(&t, "contender", contender, NULL), 0);
		tu_wait_until(has_waiter, NULL);
		clab_mutex_unlock(&m);
		CU_ASSERT_EQUAL(clab_thread_join(t, NULL), 0);
	}
}

static struct clab_trace *record(int stacks, int rounds)
{
	clab_set_stacks(stacks);
	tu_begin();
	CU_ASSERT_EQUAL(clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL), 0);
	contend(rounds);
	clab_mutex_destroy(&m);
	clab_set_stacks(0);
	return tu_end();
}

static int frames_have(const struct clab_stack_info *st, const char *func,
		       const char *file)
{
	for (uint32_t k = 0; st && k < st->nframes; k++)
		if (strcmp(st->frames[k].func, func) == 0 &&
		    strstr(st->frames[k].file, file) && st->frames[k].line > 0)
			return 1;
	return 0;
}

static void test_request_stack(void)
{
	struct clab_trace *tr = record(1, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_PTR_NULL(clab_trace_damage(tr));
	/* zstd chunks (holds, 1.8), a digest */
	CU_ASSERT_EQUAL(clab_trace_version_minor(tr), 8);
	CU_ASSERT_EQUAL(clab_trace_checksum_ok(tr), 1);
	CU_ASSERT_EQUAL_FATAL(tu_count(tr, CLAB_K_MUTEX_REQUEST), 2);
	const struct clab_record *r1 = tu_find(tr, CLAB_K_MUTEX_REQUEST, 0);
	const struct clab_record *r2 = tu_find(tr, CLAB_K_MUTEX_REQUEST, 1);
	CU_ASSERT_NOT_EQUAL(r1->stack, 0);
	const struct clab_stack_info *st = clab_trace_stack(tr, r1->stack);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_EQUAL(st->id, r1->stack);
	/* the stack starts in the test, not in conclab */
	CU_ASSERT_TRUE(st->nframes >= 2);
	CU_ASSERT_STRING_EQUAL(st->frames[0].func, "contend_here");
	CU_ASSERT_TRUE(frames_have(st, "contend_here", "test-stacks.c"));
	CU_ASSERT_TRUE(frames_have(st, "contender", "test-stacks.c"));
	/* the same call site, the same stack */
	CU_ASSERT_EQUAL(r2->stack, r1->stack);
	/* its acquire carries it too; the uncontended lock in main its own */
	const struct clab_record *a = NULL;
	for (size_t i = 0; i < clab_trace_nrecords(tr); i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		if (r->kind == CLAB_K_MUTEX_ACQUIRE && r->tid == r1->tid)
			a = r;
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->stack, r1->stack);
	const struct clab_record *m0 = tu_find(tr, CLAB_K_MUTEX_ACQUIRE, 0);
	CU_ASSERT_EQUAL(m0->tid, 0);
	CU_ASSERT_NOT_EQUAL(m0->stack, 0);
	CU_ASSERT_NOT_EQUAL(m0->stack, r1->stack);
	CU_ASSERT_TRUE(frames_have(clab_trace_stack(tr, m0->stack), "contend",
				   "test-stacks.c"));
	/* ids are dense and every one is defined */
	for (uint32_t i = 1; i <= clab_trace_nstacks(tr); i++)
		CU_ASSERT_EQUAL(clab_trace_stack(tr, i)->id, i);
	CU_ASSERT_PTR_NULL(clab_trace_stack(tr, 0));
	CU_ASSERT_PTR_NULL(clab_trace_stack(tr, clab_trace_nstacks(tr) + 1));
	CU_ASSERT_EQUAL(clab_trace_stacks_lost(tr), 0);
	clab_trace_free(tr);
}

static void test_off(void)
{
	struct clab_trace *tr = record(0, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_MUTEX_REQUEST), 1);
	for (size_t i = 0; i < clab_trace_nrecords(tr); i++)
		CU_ASSERT_EQUAL(clab_trace_record(tr, i)->stack, 0);
	CU_ASSERT_EQUAL(clab_trace_nstacks(tr), 0);
	/* every file is 1.8 (zstd chunks, holds, a digest; under the content
	 * checksum) */
	CU_ASSERT_EQUAL(clab_trace_version_minor(tr), 8);
	clab_trace_free(tr);
}

static void test_dump(void)
{
	struct clab_trace *tr = record(1, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	const struct clab_record *r = tu_find(tr, CLAB_K_MUTEX_REQUEST, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	char *text = NULL, want[64];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	CU_ASSERT_EQUAL(clab_trace_dump(tr, f), 0);
	fclose(f);
	snprintf(want, sizeof(want), "\n# stack %u: contend_here (", r->stack);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "tests/test-stacks.c:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, " <- contender ("));
	snprintf(want, sizeof(want), "\n# stacks %u\n", clab_trace_nstacks(tr));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, want));
	char line[768];
	clab_trace_format_record(tr, r, line, sizeof(line));
	snprintf(want, sizeof(want), " stack=%u @ ", r->stack);
	CU_ASSERT_PTR_NOT_NULL(strstr(line, want));
	/* the same trace, the same bytes */
	char *again = NULL;
	f = open_memstream(&again, &len);
	clab_trace_dump(tr, f);
	fclose(f);
	CU_ASSERT_STRING_EQUAL(text, again);
	free(text);
	free(again);
	clab_trace_free(tr);
}

/* ---- the file: STACKS chunks, cut short, missing ---- */

static unsigned char *record_file(size_t *len)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/stacks.clt", tmpdir);
	struct clab_tracer_opts o = {.path = path, .compress = -1};
	clab_set_stacks(1);
	CU_ASSERT_EQUAL_FATAL(clab_tracer_open(&o), 0);
	CU_ASSERT_EQUAL(clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL), 0);
	contend(1);
	clab_mutex_destroy(&m);
	clab_set_stacks(0);
	CU_ASSERT_EQUAL(clab_tracer_close(NULL), 0);
	FILE *f = fopen(path, "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	unsigned char *buf = malloc(1 << 22);
	*len = fread(buf, 1, 1 << 22, f);
	fclose(f);
	unlink(path);
	return buf;
}

static uint32_t u32le(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Offset of the nth (from 0) chunk of type, and its whole length. */
static size_t chunk_at(const unsigned char *b, size_t len, uint32_t type,
		       int nth, size_t *clen)
{
	for (size_t off = 16; off + 12 <= len;) {
		size_t n = 12 + u32le(b + off + 4);
		if (u32le(b + off) == type && nth-- == 0) {
			*clen = n;
			return off;
		}
		off += n;
	}
	return 0;
}

static void test_cut_short(void)
{
	size_t len, slen, elen;
	unsigned char *b = record_file(&len);
	CU_ASSERT_EQUAL(b[10], 8); /* 1.8 */
	size_t s = chunk_at(b, len, 7, 0, &slen);
	CU_ASSERT_FATAL(s > 0);
	/* cut right after the first STACKS chunk */
	struct clab_trace *tr;
	char err[512];
	CU_ASSERT_EQUAL_FATAL(
	    clab_trace_load_mem(b, s + slen + 5, "cut", &tr, err, sizeof(err)),
	    0);
	CU_ASSERT_PTR_NOT_NULL(clab_trace_damage(tr));
	CU_ASSERT_TRUE(clab_trace_nstacks(tr) >= 1);
	/*
	 * which thread's records, and so which stacks, came first depends
	 * on the threads' timing: main's (in contend) or the contender's
	 */
	int found = 0;
	for (uint32_t i = 1; i <= clab_trace_nstacks(tr) && !found; i++) {
		const struct clab_stack_info *st = clab_trace_stack(tr, i);
		found = frames_have(st, "contend", "test-stacks.c") ||
			frames_have(st, "contender", "test-stacks.c");
	}
	CU_ASSERT_TRUE(found);
	clab_trace_free(tr);

	/* a record chunk whose stacks were never defined is damage */
	size_t e = chunk_at(b, len, 5, 0, &elen);
	CU_ASSERT_FATAL(e > s);
	unsigned char *nb = malloc(len);
	memcpy(nb, b, s);
	memcpy(nb + s, b + s + slen, len - s - slen);
	CU_ASSERT_EQUAL_FATAL(clab_trace_load_mem(nb, len - slen, "nostacks",
						  &tr, err, sizeof(err)),
			      0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(clab_trace_damage(tr));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(clab_trace_damage(tr), "refers to an unknown stack"));
	clab_trace_free(tr);
	free(nb);
	free(b);
}

/* ---- end to end: conclab run --stacks, conclab analyze ---- */

static char *run_out(const char *cmd, int *status)
{
	FILE *p = popen(cmd, "r");
	if (!p)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap + 1);
	size_t k;
	while ((k = fread(buf + n, 1, cap - n, p)) > 0) {
		n += k;
		if (n == cap) {
			buf = realloc(buf, 2 * cap + 1);
			cap *= 2;
		}
	}
	buf[n] = 0;
	*status = pclose(p);
	return buf;
}

static void test_e2e_philosophers(void)
{
	char cmd[8400], trace[4200];
	int st;
	snprintf(trace, sizeof(trace), "%s/naive.clt", tmpdir);
	snprintf(cmd, sizeof(cmd),
		 "%s run philosophers --variant naive --stacks -q --trace %s "
		 "2>&1",
		 conclab, trace);
	char *out = run_out(cmd, &st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 3);
	free(out);
	snprintf(cmd, sizeof(cmd), "%s analyze %s 2>&1", conclab, trace);
	out = run_out(cmd, &st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	/* under each edge of the cycle, the request's stack */
	const char *edge = strstr(out, " -> fork-");
	CU_ASSERT_PTR_NOT_NULL(edge);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "      request (record "));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(out, "\n        take_forks (labs/philosophers.c:"));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(out, "\n        philosopher (labs/philosophers.c:"));
	free(out);
	snprintf(cmd, sizeof(cmd), "%s dump %s 2>&1", conclab, trace);
	out = run_out(cmd, &st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "# meta stacks=1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "# stack 1: "));
	free(out);
	unlink(trace);
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "a contended request has the test's stack",
		    test_request_stack);
	CU_add_test(s, "off: no stacks, a 1.0 file", test_off);
	CU_add_test(s, "dump lists the stacks", test_dump);
	CU_add_test(s, "cut short after STACKS; stacks missing",
		    test_cut_short);
	CU_add_test(s, "conclab run --stacks, analyze shows take_forks",
		    test_e2e_philosophers);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: test-stacks path/to/conclab\n");
		return 2;
	}
	conclab = argv[1];
	snprintf(tmpdir, sizeof(tmpdir), "%s/conclab-stacks-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	int rc = tu_main("tracer/stacks", add_tests);
	if (tu_remove_dir(tmpdir) != 0) {
		perror(tmpdir);
		rc = rc ? rc : 1;
	}
	return rc;
}
