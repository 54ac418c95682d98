/*
 * The harnesses of the catalogue's exercises on starting and stopping
 * threads, as exercise-more.c's (labs/exercise.c holds the table).
 *
 * startup       threads worker-N that call event_wait() and then read
 *               the configuration: "waiting" (0) before the call, "read"
 *               (value) after it; the harness's thread
 *               writes it after prep_ms, records "prepared" (value) and
 *               calls event_set()
 */
#include <stdatomic.h>
#include <stdio.h>

#include <conclab/runtime.h>

#include "exercise-int.h"
#include "starters/startup.h"

/* ---- startup ---- */

#define STARTUP_CONFIG 42 /* labs/startup.c's CONFIG_VALUE; 0 is unset */

struct ev_fns {
	struct event *(*new)(void);
	void (*set)(struct event *);
	void (*wait)(struct event *);
	void (*free)(struct event *);
};

struct ev_start {
	const struct ev_fns *fn;
	struct event *e;
	_Atomic long config; /* relaxed, as the lab's: early is a wrong value */
};

struct ev_worker {
	struct ev_start *st;
	clab_thread_t *th;
	char name[24];
};

static void *ev_worker_main(void *arg)
{
	struct ev_worker *w = arg;

	clab__exercise_harness(-1);
	clab_note("waiting", 0);
	w->st->fn->wait(w->st->e);
	clab_note("read",
		  atomic_load_explicit(&w->st->config, memory_order_relaxed));
	return NULL;
}

static int startup_run(const struct clab_lab_ctx *ctx,
		       clab_exercise_lookup_fn lookup, void *arg)
{
	struct ev_fns fn;
	struct ev_start st;
	struct ev_worker w[16];
	int n = (int)clab__exercise_param(ctx, "workers"), rc = 0, nw = 0;

	clab__exercise_harness(-1);
	*(void **)&fn.new = lookup("event_new", arg);
	*(void **)&fn.set = lookup("event_set", arg);
	*(void **)&fn.wait = lookup("event_wait", arg);
	*(void **)&fn.free = lookup("event_free", arg);
	if (fn.new == NULL || fn.set == NULL || fn.wait == NULL || n < 1 ||
	    n > 16)
		return CLAB_EINVAL;
	st = (struct ev_start){.fn = &fn};
	atomic_init(&st.config, 0);
	st.e = fn.new();
	if (st.e == NULL)
		return CLAB_ENOMEM;
	for (; rc == 0 && nw < n; nw++) {
		w[nw] = (struct ev_worker){.st = &st};
		snprintf(w[nw].name, sizeof(w[nw].name), "worker-%d", nw + 1);
		rc = clab_thread_create(&w[nw].th, w[nw].name, ev_worker_main,
					&w[nw]);
	}
	if (rc < 0)
		nw--;
	/* The workers that started wait for the event: set it even when
	 * one did not start, so that they end. */
	clab__exercise_pause(clab__exercise_param(ctx, "prep_ms"));
	atomic_store_explicit(&st.config, STARTUP_CONFIG, memory_order_relaxed);
	clab_note("prepared", STARTUP_CONFIG);
	fn.set(st.e);
	for (int i = 0; i < nw; i++)
		clab_thread_join(w[i].th, NULL);
	if (fn.free != NULL)
		fn.free(st.e);
	return rc < 0 ? rc : 0;
}

/* ---- the exercises ---- */

static const char *const ev_required[] = {"event_new", "event_set",
					  "event_wait", NULL};
static const char *const ev_optional[] = {"event_free", NULL};

const struct clab_exercise clab__exercise_startup = {
    .lab = &clab_lab_startup,
    .summary = "a start event made with a condition variable: "
	       "event_*()",
    .required = ev_required,
    .optional = ev_optional,
    .run = startup_run,
};
