/*
 * tui/demo: demo mode's narration box and keys, without a terminal.  The
 * text's wrapping; the box at 80x24 over the naive philosophers (recorded
 * by the built `conclab run`, argv[1]) with its seven threads: it fits,
 * the records keep their lines, nothing overlaps; Space, b and Backspace
 * move between the steps' records; a terminal too small.
 */
#include <stdio.h>
#include <string.h>

#include "testutil-tui.h"

static void test_wrap(void)
{
	CU_ASSERT_EQUAL(clab_tui_wrap("", 10), 0);
	CU_ASSERT_EQUAL(clab_tui_wrap(NULL, 10), 0);
	CU_ASSERT_EQUAL(clab_tui_wrap("   ", 10), 0);
	CU_ASSERT_EQUAL(clab_tui_wrap("one two", 10), 1);
	/* exactly the width, then one more character */
	CU_ASSERT_EQUAL(clab_tui_wrap("abcde fghi", 10), 1);
	CU_ASSERT_EQUAL(clab_tui_wrap("abcde fghij", 10), 2);
	/* a space just past the width breaks there */
	CU_ASSERT_EQUAL(clab_tui_wrap("abcdefghij klm", 10), 2);
	/* a word longer than the width is cut */
	CU_ASSERT_EQUAL(clab_tui_wrap("abcdefghijklmnopqrstuvwxy", 10), 3);
	/* '\n' breaks a line, a blank line counts */
	CU_ASSERT_EQUAL(clab_tui_wrap("a\nb", 10), 2);
	CU_ASSERT_EQUAL(clab_tui_wrap("a\n\nb", 10), 3);
	CU_ASSERT_EQUAL(clab_tui_wrap("a\n", 10), 1);
	/* width 1 (or less) ends, a character a line */
	CU_ASSERT_EQUAL(clab_tui_wrap("ab cd", 1), 4);
	CU_ASSERT_EQUAL(clab_tui_wrap("ab", 0), 2);
	/* the limit the command checks scripts against */
	char text[CLAB_TUI_DEMO_WIDTH * CLAB_TUI_DEMO_LINES + 1];
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = 0;
	CU_ASSERT_EQUAL(clab_tui_wrap(text, CLAB_TUI_DEMO_WIDTH),
			CLAB_TUI_DEMO_LINES);
	/* Chinese: two columns a character, lines break between them */
	CU_ASSERT_EQUAL(clab_tui_wrap("中文中文中文", 4), 3);
	CU_ASSERT_EQUAL(clab_tui_wrap("中文中文中文", 5), 3);
	CU_ASSERT_EQUAL(clab_tui_wrap("中文中文中文", 6), 2);
	CU_ASSERT_EQUAL(clab_tui_wrap("中文中文中文", 12), 1);
	/* a word among Chinese is not cut: "中" then "abcd" */
	CU_ASSERT_EQUAL(clab_tui_wrap("中abcd", 4), 2);
	/* 38 characters fill a line of 76 columns; a 39th starts another */
	char zh[39 * 3 * CLAB_TUI_DEMO_LINES + 1] = "";
	for (int i = 0; i < 38 * CLAB_TUI_DEMO_LINES; i++)
		strcat(zh, "字");
	CU_ASSERT_EQUAL(clab_tui_wrap(zh, CLAB_TUI_DEMO_WIDTH),
			CLAB_TUI_DEMO_LINES);
	strcat(zh, "字");
	CU_ASSERT_EQUAL(clab_tui_wrap(zh, CLAB_TUI_DEMO_WIDTH),
			CLAB_TUI_DEMO_LINES + 1);
}

/*
 * Chinese narration drawn at 80x24 in UTF-8: the box's own words are
 * Chinese, no line starts with a closing comma or ends with an opening
 * bracket (the character before moves down with it), no half character.
 */
static void test_zh(void)
{
	static char zh[512];
	strcpy(zh, "");
	for (int i = 0; i < 37; i++)
		strcat(zh, "字");
	strcat(zh, "（锁，");
	strcat(zh, "下一行。");
	struct clab_tui_demo_step st[] = {{0, zh}};
	struct clab_tui_demo d = {"标题", st, 1, "zh"};
	struct tui t;
	struct clab_trace *tr = tu_tui_open(&t, tu_tui_trace, &d, 80, 24);
	t.cv.utf8 = 1;
	clab_tui_draw(&t);
	char buf[8192];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	clab_canvas_print(&t.cv, f);
	fclose(f);
	char line1[256], line2[256];
	snprintf(line1, sizeof(line1), "│ %.*s   │", 37 * 3, zh);
	snprintf(line2, sizeof(line2), "│ （锁，下一行。");
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "─ 第 1 步，共 1 步：标题 ─"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, line1));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, line2));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, " 结束  b 上一步  q 退出 ─┘"));
	clab_tui_key(&t, ' ');
	CU_ASSERT_PTR_NOT_NULL(strstr(t.msg, "已是最后一步"));
	tu_tui_close(&t, tr);
}

/* Three steps; the second's text takes the six lines the box allows. */
static char long_text[CLAB_TUI_DEMO_WIDTH * CLAB_TUI_DEMO_LINES];
static struct clab_tui_demo_step steps[] = {
    {0, "Five philosophers sit at a round table."},
    {33, long_text},
    {55, "The watchdog reports the deadlock."},
};
static const struct clab_tui_demo demo = {"The naive philosophers", steps, 3,
					  NULL};

static void test_box_fits(void)
{
	struct tui t;
	struct tui_layout l;
	/* nine words of seven letters a line at 76 columns, six lines */
	for (size_t i = 0; i < 6 * 9 * 8 - 1; i++)
		long_text[i] = i % 8 == 7 ? ' ' : 'w';
	CU_ASSERT_EQUAL(clab_tui_wrap(long_text, CLAB_TUI_DEMO_WIDTH),
			CLAB_TUI_DEMO_LINES);
	struct clab_trace *tr = tu_tui_open(&t, tu_tui_trace, &demo, 80, 24);
	CU_ASSERT_EQUAL(t.cur, 0);
	clab_tui_layout(&t, &l);
	CU_ASSERT_EQUAL(l.demo.h, 3); /* one line and the frame */
	CU_ASSERT_EQUAL(l.demo.w, 80);
	CU_ASSERT_EQUAL(l.demo.y + l.demo.h, l.info.y);
	int y = tu_tui_find_row(&t, 0, 2, "Five philosophers sit");
	CU_ASSERT_EQUAL(y, l.demo.y + 1);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(tu_tui_row(&t, l.demo.y), "Step 1 of 3: The naive"));
	CU_ASSERT_PTR_NOT_NULL(strstr(tu_tui_row(&t, 0), "demo: step 1 of 3"));
	/* the longest text: eight rows; the lanes give up rows for it */
	clab_tui_key(&t, ' ');
	clab_tui_draw(&t);
	CU_ASSERT_EQUAL(t.cur, 33);
	clab_tui_layout(&t, &l);
	CU_ASSERT_EQUAL(l.demo.h, CLAB_TUI_DEMO_LINES + 2);
	CU_ASSERT_EQUAL(l.demo.y + l.demo.h, l.info.y);
	CU_ASSERT(l.log.h >= 4); /* the title and three records */
	CU_ASSERT_EQUAL(l.log.y + l.log.h, l.demo.y);
	CU_ASSERT_EQUAL(l.objs.y + l.objs.h, l.demo.y);
	CU_ASSERT_EQUAL(l.lanes.y + l.lanes.h, l.log.y);
	CU_ASSERT(l.lanes.h >= 2);
	/* every line of the text is drawn inside the frame */
	int lines = 0;
	for (int r = l.demo.y + 1; r < l.demo.y + l.demo.h - 1; r++)
		lines += strncmp(tu_tui_row(&t, r) + 2, "wwwwwww", 7) == 0;
	CU_ASSERT_EQUAL(lines, CLAB_TUI_DEMO_LINES);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(tu_tui_row(&t, l.demo.y + l.demo.h - 1), "Space next"));
	tu_tui_close(&t, tr);
}

static void test_keys(void)
{
	struct tui t;
	struct clab_trace *tr = tu_tui_open(&t, tu_tui_trace, &demo, 80, 24);
	clab_tui_key(&t, 'b');
	CU_ASSERT_EQUAL(t.dstep, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.msg, "the first step"));
	clab_tui_key(&t, ' ');
	clab_tui_key(&t, ' ');
	CU_ASSERT_EQUAL(t.dstep, 2);
	CU_ASSERT_EQUAL(t.cur, 55);
	/* the step's record's thread is selected: the watchdog's */
	CU_ASSERT_EQUAL(t.sel_thread, clab_trace_record(tr, 55)->tid);
	clab_tui_key(&t, ' ');
	CU_ASSERT_EQUAL(t.dstep, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.msg, "the last step"));
	clab_tui_key(&t, TK_BACKSPACE);
	CU_ASSERT_EQUAL(t.dstep, 1);
	CU_ASSERT_EQUAL(t.cur, 33);
	/* a viewer key moves off the step; the box says where it is */
	clab_tui_key(&t, 'l');
	clab_tui_draw(&t);
	CU_ASSERT_EQUAL(t.cur, 34);
	CU_ASSERT_EQUAL(t.dstep, 1);
	CU_ASSERT(tu_tui_find_row(&t, 0, -1, "this step is at #33") > 0);
	/* and Space goes on from the step, not from the cursor */
	clab_tui_key(&t, ' ');
	CU_ASSERT_EQUAL(t.cur, 55);
	clab_tui_key(&t, 'b');
	CU_ASSERT_EQUAL(t.cur, 33);
	/* a click on the box goes on too */
	struct tui_layout l;
	clab_tui_draw(&t);
	clab_tui_layout(&t, &l);
	clab_tui_key(&t, clab_tui_mouse_key(TM_CLICK, l.demo.y + 1, 10));
	CU_ASSERT_EQUAL(t.dstep, 2);
	/* q still quits */
	clab_tui_key(&t, 'q');
	CU_ASSERT(t.quit);
	tu_tui_close(&t, tr);
}

static void test_small(void)
{
	struct tui t;
	struct clab_trace *tr = tu_tui_open(&t, tu_tui_trace, &demo, 60, 20);
	CU_ASSERT(tu_tui_find_row(&t, 0, -1, "terminal too small") >= 0);
	clab_tui_key(&t, ' ');
	clab_tui_draw(&t);
	CU_ASSERT_EQUAL(t.dstep, 1);
	CU_ASSERT(tu_tui_find_row(&t, 0, -1, "now 60x20; q quits") >= 0);
	/* a click where the box would be does nothing there */
	clab_tui_key(&t, clab_tui_mouse_key(TM_CLICK, 15, 10));
	CU_ASSERT_EQUAL(t.dstep, 1);
	tu_tui_close(&t, tr);
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "the text's lines", test_wrap);
	CU_add_test(s, "Chinese narration", test_zh);
	CU_add_test(s, "the box at 80x24: fits, nothing overlaps",
		    test_box_fits);
	CU_add_test(s, "Space, b, Backspace, a click, other keys", test_keys);
	CU_add_test(s, "a terminal too small", test_small);
}

int main(int argc, char **argv)
{
	return tu_tui_main(argc, argv, "tui/demo", add_tests);
}
