/*
 * A parent and its child that each wait for the other first, over what
 * the C library keeps in shared memory: conclab's watchdog reads their
 * futex waits in /proc, and who maps the memory.
 *   shmdead            named semaphores, unlinked at once (no other
 *                      program can open them): the parent waits on a,
 *                      which the child posts after its own wait on b,
 *                      which the parent posts after its wait: a deadlock,
 *                      reported (exit 3), the child ended
 *   shmdead linked     the names stay: a program that opens them could
 *                      post; conclab says so once and the run goes on
 *   shmdead post NAME  that program: posts NAME
 *   shmdead unlink NAME...  unlinks the names a stopped linked run left
 *   shmdead pshared    process-shared mutexes in anonymous shared memory,
 *                      taken in opposite orders: a deadlock, reported
 *   shmdead pingpong   the right order, a hundred times: no deadlock
 * Before, each deadlock hung with no word: conclab saw the waits as the C
 * library's, running.
 */
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static int locks(void)
{
	pthread_mutex_t *m = mmap(NULL, 2 * sizeof(*m), PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pthread_mutexattr_t at;
	pthread_mutexattr_init(&at);
	pthread_mutexattr_setpshared(&at, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&m[0], &at);
	pthread_mutex_init(&m[1], &at);
	sem_t *both = mmap(NULL, sizeof(*both), PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	sem_init(both, 1, 0);
	pid_t p = fork();
	int me = p == 0;
	pthread_mutex_lock(&m[me]);
	/* each has its first before either asks for its second */
	sem_post(both);
	sem_post(both);
	while (sem_trywait(both) == 0)
		;
	usleep(100000);
	pthread_mutex_lock(&m[!me]); /* BUG: the other order */
	pthread_mutex_unlock(&m[!me]);
	pthread_mutex_unlock(&m[me]);
	if (me)
		_exit(0);
	waitpid(p, NULL, 0);
	printf("shmdead: no deadlock\n");
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	if (strcmp(mode, "post") == 0 && argc == 3) {
		sem_t *s = sem_open(argv[2], 0);
		if (s == SEM_FAILED)
			return 2;
		sem_post(s);
		sem_close(s);
		return 0;
	}
	if (strcmp(mode, "unlink") == 0) { /* the names a stopped run left */
		for (int i = 2; i < argc; i++)
			sem_unlink(argv[i]);
		return 0;
	}
	if (strcmp(mode, "pshared") == 0)
		return locks();
	int pingpong = strcmp(mode, "pingpong") == 0;
	char na[64], nb[64];
	snprintf(na, sizeof(na), "/conclab-sd-a-%d", (int)getpid());
	snprintf(nb, sizeof(nb), "/conclab-sd-b-%d", (int)getpid());
	sem_t *a = sem_open(na, O_CREAT | O_EXCL, 0600, 0);
	sem_t *b = sem_open(nb, O_CREAT | O_EXCL, 0600, 0);
	if (a == SEM_FAILED || b == SEM_FAILED)
		return 2;
	if (strcmp(mode, "linked") != 0) {
		sem_unlink(na);
		sem_unlink(nb);
	}
	printf("shmdead: the parent waits on %s\n", na);
	fflush(stdout);
	int rounds = pingpong ? 100 : 1;
	pid_t p = fork();
	if (p == 0) {
		for (int i = 0; i < rounds; i++) {
			sem_wait(b); /* BUG (but in pingpong): before a post */
			sem_post(a);
		}
		_exit(0);
	}
	for (int i = 0; i < rounds; i++) {
		if (pingpong)
			sem_post(b);
		sem_wait(a); /* the parent waits */
		if (!pingpong)
			sem_post(b);
	}
	waitpid(p, NULL, 0);
	printf("shmdead: %d rounds\n", rounds);
	if (strcmp(mode, "linked") == 0) {
		sem_unlink(na);
		sem_unlink(nb);
	}
	return 0;
}
