/*
 * The DIGEST chunk (docs/trace-format.md): read, trusted only in a whole
 * trace that it ends, and asked whether it proves that a report of the
 * trace has nothing to say (clab_trace_digest_quiet).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/error.h>

#include "clab-kinds.h"
#include "reader-int.h"

void clab__digest_free(struct clab__digest *d)
{
	if (!d)
		return;
	free(d->edges);
	free(d->waiters);
	free(d);
}

/* n pairs (number, count) into c[0..max); 0, or -1 when malformed. */
static int get_counts(struct clab_rbuf *b, uint64_t *c, unsigned max)
{
	uint64_t n = clab_rbuf_uv(b);
	if (b->err || n > max)
		return -1;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t k = clab_rbuf_uv(b), v = clab_rbuf_uv(b);
		if (b->err || k >= max || c[k] || !v)
			return -1;
		c[k] = v;
	}
	return 0;
}

/* The digest's waits (after its edges); 0, or -1 when malformed. */
static int get_waits(struct clab_rbuf *b, struct clab__digest *d)
{
	unsigned f = clab_rbuf_u8(b);
	d->waits_ended = clab_rbuf_uv(b);
	d->waits_short = clab_rbuf_uv(b);
	uint64_t n = clab_rbuf_uv(b);
	/* each thread's triple takes at least three bytes */
	if (b->err || (f & ~CLAB_DIGEST_WAITS_FOLLOWED) ||
	    d->waits_short > d->waits_ended || n > d->waits_ended ||
	    n > (uint64_t)(b->end - b->p) / 3)
		return -1;
	d->waiters = malloc((n ? n : 1) * sizeof(*d->waiters));
	if (!d->waiters)
		return -1;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t tid = clab_rbuf_uv(b), ns = clab_rbuf_uv(b),
			 obj = clab_rbuf_uv(b);
		if (b->err || tid > UINT32_MAX || obj > UINT32_MAX)
			return -1;
		d->waiters[i] = (struct clab_trace_waiter){(uint32_t)tid,
							   (uint32_t)obj, ns};
	}
	d->nwaiters = (size_t)n;
	d->waits_followed = f & CLAB_DIGEST_WAITS_FOLLOWED;
	return 0;
}

void clab__trace_parse_digest(struct clab_trace *tr, struct clab_rbuf *b)
{
	struct clab__digest *d = calloc(1, sizeof(*d));
	if (tr->digest || !d) {
		tr->digest_bad = 1;
		free(d);
		return;
	}
	d->flags = clab_rbuf_u8(b);
	d->records = clab_rbuf_uv(b);
	int bad = get_counts(b, d->kinds, CLAB_KIND_MAX) ||
		  get_counts(b, d->diags, 256);
	for (unsigned i = 0; i < CLAB_DIGEST_NCOUNTS; i++)
		d->counts[i] = clab_rbuf_uv(b);
	uint64_t ne = clab_rbuf_uv(b);
	/* each edge takes at least two bytes */
	if (bad || b->err || ne > (uint64_t)(b->end - b->p) / 2) {
		tr->digest_bad = 1;
		clab__digest_free(d);
		return;
	}
	d->nedges = (uint32_t)ne;
	d->edges = malloc((ne ? ne : 1) * 2 * sizeof(*d->edges));
	for (uint64_t i = 0; d->edges && i < 2 * ne; i++) {
		uint64_t v = clab_rbuf_uv(b);
		d->edges[i] = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
	}
	/* the waits: a digest of before them has none, and follows none */
	if (d->edges && !b->err && b->p != b->end && get_waits(b, d) != 0)
		b->err = 1;
	if (!d->edges || b->err || b->p != b->end) {
		tr->digest_bad = 1;
		clab__digest_free(d);
		return;
	}
	tr->digest = d;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static uint32_t node_of(const uint32_t *nodes, uint32_t n, uint32_t id)
{
	const uint32_t *p = bsearch(&id, nodes, n, sizeof(*nodes), cmp_u32);
	return (uint32_t)(p - nodes);
}

/*
 * Whether the edges make a cycle (Kahn: a node with no edge into it
 * cannot be on one; drop it, and again); -1 when out of memory.
 */
static int cyclic(const struct clab__digest *d)
{
	uint32_t ne = d->nedges, nn = 0;
	if (ne == 0)
		return 0;
	uint32_t *nodes = malloc(2 * (size_t)ne * sizeof(*nodes));
	uint32_t *indeg = calloc(2 * (size_t)ne, sizeof(*indeg));
	uint32_t *queue = malloc(2 * (size_t)ne * sizeof(*queue));
	uint32_t *from = malloc((size_t)ne * sizeof(*from));
	uint32_t *start = calloc(2 * (size_t)ne + 1, sizeof(*start));
	uint32_t *out = malloc((size_t)ne * sizeof(*out));
	int rc = -1;
	if (!nodes || !indeg || !queue || !from || !start || !out)
		goto done;
	memcpy(nodes, d->edges, 2 * (size_t)ne * sizeof(*nodes));
	qsort(nodes, 2 * (size_t)ne, sizeof(*nodes), cmp_u32);
	for (uint32_t i = 0; i < 2 * ne; i++)
		if (nn == 0 || nodes[nn - 1] != nodes[i])
			nodes[nn++] = nodes[i];
	/* the edges by their first node: start[] indexes out[] */
	for (uint32_t e = 0; e < ne; e++) {
		from[e] = node_of(nodes, nn, d->edges[2 * e]);
		start[from[e] + 1]++;
		indeg[node_of(nodes, nn, d->edges[2 * e + 1])]++;
	}
	for (uint32_t i = 0; i < nn; i++)
		start[i + 1] += start[i];
	uint32_t *fill = queue; /* borrowed: where each node's next goes */
	memcpy(fill, start, (size_t)nn * sizeof(*fill));
	for (uint32_t e = 0; e < ne; e++)
		out[fill[from[e]]++] = node_of(nodes, nn, d->edges[2 * e + 1]);
	uint32_t head = 0, tail = 0, gone = 0;
	for (uint32_t i = 0; i < nn; i++)
		if (indeg[i] == 0)
			queue[tail++] = i;
	while (head < tail) {
		uint32_t v = queue[head++];
		gone++;
		for (uint32_t k = start[v]; k < start[v + 1]; k++)
			if (--indeg[out[k]] == 0)
				queue[tail++] = out[k];
	}
	rc = gone < nn;
done:
	free(nodes);
	free(indeg);
	free(queue);
	free(from);
	free(start);
	free(out);
	return rc;
}

/* Add a reason to the list in why (by "; "). */
static void say(char *why, size_t len, const char *what)
{
	size_t n = strlen(why);
	if (n + 2 < len)
		snprintf(why + n, len - n, "%s%s", n ? "; " : "", what);
}

int clab_trace_digest_quiet(const struct clab_trace *tr, uint64_t *records,
			    char *why, size_t len)
{
	static const char *const count_why[CLAB_DIGEST_NCOUNTS] = {
	    [CLAB_DG_JUDGED_WAITS] = "a thread waited (on a barrier, or in "
				     "a trace without its waits' lengths)",
	    [CLAB_DG_FAILED] = "a non-blocking attempt failed or timed out",
	    [CLAB_DG_WAITS_HOLDING] = "a thread waited while holding a lock",
	    [CLAB_DG_SELF_REQUESTS] = "a thread asked for a lock it held",
	    [CLAB_DG_UNENDED] = "a thread never ended",
	    [CLAB_DG_HELD_AT_EXIT] = "a thread ended holding a lock",
	    [CLAB_DG_HELD_AT_END] = "a lock was held when the trace ended",
	    [CLAB_DG_WAITING_AT_END] = "a thread was waiting when the trace "
				       "ended",
	};
	const struct clab__digest *d = tr->digest;
	const char *no = NULL;
	if (tr->minor < CLAB_FMT_MINOR_DIGEST || (!d && !tr->digest_bad))
		no = "the trace has no digest";
	else if (tr->damage || !tr->complete || tr->checksum != 1)
		no = "the trace is damaged or was not closed";
	else if (tr->digest_bad || !tr->digest_last)
		no = "the trace's digest is malformed or misplaced";
	else if (d->flags & CLAB_DIGEST_PARTIAL)
		no = "the digest is partial (a trace saved after a crash)";
	else if (d->records != tr->end_records)
		no = "the digest's records do not match the end chunk's";
	why[0] = 0;
	if (no) {
		say(why, len, no);
		return CLAB_ENOENT;
	}
	*records = d->records;
	if (tr->incomplete[0])
		say(why, len, "the run was stopped before it ended");
	if (tr->drops)
		say(why, len, "records were dropped");
	if (d->flags & CLAB_DIGEST_UNFOLLOWED)
		say(why, len,
		    "the writer could not follow every lock (too many held)");
	for (size_t i = 0; i < tr->nmeta; i++)
		if (strncmp(tr->mkeys[i], "process.child.", 14) == 0) {
			say(why, len, "the process forked");
			break;
		}
	if (d->kinds[CLAB_K_NOTE])
		say(why, len, "the program made notes (a fork, an early exit)");
	for (unsigned i = 0; i < 256; i++)
		if (d->diags[i]) {
			say(why, len, "the trace holds a diagnostic");
			break;
		}
	for (unsigned i = 0; i < CLAB_DIGEST_NCOUNTS; i++)
		if (d->counts[i] &&
		    (i != CLAB_DG_JUDGED_WAITS || !d->waits_followed))
			say(why, len, count_why[i]);
	int c = cyclic(d);
	if (c < 0)
		return CLAB_ENOMEM;
	if (c)
		say(why, len, "the lock-order edges make a cycle");
	return !why[0];
}

int clab_trace_digest_waits(const struct clab_trace *tr,
			    struct clab_trace_waits *out)
{
	const struct clab__digest *d = tr->digest;
	memset(out, 0, sizeof(*out));
	if (!d || !d->waits_followed)
		return CLAB_ENOENT;
	out->ended = d->waits_ended;
	out->nshort = d->waits_short;
	out->short_ns = CLAB_DIGEST_SHORT_WAIT_NS;
	out->n = d->nwaiters;
	out->w = d->waiters;
	return 0;
}
