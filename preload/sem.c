/*
 * sem_*: each semaphore made with sem_init, or opened with sem_open, is a
 * clab_sem_t (a counting one: no bound), which lives until sem_destroy or
 * its last sem_close.  A named one is open to other processes (a forked
 * child, another program), which wait and post on the C library's count:
 * so its count stays the C library's, whose calls the library makes, and
 * the clab_sem_t only records them (the entry's shared flag;
 * clab__sem_ext_*).  Under the controlled scheduler, which must see every
 * wait, it is conclab's, started with the C library's value at its first
 * open in the process.  A process-shared one made by sem_init, and one
 * the library did not see made, are the C library's, not recorded.  The
 * functions set errno and return -1 as the C library's do: EAGAIN from
 * sem_trywait, ETIMEDOUT from sem_timedwait and sem_clockwait.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "preload.h"

#define RET() __builtin_return_address(0)

/* The semaphore sem_init made at s, or NULL. */
static struct clab__pl_obj *sem_of(sem_t *s)
{
	struct clab__pl_obj *e = clab__pl_obj_find(s, 0);
	if (e &&
	    atomic_load_explicit(&e->state, memory_order_acquire) ==
		CLAB__PL_READY &&
	    e->kind == CLAB__PL_SEM)
		return e;
	return NULL;
}

/* The C library's way: 0, or -1 with errno. */
static int ret(int r)
{
	if (r >= 0)
		return 0;
	errno = -r;
	return -1;
}

int sem_init(sem_t *s, int pshared, unsigned value)
{
	int r = CLAB__PL_REAL(sem_init)(s, pshared, value);
	if (r || !clab__pl_enter())
		return r;
	const struct clab_site *site = clab__pl_site(RET());
	struct clab__pl_obj *e = clab__pl_obj_init(s, site);
	char name[96];
	if (!e) {
		r = CLAB_ENOMEM;
	} else if (pshared) {
		clab__pl_obj_release(e); /* see clab__pl_shared_used */
		clab__pl_shared_used("process-shared semaphore", site);
	} else {
		clab__pl_name(s, "sem", sizeof(sem_t), name, sizeof(name));
		r = clab__sem_init(&e->u.s, name, value, 0, site);
		if (r)
			clab__pl_obj_release(e);
		else
			clab__pl_obj_ready(e, CLAB__PL_SEM);
	}
	clab__pl_leave();
	return ret(r);
}

int sem_destroy(sem_t *s)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(sem_destroy)(s);
	struct clab__pl_obj *e = sem_of(s);
	/* threads still waiting: conclab records it, the program goes on */
	if (e && clab__sem_destroy(&e->u.s, clab__pl_site(RET())) == 0)
		clab__pl_obj_release(e);
	clab__pl_leave();
	return CLAB__PL_REAL(sem_destroy)(s);
}

/*
 * The file a named semaphore s is mapped from, name its name: for the
 * watchdog, which judges whether another process can post it
 * (clab__pl_sem_ext_look).  The C library keeps it in /dev/shm, as
 * "sem." and the name without its leading slashes.
 */
static void file_of(struct clab__pl_obj *e, sem_t *s, const char *name)
{
	free(e->fpath);
	e->fpath = NULL;
	if (clab__mapped_file(s, &e->fdev, &e->fino) != 0) {
		e->fdev = e->fino = 0;
		return;
	}
	while (*name == '/')
		name++;
	if (asprintf(&e->fpath, "/dev/shm/sem.%s", name) < 0)
		e->fpath = NULL;
}

/*
 * The C library opens the semaphore (the same sem_t for every open of a
 * name in one process); the first open in the process makes its
 * clab_sem_t, named after it, with the C library's value.
 */
sem_t *sem_open(const char *name, int oflag, ...)
{
	unsigned mode = 0, value = 0;
	if (oflag & O_CREAT) {
		va_list ap;
		va_start(ap, oflag);
		mode = va_arg(ap, unsigned); /* mode_t, promoted */
		value = va_arg(ap, unsigned);
		va_end(ap);
	}
	sem_t *s = CLAB__PL_REAL(sem_open)(name, oflag, (mode_t)mode, value);
	if (s == SEM_FAILED || !clab__pl_enter())
		return s;
	const struct clab_site *site = clab__pl_site(RET());
	struct clab__pl_obj *e = clab__pl_obj_find(s, 1);
	int v = 0;
	if (e && clab__pl_obj_claim(e, CLAB__PL_SEM, site)) {
		e->shared = !atomic_load(&clab__sched_on); /* the C library's */
		file_of(e, s, name);
		CLAB__PL_REAL(sem_getvalue)(s, &v);
		if (clab__sem_init(&e->u.s, name, v < 0 ? 0 : (uint32_t)v, 0,
				   site) == 0) {
			atomic_store(&e->opens, 0);
			clab__pl_obj_ready(e, CLAB__PL_SEM);
		} else {
			clab__pl_obj_release(e);
		}
	}
	if (e && atomic_load(&e->state) == CLAB__PL_READY &&
	    e->kind == CLAB__PL_SEM)
		atomic_fetch_add(&e->opens, 1);
	clab__pl_leave();
	return s;
}

int sem_close(sem_t *s)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(sem_close)(s);
	struct clab__pl_obj *e = sem_of(s);
	/* the last close: the semaphore is gone from the process */
	if (e && atomic_load(&e->opens) > 0 &&
	    atomic_fetch_sub(&e->opens, 1) == 1 &&
	    clab__sem_destroy(&e->u.s, clab__pl_site(RET())) == 0)
		clab__pl_obj_release(e);
	clab__pl_leave();
	return CLAB__PL_REAL(sem_close)(s);
}

/* The C library's count of s (0 when it cannot tell). */
static uint32_t value_of(sem_t *s)
{
	int v = 0;
	CLAB__PL_REAL(sem_getvalue)(s, &v);
	return v < 0 ? 0 : (uint32_t)v;
}

int clab__pl_sem_ext_look(const clab_sem_t *cs, struct clab__ext_look *x)
{
	const struct clab__pl_obj *e =
	    (const struct clab__pl_obj *)((const char *)cs -
					  offsetof(struct clab__pl_obj, u.s));
	if (!e->shared || e->fino == 0)
		return -1;
	struct stat st;
	x->dev = e->fdev;
	x->ino = e->fino;
	x->value = 0;
	x->linked =
	    e->fpath && stat(e->fpath, &st) == 0 && st.st_ino == e->fino &&
	    ((uint64_t)major(st.st_dev) << 32 | minor(st.st_dev)) == e->fdev;
	/* the waiter is in its wait (plk): the semaphore is mapped */
	return CLAB__PL_REAL(sem_getvalue)((sem_t *)e->key, &x->value) == 0
		   ? 0
		   : -1;
}

/* A named semaphore's wait under way, for its cancellation's record. */
struct ext_wait {
	clab_sem_t *cs;
	sem_t *s;
	uint32_t ms;
	uint16_t stack;
	const struct clab_site *site;
};

static void ext_cancelled(void *arg)
{
	struct ext_wait *x = arg;
	clab__sem_ext_end(x->cs, CLAB_ECANCELED, x->ms, 0, x->stack, x->site);
}

/*
 * The wait of a named semaphore: the C library's (another process may
 * post), recorded.  A free permit is taken by a try; only a wait that
 * blocks is recorded as one (sem.wait), and the C library's wait (call:
 * its kind, ms as acquire takes it) is made with the guard cleared, as a
 * cancellation point.  Returns the C library's result (-1 and errno).
 */
enum { W_WAIT, W_TRY, W_TIMED, W_CLOCK };
static int real_wait(sem_t *s, int call, clockid_t clock,
		     const struct timespec *abs)
{
	if (call == W_TRY)
		return CLAB__PL_REAL(sem_trywait)(s);
	if (call == W_TIMED)
		return CLAB__PL_REAL(sem_timedwait)(s, abs);
	if (call == W_CLOCK)
		return CLAB__PL_REAL(sem_clockwait)(s, clock, abs);
	return CLAB__PL_REAL(sem_wait)(s);
}

static int ext_acquire(struct clab__pl_obj *e, sem_t *s, int call, uint32_t ms,
		       clockid_t clock, const struct timespec *abs,
		       const struct clab_site *site)
{
	int r = CLAB__PL_REAL(sem_trywait)(s);
	int err = errno;
	if (r == 0 || call == W_TRY || err != EAGAIN) {
		if (r == 0 || err == EAGAIN)
			clab__sem_ext_end(&e->u.s, r == 0 ? 0 : CLAB_EAGAIN, ms,
					  value_of(s), 0, site);
		errno = err;
		return r;
	}
	struct ext_wait x = {&e->u.s, s, ms, 0, site};
	clab__sem_ext_wait(&e->u.s, 0, ms, &x.stack, site);
	clab__pl_leave();
	pthread_cleanup_push(ext_cancelled, &x);
	r = real_wait(s, call, clock, abs);
	pthread_cleanup_pop(0);
	err = errno;
	if (clab__pl_enter()) {
		/* a wait a signal interrupted (EINTR) ended without a permit */
		clab__sem_ext_end(&e->u.s, r == 0 ? 0 : CLAB_ETIMEDOUT, ms,
				  value_of(s), x.stack, site);
		clab__pl_leave();
	}
	errno = err;
	return r;
}

/*
 * Take a permit of s within ms (CLAB_FOREVER, 0 for a try): 0 or a
 * negative CLAB_E*; 1 when s is not conclab's (the caller makes the C
 * library's call); 2 when s is a named semaphore, whose wait (call, clock,
 * abs: the C library's) is made here, and whose result is in *res, with
 * errno.
 */
static int acquire(sem_t *s, long long ms, const void *at, int call,
		   clockid_t clock, const struct timespec *abs, int *res)
{
	struct clab__pl_obj *e = sem_of(s);
	if (!e)
		return 1; /* not ours: the C library's */
	if (e->shared) {
		/* a bad time: the C library's EINVAL, nothing to record */
		*res = ms < 0 ? real_wait(s, call, clock, abs)
			      : ext_acquire(e, s, call, (uint32_t)ms, clock,
					    abs, clab__pl_site(at));
		return 2;
	}
	if (ms < 0)
		return CLAB_EINVAL;
	const struct clab_site *site = clab__pl_site(at);
	if (ms == 0) /* a try: no wait, no cancellation point */
		return clab__sem_acquire(&e->u.s, 0, site);
	int r;
	struct clab__thr *self;
	do {
		self = clab__pl_cancel_begin();
		self->interruptible = 1; /* EINTR, as the C library's */
		r = clab__sem_acquire(&e->u.s, (uint32_t)ms, site);
		self->interruptible = 0;
	} while (clab__pl_cancel_end(self, r == CLAB_ECANCELED));
	return r;
}

int sem_wait(sem_t *s)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(sem_wait)(s);
	int res;
	int r = acquire(s, CLAB_FOREVER, RET(), W_WAIT, 0, NULL, &res);
	clab__pl_leave();
	return r == 1 ? CLAB__PL_REAL(sem_wait)(s) : r == 2 ? res : ret(r);
}

int sem_trywait(sem_t *s)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(sem_trywait)(s);
	int res;
	int r = acquire(s, 0, RET(), W_TRY, 0, NULL, &res);
	clab__pl_leave();
	return r == 1 ? CLAB__PL_REAL(sem_trywait)(s) : r == 2 ? res : ret(r);
}

int sem_timedwait(sem_t *s, const struct timespec *abs)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(sem_timedwait)(s, abs);
	long long ms = clab__pl_ms_until(CLOCK_REALTIME, abs);
	int res;
	int r = acquire(s, ms, RET(), W_TIMED, CLOCK_REALTIME, abs, &res);
	/* a time already past: tried once */
	if (ms == 0 && r == CLAB_EAGAIN)
		r = CLAB_ETIMEDOUT;
	clab__pl_leave();
	return r == 1	? CLAB__PL_REAL(sem_timedwait)(s, abs)
	       : r == 2 ? res
			: ret(r);
}

/*
 * glibc 2.30 and later: the timed wait on a clock of the caller's choice
 * (CLOCK_MONOTONIC, which a change of the date does not move).  Before,
 * it went to the C library's semaphore, which the posts, made on
 * conclab's, never reached: a wait for a post timed out or blocked.
 */
int sem_clockwait(sem_t *s, clockid_t clock, const struct timespec *abs);
int sem_clockwait(sem_t *s, clockid_t clock, const struct timespec *abs)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(sem_clockwait)(s, clock, abs);
	long long ms = clab__pl_ms_until(clock, abs);
	int res;
	int r = acquire(s, ms, RET(), W_CLOCK, clock, abs, &res);
	if (ms == 0 && r == CLAB_EAGAIN)
		r = CLAB_ETIMEDOUT;
	clab__pl_leave();
	return r == 1	? CLAB__PL_REAL(sem_clockwait)(s, clock, abs)
	       : r == 2 ? res
			: ret(r);
}

/*
 * sem_post from a signal handler that came while its thread ran conclab's
 * code (the guard is set): POSIX makes sem_post async-signal-safe, and a
 * handler that posts a semaphore the program waits on is how a program
 * wakes up for a signal.  Before, the post went to the C library's count,
 * which conclab's waits never read: the wait it was for went on for ever.
 * When the thread sleeps in a park (at_wait: none of conclab's locks held,
 * no record being written) the post is made at once, with at_wait off
 * meanwhile, so that a handler that comes during it leaves its post; a
 * handler anywhere else leaves its post in the thread's list, made when
 * the call returns (clab__pl_leave) or before the thread sleeps, with the
 * guard set, the list taken out with the signals held off.  The list
 * keeps the program's sem_t, looked up again when the post is made, and
 * how many posts of it are left.  Returns 1 when the post is the C
 * library's: not conclab's semaphore, or no room left in the list (posts
 * of more than POSTS_LEFT semaphores left at once).
 */
#define POSTS_LEFT 16
static _Thread_local struct {
	sem_t *s;
	const void *at; /* the first post's site */
	unsigned n;	/* posts of s left */
} posts_left[POSTS_LEFT] __attribute__((tls_model("initial-exec")));
static _Thread_local int nposts_left __attribute__((tls_model("initial-exec")));
_Thread_local volatile int clab__pl_posts_left
    __attribute__((tls_model("initial-exec")));

/* A post of e, not a named one (guard set): 0, or a negative CLAB_E*. */
static int release(struct clab__pl_obj *e, const void *at)
{
	return clab_sem_value(&e->u.s) >= SEM_VALUE_MAX
		   ? -EOVERFLOW
		   : clab__sem_release(&e->u.s, clab__pl_site(at));
}

/* The post itself (guard set): 0, or a negative CLAB_E*; 1: not ours. */
static int post(sem_t *s, const void *at)
{
	struct clab__pl_obj *e = sem_of(s);
	if (!e || e->shared ||
	    !atomic_load_explicit(&clab__pl_on, memory_order_relaxed))
		return 1;
	return release(e, at);
}

/* The asynchronous signals held off (old: the mask before), and back. */
static void hold_signals(sigset_t *old)
{
	sigset_t s;
	clab__async_signals(&s);
	pthread_sigmask(SIG_BLOCK, &s, old);
}

static void unhold_signals(const sigset_t *old)
{
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

/* Take out the posts left, with the signals held off: how many. */
static int take_left(struct clab__thr *self, sem_t **s, const void **at,
		     unsigned *k)
{
	sigset_t old;
	hold_signals(&old);
	int n = nposts_left;
	for (int i = 0; i < n; i++) {
		s[i] = posts_left[i].s;
		at[i] = posts_left[i].at;
		k[i] = posts_left[i].n;
	}
	nposts_left = 0;
	clab__pl_posts_left = 0;
	if (self)
		self->deferred = 0;
	unhold_signals(&old);
	return n;
}

/* A post left, made: on the C library's semaphore if s is no more ours. */
static void post_left(sem_t *s, const void *at)
{
	if (post(s, at) == 1)
		CLAB__PL_REAL(sem_post)(s);
}

void clab__pl_posts_made(void)
{
	struct clab__thr *self = clab__tls_self;
	sem_t *s[POSTS_LEFT];
	const void *at[POSTS_LEFT];
	unsigned k[POSTS_LEFT];
	int n;
	/*
	 * In a park, before it sleeps, the thread is parked to the
	 * watchdog: running meanwhile (a first site may take a while)
	 */
	if (self)
		atomic_store(&self->in_handler, 1);
	while (clab__pl_posts_left && (n = take_left(self, s, at, k)) != 0)
		for (int i = 0; i < n; i++)
			while (k[i]--)
				post_left(s[i], at[i]);
	/*
	 * deferred is cleared with the list, the signals held off
	 * (take_left): not here, where a handler that comes after the last
	 * look has left a post with it set
	 */
	if (self)
		atomic_store(&self->in_handler, 0);
}

void clab__pl_leave_posts(void)
{
	do {
		clab__pl_guard = 1;
		clab__pl_posts_made();
		clab__pl_guard = 0;
		atomic_signal_fence(memory_order_seq_cst);
	} while (clab__pl_posts_left);
}

static int post_from_handler(sem_t *s, const void *at)
{
	struct clab__thr *self = clab__tls_self;
	struct clab__pl_obj *e;
	if (!clab__pl_guard || !self ||
	    !atomic_load_explicit(&clab__pl_on, memory_order_relaxed) ||
	    !(e = sem_of(s)) || e->shared)
		return 1;
	if (self->at_wait) {
		/* asleep in a park: now, and what a handler left meanwhile */
		self->at_wait = 0;
		int nested = atomic_exchange(&self->in_handler, 1);
		atomic_signal_fence(memory_order_seq_cst);
		int r = release(e, at);
		for (;;) {
			clab__pl_posts_made();
			atomic_store(&self->in_handler, 1);
			self->at_wait = 1;
			atomic_signal_fence(memory_order_seq_cst);
			if (!self->deferred)
				break;
			self->at_wait = 0; /* one came in between */
			atomic_signal_fence(memory_order_seq_cst);
		}
		atomic_store(&self->in_handler, nested);
		return r;
	}
	sigset_t old;
	hold_signals(&old);
	/* a semaphore's posts counted together: a handler may post many */
	int n = nposts_left, i = 0, r = 0;
	while (i < n && posts_left[i].s != s)
		i++;
	if (i < n) {
		posts_left[i].n++;
	} else if (n < POSTS_LEFT) {
		posts_left[n].s = s;
		posts_left[n].at = at;
		posts_left[n].n = 1;
		nposts_left = n + 1;
	} else {
		r = 1;
	}
	if (r == 0) {
		clab__pl_posts_left = 1;
		self->deferred = 1;
	}
	unhold_signals(&old);
	return r;
}

int sem_post(sem_t *s)
{
	if (!clab__pl_enter()) {
		int r = post_from_handler(s, RET());
		return r == 1 ? CLAB__PL_REAL(sem_post)(s) : ret(r);
	}
	struct clab__pl_obj *e = sem_of(s);
	int r = 1;
	if (e && e->shared) { /* named: the C library posts, after the record */
		uint32_t v = value_of(s);
		if (v < SEM_VALUE_MAX)
			clab__sem_ext_release(&e->u.s, v + 1,
					      clab__pl_site(RET()));
	} else if (e) {
		r = release(e, RET());
	}
	clab__pl_leave();
	return r == 1 ? CLAB__PL_REAL(sem_post)(s) : ret(r);
}

int sem_getvalue(sem_t *s, int *v)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(sem_getvalue)(s, v);
	struct clab__pl_obj *e = sem_of(s);
	if (e && e->shared)
		e = NULL; /* named: the C library's count */
	if (e)
		*v = (int)clab_sem_value(&e->u.s);
	clab__pl_leave();
	return e ? 0 : CLAB__PL_REAL(sem_getvalue)(s, v);
}
