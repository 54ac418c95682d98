/*
 * The harnesses of the catalogue's exercises on starting and stopping
 * threads, as exercise-more.c's (labs/exercise.c holds the table).
 *
 * startup       threads worker-N that call event_wait() and then read
 *               the configuration: "waiting" (0) before the call, "read"
 *               (value) after it; the harness's thread
 *               writes it after prep_ms, records "prepared" (value) and
 *               calls event_set()
 * stop          threads worker-N that check stopper_requested() under the
 *               harness's mutex board: "poll" (n) or "stopped" (n), then
 *               "pause" (n) and "resume" (n) around stopper_pause(); the
 *               harness's thread calls stopper_request() under board,
 *               after run_ms, and records "stop" (0)
 */
#include <stdatomic.h>
#include <stdio.h>

#include <conclab/runtime.h>

#include "exercise-int.h"
#include "starters/startup.h"
#include "starters/stop.h"

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

/* ---- stop ---- */

struct st_fns {
	struct stopper *(*new)(void);
	void (*request)(struct stopper *);
	int (*requested)(struct stopper *);
	void (*pause)(struct stopper *, int);
	void (*free)(struct stopper *);
};

struct st_shop {
	const struct clab_lab_ctx *ctx;
	const struct st_fns *fn;
	struct stopper *s;
	clab_mutex_t board; /* the notes' order is the requests' order */
	clab_sem_t started; /* one release per worker, at its first check */
};

struct st_worker {
	struct st_shop *sh;
	clab_thread_t *th;
	char name[24];
};

static void *st_worker_main(void *arg)
{
	struct st_worker *w = arg;
	struct st_shop *sh = w->sh;
	long n = 0;

	clab__exercise_harness(-1);
	for (;;) {
		clab_mutex_lock(&sh->board);
		int stop = sh->fn->requested(sh->s);
		if (stop)
			clab_note("stopped", n);
		else
			clab_note("poll", ++n);
		clab_mutex_unlock(&sh->board);
		if (n == 1 || (stop && n == 0))
			clab_sem_release(&sh->started);
		if (stop)
			break;
		clab_note("pause", n);
		sh->fn->pause(sh->s,
			      (int)clab__exercise_param(sh->ctx, "poll_ms"));
		clab_note("resume", n);
	}
	return NULL;
}

static int stop_run(const struct clab_lab_ctx *ctx,
		    clab_exercise_lookup_fn lookup, void *arg)
{
	struct st_fns fn;
	struct st_shop sh;
	struct st_worker w[16];
	int n = (int)clab__exercise_param(ctx, "workers"), rc, nw = 0;

	clab__exercise_harness(-1);
	*(void **)&fn.new = lookup("stopper_new", arg);
	*(void **)&fn.request = lookup("stopper_request", arg);
	*(void **)&fn.requested = lookup("stopper_requested", arg);
	*(void **)&fn.pause = lookup("stopper_pause", arg);
	*(void **)&fn.free = lookup("stopper_free", arg);
	if (fn.new == NULL || fn.request == NULL || fn.requested == NULL ||
	    fn.pause == NULL || n < 1 || n > 16)
		return CLAB_EINVAL;
	sh = (struct st_shop){.ctx = ctx, .fn = &fn};
	rc = clab_mutex_init(&sh.board, "board", CLAB_MUTEX_NORMAL);
	if (rc < 0)
		return rc;
	rc = clab_sem_init(&sh.started, "started", 0, 0);
	if (rc < 0)
		goto out_board;
	sh.s = fn.new();
	if (sh.s == NULL) {
		rc = CLAB_ENOMEM;
		goto out_sem;
	}
	for (; rc == 0 && nw < n; nw++) {
		w[nw] = (struct st_worker){.sh = &sh};
		snprintf(w[nw].name, sizeof(w[nw].name), "worker-%d", nw + 1);
		rc = clab_thread_create(&w[nw].th, w[nw].name, st_worker_main,
					&w[nw]);
	}
	if (rc < 0)
		nw--;
	/* Every worker is running before the clock starts; those that
	 * started are asked to stop even when one did not start. */
	for (int i = 0; i < nw; i++)
		clab_sem_acquire(&sh.started);
	if (rc == 0)
		clab__exercise_pause(clab__exercise_param(ctx, "run_ms"));
	clab_mutex_lock(&sh.board);
	fn.request(sh.s);
	clab_note("stop", 0);
	clab_mutex_unlock(&sh.board);
	for (int i = 0; i < nw; i++)
		clab_thread_join(w[i].th, NULL);
	if (fn.free != NULL)
		fn.free(sh.s);
out_sem:
	clab_sem_destroy(&sh.started);
out_board:
	clab_mutex_destroy(&sh.board);
	return rc < 0 ? rc : 0;
}

/* ---- the exercises ---- */

static const char *const ev_required[] = {"event_new", "event_set",
					  "event_wait", NULL};
static const char *const ev_optional[] = {"event_free", NULL};
static const char *const st_required[] = {"stopper_new", "stopper_request",
					  "stopper_requested", "stopper_pause",
					  NULL};
static const char *const st_optional[] = {"stopper_free", NULL};

const struct clab_exercise clab__exercise_startup = {
    .lab = &clab_lab_startup,
    .summary = "a start event made with a condition variable: "
	       "event_*()",
    .required = ev_required,
    .optional = ev_optional,
    .run = startup_run,
};

const struct clab_exercise clab__exercise_stop = {
    .lab = &clab_lab_stop,
    .summary = "a stop request that ends a worker's pause: stopper_*()",
    .required = st_required,
    .optional = st_optional,
    .run = stop_run,
};
