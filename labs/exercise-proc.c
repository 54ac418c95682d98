/*
 * The harness of the processes exercise, as exercise-more.c's: it runs
 * the lab's pipe variant against the student's parent side, job_run(),
 * and records the annotations that the lab's checker reads.  The
 * checker trusts only the notes made in this file (clab_lab_harness_label)
 * and otherwise the runtime's own records of the fork, the pipe and the
 * wait.
 *
 * processes     main makes the pipe "results" (`capacity` messages of a
 *               long), notes "expect" (items) and calls job_run(); the
 *               child, which the student starts with job->child, writes
 *               `items` messages i * i and exits 0; job->keep() notes
 *               "got" (value) for each message the student read
 */
#include <conclab/runtime.h>

#include "exercise-int.h"
#include "starters/processes.h"

/* The child's side (in the child process): the messages, then the end. */
static int job_child(void *arg)
{
	struct job *job = arg;

	clab_pipe_close(job->pipe, CLAB_PIPE_READ);
	for (long i = 0; i < job->items; i++) {
		long v = i * i;
		if (clab_pipe_write(job->pipe, &v) != 0)
			return 1;
	}
	clab_pipe_close(job->pipe, CLAB_PIPE_WRITE);
	return 0;
}

static void job_keep(struct job *job, long value)
{
	(void)job;
	clab_note("got", value);
}

static int job_harness(const struct clab_lab_ctx *ctx,
		       clab_exercise_lookup_fn lookup, void *arg)
{
	int (*run)(struct job *);
	clab_pipe_t pipe;
	struct job job;
	int rc;

	clab__exercise_harness(-1);
	*(void **)&run = lookup("job_run", arg);
	if (run == NULL)
		return CLAB_EINVAL;
	rc = clab_pipe_init(&pipe, "results", sizeof(long),
			    (uint32_t)clab__exercise_param(ctx, "capacity"));
	if (rc < 0)
		return rc;
	job = (struct job){
	    .items = clab__exercise_param(ctx, "items"),
	    .pipe = &pipe,
	    .child = job_child,
	    .keep = job_keep,
	};
	clab_note("expect", job.items);
	run(&job);
	clab_pipe_destroy(&pipe);
	return 0;
}

static const char *const job_required[] = {"job_run", NULL};
static const char *const job_optional[] = {NULL};

const struct clab_exercise clab__exercise_processes = {
    .lab = &clab_lab_processes,
    .summary = "the parent's side of a pipe: job_run() reads all, then "
	       "waits",
    .required = job_required,
    .optional = job_optional,
    .processes = 1,
    .run = job_harness,
};
