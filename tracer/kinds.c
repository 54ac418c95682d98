#include <conclab/kinds.h>
#include <conclab/semantics.h>

#include <stddef.h>

#include "clab-kinds.h"

/* Every kind's number has its row, below the all-zero one. */
#define CLAB__KIND_BELOW(nm, num, ...)                                         \
	_Static_assert((num) < CLAB_KIND_MAX, "kind " #nm " past the table");
CLAB_KIND_MAP(CLAB__KIND_BELOW)
#undef CLAB__KIND_BELOW

const struct clab__kind_row clab__kind_rows[CLAB_KIND_MAX + 1] = {
#define CLAB__KIND_INFO(nm, num, text, f, a8n, a32n, d, tm, a8m, a32m, oeff,   \
			wf)                                                    \
	[num] = {.name = text,                                                 \
		 .a8name = a8n,                                                \
		 .a32name = a32n,                                              \
		 .fields = (f),                                                \
		 .sem = {CLAB_DO_##d, CLAB_TM_##tm, CLAB_A8_##a8m,             \
			 CLAB_A32_##a32m, CLAB_OE_##oeff, CLAB_WF_##wf}},
    CLAB_KIND_MAP(CLAB__KIND_INFO)
#undef CLAB__KIND_INFO
};

int clab_kind_valid(unsigned kind)
{
	return clab__kind_valid(kind);
}

const char *clab_kind_name(unsigned kind)
{
	return clab__kind_valid(kind) ? clab__kind_row(kind)->name : "?";
}

unsigned clab_kind_fields(unsigned kind)
{
	return clab__kind_row(kind)->fields;
}

const char *clab_kind_a8name(unsigned kind)
{
	return clab__kind_valid(kind) ? clab__kind_row(kind)->a8name : "";
}

const char *clab_kind_a32name(unsigned kind)
{
	return clab__kind_valid(kind) ? clab__kind_row(kind)->a32name : "";
}

const struct clab_kind_sem *clab_kind_sem(unsigned kind)
{
	return clab__kind_sem(kind);
}

int clab_kind_begins_wait(unsigned kind)
{
	return clab__kind_begins_wait(kind);
}

int clab_kind_on_object(unsigned kind)
{
	return clab_kind_fields(kind) & CLAB_F_OBJ &&
	       clab__kind_sem(kind)->act != CLAB_DO_DIAG;
}

const char *clab_kind_a8_text(unsigned kind, unsigned a8)
{
	switch (clab__kind_sem(kind)->a8) {
	case CLAB_A8_HOW:
		return clab_how_name(a8);
	case CLAB_A8_CAUSE:
		return clab_cause_name(a8);
	case CLAB_A8_QOP:
		return clab_qop_name(a8);
	default:
		return NULL;
	}
}

#define CLAB__TABLE_FN(fn, map, type)                                          \
	const char *fn(unsigned v)                                             \
	{                                                                      \
		switch (v) {                                                   \
			map(type) default : return "?";                        \
		}                                                              \
	}

#define CLAB__CASE3(name, num, text)                                           \
	case num:                                                              \
		return text;
CLAB__TABLE_FN(clab_objkind_name, CLAB_OBJKIND_MAP, CLAB__CASE3)
CLAB__TABLE_FN(clab_how_name, CLAB_HOW_MAP, CLAB__CASE3)
CLAB__TABLE_FN(clab_cause_name, CLAB_CAUSE_MAP, CLAB__CASE3)
CLAB__TABLE_FN(clab_qop_name, CLAB_QOP_MAP, CLAB__CASE3)
CLAB__TABLE_FN(clab_badobj_name, CLAB_BADOBJ_MAP, CLAB__CASE3)

#define CLAB__DIAG_TAG(name, num, tag, ...)                                    \
	case num:                                                              \
		return tag;
#define CLAB__DIAG_TEXT(name, num, tag, text, ...)                             \
	case num:                                                              \
		return text;
CLAB__TABLE_FN(clab_diag_tag, CLAB_DIAG_MAP, CLAB__DIAG_TAG)
CLAB__TABLE_FN(clab_diag_text, CLAB_DIAG_MAP, CLAB__DIAG_TEXT)

const char *clab_diag_detail_name(unsigned diag)
{
	switch (diag) {
#define CLAB__DIAG_DNAME(name, num, tag, text, dname, dtype)                   \
	case num:                                                              \
		return dname;
		CLAB_DIAG_MAP(CLAB__DIAG_DNAME)
#undef CLAB__DIAG_DNAME
	default:
		return "detail";
	}
}

unsigned clab_diag_detail(unsigned diag)
{
	switch (diag) {
#define CLAB__DIAG_DTYPE(name, num, tag, text, dname, dtype)                   \
	case num:                                                              \
		return CLAB_DD_##dtype;
		CLAB_DIAG_MAP(CLAB__DIAG_DTYPE)
#undef CLAB__DIAG_DTYPE
	default:
		return CLAB_DD_DETAIL;
	}
}
