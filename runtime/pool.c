/*
 * Thread pools and futures, Python's concurrent.futures.ThreadPoolExecutor.
 *
 * A pool is made of the other primitives, so that its blocking is theirs
 * (recorded, seen by the watchdog, scheduled under control): its workers
 * take futures from one unbounded queue (NAME.tasks) until it is closed; a
 * future's result waits on the future's latch, which completing or
 * cancelling it sets; a shutdown that waits joins the workers, and a
 * second one waits on the pool's latch (NAME.ended) for the first.
 *
 * The pool and each future are objects of their own, checked like every
 * other (a header at offset 0), with records for what the primitives do
 * not show: pool.submit on the pool (a32 = the future's id, a8 = refused),
 * pool.task-start and pool.task-end on the future, by its worker,
 * future.set and future.cancel (a32 = callbacks to run), future.callback
 * before each callback (a8 = 1 when it runs at once, the future being
 * done already), pool.shutdown (a8 = wait, a32 = tasks cancelled).  The
 * records a worker makes for a task carry the task's submit site.
 *
 * A future is shared by its caller and the pool: two references, one the
 * caller's handle (clab_future_free), one the queue's, which the worker
 * (or a shutdown that cancels it) drops once done with it.  State and
 * callbacks are under the future's internal lock, which is never held
 * across a call of a primitive or of user code: a callback list is taken
 * whole under the lock by whoever completes the future, and one added
 * after that runs at once, so each runs exactly once.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"

enum { F_PENDING, F_RUNNING, F_DONE, F_CANCELLED };

struct cb {
	struct cb *next;
	clab_future_cb fn;
	void *arg;
};

struct clab_future {
	struct clab__obj h; /* first, as in every object */
	clab__lock_t lk;
	int state;
	unsigned refs;
	void *(*fn)(void *);
	void *arg;
	void *result;
	struct cb *cbs, **cbtail;
	const struct clab_site *site; /* of the submit */
	clab_latch_t done;	      /* set when done or cancelled */
};

struct clab_pool {
	struct clab__obj h;
	clab__lock_t lk;
	int shut;    /* submits are refused */
	int joining; /* a shutdown joins the workers */
	uint32_t nworkers;
	uint32_t nsubmits;
	const struct clab_site *site; /* of clab_pool_new */
	char *name;
	clab_queue_t q;	    /* futures no worker took yet */
	clab_latch_t ended; /* every worker was joined */
	clab_thread_t *workers[];
};

/* ---- futures ---- */

static clab_future_t *future_new(clab_pool_t *p, void *(*fn)(void *), void *arg,
				 uint32_t n, struct clab__thr *self,
				 const struct clab_site *site)
{
	clab_future_t *f = calloc(1, sizeof(*f));
	char name[96];

	if (f == NULL)
		return NULL;
	snprintf(name, sizeof(name), "%s.%" PRIu32, p->name, n);
	clab__lk_init(&f->lk);
	f->state = F_PENDING;
	f->refs = 2;
	f->fn = fn;
	f->arg = arg;
	f->cbtail = &f->cbs;
	f->site = site;
	if (clab__latch_init(&f->done, name, site) < 0) {
		free(f);
		return NULL;
	}
	if (clab__obj_init(&f->h, self, CLAB_O_FUTURE, name, site, 0, p->h.id) <
	    0) {
		clab__latch_destroy(&f->done, site);
		free(f);
		return NULL;
	}
	return f;
}

/* Drop one reference; the last one destroys f. */
static void future_unref(clab_future_t *f, struct clab__thr *self,
			 const struct clab_site *site)
{
	unsigned n;

	clab__lk_lock(&f->lk);
	n = --f->refs;
	clab__lk_unlock(&f->lk);
	if (n > 0)
		return;
	clab__latch_destroy(&f->done, site);
	clab__lk_lock(&f->lk);
	clab__obj_fini(&f->h, self, site);
	clab__lk_unlock(&f->lk);
	while (f->cbs != NULL) { /* none: completing takes them all */
		struct cb *c = f->cbs;
		f->cbs = c->next;
		free(c);
	}
	free(f);
}

/* Take the callback list (lk held); *n gets its length. */
static struct cb *take_cbs(clab_future_t *f, unsigned *n)
{
	struct cb *cbs = f->cbs;

	*n = 0;
	for (struct cb *c = cbs; c != NULL; c = c->next)
		(*n)++;
	f->cbs = NULL;
	f->cbtail = &f->cbs;
	return cbs;
}

/* Run one callback, after its record. */
static void run_cb(clab_future_t *f, clab_future_cb fn, void *arg, int late,
		   struct clab__thr *self, const struct clab_site *site)
{
	clab__sched_point(self, site);
	clab__lk_lock(&f->lk);
	clab__emit_obj(self, CLAB_K_FUTURE_CALLBACK, &f->h, site,
		       (unsigned)late, 0);
	clab__lk_unlock(&f->lk);
	fn(f, arg);
}

/* f was completed or cancelled: wake its waiters, then run cbs. */
static void finish(clab_future_t *f, struct cb *cbs, struct clab__thr *self,
		   const struct clab_site *site)
{
	clab__latch_set(&f->done, site);
	while (cbs != NULL) {
		struct cb *c = cbs;
		cbs = c->next;
		run_cb(f, c->fn, c->arg, 0, self, site);
		free(c);
	}
}

/*
 * Cancel f if no worker took it: 1 when this call cancelled it, 0 when it
 * was cancelled already, CLAB_EBUSY when it runs or ran.
 */
static int cancel(clab_future_t *f, struct clab__thr *self,
		  const struct clab_site *site)
{
	struct cb *cbs;
	unsigned n;

	clab__lk_lock(&f->lk);
	if (f->state != F_PENDING) {
		int r = f->state == F_CANCELLED ? 0 : CLAB_EBUSY;
		clab__lk_unlock(&f->lk);
		return r;
	}
	f->state = F_CANCELLED;
	cbs = take_cbs(f, &n);
	clab__emit_obj(self, CLAB_K_FUTURE_CANCEL, &f->h, site, 0, n);
	clab__lk_unlock(&f->lk);
	finish(f, cbs, self, site);
	return 1;
}

/* A worker runs f, unless it was cancelled. */
static void run_task(clab_future_t *f, struct clab__thr *self)
{
	const struct clab_site *site = f->site;
	struct cb *cbs;
	unsigned n;
	void *r;

	clab__sched_point(self, site);
	clab__lk_lock(&f->lk);
	if (f->state != F_PENDING) {
		clab__lk_unlock(&f->lk);
		return;
	}
	f->state = F_RUNNING;
	clab__emit_obj(self, CLAB_K_POOL_TASK_START, &f->h, site, 0, 0);
	clab__lk_unlock(&f->lk);
	r = f->fn(f->arg);
	clab__sched_point(self, site);
	clab__lk_lock(&f->lk);
	f->result = r;
	f->state = F_DONE;
	cbs = take_cbs(f, &n);
	clab__emit_obj(self, CLAB_K_POOL_TASK_END, &f->h, site, 0, 0);
	clab__emit_obj(self, CLAB_K_FUTURE_SET, &f->h, site, 0, n);
	clab__lk_unlock(&f->lk);
	finish(f, cbs, self, site);
}

int clab__future_result(clab_future_t *f, void **out, uint32_t ms,
			const struct clab_site *site)
{
	struct clab__thr *self = clab__self();
	int r;

	CLAB__CHECK(self, f, CLAB_O_FUTURE, site);
	if (out == NULL)
		return CLAB_EINVAL;
	r = clab__latch_wait(&f->done, ms, site); /* the scheduling point */
	if (r < 0)
		return r;
	clab__lk_lock(&f->lk);
	if (f->state == F_CANCELLED) {
		r = CLAB_ECANCELED;
	} else {
		*out = f->result;
		r = 0;
	}
	clab__lk_unlock(&f->lk);
	return r;
}

int clab__future_cancel(clab_future_t *f, const struct clab_site *site)
{
	struct clab__thr *self = clab__self();
	int r;

	clab__sched_point(self, site);
	CLAB__CHECK(self, f, CLAB_O_FUTURE, site);
	r = cancel(f, self, site);
	return r < 0 ? r : 0;
}

int clab__future_add_done_callback(clab_future_t *f, clab_future_cb cb,
				   void *arg, const struct clab_site *site)
{
	struct clab__thr *self = clab__self();
	struct cb *c;

	clab__sched_point(self, site);
	CLAB__CHECK(self, f, CLAB_O_FUTURE, site);
	if (cb == NULL)
		return CLAB_EINVAL;
	c = malloc(sizeof(*c));
	if (c == NULL)
		return CLAB_ENOMEM;
	c->next = NULL;
	c->fn = cb;
	c->arg = arg;
	clab__lk_lock(&f->lk);
	if (f->state == F_DONE || f->state == F_CANCELLED) {
		/* done for good: nobody takes the list again */
		clab__lk_unlock(&f->lk);
		free(c);
		run_cb(f, cb, arg, 1, self, site);
		return 0;
	}
	*f->cbtail = c;
	f->cbtail = &c->next;
	clab__lk_unlock(&f->lk);
	return 0;
}

int clab__future_free(clab_future_t *f, const struct clab_site *site)
{
	struct clab__thr *self;

	if (f == NULL)
		return 0;
	self = clab__self();
	CLAB__CHECK(self, f, CLAB_O_FUTURE, site);
	future_unref(f, self, site);
	return 0;
}

/* The future's state, or -1 (with a diagnostic) when f is not one. */
static int future_state(clab_future_t *f)
{
	struct clab__thr *self = clab__self();
	int s;

	if (!clab__obj_ok(self, f, CLAB_O_FUTURE)) {
		clab__obj_bad(self, f, CLAB_O_FUTURE, NULL);
		return -1;
	}
	clab__lk_lock(&f->lk);
	s = f->state;
	clab__lk_unlock(&f->lk);
	return s;
}

int clab_future_done(clab_future_t *f)
{
	int s = future_state(f);

	return s == F_DONE || s == F_CANCELLED;
}

int clab_future_cancelled(clab_future_t *f)
{
	return future_state(f) == F_CANCELLED;
}

/* ---- pools ---- */

static void *worker_main(void *arg)
{
	clab_pool_t *p = arg;
	struct clab__thr *self = clab__self();
	void *item;

	while (clab__queue_get(&p->q, &item, CLAB_FOREVER, p->site) == 0) {
		run_task(item, self);
		future_unref(item, self, p->site);
	}
	return NULL;
}

static int is_worker(const clab_pool_t *p, const struct clab__thr *self)
{
	for (uint32_t i = 0; i < p->nworkers; i++)
		if (p->workers[i] == self)
			return 1;
	return 0;
}

/* Record p's end and free it. */
static void pool_drop(clab_pool_t *p, struct clab__thr *self,
		      const struct clab_site *site)
{
	clab__lk_lock(&p->lk);
	clab__obj_fini(&p->h, self, site);
	clab__lk_unlock(&p->lk);
	free(p->name);
	free(p);
}

/* Destroy what pool_new made of p and free it (its workers are joined). */
static void pool_release(clab_pool_t *p, struct clab__thr *self,
			 const struct clab_site *site)
{
	clab__queue_destroy(&p->q, site);
	clab__latch_destroy(&p->ended, site);
	pool_drop(p, self, site);
}

int clab__pool_new(clab_pool_t **out, const char *name, uint32_t workers,
		   const struct clab_site *site)
{
	struct clab__thr *self = clab__self();
	char sub[96];
	clab_pool_t *p;
	int r;

	clab__sched_point(self, site);
	if (out == NULL)
		return CLAB_EINVAL;
	*out = NULL;
	if (workers == 0 || workers > CLAB_POOL_MAX_WORKERS)
		return clab__bad_value(self, workers, site);
	if (name == NULL)
		name = "pool";
	p = calloc(1, sizeof(*p) + workers * sizeof(p->workers[0]));
	if (p == NULL)
		return CLAB_ENOMEM;
	p->name = strdup(name);
	if (p->name == NULL) {
		free(p);
		return CLAB_ENOMEM;
	}
	clab__lk_init(&p->lk);
	p->site = site;
	r = clab__obj_init(&p->h, self, CLAB_O_POOL, name, site, 0, workers);
	if (r < 0) {
		free(p->name);
		free(p);
		return r;
	}
	snprintf(sub, sizeof(sub), "%s.tasks", name);
	r = clab__queue_init(&p->q, sub, 0, site);
	if (r < 0)
		goto no_queue;
	snprintf(sub, sizeof(sub), "%s.ended", name);
	r = clab__latch_init(&p->ended, sub, site);
	if (r < 0)
		goto no_latch;
	for (; p->nworkers < workers; p->nworkers++) {
		snprintf(sub, sizeof(sub), "%s-%" PRIu32, name,
			 p->nworkers + 1);
		r = clab__thread_create(&p->workers[p->nworkers], sub,
					worker_main, p, site);
		if (r < 0) {
			/* the ones that started end at the close */
			clab__pool_shutdown(p, 1, 0, site);
			pool_release(p, self, site);
			return r;
		}
	}
	*out = p;
	return 0;
no_latch:
	clab__queue_destroy(&p->q, site);
no_queue:
	pool_drop(p, self, site);
	return r;
}

int clab__pool_submit(clab_pool_t *p, void *(*fn)(void *), void *arg,
		      clab_future_t **out, const struct clab_site *site)
{
	struct clab__thr *self = clab__self();
	clab_future_t *f = NULL;
	uint32_t n;
	int r, shut;

	clab__sched_point(self, site);
	CLAB__CHECK(self, p, CLAB_O_POOL, site);
	if (fn == NULL || out == NULL)
		return CLAB_EINVAL;
	*out = NULL;
	clab__lk_lock(&p->lk);
	shut = p->shut;
	n = ++p->nsubmits;
	clab__lk_unlock(&p->lk);
	r = CLAB_ECLOSED;
	if (!shut) {
		f = future_new(p, fn, arg, n, self, site);
		if (f == NULL)
			return CLAB_ENOMEM;
		/* a shutdown closes the queue first: this is what decides */
		r = clab__queue_put(&p->q, f, CLAB_FOREVER, site);
	}
	clab__lk_lock(&p->lk);
	clab__emit_obj(self, CLAB_K_POOL_SUBMIT, &p->h, site, r < 0,
		       r < 0 ? 0 : f->h.id);
	clab__lk_unlock(&p->lk);
	if (r < 0) {
		if (f != NULL) {
			future_unref(f, self, site);
			future_unref(f, self, site);
		}
		return r;
	}
	*out = f;
	return 0;
}

int clab__pool_map(clab_pool_t *p, void *(*fn)(void *), void *const *args,
		   size_t n, void **results, const struct clab_site *site)
{
	struct clab__thr *self = clab__self();
	clab_future_t **futs;
	size_t sent = 0;
	int r, first = 0;

	CLAB__CHECK(self, p, CLAB_O_POOL, site);
	if (fn == NULL || (n > 0 && (args == NULL || results == NULL)))
		return CLAB_EINVAL;
	if (n == 0)
		return 0;
	futs = calloc(n, sizeof(*futs));
	if (futs == NULL)
		return CLAB_ENOMEM;
	for (; sent < n; sent++) {
		r = clab__pool_submit(p, fn, args[sent], &futs[sent], site);
		if (r < 0) {
			first = r;
			break;
		}
	}
	for (size_t i = 0; i < n; i++) {
		results[i] = NULL;
		if (i >= sent)
			continue;
		r = clab__future_result(futs[i], &results[i], CLAB_FOREVER,
					site);
		if (r < 0 && first == 0)
			first = r;
		clab__future_free(futs[i], site);
	}
	free(futs);
	return first;
}

int clab__pool_shutdown(clab_pool_t *p, int wait, int cancel_pending,
			const struct clab_site *site)
{
	struct clab__thr *self = clab__self();
	uint32_t cancelled = 0;
	void *item;
	int join;

	clab__sched_point(self, site);
	CLAB__CHECK(self, p, CLAB_O_POOL, site);
	if (wait && is_worker(p, self))
		return CLAB_EDEADLK;
	clab__lk_lock(&p->lk);
	p->shut = 1;
	clab__lk_unlock(&p->lk);
	clab__queue_close(&p->q, site);
	/* after the close: nothing comes in behind the last one taken */
	while (cancel_pending && clab__queue_get(&p->q, &item, 0, site) == 0) {
		if (cancel(item, self, site) == 1)
			cancelled++;
		future_unref(item, self, site);
	}
	clab__lk_lock(&p->lk);
	clab__emit_obj(self, CLAB_K_POOL_SHUTDOWN, &p->h, site, wait != 0,
		       cancelled);
	join = wait && !p->joining;
	if (join)
		p->joining = 1;
	clab__lk_unlock(&p->lk);
	if (join) {
		for (uint32_t i = 0; i < p->nworkers; i++)
			clab__thread_join(p->workers[i], NULL, CLAB_FOREVER,
					  site);
		clab__latch_set(&p->ended, site);
	} else if (wait) {
		clab__latch_wait(&p->ended, CLAB_FOREVER, site);
	}
	return (int)cancelled;
}

int clab__pool_free(clab_pool_t *p, const struct clab_site *site)
{
	struct clab__thr *self;
	int r;

	if (p == NULL)
		return 0;
	self = clab__self();
	CLAB__CHECK(self, p, CLAB_O_POOL, site);
	r = clab__pool_shutdown(p, 1, 0, site);
	if (r < 0)
		return r;
	pool_release(p, self, site);
	return 0;
}
