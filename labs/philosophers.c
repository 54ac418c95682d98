/*
 * philosophers - the dining philosophers.
 *
 * N philosophers sit round a table with one fork between each pair.
 * Philosopher i's left fork is fork i and the right one fork (i+1) % N; a
 * philosopher needs both to eat.  Locks taken in one global order cannot
 * wait in a circle, and an order-checked acquire refuses one taken out of
 * that order (the tutorials behind the lab: docs/sources.md).
 *
 * Variants:
 *   naive    left then right: when every philosopher holds a left fork,
 *            everyone waits for a right one for ever (deadlock)
 *   ordered  the lower-numbered fork first: no cycle can form
 *   waiter   a counting semaphore of N-1 seats: someone always has room
 *   trylock  left, then try right; on failure put left back and retry
 *   checked  every lock goes through clab_mutex_lock_ordered; the
 *            philosopher who breaks the order is told so, puts its fork
 *            back and takes both in order
 *
 * Annotations: "think" (meal), "hungry" (meal), "eat" (meal), "done" (meal),
 * "backoff" (attempt) and "reorder" (meal).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/runtime.h>

#include "lab.h"

#define MAX_PHIL 16

enum { V_NAIVE, V_ORDERED, V_WAITER, V_TRYLOCK, V_CHECKED };

enum { P_PHIL, P_MEALS, P_THINK, P_EAT, P_GAP, P_BACKOFF, P_COUNT };

static const struct clab_lab_param params[P_COUNT] = {
    [P_PHIL] = {"philosophers", "philosophers at the table (and forks)", 5, 2,
		MAX_PHIL},
    [P_MEALS] = {"meals", "meals each philosopher eats", 3, 1, 1000},
    [P_THINK] = {"think_ms",
		 "longest think time in ms (each think is random up to it)", 10,
		 0, 10000},
    [P_EAT] = {"eat_ms", "time to eat in ms", 10, 0, 10000},
    [P_GAP] = {"gap_ms",
	       "pause between taking the first fork and reaching for the "
	       "second (0 narrows the deadlock window)",
	       20, 0, 10000},
    [P_BACKOFF] = {"backoff_ms",
		   "trylock: longest random pause before trying again", 10, 1,
		   10000},
};

static const struct clab_lab_default naive_defaults[] = {
    {"gap_ms", 50},
    {NULL, 0},
};

static const struct clab_lab_variant variants[] = {
    [V_NAIVE] =
	{
	    .name = "naive",
	    .summary = "left fork, then right fork",
	    .bug = "every philosopher can hold a left fork and wait for "
		   "a right one: deadlock",
	    .expect = 3,
	    .defaults = naive_defaults,
	},
    [V_ORDERED] =
	{
	    .name = "ordered",
	    .summary = "the lower-numbered fork first (a global lock "
		       "order)",
	    .expect = 0,
	},
    [V_WAITER] =
	{
	    .name = "waiter",
	    .summary = "a counting semaphore lets at most N-1 sit down",
	    .expect = 0,
	},
    [V_TRYLOCK] =
	{
	    .name = "trylock",
	    .summary = "left fork, try the right, put the left back and "
		       "retry after a random pause",
	    .expect = 0,
	},
    [V_CHECKED] =
	{
	    .name = "checked",
	    .summary = "order-checked locking: an out-of-order lock is "
		       "refused with both sites, then retried in order",
	    .expect = 0,
	},
};

struct table {
	const struct clab_lab_ctx *ctx;
	int n;
	clab_mutex_t fork[MAX_PHIL];
	clab_sem_t seats;
};

struct phil {
	struct table *t;
	int i;
	uint64_t rng;
	clab_thread_t *th;
	char name[24];
};

/* A random pause of 0..max ms (at least 1 when min1). */
static void pause_rand(struct phil *p, long max, int min1)
{
	long ms =
	    max > 0 ? (long)(clab_lab_rand(&p->rng) % (uint64_t)(max + 1)) : 0;

	if (min1 && ms == 0)
		ms = 1;
	if (ms > 0)
		clab_sleep_ms((uint32_t)ms);
}

static void take_forks(struct phil *p, int meal)
{
	struct table *t = p->t;
	const struct clab_lab_ctx *ctx = t->ctx;
	int left = p->i, right = (p->i + 1) % t->n;
	int lo = left < right ? left : right, hi = left ^ right ^ lo;
	long gap = ctx->param[P_GAP];
	int attempt, rc;

	switch (ctx->variant) {
	case V_NAIVE:
		clab_mutex_lock(&t->fork[left]);
		clab_lab_say(ctx, "%s takes fork-%d (left)", p->name, left);
		if (gap > 0)
			clab_sleep_ms((uint32_t)gap);
		clab_mutex_lock(&t->fork[right]);
		break;
	case V_ORDERED:
		clab_mutex_lock(&t->fork[lo]);
		clab_lab_say(ctx, "%s takes fork-%d (the lower number first)",
			     p->name, lo);
		if (gap > 0)
			clab_sleep_ms((uint32_t)gap);
		clab_mutex_lock(&t->fork[hi]);
		break;
	case V_WAITER:
		clab_sem_acquire(&t->seats);
		clab_lab_say(ctx, "%s sits down", p->name);
		clab_mutex_lock(&t->fork[left]);
		if (gap > 0)
			clab_sleep_ms((uint32_t)gap);
		clab_mutex_lock(&t->fork[right]);
		break;
	case V_TRYLOCK:
		for (attempt = 1;; attempt++) {
			clab_mutex_lock(&t->fork[left]);
			if (gap > 0)
				clab_sleep_ms((uint32_t)gap);
			rc = clab_mutex_trylock(&t->fork[right]);
			if (rc == 0)
				break;
			/* CLAB_EBUSY: put the left fork back, try later */
			clab_mutex_unlock(&t->fork[left]);
			clab_note("backoff", attempt);
			clab_lab_say(ctx,
				     "%s finds fork-%d busy, puts fork-%d back",
				     p->name, right, left);
			pause_rand(p, ctx->param[P_BACKOFF], 1);
		}
		break;
	case V_CHECKED:
		clab_mutex_lock_ordered(&t->fork[left]);
		if (gap > 0)
			clab_sleep_ms((uint32_t)gap);
		rc = clab_mutex_lock_ordered(&t->fork[right]);
		if (rc == CLAB_EORDER) {
			/*
			 * The checker refused: we hold a fork that comes
			 * after the one we want.  Put it back and take both
			 * in the global order.
			 */
			clab_lab_say(
			    ctx,
			    "%s: lock order violation (holds fork-%d, wants "
			    "fork-%d); puts fork-%d back, takes fork-%d "
			    "then fork-%d",
			    p->name, left, right, left, lo, hi);
			clab_mutex_unlock(&t->fork[left]);
			clab_note("reorder", meal);
			clab_mutex_lock_ordered(&t->fork[lo]);
			clab_mutex_lock_ordered(&t->fork[hi]);
		}
		break;
	}
}

static void put_forks(struct phil *p)
{
	struct table *t = p->t;
	int left = p->i, right = (p->i + 1) % t->n;

	clab_mutex_unlock(&t->fork[right]);
	clab_mutex_unlock(&t->fork[left]);
	if (t->ctx->variant == V_WAITER)
		clab_sem_release(&t->seats);
}

static void *philosopher(void *arg)
{
	struct phil *p = arg;
	const struct clab_lab_ctx *ctx = p->t->ctx;
	long meals = ctx->param[P_MEALS];

	for (int meal = 1; meal <= meals; meal++) {
		clab_note("think", meal);
		pause_rand(p, ctx->param[P_THINK], 0);
		clab_note("hungry", meal);
		take_forks(p, meal);
		clab_note("eat", meal);
		clab_lab_say(ctx, "%s eats (meal %d/%ld)", p->name, meal,
			     meals);
		if (ctx->param[P_EAT] > 0)
			clab_sleep_ms((uint32_t)ctx->param[P_EAT]);
		clab_note("done", meal);
		put_forks(p);
	}
	clab_lab_say(ctx, "%s leaves the table", p->name);
	return NULL;
}

static int run(const struct clab_lab_ctx *ctx)
{
	struct table t;
	struct phil ph[MAX_PHIL];
	char name[24];
	int n = (int)ctx->param[P_PHIL], rc = 0, nforks = 0, nthreads = 0;

	if (n < 2 || n > MAX_PHIL)
		return CLAB_EINVAL;
	memset(&t, 0, sizeof(t));
	t.ctx = ctx;
	t.n = n;
	/* Forks are created in order, which is the global lock order. */
	for (; nforks < n; nforks++) {
		snprintf(name, sizeof(name), "fork-%d", nforks);
		rc = clab_mutex_init_indexed(&t.fork[nforks], name,
					     CLAB_MUTEX_NORMAL, nforks);
		if (rc < 0)
			goto out;
		clab_role(&t.fork[nforks], "fork", (uint32_t)nforks);
	}
	if (ctx->variant == V_WAITER) {
		rc = clab_sem_init(&t.seats, "seats", (uint32_t)(n - 1), 0);
		if (rc < 0)
			goto out;
	}
	clab_lab_say(ctx, "%d philosophers, %ld meals each (%s)", n,
		     ctx->param[P_MEALS], variants[ctx->variant].name);
	for (; nthreads < n; nthreads++) {
		struct phil *p = &ph[nthreads];

		p->t = &t;
		p->i = nthreads;
		p->rng = ctx->seed ^
			 (0x9e3779b97f4a7c15ull * (uint64_t)(nthreads + 1));
		snprintf(p->name, sizeof(p->name), "phil-%d", nthreads);
		rc = clab_thread_create(&p->th, p->name, philosopher, p);
		if (rc < 0)
			break;
		clab_thread_role(p->th, "philosopher", (uint32_t)nthreads);
	}
	for (int i = 0; i < nthreads; i++)
		clab_thread_join(ph[i].th, NULL);
	if (rc == 0)
		clab_lab_say(ctx, "everyone has eaten");
	if (ctx->variant == V_WAITER)
		clab_sem_destroy(&t.seats);
out:
	for (int i = 0; i < nforks; i++)
		clab_mutex_destroy(&t.fork[i]);
	return rc < 0 ? rc : 0;
}

/* ---- checker ---- */

struct phil_stats {
	uint32_t tid;
	int meals;
	int bad_meal; /* an "eat" note out of sequence */
	uint64_t bad_rec;
	int held_meals;	  /* "eat" notes made holding both forks */
	int unheld_meals; /* and not */
	uint64_t unheld_rec;
	int unheld_meal, unheld_forks; /* the first: meal, forks it held */
	uint64_t last_rec;	       /* the philosopher's last record */
	uint64_t pending_ns;	       /* a fork request waiting, + 1 */
	uint64_t hungry_ns;	       /* since "hungry", + 1 */
	uint64_t max_wait_ns;	       /* longest wait for one fork */
	uint64_t max_hunger_ns;
	int stuck;   /* still waiting for a fork when the trace ends */
	int starved; /* hungry, not eating, when the trace ends */
};

static void append(char *buf, size_t len, size_t *off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void append(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (*off >= len)
		return;
	va_start(ap, fmt);
	k = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (k > 0)
		*off += (size_t)k;
}

static void check(const struct clab_trace *tr, const struct clab_lab_ctx *ctx,
		  struct clab_lab_report *rep)
{
	int n = (int)ctx->param[P_PHIL];
	long meals = ctx->param[P_MEALS];
	uint32_t nobj = clab_trace_nobjects(tr), nthr = clab_trace_nthreads(tr);
	size_t nrec = clab_trace_nrecords(tr);
	struct phil_stats st[MAX_PHIL];
	int *fork_of = calloc((size_t)nobj + 1, sizeof(int));
	int *phil_of = calloc((size_t)nthr + 1, sizeof(int));
	uint32_t holder[MAX_PHIL]; /* tid + 1, 0 = free */
	uint64_t held_since[MAX_PHIL];
	uint64_t clash_rec = UINT64_MAX, nclash = 0, norder = 0;
	uint64_t order_rec = UINT64_MAX;
	char msg[240];
	size_t off;

	if (n > MAX_PHIL)
		n = MAX_PHIL;
	if (fork_of == NULL || phil_of == NULL) {
		clab_lab_report_add(rep, "checker", 0, UINT64_MAX,
				    "out of memory");
		goto out;
	}
	memset(st, 0, sizeof(st));
	memset(holder, 0, sizeof(holder));
	memset(held_since, 0, sizeof(held_since));
	for (uint32_t oid = 1; oid <= nobj; oid++) {
		const struct clab_object_info *oi = clab_trace_object(tr, oid);

		fork_of[oid] = oi != NULL && oi->kind == CLAB_O_MUTEX
				   ? (int)clab_trace_role_index(tr, oid, "fork",
								"fork-", n)
				   : -1;
	}
	for (uint32_t tid = 0; tid < nthr; tid++) {
		phil_of[tid] =
		    clab_lab_thread_index(tr, tid, "philosopher", "phil-", n);
		if (phil_of[tid] >= 0)
			st[phil_of[tid]].tid = tid;
	}

	for (size_t i = 0; i < nrec; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		int p = r->tid < nthr ? phil_of[r->tid] : -1;
		int f = r->obj != 0 && r->obj <= nobj ? fork_of[r->obj] : -1;
		const char *label;

		if (r->kind == CLAB_K_DIAG && r->a8 == CLAB_D_LOCK_ORDER) {
			if (norder++ == 0)
				order_rec = r->seq;
		}
		if (p < 0)
			continue;
		st[p].last_rec = r->seq;
		switch (clab_kind_sem(r->kind)->act) {
		case CLAB_DO_REQUEST:
			if (f >= 0)
				st[p].pending_ns = r->ns + 1;
			break;
		case CLAB_DO_BUSY:
		case CLAB_DO_TIMEOUT:
			if (f >= 0)
				st[p].pending_ns = 0;
			break;
		case CLAB_DO_ACQUIRE:
			if (f < 0)
				break;
			if (st[p].pending_ns != 0) {
				uint64_t w = r->ns - (st[p].pending_ns - 1);
				if (r->ns + 1 < st[p].pending_ns)
					w = 0;
				if (w > st[p].max_wait_ns)
					st[p].max_wait_ns = w;
				st[p].pending_ns = 0;
			}
			if (holder[f] != 0 && holder[f] != r->tid + 1) {
				if (nclash++ == 0) {
					clash_rec = r->seq;
					snprintf(
					    msg, sizeof(msg),
					    "fork-%d taken by phil-%d "
					    "while phil-%d held it "
					    "(since seq %llu)",
					    f, p, phil_of[holder[f] - 1],
					    (unsigned long long)held_since[f]);
				}
			}
			holder[f] = r->tid + 1;
			held_since[f] = r->seq;
			break;
		case CLAB_DO_RELEASE:
			if (f >= 0 && holder[f] == r->tid + 1)
				holder[f] = 0;
			break;
		case CLAB_DO_NOTE:
			label = clab_lab_harness_label(tr, r);
			if (label == NULL)
				break;
			if (strcmp(label, "hungry") == 0) {
				st[p].hungry_ns = r->ns + 1;
			} else if (strcmp(label, "eat") == 0) {
				int l = p, rt = (p + 1) % n;
				int both = (holder[l] == r->tid + 1) +
					   (holder[rt] == r->tid + 1);
				if (both == 2) {
					st[p].held_meals++;
				} else if (st[p].unheld_meals++ == 0) {
					st[p].unheld_rec = r->seq;
					st[p].unheld_meal = (int)r->val;
					st[p].unheld_forks = both;
				}
				st[p].meals++;
				if (r->val != st[p].meals && !st[p].bad_meal) {
					st[p].bad_meal = 1;
					st[p].bad_rec = r->seq;
				}
				if (st[p].hungry_ns != 0 &&
				    r->ns + 1 >= st[p].hungry_ns) {
					uint64_t h =
					    r->ns - (st[p].hungry_ns - 1);
					if (h > st[p].max_hunger_ns)
						st[p].max_hunger_ns = h;
				}
				st[p].hungry_ns = 0;
			}
			break;
		default:
			break;
		}
	}

	/*
	 * A wait that never ended (a deadlock) counts up to the last record,
	 * and so does a hunger that never ended in a meal.
	 */
	for (int p = 0; p < n && nrec > 0; p++) {
		uint64_t end = clab_trace_record(tr, nrec - 1)->ns;

		if (st[p].pending_ns != 0 && end + 1 >= st[p].pending_ns) {
			uint64_t w = end - (st[p].pending_ns - 1);
			if (w > st[p].max_wait_ns)
				st[p].max_wait_ns = w;
			st[p].stuck = 1;
		}
		if (st[p].hungry_ns != 0 && end + 1 >= st[p].hungry_ns) {
			uint64_t h = end - (st[p].hungry_ns - 1);
			if (h > st[p].max_hunger_ns)
				st[p].max_hunger_ns = h;
			st[p].starved = 1;
		}
	}

	{
		int held = 0, unheld = 0, first = -1;

		for (int p = 0; p < n; p++) {
			held += st[p].held_meals;
			unheld += st[p].unheld_meals;
			if (st[p].unheld_meals &&
			    (first < 0 ||
			     st[p].unheld_rec < st[first].unheld_rec))
				first = p;
		}
		if (nclash != 0)
			clab_lab_report_add(rep, "forks exclusive", 0,
					    clash_rec,
					    "%s; %llu such acquire(s)", msg,
					    (unsigned long long)nclash);
		else if (held == 0) {
			/* nothing was eaten with forks: nothing to show */
			clab_lab_report_add(rep, "forks exclusive", 1,
					    UINT64_MAX,
					    "no meal was eaten holding both "
					    "forks, so nothing shows that the "
					    "forks are exclusive");
			rep->props[rep->n - 1].vacuous = 1;
		} else
			clab_lab_report_add(rep, "forks exclusive", 1,
					    UINT64_MAX,
					    "no fork was ever held by two "
					    "philosophers (%d meal(s) eaten "
					    "holding both forks)",
					    held);
		if (first < 0)
			clab_lab_report_add(rep, "eats holding both forks", 1,
					    UINT64_MAX,
					    "at every \"eat\", the philosopher "
					    "held its two forks (%d meal(s))",
					    held);
		else
			clab_lab_report_add(
			    rep, "eats holding both forks", 0,
			    st[first].unheld_rec,
			    "phil-%d began meal %d holding %s of its forks "
			    "(fork-%d, fork-%d); %d meal(s) eaten without both",
			    first, st[first].unheld_meal,
			    st[first].unheld_forks ? "only one" : "neither",
			    first, (first + 1) % n, unheld);
	}

	{
		int nshort = 0, first = -1;

		off = 0;
		msg[0] = '\0';
		for (int p = 0; p < n; p++) {
			if (st[p].held_meals == meals && !st[p].bad_meal)
				continue;
			if (first < 0)
				first = p;
			nshort++;
			if (st[p].bad_meal)
				append(msg, sizeof(msg), &off,
				       "%sphil-%d's meals out of sequence",
				       nshort > 1 ? ", " : "", p);
			else if (st[p].held_meals != st[p].meals)
				append(msg, sizeof(msg), &off,
				       "%sphil-%d ate %d of %ld holding both "
				       "forks (%d without)",
				       nshort > 1 ? ", " : "", p,
				       st[p].held_meals, meals,
				       st[p].meals - st[p].held_meals);
			else
				append(msg, sizeof(msg), &off,
				       "%sphil-%d ate %d of %ld",
				       nshort > 1 ? ", " : "", p, st[p].meals,
				       meals);
		}
		/* meals out of sequence are wrong at once, too few at the end
		 */
		if (first < 0)
			clab_lab_report_add_end(rep, "meals eaten", 1,
						UINT64_MAX,
						"each of the %d philosophers "
						"ate %ld meal(s)",
						n, meals);
		else if (!st[first].bad_meal)
			clab_lab_report_add_end(rep, "meals eaten", 0,
						st[first].last_rec
						    ? st[first].last_rec
						    : UINT64_MAX,
						"%s", msg);
		else
			clab_lab_report_add(
			    rep, "meals eaten", 0,
			    st[first].bad_meal	 ? st[first].bad_rec
			    : st[first].last_rec ? st[first].last_rec
						 : UINT64_MAX,
			    "%s", msg);
	}

	off = 0;
	msg[0] = '\0';
	append(msg, sizeof(msg), &off, "longest wait for a fork, ms:");
	for (int p = 0; p < n; p++)
		append(msg, sizeof(msg), &off, " phil-%d %.1f%s%s", p,
		       (double)st[p].max_wait_ns / 1e6,
		       st[p].stuck ? " (still waiting)" : "",
		       p + 1 < n ? "," : "");
	clab_lab_report_info(rep, "fork waits", "%s", msg);

	off = 0;
	msg[0] = '\0';
	append(msg, sizeof(msg), &off,
	       "longest time from hungry to eating, ms:");
	for (int p = 0; p < n; p++)
		append(msg, sizeof(msg), &off, " phil-%d %.1f%s%s", p,
		       (double)st[p].max_hunger_ns / 1e6,
		       st[p].starved ? " (still hungry)" : "",
		       p + 1 < n ? "," : "");
	clab_lab_report_info(rep, "hunger", "%s", msg);

	if (ctx->variant == V_CHECKED) {
		const struct clab_record *o =
		    norder > 0 ? clab_trace_record(tr, order_rec) : NULL;

		if (o != NULL)
			clab_lab_report_add(
			    rep, "order violation shown", 1, order_rec,
			    "%llu lock-order violation(s) diagnosed and "
			    "recovered from; first at seq %llu (%s)",
			    (unsigned long long)norder,
			    (unsigned long long)order_rec,
			    clab_trace_object_label(tr, o->obj));
		else
			clab_lab_report_add_end(rep, "order violation shown", 0,
						UINT64_MAX,
						"no lock-order diagnostic: the "
						"philosopher whose right fork "
						"comes first should have been "
						"refused");
	}
	/*
	 * checked teaches the order violation.  (waiter's left-then-right
	 * cycle is gated by its seats, which let in one philosopher fewer
	 * than the cycle needs: the detector does not report it.)
	 */
	clab_lab_check_common_allow(
	    tr, rep,
	    CLAB_LAB_NEED_NO_POLL |
		(ctx->variant == V_CHECKED ? 1u << CLAB_D_LOCK_ORDER : 0));
out:
	free(fork_of);
	free(phil_of);
}

const struct clab_lab clab_lab_philosophers = {
    .name = "philosophers",
    .summary = "dining philosophers: forks, lock order and deadlock",
    .idea = "locks taken in one global order cannot wait in a circle; "
	    "an acquire that checks the order names the thread that breaks it",
    .topic = CLAB_TOPIC_DEADLOCK,
    .teaches = "a circular wait deadlocks; one global lock order prevents it",
    .variants = variants,
    .nvariants = sizeof(variants) / sizeof(variants[0]),
    .params = params,
    .nparams = P_COUNT,
    .run = run,
    .check = check,
};
