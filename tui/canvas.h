/*
 * An in-memory screen: a grid of cells, each a character, a semantic
 * colour role and a few attribute bits.  Views draw here; screen.c copies
 * it to the terminal (mapping roles to colours, or to attributes when
 * there is no colour), and batch mode prints it as plain text.
 */
#ifndef CLAB_TUI_CANVAS_H
#define CLAB_TUI_CANVAS_H

#include <stdint.h>
#include <stdio.h>

/* Colour roles: what a cell means, never which colour it is. */
enum clab_role {
	CV_NORMAL,
	CV_STATUS, /* the status line */
	CV_TITLE,  /* a pane's title */
	CV_FOCUS,  /* the focused pane's title */
	CV_CURSOR, /* the cursor's record */
	CV_RUN,	   /* thread states in the lanes */
	CV_HOLD,
	CV_REQ,
	CV_WAIT,
	CV_BLOCK,
	CV_SLEEP,
	CV_DONE,
	CV_DIAG,   /* diagnostics, the deadlock */
	CV_NOTE,   /* lab annotations */
	CV_DIM,	   /* secondary text */
	CV_WARN,   /* a damaged trace, an error message */
	CV_KEY,	   /* key names in help and hints */
	CV_SOURCE, /* source code */
	CV_NROLES
};

#define CV_REVERSE 1u
#define CV_BOLD 2u

/*
 * A character two columns wide (CJK) takes two cells: its own, and after
 * it a CV_TAIL cell that the terminal fills with the character's right
 * half.  Writing over either half blanks the other, so no half character
 * ever shows.
 */
#define CV_TAIL 0u

struct clab_cell {
	uint32_t ch; /* a Unicode code point (or CV_TAIL); ASCII when !utf8 */
	uint8_t role;
	uint8_t attr;
	uint16_t pad;
};

struct clab_canvas {
	int w, h;
	int utf8; /* whether non-ASCII characters may be drawn */
	struct clab_cell *cells;
};

/* Box and line glyphs, Unicode or ASCII by the canvas's utf8 flag. */
enum clab_glyph { G_HLINE, G_VLINE, G_TL, G_TR, G_BL, G_BR, G_ARROW, G_N };

int clab_canvas_resize(struct clab_canvas *cv, int w, int h);
void clab_canvas_free(struct clab_canvas *cv);
void clab_canvas_clear(struct clab_canvas *cv);
uint32_t clab_canvas_glyph(const struct clab_canvas *cv, enum clab_glyph g);

/* Characters and their columns: clab_utf8_next, clab_char_width (label.h). */

/*
 * One character at (y, x); outside the canvas does nothing.  A wide
 * character takes (y, x + 1) too; one that would not fit at the right
 * edge becomes a space.  Returns the columns it took (0 for a combining
 * mark, which is not drawn).
 */
int clab_canvas_putc(struct clab_canvas *cv, int y, int x, uint32_t ch,
		     unsigned role, unsigned attr);
/*
 * UTF-8 text at (y, x), at most max columns (max < 0: to the edge);
 * control characters become '?', and non-ASCII ones too when !utf8.  A
 * wide character that would cross the last column ends the text there.
 * Returns the column after the last character drawn.
 */
int clab_canvas_puts(struct clab_canvas *cv, int y, int x, int max,
		     unsigned role, unsigned attr, const char *s);
int clab_canvas_printf(struct clab_canvas *cv, int y, int x, int max,
		       unsigned role, unsigned attr, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
/* Paint a rectangle's cells with a role and attributes, keeping text. */
void clab_canvas_paint(struct clab_canvas *cv, int y, int x, int w, int h,
		       unsigned role, unsigned attr);
/* Fill a rectangle with spaces of a role. */
void clab_canvas_fill(struct clab_canvas *cv, int y, int x, int w, int h,
		      unsigned role);
void clab_canvas_hline(struct clab_canvas *cv, int y, int x, int w,
		       unsigned role);
void clab_canvas_box(struct clab_canvas *cv, int y, int x, int w, int h,
		     unsigned role);
/* The canvas as text, one line a row, trailing spaces removed. */
void clab_canvas_print(const struct clab_canvas *cv, FILE *out);

#endif
