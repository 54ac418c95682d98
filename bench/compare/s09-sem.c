/*
 * 9. A binary semaphore used as a lock (value 1; the same thread waits
 * and posts) in an inversion with a mutex M, separated in time:
 * T1 waits S then locks M; T2 locks M then waits S.  Run at the same time
 * they can deadlock, exactly like two mutexes.
 */
#include "compat.h"

static compat_sem_t s;
static compat_mutex_t m;

static void *sem_then_mutex(void *arg)
{
	(void)arg;
	SEM_WAIT(&s);
	LOCK(&m);
	UNLOCK(&m);
	SEM_POST(&s);
	return NULL;
}

static void *mutex_then_sem(void *arg)
{
	(void)arg;
	LOCK(&m);
	SEM_WAIT(&s);
	SEM_POST(&s);
	UNLOCK(&m);
	return NULL;
}

static void scenario(void)
{
	compat_thread_t t;
	SEM_INIT(&s, "S", 1);
	MUTEX_INIT(&m, "M");
	THREAD_CREATE(&t, "sem-first", sem_then_mutex, NULL);
	JOIN(t);
	THREAD_CREATE(&t, "mutex-first", mutex_then_sem, NULL);
	JOIN(t);
}

COMPAT_MAIN("s09-sem")
