/* The export's JSON text: strings escaped, keys and values, sites. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <conclab/analyze.h>
#include <conclab/export.h>
#include <conclab/kinds.h>
#include <conclab/trace.h>

#include "export-int.h"

/* ------------------------------------------------------------------ */
/* JSON text                                                            */
/* ------------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
size_t clab__xutf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void clab_json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p);
	putc('"', f);
	while (n > 0) {
		unsigned c = *p;
		if (c == '"' || c == '\\') {
			putc('\\', f);
			putc((int)c, f);
		} else if (c == '\n') {
			fputs("\\n", f);
		} else if (c == '\t') {
			fputs("\\t", f);
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
		} else if (c >= 0x80) {
			size_t l = clab__xutf8_len(p, n);
			if (l == 0) {
				fputs("\xef\xbf\xbd", f);
				l = 1;
			} else {
				fwrite(p, 1, l, f);
			}
			p += l;
			n -= l;
			continue;
		} else {
			putc((int)c, f);
		}
		p++;
		n--;
	}
	putc('"', f);
}

/* ,"key":"value" */
void clab__xjkv_str(FILE *f, const char *key, const char *v)
{
	fprintf(f, ",\"%s\":", key);
	clab_json_str(f, v);
}

void clab__xjkv_u64(FILE *f, const char *key, uint64_t v)
{
	fprintf(f, ",\"%s\":%" PRIu64, key, v);
}

/* Nanoseconds as microseconds with three decimals: exact, no rounding. */
void clab__xjus(FILE *f, const char *key, uint64_t ns)
{
	fprintf(f, ",\"%s\":%" PRIu64 ".%03u", key, ns / 1000,
		(unsigned)(ns % 1000));
}

/* ,"site":"file:line","func":"fn" for a record's site, if it has one. */
void clab__xjsite(FILE *f, const struct clab_trace *tr, uint32_t site,
		  const char *key, int with_func)
{
	const struct clab_site_info *si = site ? clab_trace_site(tr, site) : 0;
	char buf[600];
	if (!si)
		return;
	snprintf(buf, sizeof(buf), "%s:%d", clab_site_path(si->file), si->line);
	clab__xjkv_str(f, key, buf);
	if (with_func && si->func && si->func[0])
		clab__xjkv_str(f, "func", si->func);
}

/* The name people know an object by: its name, a thread's name, "#7". */
const char *clab__xobj_name(const struct clab_trace *tr, uint32_t oid,
			    char *buf, size_t len)
{
	const struct clab_object_info *o = clab_trace_object(tr, oid);
	if (!o) {
		snprintf(buf, len, "#%" PRIu32, oid);
	} else if (o->kind == CLAB_O_THREAD) {
		uint32_t t = clab_trace_thread_of_obj(tr, oid);
		const struct clab_thread_info *ti = clab_trace_thread(tr, t);
		snprintf(buf, len, "%s", ti && ti->name ? ti->name : o->name);
	} else if (o->name && o->name[0]) {
		snprintf(buf, len, "%s", o->name);
	} else {
		snprintf(buf, len, "%s#%" PRIu32, clab_objkind_name(o->kind),
			 oid);
	}
	return buf;
}

unsigned clab__xobj_kind(const struct clab_trace *tr, uint32_t oid)
{
	const struct clab_object_info *o = clab_trace_object(tr, oid);
	return o ? o->kind : 0;
}

const char *clab__xthread_name(const struct clab_trace *tr, uint32_t tid)
{
	const struct clab_thread_info *ti = clab_trace_thread(tr, tid);
	return ti && ti->name ? ti->name : "?";
}
