/*
 * The mouse: a click or a wheel turn arrives as a key (screen.c makes it
 * from curses' events, batch mode from <Click:Y,X>), and the view under
 * its cell resolves it from the layout it was drawn with.  A wheel turn
 * that no view takes steps the cursor, as Right and Left do.
 */
#include "tui-int.h"

static int inside(struct tui_rect r, int y, int x)
{
	return y >= r.y && y < r.y + r.h && x >= r.x && x < r.x + r.w;
}

void clab_tui_mouse(struct tui *t, int key)
{
	int k = key - TK_MOUSE;
	enum tui_mouse kind = (enum tui_mouse)(k / (TM_MAXPOS * TM_MAXPOS));
	int y = k / TM_MAXPOS % TM_MAXPOS, x = k % TM_MAXPOS;
	struct tui_layout l;
	const struct tui_view *v = NULL;
	struct tui_rect r = {0, 0, 0, 0};

	clab_tui_layout(t, &l);
	if (l.small)
		return;
	if (inside(l.lanes, y, x)) {
		v = &clab_view_lanes;
		r = l.lanes;
	} else if (t->demo && inside(l.demo, y, x)) {
		v = &clab_view_demo;
		r = l.demo;
	} else if (t->locks && inside(l.mid, y, x)) {
		v = &clab_view_locks;
		r = l.mid;
	} else if (!t->locks && t->live && inside(l.moves, y, x)) {
		v = &clab_view_moves;
		r = l.moves;
	} else if (!t->locks && inside(l.log, y, x)) {
		v = &clab_view_log;
		r = l.log;
	} else if (!t->locks && inside(l.objs, y, x)) {
		v = t->picture ? &clab_view_picture : &clab_view_objects;
		r = l.objs;
	}
	if (v && v->mouse && v->mouse(t, r, kind, y, x))
		return;
	if (kind == TM_WHEEL_DOWN)
		clab_tui_key(t, TK_RIGHT);
	else if (kind == TM_WHEEL_UP)
		clab_tui_key(t, TK_LEFT);
}
