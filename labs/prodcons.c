/*
 * prodcons - producers and consumers on a bounded buffer.
 *
 * Producers make numbered items and put them in a buffer of `capacity`
 * slots; consumers take them out.  The variants show why a wait re-checks
 * its condition in a loop, a shutdown sentinel that each consumer puts
 * back, a queue's task_done and join, and an item that travels with its own
 * latch (the tutorials behind the lab: docs/sources.md).
 *
 * The hand-made buffer is a ring: put writes slot[tail], get reads
 * slot[head] and empties it (0 means "no item").  Its count is a plain int,
 * so a buggy consumer can drive it below zero and read an empty slot
 * without any undefined behaviour; the checker sees the empty take.
 *
 * Item k (from 0) of producer p has the id p * items + k + 1.
 * Annotations: "put" (id, producer) when an item enters the buffer and
 * "get" (id, consumer) when it leaves, both under the buffer's lock so
 * their order in the trace is the buffer's order.  With a clab_queue_t
 * the note is written just before the put and just after the get, and the
 * checker moves each note to the queue.put / queue.get record it belongs
 * to.
 *
 * This file describes the lab; prodcons-run.c runs its variants and
 * prodcons-check.c checks their traces.
 */

#include "lab.h"
#include "prodcons-int.h"

static const struct clab_lab_param params[P_COUNT] = {
    [P_PROD] = {"producers", "producer threads", 2, 1, MAX_THREADS},
    [P_CONS] = {"consumers", "consumer threads", 2, 1, MAX_THREADS},
    [P_ITEMS] = {"items", "items each producer makes", 10, 1, 100000},
    [P_CAP] = {"capacity", "slots in the buffer", 4, 1, 1024},
    [P_PRODUCE] = {"produce_ms", "time to make one item, ms", 2, 0, 10000},
    [P_CONSUME] = {"consume_ms", "time to use one item, ms", 3, 0, 10000},
};

/* Small buffer, many threads, no pauses: the all-asleep state comes fast. */
static const struct clab_lab_default single_cv_defaults[] = {
    {"producers", 4},  {"consumers", 4},  {"items", 500}, {"capacity", 1},
    {"produce_ms", 0}, {"consume_ms", 0}, {NULL, 0},
};

/* A slow producer and eager consumers that are already waiting. */
static const struct clab_lab_default if_wait_defaults[] = {
    {"producers", 1},	{"consumers", 3},  {"items", 8},
    {"produce_ms", 20}, {"consume_ms", 0}, {NULL, 0},
};

/* A fast producer and a slow consumer: the buffer fills up. */
static const struct clab_lab_default sem_order_defaults[] = {
    {"producers", 1},  {"consumers", 1},  {"capacity", 2},
    {"produce_ms", 0}, {"consume_ms", 5}, {NULL, 0},
};

static const struct clab_lab_variant variants[V_COUNT] = {
    [V_CONDVAR] =
	{
	    .name = "condvar",
	    .summary = "a mutex and two condition variables, waits in "
		       "while loops",
	    .expect = 0,
	},
    [V_SINGLE_CV] =
	{
	    .name = "single-cv",
	    .summary = "one condition variable for producers and "
		       "consumers, signal instead of broadcast",
	    .bug = "a signal wakes a thread of the wrong side, which "
		   "goes back to sleep: in the end everyone sleeps",
	    .expect = 3,
	    .defaults = single_cv_defaults,
	},
    [V_IF_WAIT] =
	{
	    .name = "if-wait",
	    .summary = "consumers wait under `if`, not `while`",
	    .bug = "two consumers wake for one item and both take one: "
		   "the count goes negative and empty slots are taken",
	    .expect = 1,
	    .defaults = if_wait_defaults,
	},
    [V_SEMAPHORES] =
	{
	    .name = "semaphores",
	    .summary = "empty/full counting semaphores and a mutex",
	    .expect = 0,
	},
    [V_SEM_ORDER] =
	{
	    .name = "sem-order",
	    .summary = "the producer locks the mutex before waiting for "
		       "an empty slot",
	    .bug = "with the buffer full the producer sleeps holding the "
		   "mutex that the consumer needs: deadlock",
	    .expect = 3,
	    .defaults = sem_order_defaults,
	},
    [V_QUEUE] =
	{
	    .name = "queue",
	    .summary = "a blocking queue; a sentinel that each consumer "
		       "puts back ends them all",
	    .expect = 0,
	},
    [V_JOINABLE] =
	{
	    .name = "joinable",
	    .summary = "task_done()/join(): main waits until every item "
		       "was processed",
	    .expect = 0,
	},
    [V_ACK] =
	{
	    .name = "ack",
	    .summary = "each item carries a latch that the consumer sets "
		       "when it is done",
	    .expect = 0,
	},
};

const struct clab_lab clab_lab_prodcons = {
    .name = "prodcons",
    .summary = "producers and consumers on a bounded buffer",
    .idea = "a wait re-checks its condition in a loop; a queue does the "
	    "locking, a sentinel ends it, task_done/join or a latch per item "
	    "tells the producer its items are done",
    .topic = CLAB_TOPIC_CONDVAR,
    .teaches = "wait for a condition in a while loop; wake the side that waits",
    .variants = variants,
    .nvariants = V_COUNT,
    .params = params,
    .nparams = P_COUNT,
    .run = clab__prodcons_run,
    .check = clab__prodcons_check,
};
