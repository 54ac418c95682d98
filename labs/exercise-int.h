/*
 * Shared by the exercises' harnesses (exercise.c, exercise-more.c,
 * exercise-tasks.c): the calling thread marked as one of the harness's,
 * the lab's parameters by name, a pause, and the catalogue's exercises
 * for the table.
 */
#ifndef CONCLAB_EXERCISE_INT_H
#define CONCLAB_EXERCISE_INT_H

#include <conclab/runtime.h>

#include "exercise.h"

/*
 * The calling thread runs the student's functions for the harness, as
 * producer or consumer index (prodcons; -1 where there is none):
 * clab_exercise_harness_thread() and clab_exercise_who() say so.
 */
void clab__exercise_harness(int index);

/* The lab's parameter called name (the exercise uses the lab's table). */
static inline long clab__exercise_param(const struct clab_lab_ctx *ctx,
					const char *name)
{
	return clab_lab_param(ctx, name);
}

/* Sleep ms milliseconds (none for 0 or less). */
static inline void clab__exercise_pause(long ms)
{
	if (ms > 0)
		clab_sleep_ms((uint32_t)ms);
}

extern const struct clab_exercise clab__exercise_race;
extern const struct clab_exercise clab__exercise_semaphore;
extern const struct clab_exercise clab__exercise_lockorder;
extern const struct clab_exercise clab__exercise_barrier;
extern const struct clab_exercise clab__exercise_rwlock;
extern const struct clab_exercise clab__exercise_startup;
extern const struct clab_exercise clab__exercise_stop;
extern const struct clab_exercise clab__exercise_actor;
extern const struct clab_exercise clab__exercise_pool;
extern const struct clab_exercise clab__exercise_coop;
extern const struct clab_exercise clab__exercise_processes;
extern const struct clab_exercise clab__exercise_rlock;
extern const struct clab_exercise clab__exercise_tls;

#endif
