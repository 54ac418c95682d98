/*
 * A student's own program: its own main(), built against libconclab (by
 * meson in tests/meson.build, by pkg-config in tests/e2e/own.sh).  Threads
 * make 1,000 lock/unlock pairs of one mutex in all, and then the program
 * ends the way its second argument says, without closing the trace unless
 * told to; tests/e2e/own.sh counts the pairs in the trace.
 *
 * usage: ending TRACE HOW [THREADS]
 *   close     clab_tracer_close, then return 0
 *   return    return 0 from main
 *   exit      exit(0) from main
 *   exit-thread  exit(0) from a worker, while main waits to join it
 *   abort     abort()
 *   assert    a failed assert()
 *   segv      a write through a null pointer, in main
 *   segv-thread  the same in a worker, while main waits to join it
 *   fpe       an integer division by zero
 *   own-segv  a SIGSEGV with the program's own handler, installed before
 *             the trace was opened: it writes "own handler ran" to stderr
 *             and exits 42
 *   kill      SIGKILL, once the writer's interval has passed
 *   fork      a child that exits and one that aborts, with the trace
 *             open (neither may touch it); then as close
 *   overflow  a signed overflow: built with UBSan (halt_on_error=1), the
 *             report ends the program by _exit; else it goes on
 * The workers that are not the one that ends the program stay alive,
 * waiting on a latch that is never set: their records sit unwritten in
 * their buffers when the program ends.
 */
#include <assert.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <conclab/runtime.h>

#define PAIRS 1000

static clab_mutex_t m;
static clab_barrier_t done; /* every worker made its pairs */
static clab_latch_t never;  /* keeps the workers alive */
static const char *how;
static unsigned nworkers;

static void own_handler(int sig)
{
	static const char msg[] = "own handler ran\n";
	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(43);
	_exit(42);
}

/* A division by zero that traps, under UBSan too. */
__attribute__((noinline, no_sanitize("undefined"))) static int divide(int a,
								      int b)
{
	return a / b;
}

/* A real fault, which UBSan's null check would otherwise report first. */
__attribute__((noinline, no_sanitize("undefined"))) static void crash(void)
{
	volatile int *volatile p = NULL;
	*p = 1;
}

static void *worker(void *arg)
{
	unsigned i = (unsigned)(uintptr_t)arg;
	unsigned n = PAIRS / nworkers + (i < PAIRS % nworkers);
	for (unsigned k = 0; k < n; k++) {
		clab_mutex_lock(&m);
		clab_mutex_unlock(&m);
	}
	clab_barrier_wait(&done);
	if (i == 0 && strcmp(how, "segv-thread") == 0)
		crash();
	if (i == 0 && strcmp(how, "exit-thread") == 0)
		exit(0);
	clab_latch_wait(&never);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s TRACE HOW [THREADS]\n", argv[0]);
		return 2;
	}
	how = argv[2];
	nworkers = argc > 3 ? (unsigned)atoi(argv[3]) : 4;
	if (nworkers < 1 || nworkers > 64)
		return 2;
	if (strcmp(how, "own-segv") == 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = own_handler;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGSEGV, &sa, NULL);
	}
	struct clab_tracer_opts o = {.path = argv[1]};
	int err = clab_tracer_open(&o);
	if (err) {
		fprintf(stderr, "cannot open %s: %s\n", argv[1],
			clab_strerror(err));
		return 1;
	}
	clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL);
	clab_barrier_init(&done, "done", nworkers + 1);
	clab_latch_init(&never, "never");
	clab_thread_t *t[64];
	for (unsigned i = 0; i < nworkers; i++)
		clab_thread_create(&t[i], "worker", worker,
				   (void *)(uintptr_t)i);
	clab_barrier_wait(&done);

	if (strcmp(how, "fork") == 0) {
		for (int k = 0; k < 2; k++) {
			pid_t pid = fork();
			if (pid == 0 && k == 0)
				exit(0);
			if (pid == 0)
				abort();
			/* each child ends as it would without conclab */
			int status;
			if (pid < 0 || waitpid(pid, &status, 0) != pid)
				return 1;
			if (k == 0 &&
			    !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
				fprintf(stderr, "the child's exit(0) ended "
						"it otherwise\n");
				return 4;
			}
			if (k == 1 && !(WIFSIGNALED(status) &&
					WTERMSIG(status) == SIGABRT)) {
				fprintf(stderr, "the child's abort() ended "
						"it otherwise\n");
				return 5;
			}
		}
	}
	if (strcmp(how, "close") == 0 || strcmp(how, "fork") == 0) {
		clab_latch_set(&never);
		for (unsigned i = 0; i < nworkers; i++)
			clab_thread_join(t[i], NULL);
		return clab_tracer_close(NULL) == 0 ? 0 : 1;
	}
	if (strcmp(how, "return") == 0)
		return 0;
	if (strcmp(how, "exit") == 0)
		exit(0);
	if (strcmp(how, "abort") == 0)
		abort();
	if (strcmp(how, "segv") == 0 || strcmp(how, "own-segv") == 0)
		crash();
	assert(strcmp(how, "assert") != 0);
	if (strcmp(how, "fpe") == 0) {
		volatile int one = 1, zero = 0;
		printf("%d\n", divide(one, zero));
	}
	if (strcmp(how, "overflow") == 0) {
		volatile int big = INT_MAX, one = 1;
		printf("%d\n", big + one);
		return 3;
	}
	if (strcmp(how, "kill") == 0) {
		/* the writer writes what is older than flush_ms (500) */
		clab_sleep_ms(1000);
		raise(SIGKILL);
	}
	if (strcmp(how, "segv-thread") == 0 ||
	    strcmp(how, "exit-thread") == 0) {
		clab_thread_join(t[0], NULL);
		fprintf(stderr, "the worker did not end the program\n");
		return 1;
	}
	fprintf(stderr, "unknown ending '%s'\n", how);
	return 2;
}
