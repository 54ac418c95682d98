/*
 * The terminal: the only part of the viewer that uses curses (screen.c).
 * It shows a canvas, reads keys as TK_* codes, and restores the terminal
 * when closed, which clab_screen_open() also arranges for exit().
 */
#ifndef CLAB_TUI_SCREEN_H
#define CLAB_TUI_SCREEN_H

#include <stddef.h>

#include "canvas.h"

/*
 * Take over the terminal, with mouse reporting when mouse is set and the
 * terminal can; returns 0, or -1 with a message in err.
 */
int clab_screen_open(int color, int mouse, char *err, size_t errlen);
/* Whether the terminal reports mouse buttons now. */
int clab_screen_mouse(void);
/* Restore the terminal.  Idempotent; safe from atexit. */
void clab_screen_close(void);
/* The terminal's size now. */
void clab_screen_size(int *w, int *h);
/* Show the canvas (only the changed cells reach the terminal). */
void clab_screen_show(const struct clab_canvas *cv);
/*
 * The next key as a TK_* code or a character, a mouse key (a click or a
 * wheel turn, clab_tui_mouse_key()), TK_RESIZE after the terminal
 * changed size, or TK_NONE when timeout_ms passed first, a signal
 * arrived, or the mouse did something the viewer does not use.
 */
int clab_screen_key(int timeout_ms);

#endif
