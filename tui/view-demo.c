/*
 * Demo mode's narration (`conclab demo`): a box across the screen under
 * the records with the text of the current step, and the keys that go
 * from step to step.  The steps belong to the command, behind struct
 * clab_tui_demo; each puts the cursor on its record.
 */
#include <stdio.h>
#include <string.h>

#include "tui-int.h"

/*
 * The next line of the text at *p, at most w columns: broken at the last
 * space that fits, or cut in a word longer than w; a '\n' ends it.  Its
 * start and length go to *start and *len and *p moves past it; 0 when
 * nothing is left.
 */
static int next_line(const char **p, int w, const char **start, int *len)
{
	const char *s = *p, *e, *brk = NULL;
	while (*s == ' ')
		s++;
	if (!*s)
		return 0;
	for (e = s; *e && *e != '\n' && e - s < w; e++)
		if (*e == ' ')
			brk = e;
	if (*e && *e != '\n' && *e != ' ' && brk)
		e = brk; /* the line is full inside a word: break before it */
	*start = s;
	*len = (int)(e - s);
	while (*len > 0 && s[*len - 1] == ' ')
		(*len)--;
	*p = *e == '\n' || *e == ' ' ? e + 1 : e;
	return 1;
}

int clab_tui_wrap(const char *text, int width)
{
	const char *p = text ? text : "", *s;
	int n = 0, len;
	while (next_line(&p, width < 1 ? 1 : width, &s, &len))
		n++;
	return n;
}

int clab_tui_demo_height(const struct tui *t, int w)
{
	int n = clab_tui_wrap(t->demo->steps[t->dstep].text, w - 4);
	n = n < 1 ? 1 : n > CLAB_TUI_DEMO_LINES ? CLAB_TUI_DEMO_LINES : n;
	return n + 2;
}

void clab_tui_demo_go(struct tui *t, size_t k)
{
	if (k >= t->demo->n)
		return;
	t->dstep = k;
	uint32_t rec = t->demo->steps[k].record;
	clab_tui_goto(t, rec);
	if (rec < t->n)
		t->sel_thread = clab_trace_record(t->tr, rec)->tid;
}

int clab_tui_demo_key(struct tui *t, int key)
{
	if (key == ' ') {
		if (t->dstep + 1 < t->demo->n)
			clab_tui_demo_go(t, t->dstep + 1);
		else
			snprintf(t->msg, sizeof(t->msg),
				 "the last step: b goes back, q quits");
		return 1;
	}
	if (key == 'b' || key == TK_BACKSPACE) {
		if (t->dstep > 0)
			clab_tui_demo_go(t, t->dstep - 1);
		else
			snprintf(t->msg, sizeof(t->msg),
				 "the first step: Space goes on");
		return 1;
	}
	return 0;
}

static void draw_demo(struct tui *t, struct tui_rect r, int focused)
{
	struct clab_canvas *cv = &t->cv;
	const struct clab_tui_demo *d = t->demo;
	(void)focused;
	if (r.h < 3 || r.w < 10)
		return;
	clab_canvas_box(cv, r.y, r.x, r.w, r.h, CV_NORMAL);
	clab_canvas_printf(cv, r.y, r.x + 2, r.w - 4, CV_FOCUS, 0,
			   " Step %zu of %zu: %s ", t->dstep + 1, d->n,
			   d->title ? d->title : "");
	const char *p = d->steps[t->dstep].text, *s;
	int len, y = r.y + 1;
	while (y < r.y + r.h - 1 && next_line(&p, r.w - 4, &s, &len)) {
		char line[1024];
		snprintf(line, sizeof(line), "%.*s", len, s);
		clab_canvas_puts(cv, y++, r.x + 2, r.w - 4, CV_NORMAL, 0, line);
	}
	char hint[96];
	if (t->cur != d->steps[t->dstep].record)
		snprintf(hint, sizeof(hint),
			 " this step is at #%u; Space next  b back ",
			 d->steps[t->dstep].record);
	else if (t->dstep + 1 < d->n)
		snprintf(hint, sizeof(hint), " Space next  b back  q quit ");
	else
		snprintf(hint, sizeof(hint), " the end  b back  q quit ");
	int hl = (int)strlen(hint);
	clab_canvas_puts(cv, r.y + r.h - 1, r.x + r.w - 2 - hl, hl, CV_KEY, 0,
			 hint);
}

/* A click on the box goes on to the next step, as Space does. */
static int mouse_demo(struct tui *t, struct tui_rect r, enum tui_mouse kind,
		      int y, int x)
{
	(void)r, (void)y, (void)x;
	if (kind != TM_CLICK)
		return 0;
	return clab_tui_demo_key(t, ' ');
}

const struct tui_view clab_view_demo = {
    .name = "demo", .draw = draw_demo, .mouse = mouse_demo};
