/*
 * Lab pictures: what a lab's own objects look like at the cursor, for the
 * labs where a picture helps most.  The dining philosophers' table (who
 * holds which fork, who eats, who waits) comes from the replay state and
 * the lab's "eat"/"think"/"hungry"/"done" notes; the producers' and
 * consumers' bounded buffer (its slots, head and tail) from the "put" and
 * "get" notes and the trace's param.capacity.  The lab is the trace's
 * "lab" metadata; any other trace has no picture, and says why.
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

struct clab_labpic;

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

#endif
