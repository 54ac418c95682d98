/* What a loaded trace answers: its records, threads, objects, sites,
 * stacks and metadata, and how whole it is. */
#include <inttypes.h>
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

const struct clab_thread_info *clab_trace_thread(const struct clab_trace *tr,
						 uint32_t tid)
{
	return tid < tr->nthreads ? &tr->threads[tid] : NULL;
}

uint32_t clab_trace_thread_of_obj(const struct clab_trace *tr, uint32_t oid)
{
	return oid <= tr->nobjs ? tr->obj2tid[oid] : UINT32_MAX;
}

uint32_t clab_trace_nobjects(const struct clab_trace *tr)
{
	return tr->nobjs;
}

const struct clab_object_info *clab_trace_object(const struct clab_trace *tr,
						 uint32_t oid)
{
	return oid >= 1 && oid <= tr->nobjs ? &tr->objs[oid - 1] : NULL;
}

const char *clab_trace_thread_label(const struct clab_trace *tr, uint32_t tid)
{
	return tid < tr->nthreads ? tr->threads[tid].label : "?";
}

const char *clab_trace_object_label(const struct clab_trace *tr, uint32_t oid)
{
	return oid >= 1 && oid <= tr->nobjs ? tr->objs[oid - 1].label : "?";
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
