/*
 * The processes a trace links to (docs/runtime.md, "fork"): the parent
 * of a forked child's trace, and the children a trace's process forked,
 * each with its own trace.
 */
#include <dirent.h>
#include <glob.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <conclab/trace.h>

#include "clab-util.h"
#include "cmd.h"

int clab_cmd_has_diag(const struct clab_trace *tr, unsigned code)
{
	size_t n = clab_trace_nrecords(tr);
	for (size_t i = n; i-- > 0;) {
		const struct clab_record *r = clab_trace_record(tr, i);
		if (r->kind == CLAB_K_DIAG && r->a8 == code)
			return 1;
	}
	return 0;
}

/*
 * The path of the trace of child pid, forked by the process of the trace
 * at parent: the file the parent's metadata names (process.child.PID is
 * "ID FILE"), beside the parent's trace; *id is set to ID, the child
 * trace's process.id (its length in *idlen).
 */
static void child_trace(const struct clab_trace *tr, const char *parent,
			int64_t pid, char *buf, size_t len, const char **id,
			size_t *idlen)
{
	char key[64];
	snprintf(key, sizeof(key), "process.child.%" PRId64, pid);
	const char *v = clab_trace_meta(tr, key);
	const char *file = v ? strchr(v, ' ') : NULL;
	const char *slash = strrchr(parent, '/');
	int dir = slash ? (int)(slash - parent + 1) : 0;
	*id = v;
	*idlen = file ? (size_t)(file - v) : 0;
	if (file)
		snprintf(buf, len, "%.*s%s", dir, parent, file + 1);
	else
		buf[0] = '\0';
}

/* Whether the trace is the one whose process.id is id[0..idlen). */
static int is_trace(const struct clab_trace *ct, const char *id, size_t idlen)
{
	const char *own = clab_trace_meta(ct, "process.id");
	return own && strlen(own) == idlen && strncmp(own, id, idlen) == 0;
}

#define FORK_DEPTH 8

/* clab_cmd_forks_settle's deadline (CLOCK_MONOTONIC, ns), or 0 */
static uint64_t settle_until;

void clab_cmd_forks_settle(unsigned ms)
{
	settle_until = clab__mono_ns() + (uint64_t)ms * 1000000u;
}

/* Whether process pid runs (not a zombie that its parent has not reaped). */
static int runs(pid_t pid)
{
	char path[48], st[256];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(st, 1, sizeof(st) - 1, f);
	fclose(f);
	st[n] = 0;
	const char *end =
	    strrchr(st, ')'); /* past the name, which may hold any */
	return end && end[1] == ' ' && end[2] != 'Z' && end[2] != 'X';
}

/*
 * Wait, until the settle deadline, for process pid, whose trace was not
 * closed, to end: a child that got the same Ctrl-C as its parent may still
 * be saving its trace when the parent's has been read.  Whether it waited.
 */
static int settled(int64_t pid)
{
	if (!settle_until || pid <= 0 || pid > INT32_MAX || !runs((pid_t)pid))
		return 0;
	while (runs((pid_t)pid) && clab__mono_ns() < settle_until) {
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return 1;
}

/*
 * The children the process of the trace at path forked (the preload
 * library recorded each fork as a note "fork" whose value is the pid),
 * with where it was forked and its own trace, and theirs in turn
 * (indented); one that has none is said to be untraced.
 */
static void children(const struct clab_trace *tr, const char *path, FILE *out,
		     int depth)
{
	size_t n = clab_trace_nrecords(tr);
	for (size_t i = 0; i < n; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		if (r->kind != CLAB_K_NOTE)
			continue;
		const struct clab_site_info *si = clab_trace_site(tr, r->site);
		if (!si || !si->label || strcmp(si->label, "fork") != 0)
			continue;
		fprintf(out,
			"%*schild %" PRId64 " (forked at %s:%d): ", 2 * depth,
			"", r->val, si->file ? si->file : "?", si->line);
		char child[PATH_MAX], err[512];
		struct clab_trace *ct = NULL;
		const char *id;
		size_t idlen;
		child_trace(tr, path, r->val, child, sizeof(child), &id,
			    &idlen);
		int loaded = child[0] && access(child, F_OK) == 0 &&
			     clab_trace_load(child, &ct, err, sizeof(err)) == 0;
		if (child[0] &&
		    (!loaded ||
		     clab_trace_end(ct, NULL) == CLAB_END_UNCLOSED) &&
		    settled(r->val)) {
			/* it has ended since: read again */
			if (loaded)
				clab_trace_free(ct);
			ct = NULL;
			loaded =
			    child[0] && access(child, F_OK) == 0 &&
			    clab_trace_load(child, &ct, err, sizeof(err)) == 0;
		}
		if (!loaded) {
			fprintf(out,
				"not traced, no trace of its own; its fork is "
				"in %s\n",
				path);
			continue;
		}
		if (!is_trace(ct, id, idlen)) {
			fprintf(out,
				"not traced: %s is the trace of another "
				"process; its fork is in %s\n",
				child, path);
			clab_trace_free(ct);
			continue;
		}
		fprintf(out, "trace %s, %zu records", child,
			clab_trace_nrecords(ct));
		const char *crash = clab_trace_meta(ct, CLAB_META_CRASH);
		const char *sig = clab_trace_meta(ct, CLAB_META_SIGNAL);
		const char *exec = clab_trace_meta(ct, "process.exec");
		if (crash)
			fprintf(out, "; it died of %s", crash);
		else if (sig)
			fprintf(out, "; %s stopped it", sig);
		if (exec)
			fprintf(out, "; then it ran %s, not traced", exec);
		if (clab_cmd_has_diag(ct, CLAB_D_DEADLOCK))
			fprintf(out, "; the watchdog stopped it (deadlock)");
		fprintf(out, "\n");
		if (depth + 1 < FORK_DEPTH)
			children(ct, child, out, depth + 1);
		clab_trace_free(ct);
	}
}

/*
 * A count the preload library left in the metadata at key, "N FIRST"
 * (preload.c, note_count): N, with *first, or 0.
 */
static unsigned long counted(const struct clab_trace *tr, const char *key,
			     const char **first)
{
	const char *v = clab_trace_meta(tr, key);
	char *end;
	unsigned long n = v ? strtoul(v, &end, 10) : 0;
	if (!n || *end != ' ')
		return 0;
	*first = end + 1;
	return n;
}

void clab_cmd_forks(const struct clab_trace *tr, const char *path, FILE *out)
{
	const char *ppid = clab_trace_meta(tr, "process.parent_pid");
	const char *ptrace = clab_trace_meta(tr, "process.parent_trace");
	if (ppid && ptrace)
		fprintf(out, "forked by process %s, whose trace is %s\n", ppid,
			ptrace);
	children(tr, path, out, 0);
	const char *exec = clab_trace_meta(tr, "process.exec");
	if (exec)
		fprintf(out, "then it ran %s (exec), not traced\n", exec);
	const char *first;
	unsigned long n = counted(tr, "process.untraced", &first);
	if (n) {
		if (n == 1)
			fprintf(out, "it started %s, not traced", first);
		else
			fprintf(out,
				"it started %lu programs, not traced, the "
				"first %s",
				n, first);
		fprintf(out, ": conclab trace follows one program and its "
			     "forks; give it the program to trace\n");
	}
	n = counted(tr, "process.shared", &first);
	if (n) { /* FIRST is "KIND FILE:LINE" */
		const char *at = strrchr(first, ' ');
		int kl = at ? (int)(at - first) : (int)strlen(first);
		if (n == 1)
			fprintf(out,
				"it made a %.*s%s%s, which stays the C "
				"library's: it is not recorded\n",
				kl, first, at ? " at " : "", at ? at + 1 : "");
		else
			fprintf(out,
				"it made %lu objects that stay the C "
				"library's, the first a %.*s%s%s: they are "
				"not recorded\n",
				n, kl, first, at ? " at " : "",
				at ? at + 1 : "");
	}
}

void clab_cmd_unlink_trace(const char *path)
{
	char pat[PATH_MAX + 16];
	size_t n = strlen(path);
	if (n >= 4 && strcmp(path + n - 4, ".clt") == 0)
		n -= 4;
	unlink(path);
	if (snprintf(pat, sizeof(pat), "%.*s.[0-9]*.clt", (int)n, path) >=
	    (int)sizeof(pat))
		return;
	glob_t g;
	if (glob(pat, GLOB_NOSORT, NULL, &g) == 0)
		for (size_t i = 0; i < g.gl_pathc; i++)
			unlink(g.gl_pathv[i]);
	globfree(&g);
}

/*
 * The number of dot-separated pids in name between stem + "." and
 * ".clt" (STEM.PID.clt: 1, a grandchild's STEM.PID.PID.clt: 2), or 0
 * when name is not such a child's file.
 */
static size_t child_depth(const char *name, const char *stem, size_t slen)
{
	size_t n = strlen(name), depth = 0;
	if (n < slen + 6 || strncmp(name, stem, slen) != 0 ||
	    name[slen] != '.' || strcmp(name + n - 4, ".clt") != 0)
		return 0;
	const char *p = name + slen + 1, *end = name + n - 4;
	while (p < end) {
		const char *q = p;
		while (q < end && *q >= '0' && *q <= '9')
			q++;
		if (q == p || (q < end && *q != '.'))
			return 0;
		depth++;
		p = q + 1;
	}
	return p == end + 1 ? depth : 0;
}

struct old_child {
	char *name;
	size_t depth;
};

static int by_depth(const void *a, const void *b)
{
	const struct old_child *x = a, *y = b;
	return x->depth != y->depth ? (x->depth < y->depth ? -1 : 1)
				    : strcmp(x->name, y->name);
}

/* Whether id is one of the n in ids. */
static int known_id(char *const *ids, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(ids[i], id) == 0)
			return 1;
	return 0;
}

int clab_cmd_remove_children(const char *path)
{
	struct clab_trace *tr;
	char err[512];
	if (clab_trace_load_meta(path, &tr, err, sizeof(err)) != 0)
		return 0;
	const char *id = clab_trace_meta(tr, "process.id");
	char *first = id ? strdup(id) : NULL;
	clab_trace_free(tr);
	if (!first)
		return 0; /* it forked no child */

	char dir[PATH_MAX], stem[PATH_MAX];
	const char *slash = strrchr(path, '/');
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) + 1 : 2,
		 slash ? path : "./");
	snprintf(stem, sizeof(stem), "%s", slash ? slash + 1 : path);
	size_t slen = strlen(stem);
	if (slen >= 4 && strcmp(stem + slen - 4, ".clt") == 0)
		stem[slen -= 4] = '\0';

	/* the files that may be its children's, theirs and so on */
	struct old_child *c = NULL;
	size_t nc = 0, cap = 0;
	DIR *d = opendir(dir);
	for (struct dirent *e; d && (e = readdir(d));) {
		size_t depth = child_depth(e->d_name, stem, slen);
		if (!depth || depth > FORK_DEPTH)
			continue;
		if (nc == cap) {
			cap = cap ? 2 * cap : 16;
			struct old_child *n = realloc(c, cap * sizeof(*n));
			if (!n)
				break;
			c = n;
		}
		c[nc].name = strdup(e->d_name);
		c[nc].depth = depth;
		nc += c[nc].name != NULL;
	}
	if (d)
		closedir(d);
	/* parents before their children: each knows its parent's id */
	qsort(c, nc, sizeof(*c), by_depth);
	char **ids = malloc((nc + 1) * sizeof(*ids));
	size_t nids = 0;
	int removed = 0;
	if (ids)
		ids[nids++] = first;
	for (size_t i = 0; ids && i < nc; i++) {
		char file[2 * PATH_MAX];
		snprintf(file, sizeof(file), "%s%s", dir, c[i].name);
		if (clab_trace_load_meta(file, &tr, err, sizeof(err)) != 0)
			continue;
		const char *pid = clab_trace_meta(tr, "process.parent_id");
		const char *own = clab_trace_meta(tr, "process.id");
		if (pid && own && known_id(ids, nids, pid) &&
		    unlink(file) == 0) {
			removed++;
			ids[nids] = strdup(own);
			nids += ids[nids] != NULL;
		}
		clab_trace_free(tr);
	}
	for (size_t i = 0; i < nc; i++)
		free(c[i].name);
	free(c);
	for (size_t i = 0; ids && i < nids; i++)
		free(ids[i]);
	if (!ids)
		free(first);
	free(ids);
	return removed;
}
