/*
 * Tests of cmd/supervise.c, the supervised run: a child's ending as an exit
 * code, the deadline that kills it, Ctrl-C forwarded to its process group,
 * and the ending mark it writes to its parent.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "supervise.h"
#include "testutil.h"

/* The exit code of a child that ends with fn(). */
static int ended(void (*fn)(void))
{
	int st, killed = -1;
	pid_t pid = clab_supervise_fork(0);
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		fn();
		_exit(99);
	}
	CU_ASSERT_EQUAL(clab_supervise_wait(pid, 0, &st, &killed), 0);
	CU_ASSERT_EQUAL(killed, -1); /* no limit: not touched */
	return clab_supervise_code(st);
}

static void exit_0(void)
{
	_exit(0);
}

static void exit_3(void)
{
	_exit(3);
}

static void exit_255(void)
{
	_exit(255);
}

static void term(void)
{
	raise(SIGTERM);
}

static void segv(void)
{
	signal(SIGSEGV, SIG_DFL);
	raise(SIGSEGV);
}

static void test_codes(void)
{
	CU_ASSERT_EQUAL(ended(exit_0), 0);
	CU_ASSERT_EQUAL(ended(exit_3), 3);
	CU_ASSERT_EQUAL(ended(exit_255), 255);
	CU_ASSERT_EQUAL(ended(term), 128 + SIGTERM);
	CU_ASSERT_EQUAL(ended(segv), 128 + SIGSEGV);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_deadline(void)
{
	int st, killed = -1;
	double t0 = now_s();
	pid_t pid = clab_supervise_fork(1);
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		for (;;)
			pause();
	}
	CU_ASSERT_EQUAL(clab_supervise_wait(pid, 0.2, &st, &killed), 0);
	double took = now_s() - t0;
	CU_ASSERT_EQUAL(killed, 1);
	CU_ASSERT_EQUAL(clab_supervise_code(st), 128 + SIGKILL);
	CU_ASSERT(took >= 0.2 && took < 5);

	/* a child that ends before its deadline is not killed */
	pid = clab_supervise_fork(1);
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0)
		_exit(4);
	CU_ASSERT_EQUAL(clab_supervise_wait(pid, 30, &st, &killed), 0);
	CU_ASSERT_EQUAL(killed, 0);
	CU_ASSERT_EQUAL(clab_supervise_code(st), 4);

	/* not a child of ours: an error, not a hang */
	CU_ASSERT_EQUAL(clab_supervise_wait(1, 0, &st, NULL), -ECHILD);
	CU_ASSERT_EQUAL(clab_supervise_wait(1, 5, &st, &killed), -ECHILD);
}

static void test_forward(void)
{
	int p[2], st;
	CU_ASSERT_FATAL(pipe(p) == 0);
	pid_t pid = clab_supervise_fork(1);
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		signal(SIGINT, SIG_DFL);
		if (write(p[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	char c;
	CU_ASSERT_EQUAL(read(p[0], &c, 1), 1); /* it is ready */
	close(p[0]);
	CU_ASSERT_EQUAL(getpgid(pid), pid); /* a group of its own */
	clab_supervise_forward(pid);
	raise(SIGINT); /* to us: our handler sends it on */
	CU_ASSERT_EQUAL(clab_supervise_wait(pid, 5, &st, &(int){0}), 0);
	CU_ASSERT_EQUAL(clab_supervise_code(st), 128 + SIGINT);
	clab_supervise_forward(0);
	struct sigaction sa;
	sigaction(SIGINT, NULL, &sa);
	CU_ASSERT(sa.sa_handler == SIG_DFL);

	/* ignored while a child runs, then taken back as it was */
	struct clab_supervise_ignore ig;
	clab_supervise_ignore(&ig);
	raise(SIGINT);
	raise(SIGQUIT);
	sigaction(SIGQUIT, NULL, &sa);
	CU_ASSERT(sa.sa_handler == SIG_IGN);
	clab_supervise_restore(&ig);
	sigaction(SIGINT, NULL, &sa);
	CU_ASSERT(sa.sa_handler == SIG_DFL);
}

static void test_mark(void)
{
	int p[2], st, code = -1;
	CU_ASSERT_FATAL(pipe(p) == 0);
	int rd = fcntl(p[0], F_DUPFD, 3), wr = fcntl(p[1], F_DUPFD, 3);
	close(p[0]);
	close(p[1]);
	CU_ASSERT_FATAL(rd > 2 && wr > 2);
	pid_t pid = clab_supervise_fork(0);
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		close(rd);
		clab_supervise_mark_to(wr);
		clab_supervise_end(3);
	}
	close(wr);
	CU_ASSERT_EQUAL(clab_supervise_wait(pid, 0, &st, NULL), 0);
	CU_ASSERT_EQUAL(clab_supervise_code(st), 3);
	CU_ASSERT_EQUAL(read(rd, &code, sizeof(code)), (ssize_t)sizeof(code));
	CU_ASSERT_EQUAL(code, 3);
	close(rd);

	/* standard streams are never a mark's pipe; nowhere is no error */
	clab_supervise_mark_to(2);
	CU_ASSERT_EQUAL(clab_supervise_mark(1), 0);
	clab_supervise_mark_to(-1);
	CU_ASSERT_EQUAL(clab_supervise_mark(1), 0);
	/* a pipe whose reader is gone cannot take it */
	CU_ASSERT_FATAL(pipe(p) == 0);
	wr = fcntl(p[1], F_DUPFD, 3);
	close(p[0]);
	close(p[1]);
	signal(SIGPIPE, SIG_IGN);
	clab_supervise_mark_to(wr);
	CU_ASSERT_EQUAL(clab_supervise_mark(1), -1);
	clab_supervise_mark_to(-1);
	close(wr);
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "codes", test_codes);
	CU_add_test(s, "deadline", test_deadline);
	CU_add_test(s, "forward", test_forward);
	CU_add_test(s, "mark", test_mark);
}

int main(void)
{
	return tu_main("cmd/supervise", add_tests);
}
