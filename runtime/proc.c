/*
 * Processes and pipes: a child process that the caller spawns and reaps,
 * and a pipe of whole messages between processes.
 *
 * Every process of a family shares one table in MAP_SHARED memory, made
 * by the first process that needs it and inherited by its children: one
 * slot per process (its pid, its name, whether it ended, the waits its
 * threads are in) and one per pipe (its capacity, the messages in it, and
 * which processes hold each end open).  The table is what lets one
 * process see another's waits: the watchdog reads it (clab__xproc_stuck)
 * and reports processes that wait for each other in a cycle, such as a
 * parent waiting for its child while the child waits for room in a pipe
 * that only the parent reads.
 *
 * A pipe's bytes travel through a real pipe(2); the table counts the
 * messages in it, and a writer reserves a place before it writes, so that
 * the pipe's capacity is the lab's, in messages, never the system's.
 * A writer waits for room on a futex word of the table (a shared futex, as
 * the waiters are in other processes), with a short timeout so that it
 * also notices a reader that went away; a reader waits in poll() on the
 * read end, which wakes for a message and for the last writer's close.
 *
 * A thread in one of these waits keeps the controlled scheduler's turn: the
 * other threads of its process do not run meanwhile, so the schedule of
 * the process does not depend on how fast the other processes are.
 *
 * A child is forked with clab_fork, and records into a trace of its own
 * (STEM.PID.clt, which the reader merges with its parent's), without a
 * watchdog: its parent's sees the whole family in the table.  Under the
 * controlled scheduler it has a scheduler of its own (sched.c).
 *
 * The family's turn.  Under the controlled scheduler, the processes of a
 * family take turns, so that what each sees of the others (a message in
 * a pipe or not yet, a child ended or not) is the same from run to run:
 * the table says which process holds the turn, and only that one runs.
 * It hands the turn on when it waits for another process (a wait above
 * that cannot end yet), when it ends, and when it is idle (no thread of
 * its own can go on before a deadline: clab__xproc_idle): to the next
 * process, in the order of the table's slots after its own, that can go
 * on (alive, and no wait of its own that cannot end).  When none can,
 * the process keeps the turn and waits as a free run does, and the
 * watchdog finds the processes stuck.  A process's virtual clock goes on
 * from the family's when it gets the turn back (the clock of the last
 * process that handed it on, and a nanosecond), so the records of a
 * family, merged by time, are in the order the turn went.  A process
 * whose run ends (clab_sched_stop), or that ends, while children it did
 * not wait for are alive hands the turn on until no other process can go
 * on (clab__xproc_end): its children finish their turns, where they would
 * otherwise wait for a turn that never comes and die with it.  Where
 * children record nothing (CHILD_RECORDS below), they run free, as they
 * did.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rt.h"

enum { XW_NONE, XW_CHILD, XW_PIPE_WRITE, XW_PIPE_READ };

/*
 * Whether a child records (clab_fork).  The sanitizers cannot follow a
 * child of a program with threads that starts threads of its own and
 * allocates (the writer of the child's trace): ThreadSanitizer dies ("dup
 * thread") or refuses (die_after_fork); AddressSanitizer (GCC's) takes no
 * allocator lock across a fork, so the child's threads can wait forever
 * for one that another thread of the parent held (about 1 run in 30 of
 * the processes lab).  Built with either, a child records nothing and
 * runs free, under the controlled scheduler too.
 */
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define CHILD_RECORDS 0
#else
#define CHILD_RECORDS 1
#endif

#define XP_WAITS 8
#define XP_PIPES 32
#define XP_POLL_MS 20

struct xwait {
	_Atomic uint32_t kind; /* XW_*, XW_NONE when free */
	/* atomics: a watchdog reads them while the slot is used again */
	_Atomic uint32_t target; /* a process slot (XW_CHILD) or a pipe slot */
	_Atomic uint32_t tid;
	char thread[24];
};

struct xproc {
	_Atomic int32_t pid; /* 0: free; -1: being filled */
	int32_t parent;	     /* its parent's slot, -1 for the first */
	_Atomic uint32_t ended;
	char name[24];
	struct xwait w[XP_WAITS];
};

struct xpipe {
	_Atomic uint32_t used; /* 1 in use, 2 destroyed by its maker */
	uint32_t cap, msgsize;
	_Atomic uint32_t units;	  /* messages in it, or reserved by a writer */
	_Atomic uint32_t room;	  /* futex word: bumped when room is made */
	_Atomic uint64_t ends[2]; /* process slots holding each end open */
	char name[32];
};

struct xtable {
	_Atomic uint64_t progress; /* any change of any process's state */
	/* the family's turn, under the controlled scheduler */
	_Atomic uint32_t turn_on;
	_Atomic uint32_t turn;	 /* the slot that runs */
	_Atomic uint64_t vclock; /* the last holder's, when it handed on */
	struct xproc p[CLAB_PROC_MAX];
	struct xpipe q[XP_PIPES];
};

static struct xtable *xt;
static int my_slot = -1;
static int in_child;
static pthread_mutex_t xt_lock = PTHREAD_MUTEX_INITIALIZER;
/*
 * Set, with release, once table() has made the table and taken the first
 * slot: the watchdog's thread reads xt and my_slot only after it sees
 * this (the main thread writes them under xt_lock, which the watchdog
 * does not take: a fork while it held the lock would leave the child's
 * copy locked).
 */
static atomic_int xt_ready;

/* Whether the watchdog's thread may read the table. */
static int table_ready(void)
{
	return atomic_load_explicit(&xt_ready, memory_order_acquire);
}

int clab_proc_in_child(void)
{
	return in_child;
}

static void bump(void)
{
	atomic_fetch_add(&xt->progress, 1);
}

static int alive(int i);
static uint64_t wait_needs(const struct xwait *w);

static void futex_wake_all(_Atomic uint32_t *w)
{
	syscall(SYS_futex, w, FUTEX_WAKE, INT32_MAX, NULL, NULL, 0);
}

static void futex_wait_ms(_Atomic uint32_t *w, uint32_t val, unsigned ms)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)ms * 1000000L};
	syscall(SYS_futex, w, FUTEX_WAIT, val, &ts, NULL, 0);
}

/* ---- the family's turn ---- */

static int turns(void)
{
	return xt && my_slot >= 0 && atomic_load(&xt->turn_on);
}

/* Whether slot i can go on: alive, and no wait of its that cannot end. */
static int ready(int i)
{
	if (!alive(i))
		return 0;
	for (int k = 0; k < XP_WAITS; k++) {
		const struct xwait *w = &xt->p[i].w[k];
		unsigned kind = atomic_load(&w->kind);
		if (kind >= XW_CHILD && kind <= XW_PIPE_READ && wait_needs(w))
			return 0;
	}
	return 1;
}

/* The family's clock goes on to this process's, if it is behind. */
static void clock_out(void)
{
	uint64_t now = clab__sched_now(), was = atomic_load(&xt->vclock);
	while (was < now &&
	       !atomic_compare_exchange_weak(&xt->vclock, &was, now))
		;
}

/* Wait for the turn; then the clock goes on from the family's. */
static void turn_wait(void)
{
	uint32_t t;
	while ((t = atomic_load(&xt->turn)) != (uint32_t)my_slot)
		futex_wait_ms(&xt->turn, t, XP_POLL_MS);
	clab__sched_clock_at_least(atomic_load(&xt->vclock) + 1);
}

/*
 * Hand the turn to the next process that can go on; with back, wait until
 * it comes back.  Returns 0 when none can (the turn stays).
 */
static int turn_pass(int back)
{
	for (int d = 1; d < CLAB_PROC_MAX; d++) {
		int i = (my_slot + d) % CLAB_PROC_MAX;
		if (!ready(i))
			continue;
		clock_out();
		atomic_store(&xt->turn, (uint32_t)i);
		futex_wake_all(&xt->turn);
		if (back)
			turn_wait();
		return 1;
	}
	return 0;
}

/* Whether this process holds the turn and handed it on until it came back. */
static int turn_away(void)
{
	return turns() && atomic_load(&xt->turn) == (uint32_t)my_slot &&
	       turn_pass(1);
}

void clab__xproc_idle(void)
{
	(void)turn_away();
}

/* Whether a child of this process is alive. */
static int live_child(void)
{
	for (int i = 0; i < CLAB_PROC_MAX; i++)
		if (i != my_slot && xt->p[i].parent == my_slot && alive(i))
			return 1;
	return 0;
}

void clab__xproc_end(void)
{
	while (turns() && atomic_load(&xt->turn) == (uint32_t)my_slot &&
	       live_child() && turn_pass(1))
		;
}

/* The table, and this process's slot in it; CLAB_ENOMEM. */
static int table(void)
{
	int r = 0;
	pthread_mutex_lock(&xt_lock);
	if (xt == NULL) {
		void *m = mmap(NULL, sizeof(*xt), PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			r = CLAB_ENOMEM;
		else
			xt = m;
	}
	if (r == 0 && my_slot < 0) {
		/* the first process of the family: the table is new */
		my_slot = 0;
		atomic_store(&xt->p[0].pid, (int32_t)getpid());
		xt->p[0].parent = -1;
		snprintf(xt->p[0].name, sizeof(xt->p[0].name), "parent");
		atomic_store_explicit(&xt_ready, 1, memory_order_release);
	}
	pthread_mutex_unlock(&xt_lock);
	return r;
}

/*
 * Whether any process but the first is in the table and alive (one that
 * ended and was never reaped keeps its slot, not the family).
 */
static int children(void)
{
	for (int i = 1; i < CLAB_PROC_MAX; i++)
		if (alive(i))
			return 1;
	return 0;
}

static int slot_alloc(void)
{
	for (int i = 0; i < CLAB_PROC_MAX; i++) {
		int32_t z = 0;
		if (atomic_compare_exchange_strong(&xt->p[i].pid, &z, -1))
			return i;
	}
	return -1;
}

/* Slot i no longer holds any pipe end (it ended, or never started). */
static void drop_ends(int i)
{
	uint64_t bit = 1ull << i;
	for (int k = 0; k < XP_PIPES; k++) {
		struct xpipe *q = &xt->q[k];
		if (!atomic_load(&q->used))
			continue;
		uint64_t was = atomic_fetch_and(&q->ends[0], ~bit) |
			       atomic_fetch_and(&q->ends[1], ~bit);
		if (was & bit) {
			atomic_fetch_add(&q->room, 1);
			futex_wake_all(&q->room);
		}
		/* the last holder of a pipe its maker destroyed frees it */
		uint32_t two = 2;
		if (!atomic_load(&q->ends[0]) && !atomic_load(&q->ends[1]))
			atomic_compare_exchange_strong(&q->used, &two, 0);
	}
	bump();
}

static void slot_free(int i)
{
	drop_ends(i);
	memset(xt->p[i].w, 0, sizeof(xt->p[i].w));
	atomic_store(&xt->p[i].ended, 0);
	atomic_store(&xt->p[i].pid, 0);
}

/*
 * Publish a wait of the calling thread; returns its index or -1.  A child
 * that records writes its trace first: if the wait never ends, its parent
 * ends the run and the child dies unflushed.
 */
static int publish(struct clab__thr *self, unsigned kind, uint32_t target)
{
	struct xproc *p = &xt->p[my_slot];
	if (turns())
		clock_out();
	if (self && my_slot != 0)
		clab_tracer_flush();
	for (int i = 0; i < XP_WAITS; i++) {
		uint32_t z = XW_NONE;
		if (!atomic_compare_exchange_strong(&p->w[i].kind, &z,
						    XW_NONE + 100))
			continue;
		atomic_store_explicit(&p->w[i].target, target,
				      memory_order_relaxed);
		atomic_store_explicit(&p->w[i].tid, self ? self->tid : 0,
				      memory_order_relaxed);
		/* a spawned child's one thread goes by its process's name */
		if (my_slot != 0 || !self || !self->tb) {
			size_t k = strnlen(p->name, sizeof(p->w[i].thread) - 1);
			memmove(p->w[i].thread, p->name, k);
			p->w[i].thread[k] = 0;
		} else
			clab__tbuf_name(self->tb, p->w[i].thread,
					sizeof(p->w[i].thread));
		atomic_store(&p->w[i].kind, kind);
		bump();
		return i;
	}
	return -1;
}

static void unpublish(int i)
{
	if (i < 0)
		return;
	atomic_store(&xt->p[my_slot].w[i].kind, XW_NONE);
	bump();
}

/* The calling thread's state, or NULL in a spawned child. */
static struct clab__thr *recorder(void)
{
	return in_child ? NULL : clab__self();
}

/* ---- processes ---- */

static void child_main(int slot, pid_t parent, int recorded, int (*fn)(void *),
		       void *arg)
{
	/* die with the thread that spawned it, so that no child outlives a
	 * run that was stopped */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(128 + SIGKILL);
	in_child = !recorded;
	my_slot = slot;
	atomic_store(&xt->p[slot].pid, (int32_t)getpid());
	if (recorded)
		clab_watchdog_stop();
	if (turns())
		turn_wait();
	int rc = fn(arg);
	clab__xproc_end();
	atomic_store(&xt->p[slot].ended, 1);
	drop_ends(slot);
	if (recorded) {
		/* its one thread ends with it, in its trace */
		struct clab__thr *self = clab__self();
		clab__lk_lock(&self->lk);
		clab__emit_obj(self, CLAB_K_THREAD_EXIT, &self->h, NULL, 0, 0);
		self->ended = 1;
		clab__lk_drop(&self->lk);
		clab__tbuf_exit(self->tb);
		clab_tracer_close(NULL);
	}
	if (turns())
		turn_pass(0);
	_exit(rc & 255);
}

int clab__proc_spawn(clab_proc_t *p, const char *name, int (*fn)(void *),
		     void *arg, const struct clab_site *site)
{
	if (in_child || fn == NULL)
		return CLAB_EINVAL;
	struct clab__thr *self = clab__self();
	clab__sched_point(self, site);
	int r = clab__obj_fresh(self, p, CLAB_O_PROCESS, site);
	if (r)
		return r;
	r = table();
	if (r)
		return r;
	if (my_slot == 0 && !children()) {
		/* a family of its own (a new run): the first process holds
		 * the turn, on this run's clock */
		atomic_store(&xt->turn_on, 0);
		if (atomic_load(&clab__sched_on) && CHILD_RECORDS) {
			atomic_store(&xt->turn, 0);
			atomic_store(&xt->vclock, clab__sched_now());
			atomic_store(&xt->turn_on, 1);
		}
	}
	int slot = slot_alloc();
	if (slot < 0)
		return clab__bad_value(self, CLAB_PROC_MAX, site);
	struct xproc *c = &xt->p[slot];
	c->parent = my_slot;
	atomic_store(&c->ended, 0);
	memset(c->w, 0, sizeof(c->w));
	snprintf(c->name, sizeof(c->name), "%s", name ? name : "child");
	/* the child inherits every end this process holds */
	uint64_t mine = 1ull << my_slot, its = 1ull << slot;
	for (int k = 0; k < XP_PIPES; k++)
		for (int e = 0; e < 2; e++)
			if (atomic_load(&xt->q[k].used) &&
			    (atomic_load(&xt->q[k].ends[e]) & mine))
				atomic_fetch_or(&xt->q[k].ends[e], its);
	pid_t parent = getpid();
	/* buffered output would be written twice, once by each */
	fflush(NULL);
	int recorded = CHILD_RECORDS;
	/* a child that records nothing: the parent's pid named all the same
	 * (clab__fork does it for one that records) */
	if (!recorded)
		clab__fork_meta();
	pid_t pid = recorded ? clab__fork(CLAB__SITE_L("fork")) : fork();
	if (pid == 0)
		child_main(slot, parent, recorded, fn, arg);
	if (pid < 0) {
		int e = recorded ? -pid : errno;
		slot_free(slot);
		return e == ENOMEM ? CLAB_ENOMEM : CLAB_EIO;
	}
	atomic_store(&c->pid, (int32_t)pid);
	p->pid = pid;
	p->slot = slot;
	p->status = 0;
	p->reaped = 0;
	clab__lk_init(&p->lk);
	r = clab__obj_init(&p->h, self, CLAB_O_PROCESS, name, site, 0,
			   (uint32_t)pid);
	if (r < 0)
		return r;
	clab__lk_lock(&p->lk);
	clab__emit_obj(self, CLAB_K_PROC_SPAWN, &p->h, site, 0, (uint32_t)pid);
	clab__lk_drop(&p->lk);
	return 0;
}

int clab_proc_pid(const clab_proc_t *p)
{
	return p ? p->pid : -1;
}

static int exit_status(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 255;
}

int clab__proc_wait(clab_proc_t *p, int *status, const struct clab_site *site)
{
	if (in_child)
		return CLAB_EINVAL;
	struct clab__thr *self = clab__self();
	clab__sched_point(self, site);
	CLAB__CHECK(self, p, CLAB_O_PROCESS, site);
	if (!p->reaped) {
		int st = 0;
		/* taking turns, whether the child ended is the table's */
		int turn = turns();
		pid_t r = turn ? 0 : waitpid(p->pid, &st, WNOHANG);
		if (turn && !alive(p->slot)) {
			do
				r = waitpid(p->pid, &st, 0);
			while (r < 0 && errno == EINTR);
		} else if (r == 0) {
			clab__lk_lock(&p->lk);
			clab__emit_obj_s(self, CLAB_K_PROC_WAIT, &p->h, site, 0,
					 0, clab__stack_here());
			clab__lk_drop(&p->lk);
			int w = publish(self, XW_CHILD, (uint32_t)p->slot);
			clab__cross_blocked(self, &p->h, site);
			while (turn && alive(p->slot) && turn_away())
				;
			do
				r = waitpid(p->pid, &st, 0);
			while (r < 0 && errno == EINTR);
			clab__cross_unblocked(self);
			unpublish(w);
		}
		if (r < 0)
			return CLAB_EINVAL;
		p->status = exit_status(st);
		p->reaped = 1;
		slot_free(p->slot);
		clab__lk_lock(&p->lk);
		clab__emit_obj(self, CLAB_K_PROC_REAPED, &p->h, site, 0,
			       (uint32_t)p->status);
		clab__lk_drop(&p->lk);
	}
	if (status)
		*status = p->status;
	return 0;
}

/* ---- pipes ---- */

int clab__pipe_init(clab_pipe_t *p, const char *name, uint32_t msgsize,
		    uint32_t capacity, const struct clab_site *site)
{
	if (in_child)
		return CLAB_EINVAL;
	struct clab__thr *self = clab__self();
	int r = clab__obj_fresh(self, p, CLAB_O_PIPE, site);
	if (r)
		return r;
	if (msgsize == 0 || msgsize > CLAB_PIPE_MAX_MSG)
		return clab__bad_value(self, msgsize, site);
	if (capacity == 0 || capacity > CLAB_PIPE_MAX_UNITS)
		return clab__bad_value(self, capacity, site);
	r = table();
	if (r)
		return r;
	int k = 0;
	for (; k < XP_PIPES; k++) {
		uint32_t z = 0;
		if (atomic_compare_exchange_strong(&xt->q[k].used, &z, 1))
			break;
	}
	if (k == XP_PIPES)
		return CLAB_ENOMEM;
	if (pipe2(p->fd, O_CLOEXEC) != 0) {
		atomic_store(&xt->q[k].used, 0);
		return CLAB_ENOMEM;
	}
	struct xpipe *q = &xt->q[k];
	q->cap = capacity;
	q->msgsize = msgsize;
	atomic_store(&q->units, 0);
	atomic_store(&q->ends[0], 1ull << my_slot);
	atomic_store(&q->ends[1], 1ull << my_slot);
	snprintf(q->name, sizeof(q->name), "%s", name ? name : "pipe");
	p->slot = k;
	p->msgsize = msgsize;
	clab__lk_init(&p->lk);
	r = clab__obj_init(&p->h, self, CLAB_O_PIPE, name, site, 0, capacity);
	return r < 0 ? r : 0;
}

/* Record kind on the pipe (never in a child) with a32 = its units now. */
static void pipe_emit(struct clab__thr *self, clab_pipe_t *p, unsigned kind,
		      unsigned a8, const struct clab_site *site)
{
	if (self == NULL)
		return;
	clab__lk_lock(&p->lk);
	if (clab_kind_begins_wait(kind))
		clab__emit_obj_s(self, kind, &p->h, site, a8,
				 atomic_load(&xt->q[p->slot].units),
				 clab__stack_here());
	else
		clab__emit_obj(self, kind, &p->h, site, a8,
			       atomic_load(&xt->q[p->slot].units));
	clab__lk_drop(&p->lk);
}

/* Start of a call on p: the scheduling point and the handle's checks. */
static int pipe_enter(struct clab__thr *self, clab_pipe_t *p,
		      const struct clab_site *site)
{
	if (self == NULL)
		return p == NULL ? CLAB_EINVAL : 0;
	clab__sched_point(self, site);
	CLAB__CHECK(self, p, CLAB_O_PIPE, site);
	return 0;
}

int clab__pipe_close(clab_pipe_t *p, int end, const struct clab_site *site)
{
	struct clab__thr *self = recorder();
	int r = pipe_enter(self, p, site);
	if (r)
		return r;
	if ((end != CLAB_PIPE_READ && end != CLAB_PIPE_WRITE) || p->fd[end] < 0)
		return self ? clab__bad_value(self, (uint32_t)end, site)
			    : CLAB_EINVAL;
	struct xpipe *q = &xt->q[p->slot];
	close(p->fd[end]);
	p->fd[end] = -1;
	atomic_fetch_and(&q->ends[end], ~(1ull << my_slot));
	atomic_fetch_add(&q->room, 1);
	futex_wake_all(&q->room);
	bump();
	pipe_emit(self, p, CLAB_K_PIPE_CLOSE, (unsigned)end, site);
	return 0;
}

int clab__pipe_destroy(clab_pipe_t *p, const struct clab_site *site)
{
	if (p == NULL)
		return 0;
	struct clab__thr *self = recorder();
	int r = pipe_enter(self, p, site);
	if (r)
		return r;
	for (int e = 0; e < 2; e++)
		if (p->fd[e] >= 0)
			clab__pipe_close(p, e, site);
	struct xpipe *q = &xt->q[p->slot];
	uint32_t one = 1;
	if (atomic_load(&q->ends[0]) || atomic_load(&q->ends[1]))
		atomic_compare_exchange_strong(&q->used, &one, 2);
	else
		atomic_store(&q->used, 0);
	if (self)
		clab__obj_fini(&p->h, self, site);
	return 0;
}

uint32_t clab_pipe_units(const clab_pipe_t *p)
{
	return p && xt ? atomic_load(&xt->q[p->slot].units) : 0;
}

/* Whether slot i may still act: a live process that has not ended. */
static int alive(int i)
{
	return atomic_load(&xt->p[i].pid) != 0 && !atomic_load(&xt->p[i].ended);
}

static uint64_t live_holders(const struct xpipe *q, int end)
{
	uint64_t m = atomic_load(&q->ends[end]), out = 0;
	for (int i = 0; i < CLAB_PROC_MAX; i++)
		if ((m >> i & 1) && alive(i))
			out |= 1ull << i;
	return out;
}

/*
 * Write all of buf; a reader that went away is EPIPE, without the signal
 * (blocked around the write, and taken back if it came).
 */
static int write_all(int fd, const void *buf, size_t n)
{
	sigset_t pipe_set, old;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	const char *b = buf;
	int err = 0;
	while (n > 0) {
		ssize_t k = write(fd, b, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			err = errno;
			break;
		}
		b += k;
		n -= (size_t)k;
	}
	if (err == EPIPE) {
		struct timespec zero = {0, 0};
		sigtimedwait(&pipe_set, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}

int clab__pipe_write(clab_pipe_t *p, const void *msg,
		     const struct clab_site *site)
{
	struct clab__thr *self = recorder();
	int r = pipe_enter(self, p, site);
	if (r)
		return r;
	if (p->fd[CLAB_PIPE_WRITE] < 0 || msg == NULL)
		return self ? clab__bad_value(self, 0, site) : CLAB_EINVAL;
	struct xpipe *q = &xt->q[p->slot];
	int w = -1, waited = 0;
	for (;;) {
		uint32_t u = atomic_load(&q->units);
		if (u < q->cap) {
			if (atomic_compare_exchange_weak(&q->units, &u, u + 1))
				break;
			continue;
		}
		if (!live_holders(q, CLAB_PIPE_READ)) {
			r = CLAB_EBROKEN;
			break;
		}
		uint32_t gen = atomic_load(&q->room);
		if (!waited) {
			waited = 1;
			pipe_emit(self, p, CLAB_K_PIPE_WRITE_WAIT, 0, site);
			w = publish(self, XW_PIPE_WRITE, (uint32_t)p->slot);
			if (self)
				clab__cross_blocked(self, &p->h, site);
			continue; /* look again before sleeping */
		}
		if (atomic_load(&q->units) >= q->cap && !turn_away())
			futex_wait_ms(&q->room, gen, XP_POLL_MS);
	}
	if (waited && self)
		clab__cross_unblocked(self);
	unpublish(w);
	if (r == 0 && write_all(p->fd[CLAB_PIPE_WRITE], msg, p->msgsize)) {
		atomic_fetch_sub(&q->units, 1);
		r = CLAB_EBROKEN;
	}
	bump();
	pipe_emit(self, p, r ? CLAB_K_PIPE_BROKEN : CLAB_K_PIPE_WRITE, 0, site);
	return r;
}

static int read_all(int fd, void *buf, size_t n)
{
	char *b = buf;
	while (n > 0) {
		ssize_t k = read(fd, b, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? errno : EPIPE;
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

int clab__pipe_read(clab_pipe_t *p, void *msg, const struct clab_site *site)
{
	struct clab__thr *self = recorder();
	int r = pipe_enter(self, p, site);
	if (r)
		return r;
	if (p->fd[CLAB_PIPE_READ] < 0 || msg == NULL)
		return self ? clab__bad_value(self, 0, site) : CLAB_EINVAL;
	struct xpipe *q = &xt->q[p->slot];
	int w = -1, waited = 0, eof = 0;
	for (;;) {
		uint32_t u = atomic_load(&q->units);
		if (u > 0) {
			if (atomic_compare_exchange_weak(&q->units, &u, u - 1))
				break;
			continue;
		}
		/* empty: the end of file once no process can write (taking
		 * turns, the table says; else the pipe) */
		struct pollfd pf = {.fd = p->fd[CLAB_PIPE_READ],
				    .events = POLLIN};
		int turn = turns();
		if (turn && !live_holders(q, CLAB_PIPE_WRITE)) {
			eof = 1;
			break;
		}
		int k = turn && waited && turn_away()
			    ? 0
			    : poll(&pf, 1, waited ? XP_POLL_MS : 0);
		if (!turn && k > 0 && (pf.revents & POLLHUP) &&
		    !(pf.revents & POLLIN) && atomic_load(&q->units) == 0) {
			eof = 1;
			break;
		}
		if (!waited && atomic_load(&q->units) == 0) {
			waited = 1;
			pipe_emit(self, p, CLAB_K_PIPE_READ_WAIT, 0, site);
			w = publish(self, XW_PIPE_READ, (uint32_t)p->slot);
			if (self)
				clab__cross_blocked(self, &p->h, site);
		}
	}
	if (waited && self)
		clab__cross_unblocked(self);
	unpublish(w);
	if (!eof) {
		int err = read_all(p->fd[CLAB_PIPE_READ], msg, p->msgsize);
		atomic_fetch_add(&q->room, 1);
		futex_wake_all(&q->room);
		if (err)
			r = CLAB_EIO;
	}
	bump();
	pipe_emit(self, p, eof ? CLAB_K_PIPE_EOF : CLAB_K_PIPE_READ, 0, site);
	return r < 0 ? r : !eof;
}

/* ---- what the watchdog sees ---- */

uint64_t clab__xproc_progress(void)
{
	return table_ready() ? atomic_load(&xt->progress) : 0;
}

/* The processes a wait needs to act, or 0 if it will end by itself. */
static uint64_t wait_needs(const struct xwait *w)
{
	unsigned kind = atomic_load(&w->kind);
	if (kind == XW_CHILD) {
		int c =
		    (int)atomic_load_explicit(&w->target, memory_order_relaxed);
		return alive(c) ? 1ull << c : 0;
	}
	const struct xpipe *q =
	    &xt->q[atomic_load_explicit(&w->target, memory_order_relaxed)];
	if (kind == XW_PIPE_WRITE)
		return atomic_load(&q->units) < q->cap
			   ? 0
			   : live_holders(q, CLAB_PIPE_READ);
	if (kind == XW_PIPE_READ)
		return atomic_load(&q->units) > 0
			   ? 0
			   : live_holders(q, CLAB_PIPE_WRITE);
	return 0;
}

static unsigned nwaits(int i)
{
	unsigned n = 0;
	for (int k = 0; k < XP_WAITS; k++) {
		unsigned kind = atomic_load(&xt->p[i].w[k].kind);
		n += kind == XW_CHILD || kind == XW_PIPE_WRITE ||
		     kind == XW_PIPE_READ;
	}
	return n;
}

/*
 * The processes stuck for good: each waits (every thread of it: the
 * caller says for its own process; a spawned child has one thread) only
 * for processes of the same set.  Start with every waiting process and
 * drop, until nothing changes, one that needs a process outside the set.
 */
static uint64_t stuck_set(int self_waiting)
{
	uint64_t s = 0;
	for (int i = 0; i < CLAB_PROC_MAX; i++)
		if (alive(i) && (i == my_slot ? self_waiting : nwaits(i) > 0))
			s |= 1ull << i;
	for (int changed = 1; changed;) {
		changed = 0;
		for (int i = 0; i < CLAB_PROC_MAX; i++) {
			if (!(s >> i & 1))
				continue;
			for (int k = 0; k < XP_WAITS; k++) {
				const struct xwait *w = &xt->p[i].w[k];
				unsigned kind = atomic_load(&w->kind);
				if (kind != XW_CHILD && kind != XW_PIPE_WRITE &&
				    kind != XW_PIPE_READ)
					continue;
				uint64_t need = wait_needs(w);
				if (need == 0 || (need & ~s)) {
					s &= ~(1ull << i);
					changed = 1;
					break;
				}
			}
		}
	}
	return s;
}

int clab__xproc_stuck(int self_waiting)
{
	if (!table_ready() || my_slot < 0 || in_child)
		return 0;
	int stuck = (int)(stuck_set(self_waiting) >> my_slot & 1);
	/* the watchdog's report comes after the last step of the family */
	if (stuck && turns())
		clab__sched_clock_at_least(atomic_load(&xt->vclock) + 1);
	return stuck;
}

/* "child (pid 1235)", or "a (pid 1235), b (pid 1236) and c (pid 1237)". */
static size_t procs_text(uint64_t m, char *buf, size_t len)
{
	size_t n = 0;
	int left = __builtin_popcountll(m), k;
	for (int i = 0; i < CLAB_PROC_MAX && n < len; i++) {
		if (!(m >> i & 1))
			continue;
		k = snprintf(buf + n, len - n, "%s (pid %d)%s", xt->p[i].name,
			     (int)atomic_load(&xt->p[i].pid),
			     clab__list_sep(left--));
		if (k > 0)
			n += (size_t)k;
	}
	return n < len ? n : len ? len - 1 : 0;
}

/* What wait w of process i waits for, in words. */
static size_t wait_text(int i, const struct xwait *w, char *buf, size_t len)
{
	char who[128], whose[48] = "";
	unsigned kind = atomic_load(&w->kind);
	int n;
	if (strcmp(w->thread, xt->p[i].name) == 0)
		snprintf(whose, sizeof(whose), " (pid %d)",
			 (int)atomic_load(&xt->p[i].pid));
	procs_text(wait_needs(w), who, sizeof(who));
	if (kind == XW_CHILD) {
		n = snprintf(buf, len, "%s%s waits for %s to end", w->thread,
			     whose, who);
	} else {
		const struct xpipe *q = &xt->q[atomic_load_explicit(
		    &w->target, memory_order_relaxed)];
		int wr = kind == XW_PIPE_WRITE;
		n = snprintf(buf, len,
			     "%s%s waits to %s pipe %s (%s: %u of %u "
			     "messages), which only %s can %s",
			     w->thread, whose, wr ? "write to" : "read from",
			     q->name, wr ? "full" : "empty",
			     atomic_load(&q->units), q->cap, who,
			     wr ? "empty" : "fill");
	}
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len ? len - 1 : 0;
}

void clab__xproc_explain(uint32_t tid, char *buf, size_t len)
{
	if (len)
		buf[0] = '\0';
	if (!table_ready() || my_slot < 0 || len == 0)
		return;
	size_t n = 0;
	uint64_t s = stuck_set(1), told = 1ull << my_slot;
	for (int k = 0; k < XP_WAITS; k++) {
		const struct xwait *w = &xt->p[my_slot].w[k];
		if (atomic_load(&w->kind) >= XW_CHILD &&
		    atomic_load(&w->kind) <= XW_PIPE_READ &&
		    atomic_load(&w->tid) == tid)
			n += wait_text(my_slot, w, buf + n, len - n);
	}
	/* then what each other process of the set waits for */
	for (int i = 0; i < CLAB_PROC_MAX && n + 1 < len; i++) {
		if (!(s >> i & 1) || (told >> i & 1))
			continue;
		for (int k = 0; k < XP_WAITS && n + 1 < len; k++) {
			const struct xwait *w = &xt->p[i].w[k];
			unsigned kind = atomic_load(&w->kind);
			if (kind < XW_CHILD || kind > XW_PIPE_READ)
				continue;
			int m =
			    strcmp(w->thread, xt->p[i].name) == 0
				? snprintf(buf + n, len - n, "\n")
				: snprintf(buf + n, len - n,
					   "\nin %s (pid %d), ", xt->p[i].name,
					   (int)atomic_load(&xt->p[i].pid));
			if (m > 0)
				n += (size_t)m < len - n ? (size_t)m
							 : len - n - 1;
			n += wait_text(i, w, buf + n, len - n);
		}
	}
}
