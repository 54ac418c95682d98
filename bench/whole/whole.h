/*
 * Shared by the whole-program benchmarks of `conclab bench --whole`: how
 * they read their arguments and give up on an error.  Each program is
 * written twice, NAME-pthread.c on plain pthreads and NAME-clab.c on
 * conclab's clab_* API, does the same work either way, and prints one
 * line that depends only on its arguments, so that the two can be
 * compared.  The clab_* versions record a trace, NAME.clt in the current
 * directory.
 */
#ifndef CONCLAB_BENCH_WHOLE_H
#define CONCLAB_BENCH_WHOLE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct whole_usage {
	int argc;
	char **argv;
	int nmax;	   /* arguments the program takes at most */
	const char *usage; /* its arguments, for the usage line */
};

static inline void whole_usage(const struct whole_usage *u)
{
	fprintf(stderr, "usage: %s %s\n", u->argv[0], u->usage);
	exit(2);
}

/*
 * Argument i (from 1) as a number in min..max, or def when there are
 * fewer arguments; exits with 2 and the usage line on anything else.
 */
static inline long whole_arg(const struct whole_usage *u, int i, long def,
			     long min, long max)
{
	if (u->argc - 1 > u->nmax)
		whole_usage(u);
	if (i >= u->argc)
		return def;
	char *end;
	long v = strtol(u->argv[i], &end, 10);
	if (end == u->argv[i] || *end || v < min || v > max) {
		fprintf(stderr, "%s: '%s' is not a number in %ld..%ld\n",
			u->argv[0], u->argv[i], min, max);
		whole_usage(u);
	}
	return v;
}

/* A call that failed: say which, and exit 1. */
static inline void whole_fail(const char *what, const char *why)
{
	fprintf(stderr, "whole-program benchmark: %s failed: %s\n", what, why);
	exit(1);
}

/* Check a pthread call's result (an errno value). */
#define WHOLE_PT(call)                                                         \
	do {                                                                   \
		int whole_err_ = (call);                                       \
		if (whole_err_ != 0)                                           \
			whole_fail(#call, strerror(whole_err_));               \
	} while (0)

/* Check a clab_* call's result (negative on error). */
#define WHOLE_CL(call)                                                         \
	do {                                                                   \
		int whole_err_ = (call);                                       \
		if (whole_err_ < 0)                                            \
			whole_fail(#call, clab_strerror(whole_err_));          \
	} while (0)

/* The LCG the lock-heavy workers pick their mutexes with. */
static inline unsigned whole_next(unsigned long long *rng)
{
	*rng = *rng * 6364136223846793005ull + 1442695040888963407ull;
	return (unsigned)(*rng >> 33);
}

#endif
