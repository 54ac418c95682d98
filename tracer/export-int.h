/* What the export's files share (export*.c): not installed. */
#ifndef CONCLAB_EXPORT_INT_H
#define CONCLAB_EXPORT_INT_H

#include <stdint.h>
#include <stdio.h>

#include <conclab/export.h>
#include <conclab/trace.h>

#define NONE_IDX SIZE_MAX

/* The chrome model (export.c): its events, in creation order. */
struct xev {
	struct clab_xevent e;
	uint64_t
	    ord; /* creation order; an arrow sorts right after its anchor */
};

struct clab_export {
	const struct clab_trace *tr;
	struct xev *ev;
	size_t n, cap;
	uint64_t end_ns;
	uint64_t nflows;
	int oom;
};

/* JSON text (export-json.c) */
/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
size_t clab__xutf8_len(const unsigned char *s, size_t n);
void clab__xjkv_str(FILE *f, const char *key, const char *v);
void clab__xjkv_u64(FILE *f, const char *key, uint64_t v);
void clab__xjus(FILE *f, const char *key, uint64_t ns);
void clab__xjsite(FILE *f, const struct clab_trace *tr, uint32_t site,
		  const char *key, int with_func);
const char *clab__xobj_name(const struct clab_trace *tr, uint32_t oid,
			    char *buf, size_t len);
unsigned clab__xobj_kind(const struct clab_trace *tr, uint32_t oid);
const char *clab__xthread_name(const struct clab_trace *tr, uint32_t tid);
/* The analysis's verdict of tr as a JSON object; 0, or -1 (export-chrome.c) */
int clab__xjverdict(FILE *f, const struct clab_trace *tr);
/* The trace's metadata as one JSON object (export-chrome.c). */
void clab__xjson_meta(FILE *f, const struct clab_trace *tr);

#endif
