/* conclab replay: step through a trace in the terminal. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <conclab/trace.h>
#include <conclab/tui.h>

#include "clab-util.h"
#include "cmd.h"

static int replay_exec(int argc, char **argv)
{
	const struct clab_cmd *cmd = &clab_cmd_replay;
	struct clab_tui_opts o;
	const char *path = NULL;
	int bench = 0;
	clab_tui_opts_init(&o);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		long v;
		if (clab_cmd_is_help(a)) {
			clab_cmd_usage(cmd, stdout);
			return CLAB_EXIT_OK;
		}
		int takes = strcmp(a, "--at") == 0 ||
			    strcmp(a, "--keys") == 0 ||
			    strcmp(a, "--size") == 0;
		if (takes && i + 1 >= argc)
			return clab_cmd_misuse(cmd, "%s needs a value", a);
		if (strcmp(a, "--at") == 0) {
			if (clab_cmd_parse_long(argv[++i], &v) || v < 0)
				return clab_cmd_misuse(
				    cmd, "--at needs a record number, not '%s'",
				    argv[i]);
			o.at = (uint64_t)v;
		} else if (takes) {
			int vo = clab_cmd_view_opt(cmd, &o, a + 2, argv[++i]);
			if (vo < 0)
				return -vo;
		} else if (strcmp(a, "--deadlock") == 0) {
			o.deadlock = 1;
		} else if (clab_cmd_view_flag(&o, a)) {
			;
		} else if (strcmp(a, "--bench") == 0) {
			bench = 1;
		} else if (a[0] == '-' && a[1]) {
			return clab_cmd_misuse(cmd, "unknown option '%s'", a);
		} else if (!path) {
			path = a;
		} else {
			return clab_cmd_misuse(cmd, "one trace at a time");
		}
	}
	if (!path)
		return clab_cmd_misuse(cmd, "which trace?");
	if (o.keys && !o.batch)
		return clab_cmd_misuse(cmd, "--keys needs --batch");

	char err[512], dir[4096];
	struct clab_trace *tr;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (clab_trace_load(path, &tr, err, sizeof(err)) != 0) {
		fprintf(stderr, "conclab replay: %s\n", err);
		return CLAB_EXIT_USAGE;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	o.dir = slash ? dir : ".";

	int rc;
	if (bench) {
		printf("load         %.1f ms (%s)\n",
		       clab__ts_ms_between(&t0, &t1), path);
		rc = clab_tui_bench(tr, stdout);
		if (rc)
			snprintf(err, sizeof(err), "%s", "out of memory");
	} else {
		rc = clab_tui_run(tr, &o, err, sizeof(err));
	}
	clab_trace_free(tr);
	if (rc < 0) {
		/* the terminal is restored by now */
		fprintf(stderr, "conclab replay: %s\n", err);
		return CLAB_EXIT_USAGE;
	}
	return rc;
}

const struct clab_cmd clab_cmd_replay = {
    .name = "replay",
    .args = "[--at N] [--deadlock] [--no-color] [--ascii] [--no-mouse] TRACE",
    .summary = "step through a trace in the terminal",
    .help =
	"Replays a trace record by record: a lane per thread across time, "
	"the\nobjects (owner, waiters in order, values), the records with "
	"their source\nsites, and the wait-for cycle of a deadlock.  Works "
	"in 80x24 and larger,\nwith or without colour (NO_COLOR is "
	"respected), in a UTF-8 or a plain\nlocale.  A damaged trace opens "
	"up to its last whole chunk, with a warning.\n\n"
	"Options:\n"
	"  --at N          open at record N\n"
	"  --deadlock      open at the deadlock, if the trace has one\n"
	"  --no-color      no colour\n"
	"  --ascii         ASCII lines and glyphs even in a UTF-8 locale\n"
	"  --no-mouse      leave the mouse to the terminal (to select "
	"text)\n"
	"  --batch         no terminal: apply --keys to a screen of --size "
	"and\n                  print it as text (for tests and scripts)\n"
	"  --keys KEYS     the keys, e.g. 'jjD?'; special keys as <Tab> "
	"<BTab>\n                  <Left> <Right> <Up> <Down> <PgUp> <PgDn> "
	"<Home> <End>\n                  <Enter> <Esc> <BS> <Space> <lt>; the "
	"mouse as\n                  <Click:ROW,COL> <WheelUp:ROW,COL> "
	"<WheelDown:ROW,COL>\n                  (rows and columns from 0)\n"
	"  --size WxH      the batch screen's size (default 80x24)\n"
	"  --bench         print load, index, seek and frame times\n\n"
	"Keys:\n"
	"  l Right / h Left      next / previous record\n"
	"  j Down / k Up         next / previous thread (lanes pane), "
	"record (log\n"
	"                        pane) or object (objects pane)\n"
	"  PgDn / PgUp           20 records forward / back\n"
	"  t / T                 next / previous record of the selected "
	"thread\n"
	"  o / O                 next / previous record of the selected "
	"object\n"
	"  c                     the record this one waited for (its "
	"cause)\n"
	"  g Home / G End        first / last record\n"
	"  D                     the deadlock\n"
	"  ] / [                 next / previous diagnostic\n"
	"  :N Enter              record N\n"
	"  /text Enter, n / N    search, next / previous match\n"
	"  Space, + / -          play / pause, faster / slower\n"
	"  z / Z                 lanes: zoom out / in\n"
	"  L                     lock-order cycles; j/k select, Enter goes "
	"to\n                        the record that closed one, L or Esc "
	"closes\n"
	"  p                     the lab's picture (philosophers' table, "
	"prodcons\n                        buffer) or the objects\n"
	"  Tab / Shift-Tab       next / previous pane\n"
	"  ?                     help\n"
	"  mouse click           a thread's lane selects it, a column or a "
	"record\n                        goes there, an object selects it\n"
	"  mouse wheel           next / previous record (over the objects:\n"
	"                        object; in the lock-order view: cycle)\n"
	"  q                     quit\n\n"
	"Exit codes: 0 quit; 2 usage error, or a trace that cannot be "
	"read;\n128+N stopped by signal N (the terminal is restored).\n",
    .exec = replay_exec,
};
