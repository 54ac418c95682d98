/*
 * The controlled scheduler, behind the blocking seam.
 *
 * Under control, conclab threads are real threads that take turns: a
 * thread runs only while it holds the turn (its `go` word is 1), and it
 * gives the turn away only at a scheduling point (the start of a visible
 * operation), when it blocks (the seam's park calls clab__sched_block in
 * place of a futex sleep) or when it ends.  Whoever holds the turn is the
 * only thread that touches the scheduler's state, so it needs no lock:
 * the turn passes with a release store and an acquire load of `go`.
 *
 * At each point the scheduler lists what could happen next, in an order
 * that does not depend on timing:
 *   - a runnable thread goes on (the current one first, then the others
 *     in the order they were created); a blocked thread whose waker has
 *     set its flag is runnable;
 *   - a blocked thread with a deadline times out, the virtual clock
 *     jumping to its deadline if that is later (so the timeout path is
 *     explored even when others could run: they might have been slow);
 *   - while some thread can run, a condition waiter may wake spuriously
 *     (at most spurious_max times per wait).
 * The mode picks one: at random, by PCT's priorities, or as a schedule
 * string says.  Every pick among more than one option is kept; the list
 * of picks is the schedule string, which replays the run in any mode.
 * No option at all is a deadlock; too many steps, a livelock: both are
 * handed to the watchdog, which reports them at once.
 *
 * The schedule string: "1.S.B", 1 the format's version, S the spurious
 * wakeups allowed per wait, B the picks in URL-safe base64 (no padding):
 * unsigned LEB128 varints, alternately a count of zero picks and a
 * nonzero pick, ending with the count of the zeros at the end.  Most
 * picks are 0 (the current thread goes on), so a run of thousands of
 * steps with a few switches is a few bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rt.h"

_Atomic int clab__sched_on;

/* Virtual time a scheduling step takes: records of a step follow it. */
#define STEP_NS 1000u
#define PCT_MAX_DEPTH 16u

/* What an option does (the first three are the scheduler's own). */
enum { O_RUN, O_TIMEOUT, O_SPURIOUS, O_WAKE };

struct opt {
	struct clab__thr *t;
	int kind;
};

static struct {
	struct clab_sched_opts o;
	int used; /* a run was controlled since the process started */
	struct clab__thr **thr; /* controlled threads not ended, by age */
	size_t n, cap;
	struct opt *opts;
	size_t optcap;
	uint64_t rng;
	uint64_t seed;	/* this process's: the run's, or derived at a fork */
	uint64_t forks; /* forks under control so far */
	uint64_t steps;
	unsigned spur_max;
	/* the picks made among more than one option */
	uint32_t *picks;
	uint32_t *nopts; /* how many options each pick had */
	size_t npicks, pickcap;
	/* replay: the picks to make, and where we are */
	uint32_t *want;
	size_t nwant, at;
	int diverged;
	/* PCT: the steps at which the running thread's priority drops */
	uint64_t change[PCT_MAX_DEPTH];
	unsigned nchange;
} S;

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* ---- the schedule string ---- */

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int b64val(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;
	return p ? (int)(p - b64) : -1;
}

struct bytes {
	unsigned char *p;
	size_t n, cap;
	int oom;
};

static void put_byte(struct bytes *b, unsigned char c)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		unsigned char *np = realloc(b->p, cap);
		if (!np) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	b->p[b->n++] = c;
}

static void put_varint(struct bytes *b, uint64_t v)
{
	do {
		unsigned char c = v & 0x7f;
		v >>= 7;
		put_byte(b, (unsigned char)(c | (v ? 0x80 : 0)));
	} while (v);
}

int clab_sched_format(const uint32_t *picks, size_t npicks, unsigned spur_max,
		      char *buf, size_t len)
{
	struct bytes b = {0};
	uint64_t zeros = 0;
	for (size_t i = 0; i < npicks; i++) {
		if (picks[i] == 0) {
			zeros++;
			continue;
		}
		put_varint(&b, zeros);
		put_varint(&b, picks[i]);
		zeros = 0;
	}
	put_varint(&b, zeros);
	if (b.oom) {
		free(b.p);
		return CLAB_ENOMEM;
	}
	char head[32];
	int k = snprintf(head, sizeof(head), "1.%u.", spur_max);
	size_t need = (size_t)k + (b.n * 8 + 5) / 6;
	if (buf && len) {
		size_t o = 0;
		for (int i = 0; i < k && o + 1 < len; i++)
			buf[o++] = head[i];
		uint32_t acc = 0;
		int bits = 0;
		for (size_t i = 0; i < b.n; i++) {
			acc = acc << 8 | b.p[i];
			bits += 8;
			while (bits >= 6) {
				bits -= 6;
				if (o + 1 < len)
					buf[o++] = b64[(acc >> bits) & 63];
			}
		}
		if (bits > 0 && o + 1 < len)
			buf[o++] = b64[(acc << (6 - bits)) & 63];
		buf[o] = 0;
	}
	free(b.p);
	return need > INT32_MAX ? CLAB_ENOMEM : (int)need;
}

static int encode(char *buf, size_t len)
{
	return clab_sched_format(S.picks, S.npicks, S.spur_max, buf, len);
}

int clab_sched_parse(const char *s, uint32_t **picks, size_t *npicks,
		     unsigned *spur_max)
{
	char *end;
	*picks = NULL;
	*npicks = 0;
	if (!s || s[0] != '1' || s[1] != '.')
		return CLAB_EINVAL;
	unsigned long spur = strtoul(s + 2, &end, 10);
	if (end == s + 2 || *end != '.' || spur > 1000)
		return CLAB_EINVAL;
	const char *c = end + 1;
	struct bytes b = {0};
	uint32_t acc = 0;
	int bits = 0;
	for (; *c; c++) {
		int v = b64val(*c);
		if (v < 0) {
			free(b.p);
			return CLAB_EINVAL;
		}
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			put_byte(&b, (unsigned char)(acc >> bits));
		}
	}
	/* varints, alternately zeros and a pick, ending with zeros */
	size_t i = 0;
	int odd = 0, ok = 1;
	struct bytes out = {0};
	while (i < b.n && ok) {
		uint64_t v = 0;
		int shift = 0;
		for (;;) {
			if (i == b.n || shift > 56) {
				ok = 0;
				break;
			}
			unsigned char byte = b.p[i++];
			v |= (uint64_t)(byte & 0x7f) << shift;
			shift += 7;
			if (!(byte & 0x80))
				break;
		}
		if (!ok)
			break;
		if (!odd) {
			if (v > (1u << 26)) {
				ok = 0;
				break;
			}
			for (uint64_t z = 0; z < v; z++)
				for (int k = 0; k < 4; k++)
					put_byte(&out, 0);
		} else {
			if (v == 0 || v > UINT32_MAX) {
				ok = 0;
				break;
			}
			uint32_t u = (uint32_t)v;
			put_byte(&out, (unsigned char)u);
			put_byte(&out, (unsigned char)(u >> 8));
			put_byte(&out, (unsigned char)(u >> 16));
			put_byte(&out, (unsigned char)(u >> 24));
		}
		odd = !odd;
	}
	free(b.p);
	/* a whole string ends on a count of zeros: an even number read */
	if (!ok || odd == 0 || out.oom) {
		free(out.p);
		return out.oom ? CLAB_ENOMEM : CLAB_EINVAL;
	}
	size_t n = out.n / 4;
	uint32_t *p = malloc((n ? n : 1) * sizeof(*p));
	for (size_t k = 0; p && k < n; k++)
		p[k] = (uint32_t)out.p[4 * k] |
		       (uint32_t)out.p[4 * k + 1] << 8 |
		       (uint32_t)out.p[4 * k + 2] << 16 |
		       (uint32_t)out.p[4 * k + 3] << 24;
	free(out.p);
	if (!p)
		return CLAB_ENOMEM;
	*picks = p;
	*npicks = n;
	*spur_max = (unsigned)spur;
	return 0;
}

/* ---- turns ---- */

/* Wait for the turn (go is 1), or for control to end. */
static void wait_turn(struct clab__thr *self)
{
	while (!atomic_load_explicit(&self->s.go, memory_order_acquire))
		clab__futex_wait(&self->s.go, 0, NULL);
}

/* Give the turn to next; self waits for it again unless it has ended. */
static void switch_to(struct clab__thr *self, struct clab__thr *next)
{
	if (next == self)
		return;
	atomic_store_explicit(&self->s.go, 0, memory_order_relaxed);
	atomic_store_explicit(&next->s.go, 1, memory_order_release);
	clab__futex_wake(&next->s.go, 1);
	if (self->s.state != CLAB__S_DONE)
		wait_turn(self);
}

/* Control ends: every controlled thread runs free from here on. */
static void release_all(void)
{
	atomic_store(&clab__sched_on, 0);
	for (size_t i = 0; i < S.n; i++) {
		struct clab__thr *t = S.thr[i];
		atomic_store(&t->s.ctl, 0);
		atomic_store_explicit(&t->s.go, 1, memory_order_release);
		clab__futex_wake(&t->s.go, 1);
	}
}

/* ---- picking ---- */

static int runnable(const struct clab__thr *t)
{
	if (t->s.state == CLAB__S_RUN)
		return 1;
	return t->s.state == CLAB__S_BLOCK &&
	       atomic_load_explicit(t->s.flag, memory_order_acquire) != 0;
}

static int add_opt(struct clab__thr *t, int kind, size_t *n)
{
	if (*n == S.optcap) {
		size_t cap = S.optcap ? S.optcap * 2 : 32;
		struct opt *no = realloc(S.opts, cap * sizeof(*no));
		if (!no)
			return -1;
		S.opts = no;
		S.optcap = cap;
	}
	S.opts[(*n)++] = (struct opt){t, kind};
	return 0;
}

/*
 * What could happen next; returns how many.  The first *nrun go on (a
 * runnable thread, or a timed one that times out); the rest are
 * spurious wakeups.
 */
static size_t options(struct clab__thr *self, size_t *nrun)
{
	size_t n = 0;
	if (self && runnable(self))
		add_opt(self, O_RUN, &n);
	for (size_t i = 0; i < S.n; i++)
		if (S.thr[i] != self && runnable(S.thr[i]))
			add_opt(S.thr[i], O_RUN, &n);
	*nrun = n;
	/* this process is idle: another of its family may run meanwhile */
	if (n == 0)
		clab__xproc_idle();
	/*
	 * A timeout whose time has come.  Time passes STEP_NS a step while
	 * threads run and jumps to the first deadline when none can: a
	 * machine fast next to its timeouts, as the labs assume.  With
	 * early_timeouts, any timed wait may time out at any step.
	 */
	uint64_t now =
	    atomic_load_explicit(&clab__vclock, memory_order_relaxed);
	if (n == 0 && !S.o.early_timeouts) {
		uint64_t first = 0;
		for (size_t i = 0; i < S.n; i++) {
			struct clab__thr *t = S.thr[i];
			if (t->s.state == CLAB__S_BLOCK && t->s.deadline &&
			    (!first || t->s.deadline < first))
				first = t->s.deadline;
		}
		if (first > now) {
			atomic_store(&clab__vclock, first);
			now = first;
		}
	}
	for (size_t i = 0; i < S.n; i++) {
		struct clab__thr *t = S.thr[i];
		if (t->s.state == CLAB__S_BLOCK && !runnable(t) &&
		    t->s.deadline &&
		    (t->s.deadline <= now || S.o.early_timeouts))
			add_opt(t, O_TIMEOUT, &n);
	}
	size_t nrunning = *nrun;
	*nrun = n;
	if (nrunning == 0)
		return n; /* spurious wakeups never end a deadlock */
	for (size_t i = 0; i < S.n; i++) {
		struct clab__thr *t = S.thr[i];
		if (t->s.state == CLAB__S_BLOCK && !runnable(t) &&
		    t->s.spur_ok && t->s.spurs < S.spur_max)
			add_opt(t, O_SPURIOUS, &n);
	}
	return n;
}

static void keep_pick(uint32_t k, size_t n)
{
	if (S.npicks == S.pickcap) {
		size_t cap = S.pickcap ? S.pickcap * 2 : 1024;
		uint32_t *np = realloc(S.picks, cap * sizeof(*np));
		if (np)
			S.picks = np;
		uint32_t *nn = np ? realloc(S.nopts, cap * sizeof(*nn)) : NULL;
		if (nn)
			S.nopts = nn;
		if (!np || !nn) {
			/* the schedule cannot be kept: say the replay is off */
			S.diverged = 1;
			return;
		}
		S.pickcap = cap;
	}
	S.nopts[S.npicks] = (uint32_t)n;
	S.picks[S.npicks++] = k;
}

/*
 * A spurious wakeup is rare on a real system, and a waiter that loops
 * gets a new one at each wait: the random modes take one at a step with
 * this chance, so that they do not drown every other interleaving.
 */
#define SPURIOUS_ONE_IN 32

/* Whether this step is a spurious wakeup, and which (random modes). */
static int spurious_pick(size_t n, size_t nrun, uint32_t *k)
{
	if (n == nrun || splitmix(&S.rng) % SPURIOUS_ONE_IN != 0)
		return 0;
	*k = (uint32_t)(nrun + splitmix(&S.rng) % (n - nrun));
	return 1;
}

/* PCT: the thread of highest priority among those that can go on. */
static uint32_t pct_pick(size_t n, size_t nrun)
{
	uint32_t best = 0;
	if (spurious_pick(n, nrun, &best))
		return best;
	for (uint32_t i = 1; i < nrun; i++)
		if (S.opts[i].t->s.prio > S.opts[best].t->s.prio)
			best = i;
	return best;
}

/* The options as ASK and on_pick see them (calloc'd), or NULL. */
static struct clab_sched_option *seen(const struct opt *o, size_t n)
{
	static const enum clab_sched_what what[] = {
	    [O_RUN] = CLAB_SCHED_GOES_ON,
	    [O_TIMEOUT] = CLAB_SCHED_TIMES_OUT,
	    [O_SPURIOUS] = CLAB_SCHED_WAKES_SPURIOUSLY,
	    [O_WAKE] = CLAB_SCHED_IS_WOKEN,
	};
	struct clab_sched_option *q = calloc(n, sizeof(*q));
	for (size_t i = 0; q && i < n; i++) {
		q[i].tid = o[i].t->tid;
		q[i].thread = clab_thread_name(o[i].t);
		q[i].what = what[o[i].kind];
		q[i].site = atomic_load(&o[i].t->s.site);
		q[i].blocked = o[i].t->s.state == CLAB__S_BLOCK;
	}
	return q;
}

/* ASK: the options as the caller sees them. */
static uint32_t ask(const struct opt *o, size_t n)
{
	struct clab_sched_option *q = seen(o, n);
	if (!q)
		return 0;
	unsigned k = S.o.ask(S.o.ask_arg, q, n);
	free(q);
	return k < n ? k : 0;
}

/* on_pick: tell the caller what was picked among what (a search's log). */
static void told(const struct opt *o, size_t n, uint32_t k)
{
	struct clab_sched_option *q = seen(o, n);
	if (q)
		S.o.on_pick(
		    S.o.on_pick_arg, q, n, k,
		    atomic_load_explicit(&clab__vclock, memory_order_relaxed));
	free(q);
}

/* One choice among the n options o: by the mode, kept for the string. */
static uint32_t choose(const struct opt *o, size_t n, size_t nrun)
{
	uint32_t k = 0;
	if (n <= 1)
		return 0;
	switch (S.o.mode) {
	case CLAB_SCHED_REPLAY:
	case CLAB_SCHED_ASK:
		if (S.at < S.nwant && S.want[S.at] < n) {
			k = S.want[S.at];
		} else if (S.o.mode == CLAB_SCHED_ASK) {
			k = ask(o, n);
		} else {
			S.diverged = 1;
		}
		S.at++;
		break;
	case CLAB_SCHED_PCT:
		k = pct_pick(n, nrun);
		break;
	default:
		if (!spurious_pick(n, nrun, &k))
			k = (uint32_t)(splitmix(&S.rng) % nrun);
		break;
	}
	keep_pick(k, n);
	if (S.o.on_pick)
		told(o, n, k);
	return k;
}

/* The run is stuck: the watchdog reports it, and this thread waits. */
static void stuck(struct clab__thr *self, enum clab_stuck why)
{
	uint64_t steps =
	    why == CLAB_STUCK_STEP_LIMIT ? S.o.step_limit : S.steps;
	if (clab__watchdog_sched_stuck(why, steps) == 0) {
		if (!self)
			return; /* a thread that ends: it goes */
		atomic_store_explicit(&self->s.go, 0, memory_order_relaxed);
		for (;;)
			wait_turn(self); /* until the process exits */
	}
	/* nobody to report it: let every thread run free */
	release_all();
}

/* One step of the schedule; returns the thread that goes on. */
static struct clab__thr *step(struct clab__thr *self)
{
	S.steps++;
	atomic_fetch_add_explicit(&clab__vclock, STEP_NS, memory_order_relaxed);
	/* a new stamp for each step's records (tracer-emit.h) */
	atomic_fetch_add_explicit(&clab__tick, 1, memory_order_relaxed);
	if (self && self->s.state == CLAB__S_RUN) {
		atomic_fetch_add_explicit(&self->s.steps, 1,
					  memory_order_relaxed);
		for (unsigned i = 0; i < S.nchange; i++)
			if (S.change[i] == S.steps)
				self->s.prio = S.nchange - i;
	}
	if (S.steps > S.o.step_limit) {
		stuck(self, CLAB_STUCK_STEP_LIMIT);
		return NULL;
	}
	size_t nrun, n = options(self, &nrun);
	if (n == 0) {
		stuck(self, CLAB_STUCK_ALL_BLOCKED);
		return NULL;
	}
	struct opt o = S.opts[choose(S.opts, n, nrun)];
	struct clab__thr *t = o.t;
	if (o.kind == O_TIMEOUT) {
		uint64_t now = atomic_load(&clab__vclock);
		if (t->s.deadline > now)
			atomic_store(&clab__vclock, t->s.deadline);
		t->s.wake = CLAB__SW_TIMEOUT;
	} else if (o.kind == O_SPURIOUS) {
		t->s.spurs++;
		t->s.wake = CLAB__SW_SPURIOUS;
	} else if (t->s.state == CLAB__S_BLOCK) {
		t->s.wake = CLAB__SW_WOKEN;
	}
	return t;
}

void clab__sched_point_slow(struct clab__thr *self,
			    const struct clab_site *site)
{
	if (!clab__sched_ctl(self))
		return;
	atomic_store_explicit(&self->s.site, site, memory_order_relaxed);
	struct clab__thr *next = step(self);
	if (next)
		switch_to(self, next);
}

static int block(struct clab__thr *self, _Atomic uint32_t *flag,
		 const struct timespec *deadline)
{
	self->s.state = CLAB__S_BLOCK;
	self->s.flag = flag;
	self->s.deadline = deadline ? clab__ts_ns(deadline) : 0;
	if (self->s.deadline == 0 && deadline)
		self->s.deadline = 1;
	self->s.wake = CLAB__SW_WOKEN;
	struct clab__thr *next = step(self);
	if (next)
		switch_to(self, next);
	self->s.state = CLAB__S_RUN;
	self->s.flag = NULL;
	self->s.deadline = 0;
	if (!atomic_load(&self->s.ctl))
		return 0; /* control ended: the caller waits natively */
	return self->s.wake == CLAB__SW_WOKEN ? 0 : ETIMEDOUT;
}

int clab__sched_block(struct clab__thr *self, _Atomic uint32_t *flag,
		      const struct timespec *deadline)
{
	if (atomic_load_explicit(flag, memory_order_acquire))
		return 0;
	return block(self, flag, deadline);
}

int clab__sched_block_word(struct clab__thr *self, _Atomic uint32_t *word,
			   uint32_t val, const struct timespec *deadline)
{
	if (atomic_load_explicit(word, memory_order_acquire) != val)
		return 0; /* as a futex wait would: not asleep at all */
	self->s.word = word;
	atomic_store(&self->s.woke, 0);
	int e = block(self, &self->s.woke, deadline);
	self->s.word = NULL;
	return e;
}

void clab__sched_wake_word(_Atomic uint32_t *word, int n)
{
	struct opt cand[64];
	while (n-- > 0) {
		unsigned k = 0;
		for (size_t i = 0; i < S.n && k < 64; i++) {
			struct clab__thr *t = S.thr[i];
			if (t->s.state == CLAB__S_BLOCK && t->s.word == word &&
			    !atomic_load(&t->s.woke))
				cand[k++] = (struct opt){t, O_WAKE};
		}
		if (k == 0)
			return;
		/* which sleeper gets the lock's hand-off is a choice */
		struct clab__thr *t = cand[choose(cand, k, k)].t;
		atomic_store_explicit(&t->s.woke, 1, memory_order_release);
	}
}

unsigned clab__sched_pick(struct clab__thr *self, struct clab__thr *const *cand,
			  unsigned n)
{
	if (!clab__sched_ctl(self) || n < 2)
		return 0;
	struct opt o[64];
	if (n > 64)
		n = 64;
	for (unsigned i = 0; i < n; i++)
		o[i] = (struct opt){cand[i], O_WAKE};
	return choose(o, n, n);
}

uint64_t clab__sched_now(void)
{
	return atomic_load_explicit(&clab__vclock, memory_order_relaxed);
}

void clab__sched_clock_at_least(uint64_t t)
{
	if (atomic_load(&clab__sched_on) &&
	    atomic_load_explicit(&clab__vclock, memory_order_relaxed) < t)
		atomic_store(&clab__vclock, t);
}

static int add_thread(struct clab__thr *t)
{
	if (S.n == S.cap) {
		size_t cap = S.cap ? S.cap * 2 : 16;
		struct clab__thr **nt = realloc(S.thr, cap * sizeof(*nt));
		if (!nt)
			return CLAB_ENOMEM;
		S.thr = nt;
		S.cap = cap;
	}
	S.thr[S.n++] = t;
	t->s.state = CLAB__S_RUN;
	/* PCT's initial priorities lie above every changed one */
	t->s.prio = (splitmix(&S.rng) >> 8) | (1ull << 56);
	atomic_store(&t->s.ctl, 1);
	return 0;
}

void clab__sched_thread_new(struct clab__thr *self, struct clab__thr *t)
{
	if (!clab__sched_ctl(self))
		return;
	atomic_store(&t->s.go, 0);
	if (add_thread(t) < 0)
		return; /* out of memory: the thread runs free */
}

void clab__sched_thread_start(struct clab__thr *t)
{
	if (atomic_load(&t->s.ctl))
		wait_turn(t);
}

void clab__sched_thread_exit(struct clab__thr *t)
{
	if (!clab__sched_ctl(t))
		return;
	t->s.state = CLAB__S_DONE;
	for (size_t i = 0; i < S.n; i++) {
		if (S.thr[i] == t) {
			memmove(&S.thr[i], &S.thr[i + 1],
				(S.n - i - 1) * sizeof(*S.thr));
			S.n--;
			break;
		}
	}
	/* the last controlled thread: nobody is left to take the turn */
	struct clab__thr *next = S.n ? step(NULL) : NULL;
	atomic_store(&t->s.ctl, 0);
	if (next)
		switch_to(t, next);
}

/* ---- a fork under control ---- */

uint64_t clab__sched_fork_seed(void)
{
	if (!atomic_load(&clab__sched_on))
		return 0;
	/* the n-th fork of this process: its seed, mixed with n */
	uint64_t x = S.seed ^ (++S.forks * 0x9e3779b97f4a7c15ull);
	return splitmix(&x);
}

void clab__sched_fork_child(struct clab__thr *self, uint64_t seed)
{
	if (!atomic_load(&clab__sched_on))
		return;
	if (!atomic_load(&self->s.ctl)) {
		/* the controlled threads stayed in the parent */
		atomic_store(&clab__sched_on, 0);
		return;
	}
	/*
	 * Whatever the parent's mode, the child takes a random walk from its
	 * seed: a replay or a search of the parent gives the same seed, so
	 * the same children, and the parent's callbacks (ask, on_pick) talk
	 * to the parent's caller, not to this process.
	 */
	S.o.mode = CLAB_SCHED_RANDOM;
	S.o.seed = seed;
	S.o.replay = NULL;
	S.o.ask = NULL;
	S.o.on_pick = NULL;
	S.seed = seed;
	S.rng = seed ^ 0x636f6e636c616275ull;
	S.forks = 0;
	S.steps = 0;
	S.npicks = 0;
	free(S.want);
	S.want = NULL;
	S.nwant = S.at = 0;
	S.diverged = 0;
	S.nchange = 0;
	S.n = 0;
	if (add_thread(self) < 0) {
		atomic_store(&self->s.ctl, 0);
		atomic_store(&clab__sched_on, 0);
		return;
	}
	self->s.flag = NULL;
	self->s.deadline = 0;
	atomic_store(&self->s.go, 1);
}

/* ---- the API ---- */

int clab_sched_start(const struct clab_sched_opts *o)
{
	if (!o || o->mode < CLAB_SCHED_OS || o->mode > CLAB_SCHED_ASK ||
	    o->pct_depth > PCT_MAX_DEPTH ||
	    (o->mode == CLAB_SCHED_REPLAY && !o->replay) ||
	    (o->mode == CLAB_SCHED_ASK && !o->ask))
		return CLAB_EINVAL;
	if (o->mode == CLAB_SCHED_OS)
		return 0;
	if (atomic_load(&clab__sched_on))
		return CLAB_EBUSY;
	if (!clab_tracer_active() || !atomic_load(&clab__vclock_on))
		return CLAB_EINVAL;
	free(S.thr);
	free(S.opts);
	free(S.picks);
	free(S.nopts);
	free(S.want);
	memset(&S, 0, sizeof(S));
	S.o = *o;
	S.used = 1;
	if (!S.o.pct_depth)
		S.o.pct_depth = 3;
	if (!S.o.pct_steps)
		S.o.pct_steps = 2000;
	if (!S.o.step_limit)
		S.o.step_limit = 100000;
	S.spur_max = o->spurious_max < 0 ? 1 : (unsigned)o->spurious_max;
	if (o->replay &&
	    (o->mode == CLAB_SCHED_REPLAY || o->mode == CLAB_SCHED_ASK)) {
		int e =
		    clab_sched_parse(o->replay, &S.want, &S.nwant, &S.spur_max);
		if (e < 0)
			return e;
	}
	S.seed = o->seed;
	S.rng = o->seed ^ 0x636f6e636c616275ull; /* "conclabu" */
	if (o->mode == CLAB_SCHED_PCT) {
		S.nchange = S.o.pct_depth - 1;
		for (unsigned i = 0; i < S.nchange; i++)
			S.change[i] = 1 + splitmix(&S.rng) % S.o.pct_steps;
	}
	struct clab__thr *self = clab__self();
	if (add_thread(self) < 0)
		return CLAB_ENOMEM;
	atomic_store(&self->s.go, 1);
	atomic_store(&clab__sched_on, 1);
	return 0;
}

int clab_sched_options(char *buf, size_t len)
{
	if (!S.used)
		return CLAB_EINVAL;
	return clab_sched_format(S.nopts, S.npicks, S.spur_max, buf, len);
}

int clab_sched_schedule(char *buf, size_t len)
{
	if (!S.used)
		return CLAB_EINVAL;
	return encode(buf, len);
}

int clab_sched_stop(char *buf, size_t len)
{
	if (!atomic_load(&clab__sched_on))
		return S.used ? encode(buf, len) : CLAB_EINVAL;
	struct clab__thr *self = clab__self();
	if (!atomic_load(&self->s.ctl))
		return CLAB_EINVAL; /* only a controlled thread may end it */
	/* children not waited for take their turns before control ends */
	clab__xproc_end();
	release_all();
	return encode(buf, len);
}

uint64_t clab_sched_steps(void)
{
	return S.steps;
}

int clab_sched_diverged(void)
{
	return S.diverged || (S.o.mode == CLAB_SCHED_REPLAY && S.at < S.nwant);
}

static const char *const mode_names[] = {"os", "random", "pct", "replay",
					 "ask"};

const char *clab_sched_mode_name(enum clab_sched_mode m)
{
	return (unsigned)m < 5 ? mode_names[m] : "?";
}

int clab_sched_mode_parse(const char *name)
{
	/* ask is not a mode a command line can name: it needs a callback */
	for (int i = 0; name && i < 4; i++)
		if (strcmp(name, mode_names[i]) == 0)
			return i;
	return -1;
}
