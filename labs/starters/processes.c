/*
 * The parent's side of a child's output read through a pipe: your
 * solution.
 *
 * Build and run it (from this directory):
 *     conclab exercise processes processes.c
 *
 * As written, job_run() waits for the child first and reads its pipe
 * after, as a program that calls wait() before reading a child's output
 * does.  The child writes 8 messages into a pipe that holds 4: it waits
 * for room that only the parent makes, while the parent waits for it to
 * end.  It compiles and runs, and the watchdog reports the deadlock
 * between the two processes.  Change the order: read to the end of file
 * first, then wait.
 */
#include "processes.h"

int job_run(struct job *job)
{
	clab_proc_t child;
	int status = -1;
	long value;

	int rc = clab_proc_spawn(&child, "child", job->child, job);
	if (rc < 0)
		return rc;
	/* main only reads: it closes the write end it does not use */
	clab_pipe_close(job->pipe, CLAB_PIPE_WRITE);
	/* replace this order: the wait comes before the reads */
	rc = clab_proc_wait(&child, &status);
	if (rc < 0)
		return rc;
	while (clab_pipe_read(job->pipe, &value) == 1)
		job->keep(job, value);
	return status;
}
