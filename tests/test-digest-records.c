/*
 * The digest the writer keeps (tracer/digest.c), fed records directly:
 * what its chunk says of locks taken in both orders across chunks, of a
 * lock given back by another thread, of a thread that holds more locks
 * than it first has room for or than it follows, of relocks, of a wait
 * that a take ends and of edges past the most it keeps; that the fast
 * path of the common records says byte for byte what the general path
 * says, on random streams; and that a second trace in the same process
 * gets the same digest as the first.
 */
#include <stdlib.h>
#include <string.h>

#include <conclab/kinds.h>

#include "digest.h"
#include "format.h"
#include "reader-int.h"
#include "testutil.h"

/* Records to feed, and their times (a thread's times only grow). */
struct feed {
	struct clab__rec *r;
	size_t n, cap;
};

static void rec(struct feed *f, unsigned kind, uint32_t obj, unsigned a8,
		uint32_t a32)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 64;
		f->r = realloc(f->r, f->cap * sizeof(*f->r));
		CU_ASSERT_PTR_NOT_NULL_FATAL(f->r);
	}
	f->r[f->n++] = (struct clab__rec){.kind = (uint8_t)kind,
					  .a8 = (uint8_t)a8,
					  .a32 = a32,
					  .u.o.obj = obj};
}

static void take(struct feed *f, uint32_t obj)
{
	rec(f, CLAB_K_MUTEX_ACQUIRE, obj, CLAB_HOW_BLOCK, 1);
}

static void give(struct feed *f, uint32_t obj)
{
	rec(f, CLAB_K_MUTEX_RELEASE, obj, CLAB_HOW_BLOCK, 0);
}

/* f's records [from, from + n) as thread tid's next chunk. */
static void chunk_of(uint32_t tid, const struct feed *f, size_t from, size_t n)
{
	const struct clab__rec **p = malloc((n ? n : 1) * sizeof(*p));
	uint64_t *ns = malloc((n ? n : 1) * sizeof(*ns));
	CU_ASSERT_FATAL(p && ns);
	for (size_t i = 0; i < n; i++) {
		p[i] = &f->r[from + i];
		ns[i] = 1000 * (from + i + 1);
	}
	clab__digest_records(tid, p, ns, (uint32_t)n);
	free(p);
	free(ns);
}

/* All of f as thread tid's chunks of at most per records. */
static void feed_all(uint32_t tid, const struct feed *f, size_t per)
{
	for (size_t i = 0; i < f->n; i += per)
		chunk_of(tid, f, i, f->n - i < per ? f->n - i : per);
}

/* The digest's chunk as the reader reads it (NULL: malformed). */
static struct clab__digest *digest_of(struct clab_wbuf *b)
{
	b->len = 0;
	clab__digest_chunk(b, 0);
	struct clab_trace *tr = calloc(1, sizeof(*tr));
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	struct clab_rbuf rb = {b->p, b->p + b->len, 0};
	clab__trace_parse_digest(tr, &rb);
	struct clab__digest *d = tr->digest;
	free(tr);
	return d;
}

/* All of f as thread tid's next chunk, and the digest's chunk after it. */
static struct clab__digest *digest_after(uint32_t tid, const struct feed *f,
					 struct clab_wbuf *b)
{
	chunk_of(tid, f, 0, f->n);
	struct clab__digest *d = digest_of(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	return d;
}

static int has_edge(const struct clab__digest *d, uint32_t from, uint32_t to)
{
	for (uint32_t i = 0; i < d->nedges; i++)
		if (d->edges[2 * i] == from && d->edges[2 * i + 1] == to)
			return 1;
	return 0;
}

/*
 * A nested pair taken often in one order, then in the other in a later
 * chunk: the second order's edge is new, whatever the fast path has seen.
 * ids below and above the bit matrix's 128, and one of each.
 */
static void test_both_orders(void)
{
	static const uint32_t pairs[][2] = {{2, 3}, {1000, 1001}, {5, 700}};
	for (size_t k = 0; k < sizeof(pairs) / sizeof(pairs[0]); k++) {
		uint32_t a = pairs[k][0], b = pairs[k][1];
		struct feed f = {0};
		for (int i = 0; i < 100; i++) {
			take(&f, a);
			take(&f, b);
			give(&f, b);
			give(&f, a);
		}
		size_t first = f.n;
		take(&f, b);
		take(&f, a);
		give(&f, a);
		give(&f, b);
		clab__digest_reset();
		chunk_of(0, &f, 0, first);
		struct clab_wbuf w = {0};
		struct clab__digest *d = digest_of(&w);
		CU_ASSERT_PTR_NOT_NULL_FATAL(d);
		CU_ASSERT_EQUAL(d->nedges, 1);
		CU_ASSERT(has_edge(d, a, b));
		clab__digest_free(d);
		chunk_of(0, &f, first, f.n - first);
		d = digest_of(&w);
		CU_ASSERT_PTR_NOT_NULL_FATAL(d);
		CU_ASSERT_EQUAL(d->nedges, 2);
		CU_ASSERT(has_edge(d, a, b) && has_edge(d, b, a));
		CU_ASSERT_EQUAL(d->counts[CLAB_DG_HELD_AT_END], 0);
		CU_ASSERT_EQUAL(d->records, 404);
		CU_ASSERT_EQUAL(d->kinds[CLAB_K_MUTEX_ACQUIRE], 202);
		CU_ASSERT_EQUAL(d->kinds[CLAB_K_MUTEX_RELEASE], 202);
		clab__digest_free(d);
		clab_wbuf_free(&w);
		free(f.r);
	}
}

/*
 * Thread 1 takes m; thread 2 gives it back (a misuse the digest does not
 * judge: it follows each thread's own records); thread 1 still holds m
 * for the digest, so its next lock is an edge m -> n, and it holds both
 * at the end.  Thread 2's give of a lock it does not hold changes nothing.
 */
static void test_given_by_another(void)
{
	struct feed f1 = {0}, f2 = {0};
	take(&f1, 2);
	give(&f2, 2);
	size_t mid = f1.n;
	take(&f1, 3);
	give(&f1, 3);
	clab__digest_reset();
	chunk_of(1, &f1, 0, mid);
	chunk_of(2, &f2, 0, f2.n);
	chunk_of(1, &f1, mid, f1.n - mid);
	struct clab_wbuf w = {0};
	struct clab__digest *d = digest_of(&w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->nedges, 1);
	CU_ASSERT(has_edge(d, 2, 3));
	CU_ASSERT_EQUAL(d->counts[CLAB_DG_HELD_AT_END], 1);
	clab__digest_free(d);
	clab_wbuf_free(&w);
	free(f1.r);
	free(f2.r);
}

/*
 * A thread that takes more locks, nested, than its held array first has
 * room for (8), all given back out of order: every pair is an edge; then
 * more than the digest follows (64): it says it could not follow them.
 */
static void test_many_held(void)
{
	for (int big = 0; big < 2; big++) {
		uint32_t base = big ? 4000 : 2;
		struct feed f = {0};
		for (int rep = 0; rep < 3; rep++) {
			for (uint32_t i = 0; i < 20; i++)
				take(&f, base + i);
			for (uint32_t i = 0; i < 20; i += 2) /* outer first */
				give(&f, base + i);
			for (uint32_t i = 20; i-- > 0;)
				if (i % 2)
					give(&f, base + i);
		}
		clab__digest_reset();
		feed_all(0, &f, 7);
		struct clab_wbuf w = {0};
		struct clab__digest *d = digest_of(&w);
		CU_ASSERT_PTR_NOT_NULL_FATAL(d);
		CU_ASSERT_EQUAL(d->nedges, 20 * 19 / 2);
		CU_ASSERT(has_edge(d, base, base + 19));
		CU_ASSERT(has_edge(d, base + 18, base + 19));
		CU_ASSERT(!has_edge(d, base + 19, base));
		CU_ASSERT_EQUAL(d->counts[CLAB_DG_HELD_AT_END], 0);
		CU_ASSERT_EQUAL(d->flags & CLAB_DIGEST_UNFOLLOWED, 0);
		clab__digest_free(d);
		size_t more = f.n;
		for (uint32_t i = 0; i <= CLAB_DIGEST_HELD_MAX; i++)
			take(&f, base + 100 + i);
		chunk_of(0, &f, more, f.n - more);
		d = digest_of(&w);
		CU_ASSERT_PTR_NOT_NULL_FATAL(d);
		CU_ASSERT_NOT_EQUAL(d->flags & CLAB_DIGEST_UNFOLLOWED, 0);
		clab__digest_free(d);
		clab_wbuf_free(&w);
		free(f.r);
	}
}

/*
 * A semaphore's permit held is not a lock held: a thread that holds one
 * and takes and gives mutexes holds no lock at its end, nor at the close;
 * but its mutexes are edges from the permit.
 */
static void test_permit_held(void)
{
	struct feed f = {0};
	rec(&f, CLAB_K_SEM_ACQUIRE, 9, CLAB_HOW_BLOCK, 0);
	for (int i = 0; i < 10; i++) {
		take(&f, 2);
		give(&f, 2);
	}
	clab__digest_reset();
	feed_all(1, &f, 5);
	struct clab_wbuf w = {0};
	struct clab__digest *d = digest_of(&w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->counts[CLAB_DG_HELD_AT_END], 0);
	CU_ASSERT_EQUAL(d->nedges, 1);
	CU_ASSERT(has_edge(d, 9, 2));
	clab__digest_free(d);
	f.n = 0;
	take(&f, 2);
	give(&f, 2);
	rec(&f, CLAB_K_THREAD_EXIT, 1, 0, 0);
	chunk_of(1, &f, 0, f.n);
	d = digest_of(&w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->counts[CLAB_DG_HELD_AT_EXIT], 0);
	clab__digest_free(d);
	clab_wbuf_free(&w);
	free(f.r);
}

/*
 * A recursive mutex taken again (depth 2) and given back once (depth 1
 * left) is neither an edge nor a request of a lock held; given back
 * again, the thread holds nothing.  A normal mutex asked for while held
 * is such a request.
 */
static void test_relock(void)
{
	struct feed f = {0};
	take(&f, 2);
	rec(&f, CLAB_K_MUTEX_ACQUIRE, 2, CLAB_HOW_BLOCK, 2);
	take(&f, 3);
	give(&f, 3);
	rec(&f, CLAB_K_MUTEX_RELEASE, 2, CLAB_HOW_BLOCK, 1);
	give(&f, 2);
	clab__digest_reset();
	struct clab_wbuf w = {0};
	struct clab__digest *d = digest_after(0, &f, &w);
	CU_ASSERT_EQUAL(d->nedges, 1);
	CU_ASSERT(has_edge(d, 2, 3));
	CU_ASSERT_EQUAL(d->counts[CLAB_DG_SELF_REQUESTS], 0);
	CU_ASSERT_EQUAL(d->counts[CLAB_DG_HELD_AT_END], 0);
	clab__digest_free(d);
	f.n = 0;
	take(&f, 2);
	take(&f, 2);
	d = digest_after(0, &f, &w);
	CU_ASSERT_EQUAL(d->counts[CLAB_DG_SELF_REQUESTS], 1);
	CU_ASSERT_EQUAL(d->counts[CLAB_DG_HELD_AT_END], 1);
	clab__digest_free(d);
	clab_wbuf_free(&w);
	free(f.r);
}

/*
 * A thread that asked for a lock waits for it until it takes it, however
 * common the take (its first lock, in room it has had since an earlier
 * one): the take goes down the general path, which ends the wait; a
 * fast path that took it would leave the thread waiting at the close.
 * Then a take while holding one, after a request: the edge, and the
 * wait's end too.
 */
static void test_wait_ends(void)
{
	struct feed f = {0};
	take(&f, 2);
	give(&f, 2);
	rec(&f, CLAB_K_MUTEX_REQUEST, 2, CLAB_HOW_BLOCK, 0);
	take(&f, 2);
	give(&f, 2);
	clab__digest_reset();
	struct clab_wbuf w = {0};
	struct clab__digest *d = digest_after(1, &f, &w);
	CU_ASSERT_EQUAL(d->counts[CLAB_DG_JUDGED_WAITS], 1);
	CU_ASSERT_EQUAL(d->waits_ended, 1);
	CU_ASSERT_EQUAL(d->counts[CLAB_DG_WAITING_AT_END], 0);
	clab__digest_free(d);
	f.n = 0;
	take(&f, 3);
	rec(&f, CLAB_K_MUTEX_REQUEST, 2, CLAB_HOW_BLOCK, 0);
	take(&f, 2);
	give(&f, 2);
	give(&f, 3);
	d = digest_after(1, &f, &w);
	CU_ASSERT_EQUAL(d->counts[CLAB_DG_JUDGED_WAITS], 2);
	CU_ASSERT_EQUAL(d->waits_ended, 2);
	CU_ASSERT_EQUAL(d->counts[CLAB_DG_WAITING_AT_END], 0);
	CU_ASSERT_EQUAL(d->counts[CLAB_DG_HELD_AT_END], 0);
	CU_ASSERT(d->nedges == 1 && has_edge(d, 3, 2));
	clab__digest_free(d);
	clab_wbuf_free(&w);
	free(f.r);
}

/*
 * Edges up to the most the digest keeps, then a pair whose edge it has:
 * past the most, it no longer follows the locks, as it did before it had
 * a fast path for known edges.
 */
static void test_edges_max(void)
{
	struct clab_wbuf w[2] = {{0}, {0}};
	for (int slow = 0; slow < 2; slow++) {
		clab__digest_fastpath = !slow;
		clab__digest_reset();
		struct feed f = {0};
		for (uint32_t a = 0; a < 1024; a++) {
			f.n = 0;
			take(&f, 10000 + a);
			for (uint32_t b = 0; b < 1024; b++) {
				take(&f, 20000 + b);
				give(&f, 20000 + b);
			}
			give(&f, 10000 + a);
			chunk_of(0, &f, 0, f.n);
		}
		struct clab__digest *d = digest_of(&w[slow]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(d);
		CU_ASSERT_EQUAL(d->nedges, CLAB_DIGEST_EDGES_MAX);
		CU_ASSERT_EQUAL(d->flags & CLAB_DIGEST_UNFOLLOWED, 0);
		clab__digest_free(d);
		f.n = 0; /* the last edge added: the fast path knows it */
		take(&f, 10000 + 1023);
		take(&f, 20000 + 1023);
		chunk_of(0, &f, 0, f.n);
		d = digest_of(&w[slow]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(d);
		CU_ASSERT_NOT_EQUAL(d->flags & CLAB_DIGEST_UNFOLLOWED, 0);
		clab__digest_free(d);
		free(f.r);
	}
	clab__digest_fastpath = 1;
	CU_ASSERT_EQUAL(w[0].len, w[1].len);
	CU_ASSERT(w[0].len == w[1].len && !memcmp(w[0].p, w[1].p, w[0].len));
	clab_wbuf_free(&w[0]);
	clab_wbuf_free(&w[1]);
}

static uint64_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 33;
}

/* An object: mostly a few, below and above the bit matrix's 128. */
static uint32_t pick_obj(uint64_t *s)
{
	static const uint32_t pool[] = {2,   3,	  4,   5,    6,	   126,
					127, 128, 129, 1000, 1001, 1002};
	if (rnd(s) % 16 == 0)
		return 2 + (uint32_t)(rnd(s) % 100000);
	return pool[rnd(s) % (sizeof(pool) / sizeof(pool[0]))];
}

/* One random record for a thread that holds held[0..*nh). */
static void random_rec(struct feed *f, uint64_t *s, uint32_t *held,
		       uint32_t *nh)
{
	static const unsigned other[] = {CLAB_K_MUTEX_REQUEST,
					 CLAB_K_MUTEX_BUSY,
					 CLAB_K_MUTEX_TIMEOUT,
					 CLAB_K_COND_WAIT,
					 CLAB_K_COND_WAKE,
					 CLAB_K_SEM_WAIT,
					 CLAB_K_SEM_ACQUIRE,
					 CLAB_K_SEM_RELEASE,
					 CLAB_K_RW_READ_REQUEST,
					 CLAB_K_RW_READ_ACQUIRE,
					 CLAB_K_RW_WRITE_ACQUIRE,
					 CLAB_K_RW_RELEASE,
					 CLAB_K_THREAD_START,
					 CLAB_K_THREAD_EXIT,
					 CLAB_K_THREAD_JOIN_WAIT,
					 CLAB_K_THREAD_JOIN,
					 CLAB_K_NOTE,
					 CLAB_K_DIAG,
					 CLAB_K_BARRIER_PASS,
					 CLAB_K_SLEEP_BEGIN};
	unsigned x = (unsigned)(rnd(s) % 100);
	if (x < 40 || (x < 70 && !*nh)) { /* a take, mostly of a new lock */
		uint32_t o =
		    *nh && rnd(s) % 8 == 0 ? held[rnd(s) % *nh] : pick_obj(s);
		uint32_t depth = rnd(s) % 10 == 0 ? 2 : 1;
		rec(f, CLAB_K_MUTEX_ACQUIRE, o, CLAB_HOW_BLOCK, depth);
		if (depth == 1 && *nh < 80)
			held[(*nh)++] = o;
	} else if (x < 70) { /* a give: the innermost, as a rule */
		uint32_t k = rnd(s) % 4 ? *nh - 1 : (uint32_t)(rnd(s) % *nh);
		uint32_t o = rnd(s) % 16 ? held[k] : pick_obj(s);
		rec(f, CLAB_K_MUTEX_RELEASE, o, CLAB_HOW_BLOCK,
		    rnd(s) % 10 == 0);
		memmove(&held[k], &held[k + 1], (*nh - k - 1) * sizeof(*held));
		(*nh)--;
	} else { /* anything else, on a held lock or any object */
		unsigned kind =
		    other[rnd(s) % (sizeof(other) / sizeof(other[0]))];
		if (kind == CLAB_K_BARRIER_PASS && rnd(s) % 8)
			kind = CLAB_K_NOTE;
		if (kind == CLAB_K_THREAD_EXIT && rnd(s) % 4)
			kind = CLAB_K_THREAD_START;
		uint32_t o =
		    *nh && rnd(s) % 2 ? held[rnd(s) % *nh] : pick_obj(s);
		uint32_t a32 = kind == CLAB_K_COND_WAIT && *nh
				   ? held[rnd(s) % *nh]
				   : (uint32_t)(rnd(s) % 3);
		rec(f, kind, o, (unsigned)(rnd(s) % 4), a32);
		if (kind == CLAB_K_THREAD_EXIT)
			*nh = 0;
	}
}

/*
 * Random streams of 4 threads, in chunks of random sizes interleaved:
 * the digest's chunk is the same byte for byte with the fast path and
 * without it.
 */
static void test_fast_same(void)
{
	for (uint64_t seed = 1; seed <= 60; seed++) {
		struct clab_wbuf w[2] = {{0}, {0}};
		for (int slow = 0; slow < 2; slow++) {
			uint64_t s = seed;
			uint32_t held[4][80], nh[4] = {0};
			struct feed f = {0};
			clab__digest_fastpath = !slow;
			clab__digest_reset();
			for (int c = 0; c < 200; c++) {
				uint32_t tid = (uint32_t)(rnd(&s) % 4);
				size_t n = rnd(&s) % 4 == 0 ? 1 + rnd(&s) % 500
							    : rnd(&s) % 40;
				f.n = 0;
				for (size_t i = 0; i < n; i++)
					random_rec(&f, &s, held[tid], &nh[tid]);
				chunk_of(tid, &f, 0, f.n);
			}
			clab__digest_chunk(&w[slow], 0);
			free(f.r);
		}
		clab__digest_fastpath = 1;
		int same =
		    w[0].len == w[1].len && !memcmp(w[0].p, w[1].p, w[0].len);
		if (!same)
			fprintf(stderr, "seed %llu: the digests differ\n",
				(unsigned long long)seed);
		CU_ASSERT(same);
		clab_wbuf_free(&w[0]);
		clab_wbuf_free(&w[1]);
	}
}

/*
 * The digest of a second trace in one process is the first's: the kinds'
 * meanings survive the reset between them (they did not: a second
 * trace's digest saw no lock, no diagnostic and no thread's end).
 */
static void test_second_trace(void)
{
	struct feed f = {0};
	take(&f, 2);
	take(&f, 3);
	give(&f, 3);
	give(&f, 2);
	take(&f, 3);
	take(&f, 2);
	give(&f, 2);
	give(&f, 3);
	rec(&f, CLAB_K_DIAG, 2, CLAB_D_UNLOCK_NOT_OWNER, 0);
	rec(&f, CLAB_K_MUTEX_BUSY, 2, 0, 0);
	take(&f, 2);
	rec(&f, CLAB_K_THREAD_EXIT, 1, 0, 0);
	struct clab_wbuf w[2] = {{0}, {0}};
	for (int k = 0; k < 2; k++) {
		clab__digest_reset();
		chunk_of(1, &f, 0, f.n);
		struct clab__digest *d = digest_of(&w[k]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(d);
		CU_ASSERT_EQUAL(d->nedges, 2);
		CU_ASSERT_EQUAL(d->diags[CLAB_D_UNLOCK_NOT_OWNER], 1);
		CU_ASSERT_EQUAL(d->counts[CLAB_DG_FAILED], 1);
		CU_ASSERT_EQUAL(d->counts[CLAB_DG_HELD_AT_EXIT], 1);
		clab__digest_free(d);
	}
	CU_ASSERT(w[0].len == w[1].len && !memcmp(w[0].p, w[1].p, w[0].len));
	clab_wbuf_free(&w[0]);
	clab_wbuf_free(&w[1]);
	free(f.r);
	clab__digest_reset();
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "a pair in both orders across chunks", test_both_orders);
	CU_add_test(s, "a lock given back by another thread",
		    test_given_by_another);
	CU_add_test(s, "more locks held than room, than followed",
		    test_many_held);
	CU_add_test(s, "a permit held is no lock held", test_permit_held);
	CU_add_test(s, "relocks and requests of a lock held", test_relock);
	CU_add_test(s, "a take ends the wait for it", test_wait_ends);
	CU_add_test(s, "past the most edges kept", test_edges_max);
	CU_add_test(s, "the fast path says what the general one says",
		    test_fast_same);
	CU_add_test(s, "a second trace's digest", test_second_trace);
}

int main(void)
{
	return tu_main("tracer/digest-records", add_tests);
}
