/*
 * Demo mode's narration (`conclab demo`): a box across the screen under
 * the records with the text of the current step, and the keys that go
 * from step to step.  The steps belong to the command, behind struct
 * clab_tui_demo; each puts the cursor on its record.
 */
#include <stdio.h>
#include <string.h>

#include <conclab/label.h>

#include "tui-int.h"

/* Characters a line must not start with: closing punctuation (CJK). */
static int no_start(uint32_t c)
{
	static const uint32_t cs[] = {0x3001, 0x3002, 0x300b, 0x300d, 0x300f,
				      0x3011, 0x2026, 0xff01, 0xff09, 0xff0c,
				      0xff1a, 0xff1b, 0xff1f, 0x201d, 0x2019};
	for (size_t i = 0; i < sizeof(cs) / sizeof(cs[0]); i++)
		if (c == cs[i])
			return 1;
	return 0;
}

/* Characters a line must not end with: opening punctuation (CJK). */
static int no_end(uint32_t c)
{
	return c == 0x300a || c == 0x300c || c == 0x300e || c == 0x3010 ||
	       c == 0xff08 || c == 0x201c || c == 0x2018;
}

/*
 * Whether a line may break between a and b, neither a space: between
 * wide (CJK) characters, or a wide one and a word, as Chinese text has no
 * spaces; never before closing or after opening punctuation.
 */
static int may_break(uint32_t a, uint32_t b)
{
	return (clab_char_width(a) == 2 || clab_char_width(b) == 2) &&
	       !no_start(b) && !no_end(a);
}

/*
 * The next line of the text at *p, at most w columns: broken at the last
 * space (or the last place between CJK characters) that fits, or cut in a
 * word longer than w; a '\n' ends it.  Its start and length in bytes go
 * to *start and *len and *p moves past it; 0 when nothing is left.
 */
static int next_line(const char **p, int w, const char **start, int *len)
{
	const char *s = *p, *e, *brk = NULL, *resume = NULL;
	uint32_t prev = ' ';
	int col = 0;
	while (*s == ' ')
		s++;
	if (!*s)
		return 0;
	for (e = s; *e && *e != '\n';) {
		const char *q = e;
		uint32_t c = clab_utf8_next(&q);
		int cw = clab_char_width(c);
		if (c == ' ')
			brk = e, resume = e + 1;
		else if (prev != ' ' && e > s && may_break(prev, c))
			brk = e, resume = e;
		if (col + cw > w && e > s)
			break;
		col += cw;
		prev = c;
		e = q;
	}
	*start = s;
	if (*e && *e != '\n' && brk && brk > s) {
		*len = (int)(brk - s); /* full inside a word: break before it */
		*p = resume;
	} else {
		*len = (int)(e - s);
		*p = *e == '\n' || *e == ' ' ? e + 1 : e;
	}
	while (*len > 0 && s[*len - 1] == ' ')
		(*len)--;
	return 1;
}

/* The columns text takes. */
static int text_width(const char *s)
{
	int w = 0;
	while (*s)
		w += clab_char_width(clab_utf8_next(&s));
	return w;
}

static int is_zh(const struct clab_tui_demo *d)
{
	return d->lang && strcmp(d->lang, "zh") == 0;
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
	int zh = is_zh(t->demo);
	if (key == ' ') {
		if (t->dstep + 1 < t->demo->n)
			clab_tui_demo_go(t, t->dstep + 1);
		else
			snprintf(t->msg, sizeof(t->msg), "%s",
				 zh ? "已是最后一步：b 返回上一步，q 退出"
				    : "the last step: b goes back, q quits");
		return 1;
	}
	if (key == 'b' || key == TK_BACKSPACE) {
		if (t->dstep > 0)
			clab_tui_demo_go(t, t->dstep - 1);
		else
			snprintf(t->msg, sizeof(t->msg), "%s",
				 zh ? "已是第一步：按空格继续"
				    : "the first step: Space goes on");
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
	int zh = is_zh(d);
	clab_canvas_printf(cv, r.y, r.x + 2, r.w - 4, CV_FOCUS, 0,
			   zh ? " 第 %zu 步，共 %zu 步：%s "
			      : " Step %zu of %zu: %s ",
			   t->dstep + 1, d->n, d->title ? d->title : "");
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
			 zh ? " 这一步在 #%u；空格 下一步  b 上一步 "
			    : " this step is at #%u; Space next  b back ",
			 d->steps[t->dstep].record);
	else if (t->dstep + 1 < d->n)
		snprintf(hint, sizeof(hint), "%s",
			 zh ? " 空格 下一步  b 上一步  q 退出 "
			    : " Space next  b back  q quit ");
	else
		snprintf(hint, sizeof(hint), "%s",
			 zh ? " 结束  b 上一步  q 退出 "
			    : " the end  b back  q quit ");
	int hl = text_width(hint);
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
