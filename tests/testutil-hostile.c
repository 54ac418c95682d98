/*
 * The hostile-object suites' runner (testutil-hostile.h): each test's
 * misuse in a forked child with a trace of its own and an alarm, its
 * results sent back; and the checks of the diagnostics in its trace.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <conclab/tracer.h>

#include "testutil-hostile.h"

#define CHILD_SECONDS 20 /* a child that takes longer hangs */

struct tu_out tu_child_out;

void tu_rc(int r)
{
	if (tu_child_out.n < TU_MAX_RC)
		tu_child_out.rc[tu_child_out.n++] = r;
}

int tu_virtual_time;

int tu_open_trace(const char *path)
{
	struct clab_tracer_opts o;

	memset(&o, 0, sizeof(o));
	o.path = path;
	o.virtual_time = tu_virtual_time;
	o.flush_ms = 100;
	o.compress = -1;
	return clab_tracer_open(&o);
}

void tu_tmp_path(char *buf, size_t len, const char *what)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	snprintf(buf, len, "%s/conclab-hostile-%s-XXXXXX", dir, what);
	fd = mkstemp(buf);
	if (fd >= 0)
		close(fd);
}

char tu_err_text[8192];
int tu_child_may_die;

/*
 * Run body in a child with a trace open (pre, if not NULL, runs before the
 * trace is opened).  Returns the child's wait status; *tr gets the trace
 * when the child ended normally, o its results.
 */
int tu_run_pre(void (*pre)(void), void (*body)(void), struct tu_out *o,
	       struct clab_trace **tr)
{
	char path[4096], epath[4096], msg[512];
	int pfd[2], status = 0;
	pid_t pid;
	FILE *f;
	size_t n;

	*tr = NULL;
	memset(o, 0, sizeof(*o));
	tu_err_text[0] = '\0';
	tu_tmp_path(path, sizeof(path), "trace");
	tu_tmp_path(epath, sizeof(epath), "err");
	if (pipe(pfd) != 0) {
		CU_FAIL("pipe");
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		FILE *e = freopen(epath, "w", stderr);
		(void)e;
		close(pfd[0]);
		alarm(CHILD_SECONDS);
		if (pre != NULL)
			pre();
		if (tu_open_trace(path) < 0)
			_exit(3);
		body();
		if (clab_tracer_close(NULL) < 0)
			_exit(4);
		if (write(pfd[1], &tu_child_out, sizeof(tu_child_out)) !=
		    (ssize_t)sizeof(tu_child_out))
			_exit(5);
		_exit(0);
	}
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		CU_FAIL("fork");
		return -1;
	}
	n = 0;
	while (n < sizeof(*o)) {
		ssize_t r = read(pfd[0], (char *)o + n, sizeof(*o) - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(pfd[0]);
	waitpid(pid, &status, 0);
	f = fopen(epath, "r");
	if (f != NULL) {
		size_t k = fread(tu_err_text, 1, sizeof(tu_err_text) - 1, f);
		tu_err_text[k] = '\0';
		fclose(f);
	}
	unlink(epath);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && n == sizeof(*o)) {
		if (clab_trace_load(path, tr, msg, sizeof(msg)) < 0) {
			fprintf(stderr, "clab_trace_load: %s\n", msg);
			*tr = NULL;
		}
	} else if (!tu_child_may_die) {
		fprintf(stderr, "child: status %#x%s%s\n", (unsigned)status,
			WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM
			    ? " (hung: killed by the alarm)"
			    : "",
			tu_err_text[0] ? "; its stderr:" : "");
		fputs(tu_err_text, stderr);
	}
	unlink(path);
	return status;
}

/* run_pre without pre; fails the test unless the child ended well. */
struct clab_trace *tu_run_child(void (*body)(void), struct tu_out *o)
{
	struct clab_trace *tr;
	int status = tu_run_pre(NULL, body, o, &tr);

	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CU_ASSERT_PTR_NOT_NULL(tr);
	return tr;
}

/* The nth (from 0) diagnostic of code in the trace, or NULL. */
const struct clab_record *tu_diag(const struct clab_trace *tr, unsigned code,
				  size_t nth)
{
	size_t i, n = clab_trace_nrecords(tr);

	for (i = 0; i < n; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		if (r->kind == CLAB_K_DIAG && r->a8 == code && nth-- == 0)
			return r;
	}
	return NULL;
}

size_t tu_ndiag(const struct clab_trace *tr, unsigned code)
{
	size_t k = 0;

	while (tu_diag(tr, code, k) != NULL)
		k++;
	return k;
}

/* Whether the record's site is a call in a test-hostile*.c file. */
int tu_site_here(const struct clab_trace *tr, const struct clab_record *r)
{
	const struct clab_site_info *si = clab_trace_site(tr, r->site);

	return si != NULL && si->line > 0 && si->file != NULL &&
	       strstr(si->file, "tests/test-hostile") != NULL;
}

/*
 * Check that the nth bad-object diagnostic says why and wanted kind want,
 * at a site in this file (or with no site when sited is 0); returns it.
 */
const struct clab_record *tu_expect_bad(const struct clab_trace *tr, size_t nth,
					unsigned why, unsigned want, int sited)
{
	const struct clab_record *r = tu_diag(tr, CLAB_D_BAD_OBJECT, nth);

	CU_ASSERT_PTR_NOT_NULL(r);
	if (r == NULL) {
		fprintf(stderr, "no bad-object diagnostic #%zu\n", nth);
		return NULL;
	}
	if ((r->a32 & 0xff) != why || (r->a32 >> 8 & 0xff) != want)
		fprintf(stderr, "bad-object #%zu: why %s want %s, got %s %s\n",
			nth, clab_badobj_name(why), clab_objkind_name(want),
			clab_badobj_name(r->a32 & 0xff),
			clab_objkind_name(r->a32 >> 8 & 0xff));
	CU_ASSERT_EQUAL(r->a32 & 0xff, why);
	CU_ASSERT_EQUAL(r->a32 >> 8 & 0xff, want);
	if (sited) {
		CU_ASSERT_TRUE(tu_site_here(tr, r));
	} else {
		CU_ASSERT_EQUAL(r->site, 0);
	}
	return r;
}

/* The object a diagnostic names; UINT32_MAX when there is none. */
uint32_t tu_bad_obj(const struct clab_record *r)
{
	return r ? r->obj : UINT32_MAX;
}

/* Every result from..to-1 is CLAB_EINVAL. */
void tu_expect_einval(const struct tu_out *o, int from, int to)
{
	CU_ASSERT_TRUE(o->n >= to);
	for (int i = from; i < to && i < o->n; i++) {
		if (o->rc[i] != CLAB_EINVAL)
			fprintf(stderr, "result %d: %d, not CLAB_EINVAL\n", i,
				o->rc[i]);
		CU_ASSERT_EQUAL(o->rc[i], CLAB_EINVAL);
	}
}

void tu_noop(void *arg)
{
	(void)arg;
}