/*
 * A process and its children as one timeline.
 *
 * A process that forked with clab_fork names each child in its metadata
 * (process.child.PID = "ID FILE"), and each child's trace names its parent
 * (process.parent_id; process.fork_thread and process.fork_seq: the
 * forking thread and the number of its record of the fork among its own).
 * Loading a parent's trace loads those of its children from the same
 * directory (and theirs, in turn), and merges them in: each child's
 * threads, objects and sites are added after the parent's, its threads
 * named "pid N / NAME", and its records placed by time, never before the
 * parent's record of the fork.  A child's objects are its own, even those
 * it inherited (a pipe's end): its records about them carry its own
 * sequence numbers, which the parent's must not meet.
 *
 * A child's trace whose links do not match (another run's file of the same
 * name) is left out, as is one that cannot be read; the trace's warning
 * says so.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/error.h>
#include <conclab/label.h>
#include <conclab/trace.h>

#include "reader-int.h"

#define FAMILY_DEPTH 8 /* children of children, at most */

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/*
 * Append child's threads, objects and sites to tr, and its records,
 * renumbered, into the merged order after the fork.  0, or -1 when out of
 * memory (tr unchanged in its records then).
 */
static int adopt(struct clab_trace *tr, const struct clab_trace *ch,
		 uint64_t fork_seq, uint32_t fork_thread, const char *pid)
{
	uint32_t toff = tr->nthreads, ooff = tr->nobjs, soff = tr->nsites;
	for (uint32_t i = 0; i < ch->nthreads; i++) {
		if (GROW(tr->threads, tr->nthreads, tr->threads_cap))
			return -1;
		const struct clab_thread_info *t = &ch->threads[i];
		struct clab_thread_info *n = &tr->threads[tr->nthreads];
		char name[256];
		snprintf(name, sizeof(name), "pid %s / %s", pid,
			 t->name ? t->name : "?");
		n->tid = t->tid + toff;
		n->oid = t->oid + ooff;
		n->parent =
		    t->parent == t->tid ? fork_thread : t->parent + toff;
		n->name = strdup(name);
		n->label = NULL;
		n->opener = t->tid == 0 || t->opener;
		if (!n->name)
			return -1;
		tr->nthreads++;
	}
	for (uint32_t i = 0; i < ch->nobjs; i++) {
		if (GROW(tr->objs, tr->nobjs, tr->objs_cap))
			return -1;
		const struct clab_object_info *o = &ch->objs[i];
		struct clab_object_info *n = &tr->objs[tr->nobjs];
		*n = *o;
		n->oid = o->oid + ooff;
		n->site = o->site ? o->site + soff : 0;
		n->tid = o->tid + toff;
		n->name = dup_or_null(o->name);
		n->label = NULL;
		if (o->name && !n->name)
			return -1;
		tr->nobjs++;
	}
	for (uint32_t i = 0; i < ch->nsites; i++) {
		if (GROW(tr->sites, tr->nsites, tr->sites_cap))
			return -1;
		const struct clab_site_info *s = &ch->sites[i];
		struct clab_site_info *n = &tr->sites[tr->nsites];
		n->id = s->id + soff;
		n->line = s->line;
		n->file = dup_or_null(s->file);
		n->func = dup_or_null(s->func);
		n->label = dup_or_null(s->label);
		tr->nsites++;
	}

	/* the fork: the record numbered fork_seq of the forking thread's */
	size_t np = tr->nrecs, nc = ch->nrecs, p = 0, c = 0, k = 0, at = np;
	uint64_t nth = 0;
	for (size_t i = 0; i < np && at == np; i++)
		if (tr->recs[i].tid == fork_thread && nth++ == fork_seq)
			at = i;
	struct clab_record *out = malloc((np + nc + 1) * sizeof(*out));
	if (!out)
		return -1;
	while (p < np || c < nc) {
		int take_p =
		    c == nc ||
		    (p < np && (p <= at || tr->recs[p].ns <= ch->recs[c].ns));
		struct clab_record r = take_p ? tr->recs[p++] : ch->recs[c++];
		if (!take_p) {
			r.tid += toff;
			if (r.obj)
				r.obj += ooff;
			if (r.site)
				r.site += soff;
			r.stack = 0; /* the child's stacks stay in its file */
			/* the a32s that are object ids */
			if ((r.kind == CLAB_K_DIAG &&
			     (r.a8 == CLAB_D_BLOCKED ||
			      r.a8 == CLAB_D_LOCK_ORDER)) ||
			    (r.kind == CLAB_K_POOL_SUBMIT && r.a32))
				r.a32 += ooff;
		}
		r.seq = k;
		out[k++] = r;
	}
	free(tr->recs);
	tr->recs = out;
	tr->nrecs = k;
	return 0;
}

/* The directory part of path, with its slash ("" for none). */
static void dir_of(const char *path, char *out, size_t len)
{
	const char *s = strrchr(path, '/');
	size_t n = s ? (size_t)(s - path) + 1 : 0;
	snprintf(out, len, "%.*s", (int)n, path);
}

static int load_family(struct clab_trace *tr, const char *path, int depth);

/* Load the child that metadata entry i names, and merge it into tr. */
static int child(struct clab_trace *tr, const char *path, size_t i, int depth)
{
	const char *pid = tr->mkeys[i] + strlen("process.child.");
	const char *val = tr->mvals[i], *sp = strchr(val, ' ');
	const char *id = clab_trace_meta(tr, "process.id");
	char cpath[PATH_MAX + 64], err[512], cid[64];
	if (!sp || sp - val >= (long)sizeof(cid) || strchr(sp + 1, '/')) {
		clab__trace_set_warning(
		    tr, "process %s: a malformed link to its trace", pid);
		return 0;
	}
	snprintf(cid, sizeof(cid), "%.*s", (int)(sp - val), val);
	dir_of(path, cpath, sizeof(cpath));
	size_t n = strlen(cpath);
	snprintf(cpath + n, sizeof(cpath) - n, "%s", sp + 1);
	struct clab_trace *ch = NULL;
	if (clab_trace_load_process(cpath, &ch, err, sizeof(err)) != 0) {
		clab__trace_set_warning(tr, "process %s left out: %s", pid,
					err);
		return 0;
	}
	const char *pid_of = clab_trace_meta(ch, "process.parent_id");
	const char *cid_of = clab_trace_meta(ch, "process.id");
	const char *seq = clab_trace_meta(ch, "process.fork_seq");
	const char *fth = clab_trace_meta(ch, "process.fork_thread");
	int rc = 0;
	if (!id || !pid_of || strcmp(id, pid_of) != 0 || !cid_of ||
	    strcmp(cid_of, cid) != 0 || !seq || !fth) {
		clab__trace_set_warning(
		    tr,
		    "process %s left out: %s is not the trace of this "
		    "run's child",
		    pid, cpath);
	} else if (load_family(ch, cpath, depth + 1) != 0 ||
		   adopt(tr, ch, strtoull(seq, NULL, 10),
			 (uint32_t)strtoul(fth, NULL, 10), pid) != 0) {
		rc = -1;
	}
	clab_trace_free(ch);
	return rc;
}

static int load_family(struct clab_trace *tr, const char *path, int depth)
{
	if (depth >= FAMILY_DEPTH)
		return 0;
	size_t nmeta = tr->nmeta;
	for (size_t i = 0; i < nmeta; i++)
		if (strncmp(tr->mkeys[i], "process.child.", 14) == 0 &&
		    child(tr, path, i, depth) != 0)
			return -1;
	return 0;
}

int clab_trace_add_children(struct clab_trace *tr, const char *path)
{
	uint32_t nthreads = tr->nthreads;
	if (load_family(tr, path, 0) != 0)
		return CLAB_ENOMEM;
	if (tr->nthreads == nthreads)
		return 0;
	/* the lookups and labels, again over the whole family */
	free(tr->obj2tid);
	tr->obj2tid = malloc(((size_t)tr->nobjs + 1) * sizeof(uint32_t));
	if (!tr->obj2tid)
		return CLAB_ENOMEM;
	for (uint32_t i = 0; i <= tr->nobjs; i++)
		tr->obj2tid[i] = UINT32_MAX;
	for (uint32_t i = 0; i < tr->nthreads; i++)
		if (tr->threads[i].oid <= tr->nobjs)
			tr->obj2tid[tr->threads[i].oid] = i;
	free(tr->labels);
	tr->labels = NULL;
	return clab__label_trace(tr->threads, tr->nthreads, tr->objs, tr->nobjs,
				 tr->obj2tid, &tr->labels);
}
