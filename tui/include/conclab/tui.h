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

/*
 * clab_tui_bench - measure the viewer on tr and print the numbers to out:
 * indexing time, seek times at random records, frame times (seek and
 * draw, no terminal).  Returns 0 or a negative error.
 */
int clab_tui_bench(const struct clab_trace *tr, FILE *out);

#endif
