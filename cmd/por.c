/*
 * Partial-order reduction of the bounded search: sleep sets.
 *
 * A step is what a thread does from one scheduling point to its next; the
 * trace records it, every record stamped with the step's virtual time.
 * Two steps are dependent when their records touch a common object (a
 * condition wait touches its mutex too), or when one reads the virtual
 * clock, which every step moves on (a sleep, a wait that may be timed, a
 * timeout); a note is independent of every step that does neither.
 *
 * Each schedule's child logs its choices (clab_por_log_to: the options,
 * the pick, the virtual time) to a file; the parent reads the log and the
 * trace (clab_por_children) and pushes the run's children.  When the
 * search deviates at a point, the thread the run took there by default
 * goes to sleep for the deviation's subtree, with the objects its step
 * touched, until a step touches one of them or the thread itself runs; a
 * child that would run a sleeping thread is left out: the schedule runs
 * the same steps as one in the default's subtree, the sleeper's step
 * moved ahead of independent ones.
 *
 * The bound makes the reduction narrower (docs/scheduler.md says why):
 * only the default goes to sleep, and only when its step wakes and
 * creates no thread; an option is left out only as a deviation (when a
 * sleeper is the default, the run goes on with it, and the children past
 * that point are left out); a spurious wakeup or a timeout wakes every
 * sleeper.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <conclab/kinds.h>
#include <conclab/semantics.h>
#include <conclab/trace.h>

#include "por.h"

/* The objects one sleeper's step may touch; more: it does not sleep. */
#define OBJ_MAX 8

struct entry {
	uint32_t tid, what, nobj;
	uint32_t obj[OBJ_MAX];
};

struct clab_por_sleep {
	size_t n, cap;
	struct entry *e;
};

/*
 * Whether a record reads the virtual clock, which every step advances: a
 * wait that may have a deadline (now + its time, so where it comes among
 * the steps decides which deadline comes first), or the end of one by
 * its deadline.  Conservative where the record does not say whether the
 * wait was timed.
 */
static int reads_clock(unsigned kind, unsigned a8)
{
	const struct clab_kind_sem *sem = clab_kind_sem(kind);
	switch (sem->act) {
	case CLAB_DO_SLEEP:
	case CLAB_DO_TIMEOUT:
	case CLAB_DO_TIMER: /* timers keep time */
	case CLAB_DO_TIMER_WAIT:
		return 1;
	case CLAB_DO_WAKE:
		return a8 == CLAB_CAUSE_TIMEOUT;
	default:
		if (!clab_kind_begins_wait(kind))
			return 0;
		/* a wait that says whether it is timed, or may be */
		if (sem->a8 == CLAB_A8_TIMED)
			return a8 != 0;
		if (sem->a8 == CLAB_A8_HOW)
			return a8 == CLAB_HOW_TIMED;
		return 1;
	}
}

/* The objects a record touches (at most 2): a condition wait's mutex too. */
static size_t objs_of(unsigned kind, uint32_t obj, uint32_t a32,
		      uint32_t out[2])
{
	size_t n = 0;
	if (obj)
		out[n++] = obj;
	if (clab_kind_sem(kind)->a32 == CLAB_A32_OBJECT && a32 && a32 != obj)
		out[n++] = a32;
	return n;
}

int clab_por_dependent(const struct clab_por_op *a, size_t na,
		       const struct clab_por_op *b, size_t nb)
{
	/* a step that reads the clock depends on every step */
	for (size_t i = 0; i < na; i++)
		if (nb && reads_clock(a[i].kind, a[i].a8))
			return 1;
	for (size_t j = 0; j < nb; j++)
		if (na && reads_clock(b[j].kind, b[j].a8))
			return 1;
	for (size_t i = 0; i < na; i++) {
		uint32_t oa[2], ob[2];
		size_t ka = objs_of(a[i].kind, a[i].obj, a[i].a32, oa);
		for (size_t j = 0; j < nb; j++) {
			size_t kb = objs_of(b[j].kind, b[j].obj, b[j].a32, ob);
			for (size_t x = 0; x < ka; x++)
				for (size_t y = 0; y < kb; y++)
					if (oa[x] == ob[y])
						return 1;
		}
	}
	return 0;
}

void clab_por_sleep_free(struct clab_por_sleep *z)
{
	if (z)
		free(z->e);
	free(z);
}

/* ---- the child's log ---- */

/* One choice in the log, then its n options. */
struct logpick {
	uint64_t now;
	uint32_t n, k;
};

struct logopt {
	uint32_t tid, what;
};

/* Where the child of one schedule logs its picks (one run a process). */
static int log_fd = -1;

static void log_pick(void *arg, const struct clab_sched_option *o, size_t n,
		     unsigned k, uint64_t now)
{
	(void)arg;
	size_t len = sizeof(struct logpick) + n * sizeof(struct logopt);
	unsigned char *buf = malloc(len);
	if (!buf)
		return; /* the log ends short: the parent runs no children */
	struct logpick h = {now, (uint32_t)n, k};
	memcpy(buf, &h, sizeof(h));
	for (size_t i = 0; i < n; i++) {
		struct logopt lo = {o[i].tid, (uint32_t)o[i].what};
		memcpy(buf + sizeof(h) + i * sizeof(lo), &lo, sizeof(lo));
	}
	/* one write a choice: what a crash leaves is whole choices */
	for (size_t off = 0; off < len;) {
		ssize_t w = write(log_fd, buf + off, len - off);
		if (w <= 0 && errno != EINTR)
			break;
		off += w > 0 ? (size_t)w : 0;
	}
	free(buf);
}

int clab_por_log_to(struct clab_sched_opts *o, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	log_fd = fd;
	o->on_pick = log_pick;
	o->on_pick_arg = NULL;
	return 0;
}

/* ---- the parent: a run's children ---- */

struct pick {
	uint64_t now;
	uint32_t n, k;
	const struct logopt *o;
};

struct run {
	unsigned char *buf; /* the log */
	struct pick *p;
	size_t np;
	struct clab_trace *tr;
	const struct clab_record **r; /* by time, then order */
	size_t nr;
	uint32_t nthr;
	size_t *last; /* each thread's last record applied, + 1 (0: none) */
};

static int read_log(struct run *R, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !(R->buf = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return -1;
	}
	size_t len = 0;
	while (len < (size_t)st.st_size) {
		ssize_t k = read(fd, R->buf + len, (size_t)st.st_size - len);
		if (k <= 0 && errno != EINTR)
			break;
		len += k > 0 ? (size_t)k : 0;
	}
	close(fd);
	size_t cap = len / sizeof(struct logpick) + 1;
	R->p = malloc(cap * sizeof(*R->p));
	if (!R->p)
		return -1;
	for (size_t off = 0; off + sizeof(struct logpick) <= len;) {
		struct logpick h;
		memcpy(&h, R->buf + off, sizeof(h));
		size_t need = sizeof(h) + (size_t)h.n * sizeof(struct logopt);
		if (h.n < 2 || h.k >= h.n || need > len - off)
			break; /* cut short: whole choices only */
		/* the options, aligned: copy them down in place */
		struct logopt *o = (struct logopt *)(void *)(R->buf + off);
		memmove(o, R->buf + off + sizeof(h), need - sizeof(h));
		R->p[R->np++] = (struct pick){h.now, h.n, h.k, o};
		off += need;
	}
	return 0;
}

static int by_time(const void *a, const void *b)
{
	const struct clab_record *x = *(const struct clab_record *const *)a;
	const struct clab_record *y = *(const struct clab_record *const *)b;
	if (x->ns != y->ns)
		return x->ns < y->ns ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int load(struct run *R, const char *trace, const char *log)
{
	char err[512];
	/* the process alone: the choices logged are its own, a child's
	 * schedule follows from its seed (docs/scheduler.md, "Processes") */
	if (read_log(R, log) != 0 ||
	    clab_trace_load_process(trace, &R->tr, err, sizeof(err)) != 0)
		return -1;
	R->nr = clab_trace_nrecords(R->tr);
	R->nthr = clab_trace_nthreads(R->tr);
	R->r = malloc((R->nr ? R->nr : 1) * sizeof(*R->r));
	R->last = calloc(R->nthr ? R->nthr : 1, sizeof(*R->last));
	if (!R->r || !R->last)
		return -1;
	const struct clab_record *rec = clab_trace_records(R->tr);
	for (size_t i = 0; i < R->nr; i++)
		R->r[i] = &rec[i];
	qsort(R->r, R->nr, sizeof(*R->r), by_time);
	return 0;
}

static void unload(struct run *R)
{
	clab_trace_free(R->tr);
	free(R->r);
	free(R->last);
	free(R->p);
	free(R->buf);
}

static int is_step(const struct pick *p)
{
	return p->o[0].what != CLAB_SCHED_IS_WOKEN;
}

static int has_obj(const struct entry *e, uint32_t o)
{
	for (uint32_t i = 0; i < e->nobj; i++)
		if (e->obj[i] == o)
			return 1;
	return 0;
}

/* Apply the records before `until` (up to and with it when incl). */
static void apply(struct run *R, size_t *cur, uint64_t until, int incl,
		  struct clab_por_sleep *z)
{
	for (; *cur < R->nr; (*cur)++) {
		const struct clab_record *r = R->r[*cur];
		if (r->ns > until || (r->ns == until && !incl))
			break;
		if (r->tid < R->nthr)
			R->last[r->tid] = *cur + 1;
		if (!z)
			continue;
		if (reads_clock(r->kind, r->a8)) {
			z->n = 0;
			continue;
		}
		uint32_t o[2];
		size_t k = objs_of(r->kind, r->obj, r->a32, o);
		for (size_t i = 0; i < z->n;) {
			struct entry *e = &z->e[i];
			int wake = e->tid == r->tid;
			for (size_t j = 0; j < k && !wake; j++)
				wake = has_obj(e, o[j]);
			if (wake)
				z->e[i] = z->e[--z->n];
			else
				i++;
		}
	}
}

static int find(const struct clab_por_sleep *z, uint32_t tid, uint32_t what)
{
	for (size_t i = 0; z && i < z->n; i++)
		if (z->e[i].tid == tid && z->e[i].what == what)
			return (int)i;
	return -1;
}

static int add(struct clab_por_sleep *z, const struct entry *e)
{
	if (z->n == z->cap) {
		size_t cap = z->cap ? z->cap * 2 : 8;
		struct entry *ne = realloc(z->e, cap * sizeof(*ne));
		if (!ne)
			return -1;
		z->e = ne;
		z->cap = cap;
	}
	z->e[z->n++] = *e;
	return 0;
}

static struct clab_por_sleep *copy(const struct clab_por_sleep *z,
				   const struct entry *plus)
{
	struct clab_por_sleep *c = calloc(1, sizeof(*c));
	for (size_t i = 0; c && z && i < z->n; i++)
		if (add(c, &z->e[i]) != 0)
			goto fail;
	if (c && plus && add(c, plus) != 0)
		goto fail;
	return c;
fail:
	clab_por_sleep_free(c);
	return NULL;
}

/* Kinds of a step that make a thread runnable whatever it waits on. */
static int starts(unsigned kind)
{
	unsigned act = clab_kind_sem(kind)->act;
	return act == CLAB_DO_SPAWN || act == CLAB_DO_TIMER ||
	       act == CLAB_DO_TIMER_WAIT;
}

/*
 * The default of choice j (option 0) as a sleeper: the objects its step
 * touched (its records from the choice to the next step's), when its
 * step can wake no thread that waits (none waits on what it touched, it
 * creates none).  0, or -1 when it may not sleep.
 */
static int sleeper(const struct run *R, size_t j, size_t cur, struct entry *e)
{
	const struct pick *p = &R->p[j];
	uint64_t end = UINT64_MAX;
	size_t mine = 0;
	*e = (struct entry){p->o[0].tid, p->o[0].what, 0, {0}};
	if (e->what != CLAB_SCHED_GOES_ON)
		return -1; /* a timeout or a spurious wakeup does not sleep */
	for (size_t i = j + 1; i < R->np; i++)
		if (is_step(&R->p[i])) {
			end = R->p[i].now;
			break;
		}
	for (size_t i = cur; i < R->nr && R->r[i]->ns < end; i++) {
		const struct clab_record *r = R->r[i];
		if (r->tid != e->tid)
			continue;
		mine++;
		if (starts(r->kind) || reads_clock(r->kind, r->a8))
			return -1;
		uint32_t o[2];
		size_t k = objs_of(r->kind, r->obj, r->a32, o);
		for (size_t x = 0; x < k; x++) {
			if (has_obj(e, o[x]))
				continue;
			if (e->nobj == OBJ_MAX)
				return -1;
			e->obj[e->nobj++] = o[x];
		}
	}
	if (mine == 0)
		return -1; /* a step without records: not known, not asleep */
	for (uint32_t t = 0; t < R->nthr; t++) {
		if (t == e->tid || !R->last[t])
			continue;
		const struct clab_record *r = R->r[R->last[t] - 1];
		const struct clab_kind_sem *sem = clab_kind_sem(r->kind);
		int runs = sem->act == CLAB_DO_EXIT;
		for (uint32_t i = 0; i < p->n && !runs; i++)
			runs = p->o[i].tid == t &&
			       p->o[i].what == CLAB_SCHED_GOES_ON;
		if (runs || sem->tmove == CLAB_TM_SLEEP)
			continue; /* ended, can run, or no one wakes it */
		if (!clab_kind_begins_wait(r->kind))
			return -1; /* waits on what we cannot tell */
		uint32_t o[2];
		size_t k = objs_of(r->kind, r->obj, r->a32, o);
		for (size_t x = 0; x < k; x++)
			if (has_obj(e, o[x]))
				return -1;
	}
	return 0;
}

int clab_por_children(const char *trace, const char *log, size_t n,
		      const struct clab_por_sleep *z0, unsigned bound,
		      clab_por_push_fn push, void *arg, long *pruned)
{
	struct run R = {0};
	struct clab_por_sleep *z = NULL;
	uint32_t *picks = NULL;
	int rc = -1;
	if (load(&R, trace, log) != 0 || !(z = copy(z0, NULL)) ||
	    !(picks = malloc((R.np ? R.np : 1) * sizeof(*picks))))
		goto out;
	unsigned dev = 0;
	for (size_t j = 0; j < R.np; j++) {
		picks[j] = R.p[j].k;
		dev += j < n && R.p[j].k != 0;
	}
	size_t cur = 0;
	if (n > 0 && n <= R.np) {
		/*
		 * The steps before the last pick are in z0 already: only
		 * follow the threads.  (A waker's step goes on after it
		 * picks a waiter, otherwise than in the parent's run: that
		 * step is applied again below.)
		 */
		const struct pick *own = &R.p[n - 1];
		apply(&R, &cur, own->now, 0, NULL);
		if (own->o[own->k].what == CLAB_SCHED_WAKES_SPURIOUSLY ||
		    own->o[own->k].what == CLAB_SCHED_TIMES_OUT)
			z->n = 0;
		for (size_t i = 0; is_step(own) && i < z->n;)
			if (z->e[i].tid == own->o[own->k].tid)
				z->e[i] = z->e[--z->n];
			else
				i++;
	}
	for (size_t j = n; j < R.np && dev <= bound; j++) {
		const struct pick *p = &R.p[j];
		int step = is_step(p);
		apply(&R, &cur, p->now, !step, z);
		if (dev == bound)
			break;
		struct entry e0;
		/* the run goes on with a sleeper: what follows was run */
		int redundant = step && find(z, p->o[0].tid, p->o[0].what) >= 0;
		int sleeps =
		    step && !redundant && sleeper(&R, j, cur, &e0) == 0;
		for (uint32_t a = 1; a < p->n; a++) {
			if (step && find(z, p->o[a].tid, p->o[a].what) >= 0) {
				(*pruned)++;
				continue;
			}
			struct clab_por_sleep *c = copy(z, sleeps ? &e0 : NULL);
			if (!c || push(arg, picks, j, a, c) != 0) {
				clab_por_sleep_free(c);
				goto out;
			}
		}
		if (redundant) {
			/* the children past it: counted, not run */
			for (size_t i = j + 1; i < R.np; i++)
				*pruned += R.p[i].n - 1;
			break;
		}
		dev += p->k != 0;
		if (p->o[p->k].what == CLAB_SCHED_WAKES_SPURIOUSLY ||
		    p->o[p->k].what == CLAB_SCHED_TIMES_OUT)
			z->n = 0;
	}
	rc = 0;
out:
	free(picks);
	clab_por_sleep_free(z);
	unload(&R);
	return rc;
}
