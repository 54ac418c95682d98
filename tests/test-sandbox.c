/*
 * Tests of cmd/sandbox.c, the sandbox of a child that runs a student's
 * code: each test forks a child that enters the sandbox and then tries
 * what a hostile solution would; the child's exit status says what it
 * saw (0 contained, 1 not, 2 the mechanism is not in this kernel), and
 * the parent checks what is left outside.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "supervise.h"
#include "testutil.h"

#define NOT_HERE 2 /* the mechanism is not in this kernel */

static char outside[64]; /* the grader's directory, with a secret */
static char secret[128];
static struct clab_sandbox_shared *sh;
static char box[128];
static unsigned applied;
static int let_fork; /* the sandbox's processes option for the next child */

/*
 * Run fn in a sandboxed child (box made here, removed after); returns its
 * exit status (128+N for a signal).  *left: processes killed after it.
 */
static int sandboxed(int (*fn)(void *), void *arg, long *left)
{
	memset(sh, 0, sizeof(*sh));
	CU_ASSERT_EQUAL_FATAL(clab_sandbox_dir_new(NULL, box, sizeof(box)), 0);
	pid_t pid = clab_supervise_fork(1);
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		const char *read[] = {"/nonexistent.so"};
		struct clab_sandbox_opts o = {.dir = box,
					      .read = read,
					      .nread = 1,
					      .cpu_s = 7,
					      .shared = sh,
					      .processes = let_fork};
		applied = clab_sandbox_enter(&o);
		_exit(fn(arg));
	}
	int st;
	CU_ASSERT_EQUAL(clab_supervise_wait(pid, 0, &st, NULL), 0);
	long l = clab_sandbox_kill(pid, 1);
	if (left)
		*left = l;
	return clab_supervise_code(st);
}

static void done_box(void)
{
	clab_sandbox_collect(box, "trace.clt", NULL);
	struct stat st;
	CU_ASSERT(stat(box, &st) != 0 && errno == ENOENT);
}

/* ---- files ---- */

static int try_files(void *arg)
{
	char buf[256], path[256];
	if (!(applied & CLAB_SANDBOX_LANDLOCK))
		return NOT_HERE;
	/* the grader's secret, and root's: not readable */
	if (open(secret, O_RDONLY) >= 0 || errno != EACCES)
		return 1;
	if (access("/etc/shadow", F_OK) == 0 &&
	    open("/etc/shadow", O_RDONLY) >= 0)
		return 1;
	/* another process's files: no; its own, and the libraries: yes */
	if (open("/proc/1/environ", O_RDONLY) >= 0)
		return 1;
	if (open("/proc/self/maps", O_RDONLY) < 0)
		return 1;
	if (open("/proc/self/exe", O_RDONLY) < 0)
		return 1;
	/* writing: only in its own directory, which is the working one */
	snprintf(path, sizeof(path), "%s/written", outside);
	if (open(path, O_WRONLY | O_CREAT, 0644) >= 0)
		return 1;
	int fd = open("mine", O_WRONLY | O_CREAT, 0644);
	if (fd < 0 || write(fd, "x", 1) != 1)
		return 1;
	close(fd);
	/* nor rename what it wrote over the grader's files */
	if (rename("mine", secret) == 0 || link("mine", path) == 0)
		return 1;
	if (getcwd(buf, sizeof(buf)) == NULL || strcmp(buf, box) != 0)
		return 1;
	return 0;
}

static void test_files(void)
{
	int rc = sandboxed(try_files, NULL, NULL);
	struct stat st;
	char path[256], text[64] = "";
	CU_ASSERT(rc == 0 || rc == NOT_HERE);
	snprintf(path, sizeof(path), "%s/written", outside);
	CU_ASSERT(stat(path, &st) != 0);
	FILE *f = fopen(secret, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL(fgets(text, sizeof(text), f));
	fclose(f);
	CU_ASSERT_STRING_EQUAL(text, "the grader's secret\n");
	done_box();
}

/* ---- the environment and the limits ---- */

static int try_limits(void *arg)
{
	struct rlimit rl;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (getenv("CLAB_TEST_SECRET") != NULL)
		return 1;
	if (getenv("HOME") == NULL || strcmp(getenv("HOME"), box) != 0)
		return 1;
	if (getrlimit(RLIMIT_CPU, &rl) != 0 ||
	    rl.rlim_cur != (rlim_t)(7 * (ncpu < 1 ? 1 : ncpu) + 10))
		return 1;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur > 512)
		return 1;
	if (getrlimit(RLIMIT_FSIZE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return 1;
	if (getrlimit(RLIMIT_CORE, &rl) != 0 || rl.rlim_cur != 0)
		return 1;
	if (getpgid(0) != getpid())
		return 1;
	return 0;
}

static void test_limits(void)
{
	setenv("CLAB_TEST_SECRET", "token", 1);
	CU_ASSERT_EQUAL(sandboxed(try_limits, NULL, NULL), 0);
	unsetenv("CLAB_TEST_SECRET");
	done_box();
}

/* ---- system calls ---- */

static void *thread_main(void *arg)
{
	return arg;
}

static int try_calls(void *arg)
{
	if (!(applied & CLAB_SANDBOX_SECCOMP))
		return NOT_HERE;
	/* threads: yes (clone3 says ENOSYS: glibc uses clone) */
	static int mark;
	pthread_t t;
	void *got = NULL;
	if (pthread_create(&t, NULL, thread_main, &mark) != 0 ||
	    pthread_join(t, &got) != 0 || got != &mark)
		return 1;
	if (syscall(SYS_clone3, NULL, 0) != -1 || errno != ENOSYS)
		return 1;
	/* processes, programs, sockets, the grader: no */
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid != -1 || errno != EPERM)
		return 1;
	char *argv[] = {(char *)"true", NULL};
	if (execv("/bin/true", argv) != -1 || errno != EPERM)
		return 1;
	if (socket(AF_UNIX, SOCK_STREAM, 0) != -1 || errno != EPERM)
		return 1;
	if (kill(getppid(), 0) != -1 || errno != EPERM)
		return 1;
	if (kill(getpid(), 0) != 0) /* itself: yes */
		return 1;
	if (setsid() != -1 || errno != EPERM)
		return 1;
	if (unshare(0) != -1 || errno != EPERM)
		return 1;
	/* no typing into the terminal; other ioctls are let through */
	char c = 'x';
	if (ioctl(1, TIOCSTI, &c) != -1 || errno != EPERM)
		return 1;
	int avail = -1;
	if (ioctl(0, FIONREAD, &avail) != 0 && errno == EPERM)
		return 1;
	return 0;
}

static void test_calls(void)
{
	int rc = sandboxed(try_calls, NULL, NULL);
	CU_ASSERT(rc == 0 || rc == NOT_HERE);
	if (rc == 0) {
		CU_ASSERT_EQUAL(sh->denied[CLAB_SANDBOX_DENY_PROCESS], 1);
		CU_ASSERT_EQUAL(sh->denied[CLAB_SANDBOX_DENY_EXEC], 1);
		CU_ASSERT_EQUAL(sh->denied[CLAB_SANDBOX_DENY_SOCKET], 1);
		CU_ASSERT_EQUAL(sh->denied[CLAB_SANDBOX_DENY_SIGNAL], 1);
		CU_ASSERT_EQUAL(sh->denied[CLAB_SANDBOX_DENY_SESSION], 1);
		CU_ASSERT_EQUAL(sh->denied[CLAB_SANDBOX_DENY_OTHER], 2);
		char buf[1024] = "";
		FILE *f = fmemopen(buf, sizeof(buf), "w");
		CU_ASSERT_EQUAL(clab_sandbox_report(sh, f, "> "), 6);
		fclose(f);
		CU_ASSERT_PTR_NOT_NULL(strstr(buf, "> the sandbox refused 1 "
						   "attempt to open a socket"));
		CU_ASSERT_PTR_NOT_NULL(strstr(buf, "(ioctl)")); /* the last */
	}
	done_box();
}

/* ---- the processes exercise's sandbox: a process may fork ---- */

static int try_processes(void *arg)
{
	int fd[2], st;
	char c = 0;
	(void)arg;
	if (!(applied & CLAB_SANDBOX_SECCOMP))
		return NOT_HERE;
	/* a child, and a pipe to it: yes */
	if (pipe(fd) != 0)
		return 1;
	pid_t pid = fork();
	if (pid == 0)
		_exit(write(fd[1], "k", 1) == 1 ? 7 : 1);
	if (pid < 0 || read(fd[0], &c, 1) != 1 || c != 'k' ||
	    waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 7)
		return 1;
	/* programs and sockets: still no */
	char *argv[] = {(char *)"true", NULL};
	if (execv("/bin/true", argv) != -1 || errno != EPERM)
		return 1;
	if (socket(AF_UNIX, SOCK_STREAM, 0) != -1 || errno != EPERM)
		return 1;
	return 0;
}

static void test_processes(void)
{
	let_fork = 1;
	int rc = sandboxed(try_processes, NULL, NULL);
	let_fork = 0;
	CU_ASSERT(rc == 0 || rc == NOT_HERE);
	if (rc == 0) {
		CU_ASSERT_EQUAL(sh->denied[CLAB_SANDBOX_DENY_PROCESS], 0);
		CU_ASSERT_EQUAL(sh->denied[CLAB_SANDBOX_DENY_EXEC], 1);
		CU_ASSERT_EQUAL(sh->denied[CLAB_SANDBOX_DENY_SOCKET], 1);
	}
	done_box();
}

/* ---- processes left behind (without seccomp, which would refuse) ---- */

static int daemon_pipe[2];

static int try_daemon(void *arg)
{
	int ready[2];
	if (pipe(ready) != 0)
		return 1;
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		pid_t g = fork(); /* a grandchild, out of the group */
		if (g == 0) {
			setsid();
			pid_t me = getpid();
			if (write(ready[1], &me, sizeof(me)) < 0)
				_exit(1);
			for (;;)
				pause();
		}
		/* its pid, once it has left the group */
		if (read(ready[0], &g, sizeof(g)) != sizeof(g) ||
		    write(daemon_pipe[1], &g, sizeof(g)) != sizeof(g))
			_exit(1);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

static void test_daemon(void)
{
	long left = 0;
	pid_t daemon = 0;
	CU_ASSERT_EQUAL_FATAL(pipe(daemon_pipe), 0);
	setenv("CONCLAB_SANDBOX_SKIP", "seccomp", 1);
	CU_ASSERT_EQUAL(sandboxed(try_daemon, NULL, &left), 0);
	unsetenv("CONCLAB_SANDBOX_SKIP");
	close(daemon_pipe[1]);
	CU_ASSERT_EQUAL(read(daemon_pipe[0], &daemon, sizeof(daemon)),
			(ssize_t)sizeof(daemon));
	close(daemon_pipe[0]);
	CU_ASSERT_EQUAL(left, 1);
	CU_ASSERT(daemon > 0 && kill(daemon, 0) != 0 && errno == ESRCH);
	done_box();
}

/* ---- the network (namespaces, without seccomp) ---- */

static int try_network(void *arg)
{
	if (!(applied & CLAB_SANDBOX_NAMESPACES))
		return NOT_HERE;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return 1;
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(9),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	/* not even the loopback, which is down in a new namespace */
	if (sendto(fd, "x", 1, 0, (struct sockaddr *)&a, sizeof(a)) >= 0)
		return 1;
	return 0;
}

static void test_network(void)
{
	setenv("CONCLAB_SANDBOX_SKIP", "seccomp", 1);
	int rc = sandboxed(try_network, NULL, NULL);
	unsetenv("CONCLAB_SANDBOX_SKIP");
	CU_ASSERT(rc == 0 || rc == NOT_HERE);
	done_box();
}

/* ---- the trace, copied out ---- */

static int write_trace(void *arg)
{
	FILE *f = fopen("trace.clt", "w");
	if (f == NULL)
		return 1;
	fputs("a trace\n", f);
	return fclose(f) != 0;
}

static int link_trace(void *arg)
{
	/* a link to the grader's secret, for the grader to copy */
	return symlink(secret, "trace.clt") != 0;
}

static void test_collect(void)
{
	char dest[256], text[64] = "";
	struct stat st;
	snprintf(dest, sizeof(dest), "%s/out.clt", outside);
	CU_ASSERT_EQUAL(sandboxed(write_trace, NULL, NULL), 0);
	CU_ASSERT_EQUAL(clab_sandbox_collect(box, "trace.clt", dest), 0);
	FILE *f = fopen(dest, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL(fgets(text, sizeof(text), f));
	fclose(f);
	CU_ASSERT_STRING_EQUAL(text, "a trace\n");
	CU_ASSERT(stat(box, &st) != 0);
	unlink(dest);

	CU_ASSERT_EQUAL(sandboxed(link_trace, NULL, NULL), 0);
	CU_ASSERT_EQUAL(clab_sandbox_collect(box, "trace.clt", dest), -EINVAL);
	CU_ASSERT(stat(dest, &st) != 0);
	CU_ASSERT(stat(box, &st) != 0);

	CU_ASSERT_EQUAL(sandboxed(try_limits, NULL, NULL), 0);
	CU_ASSERT_EQUAL(clab_sandbox_collect(box, "trace.clt", dest), -ENOENT);
	CU_ASSERT(stat(dest, &st) != 0);
}

static void test_describe(void)
{
	char buf[128];
	clab_sandbox_describe(CLAB_SANDBOX_DIR | CLAB_SANDBOX_SECCOMP, buf,
			      sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "directory, seccomp");
	clab_sandbox_describe(0, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "none");
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "files", test_files);
	CU_add_test(s, "limits", test_limits);
	CU_add_test(s, "calls", test_calls);
	CU_add_test(s, "processes: forks let through, nothing else",
		    test_processes);
	CU_add_test(s, "daemon", test_daemon);
	CU_add_test(s, "network", test_network);
	CU_add_test(s, "collect", test_collect);
	CU_add_test(s, "describe", test_describe);
}

int main(void)
{
	snprintf(outside, sizeof(outside), "/tmp/clab-sandbox-test.XXXXXX");
	if (mkdtemp(outside) == NULL || clab_sandbox_reaper() != 0)
		return 1;
	snprintf(secret, sizeof(secret), "%s/secret", outside);
	FILE *f = fopen(secret, "w");
	if (f == NULL)
		return 1;
	fputs("the grader's secret\n", f);
	fclose(f);
	sh = clab_sandbox_shared_new();
	if (sh == NULL)
		return 1;
	int rc = tu_main("cmd/sandbox", add_tests);
	unlink(secret);
	rmdir(outside);
	clab_sandbox_shared_free(sh);
	return rc;
}
