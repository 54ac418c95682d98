/*
 * The digest: what the post-run report needs to know that it has nothing
 * to say, kept by the writer while it writes (each thread's records in
 * that thread's order), and written as the DIGEST chunk at the close
 * (docs/trace-format.md, "The DIGEST chunk").  It errs one way only: it
 * may see a problem the full analysis would not (a lock-order edge from a
 * semaphore's permit, a wait while holding one), never miss one.
 *
 * Each thread's locks are followed as tracer/analyze.c follows them: a
 * mutex's, a reader-writer lock's or a semaphore's permit taken (any
 * semaphore: the analysis only knows at the end which are used as locks),
 * and let go; every request or take while holding others adds the edges
 * held -> requested, kept once each in a hash set.
 *
 * The common records, a mutex or reader-writer lock taken or given back
 * by a thread that does not wait, whose edges are all known already, take
 * a fast path that does what the general path would (the tests compare
 * the two; docs/performance.md, "The quick report: the writer's digest").
 *
 * Each thread's judged waits are measured as labs/generic.c measures
 * them, from the wait's first record to the record of the thread's that
 * ends it, on the thread's own times: how many, how many short (for the
 * median), and each thread's longest with its object.  A barrier's pass
 * (or a latch's opening) ends other threads' waits at a time only the
 * merged order has: once there is one, the waits are not followed.
 */
#include <stdlib.h>
#include <string.h>

#include <conclab/error.h>

#include "clab-kinds.h"
#include "digest.h"
#include "format.h"

/* what a kind does to the digest, computed once from the kinds table */
enum {
	K_OBJ = 1,	/* it names an object */
	K_WAIT = 2,	/* it begins a wait */
	K_JUDGED = 4,	/* ...that the starvation check judges */
	K_WAKES = 8,	/* it ends its thread's wait on the same object */
	K_LOCKISH = 16, /* it can take, give or request a lock */
	K_CROSS = 32	/* it ends other threads' waits (a barrier's pass) */
};

/* a held entry that is a semaphore's permit, not a mutex's or rwlock's */
#define PERMIT 0x80000000u

/* objects below this id have their edges in a bit matrix (2 KiB) */
#define SMALL 128u
/* edges between others that the fast path finds in a cache (2 KiB) */
#define ECACHE 256u

struct clab__dg_thread {
	uint32_t tid;	 /* + 1; 0: a free slot */
	uint32_t *held;	 /* the locks it holds, innermost last (| PERMIT) */
	uint32_t nlocks; /* ...of which mutexes and reader-writer locks */
	uint32_t n, cap;
	uint32_t wait_obj, longest_obj;
	uint64_t wait_ns, longest_ns;
	uint8_t started, exited, waiting, wait_judged, waited;
};

/* A thread's longest judged wait, kept once the thread has ended. */
struct dwaiter {
	uint32_t tid, obj;
	uint64_t ns;
};

/* What each kind does, from the kinds table: kept from trace to trace. */
static struct {
	uint8_t cls[CLAB_KIND_MAX];
	uint8_t act[CLAB_KIND_MAX], oe[CLAB_KIND_MAX]; /* the kinds table's */
	int ready;
	/* a mutex's acquire and release take the fast path, by depth */
	int hold_kinds;
} kt;

/* The fast path's actions (from the kinds table) and the kinds' counts. */
struct clab__dg_kinds clab__dg_kinds;

static struct {
	/*
	 * The threads that have not ended, by tid (open addressing): an
	 * ended thread's entry goes, so that a run that starts threads one
	 * after another keeps a bounded table (docs/performance.md, "Threads
	 * that end").
	 */
	struct clab__dg_thread *t;
	uint32_t tcap, nt;
	uint64_t records; /* and clab__dg_kinds.count by kind */
	uint64_t diags[256];
	uint64_t judged_waits, failed, waits_holding, self_requests;
	uint64_t held_at_exit;
	uint64_t waits_ended, waits_short;
	int waits_unfollowed;
	struct dwaiter *wl; /* the ended threads that waited */
	uint32_t nwl, capwl;
	/* the edges between the first SMALL objects, a bit each */
	uint64_t small[SMALL][SMALL / 64];
	/* the edges (from << 32 | to) + 1, by open addressing */
	uint64_t *ekeys;
	uint32_t ecap, nedges;
	/* edges known to be in the set, by ecache_slot: the fast path's */
	uint64_t ecache[ECACHE];
	int nomem;	/* an allocation failed: the digest is partial */
	int unfollowed; /* too many held, or edges: CLAB_DIGEST_UNFOLLOWED */
} dg;

static void classify(void)
{
	for (unsigned k = 0; k < CLAB_KIND_MAX; k++) {
		const struct clab_kind_sem *s = clab__kind_sem(k);
		uint8_t c = 0;
		if (clab_kind_fields(k) & CLAB_F_OBJ)
			c |= K_OBJ;
		if (clab__kind_begins_wait(k)) {
			c |= K_WAIT;
			if (s->act != CLAB_DO_JOIN_WAIT &&
			    s->act != CLAB_DO_TIMER_WAIT)
				c |= K_JUDGED;
		}
		if (s->tmove == CLAB_TM_RUN)
			c |= K_WAKES;
		if (s->act == CLAB_DO_REQUEST || s->act == CLAB_DO_ACQUIRE ||
		    s->act == CLAB_DO_RELEASE || s->act == CLAB_DO_WAIT_BEGIN ||
		    s->act == CLAB_DO_JOIN_WAIT)
			c |= K_LOCKISH;
		if (s->oe == CLAB_OE_PASS || s->oe == CLAB_OE_OPEN)
			c |= K_CROSS;
		kt.cls[k] = c;
		kt.act[k] = (uint8_t)s->act;
		kt.oe[k] = (uint8_t)s->oe;
		/* what the general path does with no wait to end or begin */
		uint8_t f = 0;
		if (s->act == CLAB_DO_ACQUIRE &&
		    (s->oe == CLAB_OE_MUTEX_TAKE ||
		     s->oe == CLAB_OE_READ_TAKE || s->oe == CLAB_OE_WRITE_TAKE))
			f = CLAB__DG_TAKE;
		if (s->act == CLAB_DO_RELEASE &&
		    (s->oe == CLAB_OE_MUTEX_GIVE || s->oe == CLAB_OE_RW_GIVE))
			f = CLAB__DG_GIVE;
		if (f && (s->oe == CLAB_OE_MUTEX_TAKE ||
			  s->oe == CLAB_OE_MUTEX_GIVE))
			f |= CLAB__DG_DEPTH;
		clab__dg_kinds.fast[k] =
		    c & (K_WAIT | K_CROSS) || !(c & K_OBJ) ? 0 : f;
	}
	kt.hold_kinds = clab__dg_kinds.fast[CLAB_K_MUTEX_ACQUIRE] ==
			    (CLAB__DG_TAKE | CLAB__DG_DEPTH) &&
			clab__dg_kinds.fast[CLAB_K_MUTEX_RELEASE] ==
			    (CLAB__DG_GIVE | CLAB__DG_DEPTH);
	kt.ready = 1;
}

static uint32_t tslot(uint32_t tid, uint32_t cap)
{
	return (tid * 0x9e3779b1u) & (cap - 1);
}

static struct clab__dg_thread *thread_of(uint32_t tid)
{
	if (2 * (dg.nt + 1) > dg.tcap) {
		uint32_t cap = dg.tcap ? 2 * dg.tcap : 16;
		struct clab__dg_thread *t = calloc(cap, sizeof(*t));
		if (!t)
			return NULL;
		for (uint32_t j = 0; j < dg.tcap; j++) {
			if (!dg.t[j].tid)
				continue;
			uint32_t i = tslot(dg.t[j].tid - 1, cap);
			while (t[i].tid)
				i = (i + 1) & (cap - 1);
			t[i] = dg.t[j];
		}
		free(dg.t);
		dg.t = t;
		dg.tcap = cap;
	}
	uint32_t i = tslot(tid, dg.tcap);
	while (dg.t[i].tid && dg.t[i].tid != tid + 1)
		i = (i + 1) & (dg.tcap - 1);
	if (!dg.t[i].tid) {
		dg.t[i] = (struct clab__dg_thread){.tid = tid + 1};
		dg.nt++;
	}
	return &dg.t[i];
}

/* An ended thread's entry goes (backward shift: no tombstones). */
static void thread_drop(struct clab__dg_thread *t)
{
	uint32_t mask = dg.tcap - 1, i = (uint32_t)(t - dg.t);
	free(t->held);
	for (uint32_t j = (i + 1) & mask; dg.t[j].tid; j = (j + 1) & mask) {
		uint32_t home = tslot(dg.t[j].tid - 1, dg.tcap);
		/* j's entry may move to i if its home is not in (i, j] */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			dg.t[i] = dg.t[j];
			i = j;
		}
	}
	dg.t[i] = (struct clab__dg_thread){0};
	dg.nt--;
}

static uint32_t slot_of(uint64_t key, uint32_t cap)
{
	uint64_t x = key * 0x9e3779b97f4a7c15ull;
	return (uint32_t)(x >> 32) & (cap - 1);
}

static inline uint32_t ecache_slot(uint32_t from, uint32_t to)
{
	uint64_t x = ((uint64_t)from << 32 | to) * 0x9e3779b97f4a7c15ull;
	return (uint32_t)(x >> 56) & (ECACHE - 1);
}

static void edge_add(uint32_t from, uint32_t to)
{
	if (dg.nedges >= CLAB_DIGEST_EDGES_MAX) {
		dg.unfollowed = 1;
		return;
	}
	if (from < SMALL && to < SMALL) {
		uint64_t bit = 1ull << (to % 64), *w = &dg.small[from][to / 64];
		if (*w & bit)
			return;
		*w |= bit; /* and into the hash set too, for the chunk */
	}
	uint64_t key = ((uint64_t)from << 32 | to) + 1;
	if (dg.ecap) {
		uint32_t i = slot_of(key, dg.ecap);
		while (dg.ekeys[i] && dg.ekeys[i] != key)
			i = (i + 1) & (dg.ecap - 1);
		if (dg.ekeys[i]) {
			dg.ecache[ecache_slot(from, to)] = key;
			return;
		}
	}
	if (2 * (dg.nedges + 1) > dg.ecap) {
		uint32_t cap = dg.ecap ? 2 * dg.ecap : 64;
		uint64_t *k = calloc(cap, sizeof(*k));
		if (!k) {
			dg.nomem = 1;
			return;
		}
		for (uint32_t j = 0; j < dg.ecap; j++) {
			if (!dg.ekeys[j])
				continue;
			uint32_t i = slot_of(dg.ekeys[j], cap);
			while (k[i])
				i = (i + 1) & (cap - 1);
			k[i] = dg.ekeys[j];
		}
		free(dg.ekeys);
		dg.ekeys = k;
		dg.ecap = cap;
	}
	uint32_t i = slot_of(key, dg.ecap);
	while (dg.ekeys[i])
		i = (i + 1) & (dg.ecap - 1);
	dg.ekeys[i] = key;
	dg.nedges++;
	dg.ecache[ecache_slot(from, to)] = key;
}

static inline void push(struct clab__dg_thread *t, uint32_t obj, int permit)
{
	if (t->n == CLAB_DIGEST_HELD_MAX) { /* a counting semaphore's permits */
		dg.unfollowed = 1;
		return;
	}
	if (t->n == t->cap) {
		uint32_t cap = t->cap ? 2 * t->cap : 8;
		uint32_t *h = realloc(t->held, cap * sizeof(*h));
		if (!h) {
			dg.nomem = 1;
			return;
		}
		t->held = h;
		t->cap = cap;
	}
	t->held[t->n++] = obj | (permit ? PERMIT : 0);
	t->nlocks += !permit;
}

static inline void pop(struct clab__dg_thread *t, uint32_t obj)
{
	if (t->n && t->held[t->n - 1] == obj) { /* the innermost, a lock */
		t->n--;
		t->nlocks--;
		return;
	}
	for (uint32_t i = t->n; i-- > 0;)
		if ((t->held[i] & ~PERMIT) == obj) {
			t->nlocks -= !(t->held[i] & PERMIT);
			memmove(&t->held[i], &t->held[i + 1],
				(t->n - i - 1) * sizeof(*t->held));
			t->n--;
			return;
		}
}

/* A wait on another thread (analyze.c's is_wait). */
static int is_wait(unsigned act, unsigned oe, unsigned a8)
{
	if (oe == CLAB_OE_VALUE)
		return act == CLAB_DO_ACQUIRE && a8 != CLAB_HOW_TRY;
	return act == CLAB_DO_WAIT_BEGIN || act == CLAB_DO_JOIN_WAIT;
}

/* What a record that may take, give or request a lock does. */
static void lockish(struct clab__dg_thread *t, const struct clab__rec *r,
		    uint32_t obj)
{
	unsigned act = kt.act[r->kind], oe = kt.oe[r->kind];
	if (act == CLAB_DO_RELEASE) {
		if (oe == CLAB_OE_RW_GIVE || oe == CLAB_OE_VALUE ||
		    (oe == CLAB_OE_MUTEX_GIVE && r->a32 == 0))
			pop(t, obj);
		return;
	}
	if (oe == CLAB_OE_MUTEX_TAKE && r->a32 > 1)
		return; /* a recursive relock */
	if (t->n && is_wait(act, oe, r->a8)) {
		for (uint32_t k = 0; k < t->n; k++)
			/* a condition wait releases its own mutex */
			if (oe != CLAB_OE_COND_MUTEX ||
			    (t->held[k] & ~PERMIT) != r->a32) {
				dg.waits_holding++;
				break;
			}
	}
	if (act == CLAB_DO_JOIN_WAIT)
		return;
	for (uint32_t k = 0; k < t->n; k++) {
		uint32_t h = t->held[k] & ~PERMIT;
		if (h == obj)
			dg.self_requests++;
		else
			edge_add(h, obj);
	}
	if (act == CLAB_DO_ACQUIRE &&
	    (oe == CLAB_OE_MUTEX_TAKE || oe == CLAB_OE_READ_TAKE ||
	     oe == CLAB_OE_WRITE_TAKE || oe == CLAB_OE_VALUE))
		push(t, obj, oe == CLAB_OE_VALUE);
}

/* t's judged wait ended at end_ns. */
static void wait_done(struct clab__dg_thread *t, uint64_t end_ns)
{
	uint64_t w = end_ns > t->wait_ns ? end_ns - t->wait_ns : 0;
	dg.waits_ended++;
	dg.waits_short += w <= CLAB_DIGEST_SHORT_WAIT_NS;
	if (!t->waited || w > t->longest_ns) {
		t->longest_ns = w;
		t->longest_obj = t->wait_obj;
	}
	t->waited = 1;
}

/* An ended thread that waited: its longest wait into the list. */
static void waiter_keep(const struct clab__dg_thread *t)
{
	if (dg.nwl == CLAB_DIGEST_WAITERS_MAX) {
		dg.waits_unfollowed = 1;
		return;
	}
	if (dg.nwl == dg.capwl) {
		uint32_t cap = dg.capwl ? 2 * dg.capwl : 16;
		struct dwaiter *l = realloc(dg.wl, cap * sizeof(*l));
		if (!l) {
			dg.waits_unfollowed = 1;
			return;
		}
		dg.wl = l;
		dg.capwl = cap;
	}
	dg.wl[dg.nwl++] =
	    (struct dwaiter){t->tid - 1, t->longest_obj, t->longest_ns};
}

/* One record of t down the general path: any kind, any state. */
static inline void general(struct clab__dg_thread *t, const struct clab__rec *r,
			   uint64_t ns)
{
	unsigned kind = r->kind < CLAB_KIND_MAX ? r->kind : 0;
	unsigned c = kt.cls[kind];
	uint32_t obj = c & K_OBJ ? r->u.o.obj : 0;
	if (t->waiting && (c & K_WAKES) && obj == t->wait_obj) {
		t->waiting = 0;
		if (t->wait_judged)
			wait_done(t, ns);
	}
	if (c & K_WAIT) {
		t->waiting = 1;
		t->wait_obj = obj;
		t->wait_ns = ns;
		t->wait_judged = (c & K_JUDGED) != 0;
		dg.judged_waits += t->wait_judged;
	}
	if (c & K_CROSS)
		dg.waits_unfollowed = 1;
	if ((c & K_LOCKISH) && !dg.unfollowed) {
		unsigned oe = kt.oe[kind];
		if (oe == CLAB_OE_MUTEX_TAKE && !t->n && r->a32 <= 1)
			push(t, obj, 0);
		else if (oe == CLAB_OE_MUTEX_GIVE && r->a32 == 0)
			pop(t, obj);
		else if (oe != CLAB_OE_MUTEX_GIVE)
			lockish(t, r, obj);
		return;
	}
	switch (kt.act[kind]) {
	case CLAB_DO_DIAG:
		dg.diags[r->a8]++;
		break;
	case CLAB_DO_BUSY:
	case CLAB_DO_TIMEOUT:
		dg.failed++;
		break;
	case CLAB_DO_START:
		t->started = 1;
		break;
	case CLAB_DO_EXIT:
		dg.held_at_exit += t->nlocks != 0;
		t->n = 0;
		t->nlocks = 0;
		t->exited = 1;
		t->waiting = 0;
		break;
	default:
		break;
	}
}

/*
 * Every edge held -> obj is in the set already (so obj is not held: an
 * edge obj -> obj is never added, the general path counts the request).
 */
static inline int edges_known(const uint32_t *held, uint32_t n, uint32_t obj)
{
	for (uint32_t k = 0; k < n; k++) {
		uint32_t h = held[k] & ~PERMIT;
		if (h < SMALL && obj < SMALL) {
			if (!(dg.small[h][obj / 64] & 1ull << (obj % 64)))
				return 0;
		} else if (dg.ecache[ecache_slot(h, obj)] !=
			   ((uint64_t)h << 32 | obj) + 1) {
			return 0;
		}
	}
	return 1;
}

int clab__digest_fastpath = 1;

/* Whether t's next records may take the fast path. */
static inline int fast_for(const struct clab__dg_thread *t)
{
	return clab__digest_fastpath && !dg.unfollowed &&
	       dg.nedges < CLAB_DIGEST_EDGES_MAX && !t->waiting;
}

/* c's fast, and whether a hold may be counted at once with it. */
static inline void fast_set(struct clab__dg_chunk *c)
{
	c->fast = fast_for(c->t);
	c->holds_ok = c->fast && c->cap && kt.hold_kinds;
}

int clab__digest_hold_nested(const struct clab__dg_chunk *c, uint32_t obj)
{
	return c->nh < c->cap && edges_known(c->held, c->nh, obj);
}

int clab__digest_begin(struct clab__dg_chunk *c, uint32_t tid, uint32_t n)
{
	if (!kt.ready)
		classify();
	struct clab__dg_thread *t = thread_of(tid);
	if (!t) {
		dg.nomem = 1;
		return CLAB_ENOMEM;
	}
	dg.records += n;
	/*
	 * The fast path: a mutex or reader-writer lock taken or given by a
	 * thread that does not wait, with every edge it adds known already
	 * and room for it in the held array, while the locks are followed.
	 * It does what the general path would, on the thread's held locks
	 * kept in c (written back before the general path reads them).
	 */
	*c = (struct clab__dg_chunk){.t = t,
				     .held = t->held,
				     .nh = t->n,
				     .cap = t->cap,
				     .permits = t->n - t->nlocks};
	fast_set(c);
	return 0;
}

void clab__digest_slow(struct clab__dg_chunk *c, const struct clab__rec *r,
		       uint64_t ns)
{
	/* a take while holding others, its edges all known (the inline
	 * step took a relock, and a take with none held) */
	unsigned f = clab__dg_kinds.fast[r->kind];
	if ((f & CLAB__DG_TAKE) && c->fast && c->nh < c->cap &&
	    (!c->nh || edges_known(c->held, c->nh, r->u.o.obj))) {
		clab__dg_kinds.count[r->kind]++;
		c->held[c->nh++] = r->u.o.obj;
		return;
	}
	struct clab__dg_thread *t = c->t;
	t->n = c->nh;
	t->nlocks = c->nh - c->permits;
	clab__dg_kinds.count[r->kind < CLAB_KIND_MAX ? r->kind : 0]++;
	general(t, r, ns);
	c->held = t->held;
	c->nh = t->n;
	c->cap = t->cap;
	c->permits = t->n - t->nlocks;
	fast_set(c);
}

void clab__digest_end(struct clab__dg_chunk *c)
{
	struct clab__dg_thread *t = c->t;
	t->n = c->nh;
	t->nlocks = c->nh - c->permits;
	clab__dg_kinds.count[CLAB_K_MUTEX_ACQUIRE] += c->holds;
	clab__dg_kinds.count[CLAB_K_MUTEX_RELEASE] += c->holds;
	if (t->exited) { /* its last record */
		if (t->waited)
			waiter_keep(t);
		thread_drop(t);
	}
}

void clab__digest_records(uint32_t tid, const struct clab__rec *const *recs,
			  const uint64_t *ns, uint32_t n)
{
	struct clab__dg_chunk c;
	if (clab__digest_begin(&c, tid, n))
		return;
	for (uint32_t i = 0; i < n; i++)
		clab__digest_step(&c, recs[i], ns[i]);
	clab__digest_end(&c);
}

static void put_counts(struct clab_wbuf *b, const uint64_t *c, unsigned max)
{
	unsigned k = 0;
	for (unsigned i = 0; i < max; i++)
		k += c[i] != 0;
	clab_wbuf_uv(b, k);
	for (unsigned i = 0; i < max; i++)
		if (c[i]) {
			clab_wbuf_uv(b, i);
			clab_wbuf_uv(b, c[i]);
		}
}

void clab__digest_chunk(struct clab_wbuf *b, int partial)
{
	uint64_t unended = 0, held_at_end = 0, waiting_at_end = 0;
	for (uint32_t i = 0; i < dg.tcap; i++) {
		const struct clab__dg_thread *t = &dg.t[i];
		if (!t->tid || t->exited)
			continue;
		unended += t->tid != 1 && t->started;
		held_at_end += t->nlocks != 0;
		waiting_at_end += t->waiting;
	}
	clab_wbuf_u8(b, (partial || dg.nomem ? CLAB_DIGEST_PARTIAL : 0) |
			    (dg.unfollowed ? CLAB_DIGEST_UNFOLLOWED : 0));
	clab_wbuf_uv(b, dg.records);
	put_counts(b, clab__dg_kinds.count, CLAB_KIND_MAX);
	put_counts(b, dg.diags, 256);
	const uint64_t counts[CLAB_DIGEST_NCOUNTS] = {
	    dg.judged_waits,  dg.failed,      dg.waits_holding,
	    dg.self_requests, unended,	      dg.held_at_exit,
	    held_at_end,      waiting_at_end,
	};
	for (unsigned i = 0; i < CLAB_DIGEST_NCOUNTS; i++)
		clab_wbuf_uv(b, counts[i]);
	clab_wbuf_uv(b, dg.nedges);
	for (uint32_t i = 0; i < dg.ecap; i++)
		if (dg.ekeys[i]) {
			uint64_t key = dg.ekeys[i] - 1;
			clab_wbuf_uv(b, key >> 32);
			clab_wbuf_uv(b, key & UINT32_MAX);
		}
	uint32_t nw = dg.nwl;
	for (uint32_t i = 0; i < dg.tcap; i++)
		nw += dg.t[i].tid && dg.t[i].waited && !dg.t[i].exited;
	clab_wbuf_u8(b, dg.waits_unfollowed ? 0 : CLAB_DIGEST_WAITS_FOLLOWED);
	clab_wbuf_uv(b, dg.waits_ended);
	clab_wbuf_uv(b, dg.waits_short);
	clab_wbuf_uv(b, nw);
	for (uint32_t i = 0; i < dg.nwl; i++) {
		clab_wbuf_uv(b, dg.wl[i].tid);
		clab_wbuf_uv(b, dg.wl[i].ns);
		clab_wbuf_uv(b, dg.wl[i].obj);
	}
	for (uint32_t i = 0; i < dg.tcap; i++) {
		const struct clab__dg_thread *t = &dg.t[i];
		if (!t->tid || !t->waited || t->exited)
			continue;
		clab_wbuf_uv(b, t->tid - 1);
		clab_wbuf_uv(b, t->longest_ns);
		clab_wbuf_uv(b, t->longest_obj);
	}
}

void clab__digest_reset(void)
{
	for (uint32_t i = 0; i < dg.tcap; i++)
		free(dg.t[i].held);
	free(dg.t);
	free(dg.ekeys);
	free(dg.wl);
	memset(&dg, 0, sizeof(dg));
	memset(clab__dg_kinds.count, 0, sizeof(clab__dg_kinds.count));
}
