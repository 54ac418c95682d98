/*
 * Tests of cmd/solution-hooks.c: a shared object's calls to exit() and
 * friends reach the callback with their site; the program's own do not.
 * Each case runs in a child process, which the case ends one way or
 * another.  argv: ends (tests/solution-so/ends.c) and its path.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "solution-hooks.h"
#include "testutil.h"

static const char *so_ends;
static int seen; /* calls the callback saw, in this process */

/* The child's end: 10 + what the callback saw (see each case). */
static void on_end_exit(const struct clab_solution_end *e)
{
	int ok = strcmp(e->call, "exit") == 0 && e->has_status &&
		 e->status == 3 && strcmp(e->func, "fixture_exit") == 0 &&
		 strcmp(e->file, "ends.c") == 0 && e->line == 8;
	_exit(ok ? 10 : 11);
}

static void on_end__exit(const struct clab_solution_end *e)
{
	int ok = strcmp(e->call, "_exit") == 0 && e->status == 4 &&
		 strcmp(e->func, "fixture__exit") == 0 && e->line == 13;
	_exit(ok ? 10 : 11);
}

/* Returns: the original function runs. */
static void on_end_count(const struct clab_solution_end *e)
{
	(void)e;
	seen++;
}

/* Run fn in a child with the object loaded and hooked; its wait status. */
static int in_child(clab_solution_end_fn cb, void (*fn)(void *dl))
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		void *dl = dlopen(so_ends, RTLD_NOW | RTLD_LOCAL);
		if (dl == NULL)
			_exit(20);
		if (clab_solution_hook_ends(dl, so_ends, cb) < 4)
			_exit(21);
		fn(dl);
		_exit(22); /* the call came back */
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

static void *sym(void *dl, const char *name)
{
	return dlsym(dl, name);
}

static void call_exit(void *dl)
{
	((void (*)(int))(uintptr_t)sym(dl, "fixture_exit"))(3);
}

static void call__exit(void *dl)
{
	((void (*)(int))(uintptr_t)sym(dl, "fixture__exit"))(4);
}

static void test_exit_site(void)
{
	int st = in_child(on_end_exit, call_exit);

	CU_ASSERT_TRUE(WIFEXITED(st));
	CU_ASSERT_EQUAL(WEXITSTATUS(st), 10);
	st = in_child(on_end__exit, call__exit);
	CU_ASSERT_TRUE(WIFEXITED(st));
	CU_ASSERT_EQUAL(WEXITSTATUS(st), 10);
}

/* The callback returns: exit() goes on, with the solution's status. */
static void call_exit_counted(void *dl)
{
	((void (*)(int))(uintptr_t)sym(dl, "fixture_exit"))(7);
}

static void test_returns(void)
{
	int st = in_child(on_end_count, call_exit_counted);

	CU_ASSERT_TRUE(WIFEXITED(st));
	CU_ASSERT_EQUAL(WEXITSTATUS(st), 7);
}

/* Through the address the object took: its GLOB_DAT entry is hooked. */
static void call_exit_ptr(void *dl)
{
	void (*(*get)(void))(int) =
	    (void (*(*)(void))(int))(uintptr_t)sym(dl, "fixture_exit_ptr");
	void (*ex)(int) = get();

	if (ex == exit)
		_exit(23); /* not hooked */
	ex(3);
}

static void on_end_ptr(const struct clab_solution_end *e)
{
	_exit(strcmp(e->call, "exit") == 0 && e->status == 3 ? 10 : 11);
}

static void call_exit_table(void *dl)
{
	((void (*)(int))(uintptr_t)sym(dl, "fixture_exit_table"))(3);
}

static void on_end_table(const struct clab_solution_end *e)
{
	_exit(strcmp(e->call, "exit") == 0 && e->status == 3 &&
		      strcmp(e->func, "fixture_exit_table") == 0
		  ? 10
		  : 11);
}

static void test_address(void)
{
	int st = in_child(on_end_ptr, call_exit_ptr);

	CU_ASSERT_TRUE(WIFEXITED(st));
	CU_ASSERT_EQUAL(WEXITSTATUS(st), 10);
	st = in_child(on_end_table, call_exit_table);
	CU_ASSERT_TRUE(WIFEXITED(st));
	CU_ASSERT_EQUAL(WEXITSTATUS(st), 10);
}

/* The program's own exit() is not the object's: not hooked. */
static void call_own_exit(void *dl)
{
	(void)dl;
	exit(seen == 0 ? 12 : 13);
}

static void test_own_exit(void)
{
	int st = in_child(on_end_exit, call_own_exit);

	CU_ASSERT_TRUE(WIFEXITED(st));
	CU_ASSERT_EQUAL(WEXITSTATUS(st), 12);
}

/* abort() is seen, then aborts. */
static void on_end_abort(const struct clab_solution_end *e)
{
	if (strcmp(e->call, "abort") != 0 ||
	    strcmp(e->func, "fixture_abort") != 0)
		_exit(11);
	signal(SIGABRT, SIG_DFL);
}

static void call_abort(void *dl)
{
	((void (*)(void))(uintptr_t)sym(dl, "fixture_abort"))();
}

static void test_abort(void)
{
	int st = in_child(on_end_abort, call_abort);

	CU_ASSERT_TRUE(WIFSIGNALED(st));
	if (WIFSIGNALED(st))
		CU_ASSERT_EQUAL(WTERMSIG(st), SIGABRT);
}

/* pthread_exit() in a thread: seen, then the thread ends there. */
static void *pexit_thread(void *dl)
{
	((void (*)(void))(uintptr_t)sym(dl, "fixture_pthread_exit"))();
	return (void *)1; /* never reached */
}

static void call_pthread_exit(void *dl)
{
	pthread_t t;
	void *ret = NULL;

	if (pthread_create(&t, NULL, pexit_thread, dl) != 0 ||
	    pthread_join(t, &ret) != 0)
		_exit(24);
	_exit(seen == 1 && ret == NULL ? 10 : 11);
}

static void test_pthread_exit(void)
{
	int st = in_child(on_end_count, call_pthread_exit);

	CU_ASSERT_TRUE(WIFEXITED(st));
	CU_ASSERT_EQUAL(WEXITSTATUS(st), 10);
}

static void test_errors(void)
{
	void *dl = dlopen(so_ends, RTLD_NOW | RTLD_LOCAL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(dl);
	CU_ASSERT_TRUE(
	    clab_solution_hook_ends(dl, "/nonexistent.so", on_end_count) < 0);
	dlclose(dl);
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "exit and _exit with their site", test_exit_site);
	CU_add_test(s, "a callback that returns", test_returns);
	CU_add_test(s, "exit through its address, in a table", test_address);
	CU_add_test(s, "the program's own exit untouched", test_own_exit);
	CU_add_test(s, "abort seen, then aborts", test_abort);
	CU_add_test(s, "pthread_exit ends its thread", test_pthread_exit);
	CU_add_test(s, "a missing file", test_errors);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s ENDS.so\n", argv[0]);
		return 1;
	}
	so_ends = argv[1];
	return tu_main("cmd/solution-hooks", add_tests);
}
