/*
 * Deadlocks between processes that only the kernel sees: no conclab
 * object is waited on, the threads are in read, write or waitpid.
 *   procdead waitpid   the parent waits for its child before it writes
 *                      the byte the child reads (and it holds the pipe's
 *                      write end, so the child gets no end of file)
 *   procdead full      the child writes more than a pipe holds; the
 *                      parent waits for it before it reads
 *   procdead self      one process reads a pipe only it could write to
 *   procdead fifo      as waitpid, through a FIFO (mkfifo) the parent
 *                      opened for reading and writing
 *   procdead threads   the same as waitpid, with a second thread of the
 *                      parent waiting for good on a condition variable
 *   procdead slow      no deadlock: the child sleeps 1.5 s, then writes
 *   procdead stdin     no deadlock: it reads its standard input, which
 *                      another program writes to
 *   procdead alarm     no deadlock: it reads a pipe only it could write
 *                      to, and a SIGALRM handler does, 1.5 s later
 *   procdead usr1      no deadlock, quite: it reads a pipe only it could
 *                      write to, and a SIGUSR1 handler does, when another
 *                      program sends the signal (conclab says so once)
 *   procdead term      no deadlock, quite: the child reads a pipe only
 *                      it and its parent (waiting for it) could write to,
 *                      and a SIGTERM handler of its own does, when another
 *                      program sends the signal (conclab, whose handler
 *                      the child's replaced, says so once)
 *   procdead system    the child runs system() (which ignores SIGINT and
 *                      SIGQUIT while its command runs, past the preload
 *                      library), then reads a pipe only it and its parent
 *                      (waiting for it) could write to: a deadlock, the
 *                      stop handlers conclab's again
 *   procdead socket    parent and child each read their end of a
 *                      socketpair before they write to it
 *   procdead talk      no deadlock: the same, the parent writing first
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static int p[2];
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;

static void on_alarm(int sig)
{
	(void)sig;
	write(p[1], sig == SIGUSR1 ? "u" : sig == SIGTERM ? "t" : "a", 1);
}

static void *idle(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&m);
	pthread_cond_wait(&c, &m); /* nobody signals: only this process could */
	pthread_mutex_unlock(&m);
	return NULL;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "waitpid";
	char b = 0;
	if (strcmp(mode, "stdin") == 0) {
		ssize_t n = read(0, &b, 1);
		printf("procdead: read %zd\n", n);
		return 0;
	}
	if (strcmp(mode, "socket") == 0 || strcmp(mode, "talk") == 0) {
		int sv[2], talk = strcmp(mode, "talk") == 0;
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
			return 2;
		pid_t kid = fork();
		if (kid == 0) {
			close(sv[0]);
			read(sv[1], &b, 1); /* the child's socket read */
			write(sv[1], "c", 1);
			_exit(0);
		}
		close(sv[1]);
		if (talk)
			write(sv[0], "p", 1);
		read(sv[0], &b, 1); /* BUG (but in talk): before its write */
		if (!talk)
			write(sv[0], "p", 1);
		waitpid(kid, NULL, 0);
		printf("procdead: they talked, %c\n", b);
		return 0;
	}
	if (strcmp(mode, "fifo") == 0) {
		char path[64];
		snprintf(path, sizeof(path), "/tmp/conclab-fifo-%d",
			 (int)getpid());
		if (mkfifo(path, 0600) != 0)
			return 2;
		p[0] = p[1] = open(path, O_RDWR);
		unlink(path);
		if (p[0] < 0)
			return 2;
		mode = "waitpid"; /* the rest as waitpid */
	} else if (pipe(p) != 0) {
		return 2;
	}
	if (strcmp(mode, "alarm") == 0) {
		struct itimerval it = {{0, 0}, {1, 500000}};
		signal(SIGALRM, on_alarm);
		setitimer(ITIMER_REAL, &it, NULL);
		ssize_t n = read(p[0], &b, 1);
		printf("procdead: the handler's byte, %zd %c\n", n, b);
		return 0;
	}
	if (strcmp(mode, "usr1") == 0) {
		signal(SIGUSR1, on_alarm);
		printf("procdead: pid %d waits for SIGUSR1\n", (int)getpid());
		fflush(stdout);
		ssize_t n = read(p[0], &b, 1);
		printf("procdead: the handler's byte, %zd %c\n", n, b);
		return 0;
	}
	if (strcmp(mode, "term") == 0 || strcmp(mode, "system") == 0) {
		int sys = mode[0] == 's';
		pid_t kid = fork();
		if (kid == 0 && sys) {
			(void)system("sleep 0.3");
			read(p[0], &b,
			     1); /* BUG: the parent waits for this one */
			_exit(0);
		}
		if (kid == 0) {
			signal(SIGTERM, on_alarm);
			printf("procdead: pid %d waits for SIGTERM\n",
			       (int)getpid());
			fflush(stdout);
			ssize_t n = read(p[0], &b, 1);
			printf("procdead: the handler's byte, %zd %c\n", n, b);
			fflush(stdout);
			_exit(0);
		}
		int st = 0;
		waitpid(kid, &st, 0);
		printf("procdead: the child ended with %d\n", WEXITSTATUS(st));
		return 0;
	}
	if (strcmp(mode, "self") == 0) {
		read(p[0], &b,
		     1); /* BUG: only this process holds the write end */
		return 0;
	}
	if (strcmp(mode, "threads") == 0) {
		pthread_t t;
		pthread_create(&t, NULL, idle, NULL);
	}
	pid_t child = fork();
	if (child == 0) {
		if (strcmp(mode, "full") == 0) {
			char buf[4096];
			close(p[0]);
			memset(buf, 'x', sizeof(buf));
			for (int i = 0; i < 64;
			     i++) /* 256 KiB: more than it holds */
				write(p[1], buf,
				      sizeof(buf)); /* the child's write */
			_exit(0);
		}
		if (p[1] != p[0])
			close(p[1]);
		if (strcmp(mode, "slow") == 0)
			usleep(1500000);
		read(p[0], &b, 1); /* the child's read */
		_exit(0);
	}
	if (strcmp(mode, "slow") == 0) {
		close(p[0]);
		int st;
		write(p[1], "x", 1);
		waitpid(child, &st, 0);
		printf("procdead: the child ended with %d\n", WEXITSTATUS(st));
		return 0;
	}
	/* BUG: waits for the child first (the parent's wait) */
	waitpid(child, NULL, 0);
	write(p[1], "x", 1);
	return 0;
}
