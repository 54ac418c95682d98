/*
 * Labs: classic concurrency problems with a correct variant and buggy ones.
 *
 * A lab is one source file that fills in one `const struct clab_lab` with
 * designated initialisers; the table in lab.c lists them for `conclab list`.
 * A lab runs in the calling thread (the traced main thread) with its
 * parameters, and has a checker that verifies its properties on the trace
 * the run produced.
 */
#ifndef CONCLAB_LAB_H
#define CONCLAB_LAB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <conclab/trace.h>

#define CLAB_LAB_MAX_PARAMS 16

struct clab_lab_param {
	const char *name; /* used as --name VALUE */
	const char *help;
	long def;
	long min;
	long max;
};

/* A per-variant default, overriding the lab's. */
struct clab_lab_default {
	const char *param;
	long value;
};

struct clab_lab_variant {
	const char *name;
	const char *summary;
	/* For a buggy variant: what goes wrong; NULL for a correct one. */
	const char *bug;
	/* Expected end: 0 completes, 3 deadlocks, 1 a property fails. */
	int expect;
	const struct clab_lab_default *defaults; /* ends with {NULL, 0} */
};

struct clab_lab_ctx {
	const struct clab_lab *lab;
	unsigned variant;		 /* index into lab->variants */
	long param[CLAB_LAB_MAX_PARAMS]; /* by index into lab->params */
	uint64_t seed;
	FILE *out; /* narration for people, or NULL when quiet */
};

/* One property checked on a trace. */
struct clab_lab_prop {
	char name[48];
	int ok;
	uint64_t rec; /* seq of a record that shows a failure, or UINT64_MAX */
	char msg[240];
};

struct clab_lab_report {
	struct clab_lab_prop *props;
	size_t n, cap;
};

struct clab_lab {
	const char *name;
	const char *summary;
	const char *seed_ref; /* where the idea comes from */
	const struct clab_lab_variant *variants;
	size_t nvariants;
	const struct clab_lab_param *params;
	size_t nparams;
	/* Run the lab; returns 0 or a negative error. */
	int (*run)(const struct clab_lab_ctx *ctx);
	/* Check the lab's properties on tr, adding them to rep. */
	void (*check)(const struct clab_trace *tr,
		      const struct clab_lab_ctx *ctx,
		      struct clab_lab_report *rep);
};

extern const struct clab_lab *const clab_labs[];
extern const size_t clab_nlabs;

const struct clab_lab *clab_lab_find(const char *name);
/* Index of the variant called name, or -1. */
int clab_lab_variant_find(const struct clab_lab *lab, const char *name);
/* Fill ctx with the defaults of lab and variant. */
void clab_lab_ctx_init(struct clab_lab_ctx *ctx, const struct clab_lab *lab,
		       unsigned variant);
/*
 * Rebuild the context a trace was made with, from its metadata (lab,
 * variant, param.NAME, seed), so that its checker can run on it later.
 * lab_name, if not NULL, overrides the trace's lab.  Returns 0, or -1 with
 * a message in err.
 */
int clab_lab_ctx_from_trace(struct clab_lab_ctx *ctx,
			    const struct clab_trace *tr, const char *lab_name,
			    char *err, size_t errlen);
/* Index of the parameter called name, or -1. */
int clab_lab_param_find(const struct clab_lab *lab, const char *name);
/* A parameter's value by name (the lab's own code uses this), or 0. */
long clab_lab_param(const struct clab_lab_ctx *ctx, const char *name);
/* The default of a parameter for a variant. */
long clab_lab_param_default(const struct clab_lab *lab, unsigned variant,
			    size_t param);

/* Add a property result; fmt describes it (a failure says what broke). */
void clab_lab_report_add(struct clab_lab_report *rep, const char *name, int ok,
			 uint64_t rec, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Number of failed properties. */
size_t clab_lab_report_failed(const struct clab_lab_report *rep);
void clab_lab_report_free(struct clab_lab_report *rep);

/*
 * Checks shared by the labs: a deadlock diagnostic in the trace, any
 * misuse diagnostic, and that every thread that started also ended.
 */
void clab_lab_check_common(const struct clab_trace *tr,
			   struct clab_lab_report *rep);
/*
 * The same, but diagnostics whose code c has bit (1u << c) set in allow are
 * what the variant teaches (a lock-order violation in philosophers
 * "checked"): they are counted in the message and do not fail "no misuse".
 * Deadlock and time-limit diagnostics fail "no deadlock"; "blocked" records
 * belong to a deadlock report and are not misuse.
 */
void clab_lab_check_common_allow(const struct clab_trace *tr,
				 struct clab_lab_report *rep, unsigned allow);

/* Deterministic per-thread random numbers for the labs (splitmix64). */
static inline uint64_t clab_lab_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

extern const struct clab_lab clab_lab_philosophers;
extern const struct clab_lab clab_lab_prodcons;
extern const struct clab_lab clab_lab_timer;

#endif
