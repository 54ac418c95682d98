/*
 * timer - a periodic timer built on a condition variable.
 *
 * A ticker thread wakes every interval, bumps the tick under the timer's
 * lock and wakes every waiter; "countdown" waits for 10 ticks and "countup"
 * for 5.  The timer is written out here, not taken from clab_ptimer_t, so
 * that each variant's bug sits next to the correct code.  Each waiter
 * remembers the last tick it saw and waits until the tick number moves on
 * (a number, unlike a flag flipped at each tick, also tells how many ticks
 * went by; the tutorials behind the lab: docs/sources.md).
 *
 * Variants:
 *   condvar      notify_all, and the wait re-checks the tick in a loop
 *   event-reuse  a latch (the threading.Event idea) set and then cleared
 *                for every tick: a waiter that comes back while it is
 *                still set sees the same tick again
 *   notify-one   signal instead of broadcast: one waiter per tick wakes,
 *                the other misses the tick
 *   no-loop      `if` instead of `while` around the wait: a spurious
 *                wakeup is taken for a tick
 *   oneshot      two one-shot timers: one fires, one is cancelled in time
 *
 * Annotations: "tick" (n) by the ticker, with the lock held; "saw" (n,
 * waiter) by a waiter for the tick it believes it saw (0 countdown,
 * 1 countup); "fired" (timer id) in a one-shot timer's callback.
 */
#include <stdlib.h>
#include <string.h>

#include <conclab/runtime.h>

#include "lab.h"

enum { V_CONDVAR, V_EVENT_REUSE, V_NOTIFY_ONE, V_NO_LOOP, V_ONESHOT, V_COUNT };

enum {
	P_INTERVAL,
	P_COUNTDOWN,
	P_COUNTUP,
	P_SPURIOUS,
	P_PULSE,
	P_WORK,
	P_COUNT
};

static const struct clab_lab_param params[P_COUNT] = {
    [P_INTERVAL] = {"interval_ms",
		    "time between ticks (oneshot: the first timer's "
		    "delay), ms",
		    20, 1, 10000},
    [P_COUNTDOWN] = {"countdown", "ticks the countdown thread waits for", 10, 1,
		     1000},
    [P_COUNTUP] = {"countup", "ticks the countup thread waits for", 5, 1, 1000},
    [P_SPURIOUS] = {"spurious_rate",
		    "injected spurious wakeups per thousand waits", 0, 0, 1000},
    [P_PULSE] = {"pulse_ms",
		 "event-reuse: how long the latch stays set before it is "
		 "cleared, ms",
		 2, 0, 10000},
    [P_WORK] = {"work_ms",
		"longest random work a waiter does after each tick, ms", 1, 0,
		10000},
};

static const struct clab_lab_default no_loop_defaults[] = {
    {"spurious_rate", 300},
    {NULL, 0},
};

static const struct clab_lab_variant variants[V_COUNT] = {
    [V_CONDVAR] =
	{
	    .name = "condvar",
	    .summary = "tick under the lock, broadcast; waiters re-check "
		       "in a while loop",
	    .expect = 0,
	},
    [V_EVENT_REUSE] =
	{
	    .name = "event-reuse",
	    .summary = "one latch (event) set and cleared for every tick",
	    .bug = "a waiter that waits again before the clear sees the "
		   "same tick twice; one that is late misses it",
	    .expect = 1,
	},
    [V_NOTIFY_ONE] =
	{
	    .name = "notify-one",
	    .summary = "signal instead of broadcast",
	    .bug = "each tick wakes one waiter: the other misses it",
	    .expect = 1,
	},
    [V_NO_LOOP] =
	{
	    .name = "no-loop",
	    .summary = "the wait is not re-checked in a loop",
	    .bug = "a spurious wakeup is counted as a tick",
	    .expect = 1,
	    .defaults = no_loop_defaults,
	},
    [V_ONESHOT] =
	{
	    .name = "oneshot",
	    .summary = "two one-shot timers: one fires, the other is "
		       "cancelled before it fires",
	    .expect = 0,
	},
};

struct ptimer {
	const struct clab_lab_ctx *ctx;
	clab_mutex_t lock;
	clab_cond_t cv;
	clab_latch_t flag; /* event-reuse */
	unsigned tick;
	unsigned max_ticks;
	int running; /* waiters still counting */
	int stop;
};

struct waiter {
	struct ptimer *t;
	int i; /* 0 countdown, 1 countup */
	uint64_t rng;
	clab_thread_t *th;
};

static void *ticker(void *arg)
{
	struct ptimer *t = arg;
	const struct clab_lab_ctx *ctx = t->ctx;
	unsigned v = ctx->variant;

	long nap = ctx->param[P_INTERVAL];

	/* event-reuse: the pulse is part of the period */
	if (v == V_EVENT_REUSE && nap > ctx->param[P_PULSE])
		nap -= ctx->param[P_PULSE];
	for (;;) {
		clab_sleep_ms((uint32_t)nap);
		clab_mutex_lock(&t->lock);
		if (t->running == 0 || t->tick >= t->max_ticks) {
			/* Everyone is done (or gave up): release them all. */
			t->stop = 1;
			clab_cond_broadcast(&t->cv);
			clab_mutex_unlock(&t->lock);
			if (v == V_EVENT_REUSE)
				clab_latch_set(&t->flag);
			break;
		}
		t->tick++;
		clab_note("tick", t->tick);
		clab_lab_say(ctx, "tick %u", t->tick);
		if (v == V_NOTIFY_ONE)
			clab_cond_signal(&t->cv); /* BUG: wakes only one */
		else if (v != V_EVENT_REUSE)
			clab_cond_broadcast(&t->cv);
		clab_mutex_unlock(&t->lock);
		if (v == V_EVENT_REUSE) {
			/*
			 * BUG: the same latch for every tick.  It stays set
			 * for a moment so that everyone can see it, and a
			 * waiter that comes back in that moment sees it
			 * again.
			 */
			clab_latch_set(&t->flag);
			if (ctx->param[P_PULSE] > 0)
				clab_sleep_ms((uint32_t)ctx->param[P_PULSE]);
			clab_latch_clear(&t->flag);
		}
	}
	return NULL;
}

/*
 * Wait for the tick after *last; returns the tick number the waiter
 * believes it saw (0 for a wakeup before the first tick), or -1 when the
 * timer stopped.
 */
static long wait_for_tick(struct waiter *w, unsigned *last)
{
	struct ptimer *t = w->t;
	unsigned v = t->ctx->variant, seen;

	if (v == V_EVENT_REUSE)
		clab_latch_wait(&t->flag);
	clab_mutex_lock(&t->lock);
	if (v == V_NO_LOOP) {
		/* BUG: woken for whatever reason, we take it as a tick. */
		if (t->tick == *last && !t->stop)
			clab_cond_wait(&t->cv, &t->lock);
	} else if (v != V_EVENT_REUSE) {
		while (t->tick == *last && !t->stop)
			clab_cond_wait(&t->cv, &t->lock);
	}
	if (t->stop) {
		clab_mutex_unlock(&t->lock);
		return -1;
	}
	seen = t->tick;
	*last = seen;
	clab_note2("saw", seen, w->i);
	clab_mutex_unlock(&t->lock);
	return (long)seen;
}

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;
	struct ptimer *t = w->t;
	const struct clab_lab_ctx *ctx = t->ctx;
	long n = ctx->param[w->i == 0 ? P_COUNTDOWN : P_COUNTUP];
	long work = ctx->param[P_WORK];
	unsigned last = 0;
	long seen;

	for (long k = 0; k < n; k++) {
		seen = wait_for_tick(w, &last);
		if (seen < 0) {
			clab_lab_say(ctx, "%s: the timer stopped",
				     w->i == 0 ? "countdown" : "countup");
			break;
		}
		if (w->i == 0)
			clab_lab_say(ctx,
				     "countdown: T-minus %ld (saw tick %ld)",
				     n - k, seen);
		else
			clab_lab_say(ctx,
				     "countup: counting %ld (saw tick %ld)", k,
				     seen);
		if (work > 0) {
			long ms = (long)(clab_lab_rand(&w->rng) %
					 (uint64_t)(work + 1));
			if (ms > 0)
				clab_sleep_ms((uint32_t)ms);
		}
	}
	clab_mutex_lock(&t->lock);
	t->running--;
	clab_mutex_unlock(&t->lock);
	return NULL;
}

static int run_periodic(const struct clab_lab_ctx *ctx)
{
	struct ptimer t;
	struct waiter w[2];
	clab_thread_t *tk = NULL;
	long most;
	int rc, nw = 0;

	memset(&t, 0, sizeof(t));
	memset(w, 0, sizeof(w));
	t.ctx = ctx;
	t.running = 2;
	most = ctx->param[P_COUNTDOWN] > ctx->param[P_COUNTUP]
		   ? ctx->param[P_COUNTDOWN]
		   : ctx->param[P_COUNTUP];
	/* A safety net: a timer whose waiters fall behind still ends. */
	t.max_ticks = (unsigned)(3 * most + 5);
	rc = clab_mutex_init(&t.lock, "timer.lock", CLAB_MUTEX_NORMAL);
	if (rc < 0)
		return rc;
	rc = clab_cond_init(&t.cv, "timer.cv");
	if (rc == 0 && ctx->variant == V_EVENT_REUSE)
		rc = clab_latch_init(&t.flag, "timer.tick-latch");
	for (; rc == 0 && nw < 2; nw++) {
		w[nw].t = &t;
		w[nw].i = nw;
		w[nw].rng = ctx->seed ^ (0x9e3779b97f4a7c15ull * (nw + 1u));
		rc = clab_thread_create(&w[nw].th,
					nw == 0 ? "countdown" : "countup",
					waiter_main, &w[nw]);
	}
	if (rc < 0) {
		nw--;
		t.running = nw;
	}
	if (rc == 0)
		rc = clab_thread_create(&tk, "ticker", ticker, &t);
	if (rc < 0) {
		/* No ticker: tell the waiters to go. */
		clab_mutex_lock(&t.lock);
		t.stop = 1;
		clab_cond_broadcast(&t.cv);
		clab_mutex_unlock(&t.lock);
		if (ctx->variant == V_EVENT_REUSE)
			clab_latch_set(&t.flag);
	}
	for (int i = 0; i < nw; i++)
		clab_thread_join(w[i].th, NULL);
	if (tk != NULL)
		clab_thread_join(tk, NULL);
	if (ctx->variant == V_EVENT_REUSE)
		clab_latch_destroy(&t.flag);
	clab_cond_destroy(&t.cv);
	clab_mutex_destroy(&t.lock);
	return rc < 0 ? rc : 0;
}

/* ---- oneshot ---- */

struct shot {
	const struct clab_lab_ctx *ctx;
	int id;
	clab_latch_t *fired; /* set by timer 1 */
};

static void fire(void *arg)
{
	struct shot *s = arg;

	clab_note("fired", s->id);
	clab_lab_say(s->ctx, "timer-%c fires", s->id == 1 ? 'a' : 'b');
	if (s->fired != NULL)
		clab_latch_set(s->fired);
}

static int run_oneshot(const struct clab_lab_ctx *ctx)
{
	clab_timer_t a, b;
	clab_latch_t fired;
	struct shot sa = {ctx, 1, &fired}, sb = {ctx, 2, NULL};
	uint32_t ms = (uint32_t)ctx->param[P_INTERVAL];
	int rc;

	rc = clab_latch_init(&fired, "a-fired");
	if (rc < 0)
		return rc;
	rc = clab_timer_init(&a, "timer-a");
	if (rc < 0)
		goto out_latch;
	rc = clab_timer_init(&b, "timer-b");
	if (rc < 0)
		goto out_a;
	clab_lab_say(ctx, "timer-a will fire in %u ms, timer-b in %u ms", ms,
		     10 * ms);
	rc = clab_timer_start(&a, ms, fire, &sa);
	if (rc == 0)
		rc = clab_timer_start(&b, 10 * ms, fire, &sb);
	if (rc == 0) {
		clab_latch_wait(&fired);
		rc = clab_timer_cancel(&b);
		if (rc == 0)
			clab_lab_say(ctx, "main cancels timer-b in time");
		else
			clab_lab_say(ctx,
				     "main was too late to cancel timer-b: %s",
				     clab_strerror(rc));
		rc = 0;
	}
	clab_timer_destroy(&b);
out_a:
	clab_timer_destroy(&a);
out_latch:
	clab_latch_destroy(&fired);
	return rc;
}

static int run(const struct clab_lab_ctx *ctx)
{
	int rc;

	clab_set_spurious((unsigned)ctx->param[P_SPURIOUS], ctx->seed);
	if (ctx->variant == V_ONESHOT)
		rc = run_oneshot(ctx);
	else
		rc = run_periodic(ctx);
	clab_set_spurious(0, 0);
	return rc;
}

/* ---- checker ---- */

static const char *const waiter_name[2] = {"countdown", "countup"};

struct seen {
	long want; /* ticks it should see: 1..want */
	long next; /* the tick it should see next */
	long nsaw, missed, dups;
	long excused;	 /* missed while it was away for two periods or more */
	uint32_t tid;	 /* its thread (from its first "saw"), or UINT32_MAX */
	uint64_t waited; /* its first wait for a tick since its last "saw" */
	uint64_t first_bad;	    /* seq of the first wrong "saw" */
	long first_dup, first_miss; /* tick numbers */
	long last;
	long ahead;	    /* returns of a tick the ticker had not made */
	long ahead_val;	    /* the first one's tick, */
	uint64_t ahead_rec; /* its record */
	long ahead_ticks;   /* and the ticks made by then */
};

static void check_periodic(const struct clab_trace *tr,
			   const struct clab_lab_ctx *ctx,
			   struct clab_lab_report *rep)
{
	size_t nrec = clab_trace_nrecords(tr);
	struct seen w[2];
	long nticks = 0, interval = ctx->param[P_INTERVAL];
	uint64_t prev_ns = 0, min_p = UINT64_MAX, max_p = 0, sum_p = 0;
	uint64_t tick_bad = UINT64_MAX;

	memset(w, 0, sizeof(w));
	w[0].want = ctx->param[P_COUNTDOWN];
	w[1].want = ctx->param[P_COUNTUP];
	for (int i = 0; i < 2; i++) {
		w[i].next = 1;
		w[i].first_bad = UINT64_MAX;
		w[i].tid = UINT32_MAX;
		w[i].waited = UINT64_MAX;
	}
	/*
	 * Where each tick was made, and each waiter's thread: a tick missed
	 * while its waiter was away (working, or not run by a busy machine)
	 * until the tick after it was made too is no program's fault: no
	 * wait for "the next tick" could return it.  One missed while it
	 * waited, or made just before it came back, is.
	 */
	uint64_t *made = calloc(nrec + 2, sizeof(*made));
	long nmade = 0;
	for (size_t i = 0; i < nrec; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		const char *label = clab_lab_harness_label(tr, r);
		if (label && strcmp(label, "tick") == 0 && made)
			made[++nmade] = r->seq;
		else if (label && strcmp(label, "saw") == 0 && r->a32 <= 1 &&
			 w[r->a32].tid == UINT32_MAX)
			w[r->a32].tid = r->tid;
	}
	for (size_t i = 0; i < nrec; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		const char *label = clab_lab_harness_label(tr, r);
		struct seen *s;

		/* a wait for the tick itself, not for the lock around it */
		for (int k = 0; k < 2 && !label; k++)
			if (r->tid == w[k].tid && w[k].waited == UINT64_MAX &&
			    clab_kind_begins_wait(r->kind) &&
			    r->kind != CLAB_K_MUTEX_REQUEST)
				w[k].waited = r->seq;
		if (label == NULL)
			continue;
		if (strcmp(label, "tick") == 0) {
			nticks++;
			if (r->val != nticks && tick_bad == UINT64_MAX)
				tick_bad = r->seq;
			if (nticks > 1) {
				uint64_t p = r->ns - prev_ns;
				if (p < min_p)
					min_p = p;
				if (p > max_p)
					max_p = p;
				sum_p += p;
			}
			prev_ns = r->ns;
			continue;
		}
		if (strcmp(label, "saw") != 0 || r->a32 > 1)
			continue;
		s = &w[r->a32];
		s->nsaw++;
		/* what ticker_wait() returned, against the ticker's record */
		if (r->val > nticks && s->ahead++ == 0) {
			s->ahead_val = (long)r->val;
			s->ahead_rec = r->seq;
			s->ahead_ticks = nticks;
		}
		if (r->val < s->next) {
			if (s->dups++ == 0)
				s->first_dup = (long)r->val;
			if (s->first_bad == UINT64_MAX)
				s->first_bad = r->seq;
		} else {
			uint64_t back = s->waited < r->seq ? s->waited : r->seq;
			for (long k = s->next; k < (long)r->val; k++) {
				if (made && k + 1 <= nmade &&
				    made[k + 1] < back) {
					s->excused++;
					continue;
				}
				if (s->missed++ == 0)
					s->first_miss = k;
				if (s->first_bad == UINT64_MAX)
					s->first_bad = r->seq;
			}
			s->next = (long)r->val + 1;
			s->last = (long)r->val;
		}
		s->waited = UINT64_MAX;
	}
	free(made);

	for (int i = 0; i < 2; i++) {
		struct seen *s = &w[i];
		char name[48], msg[240];
		size_t off = 0;

		snprintf(name, sizeof(name), "%s saw every tick",
			 waiter_name[i]);
		/* a missed or repeated tick at once; too few at the end */
		/* a waiter takes want wakeups: excused ticks push it on */
		long last_want = s->want + s->excused;
		if (s->missed == 0 && s->dups == 0 && s->last == last_want &&
		    s->excused) {
			clab_lab_report_add_end(
			    rep, name, 1, UINT64_MAX,
			    "%ld ticks in order, each once; %ld more came and "
			    "went while it was away for two periods or more "
			    "(long work, or a slow machine), which no wait "
			    "could catch",
			    s->want, s->excused);
			continue;
		}
		if (s->missed == 0 && s->dups == 0 && s->last == last_want) {
			clab_lab_report_add_end(rep, name, 1, UINT64_MAX,
						"ticks 1..%ld, each once, in "
						"order",
						s->want);
			continue;
		}
		msg[0] = '\0';
		if (s->missed > 0)
			off += (size_t)snprintf(msg + off, sizeof(msg) - off,
						"missed %ld tick(s), the first "
						"tick %ld; ",
						s->missed, s->first_miss);
		if (s->dups > 0 && s->first_dup == 0 && off < sizeof(msg))
			off += (size_t)snprintf(msg + off, sizeof(msg) - off,
						"%ld duplicate(s), the first "
						"a wakeup before tick 1; ",
						s->dups);
		else if (s->dups > 0 && off < sizeof(msg))
			off += (size_t)snprintf(msg + off, sizeof(msg) - off,
						"%ld duplicate(s), the first "
						"tick %ld seen again; ",
						s->dups, s->first_dup);
		if (off < sizeof(msg))
			snprintf(msg + off, sizeof(msg) - off,
				 "%ld wakeup(s) taken for ticks, the last "
				 "tick seen %ld, wanted 1..%ld",
				 s->nsaw, s->last, s->want);
		if (s->missed == 0 && s->dups == 0 && s->last < last_want)
			clab_lab_report_add_end(rep, name, 0, s->first_bad,
						"%s", msg);
		else
			clab_lab_report_add(rep, name, 0, s->first_bad, "%s",
					    msg);
	}

	{
		int b = w[0].ahead ? 0 : 1;

		if (w[0].ahead && w[1].ahead && w[1].ahead_rec < w[0].ahead_rec)
			b = 1;
		if (w[b].ahead == 0)
			clab_lab_report_add(rep, "waits end at ticks", 1,
					    UINT64_MAX,
					    "every tick ticker_wait() returned "
					    "had been made by the ticker");
		else
			clab_lab_report_add(
			    rep, "waits end at ticks", 0, w[b].ahead_rec,
			    "%s's ticker_wait() returned tick %ld when the "
			    "ticker had made %ld; %ld such return(s)",
			    waiter_name[b], w[b].ahead_val, w[b].ahead_ticks,
			    w[0].ahead + w[1].ahead);
	}
	if (tick_bad != UINT64_MAX)
		clab_lab_report_add(rep, "ticks numbered", 0, tick_bad,
				    "the ticker's ticks are not 1, 2, 3...");
	if (nticks >= 2) {
		double mean = (double)sum_p / (double)(nticks - 1) / 1e6;
		double lo = (double)min_p / 1e6, hi = (double)max_p / 1e6;
		double jit = hi - interval > interval - lo ? hi - interval
							   : interval - lo;
		clab_lab_report_info(rep, "tick period",
				     "%ld ticks, period mean %.2f ms (min "
				     "%.2f, max %.2f, asked %ld), jitter up "
				     "to %.2f ms",
				     nticks, mean, lo, hi, interval, jit);
	} else {
		clab_lab_report_info(rep, "tick period",
				     "%ld tick(s): too few to measure", nticks);
	}
}

static void check_oneshot(const struct clab_trace *tr,
			  const struct clab_lab_ctx *ctx,
			  struct clab_lab_report *rep)
{
	size_t nrec = clab_trace_nrecords(tr);
	uint32_t nobj = clab_trace_nobjects(tr), ta = 0, tb = 0;
	long fired[3] = {0, 0, 0};
	uint64_t fired_rec[3] = {UINT64_MAX, UINT64_MAX, UINT64_MAX};
	uint64_t arm_ns = 0, fire_ns = 0, cancel_rec = UINT64_MAX;
	int cancel_in_time = -1;

	for (uint32_t oid = 1; oid <= nobj; oid++) {
		const struct clab_object_info *oi = clab_trace_object(tr, oid);

		if (oi == NULL || oi->kind != CLAB_O_TIMER || oi->name == NULL)
			continue;
		if (strcmp(oi->name, "timer-a") == 0)
			ta = oid;
		else if (strcmp(oi->name, "timer-b") == 0)
			tb = oid;
	}
	for (size_t i = 0; i < nrec; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		const char *label = clab_lab_harness_label(tr, r);

		if (label != NULL && strcmp(label, "fired") == 0 &&
		    r->val >= 1 && r->val <= 2) {
			if (fired[r->val]++ == 0)
				fired_rec[r->val] = r->seq;
			else if (fired[r->val] == 2)
				fired_rec[r->val] = r->seq;
			if (r->val == 1)
				fire_ns = r->ns;
		}
		if (r->kind == CLAB_K_TIMER_ARM && r->obj == ta && ta != 0)
			arm_ns = r->ns;
		if (r->kind == CLAB_K_TIMER_CANCEL && r->obj == tb && tb != 0) {
			cancel_rec = r->seq;
			cancel_in_time = r->a8;
		}
	}
	/* firing twice is wrong at once; not yet, or once, at the end */
	if (fired[1] == 1)
		clab_lab_report_add_end(
		    rep, "timer-a fired once", 1, UINT64_MAX,
		    "fired %.1f ms after it was armed "
		    "(asked %ld)",
		    fire_ns > arm_ns ? (double)(fire_ns - arm_ns) / 1e6 : 0.0,
		    ctx->param[P_INTERVAL]);
	else if (fired[1] == 0)
		clab_lab_report_add_end(rep, "timer-a fired once", 0,
					fired_rec[1], "timer-a fired %ld times",
					fired[1]);
	else
		clab_lab_report_add(rep, "timer-a fired once", 0, fired_rec[1],
				    "timer-a fired %ld times", fired[1]);
	if (fired[2] == 0 && cancel_in_time == 1)
		clab_lab_report_add_end(rep, "timer-b cancelled", 1, UINT64_MAX,
					"cancelled in time (seq %llu), never "
					"fired",
					(unsigned long long)cancel_rec);
	else if (fired[2] > 0)
		clab_lab_report_add(rep, "timer-b cancelled", 0, fired_rec[2],
				    "timer-b fired although it was to be "
				    "cancelled");
	else if (cancel_rec == UINT64_MAX)
		clab_lab_report_add_end(rep, "timer-b cancelled", 0, cancel_rec,
					"timer-b was never cancelled");
	else
		clab_lab_report_add(rep, "timer-b cancelled", 0, cancel_rec,
				    "the cancel came too late");
}

static void check(const struct clab_trace *tr, const struct clab_lab_ctx *ctx,
		  struct clab_lab_report *rep)
{
	if (ctx->variant == V_ONESHOT)
		check_oneshot(tr, ctx, rep);
	else
		check_periodic(tr, ctx, rep);
	/*
	 * A waiter waits up to a tick apart for its tick: that is the lab
	 * working, not starvation, however long the interval.
	 */
	long tick2 = 2 * ctx->param[P_INTERVAL];
	if (rep->opts.starvation_ms == 0 && tick2 > CLAB_LAB_STARVATION_MS)
		rep->opts.starvation_ms = tick2;
	clab_lab_check_common_allow(tr, rep, CLAB_LAB_NEED_NO_POLL);
}

const struct clab_lab clab_lab_timer = {
    .name = "timer",
    .summary = "a periodic timer on a condition variable, and one-shot "
	       "timers",
    .idea = "a condition variable, not a flag set and cleared, signals "
	    "the same thing again and again; a one-shot timer fires once",
    .topic = CLAB_TOPIC_CONDVAR,
    .teaches = "broadcast a tick to every waiter; each re-checks it in a loop",
    .variants = variants,
    .nvariants = V_COUNT,
    .params = params,
    .nparams = P_COUNT,
    .run = run,
    .check = check,
};
