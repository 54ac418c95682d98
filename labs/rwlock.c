/*
 * rwlock - readers and writers share a table: many readers, or one writer.
 *
 * `readers` threads each read the table `rounds` times, with a pause of
 * `think_ms` between reads (none by default: a reader asks again as soon
 * as it has let go), their starts spread over one read so that their
 * reads overlap; `writers` threads each write it `writes`
 * times, starting `start_ms` after the readers.  A read looks at the
 * table's two fields, `read_ms` apart; a write changes one, then after
 * `write_ms` the other: a reader that met a writer inside would see them
 * differ.  One reader-writer lock (clab_rwlock_t) guards the table; the
 * variants differ only in its policy, that is in who goes first when
 * readers and writers both want it (the readers-writers problem).
 *
 * Variants:
 *   readers-pref  a reader goes in whenever no writer is inside, even
 *                 while a writer waits: readers that keep overlapping
 *                 keep the writers out until they all stop (starvation)
 *   writer-pref   no reader goes in while a writer waits
 *   fair          first come, first served
 *
 * The check "writers not overtaken" follows the lock's own records: a
 * reader that arrives (asks, or goes in without asking) after a writer
 * started to wait, and goes in before that writer, overtook it.  That
 * never happens under writer-pref or fair, whatever the schedule; under
 * readers-pref it happens whenever a reader comes while a writer waits.
 *
 * Annotations: "read" (first field, second field) by a reader after its
 * read, "write" (the new value) by a writer before it unlocks.
 *
 * The exercise (labs/exercise-more.c) runs the same threads on a lock the
 * student made of a mutex and condition variables, which leaves no
 * reader-writer lock in the trace; its harness notes "want-read" /
 * "want-write" before asking for the lock and "read-in" / "write-in" once
 * in, and the checker follows those.  A reader arrives at its note; a
 * writer only when it first waits (a cond.wait or sem.wait) after its
 * note, since before that the student's lock may not know of it yet: a
 * reader that slipped in there did not overtake a waiting writer.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/runtime.h>

#include "lab.h"

#define MAX_READERS 16
#define MAX_WRITERS 8

enum { V_READERS, V_WRITERS, V_FAIR, V_COUNT };

enum {
	P_READERS,
	P_WRITERS,
	P_ROUNDS,
	P_WRITES,
	P_READ,
	P_WRITE,
	P_THINK,
	P_START,
	P_COUNT
};

static const struct clab_lab_param params[P_COUNT] = {
    [P_READERS] = {"readers", "reader threads", 4, 1, MAX_READERS},
    [P_WRITERS] = {"writers", "writer threads", 1, 1, MAX_WRITERS},
    [P_ROUNDS] = {"rounds", "reads by each reader", 8, 1, 1000},
    [P_WRITES] = {"writes", "writes by each writer", 2, 1, 1000},
    [P_READ] = {"read_ms", "time a read takes, ms", 4, 0, 10000},
    [P_WRITE] = {"write_ms", "time a write takes, ms", 1, 0, 10000},
    [P_THINK] = {"think_ms",
		 "pause between two reads of a reader, or two writes of a "
		 "writer, ms",
		 0, 0, 10000},
    [P_START] = {"start_ms",
		 "how long the writers wait before their first write, ms", 2, 0,
		 10000},
};

static const struct clab_lab_variant variants[V_COUNT] = {
    [V_READERS] =
	{
	    .name = "readers-pref",
	    .summary = "readers go in whenever no writer is inside",
	    .bug = "readers that keep coming overtake a waiting writer, "
		   "which waits until they all stop (writer starvation)",
	    .expect = 1,
	},
    [V_WRITERS] =
	{
	    .name = "writer-pref",
	    .summary = "no reader goes in while a writer waits",
	    .expect = 0,
	},
    [V_FAIR] =
	{
	    .name = "fair",
	    .summary = "first come, first served",
	    .expect = 0,
	},
};

static const int policy_of[V_COUNT] = {
    [V_READERS] = CLAB_RWLOCK_READERS,
    [V_WRITERS] = CLAB_RWLOCK_WRITERS,
    [V_FAIR] = CLAB_RWLOCK_FAIR,
};

struct table {
	const struct clab_lab_ctx *ctx;
	clab_rwlock_t lock;
	long first, second; /* a write changes both; a read sees both */
};

struct actor {
	struct table *tb;
	clab_thread_t *th;
	int index; /* from 0 */
	char name[24];
};

static void pause_ms(long ms)
{
	if (ms > 0)
		clab_sleep_ms((uint32_t)ms);
}

static void *reader_main(void *arg)
{
	struct actor *a = arg;
	struct table *tb = a->tb;
	const struct clab_lab_ctx *ctx = tb->ctx;

	/* the readers start spread over a read, so that they overlap */
	pause_ms(a->index * ctx->param[P_READ] / ctx->param[P_READERS]);
	for (long r = 1; r <= ctx->param[P_ROUNDS]; r++) {
		clab_rwlock_rdlock(&tb->lock);
		long first = tb->first;
		pause_ms(ctx->param[P_READ]);
		long second = tb->second;
		clab_note2("read", first, second);
		clab_lab_say(ctx, "%s reads %ld/%ld (%u reading)", a->name,
			     first, second, clab_rwlock_readers(&tb->lock));
		clab_rwlock_unlock(&tb->lock);
		pause_ms(ctx->param[P_THINK]);
	}
	return NULL;
}

static void *writer_main(void *arg)
{
	struct actor *a = arg;
	struct table *tb = a->tb;
	const struct clab_lab_ctx *ctx = tb->ctx;

	pause_ms(ctx->param[P_START]);
	for (long w = 1; w <= ctx->param[P_WRITES]; w++) {
		clab_lab_say(ctx, "%s wants to write", a->name);
		clab_rwlock_wrlock(&tb->lock);
		long v = tb->first + 1;
		tb->first = v;
		pause_ms(ctx->param[P_WRITE]);
		tb->second = v;
		clab_note("write", v);
		clab_lab_say(ctx, "%s writes %ld", a->name, v);
		clab_rwlock_unlock(&tb->lock);
		pause_ms(ctx->param[P_THINK]);
	}
	return NULL;
}

static int start(struct actor *a, struct table *tb, const char *role, int i,
		 void *(*fn)(void *))
{
	snprintf(a->name, sizeof(a->name), "%s-%d", role, i + 1);
	a->tb = tb;
	a->index = i;
	return clab_thread_create(&a->th, a->name, fn, a);
}

static int run(const struct clab_lab_ctx *ctx)
{
	struct table tb;
	struct actor rd[MAX_READERS], wr[MAX_WRITERS];
	int nr = (int)ctx->param[P_READERS], nw = (int)ctx->param[P_WRITERS];
	int rc = 0, sr = 0, sw = 0;

	if (nr < 1 || nr > MAX_READERS || nw < 1 || nw > MAX_WRITERS)
		return CLAB_EINVAL;
	memset(&tb, 0, sizeof(tb));
	tb.ctx = ctx;
	rc = clab_rwlock_init(&tb.lock, "table", policy_of[ctx->variant]);
	if (rc < 0)
		return rc;
	clab_lab_say(ctx, "%d readers and %d writer(s) share the table (%s)",
		     nr, nw, variants[ctx->variant].name);
	for (; sr < nr && rc >= 0; sr++)
		rc = start(&rd[sr], &tb, "reader", sr, reader_main);
	if (rc < 0)
		sr--;
	for (; sw < nw && rc >= 0; sw++)
		rc = start(&wr[sw], &tb, "writer", sw, writer_main);
	if (rc < 0 && sw > 0)
		sw--;
	for (int i = 0; i < sr; i++)
		clab_thread_join(rd[i].th, NULL);
	for (int i = 0; i < sw; i++)
		clab_thread_join(wr[i].th, NULL);
	clab_lab_say(ctx, "done: the table holds %ld/%ld", tb.first, tb.second);
	clab_rwlock_destroy(&tb.lock);
	return rc < 0 ? rc : 0;
}

/* ---- checker ---- */

/* The lab's lock: the first reader-writer lock of the trace. */
static uint32_t table_lock(const struct clab_trace *tr)
{
	for (uint32_t o = 1; o <= clab_trace_nobjects(tr); o++) {
		const struct clab_object_info *oi = clab_trace_object(tr, o);
		if (oi && oi->kind == CLAB_O_RWLOCK)
			return o;
	}
	return 0;
}

/* A writer's wait, as the lock's records tell it. */
struct wwait {
	uint64_t req_seq, req_ns; /* UINT64_MAX: not waiting */
	uint64_t passed;	  /* readers that overtook it */
};

struct overtake {
	uint64_t longest_ns;
	uint32_t longest_tid;
	uint64_t longest_passed; /* readers that overtook that wait */
	uint64_t passed;	 /* overtakes, every wait */
	uint64_t first_rec;	 /* the first overtaking reader's acquire */
};

/* What a record says about the lock: from its records, or the notes. */
enum rw_ev { EV_NONE, EV_WWANT, EV_WREQ, EV_RREQ, EV_RACQ, EV_WACQ };

static enum rw_ev rw_event(const struct clab_trace *tr,
			   const struct clab_record *r, uint32_t lock,
			   int *timeout)
{
	*timeout = 0;
	if (lock == 0) {
		const char *l = clab_lab_note_label(tr, r);
		if (l == NULL)
			return r->kind == CLAB_K_COND_WAIT ||
				       r->kind == CLAB_K_SEM_WAIT
				   ? EV_WREQ /* if it wants to write */
				   : EV_NONE;
		return strcmp(l, "want-write") == 0  ? EV_WWANT
		       : strcmp(l, "want-read") == 0 ? EV_RREQ
		       : strcmp(l, "read-in") == 0   ? EV_RACQ
		       : strcmp(l, "write-in") == 0  ? EV_WACQ
						     : EV_NONE;
	}
	if (r->obj != lock || !clab_kind_on_object(r->kind))
		return EV_NONE;
	const struct clab_kind_sem *sem = clab_kind_sem(r->kind);
	if (sem->act == CLAB_DO_TIMEOUT) {
		/* a wait that timed out ends like a writer's going in */
		*timeout = r->a8 ? 2 : 1; /* 2: a writer's */
		return EV_WACQ;
	}
	return sem->oe == CLAB_OE_WANT	       ? EV_WREQ /* a writer asks */
	       : sem->oe == CLAB_OE_READ_WANT  ? EV_RREQ
	       : sem->oe == CLAB_OE_READ_TAKE  ? EV_RACQ
	       : sem->oe == CLAB_OE_WRITE_TAKE ? EV_WACQ
					       : EV_NONE;
}

/* The writers' waits on lock (0: on the exercise's notes) and overtakes. */
static void follow_lock(const struct clab_trace *tr, uint32_t lock,
			struct overtake *ov)
{
	uint32_t nt = clab_trace_nthreads(tr);
	struct wwait *w = calloc(nt ? nt : 1, sizeof(*w));
	uint64_t *asked = calloc(nt ? nt : 1, sizeof(*asked));
	char *wants = calloc(nt ? nt : 1, 1); /* noted want-write, no wait */

	memset(ov, 0, sizeof(*ov));
	ov->first_rec = UINT64_MAX;
	if (!w || !asked || !wants) {
		free(w);
		free(asked);
		free(wants);
		return;
	}
	for (uint32_t t = 0; t < nt; t++)
		w[t].req_seq = asked[t] = UINT64_MAX;
	for (size_t i = 0; i < clab_trace_nrecords(tr); i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		int timeout;
		enum rw_ev ev = rw_event(tr, r, lock, &timeout);
		if (ev == EV_NONE || r->tid >= nt)
			continue;
		if (lock == 0 && ev == EV_WREQ && !wants[r->tid])
			continue; /* a wait, but not a writer's in its lock */
		switch (ev) {
		case EV_WWANT:
			wants[r->tid] = 1;
			break;
		case EV_WREQ:
			wants[r->tid] = 0;
			w[r->tid] = (struct wwait){r->seq, r->ns, 0};
			break;
		case EV_RREQ:
			asked[r->tid] = r->seq;
			break;
		case EV_RACQ: {
			/* it arrived when it asked, or now if it did not */
			uint64_t arrived = asked[r->tid] != UINT64_MAX
					       ? asked[r->tid]
					       : r->seq;
			asked[r->tid] = UINT64_MAX;
			for (uint32_t t = 0; t < nt; t++) {
				if (w[t].req_seq == UINT64_MAX ||
				    w[t].req_seq > arrived)
					continue;
				w[t].passed++;
				if (ov->passed++ == 0)
					ov->first_rec = r->seq;
			}
			break;
		}
		case EV_WACQ:
			wants[r->tid] = 0;
			if (w[r->tid].req_seq != UINT64_MAX) {
				uint64_t ns = r->ns - w[r->tid].req_ns;
				if (ns >= ov->longest_ns) {
					ov->longest_ns = ns;
					ov->longest_tid = r->tid;
					ov->longest_passed = w[r->tid].passed;
				}
				w[r->tid].req_seq = UINT64_MAX;
			}
			if (timeout == 1) /* a reader's timeout */
				asked[r->tid] = UINT64_MAX;
			break;
		case EV_NONE:
			break;
		}
	}
	free(w);
	free(asked);
	free(wants);
}

static void check(const struct clab_trace *tr, const struct clab_lab_ctx *ctx,
		  struct clab_lab_report *rep)
{
	long want_reads = ctx->param[P_READERS] * ctx->param[P_ROUNDS];
	long want_writes = ctx->param[P_WRITERS] * ctx->param[P_WRITES];
	long nread = 0, nwrite = 0, torn = 0;
	uint64_t torn_rec = UINT64_MAX;
	uint32_t lock = table_lock(tr);
	struct overtake ov;

	for (size_t i = 0; i < clab_trace_nrecords(tr); i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		const char *label = clab_lab_note_label(tr, r);
		if (label == NULL)
			continue;
		if (strcmp(label, "read") == 0) {
			nread++;
			if (r->val != (int64_t)r->a32 && torn++ == 0)
				torn_rec = r->seq;
		} else if (strcmp(label, "write") == 0) {
			nwrite++;
		}
	}
	if (nread == want_reads && nwrite == want_writes)
		clab_lab_report_add(rep, "rounds done", 1, UINT64_MAX,
				    "%ld reads and %ld writes", nread, nwrite);
	else
		clab_lab_report_add(rep, "rounds done", 0, UINT64_MAX,
				    "%ld reads and %ld writes, expected %ld "
				    "and %ld",
				    nread, nwrite, want_reads, want_writes);
	if (torn == 0)
		clab_lab_report_add(rep, "reads whole", 1, UINT64_MAX,
				    "every read saw both fields of one write");
	else
		clab_lab_report_add(rep, "reads whole", 0, torn_rec,
				    "%ld read(s) saw a write half done: a "
				    "writer was inside with a reader",
				    torn);

	follow_lock(tr, lock, &ov);
	if (ov.passed == 0)
		clab_lab_report_add(rep, "writers not overtaken", 1, UINT64_MAX,
				    "no reader went in ahead of a waiting "
				    "writer; the longest a writer waited: "
				    "%.1f ms",
				    (double)ov.longest_ns / 1e6);
	else
		clab_lab_report_add(
		    rep, "writers not overtaken", 0, ov.first_rec,
		    "%llu time(s) a reader that came after a waiting writer "
		    "went in first; %s waited %.1f ms while %llu reader(s) "
		    "overtook it (writer starvation)",
		    (unsigned long long)ov.passed,
		    clab_trace_thread_label(tr, ov.longest_tid),
		    (double)ov.longest_ns / 1e6,
		    (unsigned long long)ov.longest_passed);
	/* a lock made of a mutex (the exercise) must not poll under it; the
	 * lab itself takes no mutex */
	clab_lab_check_common_allow(tr, rep, CLAB_LAB_NEED_NO_POLL);
}

const struct clab_lab clab_lab_rwlock = {
    .name = "rwlock",
    .topic = CLAB_TOPIC_MUTEX,
    .teaches = "readers share a lock; if they are preferred, writers starve",
    .summary = "readers share a table, a writer has it alone; who goes "
	       "first",
    .idea = "a reader-writer lock lets many readers in at once, or one "
	    "writer; its policy decides whether a steady stream of readers "
	    "can keep a writer out for ever",
    .variants = variants,
    .nvariants = V_COUNT,
    .params = params,
    .nparams = P_COUNT,
    .run = run,
    .check = check,
};
