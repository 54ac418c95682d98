/*
 * Condition variables: wait (releasing every level of the mutex), timed
 * wait, signal and broadcast, and injected spurious wakeups.
 *
 * A wait is queued on the condition's wait queue while its internal lock
 * `lk` is held, and the mutex is released while lk is still held.  A
 * signaller must take lk to find the waiter, so a signal sent after the
 * mutex was released cannot be lost.
 *
 * Spurious wakeups (clab_set_spurious): with probability per_mille/1000 a
 * wait parks with a short deadline (1..5 ms); if that deadline passes first
 * the wait returns 0 as if woken, and records cause "spurious".  Each
 * thread's generator is reseeded from (seed, tid) the first time the thread
 * waits after clab_set_spurious(), so a run with the same seed injects the
 * same wakeups in the same waits of each thread.
 */
#include <stdint.h>

#include "rt.h"

/* Probability of an injected spurious wakeup, per thousand waits. */
_Atomic unsigned clab__spurious_per_mille;
/* Bumped by each clab_set_spurious() so that threads reseed lazily. */
static _Atomic uint64_t spurious_epoch;

/* What a thread last seeded its rng for: (thread state, trace, epoch). */
static _Thread_local struct {
	struct clab__thr *thr;
	unsigned gen;
	uint64_t epoch;
} seeded;

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* Give self->rng a state that depends only on the seed and the tid. */
static void spurious_reseed(struct clab__thr *self)
{
	uint64_t epoch = atomic_load(&spurious_epoch);

	if (seeded.thr == self && seeded.gen == self->gen &&
	    seeded.epoch == epoch)
		return;
	self->rng = splitmix64(atomic_load(&clab__spurious_seed) ^
			       splitmix64(self->tid + 1ull));
	if (self->rng == 0) /* xorshift must not start at 0 */
		self->rng = 0x2545f4914f6cdd1dull;
	seeded.thr = self;
	seeded.gen = self->gen;
	seeded.epoch = epoch;
}

void clab_set_spurious(unsigned per_mille, uint64_t seed)
{
	if (per_mille > 1000)
		per_mille = 1000;
	atomic_store(&clab__spurious_seed, seed);
	atomic_fetch_add(&spurious_epoch, 1);
	atomic_store(&clab__spurious_per_mille, per_mille);
}

/* Whether this wait gets a spurious wakeup, and after how many ms. */
static uint32_t spurious_ms(struct clab__thr *self)
{
	unsigned pm = atomic_load_explicit(&clab__spurious_per_mille,
					   memory_order_relaxed);

	if (pm == 0)
		return 0;
	spurious_reseed(self);
	if (clab__rand(self) % 1000 >= pm)
		return 0;
	return 1 + (uint32_t)(clab__rand(self) % 5);
}

int clab__cond_init(clab_cond_t *c, const char *name,
		    const struct clab_site *site)
{
	struct clab__thr *self = clab__self();
	int r;

	r = clab__obj_fresh(self, c, CLAB_O_COND, site);
	if (r)
		return r;
	c->wq.head = c->wq.tail = NULL;
	atomic_init(&c->mutex, NULL);
	clab__lk_init(&c->lk);
	r = clab__obj_init(&c->h, self, CLAB_O_COND, name, site, 0, 0);
	return r < 0 ? r : 0;
}

/* NULL is accepted and ignored (returns 0). */
int clab__cond_destroy(clab_cond_t *c, const struct clab_site *site)
{
	struct clab__thr *self;

	if (c == NULL)
		return 0;
	self = clab__self();
	CLAB__CHECK(self, c, CLAB_O_COND, site);
	clab__lk_lock(&c->lk);
	if (!clab__wq_empty(&c->wq)) {
		clab__diag(self, CLAB_D_DESTROY_BUSY, c->h.id, c->h.id, site);
		clab__lk_unlock(&c->lk);
		return CLAB_EBUSY;
	}
	clab__obj_fini(&c->h, self, site);
	clab__lk_unlock(&c->lk);
	return 0;
}

int clab__cond_wait(clab_cond_t *c, clab_mutex_t *m, uint32_t ms,
		    const struct clab_site *site)
{
	struct clab__thr *self;
	struct clab__waiter *w;
	struct timespec dl, sdl;
	const struct timespec *pdl = NULL;
	clab_mutex_t *prev = NULL;
	uint32_t depth, sms, id;
	unsigned cause;
	int r = 0, spurious = 0;

	self = clab__self();
	clab__sched_point(self, site);
	CLAB__CHECK(self, c, CLAB_O_COND, site);
	CLAB__CHECK(self, m, CLAB_O_MUTEX, site);
	if (!clab_mutex_held(m)) {
		clab__diag(self, CLAB_D_COND_NO_MUTEX, c->h.id, m->h.id, site);
		return CLAB_EPERM;
	}
	if (!atomic_compare_exchange_strong(&c->mutex, &prev, m) && prev != m)
		clab__diag(self, CLAB_D_COND_TWO_MUTEXES, c->h.id, m->h.id,
			   site);

	if (ms != CLAB_FOREVER) {
		clab__deadline(&dl, ms);
		pdl = &dl;
	}
	/* under control, spurious wakeups are the scheduler's choice */
	sms = clab__sched_ctl(self) ? 0 : spurious_ms(self);
	if (sms != 0) {
		clab__deadline(&sdl, sms);
		if (pdl == NULL || clab__ts_before(&sdl, pdl)) {
			pdl = &sdl;
			spurious = 1;
		}
	}

	id = c->h.id;
	clab__lk_lock(&c->lk);
	w = &self->wait; /* see struct clab__thr */
	clab__waiter_init(w, self);
	clab__wq_push(&c->wq, w);
	clab__emit_obj_s(self, CLAB_K_COND_WAIT, &c->h, site,
			 ms != CLAB_FOREVER, m->h.id, clab__stack_here());
	depth = clab__mutex_release_all(m, self, site);
	/*
	 * Woken, this thread does not touch c again: the signaller gave the
	 * wake record its sequence number (w->seq), so that c may even be
	 * destroyed by then.
	 */
	self->s.spur_ok = 1;
	self->s.spurs = 0;
	r = clab__park_nolk(self, &c->lk, w, &c->h, site, pdl);
	self->s.spur_ok = 0;
	if (r == CLAB_ETIMEDOUT && self->s.wake == CLAB__SW_SPURIOUS &&
	    clab__sched_ctl(self))
		spurious = 1;
	if (r == CLAB_ETIMEDOUT) {
		if (spurious) {
			cause = CLAB_CAUSE_SPURIOUS;
			r = 0;
		} else {
			cause = CLAB_CAUSE_TIMEOUT;
		}
	} else if (r == CLAB_ECANCELED) {
		/* the mutex is taken again, as POSIX has it for the cleanup
		 * handlers the cancellation runs next */
		cause = CLAB_CAUSE_CANCEL;
	} else {
		cause = w->cause;
	}
	clab__emit(self->tb, CLAB_K_COND_WAKE, id, w->seq, site, cause, 0);
	clab__mutex_reacquire(m, self, depth, site);
	return r;
}

/*
 * The signal takes its sequence number and its time, and gives the next
 * numbers to the wake records of the threads it wakes (clab__park_nolk),
 * all under lk; it is written once they are woken, so that they do not
 * wait for the record, with the time it happened: before their wakes.
 */
/*
 * Under control, which waiter a signal wakes is the scheduler's choice
 * (the operating system promises no order): it goes to the front.
 */
static void pick_waiter(struct clab__thr *self, struct clab__waitq *q)
{
	struct clab__thr *cand[64];
	unsigned n = 0;
	for (struct clab__waiter *w = q->head; w != NULL && n < 64; w = w->next)
		cand[n++] = w->thr;
	unsigned k = clab__sched_pick(self, cand, n);
	struct clab__waiter *w = q->head;
	while (k-- > 0)
		w = w->next;
	if (w != q->head) {
		clab__wq_remove(w);
		clab__wq_push_front(q, w);
	}
}

int clab__cond_signal(clab_cond_t *c, int all, const struct clab_site *site)
{
	struct clab__thr *self;
	unsigned n = 0;
	uint32_t seq, id;
	uint64_t tsc;

	self = clab__self();
	clab__sched_point(self, site);
	CLAB__CHECK(self, c, CLAB_O_COND, site);
	id = c->h.id;
	clab__lk_lock(&c->lk);
	seq = ++c->h.oseq;
	tsc = clab__clock();
	if (!all && clab__sched_ctl(self))
		pick_waiter(self, &c->wq);
	while (c->wq.head != NULL && (all || n == 0)) {
		c->wq.head->seq = ++c->h.oseq;
		clab__unpark_head_now(&c->wq, all ? CLAB_CAUSE_BROADCAST
						  : CLAB_CAUSE_SIGNAL);
		n++;
	}
	clab__lk_drop(&c->lk);
	clab__emit_at(self->tb, tsc,
		      all ? CLAB_K_COND_BROADCAST : CLAB_K_COND_SIGNAL, id, seq,
		      site, 0, n);
	return (int)n;
}
