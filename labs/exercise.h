/*
 * Exercises: a lab's problem as an interface that a student implements.
 *
 * Each exercise is one `const struct clab_exercise`: the lab it is a form
 * of (whose parameters it takes and whose checker grades its trace), the
 * student's functions it calls, and a harness that runs the lab's threads
 * against them and records the annotations the lab's checker reads.  The
 * student's interface is documented in labs/starters/LAB.h, which the
 * student's file includes.
 */
#ifndef CONCLAB_EXERCISE_H
#define CONCLAB_EXERCISE_H

#include "lab.h"

/* The student's functions, looked up by name; NULL when not defined. */
typedef void *(*clab_exercise_lookup_fn)(const char *name, void *arg);

struct clab_exercise {
	const struct clab_lab *lab; /* its parameters and its checker */
	const char *summary;
	const char *const *required; /* function names, NULL-terminated */
	const char *const *optional;
	/*
	 * What the solution may call although `conclab exercise` refuses it
	 * otherwise (cmd/solution-symbols.c: pthread_mutex_lock, fork...),
	 * by exact symbol or library name; NULL-terminated, or NULL.
	 */
	const char *const *allow;
	/*
	 * The harness starts processes (clab_proc_spawn): the sandbox lets
	 * the solution's run fork, which it refuses otherwise.
	 */
	int processes;
	/*
	 * Run the harness in the calling (traced) thread with ctx's
	 * parameters; returns 0 or a negative error.  Every required
	 * function must be there.
	 */
	int (*run)(const struct clab_lab_ctx *ctx,
		   clab_exercise_lookup_fn lookup, void *arg);
};

extern const struct clab_exercise *const clab_exercises[];
extern const size_t clab_nexercises;

/* The exercise of the lab called name, or NULL. */
const struct clab_exercise *clab_exercise_find(const char *name);

/*
 * clab_exercise_who - the producer's or consumer's index of the calling
 * harness thread (prodcons), or -1 in a thread the harness did not start.
 * Student code calls it through buf_record_put() / buf_record_get().
 */
int clab_exercise_who(void);

/*
 * clab_exercise_harness_thread - whether the calling thread is one the
 * harness runs the student's functions in (the thread that called run(),
 * or one it started), whose early end (pthread_exit() in the student's
 * code) leaves the run incomplete.
 */
int clab_exercise_harness_thread(void);

#endif
