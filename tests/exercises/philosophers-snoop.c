/*
 * Wrong: correct forks, but philosopher 0 tries, once, to read what is
 * not its own (a secret beside its source file, /etc/shadow), to write
 * beside its source, and to put a forged trace where the grader writes
 * the real one (snoop.clt beside its source).  The sandbox lets it do
 * none of it: it prints what it got.
 */
#include <stdio.h>
#include <string.h>

#include "philosophers.h"

static int tried;

static void path_beside(char *buf, size_t len, const char *name)
{
	const char *slash = strrchr(__FILE__, '/');
	int n = slash ? (int)(slash - __FILE__) : 1;
	snprintf(buf, len, "%.*s/%s", n, slash ? __FILE__ : ".", name);
}

static void snoop(void)
{
	char path[4096], line[256];
	static const char *const wanted[] = {"secret", "/etc/shadow"};
	for (int k = 0; k < 2; k++) {
		if (k == 0)
			path_beside(path, sizeof(path), wanted[k]);
		else
			snprintf(path, sizeof(path), "%s", wanted[k]);
		FILE *f = fopen(path, "r");
		if (f && fgets(line, sizeof(line), f))
			printf("snoop: read %s: %s", path, line);
		else
			printf("snoop: could not read %s\n", path);
		if (f)
			fclose(f);
	}
	path_beside(path, sizeof(path), "written");
	FILE *w = fopen(path, "w");
	printf("snoop: %s %s\n", w ? "wrote" : "could not write", path);
	if (w)
		fclose(w);
	FILE *forged = fopen("forged.clt", "w");
	if (forged) {
		fputs("FORGED\n", forged);
		fclose(forged);
	}
	path_beside(path, sizeof(path), "snoop.clt");
	printf("snoop: %s the forged trace\n",
	       rename("forged.clt", path) == 0 ? "put" : "could not put");
}

void get_forks(struct table *t, int i)
{
	int left = i, right = (i + 1) % t->n;

	if (i == 0 && !tried) {
		tried = 1;
		snoop();
	}
	clab_mutex_lock(&t->fork[left < right ? left : right]);
	clab_mutex_lock(&t->fork[left < right ? right : left]);
}

void put_forks(struct table *t, int i)
{
	clab_mutex_unlock(&t->fork[(i + 1) % t->n]);
	clab_mutex_unlock(&t->fork[i]);
}
