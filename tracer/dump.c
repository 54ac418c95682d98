/*
 * The stable text form of a trace: '#' header lines, then one record a
 * line.  Same trace, same bytes: nothing here depends on the machine, the
 * locale or the time of the dump.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <conclab/error.h>
#include <conclab/semantics.h>
#include <conclab/trace.h>

/* A compile-time path as it is shown: without leading "./" and "../". */
const char *clab_site_path(const char *f)
{
	if (!f || !*f)
		return "?";
	while (strncmp(f, "../", 3) == 0 || strncmp(f, "./", 2) == 0)
		f += f[1] == '/' ? 2 : 3;
	return f;
}

const char *clab_trace_objname(const struct clab_trace *tr, uint32_t oid,
			       char *buf, size_t len)
{
	const struct clab_object_info *o = clab_trace_object(tr, oid);
	if (!o)
		snprintf(buf, len, "#%" PRIu32, oid);
	else if (o->kind == CLAB_O_THREAD)
		snprintf(buf, len, "T%" PRIu32 "(%s)",
			 clab_trace_thread_of_obj(tr, oid), o->name);
	else
		snprintf(buf, len, "%s#%" PRIu32, o->name[0] ? o->name : "?",
			 oid);
	return buf;
}

static const char *a8_text(unsigned kind, unsigned v, char *buf, size_t len)
{
	const char *text = clab_kind_a8_text(kind, v);
	if (text)
		return text;
	snprintf(buf, len, "%u", v);
	return buf;
}

int clab_trace_format_record(const struct clab_trace *tr,
			     const struct clab_record *r, char *buf, size_t len)
{
	const struct clab_thread_info *th = clab_trace_thread(tr, r->tid);
	const struct clab_site_info *si = clab_trace_site(tr, r->site);
	unsigned f = clab_kind_fields(r->kind);
	const struct clab_kind_sem *sem = clab_kind_sem(r->kind);
	char obj[96] = "-", args[192] = "", tmp[96], a8b[16];
	size_t n = 0;

	if (f & CLAB_F_OBJ && r->obj)
		clab_trace_objname(tr, r->obj, obj, sizeof(obj));
#define ARG(...)                                                               \
	do {                                                                   \
		if (n < sizeof(args))                                          \
			n += (size_t)snprintf(args + n, sizeof(args) - n,      \
					      __VA_ARGS__);                    \
	} while (0)
	if (sem->act == CLAB_DO_NOTE) {
		ARG(" %s=%" PRId64, si && si->label ? si->label : "?", r->val);
		if (r->a32)
			ARG(" %" PRIu32, r->a32);
	} else if (sem->act == CLAB_DO_DIAG) {
		const char *dn = clab_diag_detail_name(r->a8);
		ARG(" %s", clab_diag_tag(r->a8));
		switch (clab_diag_detail(r->a8)) {
		case CLAB_DD_OBJECT:
			if (r->a32)
				ARG(" %s=%s", dn,
				    clab_trace_objname(tr, r->a32, tmp,
						       sizeof(tmp)));
			break;
		case CLAB_DD_THREAD:
			ARG(" %s=T%" PRIu32, dn, r->a32);
			break;
		case CLAB_DD_BADOBJ:
			ARG(" why=%s want=%s", clab_badobj_name(r->a32 & 0xff),
			    clab_objkind_name(r->a32 >> 8 & 0xff));
			if (r->a32 >> 16 & 0xff)
				ARG(" found=%s",
				    clab_objkind_name(r->a32 >> 16 & 0xff));
			break;
		case CLAB_DD_COUNT:
			ARG(" %s=%" PRIu32, dn, r->a32);
			break;
		default:
			if (r->a32)
				ARG(" %s=%" PRIu32, dn, r->a32);
			break;
		}
	} else {
		if (f & CLAB_F_A8 && sem->a8 != CLAB_A8_TIMED)
			ARG(" %s=%s", clab_kind_a8name(r->kind),
			    a8_text(r->kind, r->a8, a8b, sizeof(a8b)));
		if (sem->a32 == CLAB_A32_OBJECT) {
			ARG(" %s=%s", clab_kind_a32name(r->kind),
			    clab_trace_objname(tr, r->a32, tmp, sizeof(tmp)));
		} else if (f & CLAB_F_A32) {
			const char *an = clab_kind_a32name(r->kind);
			ARG(" %s%s%" PRIu32, an, *an ? "=" : "", r->a32);
		}
		if (sem->a8 == CLAB_A8_TIMED && r->a8)
			ARG(" %s", clab_kind_a8name(r->kind));
		if (f & CLAB_F_SEQ)
			ARG(" oseq=%" PRIu32, r->oseq);
	}
	if (r->stack)
		ARG(" stack=%u", r->stack);
#undef ARG
	char site[160];
	if (si)
		snprintf(site, sizeof(site), "%s:%d %s",
			 clab_site_path(si->file), si->line,
			 si->func && *si->func ? si->func : "?");
	else
		snprintf(site, sizeof(site), "-");
	return snprintf(buf, len,
			"%8" PRIu64 " %4" PRIu64 ".%09" PRIu64 " T%-2" PRIu32
			" %-12s %-18s %-16s%s @ %s",
			r->seq, r->ns / 1000000000u, r->ns % 1000000000u,
			r->tid, th ? th->name : "?", clab_kind_name(r->kind),
			obj, args, site);
}

int clab_trace_dump(const struct clab_trace *tr, FILE *out)
{
	char line[768];
	fprintf(out, "# conclab trace, format %" PRIu32 ".%" PRIu32 "\n",
		clab_trace_version_major(tr), clab_trace_version_minor(tr));
	for (size_t i = 0; i < clab_trace_nmeta(tr); i++) {
		const char *k, *v;
		clab_trace_meta_at(tr, i, &k, &v);
		fprintf(out, "# meta %s=%s\n", k, v);
	}
	fprintf(out, "# threads %" PRIu32 "\n", clab_trace_nthreads(tr));
	for (uint32_t t = 0; t < clab_trace_nthreads(tr); t++) {
		const struct clab_thread_info *th = clab_trace_thread(tr, t);
		fprintf(out,
			"#   T%" PRIu32 " %s (object %" PRIu32
			", started by T%" PRIu32 ")\n",
			th->tid, th->name, th->oid, th->parent);
	}
	fprintf(out, "# objects %" PRIu32 "\n", clab_trace_nobjects(tr));
	for (uint32_t o = 1; o <= clab_trace_nobjects(tr); o++) {
		const struct clab_object_info *ob = clab_trace_object(tr, o);
		if (ob->kind == CLAB_O_THREAD)
			continue;
		const struct clab_site_info *si = clab_trace_site(tr, ob->site);
		fprintf(out, "#   %" PRIu32 " %s %s", o,
			clab_objkind_name(ob->kind), ob->name);
		if (ob->param)
			fprintf(out, " param=%" PRIu32, ob->param);
		if (ob->flags)
			fprintf(out, " flags=%u", ob->flags);
		fprintf(out, " (T%" PRIu32, ob->tid);
		if (si)
			fprintf(out, " at %s:%d", clab_site_path(si->file),
				si->line);
		fprintf(out, ")\n");
	}
	if (clab_trace_nstacks(tr) || clab_trace_stacks_lost(tr)) {
		fprintf(out, "# stacks %" PRIu32, clab_trace_nstacks(tr));
		if (clab_trace_stacks_lost(tr))
			fprintf(out,
				", %" PRIu64 " records without one (the table "
				"of stacks was full)",
				clab_trace_stacks_lost(tr));
		fprintf(out, "\n");
	}
	for (uint32_t i = 1; i <= clab_trace_nstacks(tr); i++) {
		const struct clab_stack_info *st = clab_trace_stack(tr, i);
		fprintf(out, "# stack %" PRIu32 ":", i);
		for (uint32_t k = 0; k < st->nframes; k++) {
			const struct clab_frame_info *fr = &st->frames[k];
			fprintf(out, "%s %s (%s", k ? " <-" : "", fr->func,
				clab_site_path(fr->file));
			if (fr->line)
				fprintf(out, ":%d", fr->line);
			fprintf(out, ")");
		}
		fprintf(out, "\n");
	}
	fprintf(out, "# records %zu", clab_trace_nrecords(tr));
	if (clab_trace_complete(tr))
		fprintf(out, ", dropped %" PRIu64, clab_trace_drops(tr));
	if (clab_trace_gaps(tr))
		fprintf(out, ", ordered by time alone %" PRIu64,
			clab_trace_gaps(tr));
	if (clab_trace_skipped(tr))
		fprintf(out, ", skipped %" PRIu64, clab_trace_skipped(tr));
	if (clab_trace_cut(tr))
		fprintf(out, ", past the consistent cut %" PRIu64,
			clab_trace_cut(tr));
	fprintf(out, "\n");
	if (clab_trace_incomplete(tr))
		fprintf(out, "# incomplete: %s\n", clab_trace_incomplete(tr));
	if (clab_trace_checksum_ok(tr) > 0)
		fprintf(out, "# content checksum ok\n");
	if (clab_trace_signed(tr))
		fprintf(out, "# signed (not verified: conclab check --key "
			     "verifies)\n");
	if (clab_trace_warning(tr))
		fprintf(out, "# warning: %s\n", clab_trace_warning(tr));
	if (clab_trace_damage(tr))
		fprintf(out, "# damaged: %s\n", clab_trace_damage(tr));
	fprintf(out, "#      seq         time thread          kind"
		     "               object           args @ site\n");
	for (size_t i = 0; i < clab_trace_nrecords(tr); i++) {
		clab_trace_format_record(tr, clab_trace_record(tr, i), line,
					 sizeof(line));
		fputs(line, out);
		fputc('\n', out);
	}
	fflush(out);
	return ferror(out) ? CLAB_EIO : 0;
}
