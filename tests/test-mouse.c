/*
 * tui/mouse: clicks and wheel turns resolved by the views from their
 * layout, without a terminal.  Each test draws a frame of the naive
 * philosophers (recorded by the built `conclab run`, argv[1]), finds on
 * the canvas where something is drawn, clicks there, and checks that the
 * viewer acted on that very thing.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "tui-int.h"

static const char *conclab;
static char tmpdir[256], trace_path[512];

static int record(const char *path)
{
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl(conclab, conclab, "run", "philosophers", "--variant",
		      "naive", "-q", "--trace", path, (char *)NULL);
		_exit(127);
	}
	int status = 0;
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* A viewer on the trace with an 80x24 canvas (w x h), drawn once. */
static struct clab_trace *open_viewer(struct tui *t, int w, int h)
{
	char err[512];
	struct clab_trace *tr = NULL;
	struct clab_tui_opts o;
	if (clab_trace_load(trace_path, &tr, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		CU_FAIL_FATAL("the trace did not load");
	}
	clab_tui_opts_init(&o);
	o.ascii = 1;
	CU_ASSERT_EQUAL_FATAL(clab_tui_init(t, tr, &o), 0);
	CU_ASSERT_EQUAL_FATAL(clab_canvas_resize(&t->cv, w, h), 0);
	clab_tui_draw(t);
	return tr;
}

static void close_viewer(struct tui *t, struct clab_trace *tr)
{
	clab_tui_fini(t);
	clab_trace_free(tr);
}

/* Row y of the canvas as ASCII text (others as '?'). */
static const char *row_text(const struct tui *t, int y)
{
	static char buf[1024];
	int n = 0;
	for (int x = 0; x < t->cv.w && n < (int)sizeof(buf) - 1; x++) {
		uint32_t ch = t->cv.cells[y * t->cv.w + x].ch;
		buf[n++] = ch >= ' ' && ch < 0x7f ? (char)ch : '?';
	}
	buf[n] = 0;
	return buf;
}

/* The first row at or below y0 whose text has s at column x (-1: any). */
static int find_row(const struct tui *t, int y0, int x, const char *s)
{
	for (int y = y0; y < t->cv.h; y++) {
		const char *r = row_text(t, y);
		if (x < 0 ? strstr(r, s) != NULL
			  : strncmp(r + x, s, strlen(s)) == 0)
			return y;
	}
	return -1;
}

static void click(struct tui *t, enum tui_mouse kind, int y, int x)
{
	clab_tui_key(t, clab_tui_mouse_key(kind, y, x));
	clab_tui_draw(t);
}

static void test_click_log(void)
{
	struct tui t;
	struct clab_trace *tr = open_viewer(&t, 80, 24);
	struct tui_layout l;
	clab_tui_layout(&t, &l);
	/* the log's line of record 5: "  5 T0  create ..." */
	int y = find_row(&t, l.log.y, 0, "  5 T");
	CU_ASSERT_FATAL(y > l.log.y);
	click(&t, TM_CLICK, y, 20);
	CU_ASSERT_EQUAL(t.cur, 5);
	CU_ASSERT_EQUAL(t.pane, PANE_LOG);
	CU_ASSERT(strncmp(row_text(&t, 0), " record 5/", 10) == 0);
	/* far down the trace, the log scrolls: click the line below '>' */
	clab_tui_goto(&t, 40);
	clab_tui_draw(&t);
	y = find_row(&t, l.log.y, 0, ">40 ");
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
	close_viewer(&t, tr);
}

/* The column of the ruler's 'v' (the cursor's column), or -1. */
static int ruler_col(const struct tui *t, int y)
{
	const char *r = row_text(t, y);
	const char *v = strchr(r, 'v'); /* "Threads" has none */
	return v ? (int)(v - r) : -1;
}

static void test_click_lanes(void)
{
	struct tui t;
	struct clab_trace *tr = open_viewer(&t, 80, 24);
	struct tui_layout l;
	clab_tui_layout(&t, &l);
	int y = find_row(&t, l.lanes.y, 1, "T3 phil-2");
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
	CU_ASSERT(strncmp(row_text(&t, y), ">T3 phil-2", 10) == 0);
	uint32_t at = t.cur;
	/* on the label: the thread only */
	int y1 = find_row(&t, l.lanes.y, 1, "T1 phil-0");
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
	close_viewer(&t, tr);
}

static void test_click_objects(void)
{
	struct tui t;
	struct clab_trace *tr = open_viewer(&t, 80, 24);
	struct tui_layout l;
	clab_tui_layout(&t, &l);
	/* the forks exist from record 5 on */
	clab_tui_goto(&t, 8);
	clab_tui_draw(&t);
	int y = find_row(&t, l.objs.y, l.objs.x + 1, "fork-2");
	CU_ASSERT_FATAL(y > l.objs.y);
	click(&t, TM_CLICK, y, l.objs.x + 5);
	CU_ASSERT_EQUAL(t.pane, PANE_OBJECTS);
	CU_ASSERT(strncmp(row_text(&t, y) + l.objs.x, ">fork-2", 7) == 0);
	/* the wheel over the objects selects the next and previous one */
	click(&t, TM_WHEEL_DOWN, y, l.objs.x + 5);
	CU_ASSERT(strncmp(row_text(&t, y + 1) + l.objs.x, ">fork-3", 7) == 0);
	click(&t, TM_WHEEL_UP, y, l.objs.x + 5);
	CU_ASSERT(strncmp(row_text(&t, y) + l.objs.x, ">fork-2", 7) == 0);
	CU_ASSERT_EQUAL(t.cur, 8);
	/* at the deadlock the cycle comes first: the list starts lower */
	clab_tui_key(&t, 'D');
	clab_tui_draw(&t);
	CU_ASSERT_FATAL(find_row(&t, l.objs.y, -1, "DEADLOCK") > 0);
	y = find_row(&t, l.objs.y, l.objs.x + 1, "fork-4");
	if (y < 0) /* the list scrolled to the selected fork-2 */
		y = find_row(&t, l.objs.y, l.objs.x + 1, "fork-3");
	CU_ASSERT_FATAL(y > l.objs.y);
	char name[8];
	memcpy(name, row_text(&t, y) + l.objs.x + 1, 6);
	name[6] = 0;
	click(&t, TM_CLICK, y, l.objs.x + 3);
	CU_ASSERT(row_text(&t, y)[l.objs.x] == '>');
	CU_ASSERT(strncmp(row_text(&t, y) + l.objs.x + 1, name, 6) == 0);
	/* a click on the cycle's lines selects nothing else */
	uint32_t sel = t.sel_obj;
	click(&t, TM_CLICK, l.objs.y + 2, l.objs.x + 3);
	CU_ASSERT_EQUAL(t.sel_obj, sel);
	close_viewer(&t, tr);
}

static void test_click_locks_help_small(void)
{
	struct tui t;
	struct clab_trace *tr = open_viewer(&t, 80, 24);
	struct tui_layout l;
	clab_tui_layout(&t, &l);
	/* the lock-order view: a click on the cycle selects it */
	clab_tui_key(&t, 'L');
	clab_tui_draw(&t);
	int y = find_row(&t, l.mid.y, 0, ">1 ");
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
	CU_ASSERT(find_row(&t, 0, -1, "terminal too small") >= 0);
	close_viewer(&t, tr);
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
	CU_add_test(s, "batch names of mouse keys", test_batch_names);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: test-mouse path/to/conclab\n");
		return 2;
	}
	conclab = argv[1];
	snprintf(tmpdir, sizeof(tmpdir), "%s/conclab-mouse-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(trace_path, sizeof(trace_path), "%s/naive.clt", tmpdir);
	int rc = record(trace_path);
	if (rc != 3) {
		fprintf(stderr, "conclab run philosophers naive exited %d\n",
			rc);
		unlink(trace_path);
		rmdir(tmpdir);
		return 1;
	}
	rc = tu_main("tui/mouse", add_tests);
	unlink(trace_path);
	rmdir(tmpdir);
	return rc;
}
