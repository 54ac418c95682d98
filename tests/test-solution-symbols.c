/*
 * Tests of cmd/solution-symbols.c: the calls of a shared object that an
 * exercise refuses, on small objects built for it (tests/solution-so/).
 * argv: clean pthread process atomic syscall c11 needs alias (paths).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "solution-symbols.h"
#include "testutil.h"

static const char *so_clean, *so_pthread, *so_process, *so_atomic, *so_syscall,
    *so_c11, *so_needs, *so_alias;

/* The use called name in u, or NULL. */
static const struct clab_solution_use *find(const struct clab_solution_use *u,
					    size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(u[i].name, name) == 0)
			return &u[i];
	return NULL;
}

/* name is refused, of kind, with instead (NULL: no replacement). */
static void expect(const struct clab_solution_use *u, size_t n,
		   const char *name, enum clab_solution_kind kind,
		   const char *instead)
{
	const struct clab_solution_use *x = find(u, n, name);

	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL(x->kind, kind);
	CU_ASSERT_PTR_NOT_NULL(x->why);
	if (instead == NULL) {
		CU_ASSERT_PTR_NULL(x->instead);
	} else if (x->instead == NULL) {
		CU_FAIL("no replacement");
	} else {
		CU_ASSERT_STRING_EQUAL(x->instead, instead);
	}
}

static void test_clean(void)
{
	struct clab_solution_use *u = (void *)1;
	size_t n = 99;

	CU_ASSERT_EQUAL(clab_solution_forbidden(so_clean, NULL, &u, &n), 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_PTR_NULL(u);
	clab_solution_uses_free(u, n);
}

static void test_pthread(void)
{
	struct clab_solution_use *u;
	size_t n;

	CU_ASSERT_EQUAL_FATAL(clab_solution_forbidden(so_pthread, NULL, &u, &n),
			      0);
	expect(u, n, "pthread_mutex_lock", CLAB_SOLUTION_SYNC,
	       "clab_mutex_lock");
	expect(u, n, "pthread_mutex_unlock", CLAB_SOLUTION_SYNC,
	       "clab_mutex_unlock");
	expect(u, n, "pthread_cond_wait", CLAB_SOLUTION_SYNC, "clab_cond_wait");
	expect(u, n, "pthread_spin_lock", CLAB_SOLUTION_SYNC, "a clab_mutex_t");
	expect(u, n, "pthread_rwlock_rdlock", CLAB_SOLUTION_SYNC,
	       "a clab_mutex_t");
	expect(u, n, "sem_wait", CLAB_SOLUTION_SYNC, "clab_sem_acquire");
	expect(u, n, "sem_post", CLAB_SOLUTION_SYNC, "clab_sem_release");
	/* exactly these: nothing else it calls, each once */
	CU_ASSERT_EQUAL(n, 7);
	clab_solution_uses_free(u, n);
}

static void test_allow(void)
{
	static const char *const allow[] = {"pthread_mutex_lock", "sem_post",
					    "pthread_cond", NULL};
	struct clab_solution_use *u;
	size_t n;

	CU_ASSERT_EQUAL_FATAL(
	    clab_solution_forbidden(so_pthread, allow, &u, &n), 0);
	CU_ASSERT_PTR_NULL(find(u, n, "pthread_mutex_lock"));
	CU_ASSERT_PTR_NULL(find(u, n, "sem_post"));
	/* an allowed name is exact, not a prefix */
	CU_ASSERT_PTR_NOT_NULL(find(u, n, "pthread_cond_wait"));
	CU_ASSERT_PTR_NOT_NULL(find(u, n, "pthread_mutex_unlock"));
	CU_ASSERT_EQUAL(n, 5);
	clab_solution_uses_free(u, n);
}

static void test_process(void)
{
	struct clab_solution_use *u;
	size_t n;

	CU_ASSERT_EQUAL_FATAL(clab_solution_forbidden(so_process, NULL, &u, &n),
			      0);
	expect(u, n, "fork", CLAB_SOLUTION_PROCESS, NULL);
	expect(u, n, "execvp", CLAB_SOLUTION_PROCESS, NULL);
	expect(u, n, "posix_spawnp", CLAB_SOLUTION_PROCESS, NULL);
	expect(u, n, "popen", CLAB_SOLUTION_PROCESS, NULL);
	expect(u, n, "system", CLAB_SOLUTION_PROCESS, NULL);
	expect(u, n, "socket", CLAB_SOLUTION_PROCESS, NULL);
	expect(u, n, "dlsym", CLAB_SOLUTION_PROCESS, NULL);
	/* near misses are not refused */
	CU_ASSERT_PTR_NULL(find(u, n, "pclose"));
	CU_ASSERT_EQUAL(n, 7);
	clab_solution_uses_free(u, n);
}

static void test_atomic(void)
{
	struct clab_solution_use *u;
	size_t n;

	CU_ASSERT_EQUAL_FATAL(clab_solution_forbidden(so_atomic, NULL, &u, &n),
			      0);
	expect(u, n, "__atomic_load", CLAB_SOLUTION_SYNC, "a clab_mutex_t");
	/* the inlined __atomic_add_fetch leaves no symbol: not seen */
	CU_ASSERT_EQUAL(n, 1);
	clab_solution_uses_free(u, n);
}

static void test_syscall_c11(void)
{
	struct clab_solution_use *u;
	size_t n;

	CU_ASSERT_EQUAL_FATAL(clab_solution_forbidden(so_syscall, NULL, &u, &n),
			      0);
	expect(u, n, "syscall", CLAB_SOLUTION_SYNC, NULL);
	CU_ASSERT_EQUAL(n, 1);
	clab_solution_uses_free(u, n);

	CU_ASSERT_EQUAL_FATAL(clab_solution_forbidden(so_c11, NULL, &u, &n), 0);
	expect(u, n, "mtx_lock", CLAB_SOLUTION_SYNC, "clab_mutex_lock");
	expect(u, n, "mtx_unlock", CLAB_SOLUTION_SYNC, "clab_mutex_unlock");
	expect(u, n, "cnd_wait", CLAB_SOLUTION_SYNC, "clab_cond_wait");
	CU_ASSERT_EQUAL(n, 3);
	clab_solution_uses_free(u, n);
}

static void test_needs(void)
{
	struct clab_solution_use *u;
	size_t n;
	const char *base = strrchr(so_clean, '/');

	base = base ? base + 1 : so_clean;
	CU_ASSERT_EQUAL_FATAL(clab_solution_forbidden(so_needs, NULL, &u, &n),
			      0);
	expect(u, n, base, CLAB_SOLUTION_PROCESS, NULL);
	CU_ASSERT_EQUAL(n, 1);
	clab_solution_uses_free(u, n);
	/* a library the lab allows, by its name */
	const char *const allow[] = {base, NULL};
	CU_ASSERT_EQUAL_FATAL(clab_solution_forbidden(so_needs, allow, &u, &n),
			      0);
	CU_ASSERT_EQUAL(n, 0);
	clab_solution_uses_free(u, n);
}

static void test_alias(void)
{
	struct clab_solution_use *u;
	size_t n;

	CU_ASSERT_EQUAL_FATAL(clab_solution_forbidden(so_alias, NULL, &u, &n),
			      0);
	expect(u, n, "__pthread_mutex_lock", CLAB_SOLUTION_SYNC,
	       "clab_mutex_lock");
	expect(u, n, "__pthread_rwlock_wrlock", CLAB_SOLUTION_SYNC,
	       "a clab_mutex_t");
	expect(u, n, "__fork", CLAB_SOLUTION_PROCESS, NULL);
	expect(u, n, "forkpty", CLAB_SOLUTION_PROCESS, NULL);
	expect(u, n, "daemon", CLAB_SOLUTION_PROCESS, NULL);
	CU_ASSERT_EQUAL(n, 5);
	clab_solution_uses_free(u, n);
}

static void test_errors(void)
{
	struct clab_solution_use *u = (void *)1;
	size_t n = 99;
	char path[64];
	FILE *f;

	CU_ASSERT_EQUAL(
	    clab_solution_forbidden("/nonexistent/x.so", NULL, &u, &n),
	    -ENOENT);
	CU_ASSERT_PTR_NULL(u);
	CU_ASSERT_EQUAL(n, 0);
	snprintf(path, sizeof(path), "/tmp/clab-symtest-%d.so", (int)getpid());
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("not an ELF file\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(clab_solution_forbidden(path, NULL, &u, &n), -ENOEXEC);
	/* an ELF header cut short */
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("\177ELF\002\001\001", f);
	fclose(f);
	CU_ASSERT_EQUAL(clab_solution_forbidden(path, NULL, &u, &n), -ENOEXEC);
	unlink(path);
	clab_solution_uses_free(NULL, 0);
}

/*
 * The reading of an object in memory (what the fuzzer drives) finds what
 * the reading of its file finds, in the same order, for every object; cut
 * short, the object is refused, never read past its end.
 */
static void test_memory(void)
{
	const char *all[] = {so_clean,	 so_pthread, so_process, so_atomic,
			     so_syscall, so_c11,     so_needs,	 so_alias};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		struct clab_solution_use *u, *v;
		size_t n, m, len = 0;
		char *data = NULL;
		FILE *f = fopen(all[i], "rb");

		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		CU_ASSERT_EQUAL(fseek(f, 0, SEEK_END), 0);
		len = (size_t)ftell(f);
		rewind(f);
		data = malloc(len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(data);
		CU_ASSERT_EQUAL(fread(data, 1, len, f), len);
		fclose(f);
		CU_ASSERT_EQUAL(clab_solution_forbidden(all[i], NULL, &u, &n),
				0);
		CU_ASSERT_EQUAL(
		    clab_solution_forbidden_mem(data, len, NULL, &v, &m), 0);
		CU_ASSERT_EQUAL(m, n);
		for (size_t k = 0; k < n && k < m; k++)
			CU_ASSERT_STRING_EQUAL(v[k].name, u[k].name);
		clab_solution_uses_free(v, m);
		/* the section headers are at the end: without them, refused */
		v = (void *)1;
		CU_ASSERT_EQUAL(
		    clab_solution_forbidden_mem(data, len / 2, NULL, &v, &m),
		    -ENOEXEC);
		CU_ASSERT_PTR_NULL(v);
		CU_ASSERT_EQUAL(
		    clab_solution_forbidden_mem(data, 0, NULL, &v, &m),
		    -ENOEXEC);
		clab_solution_uses_free(u, n);
		free(data);
	}
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "nothing refused in a clean object", test_clean);
	CU_add_test(s, "pthreads and semaphores refused", test_pthread);
	CU_add_test(s, "a lab's allow-list", test_allow);
	CU_add_test(s, "processes, sockets, dlsym refused", test_process);
	CU_add_test(s, "libatomic seen, inlined atomics not", test_atomic);
	CU_add_test(s, "syscall and C11 threads refused", test_syscall_c11);
	CU_add_test(s, "an unknown library refused", test_needs);
	CU_add_test(s, "second names and hidden forks", test_alias);
	CU_add_test(s, "missing, not ELF, cut short", test_errors);
	CU_add_test(s, "an object in memory, whole and cut short", test_memory);
}

int main(int argc, char **argv)
{
	if (argc != 9) {
		fprintf(stderr,
			"usage: %s CLEAN PTHREAD PROCESS ATOMIC "
			"SYSCALL C11 NEEDS ALIAS\n",
			argv[0]);
		return 1;
	}
	so_clean = argv[1];
	so_pthread = argv[2];
	so_process = argv[3];
	so_atomic = argv[4];
	so_syscall = argv[5];
	so_c11 = argv[6];
	so_needs = argv[7];
	so_alias = argv[8];
	return tu_main("cmd/solution-symbols", add_tests);
}
