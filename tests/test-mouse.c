/*
 * tui/mouse: clicks and wheel turns resolved by the views from their
 * layout, without a terminal.  Each test draws a frame of the naive
 * philosophers (recorded by the built `conclab run`, argv[1]), finds on
 * the canvas where something is drawn, clicks there, and checks that the
 * viewer acted on that very thing.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testutil-tui.h"

static const char *conclab;

/* The scans of a trace for a stuck object's wakers, counted. */
int __real_clab_analysis_stuck(const struct clab_trace *tr,
			       const struct clab_analysis *an, size_t i,
			       struct clab_stuck_obj *s);
int __wrap_clab_analysis_stuck(const struct clab_trace *tr,
			       const struct clab_analysis *an, size_t i,
			       struct clab_stuck_obj *s);
static unsigned stuck_scans;
int __wrap_clab_analysis_stuck(const struct clab_trace *tr,
			       const struct clab_analysis *an, size_t i,
			       struct clab_stuck_obj *s)
{
	stuck_scans++;
	return __real_clab_analysis_stuck(tr, an, i, s);
}

static void click(struct tui *t, enum tui_mouse kind, int y, int x)
{
	clab_tui_key(t, clab_tui_mouse_key(kind, y, x));
	clab_tui_draw(t);
}

static void test_click_log(void)
{
	struct tui t;
	struct clab_trace *tr = tu_tui_open(&t, tu_tui_trace, NULL, 80, 24);
	struct tui_layout l;
	clab_tui_layout(&t, &l);
	/* the log's line of record 5: "  5 T0  create ..." */
	int y = tu_tui_find_row(&t, l.log.y, 0, "  5 T");
	CU_ASSERT_FATAL(y > l.log.y);
	click(&t, TM_CLICK, y, 20);
	CU_ASSERT_EQUAL(t.cur, 5);
	CU_ASSERT_EQUAL(t.pane, PANE_LOG);
	CU_ASSERT(strncmp(tu_tui_row(&t, 0), " record 5/", 10) == 0);
	/* far down the trace, the log scrolls: click the line below '>' */
	clab_tui_goto(&t, 40);
	clab_tui_draw(&t);
	y = tu_tui_find_row(&t, l.log.y, 0, ">40 ");
	CU_ASSERT_FATAL(y > 0);
	click(&t, TM_CLICK, y + 2, 10);
	CU_ASSERT_EQUAL(t.cur, 42);
	/* the title and the separator do not move the cursor */
	click(&t, TM_CLICK, l.log.y, 5);
	click(&t, TM_CLICK, l.log.y + 3, l.log.w);
	CU_ASSERT_EQUAL(t.cur, 42);
	/* the wheel steps the cursor, over the log and over the lanes */
	click(&t, TM_WHEEL_DOWN, l.log.y + 3, 10);
	CU_ASSERT_EQUAL(t.cur, 43);
	click(&t, TM_WHEEL_UP, l.lanes.y + 1, 30);
	click(&t, TM_WHEEL_UP, 0, 0);
	CU_ASSERT_EQUAL(t.cur, 41);
	tu_tui_close(&t, tr);
}

/* The column of the ruler's 'v' (the cursor's column), or -1. */
static int ruler_col(const struct tui *t, int y)
{
	const char *r = tu_tui_row(t, y);
	const char *v = strchr(r, 'v'); /* "Threads" has none */
	return v ? (int)(v - r) : -1;
}

static void test_click_lanes(void)
{
	struct tui t;
	struct clab_trace *tr = tu_tui_open(&t, tu_tui_trace, NULL, 80, 24);
	struct tui_layout l;
	clab_tui_layout(&t, &l);
	int y = tu_tui_find_row(&t, l.lanes.y, 1, "T3 phil-2");
	CU_ASSERT_FATAL(y > l.lanes.y && y < l.lanes.y + l.lanes.h);
	/*
	 * A click on a lane's cell: that thread, that column's record (the
	 * cursor's record is under the ruler's 'v'; one record a column).
	 */
	int v = ruler_col(&t, l.lanes.y);
	uint32_t want = t.cur + (uint32_t)(40 - v);
	CU_ASSERT_FATAL(v >= 0 && v < 40);
	click(&t, TM_CLICK, y, 40);
	CU_ASSERT_EQUAL(t.sel_thread, 3);
	CU_ASSERT_EQUAL(t.pane, PANE_LANES);
	CU_ASSERT_EQUAL(t.cur, want);
	CU_ASSERT(strncmp(tu_tui_row(&t, y), ">T3 phil-2", 10) == 0);
	uint32_t at = t.cur;
	/* on the label: the thread only */
	int y1 = tu_tui_find_row(&t, l.lanes.y, 1, "T1 phil-0");
	CU_ASSERT_FATAL(y1 > 0);
	click(&t, TM_CLICK, y1, 3);
	CU_ASSERT_EQUAL(t.sel_thread, 1);
	CU_ASSERT_EQUAL(t.cur, at);
	/* on the ruler: the column's record, the same thread */
	v = ruler_col(&t, l.lanes.y);
	CU_ASSERT_FATAL(v > 20);
	want = t.cur - (uint32_t)(v - 20);
	click(&t, TM_CLICK, l.lanes.y, 20);
	CU_ASSERT_EQUAL(t.cur, want);
	CU_ASSERT_EQUAL(t.sel_thread, 1);
	/* zoomed out (4 records a column): the group's last record */
	clab_tui_key(&t, 'z');
	clab_tui_key(&t, 'z');
	clab_tui_draw(&t);
	v = ruler_col(&t, l.lanes.y);
	CU_ASSERT_FATAL(v > 11);
	want = (t.cur / 4 - (uint32_t)(v - 12)) * 4 + 3;
	click(&t, TM_CLICK, y, 12);
	CU_ASSERT_EQUAL(t.cur, want);
	CU_ASSERT_EQUAL(ruler_col(&t, l.lanes.y), 12);
	/* past the last record's column: nothing moves */
	at = t.cur;
	click(&t, TM_CLICK, y, 51);
	CU_ASSERT_EQUAL(t.cur, at);
	tu_tui_close(&t, tr);
}

static void test_click_objects(void)
{
	struct tui t;
	struct clab_trace *tr = tu_tui_open(&t, tu_tui_trace, NULL, 80, 24);
	struct tui_layout l;
	clab_tui_layout(&t, &l);
	/* the forks exist from record 5 on */
	clab_tui_goto(&t, 8);
	clab_tui_draw(&t);
	int y = tu_tui_find_row(&t, l.objs.y, l.objs.x + 1, "fork-2");
	CU_ASSERT_FATAL(y > l.objs.y);
	click(&t, TM_CLICK, y, l.objs.x + 5);
	CU_ASSERT_EQUAL(t.pane, PANE_OBJECTS);
	CU_ASSERT(strncmp(tu_tui_row(&t, y) + l.objs.x, ">fork-2", 7) == 0);
	/* the wheel over the objects selects the next and previous one */
	click(&t, TM_WHEEL_DOWN, y, l.objs.x + 5);
	CU_ASSERT(strncmp(tu_tui_row(&t, y + 1) + l.objs.x, ">fork-3", 7) == 0);
	click(&t, TM_WHEEL_UP, y, l.objs.x + 5);
	CU_ASSERT(strncmp(tu_tui_row(&t, y) + l.objs.x, ">fork-2", 7) == 0);
	CU_ASSERT_EQUAL(t.cur, 8);
	/* at the deadlock the cycle comes first: the list starts lower */
	clab_tui_key(&t, 'D');
	clab_tui_draw(&t);
	CU_ASSERT_FATAL(tu_tui_find_row(&t, l.objs.y, -1, "DEADLOCK") > 0);
	y = tu_tui_find_row(&t, l.objs.y, l.objs.x + 1, "fork-4");
	if (y < 0) /* the list scrolled to the selected fork-2 */
		y = tu_tui_find_row(&t, l.objs.y, l.objs.x + 1, "fork-3");
	CU_ASSERT_FATAL(y > l.objs.y);
	char name[8];
	memcpy(name, tu_tui_row(&t, y) + l.objs.x + 1, 6);
	name[6] = 0;
	click(&t, TM_CLICK, y, l.objs.x + 3);
	CU_ASSERT(tu_tui_row(&t, y)[l.objs.x] == '>');
	CU_ASSERT(strncmp(tu_tui_row(&t, y) + l.objs.x + 1, name, 6) == 0);
	/* a click on the cycle's lines selects nothing else */
	uint32_t sel = t.sel_obj;
	click(&t, TM_CLICK, l.objs.y + 2, l.objs.x + 3);
	CU_ASSERT_EQUAL(t.sel_obj, sel);
	tu_tui_close(&t, tr);
}

static void test_click_locks_help_small(void)
{
	struct tui t;
	struct clab_trace *tr = tu_tui_open(&t, tu_tui_trace, NULL, 80, 24);
	struct tui_layout l;
	clab_tui_layout(&t, &l);
	/* the lock-order view: a click on the cycle selects it */
	clab_tui_key(&t, 'L');
	clab_tui_draw(&t);
	int y = tu_tui_find_row(&t, l.mid.y, 0, ">1 ");
	CU_ASSERT_FATAL(y > l.mid.y);
	click(&t, TM_CLICK, y + 1, 10);
	CU_ASSERT_EQUAL(t.lsel, 0);
	CU_ASSERT_EQUAL(t.cur, 0);
	clab_tui_key(&t, 'L');
	/* with help open, a click only closes it */
	clab_tui_key(&t, '?');
	CU_ASSERT_EQUAL(t.help, 1);
	click(&t, TM_CLICK, l.log.y + 4, 10);
	CU_ASSERT_EQUAL(t.help, 0);
	CU_ASSERT_EQUAL(t.cur, 0);
	/* in a prompt, clicks are not typed */
	clab_tui_key(&t, ':');
	click(&t, TM_CLICK, l.log.y + 4, 10);
	CU_ASSERT_STRING_EQUAL(t.input, "");
	CU_ASSERT_EQUAL(t.cur, 0);
	clab_tui_key(&t, TK_ESC);
	/* a terminal too small: the mouse does nothing */
	CU_ASSERT_EQUAL_FATAL(clab_canvas_resize(&t.cv, 60, 20), 0);
	click(&t, TM_CLICK, 12, 5);
	click(&t, TM_WHEEL_DOWN, 12, 5);
	CU_ASSERT_EQUAL(t.cur, 0);
	CU_ASSERT(tu_tui_find_row(&t, 0, -1, "terminal too small") >= 0);
	tu_tui_close(&t, tr);
}

/*
 * A deadlock with no cycle (eight threads on one condition, as in
 * tests/tui/report.sh): the box on why nobody wakes them is made once,
 * not at every frame or click past the deadlock.
 */
static void test_stuck_once(void)
{
	char path[600];
	snprintf(path, sizeof(path), "%s", tu_tui_trace);
	char *slash = strrchr(path, '/');
	CU_ASSERT_FATAL(slash != NULL);
	snprintf(slash, sizeof(path) - (size_t)(slash - path), "/sc.clt");
	char *const argv[] = {
	    (char *)conclab, "run", "prodcons", "--variant", "single-cv",
	    "--seed",	     "2",   "--replay", "1.1.Qw",    "-q",
	    "--trace",	     path,  NULL};
	CU_ASSERT_EQUAL_FATAL(tu_run_conclab(conclab, argv), 3);
	struct tui t;
	struct clab_trace *tr = tu_tui_open(&t, path, NULL, 80, 24);
	struct tui_layout l;
	clab_tui_layout(&t, &l);
	/* before the deadlock: no box, and no scan */
	CU_ASSERT_EQUAL(tu_tui_find_row(&t, l.objs.y, -1, "DEADLOCK"), -1);
	stuck_scans = 0;
	clab_tui_key(&t, 'D');
	clab_tui_draw(&t);
	int y = tu_tui_find_row(&t, l.objs.y, l.objs.x,
				"DEADLOCK: nobody wakes them");
	CU_ASSERT_FATAL(y > 0);
	CU_ASSERT(tu_tui_find_row(&t, y, l.objs.x, "buffer.cv: 8 wait") ==
		  y + 1);
	unsigned scans = stuck_scans;
	CU_ASSERT(scans > 0);
	/* frames, clicks and the wheel past the deadlock: no more scans */
	for (int k = 0; k < 5; k++) {
		clab_tui_draw(&t);
		click(&t, TM_CLICK, y + 1, l.objs.x + 3);
		click(&t, TM_WHEEL_DOWN, l.objs.y + l.objs.h - 2, l.objs.x + 3);
	}
	clab_tui_key(&t, 'h');
	clab_tui_key(&t, 'l');
	clab_tui_draw(&t);
	CU_ASSERT(tu_tui_find_row(&t, l.objs.y, l.objs.x,
				  "DEADLOCK: nobody wakes them") == y);
	CU_ASSERT_EQUAL(stuck_scans, scans);
	tu_tui_close(&t, tr);
	unlink(path);
}

static void test_batch_names(void)
{
	int keys[8];
	CU_ASSERT_EQUAL(clab_tui_parse_keys("<Click:12,5>j", keys, 8), 2);
	CU_ASSERT_EQUAL(keys[0], clab_tui_mouse_key(TM_CLICK, 12, 5));
	CU_ASSERT_EQUAL(keys[1], 'j');
	CU_ASSERT_EQUAL(
	    clab_tui_parse_keys("<WheelUp:0,0><WheelDown:1,2>", keys, 8), 2);
	CU_ASSERT_EQUAL(keys[0], clab_tui_mouse_key(TM_WHEEL_UP, 0, 0));
	CU_ASSERT_EQUAL(keys[1], clab_tui_mouse_key(TM_WHEEL_DOWN, 1, 2));
	CU_ASSERT(clab_tui_is_mouse(keys[1]));
	CU_ASSERT(!clab_tui_is_mouse(TK_TICK) && !clab_tui_is_mouse('z'));
	CU_ASSERT_EQUAL(clab_tui_parse_keys("<Click>", keys, 8), -1);
	CU_ASSERT_EQUAL(clab_tui_parse_keys("<Click:1>", keys, 8), -1);
	CU_ASSERT_EQUAL(clab_tui_parse_keys("<Click:1,x>", keys, 8), -1);
	CU_ASSERT_EQUAL(clab_tui_parse_keys("<Click:-1,3>", keys, 8), -1);
	CU_ASSERT_EQUAL(clab_tui_parse_keys("<Tap:1,3>", keys, 8), -1);
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "a click on a record's line goes there; the wheel steps",
		    test_click_log);
	CU_add_test(s, "a click on a lane: the thread and the column's record",
		    test_click_lanes);
	CU_add_test(s, "a click on an object selects it, below the cycle too",
		    test_click_objects);
	CU_add_test(s, "lock-order view, help, prompt, a small terminal",
		    test_click_locks_help_small);
	CU_add_test(s, "why nobody wakes them: made once, not at each frame",
		    test_stuck_once);
	CU_add_test(s, "batch names of mouse keys", test_batch_names);
}

int main(int argc, char **argv)
{
	conclab = argc > 1 ? argv[1] : NULL;
	return tu_tui_main(argc, argv, "tui/mouse", add_tests);
}
