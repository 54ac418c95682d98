/*
 * The preload library's life: the C library's functions resolved, the
 * trace opened and the watchdog started by the constructor, the trace
 * closed at exit, and the watchdog's report when the program deadlocks.
 *
 * `conclab trace` passes what to do in the environment: the trace's path
 * (without it the library records nothing and only passes calls on),
 * whether to record call stacks and the run's time limit.
 */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <conclab/label.h>

#include "preload.h"
#include "tracer-int.h"

#if defined(__SANITIZE_ADDRESS__)
#define CLAB__PL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CLAB__PL_ASAN 1
#endif
#endif
#ifdef CLAB__PL_ASAN
#include <sanitizer/asan_interface.h>
#else
#define CLAB__PL_ASAN 0
#endif

struct clab__pl_real clab__pl_real;
_Atomic int clab__pl_on;
_Atomic int clab__pl_ended;
_Thread_local int clab__pl_guard __attribute__((tls_model("initial-exec")));

static char trace_path[4096];
/* The process that opened the trace (see clab__pl_end). */
static pid_t traced_pid;

/*
 * dlsym for a function of the C library, the next definition after this
 * library's (an optional one may be missing: NULL).  The condition variable's
 * functions have two versions in glibc; programs built today use GLIBC_2.3.2,
 * and so does the library.
 */
static void *next(const char *name, const char *version, int optional)
{
	void *p = NULL;
#ifdef __GLIBC__
	if (version)
		p = dlvsym(RTLD_NEXT, name, version);
#else
	(void)version;
#endif
	if (!p)
		p = dlsym(RTLD_NEXT, name);
	if (!p && optional)
		return NULL;
	if (!p) {
		static const char msg[] = "conclab preload: the C library "
					  "has no function ";
		/* no stdio yet: this runs before anything else */
		if (write(2, msg, sizeof(msg) - 1) < 0 ||
		    write(2, name, strlen(name)) < 0 || write(2, "\n", 1) < 0)
			_exit(127);
		_exit(127);
	}
	return p;
}

#define NEXT(field, name) *(void **)&r->field = next(name, NULL, 0)
#define NEXT_COND(field, name) *(void **)&r->field = next(name, COND_VERSION, 0)
#if defined(__x86_64__)
#define COND_VERSION "GLIBC_2.3.2"
#else
#define COND_VERSION NULL
#endif

void clab__pl_resolve(void)
{
	static _Atomic int done;
	if (atomic_load(&done))
		return;
	struct clab__pl_real *r = &clab__pl_real;
	NEXT(mutex_init, "pthread_mutex_init");
	NEXT(mutex_destroy, "pthread_mutex_destroy");
	NEXT(mutex_lock, "pthread_mutex_lock");
	NEXT(mutex_trylock, "pthread_mutex_trylock");
	NEXT(mutex_timedlock, "pthread_mutex_timedlock");
	NEXT(mutex_unlock, "pthread_mutex_unlock");
	/* the clock forms: glibc 2.30 and later, as pthread_cond_clockwait */
	*(void **)&r->mutex_clocklock =
	    next("pthread_mutex_clocklock", NULL, 1);
	NEXT_COND(cond_init, "pthread_cond_init");
	NEXT_COND(cond_destroy, "pthread_cond_destroy");
	NEXT_COND(cond_wait, "pthread_cond_wait");
	NEXT_COND(cond_timedwait, "pthread_cond_timedwait");
	/* glibc 2.30 and later; a program cannot call it on an older one */
	*(void **)&r->cond_clockwait = next("pthread_cond_clockwait", NULL, 1);
	NEXT_COND(cond_signal, "pthread_cond_signal");
	NEXT_COND(cond_broadcast, "pthread_cond_broadcast");
	NEXT(sem_init, "sem_init");
	NEXT(sem_destroy, "sem_destroy");
	NEXT(sem_wait, "sem_wait");
	NEXT(sem_trywait, "sem_trywait");
	NEXT(sem_timedwait, "sem_timedwait");
	*(void **)&r->sem_clockwait = next("sem_clockwait", NULL, 1);
	NEXT(sem_post, "sem_post");
	NEXT(sem_getvalue, "sem_getvalue");
	NEXT(barrier_init, "pthread_barrier_init");
	NEXT(barrier_destroy, "pthread_barrier_destroy");
	NEXT(barrier_wait, "pthread_barrier_wait");
	NEXT(rwlock_init, "pthread_rwlock_init");
	NEXT(rwlock_destroy, "pthread_rwlock_destroy");
	NEXT(rwlock_rdlock, "pthread_rwlock_rdlock");
	NEXT(rwlock_wrlock, "pthread_rwlock_wrlock");
	NEXT(rwlock_tryrdlock, "pthread_rwlock_tryrdlock");
	NEXT(rwlock_trywrlock, "pthread_rwlock_trywrlock");
	NEXT(rwlock_timedrdlock, "pthread_rwlock_timedrdlock");
	NEXT(rwlock_timedwrlock, "pthread_rwlock_timedwrlock");
	NEXT(rwlock_unlock, "pthread_rwlock_unlock");
	*(void **)&r->rwlock_clockrdlock =
	    next("pthread_rwlock_clockrdlock", NULL, 1);
	*(void **)&r->rwlock_clockwrlock =
	    next("pthread_rwlock_clockwrlock", NULL, 1);
	NEXT(spin_init, "pthread_spin_init");
	NEXT(spin_destroy, "pthread_spin_destroy");
	NEXT(spin_lock, "pthread_spin_lock");
	NEXT(spin_trylock, "pthread_spin_trylock");
	NEXT(spin_unlock, "pthread_spin_unlock");
	NEXT(create, "pthread_create");
	NEXT(join, "pthread_join");
	NEXT(tryjoin, "pthread_tryjoin_np");
	NEXT(timedjoin, "pthread_timedjoin_np");
	/* glibc 2.31 and later */
	*(void **)&r->clockjoin = next("pthread_clockjoin_np", NULL, 1);
	NEXT(detach, "pthread_detach");
	NEXT(exit, "pthread_exit");
	NEXT(cancel, "pthread_cancel");
	NEXT(setname, "pthread_setname_np");
	NEXT(key_create, "pthread_key_create");
	NEXT(key_delete, "pthread_key_delete");
	NEXT(tss_create, "tss_create");
	*(void **)&r->call_tls_dtors = next("__call_tls_dtors", NULL, 1);
	NEXT(prctl, "prctl");
	NEXT(sem_open, "sem_open");
	NEXT(sem_close, "sem_close");
	NEXT(execve, "execve");
	NEXT(execv, "execv");
	NEXT(execvp, "execvp");
	NEXT(execvpe, "execvpe");
	NEXT(fexecve, "fexecve");
	NEXT(fork, "fork");
	NEXT(exit_now, "_exit");
	NEXT(posix_spawn, "posix_spawn");
	NEXT(posix_spawnp, "posix_spawnp");
	NEXT(system, "system");
	NEXT(popen, "popen");
	NEXT(sleep, "sleep");
	NEXT(usleep, "usleep");
	NEXT(nanosleep, "nanosleep");
	NEXT(clock_nanosleep, "clock_nanosleep");
	NEXT(sched_yield, "sched_yield");
	NEXT(close, "close");
	NEXT(close_range, "close_range");
	NEXT(dup2, "dup2");
	NEXT(dup3, "dup3");
	NEXT(sigaction, "sigaction");
	NEXT(signal, "signal");
	NEXT(sysv_signal, "__sysv_signal");
	NEXT(sigset, "sigset");
	atomic_store(&done, 1);
}

/*
 * The trace's end: the program's calls go on to conclab's objects,
 * recorded nowhere (see clab__pl_on), but under the controlled scheduler,
 * where they go to the C library's, so that the thread that ends the
 * process never hands its turn on.
 */
static void stop_recording(void)
{
	atomic_store(&clab__pl_ended, 1);
	if (clab__pl_sched_controlled())
		atomic_store(&clab__pl_on, 0);
}

/*
 * The watchdog found the program stuck: its report, the trace saved, and
 * the exit code `conclab run` gives (3 for a deadlock, 4 for the time
 * limit or, under control, the step limit).  The program's own threads are
 * blocked; nothing of it runs on.
 */
static void on_stuck(const struct clab_deadlock *d, void *arg)
{
	(void)arg;
	static char text[16384];
	stop_recording();
	clab_deadlock_format(d, text, sizeof(text));
	fflush(stdout);
	fprintf(stderr, "\nconclab: %s", text);
	clab__pl_sched_save();
	struct clab_tracer_stats st;
	int err = clab_tracer_close(&st);
	if (err)
		fprintf(stderr, "conclab: could not write the trace %s: %s\n",
			trace_path, clab_strerror(err));
	else
		fprintf(stderr,
			"conclab: trace saved to %s (%" PRIu64 " records)\n",
			trace_path, st.records);
	fflush(stderr);
	clab_deadlock_end_others(d);
	_exit(err ? 5
	      : d->why == CLAB_STUCK_TIME_LIMIT ||
		      d->why == CLAB_STUCK_STEP_LIMIT
		  ? 4
		  : 3);
}

/*
 * Every thread waits, some on named semaphores that only a program not yet
 * started could post (CLAB_STUCK_UNLESS_OTHER): said once; the run goes
 * on, as it would without conclab.
 */
static void on_notice(const struct clab_deadlock *d)
{
	static char text[16384];
	clab_deadlock_format(d, text, sizeof(text));
	fflush(stdout);
	fprintf(stderr, "\nconclab: %s", text);
	fflush(stderr);
}

/*
 * A child forked past this library's fork (the C library's own calls of
 * it): it is not traced; it uses the C library, on objects in the state
 * conclab's had.  The library's fork (the guard is set) does not come
 * here.
 */
static void forked_child(void)
{
	if (clab__pl_guard || !atomic_exchange(&clab__pl_on, 0))
		return;
	clab__pl_guard = 1;
	clab__pl_fork_child();
	clab__pl_leave(); /* a handler's posts: the C library's now */
}

void clab__pl_forked(void)
{
	if (!atomic_load(&clab__pl_on))
		return;
	if (clab_tracer_active()) {
		/* its own trace, which its exit or exec closes */
		traced_pid = getpid();
		clab__pl_threads_forked();
		const char *p = clab__tracer_path();
		if (p && strlen(p) < sizeof(trace_path))
			strcpy(trace_path, p);
		return;
	}
	atomic_store(&clab__pl_on, 0);
	clab__pl_fork_child();
}

long clab__pl_env_long(const char *name, long def)
{
	const char *v = getenv(name);
	char *end;
	if (!v || !*v)
		return def;
	long n = strtol(v, &end, 10);
	return *end ? def : n;
}

__attribute__((constructor)) static void preload_init(void)
{
	clab__pl_resolve();
	const char *path = getenv("CONCLAB_TRACE_FILE");
	if (!path || !*path || strlen(path) >= sizeof(trace_path))
		return;
	strcpy(trace_path, path);
	int stacks = clab__pl_env_long("CONCLAB_TRACE_STACKS", 0) != 0;
	unsigned limit_s =
	    (unsigned)clab__pl_env_long("CONCLAB_TRACE_LIMIT", 0);
	/* conclab trace's --codec (enum clab_trace_codec), --buffer-mb */
	unsigned codec = (unsigned)clab__pl_env_long("CONCLAB_TRACE_CODEC", 0);
	unsigned buffer_mb =
	    (unsigned)clab__pl_env_long("CONCLAB_TRACE_BUFFER_MB", 0);
	struct clab_sched_opts so;
	char mode[16], seed[32];
	int bad_mode = clab__pl_sched_read(&so, mode, sizeof(mode));
	/* programs the traced one runs are not traced (and keep the file) */
	unsetenv("CONCLAB_TRACE_FILE");
	unsetenv("CONCLAB_TRACE_STACKS");
	unsetenv("CONCLAB_TRACE_LIMIT");
	unsetenv("CONCLAB_TRACE_CODEC");
	unsetenv("CONCLAB_TRACE_BUFFER_MB");
	if (bad_mode) {
		fprintf(stderr, "conclab: no scheduler mode '%s'\n", mode);
		_exit(2);
	}

	clab__pl_guard = 1;
	clab__pthread_create = clab__pl_runtime_create;
	clab__real_sigaction = clab__pl_real.sigaction; /* preload/signal.c */
	clab__sem_ext_look = clab__pl_sem_ext_look;
	clab__watchdog_notice = on_notice;
	clab__deferred_hook = clab__pl_posts_made; /* preload/sem.c */
	extern char *program_invocation_name;
	snprintf(seed, sizeof(seed), "%" PRIu64, so.seed);
	const struct clab_meta_kv meta[] = {
	    {"command", "trace"},
	    {"program", program_invocation_name},
	    {"sched", clab_sched_mode_name(so.mode)},
	    {"seed", seed},
	};
	int ctl = so.mode != CLAB_SCHED_OS;
	struct clab_tracer_opts o = {
	    .path = trace_path,
	    .meta = meta,
	    /* the scheduler's mode and seed under control only */
	    .nmeta = sizeof(meta) / sizeof(meta[0]) - (ctl ? 0 : 2),
	    .buffer_mb = buffer_mb,
	    .compress = -1,
	    .virtual_time = ctl,
	    .codec = (int)codec,
	};
	int err = clab_tracer_open(&o);
	if (err) {
		fprintf(stderr, "conclab: cannot create the trace %s: %s\n",
			trace_path, clab_strerror(err));
		_exit(5);
	}
	clab_set_stacks(stacks);
	clab_text_width_choose(); /* the watchdog's reports, as conclab's */
	struct clab_watchdog_opts w = {
	    .period_ms = 100,
	    .run_limit_ms = limit_s * 1000u,
	    .on_stuck = on_stuck,
	};
	err = clab_watchdog_start(&w);
	if (err) {
		fprintf(stderr, "conclab: cannot start the watchdog: %s\n",
			clab_strerror(err));
		clab_tracer_close(NULL);
		_exit(5);
	}
	err = clab__pl_sched_start(&so);
	if (err) {
		fprintf(stderr, "conclab: cannot start the scheduler: %s\n",
			err == CLAB_EINVAL && so.replay
			    ? "the schedule string is malformed"
			    : clab_strerror(err));
		clab_watchdog_stop();
		clab_tracer_close(NULL);
		_exit(2);
	}
	/* the C library's fork runs it: the program's handlers are fork.c's */
	clab__pl_atfork_libc(forked_child);
	clab__pl_threads_init();
	traced_pid = getpid();
	atomic_store(&clab__pl_on, 1);
	clab__pl_leave();
}

/*
 * Things the trace's metadata counts at its close, "N FIRST": how many,
 * and the first, in words (note_count).
 */
struct counted {
	_Atomic unsigned n;
	char first[256];
};

/*
 * The programs this process started that are not traced (a vfork child's
 * exec, posix_spawn, system, popen).  A child of vfork writes them too, in
 * the memory it shares with its parent: a copy by hand, no library call
 * that could take a lock the parent holds.
 */
static struct counted untraced;
/* Process-shared objects and robust mutexes: the first's kind and site. */
static struct counted shared;

void clab__pl_untraced(const char *what)
{
	if (!atomic_load(&clab__pl_on) || atomic_fetch_add(&untraced.n, 1))
		return;
	size_t i = 0;
	for (; what && what[i] && i + 1 < sizeof(untraced.first); i++)
		untraced.first[i] = what[i];
	untraced.first[i] = 0;
}

void clab__pl_shared_used(const char *what, const struct clab_site *site)
{
	if (!atomic_load(&clab__pl_on) || atomic_fetch_add(&shared.n, 1))
		return;
	snprintf(shared.first, sizeof(shared.first), "%s %s:%d", what,
		 site && site->file ? site->file : "?", site ? site->line : 0);
}

/* c in the trace's metadata as key, when there was any. */
static void note_count(const char *key, const struct counted *c)
{
	unsigned n = atomic_load(&c->n);
	char v[sizeof(c->first) + 16];
	if (!n)
		return;
	snprintf(v, sizeof(v), "%u %s", n, c->first);
	(void)clab_tracer_meta_add(key, v);
}

void clab__pl_end(void)
{
	/*
	 * A child of vfork shares the parent's memory until it execs: the
	 * trace is the parent's, and stays open.
	 */
	if (getpid() != traced_pid || !atomic_load(&clab__pl_on) ||
	    atomic_exchange(&clab__pl_ended, 1))
		return;
	stop_recording();
	int guard = clab__pl_guard;
	clab__pl_guard = 1;
	/*
	 * The thread that ends the process (main, or one calling exit),
	 * unless its end is recorded already: the last of the program's
	 * threads, after main's pthread_exit (thread.c).
	 */
	struct clab__thr *self = clab__self();
	if (!self->ended)
		clab__thread_exit_holding(self);
	note_count("process.untraced", &untraced);
	note_count("process.shared", &shared);
	clab__pl_sched_save();
	clab_watchdog_stop();
	int err = clab_tracer_close(NULL);
	if (err) {
		fprintf(stderr, "conclab: could not write the trace %s: %s\n",
			trace_path, clab_strerror(err));
		_exit(5);
	}
	clab__pl_guard_to(guard);
}

void clab__pl_exec(const char *what)
{
	if (getpid() != traced_pid) {
		clab__pl_untraced(what); /* a child of vfork */
		return;
	}
	if (atomic_load(&clab__pl_on)) {
		int guard = clab__pl_guard;
		clab__pl_guard = 1;
		(void)clab_tracer_meta_add("process.exec", what);
		clab__pl_guard_to(guard);
	}
	clab__pl_end();
}

void clab__pl_exit_now(void)
{
	if (getpid() != traced_pid || !atomic_load(&clab__pl_on) ||
	    atomic_load(&clab__pl_ended))
		return;
	if (clab__pl_guard) {
		(void)clab__writer_save(1000);
		return;
	}
	clab__pl_end();
}

/*
 * At exit (after the program's own exit handlers and destructors): the
 * trace is written out.
 */
__attribute__((destructor)) static void preload_fini(void)
{
	clab__pl_end();
}

struct clab__thr *clab__pl_cancel_begin(void)
{
	struct clab__thr *self = clab__self();
	int state;
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &state);
	pthread_setcancelstate(state, NULL);
	self->cancellable = state == PTHREAD_CANCEL_ENABLE;
	return self;
}

void clab__pl_testcancel(struct clab__thr *self)
{
#if CLAB__PL_ASAN
	if (atomic_load(&self->cancel_req))
		__asan_handle_no_return();
#else
	(void)self;
#endif
	pthread_testcancel();
}

int clab__pl_cancel_end(struct clab__thr *self, int cancelled)
{
	self->cancellable = 0;
	if (!cancelled)
		return 0;
	/* the cleanup handlers are the program's: their calls are recorded */
	int guard = clab__pl_guard;
	clab__pl_leave();
	clab__pl_testcancel(self);
	clab__pl_guard = guard;
	/* not pending in the C library: a request already acted on */
	atomic_store(&self->cancel_req, 0);
	return 1;
}

long long clab__pl_ms_until(clockid_t clock, const struct timespec *abs)
{
	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC)
		return -1;
	if (abs->tv_nsec < 0 || abs->tv_nsec >= 1000000000L)
		return -1;
	struct timespec now;
	if (clock_gettime(clock, &now) != 0)
		return -1;
	long long ns = ((long long)abs->tv_sec - now.tv_sec) * 1000000000LL +
		       (abs->tv_nsec - now.tv_nsec);
	if (ns <= 0)
		return 0;
	long long ms = (ns + 999999) / 1000000;
	return ms >= (long long)CLAB_FOREVER ? CLAB_FOREVER - 1 : ms;
}
