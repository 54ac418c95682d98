/*
 * conclab bench's whole-program family (bench-whole.c): programs of
 * bench/whole, each run from start to exit as a child process in each of
 * its variants (plain pthreads, the clab_* API, ThreadSanitizer).
 */
#ifndef CONCLAB_BENCH_WHOLE_H
#define CONCLAB_BENCH_WHOLE_H

#include <stdio.h>

#define CLAB_WHOLE_REPS 5 /* repetitions of a variant, unless --reps says */

struct clab_whole_opts {
	int reps;      /* repetitions of each variant of a case */
	double scale;  /* times each program's size at full scale */
	int json;      /* print nothing now: clab_whole_json() will */
	unsigned only; /* bit i: run case i (from 0) */
};

struct clab_whole;

/* The number of cases, and case i's name (for --case and the JSON). */
unsigned clab_whole_ncases(void);
const char *clab_whole_name(unsigned i);
/* The case called name: its index, or -1. */
int clab_whole_find(const char *name);

/*
 * clab_whole_run - run the cases o->only asks for and print their table
 * (unless o->json).  Returns the results (for clab_whole_json), or NULL
 * after printing on stderr why it could not (out of memory, no
 * programs, a program that failed or disagreed with plain); then *rc
 * is the exit code.
 */
struct clab_whole *clab_whole_run(const struct clab_whole_opts *o, int *rc);
/* Print the results as the value of a JSON member, at indent 2. */
void clab_whole_json(const struct clab_whole *w, FILE *out);
/* NULL is accepted. */
void clab_whole_free(struct clab_whole *w);

#endif
