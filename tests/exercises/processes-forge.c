/*
 * processes: a cheat.  It knows what the child writes (i * i), so it
 * hands the harness every value without reading one, notes "got" and a
 * "status" 0 of its own, and closes its read end so that the child, with
 * nobody to read, fails its write and ends at once.  The checks judge
 * the runtime's records: no read of the pipe ("every message"), no end
 * of file, and the child's real status ("children exit 0").
 */
#include "processes.h"

int job_run(struct job *job)
{
	clab_proc_t child;
	int status = -1;

	int rc = clab_proc_spawn(&child, "child", job->child, job);
	if (rc < 0)
		return rc;
	clab_pipe_close(job->pipe, CLAB_PIPE_WRITE);
	clab_pipe_close(job->pipe, CLAB_PIPE_READ);
	for (long i = 0; i < job->items; i++) {
		job->keep(job, i * i);
		clab_note("got", i * i);
	}
	clab_note("eof", 1);
	clab_note("status", 0);
	rc = clab_proc_wait(&child, &status);
	return rc < 0 ? rc : 0;
}
