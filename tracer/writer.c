/*
 * The writer: turns what the threads published into chunks of the trace
 * file.  It runs in its own thread, waking every few milliseconds; records
 * are written once a thread has a full chunk of them, once the oldest is
 * older than flush_ms, when the thread ended, or on clab_tracer_flush().
 *
 * The writer thread runs at idle priority (SCHED_IDLE): encoding and
 * compressing take CPU time, and on a machine whose CPUs the program keeps
 * busy that time would come out of the program's threads, on the very
 * path it is measured on.  A thread that runs out of room does not wait
 * for it either: it writes a pass itself (clab__writer_help), at its own
 * priority.  When the writer is in the middle of a pass, the thread has to
 * wait for that pass: the writer then runs at normal priority until nobody
 * waits on it (clab__writer_boost), since a busy machine may not run an
 * idle thread for seconds.  It does too while records pile up, from a
 * quarter of the buffer until a pass has written them (press): a program
 * that records that much keeps the CPUs busy, and would soon wait for it.
 * Linux lets a thread come back from SCHED_IDLE only with CAP_SYS_NICE or
 * an RLIMIT_NICE that allows its nice value; without them the writer runs
 * at SCHED_BATCH, its program's priority.  The millisecond tick the lazy
 * time stamps need comes from a separate thread at normal priority that
 * does nothing else.
 *
 * Each record chunk holds records of one thread, encoded against each other
 * (time deltas, sequence deltas per object) and compressed (codec.c: zstd's
 * fast level -2 by default, or zlib, or none; the default leaves a chunk
 * raw while threads wait for the writer, compress_body).  A chunk is
 * self-contained, so every whole chunk of a file cut short can be read.
 * Definitions (threads, objects, sites, call stacks) are written before the
 * first chunk that uses them.
 *
 * Call stacks (clab_set_stacks): records carry a process-wide stack id
 * (stack.c); the writer gives each stack a dense id in this trace on its
 * first use, symbolises it (symbols.c) and writes it in a STACKS chunk.
 * A record chunk whose records carry stacks says so in its codec byte, so
 * a trace without stacks is what a 1.0 writer wrote, version number
 * included: the header says 1.1 only once a STACKS chunk is written.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include <conclab/error.h>
#include <conclab/trace.h>

#include "clab-config.h"
#include "codec.h"
#include "digest.h"
#include "format.h"
#include "tracer-int.h"
#include "writer-int.h"

/* The writer's state, by its short name in this file. */
#define w clab__w

#define TICK_MS 5

/* The one writer of the one open trace (writer-int.h). */
struct clab__writer clab__w = {
    .lk = PTHREAD_MUTEX_INITIALIZER,
    .fd = -1,
    .old_fd = -1,
};

/* w, clab__writer_kick_lk and the rest: the one writer of the one open trace.
 */
pthread_mutex_t clab__writer_kick_lk = PTHREAD_MUTEX_INITIALIZER;

/*
 * A clab__writer_rescue (clab__writer_save): what the signal handler and the
 * writer's thread share, lock-free.  clab__writer_file_open is 1 from the open
 * until the file is finished (by a close or a clab__writer_rescue);
 * clab__writer_rescue asks the writer's thread to finish it now; progress
 * counts the chunks written, so that a handler that waits for the
 * clab__writer_rescue sees whether it is moving.
 */
_Atomic int clab__writer_file_open;
_Atomic int clab__writer_rescue;
static _Atomic uint64_t progress;
_Atomic pid_t clab__writer_tid; /* the writer's thread, while it runs */

_Atomic uint32_t clab__tick;

void clab__writer_kick(void)
{
	clab__lock(&clab__writer_kick_lk);
	w.kicked = 1; /* a writer about to sleep sees it and does not */
	if (w.sleeping)
		pthread_cond_signal(&w.kick);
	clab__unlock(&clab__writer_kick_lk);
}

/* The writer at normal priority while threads wait on it (kick_lk held). */
static void boost_locked(void)
{
	if (w.prio != WPRIO_IDLE)
		return;
	struct sched_param sp = {0};
	if (pthread_setschedparam(w.self, SCHED_OTHER, &sp) == 0)
		w.prio = WPRIO_BOOSTED;
}

void clab__writer_boost(int on)
{
	clab__lock(&clab__writer_kick_lk);
	if (on) {
		w.boosters++;
		boost_locked();
	} else if (w.boosters) {
		w.boosters--;
	}
	clab__unlock(&clab__writer_kick_lk);
}

/*
 * Whether the calling thread, once at SCHED_IDLE, may go back to normal
 * priority: Linux lets it only with CAP_SYS_NICE or an RLIMIT_NICE that
 * allows its nice value, which it tries by asking for one less.
 */
static int can_leave_idle(void)
{
	id_t tid = (id_t)gettid();
	errno = 0;
	int nice = getpriority(PRIO_PROCESS, tid);
	if (errno || nice <= -20 || setpriority(PRIO_PROCESS, tid, nice - 1))
		return 0;
	return setpriority(PRIO_PROCESS, tid, nice) == 0;
}

/*
 * The writer's own scheduling, at its start (see the top): idle when it
 * can come back from it, else SCHED_BATCH (the program's priority, without
 * preempting the program's threads when it wakes up).  Best effort: where
 * both are refused, it runs as it was made.
 */
static void writer_prio_start(void)
{
	struct sched_param sp = {0};
	int idle = can_leave_idle() &&
		   pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp) == 0;
	if (!idle)
		(void)pthread_setschedparam(pthread_self(), SCHED_BATCH, &sp);
	clab__lock(&clab__writer_kick_lk);
	w.self = pthread_self();
	w.prio = idle ? WPRIO_IDLE : WPRIO_NORMAL;
	if (w.boosters) /* someone waits already */
		boost_locked();
	clab__unlock(&clab__writer_kick_lk);
}

static void note_error(int err)
{
	if (!w.st.error)
		w.st.error = err;
}

static void write_now(const struct iovec *iov, int n)
{
	struct iovec v[4];
	memcpy(v, iov, (size_t)n * sizeof(*v));
	struct iovec *p = v;
	while (n > 0 && !w.st.error) {
		ssize_t k = writev(w.fd, p, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			note_error(-errno);
			return;
		}
		w.st.bytes += (uint64_t)k;
		while (n > 0 && (size_t)k >= p->iov_len) {
			k -= (ssize_t)p->iov_len;
			p++;
			n--;
		}
		if (n > 0) {
			p->iov_base = (char *)p->iov_base + k;
			p->iov_len -= (size_t)k;
		}
	}
}

/* Write what the pass under way has kept in w.obuf. */
static void out_flush(void)
{
	struct iovec v = {w.obuf.p, w.obuf.len};
	if (v.iov_len)
		write_now(&v, 1);
	w.obuf.len = 0;
}

#define OUT_MAX (64u << 10)

/* iov[0..n) into the file, kept in w.obuf up to OUT_MAX bytes. */
static void write_all(const struct iovec *iov, int n)
{
	size_t len = 0;
	for (int i = 0; i < n; i++)
		len += iov[i].iov_len;
	if (w.obuf.len + len > OUT_MAX)
		out_flush();
	if (len < OUT_MAX) {
		clab_wbuf_reserve(&w.obuf, len);
		if (!w.obuf.oom) {
			for (int i = 0; i < n; i++)
				clab_wbuf_put(&w.obuf, iov[i].iov_base,
					      iov[i].iov_len);
			return;
		}
		out_flush();
		w.obuf.oom = 0;
	}
	write_now(iov, n);
}

static void write_chunk(uint32_t type, const struct clab_wbuf *b)
{
	if (b->oom) {
		note_error(-ENOMEM);
		return;
	}
	/* the payload read once, for the chunk's CRC and the running one */
	uint32_t pcrc = (uint32_t)crc32(0L, b->p, (uInt)b->len);
	struct clab_wbuf h = {0};
	clab_wbuf_u32le(&h, type);
	clab_wbuf_u32le(&h, (uint32_t)b->len);
	clab_wbuf_u32le(&h, clab_chunk_crc_from(type, (uint32_t)b->len, pcrc));
	if (h.oom) {
		note_error(-ENOMEM);
		clab_wbuf_free(&h);
		return;
	}
	struct iovec iov[2] = {{h.p, h.len}, {b->p, b->len}};
	write_all(iov, b->len ? 2 : 1);
	/* the end chunk's checksum covers every chunk before it */
	w.content_crc =
	    clab_chunk_crc_past(w.content_crc, h.p, (uint32_t)b->len, pcrc);
	/* and the signature every byte before it, the end chunk too */
	if (w.signing) {
		clab__sign_update(&w.sig, h.p, h.len);
		clab__sign_update(&w.sig, b->p, b->len);
	}
	clab_wbuf_free(&h);
	w.st.chunks++;
	atomic_fetch_add_explicit(&progress, 1, memory_order_relaxed);
}

static uint32_t site_id(const struct clab_site *s)
{
	if (!s)
		return 0;
	if (w.nsites * 2 >= w.scap) {
		size_t cap = w.scap ? w.scap * 2 : 256;
		const struct clab_site **k = calloc(cap, sizeof(*k));
		uint32_t *v = calloc(cap, sizeof(*v));
		if (!k || !v) {
			free(k);
			free(v);
			note_error(-ENOMEM);
			return 0;
		}
		for (size_t i = 0; i < w.scap; i++) {
			if (!w.skeys[i])
				continue;
			size_t j = ((uintptr_t)w.skeys[i] >> 3) * 0x9e3779b1u;
			for (j &= cap - 1; k[j]; j = (j + 1) & (cap - 1))
				;
			k[j] = w.skeys[i];
			v[j] = w.svals[i];
		}
		free(w.skeys);
		free(w.svals);
		w.skeys = k;
		w.svals = v;
		w.scap = cap;
	}
	size_t j = ((uintptr_t)s >> 3) * 0x9e3779b1u;
	for (j &= w.scap - 1; w.skeys[j]; j = (j + 1) & (w.scap - 1))
		if (w.skeys[j] == s)
			return w.svals[j];
	if (w.nsites == w.sites_cap) {
		size_t cap = w.sites_cap ? w.sites_cap * 2 : 256;
		const struct clab_site **n = realloc(w.sites, cap * sizeof(*n));
		if (!n) {
			note_error(-ENOMEM);
			return 0;
		}
		w.sites = n;
		w.sites_cap = cap;
	}
	w.sites[w.nsites++] = s;
	w.skeys[j] = s;
	w.svals[j] = (uint32_t)w.nsites;
	return (uint32_t)w.nsites;
}

/* The id in this trace of process stack pid, given on first use. */
static uint32_t stack_id(uint16_t pid)
{
	if (!w.stk_tid) {
		w.stk_tid = calloc(CLAB__STACKS_MAX + 1, sizeof(*w.stk_tid));
		w.stk_pid = calloc(CLAB__STACKS_MAX + 1, sizeof(*w.stk_pid));
		if (!w.stk_tid || !w.stk_pid) {
			free(w.stk_tid);
			free(w.stk_pid);
			w.stk_tid = w.stk_pid = NULL;
			note_error(-ENOMEM);
			return 0;
		}
	}
	if (!w.stk_tid[pid]) {
		w.stk_pid[++w.nstk] = pid;
		w.stk_tid[pid] = (uint16_t)w.nstk;
	}
	return w.stk_tid[pid];
}

/* Records tb has published and the writer has not written, up to max. */
uint32_t clab__writer_available(struct clab__tbuf *tb, uint32_t max)
{
	uint32_t n = 0, pos = tb->wpos;
	struct clab__block *b = tb->wblk;
	while (b && n < max) {
		uint32_t p =
		    atomic_load_explicit(&b->pos, memory_order_acquire);
		n += p - pos;
		if (p < CLAB__BLOCK_RECS)
			break;
		b = atomic_load_explicit(&b->next, memory_order_acquire);
		pos = 0;
	}
	return n < max ? n : max;
}

/* Varints written in place (the buffer was reserved). */
#define REC_MAX 56 /* kind, dt, site, obj, oseq, a8, a32, val, stack */

/*
 * clab_kind_fields, cached: constant data, filled by the writer's thread
 * (one a process) on its first chunk and never changed.  By the record's
 * own kind byte: 0 past the last kind, with no test for it.
 */
static uint8_t kind_fields[256];

static inline uint8_t *put_uv(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static inline uint8_t *put_sv(uint8_t *p, int64_t v)
{
	return put_uv(p, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

/* Records ahead of the one read that peek asks the cache for. */
#define PREFETCH_AHEAD 256

/*
 * The release a hold r stands for (clab__emit_release_fast), into x: field
 * by field, since a compound literal is zeroed first with rep stos, whose
 * start-up cost was a tenth of the encoding's time.
 */
static inline void hold_release(struct clab__rec *x, const struct clab__rec *r)
{
	x->tsc = 0;
	x->site = (const struct clab_site *)(uintptr_t)r->tsc;
	x->u.o.obj = r->u.o.obj;
	x->u.o.oseq = r->u.o.oseq + 1;
	x->kind = CLAB_K_MUTEX_RELEASE;
	x->a8 = CLAB_HOW_BLOCK;
	x->pad = 0;
	x->a32 = 0;
}

/*
 * Pointers in w.recp to tb's next unwritten records, without consuming
 * them: up to nmem of its buffer's, and CHUNK_RECS in all.  A hold
 * (CLAB__K_HOLD) is the acquire and the release it stands for, two
 * entries that both point to it, read as the two where they are encoded
 * (hold_records): not copied out here, which cost the writer a store of
 * two records for every hold and a scratch array of a chunk's records
 * that its three passes went through.  Returns how many; *used is how
 * many of the buffer's.
 */
static uint32_t peek(struct clab__tbuf *tb, uint32_t nmem, uint32_t *used)
{
	struct clab__block *b = tb->wblk;
	uint32_t pos = tb->wpos, n = 0, k = 0, nst = 0;
	uint16_t pads = 0;
	for (; k < nmem; k++) {
		if (pos == CLAB__BLOCK_RECS) {
			b = atomic_load_explicit(&b->next,
						 memory_order_acquire);
			pos = 0;
		}
		if (__builtin_expect(k == 0 && tb->wheld != 0, 0)) {
			/*
			 * The acquire written ahead (write_ahead) is the next
			 * record the thread published, alone or in a hold.
			 */
			const struct clab__rec *r = &b->recs[pos];
			uint64_t id = clab__pend_id(r->u.o.obj, r->u.o.oseq);
			if (id == tb->wheld &&
			    r->kind == CLAB_K_MUTEX_ACQUIRE) {
				pos++;
				continue;
			}
			if (id == tb->wheld && r->kind == CLAB__K_HOLD) {
				/* its release alone */
				if (n == CHUNK_RECS)
					break;
				hold_release(&w.xrec, r);
				w.recp[n++] = &w.xrec;
				pos++;
				continue;
			}
		}
		/*
		 * The first read of a record misses: the recording thread
		 * wrote it, on another CPU.  Ask for the lines ahead.
		 */
		if (pos + PREFETCH_AHEAD < CLAB__BLOCK_RECS)
			__builtin_prefetch(&b->recs[pos + PREFETCH_AHEAD]);
		const struct clab__rec *r = &b->recs[pos];
		if (r->kind != CLAB__K_HOLD) {
			if (n == CHUNK_RECS)
				break;
			pads |= r->pad;
			if (r->tsc) {
				w.stamped[nst] = n;
				w.pads_to[nst++] = pads;
			}
			w.recp[n++] = r;
			pos++;
			continue;
		}
		if (n + 2 > CHUNK_RECS)
			break;
		pads |= r->pad;
		w.recp[n++] = r;
		w.recp[n++] = r;
		pos++;
	}
	w.nstamped = nst;
	w.pads = pads;
	*used = k;
	return n;
}

/*
 * Of w.recp[from..n), how many are a buffer's records (a hold's two
 * entries are one; from is never between them: a chunk ends after a
 * stamped record, or at n).
 */
static uint32_t buffer_records(uint32_t from, uint32_t n)
{
	uint32_t k = n - from;
	for (uint32_t i = from + 1; i < n; i++)
		k -= w.recp[i] == w.recp[i - 1];
	return k;
}

/*
 * The two records a hold h stands for, into x[0] (the acquire) and x[1]
 * (the release): its tsc is the release's site (clab__emit_release_fast).
 */
static inline void hold_records(struct clab__rec *x, const struct clab__rec *h)
{
	x[0] = *h;
	x[0].tsc = 0;
	x[0].kind = CLAB_K_MUTEX_ACQUIRE;
	hold_release(&x[1], h);
}

/*
 * Move tb's cursor past n records, giving back the blocks left behind,
 * all at once (one lock of the registry for them).
 */
static void consume(struct clab__tbuf *tb, uint32_t n)
{
	struct clab__block *first = NULL;
	unsigned nput = 0;
	while (n) {
		if (tb->wpos == CLAB__BLOCK_RECS) {
			struct clab__block *nb = atomic_load_explicit(
			    &tb->wblk->next, memory_order_acquire);
			/* still linked to nb: the chain given back ends there
			 */
			if (!first)
				first = tb->wblk;
			nput++;
			tb->wblk = nb;
			tb->wpos = 0;
		}
		uint32_t k = CLAB__BLOCK_RECS - tb->wpos;
		if (k > n)
			k = n;
		tb->wpos += k;
		tb->written += k;
		n -= k;
	}
	if (nput)
		clab__blocks_put(first, nput);
}

/*
 * Times of the records in w.recp[0..n): stamped records convert their
 * clock value, the others are interpolated between the stamped records
 * around them (see clab__lazy_stamp).  Unless force, the chunk ends at its
 * last stamped record, since the records after it wait for the next stamp;
 * returns how many records get a time, and sets stacks to
 * CLAB_CODEC_STACKS when any of them has a call stack (else 0).  Which
 * records are stamped, peek noted as it read them (w.stamped).
 */
static uint32_t assign_times(struct clab__tbuf *tb, uint32_t n, int force,
			     unsigned *stacks)
{
	uint32_t nst = w.nstamped, m = n;
	uint16_t pads = w.pads;
	if (!force) {
		if (nst == 0)
			return 0;
		m = w.stamped[nst - 1] + 1;
		pads = w.pads_to[nst - 1];
	}
	uint64_t prev = tb->wlast_ns;
	uint32_t from = 0; /* first record after the last stamp */
	for (uint32_t s = 0; s <= nst; s++) {
		uint32_t i;
		uint64_t ns;
		if (s < nst) {
			i = w.stamped[s];
			ns = clab__clock_ns(w.recp[i]->tsc);
		} else if (from < m) { /* force: those after the last stamp */
			i = m - 1;
			ns = prev;
		} else {
			break;
		}
		if (ns < prev)
			ns = prev; /* a thread's clock never goes back */
		/*
		 * records from..i-1 had no stamp: spread them evenly, with
		 * one division for them all (a division a record was a sixth
		 * of the writer), as a reader of a lazy chunk does
		 */
		if (from < i) {
			struct clab_lerp l;
			clab_lerp_init(&l, prev, ns, i - from + 1);
			for (uint32_t j = from; j < i; j++)
				w.ns[j] = clab_lerp_next(&l);
		}
		w.ns[i] = ns;
		prev = ns;
		from = i + 1;
	}
	tb->wlast_ns = prev;
	*stacks = pads ? CLAB_CODEC_STACKS : 0;
	return m;
}

/*
 * The entry of obj in last: its own in chunk gen (then *own is 1), or a
 * free one.  An entry's gen and obj are compared with theirs as one word,
 * key (their bytes, as the entry has them).
 */
_Static_assert(offsetof(struct last_oseq, gen) == 0 &&
		   offsetof(struct last_oseq, obj) == 4,
	       "an entry's gen and obj: its first 8 bytes");
static inline struct last_oseq *last_slot(struct last_oseq *last, uint32_t gen,
					  uint32_t obj, uint64_t key, int *own)
{
	uint32_t i = (obj * 0x9e3779b1u) >> (32 - LAST_BITS);
	for (;; i = (i + 1) & (LAST_SLOTS - 1)) {
		uint64_t k;
		memcpy(&k, &last[i], sizeof(k));
		*own = k == key;
		if (*own || last[i].gen != gen)
			return &last[i];
	}
}

/*
 * The id of site s through a chunk's small direct-mapped cache (a few
 * sites recur in a chunk), which starts with every slot NULL -> 0, as
 * site_id has it.
 */
static inline uint32_t site_cached(const struct clab_site **ckey,
				   uint32_t *cval, const struct clab_site *s)
{
	unsigned slot = (unsigned)((uintptr_t)s >> 4) & 15;
	if (ckey[slot] != s) {
		ckey[slot] = s;
		cval[slot] = site_id(s);
	}
	return cval[slot];
}

/*
 * The difference of a record's sequence number oseq for obj from the one
 * expected (the object's last in the chunk, plus one), with the object's
 * last set to last_oseq.
 */
static inline int64_t seq_delta(struct last_oseq *last, uint32_t gen,
				uint32_t obj, uint32_t oseq, uint32_t last_oseq)
{
	struct last_oseq want = {gen, obj, 0};
	uint64_t key;
	int own;
	memcpy(&key, &want, sizeof(key));
	struct last_oseq *l = last_slot(last, gen, obj, key, &own);
	uint32_t expect = own ? l->oseq + 1 : 1;
	memcpy(l, &key, sizeof(key));
	l->oseq = last_oseq;
	return (int64_t)oseq - (int64_t)expect;
}

/*
 * encode_body's loop, from p: inlined with lazy, repeat, stacks and holds
 * constant for the common chunks, which leaves their tests out.  What it
 * reads of w is in locals: a store through p, a byte pointer, may be to
 * anything whose address is known, which the compiler would read again.
 */
static inline __attribute__((always_inline)) uint8_t *
encode_loop(uint8_t *p, uint32_t n, unsigned lazy, unsigned repeat,
	    unsigned stacks, unsigned holds, uint64_t base,
	    struct clab__dg_chunk *dc)
{
	const struct clab__rec *const *recp = w.recp;
	const uint64_t *ns = w.ns;
	struct last_oseq *last = w.last;
	uint32_t gen = w.chunkgen;
	const struct clab_site *ckey[16] = {0};
	uint32_t cval[16] = {0}; /* site_id(NULL) */
	/* the repeat tables (format.h): fields a kind has not are 0 there */
	struct clab_repeat_slot rs[CLAB_REPEAT_SLOTS] = {0};
	uint32_t ro[CLAB_REPEAT_OBJS] = {0};
	uint64_t prev = base;
	struct clab__rec x[2]; /* a hold's two records (hold_records) */
	for (uint32_t i = 0; i < n; i++) {
		const struct clab__rec *r = recp[i];
		if (r->kind == CLAB__K_HOLD && holds && i + 1 < n) {
			/*
			 * The acquire's fields, then the release's site: its
			 * other fields are what the format implies.
			 */
			if (dc && !clab__digest_hold(dc, r->u.o.obj, r->a32)) {
				hold_records(x, r);
				clab__digest_step(dc, &x[0], ns[i]);
				clab__digest_step(dc, &x[1], ns[i + 1]);
			}
			i++;
			uint32_t sid = site_cached(ckey, cval, r->site);
			uint32_t rsid = site_cached(
			    ckey, cval,
			    (const struct clab_site *)(uintptr_t)r->tsc);
			uint32_t obj = r->u.o.obj;
			int64_t dseq = seq_delta(last, gen, obj, r->u.o.oseq,
						 r->u.o.oseq + 1);
			struct clab_repeat_slot *t =
			    &rs[sid % CLAB_REPEAT_SLOTS];
			unsigned oe = obj % CLAB_REPEAT_OBJS;
			int rep = ((uint64_t)dseq | (t->kind ^ CLAB_REC_HOLD) |
				   (t->site ^ sid) | (t->a8 ^ r->a8) |
				   (t->a32 ^ r->a32) |
				   (uint64_t)(t->val ^ (int64_t)rsid)) == 0;
			*p++ = (uint8_t)((rep ? 0 : CLAB_REC_HOLD) |
					 CLAB_REC_LAZY);
			if (rep) {
				int known = ro[oe] == obj;
				unsigned code = sid % CLAB_REPEAT_SLOTS;
				*p++ = (uint8_t)(known ? code | (oe + 1) << 4
						       : code);
				if (!known)
					p = put_uv(p, obj);
			} else {
				*t = (struct clab_repeat_slot){
				    sid, CLAB_REC_HOLD, r->a8, r->a32, rsid};
				p = put_uv(p, sid);
				p = put_uv(p, obj);
				p = put_sv(p, dseq);
				*p++ = r->a8;
				p = put_uv(p, r->a32);
				p = put_uv(p, rsid);
			}
			ro[oe] = obj;
			continue;
		}
		if (r->kind == CLAB__K_HOLD) {
			/* in a form without holds: its two records in turn */
			if (i == 0 || recp[i - 1] != r) {
				hold_records(x, r);
				r = &x[0];
			} else {
				r = &x[1];
			}
		}
		if (dc)
			clab__digest_step(dc, r, ns[i]);
		unsigned f = kind_fields[r->kind] & 0x7f;
		uint32_t sid = site_cached(ckey, cval, r->site);
		uint32_t obj = f & CLAB_F_OBJ ? r->u.o.obj : 0;
		int64_t dseq = 0;
		if (f & CLAB_F_SEQ)
			dseq =
			    seq_delta(last, gen, obj, r->u.o.oseq, r->u.o.oseq);
		uint8_t a8 = f & CLAB_F_A8 ? r->a8 : 0;
		uint32_t a32 = f & CLAB_F_A32 ? r->a32 : 0;
		int64_t val = f & CLAB_F_VAL ? r->u.val : 0;
		unsigned untimed = lazy && !r->tsc ? CLAB_REC_LAZY : 0;
		struct clab_repeat_slot *t = &rs[sid % CLAB_REPEAT_SLOTS];
		unsigned oe = obj % CLAB_REPEAT_OBJS;
		/*
		 * one test of all the fields, not a branch for each: whether a
		 * record repeats is hard to foretell, and a missed branch costs
		 */
		int rep = repeat && !(stacks && r->pad) &&
			  ((uint64_t)dseq | (t->kind ^ r->kind) |
			   (t->site ^ sid) | (t->a8 ^ a8) | (t->a32 ^ a32) |
			   (uint64_t)(t->val ^ val)) == 0;
		*p++ = (uint8_t)((rep ? 0 : r->kind) | untimed);
		if (!untimed) {
			p = put_uv(p, ns[i] - prev);
			prev = ns[i];
		}
		if (rep) { /* the code byte, and the object unless known */
			unsigned code = sid % CLAB_REPEAT_SLOTS;
			int known = (f & CLAB_F_OBJ) && ro[oe] == obj;
			*p++ = (uint8_t)(known ? code | (oe + 1) << 4 : code);
			if ((f & CLAB_F_OBJ) && !known)
				p = put_uv(p, obj);
		} else if (repeat) {
			*t = (struct clab_repeat_slot){sid, r->kind, a8, a32,
						       val};
		}
		if (repeat && (f & CLAB_F_OBJ))
			ro[oe] = obj;
		if (rep)
			continue;
		p = put_uv(p, sid);
		if (f & CLAB_F_OBJ)
			p = put_uv(p, obj);
		if (f & CLAB_F_SEQ)
			p = put_sv(p, dseq);
		if (f & CLAB_F_A8)
			*p++ = a8;
		if (f & CLAB_F_A32)
			p = put_uv(p, a32);
		if (f & CLAB_F_VAL)
			p = put_sv(p, val);
		if (stacks)
			p = put_uv(p, r->pad ? stack_id(r->pad) : 0);
	}
	return p;
}

/*
 * The records w.recp[0..n) into w.ebuf, from the base time base: in the
 * 1.6 form when lazy is CLAB_CODEC_LAZY, else each with its dt; a record
 * that repeats the last at its site slot in the 1.7 form (format.h) when
 * repeat is CLAB_CODEC_REPEAT; a hold as one record (1.8) when holds is
 * CLAB_CODEC_HOLDS.  With dtb, each record goes to the digest
 * too, as thread dtb's, while it is at hand: a third pass over the chunk's
 * records, after the times' and the encoding's, cost the writer more.
 */
static void encode_body(uint32_t n, unsigned lazy, unsigned repeat,
			unsigned stacks, unsigned holds, uint64_t base,
			const struct clab__tbuf *dtb)
{
	struct clab_wbuf *e = &w.ebuf;
	e->len = 0;
	w.chunkgen++; /* the sequence numbers start anew */
	/*
	 * The hot loop of the writer: at most REC_MAX bytes a record, so
	 * reserve once and write the varints in place.
	 */
	clab_wbuf_reserve(e, (size_t)n * REC_MAX);
	if (e->oom)
		return;
	if (!kind_fields[0]) {
		for (unsigned k = 0; k < CLAB_KIND_MAX; k++)
			kind_fields[k] = (uint8_t)clab_kind_fields(k);
		kind_fields[0] = 0x80; /* filled (kind 0 does not exist) */
	}
	struct clab__dg_chunk dc;
	struct clab__dg_chunk *d =
	    dtb && clab__digest_begin(&dc, dtb->tid, n) == 0 ? &dc : NULL;
	uint8_t *p = e->p;
	/* a zstd trace's chunks without stacks, the first encoding of each */
	if (repeat && !stacks && d && lazy && holds)
		p = encode_loop(p, n, CLAB_CODEC_LAZY, CLAB_CODEC_REPEAT, 0,
				CLAB_CODEC_HOLDS, base, d);
	else if (repeat && !stacks && d && !lazy && !holds)
		p = encode_loop(p, n, 0, CLAB_CODEC_REPEAT, 0, 0, base, d);
	else
		p = encode_loop(p, n, lazy, repeat, stacks, holds, base, d);
	if (d)
		clab__digest_end(d);
	e->len = (size_t)(p - e->p);
}

/* How long chunks go uncompressed after a stall (compress_body). */
#define RAW_MS 10

/*
 * The writer's intervals in clock ticks, once it has records to write:
 * the processor's rate is measured then (clock.c), not at the writer's
 * start, when the trace has just been opened.
 */
static void ticks_known(void)
{
	if (!w.flush_ticks) {
		w.flush_ticks = clab__clock_ticks(w.flush_ns);
		w.raw_ticks = clab__clock_ticks(RAW_MS * 1000000u);
	}
}

/* Whether a thread waited for the writer in the last RAW_MS or so. */
static int writer_behind(void)
{
	uint64_t now = clab__clock();
	uint64_t s =
	    atomic_load_explicit(&clab__reg.stalls, memory_order_relaxed);
	if (s != w.stalls_seen) {
		w.stalls_seen = s;
		w.raw_until = now + w.raw_ticks;
	}
	return now < w.raw_until;
}

/*
 * w.ebuf's n records compressed into w.zbuf: their length, or 0 when they
 * are kept raw: compressing does not save room, or saves so much that the
 * chunk would hold more records than a reader lets a compressed byte hold
 * (a chunk of records that differ in nothing: then *dense is set), or the
 * threads are ahead of the writer under the default codec.
 *
 * That last: zstd takes a third of the writer's time, and the encoding
 * has made the records small already (1.2 to 1.8 bytes each on
 * lock-heavy programs, which zstd takes to 0.5 to 0.8).  While the writer
 * keeps up, compressing costs the program nothing; once a thread has had
 * to wait for it (a stall: the buffer was full), the writer is what the
 * program waits on, and for RAW_MS after it sees the stall its chunks go
 * as they are encoded (docs/performance.md, tenth round).  A level asked
 * for (clab_tracer_opts' compress) is kept whatever the pace.
 */
static size_t compress_body(uint32_t n, int *dense)
{
	*dense = 0;
	struct clab_wbuf *e = &w.ebuf;
	if (w.codec.codec == CLAB_CODEC_RAW || e->oom)
		return 0;
	if (w.adapt && writer_behind())
		return 0;
	size_t zcap = clab__codec_bound(w.codec.codec, e->len);
	clab_wbuf_reserve(&w.zbuf, zcap);
	size_t zlen = w.zbuf.oom ? 0
				 : clab__codec_compress(&w.codec, e->p, e->len,
							w.zbuf.p, zcap);
	*dense = zlen && n > (uint64_t)zlen * CLAB_RECS_PER_ZBYTE;
	return zlen && zlen < e->len && !*dense ? zlen : 0;
}

/*
 * Chunks of a thread written in the older form at once after one of the
 * 1.6 form compressed past the limit: a loop on one mutex writes chunk
 * after chunk alike, and encoding and compressing each twice cost the
 * writer a fifth of its pace on such a loop (case 1's sustained line).
 */
#define DENSE_CHUNKS 16

/*
 * Encode tb's records w.recp[0..n) into w.dbuf as a chunk; returns how
 * many it holds (0: none; unless force, those after the last time stamp
 * wait for the next).
 */
static uint32_t encode_chunk(struct clab__tbuf *tb, uint32_t n, int force)
{
	ticks_known();
	if (!w.last && !(w.last = calloc(LAST_SLOTS, sizeof(*w.last)))) {
		note_error(-ENOMEM);
		return 0;
	}
	uint64_t anchor = tb->wlast_ns;
	unsigned stacks;
	n = assign_times(tb, n, force, &stacks);
	if (n == 0)
		return 0;
	/*
	 * Since 1.6 (zstd traces): a record without a stamp stores no time
	 * delta, which is noise that compresses badly; the reader gives it
	 * the time w.ns has, by the same interpolation, from the anchor (the
	 * time of the thread's last record before the chunk, its base).
	 */
	unsigned lazy = w.codec.codec == CLAB_CODEC_ZSTD && !tb->wdense
			    ? CLAB_CODEC_LAZY
			    : 0;
	/*
	 * Since 1.7 (zstd traces): a record that repeats the last at its
	 * site but for its object takes 2 bytes instead of 6, which is
	 * fewer bytes for zstd to go through (it went through each in
	 * about 1.5 ns).
	 */
	unsigned repeat =
	    w.codec.codec == CLAB_CODEC_ZSTD ? CLAB_CODEC_REPEAT : 0;
	/*
	 * Since 1.8 (zstd traces): a hold (an acquire made without waiting
	 * and its release, the thread's next record) is one record, whose
	 * release is mostly implied (format.h): fewer records to encode and
	 * fewer bytes to compress.
	 */
	unsigned holds = lazy && repeat && !stacks ? CLAB_CODEC_HOLDS : 0;
	if (tb->wdense)
		tb->wdense--;
	uint64_t base = lazy ? anchor : w.ns[0];
	/* a 1.7 trace has a digest: its records go to it as they are encoded */
	encode_body(n, lazy, repeat, stacks, holds, base,
		    w.codec.codec == CLAB_CODEC_ZSTD ? tb : NULL);
	if (w.ebuf.oom)
		return 0;
	int dense;
	size_t zlen = compress_body(n, &dense);
	if (lazy && dense) {
		/*
		 * Records that differ in nothing but their times (a loop on
		 * one mutex) compress past the limit once the times are left
		 * out: in the older form they may not, and raw they take
		 * six times the room.  The thread's next chunks are likely
		 * the same: the next DENSE_CHUNKS go to the older form at once.
		 */
		tb->wdense = DENSE_CHUNKS;
		lazy = holds = 0;
		base = w.ns[0];
		encode_body(n, lazy, repeat, stacks, holds, base, NULL);
		zlen = compress_body(n, &dense);
	}

	/* The chunk: tid, count, base time, codec, raw length, data. */
	struct clab_wbuf *e = &w.ebuf, *d = &w.dbuf;
	d->len = 0;
	clab_wbuf_uv(d, tb->tid);
	clab_wbuf_uv(d, n);
	clab_wbuf_uv(d, base);
	clab_wbuf_u8(d, (zlen ? w.codec.codec : CLAB_CODEC_RAW) | repeat |
			    lazy | stacks | holds);
	clab_wbuf_uv(d, e->len);
	if (zlen)
		clab_wbuf_put(d, w.zbuf.p, zlen);
	else
		clab_wbuf_put(d, e->p, e->len);
	w.st.records += n;
	return n;
}

/*
 * Encode up to nmem of tb's unwritten records (in its buffer, where a
 * hold is one) into w.dbuf as a chunk, and consume them; returns how many
 * of the buffer's (0: none).  *chunk: w.dbuf holds a chunk to write (not
 * when the one record was an acquire written ahead).
 */
static uint32_t encode_records(struct clab__tbuf *tb, uint32_t nmem, int force,
			       int *chunk)
{
	uint32_t used, n = peek(tb, nmem, &used);
	uint32_t m = n ? encode_chunk(tb, n, force) : 0;
	*chunk = m != 0;
	if (m == 0 && n != 0)
		return 0;	      /* waiting for the next time stamp */
	used -= buffer_records(m, n); /* those left for the next stamp */
	consume(tb, used);
	if (used)
		tb->wheld = 0;
	return used;
}

/*
 * Stacks given an id since the last call, symbolised, and the number of
 * captures that got no stack because the process's table was full.
 */
static void write_stacks(void)
{
	uint64_t lost = clab__stacks_lost() - w.stk_lost0;
	if (w.nstk == w.stk_written && lost == w.stk_lost_written)
		return;
	if (!w.syms)
		w.syms = clab__syms_new();
	struct clab_wbuf b = {0};
	clab_wbuf_uv(&b, lost);
	clab_wbuf_uv(&b, w.nstk - w.stk_written);
	for (uint32_t id = w.stk_written + 1; id <= w.nstk; id++) {
		uint32_t npc;
		const uintptr_t *pc = clab__stack_pcs(w.stk_pid[id], &npc);
		const struct clab__frame *f = NULL;
		size_t nf =
		    w.syms && pc ? clab__syms_stack(w.syms, pc, npc, &f) : 0;
		clab_wbuf_uv(&b, id);
		clab_wbuf_uv(&b, nf);
		for (size_t i = 0; i < nf; i++) {
			clab_wbuf_str(&b, f[i].func);
			clab_wbuf_str(&b, f[i].file);
			clab_wbuf_uv(&b, f[i].line);
		}
	}
	write_chunk(CLAB_CH_STACKS, &b);
	clab_wbuf_free(&b);
	w.stk_written = w.nstk;
	w.stk_lost_written = lost;
}

/*
 * The names of the threads renamed since the last pass (clab__tbuf_rename),
 * their last ones, as the metadata "name.<object id>" (docs/trace-format.md,
 * "Names"), in one chunk, in tid order (w.lk held).  A thread renamed a
 * thousand times between two passes costs its last name only.
 */
static void write_renames(void)
{
	struct clab_wbuf m = {0};
	uint32_t n = 0;
	if (!atomic_load(&clab__reg.nrenamed))
		return;
	clab__lock(&clab__reg.lk);
	for (struct clab__tbuf *tb = clab__reg.threads; tb; tb = tb->next)
		n += tb->renamed != 0;
	clab_wbuf_uv(&m, n);
	for (struct clab__tbuf *tb = clab__reg.threads; n && tb;
	     tb = tb->next) {
		char key[32];
		if (!tb->renamed)
			continue;
		snprintf(key, sizeof(key), "name.%" PRIu32, tb->oid);
		clab_wbuf_str(&m, key);
		clab_wbuf_str(&m, tb->name);
		tb->renamed = 0;
		clab__reg.nrenamed--;
	}
	clab__unlock(&clab__reg.lk);
	if (n)
		write_chunk(CLAB_CH_META, &m);
	clab_wbuf_free(&m);
}

void clab__tbuf_renames_write(void)
{
	if (!atomic_load(&clab__reg.nrenamed))
		return;
	clab__writer_lock_now();
	if (w.fd >= 0)
		write_renames();
	clab__unlock(&w.lk);
}

/* Definitions of threads and objects registered since the last call. */
static void write_defs(struct clab__tbuf **tbs, uint32_t ntbs)
{
	struct clab_wbuf t = {0}, o = {0}, s = {0};
	write_stacks();
	clab__lock(&clab__reg.lk);
	/*
	 * tbs is in tid order; the threads not written yet are all there
	 * (a buffer is retired only once its definition is written), at its
	 * end: found from there, not by a walk over every buffer for each
	 * chunk.
	 */
	uint32_t first = ntbs;
	while (first > 0 && tbs[first - 1]->tid >= w.threads_written)
		first--;
	uint32_t nt = ntbs - first;
	uint32_t top = nt ? tbs[ntbs - 1]->tid + 1 : w.threads_written;
	uint32_t no = clab__reg.nobjs - w.objs_written;
	if (nt) {
		clab_wbuf_uv(&t, nt);
		for (uint32_t i = first; i < ntbs; i++) {
			clab_wbuf_uv(&t, tbs[i]->tid);
			clab_wbuf_uv(&t, tbs[i]->oid);
			clab_wbuf_uv(&t, tbs[i]->parent);
			clab_wbuf_str(&t, tbs[i]->name);
		}
	}
	if (no) {
		clab_wbuf_uv(&o, no);
		/*
		 * Only a forked child's trace finds dropped objects here: the
		 * parent's threads that ended, with their names gone.
		 */
		static const struct clab__objdef gone = {.kind = CLAB_O_THREAD,
							 .name = ""};
		for (uint32_t i = w.objs_written; i < clab__reg.nobjs; i++) {
			const struct clab__objdef *d = clab__objdef_at(i + 1);
			if (!d)
				d = &gone;
			clab_wbuf_uv(&o, i + 1);
			clab_wbuf_u8(&o, d->kind);
			clab_wbuf_u8(&o, d->flags);
			clab_wbuf_uv(&o, d->param);
			clab_wbuf_uv(&o, site_id(d->site));
			clab_wbuf_uv(&o, d->tid);
			clab_wbuf_str(&o, d->name);
		}
	}
	clab__unlock(&clab__reg.lk);
	if (w.nsites > w.sites_written) {
		clab_wbuf_uv(&s, w.nsites - w.sites_written);
		for (size_t i = w.sites_written; i < w.nsites; i++) {
			const struct clab_site *si = w.sites[i];
			clab_wbuf_uv(&s, i + 1);
			clab_wbuf_uv(&s, si->line > 0 ? (uint64_t)si->line : 0);
			clab_wbuf_str(&s, si->file);
			clab_wbuf_str(&s, si->func);
			clab_wbuf_u8(&s, si->label != NULL);
			if (si->label)
				clab_wbuf_str(&s, si->label);
		}
		write_chunk(CLAB_CH_SITES, &s);
		w.sites_written = w.nsites;
	}
	if (nt) {
		write_chunk(CLAB_CH_THREADS, &t);
		w.threads_written = top;
	}
	if (no) {
		write_chunk(CLAB_CH_OBJECTS, &o);
		w.objs_written += no;
	}
	write_renames();
	clab_wbuf_free(&t);
	clab_wbuf_free(&o);
	clab_wbuf_free(&s);
}

static struct clab__tbuf **snapshot(uint32_t *n)
{
	clab__lock(&clab__reg.lk);
	uint32_t cnt = clab__reg.nthreads - clab__reg.nretired;
	struct clab__tbuf **a = malloc((cnt ? cnt : 1) * sizeof(*a));
	if (a) {
		uint32_t i = 0;
		for (struct clab__tbuf *tb = clab__reg.threads; tb && i < cnt;
		     tb = tb->next)
			a[i++] = tb;
		cnt = i;
	}
	clab__unlock(&clab__reg.lk);
	*n = a ? cnt : 0;
	if (!a)
		note_error(-ENOMEM);
	return a;
}

/*
 * Free the buffers of threads gone for good whose records and definition
 * are all written, and their objects' entries: the registry keeps the
 * threads that may still record.
 */
static void retire(void)
{
	clab__lock(&clab__reg.lk);
	struct clab__tbuf **pp = &clab__reg.threads;
	while (*pp) {
		struct clab__tbuf *tb = *pp;
		if (!atomic_load_explicit(&tb->retire, memory_order_acquire) ||
		    !atomic_load_explicit(&tb->exited, memory_order_acquire) ||
		    tb->wblk || tb->tid >= w.threads_written ||
		    tb->oid > w.objs_written) {
			pp = &tb->next;
			continue;
		}
		*pp = tb->next;
		if (clab__reg.tail == &tb->next)
			clab__reg.tail = pp;
		clab__reg.retired_drops += atomic_load(&tb->drops);
		clab__reg.nretired++;
		clab__obj_drop_locked(tb->oid);
		free(tb->name);
		free(tb);
	}
	clab__unlock(&clab__reg.lk);
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The chunk encode_chunk made in w.dbuf, after the definitions it uses. */
static void write_events(struct clab__tbuf **tbs, uint32_t ntbs)
{
	write_defs(tbs, ntbs);
	write_chunk(CLAB_CH_EVENTS, &w.dbuf);
	w.st.record_bytes += w.dbuf.len + CLAB_CHUNK_HDR_LEN;
}

/*
 * The acquire tb holds back (clab__emit_acquire_fast), written ahead of
 * its publication when the thread has published nothing since the last
 * pass and held it back then too, or when force: a thread that holds the
 * lock in a call that records nothing, or computes, has its acquire in
 * the file within two passes, and when it is closed or flushed.  The
 * record, once published, is left out (peek).  One that changes while it
 * is read was published meanwhile, and is written as it comes.
 */
static void write_ahead(struct clab__tbuf *tb, struct clab__tbuf **tbs,
			uint32_t ntbs, int force)
{
	uint32_t g = atomic_load_explicit(&tb->pgen, memory_order_acquire);
	uint32_t seen = tb->wpgen;
	tb->wpgen = g;
	if (!(g & 2) || tb->wheld || (!force && g != seen) ||
	    atomic_load(&tb->exited) || clab__writer_available(tb, 1))
		return;
	/* acquire: a word of the next acquire shows its pend_off below */
	uint64_t w0 = atomic_load_explicit(&tb->pend[0], memory_order_acquire),
		 w1 = atomic_load_explicit(&tb->pend[1], memory_order_acquire),
		 w2 = atomic_load_explicit(&tb->pend[2], memory_order_acquire);
	if (atomic_load_explicit(&tb->pgen, memory_order_relaxed) != g)
		return;
	clab__pend_fill(&w.xrec, w0, w1, w2);
	w.recp[0] = &w.xrec;
	w.nstamped = 0; /* a held-back acquire has no stamp */
	w.pads = w.xrec.pad;
	if (!encode_chunk(tb, 1, 1))
		return;
	tb->wheld = w1;
	write_events(tbs, ntbs);
}

/*
 * The chunks tb has to write in this pass: every whole chunk, and what
 * is left when force, when the thread ended, when its oldest record
 * waited flush_ms, or when partial.  Returns how many of its buffer's
 * records were written.
 */
static uint32_t write_thread(struct clab__tbuf *tb, struct clab__tbuf **tbs,
			     uint32_t ntbs, uint64_t now, int force,
			     int partial)
{
	uint32_t done = 0;
	for (;;) {
		int exited =
		    atomic_load_explicit(&tb->exited, memory_order_acquire);
		uint32_t n = clab__writer_available(tb, CHUNK_RECS);
		if (n == 0) {
			tb->wpending = 0;
			/* An ended thread's last block is all written:
			 * give it back now, not at close. */
			if (exited && tb->wblk)
				clab__tbuf_written(tb);
			break;
		}
		if (!tb->wpending)
			tb->wpending = now;
		ticks_known();
		int old = now - tb->wpending >= w.flush_ticks;
		if (n < CHUNK_RECS && !force && !exited && !old && !partial)
			break;
		/* a thread waits for w.lk (clab__writer_lock_now): the rest
		 * in the next pass */
		if (!force &&
		    atomic_load_explicit(&w.lk_wanted, memory_order_relaxed))
			break;
		int chunk;
		uint32_t m =
		    encode_records(tb, n, force || exited || old, &chunk);
		if (m == 0)
			break; /* waiting for the next time stamp */
		done += m;
		if (chunk)
			write_events(tbs, ntbs);
		/*
		 * The records after the chunk's last time stamp wait for the
		 * next; the loop goes on while a whole chunk is there besides
		 * them, so that a pass writes all a thread has
		 * (docs/performance.md, sixth round).
		 */
		tb->wpending = m < n ? now : 0;
	}
	return done;
}

/*
 * One pass over every thread's buffer; force writes everything.  When no
 * thread had a whole chunk and the blocks make the cap, the pass writes
 * the threads' partial ones: a small buffer shared by a few threads may
 * fill before any of them has a whole chunk, and a thread that wants a
 * block would wait for nothing.  Not otherwise: small chunks cost the
 * writer more for each record.
 */
static void pass(int force)
{
	uint64_t cpu0 = thread_cpu_ns();
	uint32_t ntbs;
	struct clab__tbuf **tbs = snapshot(&ntbs);
	if (!tbs)
		return;
	uint64_t now = clab__clock();
	uint64_t done = 0;
	for (uint32_t i = 0; i < ntbs; i++) {
		done += write_thread(tbs[i], tbs, ntbs, now, force, 0);
		write_ahead(tbs[i], tbs, ntbs, force);
	}
	if (!done && !force && clab__reg_full())
		for (uint32_t i = 0; i < ntbs; i++)
			write_thread(tbs[i], tbs, ntbs, now, 0, 1);
	write_defs(tbs, ntbs);
	free(tbs);
	retire();
	out_flush();
	w.st.write_ns += thread_cpu_ns() - cpu0;
}

/*
 * The threads that had not ended when the trace was closed, as the META
 * key CLAB_META_RUNNING just before the end chunk (docs/trace-format.md),
 * and with it CLAB_META_CRASH when a fatal signal is why it closes, or
 * CLAB_META_SIGNAL when a stop signal's default action is (crash.c): a run
 * stopped (Ctrl-C, the time limit, a deadlock, a crash) rather than ended.
 * A close by the thread that opened the trace is the run's own end (a lab
 * that returned, a program's exit): threads it left running are the run's
 * doing, not a stop, and nothing is written.  Nor is it when no thread ran.
 */
static void write_running(void)
{
	struct clab_wbuf v = {0};
	char num[16];
	clab__lock(&clab__reg.lk);
	for (struct clab__tbuf *tb = clab__reg.threads; tb; tb = tb->next) {
		if (atomic_load(&tb->exited) || w.by_opener)
			continue;
		int n = snprintf(num, sizeof(num), "%s%u", v.len ? " " : "",
				 tb->tid);
		clab_wbuf_put(&v, num, (size_t)n);
	}
	clab__unlock(&clab__reg.lk);
	const char *why = atomic_load(&clab__crash_why);
	const char *stop = why ? NULL : atomic_load(&clab__stop_why);
	if (v.len || why || stop) {
		clab_wbuf_put(&v, "", 1);
		struct clab_wbuf m = {0};
		clab_wbuf_uv(&m, (v.len > 1) + (why != NULL) + (stop != NULL));
		if (v.len > 1) {
			clab_wbuf_str(&m, CLAB_META_RUNNING);
			clab_wbuf_str(&m, (const char *)v.p);
		}
		if (why) {
			clab_wbuf_str(&m, CLAB_META_CRASH);
			clab_wbuf_str(&m, why);
		}
		if (stop) {
			clab_wbuf_str(&m, CLAB_META_SIGNAL);
			clab_wbuf_str(&m, stop);
		}
		write_chunk(CLAB_CH_META, &m);
		clab_wbuf_free(&m);
	}
	clab_wbuf_free(&v);
}

/*
 * The end of the file (under w.lk): the records not written yet, the end
 * chunk with the counts, and the file closed.  Threads still running keep
 * their buffers; what they record from now on is not written.
 */
static void finish_file(void)
{
	pass(1);
	/* What a live thread published but will never be written is lost. */
	clab__lock(&clab__reg.lk);
	uint64_t drops = clab__reg.retired_drops;
	for (struct clab__tbuf *tb = clab__reg.threads; tb; tb = tb->next)
		drops += atomic_load(&tb->drops);
	clab__unlock(&clab__reg.lk);
	w.st.drops = drops;
	w.st.stalls = atomic_load(&clab__reg.stalls);
	write_running();
	if (w.codec.codec == CLAB_CODEC_ZSTD) {
		struct clab_wbuf dg = {0};
		clab__digest_chunk(&dg, atomic_load(&clab__writer_rescue) ||
					    atomic_load(&clab__crash_why));
		write_chunk(CLAB_CH_DIGEST, &dg);
		clab_wbuf_free(&dg);
	}
	struct clab_wbuf e = {0};
	clab_wbuf_uv(&e, w.st.records);
	clab_wbuf_uv(&e, w.st.drops);
	clab_wbuf_uv(&e, w.st.stalls);
	clab_wbuf_uv(&e, w.content_crc); /* since format 1.2 */
	write_chunk(CLAB_CH_END, &e);
	clab_wbuf_free(&e);
	if (w.signing) {
		/* the signature: after the end chunk, over all before it */
		uint8_t mac[CLAB_SIG_LEN];
		clab__sign_final(&w.sig, mac);
		w.signing = 0;
		struct clab_wbuf sb = {0};
		clab_wbuf_put(&sb, mac, sizeof(mac));
		write_chunk(CLAB_CH_SIGNATURE, &sb);
		clab_wbuf_free(&sb);
	}
	out_flush();
	if (close(w.fd) != 0)
		note_error(-errno);
	clab__writer_set_fd(-1);
	atomic_store(&clab__writer_file_open, 0);
}

/*
 * Records pile up: the blocks out, but for the live threads' current ones
 * (which the cap leaves out too, wait_for_room), reach a quarter of the
 * cap (PRESS_AT).
 * The writer at idle priority runs only in what the program's threads
 * leave of the CPUs, in pieces cut short whenever one of them wakes, and
 * a program that keeps every CPU busy while it records fills the buffer
 * and then waits for the writer anyway.  Called by the ticker, which runs
 * every millisecond at normal priority: it raises the writer, as a thread
 * that waits on it does, until a pass leaves less than half of that
 * (unpress_locked, by the writer).  The writer then shares the CPUs with
 * the program's threads rather than take their time all at once when
 * they run out of room (lock_heavy_4: 0.84x wall and CPU).
 */
#define PRESS_AT 4

/* Whether the blocks piled up are at least the cap divided by div. */
static int piled(size_t div)
{
	return atomic_load(&clab__reg.blocks_out) >=
	       atomic_load(&clab__reg.cap_blocks) / div +
		   atomic_load(&clab__reg.nlive);
}

static void press(void)
{
	if (!piled(PRESS_AT))
		return;
	clab__lock(&clab__writer_kick_lk);
	if (!w.pressed && w.prio == WPRIO_IDLE) {
		w.pressed = 1;
		w.boosters++;
		boost_locked();
	}
	clab__unlock(&clab__writer_kick_lk);
}

/*
 * After a pass (kick_lk held): the pile written, the press is over; and
 * when the writer's thread ends (all).
 */
static void unpress_locked(int all)
{
	if (w.pressed && (all || !piled(2 * PRESS_AT))) {
		w.pressed = 0;
		w.boosters--;
	}
}

/* The tick: a millisecond counter for the lazy time stamps (tracer-emit.h). */
static void *ticker_main(void *arg)
{
	(void)arg;
	struct timespec next;
	clock_gettime(CLOCK_MONOTONIC, &next);
	pthread_mutex_lock(&w.tick_lk);
	for (;;) {
		clab__ts_add_ms(&next, 1);
		int stop;
		/* woken before the time: by a close, or for nothing */
		while (!(stop = atomic_load(&w.tick_stop)) &&
		       pthread_cond_timedwait(&w.tick_cv, &w.tick_lk, &next) ==
			   0)
			;
		if (stop)
			break;
		atomic_fetch_add_explicit(&clab__tick, 1, memory_order_relaxed);
		press();
		/* late (a busy machine): go on from now, without a burst */
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (clab__ts_before(&next, &now))
			next = now;
	}
	pthread_mutex_unlock(&w.tick_lk);
	return NULL;
}

/*
 * The ticker's lock and condition variable, anew (an open, a fork's
 * child), the latter with ca, the writer's attributes (CLOCK_MONOTONIC).
 */
static void ticker_init(const pthread_condattr_t *ca)
{
	pthread_mutex_init(&w.tick_lk, NULL);
	pthread_cond_init(&w.tick_cv, ca);
	atomic_store(&w.tick_stop, 0);
}

/* Stop the ticker, at once, and wait for its end. */
static void ticker_stop(void)
{
	pthread_mutex_lock(&w.tick_lk);
	atomic_store(&w.tick_stop, 1);
	pthread_cond_signal(&w.tick_cv);
	pthread_mutex_unlock(&w.tick_lk);
	pthread_join(w.ticker, NULL);
}

/*
 * The writer's thread, at idle priority if it can leave it (see the top): a
 * pass every TICK_MS milliseconds, or at once when kicked.
 */
static void *writer_main(void *arg)
{
	(void)arg;
	writer_prio_start();
	clab__trace_old_close();
	atomic_store(&clab__writer_tid, gettid());
	for (;;) {
		clab__lock(&w.lk);
		if (atomic_load(&clab__writer_rescue)) {
			/* a fatal signal (clab__writer_save): the end, now,
			 * at normal priority where that is allowed */
			struct sched_param np = {0};
			(void)pthread_setschedparam(pthread_self(), SCHED_OTHER,
						    &np);
			if (w.fd >= 0)
				finish_file();
			w.saved = 1;
			/* nobody joins it in a program that dies of the signal,
			 * or that its own handler ends with _exit; a close
			 * under way (w.stop, set under w.lk) joins it */
			if (!w.stop) {
				w.running = 0;
				pthread_detach(pthread_self());
			}
			atomic_store(&clab__writer_tid, 0);
			clab__lock(&clab__writer_kick_lk);
			w.prio = WPRIO_NONE;
			unpress_locked(1);
			clab__unlock(&clab__writer_kick_lk);
			clab__unlock(&w.lk);
			return NULL;
		}
		pass(0);
		clab__unlock(&w.lk);
		clab__lock(&clab__writer_kick_lk);
		unpress_locked(0);
		if (w.prio == WPRIO_BOOSTED && !w.boosters) {
			/* nobody waits on it any more: idle again */
			struct sched_param sp = {0};
			if (pthread_setschedparam(pthread_self(), SCHED_IDLE,
						  &sp) == 0)
				w.prio = WPRIO_IDLE;
		}
		if (!w.kicked && !w.stop &&
		    !atomic_load(&clab__writer_rescue)) {
			struct timespec ts;
			clab__ts_in_ms(&ts, CLOCK_MONOTONIC, TICK_MS);
			w.sleeping = 1;
			pthread_cond_timedwait(&w.kick, &clab__writer_kick_lk,
					       &ts);
			w.sleeping = 0;
		}
		w.kicked = 0;
		int stop = w.stop;
		if (stop) {
			w.prio = WPRIO_NONE;
			unpress_locked(1);
		}
		clab__unlock(&clab__writer_kick_lk);
		if (stop)
			break;
	}
	atomic_store(&clab__writer_tid, 0);
	return NULL;
}

int clab__writer_help(void)
{
	if (clab__trylock(&w.lk) != 0)
		return 0; /* someone is writing already */
	if (w.fd >= 0)
		pass(0);
	clab__unlock(&w.lk);
	return 1;
}

static void write_header(const struct clab_meta_kv *meta, size_t nmeta,
			 const struct clab_meta_kv *more, size_t nmore)
{
	struct clab_wbuf h = {0};
	clab_wbuf_put(&h, CLAB_FMT_MAGIC, CLAB_FMT_MAGIC_LEN);
	clab_wbuf_u16le(&h, CLAB_FMT_MAJOR);
	/* a signed trace is 1.4: a 1.3 reader knows no signature chunk */
	/* zstd chunks, in the 1.8 form: 1.8, which a 1.4 reader refuses
	 * chunk by chunk and a 1.5 to 1.7 reader too */
	clab_wbuf_u16le(&h, w.codec.codec == CLAB_CODEC_ZSTD
				? CLAB_FMT_MINOR_HOLDS
			    : w.signing ? CLAB_FMT_MINOR_SIGNED
					: CLAB_FMT_MINOR);
	clab_wbuf_u32le(&h, 0);
	if (!h.oom) {
		struct iovec iov = {h.p, h.len};
		write_all(&iov, 1);
		/* since format 1.3 the content checksum covers the header */
		w.content_crc = (uint32_t)crc32(0, h.p, (uInt)h.len);
		if (w.signing)
			clab__sign_update(&w.sig, h.p, h.len);
	} else {
		note_error(-ENOMEM);
	}
	clab_wbuf_free(&h);

	struct clab_wbuf m = {0};
	clab_wbuf_uv(&m, nmeta + nmore + 1);
	clab_wbuf_str(&m, "conclab.version");
	clab_wbuf_str(&m, CLAB_VERSION);
	for (size_t i = 0; i < nmeta + nmore; i++) {
		const struct clab_meta_kv *kv =
		    i < nmeta ? &meta[i] : &more[i - nmeta];
		clab_wbuf_str(&m, kv->key);
		clab_wbuf_str(&m, kv->value);
	}
	write_chunk(CLAB_CH_META, &m);
	clab_wbuf_free(&m);
}

void clab__writer_reset(void)
{
	clab__digest_reset();
	free(w.skeys);
	free(w.svals);
	free(w.sites);
	free(w.last);
	free(w.stk_tid);
	free(w.stk_pid);
	clab__syms_free(w.syms);
	clab__sign_wipe(&w.sig);
	clab_wbuf_free(&w.ebuf);
	clab_wbuf_free(&w.zbuf);
	clab_wbuf_free(&w.dbuf);
	clab_wbuf_free(&w.obuf);
	clab__codec_end(&w.codec);
	free(w.path);
	int fd = w.fd;
	memset(&w.skeys, 0,
	       offsetof(struct clab__writer, recp) -
		   offsetof(struct clab__writer, skeys));
	w.path = NULL;
	w.fd = fd;
}

/* The header's "command" and "program", for a forked child's trace. */
static void keep_meta(const struct clab_meta_kv *meta, size_t n)
{
	free(w.m_command);
	free(w.m_program);
	w.m_command = w.m_program = NULL;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(meta[i].key, "command") == 0 && !w.m_command)
			w.m_command = strdup(meta[i].value);
		else if (strcmp(meta[i].key, "program") == 0 && !w.m_program)
			w.m_program = strdup(meta[i].value);
	}
}

/*
 * The end of an open, with w.fd open and w.lk held (released here): the
 * header with meta and more, the writer's threads, the crash handlers.
 */
int clab__writer_start_file(const struct clab_tracer_opts *o,
			    const struct clab_meta_kv *meta, size_t nmeta,
			    const struct clab_meta_kv *more, size_t nmore)
{
	w.content_crc = 0;
	write_header(meta, nmeta, more, nmore);
	out_flush();
	pthread_cond_init(&w.kick, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_destroy(&w.kick);
	pthread_cond_init(&w.kick, &ca);
	ticker_init(&ca);
	pthread_condattr_destroy(&ca);
	w.stop = 0;
	w.kicked = 0;
	/* on a virtual clock, the clock's owner moves the tick */
	int err = o->virtual_time
		      ? 0
		      : clab__thread_quiet(&w.ticker, "conclab-ticker",
					   ticker_main, NULL);
	w.ticking = err == 0 && !o->virtual_time;
	if (!err)
		err = clab__thread_quiet(&w.thr, "conclab-writer", writer_main,
					 NULL);
	w.running = err == 0;
	int ret = w.st.error;
	atomic_store(&clab__writer_file_open, 1);
	clab__unlock(&w.lk);
	if (err || ret) {
		clab_tracer_close(NULL);
		return err ? -err : ret;
	}
	clab__crash_arm(o);
	return 0;
}

/*
 * An earlier trace of the same name (a rerun) is unlinked and a new file
 * made, rather than truncated: ext4 writes a file that was truncated and
 * written again back to the disk at its close (auto_da_alloc, against an
 * empty file after a crash), which was 5 ms of the close of a 12 MB
 * trace.  The old file stays open until the writer's thread closes it
 * (w.old_fd), which frees its blocks there, not in the program's open
 * (2 ms for 12 MB, as a truncation took).  Only a regular file of one
 * name, the caller's own, that O_TRUNC may write is replaced so, with its
 * mode; a symbolic link, a device, a FIFO, a file with other names or
 * another owner is opened as it is.
 */
int clab__trace_create(const char *path)
{
	struct stat st;
	clab__trace_old_close();
	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1 &&
	    st.st_size > 0 && st.st_uid == geteuid() &&
	    faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) == 0) {
		int old = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (unlink(path) == 0) {
			int fd =
			    open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
				 0600);
			if (fd >= 0) {
				(void)fchmod(fd, st.st_mode & 07777);
				atomic_store(&w.old_fd, clab__fd_high(old));
				return clab__fd_high(fd);
			}
		}
		if (old >= 0)
			close(old);
		/* made by someone else meanwhile: as open(2) would */
	}
	return clab__fd_high(
	    open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
}

/*
 * The first descriptor that clab__fd_high looks at: 1000, or 24 under the
 * process's limit on descriptors when that is lower (never above it: a
 * table of a million descriptors is 8 MB of the kernel's).
 */
static int fd_floor(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < 1024)
		return rl.rlim_cur > 64 ? (int)rl.rlim_cur - 24 : 0;
	return 1000;
}

/*
 * A duplicate of fd out of the program's way, close-on-exec, or at the
 * lowest free number when none is free there (a dup2 onto the trace's
 * own number must find it another); -1 and errno on failure.
 */
static int dup_high(int fd)
{
	int from = fd_floor();
	int nfd = from > 0 ? fcntl(fd, F_DUPFD_CLOEXEC, from) : -1;
	return nfd >= 0 ? nfd : fcntl(fd, F_DUPFD_CLOEXEC, 0);
}

int clab__fd_high(int fd)
{
	int from = fd < 0 ? 0 : fd_floor();
	if (from == 0 || fd >= from)
		return fd;
	int saved = errno;
	int nfd = fcntl(fd, F_DUPFD_CLOEXEC, from);
	if (nfd >= 0) {
		close(fd);
		fd = nfd;
	}
	errno = saved;
	return fd;
}

void clab__trace_old_close(void)
{
	int old = atomic_exchange(&w.old_fd, -1);
	if (old >= 0)
		close(old);
}

_Atomic int clab__writer_fd = -1;

int clab__tracer_fd_kept(int fd)
{
	if (fd < 0)
		return 0;
	if (fd == atomic_load(&clab__writer_fd))
		return 1;
	/* the old file, not closed yet: the caller's to close now */
	int old = fd;
	if (atomic_load(&w.old_fd) == fd)
		atomic_compare_exchange_strong(&w.old_fd, &old, -1);
	return 0;
}

int clab__tracer_fd_in(unsigned first, unsigned last)
{
	int old = atomic_load(&w.old_fd);
	if (old >= 0 && (unsigned)old >= first && (unsigned)old <= last)
		(void)clab__tracer_fd_kept(old);
	int fd = atomic_load(&clab__writer_fd);
	return fd >= 0 && (unsigned)fd >= first && (unsigned)fd <= last ? fd
									: -1;
}

int clab__tracer_fd_move(int fd)
{
	if (fd < 0 || fd != atomic_load(&clab__writer_fd)) {
		(void)clab__tracer_fd_kept(fd); /* the old file's, given up */
		return 0;
	}
	int err = 0;
	clab__lock(&w.lk);
	if (fd == w.fd) { /* still the trace's, under the writer's lock */
		int nfd = dup_high(fd);
		if (nfd < 0)
			err = -errno;
		else
			clab__writer_set_fd(nfd); /* fd is the caller's now */
	}
	clab__unlock(&w.lk);
	return err;
}

/*
 * The trace's path, made absolute: its forked children's traces are named
 * after it (runtime/fork.c), and a program may change its directory before
 * it forks, as a daemon does (chdir("/")).  As given when the working
 * directory is gone.
 */
static char *abs_path(const char *path)
{
	char *cwd = path[0] == '/' ? NULL : getcwd(NULL, 0);
	if (!cwd)
		return strdup(path);
	size_t n = strlen(cwd) + strlen(path) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", cwd, path);
	free(cwd);
	return p;
}

int clab_tracer_open(const struct clab_tracer_opts *o)
{
	if (!o || !o->path || (o->key && o->key_len < CLAB_KEY_MIN) ||
	    o->codec < CLAB_TRACE_ZSTD || o->codec > CLAB_TRACE_NONE)
		return CLAB_EINVAL;
	clab__lock(&w.lk);
	if (w.fd >= 0 || w.saved) {
		clab__unlock(&w.lk);
		return CLAB_EBUSY;
	}
	clab__writer_reset();
	if (o->key) {
		int err = clab__sign_init(&w.sig, o->key, o->key_len);
		if (err) {
			clab__sign_wipe(&w.sig);
			clab__unlock(&w.lk);
			return err;
		}
		w.signing = 1;
	}
	int fd = clab__trace_create(o->path);
	if (fd < 0) {
		int err = -errno;
		clab__writer_reset(); /* the key too */
		clab__unlock(&w.lk);
		return err;
	}
	w.path = abs_path(o->path);
	if (!w.path) {
		close(fd);
		clab__writer_reset();
		clab__unlock(&w.lk);
		return CLAB_ENOMEM;
	}
	clab__writer_set_fd(fd);
	w.codec.level = o->compress > 9 ? 9 : o->compress;
	w.codec.codec = clab__codec_pick(o->codec, w.codec.level);
	if (o->compress < 0)
		w.codec.level =
		    w.codec.codec == CLAB_CODEC_ZSTD ? CLAB__ZSTD_FAST : 1;
	w.adapt = o->compress < 0 && w.codec.codec == CLAB_CODEC_ZSTD;
	w.stk_lost0 = clab__stacks_lost();
	clab__clock_start(o->virtual_time);
	/* in ticks once the writer knows the rate (clock.c), ticks_known */
	w.flush_ns = (uint64_t)(o->flush_ms ? o->flush_ms : 500) * 1000000u;
	w.flush_ticks = 0;
	size_t mb = o->buffer_mb ? o->buffer_mb : 8;
	clab__reg_reset(mb * (1u << 20) / sizeof(struct clab__block));
	clab__reg_open_main();
	keep_meta(o->meta, o->nmeta);
	return clab__writer_start_file(o, o->meta, o->nmeta, NULL, 0);
}

void clab__writer_lock_now(void)
{
	atomic_fetch_add(&w.lk_wanted, 1);
	/* the pass under way ends at normal priority */
	clab__writer_boost(1);
	clab__lock(&w.lk);
	clab__writer_boost(0);
	atomic_fetch_sub(&w.lk_wanted, 1);
}

int clab_tracer_meta_add(const char *key, const char *value)
{
	if (!key || !value)
		return CLAB_EINVAL;
	clab__writer_lock_now();
	if (w.fd < 0) {
		clab__unlock(&w.lk);
		return CLAB_EINVAL;
	}
	struct clab_wbuf m = {0};
	clab_wbuf_uv(&m, 1);
	clab_wbuf_str(&m, key);
	clab_wbuf_str(&m, value);
	write_chunk(CLAB_CH_META, &m);
	clab_wbuf_free(&m);
	int err = w.st.error;
	clab__unlock(&w.lk);
	return err;
}

int clab_tracer_active(void)
{
	return atomic_load(&clab__reg.open);
}

const char *clab__tracer_path(void)
{
	clab__lock(&w.lk);
	const char *p = w.fd >= 0 ? w.path : NULL;
	clab__unlock(&w.lk);
	return p;
}

int clab_tracer_flush(void)
{
	clab__lock(&w.lk);
	int err = CLAB_EINVAL;
	if (w.fd >= 0) {
		pass(1);
		err = w.st.error;
	}
	clab__unlock(&w.lk);
	return err;
}

int clab_tracer_close(struct clab_tracer_stats *st)
{
	/* not after a whole pass of the writer's, at idle priority */
	clab__writer_lock_now();
	if ((w.fd < 0 && !w.saved) || w.closing) {
		clab__unlock(&w.lk);
		return CLAB_EINVAL;
	}
	w.closing = 1; /* another close (say, exit() in a thread) keeps out */
	clab__lock(&clab__reg.lk);
	w.by_opener = pthread_equal(clab__reg.opener, pthread_self());
	clab__unlock(&clab__reg.lk);
	if (w.running) {
		clab__lock(&clab__writer_kick_lk);
		w.stop = 1;
		pthread_cond_signal(&w.kick);
		/* the close waits for the writer's last pass */
		boost_locked();
		clab__unlock(&clab__writer_kick_lk);
		clab__unlock(&w.lk);
		pthread_join(w.thr, NULL);
		clab__lock(&w.lk);
		w.running = 0;
	}
	if (w.ticking) {
		ticker_stop();
		w.ticking = 0;
	}
	clab__trace_old_close(); /* the writer never ran */
	/* a clab__writer_rescue may have finished the file while the writer
	 * stopped */
	if (w.fd >= 0)
		finish_file();
	clab__crash_disarm();
	clab__reg_release();
	atomic_store(&clab__vclock_on, 0);
	if (st)
		*st = w.st;
	int err = w.st.error;
	memset(&w.st, 0, sizeof(w.st));
	clab__writer_reset();
	keep_meta(NULL, 0);
	w.saved = 0;
	w.closing = 0;
	w.by_opener = 0;
	atomic_store(&clab__writer_rescue, 0);
	clab__unlock(&w.lk);
	return err;
}

int clab__writer_save(unsigned stall_ms)
{
	if (!atomic_load(&clab__writer_file_open))
		return 0; /* no trace, or it is finished already */
	pid_t wt = atomic_load(&clab__writer_tid);
	if (gettid() == wt)
		return CLAB_EDEADLK; /* the writer itself crashed */
	atomic_store(&clab__writer_rescue, 1);
	/*
	 * At idle priority the writer gets no CPU while the machine is busy,
	 * and the rescue would wait for nothing: normal priority at once, as
	 * the writer itself asks for when it sees the rescue.  One system
	 * call, without the writer's locks (the thread this runs on may hold
	 * them); its own bookkeeping (w.prio) is the writer's to mend.
	 */
	if (wt > 0) {
		struct sched_param np = {0};
		(void)sched_setscheduler(wt, SCHED_OTHER, &np);
	}
	uint64_t last = atomic_load(&progress);
	unsigned still = 0;
	while (atomic_load(&clab__writer_file_open)) {
		struct timespec ms = {0, 1000000L};
		clab__nap(&ms);
		uint64_t now = atomic_load(&progress);
		if (now != last) {
			last = now;
			still = 0;
		} else if (++still >= stall_ms) {
			return CLAB_ETIMEDOUT;
		}
	}
	return 0;
}
