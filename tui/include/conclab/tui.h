/*
 * The replay viewer: a terminal UI over a loaded trace.
 *
 * clab_tui_run() takes over the terminal (ncurses), replays the trace
 * until the user quits, and restores the terminal on every way out: a
 * normal quit, SIGINT, SIGTERM, SIGHUP, or a fatal error (the message is
 * printed after the terminal is restored).  In batch mode it uses no
 * terminal at all: it applies a string of keys to an in-memory screen and
 * prints that screen as text, which is what tests and scripts use.
 */
#ifndef CONCLAB_TUI_H
#define CONCLAB_TUI_H

#include <stdint.h>
#include <stdio.h>

#include <conclab/trace.h>

/*
 * Live mode (`conclab step`): the trace is a run in progress that stops at
 * each choice of the controlled scheduler, and the person at the keyboard
 * makes the choice.  The viewer shows the choices (keys 1-9, a-z pick;
 * u undoes the last, r redoes it) and asks again for the state after each.
 */
struct clab_tui_live {
	void *arg;
	/*
	 * The run as it stands: its trace so far, the current choices (one
	 * line of text each; none once the run has ended) and a message
	 * (how the run ended, or why a move failed; NULL for none).  The
	 * pointers stay valid until the next call of any of these.
	 */
	void (*state)(void *arg, const struct clab_trace **tr,
		      const char *const **choices, size_t *n, const char **msg,
		      int *ended);
	/* Take choice k; undo the last move; redo it.  0 or -1. */
	int (*pick)(void *arg, size_t k);
	int (*undo)(void *arg);
	int (*redo)(void *arg);
};

/*
 * Demo mode (`conclab demo`): a lecture's narration over a finished run.
 * The viewer opens at the first step; Space goes to the next step (the
 * cursor to its record, its text in a box under the records), b or
 * Backspace to the one before; every other key works as in replay.
 */
struct clab_tui_demo_step {
	uint32_t record;  /* where the step puts the cursor */
	const char *text; /* UTF-8 (CJK takes two columns); '\n' breaks */
};
struct clab_tui_demo {
	const char *title; /* on the box's frame */
	const struct clab_tui_demo_step *steps;
	size_t n;	  /* one step at least */
	const char *lang; /* the box's own words: "zh" Chinese, else English */
};

/* The most lines a step's text may take in the box, at 80 columns. */
#define CLAB_TUI_DEMO_LINES 6
/* The box's text width at 80 columns. */
#define CLAB_TUI_DEMO_WIDTH 76

/*
 * clab_tui_wrap - the number of lines text takes broken at spaces, or
 * between CJK characters, into lines of at most width columns (a CJK
 * character takes two; a longer word is cut); '\n' breaks a line.  Thread
 * safe.
 */
int clab_tui_wrap(const char *text, int width);

struct clab_tui_opts {
	uint64_t at;	 /* the record to open at (UINT64_MAX: the start) */
	int deadlock;	 /* open at the deadlock, if the trace has one */
	int no_color;	 /* no colour (NO_COLOR in the environment too) */
	int ascii;	 /* ASCII glyphs even in a UTF-8 locale */
	int no_mouse;	 /* leave the mouse to the terminal (selecting text) */
	const char *dir; /* the trace's directory, for source files */
	/* Batch mode: no terminal; apply keys, print the screen to out. */
	int batch;
	const char *keys; /* "jjD?"; <Tab>, <Left>, <Enter>... name keys */
	int width, height;
	FILE *out;
	const struct clab_tui_live *live; /* live mode, or NULL */
	const struct clab_tui_demo *demo; /* demo mode, or NULL */
};

/* Fill o with the defaults: interactive, 80x24 in batch mode, stdout. */
void clab_tui_opts_init(struct clab_tui_opts *o);

/*
 * clab_tui_run - show tr until the user quits.
 *
 * Returns 0 on a normal quit, 128+N when stopped by signal N, or a
 * negative error (CLAB_EINVAL: not a terminal or a bad key string;
 * CLAB_ENOMEM).  On an error, a message has been written to errbuf.
 * Not thread safe: one viewer per process.
 */
int clab_tui_run(const struct clab_trace *tr, const struct clab_tui_opts *o,
		 char *errbuf, size_t errlen);

/* Live mode: tr is taken from o->live's state; see clab_tui_live. */

/*
 * clab_tui_bench - measure the viewer on tr and print the numbers to out:
 * indexing time, seek times at random records, frame times (seek and
 * draw, no terminal).  Returns 0 or a negative error.
 */
int clab_tui_bench(const struct clab_trace *tr, FILE *out);

#endif
