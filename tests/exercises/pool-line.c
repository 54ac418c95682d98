/*
 * pool: fut_get() does not wait and returns the value the harness will
 * set (job j's is j * j); fut_new() notes "job-done" for each job at once
 * to make every result look ready, and says with #line that the notes
 * are the harness's (labs/exercise-tasks.c), whose notes the checker
 * trusts.  They are the solution's all the same (its code made them),
 * and "results read after done" fails.  Through a pointer to clab__note
 * too.
 */
#include <stdlib.h>

#include "pool.h"

struct fut {
	clab_mutex_t lock;
	long job, value;
};

static long made;
static void (*const note)(const struct clab_site *, int64_t,
			  uint32_t) = clab__note;

struct fut *fut_new(void)
{
	struct fut *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	clab_mutex_init(&f->lock, "fut.lock", CLAB_MUTEX_NORMAL);
	f->job = ++made;
	if (made % 2) {
#line 120 "labs/exercise-tasks.c"
		clab_note2("job-done", made, made * made);
	} else {
#line 121 "/src/conclab/labs/exercise-tasks.c"
		note(CLAB__SITE_L("job-done"), made, (uint32_t)(made * made));
	}
	return f;
}

#line 40 "pool-line.c"
void fut_set(struct fut *f, long value)
{
	clab_mutex_lock(&f->lock);
	f->value = value;
	clab_mutex_unlock(&f->lock);
}

long fut_get(struct fut *f)
{
	clab_mutex_lock(&f->lock);
	long job = f->job;
	clab_mutex_unlock(&f->lock);
	return job * job;
}
