/*
 * processes: reads only as many messages as the pipe holds (a "header"),
 * drops the rest unread and waits: the child can still finish into the
 * room made, so nothing hangs, but "every message" fails.
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
	clab_pipe_close(job->pipe, CLAB_PIPE_WRITE);
	for (int i = 0; i < 4 && clab_pipe_read(job->pipe, &value) == 1; i++)
		job->keep(job, value);
	rc = clab_proc_wait(&child, &status);
	return rc < 0 ? rc : status;
}
