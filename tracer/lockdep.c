/*
 * The lock-order detector: a graph of "held A while requesting B" edges,
 * and the cycles in it.  See conclab/lockdep.h.
 *
 * A new edge A -> B closes a cycle when B already reaches A; a breadth-
 * first search from B finds the shortest such path.  An edge that already
 * exists can still change what its cycles mean (a second thread, an
 * observation without the gate, a plain lock where there were only timed
 * ones); then the cycles through it are classified again.
 */
#include <stdlib.h>
#include <string.h>

#include <conclab/error.h>
#include <conclab/lockdep.h>

#include "clab-util.h"

#define NONE UINT32_MAX

struct node {
	uint32_t first_out; /* edge list */
	uint32_t first_in;  /* edges into it */
	uint32_t mark;	    /* search generation */
	uint32_t via;	    /* edge that reached it */
	uint32_t ord;	    /* position in a topological order */
};

struct clab_lockdep {
	struct node *nodes;
	uint32_t nnodes;
	struct clab_ld_edge *edges;
	uint32_t *next_out;
	uint32_t nedges, edges_cap;
	/* (from, to) -> edge + 1 */
	uint64_t *ekeys;
	uint32_t *evals;
	uint32_t ecap;
	struct clab_ld_cycle *cycles;
	uint64_t *ckeys; /* per cycle, to find repeats */
	uint32_t ncycles, cycles_cap;
	uint32_t mark;
	uint32_t *queue;
	uint32_t *path; /* a cycle being found: at most nnodes + 1 edges */
	uint32_t *next_in;
	/* the order search (Pearce-Kelly) while the graph has no cycle */
	int cyclic;
	uint32_t *rf, *rb, *pool;
	uint32_t *changed;
	uint32_t nchanged, changed_cap;
	/* per semaphore id: the permits it gates with (0: not one yet;
	 * UNGATED: released by a thread without a permit) */
	uint32_t *gperm;
	uint32_t gperm_cap;
};

#define UNGATED UINT32_MAX

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x;
}

struct clab_lockdep *clab_lockdep_new(void)
{
	return calloc(1, sizeof(struct clab_lockdep));
}

void clab_lockdep_free(struct clab_lockdep *ld)
{
	if (!ld)
		return;
	for (uint32_t i = 0; i < ld->nedges; i++)
		free(ld->edges[i].gates);
	for (uint32_t i = 0; i < ld->ncycles; i++)
		free(ld->cycles[i].edges);
	free(ld->nodes);
	free(ld->edges);
	free(ld->next_out);
	free(ld->ekeys);
	free(ld->evals);
	free(ld->cycles);
	free(ld->ckeys);
	free(ld->queue);
	free(ld->path);
	free(ld->next_in);
	free(ld->rf);
	free(ld->rb);
	free(ld->pool);
	free(ld->changed);
	free(ld->gperm);
	free(ld);
}

/*
 * Room for need elements in each of the n arrays *arr[i] (of elem[i]
 * bytes an element) that share the capacity *cap: each is grown from
 * *cap, and *cap is raised only once all are, so that a failure leaves
 * every one of them at least *cap long.  0 or -1.
 */
static int grow_all(uint32_t *cap, uint64_t need, void **const arr[],
		    const size_t elem[], unsigned n)
{
	uint32_t c = *cap;
	for (unsigned i = 0; i < n; i++) {
		c = *cap;
		if (clab__grow(arr[i], &c, need, elem[i]))
			return -1;
	}
	*cap = c;
	return 0;
}

static int ensure_node(struct clab_lockdep *ld, uint32_t lock)
{
	if (lock < ld->nnodes)
		return 0;
	uint32_t n = ld->nnodes ? ld->nnodes : 64;
	while (n <= lock)
		n *= 2;
	struct node *nn = realloc(ld->nodes, (size_t)n * sizeof(*nn));
	uint32_t *q = realloc(ld->queue, (size_t)n * sizeof(*q));
	uint32_t *p = realloc(ld->path, ((size_t)n + 1) * sizeof(*p));
	uint32_t *rf = realloc(ld->rf, (size_t)n * sizeof(*rf));
	uint32_t *rb = realloc(ld->rb, (size_t)n * sizeof(*rb));
	uint32_t *pool = realloc(ld->pool, (size_t)n * sizeof(*pool));
	if (nn)
		ld->nodes = nn;
	if (q)
		ld->queue = q;
	if (p)
		ld->path = p;
	if (rf)
		ld->rf = rf;
	if (rb)
		ld->rb = rb;
	if (pool)
		ld->pool = pool;
	if (!nn || !q || !p || !rf || !rb || !pool)
		return -1;
	/* a new lock has no edge: any new place in the order will do */
	for (uint32_t i = ld->nnodes; i < n; i++)
		ld->nodes[i] = (struct node){NONE, NONE, 0, NONE, i};
	ld->nnodes = n;
	return 0;
}

static uint32_t find_edge(const struct clab_lockdep *ld, uint32_t from,
			  uint32_t to)
{
	if (!ld->ecap)
		return NONE;
	uint64_t key = (uint64_t)from << 32 | to;
	for (uint32_t i = (uint32_t)mix(key) & (ld->ecap - 1);;
	     i = (i + 1) & (ld->ecap - 1)) {
		if (!ld->evals[i])
			return NONE;
		if (ld->ekeys[i] == key)
			return ld->evals[i] - 1;
	}
}

static int map_edge(struct clab_lockdep *ld, uint64_t key, uint32_t val)
{
	if ((ld->nedges + 1) * 2 > ld->ecap) {
		uint32_t cap = ld->ecap ? ld->ecap * 2 : 256;
		uint64_t *k = calloc(cap, sizeof(*k));
		uint32_t *v = calloc(cap, sizeof(*v));
		if (!k || !v) {
			free(k);
			free(v);
			return -1;
		}
		for (uint32_t i = 0; i < ld->ecap; i++) {
			if (!ld->evals[i])
				continue;
			uint32_t j = (uint32_t)mix(ld->ekeys[i]) & (cap - 1);
			while (v[j])
				j = (j + 1) & (cap - 1);
			k[j] = ld->ekeys[i];
			v[j] = ld->evals[i];
		}
		free(ld->ekeys);
		free(ld->evals);
		ld->ekeys = k;
		ld->evals = v;
		ld->ecap = cap;
	}
	uint32_t j = (uint32_t)mix(key) & (ld->ecap - 1);
	while (ld->evals[j])
		j = (j + 1) & (ld->ecap - 1);
	ld->ekeys[j] = key;
	ld->evals[j] = val + 1;
	return 0;
}

/* Is lock in the gate set of edge e? */
static int has_gate(const struct clab_ld_edge *e, uint32_t lock)
{
	for (uint32_t i = 0; i < e->ngates; i++)
		if (e->gates[i] == lock)
			return 1;
	return 0;
}

static int note_changed(struct clab_lockdep *ld, uint32_t id)
{
	if (clab__grow((void **)&ld->changed, &ld->changed_cap,
		       ld->nchanged + 1, sizeof(uint32_t)))
		return -1;
	ld->changed[ld->nchanged++] = id;
	return 0;
}

/* How many threads gate g lets in at once: 1 for a lock. */
static uint32_t gate_permits(const struct clab_lockdep *ld, uint32_t g)
{
	return g < ld->gperm_cap && ld->gperm[g] ? ld->gperm[g] : 1;
}

static enum clab_ld_class classify(const struct clab_lockdep *ld,
				   const struct clab_ld_cycle *c,
				   uint32_t *gate)
{
	const struct clab_ld_edge *e0 = &ld->edges[c->edges[0]];
	/*
	 * a gate: held at every observation of every edge, and letting in
	 * fewer threads than the cycle needs (one per edge)
	 */
	for (uint32_t g = 0; g < e0->ngates; g++) {
		uint32_t lock = e0->gates[g];
		int all = gate_permits(ld, lock) < c->nedges;
		for (uint32_t i = 1; i < c->nedges && all; i++)
			all = has_gate(&ld->edges[c->edges[i]], lock);
		for (uint32_t i = 0; i < c->nedges && all; i++)
			all = ld->edges[c->edges[i]].from != lock;
		if (all) {
			*gate = lock;
			return CLAB_LD_GATED;
		}
	}
	/*
	 * At each lock of the cycle one edge requests it and the next holds
	 * it: two readers there do not wait for each other.
	 */
	for (uint32_t i = 0; i < c->nedges; i++) {
		const struct clab_ld_edge *in = &ld->edges[c->edges[i]];
		const struct clab_ld_edge *out =
		    &ld->edges[c->edges[(i + 1) % c->nedges]];
		if (!in->to_excl && !out->from_excl) {
			*gate = NONE;
			return CLAB_LD_SHARED;
		}
	}
	int one_thread = 1, timed_only = 0;
	for (uint32_t i = 0; i < c->nedges; i++) {
		const struct clab_ld_edge *e = &ld->edges[c->edges[i]];
		if (e->multi_thread || e->tid != e0->tid)
			one_thread = 0;
		if (e->timed && !e->untimed)
			timed_only = 1;
	}
	*gate = NONE;
	if (one_thread)
		return CLAB_LD_LATENT;
	return timed_only ? CLAB_LD_TIMED_ONLY : CLAB_LD_DEADLOCK;
}

/* Classify c again; note it if its report got worse. */
static int reclassify_one(struct clab_lockdep *ld, struct clab_ld_cycle *c,
			  uint32_t tid, uint64_t seq)
{
	uint32_t gate;
	enum clab_ld_class cls = classify(ld, c, &gate);
	if (cls >= c->cls)
		return 0;
	c->cls = cls;
	c->gate = gate;
	c->gate_permits = 0;
	c->seq = seq;
	c->tid = tid;
	c->reported = 0;
	return note_changed(ld, c->id);
}

/* A cycle through edges[0..n); new, or seen again. */
static int add_cycle(struct clab_lockdep *ld, uint32_t *edges, uint32_t n,
		     uint32_t tid, uint64_t seq)
{
	uint32_t *sorted = malloc(n * sizeof(*sorted));
	if (!sorted)
		return -1;
	memcpy(sorted, edges, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), clab__cmp_u32);
	uint64_t key = n;
	for (uint32_t i = 0; i < n; i++)
		key = mix(key ^ sorted[i]);
	free(sorted);
	for (uint32_t i = 0; i < ld->ncycles; i++)
		if (ld->ckeys[i] == key && ld->cycles[i].nedges == n) {
			ld->cycles[i].seen++;
			return 0;
		}
	void **arr[] = {(void **)&ld->cycles, (void **)&ld->ckeys};
	const size_t elem[] = {sizeof(*ld->cycles), sizeof(*ld->ckeys)};
	if (grow_all(&ld->cycles_cap, ld->ncycles + 1, arr, elem, 2))
		return -1;
	struct clab_ld_cycle *c = &ld->cycles[ld->ncycles];
	memset(c, 0, sizeof(*c));
	c->edges = malloc(n * sizeof(*c->edges));
	if (!c->edges)
		return -1;
	memcpy(c->edges, edges, n * sizeof(*c->edges));
	c->nedges = n;
	c->id = ld->ncycles;
	c->cls = classify(ld, c, &c->gate);
	if (c->cls == CLAB_LD_GATED && c->gate < ld->gperm_cap)
		c->gate_permits = ld->gperm[c->gate];
	c->seq = seq;
	c->tid = tid;
	c->seen = 1;
	ld->ckeys[ld->ncycles] = key;
	ld->ncycles++;
	return note_changed(ld, c->id);
}

/*
 * A path from `from` to `to`, breadth first; writes its edges to path and
 * returns their number, or 0 if there is none.
 */
static uint32_t find_path(struct clab_lockdep *ld, uint32_t from, uint32_t to,
			  uint32_t *path)
{
	if (++ld->mark == 0) {
		for (uint32_t i = 0; i < ld->nnodes; i++)
			ld->nodes[i].mark = 0;
		ld->mark = 1;
	}
	uint32_t head = 0, tail = 0;
	ld->queue[tail++] = from;
	ld->nodes[from].mark = ld->mark;
	ld->nodes[from].via = NONE;
	while (head < tail) {
		uint32_t u = ld->queue[head++];
		for (uint32_t e = ld->nodes[u].first_out; e != NONE;
		     e = ld->next_out[e]) {
			uint32_t v = ld->edges[e].to;
			if (ld->nodes[v].mark == ld->mark)
				continue;
			ld->nodes[v].mark = ld->mark;
			ld->nodes[v].via = e;
			if (v == to) {
				uint32_t n = 0;
				for (uint32_t x = v; x != from;
				     x = ld->edges[ld->nodes[x].via].from)
					n++;
				uint32_t i = n;
				for (uint32_t x = v; x != from;
				     x = ld->edges[ld->nodes[x].via].from)
					path[--i] = ld->nodes[x].via;
				return n;
			}
			ld->queue[tail++] = v;
		}
	}
	return 0;
}

static uint32_t new_edge(struct clab_lockdep *ld, uint32_t from, uint32_t to)
{
	void **arr[] = {(void **)&ld->edges, (void **)&ld->next_out,
			(void **)&ld->next_in};
	const size_t elem[] = {sizeof(*ld->edges), sizeof(*ld->next_out),
			       sizeof(*ld->next_in)};
	if (grow_all(&ld->edges_cap, ld->nedges + 1, arr, elem, 3) ||
	    map_edge(ld, (uint64_t)from << 32 | to, ld->nedges))
		return NONE;
	uint32_t i = ld->nedges++;
	memset(&ld->edges[i], 0, sizeof(ld->edges[i]));
	ld->edges[i].from = from;
	ld->edges[i].to = to;
	ld->next_out[i] = ld->nodes[from].first_out;
	ld->nodes[from].first_out = i;
	ld->next_in[i] = ld->nodes[to].first_in;
	ld->nodes[to].first_in = i;
	return i;
}

/* Locks by their place in ld's order (qsort_r; ld is the context). */
static int by_ord(const void *a, const void *b, void *ld)
{
	const struct clab_lockdep *g = ld;
	uint32_t x = g->nodes[*(const uint32_t *)a].ord;
	uint32_t y = g->nodes[*(const uint32_t *)b].ord;
	return x < y ? -1 : x > y;
}

/*
 * Pearce-Kelly: keep a topological order of an acyclic graph as edges are
 * added.  For a new edge x -> y with x already before y nothing can have
 * changed; otherwise only the locks between y and x in the order are
 * searched, and reordered.  Returns 1 when y reaches x (the edge closes a
 * cycle; the order is then given up), else 0.
 */
static int order_add(struct clab_lockdep *ld, uint32_t x, uint32_t y)
{
	uint32_t lb = ld->nodes[y].ord, ub = ld->nodes[x].ord;
	if (ub < lb)
		return 0;
	uint32_t gf = ++ld->mark, gb = ++ld->mark;
	if (gf == 0 || gb == 0) {
		for (uint32_t i = 0; i < ld->nnodes; i++)
			ld->nodes[i].mark = 0;
		ld->mark = 2;
		gf = 1;
		gb = 2;
	}
	uint32_t nf = 0, nb = 0, top = 0;
	ld->queue[top++] = y;
	ld->nodes[y].mark = gf;
	while (top) {
		uint32_t n = ld->queue[--top];
		ld->rf[nf++] = n;
		for (uint32_t e = ld->nodes[n].first_out; e != NONE;
		     e = ld->next_out[e]) {
			uint32_t w = ld->edges[e].to;
			if (w == x)
				return 1;
			if (ld->nodes[w].mark != gf && ld->nodes[w].ord < ub) {
				ld->nodes[w].mark = gf;
				ld->queue[top++] = w;
			}
		}
	}
	ld->queue[top++] = x;
	ld->nodes[x].mark = gb;
	while (top) {
		uint32_t n = ld->queue[--top];
		ld->rb[nb++] = n;
		for (uint32_t e = ld->nodes[n].first_in; e != NONE;
		     e = ld->next_in[e]) {
			uint32_t w = ld->edges[e].from;
			if (ld->nodes[w].mark != gb && ld->nodes[w].ord > lb) {
				ld->nodes[w].mark = gb;
				ld->queue[top++] = w;
			}
		}
	}
	qsort_r(ld->rb, nb, sizeof(uint32_t), by_ord, ld);
	qsort_r(ld->rf, nf, sizeof(uint32_t), by_ord, ld);
	/* the places they held, in order: first those that reach x */
	uint32_t k = 0, i = 0, j = 0;
	while (i < nb || j < nf) {
		uint32_t a = i < nb ? ld->nodes[ld->rb[i]].ord : UINT32_MAX;
		uint32_t b = j < nf ? ld->nodes[ld->rf[j]].ord : UINT32_MAX;
		ld->pool[k++] = a < b ? (i++, a) : (j++, b);
	}
	for (i = 0; i < nb; i++)
		ld->nodes[ld->rb[i]].ord = ld->pool[i];
	for (j = 0; j < nf; j++)
		ld->nodes[ld->rf[j]].ord = ld->pool[nb + j];
	return 0;
}

/* The other held locks: the gates of this observation. */
static uint32_t *observed_gates(const struct clab_ld_held *held, uint32_t nheld,
				uint32_t skip, uint32_t *n)
{
	*n = 0;
	if (nheld <= 1)
		return NULL;
	uint32_t *g = malloc((nheld - 1) * sizeof(*g));
	if (!g)
		return NULL;
	for (uint32_t j = 0; j < nheld; j++)
		if (j != skip)
			g[(*n)++] = held[j].lock;
	return g;
}

/* Keep the gates also held now; returns whether any was dropped. */
static int intersect_gates(struct clab_ld_edge *e,
			   const struct clab_ld_held *held, uint32_t nheld)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < e->ngates; i++) {
		int now = 0;
		for (uint32_t j = 0; j < nheld && !now; j++)
			now = held[j].lock == e->gates[i];
		if (now)
			e->gates[k++] = e->gates[i];
	}
	int dropped = k != e->ngates;
	e->ngates = k;
	return dropped;
}

/* Classify again the cycles through edge e; note those that got worse. */
static int reclassify(struct clab_lockdep *ld, uint32_t e, uint32_t tid,
		      uint64_t seq)
{
	for (uint32_t i = 0; i < ld->ncycles; i++) {
		struct clab_ld_cycle *c = &ld->cycles[i];
		int through = 0;
		for (uint32_t k = 0; k < c->nedges && !through; k++)
			through = c->edges[k] == e;
		if (through && reclassify_one(ld, c, tid, seq))
			return -1;
	}
	return 0;
}

/*
 * The permits semaphore sem gates with: the most seen at an observation,
 * or UNGATED.  More than before can turn gated cycles into deadlocks (a
 * semaphore never seen with permits gates no cycle yet).
 */
static int set_permits(struct clab_lockdep *ld, uint32_t sem, uint32_t permits,
		       uint32_t tid, uint64_t seq)
{
	if (clab__grow((void **)&ld->gperm, &ld->gperm_cap, sem + 1,
		       sizeof(*ld->gperm)))
		return -1;
	uint32_t was = ld->gperm[sem];
	if (was >= permits)
		return 0;
	ld->gperm[sem] = permits;
	for (uint32_t i = 0; was && i < ld->ncycles; i++) {
		struct clab_ld_cycle *c = &ld->cycles[i];
		if (c->cls == CLAB_LD_GATED && c->gate == sem &&
		    reclassify_one(ld, c, tid, seq))
			return -1;
	}
	return 0;
}

int clab_lockdep_ungate(struct clab_lockdep *ld, uint32_t sem, uint32_t tid,
			uint64_t seq)
{
	ld->nchanged = 0;
	if (set_permits(ld, sem, UNGATED, tid, seq))
		return CLAB_ENOMEM;
	return (int)ld->nchanged;
}

int clab_lockdep_request(struct clab_lockdep *ld, uint32_t tid,
			 const struct clab_ld_held *held, uint32_t nheld,
			 uint32_t lock, uint32_t site, uint64_t seq,
			 unsigned flags)
{
	ld->nchanged = 0;
	uint32_t nlocks = 0;
	for (uint32_t i = 0; i < nheld; i++) {
		if (held[i].permits) {
			if (set_permits(ld, held[i].lock, held[i].permits, tid,
					seq))
				return CLAB_ENOMEM;
			continue;
		}
		/* a relock is the mutex's own business: no edge; but a
		 * reader that asks to write waits for itself (an upgrade) */
		if (held[i].lock == lock &&
		    !(held[i].shared && !(flags & CLAB_LD_READ)))
			return (int)ld->nchanged;
		nlocks++;
	}
	/* no edge either way; what the permits changed is still reported */
	if ((flags & CLAB_LD_TRY) || nlocks == 0)
		return (int)ld->nchanged;
	if (ensure_node(ld, lock))
		return CLAB_ENOMEM;
	for (uint32_t i = 0; i < nheld; i++)
		if (!held[i].permits && ensure_node(ld, held[i].lock))
			return CLAB_ENOMEM;
	for (uint32_t i = 0; i < nheld; i++) {
		if (held[i].permits)
			continue; /* a semaphore: a gate, never an edge */
		uint32_t a = held[i].lock;
		uint32_t e = find_edge(ld, a, lock);
		int is_new = e == NONE, worse = 0;
		if (is_new) {
			e = new_edge(ld, a, lock);
			if (e == NONE)
				return CLAB_ENOMEM;
			struct clab_ld_edge *ed = &ld->edges[e];
			ed->tid = tid;
			ed->from_site = held[i].site;
			ed->to_site = site;
			ed->first_seq = seq;
			ed->gates = observed_gates(held, nheld, i, &ed->ngates);
			if (nheld > 1 && !ed->gates)
				return CLAB_ENOMEM;
		}
		struct clab_ld_edge *ed = &ld->edges[e];
		ed->last_seq = seq;
		ed->count++;
		if (!held[i].shared && !ed->from_excl)
			worse = ed->from_excl = 1;
		if (!(flags & CLAB_LD_READ) && !ed->to_excl)
			worse = ed->to_excl = 1;
		if (ed->tid != tid && !ed->multi_thread)
			worse = ed->multi_thread = 1;
		if (flags & CLAB_LD_TIMED) {
			ed->timed = 1;
		} else if (!ed->untimed) {
			ed->untimed = 1;
			worse |= ed->timed;
		}
		if (!is_new)
			worse |= intersect_gates(ed, held, nheld);
		if (is_new && a == lock) {
			/* an upgrade: a cycle of its own, outside the order */
			if (add_cycle(ld, &e, 1, tid, seq))
				return CLAB_ENOMEM;
			ed->closes = ld->ncycles;
		} else if (is_new) {
			/* Does `lock` already reach a?  Then a -> lock closes
			 * a cycle. */
			/* without a cycle yet, the order says at once
			 * whether one is possible */
			if (!ld->cyclic && !order_add(ld, a, lock))
				continue;
			ld->cyclic = 1;
			uint32_t *path = ld->path;
			uint32_t n = find_path(ld, lock, a, path + 1);
			int rc = 0;
			if (n) {
				path[0] = e;
				rc = add_cycle(ld, path, n + 1, tid, seq);
				if (rc == 0 && !ld->edges[e].closes)
					ld->edges[e].closes = ld->ncycles;
			}
			if (rc)
				return CLAB_ENOMEM;
		} else {
			/* the closing edge again: the cycle was closed again */
			if (ed->closes)
				ld->cycles[ed->closes - 1].seen++;
			if (worse && reclassify(ld, e, tid, seq))
				return CLAB_ENOMEM;
		}
	}
	return (int)ld->nchanged;
}

uint32_t clab_lockdep_changed(const struct clab_lockdep *ld, uint32_t *out,
			      uint32_t max)
{
	uint32_t n = ld->nchanged < max ? ld->nchanged : max;
	memcpy(out, ld->changed, n * sizeof(*out));
	return n;
}

uint32_t clab_lockdep_nedges(const struct clab_lockdep *ld)
{
	return ld->nedges;
}

const struct clab_ld_edge *clab_lockdep_edge(const struct clab_lockdep *ld,
					     uint32_t i)
{
	return i < ld->nedges ? &ld->edges[i] : NULL;
}

uint32_t clab_lockdep_ncycles(const struct clab_lockdep *ld)
{
	return ld->ncycles;
}

const struct clab_ld_cycle *clab_lockdep_cycle(const struct clab_lockdep *ld,
					       uint32_t i)
{
	return i < ld->ncycles ? &ld->cycles[i] : NULL;
}

int clab_lockdep_has_edge(const struct clab_lockdep *ld, uint32_t from,
			  uint32_t to)
{
	return find_edge(ld, from, to) != NONE;
}

const char *clab_ld_class_name(enum clab_ld_class c)
{
	switch (c) {
	case CLAB_LD_DEADLOCK:
		return "potential deadlock";
	case CLAB_LD_TIMED_ONLY:
		return "timed lock order";
	case CLAB_LD_LATENT:
		return "latent (one thread)";
	case CLAB_LD_GATED:
		return "gated (cannot deadlock)";
	case CLAB_LD_SHARED:
		return "shared (readers do not block readers)";
	}
	return "?";
}
