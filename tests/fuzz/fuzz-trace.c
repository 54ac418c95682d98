/*
 * libFuzzer targets for the trace reader, from one file:
 *   fuzz-trace   the reader (clab_trace_load_mem) on any bytes, every
 *                record looked up as the commands do, and the signature
 *                check (clab_trace_verify) on the same bytes;
 *   fuzz-report  (built with CLAB_FUZZ_REPORT) what the commands that
 *                read a trace do with what loaded: dump, the lock-order
 *                analysis and report, and both exports, the Chrome one
 *                then held to the export's own checker, as `conclab
 *                export` promises for any trace it loads.
 * The second is ten times slower per input, which is why they are two.
 *
 * Each input is loaded twice: as it is, which exercises the header and
 * the chunks' checksums, and with every chunk's CRC made right, so that a
 * mutation inside a chunk reaches the chunk's parser instead of stopping
 * at its checksum.
 *
 * Build: meson setup build-fuzz -Dfuzz=true (clang); docs/fuzzing.md.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/analyze.h>
#include <conclab/error.h>
#include <conclab/export.h>
#include <conclab/trace.h>
#include <conclab/tracer.h>

#include "format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

#ifdef CLAB_FUZZ_REPORT
static FILE *devnull;

/* The Chrome export of a trace that loaded is valid: else a crash. */
static void export_checked(const struct clab_trace *tr)
{
	char *text = NULL;
	size_t tlen = 0;
	FILE *f = open_memstream(&text, &tlen);
	if (!f)
		return;
	int rc = clab_export_chrome(tr, f);
	if (fclose(f) != 0 || rc == CLAB_ENOMEM) {
		free(text);
		return;
	}
	char err[256];
	if (rc != 0 ||
	    clab_export_check_chrome(text, tlen, NULL, err, sizeof(err))) {
		fprintf(stderr, "fuzz-report: invalid export (%d): %s\n", rc,
			rc ? "write failed" : err);
		abort();
	}
	free(text);
}

static void analyze(const struct clab_trace *tr, unsigned flags)
{
	struct clab_analysis an;
	if (clab_analyze_flags(tr, &an, flags) == 0) {
		clab_analysis_problems(&an);
		clab_analysis_print(tr, &an, devnull);
		clab_analysis_json(tr, &an, devnull);
	}
	clab_analysis_fini(&an);
}

/* What dump, analyze, check and export do with a loaded trace. */
static void use(const struct clab_trace *tr)
{
	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		abort();
	clab_trace_dump(tr, devnull);
	analyze(tr, 0);
	analyze(tr, CLAB_ANALYZE_CLASSES);
	clab_export_jsonl(tr, devnull);
	export_checked(tr);
}
#else
/* What every command reads of a loaded trace: each record's names. */
static void use(const struct clab_trace *tr)
{
	size_t n = clab_trace_nrecords(tr);
	for (size_t i = 0; i < n; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		char line[256];
		clab_trace_format_record(tr, r, line, sizeof(line));
		clab_trace_stack(tr, r->stack);
		clab_trace_thread_of_obj(tr, r->obj);
	}
	for (size_t i = 0; i < clab_trace_nmeta(tr); i++) {
		const char *k, *v;
		if (clab_trace_meta_at(tr, i, &k, &v) != 0 ||
		    clab_trace_meta(tr, k) == NULL)
			abort();
	}
	clab_trace_damage(tr);
	clab_trace_warning(tr);
}
#endif

static void load(const uint8_t *p, size_t len)
{
	struct clab_trace *tr;
	char err[512];
	if (clab_trace_load_mem(p, len, "fuzz", &tr, err, sizeof(err)) != 0)
		return;
	use(tr);
	clab_trace_free(tr);
}

/*
 * Make every whole chunk's CRC right, as far as the chunks' lengths lead.
 * Returns whether any changed.
 */
static int fix_crcs(uint8_t *p, size_t len)
{
	int changed = 0;
	size_t off = CLAB_FMT_HDR_LEN;
	while (off <= len && len - off >= CLAB_CHUNK_HDR_LEN) {
		uint32_t type = clab_rbuf_u32le(p + off);
		uint32_t clen = clab_rbuf_u32le(p + off + 4);
		if (clen > len - off - CLAB_CHUNK_HDR_LEN)
			break;
		uint32_t crc =
		    clab_chunk_crc(type, clen, p + off + CLAB_CHUNK_HDR_LEN);
		if (crc != clab_rbuf_u32le(p + off + 8)) {
			for (int i = 0; i < 4; i++)
				p[off + 8 + i] = (uint8_t)(crc >> (8 * i));
			changed = 1;
		}
		off += CLAB_CHUNK_HDR_LEN + clen;
	}
	return changed;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	load(data, len);
	if (len > CLAB_FMT_HDR_LEN) {
		uint8_t *copy = malloc(len);
		if (!copy)
			return 0;
		memcpy(copy, data, len);
		if (fix_crcs(copy, len))
			load(copy, len);
		free(copy);
	}
#ifndef CLAB_FUZZ_REPORT
	static const char key[CLAB_KEY_MIN] = "conclab fuzz key, 32 bytes long";
	char err[512];
	clab_trace_verify(data, len, "fuzz", key, sizeof(key), err,
			  sizeof(err));
#endif
	return 0;
}
