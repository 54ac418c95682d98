/* The in-memory screen that every view draws into. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/error.h>
#include <conclab/label.h>

#include "canvas.h"

int clab_canvas_resize(struct clab_canvas *cv, int w, int h)
{
	if (w < 1)
		w = 1;
	if (h < 1)
		h = 1;
	if (w != cv->w || h != cv->h || !cv->cells) {
		struct clab_cell *c = calloc((size_t)w * h, sizeof(*c));
		if (!c)
			return CLAB_ENOMEM;
		free(cv->cells);
		cv->cells = c;
		cv->w = w;
		cv->h = h;
	}
	clab_canvas_clear(cv);
	return 0;
}

void clab_canvas_free(struct clab_canvas *cv)
{
	if (!cv)
		return;
	free(cv->cells);
	cv->cells = NULL;
	cv->w = cv->h = 0;
}

void clab_canvas_clear(struct clab_canvas *cv)
{
	for (int i = 0; i < cv->w * cv->h; i++)
		cv->cells[i] = (struct clab_cell){' ', CV_NORMAL, 0, 0};
}

uint32_t clab_canvas_glyph(const struct clab_canvas *cv, enum clab_glyph g)
{
	static const uint32_t uni[G_N] = {0x2500, 0x2502, 0x250c, 0x2510,
					  0x2514, 0x2518, 0x2192};
	static const uint32_t asc[G_N] = {'-', '|', '+', '+', '+', '+', '>'};
	return cv->utf8 ? uni[g] : asc[g];
}

/* Blank what is left of a wide character that (y, x) cuts in half. */
static void unsplit(struct clab_canvas *cv, int y, int x)
{
	struct clab_cell *row = &cv->cells[y * cv->w];
	if (x < 0 || x >= cv->w)
		return;
	if (row[x].ch == CV_TAIL && x > 0)
		row[x - 1].ch = ' ';
	if (row[x].ch != CV_TAIL && x + 1 < cv->w && row[x + 1].ch == CV_TAIL)
		row[x + 1].ch = ' ';
}

int clab_canvas_putc(struct clab_canvas *cv, int y, int x, uint32_t ch,
		     unsigned role, unsigned attr)
{
	if (ch < 0x20 || ch == 0x7f || (ch >= 0x80 && ch < 0xa0) ||
	    (ch >= 0x80 && !cv->utf8))
		ch = '?';
	int w = clab_char_width(ch);
	if (w == 0)
		return 0; /* a combining mark: nothing of its own to draw */
	if (y < 0 || x < 0 || y >= cv->h || x >= cv->w)
		return w;
	if (w == 2 && x + 1 >= cv->w) {
		ch = ' '; /* half of it would be off the edge */
		w = 1;
	}
	unsplit(cv, y, x);
	if (w == 2) {
		unsplit(cv, y, x + 1);
		cv->cells[y * cv->w + x + 1] = (struct clab_cell){
		    CV_TAIL, (uint8_t)role, (uint8_t)attr, 0};
	}
	cv->cells[y * cv->w + x] =
	    (struct clab_cell){ch, (uint8_t)role, (uint8_t)attr, 0};
	return w;
}

int clab_canvas_puts(struct clab_canvas *cv, int y, int x, int max,
		     unsigned role, unsigned attr, const char *s)
{
	int end = max < 0 ? cv->w : x + max;
	if (end > cv->w)
		end = cv->w;
	while (*s && x < end) {
		uint32_t ch = clab_utf8_next(&s);
		if (ch == '\t')
			ch = ' ';
		if (cv->utf8 && x + clab_char_width(ch) > end)
			break; /* a wide character that would cross the edge */
		x += clab_canvas_putc(cv, y, x, ch, role, attr);
	}
	return x;
}

int clab_canvas_printf(struct clab_canvas *cv, int y, int x, int max,
		       unsigned role, unsigned attr, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return clab_canvas_puts(cv, y, x, max, role, attr, buf);
}

void clab_canvas_paint(struct clab_canvas *cv, int y, int x, int w, int h,
		       unsigned role, unsigned attr)
{
	for (int r = y; r < y + h; r++)
		for (int c = x; c < x + w; c++) {
			if (r < 0 || c < 0 || r >= cv->h || c >= cv->w)
				continue;
			cv->cells[r * cv->w + c].role = (uint8_t)role;
			cv->cells[r * cv->w + c].attr = (uint8_t)attr;
		}
}

void clab_canvas_fill(struct clab_canvas *cv, int y, int x, int w, int h,
		      unsigned role)
{
	for (int r = y; r < y + h; r++)
		for (int c = x; c < x + w; c++)
			clab_canvas_putc(cv, r, c, ' ', role, 0);
}

void clab_canvas_hline(struct clab_canvas *cv, int y, int x, int w,
		       unsigned role)
{
	for (int c = x; c < x + w; c++)
		clab_canvas_putc(cv, y, c, clab_canvas_glyph(cv, G_HLINE), role,
				 0);
}

void clab_canvas_box(struct clab_canvas *cv, int y, int x, int w, int h,
		     unsigned role)
{
	clab_canvas_fill(cv, y, x, w, h, role);
	clab_canvas_hline(cv, y, x + 1, w - 2, role);
	clab_canvas_hline(cv, y + h - 1, x + 1, w - 2, role);
	for (int r = y + 1; r < y + h - 1; r++) {
		clab_canvas_putc(cv, r, x, clab_canvas_glyph(cv, G_VLINE), role,
				 0);
		clab_canvas_putc(cv, r, x + w - 1,
				 clab_canvas_glyph(cv, G_VLINE), role, 0);
	}
	clab_canvas_putc(cv, y, x, clab_canvas_glyph(cv, G_TL), role, 0);
	clab_canvas_putc(cv, y, x + w - 1, clab_canvas_glyph(cv, G_TR), role,
			 0);
	clab_canvas_putc(cv, y + h - 1, x, clab_canvas_glyph(cv, G_BL), role,
			 0);
	clab_canvas_putc(cv, y + h - 1, x + w - 1, clab_canvas_glyph(cv, G_BR),
			 role, 0);
}

static void put_utf8(uint32_t c, FILE *out)
{
	if (c < 0x80) {
		fputc((int)c, out);
	} else if (c < 0x800) {
		fputc(0xc0 | (int)(c >> 6), out);
		fputc(0x80 | (int)(c & 0x3f), out);
	} else if (c < 0x10000) {
		fputc(0xe0 | (int)(c >> 12), out);
		fputc(0x80 | (int)((c >> 6) & 0x3f), out);
		fputc(0x80 | (int)(c & 0x3f), out);
	} else {
		fputc(0xf0 | (int)(c >> 18), out);
		fputc(0x80 | (int)((c >> 12) & 0x3f), out);
		fputc(0x80 | (int)((c >> 6) & 0x3f), out);
		fputc(0x80 | (int)(c & 0x3f), out);
	}
}

void clab_canvas_print(const struct clab_canvas *cv, FILE *out)
{
	for (int y = 0; y < cv->h; y++) {
		const struct clab_cell *row = &cv->cells[y * cv->w];
		int end = cv->w;
		while (end > 0 && row[end - 1].ch == ' ')
			end--;
		for (int x = 0; x < end; x++)
			if (row[x].ch != CV_TAIL)
				put_utf8(row[x].ch, out);
		fputc('\n', out);
	}
}
