/*
 * Call stacks (conclab run --stacks): capture with libunwind, intern.
 *
 * When stacks are on, the runtime calls clab__stack_capture() on its slow
 * paths and for lock records; the return addresses go into a process-wide
 * table of unique stacks and the record keeps the stack's id in its 16-bit
 * pad field.  A lookup of a known stack takes no lock: slots of an open
 * addressing table hold ids, entries are immutable once published, and
 * both are published with release stores.  New stacks are added under a
 * mutex.  The table never shrinks (so a thread still running after its
 * trace was closed can never see an entry go away); at most CLAB__STACKS_MAX
 * stacks are kept, a capture beyond that gets id 0 and is counted.
 *
 * The writer turns process ids into dense per-trace ids and symbolises the
 * addresses (symbols.c); nothing here knows about symbols.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_THREAD__)
#define CLAB_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CLAB_TSAN 1
#endif
#endif

/*
 * Under ThreadSanitizer, libunwind's unw_backtrace cannot be used by a
 * thread that later exits: it keeps a per-thread cache whose destructor
 * re-arms itself to run in the last round of thread-specific destructors
 * (as TSan's own does) and then takes a mutex after TSan has finished the
 * thread, which crashes inside TSan (any caching policy).  TSan builds take
 * the return addresses from glibc's backtrace() (libgcc's unwinder, about
 * as fast, no such destructor) instead; every other build uses libunwind.
 */
#ifdef CLAB_TSAN
#include <execinfo.h>
#define capture_pcs(pc, n) backtrace((pc), (n))
#else
#define UNW_LOCAL_ONLY
#include <libunwind.h>
#define capture_pcs(pc, n) unw_backtrace((pc), (n))
#endif

#include "tracer-int.h"

#define SLOTS (1u << 17) /* twice the cap: probes stay short */
#define PROBES 64

struct entry {
	uint64_t hash;
	uint32_t n;
	uintptr_t pc[];
};

_Atomic int clab__stacks_on;

static _Atomic uint32_t slots[SLOTS];
static struct entry *_Atomic entries[CLAB__STACKS_MAX + 1];
static _Atomic uint32_t nentries;
static _Atomic uint64_t lost;
static pthread_mutex_t add_lk = PTHREAD_MUTEX_INITIALIZER;

void clab__stacks_set(int on)
{
	atomic_store(&clab__stacks_on, on != 0);
}

static uint64_t hash_pcs(void *const *pc, int n)
{
	uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)n;
	for (int i = 0; i < n; i++) {
		h ^= (uint64_t)(uintptr_t)pc[i];
		h *= 0x100000001b3ull;
		h ^= h >> 29;
	}
	return h;
}

static int same(const struct entry *e, uint64_t h, void *const *pc, int n)
{
	if (e->hash != h || e->n != (uint32_t)n)
		return 0;
	for (int i = 0; i < n; i++)
		if (e->pc[i] != (uintptr_t)pc[i])
			return 0;
	return 1;
}

/* Probe for pc[0..n); returns its id, or 0 with *slot the first free one. */
static uint32_t lookup(uint64_t h, void *const *pc, int n, uint32_t *slot)
{
	for (uint32_t i = 0; i < PROBES; i++) {
		uint32_t j = (uint32_t)(h + i) & (SLOTS - 1);
		uint32_t id =
		    atomic_load_explicit(&slots[j], memory_order_acquire);
		if (id == 0) {
			*slot = j;
			return 0;
		}
		const struct entry *e =
		    atomic_load_explicit(&entries[id], memory_order_acquire);
		if (same(e, h, pc, n))
			return id;
	}
	*slot = UINT32_MAX;
	return 0;
}

static uint16_t add(uint64_t h, void *const *pc, int n)
{
	uint32_t slot, id;
	pthread_mutex_lock(&add_lk);
	id = lookup(h, pc, n, &slot); /* someone may have added it */
	if (id == 0) {
		uint32_t k =
		    atomic_load_explicit(&nentries, memory_order_relaxed);
		struct entry *e =
		    slot == UINT32_MAX || k >= CLAB__STACKS_MAX
			? NULL
			: malloc(sizeof(*e) + (size_t)n * sizeof(e->pc[0]));
		if (e) {
			e->hash = h;
			e->n = (uint32_t)n;
			for (int i = 0; i < n; i++)
				e->pc[i] = (uintptr_t)pc[i];
			id = k + 1;
			atomic_store_explicit(&entries[id], e,
					      memory_order_release);
			atomic_store_explicit(&nentries, id,
					      memory_order_relaxed);
			atomic_store_explicit(&slots[slot], id,
					      memory_order_release);
		}
	}
	pthread_mutex_unlock(&add_lk);
	if (id == 0)
		atomic_fetch_add_explicit(&lost, 1, memory_order_relaxed);
	return (uint16_t)id;
}

__attribute__((noinline)) uint16_t clab__stack_capture(void)
{
	void *pc[CLAB__STACK_FRAMES + 1];
	int n = capture_pcs(pc, CLAB__STACK_FRAMES + 1);
	/* pc[0] is in this function: leave it out */
	if (n <= 1) {
		atomic_fetch_add_explicit(&lost, 1, memory_order_relaxed);
		return 0;
	}
	n--;
	uint64_t h = hash_pcs(pc + 1, n);
	uint32_t slot;
	uint32_t id = lookup(h, pc + 1, n, &slot);
	return id ? (uint16_t)id : add(h, pc + 1, n);
}

const uintptr_t *clab__stack_pcs(uint16_t id, uint32_t *n)
{
	const struct entry *e =
	    id ? atomic_load_explicit(&entries[id], memory_order_acquire)
	       : NULL;
	*n = e ? e->n : 0;
	return e ? e->pc : NULL;
}

uint64_t clab__stacks_lost(void)
{
	return atomic_load_explicit(&lost, memory_order_relaxed);
}

void clab__stacks_lock(int on)
{
	if (on)
		pthread_mutex_lock(&add_lk);
	else
		pthread_mutex_unlock(&add_lk);
}
