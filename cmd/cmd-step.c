/*
 * conclab step: you are the scheduler.  A lab runs under the controlled
 * scheduler in a child process that stops at every choice and asks; the
 * viewer shows the run so far and the choices, and the person at the
 * keyboard picks who goes next, undoes and redoes moves, and wins by
 * driving the program into its failure.
 *
 * The child runs the lab as `conclab run --sched` would, in CLAB_SCHED_ASK
 * mode: at each choice it flushes its trace and writes the choices to a
 * pipe, one line each after a line with their number, then reads the pick
 * from another pipe.  An undo ends the child and starts a new one that
 * replays the moves but the last (a replay is exact), and asks again.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <conclab/runtime.h>
#include <conclab/trace.h>
#include <conclab/tui.h>

#include "cmd.h"
#include "exercise-config.h"
#include "lab.h"
#include "supervise.h"

#define MAX_CHOICES 64

struct step {
	struct clab_lab_ctx ctx;
	const char *variant;
	struct clab_cmd_sched sched;
	char dir[64];
	char trace[128], out[128];
	const char *keep; /* --trace: the run's trace is copied there */
	/* the moves made, and those undone (for redo) */
	uint32_t *moves, *undone;
	size_t nmoves, nundone, cap, undone_cap;
	/* the child, and the pipes to it and from it */
	pid_t child;
	FILE *to, *from;
	/* the run as it stands */
	struct clab_trace *tr;
	char *choice[MAX_CHOICES];
	size_t nchoices;
	int ended, code;
	char msg[320];
};

/* ---- the child ---- */

/* The child's pipes to the viewer: one child, one run. */
static FILE *ask_to, *ask_from;

static const char *what_text(const struct clab_sched_option *o)
{
	switch (o->what) {
	case CLAB_SCHED_TIMES_OUT:
		return "its wait times out";
	case CLAB_SCHED_WAKES_SPURIOUSLY:
		return "wakes up for no reason (spurious)";
	case CLAB_SCHED_IS_WOKEN:
		return "gets the wakeup";
	default:
		return o->blocked ? "goes on from its wait" : "goes on";
	}
}

static unsigned ask(void *arg, const struct clab_sched_option *o, size_t n)
{
	(void)arg;
	clab_tracer_flush();
	size_t shown = n < MAX_CHOICES ? n : MAX_CHOICES;
	fprintf(ask_to, "%zu\n", shown);
	for (size_t i = 0; i < shown; i++) {
		fprintf(ask_to, "%-10s %s", o[i].thread, what_text(&o[i]));
		if (o[i].site && o[i].site->file)
			fprintf(ask_to, "  %s:%d",
				clab_site_path(o[i].site->file),
				o[i].site->line);
		fputc('\n', ask_to);
	}
	fflush(ask_to);
	unsigned k;
	if (fscanf(ask_from, "%u", &k) != 1)
		_exit(CLAB_EXIT_OK); /* the viewer is gone */
	return k < shown ? k : 0;
}

/* Start the child with the moves so far as its prefix. */
static int start(struct step *s)
{
	int down[2], up[2];
	int len = clab_sched_format(s->moves, s->nmoves,
				    (unsigned)(s->sched.o.spurious_max < 0
						   ? 1
						   : s->sched.o.spurious_max),
				    NULL, 0);
	char *prefix = malloc((size_t)len + 1);
	if (!prefix || pipe2(down, O_CLOEXEC) || pipe2(up, O_CLOEXEC)) {
		free(prefix);
		snprintf(s->msg, sizeof(s->msg), "cannot start the run: %s",
			 strerror(errno));
		return -1;
	}
	clab_sched_format(s->moves, s->nmoves,
			  (unsigned)(s->sched.o.spurious_max < 0
					 ? 1
					 : s->sched.o.spurious_max),
			  prefix, (size_t)len + 1);
	pid_t pid = clab_supervise_fork(0);
	if (pid == 0) {
		int fd = open(s->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			      0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		ask_from = fdopen(down[0], "r");
		ask_to = fdopen(up[1], "w");
		struct clab_cmd_sched sc = s->sched;
		sc.o.mode = CLAB_SCHED_ASK;
		sc.o.replay = prefix;
		sc.o.ask = ask;
		struct clab_lab_ctx ctx = s->ctx;
		ctx.out = NULL;
		_exit(clab_run_lab(&ctx, s->trace, &sc, 1));
	}
	free(prefix);
	close(down[0]);
	close(up[1]);
	if (pid < 0) {
		close(down[1]);
		close(up[0]);
		snprintf(s->msg, sizeof(s->msg), "cannot start the run: %s",
			 strerror(errno));
		return -1;
	}
	s->child = pid;
	s->to = fdopen(down[1], "w");
	s->from = fdopen(up[0], "r");
	return s->to && s->from ? 0 : -1;
}

static void stop(struct step *s)
{
	if (s->to)
		fclose(s->to);
	if (s->from)
		fclose(s->from);
	s->to = s->from = NULL;
	if (s->child > 0) {
		int st;
		kill(s->child, SIGKILL);
		clab_supervise_wait(s->child, 0, &st, NULL);
	}
	s->child = 0;
}

/* The first line of the run's output that starts with one of these. */
static void first_line(const struct step *s, const char *const *starts,
		       char *buf, size_t len)
{
	FILE *f = fopen(s->out, "r");
	char line[512];
	buf[0] = 0;
	while (f && fgets(line, sizeof(line), f) && !buf[0]) {
		for (size_t i = 0; starts[i]; i++) {
			if (strncmp(line, starts[i], strlen(starts[i])))
				continue;
			line[strcspn(line, "\n")] = 0;
			char *p = line;
			while (*p == ' ')
				p++;
			snprintf(buf, len, "%.300s", p);
			break;
		}
	}
	if (f)
		fclose(f);
}

/* Read the child's next question, or its end; then load its trace. */
static void advance(struct step *s)
{
	for (size_t i = 0; i < s->nchoices; i++)
		free(s->choice[i]);
	s->nchoices = 0;
	s->msg[0] = 0;
	size_t n;
	char line[512];
	if (s->from && fscanf(s->from, "%zu", &n) == 1 &&
	    fgets(line, sizeof(line), s->from)) {
		for (size_t i = 0; i < n && i < MAX_CHOICES; i++) {
			if (!fgets(line, sizeof(line), s->from))
				break;
			line[strcspn(line, "\n")] = 0;
			s->choice[s->nchoices++] = strdup(line);
		}
		s->ended = 0;
		snprintf(s->msg, sizeof(s->msg),
			 "move %zu: pick who goes next (keys below)",
			 s->nmoves + 1);
	} else {
		int st = 0;
		if (s->to)
			fclose(s->to);
		if (s->from)
			fclose(s->from);
		s->to = s->from = NULL;
		if (s->child > 0)
			clab_supervise_wait(s->child, 0, &st, NULL);
		s->child = 0;
		s->ended = 1;
		s->code = clab_supervise_code(st);
		char why[400];
		static const char *const dead[] = {"conclab: deadlock",
						   "conclab: stopped", NULL};
		static const char *const fail[] = {"  FAIL ", NULL};
		switch (s->code) {
		case CLAB_EXIT_DEADLOCK:
			first_line(s, dead, why, sizeof(why));
			snprintf(s->msg, sizeof(s->msg),
				 "You win in %zu moves! %.200s", s->nmoves,
				 why + (strncmp(why, "conclab: ", 9) ? 0 : 9));
			break;
		case CLAB_EXIT_CHECK:
			first_line(s, fail, why, sizeof(why));
			snprintf(s->msg, sizeof(s->msg),
				 "You win in %zu moves: a check failed: %.200s",
				 s->nmoves, why + (why[0] ? 5 : 0));
			break;
		case CLAB_EXIT_TIMEOUT:
			snprintf(s->msg, sizeof(s->msg),
				 "You win: the threads went round in circles "
				 "(a livelock)");
			break;
		case CLAB_EXIT_OK:
			snprintf(s->msg, sizeof(s->msg),
				 "The run ended and every check passed: no "
				 "bug this way. u undoes a move.");
			break;
		default:
			snprintf(s->msg, sizeof(s->msg),
				 "The run ended with exit code %d", s->code);
		}
	}
	char err[512];
	struct clab_trace *tr;
	if (clab_trace_load(s->trace, &tr, err, sizeof(err)) == 0) {
		clab_trace_free(s->tr);
		s->tr = tr;
	} else if (!s->tr) {
		snprintf(s->msg, sizeof(s->msg), "%.300s", err);
	}
}

static int push(uint32_t **a, size_t *n, size_t *cap, uint32_t v)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		uint32_t *p = realloc(*a, c * sizeof(*p));
		if (!p)
			return -1;
		*a = p;
		*cap = c;
	}
	(*a)[(*n)++] = v;
	return 0;
}

/* ---- the viewer's side ---- */

static void live_state(void *arg, const struct clab_trace **tr,
		       const char *const **choices, size_t *n, const char **msg,
		       int *ended)
{
	struct step *s = arg;
	*tr = s->tr;
	*choices = (const char *const *)s->choice;
	*n = s->nchoices;
	*msg = s->msg[0] ? s->msg : NULL;
	*ended = s->ended;
}

static int live_pick(void *arg, size_t k)
{
	struct step *s = arg;
	if (s->ended || k >= s->nchoices || !s->to)
		return -1;
	if (push(&s->moves, &s->nmoves, &s->cap, (uint32_t)k))
		return -1;
	s->nundone = 0;
	fprintf(s->to, "%zu\n", k);
	fflush(s->to);
	advance(s);
	return 0;
}

static int live_undo(void *arg)
{
	struct step *s = arg;
	if (s->nmoves == 0) {
		snprintf(s->msg, sizeof(s->msg), "no move to undo");
		return -1;
	}
	if (push(&s->undone, &s->nundone, &s->undone_cap,
		 s->moves[--s->nmoves]))
		return -1;
	stop(s);
	if (start(s))
		return -1;
	advance(s);
	return 0;
}

static int live_redo(void *arg)
{
	struct step *s = arg;
	if (s->nundone == 0) {
		snprintf(s->msg, sizeof(s->msg), "no move to redo");
		return -1;
	}
	uint32_t k = s->undone[--s->nundone];
	size_t keep = s->nundone;
	int rc = live_pick(arg, k);
	s->nundone = keep; /* a redo keeps the rest to redo */
	return rc;
}

struct step_opts {
	long seed;
	const char *trace;
};

static const struct clab_opt step_opts[] = {
    {.name = "seed",
     .type = CLAB_OPT_LONG,
     .arg = "N",
     .off = offsetof(struct step_opts, seed),
     .max = LONG_MAX,
     .def = "1",
     .help = "the lab's seed (its random delays)"},
    {.name = "trace",
     .type = CLAB_OPT_STRING,
     .arg = "FILE",
     .off = offsetof(struct step_opts, trace),
     .help = "keep the run's trace there when you quit"},
    {.name = "sched",
     .type = CLAB_OPT_REFUSED,
     .help = "you are the scheduler here: --sched does not apply"},
    {.name = "replay",
     .type = CLAB_OPT_REFUSED,
     .help = "you are the scheduler here: --replay does not apply"},
    {.name = "pct-depth",
     .type = CLAB_OPT_REFUSED,
     .help = "you are the scheduler here: --pct-depth does not apply"},
    CLAB_OPT_TABLE_END,
};

static int step_exec(int argc, char **argv)
{
	const struct clab_cmd *cmd = &clab_cmd_step;
	struct step s = {0};
	struct clab_lab_args la = {0};
	struct clab_opts_rest r = {.lab = &la};
	struct step_opts so = {.seed = 1};
	struct clab_tui_opts o;
	int rc = 0, vi = 0;
	clab_tui_opts_init(&o);
	clab_cmd_sched_init(&s.sched);
	void *const bases[] = {&so, &s.sched, &la, &o};
	rc = clab_opts_parse(cmd, argc, argv, bases, &r);
	int help = r.help;
	long seed = so.seed;
	s.keep = so.trace;
	if (rc)
		goto out;
	if (help) /* printed */
		goto out;
	if (!la.lab) {
		rc = clab_cmd_misuse(cmd, "which lab? (see 'conclab list')");
		goto out;
	}
	rc = clab_lab_args_resolve(cmd, &la, &s.ctx, &vi);
	if (rc)
		goto out;
	s.variant = s.ctx.lab->variants[vi].name;
	s.ctx.seed = (uint64_t)seed;
	s.sched.o.seed = (uint64_t)seed;
	if (!o.batch && (!isatty(0) || !isatty(1))) {
		rc = clab_cmd_misuse(cmd, "it needs a terminal (or --batch "
					  "with --keys)");
		goto out;
	}
	snprintf(s.dir, sizeof(s.dir), "/tmp/conclab-step-XXXXXX");
	if (!mkdtemp(s.dir)) {
		fprintf(stderr, "conclab step: cannot make a directory: %s\n",
			strerror(errno));
		rc = CLAB_EXIT_IO;
		goto out;
	}
	snprintf(s.trace, sizeof(s.trace), "%s/run.clt", s.dir);
	snprintf(s.out, sizeof(s.out), "%s/out.txt", s.dir);
	signal(SIGPIPE, SIG_IGN);
	if (start(&s)) {
		fprintf(stderr, "conclab step: %s\n", s.msg);
		rc = CLAB_EXIT_IO;
		goto clean;
	}
	advance(&s);
	if (!s.tr) {
		fprintf(stderr, "conclab step: %s\n", s.msg);
		rc = CLAB_EXIT_IO;
		goto clean;
	}
	struct clab_tui_live live = {.arg = &s,
				     .state = live_state,
				     .pick = live_pick,
				     .undo = live_undo,
				     .redo = live_redo};
	o.live = &live;
	/* the labs' sources, for the viewer's source line */
	o.dir = CLAB_SOURCE_ROOT;
	char err[512];
	int vrc = clab_tui_run(s.tr, &o, err, sizeof(err));
	stop(&s);
	if (vrc < 0) {
		fprintf(stderr, "conclab step: %s\n", err);
		rc = CLAB_EXIT_USAGE;
		goto clean;
	}
	/* the moves, as a schedule string that replays them */
	unsigned spur =
	    (unsigned)(s.sched.o.spurious_max < 0 ? 1 : s.sched.o.spurious_max);
	char *str = NULL;
	if (s.ended)
		str = s.tr ? (char *)clab_trace_meta(s.tr, "sched.schedule")
			   : NULL;
	if (str) {
		str = strdup(str);
	} else {
		int len = clab_sched_format(s.moves, s.nmoves, spur, NULL, 0);
		str = malloc((size_t)len + 1);
		if (str)
			clab_sched_format(s.moves, s.nmoves, spur, str,
					  (size_t)len + 1);
	}
	printf("%zu move(s)%s: %s\n", s.nmoves,
	       s.ended ? "" : " (the run had not ended)", s.msg);
	if (str) {
		printf("schedule: %s\nreplay it: conclab run %s --variant %s",
		       str, s.ctx.lab->name, s.variant);
		clab_lab_args_print(stdout, &s.ctx);
		clab_cmd_sched_print(stdout, &s.sched);
		printf(" --seed %ld --replay %s\n", seed, str);
	}
	free(str);
	if (s.keep && s.tr) {
		/* the run so far, for conclab replay */
		FILE *in = fopen(s.trace, "rb"), *outf = fopen(s.keep, "wb");
		char buf[65536];
		size_t k;
		while (in && outf && (k = fread(buf, 1, sizeof(buf), in)) > 0)
			fwrite(buf, 1, k, outf);
		if (!in || !outf || (outf && fclose(outf) != 0)) {
			fprintf(stderr, "conclab step: cannot write %s\n",
				s.keep);
			rc = CLAB_EXIT_IO;
		} else {
			printf("trace: %s\n", s.keep);
		}
		if (in)
			fclose(in);
	}
	if (vrc > 0)
		rc = vrc;
clean:
	stop(&s);
	clab_cmd_unlink_trace(s.trace);
	unlink(s.out);
	rmdir(s.dir);
	clab_trace_free(s.tr);
	for (size_t i = 0; i < s.nchoices; i++)
		free(s.choice[i]);
	free(s.moves);
	free(s.undone);
out:
	clab_lab_args_fini(&la);
	clab_cmd_sched_fini(&s.sched);
	return rc;
}

const struct clab_cmd clab_cmd_step = {
    .name = "step",
    .args = "LAB [--variant V] [--PARAM VALUE]... [OPTIONS]",
    .summary = "be the scheduler: pick who runs, and break the program",
    .help =
	"Runs a lab variant one step at a time under the controlled\n"
	"scheduler, and lets you pick, at every step, which thread goes on\n"
	"(or whose wait times out, or who gets a wakeup).  The viewer shows\n"
	"the run so far and the choices below the records: press the key of\n"
	"a choice to make it, u to undo the last move, r to redo it.  You win\n"
	"when you drive the program into its failure: a deadlock, a failed\n"
	"check, a livelock.  On q the moves are printed as a schedule string\n"
	"that 'conclab run --replay' reruns.\n\n"
	"Each --PARAM VALUE sets a lab parameter ('conclab run LAB --help').\n",
    .groups = (const struct clab_opt_group[]){{clab_cmd_lab_opts, 2},
					      {step_opts, 0},
					      {clab_cmd_sched_opts, 1},
					      {clab_cmd_view_opts, 3},
					      {NULL, 0}},
    .more = "Exit codes: 0 after q; 2 usage error (or no terminal); 5 the run\n"
	    "could not be started; 128+N stopped by signal N.\n",
    .exec = step_exec,
};
