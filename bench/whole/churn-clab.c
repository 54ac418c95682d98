/*
 * thread churn, on conclab's clab_* API: COUNT short threads (100,000),
 * each created and joined before the next starts; each hands back a
 * number that the main thread adds up.  Records churn.clt, with a record
 * buffer of BUFFER_MB (the tracer's default when not given; the test
 * e2e/churn-memory gives a small one, so that the blocks a run keeps do
 * not hide what each ended thread keeps).  With DETACHED 1, each thread
 * is detached instead, and hands its number back through a semaphore
 * that the main thread waits on before it starts the next.
 */
#include <stdint.h>

#include <conclab/runtime.h>
#include <conclab/tracer.h>

#include "whole.h"

static clab_sem_t done;
static uintptr_t handed; /* a detached thread's number, before done */

static void *child(void *arg)
{
	return (void *)((uintptr_t)arg * 2 + 1);
}

static void *detached_child(void *arg)
{
	handed = (uintptr_t)child(arg);
	clab_sem_release(&done);
	return NULL;
}

int main(int argc, char **argv)
{
	struct whole_usage u = {argc, argv, 3,
				"[COUNT [BUFFER_MB [DETACHED]]]"};
	long count = whole_arg(&u, 1, 100000, 1, 100000000);
	long mb = whole_arg(&u, 2, 0, 1, 4096);
	long detached = whole_arg(&u, 3, 0, 0, 1);
	unsigned long long sum = 0;
	struct clab_meta_kv meta[] = {{"program", "churn"}};
	struct clab_tracer_opts o = {.path = "churn.clt",
				     .meta = meta,
				     .nmeta = 1,
				     .compress = -1,
				     .buffer_mb = (unsigned)mb};
	WHOLE_CL(clab_tracer_open(&o));
	clab_thread_self();
	WHOLE_CL(clab_sem_init(&done, "done", 0, 0));
	for (long i = 0; i < count; i++) {
		clab_thread_t *th;
		void *ret;
		if (detached) {
			WHOLE_CL(clab_thread_create(&th, "child",
						    detached_child,
						    (void *)(uintptr_t)i));
			WHOLE_CL(clab_thread_detach(th));
			WHOLE_CL(clab_sem_acquire(&done));
			sum += handed;
			continue;
		}
		WHOLE_CL(clab_thread_create(&th, "child", child,
					    (void *)(uintptr_t)i));
		WHOLE_CL(clab_thread_join(th, &ret));
		sum += (uintptr_t)ret;
	}
	WHOLE_CL(clab_tracer_close(NULL));
	printf("churn: %ld threads, sum %llu\n", count, sum);
	return 0;
}
