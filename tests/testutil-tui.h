/*
 * Shared helpers of the viewer's unit tests (tui/mouse, tui/demo): a
 * trace of the naive philosophers recorded by the built conclab, and a
 * viewer on it drawn into a canvas, read back as text.
 */
#ifndef CONCLAB_TESTUTIL_TUI_H
#define CONCLAB_TESTUTIL_TUI_H

#include "testutil.h"
#include "tui-int.h"

/* The trace of the naive philosophers that tu_tui_main recorded. */
extern char tu_tui_trace[512];

/*
 * main() of such a suite: argv[1] is the built conclab; record the naive
 * philosophers into tu_tui_trace (a temporary directory), run the suite
 * (tu_main), remove the trace.  Returns main's exit status.
 */
int tu_tui_main(int argc, char **argv, const char *suite,
		void (*add_tests)(CU_pSuite suite));

/*
 * A viewer on the trace at path, ASCII, with a w x h canvas, drawn once;
 * in demo mode when demo is not NULL.  Free with tu_tui_close.  Fails the
 * test (fatally) when the trace does not load.
 */
struct clab_trace *tu_tui_open(struct tui *t, const char *path,
			       const struct clab_tui_demo *demo, int w, int h);
void tu_tui_close(struct tui *t, struct clab_trace *tr);

/* Row y of the canvas as ASCII text (others as '?'); a static buffer. */
const char *tu_tui_row(const struct tui *t, int y);
/* The first row at or below y0 whose text has s at column x (-1: any). */
int tu_tui_find_row(const struct tui *t, int y0, int x, const char *s);

#endif
