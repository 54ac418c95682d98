/*
 * The threads and objects a meta-only load keeps (clab_trace_load_meta):
 * only those its digest names (the threads that waited, and the objects
 * they waited on), so that what it holds does not grow with the threads a
 * program started one after another.  Their labels are those of a whole
 * load (label.c): a thread's name is shared when another thread has it
 * too, an object's when another object that is not a thread has it, which
 * three passes over the definitions find without keeping the others.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/label.h>
#include <conclab/trace.h>

#include "reader-int.h"

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* The ids in a sorted, without repeats; returns how many are left. */
static uint32_t sort_unique(uint32_t *a, uint32_t n)
{
	uint32_t k = 0;
	qsort(a, n, sizeof(*a), cmp_u32);
	for (uint32_t i = 0; i < n; i++)
		if (!k || a[k - 1] != a[i])
			a[k++] = a[i];
	return k;
}

static int has(const uint32_t *a, uint32_t n, uint64_t id)
{
	if (id > UINT32_MAX)
		return 0;
	uint32_t v = (uint32_t)id;
	return n && bsearch(&v, a, n, sizeof(*a), cmp_u32) != NULL;
}

/* A kept name against one in the file (as the reader shows it), as strcmp. */
static int cmp_raw(const char *kept, const uint8_t *raw, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)clab_name_byte(raw[i]);
		if ((unsigned char)kept[i] != c)
			return (unsigned char)kept[i] < c ? -1 : 1;
	}
	return kept[n] != 0;
}

/*
 * The kept names, sorted, to count the definitions that have them: each
 * name's count is at its first place in the order (first[i]).
 */
struct names {
	const char **name;
	uint32_t *first, *count, n;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int names_init(struct names *ns, const char **name, uint32_t n)
{
	ns->name = name;
	ns->n = n;
	ns->first = malloc((n + 1) * sizeof(*ns->first));
	ns->count = calloc(n + 1, sizeof(*ns->count));
	if (!ns->first || !ns->count)
		return -1;
	qsort(name, n, sizeof(*name), cmp_str);
	for (uint32_t i = 0; i < n; i++)
		ns->first[i] = i && strcmp(name[i - 1], name[i]) == 0
				   ? ns->first[i - 1]
				   : i;
	return 0;
}

static void names_fini(struct names *ns)
{
	free(ns->name);
	free(ns->first);
	free(ns->count);
}

/* Count a definition named raw, if a kept one has its name. */
static void names_count(struct names *ns, const uint8_t *raw, size_t n)
{
	uint32_t lo = 0, hi = ns->n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = cmp_raw(ns->name[mid], raw, n);
		if (c == 0) {
			ns->count[ns->first[mid]]++;
			return;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
}

/* How many definitions have name (one of the kept ones). */
static uint32_t names_of(const struct names *ns, const char *name)
{
	const char **at =
	    bsearch(&name, ns->name, ns->n, sizeof(*ns->name), cmp_str);
	return at ? ns->count[ns->first[at - ns->name]] : 0;
}

/* What one pass does with each definition. */
enum pass { KEEP_THREADS, KEEP_OBJECTS, COUNT_NAMES };

struct keep {
	uint32_t *tids, ntids; /* wanted threads, sorted */
	uint32_t *oids, noids; /* wanted objects, sorted */
	uint8_t *isthr;	       /* bit by object id: a thread's object */
	struct names tn;       /* the kept threads' names, counted */
	struct names on;       /* the kept objects', among non-thread ones */
};

static int isthr(const struct keep *k, uint64_t oid)
{
	return k->isthr[oid / 8] >> (oid % 8) & 1;
}

/*
 * The name of object oid as the file has it: its definition's (*raw, *n),
 * or the one the metadata renamed it to (roles.c).
 */
static void def_name(const struct clab_trace *tr, uint64_t oid,
		     const uint8_t **raw, size_t *n)
{
	const char *v = tr->nrenamed ? clab__trace_renamed(tr, oid) : NULL;
	if (v) {
		*raw = (const uint8_t *)v;
		*n = strlen(v);
	}
}

static int keep_thread(struct clab_trace *tr, struct keep *k,
		       const struct clab__thread_def *d)
{
	if (d->oid <= tr->nobjs)
		k->isthr[d->oid / 8] |= (uint8_t)(1u << (d->oid % 8));
	if (!has(k->tids, k->ntids, d->tid) && !has(k->oids, k->noids, d->oid))
		return 0;
	const uint8_t *raw = d->name;
	size_t n = d->nlen;
	def_name(tr, d->oid, &raw, &n);
	char *name = clab__name_dup(raw, n);
	if (!name || GROW(tr->threads, tr->kthreads, tr->threads_cap)) {
		free(name);
		return -1;
	}
	clab__thread_info_set(&tr->threads[tr->kthreads++], d, name);
	return 0;
}

static int keep_object(struct clab_trace *tr, const struct keep *k,
		       const struct clab__object_def *d)
{
	if (!has(k->oids, k->noids, d->oid))
		return 0;
	const uint8_t *raw = d->name;
	size_t n = d->nlen;
	def_name(tr, d->oid, &raw, &n);
	char *name = clab__name_dup(raw, n);
	if (!name || GROW(tr->objs, tr->kobjs, tr->objs_cap)) {
		free(name);
		return -1;
	}
	clab__object_info_set(&tr->objs[tr->kobjs++], d, name);
	return 0;
}

static void count_object(const struct clab_trace *tr, struct keep *k,
			 const struct clab__object_def *d)
{
	const uint8_t *raw = d->name;
	size_t n = d->nlen;
	def_name(tr, d->oid, &raw, &n);
	if (d->oid > tr->nobjs || !isthr(k, d->oid))
		names_count(&k->on, raw, n);
}

static void count_thread(const struct clab_trace *tr, struct keep *k,
			 const struct clab__thread_def *d)
{
	const uint8_t *raw = d->name;
	size_t n = d->nlen;
	def_name(tr, d->oid, &raw, &n);
	names_count(&k->tn, raw, n);
}

/* One pass over the chunks of definitions (tr->defs_at). */
static int pass(struct clab_trace *tr, struct keep *k, enum pass what,
		const uint8_t *p)
{
	for (size_t c = 0; c < tr->ndefs_at; c++) {
		size_t off = tr->defs_at[c];
		uint32_t type = clab_rbuf_u32le(p + off);
		uint32_t clen = clab_rbuf_u32le(p + off + 4);
		const uint8_t *pl = p + off + CLAB_CHUNK_HDR_LEN;
		struct clab_rbuf b = {pl, pl + clen, 0};
		/* the first pass checked every definition: none fails */
		uint64_t n = type == CLAB_CH_THREADS || type == CLAB_CH_OBJECTS
				 ? clab_rbuf_uv(&b)
				 : 0;
		for (uint64_t i = 0; i < n && !b.err; i++) {
			struct clab__thread_def td;
			struct clab__object_def od;
			int rc = 0;
			if (type == CLAB_CH_THREADS &&
			    clab__read_thread_def(&b, &td) == 0) {
				if (what == KEEP_THREADS)
					rc = keep_thread(tr, k, &td);
				else if (what == COUNT_NAMES)
					count_thread(tr, k, &td);
			} else if (type == CLAB_CH_OBJECTS &&
				   clab__read_object_def(&b, &od) == 0) {
				if (what == KEEP_OBJECTS)
					rc = keep_object(tr, k, &od);
				else if (what == COUNT_NAMES)
					count_object(tr, k, &od);
			}
			if (rc != 0)
				return -1;
		}
	}
	return 0;
}

/* The labels, as label.c makes them, in one block (tr->labels). */
static int label(struct clab_trace *tr, const struct keep *k)
{
	size_t need = 1;
	char tmp[1];
	for (uint32_t i = 0; i < tr->kthreads; i++)
		need +=
		    (size_t)snprintf(tmp, 0, "%s (T%" PRIu32 ")",
				     tr->threads[i].name, tr->threads[i].tid) +
		    1;
	for (uint32_t i = 0; i < tr->kobjs; i++)
		need += (size_t)snprintf(tmp, 0, "%s (#%" PRIu32 ")",
					 tr->objs[i].name, tr->objs[i].oid) +
			1;
	char *b = malloc(need);
	if (!b)
		return -1;
	tr->labels = b;
	for (uint32_t i = 0; i < tr->kthreads; i++) {
		struct clab_thread_info *t = &tr->threads[i];
		t->label = clab_label(b, need, t->name, 'T', t->tid,
				      names_of(&k->tn, t->name) > 1);
		size_t n = strlen(b) + 1;
		b += n;
		need -= n;
	}
	for (uint32_t i = 0; i < tr->kobjs; i++) {
		struct clab_object_info *o = &tr->objs[i];
		uint32_t t = clab_trace_thread_of_obj(tr, o->oid);
		const struct clab_thread_info *ti = clab_trace_thread(tr, t);
		if (t != UINT32_MAX) {
			o->label = ti ? ti->label : o->name;
			continue;
		}
		o->label = clab_label(b, need, o->name, '#', o->oid,
				      names_of(&k->on, o->name) > 1);
		size_t n = strlen(b) + 1;
		b += n;
		need -= n;
	}
	return 0;
}

/* The kept threads in the order of their objects' ids (tr->obj2tid). */
static int by_oid(struct clab_trace *tr)
{
	uint64_t *key = malloc((tr->kthreads + 1) * sizeof(*key));
	tr->obj2tid = malloc((tr->kthreads + 1) * sizeof(*tr->obj2tid));
	if (!key || !tr->obj2tid) {
		free(key);
		return -1;
	}
	for (uint32_t i = 0; i < tr->kthreads; i++)
		key[i] = (uint64_t)tr->threads[i].oid << 32 | i;
	qsort(key, tr->kthreads, sizeof(*key), cmp_u64);
	for (uint32_t i = 0; i < tr->kthreads; i++)
		tr->obj2tid[i] = (uint32_t)key[i];
	free(key);
	return 0;
}

/* The names of the kept threads, and of the kept non-thread objects. */
static int names_kept(const struct clab_trace *tr, struct keep *k)
{
	const char **tn = malloc((tr->kthreads + 1) * sizeof(*tn));
	const char **on = malloc((tr->kobjs + 1) * sizeof(*on));
	uint32_t n = 0;
	if (!tn || !on) {
		free(tn);
		free(on);
		return -1;
	}
	for (uint32_t i = 0; i < tr->kthreads; i++)
		tn[i] = tr->threads[i].name;
	for (uint32_t i = 0; i < tr->kobjs; i++)
		if (!isthr(k, tr->objs[i].oid))
			on[n++] = tr->objs[i].name;
	int rc = names_init(&k->tn, tn, tr->kthreads);
	int orc = names_init(&k->on, on, n);
	return rc || orc ? -1 : 0;
}

int clab__trace_keep_defs(struct clab_trace *tr, const uint8_t *p)
{
	const struct clab__digest *d = tr->digest;
	tr->sparse = 1;
	if (!d || !d->nwaiters)
		return 0;
	struct keep k = {0};
	int rc = -1;
	k.tids = malloc(d->nwaiters * sizeof(*k.tids));
	k.oids = malloc(d->nwaiters * sizeof(*k.oids));
	k.isthr = calloc((size_t)tr->nobjs / 8 + 1, 1);
	if (!k.tids || !k.oids || !k.isthr)
		goto out;
	for (size_t i = 0; i < d->nwaiters; i++) {
		k.tids[k.ntids++] = d->waiters[i].tid;
		k.oids[k.noids++] = d->waiters[i].obj;
	}
	k.ntids = sort_unique(k.tids, k.ntids);
	k.noids = sort_unique(k.oids, k.noids);
	if (pass(tr, &k, KEEP_THREADS, p) != 0)
		goto out;
	/*
	 * and the objects of the threads kept, as a whole load has them (in
	 * a forged file many threads may claim one waited-on object)
	 */
	uint32_t *more = realloc(k.oids, ((size_t)k.noids + tr->kthreads + 1) *
					     sizeof(*k.oids));
	if (!more)
		goto out;
	k.oids = more;
	for (uint32_t i = 0; i < tr->kthreads; i++)
		k.oids[k.noids++] = tr->threads[i].oid;
	k.noids = sort_unique(k.oids, k.noids);
	if (pass(tr, &k, KEEP_OBJECTS, p) != 0)
		goto out;
	if (by_oid(tr) != 0 || names_kept(tr, &k) != 0 ||
	    pass(tr, &k, COUNT_NAMES, p) != 0)
		goto out;
	rc = label(tr, &k);
out:
	free(k.tids);
	free(k.oids);
	free(k.isthr);
	names_fini(&k.tn);
	names_fini(&k.on);
	return rc;
}
