/*
 * The digest the writer keeps while it writes (digest.c), written as the
 * DIGEST chunk at the close.  Not installed.
 */
#ifndef CLAB_DIGEST_H
#define CLAB_DIGEST_H

#include <stdint.h>

#include "format.h"
#include "tracer-emit.h"

/*
 * The n records of thread tid about to go into a record chunk, in the
 * thread's order, and their times (ns[i], as the reader gives them):
 * clab__digest_begin, clab__digest_step for each, clab__digest_end (the
 * tests' and conclab bench's way in; the writer calls those three).
 */
void clab__digest_records(uint32_t tid, const struct clab__rec *const *recs,
			  const uint64_t *ns, uint32_t n);
/*
 * 1 (the default): the common records (a lock taken or given back, its
 * edges known) take a fast path; 0: every record takes the general path,
 * which the tests compare it with.
 */
extern int clab__digest_fastpath;
/*
 * The DIGEST chunk's payload into b; partial: the trace is being saved
 * after a crash, and the digest must not be trusted.
 */
void clab__digest_chunk(struct clab_wbuf *b, int partial);
/* Forget everything (a new trace, or a forked child's). */
void clab__digest_reset(void);

/*
 * A chunk's records one at a time, for the writer, which feeds each to the
 * digest in its encoding pass while it has it at hand (writer.c): the
 * fast path's commonest records are handled inline, the others out of
 * line.  Called under the writer's lock, as every digest function is.
 */

/* What the fast path does with a kind (clab__dg_kinds.fast). */
enum {
	CLAB__DG_TAKE = 1,
	CLAB__DG_GIVE = 2,
	CLAB__DG_DEPTH = 4 /* a mutex's: its a32 is its depth */
};

/* The kinds' fast-path actions, and the records counted by kind. */
struct clab__dg_kinds {
	uint8_t fast[256]; /* by the record's own kind byte: 0 past the max */
	uint64_t count[CLAB_KIND_MAX];
};
extern struct clab__dg_kinds clab__dg_kinds;

/* One chunk on its way: its thread's held locks, kept here meanwhile. */
struct clab__dg_chunk {
	struct clab__dg_thread *t;
	uint32_t *held;	  /* the thread's, innermost last */
	uint32_t nh;	  /* how many */
	uint32_t permits; /* of the nh, the semaphores' permits */
	/*
	 * apart from nh: copied from the thread's n and cap, side by side
	 * there, the two would be read as one 8-byte word just after n was
	 * written alone, which the store cannot forward (twice the time of
	 * the general path)
	 */
	uint32_t cap;
	int fast; /* whether the fast path is open */
	/*
	 * whether a hold may be counted at once (clab__digest_hold): the
	 * fast path is open and the held array has room; and the holds so
	 * counted, added to the two kinds' counts at the chunk's end
	 */
	int holds_ok;
	uint64_t holds;
};

/*
 * The start of thread tid's chunk of n records; 0, or CLAB_ENOMEM (the
 * digest is then partial: its records are not fed).
 */
int clab__digest_begin(struct clab__dg_chunk *c, uint32_t tid, uint32_t n);
/* A record the inline step leaves: a nested take, or the general path. */
void clab__digest_slow(struct clab__dg_chunk *c, const struct clab__rec *r,
		       uint64_t ns);
/* The chunk's end: the thread's held locks back in place. */
void clab__digest_end(struct clab__dg_chunk *c);

/*
 * One record of the chunk, at time ns.  Inline, the fast path's commonest
 * cases, which do what the general path would: a relock, a first lock
 * taken, a mutex given back but still held, the innermost lock given back.
 */
static inline void clab__digest_step(struct clab__dg_chunk *c,
				     const struct clab__rec *r, uint64_t ns)
{
	unsigned f = clab__dg_kinds.fast[r->kind];
	if (f && c->fast) {
		if (f & CLAB__DG_DEPTH &&
		    (f & CLAB__DG_TAKE ? r->a32 > 1 : r->a32 != 0)) {
			clab__dg_kinds.count[r->kind]++; /* depth only */
			return;
		}
		uint32_t nh = c->nh;
		if (f & CLAB__DG_TAKE ? !nh && c->cap
				      : nh && c->held[nh - 1] == r->u.o.obj) {
			clab__dg_kinds.count[r->kind]++;
			if (f & CLAB__DG_TAKE)
				c->held[c->nh++] = r->u.o.obj;
			else
				c->nh--;
			return;
		}
	}
	clab__digest_slow(c, r, ns);
}

/* A hold taken while others are held: whether its edges are all known. */
int clab__digest_hold_nested(const struct clab__dg_chunk *c, uint32_t obj);

/*
 * The two records of a hold (an acquire of mutex obj at depth directly
 * followed by its release, the writer's CLAB__K_HOLD), without making
 * them: taken without waiting at depth 1 and given back at once, the
 * mutex is pushed and popped, which leaves the held locks as they were,
 * and adds the edges held -> obj, which changes nothing when the set has
 * them all (with nothing held, none).  So the two are only counted, and
 * that at the chunk's end (clab__digest_end).  Returns 0 when the caller
 * must step the two records instead.
 */
static inline int clab__digest_hold(struct clab__dg_chunk *c, uint32_t obj,
				    uint32_t depth)
{
	if (!c->holds_ok || depth != 1 ||
	    (c->nh && !clab__digest_hold_nested(c, obj)))
		return 0;
	c->holds++;
	return 1;
}

#endif
