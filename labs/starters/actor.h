/*
 * An actor's mailbox, as an exercise: build one from a conclab mutex and
 * condition variables.  `conclab exercise actor actor.c` starts one
 * actor, the thread actor-1, that takes its messages with mbox_get() one
 * at a time and stops at the exit sentinel, MBOX_EXIT.  The main thread
 * sends it `messages` messages (5), numbered from 1, with mbox_put(),
 * pausing `work_ms` (1) before every other one, then sends MBOX_EXIT.
 * The actor takes `work_ms` over each message.
 *
 * struct mbox is yours: define it in your file (from <conclab/runtime.h>;
 * not clab_queue_t, which is the answer).  The harness only passes the
 * pointer that mbox_new() returned.
 *
 * The harness records "publish" (m) just before it sends message m,
 * "recv" (m, 1) when mbox_get() gave the actor message m, and "exit" (1)
 * when it gave the actor MBOX_EXIT.
 *
 * The checks: the actor handled every message sent, each once, in the
 * order sent and never before it was sent, and got the exit sentinel; no
 * deadlock, no misuse, no busy waiting, every thread ends.
 */
#ifndef CONCLAB_EXERCISE_ACTOR_H
#define CONCLAB_EXERCISE_ACTOR_H

#include <conclab/runtime.h>

/* The exit sentinel: no more messages after it.  Messages are >= 1. */
#define MBOX_EXIT (-1L)

struct mbox;

/* mbox_new - an empty mailbox, or NULL.  Required. */
struct mbox *mbox_new(void);
/*
 * mbox_put - add msg (a message, or MBOX_EXIT) to the mailbox and return
 * at once: the mailbox has no bound.  Required.
 */
void mbox_put(struct mbox *m, long msg);
/*
 * mbox_get - take the oldest message from the mailbox, waiting for one
 * while it is empty.  Required.
 */
long mbox_get(struct mbox *m);
/* mbox_free - optional: free the mailbox after every thread has ended. */
void mbox_free(struct mbox *m);

#endif
