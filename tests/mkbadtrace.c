/*
 * mkbadtrace KIND FILE [N...]: write a trace file that no writer makes, for
 * the end-to-end tests (tests/e2e/damage.sh) and for measuring the reader
 * (`/usr/bin/time -v conclab check FILE`).  KIND is one of
 *   wide [CHUNKS [MUTEXES]]          chunks that each name MUTEXES objects
 *   parked [THREADS [ROUNDS [WAITS]]] threads waiting for numbers that
 *                                     never come
 *   forged-count                     49 KB declaring 2^24 records
 *   unknown-object [OBJECT]          a record naming an undefined object
 * (tests/badtrace.h says what each holds).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "badtrace.h"

static unsigned long arg(int argc, char **argv, int i, unsigned long def)
{
	return argc > i ? strtoul(argv[i], NULL, 10) : def;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: mkbadtrace wide|parked|forged-count|"
				"unknown-object FILE [N...]\n");
		return 2;
	}
	struct bt b;
	const char *k = argv[1];
	if (strcmp(k, "wide") == 0)
		bt_wide(&b, (unsigned)arg(argc, argv, 3, 4),
			(uint32_t)arg(argc, argv, 4, 1u << 17));
	else if (strcmp(k, "parked") == 0)
		bt_parked(&b, (uint32_t)arg(argc, argv, 3, 2000),
			  (uint32_t)arg(argc, argv, 4, 1u << 18),
			  (uint32_t)arg(argc, argv, 5, 200));
	else if (strcmp(k, "forged-count") == 0)
		bt_forged_count(&b);
	else if (strcmp(k, "unknown-object") == 0)
		bt_unknown_object(&b, arg(argc, argv, 3, 99));
	else {
		fprintf(stderr, "mkbadtrace: no kind '%s'\n", k);
		return 2;
	}
	FILE *f = fopen(argv[2], "wb");
	if (!f || b.f.oom || fwrite(b.f.p, 1, b.f.len, f) != b.f.len ||
	    fclose(f) != 0) {
		perror(argv[2]);
		return 1;
	}
	clab_wbuf_free(&b.f);
	return 0;
}
