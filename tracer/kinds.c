#include <conclab/kinds.h>

#include <stddef.h>

struct kind_info {
	const char *name;
	const char *a8name;
	const char *a32name;
	unsigned fields;
};

static const struct kind_info kinds[CLAB_KIND_MAX] = {
#define CLAB__KIND_INFO(nm, num, text, f, a8, a32)                             \
	[num] = {.name = text, .a8name = a8, .a32name = a32, .fields = (f)},
    CLAB_KIND_MAP(CLAB__KIND_INFO)
#undef CLAB__KIND_INFO
};

int clab_kind_valid(unsigned kind)
{
	return kind < CLAB_KIND_MAX && kinds[kind].name != NULL;
}

const char *clab_kind_name(unsigned kind)
{
	return clab_kind_valid(kind) ? kinds[kind].name : "?";
}

unsigned clab_kind_fields(unsigned kind)
{
	return clab_kind_valid(kind) ? kinds[kind].fields : 0;
}

const char *clab_kind_a8name(unsigned kind)
{
	return clab_kind_valid(kind) ? kinds[kind].a8name : "";
}

const char *clab_kind_a32name(unsigned kind)
{
	return clab_kind_valid(kind) ? kinds[kind].a32name : "";
}

int clab_kind_begins_wait(unsigned kind)
{
	switch (kind) {
	case CLAB_K_MUTEX_REQUEST:
	case CLAB_K_COND_WAIT:
	case CLAB_K_SEM_WAIT:
	case CLAB_K_LATCH_WAIT:
	case CLAB_K_BARRIER_WAIT:
	case CLAB_K_QUEUE_PUT_WAIT:
	case CLAB_K_QUEUE_GET_WAIT:
	case CLAB_K_QUEUE_JOIN_WAIT:
	case CLAB_K_THREAD_JOIN_WAIT:
	case CLAB_K_PTIMER_WAIT:
	case CLAB_K_RW_READ_REQUEST:
	case CLAB_K_RW_WRITE_REQUEST:
	case CLAB_K_PROC_WAIT:
	case CLAB_K_PIPE_WRITE_WAIT:
	case CLAB_K_PIPE_READ_WAIT:
		return 1;
	default:
		return 0;
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

#define CLAB__DIAG_TAG(name, num, tag, text)                                   \
	case num:                                                              \
		return tag;
#define CLAB__DIAG_TEXT(name, num, tag, text)                                  \
	case num:                                                              \
		return text;
CLAB__TABLE_FN(clab_diag_tag, CLAB_DIAG_MAP, CLAB__DIAG_TAG)
CLAB__TABLE_FN(clab_diag_text, CLAB_DIAG_MAP, CLAB__DIAG_TEXT)
