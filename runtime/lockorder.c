/*
 * The live lock-order detector: the tracer's lockdep graph, fed by the
 * runtime when a thread that holds mutexes requests another, before it can
 * block, so that the first inversion is recorded even if it then deadlocks.
 *
 * A cache of the chains already checked (this thread, these held locks in
 * this order, this request) keeps the common case to a hash and a lookup:
 * a chain seen before cannot add anything new.  The chain includes the
 * thread, so a second thread on the same path is seen (it turns a latent
 * cycle into a real one), and the held set, so an observation without a
 * gate lock is seen too.
 */
#include <stdlib.h>
#include <string.h>

#include <conclab/lockdep.h>

#include "rt.h"

_Atomic uint64_t clab__chains[CLAB__CHAINS];
static pthread_mutex_t order_lk = PTHREAD_MUTEX_INITIALIZER;
static struct clab_lockdep *live;
static unsigned live_gen;
/*
 * The slots filled since the cache was last cleared, so that a new trace
 * clears those and not the whole table (whose untouched pages stay
 * unmapped); past CHAIN_LOG of them, the whole table (order_lk held).
 */
#define CHAIN_LOG 4096u
static uint32_t chain_log[CHAIN_LOG];
static unsigned nchain_log;

static void remember(uint64_t key)
{
	for (unsigned i = 0; i < CLAB__CHAIN_PROBES; i++) {
		uint32_t at = (uint32_t)((key + i) & (CLAB__CHAINS - 1));
		_Atomic uint64_t *slot = &clab__chains[at];
		uint64_t k = 0;
		if (atomic_compare_exchange_strong(slot, &k, key)) {
			if (nchain_log < CHAIN_LOG)
				chain_log[nchain_log] = at;
			nchain_log++;
			return;
		}
		if (k == key)
			return;
	}
	/* Full here: this chain is checked again next time (still right). */
}

static void chains_clear(void)
{
	if (nchain_log <= CHAIN_LOG)
		for (unsigned i = 0; i < nchain_log; i++)
			atomic_store_explicit(&clab__chains[chain_log[i]], 0,
					      memory_order_relaxed);
	else
		for (unsigned i = 0; i < CLAB__CHAINS; i++)
			atomic_store_explicit(&clab__chains[i], 0,
					      memory_order_relaxed);
	nchain_log = 0;
}

static unsigned diag_code(enum clab_ld_class cls)
{
	switch (cls) {
	case CLAB_LD_DEADLOCK:
		return CLAB_D_LOCK_CYCLE;
	case CLAB_LD_TIMED_ONLY:
		return CLAB_D_LOCK_CYCLE_TIMED;
	case CLAB_LD_LATENT:
		return CLAB_D_LOCK_CYCLE_LATENT;
	default:
		return 0; /* gated: cannot deadlock, nothing to record */
	}
}

void clab__chain_fill(struct clab__thr *self)
{
	unsigned n = self->nheld;
	for (unsigned i = self->nchained; i < n; i++) {
		uint64_t prev = i ? self->held[i - 1].chain
				  : (uint64_t)self->tid << 32 | self->gen;
		self->held[i].chain =
		    clab__chain_mix(prev, self->held[i].m->h.id);
	}
	self->nchained = n;
}

/* The detector of the current trace (order_lk held). */
static struct clab_lockdep *live_of(struct clab__thr *self)
{
	if (!live || live_gen != self->gen) {
		/* A new trace: object ids start again. */
		clab_lockdep_free(live);
		live = clab_lockdep_new();
		live_gen = self->gen;
		chains_clear();
	}
	return live;
}

/* A diagnostic for each cycle whose report changed (order_lk held). */
static void report_changed(struct clab__thr *self, int changed, uint32_t obj,
			   const struct clab_site *site)
{
	uint32_t ids[8];
	uint32_t k = changed > 0 ? clab_lockdep_changed(live, ids, 8) : 0;
	for (uint32_t i = 0; i < k; i++) {
		const struct clab_ld_cycle *c =
		    clab_lockdep_cycle(live, ids[i]);
		unsigned code = diag_code(c->cls);
		if (code)
			clab__diag(self, code, obj, c->id + 1, site);
	}
}

void clab__order_slow(struct clab__thr *self, clab_mutex_t *m,
		      const struct clab_site *site, unsigned flags,
		      uint64_t key)
{
	struct clab_ld_held held[CLAB__HELD_MAX + CLAB__HSEM_MAX];
	unsigned n = self->nheld;
	for (unsigned i = 0; i < n; i++)
		held[i] =
		    (struct clab_ld_held){self->held[i].m->h.id, 0, 0, 0, 0};
	for (unsigned i = 0; i < self->nhsem; i++)
		held[n++] = (struct clab_ld_held){self->hsem[i].id, 0, 0,
						  self->hsem[i].permits, 0};
	pthread_mutex_lock(&order_lk);
	struct clab_lockdep *ld = live_of(self);
	int changed = ld ? clab_lockdep_request(ld, self->tid, held, n, m->h.id,
						0, 0, flags)
			 : 0;
	report_changed(self, changed, m->h.id, site);
	if (changed >= 0)
		remember(key);
	pthread_mutex_unlock(&order_lk);
}

static void hsem_rehash(struct clab__thr *self)
{
	uint64_t h = 0;
	for (unsigned i = 0; i < self->nhsem; i++)
		h = clab__chain_mix(h, self->hsem[i].id);
	self->hsem_chain = h;
}

/* Semaphore id gates nothing from now on. */
static void ungate(struct clab__thr *self, uint32_t id,
		   const struct clab_site *site)
{
	pthread_mutex_lock(&order_lk);
	struct clab_lockdep *ld = live_of(self);
	int changed = ld ? clab_lockdep_ungate(ld, id, self->tid, 0) : 0;
	report_changed(self, changed, id, site);
	pthread_mutex_unlock(&order_lk);
}

int clab__order_sem_take(struct clab__thr *self, clab_sem_t *s, uint32_t id,
			 uint32_t permits, int ungated,
			 const struct clab_site *site)
{
	if (permits == 0 || ungated)
		return 0;
	if (self->nhsem == CLAB__HSEM_MAX) {
		ungate(self, id, site); /* CLAB_LD_PERMITS_MAX */
		return 1;
	}
	self->hsem[self->nhsem++] = (struct clab__hsem){
	    id, permits, self->nord++, self->nheld, s, site};
	hsem_rehash(self);
	return 0;
}

void clab__order_sem_give(struct clab__thr *self, clab_sem_t *s,
			  const struct clab_site *site)
{
	for (unsigned i = self->nhsem; i-- > 0;)
		if (self->hsem[i].id == s->h.id) {
			self->hsem[i] = self->hsem[--self->nhsem];
			hsem_rehash(self);
			return;
		}
	if (s->permits != 0 && !s->ungated) {
		s->ungated = 1;
		ungate(self, s->h.id, site);
	}
}

void clab__order_fork_prepare(void)
{
	pthread_mutex_lock(&order_lk);
}

void clab__order_fork_parent(void)
{
	pthread_mutex_unlock(&order_lk);
}

void clab__order_fork_child(struct clab__thr *self)
{
	/* the parent's graph and chains: the child starts with none */
	clab_lockdep_free(live);
	live = NULL;
	chains_clear();
	pthread_mutex_unlock(&order_lk);
	/*
	 * Its permits stay, as its mutexes do (the child's trace begins with
	 * them: fork.c), but those of a semaphore destroyed since it took
	 * them, which nothing will give back.
	 */
	unsigned n = 0;
	for (unsigned i = 0; i < self->nhsem; i++)
		if (clab__obj_ok(self, self->hsem[i].s, CLAB_O_SEM) &&
		    self->hsem[i].s->h.id == self->hsem[i].id)
			self->hsem[n++] = self->hsem[i];
	self->nhsem = n;
	hsem_rehash(self);
}
