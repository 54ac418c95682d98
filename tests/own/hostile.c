/*
 * A student's own program that misuses an object, one way per case: the
 * hostile-objects suite (tests/e2e/hostile-own.sh).  Each case opens the
 * trace, makes the objects it needs, then makes one call on an object
 * that is garbage, zero-filled, destroyed, of the wrong kind, initialised
 * twice, out of range, copied, freed, of an earlier trace, or a thread
 * handle that cannot be joined.  The call must be refused: the program
 * prints what it called and the error, as a program should, closes the
 * trace and exits 1.  A crash or a hang is the runtime's bug.
 *
 * usage: hostile TRACE CASE      run one case
 *        hostile --list          the cases, one a line
 * Exit codes: 1 the misuse was refused (the expected ending); 2 it was
 * not (the call succeeded); 3 usage, or a call that sets the case up
 * failed; a sanitizer's own code when it stops the program first (the
 * freed-memory cases read freed memory, which ASan and TSan report).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/runtime.h>

#include "hostile-room.h"

static const char *trace_path;
static const char *call; /* the misuse, as the source says it */

/* The misuse: remember what was called, give its result. */
#define MISUSE(expr) (call = #expr, (expr))

/* A call that sets the case up: it must work. */
#define SETUP(expr)                                                            \
	do {                                                                   \
		int rc_ = (expr);                                              \
		if (rc_ < 0) {                                                 \
			fprintf(stderr, "hostile: setup %s: %s\n", #expr,      \
				clab_strerror(rc_));                           \
			exit(3);                                               \
		}                                                              \
	} while (0)

static union room garbage(void)
{
	union room u;
	memset(&u, 0xa5, sizeof(u));
	return u;
}

/* Zero-filled, as a global that init was never called on. */
static union room zeroed;

static void *nothing(void *arg)
{
	return arg;
}

/* ---- mutex ---- */

static int mutex_garbage(void)
{
	union room u = garbage();
	return MISUSE(clab_mutex_lock(&u.m));
}

static int mutex_zeroed(void)
{
	return MISUSE(clab_mutex_lock(&zeroed.m));
}

static int mutex_destroyed(void)
{
	clab_mutex_t m;
	SETUP(clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL));
	SETUP(clab_mutex_destroy(&m));
	return MISUSE(clab_mutex_lock(&m));
}

static int mutex_init_twice(void)
{
	static clab_mutex_t m;
	SETUP(clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL));
	return MISUSE(clab_mutex_init(&m, "again", CLAB_MUTEX_NORMAL));
}

static int mutex_wrong_kind(void)
{
	static union room u;
	SETUP(clab_sem_init(&u.s, "s", 1, 0));
	return MISUSE(clab_mutex_lock(&u.m));
}

static int mutex_bad_type(void)
{
	clab_mutex_t m;
	return MISUSE(clab_mutex_init(&m, "m", (enum clab_mutex_type)99));
}

static int mutex_copy(void)
{
	static clab_mutex_t m, copy;
	SETUP(clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL));
	memcpy(&copy, &m, sizeof(m));
	return MISUSE(clab_mutex_lock(&copy));
}

/* Kept where the compiler cannot see that it was freed (it would warn). */
static clab_mutex_t *volatile freed;

static int mutex_freed(void)
{
	clab_mutex_t *m = malloc(sizeof(*m));
	if (!m)
		exit(3);
	SETUP(clab_mutex_init(m, "m", CLAB_MUTEX_NORMAL));
	SETUP(clab_mutex_destroy(m));
	freed = m;
	free(m);
	return MISUSE(clab_mutex_lock(freed));
}

static int mutex_null(void)
{
	return MISUSE(clab_mutex_lock(NULL));
}

static int mutex_misaligned(void)
{
	static union room u;
	return MISUSE(clab_mutex_lock((clab_mutex_t *)(u.b + 1)));
}

static int mutex_unlock_unlocked(void)
{
	clab_mutex_t m;
	SETUP(clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL));
	return MISUSE(clab_mutex_unlock(&m));
}

/* ---- condition variable ---- */

static int cond_garbage(void)
{
	union room u = garbage();
	clab_mutex_t m;
	SETUP(clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL));
	SETUP(clab_mutex_lock(&m));
	return MISUSE(clab_cond_wait(&u.c, &m));
}

static int cond_zeroed(void)
{
	return MISUSE(clab_cond_signal(&zeroed.c));
}

static int cond_destroyed_mutex(void)
{
	clab_cond_t c;
	clab_mutex_t m;
	SETUP(clab_cond_init(&c, "c"));
	SETUP(clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL));
	SETUP(clab_mutex_destroy(&m));
	return MISUSE(clab_cond_wait(&c, &m));
}

static int cond_without_mutex(void)
{
	clab_cond_t c;
	clab_mutex_t m;
	SETUP(clab_cond_init(&c, "c"));
	SETUP(clab_mutex_init(&m, "m", CLAB_MUTEX_NORMAL));
	return MISUSE(clab_cond_wait(&c, &m));
}

/* ---- semaphore ---- */

static int sem_garbage(void)
{
	union room u = garbage();
	return MISUSE(clab_sem_acquire(&u.s));
}

static int sem_huge(void)
{
	clab_sem_t s;
	return MISUSE(clab_sem_init(&s, "s", UINT32_MAX, 0));
}

static int sem_destroyed(void)
{
	clab_sem_t s;
	SETUP(clab_sem_init(&s, "s", 0, 0));
	SETUP(clab_sem_destroy(&s));
	return MISUSE(clab_sem_acquire(&s));
}

static int sem_over_release(void)
{
	clab_sem_t s;
	SETUP(clab_sem_init(&s, "s", 1, 1));
	return MISUSE(clab_sem_release(&s));
}

/* ---- barrier ---- */

static int barrier_garbage(void)
{
	union room u = garbage();
	return MISUSE(clab_barrier_wait(&u.ba));
}

static int barrier_no_parties(void)
{
	clab_barrier_t b;
	return MISUSE(clab_barrier_init(&b, "b", 0));
}

static int barrier_huge(void)
{
	clab_barrier_t b;
	return MISUSE(clab_barrier_init(&b, "b", 0x80000000u));
}

static int barrier_destroyed(void)
{
	clab_barrier_t b;
	SETUP(clab_barrier_init(&b, "b", 2));
	SETUP(clab_barrier_destroy(&b));
	return MISUSE(clab_barrier_wait(&b));
}

/* ---- latch ---- */

static int latch_destroyed(void)
{
	clab_latch_t l;
	SETUP(clab_latch_init(&l, "l"));
	SETUP(clab_latch_destroy(&l));
	return MISUSE(clab_latch_wait(&l));
}

static int latch_wrong_kind(void)
{
	static union room u;
	SETUP(clab_mutex_init(&u.m, "m", CLAB_MUTEX_NORMAL));
	return MISUSE(clab_latch_wait(&u.l));
}

/* ---- queue ---- */

static int queue_garbage(void)
{
	union room u = garbage();
	void *item;
	return MISUSE(clab_queue_get(&u.q, &item));
}

static int queue_huge(void)
{
	clab_queue_t q;
	return MISUSE(clab_queue_init(&q, "q", UINT32_MAX));
}

static int queue_init_twice(void)
{
	static clab_queue_t q;
	SETUP(clab_queue_init(&q, "q", 4));
	return MISUSE(clab_queue_init(&q, "again", 4));
}

/* An object of the trace before: closed, then a new one opened. */
static int queue_earlier_trace(void)
{
	static clab_queue_t q;
	struct clab_tracer_opts o = {.path = trace_path};
	SETUP(clab_queue_init(&q, "q", 4));
	SETUP(clab_tracer_close(NULL));
	SETUP(clab_tracer_open(&o));
	return MISUSE(clab_queue_put(&q, NULL));
}

/* ---- thread handles ---- */

static clab_thread_t *main_thread;
static int worker_rc;

static void *join_self(void *arg)
{
	worker_rc = MISUSE(clab_thread_join(clab_thread_self(), NULL));
	return arg;
}

static void *join_main(void *arg)
{
	worker_rc = MISUSE(clab_thread_join(main_thread, NULL));
	return arg;
}

/* The worker's call is the misuse. */
static int in_worker(void *(*fn)(void *))
{
	clab_thread_t *t;
	main_thread = clab_thread_self();
	SETUP(clab_thread_create(&t, "worker", fn, NULL));
	SETUP(clab_thread_join(t, NULL));
	return worker_rc;
}

static int thread_join_self(void)
{
	return in_worker(join_self);
}

static int thread_join_main(void)
{
	return in_worker(join_main);
}

static int thread_join_twice(void)
{
	clab_thread_t *t;
	SETUP(clab_thread_create(&t, "worker", nothing, NULL));
	SETUP(clab_thread_join(t, NULL));
	return MISUSE(clab_thread_join(t, NULL));
}

static int thread_join_detached(void)
{
	clab_thread_t *t;
	SETUP(clab_thread_create(&t, "worker", nothing, NULL));
	SETUP(clab_thread_detach(t));
	return MISUSE(clab_thread_join(t, NULL));
}

static int thread_detach_twice(void)
{
	clab_thread_t *t;
	SETUP(clab_thread_create(&t, "worker", nothing, NULL));
	SETUP(clab_thread_detach(t));
	return MISUSE(clab_thread_detach(t));
}

static int thread_join_null(void)
{
	return MISUSE(clab_thread_join(NULL, NULL));
}

static int thread_join_bad_pointer(void)
{
	return MISUSE(clab_thread_join((clab_thread_t *)(uintptr_t)8, NULL));
}

static const struct {
	const char *name;
	int (*fn)(void);
} cases[] = {
    {"mutex-garbage", mutex_garbage},
    {"mutex-zeroed", mutex_zeroed},
    {"mutex-destroyed", mutex_destroyed},
    {"mutex-init-twice", mutex_init_twice},
    {"mutex-wrong-kind", mutex_wrong_kind},
    {"mutex-bad-type", mutex_bad_type},
    {"mutex-copy", mutex_copy},
    {"mutex-freed", mutex_freed},
    {"mutex-null", mutex_null},
    {"mutex-misaligned", mutex_misaligned},
    {"mutex-unlock-unlocked", mutex_unlock_unlocked},
    {"cond-garbage", cond_garbage},
    {"cond-zeroed", cond_zeroed},
    {"cond-destroyed-mutex", cond_destroyed_mutex},
    {"cond-without-mutex", cond_without_mutex},
    {"sem-garbage", sem_garbage},
    {"sem-huge", sem_huge},
    {"sem-destroyed", sem_destroyed},
    {"sem-over-release", sem_over_release},
    {"barrier-garbage", barrier_garbage},
    {"barrier-no-parties", barrier_no_parties},
    {"barrier-huge", barrier_huge},
    {"barrier-destroyed", barrier_destroyed},
    {"latch-destroyed", latch_destroyed},
    {"latch-wrong-kind", latch_wrong_kind},
    {"queue-garbage", queue_garbage},
    {"queue-huge", queue_huge},
    {"queue-init-twice", queue_init_twice},
    {"queue-earlier-trace", queue_earlier_trace},
    {"thread-join-self", thread_join_self},
    {"thread-join-main", thread_join_main},
    {"thread-join-twice", thread_join_twice},
    {"thread-join-detached", thread_join_detached},
    {"thread-detach-twice", thread_detach_twice},
    {"thread-join-null", thread_join_null},
    {"thread-join-bad-pointer", thread_join_bad_pointer},
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		for (size_t i = 0; i < NCASES; i++)
			printf("%s\n", cases[i].name);
		return 0;
	}
	size_t i = 0;
	while (argc == 3 && i < NCASES && strcmp(cases[i].name, argv[2]) != 0)
		i++;
	if (argc != 3 || i == NCASES) {
		fprintf(stderr, "usage: hostile TRACE CASE | --list\n");
		return 3;
	}
	trace_path = argv[1];
	struct clab_tracer_opts o = {.path = trace_path};
	SETUP(clab_tracer_open(&o));
	int rc = cases[i].fn();
	if (rc >= 0) {
		fprintf(stderr, "hostile: %s: %s returned %d: not refused\n",
			cases[i].name, call, rc);
		clab_tracer_close(NULL);
		return 2;
	}
	fprintf(stderr, "hostile: %s: %s: %s\n", cases[i].name, call,
		clab_strerror(rc));
	return clab_tracer_close(NULL) < 0 ? 3 : 1;
}
