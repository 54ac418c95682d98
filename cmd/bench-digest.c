/*
 * Case 12: the writer's digest (tracer/digest.c), in ns of the thread's
 * CPU time a record.  Records of lock_heavy's pattern (8 mutexes, a
 * nested pair every fourth iteration: 2.5 records an iteration) go to the
 * digest in chunks of 16384, each chunk's records read once just before
 * (the writer feeds each record to the digest in its encoding loop, with
 * clab__digest_step, as clab__digest_records does here on its own): 10
 * million of them, from a pool of a million fed round and round.  Once
 * with the digest's fast path, once with every record down its general
 * path.  No trace is open while it runs, and the digest is reset after.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "digest.h"

#define DIGEST_RECORDS 10000000L /* fed to the digest a repetition */
#define POOL 1000000u		 /* records made, fed round and round */
#define CHUNK 16384u		 /* the writer's records a chunk */
#define NLOCKS 8
#define LOCK_ID 2 /* the first mutex's object id */

static void add(struct clab__rec *r, uint32_t *n, unsigned kind, uint32_t m,
		uint32_t depth)
{
	r[(*n)++] = (struct clab__rec){.kind = (uint8_t)kind,
				       .a8 = CLAB_HOW_BLOCK,
				       .a32 = depth,
				       .u.o.obj = LOCK_ID + m};
}

/* lock_heavy's records, whole iterations, up to POOL; their count. */
static uint32_t make_pool(struct clab__rec *r)
{
	uint32_t n = 0;
	unsigned long long rng = 1;
	for (long i = 0; n + 4 <= POOL; i++) {
		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		unsigned a = (unsigned)(rng >> 33) % NLOCKS;
		if (i % 4 == 3) {
			unsigned b =
			    (a + 1 + (unsigned)(rng >> 45) % (NLOCKS - 1)) %
			    NLOCKS;
			unsigned lo = a < b ? a : b, hi = a < b ? b : a;
			add(r, &n, CLAB_K_MUTEX_ACQUIRE, lo, 1);
			add(r, &n, CLAB_K_MUTEX_ACQUIRE, hi, 1);
			add(r, &n, CLAB_K_MUTEX_RELEASE, hi, 0);
			add(r, &n, CLAB_K_MUTEX_RELEASE, lo, 0);
		} else {
			add(r, &n, CLAB_K_MUTEX_ACQUIRE, a, 1);
			add(r, &n, CLAB_K_MUTEX_RELEASE, a, 0);
		}
	}
	return n;
}

/* total records through the digest; ns of CPU a record. */
static double feed(const struct clab__rec *pool, uint32_t npool, long total,
		   const struct clab__rec **p, uint64_t *ns)
{
	volatile unsigned sink = 0;
	uint64_t cpu = 0, t = 0;
	uint32_t at = 0;
	clab__digest_reset();
	for (long done = 0; done < total;) {
		uint32_t n = npool - at < CHUNK ? npool - at : CHUNK;
		if ((long)n > total - done)
			n = (uint32_t)(total - done);
		unsigned k = 0;
		for (uint32_t i = 0; i < n; i++) { /* the writer's encoding */
			p[i] = &pool[at + i];
			ns[i] = t += 25;
			k += p[i]->kind;
		}
		sink += k;
		uint64_t t0 = bench_cpu_ns();
		clab__digest_records(1, p, ns, n);
		cpu += bench_cpu_ns() - t0;
		done += n;
		at = at + n == npool ? 0 : at + n;
	}
	clab__digest_reset();
	return (double)cpu / (double)total;
}

int bench_case_digest(struct bench *b)
{
	static const struct {
		const char *key, *label;
		int fast;
	} paths[] = {
	    {"digest_fast", "the writer's digest", 1},
	    {"digest_general", "  all down its general path", 0},
	};
	struct clab__rec *pool = malloc(POOL * sizeof(*pool));
	const struct clab__rec **p = malloc(CHUNK * sizeof(*p));
	uint64_t *ns = malloc(CHUNK * sizeof(*ns));
	if (!pool || !p || !ns) {
		fprintf(stderr, "conclab bench: out of memory\n");
		free(pool);
		free(p);
		free(ns);
		return -1;
	}
	uint32_t npool = make_pool(pool);
	long total = b->o.quick ? DIGEST_RECORDS / 10 : DIGEST_RECORDS;
	int reps = b->o.reps < REPS_MAX ? b->o.reps : REPS_MAX;
	for (size_t k = 0; k < sizeof(paths) / sizeof(paths[0]); k++) {
		double v[REPS_MAX];
		clab__digest_fastpath = paths[k].fast;
		for (int r = 0; r < reps; r++)
			v[r] = feed(pool, npool, total, p, ns);
		struct row *r = bench_row_new(b, paths[k].key, paths[k].label,
					      "ns", "(info)");
		r->clab = bench_median(v, (size_t)reps);
		r->records = (uint64_t)total;
		r->iters = total;
		snprintf(r->note, sizeof(r->note),
			 "%.2f ns of CPU a record, %ld lock_heavy records "
			 "in chunks of %u",
			 r->clab, total, CHUNK);
		bench_print_row(b, r);
	}
	clab__digest_fastpath = 1;
	free(pool);
	free(p);
	free(ns);
	return 0;
}
