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
#include <stdint.h>

/*
 * clab_label - write the label of a thread (prefix 'T') or an object
 * (prefix '#') with this name and id to buf, like snprintf; shared says
 * that another one of the report has the same name.  name may be NULL.
 * Returns buf.  Thread safe.
 */
const char *clab_label(char *buf, size_t len, const char *name, char prefix,
		       uint32_t id, int shared);

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
