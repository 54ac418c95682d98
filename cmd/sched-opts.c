/*
 * The controlled scheduler's options, shared by the commands that run a
 * program (run, exercise): --sched, --replay, --step-limit, --spurious,
 * --no-spurious, --pct-depth.
 */
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

int clab_cmd_sched_flag(struct clab_cmd_sched *s, const char *arg)
{
	if (strcmp(arg, "--no-spurious") == 0)
		s->o.spurious_max = 0;
	else if (strcmp(arg, "--early-timeouts") == 0)
		s->o.early_timeouts = 1;
	else
		return 0;
	return 1;
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

int clab_cmd_sched_opt(const struct clab_cmd *cmd, struct clab_cmd_sched *s,
		       const char *key, const char *val)
{
	long v;
	if (strcmp(key, "sched") == 0) {
		int m = clab_sched_mode_parse(val);
		if (m < 0)
			return -clab_cmd_misuse(cmd,
						"--sched wants os, random, pct "
						"or replay, not '%s'",
						val);
		s->o.mode = (enum clab_sched_mode)m;
		s->mode_given = 1;
	} else if (strcmp(key, "replay") == 0) {
		free(s->replay);
		s->replay = NULL;
		if (strncmp(val, "1.", 2) == 0 && !strchr(val, '/')) {
			s->replay = strdup(val);
			if (!s->replay)
				return -CLAB_EXIT_IO;
		} else {
			int rc = from_trace(cmd, s, val);
			if (rc)
				return -rc;
		}
		s->o.mode = CLAB_SCHED_REPLAY;
		s->mode_given = 1;
	} else if (strcmp(key, "pct-depth") == 0) {
		if (clab_cmd_parse_long(val, &v) || v < 1 || v > 16)
			return -clab_cmd_misuse(
			    cmd, "--pct-depth wants 1..16, not '%s'", val);
		s->o.pct_depth = (unsigned)v;
	} else if (strcmp(key, "step-limit") == 0) {
		if (clab_cmd_parse_long(val, &v) || v < 1 || v > 1000000000L)
			return -clab_cmd_misuse(
			    cmd,
			    "--step-limit wants 1..1000000000, "
			    "not '%s'",
			    val);
		s->o.step_limit = (uint64_t)v;
	} else if (strcmp(key, "spurious") == 0) {
		if (clab_cmd_parse_long(val, &v) || v < 0 || v > 1000)
			return -clab_cmd_misuse(
			    cmd, "--spurious wants 0..1000, not '%s'", val);
		s->o.spurious_max = (int)v;
	} else {
		return 0;
	}
	return 1;
}

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
