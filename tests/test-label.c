/*
 * tracer/label: how reports name things and fold long lines (label.h).
 */
#include <stdlib.h>
#include <string.h>

#include <conclab/label.h>

#include "testutil.h"

/* s folded at width with indent, as one string. */
static char *wrap(const char *s, unsigned width, unsigned indent)
{
	size_t n = clab_wrap(NULL, 0, s, width, indent);
	char *buf = malloc(n + 1);
	CU_ASSERT_FATAL(buf != NULL);
	CU_ASSERT_EQUAL(clab_wrap(buf, n + 1, s, width, indent), n);
	CU_ASSERT_EQUAL(strlen(buf), n);
	return buf;
}

#define WRAPS(s, width, indent, want)                                          \
	do {                                                                   \
		char *got_ = wrap((s), (width), (indent));                     \
		CU_ASSERT_STRING_EQUAL(got_, (want));                          \
		free(got_);                                                    \
	} while (0)

static void test_wrap(void)
{
	/* short: as it is, with its newline; leading spaces kept */
	WRAPS("  ok   done", 20, 4, "  ok   done\n");
	WRAPS("", 20, 4, "\n");
	/* at the last space that fits; the break's spaces go */
	WRAPS("one two three four", 9, 2, "one two\n  three\n  four\n");
	/* exactly the width fits */
	WRAPS("abcd efgh", 9, 0, "abcd efgh\n");
	WRAPS("abcd efghi", 9, 0, "abcd\nefghi\n");
	/* a word longer than the room stays whole */
	WRAPS("a verylongwordindeed b", 8, 2, "a\n  verylongwordindeed\n  b\n");
	/* columns, not bytes: e with an accent is one, a Chinese one two */
	WRAPS("caf\xc3\xa9 abc", 8, 0, "caf\xc3\xa9 abc\n");
	WRAPS("\xe5\x93\xb2\xe5\xad\xa6 abc", 8, 0,
	      "\xe5\x93\xb2\xe5\xad\xa6 abc\n");
	WRAPS("\xe5\x93\xb2\xe5\xad\xa6\xe5\xae\xb6 abc", 8, 0,
	      "\xe5\x93\xb2\xe5\xad\xa6\xe5\xae\xb6\nabc\n");
	/* trailing spaces go */
	WRAPS("a b   ", 10, 0, "a b\n");
	/* a buffer too small: cut, terminated, the whole length returned */
	char small[6];
	size_t n = clab_wrap(small, sizeof(small), "one two three", 7, 1);
	CU_ASSERT_EQUAL(n, strlen("one two\n three\n"));
	CU_ASSERT_STRING_EQUAL(small, "one t");
}

static void test_width(void)
{
	unsigned was = clab_text_width();
	CU_ASSERT_EQUAL(was, CLAB_TEXT_WIDTH);
	clab_text_width_set(10);
	CU_ASSERT_EQUAL(clab_text_width(), CLAB_TEXT_WIDTH_MIN);
	clab_text_width_set(72);
	CU_ASSERT_EQUAL(clab_text_width(), 72);
	/* 0: never fold */
	clab_text_width_set(0);
	CU_ASSERT_TRUE(clab_text_width() > 1000000);
	clab_text_width_set(was);
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "wrap", test_wrap);
	CU_add_test(s, "text width", test_width);
}

int main(void)
{
	return tu_main("tracer/label", add_tests);
}
