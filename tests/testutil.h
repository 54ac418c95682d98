/*
 * Shared helpers for the CUnit suites: record a test into a temporary trace
 * and look at what was recorded.
 *
 *	tu_begin();
 *	... run threads on clab_* primitives ...
 *	struct clab_trace *tr = tu_end();
 *	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
 *	CU_ASSERT_EQUAL(tu_count(tr, CLAB_K_SEM_ACQUIRE), 3);
 *	clab_trace_free(tr);
 *
 * Not thread safe: call them from the thread that runs the tests.  CUnit's
 * assertions are not thread safe either; check results in that thread.
 */
#ifndef CONCLAB_TESTUTIL_H
#define CONCLAB_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include <CUnit/Basic.h>

#include <conclab/trace.h>

/* Open a trace into a new file under $TMPDIR (or /tmp); CU_FAIL on error. */
void tu_begin(void);

/*
 * Close the trace, load it, delete the file and return the loaded trace
 * (free it with clab_trace_free).  On error CU_FAIL and return NULL.
 */
struct clab_trace *tu_end(void);

/* How many records of this kind the trace holds. */
size_t tu_count(const struct clab_trace *tr, unsigned kind);
/* Diagnostics of code (CLAB_D_*) in tr. */
size_t tu_count_diag(const struct clab_trace *tr, unsigned code);

/* The nth (from 0) record of this kind in merged order, or NULL. */
const struct clab_record *tu_find(const struct clab_trace *tr, unsigned kind,
				  size_t nth);

/* The same, only counting records about object obj (0: any object). */
size_t tu_count_obj(const struct clab_trace *tr, unsigned kind, uint32_t obj);
const struct clab_record *tu_find_obj(const struct clab_trace *tr,
				      unsigned kind, uint32_t obj, size_t nth);

/*
 * Wait until pred(arg) is true, checking every millisecond, for at most
 * ten seconds.  For waiting on a state another thread reaches (say, "three
 * threads are queued on the semaphore"), never for mere time to pass.
 * Returns 0, or -1 (after CU_FAIL) if pred never became true.
 */
int tu_wait_until(int (*pred)(void *arg), void *arg);

/*
 * Run `conclab run LAB --variant VARIANT -q --sched pct --seed 1 --trace
 * PATH` (a controlled run: the same trace on any machine) with the program
 * conclab, its output to /dev/null; returns its exit code (-1: it could
 * not be run, 128: killed).
 */
int tu_run_lab(const char *conclab, const char *lab, const char *variant,
	       const char *path);
/* Run conclab with the arguments argv (argv[0] is conclab), the same way. */
int tu_run_conclab(const char *conclab, char *const argv[]);

/*
 * Remove the directory dir and the files in it (traces, a forked child's
 * beside its parent's): 0, or -1 with errno when one is left.
 */
int tu_remove_dir(const char *dir);

/*
 * Run one suite: register it, let add_tests add its tests, run them with
 * the basic interface (verbose) and return the number of failed suites and
 * tests (at most 125, so that it is a usable exit status; never 77).
 * main() returns it:  return tu_main("runtime/sem", add_tests);
 */
int tu_main(const char *suite_name, void (*add_tests)(CU_pSuite suite));

#endif
