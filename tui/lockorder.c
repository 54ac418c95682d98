/*
 * The lock-order cycles of a trace, copied out of the tracer's analysis
 * into arrays the lock-order view can draw without the detector.
 */
#include <stdlib.h>
#include <string.h>

#include <conclab/analyze.h>
#include <conclab/error.h>

#include "lockorder.h"

void clab_lorder_fini(struct clab_lorder *lo)
{
	if (!lo)
		return;
	for (uint32_t i = 0; i < lo->ncycles; i++)
		free(lo->cycles[i].edges);
	free(lo->cycles);
	memset(lo, 0, sizeof(*lo));
}

static int is_cycle_diag(unsigned a8)
{
	return a8 == CLAB_D_LOCK_CYCLE || a8 == CLAB_D_LOCK_CYCLE_TIMED ||
	       a8 == CLAB_D_LOCK_CYCLE_LATENT;
}

/* The lock-cycle diagnostics of a trace: record numbers, in order. */
static uint32_t *cycle_diags(const struct clab_trace *tr, size_t *count)
{
	size_t n = clab_trace_nrecords(tr), nd = 0, cap = 0;
	uint32_t *d = NULL;
	for (size_t i = 0; i < n; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		if (r->kind != CLAB_K_DIAG || !is_cycle_diag(r->a8))
			continue;
		if (nd == cap) {
			cap = cap ? cap * 2 : 16;
			uint32_t *p = realloc(d, cap * sizeof(*d));
			if (!p)
				break; /* fewer links; nothing worse */
			d = p;
		}
		d[nd++] = (uint32_t)i;
	}
	*count = nd;
	return d;
}

/*
 * The lock-cycle diagnostic the run recorded for cycle number id (from 1):
 * the one with that number nearest to the closing record.
 */
static uint32_t find_diag(const struct clab_trace *tr, const uint32_t *d,
			  size_t nd, uint32_t id, uint32_t record)
{
	uint32_t best = UINT32_MAX;
	uint64_t bestd = UINT64_MAX;
	for (size_t k = 0; k < nd; k++) {
		if (clab_trace_record(tr, d[k])->a32 != id)
			continue;
		uint64_t dist = d[k] > record ? d[k] - record : record - d[k];
		if (dist < bestd) {
			bestd = dist;
			best = d[k];
		}
	}
	return best;
}

int clab_lorder_build(const struct clab_trace *tr, struct clab_lorder *lo)
{
	struct clab_analysis an;
	memset(lo, 0, sizeof(*lo));
	int err = clab_analyze(tr, &an);
	if (err)
		return err;
	uint32_t nc = clab_lockdep_ncycles(an.ld);
	size_t nrec = clab_trace_nrecords(tr), nd = 0;
	uint32_t *diags = nc ? cycle_diags(tr, &nd) : NULL;
	if (nc && !(lo->cycles = calloc(nc, sizeof(*lo->cycles)))) {
		clab_analysis_fini(&an);
		free(diags);
		return CLAB_ENOMEM;
	}
	for (uint32_t i = 0; i < nc; i++) {
		const struct clab_ld_cycle *c = clab_lockdep_cycle(an.ld, i);
		struct clab_lorder_cycle *d = &lo->cycles[i];
		d->edges = calloc(c->nedges ? c->nedges : 1, sizeof(*d->edges));
		if (!d->edges) {
			clab_analysis_fini(&an);
			clab_lorder_fini(lo);
			free(diags);
			return CLAB_ENOMEM;
		}
		lo->ncycles = i + 1;
		/* start from the lowest lock, as `conclab analyze` does */
		uint32_t first = 0;
		for (uint32_t k = 1; k < c->nedges; k++)
			if (clab_lockdep_edge(an.ld, c->edges[k])->from <
			    clab_lockdep_edge(an.ld, c->edges[first])->from)
				first = k;
		for (uint32_t k = 0; k < c->nedges; k++) {
			const struct clab_ld_edge *e = clab_lockdep_edge(
			    an.ld, c->edges[(first + k) % c->nedges]);
			d->edges[k] = (struct clab_lorder_edge){
			    .from = e->from,
			    .to = e->to,
			    .tid = e->tid,
			    .from_site = e->from_site,
			    .to_site = e->to_site,
			    .first = e->first_seq < nrec
					 ? (uint32_t)e->first_seq
					 : UINT32_MAX,
			    .count = e->count,
			};
		}
		d->nedges = c->nedges;
		d->cls = c->cls;
		d->gate = c->gate;
		d->gate_permits = c->gate_permits;
		d->tid = c->tid;
		d->record = c->seq < nrec ? (uint32_t)c->seq : UINT32_MAX;
		d->diag = find_diag(tr, diags, nd, c->id + 1, d->record);
	}
	free(diags);
	clab_analysis_fini(&an);
	return 0;
}
