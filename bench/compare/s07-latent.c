/*
 * 7. Single-thread latent cycle: one thread takes A,B and later B,A.
 * It cannot deadlock alone; a second thread on either path would.
 */
#include "compat.h"

static void *solo(void *arg)
{
	compat_mutex_t *m = arg;
	LOCK(&m[0]);
	LOCK(&m[1]);
	UNLOCK(&m[1]);
	UNLOCK(&m[0]);
	LOCK(&m[1]);
	LOCK(&m[0]);
	UNLOCK(&m[0]);
	UNLOCK(&m[1]);
	return NULL;
}

static void scenario(void)
{
	compat_mutex_t m[2];
	compat_thread_t t;
	MUTEX_INIT(&m[0], "A");
	MUTEX_INIT(&m[1], "B");
	THREAD_CREATE(&t, "solo", solo, m);
	JOIN(t);
}

COMPAT_MAIN("s07-latent")
