/* What the exercise command's files share (cmd-exercise.c, exercise-*.c):
 * not installed. */
#ifndef CONCLAB_EXERCISE_INT_H
#define CONCLAB_EXERCISE_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cmd.h"
#include "exercise.h"
#include "report.h"
#include "rubric.h"
#include "sandbox.h"
#include "schedules.h"

/* Building the solution (exercise-build.c) */
/* Where the headers are: this source tree, or `pkg-config conclab`. */
struct paths {
	char starters[4096];
	char *cflags[16]; /* -I... for <conclab/runtime.h> */
	size_t ncflags;
};

int clab__exercise_exists(const char *path);
/* Fill p; 0, or -1 when no headers were found. */
int clab__exercise_find_paths(struct paths *p);
void clab__exercise_free_paths(struct paths *p);
/* Whether path names a shared object (a prebuilt solution). */
int clab__exercise_is_shared_object(const char *path);
/* --init DIR: copy the lab's starter into dir; an exit code. */
int clab__exercise_init_dir(const struct clab_exercise *ex,
			    const struct paths *p, const char *dir);
/* Compile solution into so; 0, or the exit code. */
int clab__exercise_compile(const struct paths *p, const char *solution,
			   const char *so);

/* The supervised child (exercise-child.c) */
/* --key: the graded run's key, its file, and that file opened. */
extern struct clab_cmd_key clab__exercise_grade_key;
extern const char *clab__exercise_grade_key_path;
extern int clab__exercise_grade_key_fd;
/* What the sandboxes share with the parent. */
extern struct clab_sandbox_shared *clab__exercise_sandbox;
/* In the child: load the solution in its sandbox, run it, exit. */
_Noreturn void clab__exercise_child_main(const struct clab_exercise *ex,
					 const char *so, const char *solution,
					 const char *box,
					 struct clab_run_spec *spec);
/* In the parent: wait for the child; its exit code. */
int clab__exercise_wait_child(pid_t pid, long limit_s,
			      struct clab_run_spec *spec, int markfd,
			      const char *box, long *left);

/* Screening under schedules (exercise-screen.c) */
long clab__exercise_screen(const struct clab_exercise *ex, const char *so,
			   const char *solution,
			   const struct clab_run_spec *spec,
			   const struct clab_cmd_sched *sched,
			   enum clab_budget_strategy strategy, long n,
			   uint64_t seed, char **str, int *code, long *ran);

/* The report (exercise-report.c) */
/* --format and --rubric */
extern enum clab_report_format clab__exercise_report_fmt;
extern int clab__exercise_report_fd;
extern struct clab_rubric clab__exercise_rubric;
void clab__exercise_write_report(const struct clab_lab_report *rep,
				 const char *name, const char *lab);
void clab__exercise_final_report(const struct clab_exercise *ex,
				 const char *trace, const char *solution,
				 int rc, const char *refused,
				 const char *unreproducible);
/* Refuse a solution whose calls conclab cannot see; 0, or an exit code. */
int clab__exercise_inspect(const struct clab_exercise *ex, const char *so,
			   const char *solution);

#endif
