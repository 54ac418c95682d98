/* Shared helpers of the viewer's unit tests: see testutil-tui.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil-tui.h"

char tu_tui_trace[512];

int tu_tui_main(int argc, char **argv, const char *suite,
		void (*add_tests)(CU_pSuite suite))
{
	char dir[256];
	if (argc < 2) {
		fprintf(stderr, "usage: %s path/to/conclab\n", argv[0]);
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s/conclab-tui-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(tu_tui_trace, sizeof(tu_tui_trace), "%s/naive.clt", dir);
	int ret = 1,
	    rc = tu_run_lab(argv[1], "philosophers", "naive", tu_tui_trace);
	if (rc != 3)
		fprintf(stderr, "conclab run philosophers naive exited %d\n",
			rc);
	else
		ret = tu_main(suite, add_tests);
	unlink(tu_tui_trace);
	rmdir(dir);
	return ret;
}

struct clab_trace *tu_tui_open(struct tui *t, const char *path,
			       const struct clab_tui_demo *demo, int w, int h)
{
	char err[512];
	struct clab_trace *tr = NULL;
	struct clab_tui_opts o;
	if (clab_trace_load(path, &tr, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		CU_FAIL_FATAL("the trace did not load");
	}
	clab_tui_opts_init(&o);
	o.ascii = 1;
	o.demo = demo;
	CU_ASSERT_EQUAL_FATAL(clab_tui_init(t, tr, &o), 0);
	CU_ASSERT_EQUAL_FATAL(clab_canvas_resize(&t->cv, w, h), 0);
	clab_tui_draw(t);
	return tr;
}

void tu_tui_close(struct tui *t, struct clab_trace *tr)
{
	clab_tui_fini(t);
	clab_trace_free(tr);
}

const char *tu_tui_row(const struct tui *t, int y)
{
	static char buf[1024];
	int n = 0;
	for (int x = 0; x < t->cv.w && n < (int)sizeof(buf) - 1; x++) {
		uint32_t ch = t->cv.cells[y * t->cv.w + x].ch;
		buf[n++] = ch >= ' ' && ch < 0x7f ? (char)ch : '?';
	}
	buf[n] = 0;
	return buf;
}

int tu_tui_find_row(const struct tui *t, int y0, int x, const char *s)
{
	for (int y = y0; y < t->cv.h; y++) {
		const char *r = tu_tui_row(t, y);
		if (x < 0 ? strstr(r, s) != NULL
			  : strncmp(r + x, s, strlen(s)) == 0)
			return y;
	}
	return -1;
}
