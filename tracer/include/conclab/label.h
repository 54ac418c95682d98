/*
 * How reports name threads and objects.
 *
 * A thread or an object is named by its name ("phil-0", "fork-1"), and by
 * its id as well only when another one of the same report has the same
 * name: "worker (T3)" for a thread, "lock (#7)" for an object.  One with
 * no name is named by its id alone ("T3", "#7").  Thread ids count from 0
 * (main), so the id is never the number in a name like "phil-0": showing it
 * when the name says enough only confuses.
 *
 * The watchdog's report decides "the same name" among the threads and
 * objects it lists; the reports made from a trace (conclab analyze, the
 * labs' checks) among all the threads, or all the objects other than
 * threads, of the trace (clab_trace_thread_label, clab_trace_object_label
 * in trace.h).
 */
#ifndef CONCLAB_LABEL_H
#define CONCLAB_LABEL_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

/*
 * clab_label - write the label of a thread (prefix 'T') or an object
 * (prefix '#') with this name and id to buf, like snprintf; shared says
 * that another one of the report has the same name.  name may be NULL.
 * Returns buf.  Thread safe.
 */
const char *clab_label(char *buf, size_t len, const char *name, char prefix,
		       uint32_t id, int shared);

/*
 * Reports are read in a terminal: a line longer than the text width goes
 * on over following lines, indented so that the detail stands under the
 * start of the message it continues.  The width is CLAB_TEXT_WIDTH
 * columns, or a narrower terminal's, or what CONCLAB_TEXT_WIDTH says
 * (the command sets it once, at its start, with clab_text_width_set).
 */
#define CLAB_TEXT_WIDTH 100
#define CLAB_TEXT_WIDTH_MIN 40

/*
 * The text width, and setting it: 0 never folds (for scripts that read
 * reports line by line), less than CLAB_TEXT_WIDTH_MIN is that.
 */
unsigned clab_text_width(void);
void clab_text_width_set(unsigned columns);

/*
 * clab_text_width_choose - set the text width as a program that prints
 * reports to a terminal should: CONCLAB_TEXT_WIDTH=N says N columns (0:
 * never fold); else CLAB_TEXT_WIDTH, or the terminal's width when it is
 * narrower (the narrowest of standard output and error that is one).
 * conclab calls it at its start, and the preload library in the traced
 * program, whose watchdog prints its reports there.
 */
void clab_text_width_choose(void);

/*
 * clab_char_width - the columns ch takes on a terminal: 2 for East Asian
 * wide characters, 0 for combining marks, else 1 (wcwidth(), or Unicode's
 * table when the locale cannot say).
 */
int clab_char_width(uint32_t ch);
/* The next UTF-8 character of *s (a bad byte: U+FFFD); *s moves past it. */
uint32_t clab_utf8_next(const char **s);

/*
 * clab_wrap - fold the line s (no newline in it) at width columns,
 * breaking at the last space that fits; each following line begins with
 * indent spaces, and one word longer than the room stays whole.  Columns
 * are a terminal's (clab_char_width).  Writes the result and a newline to
 * buf like snprintf (at most len - 1 bytes and a NUL) and returns the
 * length the whole result has.  Thread safe.
 */
size_t clab_wrap(char *buf, size_t len, const char *s, unsigned width,
		 unsigned indent);

/*
 * clab_wrapf - print a line made like printf (fmt without a newline) to
 * out, folded by clab_wrap at the text width with indent spaces on each
 * following line.
 */
void clab_wrapf(FILE *out, unsigned indent, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- shared with the reader (not a stable API) ---- */
struct clab_thread_info;
struct clab_object_info;

/*
 * clab__label_trace - set the label of every thread and object of a trace
 * that is being loaded; an object that is a thread (tids[oid - 1] is its
 * tid, UINT32_MAX for other objects) gets its thread's label.  Labels that
 * are not the name itself are allocated in one block, returned in *block
 * for the caller to free with the trace.  Returns 0 or CLAB_ENOMEM.
 */
int clab__label_trace(struct clab_thread_info *th, uint32_t nth,
		      struct clab_object_info *ob, uint32_t nob,
		      const uint32_t *tids, char **block);

#endif
