/* Exporting a trace as JSON Lines: a header, then one line a record. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <conclab/analyze.h>
#include <conclab/error.h>
#include <conclab/export.h>
#include <conclab/kinds.h>
#include <conclab/semantics.h>
#include <conclab/trace.h>

#include "export-int.h"

/* ------------------------------------------------------------------ */
/* JSON Lines                                                           */
/* ------------------------------------------------------------------ */

static int jsonl_header(FILE *f, const struct clab_trace *tr)
{
	char buf[256];
	fprintf(f, "{\"type\":\"trace\",\"format\":\"%" PRIu32 ".%" PRIu32 "\"",
		clab_trace_version_major(tr), clab_trace_version_minor(tr));
	clab__xjkv_u64(f, "records", clab_trace_nrecords(tr));
	fprintf(f, ",\"complete\":%s",
		clab_trace_complete(tr) ? "true" : "false");
	clab__xjkv_u64(f, "dropped", clab_trace_drops(tr));
	clab__xjkv_u64(f, "gaps", clab_trace_gaps(tr));
	if (clab_trace_damage(tr))
		clab__xjkv_str(f, "damage", clab_trace_damage(tr));
	else
		fputs(",\"damage\":null", f);
	if (clab__xjverdict(f, tr))
		return CLAB_ENOMEM;
	fputs(",\"meta\":", f);
	clab__xjson_meta(f, tr);
	fputs(",\"threads\":[", f);
	for (uint32_t t = 0; t < clab_trace_nthreads(tr); t++) {
		const struct clab_thread_info *ti = clab_trace_thread(tr, t);
		fprintf(f, "%s{\"tid\":%" PRIu32, t ? "," : "", t);
		clab__xjkv_str(f, "name", ti->name);
		clab__xjkv_u64(f, "obj", ti->oid);
		clab__xjkv_u64(f, "parent", ti->parent);
		fputs("}", f);
	}
	fputs("],\"objects\":[", f);
	for (uint32_t o = 1; o <= clab_trace_nobjects(tr); o++) {
		const struct clab_object_info *oi = clab_trace_object(tr, o);
		if (!oi)
			continue;
		fprintf(f, "%s{\"obj\":%" PRIu32, o > 1 ? "," : "", o);
		clab__xjkv_str(f, "kind", clab_objkind_name(oi->kind));
		clab__xjkv_str(f, "name",
			       clab__xobj_name(tr, o, buf, sizeof(buf)));
		clab__xjkv_u64(f, "flags", oi->flags);
		clab__xjkv_u64(f, "param", oi->param);
		clab__xjkv_u64(f, "tid", oi->tid);
		clab__xjsite(f, tr, oi->site, "site", 1);
		fputs("}", f);
	}
	fputs("]}\n", f);
	return 0;
}

static void jsonl_a8(FILE *f, const struct clab_record *r)
{
	const char *name = clab_kind_a8name(r->kind);
	const char *text = clab_kind_a8_text(r->kind, r->a8);
	if (text)
		clab__xjkv_str(f, name, text);
	else if (name[0])
		fprintf(f, ",\"%s\":%s", name, r->a8 ? "true" : "false");
	else
		clab__xjkv_u64(f, "a8", r->a8);
}

static void jsonl_record(FILE *f, const struct clab_trace *tr,
			 const struct clab_record *r)
{
	unsigned fl = clab_kind_fields(r->kind);
	const struct clab_kind_sem *sem = clab_kind_sem(r->kind);
	char buf[256];
	fprintf(f, "{\"seq\":%" PRIu64 ",\"ns\":%" PRIu64 ",\"tid\":%" PRIu32,
		r->seq, r->ns, r->tid);
	clab__xjkv_str(f, "thread", clab__xthread_name(tr, r->tid));
	clab__xjkv_str(f, "kind", clab_kind_name(r->kind));
	if (fl & CLAB_F_OBJ && (r->obj || clab_kind_on_object(r->kind))) {
		clab__xjkv_u64(f, "obj", r->obj);
		clab__xjkv_str(f, "object",
			       clab__xobj_name(tr, r->obj, buf, sizeof(buf)));
	}
	if (fl & CLAB_F_SEQ)
		clab__xjkv_u64(f, "oseq", r->oseq);
	if (sem->act == CLAB_DO_NOTE) {
		const struct clab_site_info *si = clab_trace_site(tr, r->site);
		clab__xjkv_str(f, "label", si && si->label ? si->label : "");
		fprintf(f, ",\"value\":%" PRId64, r->val);
		clab__xjkv_u64(f, "value2", r->a32);
	} else if (sem->act == CLAB_DO_DIAG) {
		clab__xjkv_str(f, "diag", clab_diag_tag(r->a8));
		clab__xjkv_u64(f, clab_diag_detail_name(r->a8), r->a32);
		if (clab_diag_detail(r->a8) == CLAB_DD_BADOBJ) {
			clab__xjkv_str(f, "why",
				       clab_badobj_name(r->a32 & 0xff));
			clab__xjkv_str(f, "want",
				       clab_objkind_name(r->a32 >> 8 & 0xff));
			if (r->a32 >> 16 & 0xff)
				clab__xjkv_str(
				    f, "found",
				    clab_objkind_name(r->a32 >> 16 & 0xff));
		}
	} else {
		if (fl & CLAB_F_A8)
			jsonl_a8(f, r);
		if (fl & CLAB_F_A32) {
			const char *n = clab_kind_a32name(r->kind);
			clab__xjkv_u64(f, n[0] ? n : "a32", r->a32);
		}
		if (fl & CLAB_F_VAL)
			fprintf(f, ",\"val\":%" PRId64, r->val);
	}
	clab__xjsite(f, tr, r->site, "site", 1);
	fputs("}\n", f);
}

int clab_export_jsonl(const struct clab_trace *tr, FILE *out)
{
	size_t n = clab_trace_nrecords(tr);
	if (jsonl_header(out, tr))
		return CLAB_ENOMEM;
	for (size_t i = 0; i < n && !ferror(out); i++)
		jsonl_record(out, tr, clab_trace_record(tr, i));
	return ferror(out) ? CLAB_EIO : 0;
}
