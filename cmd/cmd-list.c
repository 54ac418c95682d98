/* conclab list: the labs, their variants and what each one does. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lab.h"

static const char *outcome(const struct clab_lab_variant *v)
{
	switch (v->expect) {
	case 0:
		return "correct";
	case 3:
		return "deadlocks";
	default:
		return "buggy";
	}
}

/* The labs in the catalogue's order: by topic, "Other labs" last. */
static size_t by_topic(const struct clab_lab **out)
{
	size_t n = 0;
	for (unsigned t = 1; t <= CLAB_TOPIC_N; t++)
		for (size_t i = 0; i < clab_nlabs; i++)
			if (clab_labs[i]->topic == t % CLAB_TOPIC_N)
				out[n++] = clab_labs[i];
	return n;
}

static void print_lab(const struct clab_lab *lab, int w, int brief)
{
	if (brief) {
		printf("  %-13s %s\n", lab->name,
		       lab->teaches ? lab->teaches : lab->summary);
		return;
	}
	printf("%s - %s\n", lab->name, lab->summary);
	if (lab->teaches)
		printf("  teaches: %s\n", lab->teaches);
	for (size_t v = 0; v < lab->nvariants; v++) {
		const struct clab_lab_variant *var = &lab->variants[v];
		printf("  %-*s %-9s %s\n", w, var->name, outcome(var),
		       var->summary);
	}
	printf("\n");
}

struct list_opts {
	int porcelain, brief;
};

static const struct clab_opt list_opts[] = {
    {.name = "brief",
     .type = CLAB_OPT_FLAG,
     .off = offsetof(struct list_opts, brief),
     .help = "the catalogue: one line per lab, what it teaches, by topic"},
    {.name = "porcelain",
     .type = CLAB_OPT_FLAG,
     .off = offsetof(struct list_opts, porcelain),
     .help = "one line per variant for scripts: LAB VARIANT EXIT, where "
	     "EXIT is the exit code 'conclab run' is expected to end with"},
    CLAB_OPT_TABLE_END,
};

static int list_exec(int argc, char **argv)
{
	struct list_opts o = {0};
	struct clab_opts_rest r = {0};
	void *const bases[] = {&o};
	int rc = clab_opts_parse(&clab_cmd_list, argc, argv, bases, &r);
	if (rc || r.help) /* --help: printed */
		return rc;
	const char *only = r.operands[0];
	int porcelain = o.porcelain, brief = o.brief;
	if (porcelain && brief)
		return clab_cmd_misuse(&clab_cmd_list,
				       "--porcelain or --brief, not both");
	if (only && !clab_lab_find(only)) {
		fprintf(stderr, "conclab list: no lab called '%s'\n", only);
		return CLAB_EXIT_USAGE;
	}
	int w = 12; /* the widest variant name, for the columns */
	for (size_t i = 0; i < clab_nlabs; i++)
		for (size_t v = 0; v < clab_labs[i]->nvariants; v++)
			if ((int)strlen(clab_labs[i]->variants[v].name) > w)
				w = (int)strlen(clab_labs[i]->variants[v].name);
	const struct clab_lab *labs[clab_nlabs ? clab_nlabs : 1];
	size_t n = by_topic(labs);
	int topic = -1;
	for (size_t i = 0; i < n; i++) {
		const struct clab_lab *lab = labs[i];
		if (only && strcmp(only, lab->name) != 0)
			continue;
		if (porcelain) {
			for (size_t v = 0; v < lab->nvariants; v++)
				printf("%s %s %d\n", lab->name,
				       lab->variants[v].name,
				       lab->variants[v].expect);
			continue;
		}
		if ((int)lab->topic != topic) {
			const char *h = clab_lab_topic_name(lab->topic);
			printf("%s%s\n", brief && topic >= 0 ? "\n" : "", h);
			if (!brief)
				printf("%.*s\n\n", (int)strlen(h),
				       "============================");
			topic = (int)lab->topic;
		}
		print_lab(lab, w, brief);
	}
	if (porcelain)
		return CLAB_EXIT_OK;
	printf("%sRun one with 'conclab run LAB --variant VARIANT';\n"
	       "'conclab run LAB --help' lists its parameters.\n",
	       brief ? "\n" : "");
	return CLAB_EXIT_OK;
}

const struct clab_cmd clab_cmd_list = {
    .name = "list",
    .args = "[--brief | --porcelain] [LAB]",
    .summary = "list the labs by topic, and their variants",
    .help = "Prints every lab (or only LAB) under its topic (mutual "
	    "exclusion,\ndeadlock, condition variables...), with what it "
	    "teaches and its\nvariants.  Each variant is marked 'correct', "
	    "'deadlocks' (the watchdog\nstops it) or 'buggy' (it ends, but "
	    "a property check fails).\n",
    .groups = (const struct clab_opt_group[]){{list_opts, 0}, {NULL, 0}},
    .more = "Exit codes: 0 listed; 2 usage error or no such lab.\n",
    .max_operands = 1,
    .exec = list_exec,
};
