/*
 * Lab pictures: the philosophers' table and the bounded buffer at the
 * cursor, from the replay state and the lab's notes; the processes lab's
 * family, behind the functions at the end, in labpic-proc.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/error.h>

#include "labpic.h"

#define MAX_PHIL 1024
#define NOTE_LOOKBACK 4096 /* records of a thread searched for its note */

struct clab_labpic {
	const struct clab_replay *rp;
	const struct clab_trace *tr;
	enum clab_pic_kind kind;
	char why[128];
	/* philosophers: by N */
	uint32_t nphil;
	uint32_t *phil_tid;
	uint32_t *fork; /* fork-N object ids, nphil of them (0: missing) */
	/* the buffer */
	uint32_t cap;
	uint32_t *notes; /* put/get note records, in order */
	uint8_t *isput;
	size_t nnotes;
	size_t applied; /* notes applied to the slots below */
	struct clab_buffer_pic b;
	int64_t *item;
	uint32_t *by;
	/* the processes lab */
	struct clab_procpic *pp;
};

/*
 * The philosophers and forks by their declared roles; a trace older than
 * roles by their names, phil-N and fork-N.
 */
static int setup_philos(struct clab_labpic *lp)
{
	const struct clab_trace *tr = lp->tr;
	uint32_t nt = clab_trace_nthreads(tr), no = clab_trace_nobjects(tr);
	long max = -1;
	for (uint32_t t = 0; t < nt; t++) {
		long v = clab_trace_thread_role_index(tr, t, "philosopher",
						      "phil-", MAX_PHIL);
		max = v > max ? v : max;
	}
	if (max < 0) {
		snprintf(lp->why, sizeof(lp->why),
			 "no picture: no philosophers in this trace");
		return 0;
	}
	lp->nphil = (uint32_t)max + 1;
	lp->phil_tid = malloc(lp->nphil * sizeof(*lp->phil_tid));
	lp->fork = calloc(lp->nphil, sizeof(*lp->fork));
	if (!lp->phil_tid || !lp->fork)
		return CLAB_ENOMEM;
	for (uint32_t i = 0; i < lp->nphil; i++)
		lp->phil_tid[i] = CLAB_REPLAY_NONE;
	for (uint32_t t = 0; t < nt; t++) {
		long v = clab_trace_thread_role_index(tr, t, "philosopher",
						      "phil-", lp->nphil);
		if (v >= 0 && lp->phil_tid[v] == CLAB_REPLAY_NONE)
			lp->phil_tid[v] = t;
	}
	for (uint32_t o = 1; o <= no; o++) {
		const struct clab_object_info *oi = clab_trace_object(tr, o);
		long v = oi && oi->kind == CLAB_O_MUTEX
			     ? clab_trace_role_index(tr, o, "fork", "fork-",
						     lp->nphil)
			     : -1;
		if (v >= 0 && !lp->fork[v])
			lp->fork[v] = o;
	}
	lp->kind = CLAB_PIC_PHILOSOPHERS;
	return 0;
}

static int setup_buffer(struct clab_labpic *lp)
{
	const struct clab_trace *tr = lp->tr;
	const char *cap = clab_trace_meta(tr, "param.capacity");
	char *end;
	long c = cap ? strtol(cap, &end, 10) : 0;
	if (!cap || *end || c < 1 || c > 1 << 20) {
		snprintf(lp->why, sizeof(lp->why),
			 "no picture: no param.capacity in this trace");
		return 0;
	}
	size_t n = clab_trace_nrecords(tr), cap_n = 0;
	for (size_t i = 0; i < n; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		if (r->kind != CLAB_K_NOTE)
			continue;
		const struct clab_site_info *si = clab_trace_site(tr, r->site);
		const char *l = si ? si->label : NULL;
		if (!l || (strcmp(l, "put") != 0 && strcmp(l, "get") != 0))
			continue;
		if (lp->nnotes == cap_n) {
			cap_n = cap_n ? cap_n * 2 : 256;
			uint32_t *p = realloc(lp->notes, cap_n * sizeof(*p));
			if (!p)
				return CLAB_ENOMEM;
			lp->notes = p;
			uint8_t *q = realloc(lp->isput, cap_n);
			if (!q)
				return CLAB_ENOMEM;
			lp->isput = q;
		}
		lp->isput[lp->nnotes] = l[0] == 'p';
		lp->notes[lp->nnotes++] = (uint32_t)i;
	}
	lp->cap = (uint32_t)c;
	lp->item = calloc(lp->cap, sizeof(*lp->item));
	lp->by = calloc(lp->cap, sizeof(*lp->by));
	if (!lp->item || !lp->by)
		return CLAB_ENOMEM;
	lp->kind = CLAB_PIC_BUFFER;
	return 0;
}

int clab_labpic_new(const struct clab_replay *rp, struct clab_labpic **out)
{
	struct clab_labpic *lp = calloc(1, sizeof(*lp));
	*out = NULL;
	if (!lp)
		return CLAB_ENOMEM;
	lp->rp = rp;
	lp->tr = clab_replay_trace(rp);
	const char *lab = clab_trace_meta(lp->tr, "lab");
	int err = 0;
	if (!lab)
		snprintf(lp->why, sizeof(lp->why),
			 "no picture: the trace names no lab");
	else if (strcmp(lab, "philosophers") == 0)
		err = setup_philos(lp);
	else if (strcmp(lab, "prodcons") == 0)
		err = setup_buffer(lp);
	else if (strcmp(lab, "processes") == 0) {
		err = clab__procpic_new(rp, &lp->pp);
		if (!err)
			lp->kind = CLAB_PIC_PROCESSES;
	} else
		snprintf(lp->why, sizeof(lp->why), "no picture for lab %.60s",
			 lab);
	if (err) {
		clab_labpic_free(lp);
		return err;
	}
	*out = lp;
	return 0;
}

void clab_labpic_free(struct clab_labpic *lp)
{
	if (!lp)
		return;
	free(lp->phil_tid);
	free(lp->fork);
	free(lp->notes);
	free(lp->isput);
	free(lp->item);
	free(lp->by);
	clab__procpic_free(lp->pp);
	free(lp);
}

enum clab_pic_kind clab_labpic_kind(const struct clab_labpic *lp)
{
	return lp ? lp->kind : CLAB_PIC_NONE;
}

const char *clab_labpic_why(const struct clab_labpic *lp)
{
	return lp ? lp->why : "no picture";
}

/* ---- philosophers ---- */

/* The thread's last note at or before record cur, or NULL. */
static const struct clab_record *last_note(const struct clab_labpic *lp,
					   uint32_t tid, uint32_t cur,
					   const char **label)
{
	uint32_t i = cur + 1;
	for (int k = 0; k < NOTE_LOOKBACK; k++) {
		i = clab_replay_thread_next(lp->rp, tid, i, -1);
		if (i == CLAB_REPLAY_NONE)
			return NULL;
		const struct clab_record *r = clab_trace_record(lp->tr, i);
		if (r->kind != CLAB_K_NOTE)
			continue;
		const struct clab_site_info *si =
		    clab_trace_site(lp->tr, r->site);
		*label = si && si->label ? si->label : "";
		return r;
	}
	return NULL;
}

size_t clab_labpic_philos(const struct clab_labpic *lp,
			  const struct clab_rstate *st, uint32_t cur,
			  struct clab_phil *out, size_t max)
{
	if (!lp || lp->kind != CLAB_PIC_PHILOSOPHERS)
		return 0;
	for (uint32_t n = 0; n < lp->nphil && n < max; n++) {
		struct clab_phil *p = &out[n];
		memset(p, 0, sizeof(*p));
		p->tid = lp->phil_tid[n];
		p->index = n;
		p->left = lp->fork[n];
		p->right = lp->fork[(n + 1) % lp->nphil];
		if (p->tid == CLAB_REPLAY_NONE || p->tid >= st->nthreads)
			continue;
		const struct clab_rthread *th = &st->th[p->tid];
		const char *label = "";
		const struct clab_record *r =
		    th->st == CLAB_TS_NONE ? NULL
					   : last_note(lp, p->tid, cur, &label);
		if (r)
			p->meal = r->val;
		if (th->st == CLAB_TS_NONE)
			p->doing = CLAB_PH_AWAY;
		else if (th->st == CLAB_TS_DONE)
			p->doing = CLAB_PH_LEFT;
		else if (th->st == CLAB_TS_REQ) {
			p->doing = CLAB_PH_WANTS;
			p->wants = th->obj;
		} else if (strcmp(label, "eat") == 0)
			p->doing = CLAB_PH_EAT;
		else if (strcmp(label, "done") == 0)
			p->doing = CLAB_PH_DONE;
		else if (strcmp(label, "hungry") == 0 ||
			 strcmp(label, "backoff") == 0 ||
			 strcmp(label, "reorder") == 0)
			p->doing = CLAB_PH_HUNGRY;
		else
			p->doing = CLAB_PH_THINK;
	}
	return lp->nphil;
}

/* ---- the buffer ---- */

static void buffer_reset(struct clab_labpic *lp)
{
	memset(lp->item, 0, lp->cap * sizeof(*lp->item));
	memset(lp->by, 0, lp->cap * sizeof(*lp->by));
	memset(&lp->b, 0, sizeof(lp->b));
	lp->b.cap = lp->cap;
	lp->b.last = lp->b.bad = CLAB_REPLAY_NONE;
	lp->applied = 0;
}

static void buffer_apply(struct clab_labpic *lp, size_t k)
{
	struct clab_buffer_pic *b = &lp->b;
	const struct clab_record *r = clab_trace_record(lp->tr, lp->notes[k]);
	if (lp->isput[k]) {
		if (lp->item[b->tail] && b->bad == CLAB_REPLAY_NONE)
			b->bad = lp->notes[k];
		lp->item[b->tail] = r->val;
		lp->by[b->tail] = r->a32;
		b->tail = (b->tail + 1) % lp->cap;
		b->puts++;
	} else {
		if (lp->item[b->head] != r->val && b->bad == CLAB_REPLAY_NONE)
			b->bad = lp->notes[k];
		lp->item[b->head] = 0;
		b->head = (b->head + 1) % lp->cap;
		b->gets++;
	}
	b->last = lp->notes[k];
}

int clab_labpic_buffer(struct clab_labpic *lp, uint32_t cur,
		       struct clab_buffer_pic *out)
{
	if (!lp || lp->kind != CLAB_PIC_BUFFER)
		return -1;
	/* the notes at or before cur */
	size_t lo = 0, hi = lp->nnotes;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (lp->notes[mid] <= cur)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < lp->applied || lp->b.cap == 0)
		buffer_reset(lp);
	while (lp->applied < lo)
		buffer_apply(lp, lp->applied++);
	*out = lp->b;
	out->item = lp->item;
	out->by = lp->by;
	return 0;
}

/* ---- the processes (labpic-proc.c) ---- */

size_t clab_labpic_procs(const struct clab_labpic *lp,
			 const struct clab_rstate *st, uint32_t cur,
			 struct clab_proc_pic *out, size_t max)
{
	if (!lp || lp->kind != CLAB_PIC_PROCESSES)
		return 0;
	return clab__procpic_procs(lp->pp, st, cur, out, max);
}

size_t clab_labpic_pipes(const struct clab_labpic *lp, uint32_t cur,
			 struct clab_pipe_pic *out, size_t max)
{
	if (!lp || lp->kind != CLAB_PIC_PROCESSES)
		return 0;
	return clab__procpic_pipes(lp->pp, cur, out, max);
}

int clab_labpic_counter(const struct clab_labpic *lp, uint32_t cur,
			struct clab_counter_pic *out)
{
	if (!lp || lp->kind != CLAB_PIC_PROCESSES)
		return -1;
	return clab__procpic_counter(lp->pp, cur, out);
}
