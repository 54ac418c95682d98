/*
 * What a record kind means: the last six columns of CLAB_KIND_MAP
 * (<conclab/kinds.h>), looked up by kind number.
 *
 * Analysis, the generic and lab checks, the export, the dump, the replay
 * model, the viewer and the scheduler's tools read a record's meaning from
 * here, never from lists of kinds of their own: a new record kind is one
 * row of the table (and, where it is drawn, a picture in the viewer).
 *
 * Not installed: a tool of this tree's API, as <conclab/trace.h> is.
 */
#ifndef CONCLAB_SEMANTICS_H
#define CONCLAB_SEMANTICS_H

#include <stdint.h>

#include <conclab/kinds.h>

/* What the record does (column DO). */
enum clab_do {
	CLAB_DO_OTHER,	    /* changes its object's state, or nothing */
	CLAB_DO_CREATE,	    /* an object was made */
	CLAB_DO_SPAWN,	    /* a thread was made: it can run */
	CLAB_DO_DESTROY,    /* an object was destroyed */
	CLAB_DO_START,	    /* a thread began to run */
	CLAB_DO_EXIT,	    /* a thread ended */
	CLAB_DO_REQUEST,    /* a contended lock request: waits for a holder */
	CLAB_DO_ACQUIRE,    /* took a lock or a permit */
	CLAB_DO_RELEASE,    /* gave a lock or a permit back */
	CLAB_DO_BUSY,	    /* a try that failed: taken, no permit, full */
	CLAB_DO_TIMEOUT,    /* gave up when its time ran out */
	CLAB_DO_FAIL,	    /* could not go on: broken, closed */
	CLAB_DO_WAIT_BEGIN, /* began a blocking wait on the object */
	CLAB_DO_JOIN_WAIT,  /* began to wait for other work to end (a join) */
	CLAB_DO_TIMER_WAIT, /* began to wait for a tick: the clock wakes it */
	CLAB_DO_WAIT_END,   /* a wait ended by what it waited for */
	CLAB_DO_SIGNAL,	    /* woke waiters (a32 of them): signal, set */
	CLAB_DO_WAKE,	    /* a waiter woke (a8: why) */
	CLAB_DO_SLEEP,	    /* the thread sleeps (THREAD: SLEEP) or wakes */
	CLAB_DO_TIMER,	    /* a timer's step: armed, fired, ticked, woken */
	CLAB_DO_NOTE,	    /* an annotation (the label is in the site) */
	CLAB_DO_DIAG,	    /* a diagnostic (a8: the code, obj: about what) */
};

/* What the record makes of its thread in the replay (column THREAD). */
enum clab_tmove {
	CLAB_TM_KEEP,  /* nothing */
	CLAB_TM_RUN,   /* runs (leaves any wait) */
	CLAB_TM_REQ,   /* requests a lock: waits for its holder */
	CLAB_TM_WAIT,  /* waits on a condition variable */
	CLAB_TM_BLOCK, /* blocks on the object */
	CLAB_TM_SLEEP, /* sleeps */
	CLAB_TM_DONE,  /* ended */
};

/* What a8 means (column A8). */
enum clab_arg8 {
	CLAB_A8_NONE,
	CLAB_A8_HOW,   /* clab_how: block, try, timed, cond */
	CLAB_A8_CAUSE, /* clab_cause: why a waiter woke */
	CLAB_A8_QOP,   /* clab_qop: a queue operation */
	CLAB_A8_FLAG,  /* yes (1) or no (0), named by the a8 name */
	CLAB_A8_TIMED, /* 1 when the wait had a deadline (shown only then) */
	CLAB_A8_DIAG,  /* clab_diag: the diagnostic's code */
};

/* What a32 means (column A32). */
enum clab_arg32 {
	CLAB_A32_NONE,
	CLAB_A32_COUNT,	    /* a count or a value, named by the a32 name */
	CLAB_A32_MS,	    /* milliseconds */
	CLAB_A32_OBJECT,    /* another object's id, shown by its name */
	CLAB_A32_OBJECT_ID, /* another object's id, shown as a number */
	CLAB_A32_DETAIL,    /* a diagnostic's detail, which its code says */
};

/*
 * How the record changes its object's replayed state (column OBJECT;
 * struct clab_robject in <conclab/replay.h> says what a and b hold).
 */
enum clab_oeffect {
	CLAB_OE_NONE,
	CLAB_OE_WANT,	    /* none: asks for the lock alone */
	CLAB_OE_READ_WANT,  /* none: asks for a share of the lock */
	CLAB_OE_CREATED,    /* flag created */
	CLAB_OE_DESTROYED,  /* flag destroyed */
	CLAB_OE_STARTED,    /* a thread: a = 1, flag created */
	CLAB_OE_ENDED,	    /* a thread: b = 1 */
	CLAB_OE_MUTEX_TAKE, /* owner = the thread, depth = a32 */
	CLAB_OE_MUTEX_GIVE, /* depth = a32; free at depth 0 */
	CLAB_OE_READ_TAKE,  /* one more reader (b: a bit per thread < 32) */
	CLAB_OE_WRITE_TAKE, /* the writer = the thread */
	CLAB_OE_RW_GIVE,    /* the writer (a8 = 1) or this reader leaves */
	CLAB_OE_COND_MUTEX, /* a = the mutex used with it (a32) */
	CLAB_OE_VALUE,	    /* a = a32, flag known (a semaphore's value) */
	CLAB_OE_LEVEL,	    /* a = a32 (a queue's depth, a tick) */
	CLAB_OE_PENDING,    /* b = a32 (a queue's unfinished tasks) */
	CLAB_OE_SET,	    /* a = 1 (a latch set, a timer armed) */
	CLAB_OE_CLEAR,	    /* a = 0 */
	CLAB_OE_ARRIVE,	    /* b = a32 (a barrier's arrivals) */
	CLAB_OE_PASS,	   /* a = a32, b = 0, every thread blocked on it runs */
	CLAB_OE_BROKEN,	   /* b = 0 */
	CLAB_OE_OPEN,	   /* none: its waiters go, each records its wake */
	CLAB_OE_CLOSED,	   /* flag closed */
	CLAB_OE_TAKEN,	   /* a pool took a task (a + 1), unless a8 refused */
	CLAB_OE_RUNS,	   /* a future: a = 1, its task runs */
	CLAB_OE_DONE,	   /* a future: a = 2, set */
	CLAB_OE_CANCELLED, /* a future: a = 3, cancelled */
	CLAB_OE_KEY_SET,   /* a key: the thread's bit in a (a8 = 1) or not */
	CLAB_OE_KEY_END,   /* a key: the thread's bit leaves a, enters b */
};

/*
 * Which earlier record on its object the record waited for (column
 * WAITED; clab_replay_cause() in <conclab/replay.h> finds it).
 */
enum clab_waited {
	CLAB_WF_NONE,
	CLAB_WF_HANDOFF, /* the release just before it in the object's order */
	CLAB_WF_SIGNAL,	 /* woken by a signal, broadcast or set: the last one */
	CLAB_WF_ROOM,	 /* after a request: the last release or timeout */
	CLAB_WF_PERMIT,	 /* after a wait: the last release */
	CLAB_WF_EXIT,	 /* the thread's exit */
	CLAB_WF_ITEM,	 /* after a wait: the last opposite transfer or close */
	CLAB_WF_TASKS,	 /* the last task done */
	CLAB_WF_TICK,	 /* the last tick */
	CLAB_WF_ARRIVAL, /* the last arrival (a barrier's) */
};

/* A kind's meaning: one row of the table. */
struct clab_kind_sem {
	uint8_t act;	/* enum clab_do */
	uint8_t tmove;	/* enum clab_tmove */
	uint8_t a8;	/* enum clab_arg8 */
	uint8_t a32;	/* enum clab_arg32 */
	uint8_t oe;	/* enum clab_oeffect */
	uint8_t waited; /* enum clab_waited */
};

/*
 * clab_kind_sem - the meaning of a kind; an all-zero row (does nothing,
 * no fields) for a number no kind has, so that a trace of a newer version
 * reads as far as it can.
 */
const struct clab_kind_sem *clab_kind_sem(unsigned kind);

/*
 * The text of a8 when the kind says it is a code (how, cause, queue
 * operation); NULL when it is a number or a flag.
 */
const char *clab_kind_a8_text(unsigned kind, unsigned a8);

/* Whether a record of this kind is about its object (not a diagnostic's). */
int clab_kind_on_object(unsigned kind);

/* What a diagnostic's a32 is (CLAB_DIAG_MAP's last column). */
enum clab_diag_detail {
	CLAB_DD_COUNT,	/* a number, always shown */
	CLAB_DD_DETAIL, /* a number, shown when it is not 0 */
	CLAB_DD_OBJECT, /* an object's id */
	CLAB_DD_THREAD, /* a thread's id */
	CLAB_DD_BADOBJ, /* why an object was refused, and the kinds */
};

/*
 * The name of a diagnostic's a32 ("held", "waits", "blocked"; "detail"
 * for an unknown code) and what it is (enum clab_diag_detail).
 */
const char *clab_diag_detail_name(unsigned diag);
unsigned clab_diag_detail(unsigned diag);

#endif
