/*
 * The harnesses of the task labs' exercises (actor), as
 * exercise-more.c's: each runs a lab's threads against the student's
 * functions and records the annotations that the lab's checker reads.
 * The checkers trust only the notes made in this file and exercise.c
 * (clab_lab_harness_label), never a solution's notes of the same label.
 *
 * actor         main sends messages 1..`messages` with mbox_put(),
 *               "publish" (m) before each, then MBOX_EXIT; the thread
 *               actor-1 takes them with mbox_get(): "recv" (m, 1) for a
 *               message, "exit" (1) for the sentinel, where it stops
 */
#include <stdint.h>

#include <conclab/runtime.h>

#include "exercise-int.h"
#include "starters/actor.h"

/* ---- actor ---- */

struct mbox_fns {
	struct mbox *(*new)(void);
	void (*put)(struct mbox *, long);
	long (*get)(struct mbox *);
	void (*free)(struct mbox *);
};

struct mbox_actor {
	const struct clab_lab_ctx *ctx;
	const struct mbox_fns *fn;
	struct mbox *m;
};

static void *mbox_actor_main(void *arg)
{
	struct mbox_actor *a = arg;
	long work = clab__exercise_param(a->ctx, "work_ms");

	clab__exercise_harness(-1);
	for (;;) {
		long msg = a->fn->get(a->m);
		if (msg == MBOX_EXIT) {
			clab_note("exit", 1);
			break;
		}
		clab_note2("recv", msg, 1);
		clab__exercise_pause(work);
	}
	return NULL;
}

static int actor_run(const struct clab_lab_ctx *ctx,
		     clab_exercise_lookup_fn lookup, void *arg)
{
	struct mbox_fns fn;
	struct mbox_actor a;
	clab_thread_t *th;
	long msgs = clab__exercise_param(ctx, "messages");
	int rc;

	clab__exercise_harness(-1);
	*(void **)&fn.new = lookup("mbox_new", arg);
	*(void **)&fn.put = lookup("mbox_put", arg);
	*(void **)&fn.get = lookup("mbox_get", arg);
	*(void **)&fn.free = lookup("mbox_free", arg);
	if (fn.new == NULL || fn.put == NULL || fn.get == NULL)
		return CLAB_EINVAL;
	a = (struct mbox_actor){.ctx = ctx, .fn = &fn, .m = fn.new()};
	if (a.m == NULL)
		return CLAB_ENOMEM;
	rc = clab_thread_create(&th, "actor-1", mbox_actor_main, &a);
	if (rc == 0) {
		for (long m = 1; m <= msgs; m++) {
			/* now an empty mailbox, now two messages in it */
			if (m % 2 == 1)
				clab__exercise_pause(
				    clab__exercise_param(ctx, "work_ms"));
			clab_note("publish", m);
			fn.put(a.m, m);
		}
		fn.put(a.m, MBOX_EXIT);
		clab_thread_join(th, NULL);
	}
	if (fn.free != NULL)
		fn.free(a.m);
	return rc;
}

/* ---- the exercises ---- */

static const char *const actor_required[] = {"mbox_new", "mbox_put", "mbox_get",
					     NULL};
static const char *const actor_optional[] = {"mbox_free", NULL};

const struct clab_exercise clab__exercise_actor = {
    .lab = &clab_lab_actor,
    .summary = "an actor's mailbox made with a condition variable: mbox_*()",
    .required = actor_required,
    .optional = actor_optional,
    .run = actor_run,
};
