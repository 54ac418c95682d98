/*
 * The table of record kinds (CLAB_KIND_MAP) and its lookups inline, for
 * the loops that look up every record of a trace: the reader, the
 * analysis, the checks (not installed).  kinds.c defines the table and
 * the out-of-line lookups of <conclab/kinds.h> and <conclab/semantics.h>
 * over these; tests/test-semantics.c checks that both answer the same for
 * every number.
 */
#ifndef CONCLAB_KINDS_INT_H
#define CONCLAB_KINDS_INT_H

#include <conclab/kinds.h>
#include <conclab/semantics.h>

struct clab__kind_row {
	const char *name; /* NULL: no kind has the number */
	const char *a8name;
	const char *a32name;
	unsigned fields;
	struct clab_kind_sem sem;
};

/*
 * By kind number; one row more than CLAB_KIND_MAX, all zero, stands for
 * every number at or past it.
 */
extern const struct clab__kind_row clab__kind_rows[CLAB_KIND_MAX + 1];

static inline const struct clab__kind_row *clab__kind_row(unsigned kind)
{
	return &clab__kind_rows[kind < CLAB_KIND_MAX ? kind : CLAB_KIND_MAX];
}

static inline int clab__kind_valid(unsigned kind)
{
	return clab__kind_row(kind)->name != NULL;
}

/* A number no kind has: the all-zero row (its name is NULL). */
static inline const struct clab_kind_sem *clab__kind_sem(unsigned kind)
{
	return &clab__kind_row(kind)->sem;
}

static inline int clab__kind_begins_wait(unsigned kind)
{
	unsigned tm = clab__kind_sem(kind)->tmove;
	return tm == CLAB_TM_REQ || tm == CLAB_TM_WAIT || tm == CLAB_TM_BLOCK;
}

#endif
