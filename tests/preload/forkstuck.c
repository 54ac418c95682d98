/*
 * Fork while another thread sets up a lock: a thread takes each of NMAKE
 * mutexes for the first time (when conclab's library sets up its object
 * for it) while main forks, at a slightly different moment each time;
 * each child tries the same mutex once (trylock never waits) and exits.
 * A child copied while the object was half set up must not wait for it
 * for ever: the parent gives each child 20 s, then kills it and counts it
 * as hung.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NMAKE 64

/* copies of an initializer, set up by conclab's library at their first
 * use (as a static initializer is), not at a pthread_mutex_init */
static pthread_mutex_t fresh[NMAKE];
static atomic_int turn = -1, done;

/* How child pid ended, waiting 20 s at most (then it is killed). */
static const char *ended(pid_t pid, char *buf, size_t len)
{
	for (int i = 0; i < 2000; i++) {
		int st = 0;
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid) {
			if (WIFEXITED(st))
				snprintf(buf, len, "exited %d",
					 WEXITSTATUS(st));
			else
				snprintf(buf, len, "killed by signal %d",
					 WTERMSIG(st));
			return buf;
		}
		if (r < 0)
			return "lost";
		nanosleep(&(struct timespec){0, 10000000}, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return "hung";
}

static void *maker(void *arg)
{
	(void)arg;
	for (int i = 0; i < NMAKE; i++) {
		while (atomic_load(&turn) != i)
			sched_yield();
		pthread_mutex_lock(&fresh[i]); /* first use */
		pthread_mutex_unlock(&fresh[i]);
		atomic_store(&done, i + 1);
	}
	return NULL;
}

int main(void)
{
	static const pthread_mutex_t init = PTHREAD_MUTEX_INITIALIZER;
	for (int i = 0; i < NMAKE; i++)
		memcpy(&fresh[i], &init, sizeof(init));
	pthread_t t;
	pthread_create(&t, NULL, maker, NULL);
	int hung = 0, odd = 0;
	for (int i = 0; i < NMAKE; i++) {
		atomic_store(&turn, i);
		/* fork a little later each time: before, during, after */
		for (volatile int k = 0; k < (i % 16) * 200; k++)
			;
		pid_t pid = fork(); /* fork */
		if (pid == 0) {
			int r = pthread_mutex_trylock(&fresh[i]);
			if (r == 0)
				pthread_mutex_unlock(&fresh[i]);
			_exit(r == 0 || r == EBUSY ? 0 : 1);
		}
		char buf[64];
		const char *how = ended(pid, buf, sizeof(buf));
		hung += strcmp(how, "hung") == 0;
		odd += strcmp(how, "exited 0") != 0;
		while (atomic_load(&done) != i + 1)
			sched_yield();
	}
	pthread_join(t, NULL);
	printf("forkstuck: %d children, %d hung, %d ended otherwise\n", NMAKE,
	       hung, odd - hung);
	return hung || odd;
}
