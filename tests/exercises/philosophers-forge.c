/*
 * Wrong: no forks, and a forged trace: philosopher 0 removes the trace
 * the tracer is writing (in the run's own directory) and writes another
 * in its place, for the grader to copy out.  The first call that names
 * the trace ends the run there, recorded in the real trace: "stays in its
 * directory" fails, on its trace.
 */
#include <stdio.h>
#include <unistd.h>

#include "philosophers.h"

void get_forks(struct table *t, int i)
{
	(void)t;
	if (i == 0 && unlink("trace.clt") == 0) {
		FILE *f = fopen("trace.clt", "w");
		if (f) {
			fputs("FORGED\n", f);
			fclose(f);
		}
	}
}

void put_forks(struct table *t, int i)
{
	(void)t;
	(void)i;
}
