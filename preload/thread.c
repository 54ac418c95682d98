/*
 * pthread_create, join, detach and exit: the program's threads are
 * conclab threads (clab_thread_create), so that their start, end and
 * joins are recorded and the watchdog sees a join wait.
 *
 * A thread that pthread_create makes while conclab's code runs (the
 * runtime's own: its writer, its watchdog, and the thread under each
 * clab_thread_create) starts with the guard set: conclab's threads keep
 * it; the program's function runs with it clear (thread_main).  Its stack
 * and guard sizes are the program's; it is made joinable and detached
 * afterwards when the program asked for a detached one.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/prctl.h>

#include "preload.h"

#define RET() __builtin_return_address(0)

/* The attributes for the next thread this thread makes (see above). */
static _Thread_local const pthread_attr_t *next_attr;

/* pthread_t to the program's conclab threads, not yet joined or detached. */
struct tnode {
	pthread_t pt;
	clab_thread_t *t;
	struct tnode *next;
};
#define TBUCKETS 1024
static struct tnode *tmap[TBUCKETS];
static clab__lock_t tlk;

static size_t bucket(pthread_t pt)
{
	return (size_t)(((uint64_t)pt * 0x9e3779b97f4a7c15ull) >> 40) %
	       TBUCKETS;
}

/*
 * Map pt to t, replacing what pt mapped to: a pthread_t of a thread that
 * ended may be given to a new one.  Both the creator (before the program
 * sees pt) and the new thread (before the program's function runs) map
 * it, so that a join or a detach finds it whichever runs first.
 */
static int tmap_put(pthread_t pt, clab_thread_t *t)
{
	struct tnode *n = malloc(sizeof(*n));
	if (!n)
		return ENOMEM;
	n->pt = pt;
	n->t = t;
	clab__lk_lock(&tlk);
	struct tnode *o = tmap[bucket(pt)];
	while (o && !pthread_equal(o->pt, pt))
		o = o->next;
	if (o) {
		o->t = t;
	} else {
		n->next = tmap[bucket(pt)];
		tmap[bucket(pt)] = n;
	}
	clab__lk_unlock(&tlk);
	if (o)
		free(n);
	return 0;
}

/* The conclab thread of pt, taken out of the map when take. */
static clab_thread_t *tmap_get(pthread_t pt, int take)
{
	clab_thread_t *t = NULL;
	clab__lk_lock(&tlk);
	struct tnode **pp = &tmap[bucket(pt)];
	while (*pp && !pthread_equal((*pp)->pt, pt))
		pp = &(*pp)->next;
	struct tnode *n = *pp;
	if (n) {
		t = n->t;
		if (take)
			*pp = n->next;
	}
	clab__lk_unlock(&tlk);
	if (n && take)
		free(n);
	return t;
}

struct start {
	void *(*fn)(void *);
	void *arg;
	int detached; /* made detached: never in the map */
};

struct guarded {
	void *(*fn)(void *);
	void *arg;
};

/* A thread made with the guard set keeps it: conclab's code runs first. */
static void *guarded_main(void *p)
{
	struct guarded g = *(struct guarded *)p;
	free(p);
	clab__pl_guard = 1;
	return g.fn(g.arg);
}

static _Thread_local void *exit_value;

/*
 * The program's own threads alive (made by its pthread_create, counted
 * from before they start until their end is recorded; a main thread that
 * left with pthread_exit is counted too, until its end is recorded), and
 * whether its main thread ended with pthread_exit.  The C library ends
 * the process with exit(0) when its last thread ends, but conclab's
 * threads (the trace's writer, the watchdog) would keep it alive: when
 * the last of the program's threads ends after its main thread did, this
 * library calls exit(0) instead, which closes the trace (clab__pl_end).
 * Main's end is recorded by its exit key's destructor, after its cleanup
 * handlers and thread_local destructors, which can outlast the others:
 * the trace is closed only once it is recorded (main_gone).
 */
static atomic_uint program_threads;
static atomic_int main_exited;
static atomic_int ending; /* exit(0) is called once */
/* This thread is a main thread that left with pthread_exit, counted. */
static _Thread_local int main_counted;
/*
 * Set in each of the program's threads: its destructor runs at its end.
 * Made by the constructor (a pthread_once here could be under way in
 * another thread at a fork, and never end in the child).
 */
static pthread_key_t end_key;
static int have_end_key;

/* One of the program's threads ended, and its end is recorded. */
static void program_thread_end(void *unused)
{
	(void)unused;
	if (atomic_fetch_sub(&program_threads, 1) == 1 &&
	    atomic_load(&main_exited) && atomic_load(&clab__pl_on) &&
	    !atomic_load(&clab__pl_ended) && !atomic_exchange(&ending, 1))
		exit(0);
}

/* A thread the runtime did not create ended, its end recorded. */
static void main_gone(void)
{
	if (main_counted) {
		main_counted = 0;
		program_thread_end(NULL);
	}
}

void clab__pl_threads_init(void)
{
	have_end_key = pthread_key_create(&end_key, program_thread_end) == 0;
	clab__thread_gone_hook = main_gone;
}

/* This thread is one of the program's, made by its pthread_create. */
static int program_thread(void)
{
	return have_end_key && pthread_getspecific(end_key) != NULL;
}

void clab__pl_threads_forked(void)
{
	/* the child's one thread: its main, or the program's thread that
	 * forked, whose end then ends the child as a last thread's would */
	int mine = program_thread();
	atomic_store(&program_threads, mine ? 1 : 0);
	atomic_store(&main_exited, mine);
	atomic_store(&ending, 0);
}

/*
 * The program's thread-specific data keys that have a destructor
 * (pthread_key_create and tss_create called by the program, not by
 * conclab, whose own keys are made with the guard set), by key; key_top:
 * one past the highest.
 */
#define KEYS 1024 /* glibc's PTHREAD_KEYS_MAX */
static void (*_Atomic key_dtor[KEYS])(void *);
static atomic_uint key_top;

void clab__pl_key_made(unsigned key, void (*dtor)(void *))
{
	if (clab__pl_guard || key >= KEYS)
		return;
	atomic_store(&key_dtor[key], dtor);
	unsigned top = atomic_load(&key_top);
	while (dtor && key >= top &&
	       !atomic_compare_exchange_weak(&key_top, &top, key + 1))
		;
}

int pthread_key_create(pthread_key_t *key, void (*dtor)(void *))
{
	int r = CLAB__PL_REAL(key_create)(key, dtor);
	if (r == 0)
		clab__pl_key_made(*key, dtor);
	return r;
}

int pthread_key_delete(pthread_key_t key)
{
	clab__pl_key_made(key, NULL);
	return CLAB__PL_REAL(key_delete)(key);
}

/*
 * The ending thread's destructors, which the C library would run once
 * its start function has returned, and conclab's record of its end with
 * it: its C++ thread_local objects' and std::notify_all_at_thread_exit's
 * (the C library's __call_tls_dtors, when it has one), then its
 * thread-specific data's, key by key, for as many rounds as POSIX gives.
 * Run here, before that record, with the guard clear: their locks,
 * unlocks and signals are the program's, on conclab's objects, and a join
 * returns after them, as it does without conclab.  Before, they ran after
 * the end, on the C library's objects: a destructor that added a
 * thread's tally under the program's mutex raced the other threads, and
 * one that signalled a condition woke nobody.  What they leave for the
 * C library's own run is nothing.
 */
static void run_destructors(void)
{
	/* resolved: the thread was made through CLAB__PL_REAL(create) */
	if (clab__pl_real.call_tls_dtors)
		clab__pl_real.call_tls_dtors();
	unsigned top = atomic_load(&key_top);
	for (int round = 0; round < PTHREAD_DESTRUCTOR_ITERATIONS; round++) {
		int any = 0;
		for (unsigned k = 0; k < top; k++) {
			void (*d)(void *) = atomic_load(&key_dtor[k]);
			void *v = d ? pthread_getspecific(k) : NULL;
			if (!v)
				continue;
			pthread_setspecific(k, NULL);
			d(v);
			any = 1;
		}
		if (!any)
			break;
	}
}

/* pthread_exit (or a cancellation) in a program thread: recorded as an end. */
static void thread_left(void *unused)
{
	(void)unused;
	/* a cancellation acted on: none pending for a sleep in a destructor */
	atomic_store(&clab__self()->cancel_req, 0);
	clab__pl_leave();
	run_destructors();
	clab__pl_guard = 1;
	clab__thread_exit(exit_value);
}

/* The program's function, in a conclab thread (under its trampoline). */
static void *thread_main(void *p)
{
	struct start s = *(struct start *)p;
	free(p);
	void *ret;
	if (have_end_key)
		pthread_setspecific(end_key, &end_key); /* counted: see above */
	if (!s.detached)
		tmap_put(pthread_self(), clab_thread_self());
	exit_value = PTHREAD_CANCELED;
	clab__pl_leave();
	pthread_cleanup_push(thread_left, NULL);
	ret = s.fn(s.arg);
	/* still under thread_left: a destructor may call pthread_exit */
	run_destructors();
	pthread_cleanup_pop(0);
	clab__pl_guard = 1;
	return ret;
}

/*
 * How the runtime starts the thread under clab_thread_create (see
 * clab__pthread_create): with the program's attributes and the guard
 * set, by the C library's pthread_create, so that a wrapper that the
 * program's call went through (a sanitizer's) is not gone through twice.
 */
int clab__pl_runtime_create(pthread_t *out, const pthread_attr_t *attr,
			    void *(*fn)(void *), void *arg)
{
	struct guarded *g = malloc(sizeof(*g));
	if (!g)
		return EAGAIN;
	g->fn = fn;
	g->arg = arg;
	const pthread_attr_t *a = next_attr ? next_attr : attr;
	next_attr = NULL;
	int r = CLAB__PL_REAL(create)(out, a, guarded_main, g);
	if (r)
		free(g);
	return r;
}

int clab__pl_create_at(pthread_t *out, const pthread_attr_t *attr,
		       void *(*fn)(void *), void *arg, const void *at)
{
	/* conclab's own threads: see above */
	if (clab__pl_guard)
		return clab__pl_runtime_create(out, attr, fn, arg);
	if (!clab__pl_enter())
		return CLAB__PL_REAL(create)(out, attr, fn, arg);
	const struct clab_site *site = clab__pl_site(at);
	struct start *s = malloc(sizeof(*s));
	int r = EAGAIN, detached = PTHREAD_CREATE_JOINABLE;
	pthread_attr_t a;
	int have_a = 0;
	if (attr) {
		size_t size;
		pthread_attr_getdetachstate(attr, &detached);
		if (pthread_attr_init(&a) == 0) {
			have_a = 1;
			if (pthread_attr_getstacksize(attr, &size) == 0)
				pthread_attr_setstacksize(&a, size);
			if (pthread_attr_getguardsize(attr, &size) == 0)
				pthread_attr_setguardsize(&a, size);
			next_attr = &a;
		}
	}
	clab_thread_t *t = NULL;
	if (s) {
		s->fn = fn;
		s->arg = arg;
		s->detached = detached == PTHREAD_CREATE_DETACHED;
		atomic_fetch_add(&program_threads, 1);
		r = -clab__thread_create(&t, NULL, thread_main, s, site);
		if (r) {
			atomic_fetch_sub(&program_threads, 1);
			free(s);
			if (r == ENOMEM)
				r = EAGAIN;
		}
	}
	next_attr = NULL;
	if (have_a)
		pthread_attr_destroy(&a);
	if (r == 0) {
		if (detached == PTHREAD_CREATE_DETACHED)
			clab__thread_detach(t, site);
		else if (tmap_put(t->pt, t) != 0)
			clab__thread_detach(t, site); /* cannot be joined */
		*out = t->pt;
	}
	clab__pl_leave();
	return r;
}

int pthread_create(pthread_t *out, const pthread_attr_t *attr,
		   void *(*fn)(void *), void *arg)
{
	int r = clab__pl_create_at(out, attr, fn, arg, RET());
	CLAB__PL_KEEP_FRAME();
	return r;
}

/*
 * A join of pt for ms (0: a try), at site: the error number, or -1 when pt
 * is not the program's conclab thread (the C library's, then).
 */
static int join(pthread_t pt, void **ret, uint32_t ms,
		const struct clab_site *site)
{
	clab_thread_t *t = tmap_get(pt, 0);
	if (!t)
		return -1;
	int r;
	struct clab__thr *self;
	if (ms == 0) /* a try: no wait, no cancellation point */
		r = -clab__thread_join(t, ret, 0, site);
	else
		do {
			self = clab__pl_cancel_begin();
			r = -clab__thread_join(t, ret, ms, site);
		} while (clab__pl_cancel_end(self, r == ECANCELED));
	if (r == 0)
		tmap_get(pt, 1);
	return r;
}

int clab__pl_join_at(pthread_t pt, void **ret, const void *at)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(join)(pt, ret);
	int r = join(pt, ret, CLAB_FOREVER, clab__pl_site(at));
	clab__pl_leave();
	return r >= 0 ? r : CLAB__PL_REAL(join)(pt, ret);
}

int pthread_join(pthread_t pt, void **ret)
{
	int r = clab__pl_join_at(pt, ret, RET());
	CLAB__PL_KEEP_FRAME();
	return r;
}

/*
 * The GNU joins that do not wait for ever: a try (EBUSY while the thread
 * runs), and until a time on the real clock or a clock of the caller's
 * choice (ETIMEDOUT; no time: for ever).  Before, they went to the C
 * library: the join was not recorded, and the ended thread's state was
 * kept until the trace's end.
 */
int pthread_tryjoin_np(pthread_t pt, void **ret)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(tryjoin)(pt, ret);
	int r = join(pt, ret, 0, clab__pl_site(RET()));
	clab__pl_leave();
	if (r == ETIMEDOUT)
		return EBUSY;
	return r >= 0 ? r : CLAB__PL_REAL(tryjoin)(pt, ret);
}

/* A join until abs on clock (the timed and clock forms), at site. */
static int join_until(pthread_t pt, void **ret, clockid_t clock,
		      const struct timespec *abs, const struct clab_site *site)
{
	long long ms = abs ? clab__pl_ms_until(clock, abs) : CLAB_FOREVER;
	if (ms < 0)
		return tmap_get(pt, 0) ? EINVAL : -1;
	return join(pt, ret, (uint32_t)ms, site);
}

int pthread_timedjoin_np(pthread_t pt, void **ret, const struct timespec *abs)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(timedjoin)(pt, ret, abs);
	int r = join_until(pt, ret, CLOCK_REALTIME, abs, clab__pl_site(RET()));
	clab__pl_leave();
	return r >= 0 ? r : CLAB__PL_REAL(timedjoin)(pt, ret, abs);
}

int pthread_clockjoin_np(pthread_t pt, void **ret, clockid_t clock,
			 const struct timespec *abs)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(clockjoin)(pt, ret, clock, abs);
	int r = join_until(pt, ret, clock, abs, clab__pl_site(RET()));
	clab__pl_leave();
	return r >= 0 ? r : CLAB__PL_REAL(clockjoin)(pt, ret, clock, abs);
}

int clab__pl_detach_at(pthread_t pt, const void *at)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(detach)(pt);
	clab_thread_t *t = tmap_get(pt, 1);
	int r = t ? -clab__thread_detach(t, clab__pl_site(at)) : -1;
	clab__pl_leave();
	return r >= 0 ? r : CLAB__PL_REAL(detach)(pt);
}

int pthread_detach(pthread_t pt)
{
	int r = clab__pl_detach_at(pt, RET());
	CLAB__PL_KEEP_FRAME();
	return r;
}

int pthread_cancel(pthread_t pt)
{
	if (!clab__pl_enter())
		return CLAB__PL_REAL(cancel)(pt);
	clab_thread_t *t = tmap_get(pt, 0);
	if (t)
		clab__thread_cancel(t, clab__pl_site(RET()));
	/* the C library's request first: the interrupted wait acts on it */
	int r = CLAB__PL_REAL(cancel)(pt);
	if (t && r == 0)
		clab__thread_interrupt(t);
	clab__pl_leave();
	return r;
}

/*
 * The main thread's pthread_exit (any thread of the program's not made by
 * its pthread_create): the process ends when the last of the program's
 * threads does (program_thread_end), main among them: its end is recorded
 * by the runtime as it ends (its exit key), after its cleanup handlers
 * and destructors, and it counts until then (main_gone).  A main thread
 * with no trace state of its own ends the process at once, with exit(0),
 * if none of the others is left.
 */
void pthread_exit(void *ret)
{
	exit_value = ret;
	if (!clab__pl_guard && atomic_load(&clab__pl_on) &&
	    !atomic_load(&clab__pl_ended) && have_end_key &&
	    !program_thread()) {
		clab__pl_guard = 1;
		/* its end recorded by its exit key (registered here) */
		if (!main_counted && clab__self()->tid != UINT32_MAX) {
			main_counted = 1;
			atomic_fetch_add(&program_threads, 1);
		}
		atomic_store(&main_exited, 1);
		if (!main_counted && atomic_load(&program_threads) == 0 &&
		    !atomic_exchange(&ending, 1))
			exit(0); /* no end of its own to record */
		/* under control: the others take their turns without it */
		clab__thread_leave();
		clab__pl_leave();
	}
	CLAB__PL_REAL(exit)(ret);
}

/*
 * A thread's new name (pthread_setname_np, prctl's PR_SET_NAME): the C
 * library's call first, so that ps, top and gdb show it too; recorded
 * when it took it.  Another thread's name is recorded while the program
 * can still join it (the map has it); a thread names itself any time.
 */
static void renamed(pthread_t pt, const char *name)
{
	if (pthread_equal(pt, pthread_self())) {
		clab__thread_rename(clab_thread_self(), name);
	} else {
		/* held: the map's thread is the one pt names (not joined) */
		clab__lk_lock(&tlk);
		struct tnode *n = tmap[bucket(pt)];
		while (n && !pthread_equal(n->pt, pt))
			n = n->next;
		if (n)
			clab__thread_rename(n->t, name);
		clab__lk_unlock(&tlk);
	}
	if (clab__pl_sched_controlled())
		clab__tbuf_renames_write();
}

int pthread_setname_np(pthread_t pt, const char *name)
{
	int r = CLAB__PL_REAL(setname)(pt, name);
	if (r != 0 || !clab__pl_enter())
		return r;
	renamed(pt, name);
	clab__pl_leave();
	return r;
}

int prctl(int option, ...)
{
	va_list ap;
	va_start(ap, option);
	/* the C library's prctl reads four, whatever the option */
	unsigned long a2 = va_arg(ap, unsigned long),
		      a3 = va_arg(ap, unsigned long),
		      a4 = va_arg(ap, unsigned long),
		      a5 = va_arg(ap, unsigned long);
	va_end(ap);
	int r = CLAB__PL_REAL(prctl)(option, a2, a3, a4, a5);
	if (r != 0 || option != PR_SET_NAME || !clab__pl_enter())
		return r;
	/* the name as the kernel keeps it: cut to 15 bytes */
	char name[17] = {0};
	if (CLAB__PL_REAL(prctl)(PR_GET_NAME, (unsigned long)name, 0, 0, 0) ==
		0 &&
	    name[0])
		renamed(pthread_self(), name);
	clab__pl_leave();
	return r;
}

void clab__pl_tmap_lock(int on)
{
	if (on)
		clab__lk_lock(&tlk);
	else
		clab__lk_drop(&tlk);
}
