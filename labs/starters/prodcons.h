/*
 * Producers and consumers on a bounded buffer, as an exercise: `conclab
 * exercise prodcons prodcons.c` runs producer threads that put numbered
 * items into your buffer and consumer threads that take them out, and
 * grades what they did from the trace.
 *
 * struct buf is yours: define it in your file with the items and the
 * synchronisation you need (conclab mutexes, condition variables,
 * semaphores from <conclab/runtime.h>).  The harness only passes the
 * pointer that buf_new() returned.
 *
 * Items are numbers >= 1.  Each producer puts its own items in increasing
 * order; consumers call buf_get() exactly as many times, in all, as items
 * are put, so a correct buffer never needs to be told to shut down.
 *
 * Record the buffer's contents for the checker: call buf_record_put(item)
 * in buf_put() when the item is in the buffer, and buf_record_get(item) in
 * buf_get() when it has been taken out, both while you hold the lock that
 * protects the buffer, so that their order in the trace is the buffer's
 * order.
 *
 * The checks: every producer put all its items, every item is taken
 * exactly once, each producer's items come out in the order they went in,
 * the buffer never holds more than its capacity nor fewer than zero, no
 * deadlock, no misuse, every thread ends.  The harness records what each
 * buf_get() returned: it must be each item once, in each producer's
 * order, and what your notes said; a note made holding no conclab mutex
 * fails as unsynchronised.
 */
#ifndef CONCLAB_EXERCISE_PRODCONS_H
#define CONCLAB_EXERCISE_PRODCONS_H

#include <conclab/runtime.h>

struct buf;

/* buf_new - a buffer of capacity slots (1..1024), or NULL.  Required. */
struct buf *buf_new(int capacity);
/* buf_put - add item, waiting while the buffer is full.  Required. */
void buf_put(struct buf *b, int item);
/* buf_get - take the oldest item, waiting while it is empty.  Required. */
int buf_get(struct buf *b);
/* buf_free - optional: free the buffer after every thread has ended. */
void buf_free(struct buf *b);

/* The producer or consumer index of the calling harness thread. */
int clab_exercise_who(void);

/* Record "item is now in the buffer"; call it holding the buffer's lock. */
#define buf_record_put(item) clab_note2("put", (item), clab_exercise_who())
/* Record "item has left the buffer"; call it holding the buffer's lock. */
#define buf_record_get(item) clab_note2("get", (item), clab_exercise_who())

#endif
