/*
 * Generic checks for any trace: starvation, busy waiting and concurrency,
 * computed from the records alone (docs/grading.md, "What is checked").
 *
 * One pass over the merged records follows each thread: whether it has
 * started and not yet ended, the blocking wait it is in (from the wait's
 * first record to the record that ends it for that thread), whether it
 * sleeps, how many mutexes it holds, and how many non-blocking attempts it
 * has failed in a row; and each mutex: who holds it, since which record.
 */
#include <stdlib.h>
#include <string.h>

#include <conclab/error.h>

#include "lab.h"
#include "clab-kinds.h"
#include "clab-util.h"

/*
 * Whether a record of kind, by the waiting thread and about the same
 * object, ends its wait: any that makes the thread run (a waiting thread
 * records nothing else).  A barrier's waiters record nothing when the
 * last one arrives: its barrier.pass ends their waits (see sweep_record).
 */
static int wait_ends(unsigned kind)
{
	return clab__kind_sem(kind)->tmove == CLAB_TM_RUN;
}

/*
 * Waits that starvation judges.  A join waits for another thread's whole
 * work, and a periodic timer's waiter for the next tick: long ones are the
 * program's design, not a thread kept from a resource others get.
 */
static int wait_judged(unsigned kind)
{
	unsigned act = clab__kind_sem(kind)->act;
	return act != CLAB_DO_JOIN_WAIT && act != CLAB_DO_TIMER_WAIT;
}

/*
 * A failed non-blocking attempt: a trylock that found the mutex held, a
 * semaphore without a permit, a queue found empty or full.  A zero-timeout
 * join (of a thread or a queue) fails with its timeout record and no wait
 * before it.
 */
static int attempt_failed(unsigned kind, int ended_wait)
{
	unsigned act = clab__kind_sem(kind)->act;
	return act == CLAB_DO_BUSY || (act == CLAB_DO_TIMEOUT && !ended_wait);
}

/* A wait, or a run of failed attempts: from record `from` to `to`. */
struct span {
	uint64_t n; /* nanoseconds (a wait) or attempts (a run) */
	uint64_t from, to;
	uint32_t obj;
	uint8_t kind;
};

struct thr {
	int alive, sleeping, waiting;
	uint32_t held; /* mutexes and reader-writer locks held */
	struct span wait;
	uint64_t wait_ns;    /* when the wait under way began */
	struct span longest; /* the longest judged wait */
	uint64_t open_ns;    /* a judged wait still under way at the end */
	struct span run;     /* failed attempts in a row, under way */
	int run_mixed;	     /* ... on more than one object */
	struct span worst;   /* the longest such run */
	struct poll {
		uint64_t n;	   /* re-acquisitions in a row */
		uint64_t from, to; /* records */
		uint64_t epoch;	   /* others' progress when it began */
		uint32_t obj, lock_site, unlock_site;
		int released; /* released obj, and did nothing since */
	} poll, worst_poll;
};

struct sweep {
	const struct clab_trace *tr;
	uint32_t nthr, nobj;
	struct thr *t;
	uint32_t *owner; /* per mutex: the holder's tid + 1, or 0 */
	/* per mutex: the holder's acquire; per rwlock: the write or first
	 * read take of the hold under way */
	const struct clab_record **taken;
	uint32_t *readers; /* per rwlock: read holds */
	/* permits held at a thread's end, as the runtime said (exit-holding) */
	const struct clab_record *permit;
	uint32_t npermits;
	uint64_t *busy;	 /* per mutex: failed trylocks */
	uint64_t *acq;	 /* per mutex: acquisitions */
	uint64_t *waits; /* every judged wait's length, ns */
	size_t nwaits, capwaits;
	size_t unended; /* waits still under way when the trace ends */
	uint64_t now;
	uint32_t nalive, nrunning, nholding;
	struct clab_generic_concurrency c;
	uint64_t epoch; /* records of progress so far (poll_progress) */
	const struct clab_record *step_limit, *before_limit;
	const struct clab_record *last;
	int nomem;
};

static int running(const struct thr *t)
{
	return t->alive && !t->waiting && !t->sleeping;
}

/* Around every change to a thread's state: keep the counts right. */
static void leave(struct sweep *s, const struct thr *t)
{
	s->nalive -= t->alive != 0;
	s->nrunning -= running(t);
	s->nholding -= t->held != 0;
}

static void enter(struct sweep *s, const struct thr *t)
{
	s->nalive += t->alive != 0;
	s->nrunning += running(t);
	s->nholding += t->held != 0;
	if (s->nrunning > s->c.max_running)
		s->c.max_running = s->nrunning;
	if (s->nholding > s->c.max_holding)
		s->c.max_holding = s->nholding;
}

/*
 * End t's wait at record r, at end_ns; count it unless it was no wait at
 * all.  A wait its own thread ends lasts from its first record's time to
 * the ending record's, both on the waiting thread's clock (not the merged
 * order's, which a record of another thread may have pushed on): what
 * the trace's digest measures too, without the merge.
 */
static void wait_end(struct sweep *s, struct thr *t,
		     const struct clab_record *r, uint64_t end_ns, int count)
{
	t->waiting = 0;
	if (!count || !wait_judged(t->wait.kind))
		return;
	t->wait.n = end_ns > t->wait_ns ? end_ns - t->wait_ns : 0;
	t->wait.to = r->seq;
	if (t->longest.kind == 0 || t->wait.n > t->longest.n)
		t->longest = t->wait;
	if (s->nwaits == s->capwaits) {
		size_t cap = s->capwaits ? 2 * s->capwaits : 64;
		uint64_t *w = realloc(s->waits, cap * sizeof(*w));
		if (w == NULL) {
			s->nomem = 1;
			return;
		}
		s->waits = w;
		s->capwaits = cap;
	}
	s->waits[s->nwaits++] = t->wait.n;
}

static void run_reset(struct thr *t)
{
	t->run.n = 0;
}

static void run_add(struct thr *t, const struct clab_record *r)
{
	if (t->run.n++ == 0) {
		t->run.from = r->seq;
		t->run.obj = r->obj;
		t->run.kind = r->kind;
		t->run_mixed = 0;
	}
	t->run_mixed |= r->obj != t->run.obj;
	t->run.to = r->seq;
	if (t->run.n > t->worst.n)
		t->worst = t->run;
}

/* A barrier's last arrival (or an abort, a reset) ends the others' waits. */
static void barrier_release(struct sweep *s, const struct clab_record *r)
{
	for (uint32_t u = 0; u < s->nthr; u++) {
		struct thr *t = &s->t[u];

		if (!t->waiting || t->wait.obj != r->obj)
			continue;
		leave(s, t);
		/* the last to arrive did not wait */
		wait_end(s, t, r, s->now, u != r->tid);
		enter(s, t);
	}
}

static void mutex_held(struct sweep *s, uint32_t tid, uint32_t obj, int held)
{
	uint32_t was = s->owner[obj];

	if (held && was == tid + 1)
		return;
	if (!held && was != tid + 1)
		return;
	if (was != 0 && was - 1 < s->nthr) {
		/* a release we did not see: the old holder lets go */
		struct thr *o = &s->t[was - 1];
		leave(s, o);
		if (o->held)
			o->held--;
		enter(s, o);
	}
	s->owner[obj] = 0;
	if (held) {
		struct thr *t = &s->t[tid];
		leave(s, t);
		t->held++;
		enter(s, t);
		s->owner[obj] = tid + 1;
	}
}

/* A read hold of a reader-writer lock: readers hold it together. */
static void read_held(struct sweep *s, uint32_t tid, int held)
{
	struct thr *t = &s->t[tid];
	leave(s, t);
	if (held)
		t->held++;
	else if (t->held)
		t->held--;
	enter(s, t);
}

/*
 * A record that shows a thread getting on with its work, which ends
 * every other thread's run of re-acquisitions: anything but taking,
 * trying or letting go of a mutex, and sleeping.
 */
static int poll_progress(const struct sweep *s, const struct clab_record *r)
{
	switch (clab__kind_sem(r->kind)->act) {
	case CLAB_DO_SLEEP:
		return 0;
	case CLAB_DO_REQUEST:
	case CLAB_DO_ACQUIRE:
	case CLAB_DO_BUSY:
	case CLAB_DO_TIMEOUT:
	case CLAB_DO_RELEASE: {
		const struct clab_object_info *oi =
		    clab_trace_object(s->tr, r->obj);
		return !oi || oi->kind != CLAB_O_MUTEX;
	}
	default:
		return 1;
	}
}

/*
 * A thread that takes a mutex, lets it go and takes it again, with
 * nothing of its own in between and no other thread's progress, polls:
 * count such re-acquisitions in a row.
 */
static void poll_record(struct sweep *s, struct thr *t,
			const struct clab_record *r)
{
	struct poll *p = &t->poll;
	const struct clab_kind_sem *sem = clab__kind_sem(r->kind);

	if (sem->act == CLAB_DO_REQUEST && r->obj == p->obj)
		return;
	if (sem->oe == CLAB_OE_MUTEX_GIVE && r->obj == p->obj && p->obj != 0 &&
	    r->a32 == 0 && r->a8 != CLAB_HOW_COND) {
		p->released = 1;
		p->unlock_site = p->n ? p->unlock_site : r->site;
		return;
	}
	if (sem->act == CLAB_DO_SLEEP &&
	    (sem->tmove != CLAB_TM_SLEEP || r->a32 == 0))
		return; /* a wake-up, or sleep(0), which only yields */
	if (sem->oe == CLAB_OE_MUTEX_TAKE && r->a8 != CLAB_HOW_COND) {
		if (r->obj == p->obj && p->released && p->epoch == s->epoch) {
			if (p->n++ == 0)
				p->lock_site = r->site; /* the loop's lock */
			p->to = r->seq;
			p->released = 0;
			if (p->n > t->worst_poll.n)
				t->worst_poll = *p;
			return;
		}
		*p = (struct poll){0,	   r->seq,  r->seq, s->epoch,
				   r->obj, r->site, 0,	    0};
		return;
	}
	p->obj = 0; /* anything else: the thread got on with its work */
	p->n = 0;
	p->released = 0;
}

/* A mutex or a reader-writer lock. */
static int is_lock(const struct clab_trace *tr, uint32_t oid)
{
	const struct clab_object_info *oi = clab_trace_object(tr, oid);
	return oi && (oi->kind == CLAB_O_MUTEX || oi->kind == CLAB_O_RWLOCK);
}

static int is_sem(const struct clab_trace *tr, uint32_t oid)
{
	const struct clab_object_info *oi = clab_trace_object(tr, oid);
	return oi && oi->kind == CLAB_O_SEM;
}

static void sweep_record(struct sweep *s, const struct clab_record *r)
{
	const struct clab_kind_sem *sem = clab__kind_sem(r->kind);
	uint64_t now = r->ns > s->now ? r->ns : s->now;
	uint64_t dt = now - s->now;
	int ended = 0;

	/* The state so far lasted until this record. */
	if (s->nalive >= 2)
		s->c.multi_ns += dt;
	if (s->nrunning >= 2)
		s->c.running_ns += dt;
	if (s->nholding >= 2)
		s->c.holding_ns += dt;
	s->now = now;

	if (sem->oe == CLAB_OE_PASS || sem->oe == CLAB_OE_OPEN)
		barrier_release(s, r);
	if (sem->act == CLAB_DO_DIAG && r->a8 == CLAB_D_STEP_LIMIT &&
	    s->step_limit == NULL) {
		s->step_limit = r;
		s->before_limit = s->last;
	}
	if (sem->act != CLAB_DO_DIAG)
		s->last = r;
	else if (r->a8 == CLAB_D_EXIT_HOLDING && is_sem(s->tr, r->obj) &&
		 s->npermits++ == 0)
		s->permit = r;
	if (r->tid >= s->nthr)
		return;
	struct thr *t = &s->t[r->tid];
	int ends = t->waiting && r->obj == t->wait.obj && wait_ends(r->kind);
	poll_record(s, t, r);
	if (poll_progress(s, r))
		s->epoch++;
	if (r->obj != 0 && r->obj <= s->nobj) {
		switch (sem->oe) {
		case CLAB_OE_MUTEX_TAKE:
			s->acq[r->obj]++;
			if (s->owner[r->obj] != r->tid + 1)
				s->taken[r->obj] = r;
			mutex_held(s, r->tid, r->obj, 1);
			break;
		case CLAB_OE_MUTEX_GIVE:
			if (r->a32 == 0)
				mutex_held(s, r->tid, r->obj, 0);
			break;
		case CLAB_OE_READ_TAKE:
			s->acq[r->obj]++;
			if (s->readers[r->obj]++ == 0)
				s->taken[r->obj] = r;
			read_held(s, r->tid, 1);
			break;
		case CLAB_OE_WRITE_TAKE:
			/* a writer holds it alone, as a mutex's owner */
			s->acq[r->obj]++;
			if (s->owner[r->obj] != r->tid + 1)
				s->taken[r->obj] = r;
			mutex_held(s, r->tid, r->obj, 1);
			break;
		case CLAB_OE_RW_GIVE:
			if (r->a8)
				mutex_held(s, r->tid, r->obj, 0);
			else {
				s->readers[r->obj] -= s->readers[r->obj] != 0;
				read_held(s, r->tid, 0);
			}
			break;
		default: /* a lock found taken by a try */
			if (sem->act == CLAB_DO_BUSY && is_lock(s->tr, r->obj))
				s->busy[r->obj]++;
			break;
		}
	}

	leave(s, t);
	if (ends) {
		wait_end(s, t, r, r->ns, 1);
		ended = 1;
	}
	if (clab__kind_begins_wait(r->kind)) {
		/* a wait whose end we did not see is not counted */
		t->waiting = 1;
		t->wait_ns = r->ns;
		t->wait = (struct span){0, r->seq, r->seq, r->obj, r->kind};
		run_reset(t);
	}
	if (attempt_failed(r->kind, ended))
		run_add(t, r);
	/*
	 * A blocking lock of the very lock that the run's failed tries, all
	 * of them, found taken waits for it, whether or not it had to: what
	 * std::lock and std::scoped_lock do (lock one, try the others, and on
	 * a failure block on the one that failed), not polling.  A run that
	 * also polled something else goes on.
	 */
	if ((sem->oe == CLAB_OE_MUTEX_TAKE || sem->oe == CLAB_OE_WRITE_TAKE) &&
	    r->a8 == CLAB_HOW_BLOCK && t->run.n && !t->run_mixed &&
	    r->obj == t->run.obj)
		run_reset(t);
	switch (sem->act) {
	case CLAB_DO_START:
		t->alive = 1;
		break;
	case CLAB_DO_EXIT:
		t->alive = 0;
		t->waiting = 0;
		t->sleeping = 0;
		break;
	case CLAB_DO_SLEEP:
		t->sleeping = sem->tmove == CLAB_TM_SLEEP;
		/* a back-off; sleep(0) only yields and keeps a spin going */
		if (t->sleeping && r->a32 > 0)
			run_reset(t);
		break;
	default:
		break;
	}
	enter(s, t);
}

static void sweep_free(struct sweep *s)
{
	free(s->t);
	free(s->owner);
	free(s->taken);
	free(s->readers);
	free(s->busy);
	free(s->acq);
	free(s->waits);
}

static int sweep_run(struct sweep *s, const struct clab_trace *tr)
{
	size_t n = clab_trace_nrecords(tr);

	memset(s, 0, sizeof(*s));
	s->tr = tr;
	s->nthr = clab_trace_nthreads(tr);
	s->nobj = clab_trace_nobjects(tr);
	s->t = calloc(s->nthr + 1, sizeof(*s->t));
	s->owner = calloc(s->nobj + 1, sizeof(*s->owner));
	s->taken = calloc(s->nobj + 1, sizeof(*s->taken));
	s->readers = calloc(s->nobj + 1, sizeof(*s->readers));
	s->busy = calloc(s->nobj + 1, sizeof(*s->busy));
	s->acq = calloc(s->nobj + 1, sizeof(*s->acq));
	if (!s->t || !s->owner || !s->taken || !s->readers || !s->busy ||
	    !s->acq) {
		sweep_free(s);
		return CLAB_ENOMEM;
	}
	const struct clab_record *recs = clab_trace_records(tr);
	for (size_t i = 0; i < n; i++)
		sweep_record(s, &recs[i]);
	for (uint32_t u = 0; u < s->nthr; u++)
		if (s->t[u].waiting) {
			s->unended++;
			if (wait_judged(s->t[u].wait.kind))
				s->t[u].open_ns = s->now - s->t[u].wait_ns;
		}
	if (s->nomem) {
		sweep_free(s);
		return CLAB_ENOMEM;
	}
	return 0;
}

int clab_generic_concurrency(const struct clab_trace *tr,
			     struct clab_generic_concurrency *c)
{
	struct sweep s;
	int rc = sweep_run(&s, tr);

	memset(c, 0, sizeof(*c));
	if (rc != 0)
		return rc;
	*c = s.c;
	sweep_free(&s);
	return 0;
}

/* ---- the report ---- */

static double ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

/* A thread's longest judged wait, for sorting: longest first. */
struct longest {
	uint64_t ns;
	uint32_t tid;
	uint32_t obj; /* what it waited for */
	int open;     /* the wait it was still in when the trace ended */
};

static int cmp_longest(const void *a, const void *b)
{
	const struct longest *x = a, *y = b;

	if (x->ns != y->ns)
		return x->ns > y->ns ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/* The starvation threshold, ns, for waits of that median, and why. */
static uint64_t starvation_threshold(const struct clab_lab_report *rep,
				     uint64_t median, const char **why)
{
	uint64_t thr_ns = (uint64_t)CLAB_LAB_STARVATION_MS * 1000000u;
	*why = "the default";
	if (rep->opts.starvation_ms > 0) {
		*why = "--starvation-ms";
		return (uint64_t)rep->opts.starvation_ms * 1000000u;
	}
	if (median * CLAB_LAB_STARVATION_MEDIANS > thr_ns) {
		thr_ns = median * CLAB_LAB_STARVATION_MEDIANS;
		*why = "10x the median wait";
	}
	return thr_ns;
}

static void no_wait(struct clab_lab_report *rep, uint64_t thr_ns,
		    const char *why, const char *unended)
{
	clab_lab_report_add(rep, "starvation", 1, UINT64_MAX,
			    "no thread waited (threshold %.0f ms, %s%s)",
			    ms(thr_ns), why, unended);
}

static void no_failed_attempt(struct clab_lab_report *rep)
{
	clab_lab_report_add(rep, "busy waiting", 1, UINT64_MAX,
			    "no failed non-blocking attempt");
}

static void no_lock_held(struct clab_lab_report *rep)
{
	clab_lab_report_add(rep, "locks held at exit", 1, UINT64_MAX,
			    "no mutex, reader-writer lock or semaphore permit "
			    "was held when the trace ended");
}

/*
 * Starvation's line when no thread waited past thr_ns: the threads' longest
 * waits, ids[0..nids) sorted (cmp_longest), as many as the line has room
 * for.
 */
static void starvation_list(const struct clab_trace *tr,
			    struct clab_lab_report *rep,
			    const struct longest *ids, uint32_t nids,
			    uint64_t thr_ns, const char *why, size_t unended_n)
{
	/* the list fits the report's 240 characters with its prefix */
	char list[150], unended[48] = "";
	size_t len = 0;

	list[0] = '\0';
	for (uint32_t i = 0; i < nids; i++) {
		char one[128];
		int k = snprintf(
		    one, sizeof(one), "%s%s %.1f (%s%s)", i ? ", " : "",
		    clab_trace_thread_label(tr, ids[i].tid), ms(ids[i].ns),
		    clab_trace_object_label(tr, ids[i].obj),
		    ids[i].open ? ", still waiting" : "");

		if (k < 0 || len + (size_t)k + 16 >= sizeof(list)) {
			snprintf(list + len, sizeof(list) - len, ", %u more",
				 nids - i);
			break;
		}
		memcpy(list + len, one, (size_t)k + 1);
		len += (size_t)k;
	}
	if (unended_n > 0)
		snprintf(unended, sizeof(unended), "; %zu never ended",
			 unended_n);
	if (nids == 0)
		no_wait(rep, thr_ns, why, unended);
	else
		clab_lab_report_add(rep, "starvation", 1, UINT64_MAX,
				    "longest wait per thread, ms (threshold "
				    "%.0f, %s%s): %s",
				    ms(thr_ns), why, unended, list);
}

static void check_starvation(const struct sweep *s, struct clab_lab_report *rep)
{
	const struct clab_trace *tr = s->tr;
	uint64_t thr_ns, median = 0;
	struct longest *ids;
	uint32_t nids = 0, over = 0;
	const char *why;
	if (s->nwaits > 0) {
		qsort(s->waits, s->nwaits, sizeof(*s->waits), clab__cmp_u64);
		median = s->waits[(s->nwaits - 1) / 2];
	}
	thr_ns = starvation_threshold(rep, median, &why);

	ids = calloc(s->nthr + 1, sizeof(*ids));
	if (ids == NULL) {
		clab_lab_report_add(rep, "starvation", 0, UINT64_MAX,
				    "out of memory");
		return;
	}
	/*
	 * Listed: a thread's longest wait, or the wait it was still in when
	 * the trace ended if that is longer (marked; it is not judged here).
	 */
	uint32_t worst = UINT32_MAX; /* the longest finished wait's thread */
	for (uint32_t u = 0; u < s->nthr; u++) {
		const struct thr *t = &s->t[u];
		uint64_t n = t->longest.kind != 0 ? t->longest.n : 0;
		int open = t->open_ns != 0 &&
			   (t->longest.kind == 0 || t->open_ns > t->longest.n);
		if (t->longest.kind != 0 || t->open_ns != 0)
			ids[nids++] = (struct longest){
			    open ? t->open_ns : n, u,
			    open ? t->wait.obj : t->longest.obj, open};
		if (t->longest.kind != 0 &&
		    (worst == UINT32_MAX || n > s->t[worst].longest.n))
			worst = u;
		over += t->longest.kind != 0 && n > thr_ns;
	}
	qsort(ids, nids, sizeof(*ids), cmp_longest);

	if (over > 0) {
		const struct span *w = &s->t[worst].longest;

		clab_lab_report_add(
		    rep, "starvation", 0, w->from,
		    "%s waited %.1f ms for %s (%s, records %llu to %llu), "
		    "longer than the %.0f ms threshold (%s); %u "
		    "thread(s) over it",
		    clab_trace_thread_label(tr, worst), ms(w->n),
		    clab_trace_object_label(tr, w->obj),
		    clab_kind_name(w->kind), (unsigned long long)w->from,
		    (unsigned long long)w->to, ms(thr_ns), why, over);
		free(ids);
		return;
	}
	starvation_list(tr, rep, ids, nids, thr_ns, why, s->unended);
	free(ids);
}

/* "file:line" of a site, the file's base name only (it is long enough). */
static const char *site_base(const struct clab_trace *tr, uint32_t id,
			     char *buf, size_t len)
{
	const char *full = clab_lab_site_text(tr, id, buf, len);
	const char *b = strrchr(full, '/');

	if (b != NULL)
		memmove(buf, b + 1, strlen(b + 1) + 1);
	return buf;
}

/*
 * A thread that re-took one mutex more than CLAB_LAB_BUSY_RUN times in a
 * row (NEED_NO_POLL), or the step cap of the controlled scheduler, which
 * only a thread that never blocks reaches: "busy waiting" fails with the
 * loop's sites.  Returns whether it did.
 */
static int check_poll(const struct sweep *s, struct clab_lab_report *rep,
		      unsigned need)
{
	const struct clab_trace *tr = s->tr;
	uint32_t worst = UINT32_MAX;
	char lock[128], unlock[128], cap[200] = "";

	for (uint32_t u = 0; u < s->nthr; u++)
		if (s->t[u].worst_poll.n > 0 &&
		    (worst == UINT32_MAX ||
		     s->t[u].worst_poll.n > s->t[worst].worst_poll.n))
			worst = u;
	if (s->step_limit != NULL) {
		const struct clab_record *b = s->before_limit;
		snprintf(cap, sizeof(cap),
			 "the run hit the controlled scheduler's step cap (%u "
			 "steps without finishing: a thread that never "
			 "blocks)",
			 s->step_limit->a32);
		if (b != NULL && b->tid < s->nthr)
			snprintf(cap + strlen(cap), sizeof(cap) - strlen(cap),
				 "; the last to run was %s at %s",
				 clab_trace_thread_label(tr, b->tid),
				 site_base(tr, b->site, lock, sizeof(lock)));
	}
	int polled = worst != UINT32_MAX &&
		     s->t[worst].worst_poll.n > CLAB_LAB_BUSY_RUN &&
		     (need & CLAB_LAB_NEED_NO_POLL);
	if (!polled && s->step_limit == NULL)
		return 0;
	if (!polled) {
		clab_lab_report_add(rep, "busy waiting", 0, s->step_limit->seq,
				    "%s", cap);
		return 1;
	}
	const struct poll *w = &s->t[worst].worst_poll;
	clab_lab_report_add(
	    rep, "busy waiting", 0, w->from,
	    "%s took %s %llu times in a row with nothing else between and "
	    "no other thread's progress: a loop that polls (lock at %s, "
	    "unlock at %s; records %llu to %llu); wait on a condition "
	    "instead",
	    clab_trace_thread_label(tr, worst),
	    clab_trace_object_label(tr, w->obj), (unsigned long long)w->n + 1,
	    site_base(tr, w->lock_site, lock, sizeof(lock)),
	    site_base(tr, w->unlock_site, unlock, sizeof(unlock)),
	    (unsigned long long)w->from, (unsigned long long)w->to);
	return 1;
}

static void check_busy(const struct sweep *s, struct clab_lab_report *rep,
		       unsigned need)
{
	const struct clab_trace *tr = s->tr;
	uint32_t worst = UINT32_MAX, most = 0;
	char poll[120] = "";

	if (check_poll(s, rep, need))
		return;

	for (uint32_t u = 0; u < s->nthr; u++)
		if (s->t[u].worst.n > 0 &&
		    (worst == UINT32_MAX ||
		     s->t[u].worst.n > s->t[worst].worst.n))
			worst = u;
	for (uint32_t o = 1; o <= s->nobj; o++)
		if (s->busy[o] > (most ? s->busy[most] : 0))
			most = o;
	if (most != 0)
		snprintf(poll, sizeof(poll),
			 "; most failed trylocks: %llu on %s (%llu "
			 "acquisitions)",
			 (unsigned long long)s->busy[most],
			 clab_trace_object_label(tr, most),
			 (unsigned long long)s->acq[most]);

	if (worst == UINT32_MAX) {
		no_failed_attempt(rep);
		return;
	}
	const struct span *w = &s->t[worst].worst;
	if (w->n > CLAB_LAB_BUSY_RUN)
		clab_lab_report_add(
		    rep, "busy waiting", 0, w->from,
		    "%s failed %llu non-blocking attempts in a row (%s on %s "
		    "first, records %llu to %llu) without blocking or "
		    "sleeping; more than %d is a spin",
		    clab_trace_thread_label(tr, worst),
		    (unsigned long long)w->n, clab_kind_name(w->kind),
		    w->obj ? clab_trace_object_label(tr, w->obj) : "no object",
		    (unsigned long long)w->from, (unsigned long long)w->to,
		    CLAB_LAB_BUSY_RUN);
	else
		clab_lab_report_add(rep, "busy waiting", 1, UINT64_MAX,
				    "at most %llu failed non-blocking "
				    "attempt(s) in a row (%s; a spin is more "
				    "than %d)%s",
				    (unsigned long long)w->n,
				    clab_trace_thread_label(tr, worst),
				    CLAB_LAB_BUSY_RUN, poll);
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static void check_concurrency(const struct sweep *s,
			      struct clab_lab_report *rep, unsigned need)
{
	const struct clab_generic_concurrency *c = &s->c;
	int asked = (need & CLAB_LAB_NEED_CONCURRENCY) != 0;
	char msg[240];

	if (c->multi_ns == 0)
		snprintf(msg, sizeof(msg), "never two threads at once");
	else if (asked && c->holding_ns == 0)
		snprintf(msg, sizeof(msg),
			 "no two threads ever held mutexes at the same time: "
			 "every critical section ran alone (two or more "
			 "threads ran %.1f%% of the %.1f ms that two or more "
			 "existed)",
			 pct(c->running_ns, c->multi_ns), ms(c->multi_ns));
	else
		snprintf(msg, sizeof(msg),
			 "of the %.1f ms that two or more threads existed, "
			 "two or more held mutexes %.1f%% (at most %u at "
			 "once) and ran (neither waiting nor sleeping) %.1f%% "
			 "(at most %u at once)",
			 ms(c->multi_ns), pct(c->holding_ns, c->multi_ns),
			 c->max_holding, pct(c->running_ns, c->multi_ns),
			 c->max_running);
	/* information, unless the lab asks for concurrency */
	if (!asked)
		clab_lab_report_info(rep, "concurrency", "%s", msg);
	else
		clab_lab_report_add(rep, "concurrency", c->holding_ns != 0,
				    UINT64_MAX, "%s", msg);
}

/*
 * Locks still held when the trace ended: by a thread that ended holding
 * them (its exit-holding diagnostic says where), by one still running when
 * the program exited, or by the threads of a deadlock.  Mutexes and
 * reader-writer locks (read or write) from the records; semaphore permits
 * as the runtime reported them at a thread's end, those it still counted
 * as held (a semaphore a thread without a permit gave to is a signal, not
 * a lock: runtime/thread.c).
 */
static void check_held_at_exit(const struct sweep *s,
			       struct clab_lab_report *rep)
{
	const struct clab_trace *tr = s->tr;
	const struct clab_record *first = s->permit;
	uint32_t nheld = s->npermits;
	const char *what = "semaphore permit";

	for (uint32_t o = 1; o <= s->nobj; o++) {
		const struct clab_record *r = s->taken[o];
		int held = s->owner[o] != 0 || s->readers[o] != 0;
		if (!held || r == NULL)
			continue;
		nheld++;
		if (first == NULL || r->seq < first->seq) {
			first = r;
			what =
			    s->owner[o] == 0 ? "read lock"
			    : clab__kind_sem(r->kind)->oe == CLAB_OE_WRITE_TAKE
				? "write lock"
				: "mutex";
		}
	}
	if (first == NULL) {
		no_lock_held(rep);
		return;
	}
	char at[128];
	clab_lab_report_add(
	    rep, "locks held at exit", 0, first->seq,
	    "%u lock(s) still held when the trace ended; first: %s (%s), "
	    "held by %s since %s",
	    nheld, clab_trace_object_label(tr, first->obj), what,
	    clab_trace_thread_label(tr, first->tid),
	    clab_lab_site_text(tr, first->site, at, sizeof(at)));
}

void clab_generic_check(const struct clab_trace *tr,
			struct clab_lab_report *rep, unsigned need)
{
	clab__generic_check(tr, rep, need, 0);
}

void clab__generic_check(const struct clab_trace *tr,
			 struct clab_lab_report *rep, unsigned need,
			 int held_at_exit)
{
	struct sweep s;

	if (sweep_run(&s, tr) != 0) {
		clab_lab_report_add(rep, "starvation", 0, UINT64_MAX,
				    "out of memory");
		if (held_at_exit)
			clab_lab_report_add(rep, "locks held at exit", 0,
					    UINT64_MAX, "out of memory");
		return;
	}
	check_starvation(&s, rep);
	check_busy(&s, rep, need);
	check_concurrency(&s, rep, need);
	if (held_at_exit)
		check_held_at_exit(&s, rep);
	sweep_free(&s);
}

/*
 * Starvation's line from the digest's waits, when it is the full one's
 * and passes: 0, or -1 when only the full report can say it (the median
 * past the short waits, a wait past the threshold, a list longer than the
 * digest keeps exactly, or waits the digest did not follow).
 */
static int quiet_starvation(const struct clab_trace *tr,
			    struct clab_lab_report *rep)
{
	struct clab_trace_waits w;
	const char *why;
	uint64_t thr_ns = starvation_threshold(rep, 0, &why);

	if (clab_trace_digest_waits(tr, &w) != 0)
		return -1;
	/* the median (the ((ended - 1) / 2)th shortest) is short */
	if (rep->opts.starvation_ms <= 0 && w.ended > 0 &&
	    (w.nshort <= (w.ended - 1) / 2 ||
	     w.short_ns * CLAB_LAB_STARVATION_MEDIANS != thr_ns))
		return -1;
	struct longest *ids = calloc(w.n + 1, sizeof(*ids));
	if (ids == NULL)
		return -1;
	for (size_t i = 0; i < w.n; i++) {
		ids[i] = (struct longest){w.w[i].ns, w.w[i].tid, w.w[i].obj, 0};
		if (w.w[i].ns > thr_ns) {
			free(ids);
			return -1;
		}
	}
	/* every thread that waited is there: the list is the full one's */
	qsort(ids, w.n, sizeof(*ids), cmp_longest);
	starvation_list(tr, rep, ids, (uint32_t)w.n, thr_ns, why, 0);
	free(ids);
	return 0;
}

int clab__generic_check_quiet(const struct clab_trace *tr, uint64_t nrecords,
			      struct clab_lab_report *rep)
{
	if (quiet_starvation(tr, rep) != 0)
		return -1;
	no_failed_attempt(rep);
	clab_lab_report_info(rep, "concurrency",
			     "not worked out: the report of these %llu records "
			     "came from the trace's digest, without reading "
			     "them; `conclab check TRACE` or `conclab trace "
			     "--full` gives it",
			     (unsigned long long)nrecords);
	no_lock_held(rep);
	return 0;
}

void clab_generic_check_any(const struct clab_trace *tr,
			    struct clab_lab_report *rep)
{
	clab_generic_check_any_with(tr, NULL, rep);
}

void clab_generic_check_any_with(const struct clab_trace *tr,
				 const struct clab_analysis *an,
				 struct clab_lab_report *rep)
{
	clab__lab_check_common(tr, an, rep, 0, 1);
	clab__lab_judge_end(tr, rep);
}
