/*
 * One scenario, two builds: a tiny macro layer over plain pthreads
 * (-DPLAIN: run as is, under ThreadSanitizer or under Helgrind) or over
 * conclab's clab_* runtime (the default: record a trace, let the
 * watchdog stop a real deadlock, and print the lock-order analysis of the
 * trace when the scenario returns).
 *
 * A scenario is a function `static void scenario(void)` and a name; the
 * program is
 *
 *	#include "compat.h"
 *	static void scenario(void) { ... }
 *	COMPAT_MAIN("s01-inversion")
 *
 * Every operation returns 0 on success.  Failures of set-up calls abort:
 * these are benchmarks, not lessons in error handling.
 *
 * The conclab build writes NAME.clt in the current directory (or
 * $COMPARE_TRACE) and keeps it, so `conclab dump` and `conclab analyze`
 * can look at it afterwards.  $COMPARE_BUFFER_MB sets the tracer's
 * memory cap for unwritten records (default 256).
 */
#ifndef COMPARE_COMPAT_H
#define COMPARE_COMPAT_H

#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define COMPAT_CHECK(call)                                                     \
	do {                                                                   \
		if ((call) != 0) {                                             \
			fprintf(stderr, "%s:%d: %s failed\n", __FILE__,        \
				__LINE__, #call);                              \
			abort();                                               \
		}                                                              \
	} while (0)

static inline uint64_t compat_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#ifdef PLAIN

#define COMPAT_FLAVOUR "plain"

typedef pthread_mutex_t compat_mutex_t;
typedef pthread_t compat_thread_t;
typedef sem_t compat_sem_t;
typedef pthread_barrier_t compat_barrier_t;

#define MUTEX_INIT(m, name) COMPAT_CHECK(pthread_mutex_init((m), NULL))
#define MUTEX_DESTROY(m) COMPAT_CHECK(pthread_mutex_destroy(m))
#define LOCK(m) pthread_mutex_lock(m)
#define UNLOCK(m) pthread_mutex_unlock(m)
#define TRYLOCK(m) pthread_mutex_trylock(m)
#define TIMEDLOCK(m, ms) compat_timedlock((m), (ms))

#define THREAD_CREATE(t, name, fn, arg)                                        \
	COMPAT_CHECK(pthread_create((t), NULL, (fn), (arg)))
#define JOIN(t) COMPAT_CHECK(pthread_join((t), NULL))

#define SEM_INIT(s, name, value) COMPAT_CHECK(sem_init((s), 0, (value)))
#define SEM_DESTROY(s) COMPAT_CHECK(sem_destroy(s))
#define SEM_WAIT(s) compat_sem_wait(s)
#define SEM_POST(s) sem_post(s)

#define BARRIER_INIT(b, name, n)                                               \
	COMPAT_CHECK(pthread_barrier_init((b), NULL, (n)))
#define BARRIER_DESTROY(b) COMPAT_CHECK(pthread_barrier_destroy(b))
#define BARRIER_WAIT(b) pthread_barrier_wait(b)

static inline int compat_timedlock(pthread_mutex_t *m, unsigned ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return pthread_mutex_timedlock(m, &ts);
}

static inline int compat_sem_wait(sem_t *s)
{
	while (sem_wait(s) != 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

#define COMPAT_MAIN(name)                                                      \
	int main(void)                                                         \
	{                                                                      \
		scenario();                                                    \
		return 0;                                                      \
	}

#else /* conclab */

#include <conclab/analyze.h>
#include <conclab/runtime.h>
#include <conclab/trace.h>

#define COMPAT_FLAVOUR "conclab"

typedef clab_mutex_t compat_mutex_t;
typedef clab_thread_t *compat_thread_t;
typedef clab_sem_t compat_sem_t;
typedef clab_barrier_t compat_barrier_t;

#define MUTEX_INIT(m, name)                                                    \
	COMPAT_CHECK(clab_mutex_init((m), (name), CLAB_MUTEX_NORMAL))
#define MUTEX_DESTROY(m) COMPAT_CHECK(clab_mutex_destroy(m))
#define LOCK(m) clab_mutex_lock(m)
#define UNLOCK(m) clab_mutex_unlock(m)
#define TRYLOCK(m) clab_mutex_trylock(m)
#define TIMEDLOCK(m, ms) clab_mutex_timedlock((m), (ms))

#define THREAD_CREATE(t, name, fn, arg)                                        \
	COMPAT_CHECK(clab_thread_create((t), (name), (fn), (arg)))
#define JOIN(t) COMPAT_CHECK(clab_thread_join((t), NULL))

#define SEM_INIT(s, name, value)                                               \
	COMPAT_CHECK(clab_sem_init((s), (name), (value), 0))
#define SEM_DESTROY(s) COMPAT_CHECK(clab_sem_destroy(s))
#define SEM_WAIT(s) clab_sem_acquire(s)
#define SEM_POST(s) clab_sem_release(s)

#define BARRIER_INIT(b, name, n)                                               \
	COMPAT_CHECK(clab_barrier_init((b), (name), (n)))
#define BARRIER_DESTROY(b) COMPAT_CHECK(clab_barrier_destroy(b))
#define BARRIER_WAIT(b) clab_barrier_wait(b)

static char compat_trace_path[4096];

/* Load the trace, print the lock-order analysis and a summary line. */
static inline void compat_analyze(void)
{
	struct clab_trace *tr;
	struct clab_analysis an;
	char err[512];

	if (clab_trace_load(compat_trace_path, &tr, err, sizeof(err)) != 0) {
		fprintf(stderr, "compat: %s\n", err);
		return;
	}
	if (clab_analyze(tr, &an) != 0) {
		fprintf(stderr, "compat: analysis failed\n");
		clab_trace_free(tr);
		return;
	}
	clab_analysis_print(tr, &an, stdout);
	uint32_t n = clab_lockdep_ncycles(an.ld);
	printf("compat: %u cycle(s), %zu problem(s):", n,
	       clab_analysis_problems(&an));
	for (uint32_t i = 0; i < n; i++) {
		const struct clab_ld_cycle *c = clab_lockdep_cycle(an.ld, i);
		printf(" [%s, %u locks, closed %llu time(s)]",
		       clab_ld_class_name(c->cls), c->nedges,
		       (unsigned long long)c->seen);
	}
	printf("\n");
	fflush(stdout);
	clab_analysis_fini(&an);
	clab_trace_free(tr);
}

/* As `conclab run` does: report, save the trace, analyse, exit 3. */
static inline void compat_on_stuck(const struct clab_deadlock *d, void *arg)
{
	static char text[16384];
	(void)arg;
	clab_deadlock_format(d, text, sizeof(text));
	fflush(stdout);
	fprintf(stderr, "conclab: %s", text);
	fflush(stderr);
	clab_tracer_close(NULL);
	compat_analyze();
	_exit(3);
}

static inline void compat_begin(const char *name)
{
	const char *path = getenv("COMPARE_TRACE");
	const char *mb = getenv("COMPARE_BUFFER_MB");
	struct clab_meta_kv meta[] = {{"bench", name}};
	struct clab_tracer_opts opts = {
	    .meta = meta,
	    .nmeta = 1,
	    .compress = -1,
	};
	struct clab_watchdog_opts wd = {
	    .period_ms = 100,
	    .on_stuck = compat_on_stuck,
	};
	int err;

	if (path != NULL && *path != '\0')
		snprintf(compat_trace_path, sizeof(compat_trace_path), "%s",
			 path);
	else
		snprintf(compat_trace_path, sizeof(compat_trace_path), "%s.clt",
			 name);
	opts.path = compat_trace_path;
	if (mb != NULL && *mb != '\0')
		opts.buffer_mb = (unsigned)strtoul(mb, NULL, 10);
	err = clab_tracer_open(&opts);
	if (err) {
		fprintf(stderr, "compat: cannot open %s: %s\n",
			compat_trace_path, clab_strerror(err));
		exit(5);
	}
	clab_thread_self(); /* the main thread is T0 */
	err = clab_watchdog_start(&wd);
	if (err) {
		fprintf(stderr, "compat: watchdog: %s\n", clab_strerror(err));
		exit(5);
	}
}

static inline int compat_end(void)
{
	struct clab_tracer_stats st;
	int err;

	clab_watchdog_stop();
	err = clab_tracer_close(&st);
	if (err) {
		fprintf(stderr, "compat: cannot write %s: %s\n",
			compat_trace_path, clab_strerror(err));
		return 5;
	}
	compat_analyze();
	return 0;
}

#define COMPAT_MAIN(name)                                                      \
	int main(void)                                                         \
	{                                                                      \
		compat_begin(name);                                            \
		scenario();                                                    \
		return compat_end();                                           \
	}

#endif /* PLAIN */

/*
 * The step most scenarios are made of: optionally take a gate, take
 * `first`, then `second` (timed when asked), release all.
 */
struct compat_step {
	compat_mutex_t *first, *second, *gate;
	int timed;
};

static inline void *compat_take_two(void *arg)
{
	struct compat_step *s = arg;
	if (s->gate)
		LOCK(s->gate);
	LOCK(s->first);
	if (s->timed) {
		if (TIMEDLOCK(s->second, 1000) == 0)
			UNLOCK(s->second);
	} else {
		LOCK(s->second);
		UNLOCK(s->second);
	}
	UNLOCK(s->first);
	if (s->gate)
		UNLOCK(s->gate);
	return NULL;
}

/* Each step in its own thread, one after another (joined in between). */
static inline void compat_run_steps(struct compat_step *steps, int n)
{
	for (int i = 0; i < n; i++) {
		compat_thread_t t;
		THREAD_CREATE(&t, "worker", compat_take_two, &steps[i]);
		JOIN(t);
	}
}

#endif
