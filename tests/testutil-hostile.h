/*
 * The hostile-object suites (test-hostile.c, test-hostile-life.c): each
 * test runs its misuse in a forked child with a trace of its own and an
 * alarm, so that a crash or a hang fails the test instead of the suite;
 * the child sends back the calls' results (tu_rc) and the parent checks
 * them and the child's trace.
 */
#ifndef CONCLAB_TESTUTIL_HOSTILE_H
#define CONCLAB_TESTUTIL_HOSTILE_H

#include <stddef.h>
#include <stdint.h>

#include <conclab/runtime.h>
#include <conclab/trace.h>

#include "testutil.h"

/* ASan and TSan both stop a program at a read of freed memory. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define HOSTILE_UAF 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define HOSTILE_UAF 1
#endif
#endif
#ifndef HOSTILE_UAF
#define HOSTILE_UAF 0
#endif

#define TU_MAX_RC 64

/* What the child sends back: the results of its calls, in order. */
struct tu_out {
	int n;
	int rc[TU_MAX_RC];
};

/* In the child: the results so far; tu_rc adds one. */
extern struct tu_out tu_child_out;
void tu_rc(int r);
/* The next child's trace runs on virtual time (for the scheduler). */
extern int tu_virtual_time;
/* The last child's stderr, kept for the parent to look at. */
extern char tu_err_text[8192];
/* The next child is meant to be stopped (by a sanitizer): keep quiet. */
extern int tu_child_may_die;

/* A new empty file conclab-hostile-WHAT-XXXXXX under $TMPDIR, in buf. */
void tu_tmp_path(char *buf, size_t len, const char *what);
/* Open a trace into path (virtual time when tu_virtual_time is set). */
int tu_open_trace(const char *path);

/*
 * Run body in a child with a trace open (pre, if not NULL, runs before the
 * trace is opened).  Returns the child's wait status; *tr gets the trace
 * when the child ended normally, o its results.
 */
int tu_run_pre(void (*pre)(void), void (*body)(void), struct tu_out *o,
	       struct clab_trace **tr);
/* tu_run_pre without pre; fails the test unless the child ended well. */
struct clab_trace *tu_run_child(void (*body)(void), struct tu_out *o);

/* The nth (from 0) diagnostic of code in the trace, or NULL; how many. */
const struct clab_record *tu_diag(const struct clab_trace *tr, unsigned code,
				  size_t nth);
size_t tu_ndiag(const struct clab_trace *tr, unsigned code);
/* Whether the record's site is a call in a test-hostile*.c file. */
int tu_site_here(const struct clab_trace *tr, const struct clab_record *r);
/*
 * Check that the nth bad-object diagnostic says why and wanted kind want,
 * at a site in the suite (or with no site when sited is 0); returns it.
 */
const struct clab_record *tu_expect_bad(const struct clab_trace *tr, size_t nth,
					unsigned why, unsigned want, int sited);
/* The object a diagnostic names; UINT32_MAX when there is none. */
uint32_t tu_bad_obj(const struct clab_record *r);
/* Every result from..to-1 is CLAB_EINVAL. */
void tu_expect_einval(const struct tu_out *o, int from, int to);
/* A timer's function that does nothing. */
void tu_noop(void *arg);

#endif
