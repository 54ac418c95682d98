/* A lab report in the formats that people and autograders read. */
#ifndef CONCLAB_REPORT_H
#define CONCLAB_REPORT_H

#include <stdio.h>

#include "lab.h"
#include "rubric.h"

enum clab_report_format {
	CLAB_REPORT_TEXT,
	CLAB_REPORT_JSON,
	CLAB_REPORT_GRADESCOPE,
	CLAB_REPORT_JUNIT,
};

/* The formats' names, by enum clab_report_format, then NULL. */
extern const char *const clab_report_format_names[];

/*
 * Write rep for a trace of lab/variant (variant may be NULL) in fmt.  sig
 * says whether the trace is signed ("not signed", "signed (not verified:
 * no --key)", "signed, verified"); NULL leaves it out.  Each property is
 * worth its weight in rubric (NULL: lab's defaults) when it holds, not
 * vacuously, on a run that completed; information is worth nothing.  The
 * output depends only on its arguments: the same trace gives the same
 * bytes.  Returns 0, or -1 if writing failed.
 */
int clab_report_write(FILE *out, enum clab_report_format fmt, const char *trace,
		      const char *lab, const char *variant, const char *sig,
		      const struct clab_lab_report *rep,
		      const struct clab_rubric *rubric);

#endif
