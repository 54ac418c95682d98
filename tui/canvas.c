/* The in-memory screen that every view draws into. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/error.h>

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

void clab_canvas_putc(struct clab_canvas *cv, int y, int x, uint32_t ch,
		      unsigned role, unsigned attr)
{
	if (y < 0 || x < 0 || y >= cv->h || x >= cv->w)
		return;
	if (ch < 0x20 || ch == 0x7f || (ch >= 0x80 && ch < 0xa0) ||
	    (ch >= 0x80 && !cv->utf8))
		ch = '?';
	struct clab_cell *c = &cv->cells[y * cv->w + x];
	c->ch = ch;
	c->role = (uint8_t)role;
	c->attr = (uint8_t)attr;
}

/* Decode one UTF-8 character; a bad byte decodes as itself (then '?'). */
static uint32_t utf8_next(const unsigned char **sp)
{
	const unsigned char *s = *sp;
	uint32_t c = *s++;
	int more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
	if (c >= 0x80 && more == 0) {
		*sp = s;
		return 0xfffd;
	}
	c &= more == 3 ? 0x07 : more == 2 ? 0x0f : more == 1 ? 0x1f : 0x7f;
	while (more-- > 0) {
		if ((*s & 0xc0) != 0x80) {
			*sp = s;
			return 0xfffd;
		}
		c = (c << 6) | (*s++ & 0x3f);
	}
	*sp = s;
	return c;
}

int clab_canvas_puts(struct clab_canvas *cv, int y, int x, int max,
		     unsigned role, unsigned attr, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int end = max < 0 ? cv->w : x + max;
	if (end > cv->w)
		end = cv->w;
	while (*p && x < end) {
		uint32_t ch = utf8_next(&p);
		if (ch == '\t')
			ch = ' ';
		clab_canvas_putc(cv, y, x++, ch, role, attr);
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
			put_utf8(row[x].ch, out);
		fputc('\n', out);
	}
}
