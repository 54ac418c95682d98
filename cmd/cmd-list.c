/* conclab list: the labs, their variants and what each one does. */
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

static int list_exec(int argc, char **argv)
{
	const char *only = NULL;
	int porcelain = 0;
	for (int i = 1; i < argc; i++) {
		if (clab_cmd_is_help(argv[i])) {
			clab_cmd_usage(&clab_cmd_list, stdout);
			return CLAB_EXIT_OK;
		}
		if (strcmp(argv[i], "--porcelain") == 0) {
			porcelain = 1;
			continue;
		}
		if (argv[i][0] == '-' || only)
			return clab_cmd_misuse(&clab_cmd_list,
					       "unexpected argument '%s'",
					       argv[i]);
		only = argv[i];
	}
	if (only && !clab_lab_find(only)) {
		fprintf(stderr, "conclab list: no lab called '%s'\n", only);
		return CLAB_EXIT_USAGE;
	}
	int w = 12; /* the widest variant name, for the columns */
	for (size_t i = 0; i < clab_nlabs; i++)
		for (size_t v = 0; v < clab_labs[i]->nvariants; v++)
			if ((int)strlen(clab_labs[i]->variants[v].name) > w)
				w = (int)strlen(clab_labs[i]->variants[v].name);
	for (size_t i = 0; i < clab_nlabs; i++) {
		const struct clab_lab *lab = clab_labs[i];
		if (only && strcmp(only, lab->name) != 0)
			continue;
		if (porcelain) {
			for (size_t v = 0; v < lab->nvariants; v++)
				printf("%s %s %d\n", lab->name,
				       lab->variants[v].name,
				       lab->variants[v].expect);
			continue;
		}
		printf("%s - %s\n", lab->name, lab->summary);
		for (size_t v = 0; v < lab->nvariants; v++) {
			const struct clab_lab_variant *var = &lab->variants[v];
			printf("  %-*s %-9s %s\n", w, var->name, outcome(var),
			       var->summary);
		}
		printf("\n");
	}
	if (porcelain)
		return CLAB_EXIT_OK;
	printf("Run one with 'conclab run LAB --variant VARIANT'; "
	       "'conclab run LAB --help' lists its parameters.\n");
	return CLAB_EXIT_OK;
}

const struct clab_cmd clab_cmd_list = {
    .name = "list",
    .args = "[--porcelain] [LAB]",
    .summary = "list the labs and their variants",
    .help = "Prints every lab (or only LAB) with its variants.  Each "
	    "variant is marked\n'correct', 'deadlocks' (the watchdog "
	    "stops it) or 'buggy' (it ends, but a\nproperty check "
	    "fails).\n\n"
	    "Options:\n"
	    "  --porcelain  one line per variant for scripts: LAB VARIANT "
	    "EXIT, where EXIT\n"
	    "               is the exit code 'conclab run' is expected to "
	    "end with\n",
    .exec = list_exec,
};
