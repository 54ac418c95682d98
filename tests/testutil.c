/* Shared helpers for the CUnit suites; see testutil.h. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <conclab/error.h>
#include <conclab/tracer.h>

#include "testutil.h"

static char tu_path[4096];

void tu_begin(void)
{
	struct clab_tracer_opts opts;
	const char *dir = getenv("TMPDIR");
	int fd, r;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	r = snprintf(tu_path, sizeof(tu_path), "%s/conclab-test-XXXXXX", dir);
	if (r < 0 || (size_t)r >= sizeof(tu_path)) {
		tu_path[0] = '\0';
		CU_FAIL("TMPDIR too long");
		return;
	}
	fd = mkstemp(tu_path);
	if (fd < 0) {
		tu_path[0] = '\0';
		CU_FAIL("mkstemp failed");
		return;
	}
	close(fd);
	memset(&opts, 0, sizeof(opts));
	opts.path = tu_path;
	opts.flush_ms = 100;
	opts.compress = -1;
	r = clab_tracer_open(&opts);
	if (r < 0) {
		fprintf(stderr, "clab_tracer_open(%s): %s\n", tu_path,
			clab_strerror(r));
		unlink(tu_path);
		tu_path[0] = '\0';
		CU_FAIL("clab_tracer_open failed");
	}
}

struct clab_trace *tu_end(void)
{
	struct clab_trace *tr = NULL;
	char err[512];
	int r;

	if (tu_path[0] == '\0') {
		CU_FAIL("tu_end without a trace from tu_begin");
		return NULL;
	}
	r = clab_tracer_close(NULL);
	if (r < 0) {
		fprintf(stderr, "clab_tracer_close: %s\n", clab_strerror(r));
		CU_FAIL("clab_tracer_close failed");
	}
	err[0] = '\0';
	r = clab_trace_load(tu_path, &tr, err, sizeof(err));
	unlink(tu_path);
	tu_path[0] = '\0';
	if (r < 0) {
		fprintf(stderr, "clab_trace_load: %s: %s\n", clab_strerror(r),
			err);
		CU_FAIL("clab_trace_load failed");
		return NULL;
	}
	return tr;
}

const struct clab_record *tu_find_obj(const struct clab_trace *tr,
				      unsigned kind, uint32_t obj, size_t nth)
{
	size_t i, n = tr != NULL ? clab_trace_nrecords(tr) : 0;
	const struct clab_record *r;

	for (i = 0; i < n; i++) {
		r = clab_trace_record(tr, i);
		if (r->kind != kind || (obj != 0 && r->obj != obj))
			continue;
		if (nth-- == 0)
			return r;
	}
	return NULL;
}

size_t tu_count_obj(const struct clab_trace *tr, unsigned kind, uint32_t obj)
{
	size_t i, c = 0, n = tr != NULL ? clab_trace_nrecords(tr) : 0;
	const struct clab_record *r;

	for (i = 0; i < n; i++) {
		r = clab_trace_record(tr, i);
		if (r->kind == kind && (obj == 0 || r->obj == obj))
			c++;
	}
	return c;
}

const struct clab_record *tu_find(const struct clab_trace *tr, unsigned kind,
				  size_t nth)
{
	return tu_find_obj(tr, kind, 0, nth);
}

size_t tu_count(const struct clab_trace *tr, unsigned kind)
{
	return tu_count_obj(tr, kind, 0);
}

size_t tu_count_diag(const struct clab_trace *tr, unsigned code)
{
	size_t n = 0;
	for (size_t i = 0; i < clab_trace_nrecords(tr); i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		n += r->kind == CLAB_K_DIAG && r->a8 == code;
	}
	return n;
}

int tu_wait_until(int (*pred)(void *arg), void *arg)
{
	struct timespec ts = {0, 1000000L};
	int i;

	for (i = 0; i < 10000; i++) {
		if (pred(arg))
			return 0;
		nanosleep(&ts, NULL);
	}
	CU_FAIL("tu_wait_until: the state was not reached in 10 s");
	return -1;
}

int tu_main(const char *suite_name, void (*add_tests)(CU_pSuite suite))
{
	CU_pSuite suite;
	unsigned n;

	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "%s: cannot initialise CUnit\n", suite_name);
		return 1;
	}
	suite = CU_add_suite(suite_name, NULL, NULL);
	if (suite == NULL) {
		fprintf(stderr, "%s: cannot add the suite\n", suite_name);
		CU_cleanup_registry();
		return 1;
	}
	add_tests(suite);
	if (CU_get_error() != CUE_SUCCESS) {
		fprintf(stderr, "%s: cannot add the tests: %s\n", suite_name,
			CU_get_error_msg());
		CU_cleanup_registry();
		return 1;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	n = CU_get_number_of_suites_failed() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return n > 125 ? 125 : (n == 77 ? 78 : (int)n);
}

int tu_run_conclab(const char *conclab, char *const argv[])
{
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(conclab, argv);
		_exit(127);
	}
	int status = 0;
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

int tu_run_lab(const char *conclab, const char *lab, const char *variant,
	       const char *path)
{
	/* under control: the same trace whatever the machine's load */
	char *const argv[] = {(char *)conclab,
			      "run",
			      (char *)lab,
			      "--variant",
			      (char *)variant,
			      "-q",
			      "--sched",
			      "pct",
			      "--seed",
			      "1",
			      "--trace",
			      (char *)path,
			      NULL};
	return tu_run_conclab(conclab, argv);
}

int tu_remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX];
	int rc = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (unlink(path) != 0)
			rc = -1;
	}
	closedir(d);
	return rmdir(dir) != 0 ? -1 : rc;
}
