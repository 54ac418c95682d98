/* conclab bench: what the loop cases share (cmd-bench.c and bench-*.c). */
#ifndef CONCLAB_BENCH_H
#define CONCLAB_BENCH_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <conclab/runtime.h>
#include <conclab/tracer.h>

#include "clab-util.h"

#define REPS 9 /* repetitions of a case, unless --reps says */
/* A ping-pong repetition is a third as long, and there are 4 times more. */
#define PP_SHORTER 3
#define PP_MORE 4
#define REPS_MAX (PP_MORE * 100)
#define NCASES 12
#define BUFFER_MB 512u /* per-thread records of one repetition fit */
#define SUSTAIN_MB 16u /* small: the writer bounds the sustained run */
#define WORK_NS 200.0  /* case 2: work inside the critical section */
/* Case 1 and 6 repetitions stay below this many records (BUFFER_MB). */
#define FIT_RECORDS (6u * 1000u * 1000u)

enum verdict { V_NONE = -1, V_MISS = 0, V_PASS = 1 };

struct opts {
	int quick, json;
	long iters;	/* 0: calibrate by time */
	int reps;	/* repetitions of a case (ping-pongs: PP_MORE times) */
	unsigned only;	/* bit i: run case i (1..NCASES) */
	unsigned whole; /* bit i: run whole-program case i (bench-whole.c) */
	double scale;	/* whole programs' sizes times this (0: not set) */
	double rep_ns;	/* the length one repetition aims at */
	double sustain_ns;
	/* --loops, --whole: the family, unless --case names some of it */
	int all_loops, all_whole;
};

/* One line of the table, and one object in the JSON. */
struct row {
	const char *key;   /* JSON key, stable */
	const char *label; /* for people */
	const char *unit;  /* of plain and clab: "ns", "M/s", "B/rec" */
	double plain;	   /* median; < 0 when there is no plain side */
	double clab;
	double ratio; /* median of the repetitions' clab/plain, paired */
	double added; /* median of the repetitions' clab - plain, paired */
	const char *target;
	enum verdict verdict;
	long iters;	  /* per repetition (per thread for case 3) */
	uint64_t records; /* written to the trace by the whole case */
	uint64_t stalls;  /* times a thread waited for the writer */
	double minflt;	  /* minor page faults per conclab repetition */
	double csw_plain; /* context switches per operation */
	double csw_clab;
	char note[160];
};

struct bench {
	struct opts o;
	char dir[256];
	char path[300];
	unsigned long spin_k; /* case 2: spins of the work loop */
	double work_ns;	      /* what spin_k spins measured */
	pthread_mutex_t pm, pouter;
	clab_mutex_t cm, couter;
	struct row rows[24];
	size_t nrows;
	struct row sustain;
	int io_error;
	int codec; /* of the traces (enum clab_trace_codec): zstd */
};

typedef uint64_t (*loop_fn)(struct bench *b, long n);

/* time and statistics (bench-loops.c) */
/* the calling thread's CPU time: what it did, not what others left it */
uint64_t bench_cpu_ns(void);
long bench_minflt(void);
long bench_ncsw(void);
int bench_want(const struct bench *b, int c);
double bench_median(const double *v, size_t n);
/* the trace a case records into */
int bench_trace_begin(struct bench *b, unsigned buffer_mb);
void bench_trace_end(struct bench *b, struct clab_tracer_stats *st);
void bench_drain(void);
/* calibrate, then interleave plain and conclab */
long bench_calibrate(struct bench *b, loop_fn run, long cap);
void bench_measure(struct bench *b, struct row *r, loop_fn plain, loop_fn clab,
		   long n, double ops, int reps);
struct row *bench_row_new(struct bench *b, const char *key, const char *label,
			  const char *unit, const char *target);
long bench_iters_or(struct bench *b, loop_fn cal, long cap, long div);
long bench_pp_iters(struct bench *b, loop_fn cal);
void bench_print_row(const struct bench *b, const struct row *r);
double bench_per(uint64_t a, uint64_t n);
/* case 1's conclab loop: n uncontended pairs on b->cm */
uint64_t bench_lock_clab(struct bench *b, long n);

/* the cases */
int bench_case_locks(struct bench *b); /* 1, 2 */
int bench_case_sustained(struct bench *b);
int bench_case_duos(struct bench *b);	 /* 3, 4, 5 (bench-duos.c) */
int bench_case_records(struct bench *b); /* 6 */
struct labrow {
	char name[64];
	uint64_t records, record_bytes, bytes;
};
int bench_case_labs(struct bench *b, struct labrow *lr, size_t *nlr,
		    size_t cap);	  /* 7 */
int bench_case_detector(struct bench *b); /* 8, 9 (bench-checks.c) */
int bench_case_explore(struct bench *b);  /* 10 */
int bench_case_codecs(struct bench *b);	  /* 11 (bench-codec.c) */
int bench_case_digest(struct bench *b);	  /* 12 (bench-digest.c) */

#endif
