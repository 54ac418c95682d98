/*
 * Per-thread record buffers and the registry of threads and objects.
 *
 * A thread appends records to the current block of its own buffer and
 * publishes the count with a release store; the writer reads up to that
 * count.  When a block fills, the thread links a fresh one after it.  The
 * writer gives blocks back once it has written all their records.
 *
 * Blocks are mapped one by one when the free list is empty, and kept on it
 * once given back.  A thread's first block is faulted in page by page as
 * it fills (a short thread touches a page or two of it); the blocks after
 * it, which only a thread that records a lot asks for, are faulted in at
 * once (MAP_POPULATE), by one call rather than 8 faults.  So a thread that
 * records for hours reuses the same blocks, the most recently written first,
 * and never faults after its buffer has grown to what the writer's pace needs.
 * Blocks out plus blocks free never exceed the cap (the buffer option) and
 * one block for each live thread (the one it writes into, which the writer
 * cannot give back while the thread lives), so the memory for records is
 * bounded by them whatever the run's length.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <conclab/error.h>

#include "tracer-int.h"
#include "writer-int.h"

struct clab__reg clab__reg = {
    .lk = PTHREAD_MUTEX_INITIALIZER,
    .free_lk = PTHREAD_MUTEX_INITIALIZER,
    .room = PTHREAD_COND_INITIALIZER,
};

_Atomic unsigned clab__trace_gen;

/* A block fills its 8 pages: one more record would not fit. */
_Static_assert(sizeof(struct clab__block) <= 32768 &&
		   sizeof(struct clab__block) + sizeof(struct clab__rec) >
		       32768,
	       "a record block is 32 KiB");

/* A new block; populate: its pages faulted in now, by one call. */
static struct clab__block *block_map(int populate)
{
	void *p = mmap(
	    NULL, sizeof(struct clab__block), PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | (populate ? MAP_POPULATE : 0), -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static void block_unmap(struct clab__block *b)
{
	if (b)
		munmap(b, sizeof(*b));
}

static struct clab__block *block_new(int populate)
{
	struct clab__block *b = NULL;
	pthread_mutex_lock(&clab__reg.free_lk);
	if (clab__reg.freelist) {
		b = clab__reg.freelist;
		clab__reg.freelist =
		    atomic_load_explicit(&b->next, memory_order_relaxed);
		clab__reg.nfree--;
	}
	pthread_mutex_unlock(&clab__reg.free_lk);
	if (!b)
		b = block_map(populate);
	if (b) {
		atomic_store_explicit(&b->pos, 0, memory_order_relaxed);
		atomic_store_explicit(&b->next, NULL, memory_order_relaxed);
	}
	return b;
}

/* cap, and the live threads' current blocks when slack is their count. */
static inline size_t room_cap(size_t cap, _Atomic size_t *slack)
{
	return cap + (slack ? atomic_load(slack) : 0);
}

/*
 * Back on the free list, first in line (its pages are the warmest), unless
 * the blocks out and free already make the cap: after a thread went over
 * it (wait_for_room), or when the trace is closed.  The n blocks from
 * first are linked by next; one lock and one wakeup for them all.
 */
void clab__blocks_put(struct clab__block *first, unsigned n)
{
	struct clab__block *unmap = NULL;
	clab__lock(&clab__reg.lk);
	size_t out = atomic_fetch_sub(&clab__reg.blocks_out, n) - n;
	/* a rescue (the program ends): unmapped, free_lk never taken */
	int keep =
	    atomic_load(&clab__reg.open) && !atomic_load(&clab__writer_rescue);
	if (keep)
		pthread_mutex_lock(&clab__reg.free_lk);
	while (n--) {
		struct clab__block *b = first;
		first = atomic_load_explicit(&b->next, memory_order_relaxed);
		if (keep &&
		    out + clab__reg.nfree <
			room_cap(clab__reg.cap_blocks, &clab__reg.nlive)) {
			atomic_store_explicit(&b->next, clab__reg.freelist,
					      memory_order_relaxed);
			clab__reg.freelist = b;
			clab__reg.nfree++;
		} else {
			atomic_store_explicit(&b->next, unmap,
					      memory_order_relaxed);
			unmap = b;
		}
	}
	if (keep)
		pthread_mutex_unlock(&clab__reg.free_lk);
	if (clab__reg.room_waiters)
		pthread_cond_broadcast(&clab__reg.room);
	clab__unlock(&clab__reg.lk);
	while (unmap) {
		struct clab__block *b = unmap;
		unmap = atomic_load_explicit(&b->next, memory_order_relaxed);
		block_unmap(b);
	}
}

void clab__block_put(struct clab__block *b)
{
	clab__blocks_put(b, 1);
}

int clab__reg_full(void)
{
	return atomic_load(&clab__reg.blocks_out) >=
	       room_cap(atomic_load(&clab__reg.cap_blocks), &clab__reg.nlive);
}

/*
 * Wait until the writer has made room, until *count (the blocks out, or
 * the threads that ended and are not written) is below cap and *slack
 * (the live threads, whose current blocks the cap leaves out; or NULL);
 * returns 0 if the trace closed.
 * The waiting thread writes a pass itself when nobody else is writing
 * one; when the writer is writing one, it waits for that pass, and the
 * writer runs at normal priority meanwhile (clab__writer_boost), since a
 * thread at idle priority may not run for seconds on a busy machine.
 * The cap is there to keep a fast thread from running far ahead of the
 * writer, not to lose records: when the writer makes no room for a while
 * (it gets no CPU, or a pass takes that long), the thread goes over the
 * cap rather than wait for ever.
 */
static int wait_for_room(_Atomic size_t *count, size_t cap,
			 _Atomic size_t *slack)
{
	int stalled = 0, boosted = 0;
	unsigned idle_ms = 0;
	/* the common case, a block in every few hundred records: room */
	if (atomic_load(&clab__reg.open) &&
	    atomic_load(count) < room_cap(cap, slack))
		return 1;
	clab__lock(&clab__reg.lk);
	size_t last = atomic_load(count);
	while (atomic_load(&clab__reg.open) &&
	       atomic_load(count) >= room_cap(cap, slack) && idle_ms < 200) {
		if (!stalled) {
			atomic_fetch_add(&clab__reg.stalls, 1);
			stalled = 1;
		}
		clab__unlock(&clab__reg.lk);
		int helped = clab__writer_help();
		if (!helped && !boosted) {
			clab__writer_boost(1);
			boosted = 1;
		}
		if (!helped)
			clab__writer_kick();
		clab__lock(&clab__reg.lk);
		if (helped && atomic_load(count) < last) {
			last = atomic_load(count);
			idle_ms = 0;
			continue;
		}
		struct timespec ts;
		clab__ts_in_ms(&ts, CLOCK_REALTIME, 5);
		clab__reg.room_waiters++;
		pthread_cond_timedwait(&clab__reg.room, &clab__reg.lk, &ts);
		clab__reg.room_waiters--;
		size_t now = atomic_load(count);
		if (now < last) {
			last = now;
			idle_ms = 0;
		} else {
			idle_ms += 5;
		}
	}
	int open = atomic_load(&clab__reg.open);
	if (open && slack && atomic_load(count) >= room_cap(cap, slack))
		clab__reg.over_cap++; /* the writer made no room: go over */
	clab__unlock(&clab__reg.lk);
	if (boosted)
		clab__writer_boost(0);
	return open;
}

void clab__tbuf_grow(struct clab__tbuf *tb)
{
	/*
	 * A buffer whose trace is gone (or that never had one) keeps
	 * reusing its block: nobody reads it, and what it records is lost.
	 */
	if (tb->gen !=
		atomic_load_explicit(&clab__trace_gen, memory_order_acquire) ||
	    !atomic_load(&clab__reg.open) || tb->tid == UINT32_MAX) {
		atomic_fetch_add_explicit(&tb->drops, tb->pos,
					  memory_order_relaxed);
		tb->pos = 0;
		return;
	}
	struct clab__block *nb = NULL;
	if (wait_for_room(&clab__reg.blocks_out,
			  atomic_load(&clab__reg.cap_blocks),
			  &clab__reg.nlive)) {
		nb = block_new(1);
		if (nb)
			atomic_fetch_add(&clab__reg.blocks_out, 1);
	}
	if (!nb) {
		/* Out of memory or closing: keep going, count the loss. */
		atomic_fetch_add_explicit(&tb->drops, CLAB__BLOCK_RECS,
					  memory_order_relaxed);
		tb->gen = 0; /* from now on reuse in place (see above) */
		nb = block_new(0);
		if (!nb) {
			tb->pos = 0;
			return;
		}
		/* The old block may still be read by the writer: a new one
		 * that nobody links to takes the records from here on. */
		tb->cur = nb;
		tb->pos = 0;
		return;
	}
	atomic_store_explicit(&tb->cur->next, nb, memory_order_release);
	tb->cur = nb;
	tb->pos = 0;
}

struct clab__objdef *clab__objdef_at(uint32_t oid)
{
	struct clab__reg *r = &clab__reg;
	if (oid < 1 || oid > r->nobjs)
		return NULL;
	struct clab__objpage *pg = r->opages[(oid - 1) / CLAB__OBJ_PAGE];
	if (!pg)
		return NULL;
	struct clab__objdef *d = &pg->d[(oid - 1) % CLAB__OBJ_PAGE];
	return d->oid ? d : NULL;
}

void clab__obj_drop_locked(uint32_t oid)
{
	struct clab__reg *r = &clab__reg;
	struct clab__objdef *d = clab__objdef_at(oid);
	if (!d)
		return;
	uint32_t i = (oid - 1) / CLAB__OBJ_PAGE;
	free(d->name);
	d->name = NULL;
	d->oid = 0; /* dropped */
	if (++r->opages[i]->ndropped == CLAB__OBJ_PAGE) {
		free(r->opages[i]);
		r->opages[i] = NULL;
	}
}

/* Free the object table (under clab__reg.lk). */
static void objs_free_locked(void)
{
	struct clab__reg *r = &clab__reg;
	uint32_t npages = (r->nobjs + CLAB__OBJ_PAGE - 1) / CLAB__OBJ_PAGE;
	for (uint32_t i = 0; i < npages; i++) {
		struct clab__objpage *pg = r->opages[i];
		uint32_t n = r->nobjs - i * CLAB__OBJ_PAGE;
		for (uint32_t k = 0; pg && k < n && k < CLAB__OBJ_PAGE; k++)
			free(pg->d[k].name);
		free(pg);
	}
	free(r->opages);
	r->opages = NULL;
	r->nobjs = r->npages_cap = 0;
}

static uint32_t obj_add_locked(unsigned kind, const char *name,
			       const struct clab_site *site, uint32_t tid,
			       unsigned flags, uint32_t param)
{
	struct clab__reg *r = &clab__reg;
	uint32_t i = r->nobjs / CLAB__OBJ_PAGE, k = r->nobjs % CLAB__OBJ_PAGE;
	if (k == 0) {
		if (CLAB__GROW(r->opages, i, r->npages_cap) < 0)
			return 0;
		r->opages[i] = malloc(sizeof(*r->opages[i]));
		if (!r->opages[i])
			return 0;
		r->opages[i]->ndropped = 0;
	}
	char *copy = strdup(name ? name : "");
	if (!copy) {
		if (k == 0) {
			free(r->opages[i]);
			r->opages[i] = NULL;
		}
		return 0;
	}
	struct clab__objdef *d = &r->opages[i]->d[k];
	d->oid = ++r->nobjs;
	d->kind = (uint8_t)kind;
	d->flags = (uint8_t)flags;
	d->param = param;
	d->tid = tid;
	d->site = site;
	d->name = copy;
	return d->oid;
}

uint32_t clab__obj_new(unsigned objkind, const char *name,
		       const struct clab_site *site, uint32_t tid,
		       unsigned flags, uint32_t param)
{
	uint32_t id = 0;
	clab__lock(&clab__reg.lk);
	if (atomic_load(&clab__reg.open))
		id = obj_add_locked(objkind, name, site, tid, flags, param);
	clab__unlock(&clab__reg.lk);
	return id;
}

char *clab__obj_name_dup(uint32_t oid)
{
	char *n = NULL;
	clab__lock(&clab__reg.lk);
	const struct clab__objdef *d = clab__objdef_at(oid);
	if (d)
		n = strdup(d->name);
	clab__unlock(&clab__reg.lk);
	return n;
}

unsigned clab__obj_kind(uint32_t oid)
{
	unsigned k = 0;
	clab__lock(&clab__reg.lk);
	const struct clab__objdef *d =
	    atomic_load(&clab__reg.open) ? clab__objdef_at(oid) : NULL;
	if (d)
		k = d->kind;
	clab__unlock(&clab__reg.lk);
	return k;
}

int clab__tbuf_rename(struct clab__tbuf *tb, const char *name)
{
	char *s = strdup(name), *os = strdup(name);
	if (!s || !os) {
		free(s);
		free(os);
		return CLAB_ENOMEM;
	}
	clab__lock(&clab__reg.lk);
	if (tb->tid == UINT32_MAX || !tb->name || strcmp(tb->name, name) == 0) {
		/* a buffer of no trace, or the name it has: nothing to do */
		clab__unlock(&clab__reg.lk);
		free(s);
		free(os);
		return 0;
	}
	/* every reader of a name copies it under this lock */
	free(tb->name);
	tb->name = s;
	struct clab__objdef *d = clab__objdef_at(tb->oid);
	if (d) {
		free(d->name);
		d->name = os;
		os = NULL;
	}
	if (!tb->renamed)
		clab__reg.nrenamed++;
	tb->renamed = 1;
	clab__unlock(&clab__reg.lk);
	free(os);
	return 0;
}

void clab__tbuf_name(const struct clab__tbuf *tb, char *buf, size_t len)
{
	clab__lock(&clab__reg.lk);
	snprintf(buf, len, "%s", tb && tb->name ? tb->name : "?");
	clab__unlock(&clab__reg.lk);
}

struct clab__tbuf *clab__tbuf_new(const char *name, uint32_t parent)
{
	struct clab__tbuf *tb =
	    aligned_alloc(_Alignof(struct clab__tbuf), sizeof(*tb));
	if (!tb)
		return NULL;
	memset(tb, 0, sizeof(*tb));
	tb->last_tick = UINT32_MAX; /* the first fast record is stamped */
	/*
	 * A program that starts threads faster than the writer writes those
	 * that ended (it runs at idle priority) writes a pass itself once
	 * there are an eighth of the cap of them, unless a pass is under way;
	 * with as many as the cap, it waits for the writer until half are
	 * written (as wait_for_room does, 200 ms at most without progress).
	 * Their blocks, first pages and buffers would otherwise pile up for as
	 * long as the writer does not run.  Only ended threads count, which a
	 * pass always writes: live threads' blocks never hold a new one up.
	 */
	size_t cap = atomic_load(&clab__reg.cap_blocks),
	       nended = atomic_load(&clab__reg.nended);
	if (nended >= cap)
		wait_for_room(&clab__reg.nended, cap / 2, NULL);
	else if (nended >= cap / 8)
		clab__writer_help();
	tb->cur = block_new(0);
	if (!tb->cur) {
		free(tb);
		return NULL;
	}
	clab__lock(&clab__reg.lk);
	if (!atomic_load(&clab__reg.open)) {
		/* No trace: a private buffer that records nowhere. */
		tb->tid = UINT32_MAX;
		tb->next = clab__reg.orphans;
		clab__reg.orphans = tb;
		clab__unlock(&clab__reg.lk);
		tb->name = NULL;
		return tb;
	}
	uint32_t tid = clab__reg.nthreads;
	char gen_name[32];
	if (!name) {
		if (tid == 0)
			name = "main";
		else {
			snprintf(gen_name, sizeof(gen_name), "thread-%u", tid);
			name = gen_name;
		}
	}
	tb->name = strdup(name);
	uint32_t oid =
	    tb->name ? obj_add_locked(CLAB_O_THREAD, name, NULL, parent, 0, tid)
		     : 0;
	if (!oid) {
		clab__unlock(&clab__reg.lk);
		free(tb->name);
		block_unmap(tb->cur);
		free(tb);
		return NULL;
	}
	clab__reg.nthreads++;
	atomic_fetch_add(&clab__reg.blocks_out, 1);
	atomic_fetch_add(&clab__reg.nlive, 1);
	tb->tid = tid;
	tb->oid = oid;
	tb->parent = tid == 0 ? 0 : parent;
	tb->gen = atomic_load(&clab__trace_gen);
	tb->wblk = tb->cur;
	tb->wpos = 0;
	*clab__reg.tail = tb;
	clab__reg.tail = &tb->next;
	clab__unlock(&clab__reg.lk);
	return tb;
}

void clab__tbuf_exit(struct clab__tbuf *tb)
{
	if (!tb || atomic_load(&tb->exited))
		return;
	if (clab__pend_on(tb)) /* the owner ends: nothing comes after it */
		clab__pend_flush(tb);
	/* counted before the writer can see it ended */
	if (tb->tid != UINT32_MAX && atomic_load(&clab__reg.open) &&
	    tb->gen == atomic_load(&clab__trace_gen)) {
		atomic_store(&tb->unwritten, 1);
		atomic_fetch_add(&clab__reg.nended, 1);
		atomic_fetch_sub(&clab__reg.nlive, 1);
	}
	atomic_store_explicit(&tb->exited, 1, memory_order_release);
}

void clab__tbuf_written(struct clab__tbuf *tb)
{
	clab__block_put(tb->wblk);
	tb->wblk = NULL;
	if (atomic_exchange(&tb->unwritten, 0))
		atomic_fetch_sub(&clab__reg.nended, 1);
}

void clab__tbuf_retire(struct clab__tbuf *tb)
{
	if (tb)
		atomic_store_explicit(&tb->retire, 1, memory_order_release);
}

void clab__reg_reset(size_t cap_blocks)
{
	clab__lock(&clab__reg.lk);
	clab__reg.threads = NULL;
	clab__reg.tail = &clab__reg.threads;
	clab__reg.nthreads = 0;
	atomic_store(&clab__reg.nended, 0);
	atomic_store(&clab__reg.nlive, 0);
	objs_free_locked();
	clab__reg.retired_drops = 0;
	clab__reg.nretired = 0;
	clab__reg.main_tb = NULL;
	clab__reg.cap_blocks = cap_blocks < 4 ? 4 : cap_blocks;
	clab__reg.over_cap = 0;
	atomic_store(&clab__reg.stalls, 0);
	atomic_fetch_add(&clab__trace_gen, 1);
	atomic_store(&clab__reg.open, 1);
	clab__unlock(&clab__reg.lk);
}

/*
 * Free what the closed trace kept.  Buffers of threads still running are
 * kept (their thread may still write into the current block) on the
 * orphan list, reachable, until the process ends.
 */
void clab__reg_release(void)
{
	clab__lock(&clab__reg.lk);
	atomic_store(&clab__reg.open, 0);
	if (clab__reg.main_tb) /* never claimed: nobody writes into it */
		atomic_store(&clab__reg.main_tb->exited, 1);
	clab__reg.main_tb = NULL;
	pthread_cond_broadcast(&clab__reg.room);
	struct clab__tbuf *tb = clab__reg.threads, *next;
	for (; tb; tb = next) {
		next = tb->next;
		if (!atomic_load_explicit(&tb->exited, memory_order_acquire)) {
			tb->next = clab__reg.orphans;
			clab__reg.orphans = tb;
			continue;
		}
		struct clab__block *b = tb->wblk, *bn;
		for (; b; b = bn) {
			bn = atomic_load(&b->next);
			block_unmap(b);
			atomic_fetch_sub(&clab__reg.blocks_out, 1);
		}
		free(tb->name);
		free(tb);
	}
	clab__reg.threads = NULL;
	clab__reg.tail = &clab__reg.threads;
	objs_free_locked();
	pthread_mutex_lock(&clab__reg.free_lk);
	while (clab__reg.freelist) {
		struct clab__block *b = clab__reg.freelist;
		clab__reg.freelist = atomic_load(&b->next);
		block_unmap(b);
	}
	clab__reg.nfree = 0;
	pthread_mutex_unlock(&clab__reg.free_lk);
	clab__unlock(&clab__reg.lk);
}

/* Free the blocks of tb from its writer's cursor up to stop (excluded). */
static void free_blocks(struct clab__tbuf *tb, const struct clab__block *stop)
{
	struct clab__block *b = tb->wblk, *bn;
	for (; b && b != stop; b = bn) {
		bn = atomic_load(&b->next);
		block_unmap(b);
	}
	tb->wblk = NULL;
}

void clab__reg_fork_child(struct clab__tbuf *tb)
{
	struct clab__reg *r = &clab__reg;
	struct clab__tbuf *t = r->threads, *next;
	r->main_tb = NULL; /* in the list below when unclaimed */
	for (; t; t = next) {
		next = t->next;
		if (t == tb)
			continue;
		free_blocks(t, NULL);
		t->cur = NULL;
		atomic_store(&t->exited, 1);
		t->next = r->orphans;
		r->orphans = t;
	}
	r->threads = NULL;
	r->tail = &r->threads;
	r->nthreads = 0;
	atomic_store(&r->nended, 0);
	atomic_store(&r->nlive, 0);
	r->nretired = 0;
	r->retired_drops = 0;
	atomic_store(&r->stalls, 0);
	atomic_store(&r->blocks_out, 0);
	r->opener = pthread_self();
	if (!tb || tb->tid == UINT32_MAX || !atomic_load(&r->open))
		return;
	/* what tb published up to here is the parent's */
	if (tb->wblk) {
		free_blocks(tb, tb->cur);
		tb->wblk = tb->cur;
		tb->wpos = tb->pos;
	}
	tb->tid = 0;
	tb->parent = 0;
	tb->written = 0;
	tb->holds = 0;
	tb->wheld = 0;
	tb->wpending = 0;
	tb->wlast_ns = 0;
	tb->wdense = 0;
	atomic_store(&tb->drops, 0);
	tb->next = NULL;
	*r->tail = tb;
	r->tail = &tb->next;
	r->nthreads = 1;
	atomic_store(&r->blocks_out, 1);
	atomic_store(&r->nlive, 1);
}

void clab__reg_open_main(void)
{
	struct clab__tbuf *tb = clab__tbuf_new("main", 0);
	clab__lock(&clab__reg.lk);
	clab__reg.main_tb = tb;
	clab__reg.opener = pthread_self();
	clab__unlock(&clab__reg.lk);
}

struct clab__tbuf *clab__tbuf_claim_main(void)
{
	struct clab__tbuf *tb = NULL;
	clab__lock(&clab__reg.lk);
	if (clab__reg.main_tb &&
	    pthread_equal(clab__reg.opener, pthread_self())) {
		tb = clab__reg.main_tb;
		clab__reg.main_tb = NULL;
	}
	clab__unlock(&clab__reg.lk);
	return tb;
}
