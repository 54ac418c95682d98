/* What a loaded trace answers: its records, threads, objects, sites,
 * stacks and metadata, and how whole it is. */
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include <conclab/error.h>
#include <conclab/label.h>
#include <conclab/trace.h>

#include "reader-int.h"

const char *clab_trace_damage(const struct clab_trace *tr)
{
	return tr->damage;
}

size_t clab_trace_nrecords(const struct clab_trace *tr)
{
	return tr->nrecs;
}

const struct clab_record *clab_trace_record(const struct clab_trace *tr,
					    size_t seq)
{
	return seq < tr->nrecs ? &tr->recs[seq] : NULL;
}

const struct clab_record *clab_trace_records(const struct clab_trace *tr)
{
	return tr->recs;
}

uint32_t clab_trace_nthreads(const struct clab_trace *tr)
{
	return tr->nthreads;
}

/*
 * A meta-only load's kept threads and objects are sorted by id and few
 * (reader-defs.c): found by a binary search, NULL for the others.
 */
/* The index of the entry whose uint32_t id at off is id, or n. */
static uint32_t find_id(const void *base, uint32_t n, size_t size, size_t off,
			uint32_t id)
{
	uint32_t lo = 0, hi = n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2, v;
		memcpy(&v, (const char *)base + mid * size + off, sizeof(v));
		if (v == id)
			return mid;
		if (v < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return n;
}

static const struct clab_thread_info *kept_thread(const struct clab_trace *tr,
						  uint32_t tid)
{
	uint32_t i = find_id(tr->threads, tr->kthreads, sizeof(*tr->threads),
			     offsetof(struct clab_thread_info, tid), tid);
	return i < tr->kthreads ? &tr->threads[i] : NULL;
}

static const struct clab_object_info *kept_object(const struct clab_trace *tr,
						  uint32_t oid)
{
	uint32_t i = find_id(tr->objs, tr->kobjs, sizeof(*tr->objs),
			     offsetof(struct clab_object_info, oid), oid);
	return i < tr->kobjs ? &tr->objs[i] : NULL;
}

/* The kept thread whose object is oid (obj2tid: by their objects' ids). */
static uint32_t kept_thread_of_obj(const struct clab_trace *tr, uint32_t oid)
{
	uint32_t lo = 0, hi = tr->kthreads;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct clab_thread_info *t =
		    &tr->threads[tr->obj2tid[mid]];
		if (t->oid == oid)
			return t->tid;
		if (t->oid < oid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return UINT32_MAX;
}

const struct clab_thread_info *clab_trace_thread(const struct clab_trace *tr,
						 uint32_t tid)
{
	if (tr->sparse)
		return kept_thread(tr, tid);
	return tid < tr->nthreads ? &tr->threads[tid] : NULL;
}

uint32_t clab_trace_thread_of_obj(const struct clab_trace *tr, uint32_t oid)
{
	if (tr->sparse)
		return kept_thread_of_obj(tr, oid);
	return oid <= tr->nobjs ? tr->obj2tid[oid] : UINT32_MAX;
}

uint32_t clab_trace_nobjects(const struct clab_trace *tr)
{
	return tr->nobjs;
}

const struct clab_object_info *clab_trace_object(const struct clab_trace *tr,
						 uint32_t oid)
{
	if (tr->sparse)
		return kept_object(tr, oid);
	return oid >= 1 && oid <= tr->nobjs ? &tr->objs[oid - 1] : NULL;
}

const char *clab_trace_thread_label(const struct clab_trace *tr, uint32_t tid)
{
	const struct clab_thread_info *t = clab_trace_thread(tr, tid);
	return t ? t->label : "?";
}

const char *clab_trace_object_label(const struct clab_trace *tr, uint32_t oid)
{
	const struct clab_object_info *o = clab_trace_object(tr, oid);
	return o ? o->label : "?";
}

const struct clab_site_info *clab_trace_site(const struct clab_trace *tr,
					     uint32_t id)
{
	return id >= 1 && id <= tr->nsites ? &tr->sites[id - 1] : NULL;
}

size_t clab_trace_nmeta(const struct clab_trace *tr)
{
	return tr->nmeta;
}

int clab_trace_meta_at(const struct clab_trace *tr, size_t i, const char **key,
		       const char **value)
{
	if (i >= tr->nmeta)
		return CLAB_EINVAL;
	*key = tr->mkeys[i];
	*value = tr->mvals[i];
	return 0;
}

const char *clab_trace_meta(const struct clab_trace *tr, const char *key)
{
	for (size_t i = tr->nmeta; i-- > 0;)
		if (strcmp(tr->mkeys[i], key) == 0)
			return tr->mvals[i];
	return NULL;
}

uint32_t clab_trace_nstacks(const struct clab_trace *tr)
{
	return tr->nstacks;
}

const struct clab_stack_info *clab_trace_stack(const struct clab_trace *tr,
					       uint32_t id)
{
	return id >= 1 && id <= tr->nstacks ? &tr->stacks[id - 1] : NULL;
}

uint64_t clab_trace_stacks_lost(const struct clab_trace *tr)
{
	return tr->stacks_lost;
}

uint64_t clab_trace_drops(const struct clab_trace *tr)
{
	return tr->drops;
}

int clab_trace_complete(const struct clab_trace *tr)
{
	return tr->complete;
}

uint32_t clab_trace_version_major(const struct clab_trace *tr)
{
	return tr->major;
}

int clab_trace_signed(const struct clab_trace *tr)
{
	return tr->sig;
}

int clab_trace_checksum_ok(const struct clab_trace *tr)
{
	return tr->checksum;
}

uint32_t clab_trace_version_minor(const struct clab_trace *tr)
{
	return tr->minor;
}

uint64_t clab_trace_cut(const struct clab_trace *tr)
{
	return tr->cut;
}

uint64_t clab_trace_gaps(const struct clab_trace *tr)
{
	return tr->gaps;
}

uint64_t clab_trace_skipped(const struct clab_trace *tr)
{
	return tr->skipped;
}

const char *clab_trace_warning(const struct clab_trace *tr)
{
	return tr->warning;
}
