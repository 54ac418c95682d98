/* The in-memory screen that every view draws into. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

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

/*
 * Unicode's East Asian Wide and Fullwidth ranges (EastAsianWidth.txt, W
 * and F): what wcwidth() says takes two columns in a UTF-8 locale, for
 * when the locale cannot say (C, or a test without setlocale).
 */
static const uint32_t wide[][2] = {
    {0x1100, 0x115f},	{0x231a, 0x231b},   {0x2329, 0x232a},
    {0x23e9, 0x23ec},	{0x23f0, 0x23f0},   {0x23f3, 0x23f3},
    {0x25fd, 0x25fe},	{0x2614, 0x2615},   {0x2648, 0x2653},
    {0x267f, 0x267f},	{0x2693, 0x2693},   {0x26a1, 0x26a1},
    {0x26aa, 0x26ab},	{0x26bd, 0x26be},   {0x26c4, 0x26c5},
    {0x26ce, 0x26ce},	{0x26d4, 0x26d4},   {0x26ea, 0x26ea},
    {0x26f2, 0x26f3},	{0x26f5, 0x26f5},   {0x26fa, 0x26fa},
    {0x26fd, 0x26fd},	{0x2705, 0x2705},   {0x270a, 0x270b},
    {0x2728, 0x2728},	{0x274c, 0x274c},   {0x274e, 0x274e},
    {0x2753, 0x2755},	{0x2757, 0x2757},   {0x2795, 0x2797},
    {0x27b0, 0x27b0},	{0x27bf, 0x27bf},   {0x2b1b, 0x2b1c},
    {0x2b50, 0x2b50},	{0x2b55, 0x2b55},   {0x2e80, 0x303e},
    {0x3041, 0x33ff},	{0x3400, 0x4dbf},   {0x4e00, 0x9fff},
    {0xa000, 0xa4cf},	{0xa960, 0xa97f},   {0xac00, 0xd7a3},
    {0xf900, 0xfaff},	{0xfe10, 0xfe19},   {0xfe30, 0xfe6f},
    {0xff00, 0xff60},	{0xffe0, 0xffe6},   {0x16fe0, 0x18aff},
    {0x1b000, 0x1b2ff}, {0x1f004, 0x1f004}, {0x1f0cf, 0x1f0cf},
    {0x1f18e, 0x1f18e}, {0x1f191, 0x1f19a}, {0x1f200, 0x1f2ff},
    {0x1f300, 0x1f64f}, {0x1f680, 0x1f6ff}, {0x1f900, 0x1f9ff},
    {0x20000, 0x2fffd}, {0x30000, 0x3fffd},
};

int clab_canvas_width(uint32_t ch)
{
	if (ch < 0x7f)
		return 1;
	int w = wcwidth((wchar_t)ch);
	if (w >= 0)
		return w > 2 ? 2 : w;
	if (ch >= 0x300 && ch < 0x370)
		return 0; /* combining diacritical marks */
	size_t lo = 0, hi = sizeof(wide) / sizeof(wide[0]);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (ch < wide[mid][0])
			hi = mid;
		else if (ch > wide[mid][1])
			lo = mid + 1;
		else
			return 2;
	}
	return 1;
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
	int w = clab_canvas_width(ch);
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

uint32_t clab_canvas_utf8_next(const char **sp)
{
	const unsigned char *s = (const unsigned char *)*sp;
	uint32_t c = *s++;
	int more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
	if (c >= 0x80 && more == 0) {
		*sp = (const char *)s;
		return 0xfffd;
	}
	c &= more == 3 ? 0x07 : more == 2 ? 0x0f : more == 1 ? 0x1f : 0x7f;
	while (more-- > 0) {
		if ((*s & 0xc0) != 0x80) {
			*sp = (const char *)s;
			return 0xfffd;
		}
		c = (c << 6) | (*s++ & 0x3f);
	}
	*sp = (const char *)s;
	return c;
}

int clab_canvas_puts(struct clab_canvas *cv, int y, int x, int max,
		     unsigned role, unsigned attr, const char *s)
{
	int end = max < 0 ? cv->w : x + max;
	if (end > cv->w)
		end = cv->w;
	while (*s && x < end) {
		uint32_t ch = clab_canvas_utf8_next(&s);
		if (ch == '\t')
			ch = ' ';
		if (cv->utf8 && x + clab_canvas_width(ch) > end)
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
