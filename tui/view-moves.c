/*
 * Live mode's moves (`conclab step`): the choices of the run's current
 * step, under the log, and the keys that make one, undo it or redo it.
 * The run itself belongs to the command, behind struct clab_tui_live.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/error.h>

#include "tui-int.h"

int clab_tui_move_key(size_t k)
{
	if (k < 9)
		return '1' + (int)k;
	return k == 9 ? '0' : 0;
}

/* The choice a key makes, or -1. */
static long move_of(const struct tui *t, int key)
{
	for (size_t k = 0; k < t->nchoices; k++)
		if (clab_tui_move_key(k) == key)
			return (long)k;
	return -1;
}

int clab_tui_live_refresh(struct tui *t)
{
	const struct clab_trace *tr = NULL;
	const char *msg = NULL;
	t->live->state(t->live->arg, &tr, &t->choices, &t->nchoices, &msg,
		       &t->ended);
	if (tr && tr != t->tr) {
		int err = clab_tui_reload(t, tr);
		if (err)
			return err;
	} else if (t->n) {
		clab_tui_goto(t, t->n - 1); /* where the run stands */
	}
	if (msg) {
		snprintf(t->msg, sizeof(t->msg), "%s", msg);
		t->msg_warn = t->ended;
	}
	return 0;
}

static void live_done(struct tui *t)
{
	if (clab_tui_live_refresh(t) != 0)
		snprintf(t->msg, sizeof(t->msg), "cannot show the run");
}

void clab_tui_live_number(struct tui *t, const char *text)
{
	char *end;
	unsigned long v = strtoul(text, &end, 10);
	if (!*text || *end || v == 0 || v > t->nchoices) {
		snprintf(t->msg, sizeof(t->msg), "no choice %.20s (1 to %zu)",
			 text, t->nchoices);
		t->msg_warn = 1;
		return;
	}
	t->live->pick(t->live->arg, v - 1);
	live_done(t);
}

int clab_tui_live_key(struct tui *t, int key)
{
	long k = move_of(t, key);
	int rc;
	if (key >= '0' && key <= '9' && (k < 0 || t->ended)) {
		/* a move key with no such move: say so, or how it ended */
		if (t->ended)
			live_done(t);
		else
			snprintf(t->msg, sizeof(t->msg), "no choice %c", key);
		return 1;
	}
	if (key == '#' && !t->ended) {
		t->prompt = '#';
		t->input[0] = 0;
		return 1;
	}
	if (k >= 0)
		rc = t->live->pick(t->live->arg, (size_t)k);
	else if (key == 'u')
		rc = t->live->undo(t->live->arg);
	else if (key == 'r')
		rc = t->live->redo(t->live->arg);
	else
		return 0;
	(void)rc; /* a failed move says why in the state's message */
	live_done(t);
	return 1;
}

static void draw_moves(struct tui *t, struct tui_rect r, int focused)
{
	struct clab_canvas *cv = &t->cv;
	(void)focused;
	if (r.h < 2)
		return;
	for (int x = r.x; x < r.x + r.w; x++)
		clab_canvas_putc(cv, r.y, x, clab_canvas_glyph(cv, G_HLINE),
				 CV_DIM, 0);
	if (t->ended) {
		clab_canvas_puts(cv, r.y, r.x + 1, r.w - 2, CV_TITLE, 0,
				 " The run has ended ");
		clab_canvas_puts(cv, r.y + 1, r.x, r.w, CV_KEY, 0,
				 "u undo a move and try another way  q quit");
		return;
	}
	clab_canvas_puts(cv, r.y, r.x + 1, r.w - 2, CV_FOCUS, 0,
			 " You are the scheduler: who goes next? ");
	int y = r.y + 1;
	size_t k = 0;
	for (; k < t->nchoices && y < r.y + r.h - 1; k++, y++) {
		int x = k < 10 ? clab_canvas_printf(cv, y, r.x, r.w, CV_KEY,
						    CV_BOLD, " %c ",
						    clab_tui_move_key(k))
			       : clab_canvas_printf(cv, y, r.x, r.w, CV_KEY,
						    CV_BOLD, "#%zu ", k + 1);
		clab_canvas_puts(cv, y, x, r.w - (x - r.x), CV_NORMAL, 0,
				 t->choices[k]);
	}
	if (k < t->nchoices)
		clab_canvas_printf(cv, y - 1, r.x, r.w, CV_DIM, 0,
				   " ... %zu more (a taller terminal shows "
				   "them)",
				   t->nchoices - k + 1);
	clab_canvas_puts(cv, r.y + r.h - 1, r.x, r.w, CV_DIM, 0,
			 t->nchoices > 10 ? " #N Enter picks N  u undo  r redo"
					  : " u undo  r redo  (the key picks)");
}

/* A click on a choice makes it (rows as draw_moves lays them out). */
static int mouse_moves(struct tui *t, struct tui_rect r, enum tui_mouse kind,
		       int y, int x)
{
	(void)x;
	long k = y - r.y - 1;
	if (kind != TM_CLICK || t->ended || k < 0 || k >= (long)t->nchoices ||
	    y >= r.y + r.h - 1)
		return kind == TM_CLICK;
	t->live->pick(t->live->arg, (size_t)k);
	live_done(t);
	return 1;
}

const struct tui_view clab_view_moves = {
    .name = "moves", .draw = draw_moves, .mouse = mouse_moves};
