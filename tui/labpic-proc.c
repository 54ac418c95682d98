/*
 * The processes lab's picture: the family of processes at the cursor
 * (what each does, or its exit status), the pipes between them with the
 * messages in each, and the shared counter of the shared variants.
 *
 * The parent is the trace's own process; a child is a process.spawn
 * record (its object's name, its pid), and its threads are the merged
 * ones named "pid N / ...".  A child that recorded nothing (under the
 * controlled scheduler, or in a sanitizer build: runtime/proc.c) has no
 * threads: what the parent saw of it is all there is (spawned, waited
 * for, reaped).  A pipe is one object in each process that recorded on
 * it, all with its name, capacity and creating site; the messages in it
 * are those of the last record that counted them, in any process.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/error.h>

#include "labpic.h"

#define MAX_PROCS 32
#define MAX_PIPES 32

struct pcount { /* a record that counted a pipe's messages */
	uint32_t rec, units;
};

struct pclose { /* a process closed an end of a pipe */
	uint32_t rec;
	uint16_t pipe, proc;
	uint8_t end; /* 0 read, 1 write */
};

struct ppipe {
	const struct clab_object_info *oi; /* the first object */
	uint32_t made;			   /* its creating record */
	struct pcount *cnt;
	size_t ncnt;
};

struct pproc {
	const char *name;
	int32_t pid;
	uint32_t obj;	 /* its process object (0: the parent) */
	uint32_t spawn;	 /* its process.spawn record (0: the parent) */
	uint32_t reaped; /* its process.reaped record, or NONE */
	int32_t status;
	int recorded; /* it has threads in the trace */
};

struct clab_procpic {
	const struct clab_replay *rp;
	const struct clab_trace *tr;
	struct pproc proc[MAX_PROCS];
	size_t nproc;
	struct ppipe pipe[MAX_PIPES];
	size_t npipe;
	uint32_t *pipe_of; /* by object id: pipe index + 1, 0 none */
	uint16_t *proc_of; /* by tid: its process index */
	struct pclose *cl; /* in record order */
	size_t ncl;
	uint32_t *notes; /* "made" and "total" notes (shared variants) */
	size_t nnotes;
	int shared;
};

static int push(void **a, size_t *n, size_t *cap, size_t size)
{
	if (*n < *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : 64;
	void *p = realloc(*a, c * size);
	if (!p)
		return CLAB_ENOMEM;
	*a = p;
	*cap = c;
	return 0;
}

static int same_text(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/*
 * The pipe of object oi: one with its name, capacity and creating site
 * (by file and line: each process's trace numbers its own sites), or new.
 */
static int pipe_index(struct clab_procpic *pp,
		      const struct clab_object_info *oi)
{
	const struct clab_site_info *s = clab_trace_site(pp->tr, oi->site);
	for (size_t k = 0; k < pp->npipe; k++) {
		const struct clab_object_info *o = pp->pipe[k].oi;
		const struct clab_site_info *so =
		    clab_trace_site(pp->tr, o->site);
		if (o->param == oi->param && same_text(o->name, oi->name) &&
		    (so == s || (so && s && so->line == s->line &&
				 same_text(so->file, s->file))))
			return (int)k;
	}
	if (pp->npipe == MAX_PIPES)
		return -1;
	pp->pipe[pp->npipe].oi = oi;
	pp->pipe[pp->npipe].made = CLAB_REPLAY_NONE;
	return (int)pp->npipe++;
}

static int proc_of_obj(const struct clab_procpic *pp, uint32_t oid)
{
	for (size_t k = 1; k < pp->nproc; k++)
		if (pp->proc[k].obj == oid)
			return (int)k;
	return -1;
}

static int proc_of_pid(const struct clab_procpic *pp, int32_t pid)
{
	for (size_t k = 1; k < pp->nproc; k++)
		if (pp->proc[k].pid == pid)
			return (int)k;
	return 0;
}

/* The children (spawns: the spawns only, first), or the rest. */
static int scan(struct clab_procpic *pp, int spawns)
{
	const struct clab_trace *tr = pp->tr;
	size_t n = clab_trace_nrecords(tr), clcap = 0, ncap = 0;
	size_t ccap[MAX_PIPES] = {0};
	uint32_t nt = clab_trace_nthreads(tr);
	for (size_t i = 0; i < n; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		int k;
		if (spawns != (r->kind == CLAB_K_PROC_SPAWN))
			continue;
		switch (r->kind) {
		case CLAB_K_PROC_SPAWN:
			if (pp->nproc == MAX_PROCS)
				break;
			const struct clab_object_info *oi =
			    clab_trace_object(tr, r->obj);
			pp->proc[pp->nproc++] = (struct pproc){
			    .name = oi && oi->name ? oi->name : "child",
			    .pid = (int32_t)r->a32,
			    .obj = r->obj,
			    .spawn = (uint32_t)i,
			    .reaped = CLAB_REPLAY_NONE,
			};
			break;
		case CLAB_K_PROC_REAPED:
			k = proc_of_obj(pp, r->obj);
			if (k > 0 && pp->proc[k].reaped == CLAB_REPLAY_NONE) {
				pp->proc[k].reaped = (uint32_t)i;
				pp->proc[k].status = (int32_t)r->a32;
			}
			break;
		case CLAB_K_OBJ_CREATE:
		case CLAB_K_PIPE_WRITE:
		case CLAB_K_PIPE_WRITE_WAIT:
		case CLAB_K_PIPE_READ:
		case CLAB_K_PIPE_READ_WAIT:
		case CLAB_K_PIPE_CLOSE:
			k = r->obj <= clab_trace_nobjects(tr)
				? (int)pp->pipe_of[r->obj] - 1
				: -1;
			if (k < 0)
				break;
			struct ppipe *p = &pp->pipe[k];
			if (r->kind == CLAB_K_OBJ_CREATE) {
				if (p->made == CLAB_REPLAY_NONE)
					p->made = (uint32_t)i;
			} else if (r->kind == CLAB_K_PIPE_CLOSE) {
				if (push((void **)&pp->cl, &pp->ncl, &clcap,
					 sizeof(*pp->cl)))
					return CLAB_ENOMEM;
				pp->cl[pp->ncl++] = (struct pclose){
				    .rec = (uint32_t)i,
				    .pipe = (uint16_t)k,
				    .proc =
					r->tid < nt ? pp->proc_of[r->tid] : 0,
				    .end = r->a8 != 0,
				};
			} else {
				if (push((void **)&p->cnt, &p->ncnt, &ccap[k],
					 sizeof(*p->cnt)))
					return CLAB_ENOMEM;
				p->cnt[p->ncnt++] =
				    (struct pcount){(uint32_t)i, r->a32};
			}
			break;
		case CLAB_K_NOTE:
			if (!pp->shared)
				break;
			const struct clab_site_info *si =
			    clab_trace_site(tr, r->site);
			const char *l = si ? si->label : NULL;
			if (!l || (strcmp(l, "made") && strcmp(l, "total")))
				break;
			if (push((void **)&pp->notes, &pp->nnotes, &ncap,
				 sizeof(*pp->notes)))
				return CLAB_ENOMEM;
			pp->notes[pp->nnotes++] = (uint32_t)i;
			break;
		default:
			break;
		}
	}
	return 0;
}

int clab__procpic_new(const struct clab_replay *rp, struct clab_procpic **out)
{
	const struct clab_trace *tr = clab_replay_trace(rp);
	struct clab_procpic *pp = calloc(1, sizeof(*pp));
	uint32_t no = clab_trace_nobjects(tr), nt = clab_trace_nthreads(tr);
	*out = NULL;
	if (!pp)
		return CLAB_ENOMEM;
	pp->rp = rp;
	pp->tr = tr;
	pp->pipe_of = calloc(no + 1, sizeof(*pp->pipe_of));
	pp->proc_of = calloc(nt + 1, sizeof(*pp->proc_of));
	if (!pp->pipe_of || !pp->proc_of) {
		clab__procpic_free(pp);
		return CLAB_ENOMEM;
	}
	const char *pid = clab_trace_meta(tr, "process.pid");
	const char *variant = clab_trace_meta(tr, "variant");
	pp->shared = variant && strncmp(variant, "shared", 6) == 0;
	pp->proc[0] = (struct pproc){.name = "main",
				     .pid = pid ? (int32_t)atol(pid) : 0,
				     .reaped = CLAB_REPLAY_NONE,
				     .recorded = 1};
	pp->nproc = 1;
	for (uint32_t o = 1; o <= no; o++) {
		const struct clab_object_info *oi = clab_trace_object(tr, o);
		int k = oi && oi->kind == CLAB_O_PIPE ? pipe_index(pp, oi) : -1;
		pp->pipe_of[o] = (uint32_t)(k + 1);
	}
	/* the spawns first, so that each thread finds its process */
	int err = scan(pp, 1);
	for (uint32_t t = 0; !err && t < nt; t++) {
		const struct clab_thread_info *ti = clab_trace_thread(tr, t);
		int p = 0, k = 0;
		if (ti && ti->name && sscanf(ti->name, "pid %d /", &p) == 1)
			k = proc_of_pid(pp, p);
		pp->proc_of[t] = (uint16_t)k;
		pp->proc[k].recorded = 1;
	}
	if (!err)
		err = scan(pp, 0);
	if (err) {
		clab__procpic_free(pp);
		return err;
	}
	*out = pp;
	return 0;
}

void clab__procpic_free(struct clab_procpic *pp)
{
	if (!pp)
		return;
	for (size_t k = 0; k < pp->npipe; k++)
		free(pp->pipe[k].cnt);
	free(pp->pipe_of);
	free(pp->proc_of);
	free(pp->cl);
	free(pp->notes);
	free(pp);
}

/* Whether process k exists at the state st (cur: the cursor's record). */
static int alive(const struct clab_procpic *pp, size_t k, uint32_t cur)
{
	const struct pproc *p = &pp->proc[k];
	return (k == 0 || p->spawn <= cur) &&
	       (p->reaped == CLAB_REPLAY_NONE || p->reaped > cur);
}

size_t clab__procpic_procs(const struct clab_procpic *pp,
			   const struct clab_rstate *st, uint32_t cur,
			   struct clab_proc_pic *out, size_t max)
{
	for (size_t k = 0; k < pp->nproc && k < max; k++) {
		const struct pproc *p = &pp->proc[k];
		struct clab_proc_pic *o = &out[k];
		*o = (struct clab_proc_pic){.name = p->name,
					    .pid = p->pid,
					    .on = CLAB_REPLAY_NONE,
					    .recorded = p->recorded};
		if (k > 0 && p->spawn > cur) {
			o->doing = CLAB_PR_AWAY;
			continue;
		}
		if (p->reaped != CLAB_REPLAY_NONE && p->reaped <= cur) {
			o->doing = CLAB_PR_EXITED;
			o->status = p->status;
			continue;
		}
		if (!p->recorded) {
			o->doing = CLAB_PR_UNSEEN;
			continue;
		}
		/* its first thread that waits on a process or a pipe, else
		 * running while any of its threads is not done */
		int live = 0;
		o->doing = CLAB_PR_ENDED;
		for (uint32_t t = 0; t < st->nthreads; t++) {
			const struct clab_rthread *th = &st->th[t];
			if (pp->proc_of[t] != k)
				continue;
			if (th->st != CLAB_TS_DONE)
				live = 1;
			if (th->st != CLAB_TS_BLOCK || !th->obj)
				continue;
			const struct clab_record *r =
			    th->since < clab_trace_nrecords(pp->tr)
				? clab_trace_record(pp->tr, th->since)
				: NULL;
			int c = proc_of_obj(pp, th->obj);
			uint32_t q = th->obj <= clab_trace_nobjects(pp->tr)
					 ? pp->pipe_of[th->obj]
					 : 0;
			if (c > 0) {
				o->doing = CLAB_PR_CHILD;
				o->on = (uint32_t)c;
			} else if (q && r &&
				   r->kind == CLAB_K_PIPE_WRITE_WAIT) {
				o->doing = CLAB_PR_WRITE;
				o->on = q - 1;
			} else if (q && r && r->kind == CLAB_K_PIPE_READ_WAIT) {
				o->doing = CLAB_PR_READ;
				o->on = q - 1;
			} else
				continue;
			break;
		}
		if (o->on == CLAB_REPLAY_NONE && live)
			o->doing = CLAB_PR_RUN;
	}
	return pp->nproc;
}

size_t clab__procpic_pipes(const struct clab_procpic *pp, uint32_t cur,
			   struct clab_pipe_pic *out, size_t max)
{
	size_t n = 0;
	for (size_t k = 0; k < pp->npipe && n < max; k++) {
		const struct ppipe *p = &pp->pipe[k];
		if (p->made == CLAB_REPLAY_NONE || p->made > cur)
			continue;
		struct clab_pipe_pic *o = &out[n++];
		*o = (struct clab_pipe_pic){.name = p->oi->name ? p->oi->name
								: "pipe",
					    .index = (uint32_t)k,
					    .cap = p->oi->param};
		for (size_t c = 0; c < p->ncnt && p->cnt[c].rec <= cur; c++)
			o->units = p->cnt[c].units;
		/* who holds each end: every process alive that had the pipe
		 * (made before its fork) and did not close the end; one
		 * that records nothing is not counted, and leaves the pipe's
		 * count and ends unknown */
		for (size_t q = 0; q < pp->nproc && q < 64; q++) {
			if (!alive(pp, q, cur) ||
			    (q > 0 && pp->proc[q].spawn < p->made))
				continue;
			if (!pp->proc[q].recorded) {
				o->unseen = 1;
				continue;
			}
			uint64_t bit = 1ull << q;
			o->readers |= bit;
			o->writers |= bit;
			for (size_t c = 0; c < pp->ncl && pp->cl[c].rec <= cur;
			     c++)
				if (pp->cl[c].pipe == k && pp->cl[c].proc == q)
					*(pp->cl[c].end ? &o->writers
							: &o->readers) &= ~bit;
		}
	}
	return n;
}

int clab__procpic_counter(const struct clab_procpic *pp, uint32_t cur,
			  struct clab_counter_pic *out)
{
	if (!pp->shared)
		return -1;
	*out = (struct clab_counter_pic){.total = -1};
	for (size_t k = 0; k < pp->nnotes && pp->notes[k] <= cur; k++) {
		const struct clab_record *r =
		    clab_trace_record(pp->tr, pp->notes[k]);
		const struct clab_site_info *si =
		    clab_trace_site(pp->tr, r->site);
		if (si && si->label && strcmp(si->label, "total") == 0)
			out->total = r->val;
		else {
			out->made += r->val;
			out->nmade++;
		}
	}
	return 0;
}
