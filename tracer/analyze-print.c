/*
 * The analysis's output: its verdict as JSON, and the report of a whole
 * analysis (analyze.c computes it) as text or as JSON.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/analyze.h>
#include <conclab/error.h>
#include <conclab/label.h>
#include <conclab/export.h>
#include <conclab/semantics.h>

#include "analyze-int.h"
#include "clab-util.h"

static void json_rec(FILE *out, uint64_t seq)
{
	if (seq == UINT64_MAX)
		fputs("null", out);
	else
		fprintf(out, "%" PRIu64, seq);
}

void clab_verdict_json(const struct clab_verdict *v, FILE *out)
{
	uint64_t lo = v->cycle	? v->cycle->seq
		      : v->nest ? v->nest->seq
				: UINT64_MAX;
	if (v->cycle && v->nest && v->nest->seq < lo)
		lo = v->nest->seq;
	fputs("{\"incomplete\":", out);
	if (v->incomplete)
		clab_json_str(out, v->incomplete);
	else
		fputs("null", out);
	fprintf(out, ",\"lock_order\":{\"ok\":%s,\"record\":",
		v->ncycles + v->ninverted ? "false" : "true");
	json_rec(out, lo);
	fprintf(out, ",\"cycles\":%zu,\"latent\":%zu,\"gated\":%zu}",
		v->ncycles, v->nlatent, v->ngated);
	fprintf(out, ",\"deadlock\":{\"ok\":%s,\"record\":",
		v->stuck_seq == UINT64_MAX ? "true" : "false");
	json_rec(out, v->stuck_seq);
	fputs(",\"kind\":", out);
	if (v->stuck_seq == UINT64_MAX)
		fputs("null", out);
	else
		clab_json_str(out, clab_diag_tag(v->stuck_diag));
	fputs("}}", out);
}

/* ---- report ---- */

static const char *site_str(const struct clab_trace *tr, uint32_t id, char *buf,
			    size_t len)
{
	const struct clab_site_info *s = clab_trace_site(tr, id);
	if (!s)
		snprintf(buf, len, "an unknown site");
	else
		snprintf(buf, len, "%s:%d", clab_site_path(s->file), s->line);
	return buf;
}

/* A lock as reports name it: its class under an's --classes. */
static const char *lock_str(const struct clab_trace *tr,
			    const struct clab_analysis *an, uint32_t oid,
			    char *buf, size_t len)
{
	const struct clab_object_info *o = clab_trace_object(tr, oid);
	if (an->classes && oid <= an->nobjs && an->csize[oid] > 1) {
		const struct clab_site_info *si = clab_trace_site(tr, o->site);
		snprintf(buf, len, "class %s... (%u made at %s:%d)", o->name,
			 an->csize[oid], clab_site_path(si ? si->file : "?"),
			 si ? si->line : 0);
		return buf;
	}
	snprintf(buf, len, "%s", clab_trace_object_label(tr, oid));
	return buf;
}

/* The edge of c at position i, starting from its lowest lock. */
static const struct clab_ld_edge *cyc_edge(const struct clab_lockdep *ld,
					   const struct clab_ld_cycle *c,
					   uint32_t i)
{
	uint32_t first = 0;
	for (uint32_t k = 1; k < c->nedges; k++)
		if (clab_lockdep_edge(ld, c->edges[k])->from <
		    clab_lockdep_edge(ld, c->edges[first])->from)
			first = k;
	return clab_lockdep_edge(ld, c->edges[(first + i) % c->nedges]);
}

/*
 * A possible interleaving: each thread takes the first lock of its edge,
 * then all request their second and wait for each other.  One column per
 * thread when that fits in 80 columns, else one line per step.
 */
static void print_interleaving(const struct clab_trace *tr,
			       const struct clab_analysis *an,
			       const struct clab_ld_cycle *c, FILE *out)
{
	const struct clab_lockdep *ld = an->ld;
	enum { COL = 16 };
	char b1[64], who[64], act[96];
	int table = 4 + 6 + c->nedges * (COL + 1) <= 80;
	fprintf(out, "  A possible interleaving%s:\n",
		table ? " (one column per thread)" : "");
	if (table) {
		fprintf(out, "    %-5s", "step");
		for (uint32_t i = 0; i < c->nedges; i++) {
			const struct clab_ld_edge *e = cyc_edge(ld, c, i);
			if (c->cls == CLAB_LD_LATENT)
				snprintf(who, sizeof(who), "thread #%u",
					 (unsigned)i + 1);
			else
				snprintf(who, sizeof(who), "%s",
					 clab_trace_thread_label(tr, e->tid));
			if (i + 1 < c->nedges)
				fprintf(out, " %-*.*s", COL, COL, who);
			else
				fprintf(out, " %.*s", COL, who);
		}
		fprintf(out, "\n");
	}
	unsigned step = 1;
	for (int phase = 0; phase < 2; phase++)
		for (uint32_t i = 0; i < c->nedges; i++) {
			const struct clab_ld_edge *e = cyc_edge(ld, c, i);
			snprintf(act, sizeof(act), "%s %s",
				 phase ? "waits for" : "locks",
				 lock_str(tr, an, phase ? e->to : e->from, b1,
					  sizeof(b1)));
			if (table) {
				fprintf(out, "    %-5u", step++);
				for (uint32_t k = 0; k < i; k++)
					fprintf(out, " %-*s", COL, "");
				fprintf(out, " %s\n", act);
				continue;
			}
			if (c->cls == CLAB_LD_LATENT)
				snprintf(who, sizeof(who), "thread #%u",
					 (unsigned)i + 1);
			else
				snprintf(who, sizeof(who), "%s",
					 clab_trace_thread_label(tr, e->tid));
			fprintf(out, "    %-4u %-16s %s\n", step++, who, act);
		}
	fprintf(out, "    Now every thread waits for a lock the next one "
		     "holds: none can go on.\n");
}

/*
 * A global order (creation order) and the edges of c that go against it,
 * after head ("  Fix: "), folded at the report's width.
 */
static void print_fix(const struct clab_trace *tr,
		      const struct clab_analysis *an,
		      const struct clab_ld_cycle *c, const char *head,
		      FILE *out)
{
	const struct clab_lockdep *ld = an->ld;
	char b1[64], b2[64], s1[160], s2[160];
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	uint32_t *locks = malloc(c->nedges * sizeof(*locks));
	if (!f || !locks) {
		if (f)
			fclose(f);
		free(text);
		free(locks);
		return;
	}
	for (uint32_t i = 0; i < c->nedges; i++)
		locks[i] = clab_lockdep_edge(ld, c->edges[i])->from;
	qsort(locks, c->nedges, sizeof(*locks), clab__cmp_u32);
	fprintf(f,
		"%stake these locks in one global order, such as the order "
		"they were made in: ",
		head);
	for (uint32_t i = 0; i < c->nedges; i++)
		fprintf(f, "%s%s", i ? " < " : "",
			lock_str(tr, an, locks[i], b1, sizeof(b1)));
	fprintf(f, ".");
	free(locks);
	for (uint32_t i = 0; i < c->nedges; i++) {
		const struct clab_ld_edge *e = cyc_edge(ld, c, i);
		if (e->from < e->to)
			continue;
		fprintf(f,
			" Against that order: %s takes %s (%s) before %s (%s).",
			clab_trace_thread_label(tr, e->tid),
			lock_str(tr, an, e->from, b1, sizeof(b1)),
			site_str(tr, e->from_site, s1, sizeof(s1)),
			lock_str(tr, an, e->to, b2, sizeof(b2)),
			site_str(tr, e->to_site, s2, sizeof(s2)));
	}
	if (fclose(f) == 0)
		clab_wrapf(out, 4, "%s", text);
	free(text);
}

/*
 * A record of thread tid about lock at site, with a call stack: the record
 * seq itself if it has one, else the first of that thread's records of
 * the same kinds (a request, or an acquire when acquire is set) about the
 * lock at the site.  NULL when the trace has no such stack.
 */
static const struct clab_record *stacked(const struct clab_trace *tr,
					 uint64_t seq, uint32_t tid,
					 uint32_t lock, uint32_t site,
					 int acquire)
{
	const struct clab_record *r = clab_trace_record(tr, seq);
	if (r && r->stack)
		return r;
	if (!clab_trace_nstacks(tr))
		return NULL;
	for (size_t i = 0; i < clab_trace_nrecords(tr); i++) {
		r = clab_trace_record(tr, i);
		if (!r->stack || r->tid != tid || r->obj != lock ||
		    r->site != site)
			continue;
		/* the lock taken, or asked for (a semaphore's wait) */
		unsigned act = clab_kind_sem(r->kind)->act;
		if (acquire
			? act == CLAB_DO_ACQUIRE
			: act == CLAB_DO_REQUEST || act == CLAB_DO_WAIT_BEGIN)
			return r;
	}
	return NULL;
}

/* The call stack of r, indented under the line of its edge. */
static void print_stack(const struct clab_trace *tr,
			const struct clab_record *r, const char *what,
			FILE *out)
{
	const struct clab_stack_info *st =
	    r ? clab_trace_stack(tr, r->stack) : NULL;
	if (!st)
		return;
	fprintf(out, "      %s (record %" PRIu64 ", stack %u):\n", what, r->seq,
		r->stack);
	for (uint32_t k = 0; k < st->nframes; k++) {
		const struct clab_frame_info *f = &st->frames[k];
		fprintf(out, "        %s (%s", f->func,
			clab_site_path(f->file));
		if (f->line)
			fprintf(out, ":%d", f->line);
		fprintf(out, ")\n");
	}
}

static const char *cycle_what(const struct clab_ld_cycle *c)
{
	return c->cls == CLAB_LD_DEADLOCK ? "potential deadlock"
	       : c->cls == CLAB_LD_TIMED_ONLY
		   ? "warning: lock order kept only by a timeout"
	       : c->cls == CLAB_LD_LATENT
		   ? "latent lock-order cycle (one thread)"
	       : c->cls == CLAB_LD_SHARED ? "note: lock-order cycle of readers"
					  : "note: gated lock-order cycle";
}

/* Why a gated cycle, or one of readers, cannot deadlock: folded. */
static void print_harmless(const struct clab_trace *tr,
			   const struct clab_analysis *an,
			   const struct clab_ld_cycle *c, FILE *out)
{
	char b1[64];
	const char *gate = lock_str(tr, an, c->gate, b1, sizeof(b1));
	if (c->cls == CLAB_LD_SHARED)
		clab_wrapf(out, 2,
			   "  Some lock of this cycle was only ever read where "
			   "the cycle passes it, and readers do not wait for "
			   "each other: it cannot deadlock.");
	else if (c->gate_permits)
		clab_wrapf(out, 2,
			   "  Every edge was taken while holding a permit of "
			   "%s, which lets at most %u thread(s) in at once; a "
			   "deadlock on this cycle needs %u threads inside it, "
			   "one per edge, so it cannot deadlock as long as %s "
			   "guards it.",
			   gate, c->gate_permits, c->nedges, gate);
	else
		clab_wrapf(out, 2,
			   "  Every edge was taken while holding %s, so two "
			   "threads can never be inside this cycle at once: it "
			   "cannot deadlock as long as %s guards it.",
			   gate, gate);
}

static void print_cycle(const struct clab_trace *tr,
			const struct clab_analysis *an,
			const struct clab_ld_cycle *c, FILE *out)
{
	const struct clab_lockdep *ld = an->ld;
	char b1[64], b2[64], s1[160], s2[160];
	const char *what = cycle_what(c);
	fprintf(out, "lock-order cycle %u: %s, %u locks\n", c->id + 1, what,
		c->nedges);
	fprintf(out, "  closed at record %" PRIu64 " by %s", c->seq,
		clab_trace_thread_label(tr, c->tid));
	if (c->seen > 1)
		fprintf(out, "; closed %" PRIu64 " times", c->seen);
	fprintf(out, "\n\n    ");
	for (uint32_t i = 0; i < c->nedges; i++)
		fprintf(
		    out, "%s -> ",
		    lock_str(tr, an, cyc_edge(ld, c, i)->from, b1, sizeof(b1)));
	fprintf(out, "%s\n\n",
		lock_str(tr, an, cyc_edge(ld, c, 0)->from, b1, sizeof(b1)));
	for (uint32_t i = 0; i < c->nedges; i++) {
		const struct clab_ld_edge *e = cyc_edge(ld, c, i);
		fprintf(out,
			"  %s -> %s: %s held %s (taken at %s) and requested "
			"%s at %s",
			lock_str(tr, an, e->from, b1, sizeof(b1)),
			lock_str(tr, an, e->to, b2, sizeof(b2)),
			clab_trace_thread_label(tr, e->tid),
			lock_str(tr, an, e->from, b1, sizeof(b1)),
			site_str(tr, e->from_site, s1, sizeof(s1)),
			lock_str(tr, an, e->to, b2, sizeof(b2)),
			site_str(tr, e->to_site, s2, sizeof(s2)));
		if (e->timed && !e->untimed)
			fprintf(out, " with a timeout");
		fprintf(out, " (record %" PRIu64, e->first_seq);
		if (e->count > 1)
			fprintf(out, ", %" PRIu64 " times, last %" PRIu64,
				e->count, e->last_seq);
		if (e->multi_thread)
			fprintf(out, ", by several threads");
		fprintf(out, ")\n");
		/* with --stacks: where it was requested, and where held */
		print_stack(
		    tr, stacked(tr, e->first_seq, e->tid, e->to, e->to_site, 0),
		    "request", out);
		print_stack(
		    tr,
		    stacked(tr, UINT64_MAX, e->tid, e->from, e->from_site, 1),
		    "held lock taken", out);
	}
	fprintf(out, "\n");
	switch (c->cls) {
	case CLAB_LD_GATED:
	case CLAB_LD_SHARED:
		print_harmless(tr, an, c, out);
		return;
	case CLAB_LD_LATENT:
		if (c->nedges == 1) {
			fprintf(out,
				"  A reader asked for the write lock while "
				"still reading (an upgrade): a writer\n"
				"  waits for every reader, itself "
				"included.  Alone it waits for itself "
				"unless\n  it gives up; two threads doing "
				"it at once wait for each other.\n");
			return;
		}
		fprintf(out,
			"  One thread took these locks in both orders.  "
			"Alone it cannot deadlock, but two\n  threads running "
			"this code at once can:\n");
		break;
	case CLAB_LD_TIMED_ONLY:
		fprintf(out,
			"  This order survives only because a timed lock "
			"gives up; without the timeout\n  it deadlocks:\n");
		break;
	case CLAB_LD_DEADLOCK:
		if (c->nedges == 1) {
			fprintf(out,
				"  Several readers asked for the write lock "
				"while still reading (an upgrade):\n  "
				"each waits for the others to stop "
				"reading, and none does.\n");
			return;
		}
		break;
	}
	print_interleaving(tr, an, c, out);
	print_fix(tr, an, c, "  Fix: ", out);
}

static void print_nests(const struct clab_trace *tr,
			const struct clab_analysis *an, FILE *out)
{
	char s1[160], s2[160];
	for (size_t i = 0; i < an->nnests; i++) {
		const struct clab_class_nest *c = &an->nests[i];
		const struct clab_object_info *o =
		    clab_trace_object(tr, c->held);
		const struct clab_site_info *si = clab_trace_site(tr, o->site);
		fprintf(out,
			"%s: %s holds %s (taken at %s) and requests %s at %s "
			"(record %" PRIu64,
			c->inverted ? "class order" : "note: class nesting",
			clab_trace_thread_label(tr, c->tid),
			clab_trace_object_label(tr, c->held),
			site_str(tr, c->held_site, s1, sizeof(s1)),
			clab_trace_object_label(tr, c->lock),
			site_str(tr, c->site, s2, sizeof(s2)), c->seq);
		if (c->count > 1)
			fprintf(out, ", %" PRIu64 " times", c->count);
		fprintf(out, ")\n");
		if (c->inverted)
			fprintf(out,
				"  Both were made at %s:%d, one class: take "
				"them in increasing index, %ld before %ld.\n",
				clab_site_path(si ? si->file : "?"),
				si ? si->line : 0,
				clab__analyze_lock_index(tr, c->lock),
				clab__analyze_lock_index(tr, c->held));
		else
			fprintf(out,
				"  Both were made at %s:%d, one class, and "
				"have no index: give them one with\n  "
				"clab_mutex_init_indexed() so that their order "
				"can be checked.\n",
				clab_site_path(si ? si->file : "?"),
				si ? si->line : 0);
	}
}

/*
 * Why nobody will wake s's waiters: the threads that did signal it, and
 * what each does now (waits, on what, or has ended).
 */
static void print_wakers(const struct clab_trace *tr,
			 const struct clab_analysis *an,
			 const struct clab_stuck_obj *s, FILE *f)
{
	enum { SHOW = 6 };
	uint32_t obj = s->first->obj;
	if (!s->nwakers)
		return;
	fprintf(f, "; %s signal it: ",
		s->nwakers > 1 ? "the threads that" : "the one thread that");
	for (size_t k = 0; k < s->nwakers && k < SHOW; k++) {
		fprintf(f, "%s%s", k ? ", " : "",
			clab_trace_thread_label(tr, s->wakers[k]));
		if (s->wakers_on)
			continue;
		const struct clab_blocked_at *b =
		    clab_analysis_blocked(an, s->wakers[k]);
		if (b)
			fprintf(f, " (waits on %s)",
				b->obj == obj
				    ? "it"
				    : clab_trace_object_label(tr, b->obj));
		else
			fprintf(f, " (ended)");
	}
	if (s->nwakers > SHOW)
		fprintf(f, " and %zu more", s->nwakers - SHOW);
	if (s->wakers_on)
		fprintf(f, ", %s on %s",
			s->nwakers > 1 ? "all waiting" : "waiting",
			s->wakers_on == obj
			    ? "it too"
			    : clab_trace_object_label(tr, s->wakers_on));
}

/*
 * For each condition, latch or semaphore that blocked threads wait on
 * (once each): the last record that could have woken them, whom it woke
 * instead, and who else could, after heading (when there is one).
 */
static void print_last_signals(const struct clab_trace *tr,
			       const struct clab_analysis *an,
			       const char *heading, FILE *out)
{
	char s1[160];
	struct clab_stuck_obj st;
	int said = 0;
	for (size_t i = 0; clab_analysis_stuck(tr, an, i, &st) == 0; i++) {
		const struct clab_blocked_at *b = st.first;
		const struct clab_object_info *o =
		    clab_trace_object(tr, b->obj);
		char *line = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&line, &len);
		if (!f)
			break;
		fprintf(f, "  %s (%zu waiting): ",
			clab_trace_object_label(tr, b->obj), st.nwait);
		int sem = clab_kind_sem(b->signal_kind)->act == CLAB_DO_RELEASE;
		if (b->signal_seq == UINT64_MAX) {
			fprintf(f, "never %s",
				o->kind == CLAB_O_COND	  ? "signalled"
				: o->kind == CLAB_O_LATCH ? "set"
							  : "released");
		} else {
			fprintf(f,
				"its last %s, record %" PRIu64 " by %s at %s, ",
				clab_kind_name(b->signal_kind), b->signal_seq,
				clab_trace_thread_label(tr, b->signal_tid),
				site_str(tr, b->signal_site, s1, sizeof(s1)));
			if (b->signal_woke == UINT32_MAX)
				fprintf(f, sem ? "gave a permit nobody took"
					       : "woke nobody");
			else
				fprintf(
				    f,
				    sem ? "gave its permit to %s" : "woke %s",
				    clab_trace_thread_label(tr,
							    b->signal_woke));
			if (st.woke_since != UINT64_MAX)
				fprintf(f,
					", which waits on it again since "
					"record %" PRIu64,
					st.woke_since);
		}
		print_wakers(tr, an, &st, f);
		if (fclose(f) == 0) {
			if (!said && heading)
				fputs(heading, out);
			said = 1;
			clab_wrapf(out, 4, "%s", line);
		}
		free(line);
	}
}

/*
 * A wait while holding a lock: one folded line; the call stacks (with
 * --stacks) unless brief.
 */
static void print_hold_wait(const struct clab_trace *tr,
			    const struct clab_analysis *an,
			    const struct clab_hold_wait *w, int brief,
			    FILE *out)
{
	char b3[64], s1[160], s2[160], times[48] = "";
	const struct clab_object_info *o = clab_trace_object(tr, w->obj);
	if (w->count > 1)
		snprintf(times, sizeof(times), ", %" PRIu64 " times", w->count);
	clab_wrapf(out, 2,
		   "warning: %s waits on %s %s at %s while holding %s (taken "
		   "at %s; record %" PRIu64 "%s). No other thread can take %s "
		   "until the wait ends.",
		   clab_trace_thread_label(tr, w->tid),
		   o ? clab_objkind_name(o->kind) : "object",
		   clab_trace_object_label(tr, w->obj),
		   site_str(tr, w->site, s1, sizeof(s1)),
		   lock_str(tr, an, w->held, b3, sizeof(b3)),
		   site_str(tr, w->held_site, s2, sizeof(s2)), w->seq, times,
		   lock_str(tr, an, w->held, b3, sizeof(b3)));
	if (brief)
		return;
	print_stack(tr, clab_trace_record(tr, w->seq), "wait", out);
	print_stack(tr,
		    stacked(tr, UINT64_MAX, w->tid, w->held, w->held_site, 1),
		    "held lock taken", out);
}

/* Every lock of c is one that a thread was blocked on at the end. */
static int deadlocked(const struct clab_analysis *an,
		      const struct clab_ld_cycle *c)
{
	for (uint32_t k = 0; k < c->nedges; k++) {
		uint32_t lock = cyc_edge(an->ld, c, k)->from;
		size_t j = 0;
		while (j < an->nblocked && an->blocked[j].obj != lock)
			j++;
		if (j == an->nblocked)
			return 0;
	}
	return c->nedges > 0;
}

void clab_analysis_print_brief(const struct clab_trace *tr,
			       const struct clab_analysis *an, FILE *out)
{
	char b1[64];
	print_nests(tr, an, out);
	uint32_t nc = clab_lockdep_ncycles(an->ld);
	for (uint32_t i = 0; i < nc; i++) {
		const struct clab_ld_cycle *c = clab_lockdep_cycle(an->ld, i);
		int fix = c->nedges > 1 && (c->cls == CLAB_LD_DEADLOCK ||
					    c->cls == CLAB_LD_LATENT ||
					    c->cls == CLAB_LD_TIMED_ONLY);
		/* the watchdog drew this cycle: what is left to say is the fix
		 */
		if (fix && deadlocked(an, c)) {
			print_fix(tr, an, c, "fix: ", out);
			continue;
		}
		char *chain = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&chain, &len);
		if (!f)
			break;
		for (uint32_t k = 0; k <= c->nedges; k++)
			fprintf(
			    f, "%s%s", k ? " -> " : "",
			    lock_str(tr, an,
				     cyc_edge(an->ld, c, k % c->nedges)->from,
				     b1, sizeof(b1)));
		if (fclose(f) == 0)
			clab_wrapf(
			    out, 2,
			    "lock order: %s, %s (closed at record %" PRIu64
			    " by %s)",
			    cycle_what(c), chain, c->seq,
			    clab_trace_thread_label(tr, c->tid));
		free(chain);
		if (fix)
			print_fix(tr, an, c, "  fix: ", out);
		else if (c->cls == CLAB_LD_GATED || c->cls == CLAB_LD_SHARED)
			print_harmless(tr, an, c, out);
	}
	for (size_t i = 0; i < an->nwaits; i++)
		print_hold_wait(tr, an, &an->waits[i], 1, out);
	print_last_signals(tr, an, "why nobody wakes the waiting threads:\n",
			   out);
}

int clab_analysis_brief_says(const struct clab_trace *tr,
			     const struct clab_analysis *an)
{
	return clab_lockdep_ncycles(an->ld) || an->nwaits || an->nnests ||
	       clab_analysis_nstuck(tr, an);
}

void clab_analysis_print(const struct clab_trace *tr,
			 const struct clab_analysis *an, FILE *out)
{
	print_nests(tr, an, out);
	uint32_t nc = clab_lockdep_ncycles(an->ld);
	for (uint32_t i = 0; i < nc; i++) {
		print_cycle(tr, an, clab_lockdep_cycle(an->ld, i), out);
		fprintf(out, "\n");
	}
	for (size_t i = 0; i < an->nwaits; i++)
		print_hold_wait(tr, an, &an->waits[i], 0, out);
	if (an->stuck_seq != UINT64_MAX && an->stuck_diag != CLAB_D_DEADLOCK)
		fprintf(out,
			"%s at record %" PRIu64 " (the watchdog's report)\n",
			an->stuck_diag == CLAB_D_STEP_LIMIT
			    ? "the run never ended (the step limit)"
			    : "the run hit its time limit",
			an->stuck_seq);
	if (an->nblocked && an->deadlock_seq != UINT64_MAX)
		fprintf(out,
			"deadlock at record %" PRIu64
			" (the watchdog's report):\n",
			an->deadlock_seq);
	else if (an->nblocked) /* a time or step limit: no deadlock */
		fprintf(out, "waiting when the watchdog stopped the run:\n");
	else if (an->stuck_seq != UINT64_MAX &&
		 an->stuck_diag == CLAB_D_DEADLOCK)
		/* its threads waited in the kernel, on other processes */
		fprintf(out,
			"deadlock at record %" PRIu64
			" (the watchdog's report):\n  no thread waits on a "
			"conclab object: they wait in the kernel (read,\n  "
			"write, waitpid, a process-shared lock) for other "
			"processes (conclab\n  trace printed which)\n",
			an->stuck_seq);
	for (size_t i = 0; i < an->nblocked; i++) {
		const struct clab_blocked_at *b = &an->blocked[i];
		const struct clab_object_info *o =
		    clab_trace_object(tr, b->obj);
		fprintf(out, "  %s waits on %s %s since record %" PRIu64,
			clab_trace_thread_label(tr, b->tid),
			o ? clab_objkind_name(o->kind) : "object",
			clab_trace_object_label(tr, b->obj), b->since);
		if (b->holder != UINT32_MAX)
			fprintf(out, ", held by %s",
				clab_trace_thread_label(tr, b->holder));
		fprintf(out, "\n");
	}
	print_last_signals(tr, an, NULL, out);
}

static void jsite(const struct clab_trace *tr, uint32_t id, FILE *out)
{
	char s[160];
	clab_json_str(out, site_str(tr, id, s, sizeof(s)));
}

/* ,"KEY":{"record":N,"frames":[...]}: r's call stack, when it has one. */
static void jstack(const struct clab_trace *tr, const struct clab_record *r,
		   const char *key, FILE *out)
{
	const struct clab_stack_info *st =
	    r ? clab_trace_stack(tr, r->stack) : NULL;
	if (!st)
		return;
	fprintf(out, ",\"%s\":{\"record\":%" PRIu64 ",\"frames\":[", key,
		r->seq);
	for (uint32_t k = 0; k < st->nframes; k++) {
		const struct clab_frame_info *f = &st->frames[k];
		fprintf(out, "%s{\"func\":", k ? "," : "");
		clab_json_str(out, f->func);
		fprintf(out, ",\"file\":");
		clab_json_str(out, clab_site_path(f->file));
		fprintf(out, ",\"line\":%d}", f->line);
	}
	fprintf(out, "]}");
}

void clab_analysis_json(const struct clab_trace *tr,
			const struct clab_analysis *an, FILE *out)
{
	char b[64];
	static const char *const cls[] = {"potential-deadlock", "timed",
					  "latent", "gated", "shared"};
	for (uint32_t i = 0; i < clab_lockdep_ncycles(an->ld); i++) {
		const struct clab_ld_cycle *c = clab_lockdep_cycle(an->ld, i);
		fprintf(out,
			"{\"type\":\"lock-cycle\",\"id\":%u,\"class\":\"%s\","
			"\"closed_at\":%" PRIu64
			",\"thread\":%u,\"seen\":%" PRIu64,
			c->id + 1, cls[c->cls], c->seq, c->tid, c->seen);
		if (c->cls == CLAB_LD_GATED) {
			fprintf(out, ",\"gate\":");
			clab_json_str(out,
				      lock_str(tr, an, c->gate, b, sizeof(b)));
			fprintf(out, ",\"gate_permits\":%u",
				c->gate_permits ? c->gate_permits : 1);
		}
		fprintf(out, ",\"edges\":[");
		for (uint32_t k = 0; k < c->nedges; k++) {
			const struct clab_ld_edge *e =
			    clab_lockdep_edge(an->ld, c->edges[k]);
			fprintf(out, "%s{\"from\":", k ? "," : "");
			clab_json_str(out,
				      lock_str(tr, an, e->from, b, sizeof(b)));
			fprintf(out, ",\"from_id\":%u,\"to\":", e->from);
			clab_json_str(out,
				      lock_str(tr, an, e->to, b, sizeof(b)));
			fprintf(out, ",\"to_id\":%u,\"thread\":%u,\"held_at\":",
				e->to, e->tid);
			jsite(tr, e->from_site, out);
			fprintf(out, ",\"requested_at\":");
			jsite(tr, e->to_site, out);
			fprintf(out,
				",\"first\":%" PRIu64 ",\"last\":%" PRIu64
				",\"count\":%" PRIu64 ",\"timed\":%s",
				e->first_seq, e->last_seq, e->count,
				e->timed && !e->untimed ? "true" : "false");
			jstack(tr,
			       stacked(tr, e->first_seq, e->tid, e->to,
				       e->to_site, 0),
			       "request_stack", out);
			jstack(tr,
			       stacked(tr, UINT64_MAX, e->tid, e->from,
				       e->from_site, 1),
			       "held_stack", out);
			fprintf(out, "}");
		}
		fprintf(out, "]}\n");
	}
	for (size_t i = 0; i < an->nwaits; i++) {
		const struct clab_hold_wait *w = &an->waits[i];
		fprintf(out,
			"{\"type\":\"wait-holding\",\"record\":%" PRIu64
			",\"thread\":%u,\"waits_on\":",
			w->seq, w->tid);
		clab_json_str(out,
			      clab_trace_objname(tr, w->obj, b, sizeof(b)));
		fprintf(out, ",\"at\":");
		jsite(tr, w->site, out);
		fprintf(out, ",\"holding\":");
		clab_json_str(out, lock_str(tr, an, w->held, b, sizeof(b)));
		fprintf(out, ",\"held_at\":");
		jsite(tr, w->held_site, out);
		fprintf(out, ",\"count\":%" PRIu64, w->count);
		jstack(tr, clab_trace_record(tr, w->seq), "stack", out);
		jstack(
		    tr,
		    stacked(tr, UINT64_MAX, w->tid, w->held, w->held_site, 1),
		    "held_stack", out);
		fprintf(out, "}\n");
	}
	for (size_t i = 0; i < an->nnests; i++) {
		const struct clab_class_nest *c = &an->nests[i];
		fprintf(out,
			"{\"type\":\"class-%s\",\"record\":%" PRIu64
			",\"thread\":%u,\"holds\":",
			c->inverted ? "order" : "nesting", c->seq, c->tid);
		clab_json_str(out,
			      clab_trace_objname(tr, c->held, b, sizeof(b)));
		fprintf(out, ",\"held_at\":");
		jsite(tr, c->held_site, out);
		fprintf(out, ",\"requests\":");
		clab_json_str(out,
			      clab_trace_objname(tr, c->lock, b, sizeof(b)));
		fprintf(out, ",\"at\":");
		jsite(tr, c->site, out);
		fprintf(out, ",\"count\":%" PRIu64 "}\n", c->count);
	}
	for (size_t i = 0; i < an->nblocked; i++) {
		const struct clab_blocked_at *bl = &an->blocked[i];
		fprintf(out,
			"{\"type\":\"blocked\",\"deadlock\":%" PRIu64
			",\"thread\":%u,\"waits_on\":",
			an->deadlock_seq, bl->tid);
		clab_json_str(out,
			      clab_trace_objname(tr, bl->obj, b, sizeof(b)));
		fprintf(out, ",\"since\":%" PRIu64 ",\"holder\":", bl->since);
		if (bl->holder != UINT32_MAX)
			fprintf(out, "%u", bl->holder);
		else
			fprintf(out, "null");
		fprintf(out, ",\"last_signal\":");
		if (bl->signal_seq == UINT64_MAX) {
			fprintf(out, "null}\n");
			continue;
		}
		fprintf(out,
			"{\"record\":%" PRIu64 ",\"kind\":", bl->signal_seq);
		clab_json_str(out, clab_kind_name(bl->signal_kind));
		fprintf(out, ",\"thread\":%u,\"at\":", bl->signal_tid);
		jsite(tr, bl->signal_site, out);
		if (bl->signal_woke != UINT32_MAX)
			fprintf(out, ",\"woke\":%u}}\n", bl->signal_woke);
		else
			fprintf(out, ",\"woke\":null}}\n");
	}
}
