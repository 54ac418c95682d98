/*
 * Lab pictures: what a lab's own objects look like at the cursor, for the
 * labs where a picture helps most.  The dining philosophers' table (who
 * holds which fork, who eats, who waits) comes from the replay state and
 * the lab's "eat"/"think"/"hungry"/"done" notes; the producers' and
 * consumers' bounded buffer (its slots, head and tail) from the "put" and
 * "get" notes and the trace's param.capacity; the processes lab's
 * family (labpic-proc.c) from its process and pipe records.  The lab is
 * the trace's "lab" metadata; any other trace has no picture, and says
 * why.
 * Curses-free; unit-tested.
 */
#ifndef CLAB_TUI_LABPIC_H
#define CLAB_TUI_LABPIC_H

#include <stddef.h>
#include <stdint.h>

#include <conclab/replay.h>

enum clab_pic_kind {
	CLAB_PIC_NONE,
	CLAB_PIC_PHILOSOPHERS,
	CLAB_PIC_BUFFER,
	CLAB_PIC_PROCESSES,
};

/* What a philosopher does at the cursor. */
enum clab_phil_doing {
	CLAB_PH_AWAY,	/* not started */
	CLAB_PH_THINK,	/* thinking (or not hungry yet) */
	CLAB_PH_HUNGRY, /* taking forks */
	CLAB_PH_WANTS,	/* waiting for a fork */
	CLAB_PH_EAT,	/* eating */
	CLAB_PH_DONE,	/* ate; putting the forks down */
	CLAB_PH_LEFT,	/* the thread ended */
};

struct clab_phil {
	uint32_t tid;
	uint32_t index;	      /* N of "phil-N" */
	uint32_t left, right; /* fork-N and fork-(N+1): object ids, 0 none */
	uint32_t wants;	      /* the fork it requests (CLAB_PH_WANTS) */
	uint8_t doing;	      /* enum clab_phil_doing */
	int64_t meal;	      /* the value of its last note */
};

/* The bounded buffer at the cursor. */
struct clab_buffer_pic {
	uint32_t cap;
	uint32_t head, tail; /* the next get, the next put */
	uint64_t puts, gets; /* notes up to the cursor */
	const int64_t *item; /* cap slots: the item id, 0 when empty */
	const uint32_t *by;  /* cap slots: the producer of the item */
	uint32_t last;	     /* the last put/get note at the cursor, or NONE */
	uint32_t bad;	     /* the first put into a full slot or get that did
				not take the head's item, or NONE */
};

/* What a process does at the cursor (the processes lab). */
enum clab_proc_doing {
	CLAB_PR_AWAY,	/* not forked yet */
	CLAB_PR_RUN,	/* running */
	CLAB_PR_READ,	/* waits for a message in pipe `on` */
	CLAB_PR_WRITE,	/* waits for room in pipe `on` */
	CLAB_PR_CHILD,	/* waits for its child, process `on` */
	CLAB_PR_ENDED,	/* its threads ended; not reaped yet */
	CLAB_PR_EXITED, /* reaped: exited with `status` */
	CLAB_PR_UNSEEN, /* a child that records nothing, not reaped yet */
};

struct clab_proc_pic {
	const char *name; /* "main" for the trace's own process */
	int32_t pid;	  /* 0: unknown */
	uint8_t doing;	  /* enum clab_proc_doing */
	uint8_t recorded; /* it has threads (records) in the trace */
	uint32_t on;	  /* a pipe's index or a process's index, or NONE */
	int32_t status;	  /* CLAB_PR_EXITED: the exit status */
};

/* A pipe of the family, made at or before the cursor. */
struct clab_pipe_pic {
	const char *name;
	uint32_t index;		   /* what clab_proc_pic.on names */
	uint32_t cap, units;	   /* messages it holds, messages in it */
	uint64_t writers, readers; /* processes (bit k: process k) holding
				      each end open */
	int unseen; /* a process that records nothing has it: the count
		       (its records only) and the ends may be out of date */
};

/* The counter in shared memory (shared variants), from the notes. */
struct clab_counter_pic {
	int64_t made;	/* increments the children counted ("made") */
	uint32_t nmade; /* children that said how many */
	int64_t total;	/* the counter read at the end, -1 not read yet */
};

struct clab_labpic;
struct clab_procpic;

/*
 * clab_labpic_new - look at rp's trace for a picture.  Returns 0 (also
 * when there is no picture: see clab_labpic_kind) or CLAB_ENOMEM.
 */
int clab_labpic_new(const struct clab_replay *rp, struct clab_labpic **out);
void clab_labpic_free(struct clab_labpic *lp);

enum clab_pic_kind clab_labpic_kind(const struct clab_labpic *lp);
/* Why there is no picture ("no picture for lab timer"), or "". */
const char *clab_labpic_why(const struct clab_labpic *lp);

/*
 * The philosophers at the cursor's record cur (st: the state after it),
 * in the order of N, up to max; returns how many there are.
 */
size_t clab_labpic_philos(const struct clab_labpic *lp,
			  const struct clab_rstate *st, uint32_t cur,
			  struct clab_phil *out, size_t max);

/*
 * The buffer after the cursor's record cur.  Fast when the cursor moves
 * forward (the notes since the last call); the arrays stay valid until
 * the next call.  Returns 0, or -1 when the trace has no buffer picture.
 */
int clab_labpic_buffer(struct clab_labpic *lp, uint32_t cur,
		       struct clab_buffer_pic *out);

/*
 * The processes at the cursor's record cur (st: the state after it): the
 * trace's own first, then its children in the order of their forks, up
 * to max; returns how many there are.
 */
size_t clab_labpic_procs(const struct clab_labpic *lp,
			 const struct clab_rstate *st, uint32_t cur,
			 struct clab_proc_pic *out, size_t max);
/* The pipes made at or before cur, up to max; returns how many. */
size_t clab_labpic_pipes(const struct clab_labpic *lp, uint32_t cur,
			 struct clab_pipe_pic *out, size_t max);
/* The shared counter at cur: 0, or -1 when the variant has none. */
int clab_labpic_counter(const struct clab_labpic *lp, uint32_t cur,
			struct clab_counter_pic *out);

/* labpic-proc.c, behind the three above */
int clab__procpic_new(const struct clab_replay *rp, struct clab_procpic **out);
void clab__procpic_free(struct clab_procpic *pp);
size_t clab__procpic_procs(const struct clab_procpic *pp,
			   const struct clab_rstate *st, uint32_t cur,
			   struct clab_proc_pic *out, size_t max);
size_t clab__procpic_pipes(const struct clab_procpic *pp, uint32_t cur,
			   struct clab_pipe_pic *out, size_t max);
int clab__procpic_counter(const struct clab_procpic *pp, uint32_t cur,
			  struct clab_counter_pic *out);

#endif
