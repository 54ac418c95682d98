/*
 * The digest the writer keeps (tracer/digest.c), fed records directly:
 * a second trace in the same process gets the same digest as the first.
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
	CU_add_test(s, "a second trace's digest", test_second_trace);
}

int main(void)
{
	return tu_main("tracer/digest-records", add_tests);
}
