/*
 * Rubrics: how many points each property of a lab's report is worth.
 *
 * Every lab has default weights (rubric.c, docs/grading.md); `conclab
 * exercise --rubric FILE` changes them.  A rubric file has one property a
 * line, its name, a comma and its weight (0..1000); '#' starts a comment,
 * blank lines are skipped; a property it does not name keeps its default.
 */
#ifndef CONCLAB_RUBRIC_H
#define CONCLAB_RUBRIC_H

#include <stddef.h>

#define CLAB_RUBRIC_MAX 64
#define CLAB_RUBRIC_WEIGHT_MAX 1000

struct clab_rubric {
	size_t n;
	struct {
		char name[48];
		unsigned weight;
	} w[CLAB_RUBRIC_MAX];
};

/* lab's default weights (a lab without a table: every property 1). */
void clab_rubric_default(struct clab_rubric *r, const char *lab);

/*
 * Read path into r (which holds lab's defaults first): 0, or -1 with the
 * reason in err ("rubric.txt:3: 'meal eaten' is no property of
 * philosophers"; an informational line, a weight out of range, a line
 * without a comma, a name given twice).
 */
int clab_rubric_load(struct clab_rubric *r, const char *lab, const char *path,
		     char *err, size_t errlen);

/* The weight of the property called name (1 when r does not list it). */
unsigned clab_rubric_weight(const struct clab_rubric *r, const char *name);

#endif
