/*
 * conclab exercise (cmd-exercise.c): grading under the controlled
 * scheduler, which screens a solution under a budget's schedules first.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <conclab/runtime.h>

#include "cmd.h"
#include "schedules.h"
#include "exercise-int.h"
#include "exercise.h"
#include "lab.h"
#include "supervise.h"

/* What a screening run needs, in the child the budget forks. */
static struct screen {
	const struct clab_exercise *ex;
	const char *so, *solution;
	struct clab_run_spec spec;
	struct clab_cmd_sched sched;
} screen;

static int screen_one(void *arg, const struct clab_sched_opts *o,
		      const char *trace)
{
	struct screen *sc = arg;
	struct clab_lab_ctx ctx = *sc->spec.ctx;
	ctx.seed = o->seed;
	sc->sched.o = *o;
	sc->spec.ctx = &ctx;
	sc->spec.trace = trace;
	sc->spec.quiet = 1;
	sc->spec.sched = &sc->sched;
	clab__exercise_grade_key_path =
	    NULL; /* a screening run is not signed */
	clab_supervise_mark_to(-1);
	/* the budget made trace's directory for this child (boxed) */
	char box[4096];
	snprintf(box, sizeof(box), "%s", trace);
	char *slash = strrchr(box, '/');
	if (slash)
		*slash = 0;
	clab__exercise_child_main(sc->ex, sc->so, sc->solution, box, &sc->spec);
}

/*
 * Run the solution under schedules 0..n-1 of a budget (silently, in
 * children), and choose the one to grade: the first that failed, as a
 * schedule string (malloc'd) and its seed, or schedule 0 when all passed
 * (*str NULL).  Returns the budget's index chosen, or -1 when it could
 * not run.
 */
long clab__exercise_screen(const struct clab_exercise *ex, const char *so,
			   const char *solution,
			   const struct clab_run_spec *spec,
			   const struct clab_cmd_sched *sched,
			   enum clab_budget_strategy strategy, long n,
			   uint64_t seed, char **str, int *code, long *ran)
{
	screen = (struct screen){.ex = ex,
				 .so = so,
				 .solution = solution,
				 .spec = *spec,
				 .sched = *sched};
	struct clab_budget b = {.run = screen_one,
				.arg = &screen,
				.opts = sched->o,
				.strategy = strategy,
				.seed = seed,
				.schedules = n,
				.shard = 1,
				.nshards = 1,
				.boxed = 1,
				/* student code: a fresh process each */
				.batch = 1};
	b.jobs = sysconf(_SC_NPROCESSORS_ONLN);
	if (b.jobs < 1)
		b.jobs = 1;
	*str = NULL;
	*code = 0;
	if (clab_budget_init(&b) != 0)
		return -1;
	clab_budget_run(&b);
	*ran = b.ran;
	long chosen = 0;
	if (b.first >= 0) {
		chosen = b.first;
		*code = b.first_code;
		*str = clab_budget_first_schedule(&b);
	}
	clab_budget_fini(&b);
	return chosen;
}
