/*
 * The program's synchronisation objects, by address, to the conclab
 * objects that stand for them.
 *
 * An open-addressing table of entry pointers, read without a lock (the
 * path of every call, inlined from preload.h); entries are added under a
 * lock, and a full table
 * is copied into one twice its size, published for the readers that come
 * after.  A reader that misses in an old table looks again under the
 * lock.  Old tables and entries are kept (reachable) for the process's
 * life: a reader may still be looking at them.
 */
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "preload.h"

struct clab__pl_table *_Atomic clab__pl_objs;
static clab__lock_t lk;
_Thread_local struct clab__pl_memo clab__pl_memo[1u << CLAB__PL_MEMO_BITS]
    __attribute__((tls_model("initial-exec")));
_Alignas(64) _Atomic unsigned long clab__pl_moved;

/* Every memo made before this is stale (after the change it stands for). */
static void spoil_memos(void)
{
	atomic_fetch_add_explicit(&clab__pl_moved, 1, memory_order_release);
}

static void put(struct clab__pl_table *t, struct clab__pl_obj *e)
{
	size_t i = clab__pl_hash(e->key, t->cap);
	while (atomic_load_explicit(&t->slot[i], memory_order_relaxed))
		i = (i + 1) & (t->cap - 1);
	atomic_store_explicit(&t->slot[i], e, memory_order_release);
	t->n++;
}

static struct clab__pl_table *table_new(size_t cap)
{
	struct clab__pl_table *t =
	    calloc(1, sizeof(*t) + cap * sizeof(struct clab__pl_obj *));
	if (t)
		t->cap = cap;
	return t;
}

/* Room for one more entry (lk held); NULL when memory is short. */
static struct clab__pl_table *room(void)
{
	struct clab__pl_table *t =
	    atomic_load_explicit(&clab__pl_objs, memory_order_relaxed);
	if (t && (t->n + 1) * 2 <= t->cap)
		return t;
	struct clab__pl_table *nt = table_new(t ? t->cap * 2 : 4096);
	if (!nt)
		return NULL;
	for (size_t i = 0; t && i < t->cap; i++) {
		struct clab__pl_obj *e =
		    atomic_load_explicit(&t->slot[i], memory_order_relaxed);
		if (e)
			put(nt, e);
	}
	nt->older = t;
	atomic_store_explicit(&clab__pl_objs, nt, memory_order_release);
	return nt;
}

/*
 * Whether e's object is in use so that making it again is a misuse: a
 * mutex (or spin lock) held or waited for, a barrier that threads wait
 * at.  Its conclab kind goes in *okind, its id in *id.
 */
static int in_use(struct clab__pl_obj *e, unsigned *okind, uint32_t *id)
{
	int busy = 0;
	switch (e->kind) {
	case CLAB__PL_MUTEX:
	case CLAB__PL_SPIN:
		*okind = CLAB_O_MUTEX;
		*id = e->u.m.h.id;
		return atomic_load(&e->u.m.owner) != NULL ||
		       atomic_load(&e->u.m.waiters) != 0;
	case CLAB__PL_BARRIER:
		*okind = CLAB_O_BARRIER;
		*id = e->u.b.h.id;
		clab__lk_lock(&e->u.b.lk);
		busy = e->u.b.arrived != 0;
		clab__lk_unlock(&e->u.b.lk);
		return busy;
	}
	return 0;
}

/*
 * The object an entry stood for is replaced by another at its address
 * (made again without being destroyed, or memory used again): the old one
 * is destroyed if it can be, abandoned if it is busy.
 */
static void retire(struct clab__pl_obj *e, const struct clab_site *site)
{
	switch (e->kind) {
	case CLAB__PL_MUTEX:
	case CLAB__PL_SPIN:
		clab__mutex_destroy(&e->u.m, site);
		break;
	case CLAB__PL_COND:
		clab__cond_destroy(&e->u.c, site);
		break;
	case CLAB__PL_SEM:
		clab__sem_destroy(&e->u.s, site);
		break;
	case CLAB__PL_BARRIER:
		clab__barrier_destroy(&e->u.b, site);
		break;
	case CLAB__PL_RWLOCK:
		clab__rwlock_destroy(&e->u.rw, site);
		break;
	}
}

struct clab__pl_obj *clab__pl_obj_add(const void *key)
{
	clab__lk_lock(&lk);
	struct clab__pl_obj *e = clab__pl_probe(
	    atomic_load_explicit(&clab__pl_objs, memory_order_relaxed), key);
	if (!e) {
		struct clab__pl_table *t = room();
		e = t ? calloc(1, sizeof(*e)) : NULL;
		if (e) {
			e->key = key;
			put(t, e);
		}
	}
	clab__lk_unlock(&lk);
	return e;
}

/*
 * Entries being set up (BUSY), and a fork that waits for them.  A fork
 * copies only the thread that calls it: an entry that another thread had
 * taken to BUSY would stay BUSY in the child for good, and the child's
 * first use of that object would wait for it for ever, in a loop the
 * deadlock watchdog cannot see.  So a fork waits until no entry is BUSY,
 * and a thread that would take one to BUSY meanwhile waits for the fork
 * (clab__pl_fork_gate).  Setting one up takes no lock of the program's
 * and never waits for the forking thread.
 */
static _Atomic unsigned making;
static _Atomic unsigned forking; /* forks under way (threads may race) */

/* Before taking an entry to BUSY: counted, once no fork is under way. */
static void making_begin(void)
{
	for (;;) {
		while (atomic_load(&forking))
			sched_yield();
		atomic_fetch_add(&making, 1);
		/* seq_cst: the fork sees the count, or this the flag */
		if (!atomic_load(&forking))
			return;
		atomic_fetch_sub(&making, 1);
	}
}

static void making_end(void)
{
	atomic_fetch_sub(&making, 1);
}

/*
 * The wait is bounded (2 s): a thread that sets up an object does not
 * wait for the forking one, but one that is not running (stopped by a
 * debugger, or a thread that the controlled scheduler keeps waiting) must
 * not hold the fork back for ever; the fork then goes on as it did
 * before this gate.
 */
void clab__pl_fork_gate(int on)
{
	if (!on) {
		atomic_fetch_sub(&forking, 1);
		return;
	}
	atomic_fetch_add(&forking, 1);
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned i = 0; atomic_load(&making); i++) {
		if (i < 100) {
			sched_yield();
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec >= 2)
			break;
		nanosleep(&(struct timespec){0, 100000}, NULL);
	}
}

void clab__pl_fork_gate_child(void)
{
	/* only this thread was copied, and it was making nothing */
	atomic_store(&making, 0);
	atomic_store(&forking, 0);
}

int clab__pl_obj_claim(struct clab__pl_obj *e, unsigned kind,
		       const struct clab_site *site)
{
	for (;;) {
		int s = atomic_load_explicit(&e->state, memory_order_acquire);
		if (s == CLAB__PL_READY && e->kind == kind)
			return 0;
		if (s == CLAB__PL_BUSY) {
			sched_yield(); /* another thread sets it up */
			continue;
		}
		making_begin();
		if (!atomic_compare_exchange_weak(&e->state, &s,
						  CLAB__PL_BUSY)) {
			making_end();
			continue;
		}
		if (s == CLAB__PL_READY) {
			spoil_memos(); /* its object goes */
			retire(e, site);
		}
		e->shared = 0; /* its next object is conclab's, unless set */
		return 1;
	}
}

void clab__pl_obj_ready(struct clab__pl_obj *e, unsigned kind)
{
	e->kind = kind;
	atomic_store_explicit(&e->state, CLAB__PL_READY, memory_order_release);
	making_end();
}

void clab__pl_obj_release(struct clab__pl_obj *e)
{
	atomic_store_explicit(&e->state, CLAB__PL_NONE, memory_order_release);
	spoil_memos();
	making_end();
}

/* Put n in e's place in every table that holds e (lk held). */
static void replace(struct clab__pl_obj *e, struct clab__pl_obj *n)
{
	for (struct clab__pl_table *t =
		 atomic_load_explicit(&clab__pl_objs, memory_order_relaxed);
	     t; t = t->older)
		for (size_t i = clab__pl_hash(e->key, t->cap);;
		     i = (i + 1) & (t->cap - 1)) {
			struct clab__pl_obj *o = atomic_load_explicit(
			    &t->slot[i], memory_order_relaxed);
			if (!o)
				break;
			if (o == e) {
				atomic_store_explicit(&t->slot[i], n,
						      memory_order_release);
				break;
			}
		}
}

struct clab__pl_obj *clab__pl_obj_init(const void *key,
				       const struct clab_site *site)
{
	int made;
	return clab__pl_obj_again(key, site, NULL, &made);
}

struct clab__pl_obj *
clab__pl_obj_again(const void *key, const struct clab_site *site,
		   int (*stale)(const void *key, const struct clab__pl_obj *e),
		   int *made)
{
	struct clab__pl_obj *e = clab__pl_obj_find(key, 1);
	*made = 1;
	if (!e)
		return NULL;
	for (;;) {
		int s = atomic_load_explicit(&e->state, memory_order_acquire);
		if (s == CLAB__PL_BUSY) {
			sched_yield(); /* another thread sets it up */
			continue;
		}
		making_begin();
		if (!atomic_compare_exchange_weak(&e->state, &s,
						  CLAB__PL_BUSY)) {
			making_end();
			continue;
		}
		if (stale && s == CLAB__PL_READY && !stale(key, e)) {
			/* made again by another thread meanwhile */
			atomic_store_explicit(&e->state, CLAB__PL_READY,
					      memory_order_release);
			making_end();
			*made = 0;
			return e;
		}
		unsigned okind = 0;
		uint32_t id = 0;
		if (s != CLAB__PL_READY || !in_use(e, &okind, &id)) {
			if (s == CLAB__PL_READY) {
				spoil_memos(); /* its object goes */
				retire(e, site);
			}
			e->shared = 0; /* as clab__pl_obj_claim */
			return e;
		}
		/*
		 * Made again while in use: the C library gives the program a
		 * fresh object and 0.  The old one stays, abandoned, for the
		 * threads that hold or wait on it; a fresh entry takes its
		 * place for the calls that come.
		 */
		clab__diag(clab__self(), CLAB_D_BAD_OBJECT, id,
			   CLAB_BADOBJ_INIT_TWICE | okind << 8 | okind << 16,
			   site);
		struct clab__pl_obj *n = calloc(1, sizeof(*n));
		if (n) {
			n->key = key;
			n->replaced = e; /* reachable: its holders use it */
			atomic_init(&n->state, CLAB__PL_BUSY);
			clab__lk_lock(&lk);
			replace(e, n);
			clab__lk_unlock(&lk);
		}
		atomic_store_explicit(&e->state, CLAB__PL_READY,
				      memory_order_release);
		spoil_memos(); /* n, not e, stands for key now */
		if (!n)
			making_end(); /* nothing BUSY left to publish */
		return n;
	}
}

struct clab__pl_obj *clab__pl_mutex_lookup(const void *key, unsigned long moved)
{
	struct clab__pl_obj *e = clab__pl_obj_find(key, 0);
	if (!e ||
	    atomic_load_explicit(&e->state, memory_order_acquire) !=
		CLAB__PL_READY ||
	    e->kind != CLAB__PL_MUTEX)
		return NULL;
	*clab__pl_memo_of(key) = (struct clab__pl_memo){key, e, moved};
	return e;
}

void clab__pl_obj_each(void (*fn)(struct clab__pl_obj *))
{
	struct clab__pl_table *t =
	    atomic_load_explicit(&clab__pl_objs, memory_order_acquire);
	for (size_t i = 0; t && i < t->cap; i++) {
		struct clab__pl_obj *e =
		    atomic_load_explicit(&t->slot[i], memory_order_acquire);
		if (e && atomic_load(&e->state) == CLAB__PL_READY)
			fn(e);
	}
}

void clab__pl_objmap_lock(int on)
{
	if (on)
		clab__lk_lock(&lk);
	else
		clab__lk_drop(&lk);
}
