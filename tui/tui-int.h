/*
 * The viewer's insides: the application state, the keys, the views.
 * Everything here is curses-free; screen.h is the terminal.
 */
#ifndef CLAB_TUI_INT_H
#define CLAB_TUI_INT_H

#include <stdint.h>

#include <conclab/analyze.h>
#include <conclab/trace.h>
#include <conclab/tui.h>

#include "canvas.h"
#include "labpic.h"
#include "lockorder.h"
#include <conclab/replay.h>
#include "source.h"

#define TUI_MIN_W 80
#define TUI_MIN_H 24
/* Why nobody wakes the threads of a deadlock: at most so many lines. */
#define TUI_STUCK_LINES 8
#define TUI_STUCK_LEN 160

/* Keys: characters are themselves; the others are above Unicode. */
enum {
	TK_NONE = -1,
	TK_TAB = '\t',
	TK_ENTER = '\n',
	TK_ESC = 27,
	TK_BACKSPACE = 127,
	TK_LEFT = 0x110000,
	TK_RIGHT,
	TK_UP,
	TK_DOWN,
	TK_PGUP,
	TK_PGDN,
	TK_HOME,
	TK_END,
	TK_BTAB,
	TK_RESIZE,
	TK_TICK,	     /* a frame passed while playing */
	TK_MOUSE = 0x200000, /* and above: mouse events, see below */
};

/*
 * Mouse events travel as keys too, so that the terminal, batch mode and
 * the tests share one path: the kind and the cell (0-based, as in the
 * canvas) packed above every other key.  The view under the cell
 * resolves the event from its layout (clab_tui_mouse()).
 */
enum tui_mouse { TM_CLICK, TM_WHEEL_UP, TM_WHEEL_DOWN, TM_N };
#define TM_MAXPOS 1024 /* rows and columns beyond are clamped */

static inline int clab_tui_mouse_key(enum tui_mouse kind, int y, int x)
{
	y = y < 0 ? 0 : y >= TM_MAXPOS ? TM_MAXPOS - 1 : y;
	x = x < 0 ? 0 : x >= TM_MAXPOS ? TM_MAXPOS - 1 : x;
	return TK_MOUSE + (int)kind * TM_MAXPOS * TM_MAXPOS + y * TM_MAXPOS + x;
}

static inline int clab_tui_is_mouse(int key)
{
	return key >= TK_MOUSE && key < TK_MOUSE + TM_N * TM_MAXPOS * TM_MAXPOS;
}

enum tui_pane { PANE_LANES, PANE_LOG, PANE_OBJECTS, PANE_N };

struct tui {
	const struct clab_trace *tr;
	struct clab_replay *rp;
	struct clab_rstate st;	    /* the state after the cursor's record */
	struct clab_rstate scratch; /* for the lanes */
	uint32_t n;		    /* records */
	uint32_t cur;		    /* the cursor: a record number */
	uint32_t sel_thread;
	uint32_t sel_obj; /* 0: none */
	int pane;
	int help;
	int playing;
	int speed;     /* index into the speed table */
	uint32_t zoom; /* records per lane column */
	int color, utf8;
	int mouse; /* the terminal reports the mouse (help says so) */
	int quit;
	int prompt; /* 0, ':' or '/' while typing */
	char input[128];
	char search[128];
	char msg[200];
	int msg_warn;
	struct clab_canvas cv;
	struct clab_source *src;
	uint8_t *lane; /* lane glyph buffer: threads x columns */
	size_t lane_cap;
	/* the lock-order view (L), built at its first use */
	int locks, locks_built;
	struct clab_lorder lo;
	uint32_t lsel; /* the selected cycle */
	/*
	 * The deadlock without a cycle (threads on a condition nobody will
	 * signal): why nobody wakes them, a few short lines made from the
	 * trace's analysis once, when the cursor first reaches the deadlock
	 * (clab_tui_stuck); stuck_built -1 when they could not be.
	 */
	int stuck_built;
	int nstuck;
	char stuck[TUI_STUCK_LINES][TUI_STUCK_LEN];
	/* the lab picture (p) in the objects' place, made at its first use */
	int picture;
	struct clab_labpic *pic;
	/* live mode (conclab step): the run's state as last asked */
	const struct clab_tui_live *live;
	const char *const *choices;
	size_t nchoices;
	int ended;
	/* demo mode (conclab demo): the steps and the one shown */
	const struct clab_tui_demo *demo;
	size_t dstep;
};

/* One entry of the key table; the help overlay is made from it. */
struct tui_key {
	int key, alt;	  /* alt: TK_NONE or a second key */
	const char *name; /* as shown in help: "l Right" */
	const char *help;
	void (*fn)(struct tui *t, int key);
};

extern const struct tui_key clab_tui_keys[];
extern const unsigned clab_tui_nkeys;

/* Set up t for tr with the options o (no terminal); fini frees it. */
int clab_tui_init(struct tui *t, const struct clab_trace *tr,
		  const struct clab_tui_opts *o);
/* Show another trace (live mode), at its last record; keeps the views. */
int clab_tui_reload(struct tui *t, const struct clab_trace *tr);
/*
 * Why nobody wakes the threads of the trace's deadlock when it has no
 * wait-for cycle: t->stuck[0..t->nstuck), made from the trace's analysis
 * at the first call and kept until the trace changes.  Returns
 * t->nstuck (0: no such deadlock, or no memory for the analysis).
 */
int clab_tui_stuck(struct tui *t);
void clab_tui_fini(struct tui *t);

/* Handle one key (prompts, help, the table); sets t->quit on q. */
void clab_tui_key(struct tui *t, int key);
/* Move the cursor to record i (clamped) and update the state. */
void clab_tui_goto(struct tui *t, uint32_t i);
/* Records per second of each speed. */
uint32_t clab_tui_speed(const struct tui *t);
/* Select the next (dir > 0) or previous object, skipping threads. */
void clab_tui_select_obj(struct tui *t, int dir);
/* Handle a mouse key: the view under its cell resolves it. */
void clab_tui_mouse(struct tui *t, int key);
/* Parse a batch key string into keys; returns the count or -1. */
int clab_tui_parse_keys(const char *s, int *keys, int max);

/* A view draws itself into a rectangle of the canvas. */
struct tui_rect {
	int y, x, w, h;
};
struct tui_view {
	const char *name;
	void (*draw)(struct tui *t, struct tui_rect r, int focused);
	/*
	 * A click or wheel turn at (y, x) in r, with r as drawn last: act on
	 * what is drawn there; 1 when handled, 0 to let the wheel step the
	 * records.  NULL: the view ignores the mouse.
	 */
	int (*mouse)(struct tui *t, struct tui_rect r, enum tui_mouse kind,
		     int y, int x);
};

/* Where the views are in a frame of the canvas's size. */
struct tui_layout {
	int small; /* below TUI_MIN_W x TUI_MIN_H: only a message */
	struct tui_rect status, lanes, mid, log, objs, info;
	struct tui_rect moves; /* live mode: the choices, below the log */
	struct tui_rect demo;  /* demo mode: the narration, full width */
};
void clab_tui_layout(const struct tui *t, struct tui_layout *l);

extern const struct tui_view clab_view_status, clab_view_lanes, clab_view_log,
    clab_view_objects, clab_view_info, clab_view_help, clab_view_locks,
    clab_view_picture, clab_view_moves, clab_view_demo;

/*
 * Live mode: ask for the run's state and show it (the cursor goes to its
 * last record); a key of the moves (1-9, a-z, u, r), 1 when handled.
 */
int clab_tui_live_refresh(struct tui *t);
int clab_tui_live_key(struct tui *t, int key);
/* The choice numbered text (from 1), typed after '#'. */
void clab_tui_live_number(struct tui *t, const char *text);
/* The key of choice k ('1'..'9', then '0'), or 0 past them. */
int clab_tui_move_key(size_t k);

/*
 * Demo mode: go to step k (the cursor to its record); a key of the demo
 * (Space, b, Backspace), 1 when handled; the box's height at width w.
 */
void clab_tui_demo_go(struct tui *t, size_t k);
int clab_tui_demo_key(struct tui *t, int key);
int clab_tui_demo_height(const struct tui *t, int w);

/* Keys of the lock-order view (j k Enter Esc); 1 when handled. */
int clab_tui_locks_key(struct tui *t, int key);

/* Draw the whole frame into t->cv (the layout lives here). */
void clab_tui_draw(struct tui *t);

/* Short names: "T3", an object's name ("fork-2"). */
const char *clab_tui_tname(const struct tui *t, uint32_t tid, char *buf,
			   size_t len);
const char *clab_tui_oname(const struct tui *t, uint32_t oid, char *buf,
			   size_t len);
/* A compact one-line form of record i for the log. */
void clab_tui_format(const struct tui *t, uint32_t i, char *buf, size_t len);
/* "philosophers.c:158", the site's file without its folders. */
const char *clab_tui_site(const struct tui *t, uint32_t site, char *buf,
			  size_t len);
/* The glyph and role of a thread state in the lanes. */
uint32_t clab_tui_glyph(const struct tui *t, const struct clab_rthread *th,
			unsigned *role);

#endif
