/* Source lines for the sites of a trace, read once per file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"

#define MAX_FILES 32
#define MAX_BYTES (8u << 20) /* larger files are not shown */

struct file {
	char *name; /* as the site names it */
	char *text; /* NULL: not readable */
	char **lines;
	int nlines;
};

struct clab_source {
	char *dir;
	struct file files[MAX_FILES];
	int nfiles;
};

struct clab_source *clab_source_new(const char *dir)
{
	struct clab_source *s = calloc(1, sizeof(*s));
	if (s && dir && !(s->dir = strdup(dir))) {
		free(s);
		return NULL;
	}
	return s;
}

void clab_source_free(struct clab_source *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->nfiles; i++) {
		free(s->files[i].name);
		free(s->files[i].text);
		free(s->files[i].lines);
	}
	free(s->dir);
	free(s);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = malloc(MAX_BYTES + 1);
	size_t n = buf ? fread(buf, 1, MAX_BYTES + 1, f) : 0;
	fclose(f);
	if (!buf || n > MAX_BYTES) {
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	return buf;
}

static char *find(const struct clab_source *s, const char *name)
{
	char path[4096];
	const char *bare = name;
	char *text = slurp(name);
	if (!text && s->dir && name[0] != '/') {
		snprintf(path, sizeof(path), "%s/%s", s->dir, name);
		text = slurp(path);
	}
	while (strncmp(bare, "../", 3) == 0)
		bare += 3;
	if (!text && bare != name)
		text = slurp(bare);
	if (!text && bare != name && s->dir) {
		snprintf(path, sizeof(path), "%s/%s", s->dir, bare);
		text = slurp(path);
	}
	return text;
}

static void split(struct file *f)
{
	int cap = 0;
	for (char *p = f->text; p && *p;) {
		if (f->nlines == cap) {
			cap = cap ? cap * 2 : 256;
			char **l = realloc(f->lines, sizeof(*l) * cap);
			if (!l)
				return;
			f->lines = l;
		}
		f->lines[f->nlines++] = p;
		char *nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = 0;
		p = nl + 1;
	}
}

const char *clab_source_line(struct clab_source *s, const char *file, int line)
{
	if (!s || !file || !*file || line < 1)
		return NULL;
	struct file *f = NULL;
	for (int i = 0; i < s->nfiles; i++)
		if (strcmp(s->files[i].name, file) == 0)
			f = &s->files[i];
	if (!f) {
		if (s->nfiles == MAX_FILES)
			return NULL;
		f = &s->files[s->nfiles];
		if (!(f->name = strdup(file)))
			return NULL;
		s->nfiles++;
		f->text = find(s, file);
		split(f);
	}
	if (!f->text || line > f->nlines)
		return NULL;
	return f->lines[line - 1];
}
