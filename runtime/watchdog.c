/*
 * The deadlock watchdog.
 *
 * Every period it looks at every live thread of the trace: what it is
 * blocked on (set by the seam), whether that wait has a deadline, and who
 * holds the object (mutexes and joins).  It declares the run stuck when
 *   - every live thread waits without a deadline, or
 *   - some threads wait for each other in a cycle of owned objects,
 * and the same holds at the next check with no progress in between (so a
 * wakeup in flight is never mistaken for a deadlock).  A thread blocked in
 * something conclab does not instrument (sleep, I/O) counts as running.
 *
 * When stuck, it records a deadlock diagnostic and one "blocked" record per
 * blocked thread, flushes the trace and calls the program's callback.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <conclab/label.h>
#include <conclab/trace.h>

#include "rt.h"

static struct {
	pthread_mutex_t lk;
	pthread_cond_t cv;
	pthread_t thr;
	int running, stop;
	struct clab_watchdog_opts o;
	int urgent; /* a thread saw a wait cycle close: look now */
	/* the controlled scheduler saw the run stuck: report it at once */
	enum clab_stuck sched_why;
	uint64_t sched_steps;
} wd = {
    .lk = PTHREAD_MUTEX_INITIALIZER,
    .cv = PTHREAD_COND_INITIALIZER,
};

struct snap {
	struct clab__thr *t;
	uint32_t on;  /* object id waited on, 0 if running */
	uint8_t kind; /* its kind */
	const struct clab_site *site;
	int timed;
	uint64_t since; /* monotonic ns when the wait began, 0 under control */
	struct clab__thr *holder;
	const struct clab_site *holder_site;
	int holder_in_parent; /* a thread of the parent (fork.c) */
	struct clab__thr *readers[CLAB_BLOCKED_READERS]; /* an rwlock's */
	unsigned nreaders;
	const struct clab_site *at; /* controlled: its last scheduling point */
	uint64_t steps;
	int cross; /* a wait on another process (a pipe, a child) */
	/* a named semaphore's wait with no permit there (EXT_*): its file */
	int ext, ext_linked;
	uint64_t ext_dev, ext_ino;
};

/*
 * snap.ext: a wait on a named semaphore with no permit there, that other
 * processes may end (EXT_WAIT); that none can (EXT_FOREVER); that none
 * there now can, but one that opens its name could (EXT_LINKED).
 */
enum { EXT_NONE, EXT_WAIT, EXT_FOREVER, EXT_LINKED };

/*
 * How long processes stay stuck in the kernel before they are reported:
 * longer than a writer keeps a record (500 ms), so that the traces of
 * those ended then are whole.
 */
#define FAMILY_MS 700

int (*clab__sem_ext_look)(const clab_sem_t *s, struct clab__ext_look *x);

/*
 * Processes that wait for each other in the kernel (family.c): what the
 * last look found, for the report; set by the watchdog's thread only.
 */
static struct clab__family fam;

/*
 * What the watchdog's thread has allocated for its looks, held here
 * rather than on its stack alone: a fork in the middle of a look (which
 * reads /proc, for milliseconds) leaves the child without that thread,
 * and LeakSanitizer in the child finds only what a global points to.
 * Kept from look to look, room for cap threads in each, and grown (by
 * grow_held) under clab__thr_lock, which a fork takes first: no fork
 * comes between an allocation and the global that keeps it (before,
 * each look allocated them anew and stored them a few instructions later:
 * a fork in between would have left them to LeakSanitizer in the child).
 */
static struct {
	struct snap *s;
	uint32_t *cycle; /* cap + 1 */
	pid_t *tids;
	size_t cap;
} held;

/* Room for n threads in held (clab__thr_lock held): 0, or -1. */
static int grow_held(size_t n)
{
	if (n <= held.cap)
		return 0;
	size_t cap = held.cap ? held.cap * 2 : 16;
	while (cap < n)
		cap *= 2;
	struct snap *s = realloc(held.s, cap * sizeof(*s));
	if (s)
		held.s = s;
	uint32_t *c = realloc(held.cycle, (cap + 1) * sizeof(*c));
	if (c)
		held.cycle = c;
	pid_t *t = realloc(held.tids, cap * sizeof(*t));
	if (t)
		held.tids = t;
	if (!s || !c || !t)
		return -1;
	held.cap = cap;
	return 0;
}
static int fam_report; /* the report is of what the family look found */

/*
 * Whether the program's threads may be in a wait between processes that
 * only the kernel sees: not under the controlled scheduler, and each of
 * those in s waits for good in a conclab wait, or is in none, or waits on
 * a named semaphore with no permit that another process of the family may
 * post (EXT_WAIT: the C library's wait, in the kernel); the family look
 * reads the last two in /proc; the first ones' kernel ids into waiting
 * (*nwaiting).
 */
static int family_candidate(const struct snap *s, size_t n, size_t forever,
			    pid_t *waiting, size_t *nwaiting)
{
	*nwaiting = 0;
	if (atomic_load(&clab__sched_on))
		return 0;
	size_t kernel = 0;
	for (size_t i = 0; i < n; i++) {
		if (!s[i].on || s[i].ext == EXT_WAIT)
			kernel++;
		else
			waiting[(*nwaiting)++] = s[i].t->ktid;
	}
	return kernel + forever == n && *nwaiting == forever;
}

/* Whether t holds a read lock of l (that l knows of). */
static int reads(const clab_rwlock_t *l, const struct clab__thr *t)
{
	for (int i = 0; i < CLAB_RWLOCK_TRACKED; i++)
		if (atomic_load_explicit(&l->rd[i].thr, memory_order_relaxed) ==
		    t)
			return 1;
	return 0;
}

/*
 * Whom waiter waits for on l: the writer; else, for a new reader, the
 * first queued writer it lets go first; else a reader other than itself,
 * or itself when it only waits for its own read lock (an upgrade).
 */
static struct clab__thr *rw_holder(const clab_rwlock_t *l,
				   const struct clab__thr *waiter,
				   const struct clab_site **site)
{
	struct clab__thr *t = atomic_load(&l->writer);
	if (t) {
		*site = atomic_load(&l->writer_site);
		return t;
	}
	t = atomic_load(&l->wfirst);
	int upgrade = reads(l, waiter);
	if (t && t != waiter && !upgrade)
		return t;
	for (int i = 0; i < CLAB_RWLOCK_TRACKED; i++) {
		t = atomic_load_explicit(&l->rd[i].thr, memory_order_relaxed);
		if (t && t != waiter)
			return t;
	}
	return upgrade ? (struct clab__thr *)waiter : NULL;
}

/*
 * Who holds what waiter waits on, of kind (read from the waiter, not
 * from on): a mutex's owner, a reader-writer lock's writer or one of its
 * readers (rw_holder), or the thread being joined.  Only these kinds are
 * looked at through on (see unblocked() in park.c).
 */
static struct clab__thr *holder_of(struct clab__obj *on, unsigned kind,
				   const struct clab__thr *waiter,
				   const struct clab_site **site)
{
	*site = NULL;
	if (!on)
		return NULL;
	if (kind == CLAB_O_MUTEX) {
		clab_mutex_t *m =
		    (clab_mutex_t *)((char *)on - offsetof(clab_mutex_t, h));
		*site = atomic_load(&m->owner_site);
		return atomic_load(&m->owner);
	}
	if (kind == CLAB_O_RWLOCK)
		return rw_holder(
		    (clab_rwlock_t *)((char *)on - offsetof(clab_rwlock_t, h)),
		    waiter, site);
	if (kind == CLAB_O_THREAD)
		return (struct clab__thr *)((char *)on -
					    offsetof(struct clab__thr, h));
	return NULL;
}

/* The readers of a reader-writer lock waited on, for the report. */
static unsigned readers_of(struct clab__obj *on, struct clab__thr **out,
			   unsigned max)
{
	const clab_rwlock_t *l =
	    (clab_rwlock_t *)((char *)on - offsetof(clab_rwlock_t, h));
	unsigned n = 0;
	for (int i = 0; i < CLAB_RWLOCK_TRACKED && n < max; i++) {
		struct clab__thr *t =
		    atomic_load_explicit(&l->rd[i].thr, memory_order_relaxed);
		if (t)
			out[n++] = t;
	}
	return n;
}

/* Snapshot the live threads of the current trace. */
/*
 * Waits on other processes: timed ones, unless the process table says
 * that this process and those it waits for wait only for each other, when
 * they are waits forever.  Returns 1 then.
 */
static int cross_waits(struct snap *s, size_t n, size_t *forever)
{
	int any = 0, all = 1;
	for (size_t i = 0; i < n; i++) {
		any |= s[i].cross;
		all &= s[i].on && (!s[i].timed || s[i].cross);
	}
	if (!any || !clab__xproc_stuck(all))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i].cross) {
			s[i].timed = 0;
			++*forever;
		}
	return 1;
}

/*
 * Whether a process other than this one maps the file dev:ino of a
 * semaphore (among those whose maps this process may read).  The process
 * found last is looked at first: a program that waits for a peer is
 * looked at every period.
 */
static int open_elsewhere(uint64_t dev, uint64_t ino)
{
	static pid_t last;
	if (last && kill(last, 0) == 0 &&
	    clab__maps_find(last, NULL, &dev, &ino, NULL))
		return 1;
	struct clab__dir d;
	const char *name;
	if (clab__dir_open(&d, "/proc") != 0)
		return 1; /* cannot tell: as if it were */
	pid_t me = getpid();
	int found = 0;
	while (!found && (name = clab__dir_next(&d)) != NULL) {
		char *end;
		long pid = strtol(name, &end, 10);
		if (*end || pid <= 0 || pid == me || pid == last)
			continue;
		if (clab__maps_find((pid_t)pid, NULL, &dev, &ino, NULL)) {
			last = (pid_t)pid;
			found = 1;
		}
	}
	clab__dir_close(&d);
	return found;
}

/*
 * Waits on named semaphores with no permit there (EXT_WAIT: the C
 * library's, which another process may post), when every other thread
 * waits forever and no other process can post any of them
 * (no child process; open_elsewhere): those whose file has no name left wait
 * forever too (EXT_FOREVER); when some have a name still (EXT_LINKED), a
 * program not yet started could open it and post: returns 1, and none waits
 * forever. Only then is /proc read: a program waiting for a peer process costs
 * a look a period.
 */
static int ext_waits(struct snap *s, size_t n, size_t *forever)
{
	size_t next = 0;
	int linked = 0;
	for (size_t i = 0; i < n; i++)
		next += s[i].ext == EXT_WAIT;
	if (next == 0 || *forever + next != n)
		return 0;
	/* a child may open them, or have them from the fork */
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i].ext != EXT_WAIT)
			continue;
		/* each file once, however many threads wait on it */
		size_t j = 0;
		while (j < i &&
		       !(s[j].ext == EXT_WAIT && s[j].ext_dev == s[i].ext_dev &&
			 s[j].ext_ino == s[i].ext_ino))
			j++;
		if (j == i && open_elsewhere(s[i].ext_dev, s[i].ext_ino))
			return 0;
		linked |= s[i].ext_linked;
	}
	for (size_t i = 0; i < n; i++)
		if (s[i].ext == EXT_WAIT) {
			s[i].ext = linked ? EXT_LINKED : EXT_FOREVER;
			if (!linked) {
				s[i].timed = 0;
				++*forever;
			}
		}
	return linked;
}

/*
 * A wait on a mutex nobody holds: its unlock has woken the waiter, which a
 * loaded machine may leave unscheduled for longer than the watchdog's two
 * looks.  Counted as blocked forever, a correct program whose other
 * threads all ended meanwhile was once reported deadlocked (a join has its
 * woken flag for this; a futex wait on the mutex's word has none).  A
 * mutex whose owner ended holding it keeps that owner: still a deadlock.
 */
static int wake_in_flight(unsigned kind, const struct clab__thr *holder)
{
	return kind == CLAB_O_MUTEX && holder == NULL;
}

static size_t snapshot(struct snap **out, size_t *nblocked_forever,
		       uint64_t *progress, int *cross, int *alone)
{
	unsigned gen = atomic_load(&clab__trace_gen);
	size_t n = 0, forever = 0;
	struct snap *s;
	pthread_mutex_lock(&clab__thr_lock);
	grow_held(1); /* the cycle's room, with no thread */
	s = held.s;
	/* threads whose states went for reuse count still */
	*progress = atomic_load(&clab__thr_reaped_progress);
	for (struct clab__thr *t = clab__thr_all; t; t = t->next_all) {
		if (t->gen != gen)
			continue;
		*progress +=
		    atomic_load_explicit(&t->progress, memory_order_acquire);
		if (t->internal || !atomic_load(&t->live))
			continue;
		if (n == held.cap && grow_held(n + 1) != 0)
			break;
		s = held.s;
		struct snap *e = &s[n++];
		memset(e, 0, sizeof(*e));
		e->t = t;
		if (t->s.ctl) {
			e->at = t->s.site;
			e->steps = t->s.steps;
		}
		clab__lk_lock(&t->plk);
		struct clab__obj *on = atomic_load(&t->blocked_on);
		if (on && !atomic_load(&t->woken) &&
		    !atomic_load(&t->in_handler)) {
			e->on = atomic_load(&t->blocked_id);
			e->kind = atomic_load(&t->blocked_kind);
			e->site = atomic_load(&t->blocked_site);
			e->timed = atomic_load(&t->blocked_timed);
			e->since = atomic_load(&t->blocked_ns);
			e->holder = holder_of(on, e->kind, t, &e->holder_site);
			/* fork.c marks the parent's threads in a child */
			e->holder_in_parent = e->holder && e->holder->of_parent;
			if (e->kind == CLAB_O_RWLOCK)
				e->nreaders = readers_of(on, e->readers,
							 CLAB_BLOCKED_READERS);
			e->cross =
			    e->kind == CLAB_O_PROCESS || e->kind == CLAB_O_PIPE;
			struct clab__ext_look x;
			/* with a permit there, the waiter is on its way */
			if (e->timed == CLAB__WAIT_ELSEWHERE &&
			    e->kind == CLAB_O_SEM && clab__sem_ext_look &&
			    clab__sem_ext_look((const clab_sem_t *)on, &x) ==
				0 &&
			    x.value == 0) {
				e->ext = EXT_WAIT;
				e->ext_linked = x.linked;
				e->ext_dev = x.dev;
				e->ext_ino = x.ino;
			}
			if (!e->timed && !wake_in_flight(e->kind, e->holder))
				forever++;
		}
		clab__lk_drop(&t->plk);
	}
	pthread_mutex_unlock(&clab__thr_lock);
	/* The registry is newest first: report in thread order. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && s[j - 1].t->tid > s[j].t->tid;
		     j--) {
			struct snap tmp = s[j];
			s[j] = s[j - 1];
			s[j - 1] = tmp;
		}
	/* what another process does counts as progress too */
	*progress += clab__xproc_progress();
	*cross = s ? cross_waits(s, n, &forever) : 0;
	*alone = s ? ext_waits(s, n, &forever) : 0;
	*out = s;
	*nblocked_forever = forever;
	return s ? n : 0;
}

static ssize_t find(struct snap *s, size_t n, struct clab__thr *t)
{
	for (size_t i = 0; i < n; i++)
		if (s[i].t == t)
			return (ssize_t)i;
	return -1;
}

/* A cycle of untimed waits on owned objects; returns its length. */
static size_t find_cycle(struct snap *s, size_t n, uint32_t *cycle)
{
	for (size_t start = 0; start < n; start++) {
		size_t len = 0;
		ssize_t i = (ssize_t)start;
		while (i >= 0 && s[i].on && !s[i].timed && s[i].holder &&
		       len <= n) {
			cycle[len++] = (uint32_t)i;
			i = find(s, n, s[i].holder);
			if (i == (ssize_t)start)
				return len;
			for (size_t k = 1; k < len && i >= 0; k++)
				if (cycle[k] == (uint32_t)i)
					i = -1; /* a tail into another cycle */
		}
	}
	return 0;
}

/*
 * Thread t's name, copied into *keep (the report frees it): a rename
 * frees the one before.
 */
static const char *name_copy(const struct clab__thr *t, char **keep)
{
	char buf[CLAB_THREAD_NAME_MAX + 1];
	clab__tbuf_name(t->tb, buf, sizeof(buf));
	*keep = strdup(buf);
	return *keep ? *keep : "?";
}

/*
 * The report of what the threads in s do, into *d (why, cycle), with the
 * objects' names in onames (freed by report_free).
 */
static void report_fill(struct clab_deadlock *d, char ***onames,
			enum clab_stuck why, struct snap *s, size_t n,
			uint32_t *cycle, size_t ncycle)
{
	*d = (struct clab_deadlock){
	    .why = why, .nthreads = n, .steps = wd.sched_steps};
	d->threads = calloc(n ? n : 1, sizeof(*d->threads));
	d->cycle = calloc(ncycle ? ncycle : 1, sizeof(*d->cycle));
	/* each thread's object's name, its own and its holder's */
	*onames = calloc(n ? 3 * n : 1, sizeof(**onames));
	if (!d->threads || !d->cycle || !*onames) {
		free(d->threads);
		free(d->cycle);
		d->threads = NULL;
		d->cycle = NULL;
		d->nthreads = 0;
		ncycle = 0;
	}
	for (size_t i = 0; i < d->nthreads; i++) {
		struct clab_blocked *b = &d->threads[i];
		b->tid = s[i].t->tid;
		b->thread = name_copy(s[i].t, &(*onames)[d->nthreads + i]);
		b->holder = UINT32_MAX;
		b->site = s[i].on ? s[i].site : s[i].at;
		b->steps = s[i].steps;
		b->timed = s[i].timed;
		if (s[i].on && s[i].since) {
			/* since is real time (0 under control: see park.c) */
			uint64_t now = clab__mono_ns();
			b->waited_ns = now > s[i].since ? now - s[i].since : 0;
		}
		if (s[i].on) {
			b->obj = s[i].on;
			b->objkind = s[i].kind;
			/* a copy: the registry may drop its own */
			(*onames)[i] = clab__obj_name_dup(s[i].on);
			b->objname = (*onames)[i] ? (*onames)[i] : "?";
		} else if (fam_report) {
			b->in_kernel = 1; /* in read, write or waitpid */
		}
		/* a named semaphore's wait the family look judged */
		if (fam_report && s[i].ext == EXT_WAIT)
			b->timed = 0;
		b->nreaders = s[i].nreaders;
		for (unsigned k = 0; k < s[i].nreaders; k++) {
			/* in thread order, as the threads are */
			uint32_t tid = s[i].readers[k]->tid, j = k;
			for (; j > 0 && b->readers[j - 1] > tid; j--)
				b->readers[j] = b->readers[j - 1];
			b->readers[j] = tid;
		}
		if (s[i].cross && !s[i].timed)
			clab__xproc_explain(b->tid, b->remote,
					    sizeof(b->remote));
		if (s[i].ext == EXT_FOREVER)
			snprintf(b->remote, sizeof(b->remote),
				 "named, count 0, and no other process has it "
				 "open: none can post it");
		if (s[i].ext == EXT_LINKED) {
			b->timed = 0;
			snprintf(b->remote, sizeof(b->remote),
				 "named, count 0: no other process has it "
				 "open now; one that opens it could post");
		}
		if (s[i].holder) {
			b->holder = s[i].holder->tid;
			b->holder_name = name_copy(
			    s[i].holder, &(*onames)[2 * d->nthreads + i]);
			b->holder_site = s[i].holder_site;
			b->holder_in_parent = s[i].holder_in_parent;
		}
	}
	d->ncycle = ncycle;
	for (size_t i = 0; i < ncycle; i++)
		d->cycle[i] = s[cycle[i]].t->tid;
	if (fam_report) {
		d->kernel = fam.text;
		d->pids = fam.pids;
		d->npids = fam.npids;
	}
}

static void report_free(struct clab_deadlock *d, char **onames)
{
	for (size_t i = 0; onames && i < 3 * d->nthreads; i++)
		free(onames[i]);
	free(onames);
	free(d->threads);
	free(d->cycle);
}

/* The watchdog's lane in the trace ends with what it says, and is written. */
static void lane_end(struct clab__thr *self)
{
	clab__lk_lock(&self->lk);
	clab__emit_obj(self, CLAB_K_THREAD_EXIT, &self->h, NULL, 0, 0);
	self->ended = 1;
	clab__lk_drop(&self->lk);
	clab__tbuf_exit(self->tb);
	clab_tracer_flush();
}

/* The threads of d that wait, with those of this process in the kernel. */
static size_t nblocked(const struct clab_deadlock *d)
{
	size_t blocked = d->kernel ? fam.nown : 0;
	for (size_t i = 0; i < d->nthreads; i++)
		blocked += d->threads[i].obj != 0;
	return blocked;
}

static void report(enum clab_stuck why, struct snap *s, size_t n,
		   uint32_t *cycle, size_t ncycle)
{
	struct clab__thr *self = clab__self_slow("watchdog", 1);
	struct clab_deadlock d;
	char **onames;
	report_fill(&d, &onames, why, s, n, cycle, ncycle);
	/* with this process's threads in the kernel's waits, known or not */
	size_t blocked = nblocked(&d);
	unsigned code = why == CLAB_STUCK_TIME_LIMIT   ? CLAB_D_RUN_TIMEOUT
			: why == CLAB_STUCK_STEP_LIMIT ? CLAB_D_STEP_LIMIT
						       : CLAB_D_DEADLOCK;
	uint64_t steps =
	    wd.sched_steps < UINT32_MAX ? wd.sched_steps : UINT32_MAX;
	clab__diag(self, code, 0,
		   why == CLAB_STUCK_STEP_LIMIT ? (uint32_t)steps
						: (uint32_t)blocked,
		   NULL);
	for (size_t i = 0; i < d.nthreads; i++)
		if (d.threads[i].obj)
			clab__diag(self, CLAB_D_BLOCKED, s[i].t->h.id,
				   d.threads[i].obj, d.threads[i].site);
	lane_end(self);
	if (wd.o.on_stuck)
		wd.o.on_stuck(&d, wd.o.arg);
	clab_deadlock_end_others(&d);
	report_free(&d, onames);
}

void (*clab__watchdog_notice)(const struct clab_deadlock *d);

/*
 * Every thread waits, some on named semaphores that only a process not yet
 * there could post (EXT_LINKED): no deadlock is recorded and the run goes
 * on; clab__watchdog_notice, when set, says so.  The trace keeps it (a
 * lane of the watchdog's with the stuck-elsewhere diagnostic), so that a
 * run stopped after it is not judged as one whose threads all ran.
 */
static void notice(struct snap *s, size_t n)
{
	struct clab_deadlock d;
	char **onames;
	report_fill(&d, &onames, CLAB_STUCK_UNLESS_OTHER, s, n, NULL, 0);
	size_t blocked = nblocked(&d);
	struct clab__thr *self = clab__self_slow("watchdog", 1);
	clab__diag(self, CLAB_D_STUCK_ELSEWHERE, 0, (uint32_t)blocked, NULL);
	lane_end(self);
	if (clab__watchdog_notice)
		clab__watchdog_notice(&d);
	report_free(&d, onames);
}

int clab__watchdog_sched_stuck(enum clab_stuck why, uint64_t steps)
{
	pthread_mutex_lock(&wd.lk);
	int running = wd.running && !wd.stop;
	if (running && !wd.sched_why) {
		wd.sched_why = why;
		wd.sched_steps = steps;
		pthread_cond_signal(&wd.cv);
	}
	pthread_mutex_unlock(&wd.lk);
	return running ? 0 : CLAB_EINVAL;
}

void clab__deadlock_probe(struct clab__thr *self, struct clab__obj *on)
{
	const struct clab_site *site;
	/* the owners it follows must not go for reuse meanwhile */
	atomic_fetch_add(&clab__thr_walkers, 1);
	/* on is the caller's own object, valid here */
	struct clab__thr *t = holder_of(on, on->kind, self, &site);
	for (int i = 0; t && i < 256; i++) {
		if (t == self) {
			/* We hold what they wait for: about to close a cycle.
			 */
			pthread_mutex_lock(&wd.lk);
			if (wd.running) {
				wd.urgent = 1;
				pthread_cond_signal(&wd.cv);
			}
			pthread_mutex_unlock(&wd.lk);
			break;
		}
		clab__lk_lock(&t->plk);
		struct clab__obj *next = atomic_load(&t->blocked_on);
		struct clab__thr *h = NULL;
		if (next && !atomic_load(&t->blocked_timed) &&
		    !atomic_load(&t->woken))
			h = holder_of(next, atomic_load(&t->blocked_kind), t,
				      &site);
		clab__lk_drop(&t->plk);
		t = h;
	}
	atomic_fetch_sub(&clab__thr_walkers, 1);
}

static void *watchdog_main(void *arg)
{
	(void)arg;
	uint64_t start = clab__mono_ns();
	int suspect = 0, quick = 0, was_alone = 0, noticed = 0;
	uint64_t seen = 0;
	/* the family look: when it may look again, since when it is stuck */
	uint64_t fam_next = 0, fam_since = 0, fam_sig = 0;
	fam_report = 0;
	pthread_mutex_lock(&wd.lk);
	while (!wd.stop) {
		/*
		 * A suspicion is confirmed quickly; a thread that saw a cycle
		 * close gets a few quick looks while it falls asleep.
		 */
		if (wd.urgent) {
			wd.urgent = 0;
			quick = 20;
		}
		/* in real time, under the controlled scheduler too */
		if (!quick) {
			struct timespec ts;
			clab__ts_in_ms(&ts, CLOCK_MONOTONIC,
				       suspect ? 10 : wd.o.period_ms);
			pthread_cond_timedwait(&wd.cv, &wd.lk, &ts);
			if (wd.urgent)
				continue;
		} else {
			struct timespec ts;
			clab__ts_in_ms(&ts, CLOCK_MONOTONIC, 2);
			pthread_cond_timedwait(&wd.cv, &wd.lk, &ts);
			quick--;
		}
		if (wd.stop)
			break;
		enum clab_stuck sched_why = wd.sched_why;
		pthread_mutex_unlock(&wd.lk);
		/* for the other processes' looks: the handlers the program
		 * put in place of conclab's since the last period */
		clab__stop_refresh();

		uint64_t progress;
		size_t forever;
		struct snap *s;
		int cross, alone;
		/* s holds pointers to threads' states until it is freed */
		atomic_fetch_add(&clab__thr_walkers, 1);
		size_t n = snapshot(&s, &forever, &progress, &cross, &alone);
		uint32_t *cycle = held.cycle; /* room for n + 1 */
		size_t ncycle = cycle ? find_cycle(s, n, cycle) : 0;
		/*
		 * Every thread waiting while a timer's signal is still to
		 * come (alarm and a handler) is no deadlock yet; a cycle of
		 * locks, which no handler may undo, is.
		 */
		int stuck = n > 0 && (ncycle > 0 ||
				      (forever == n && !clab__timer_pending()));
		int done = 0;
		if (sched_why == CLAB_STUCK_STEP_LIMIT) {
			report(sched_why, s, n, NULL, 0);
			done = 1;
		} else if (sched_why) {
			/* the scheduler knows: no thread can run */
			report(ncycle ? CLAB_STUCK_CYCLE
				      : CLAB_STUCK_ALL_BLOCKED,
			       s, n, cycle, ncycle);
			done = 1;
		} else if (stuck && suspect && progress == seen) {
			/* A cycle is the more precise explanation. */
			report(ncycle  ? CLAB_STUCK_CYCLE
			       : cross ? CLAB_STUCK_PROCESSES
				       : CLAB_STUCK_ALL_BLOCKED,
			       s, n, cycle, ncycle);
			done = 1;
		} else if (wd.o.run_limit_ms &&
			   clab__mono_ns() - start >
			       (uint64_t)wd.o.run_limit_ms * 1000000u) {
			report(CLAB_STUCK_TIME_LIMIT, s, n, NULL, 0);
			done = 1;
		}
		/*
		 * Processes stuck in the kernel: looked at once a second
		 * while the threads might be, then every period; reported
		 * when the same state lasted FAMILY_MS, by when the writers
		 * of all of them have written every record they made.
		 */
		size_t nwaiting = 0;
		uint64_t now = clab__mono_ns();
		if (!done && !stuck && n <= held.cap && held.tids &&
		    family_candidate(s, n, forever, held.tids, &nwaiting) &&
		    (fam_since || now >= fam_next) &&
		    clab__family_look(held.tids, nwaiting, &fam)) {
			if (!fam_since || fam.sig != fam_sig ||
			    progress != seen) {
				fam_since = now;
				fam_sig = fam.sig;
			} else if (now - fam_since < FAMILY_MS * 1000000ull) {
				; /* not for long enough yet */
			} else if (!fam.linked) {
				fam_report = 1;
				report(CLAB_STUCK_PROCESSES, s, n, NULL, 0);
				done = 1;
			} else {
				/* a program not yet started could post */
				if (!noticed) {
					fam_report = 1;
					notice(s, n);
					fam_report = 0;
					noticed = 1;
				}
				/* said: look again now and then, not each
				 * period (every process's maps are read) */
				fam_since = 0;
				fam_next = now + 5000000000ull;
			}
		} else if (fam_since || now >= fam_next) {
			fam_since = 0;
			fam_next = now + 1000000000ull;
		}
		/* once a run, confirmed as a deadlock is */
		if (!done && alone && was_alone && progress == seen &&
		    !noticed) {
			notice(s, n);
			noticed = 1;
		}
		suspect = stuck || (alone && !noticed);
		was_alone = alone;
		seen = progress;
		atomic_fetch_sub(&clab__thr_walkers, 1);
		pthread_mutex_lock(&wd.lk);
		if (done)
			break;
	}
	pthread_mutex_unlock(&wd.lk);
	pthread_mutex_lock(&clab__thr_lock); /* as grow_held, for a fork */
	free(held.s);
	free(held.cycle);
	free(held.tids);
	memset(&held, 0, sizeof(held));
	pthread_mutex_unlock(&clab__thr_lock);
	return NULL;
}

int clab_watchdog_start(const struct clab_watchdog_opts *o)
{
	pthread_mutex_lock(&wd.lk);
	if (wd.running) {
		pthread_mutex_unlock(&wd.lk);
		return CLAB_EBUSY;
	}
	wd.o = *o;
	wd.sched_why = 0;
	wd.sched_steps = 0;
	if (!wd.o.period_ms)
		wd.o.period_ms = 100;
	wd.stop = 0;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_destroy(&wd.cv);
	pthread_cond_init(&wd.cv, &ca);
	pthread_condattr_destroy(&ca);
	int e =
	    clab__thread_quiet(&wd.thr, "conclab-watch", watchdog_main, NULL);
	wd.running = e == 0;
	pthread_mutex_unlock(&wd.lk);
	return -e;
}

void clab_watchdog_stop(void)
{
	pthread_mutex_lock(&wd.lk);
	if (!wd.running) {
		pthread_mutex_unlock(&wd.lk);
		return;
	}
	wd.stop = 1;
	pthread_cond_signal(&wd.cv);
	pthread_mutex_unlock(&wd.lk);
	if (!pthread_equal(pthread_self(), wd.thr))
		pthread_join(wd.thr, NULL);
	else
		pthread_detach(wd.thr);
	pthread_mutex_lock(&wd.lk);
	wd.running = 0;
	pthread_mutex_unlock(&wd.lk);
}

void clab__watchdog_fork_prepare(void)
{
	pthread_mutex_lock(&wd.lk);
}

void clab__watchdog_fork_parent(void)
{
	pthread_mutex_unlock(&wd.lk);
}

void clab__watchdog_fork_child(void)
{
	/* its thread stayed in the parent; its condition is made anew */
	memset(&wd.cv, 0, sizeof(wd.cv));
	pthread_cond_init(&wd.cv, NULL);
	int was = wd.running;
	struct clab_watchdog_opts o = wd.o;
	wd.running = 0;
	wd.stop = 0;
	wd.urgent = 0;
	wd.sched_why = 0;
	pthread_mutex_unlock(&wd.lk);
	if (was)
		(void)clab_watchdog_start(&o);
}

/*
 * Labels for the report (label.h): a thread's name, with its id only when
 * another thread of the report has the same name; the same for objects.
 */
static const char *thread_label(const struct clab_deadlock *d, uint32_t tid,
				const char *name, char *buf, size_t len)
{
	int shared = 0;
	for (size_t i = 0; i < d->nthreads && !shared; i++) {
		const struct clab_blocked *o = &d->threads[i];
		shared = name && o->tid != tid && o->thread &&
			 strcmp(o->thread, name) == 0;
	}
	return clab_label(buf, len, name, 'T', tid, shared);
}

static const char *tid_label(const struct clab_deadlock *d, uint32_t tid,
			     char *buf, size_t len)
{
	const char *name = NULL;
	for (size_t i = 0; i < d->nthreads && !name; i++)
		if (d->threads[i].tid == tid)
			name = d->threads[i].thread;
	return thread_label(d, tid, name, buf, len);
}

static const char *object_label(const struct clab_deadlock *d,
				const struct clab_blocked *b, char *buf,
				size_t len)
{
	if (b->objkind == CLAB_O_THREAD && b->holder != UINT32_MAX)
		return thread_label(d, b->holder, b->objname, buf, len);
	int shared = 0;
	for (size_t i = 0; i < d->nthreads && !shared; i++) {
		const struct clab_blocked *o = &d->threads[i];
		shared = b->objname && o->obj && o->obj != b->obj &&
			 o->objkind != CLAB_O_THREAD && o->objname &&
			 strcmp(o->objname, b->objname) == 0;
	}
	return clab_label(buf, len, b->objname, '#', b->obj, shared);
}

static int is_reader(const struct clab_blocked *b, uint32_t tid)
{
	for (unsigned k = 0; k < b->nreaders; k++)
		if (b->readers[k] == tid)
			return 1;
	return 0;
}

/*
 * The site where every holder that the report names took what it holds,
 * when there are two or more and they all took it at one site (a loop
 * like the philosophers'): said once, under the list, not on every line.
 */
static const struct clab_site *common_holder_site(const struct clab_deadlock *d)
{
	const struct clab_site *site = NULL;
	size_t n = 0;
	for (size_t i = 0; i < d->nthreads; i++) {
		const struct clab_blocked *b = &d->threads[i];
		if (!b->obj || b->holder == UINT32_MAX || b->nreaders ||
		    b->objkind == CLAB_O_THREAD || !b->holder_site)
			continue;
		if (site && (site->line != b->holder_site->line ||
			     strcmp(clab_site_path(site->file),
				    clab_site_path(b->holder_site->file))))
			return NULL;
		site = b->holder_site;
		n++;
	}
	return n >= 2 ? site : NULL;
}

/* Append to buf[len] at n, like snprintf: n counts what did not fit too. */
#define OUT(...)                                                               \
	do {                                                                   \
		int k_ = snprintf(buf + (n < len ? n : len),                   \
				  n < len ? len - n : 0, __VA_ARGS__);         \
		if (k_ > 0)                                                    \
			n += (size_t)k_;                                       \
	} while (0)

/* What thread b waits for, after its label: one line, not yet folded. */
static void waits_for(const struct clab_deadlock *d,
		      const struct clab_blocked *b, int stuck,
		      const struct clab_site *common, char *buf, size_t len)
{
	char l1[128], l2[128];
	size_t n = 0;
	if (!b->obj && b->in_kernel) {
		OUT("waits in the kernel (below)");
		return;
	}
	if (!b->obj) {
		OUT("running");
		if (b->site)
			OUT(" at %s:%d", clab_site_path(b->site->file),
			    b->site->line);
		if (b->steps)
			OUT(" (%llu steps)", (unsigned long long)b->steps);
		return;
	}
	OUT("waits%s on %s %s", b->timed ? " (with a timeout)" : "",
	    clab_objkind_name(b->objkind), object_label(d, b, l1, sizeof(l1)));
	if (b->site)
		OUT(" at %s:%d", clab_site_path(b->site->file), b->site->line);
	/* in a deadlock every wait is for ever: how long says nothing */
	if (b->waited_ns && !stuck)
		OUT(" for %.0f ms", (double)b->waited_ns / 1e6);
	if (b->nreaders) {
		/* no writer holds it: name its readers */
		OUT(", held by reader%s", b->nreaders > 1 ? "s" : "");
		for (unsigned k = 0; k < b->nreaders; k++)
			OUT("%s%s", k ? ", " : " ",
			    tid_label(d, b->readers[k], l2, sizeof(l2)));
		if (b->holder != UINT32_MAX && b->holder != b->tid &&
		    !is_reader(b, b->holder))
			OUT(", behind the waiting writer %s",
			    tid_label(d, b->holder, l2, sizeof(l2)));
		else if (b->holder == b->tid)
			OUT(" (it waits for its own read lock)");
	} else if (b->holder != UINT32_MAX) {
		/* a parent's thread: its id is the parent trace's, so the
		 * name alone, qualified */
		int parent = b->holder_in_parent;
		if (parent)
			clab_label(l2, sizeof(l2), b->holder_name, 'T',
				   b->holder, 0);
		else
			thread_label(d, b->holder, b->holder_name, l2,
				     sizeof(l2));
		if (b->objkind == CLAB_O_THREAD && parent) {
			OUT(", a thread of the parent process's, not of this "
			    "one");
			return;
		}
		if (b->objkind == CLAB_O_THREAD)
			OUT(", until %s ends", l2);
		else
			OUT(", held by %s%s",
			    parent ? "the parent process's " : "", l2);
		if (b->holder_site && !common)
			OUT(" (taken at %s:%d)",
			    clab_site_path(b->holder_site->file),
			    b->holder_site->line);
		if (parent)
			OUT(" when it forked this one");
	}
}

void clab_deadlock_end_others(const struct clab_deadlock *d)
{
	/*
	 * Ended once the calling thread is gone (with its process, when the
	 * callback ends it), not now: a thread of this process that waits
	 * for one of them (waitpid, a read) would go on meanwhile, and the
	 * process could end with its own exit code rather than the
	 * callback's.  A helper process waits for that, with no heap and no
	 * C library function a sanitizer wraps: it was forked from a
	 * process with threads.  They have waited long enough for their
	 * writers to have written every record they made (FAMILY_MS).
	 */
	if (d->npids == 0)
		return;
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	pid_t me = getpid();
	long h = syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
	if (h == 0) {
		sigset_t usr1;
		sigemptyset(&usr1);
		sigaddset(&usr1, SIGUSR1);
		syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0);
		if (syscall(SYS_getppid) == me)
			syscall(SYS_rt_sigtimedwait, &usr1, NULL, NULL,
				_NSIG / 8);
		for (size_t i = 0; i < d->npids; i++)
			syscall(SYS_kill, d->pids[i], SIGKILL);
		syscall(SYS_exit_group, 0);
	}
	if (h < 0) /* no helper: now, then */
		for (size_t i = 0; i < d->npids; i++)
			kill(d->pids[i], SIGKILL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

int clab_deadlock_format(const struct clab_deadlock *d, char *buf, size_t len)
{
	char l1[128], line[1024];
	size_t n = 0;
/* a line folded at the report's width, continued under its message */
#define FOLD(indent)                                                           \
	(n += clab_wrap(buf + (n < len ? n : len), n < len ? len - n : 0,      \
			line, clab_text_width(), (indent)))
	int stuck =
	    d->why == CLAB_STUCK_ALL_BLOCKED || d->why == CLAB_STUCK_CYCLE ||
	    d->why == CLAB_STUCK_PROCESSES || d->why == CLAB_STUCK_UNLESS_OTHER;
	switch (d->why) {
	case CLAB_STUCK_ALL_BLOCKED:
		OUT("deadlock: every live thread is blocked and none can wake "
		    "another\n");
		break;
	case CLAB_STUCK_CYCLE:
		OUT("deadlock: threads wait for each other in a cycle\n");
		break;
	case CLAB_STUCK_PROCESSES:
		if (d->kernel && d->npids == 0)
			OUT("deadlock: the process waits in the kernel for "
			    "itself\n");
		else
			OUT("deadlock: processes wait for each other in a "
			    "cycle\n");
		break;
	case CLAB_STUCK_UNLESS_OTHER:
		OUT("every live thread is blocked: a deadlock, unless another "
		    "program\n  ends a wait below: it opens a named semaphore "
		    "or "
		    "the shared memory\n  and posts it, or sends a signal (the "
		    "run goes on; Ctrl-C ends it)\n");
		break;
	case CLAB_STUCK_TIME_LIMIT:
		OUT("stopped: the run exceeded its time limit (livelock, "
		    "starvation, or a very slow run)\n");
		break;
	case CLAB_STUCK_STEP_LIMIT:
		OUT("stopped: %llu scheduling steps and the run has not "
		    "ended: a livelock or busy waiting\n",
		    (unsigned long long)d->steps);
		break;
	}
	/* the threads' names in one column, as wide as the widest */
	int w = 4;
	for (size_t i = 0; i < d->nthreads; i++) {
		const struct clab_blocked *b = &d->threads[i];
		int k = (int)strlen(
		    thread_label(d, b->tid, b->thread, l1, sizeof(l1)));
		w = k > w ? k : w;
	}
	const struct clab_site *common = common_holder_site(d);
	for (size_t i = 0; i < d->nthreads; i++) {
		const struct clab_blocked *b = &d->threads[i];
		int k = snprintf(
		    line, sizeof(line), "  %-*s ", w,
		    thread_label(d, b->tid, b->thread, l1, sizeof(l1)));
		if (k > 0 && (size_t)k < sizeof(line))
			waits_for(d, b, stuck, common, line + k,
				  sizeof(line) - (size_t)k);
		FOLD((unsigned)w + 3);
		/* what another process it waits on is doing, a line each */
		for (const char *l = b->remote; *l;) {
			size_t k2 = strcspn(l, "\n");
			OUT("    %.*s\n", (int)k2, l);
			l += k2 + (l[k2] == '\n');
		}
	}
	/* the kernel's waits, a line each */
	for (const char *l = d->kernel; l && *l;) {
		size_t k2 = strcspn(l, "\n");
		snprintf(line, sizeof(line), "  %.*s", (int)k2, l);
		FOLD(4);
		l += k2 + (l[k2] == '\n');
	}
	if (common)
		OUT("  the held locks were all taken at %s:%d\n",
		    clab_site_path(common->file), common->line);
	for (size_t i = 0; i < d->nthreads; i++)
		if (d->threads[i].obj && d->threads[i].holder_in_parent &&
		    d->threads[i].objkind != CLAB_O_THREAD) {
			snprintf(line, sizeof(line),
				 "  a fork copies only the thread that calls "
				 "it: a lock another thread held then stays "
				 "locked in the child for good (take the "
				 "locks around the fork, or fork before "
				 "starting threads)");
			FOLD(4);
			break;
		}
	if (d->ncycle) {
		size_t k = (size_t)snprintf(line, sizeof(line), "  cycle:");
		for (size_t i = 0; i <= d->ncycle && k < sizeof(line); i++)
			k += (size_t)snprintf(
			    line + k, sizeof(line) - k, " %s%s",
			    tid_label(d, d->cycle[i % d->ncycle], l1,
				      sizeof(l1)),
			    i < d->ncycle ? " ->" : "");
		FOLD(4);
	}
#undef FOLD
#undef OUT
	return (int)n;
}
