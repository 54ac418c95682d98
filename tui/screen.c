/*
 * Every curses call of the viewer (the htop CRT.c idea): opening and
 * restoring the terminal, colours for the canvas's roles, keys.
 */
#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <wchar.h>

#include "screen.h"
#include "tui-int.h"

static int active;
static int colored;
static int mouse_on; /* the buttons that mousemask() granted */
static SCREEN *scr;

/* Colours of the roles: foreground, background, attributes. */
static const struct {
	short fg, bg;
	attr_t attr;	  /* with colour */
	attr_t mono_attr; /* without */
} roles[CV_NROLES] = {
    [CV_NORMAL] = {-1, -1, A_NORMAL, A_NORMAL},
    [CV_STATUS] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE},
    [CV_TITLE] = {COLOR_WHITE, COLOR_BLUE, A_NORMAL, A_UNDERLINE},
    [CV_FOCUS] = {COLOR_BLACK, COLOR_YELLOW, A_BOLD, A_REVERSE | A_BOLD},
    [CV_CURSOR] = {COLOR_BLACK, COLOR_WHITE, A_NORMAL, A_REVERSE},
    [CV_RUN] = {COLOR_GREEN, -1, A_NORMAL, A_NORMAL},
    [CV_HOLD] = {COLOR_CYAN, -1, A_BOLD, A_NORMAL},
    [CV_REQ] = {COLOR_RED, -1, A_BOLD, A_BOLD},
    [CV_WAIT] = {COLOR_YELLOW, -1, A_NORMAL, A_NORMAL},
    [CV_BLOCK] = {COLOR_MAGENTA, -1, A_NORMAL, A_NORMAL},
    [CV_SLEEP] = {COLOR_BLUE, -1, A_NORMAL, A_NORMAL},
    [CV_DONE] = {-1, -1, A_DIM, A_DIM},
    [CV_DIAG] = {COLOR_RED, -1, A_BOLD, A_BOLD},
    [CV_NOTE] = {COLOR_CYAN, -1, A_NORMAL, A_NORMAL},
    [CV_DIM] = {-1, -1, A_DIM, A_DIM},
    [CV_WARN] = {COLOR_YELLOW, COLOR_RED, A_BOLD, A_BOLD | A_REVERSE},
    [CV_KEY] = {COLOR_YELLOW, -1, A_NORMAL, A_BOLD},
    [CV_SOURCE] = {COLOR_GREEN, -1, A_NORMAL, A_NORMAL},
};

void clab_screen_close(void)
{
	if (!active)
		return;
	active = 0;
	/*
	 * endwin() turns mouse reporting off too; asking for no events
	 * first does it even where it would not, so that clicks in the
	 * shell afterwards do not print escape sequences.
	 */
	if (mouse_on) {
		mousemask(0, NULL);
		mouse_on = 0;
	}
	endwin();
	if (scr) {
		delscreen(scr);
		scr = NULL;
	}
	fflush(stdout);
}

int clab_screen_open(int color, int mouse, char *err, size_t errlen)
{
	static int registered;
	if (!isatty(0) || !isatty(1)) {
		snprintf(err, errlen,
			 "standard input and output must be a terminal; "
			 "try --batch");
		return -1;
	}
	scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		snprintf(err, errlen,
			 "cannot use the terminal (TERM=%s); try --batch",
			 getenv("TERM") ? getenv("TERM") : "unset");
		return -1;
	}
	active = 1;
	if (!registered) {
		atexit(clab_screen_close);
		registered = 1;
	}
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	/*
	 * Presses only (no releases, no motion): a click acts when pressed,
	 * and with mouseinterval(0) curses does not wait to tell clicks
	 * from double clicks.  A terminal without a mouse grants nothing,
	 * and the viewer is as with --no-mouse.
	 */
	mouse_on = 0;
	if (mouse) {
		mmask_t want = BUTTON1_PRESSED | BUTTON4_PRESSED;
#ifdef BUTTON5_PRESSED
		want |= BUTTON5_PRESSED;
#endif
		mouse_on = mousemask(want, NULL) != 0;
		if (mouse_on)
			mouseinterval(0);
	}
	colored = color && has_colors();
	if (colored && start_color() == OK) {
		use_default_colors();
		for (short r = 1; r < CV_NROLES; r++)
			init_pair(r, roles[r].fg, roles[r].bg);
	} else {
		colored = 0;
	}
	return 0;
}

int clab_screen_mouse(void)
{
	return active && mouse_on;
}

/* A curses mouse event as a mouse key, or TK_NONE. */
static int mouse_key(void)
{
	MEVENT ev;
	if (getmouse(&ev) != OK)
		return TK_NONE;
	if (ev.bstate & BUTTON1_PRESSED)
		return clab_tui_mouse_key(TM_CLICK, ev.y, ev.x);
	if (ev.bstate & BUTTON4_PRESSED)
		return clab_tui_mouse_key(TM_WHEEL_UP, ev.y, ev.x);
#ifdef BUTTON5_PRESSED
	if (ev.bstate & BUTTON5_PRESSED)
		return clab_tui_mouse_key(TM_WHEEL_DOWN, ev.y, ev.x);
#endif
	return TK_NONE;
}

void clab_screen_size(int *w, int *h)
{
	getmaxyx(stdscr, *h, *w);
}

static attr_t attr_of(const struct clab_cell *c)
{
	attr_t a = colored ? roles[c->role].attr | COLOR_PAIR(c->role)
			   : roles[c->role].mono_attr;
	if (c->attr & CV_REVERSE)
		a |= A_REVERSE;
	if (c->attr & CV_BOLD)
		a |= A_BOLD;
	return a;
}

void clab_screen_show(const struct clab_canvas *cv)
{
	int w, h;
	getmaxyx(stdscr, h, w);
	erase();
	for (int y = 0; y < cv->h && y < h; y++) {
		const struct clab_cell *row = &cv->cells[y * cv->w];
		int x = 0;
		while (x < cv->w && x < w) {
			wchar_t run[512];
			int n = 0, x0 = x;
			attr_t a = attr_of(&row[x]);
			if (row[x].ch ==
			    CV_TAIL) { /* drawn with its left half */
				x++;
				continue;
			}
			for (; x < cv->w && x < w && n < 511; x++)
				if (row[x].ch == CV_TAIL)
					continue;
				else if (attr_of(&row[x]) == a)
					run[n++] = (wchar_t)row[x].ch;
				else
					break;
			run[n] = 0;
			attrset(a);
			mvaddnwstr(y, x0, run, n);
		}
	}
	attrset(A_NORMAL);
	refresh();
}

int clab_screen_key(int timeout_ms)
{
	wint_t ch;
	timeout(timeout_ms);
	int r = get_wch(&ch);
	if (r == ERR)
		return TK_NONE;
	if (r == KEY_CODE_YES) {
		switch (ch) {
		case KEY_LEFT:
			return TK_LEFT;
		case KEY_RIGHT:
			return TK_RIGHT;
		case KEY_UP:
			return TK_UP;
		case KEY_DOWN:
			return TK_DOWN;
		case KEY_PPAGE:
			return TK_PGUP;
		case KEY_NPAGE:
			return TK_PGDN;
		case KEY_HOME:
			return TK_HOME;
		case KEY_END:
			return TK_END;
		case KEY_BTAB:
			return TK_BTAB;
		case KEY_BACKSPACE:
			return TK_BACKSPACE;
		case KEY_ENTER:
			return TK_ENTER;
		case KEY_RESIZE:
			return TK_RESIZE;
		case KEY_MOUSE:
			return mouse_key();
		default:
			return TK_NONE;
		}
	}
	if (ch == '\r')
		return TK_ENTER;
	if (ch == 8)
		return TK_BACKSPACE;
	return (int)ch;
}
