/*
 * Reader-writer locks: many readers or one writer, with a policy for who
 * goes first (runtime.h).
 *
 * Every request goes through the object's internal lock.  One that cannot
 * enter queues a waiter (readers and writers on one queue, in arrival
 * order) and parks; whoever makes room (an unlock, or a waiter that gives
 * up on its deadline) hands the lock over to the waiters the policy lets
 * in, under lk, before it wakes them (grant() below), so that a woken
 * thread owns the lock already and no later arrival can barge in.
 *
 * The readers are kept by thread (up to CLAB_RWLOCK_TRACKED of them, the
 * rest only counted) for the misuse checks, the watchdog and the viewer;
 * the writer, the readers' threads and the first queued writer are
 * atomics that the watchdog reads without lk (see holder_of in
 * watchdog.c).
 *
 * Records: read-request and write-request when a thread has to wait (a32 =
 * readers then), read-acquire (a32 = readers after) and write-acquire,
 * release (a8 = 1 for the writer's, a32 = readers after), busy for a try
 * that fails and timeout for a wait that gives up.  All are numbered under
 * lk, so the trace orders them as they happened.
 */
#include "rt.h"

/* A queued request, the waiter's data. */
struct rwait {
	int write;
	int granted; /* set by grant(), which made it the holder */
};

/* The tracked slot of t, or -1. */
static int slot_of(const clab_rwlock_t *l, const struct clab__thr *t)
{
	for (int i = 0; i < CLAB_RWLOCK_TRACKED; i++)
		if (atomic_load_explicit(&l->rd[i].thr, memory_order_relaxed) ==
		    t)
			return i;
	return -1;
}

static void add_reader(clab_rwlock_t *l, struct clab__thr *t)
{
	atomic_fetch_add_explicit(&t->nrw, 1, memory_order_relaxed);
	int i = slot_of(l, t);
	if (i < 0)
		i = slot_of(l, NULL);
	l->readers++;
	if (i < 0) {
		l->untracked++;
		return;
	}
	atomic_store_explicit(&l->rd[i].thr, t, memory_order_relaxed);
	l->rd[i].n++;
}

/* Drop one of t's read holds: 0, or -1 when t holds none (that we know). */
static int drop_reader(clab_rwlock_t *l, struct clab__thr *t)
{
	int i = slot_of(l, t);
	if (i >= 0) {
		if (--l->rd[i].n == 0)
			atomic_store_explicit(&l->rd[i].thr, NULL,
					      memory_order_relaxed);
	} else if (l->untracked > 0) {
		l->untracked--; /* one of the readers we could not name */
	} else {
		return -1;
	}
	l->readers--;
	atomic_fetch_sub_explicit(&t->nrw, 1, memory_order_relaxed);
	return 0;
}

/* The first writer on the queue, for the watchdog. */
static void note_wfirst(clab_rwlock_t *l)
{
	struct clab__thr *t = NULL;
	for (struct clab__waiter *w = l->wq.head; w && !t; w = w->next)
		if (((struct rwait *)w->data)->write)
			t = w->thr;
	atomic_store_explicit(&l->wfirst, t, memory_order_relaxed);
}

/* Whether a request that has not queued may enter now. */
static int may_enter(const clab_rwlock_t *l, struct clab__thr *self, int write)
{
	if (atomic_load_explicit(&l->writer, memory_order_relaxed))
		return 0;
	if (write)
		return l->readers == 0 && clab__wq_empty(&l->wq);
	if (slot_of(l, self) >= 0)
		return 1; /* a reader again: it must not wait for itself */
	switch (l->policy) {
	case CLAB_RWLOCK_WRITERS:
		return l->wwait == 0;
	case CLAB_RWLOCK_FAIR:
		return clab__wq_empty(&l->wq);
	default:
		return 1;
	}
}

static void give(clab_rwlock_t *l, struct clab__waiter *w)
{
	struct rwait *rw = w->data;
	rw->granted = 1;
	if (rw->write) {
		atomic_store_explicit(&l->writer, w->thr, memory_order_relaxed);
		atomic_fetch_add_explicit(&w->thr->nrw, 1,
					  memory_order_relaxed);
		l->wwait--;
	} else {
		add_reader(l, w->thr);
	}
	clab__unpark(w, CLAB_CAUSE_SIGNAL);
}

/* Hand the lock to the queued requests the policy lets in (lk held). */
static void grant(clab_rwlock_t *l)
{
	struct clab__waiter *w, *next;

	if (atomic_load_explicit(&l->writer, memory_order_relaxed))
		return;
	if (l->policy == CLAB_RWLOCK_FAIR) {
		for (w = l->wq.head; w; w = next) {
			next = w->next;
			if (((struct rwait *)w->data)->write) {
				if (l->readers == 0)
					give(l, w);
				break;
			}
			give(l, w);
		}
	} else if (l->policy == CLAB_RWLOCK_WRITERS && l->wwait) {
		for (w = l->wq.head; w && l->readers == 0; w = w->next)
			if (((struct rwait *)w->data)->write) {
				give(l, w);
				break;
			}
	} else {
		/* every reader; a writer only when no reader is left */
		for (w = l->wq.head; w; w = next) {
			next = w->next;
			if (!((struct rwait *)w->data)->write)
				give(l, w);
		}
		for (w = l->wq.head; w && l->readers == 0; w = w->next)
			if (((struct rwait *)w->data)->write) {
				give(l, w);
				break;
			}
	}
	note_wfirst(l);
}

int clab__rwlock_init(clab_rwlock_t *l, const char *name, int policy,
		      const struct clab_site *site)
{
	struct clab__thr *self = clab__self();
	int r;

	r = clab__obj_fresh(self, l, CLAB_O_RWLOCK, site);
	if (r)
		return r;
	if (policy < CLAB_RWLOCK_READERS || policy > CLAB_RWLOCK_FAIR)
		return clab__bad_value(self, (uint32_t)policy, site);
	l->wq.head = l->wq.tail = NULL;
	l->policy = (uint8_t)policy;
	l->readers = l->wwait = l->untracked = 0;
	atomic_init(&l->writer, NULL);
	atomic_init(&l->writer_site, NULL);
	atomic_init(&l->wfirst, NULL);
	for (int i = 0; i < CLAB_RWLOCK_TRACKED; i++) {
		atomic_init(&l->rd[i].thr, NULL);
		l->rd[i].n = 0;
	}
	clab__lk_init(&l->lk);
	/* the object's param is the policy */
	r = clab__obj_init(&l->h, self, CLAB_O_RWLOCK, name, site, 0,
			   (uint32_t)policy);
	return r < 0 ? r : 0;
}

/* NULL is accepted and ignored (returns 0). */
int clab__rwlock_destroy(clab_rwlock_t *l, const struct clab_site *site)
{
	struct clab__thr *self;

	if (l == NULL)
		return 0;
	self = clab__self();
	CLAB__CHECK(self, l, CLAB_O_RWLOCK, site);
	clab__lk_lock(&l->lk);
	if (atomic_load_explicit(&l->writer, memory_order_relaxed) ||
	    l->readers) {
		clab__diag(self, CLAB_D_DESTROY_HELD, l->h.id, l->readers,
			   site);
		clab__lk_unlock(&l->lk);
		return CLAB_EBUSY;
	}
	if (!clab__wq_empty(&l->wq)) {
		clab__diag(self, CLAB_D_DESTROY_BUSY, l->h.id, 0, site);
		clab__lk_unlock(&l->lk);
		return CLAB_EBUSY;
	}
	clab__obj_fini(&l->h, self, site);
	clab__lk_unlock(&l->lk);
	return 0;
}

/* self holds l (once more), taken at site: a fork replays it (rt.h). */
static void hold(clab_rwlock_t *l, struct clab__thr *self, int write,
		 const struct clab_site *site)
{
	uint32_t ord = self->nord++;
	if (self->nrwheld < CLAB__RWHELD_MAX)
		self->rwheld[self->nrwheld++] =
		    (struct clab__rwheld){l, site, ord, self->nheld, write};
}

/* self lets go of one hold of l, the last it took of that kind. */
static void unhold(clab_rwlock_t *l, struct clab__thr *self, int write)
{
	for (unsigned i = self->nrwheld; i-- > 0;)
		if (self->rwheld[i].l == l && self->rwheld[i].write == write) {
			self->nrwheld--;
			for (; i < self->nrwheld; i++)
				self->rwheld[i] = self->rwheld[i + 1];
			return;
		}
}

static void acquired(clab_rwlock_t *l, struct clab__thr *self, int write,
		     unsigned how, const struct clab_site *site, uint16_t stack)
{
	hold(l, self, write, site);
	if (write) {
		atomic_store_explicit(&l->writer_site, site,
				      memory_order_relaxed);
		clab__emit_obj_s(self, CLAB_K_RW_WRITE_ACQUIRE, &l->h, site,
				 how, 0, stack);
	} else {
		clab__emit_obj_s(self, CLAB_K_RW_READ_ACQUIRE, &l->h, site, how,
				 l->readers, stack);
	}
}

/*
 * Take l for reading (write == 0) or writing.  ms == 0 does not wait
 * (CLAB_EBUSY); CLAB_ETIMEDOUT when ms passes first.
 */
int clab__rwlock_lock(clab_rwlock_t *l, int write, uint32_t ms,
		      const struct clab_site *site)
{
	struct clab__thr *self;
	struct clab__waiter w;
	struct rwait rw = {write != 0, 0};
	struct timespec dl;
	unsigned how;
	uint16_t stack;
	int r = 0;

	self = clab__self();
	clab__sched_point(self, site);
	CLAB__CHECK(self, l, CLAB_O_RWLOCK, site);
	how = ms == CLAB_FOREVER ? CLAB_HOW_BLOCK
	      : ms == 0		 ? CLAB_HOW_TRY
				 : CLAB_HOW_TIMED;
	if (ms != 0 && ms != CLAB_FOREVER)
		clab__deadline(&dl, ms);
	stack = clab__stack_here();
	clab__lk_lock(&l->lk);
	if (atomic_load_explicit(&l->writer, memory_order_relaxed) == self) {
		/* a try cannot deadlock: busy, as POSIX has it */
		if (ms == 0) {
			clab__emit_obj_s(self, CLAB_K_RW_BUSY, &l->h, site,
					 (unsigned)rw.write, l->readers, stack);
			clab__lk_unlock(&l->lk);
			return CLAB_EBUSY;
		}
		clab__diag(self, CLAB_D_RELOCK, l->h.id, 0, site);
		clab__lk_unlock(&l->lk);
		return CLAB_EDEADLK;
	}
	if (may_enter(l, self, rw.write)) {
		if (rw.write) {
			atomic_store_explicit(&l->writer, self,
					      memory_order_relaxed);
			atomic_fetch_add_explicit(&self->nrw, 1,
						  memory_order_relaxed);
		} else
			add_reader(l, self);
		acquired(l, self, rw.write, how, site, stack);
		clab__lk_unlock(&l->lk);
		return 0;
	}
	if (ms == 0) {
		clab__emit_obj_s(self, CLAB_K_RW_BUSY, &l->h, site,
				 (unsigned)rw.write, l->readers, stack);
		clab__lk_unlock(&l->lk);
		return CLAB_EBUSY;
	}
	clab__emit_obj_s(
	    self, rw.write ? CLAB_K_RW_WRITE_REQUEST : CLAB_K_RW_READ_REQUEST,
	    &l->h, site, how, l->readers, stack);
	clab__waiter_init(&w, self);
	w.data = &rw;
	clab__wq_push(&l->wq, &w);
	if (rw.write) {
		l->wwait++;
		note_wfirst(l);
	}
	if (ms == CLAB_FOREVER)
		clab__deadlock_probe(self, &l->h);
	while (!rw.granted && r == 0)
		r = clab__park(self, &l->lk, &w, &l->h, site,
			       ms == CLAB_FOREVER ? NULL : &dl);
	if (!rw.granted) {
		/* off the queue: those it held back may go now */
		if (rw.write)
			l->wwait--;
		grant(l);
		clab__emit_obj_s(self, CLAB_K_RW_TIMEOUT, &l->h, site,
				 (unsigned)rw.write, l->readers, stack);
		clab__lk_unlock(&l->lk);
		return CLAB_ETIMEDOUT;
	}
	acquired(l, self, rw.write, how, site, stack);
	clab__lk_unlock(&l->lk);
	return 0;
}

int clab__rwlock_unlock(clab_rwlock_t *l, const struct clab_site *site)
{
	struct clab__thr *self, *wr;

	self = clab__self();
	clab__sched_point(self, site);
	CLAB__CHECK(self, l, CLAB_O_RWLOCK, site);
	clab__lk_lock(&l->lk);
	wr = atomic_load_explicit(&l->writer, memory_order_relaxed);
	if (wr == self) {
		atomic_store_explicit(&l->writer, NULL, memory_order_relaxed);
		atomic_fetch_sub_explicit(&self->nrw, 1, memory_order_relaxed);
		atomic_store_explicit(&l->writer_site, NULL,
				      memory_order_relaxed);
		unhold(l, self, 1);
		clab__emit_obj(self, CLAB_K_RW_RELEASE, &l->h, site, 1, 0);
	} else if (wr == NULL && drop_reader(l, self) == 0) {
		unhold(l, self, 0);
		clab__emit_obj(self, CLAB_K_RW_RELEASE, &l->h, site, 0,
			       l->readers);
	} else {
		/* detail: the writer, or UINT32_MAX for readers or none */
		clab__diag(self,
			   wr || l->readers ? CLAB_D_UNLOCK_NOT_OWNER
					    : CLAB_D_UNLOCK_UNLOCKED,
			   l->h.id, wr ? wr->tid : UINT32_MAX, site);
		clab__lk_unlock(&l->lk);
		return CLAB_EPERM;
	}
	grant(l);
	clab__lk_unlock(&l->lk);
	return 0;
}

uint32_t clab_rwlock_readers(clab_rwlock_t *l)
{
	struct clab__thr *self;
	uint32_t v;

	self = clab__self();
	if (!clab__obj_ok(self, l, CLAB_O_RWLOCK)) {
		clab__obj_bad(self, l, CLAB_O_RWLOCK, NULL);
		return 0;
	}
	clab__lk_lock(&l->lk);
	v = l->readers;
	clab__lk_unlock(&l->lk);
	return v;
}
