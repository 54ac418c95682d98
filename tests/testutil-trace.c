/*
 * Test helpers for the trace file's suites (testutil-trace.h): a trace
 * written record by record, and read back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <conclab/tracer.h>

#include "testutil.h"
#include "testutil-trace.h"

char tu_trace_path[256];

int tu_trace_codec, tu_trace_level = -1;
unsigned tu_trace_buffer_mb;
int tu_trace_virtual;

void tu_trace_tmp(void)
{
	snprintf(tu_trace_path, sizeof(tu_trace_path),
		 "%s/conclab-trace-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	int fd = mkstemp(tu_trace_path);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
}

void tu_trace_open(void)
{
	tu_trace_tmp();
	struct clab_meta_kv meta[] = {{"lab", "unit"}, {"seed", "42"}};
	struct clab_tracer_opts o = {.path = tu_trace_path,
				     .meta = meta,
				     .nmeta = 2,
				     .compress = tu_trace_level,
				     .codec = tu_trace_codec,
				     .buffer_mb = tu_trace_buffer_mb,
				     .virtual_time = tu_trace_virtual};
	CU_ASSERT_EQUAL_FATAL(clab_tracer_open(&o), 0);
}

/* Close the trace and return the file's bytes. */
uint8_t *tu_trace_close(size_t *len)
{
	struct clab_tracer_stats st;
	CU_ASSERT_EQUAL(clab_tracer_close(&st), 0);
	FILE *f = fopen(tu_trace_path, "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	uint8_t *data = malloc(1 << 24);
	*len = fread(data, 1, 1 << 24, f);
	fclose(f);
	unlink(tu_trace_path);
	return data;
}

void tu_put(struct clab__tbuf *tb, uint64_t tsc, unsigned kind, uint32_t obj,
	    uint32_t oseq, unsigned a8, uint32_t a32)
{
	clab__emit_at(tb, tsc, kind, obj, oseq, NULL, a8, a32);
}

uint8_t *tu_small_trace(size_t *len)
{
	tu_trace_open();
	struct clab__tbuf *tb = clab__tbuf_claim_main();
	struct clab__tbuf *tb2 = clab__tbuf_new("other", 0);
	uint32_t m = clab__obj_new(CLAB_O_MUTEX, "m", CLAB_SITE(), 0, 0, 0);
	for (uint32_t i = 0; i < 50; i++) {
		struct clab__tbuf *t = i % 2 ? tb2 : tb;
		clab__emit(t, CLAB_K_MUTEX_ACQUIRE, m, 2 * i + 1, CLAB_SITE(),
			   0, 1);
		clab__emit(t, CLAB_K_MUTEX_RELEASE, m, 2 * i + 2, CLAB_SITE(),
			   0, 0);
		if (i % 10 == 9)
			clab_tracer_flush(); /* several chunks */
	}
	clab__tbuf_exit(tb);
	clab__tbuf_exit(tb2);
	return tu_trace_close(len);
}

char *tu_dump_text(const struct clab_trace *tr)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	CU_ASSERT_EQUAL(clab_trace_dump(tr, f), 0);
	fclose(f);
	return buf;
}
