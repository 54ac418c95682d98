/*
 * conclab exercise (cmd-exercise.c): the report of a graded run, and the
 * refusal of a solution whose calls conclab cannot see.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "exercise-int.h"
#include "exercise.h"
#include "lab.h"
#include "report.h"
#include "solution-symbols.h"

/*
 * --format and --rubric.  With a format other than text, the report goes
 * to the standard output that conclab was given (clab__exercise_report_fd),
 * written by this process once the run is over, and every other line that would
 * go there goes to stderr; no child has clab__exercise_report_fd.
 */
enum clab_report_format clab__exercise_report_fmt = CLAB_REPORT_TEXT;
int clab__exercise_report_fd = -1;
struct clab_rubric clab__exercise_rubric;

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

/*
 * --format other than text: write rep on clab__exercise_report_fd (once), named
 * after what was graded.
 */
void clab__exercise_write_report(const struct clab_lab_report *rep,
				 const char *name, const char *lab)
{
	if (clab__exercise_report_fd < 0)
		return;
	FILE *out = fdopen(clab__exercise_report_fd, "w");
	if (out == NULL)
		return;
	clab_report_write(out, clab__exercise_report_fmt, name, lab, "exercise",
			  NULL, rep, &clab__exercise_rubric);
	fclose(out);
	clab__exercise_report_fd = -1;
}

/*
 * --format other than text, once the run is over: grade its trace here,
 * with what only this process knows (the sandbox's refusals, processes
 * left behind, a replay that passed where the schedule failed, an end
 * that left no trace), and write the report.  rc is the exit code so far.
 */
void clab__exercise_final_report(const struct clab_exercise *ex,
				 const char *trace, const char *solution,
				 int rc, const char *refused,
				 const char *unreproducible)
{
	struct clab_lab_report rep = {0};
	struct clab_trace *tr = NULL;
	struct clab_lab_ctx ctx;
	char err[512];

	if (clab__exercise_report_fd < 0)
		return;
	if (clab__exercise_exists(trace) &&
	    clab_trace_load(trace, &tr, err, sizeof(err)) == 0 &&
	    clab_trace_damage(tr) == NULL &&
	    clab_lab_ctx_from_trace(&ctx, tr, ex->lab->name, err,
				    sizeof(err)) == 0) {
		ex->lab->check(tr, &ctx, &rep);
	} else {
		clab_lab_report_add(&rep, "run completed", 0, UINT64_MAX,
				    "the run left no trace that can be graded "
				    "(exit code %d)",
				    rc);
	}
	clab_trace_free(tr);
	if (refused)
		clab_lab_report_add(&rep, "runs nothing else", 0, UINT64_MAX,
				    "%s", refused);
	if (unreproducible)
		clab_lab_report_add(&rep, "same on replay", 0, UINT64_MAX, "%s",
				    unreproducible);
	/* killed, or crashed: whatever the trace shows, it is not whole */
	if (rc != CLAB_EXIT_OK && rc != CLAB_EXIT_CHECK)
		rep.partial = 1;
	clab__exercise_write_report(&rep, solution, ex->lab->name);
	clab_lab_report_free(&rep);
}

/*
 * The report line of one kind of refused call: every use of that kind,
 * the first in a whole sentence.
 */
static void refusal(struct clab_lab_report *rep, const char *prop,
		    const char *name, const struct clab_solution_use *u,
		    size_t n, enum clab_solution_kind kind)
{
	char more[1024] = "";
	const struct clab_solution_use *first = NULL;
	size_t count = 0, len = 0;
	for (size_t i = 0; i < n; i++) {
		if (u[i].kind != kind)
			continue;
		if (!first)
			first = &u[i];
		else if (len < sizeof(more))
			len += (size_t)snprintf(more + len, sizeof(more) - len,
						"%s%s", count > 1 ? ", " : "",
						u[i].name);
		count++;
	}
	if (!first) {
		clab_lab_report_add(rep, prop, 1, UINT64_MAX,
				    kind == CLAB_SOLUTION_SYNC
					? "no call to a synchronisation "
					  "conclab cannot see"
					: "no call that starts a process, "
					  "opens a connection or loads code");
		return;
	}
	clab_lab_report_add(
	    rep, prop, 0, UINT64_MAX, "%s uses %s, %s%s%s%s%s%s", name,
	    first->name, first->why, first->instead ? ": use " : "",
	    first->instead ? first->instead : "", count > 1 ? " (and " : "",
	    more, count > 1 ? ")" : "");
}

/*
 * Read what the solution's shared object calls (solution-symbols.c) and
 * refuse one that synchronises where conclab cannot see it, or leaves its
 * process: say why, print the two failed properties, and do not run it.
 * Returns 0 (run it), 1 (refused) or 2 (not a shared object).
 */
int clab__exercise_inspect(const struct clab_exercise *ex, const char *so,
			   const char *solution)
{
	struct clab_solution_use *u;
	size_t n;
	const char *name = base_name(solution);
	int err = clab_solution_forbidden(so, ex->allow, &u, &n);
	if (err) {
		fprintf(stderr, "conclab exercise: cannot load %s: %s\n",
			solution,
			err == -ENOEXEC ? "not an ELF shared object"
					: strerror(-err));
		return CLAB_EXIT_USAGE;
	}
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "conclab exercise: %s uses %s, %s%s%s\n", name,
			u[i].name, u[i].why, u[i].instead ? ": use " : "",
			u[i].instead ? u[i].instead : "");
	fprintf(stderr,
		"conclab exercise: %s is not run: conclab grades only what "
		"it sees (docs/exercises.md)\n",
		solution);
	struct clab_lab_report rep = {0};
	refusal(&rep, "uses only conclab synchronisation", name, u, n,
		CLAB_SOLUTION_SYNC);
	refusal(&rep, "runs nothing else", name, u, n, CLAB_SOLUTION_PROCESS);
	if (clab__exercise_report_fmt == CLAB_REPORT_TEXT) {
		printf("\n");
		clab_report_write(stdout, CLAB_REPORT_TEXT, "", ex->lab->name,
				  "exercise", NULL, &rep,
				  &clab__exercise_rubric);
		fflush(stdout);
	} else {
		clab__exercise_write_report(&rep, solution, ex->lab->name);
	}
	clab_lab_report_free(&rep);
	clab_solution_uses_free(u, n);
	return CLAB_EXIT_CHECK;
}
