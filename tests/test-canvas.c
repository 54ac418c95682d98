/*
 * tui/canvas: the in-memory screen with characters two columns wide.  A
 * CJK character takes its cell and a tail cell; writing over either half
 * blanks the other; one that would cross the right edge, or the end of a
 * string's columns, is not drawn in half; the text printed back has each
 * character once.  Without a UTF-8 locale (no setlocale here) the widths
 * come from Unicode's table, as the demo command counts them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/label.h>

#include "canvas.h"
#include "testutil.h"

/* The canvas as text (clab_canvas_print) in a static buffer. */
static const char *text(const struct clab_canvas *cv)
{
	static char buf[4096];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	clab_canvas_print(cv, f);
	fclose(f);
	return buf;
}

static void test_width(void)
{
	CU_ASSERT_EQUAL(clab_char_width('a'), 1);
	CU_ASSERT_EQUAL(clab_char_width(0x4e2d), 2);  /* 中 */
	CU_ASSERT_EQUAL(clab_char_width(0xff0c), 2);  /* fullwidth comma */
	CU_ASSERT_EQUAL(clab_char_width(0x3002), 2);  /* ideographic stop */
	CU_ASSERT_EQUAL(clab_char_width(0xac00), 2);  /* Hangul */
	CU_ASSERT_EQUAL(clab_char_width(0x2500), 1);  /* box drawing */
	CU_ASSERT_EQUAL(clab_char_width(0xe9), 1);    /* e acute */
	CU_ASSERT_EQUAL(clab_char_width(0x301), 0);   /* combining acute */
	CU_ASSERT_EQUAL(clab_char_width(0x20000), 2); /* CJK extension B */
	CU_ASSERT_EQUAL(clab_char_width(0xff61), 1);  /* halfwidth stop */
}

static void test_wide(void)
{
	struct clab_canvas cv = {.utf8 = 1};
	CU_ASSERT_EQUAL_FATAL(clab_canvas_resize(&cv, 8, 2), 0);
	/* "a中b": four columns, the tail after 中 */
	CU_ASSERT_EQUAL(clab_canvas_puts(&cv, 0, 0, -1, CV_NORMAL, 0, "a中b"),
			4);
	CU_ASSERT_EQUAL(cv.cells[1].ch, 0x4e2d);
	CU_ASSERT_EQUAL(cv.cells[2].ch, CV_TAIL);
	CU_ASSERT_EQUAL(cv.cells[3].ch, 'b');
	CU_ASSERT_STRING_EQUAL(text(&cv), "a中b\n\n");
	/* writing over the tail blanks the head, and the other way round */
	clab_canvas_putc(&cv, 0, 2, 'x', CV_NORMAL, 0);
	CU_ASSERT_STRING_EQUAL(text(&cv), "a xb\n\n");
	clab_canvas_puts(&cv, 0, 0, -1, CV_NORMAL, 0, "中文");
	CU_ASSERT_STRING_EQUAL(text(&cv), "中文\n\n");
	clab_canvas_putc(&cv, 0, 0, '|', CV_NORMAL, 0);
	CU_ASSERT_STRING_EQUAL(text(&cv), "| 文\n\n");
	/* a wide character over the tail of another blanks that one's head */
	clab_canvas_puts(&cv, 0, 0, -1, CV_NORMAL, 0, "中文");
	clab_canvas_putc(&cv, 0, 1, 0x5b57, CV_NORMAL, 0);
	CU_ASSERT_STRING_EQUAL(text(&cv), " 字\n\n");
	/* at the right edge: a space, never half of it */
	clab_canvas_clear(&cv);
	CU_ASSERT_EQUAL(clab_canvas_putc(&cv, 1, 7, 0x4e2d, CV_NORMAL, 0), 1);
	CU_ASSERT_EQUAL(cv.cells[15].ch, ' ');
	/* a string stops before a wide character that would cross its end */
	CU_ASSERT_EQUAL(clab_canvas_puts(&cv, 1, 0, 5, CV_NORMAL, 0, "中文字"),
			4);
	CU_ASSERT_STRING_EQUAL(text(&cv), "\n中文\n");
	CU_ASSERT_EQUAL(clab_canvas_puts(&cv, 1, 3, -1, CV_NORMAL, 0, "中文字"),
			7);
	CU_ASSERT_STRING_EQUAL(text(&cv), "\n中 中文\n");
	/* a box drawn over wide text leaves no half character inside it */
	clab_canvas_puts(&cv, 0, 0, -1, CV_NORMAL, 0, "中文字典");
	clab_canvas_box(&cv, 0, 3, 4, 2, CV_NORMAL);
	CU_ASSERT_STRING_EQUAL(text(&cv), "中 ┌──┐\n中 └──┘\n");
	/* combining marks take no cell */
	clab_canvas_clear(&cv);
	CU_ASSERT_EQUAL(
	    clab_canvas_puts(&cv, 0, 0, -1, CV_NORMAL, 0, "e\xcc\x81x"), 2);
	CU_ASSERT_STRING_EQUAL(text(&cv), "ex\n\n");
	clab_canvas_free(&cv);
}

static void test_ascii(void)
{
	/* without UTF-8 every non-ASCII character is one '?' */
	struct clab_canvas cv = {.utf8 = 0};
	CU_ASSERT_EQUAL_FATAL(clab_canvas_resize(&cv, 6, 1), 0);
	CU_ASSERT_EQUAL(clab_canvas_puts(&cv, 0, 0, -1, CV_NORMAL, 0, "中a文"),
			3);
	CU_ASSERT_STRING_EQUAL(text(&cv), "?a?\n");
	clab_canvas_free(&cv);
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "the columns a character takes", test_width);
	CU_add_test(s, "wide characters: tails, halves, edges", test_wide);
	CU_add_test(s, "no UTF-8: one '?' a character", test_ascii);
}

int main(void)
{
	return tu_main("tui/canvas", add_tests);
}
