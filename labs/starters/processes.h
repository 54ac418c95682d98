/*
 * A child's output read through a pipe, as an exercise: the parent's side
 * of "start a child, read everything it writes, then wait for it".
 * `conclab exercise processes processes.c` makes a pipe "results" of
 * whole messages (a long each) with room for `capacity` (4) of them, and
 * calls job_run() once, in main.  The child's side is given: job->child,
 * started with clab_proc_spawn(&p, "child", job->child, job), closes its
 * read end, writes `items` (8) messages, 0 * 0, 1 * 1, 2 * 2..., into
 * job->pipe, closes its write end and exits with status 0.
 *
 * The harness records "expect" (items) before it calls job_run(), and
 * "got" (value) in job->keep().  The runtime records the rest: the fork
 * (process.spawn), every read of the pipe (pipe.read, pipe.eof), the
 * wait for the child (process.wait) and its exit status
 * (process.reaped).  The checks judge those records, never notes of
 * your own:
 *  - read before waiting: main read the end of file before it began to
 *    wait for the child (with more messages than the pipe holds, a wait
 *    first never ends: the child waits for room only main makes);
 *  - every message: main kept, in order, as many values as it read
 *    messages from the pipe, and every one the child wrote;
 *  - end of file: main read the pipe to its end;
 *  - children exit 0: the child was spawned and reaped, with status 0;
 *  - no deadlock, and the generic checks.
 */
#ifndef CONCLAB_EXERCISE_PROCESSES_H
#define CONCLAB_EXERCISE_PROCESSES_H

#include <conclab/runtime.h>

struct job {
	long items;	   /* messages the child writes */
	clab_pipe_t *pipe; /* made by the harness; messages are a long */
	/* the child's side: clab_proc_spawn(&p, "child", job->child, job) */
	int (*child)(void *job);
	/* give the harness each message you read, in the order read */
	void (*keep)(struct job *job, long value);
};

/*
 * job_run - start the child, read every message from job->pipe (handing
 * each to job->keep()) until the end of file, wait for the child, and
 * return its exit status (or a negative error).  Required.
 */
int job_run(struct job *job);

#endif
