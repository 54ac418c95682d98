/* Writing the chrome model as Chrome Trace Event JSON (docs/export.md). */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/analyze.h>
#include <conclab/error.h>
#include <conclab/export.h>
#include <conclab/kinds.h>
#include <conclab/semantics.h>
#include <conclab/trace.h>

#include "export-int.h"

/* ------------------------------------------------------------------ */
/* Writing the chrome JSON                                              */
/* ------------------------------------------------------------------ */

#define PID 1

/* One written event: model event i as phase ph ('b'/'e' for holds). */
struct item {
	size_t i;
	uint64_t ts;
	int cls; /* 0: the end of a hold that lasted, 1: the rest */
	char ph;
};

static int item_cmp(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	/* an async end first, so the next hold of a mutex opens after it */
	if (a->cls != b->cls)
		return a->cls < b->cls ? -1 : 1;
	if (a->i != b->i) /* the model is sorted already */
		return a->i < b->i ? -1 : 1;
	return (a->ph == 'e') - (b->ph == 'e'); /* b before its e */
}

static void write_head(FILE *f, const char *ph, const char *name,
		       const char *cat, uint32_t tid, uint64_t ts)
{
	fprintf(f, "{\"ph\":\"%s\",\"name\":", ph);
	clab_json_str(f, name);
	if (cat)
		clab__xjkv_str(f, "cat", cat);
	fprintf(f, ",\"pid\":%d,\"tid\":%" PRIu32, PID, tid + 1);
	clab__xjus(f, "ts", ts);
}

static void write_args(FILE *f, const struct clab_export *x,
		       const struct clab_xevent *e)
{
	const struct clab_trace *tr = x->tr;
	const struct clab_record *r = clab_trace_record(tr, e->seq);
	const struct clab_record *end = e->end_seq != CLAB_XSEQ_NONE
					    ? clab_trace_record(tr, e->end_seq)
					    : NULL;
	char buf[256];

	fprintf(f, ",\"args\":{\"seq\":%" PRIu64, e->seq);
	if (e->kind == CLAB_XEV_FLOW) {
		fputs("}", f);
		return;
	}
	if (end)
		clab__xjkv_u64(f, "end_seq", e->end_seq);
	if (e->obj && e->kind != CLAB_XEV_DIAG) {
		clab__xjkv_str(f, "object",
			       clab__xobj_name(tr, e->obj, buf, sizeof(buf)));
		clab__xjkv_u64(f, "obj", e->obj);
	}
	switch (e->kind) {
	case CLAB_XEV_WAIT:
		if (clab_kind_sem(r->kind)->a8 == CLAB_A8_HOW)
			clab__xjkv_str(f, "how", clab_how_name(r->a8));
		if (end)
			clab__xjkv_str(f, "until", clab_kind_name(end->kind));
		break;
	case CLAB_XEV_SLEEP:
		clab__xjkv_u64(f, "ms", r->a32);
		break;
	case CLAB_XEV_HOLD:
		clab__xjkv_str(f, "thread", clab__xthread_name(tr, e->tid));
		clab__xjkv_u64(f, "tid", e->tid);
		clab__xjkv_str(f, "how", clab_how_name(r->a8));
		break;
	case CLAB_XEV_NOTE: {
		const struct clab_site_info *si = clab_trace_site(tr, r->site);
		clab__xjkv_str(f, "label", si && si->label ? si->label : "");
		fprintf(f, ",\"value\":%" PRId64, r->val);
		clab__xjkv_u64(f, "value2", r->a32);
		break;
	}
	case CLAB_XEV_DIAG:
		clab__xjkv_str(f, "diag", clab_diag_tag(r->a8));
		clab__xjkv_str(f, "text", clab_diag_text(r->a8));
		if (r->obj) {
			clab__xjkv_str(
			    f, "object",
			    clab__xobj_name(tr, r->obj, buf, sizeof(buf)));
			clab__xjkv_u64(f, "obj", r->obj);
		}
		if (r->a8 == CLAB_D_BLOCKED || r->a8 == CLAB_D_LOCK_ORDER)
			clab__xjkv_str(
			    f, r->a8 == CLAB_D_BLOCKED ? "waits" : "held",
			    clab__xobj_name(tr, r->a32, buf, sizeof(buf)));
		else
			clab__xjkv_u64(f, "detail", r->a32);
		clab__xjkv_u64(f, "recorded_by", r->tid);
		break;
	case CLAB_XEV_SIGNAL:
		clab__xjkv_u64(f, "woken", r->a32);
		break;
	default:
		break;
	}
	clab__xjsite(f, tr, r->site, "site", 1);
	if (end && end->site && end->site != r->site)
		clab__xjsite(f, tr, end->site, "end_site", 0);
	if (e->unfinished)
		fputs(",\"unfinished\":true", f);
	fputs("}", f);
}

/* The trace's metadata as one JSON object; a repeated key keeps its first
 * value. */
/* s as a JSON string (malloc'd), or NULL. */
static char *json_text(const char *s)
{
	char *t = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&t, &n);
	if (!m)
		return NULL;
	clab_json_str(m, s);
	if (fclose(m) != 0) {
		free(t);
		return NULL;
	}
	return t;
}

/*
 * Each key once: the first of those that are written the same (two keys
 * that differ only in bytes that are not UTF-8 both come out as U+FFFD),
 * since a JSON object must not repeat a key.
 */
void clab__xjson_meta(FILE *f, const struct clab_trace *tr)
{
	size_t nm = clab_trace_nmeta(tr), written = 0;
	char **keys = calloc(nm ? nm : 1, sizeof(*keys));
	fputs("{", f);
	for (size_t i = 0; keys && i < nm; i++) {
		const char *k, *v;
		int dup = 0;
		clab_trace_meta_at(tr, i, &k, &v);
		keys[i] = json_text(k);
		if (!keys[i])
			continue;
		for (size_t j = 0; j < i && !dup; j++)
			dup = keys[j] && strcmp(keys[i], keys[j]) == 0;
		if (dup)
			continue;
		if (written++)
			fputs(",", f);
		fputs(keys[i], f);
		fputs(":", f);
		clab_json_str(f, v);
	}
	fputs("}", f);
	for (size_t i = 0; keys && i < nm; i++)
		free(keys[i]);
	free(keys);
}

static void write_event(FILE *f, const struct clab_export *x,
			const struct item *it)
{
	const struct clab_xevent *e = &x->ev[it->i].e;
	const char *cat = clab_export_event_cat(e);
	char name[320], ph[2] = {it->ph, 0};

	clab_export_event_name(x, e, name, sizeof(name));
	write_head(f, ph, name, cat, e->tid, it->ts);
	switch (it->ph) {
	case 'X':
		clab__xjus(f, "dur", e->dur);
		write_args(f, x, e);
		break;
	case 'b':
		fprintf(f, ",\"id\":\"0x%" PRIx32 "\"", e->obj);
		write_args(f, x, e);
		break;
	case 'e':
		fprintf(f, ",\"id\":\"0x%" PRIx32 "\"", e->obj);
		break;
	case 'i':
		fputs(",\"s\":\"t\"", f);
		write_args(f, x, e);
		break;
	case 's':
	case 'f':
		fprintf(f, ",\"id\":%" PRIu64, e->id);
		if (it->ph == 'f')
			fputs(",\"bp\":\"e\"", f);
		write_args(f, x, e);
		break;
	}
	fputs("}", f);
}

/*
 * ,"verdict":{...}: what `conclab analyze` and `conclab check` say of the
 * trace (the lock order, a deadlock, an incomplete run), from the same
 * analysis (clab_verdict_json).  Returns 0 or CLAB_ENOMEM.
 */
int clab__xjverdict(FILE *f, const struct clab_trace *tr)
{
	struct clab_analysis an;
	struct clab_verdict v;
	if (clab_analyze(tr, &an) != 0)
		return CLAB_ENOMEM;
	clab_analysis_verdict(tr, &an, &v);
	fputs(",\"verdict\":", f);
	clab_verdict_json(&v, f);
	clab_analysis_fini(&an);
	return 0;
}

int clab_export_write_chrome(const struct clab_export *x, FILE *out)
{
	const struct clab_trace *tr = x->tr;
	uint32_t nthr = clab_trace_nthreads(tr);
	size_t nit = 0;
	struct item *it = malloc((x->n * 2 + 1) * sizeof(*it));
	char buf[512];

	if (!it)
		return CLAB_ENOMEM;
	for (size_t i = 0; i < x->n; i++) {
		const struct clab_xevent *e = &x->ev[i].e;
		if (e->ph == 'H') {
			it[nit++] = (struct item){i, e->ts, 1, 'b'};
			it[nit++] = (struct item){i, e->ts + e->dur,
						  e->dur > 0 ? 0 : 1, 'e'};
		} else {
			it[nit++] = (struct item){i, e->ts, 1, e->ph};
		}
	}
	qsort(it, nit, sizeof(*it), item_cmp);

	fputs("{\"traceEvents\":[\n", out);
	const char *lab = clab_trace_meta(tr, "lab");
	const char *variant = clab_trace_meta(tr, "variant");
	if (lab)
		snprintf(buf, sizeof(buf), "conclab %s%s%s", lab,
			 variant ? " " : "", variant ? variant : "");
	else
		snprintf(buf, sizeof(buf), "conclab");
	write_head(out, "M", "process_name", NULL, 0, 0);
	fputs(",\"args\":{\"name\":", out);
	clab_json_str(out, buf);
	fputs("}}", out);
	for (uint32_t t = 0; t < nthr; t++) {
		snprintf(buf, sizeof(buf), "T%" PRIu32 " %s", t,
			 clab__xthread_name(tr, t));
		fputs(",\n", out);
		write_head(out, "M", "thread_name", NULL, t, 0);
		fputs(",\"args\":{\"name\":", out);
		clab_json_str(out, buf);
		fputs("}}", out);
		fputs(",\n", out);
		write_head(out, "M", "thread_sort_index", NULL, t, 0);
		fprintf(out, ",\"args\":{\"sort_index\":%" PRIu32 "}}", t);
	}
	for (size_t i = 0; i < nit; i++) {
		fputs(",\n", out);
		write_event(out, x, &it[i]);
	}
	free(it);
	fputs("\n],\n\"displayTimeUnit\":\"ns\",\n\"metadata\":{", out);
	fprintf(out,
		"\"source\":\"conclab\",\"trace_format\":\"%" PRIu32 ".%" PRIu32
		"\"",
		clab_trace_version_major(tr), clab_trace_version_minor(tr));
	clab__xjkv_u64(out, "records", clab_trace_nrecords(tr));
	clab__xjkv_u64(out, "dropped", clab_trace_drops(tr));
	fprintf(out, ",\"complete\":%s",
		clab_trace_complete(tr) ? "true" : "false");
	if (clab_trace_damage(tr))
		clab__xjkv_str(out, "damage", clab_trace_damage(tr));
	if (clab__xjverdict(out, tr))
		return CLAB_ENOMEM;
	fputs(",\"meta\":", out);
	clab__xjson_meta(out, tr);
	fputs("}}\n", out);
	return ferror(out) ? CLAB_EIO : 0;
}

int clab_export_chrome(const struct clab_trace *tr, FILE *out)
{
	struct clab_export *x;
	int r = clab_export_build(tr, &x);
	if (r)
		return r;
	r = clab_export_write_chrome(x, out);
	clab_export_free(x);
	return r;
}
