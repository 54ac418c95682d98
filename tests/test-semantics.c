/*
 * tracer/semantics: the table of what each record kind means
 * (CLAB_KIND_MAP's last columns, <conclab/semantics.h>) agrees with the
 * fields each kind records, and its lookups answer for unknown numbers.
 */
#include <string.h>

#include <conclab/kinds.h>
#include <conclab/semantics.h>

#include "clab-kinds.h"
#include "testutil.h"

/* A field the kind records has a meaning, and a meaning has its field. */
static void test_fields_have_meanings(void)
{
	for (unsigned k = 0; k < CLAB_KIND_MAX; k++) {
		if (!clab_kind_valid(k))
			continue;
		const struct clab_kind_sem *s = clab_kind_sem(k);
		unsigned f = clab_kind_fields(k);
		if (!!(f & CLAB_F_A8) != (s->a8 != CLAB_A8_NONE) ||
		    !!(f & CLAB_F_A32) != (s->a32 != CLAB_A32_NONE))
			CU_FAIL_FATAL(clab_kind_name(k));
		/* a flag is named, a code is named by its code */
		if ((s->a8 == CLAB_A8_FLAG || s->a8 == CLAB_A8_TIMED) &&
		    !*clab_kind_a8name(k))
			CU_FAIL(clab_kind_name(k));
		if (s->a8 == CLAB_A8_HOW &&
		    strcmp(clab_kind_a8name(k), "how") != 0)
			CU_FAIL(clab_kind_name(k));
	}
}

/* What waits, what changes an object, and what a thread does agree. */
static void test_waits_are_on_objects(void)
{
	unsigned waits = 0;
	for (unsigned k = 0; k < CLAB_KIND_MAX; k++) {
		if (!clab_kind_valid(k))
			continue;
		const struct clab_kind_sem *s = clab_kind_sem(k);
		if (clab_kind_begins_wait(k)) {
			waits++;
			CU_ASSERT(clab_kind_on_object(k));
			CU_ASSERT(s->act == CLAB_DO_REQUEST ||
				  s->act == CLAB_DO_WAIT_BEGIN ||
				  s->act == CLAB_DO_JOIN_WAIT ||
				  s->act == CLAB_DO_TIMER_WAIT);
		}
		if ((s->oe != CLAB_OE_NONE || s->waited != CLAB_WF_NONE) &&
		    !clab_kind_on_object(k))
			CU_FAIL(clab_kind_name(k));
		/* what waited for another record ends a wait or passes it */
		if (s->waited != CLAB_WF_NONE)
			CU_ASSERT(s->tmove == CLAB_TM_RUN ||
				  s->oe == CLAB_OE_PASS);
		if (s->act == CLAB_DO_ACQUIRE || s->act == CLAB_DO_WAKE)
			CU_ASSERT_EQUAL(s->tmove, CLAB_TM_RUN);
	}
	CU_ASSERT_EQUAL(waits, 15);
	CU_ASSERT(clab_kind_begins_wait(CLAB_K_COND_WAIT));
	CU_ASSERT(!clab_kind_begins_wait(CLAB_K_SLEEP_BEGIN));
	CU_ASSERT(!clab_kind_begins_wait(CLAB_K_COND_SIGNAL));
	CU_ASSERT(!clab_kind_on_object(CLAB_K_DIAG));
	CU_ASSERT(!clab_kind_on_object(CLAB_K_NOTE));
}

/* An unknown number means nothing, a code's text comes from its table. */
static void test_lookups(void)
{
	const struct clab_kind_sem *s = clab_kind_sem(CLAB_KIND_MAX + 3);
	CU_ASSERT_EQUAL(s->act, CLAB_DO_OTHER);
	CU_ASSERT_EQUAL(s->tmove, CLAB_TM_KEEP);
	CU_ASSERT_EQUAL(s->oe, CLAB_OE_NONE);
	CU_ASSERT(!clab_kind_begins_wait(CLAB_KIND_MAX + 3));
	CU_ASSERT(!clab_kind_begins_wait(0));
	CU_ASSERT_STRING_EQUAL(
	    clab_kind_a8_text(CLAB_K_MUTEX_ACQUIRE, CLAB_HOW_TRY), "try");
	CU_ASSERT_STRING_EQUAL(
	    clab_kind_a8_text(CLAB_K_COND_WAKE, CLAB_CAUSE_TIMEOUT), "timeout");
	CU_ASSERT_STRING_EQUAL(
	    clab_kind_a8_text(CLAB_K_QUEUE_CLOSED, CLAB_QOP_GET), "get");
	CU_ASSERT_PTR_NULL(clab_kind_a8_text(CLAB_K_RW_RELEASE, 1));
	CU_ASSERT_PTR_NULL(clab_kind_a8_text(CLAB_K_COND_WAIT, 1));
	CU_ASSERT_PTR_NULL(clab_kind_a8_text(CLAB_KIND_MAX, 1));
	CU_ASSERT_EQUAL(clab_kind_sem(CLAB_K_COND_WAIT)->a32, CLAB_A32_OBJECT);
	CU_ASSERT_EQUAL(clab_kind_sem(CLAB_K_MUTEX_RELEASE)->act,
			CLAB_DO_RELEASE);
}

/* The map's row of a kind number, or NULL when no kind has it. */
static const struct clab__kind_row *map_row(unsigned kind)
{
	static const struct clab__kind_row rows[] = {
#define ROW(nm, num, text, f, a8n, a32n, d, tm, a8m, a32m, oeff, wf)           \
	{text,                                                                 \
	 a8n,                                                                  \
	 a32n,                                                                 \
	 (f),                                                                  \
	 {CLAB_DO_##d, CLAB_TM_##tm, CLAB_A8_##a8m, CLAB_A32_##a32m,           \
	  CLAB_OE_##oeff, CLAB_WF_##wf}},
	    CLAB_KIND_MAP(ROW)
#undef ROW
	};
	static const unsigned nums[] = {
#define NUM(nm, num, ...) num,
	    CLAB_KIND_MAP(NUM)
#undef NUM
	};
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		if (nums[i] == kind)
			return &rows[i];
	return NULL;
}

/*
 * The inline lookups the analysis uses (clab-kinds.h) answer what the
 * kind map says, as the out-of-line ones do, for every number: a number
 * no kind has, below the table's end, at it or far past it, is invalid
 * and means nothing.
 */
static void test_inline_lookups(void)
{
	static const struct clab_kind_sem zero;
	unsigned far[] = {CLAB_KIND_MAX,
			  CLAB_KIND_MAX + 1,
			  255,
			  256,
			  0x10000u + CLAB_K_MUTEX_ACQUIRE,
			  ~0u};
	unsigned nvalid = 0;
	for (unsigned i = 0; i < CLAB_KIND_MAX + 6; i++) {
		unsigned k = i < CLAB_KIND_MAX ? i : far[i - CLAB_KIND_MAX];
		const struct clab__kind_row *m = map_row(k);
		const struct clab_kind_sem *s = clab__kind_sem(k);
		CU_ASSERT_EQUAL(clab__kind_valid(k), m != NULL);
		CU_ASSERT_EQUAL(clab_kind_valid(k), m != NULL);
		CU_ASSERT_PTR_EQUAL(clab_kind_sem(k), s);
		CU_ASSERT_EQUAL(clab__kind_begins_wait(k),
				clab_kind_begins_wait(k));
		CU_ASSERT_EQUAL(memcmp(s, m ? &m->sem : &zero, sizeof(*s)), 0);
		CU_ASSERT_EQUAL(clab_kind_fields(k), m ? m->fields : 0);
		CU_ASSERT_STRING_EQUAL(clab_kind_name(k), m ? m->name : "?");
		CU_ASSERT_STRING_EQUAL(clab_kind_a8name(k), m ? m->a8name : "");
		CU_ASSERT_STRING_EQUAL(clab_kind_a32name(k),
				       m ? m->a32name : "");
		nvalid += m != NULL;
	}
	CU_ASSERT(nvalid > 40);
}

/* A diagnostic's detail: its name and what it is, from the diag table. */
static void test_diag_details(void)
{
	CU_ASSERT_STRING_EQUAL(clab_diag_detail_name(CLAB_D_BLOCKED), "waits");
	CU_ASSERT_EQUAL(clab_diag_detail(CLAB_D_BLOCKED), CLAB_DD_OBJECT);
	CU_ASSERT_STRING_EQUAL(clab_diag_detail_name(CLAB_D_LOCK_ORDER),
			       "held");
	CU_ASSERT_EQUAL(clab_diag_detail(CLAB_D_UNLOCK_NOT_OWNER),
			CLAB_DD_THREAD);
	CU_ASSERT_EQUAL(clab_diag_detail(CLAB_D_BAD_OBJECT), CLAB_DD_BADOBJ);
	CU_ASSERT_EQUAL(clab_diag_detail(CLAB_D_STEP_LIMIT), CLAB_DD_COUNT);
	CU_ASSERT_STRING_EQUAL(clab_diag_detail_name(CLAB_D_RELOCK), "detail");
	CU_ASSERT_EQUAL(clab_diag_detail(CLAB_D_RELOCK), CLAB_DD_DETAIL);
	/* an unknown code: a number, shown when it is not 0 */
	CU_ASSERT_STRING_EQUAL(clab_diag_detail_name(200), "detail");
	CU_ASSERT_EQUAL(clab_diag_detail(200), CLAB_DD_DETAIL);
	/* a named detail is never the anonymous kind, and the reverse */
	for (unsigned d = 1; d < 64; d++) {
		if (clab_diag_tag(d)[0] == '?')
			continue;
		int anon = strcmp(clab_diag_detail_name(d), "detail") == 0;
		unsigned dd = clab_diag_detail(d);
		if (anon != (dd == CLAB_DD_DETAIL || dd == CLAB_DD_BADOBJ))
			CU_FAIL(clab_diag_tag(d));
	}
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "every field has a meaning", test_fields_have_meanings);
	CU_add_test(s, "waits are on objects", test_waits_are_on_objects);
	CU_add_test(s, "lookups", test_lookups);
	CU_add_test(s, "inline lookups", test_inline_lookups);
	CU_add_test(s, "diagnostic details", test_diag_details);
}

int main(void)
{
	return tu_main("tracer/semantics", add_tests);
}
