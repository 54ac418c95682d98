/*
 * The controlled scheduler's options, shared by the commands that run a
 * program (run, exercise): --sched, --replay, --step-limit, --spurious,
 * --no-spurious, --pct-depth.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/runtime.h>
#include <conclab/trace.h>

#include "cmd.h"

void clab_cmd_sched_init(struct clab_cmd_sched *s)
{
	memset(s, 0, sizeof(*s));
	s->o.mode = CLAB_SCHED_OS;
	s->o.spurious_max = -1;
}

void clab_cmd_sched_fini(struct clab_cmd_sched *s)
{
	free(s->replay);
	s->replay = NULL;
}

/* The schedule saved in a trace file (and its seed, for --seed). */
static int from_trace(const struct clab_cmd *cmd, struct clab_cmd_sched *s,
		      const char *path)
{
	char err[512];
	struct clab_trace *tr;
	if (clab_trace_load(path, &tr, err, sizeof(err)) != 0) {
		fprintf(stderr, "conclab %s: --replay: %s\n", cmd->name, err);
		return CLAB_EXIT_USAGE;
	}
	const char *str = clab_trace_meta(tr, "sched.schedule");
	const char *seed = clab_trace_meta(tr, "seed");
	if (!str) {
		fprintf(stderr,
			"conclab %s: --replay: %s was not recorded under "
			"--sched random, pct or replay: it has no schedule\n",
			cmd->name, path);
		clab_trace_free(tr);
		return CLAB_EXIT_USAGE;
	}
	s->replay = strdup(str);
	if (seed && clab_cmd_parse_long(seed, &s->trace_seed) == 0)
		s->has_trace_seed = 1;
	clab_trace_free(tr);
	return s->replay ? 0 : CLAB_EXIT_IO;
}

static int set_mode(const struct clab_cmd *cmd, void *base, const char *val,
		    long num)
{
	struct clab_cmd_sched *s = base;
	int m = clab_sched_mode_parse(val);
	(void)cmd;
	(void)num;
	if (m < 0)
		return -1;
	s->o.mode = (enum clab_sched_mode)m;
	s->mode_given = 1;
	return 0;
}

static int set_replay(const struct clab_cmd *cmd, void *base, const char *val,
		      long num)
{
	struct clab_cmd_sched *s = base;
	(void)num;
	free(s->replay);
	s->replay = NULL;
	if (strncmp(val, "1.", 2) == 0 && !strchr(val, '/')) {
		s->replay = strdup(val);
		if (!s->replay)
			return CLAB_EXIT_IO;
	} else {
		int rc = from_trace(cmd, s, val);
		if (rc)
			return rc;
	}
	s->o.mode = CLAB_SCHED_REPLAY;
	s->mode_given = 1;
	return 0;
}

static int set_pct_depth(const struct clab_cmd *cmd, void *base,
			 const char *val, long num)
{
	(void)cmd;
	(void)val;
	((struct clab_cmd_sched *)base)->o.pct_depth = (unsigned)num;
	return 0;
}

static int set_step_limit(const struct clab_cmd *cmd, void *base,
			  const char *val, long num)
{
	(void)cmd;
	(void)val;
	((struct clab_cmd_sched *)base)->o.step_limit = (uint64_t)num;
	return 0;
}

static int set_spurious(const struct clab_cmd *cmd, void *base, const char *val,
			long num)
{
	(void)cmd;
	(void)val;
	/* --no-spurious: num is 0 */
	((struct clab_cmd_sched *)base)->o.spurious_max = (int)num;
	return 0;
}

const struct clab_opt clab_cmd_sched_mode_opts[] = {
    {.name = "sched",
     .type = CLAB_OPT_STRING,
     .arg = "MODE",
     .parse = set_mode,
     .want = "os, random, pct or replay",
     .def = "os",
     .help = "who picks the next thread: os (the operating system), "
	     "random, pct, or replay; under random and pct one thread runs "
	     "at a time, the seed picks each step, time is virtual, and the "
	     "same seed gives the same run"},
    {.name = "replay",
     .type = CLAB_OPT_STRING,
     .arg = "S",
     .parse = set_replay,
     .help = "rerun the schedule S (a string that a controlled run "
	     "prints), or the one saved in a trace file"},
    CLAB_OPT_TABLE_END,
};

const struct clab_opt clab_cmd_sched_pct_opts[] = {
    {.name = "pct-depth",
     .type = CLAB_OPT_LONG,
     .arg = "D",
     .min = 1,
     .max = 16,
     .parse = set_pct_depth,
     .def = "3",
     .help = "pct: the bug depth it aims at"},
    CLAB_OPT_TABLE_END,
};

const struct clab_opt clab_cmd_sched_opts[] = {
    {.name = "step-limit",
     .type = CLAB_OPT_LONG,
     .arg = "N",
     .min = 1,
     .max = 1000000000L,
     .parse = set_step_limit,
     .def = "100000",
     .help = "report a livelock after N steps"},
    {.name = "spurious",
     .type = CLAB_OPT_LONG,
     .arg = "N",
     .min = 0,
     .max = 1000,
     .parse = set_spurious,
     .def = "1",
     .help = "spurious wakeups one condition wait may get under control"},
    {.name = "no-spurious",
     .type = CLAB_OPT_FLAG,
     .parse = set_spurious,
     .help = "no spurious wakeups (--spurious 0)"},
    {.name = "early-timeouts",
     .type = CLAB_OPT_FLAG,
     .off = offsetof(struct clab_cmd_sched, o.early_timeouts),
     .help = "under control, any timed wait may time out at any step, as "
	     "if its waker were slow"},
    CLAB_OPT_TABLE_END,
};

int clab_cmd_sched_ready(const struct clab_cmd *cmd, struct clab_cmd_sched *s,
			 uint64_t seed)
{
	if (s->o.mode == CLAB_SCHED_REPLAY && !s->replay)
		return clab_cmd_misuse(cmd,
				       "--sched replay wants --replay STRING "
				       "or --replay TRACE");
	if (s->replay && s->o.mode != CLAB_SCHED_REPLAY)
		return clab_cmd_misuse(cmd, "--replay goes with --sched replay "
					    "(or alone)");
	s->o.seed = seed;
	s->o.replay = s->replay;
	return 0;
}

void clab_cmd_sched_print(FILE *out, const struct clab_cmd_sched *s)
{
	/* 0 and -1: not given, the scheduler's defaults */
	if (s->o.step_limit)
		fprintf(out, " --step-limit %" PRIu64, s->o.step_limit);
	if (s->o.spurious_max >= 0)
		fprintf(out, " --spurious %d", s->o.spurious_max);
	if (s->o.early_timeouts)
		fprintf(out, " --early-timeouts");
}
