/*
 * The processes a trace links to (docs/runtime.md, "fork"): the parent
 * of a forked child's trace, and the children a trace's process forked,
 * each with its own trace.
 */
#include <glob.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <conclab/trace.h>

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
		if (!child[0] || access(child, F_OK) != 0 ||
		    clab_trace_load(child, &ct, err, sizeof(err)) != 0) {
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
		const char *exec = clab_trace_meta(ct, "process.exec");
		if (crash)
			fprintf(out, "; it died of %s", crash);
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

void clab_cmd_forks(const struct clab_trace *tr, const char *path, FILE *out)
{
	const char *ppid = clab_trace_meta(tr, "process.parent_pid");
	const char *ptrace = clab_trace_meta(tr, "process.parent_trace");
	if (ppid && ptrace)
		fprintf(out, "forked by process %s, whose trace is %s\n", ppid,
			ptrace);
	children(tr, path, out, 0);
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
