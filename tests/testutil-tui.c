/* Shared helpers of the viewer's unit tests: see testutil-tui.h. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil-tui.h"
#include "testutil.h"

int tu_tui_record(const char *conclab, const char *path)
{
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl(conclab, conclab, "run", "philosophers", "--variant",
		      "naive", "-q", "--trace", path, (char *)NULL);
		_exit(127);
	}
	int status = 0;
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
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
