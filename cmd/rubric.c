/*
 * Rubrics: the default weight of each lab's properties, and rubric files
 * that change them (rubric.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rubric.h"

struct weight {
	const char *name;
	unsigned weight; /* 0: information, never points */
};

/* What every lab's report can hold (lab.c, generic.c, cmd-exercise.c). */
static const struct weight common[] = {
    {"no deadlock", 3},
    {"lock order", 1},
    {"no misuse", 1},
    {"all threads ended", 1},
    {"run completed", 1},
    {"starvation", 1},
    {"busy waiting", 1},
    {"concurrency", 0},
    {"uses only conclab synchronisation", 1},
    {"runs nothing else", 1},
    {"stays in its directory", 1},
    {"compiles", 1},
    {"same on replay", 1},
    {"locks held at exit", 1},
    {NULL, 0},
};

static const struct weight philosophers[] = {
    {"forks exclusive", 3},
    {"eats holding both forks", 3},
    {"meals eaten", 2},
    {"order violation shown", 1},
    {"fork waits", 0},
    {"hunger", 0},
    {NULL, 0},
};

static const struct weight prodcons[] = {
    {"returned once", 3},
    {"returned in order", 2},
    {"notes synchronised", 2},
    {"notes match returns", 2},
    {"all produced", 1},
    {"consumed once", 1},
    {"producer FIFO", 1},
    {"buffer depth", 1},
    {NULL, 0},
};

static const struct weight timer[] = {
    {"countdown saw every tick", 2},
    {"countup saw every tick", 2},
    {"waits end at ticks", 2},
    {"ticks numbered", 1},
    {"timer-a fired once", 1},
    {"timer-b cancelled", 1},
    {"tick period", 0},
    {NULL, 0},
};

static const struct weight rlock[] = {
    {"one holder", 3},
    {"re-entry", 3},
    {"levels restored", 2},
    {"counts its own levels", 1},
    {"final count", 1},
    {"items taken", 1},
    {NULL, 0},
};

/* own key value, freed at thread end: a solution's that uses keys */
static const struct weight tls[] = {
    {"own counter", 3},	  {"each counted its rounds", 2},
    {"own key value", 1}, {"freed at thread end", 1},
    {"lost updates", 0},  {NULL, 0},
};

/*
 * The labs whose properties weigh 1 each: their names, for the rubrics
 * that change them (tests/e2e/variants.sh checks that every property a
 * variant reports is in its lab's table).
 */
static const struct weight actor[] = {
    {"every actor exited", 1},
    {"every message handled", 1},
    {"in order", 1},
    {NULL, 0},
};

static const struct weight barrier[] = {
    {"phases in step", 1},
    {"steps done", 1},
    {"break seen", 1},
    {NULL, 0},
};

static const struct weight coop[] = {
    {"one task at a time", 1},
    {"round-robin order", 1},
    {"every task progressed", 1},
    {"every task done", 1},
    {NULL, 0},
};

static const struct weight lockorder[] = {
    {"worker-1's rounds", 1},
    {"worker-2's rounds", 1},
    {"workers overlap", 1},
    {NULL, 0},
};

static const struct weight pool[] = {
    {"each task ran once", 1},
    {"every job done", 1},
    {"every job ran or was cancelled", 1},
    {"results read after done", 1},
    {"callbacks ran once", 1},
    {"callback total", 1},
    {NULL, 0},
};

static const struct weight processes[] = {
    {"every message", 1},   {"end of file", 1},	   {"read before waiting", 1},
    {"children exit 0", 1}, {"every result", 1},   {"map in order", 1},
    {"increments made", 1}, {"no lost update", 1}, {NULL, 0},
};

static const struct weight race[] = {
    {"updates made", 1},
    {"no lost update", 1},
    {"final count", 1},
    {NULL, 0},
};

static const struct weight rwlock[] = {
    {"reads whole", 1},
    {"writers not overtaken", 1},
    {"rounds done", 1},
    {NULL, 0},
};

static const struct weight semaphore[] = {
    {"limit kept", 1},
    {"releases balanced", 1},
    {"one release, one worker", 1},
    {"rounds done", 1},
    {"final count", 1},
    {NULL, 0},
};

static const struct weight startup[] = {
    {"ready before start", 1},
    {"workers started", 1},
    {NULL, 0},
};

static const struct weight stop[] = {
    {"stop asked", 1},
    {"stopped at once", 1},
    {"join timed out", 1},
    {NULL, 0},
};

static const struct {
	const char *lab;
	const struct weight *w;
} tables[] = {
    {"philosophers", philosophers},
    {"prodcons", prodcons},
    {"timer", timer},
    {"rlock", rlock},
    {"tls", tls},
    {"actor", actor},
    {"barrier", barrier},
    {"coop", coop},
    {"lockorder", lockorder},
    {"pool", pool},
    {"processes", processes},
    {"race", race},
    {"rwlock", rwlock},
    {"semaphore", semaphore},
    {"startup", startup},
    {"stop", stop},
};

static const struct weight *lab_table(const char *lab)
{
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		if (lab != NULL && strcmp(lab, tables[i].lab) == 0)
			return tables[i].w;
	return NULL;
}

/* name's entry in lab's table or the common one, or NULL. */
static const struct weight *known(const char *lab, const char *name)
{
	const struct weight *t[2] = {lab_table(lab), common};

	for (int k = 0; k < 2; k++)
		for (const struct weight *w = t[k]; w && w->name; w++)
			if (strcmp(w->name, name) == 0)
				return w;
	return NULL;
}

static void set(struct clab_rubric *r, const char *name, unsigned weight)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->w[i].name, name) == 0) {
			r->w[i].weight = weight;
			return;
		}
	if (r->n == CLAB_RUBRIC_MAX)
		return;
	snprintf(r->w[r->n].name, sizeof(r->w[r->n].name), "%s", name);
	r->w[r->n++].weight = weight;
}

void clab_rubric_default(struct clab_rubric *r, const char *lab)
{
	const struct weight *t[2] = {common, lab_table(lab)};

	r->n = 0;
	for (int k = 0; k < 2; k++)
		for (const struct weight *w = t[k]; w && w->name; w++)
			set(r, w->name, w->weight);
}

unsigned clab_rubric_weight(const struct clab_rubric *r, const char *name)
{
	for (size_t i = 0; r != NULL && i < r->n; i++)
		if (strcmp(r->w[i].name, name) == 0)
			return r->w[i].weight;
	return 1;
}

/* s without the blanks around it, in place. */
static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = 0;
	return s;
}

int clab_rubric_load(struct clab_rubric *r, const char *lab, const char *path,
		     char *err, size_t errlen)
{
	char line[256], seen[CLAB_RUBRIC_MAX][48];
	size_t nseen = 0;
	int lineno = 0, rc = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		snprintf(err, errlen, "cannot read %s: %s", path,
			 strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(err, errlen, "%s:%d: the line is too long",
				 path, lineno);
			rc = -1;
			break;
		}
		line[strcspn(line, "\n#")] = 0;
		char *s = trim(line), *comma = strrchr(s, ',');
		if (*s == 0)
			continue;
		if (comma == NULL) {
			snprintf(err, errlen,
				 "%s:%d: want 'property name, weight', not "
				 "'%s'",
				 path, lineno, s);
			rc = -1;
			break;
		}
		*comma = 0;
		char *name = trim(s), *num = trim(comma + 1), *end;
		long w = strtol(num, &end, 10);
		const struct weight *k = known(lab, name);
		if (*num == 0 || *end != 0 || w < 0 ||
		    w > CLAB_RUBRIC_WEIGHT_MAX) {
			snprintf(err, errlen,
				 "%s:%d: the weight of '%s' is a whole number "
				 "0..%d, not '%s'",
				 path, lineno, name, CLAB_RUBRIC_WEIGHT_MAX,
				 num);
			rc = -1;
		} else if (k == NULL) {
			snprintf(err, errlen,
				 "%s:%d: '%s' is no property of %s (the "
				 "properties and their weights: "
				 "docs/grading.md)",
				 path, lineno, name, lab);
			rc = -1;
		} else if (k->weight == 0) {
			snprintf(err, errlen,
				 "%s:%d: '%s' is information, not a "
				 "property: it is worth no points",
				 path, lineno, name);
			rc = -1;
		} else {
			for (size_t i = 0; i < nseen; i++)
				if (strcmp(seen[i], name) == 0) {
					snprintf(err, errlen,
						 "%s:%d: '%s' is given twice",
						 path, lineno, name);
					rc = -1;
				}
			if (rc == 0 && nseen < CLAB_RUBRIC_MAX)
				snprintf(seen[nseen++], sizeof(seen[0]), "%s",
					 name);
			if (rc == 0)
				set(r, name, (unsigned)w);
		}
	}
	fclose(f);
	return rc;
}
