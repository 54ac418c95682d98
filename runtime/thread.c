/*
 * Threads: creation, start, end, join, detach, sleep, annotations, and the
 * per-thread state behind clab__self().
 */
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clab-config.h"
#include "rt.h"

_Thread_local struct clab__thr *clab__tls_self
    __attribute__((tls_model("initial-exec")));

pthread_mutex_t clab__thr_lock = PTHREAD_MUTEX_INITIALIZER;
struct clab__thr *clab__thr_all;

int (*clab__pthread_create)(pthread_t *, const pthread_attr_t *,
			    void *(*)(void *), void *) = pthread_create;

static pthread_key_t exit_key;
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;

_Atomic unsigned clab__thr_walkers;
_Atomic uint64_t clab__thr_reaped_progress;

/*
 * States of threads that ended for good, to be used again, oldest first:
 * a handle used after its join (a second join) then still finds its own
 * thread's state, marked joined, unless SPARE_MIN threads ended since.
 * Never given back to malloc, so that a stale pointer reads a thread's
 * state, not freed memory.  Under clab__thr_lock.
 */
#define SPARE_MIN 64
#define SPARE_MAX 4096
static struct clab__thr *spare, **spare_tail = &spare;
static size_t nspare;
static size_t nall, nall_kept; /* in clab__thr_all; after the last reap */

static void spare_put(struct clab__thr *t)
{
	if (nspare >= SPARE_MAX) {
		free(t);
		return;
	}
	t->next_all = NULL;
	*spare_tail = t;
	spare_tail = &t->next_all;
	nspare++;
}

static struct clab__thr *spare_take(void)
{
	if (nspare <= SPARE_MIN)
		return NULL;
	struct clab__thr *t = spare;
	spare = t->next_all;
	if (!spare)
		spare_tail = &spare;
	nspare--;
	return t;
}

/*
 * Whether the thread of t has exited: the kernel knows its id no more (a
 * thread that took the id since would keep t, wrongly but safely, until it
 * ends too).  Only a thread that has run its last instruction cannot touch
 * its state again: a detached thread, or one the runtime did not create,
 * may still call the runtime from a destructor of a thread-local key after
 * its end is recorded.  Asked with sched_getscheduler, which any process
 * may call on any thread, not with a signal 0 (tgkill), which the sandbox
 * of `conclab exercise` counts against a forked child (cmd/sandbox.c).
 */
static int exited(const struct clab__thr *t)
{
	if (t->of_parent)
		return 1; /* a thread of the parent, in a forked child */
	return t->ktid > 0 && sched_getscheduler(t->ktid) == -1 &&
	       errno == ESRCH;
}

/*
 * Take back the states of threads that are over for good (called with
 * clab__thr_lock held): those of earlier traces (ended, and joined or
 * detached, or registered threads that ended), once per new trace; and
 * those of the current trace that ended holding no mutex and no
 * reader-writer lock (which point at its state) and that nothing will
 * touch again: joined (made here, their pthread_join() returned), or
 * detached or registered and exited (exited() above), whenever the
 * registry has doubled since the last time, so that a program that starts
 * threads one after another keeps a bounded registry at a constant cost a
 * thread.  Not under the controlled scheduler, which keeps its threads,
 * nor while another thread follows pointers to threads' states
 * (clab__thr_walkers).
 */
static void reap_locked(unsigned gen)
{
	static unsigned reaped;
	int now = !atomic_load(&clab__sched_on) &&
		  atomic_load(&clab__thr_walkers) == 0;
	int newgen = gen != reaped;
	if (!newgen && !(now && nall >= 2 * nall_kept + SPARE_MIN))
		return;
	reaped = gen;
	struct clab__thr **pp = &clab__thr_all;
	while (*pp) {
		struct clab__thr *t = *pp;
		int done, mine;
		clab__lk_lock(&t->lk);
		done = t->ended && atomic_load(&t->gone) &&
		       (t->joined || t->detached || !t->made_here);
		mine = now && t->nheld == 0 && atomic_load(&t->nrw) == 0 &&
		       (atomic_load(&t->reapable) ||
			(done && (t->detached || !t->made_here) && exited(t)));
		clab__lk_unlock(&t->lk);
		if (t != clab__tls_self &&
		    ((t->gen != gen && done) || (t->gen == gen && mine))) {
			*pp = t->next_all;
			nall--;
			if (t->gen == gen) {
				atomic_fetch_add(&clab__thr_reaped_progress,
						 atomic_load(&t->progress));
				clab__tbuf_retire(t->tb);
				spare_put(t);
			} else {
				free(t);
			}
		} else {
			pp = &t->next_all;
		}
	}
	nall_kept = nall;
}

/*
 * New thread state; claim: the calling thread registers itself; internal:
 * conclab's own (the watchdog's snapshot, which reads it under
 * clab__thr_lock, skips it), set before the state is published.
 */
static struct clab__thr *thr_new(const char *name, uint32_t parent, int claim,
				 int internal)
{
	static unsigned progress_gen;
	pthread_mutex_lock(&clab__thr_lock);
	unsigned gen = atomic_load(&clab__trace_gen);
	if (gen != progress_gen) {
		progress_gen = gen;
		atomic_store(&clab__thr_reaped_progress, 0);
	}
	reap_locked(gen);
	struct clab__thr *t = spare_take();
	pthread_mutex_unlock(&clab__thr_lock);
	/* aligned: the line wakers write is a line of its own */
	if (!t)
		t = aligned_alloc(CLAB__LINE, sizeof(*t));
	if (!t)
		return NULL;
	memset(t, 0, sizeof(*t));
	t->tb = claim ? clab__tbuf_claim_main() : NULL;
	if (!t->tb)
		t->tb = clab__tbuf_new(name, parent);
	if (!t->tb) {
		free(t);
		return NULL;
	}
	t->gen = gen;
	t->tid = t->tb->tid;
	t->h.id = t->tb->oid;
	t->h.kind = CLAB_O_THREAD;
	t->h.alive = 1;
	t->internal = internal;
	pthread_mutex_lock(&clab__thr_lock);
	t->next_all = clab__thr_all;
	clab__thr_all = t;
	nall++;
	pthread_mutex_unlock(&clab__thr_lock);
	return t;
}

static void thread_end(struct clab__thr *t, void *ret);

void (*clab__thread_gone_hook)(void);

static void exit_destructor(void *p)
{
	struct clab__thr *t = p;
	if (!t)
		return;
	int adopted = !t->made_here;
	if (adopted && !t->ended && t->gen == atomic_load(&clab__trace_gen))
		thread_end(t, NULL);
	atomic_store(&t->gone, 1);
	if (adopted && clab__thread_gone_hook)
		clab__thread_gone_hook();
}

static void make_exit_key(void)
{
	pthread_key_create(&exit_key, exit_destructor);
}

struct clab__thr *clab__self_slow(const char *name, int internal)
{
	struct clab__thr *old = clab__tls_self;
	if (old && !clab_tracer_active() && !name)
		return old; /* no trace: keep recording nowhere */
	struct clab__thr *t = thr_new(name, 0, !internal, internal);
	if (!t) {
		if (old)
			return old;
		/* Out of memory with no state at all: nothing sane left. */
		abort();
	}
	t->pt = pthread_self();
	t->ktid = (pid_t)syscall(SYS_gettid);
	clab__tls_self = t;
	if (t->tid != UINT32_MAX) {
		atomic_store(&t->live, !internal);
		clab__lk_lock(&t->lk);
		clab__emit_obj(t, CLAB_K_THREAD_START, &t->h, NULL, 0, 0);
		clab__lk_unlock(&t->lk);
		pthread_once(&exit_once, make_exit_key);
		pthread_setspecific(exit_key, t);
	}
	return t;
}

clab_thread_t *clab_thread_self(void)
{
	return clab__self();
}

uint32_t clab_thread_tid(const clab_thread_t *t)
{
	return t ? t->tid : UINT32_MAX;
}

const char *clab_thread_name(const clab_thread_t *t)
{
	/* a rename frees it: conclab's own readers copy (clab__tbuf_name) */
	return t && t->tb && t->tb->name ? t->tb->name : "?";
}

int clab_thread_rename(clab_thread_t *t, const char *name)
{
	int r = clab__thread_rename(t, name);
	if (r == 0 && clab__sched_ctl(clab__self()))
		clab__tbuf_renames_write(); /* see clab__thread_rename */
	return r;
}

int clab__thread_rename(clab_thread_t *t, const char *name)
{
	size_t n = name ? strnlen(name, CLAB_THREAD_NAME_MAX + 1) : 0;
	if (!t || n == 0 || n > CLAB_THREAD_NAME_MAX)
		return CLAB_EINVAL;
	int r = 0;
	clab__lk_lock(&t->lk);
	/*
	 * Not a handle of an earlier trace (its buffer's ids are another
	 * trace's), nor of a thread joined, whose state may go for reuse:
	 * a join sets joined under t->lk, and the reaper needs it.
	 */
	if (t->tb && t->gen == atomic_load(&clab__trace_gen) && !t->joined)
		r = clab__tbuf_rename(t->tb, name);
	clab__lk_unlock(&t->lk);
	return r;
}

/*
 * Whether t's permit of hsem[i] is one the lock-order detector still counts
 * as held: of the same semaphore (not destroyed since), which no thread
 * without a permit has given to (a semaphore used as a signal).
 */
static int permit_held(struct clab__thr *t, const struct clab__hsem *h)
{
	clab_sem_t *s = h->s;
	if (!clab__obj_ok(t, s, CLAB_O_SEM) || s->h.id != h->id)
		return 0;
	clab__lk_lock(&s->lk);
	int held = !s->ungated;
	clab__lk_unlock(&s->lk);
	return held;
}

void clab__thread_exit_holding(struct clab__thr *t)
{
	unsigned nheld = t->nheld < CLAB__HELD_MAX ? t->nheld : CLAB__HELD_MAX;
	for (unsigned i = 0; i < nheld; i++)
		clab__diag(t, CLAB_D_EXIT_HOLDING, t->held[i].m->h.id, 0,
			   t->held[i].site);
	for (unsigned i = 0; i < t->nrwheld; i++) {
		clab_rwlock_t *l = t->rwheld[i].l;
		if (clab__obj_ok(t, l, CLAB_O_RWLOCK))
			clab__diag(t, CLAB_D_EXIT_HOLDING, l->h.id,
				   t->rwheld[i].write ? 2 : 1,
				   t->rwheld[i].site);
	}
	for (unsigned i = 0; i < t->nhsem; i++)
		if (permit_held(t, &t->hsem[i]))
			clab__diag(t, CLAB_D_EXIT_HOLDING, t->hsem[i].id, 3,
				   t->hsem[i].site);
}

static void thread_end(struct clab__thr *t, void *ret)
{
	/*
	 * The posts a signal handler left on this thread (see struct
	 * clab__thr), and none more while its end is recorded: the signals
	 * held off until then (for good in a thread made here, which ends
	 * next; another thread takes the process's signals), a thread that
	 * goes on (main after pthread_exit, one conclab adopted) getting
	 * them back.
	 */
	sigset_t async, old;
	int held = clab__deferred_hook != NULL;
	if (held) {
		clab__async_signals(&async);
		pthread_sigmask(SIG_BLOCK, &async, &old);
		if (t->deferred)
			clab__deferred_hook();
	}
	clab__key_thread_end(t); /* destructors run before the thread.exit */
	clab__thread_exit_holding(t);
	clab__lk_lock(&t->lk);
	t->ret = ret;
	clab__emit_obj(t, CLAB_K_THREAD_EXIT, &t->h, NULL, 0, 0);
	t->ended = 1;
	clab__unpark_all(&t->joinq, CLAB_CAUSE_SIGNAL);
	/*
	 * A join asleep in pthread_join wakes once the thread has exited:
	 * until then it is woken, not blocked, for the watchdog.
	 */
	if (t->joiner)
		atomic_store(&t->joiner->woken, 1);
	atomic_store(&t->live, 0);
	clab__lk_unlock(&t->lk);
	clab__tbuf_exit(t->tb);
	clab__progress(t);
	if (held && !t->made_here)
		pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void *trampoline(void *arg)
{
	struct clab__thr *t = arg;
	clab__tls_self = t;
	t->ktid = (pid_t)syscall(SYS_gettid);
	clab__sched_thread_start(t);
	clab__lk_lock(&t->lk);
	clab__emit_obj(t, CLAB_K_THREAD_START, &t->h, NULL, 0, 0);
	clab__lk_unlock(&t->lk);
	void *ret = t->fn(t->arg);
	clab__sched_point(t, NULL);
	thread_end(t, ret);
	clab__sched_thread_exit(t);
	atomic_store(&t->gone, 1);
	return ret;
}

void clab__thread_exit(void *ret)
{
	struct clab__thr *t = clab__tls_self;
	if (!t || !t->made_here || t->gen != atomic_load(&clab__trace_gen))
		return;
	clab__lk_lock(&t->lk);
	int ended = t->ended;
	clab__lk_unlock(&t->lk);
	if (ended)
		return;
	clab__sched_point(t, NULL);
	thread_end(t, ret);
	clab__sched_thread_exit(t);
	atomic_store(&t->gone, 1);
}

void clab__thread_leave(void)
{
	struct clab__thr *t = clab__tls_self;
	if (!t || t->made_here || t->ended || !clab__sched_ctl(t))
		return;
	clab__sched_point(t, NULL);
	thread_end(t, NULL);
	clab__sched_thread_exit(t);
}

int clab__thread_create(clab_thread_t **out, const char *name,
			void *(*fn)(void *), void *arg,
			const struct clab_site *site)
{
	if (!out || !fn)
		return CLAB_EINVAL;
	struct clab__thr *self = clab__self();
	clab__sched_point(self, site);
	struct clab__thr *t = thr_new(name, self->tid, 0, 0);
	if (!t)
		return CLAB_ENOMEM;
	clab__sched_thread_new(self, t);
	t->fn = fn;
	t->arg = arg;
	t->made_here = 1;
	/*
	 * t's lock is held while the thread is made, so that its
	 * thread.start (trampoline, under the lock) comes after its
	 * thread.create, which is recorded only once the thread exists: a
	 * thread.create with no thread.start is a thread that never ran.
	 */
	clab__lk_lock(&t->lk);
	atomic_store(&t->live, 1);
	int e = clab__pthread_create(&t->pt, NULL, trampoline, t);
	if (e) {
		t->ended = t->joined = 1;
		atomic_store(&t->live, 0);
		atomic_store(&t->gone, 1);
		atomic_store(&t->reapable, 1); /* it never ran */
		clab__lk_unlock(&t->lk);
		clab__tbuf_exit(t->tb);
		return -e;
	}
	clab__emit(self->tb, CLAB_K_THREAD_CREATE, t->h.id, ++t->h.oseq, site,
		   0, 0);
	clab__lk_unlock(&t->lk);
	*out = t;
	return 0;
}

/*
 * Why t may be neither joined nor detached (a CLAB_BADOBJ_*), or 0.  A
 * handle is the runtime's, not the program's memory: only a pointer that
 * is no object's is refused before it is read (clab__obj_ptr_ok).
 * Called with t->lk held.
 */
static unsigned unjoinable(const struct clab__thr *t)
{
	/* a forked child has only the forking thread: the others' handles
	 * are stale there (the C library gives their stacks to new threads) */
	if (t->of_parent)
		return CLAB_BADOBJ_OF_PARENT;
	if (!t->made_here)
		return CLAB_BADOBJ_NOT_CREATED;
	if (t->joined || t->joiner)
		return CLAB_BADOBJ_JOINED;
	if (t->detached)
		return CLAB_BADOBJ_DETACHED;
	return 0;
}

int clab__thread_join(clab_thread_t *t, void **ret, uint32_t ms,
		      const struct clab_site *site)
{
	struct clab__thr *self = clab__self();
	if (!clab__obj_ptr_ok(t))
		return clab__obj_bad(self, t, CLAB_O_THREAD, site);
	clab__sched_point(self, site);
	if (t == self) {
		clab__diag(self, CLAB_D_JOIN_SELF, t->h.id, 0, site);
		return CLAB_EDEADLK;
	}
	clab__lk_lock(&t->lk);
	unsigned why = unjoinable(t);
	if (why) {
		clab__lk_unlock(&t->lk);
		return clab__obj_refuse(self, t->h.id, why, CLAB_O_THREAD,
					site);
	}
	int pjoined = 0;
	if (!t->ended) {
		if (ms == 0) {
			clab__lk_unlock(&t->lk);
			clab__emit(self->tb, CLAB_K_THREAD_JOIN_TIMEOUT,
				   t->h.id, 0, site, 0, 0);
			return CLAB_ETIMEDOUT;
		}
		struct timespec dl;
		if (ms != CLAB_FOREVER)
			clab__deadline(&dl, ms);
		clab__emit_s(self->tb, CLAB_K_THREAD_JOIN_WAIT, t->h.id, 0,
			     site, 0, 0, clab__stack_here());
		if (ms == CLAB_FOREVER) {
			clab__lk_drop(&t->lk);
			clab__deadlock_probe(self, &t->h);
			clab__lk_lock(&t->lk);
		}
		/* (the C library's join is no wait a cancellation can end
		 * here: a cancellable join parks) */
		/*
		 * (nor, under the preload library, one a signal handler's
		 * post may have to end: parked, the thread takes it at once)
		 */
		if (ms == CLAB_FOREVER && !clab__sched_ctl(self) && !t->ended &&
		    !t->joiner && !self->cancellable && !clab__deferred_hook) {
			t->joiner = self;
			clab__park_join(self, &t->lk, &t->h, site, t->pt);
			pjoined = 1;
		}
		/* a thread that left without its end (pthread_exit) */
		while (!t->ended) {
			struct clab__waiter w;
			clab__waiter_init(&w, self);
			clab__wq_push(&t->joinq, &w);
			int r = clab__park(self, &t->lk, &w, &t->h, site,
					   ms == CLAB_FOREVER ? NULL : &dl);
			if (r == CLAB_ECANCELED) {
				clab__emit_obj(self, CLAB_K_WAIT_CANCEL, &t->h,
					       site, 0, 0);
				clab__lk_unlock(&t->lk);
				return r;
			}
			if (r) {
				clab__lk_unlock(&t->lk);
				clab__emit(self->tb, CLAB_K_THREAD_JOIN_TIMEOUT,
					   t->h.id, 0, site, 0, 0);
				return CLAB_ETIMEDOUT;
			}
		}
	}
	clab__emit_obj(self, CLAB_K_THREAD_JOIN, &t->h, site, 0, 0);
	t->joined = 1;
	void *r = t->ret;
	pthread_t pt = t->pt;
	clab__lk_unlock(&t->lk);
	if (!pjoined) {
		/* its end is recorded: a short wait for its exit at most,
		 * and no cancellation point (the join is recorded: the
		 * caller must learn that it joined) */
		int cs;
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cs);
		pthread_join(pt, NULL);
		pthread_setcancelstate(cs, NULL);
	}
	atomic_store(&t->reapable, 1); /* t is not used after this */
	if (ret)
		*ret = r;
	return 0;
}

int clab__thread_detach(clab_thread_t *t, const struct clab_site *site)
{
	struct clab__thr *self = clab__self();
	if (!clab__obj_ptr_ok(t))
		return clab__obj_bad(self, t, CLAB_O_THREAD, site);
	clab__lk_lock(&t->lk);
	unsigned why = unjoinable(t);
	if (why) {
		clab__lk_unlock(&t->lk);
		return clab__obj_refuse(self, t->h.id, why, CLAB_O_THREAD,
					site);
	}
	t->detached = 1;
	/* once lk drops, t may end and be taken for another thread */
	uint32_t id = t->h.id;
	pthread_t pt = t->pt;
	clab__lk_unlock(&t->lk);
	clab__emit(self->tb, CLAB_K_THREAD_DETACH, id, 0, site, 0, 0);
	pthread_detach(pt);
	return 0;
}

void clab__thread_cancel(clab_thread_t *t, const struct clab_site *site)
{
	struct clab__thr *self = clab__self();
	clab__emit(self->tb, CLAB_K_THREAD_CANCEL, t->h.id, 0, site, 0, 0);
}

void clab__thread_interrupt(clab_thread_t *t)
{
	/* before the futex: a park that finds futex 0 then sees the request
	 * (see clab__park) */
	atomic_store(&t->cancel_req, 1);
	atomic_store(&t->futex, 1);
	clab__futex_wake(&t->futex, 1);
}

int clab__sleep_ms(uint32_t ms, const struct clab_site *site)
{
	struct clab__thr *self = clab__self();
	int rc = 0;
	clab__sched_point(self, site);
	clab__emit(self->tb, CLAB_K_SLEEP_BEGIN, 0, 0, site, 0, ms);
	if (clab__sched_ctl(self)) {
		/*
		 * On the virtual clock: nothing wakes it but the time, or a
		 * cancellation where the thread takes one (self->cancellable:
		 * the preload library's sleep, a cancellation point), which
		 * sets cancel_req, then futex (clab__thread_interrupt).
		 */
		struct timespec dl;
		clab__deadline(&dl, ms);
		while (clab__sched_ctl(self)) {
			atomic_store(&self->futex, 0);
			if (self->cancellable &&
			    atomic_load(&self->cancel_req)) {
				rc = CLAB_ECANCELED;
				break;
			}
			if (clab__sched_block(self, &self->futex, &dl) ==
			    ETIMEDOUT)
				break;
		}
	} else {
		struct timespec d = {(time_t)(ms / 1000),
				     (long)(ms % 1000) * 1000000L};
		while (clock_nanosleep(CLOCK_MONOTONIC, 0, &d, &d) != 0)
			;
	}
	clab__emit(self->tb, CLAB_K_SLEEP_END, 0, 0, site, 0, 0);
	return rc;
}

void clab__note(const struct clab_site *site, int64_t v, uint32_t w)
{
	struct clab__thr *self = clab__self();
	clab__sched_point(self, site);
	clab__emit_val(self->tb, CLAB_K_NOTE, v, site, w);
}

int clab__role(const struct clab__obj *h, const char *role, uint32_t index)
{
	size_t n = role ? strspn(role, "abcdefghijklmnopqrstuvwxyz"
				       "0123456789-_")
			: 0;
	if (!h || !h->id || !h->alive || n == 0 || n > 31 || role[n])
		return CLAB_EINVAL;
	if (!clab_tracer_active())
		return 0;
	char key[32], value[48];
	snprintf(key, sizeof(key), "role.%" PRIu32, h->id);
	snprintf(value, sizeof(value), "%s %" PRIu32, role, index);
	return clab_tracer_meta_add(key, value);
}

int clab_thread_role(clab_thread_t *t, const char *role, uint32_t index)
{
	return t ? clab__role(&t->h, role, index) : CLAB_EINVAL;
}

const char *clab_version(void)
{
	return CLAB_VERSION;
}
