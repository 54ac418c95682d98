/* conclab replay: step through a trace in the terminal. */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <conclab/trace.h>
#include <conclab/tui.h>

#include "clab-util.h"
#include "cmd.h"

struct replay_opts {
	long at;
	int deadlock, bench;
};

static const struct clab_opt replay_opts[] = {
    {.name = "at",
     .type = CLAB_OPT_LONG,
     .arg = "N",
     .off = offsetof(struct replay_opts, at),
     .max = LONG_MAX,
     .want = "a record number",
     .help = "open at record N"},
    {.name = "deadlock",
     .type = CLAB_OPT_FLAG,
     .off = offsetof(struct replay_opts, deadlock),
     .help = "open at the deadlock, if the trace has one"},
    {.name = "bench",
     .type = CLAB_OPT_FLAG,
     .off = offsetof(struct replay_opts, bench),
     .help = "print load, index, seek and frame times"},
    CLAB_OPT_TABLE_END,
};

static int replay_exec(int argc, char **argv)
{
	const struct clab_cmd *cmd = &clab_cmd_replay;
	struct clab_tui_opts o;
	struct replay_opts ro = {.at = -1};
	struct clab_opts_rest r = {0};
	clab_tui_opts_init(&o);
	void *const bases[] = {&ro, &o};
	int prc = clab_opts_parse(cmd, argc, argv, bases, &r);
	if (prc || r.help) /* --help: printed */
		return prc;
	const char *path = r.operands[0];
	int bench = ro.bench;
	o.deadlock = ro.deadlock;
	if (ro.at >= 0)
		o.at = (uint64_t)ro.at;
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
    .help = "Replays a trace record by record: a lane per thread across time, "
	    "the\nobjects (owner, waiters in order, values), the records with "
	    "their source\nsites, and the wait-for cycle of a deadlock.  Works "
	    "in 80x24 and larger,\nwith or without colour (NO_COLOR is "
	    "respected), in a UTF-8 or a plain\nlocale.  A damaged trace opens "
	    "up to its last whole chunk, with a warning.\n",
    .groups = (const struct clab_opt_group[]){{replay_opts, 0},
					      {clab_cmd_view_opts, 1},
					      {NULL, 0}},
    .max_operands = 1,
    .too_many = "one trace at a time",
    .more =
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
