/*
 * libFuzzer target: what `conclab exercise` reads of a student's solution
 * before it loads it, the undefined dynamic symbols and needed libraries
 * of an ELF shared object (cmd/solution-symbols.c, with libelf).  The
 * solution is the one input of an exercise that a student controls and
 * that conclab parses: its source goes to the C compiler, and the object
 * is read here before dlopen() maps it.
 *
 * Every use found must name something and say why; the refusal of a
 * name in the allow list is checked against the same object's uses
 * without it.
 *
 * Build: meson setup build-fuzz -Dfuzz=true (clang); see docs/fuzzing.md.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "solution-symbols.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct clab_solution_use *u;
	size_t n;
	if (clab_solution_forbidden_mem(data, len, NULL, &u, &n) != 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!u[i].name || !u[i].why ||
		    (u[i].kind != CLAB_SOLUTION_SYNC &&
		     u[i].kind != CLAB_SOLUTION_PROCESS))
			abort();
	if (n > 0) {
		/* allowing the first one leaves exactly the others */
		const char *allow[] = {u[0].name, NULL};
		struct clab_solution_use *v;
		size_t m;
		if (clab_solution_forbidden_mem(data, len, allow, &v, &m) !=
			0 ||
		    m != n - 1)
			abort();
		for (size_t i = 0; i < m; i++)
			if (strcmp(v[i].name, u[i + 1].name) != 0)
				abort();
		clab_solution_uses_free(v, m);
	}
	clab_solution_uses_free(u, n);
	return 0;
}
