/*
 * Source lines for the sites of a trace.  Sites name files relative to the
 * directory the program was built in ("../labs/philosophers.c"), so a file
 * is looked for as named, relative to the trace's directory, and with its
 * leading "../" parts removed, relative to the current directory.  Files
 * are read once and kept; a file that cannot be read is remembered too.
 */
#ifndef CLAB_TUI_SOURCE_H
#define CLAB_TUI_SOURCE_H

struct clab_source;

/* dir: the trace's directory, or NULL.  Returns NULL when out of memory. */
struct clab_source *clab_source_new(const char *dir);
void clab_source_free(struct clab_source *s);

/*
 * Line `line` (from 1) of file without its newline, or NULL when the file
 * or the line cannot be read.  Valid until clab_source_free().
 */
const char *clab_source_line(struct clab_source *s, const char *file, int line);

#endif
