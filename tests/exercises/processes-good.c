/* processes: read the child's pipe to its end, then wait (correct). */
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
	while (clab_pipe_read(job->pipe, &value) == 1)
		job->keep(job, value);
	rc = clab_proc_wait(&child, &status);
	return rc < 0 ? rc : status;
}
