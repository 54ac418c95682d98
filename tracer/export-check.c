/*
 * A strict checker for both exports: a JSON parser (RFC 8259) and the
 * rules a Chrome or JSON Lines export keeps (docs/export.md).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/error.h>
#include <conclab/export.h>

#include "export-int.h"

/* ------------------------------------------------------------------ */
/* A strict JSON parser (RFC 8259), for the checks                       */
/* ------------------------------------------------------------------ */

enum { JNULL, JFALSE, JTRUE, JNUM, JSTR, JARR, JOBJ };

struct jv {
	int type;
	size_t off; /* where it starts in the text */
	double num;
	int is_int;
	char *s;	 /* JSTR */
	size_t n, cap;	 /* JARR, JOBJ */
	struct jv *kids; /* elements, or an object's values */
	char **keys;	 /* JOBJ */
};

struct jp {
	const char *p, *start, *end;
	char *err;
	size_t errlen;
	int failed, oom;
};

#define JMAXDEPTH 64

static void jp_fail(struct jp *j, const char *fmt, ...)
{
	va_list ap;
	if (j->failed)
		return;
	j->failed = 1;
	int k = snprintf(j->err, j->errlen,
			 "byte %zu: ", (size_t)(j->p - j->start));
	if (k < 0 || (size_t)k >= j->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(j->err + k, j->errlen - (size_t)k, fmt, ap);
	va_end(ap);
}

static void jv_free(struct jv *v)
{
	if (!v)
		return;
	free(v->s);
	for (size_t i = 0; i < v->n; i++) {
		jv_free(&v->kids[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->kids);
	free(v->keys);
	memset(v, 0, sizeof(*v));
}

static void jp_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
				 *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int hex4(const char *p, uint32_t *out)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* A string at j->p (on the opening quote); returns it unescaped. */
static char *jp_string(struct jp *j)
{
	const char *q = ++j->p;
	size_t cap = 16;
	for (const char *t = q; t < j->end && *t != '"'; t++, cap++)
		if (*t == '\\' && t + 1 < j->end) {
			t++;
			cap++;
		}
	char *o = malloc(cap + 4), *w = o;
	if (!o) {
		j->oom = 1;
		jp_fail(j, "out of memory");
		return NULL;
	}
	while (j->p < j->end) {
		unsigned char c = (unsigned char)*j->p;
		if (c == '"') {
			j->p++;
			*w = 0;
			return o;
		}
		if (c < 0x20) {
			jp_fail(j, "control byte 0x%02x in a string", c);
			break;
		}
		if (c == '\\') {
			if (j->p + 1 >= j->end) {
				jp_fail(j, "unterminated string");
				break;
			}
			char e = j->p[1];
			j->p += 2;
			const char *simple = strchr("\"\\/bfnrt", e);
			if (e && simple) {
				static const char map[] = "\"\\/\b\f\n\r\t";
				*w++ = map[simple - "\"\\/bfnrt"];
				continue;
			}
			if (e != 'u') {
				j->p -= 2;
				jp_fail(j, "bad escape '\\%c'", e);
				break;
			}
			uint32_t cp, lo;
			if (j->end - j->p < 4 || hex4(j->p, &cp)) {
				jp_fail(j, "bad \\u escape");
				break;
			}
			j->p += 4;
			if (cp >= 0xdc00 && cp <= 0xdfff) {
				jp_fail(j, "lone low surrogate \\u%04x", cp);
				break;
			}
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (j->end - j->p < 6 || j->p[0] != '\\' ||
				    j->p[1] != 'u' || hex4(j->p + 2, &lo) ||
				    lo < 0xdc00 || lo > 0xdfff) {
					jp_fail(j, "lone high surrogate");
					break;
				}
				j->p += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     (lo - 0xdc00);
			}
			if (cp == 0) {
				jp_fail(j, "\\u0000 in a string");
				break;
			}
			w += put_utf8(w, cp);
			continue;
		}
		size_t l = clab__xutf8_len((const unsigned char *)j->p,
					   (size_t)(j->end - j->p));
		if (l == 0) {
			jp_fail(j, "invalid UTF-8");
			break;
		}
		memcpy(w, j->p, l);
		w += l;
		j->p += l;
	}
	if (!j->failed)
		jp_fail(j, "unterminated string");
	free(o);
	return NULL;
}

static int jp_number(struct jp *j, struct jv *v)
{
	const char *s = j->p;
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p >= j->end || *j->p < '0' || *j->p > '9') {
		jp_fail(j, "bad number");
		return -1;
	}
	if (*j->p == '0') {
		j->p++;
		if (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
			jp_fail(j, "leading zero in a number");
			return -1;
		}
	} else {
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	v->is_int = 1;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		v->is_int = 0;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9') {
			jp_fail(j, "no digits after the decimal point");
			return -1;
		}
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		v->is_int = 0;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9') {
			jp_fail(j, "no digits in the exponent");
			return -1;
		}
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	char tmp[64];
	size_t n = (size_t)(j->p - s);
	if (n >= sizeof(tmp)) {
		/* still a valid number; keep its magnitude roughly */
		v->num = s[0] == '-' ? -1e300 : 1e300;
	} else {
		memcpy(tmp, s, n);
		tmp[n] = 0;
		v->num = strtod(tmp, NULL);
	}
	v->type = JNUM;
	return 0;
}

static int jp_value(struct jp *j, struct jv *v, int depth);

static struct jv *jp_grow(struct jp *j, struct jv *v, int obj)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 4;
		struct jv *k = realloc(v->kids, cap * sizeof(*k));
		if (!k) {
			j->oom = 1;
			jp_fail(j, "out of memory");
			return NULL;
		}
		v->kids = k;
		if (obj) {
			char **keys = realloc(v->keys, cap * sizeof(*keys));
			if (!keys) {
				j->oom = 1;
				jp_fail(j, "out of memory");
				return NULL;
			}
			v->keys = keys;
		}
		v->cap = cap;
	}
	struct jv *k = &v->kids[v->n];
	memset(k, 0, sizeof(*k));
	if (obj)
		v->keys[v->n] = NULL;
	v->n++;
	return k;
}

static int jp_container(struct jp *j, struct jv *v, int depth, int obj)
{
	char close = obj ? '}' : ']';
	v->type = obj ? JOBJ : JARR;
	j->p++;
	jp_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return 0;
	}
	for (;;) {
		char *key = NULL;
		jp_ws(j);
		if (obj) {
			if (j->p >= j->end || *j->p != '"') {
				jp_fail(j, "expected a key string");
				return -1;
			}
			key = jp_string(j);
			if (!key)
				return -1;
			for (size_t i = 0; i < v->n; i++)
				if (strcmp(v->keys[i], key) == 0) {
					jp_fail(j, "duplicate key \"%s\"", key);
					free(key);
					return -1;
				}
			jp_ws(j);
			if (j->p >= j->end || *j->p != ':') {
				free(key);
				jp_fail(j, "expected ':'");
				return -1;
			}
			j->p++;
		}
		struct jv *k = jp_grow(j, v, obj);
		if (!k) {
			free(key);
			return -1;
		}
		if (obj)
			v->keys[v->n - 1] = key;
		if (jp_value(j, k, depth + 1))
			return -1;
		jp_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			jp_ws(j);
			if (j->p < j->end && *j->p == close) {
				jp_fail(j, "trailing comma");
				return -1;
			}
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			return 0;
		}
		jp_fail(j, obj ? "expected ',' or '}'" : "expected ',' or ']'");
		return -1;
	}
}

static int jp_value(struct jp *j, struct jv *v, int depth)
{
	jp_ws(j);
	v->off = (size_t)(j->p - j->start);
	if (depth > JMAXDEPTH) {
		jp_fail(j, "nested more than %d deep", JMAXDEPTH);
		return -1;
	}
	if (j->p >= j->end) {
		jp_fail(j, "unexpected end of the text");
		return -1;
	}
	switch (*j->p) {
	case '{':
		return jp_container(j, v, depth, 1);
	case '[':
		return jp_container(j, v, depth, 0);
	case '"':
		v->type = JSTR;
		v->s = jp_string(j);
		return v->s ? 0 : -1;
	case 't':
	case 'f':
	case 'n': {
		static const char *const lit[] = {"true", "false", "null"};
		static const int type[] = {JTRUE, JFALSE, JNULL};
		for (int i = 0; i < 3; i++) {
			size_t l = strlen(lit[i]);
			if ((size_t)(j->end - j->p) >= l &&
			    memcmp(j->p, lit[i], l) == 0) {
				j->p += l;
				v->type = type[i];
				return 0;
			}
		}
		jp_fail(j, "unexpected character '%c'", *j->p);
		return -1;
	}
	default:
		if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9'))
			return jp_number(j, v);
		if ((unsigned char)*j->p >= 0x20 && (unsigned char)*j->p < 0x7f)
			jp_fail(j, "unexpected character '%c'", *j->p);
		else
			jp_fail(j, "unexpected byte 0x%02x",
				(unsigned char)*j->p);
		return -1;
	}
}

/* Parse the whole of [s, e) as one value; 0, CLAB_EBADMSG or CLAB_ENOMEM. */
static int jparse(const char *s, const char *e, size_t base, struct jv *v,
		  char *err, size_t errlen)
{
	struct jp j = {s, s - base, e, err, errlen, 0, 0};
	memset(v, 0, sizeof(*v));
	if (jp_value(&j, v, 0) == 0) {
		jp_ws(&j);
		if (j.p != e)
			jp_fail(&j, "text after the JSON value");
	}
	if (j.failed) {
		jv_free(v);
		return j.oom ? CLAB_ENOMEM : CLAB_EBADMSG;
	}
	return 0;
}

static const struct jv *jget(const struct jv *o, const char *key)
{
	if (!o || o->type != JOBJ)
		return NULL;
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->keys[i], key) == 0)
			return &o->kids[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The chrome checks                                                    */
/* ------------------------------------------------------------------ */

/* One event, with what the checks need. */
struct cev {
	size_t index; /* in traceEvents */
	char ph;
	int64_t ts, dur; /* nanoseconds */
	uint32_t pid, tid;
	const char *name, *cat, *ids, *bp, *scope;
	int has_id, id_is_num;
	char idbuf[32]; /* a numeric id, as text */
};

/* The id as text (the events move when sorted: no pointer into one). */
static const char *cid(const struct cev *e)
{
	return !e->has_id ? "" : e->id_is_num ? e->idbuf : e->ids;
}

struct span {
	int64_t b, e;
	size_t index;
	int instant;
};

static int err_at(char *err, size_t errlen, size_t index, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int err_at(char *err, size_t errlen, size_t index, const char *fmt, ...)
{
	va_list ap;
	int k = snprintf(err, errlen, "traceEvents[%zu]: ", index);
	if (k >= 0 && (size_t)k < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + k, errlen - (size_t)k, fmt, ap);
		va_end(ap);
	}
	return CLAB_EBADMSG;
}

static int64_t to_ns(double us)
{
	double v = us * 1000.0; /* rounded as Perfetto does (llround) */
	return (int64_t)(v >= 0 ? v + 0.5 : v - 0.5);
}

static int get_uint(const struct jv *v, uint32_t *out)
{
	if (!v || v->type != JNUM || !v->is_int || v->num < 0 ||
	    v->num > 4294967295.0)
		return -1;
	*out = (uint32_t)v->num;
	return 0;
}

static int cev_cmp_track(const struct cev *a, const struct cev *b)
{
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	if (a->tid != b->tid)
		return a->tid < b->tid ? -1 : 1;
	return 0;
}

static int span_cmp(const void *pa, const void *pb)
{
	const struct span *a = pa, *b = pb;
	if (a->b != b->b)
		return a->b < b->b ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

static int str_eq(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/* Is phase ph drawn on the thread's own track? */
static int on_thread_track(const struct cev *e)
{
	switch (e->ph) {
	case 'X':
	case 'B':
	case 'E':
	case 's':
	case 't':
	case 'f':
		return 1;
	case 'i':
	case 'I':
		return !e->scope || strcmp(e->scope, "t") == 0;
	default:
		return 0;
	}
}

static int same_async(const struct cev *a, const struct cev *b)
{
	return a->pid == b->pid && str_eq(a->cat, b->cat) &&
	       str_eq(cid(a), cid(b)) && str_eq(a->name, b->name);
}

/*
 * The per-thread rules: timestamps in file order, B/E balanced, every
 * slice nested in or disjoint from the others, and a slice for every
 * flow end to bind to.  ev holds one thread's events in file order.
 */
static int check_thread(const struct cev *ev, size_t n, char *err,
			size_t errlen)
{
	struct span *sp = malloc((n + 1) * sizeof(*sp));
	size_t *open = malloc((n + 1) * sizeof(*open));
	size_t nsp = 0, nopen = 0;
	int rc = 0;

	if (!sp || !open) {
		free(sp);
		free(open);
		return CLAB_ENOMEM;
	}
	for (size_t i = 0; i < n && !rc; i++) {
		const struct cev *e = &ev[i];
		if (i > 0 && e->ts < ev[i - 1].ts)
			rc = err_at(err, errlen, e->index,
				    "ts goes back on its thread (tid %" PRIu32
				    ") in file order",
				    e->tid);
		else if (e->ph == 'X' || e->ph == 'i' || e->ph == 'I')
			sp[nsp++] = (struct span){e->ts, e->ts + e->dur,
						  e->index, e->ph != 'X'};
		else if (e->ph == 'B')
			open[nopen++] = i;
		else if (e->ph == 'E') {
			if (nopen == 0) {
				rc = err_at(err, errlen, e->index,
					    "E without a B on tid %" PRIu32,
					    e->tid);
				break;
			}
			const struct cev *b = &ev[open[--nopen]];
			if (e->name && b->name && !str_eq(e->name, b->name))
				rc = err_at(err, errlen, e->index,
					    "E \"%s\" closes B \"%s\"", e->name,
					    b->name);
			sp[nsp++] = (struct span){b->ts, e->ts, b->index, 0};
		}
	}
	if (!rc && nopen > 0)
		rc = err_at(err, errlen, ev[open[nopen - 1]].index,
			    "B never ended");
	if (!rc) {
		qsort(sp, nsp, sizeof(*sp), span_cmp);
		/* a stack of enclosing spans: [b, e), instants stack freely */
		nopen = 0;
		for (size_t i = 0; i < nsp && !rc; i++) {
			while (nopen > 0) {
				const struct span *t = &sp[open[nopen - 1]];
				if (t->e < sp[i].b ||
				    (t->e == sp[i].b &&
				     !(t->e == t->b && sp[i].e == sp[i].b)))
					nopen--;
				else
					break;
			}
			if (nopen > 0 && sp[i].e > sp[open[nopen - 1]].e) {
				const struct span *t = &sp[open[nopen - 1]];
				rc = err_at(
				    err, errlen, sp[i].index,
				    "overlaps traceEvents[%zu] on its "
				    "thread without nesting in it (%" PRId64
				    "..%" PRId64 " ns vs %" PRId64 "..%" PRId64
				    " ns)",
				    t->index, sp[i].b, sp[i].e, t->b, t->e);
				break;
			}
			open[nopen++] = i;
		}
	}
	/* every flow end binds to a slice of its thread */
	for (size_t i = 0; i < n && !rc; i++) {
		const struct cev *e = &ev[i];
		int enclosing = e->ph == 's' || e->ph == 't' ||
				(e->ph == 'f' && e->bp && !strcmp(e->bp, "e"));
		if (e->ph != 's' && e->ph != 't' && e->ph != 'f')
			continue;
		int found = 0;
		for (size_t k = 0; k < nsp && !found; k++) {
			if (enclosing)
				found = sp[k].b <= e->ts && e->ts <= sp[k].e;
			else
				found = sp[k].b >= e->ts;
		}
		if (!found)
			rc = err_at(err, errlen, e->index,
				    "flow '%c' id %s has no slice on its "
				    "thread to bind to",
				    e->ph, cid(e));
	}
	free(sp);
	free(open);
	return rc;
}

static int track_cmp(const void *pa, const void *pb)
{
	const struct cev *a = pa, *b = pb;
	int c = cev_cmp_track(a, b);
	if (c)
		return c;
	return a->index < b->index ? -1 : a->index > b->index;
}

static int async_cmp(const void *pa, const void *pb)
{
	const struct cev *a = pa, *b = pb;
	int c;
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	if ((c = strcmp(a->cat ? a->cat : "", b->cat ? b->cat : "")))
		return c;
	if ((c = strcmp(cid(a), cid(b))))
		return c;
	if ((c = strcmp(a->name ? a->name : "", b->name ? b->name : "")))
		return c;
	return a->index < b->index ? -1 : a->index > b->index;
}

static int flow_cmp(const void *pa, const void *pb)
{
	const struct cev *a = pa, *b = pb;
	int c;
	if ((c = strcmp(a->cat ? a->cat : "", b->cat ? b->cat : "")))
		return c;
	if ((c = strcmp(cid(a), cid(b))))
		return c;
	if ((c = strcmp(a->name ? a->name : "", b->name ? b->name : "")))
		return c;
	return a->index < b->index ? -1 : a->index > b->index;
}

static int check_events(struct cev *ev, size_t n, char *err, size_t errlen)
{
	int rc = 0;
	/* per thread */
	qsort(ev, n, sizeof(*ev), track_cmp);
	struct cev *th = malloc((n + 1) * sizeof(*th));
	if (!th)
		return CLAB_ENOMEM;
	for (size_t i = 0; i < n && !rc;) {
		size_t k = i, m = 0;
		while (k < n && cev_cmp_track(&ev[k], &ev[i]) == 0) {
			if (on_thread_track(&ev[k]))
				th[m++] = ev[k];
			k++;
		}
		rc = check_thread(th, m, err, errlen);
		i = k;
	}
	free(th);
	if (rc)
		return rc;
	/* async tracks: b opens, e closes, in time order, nothing left */
	qsort(ev, n, sizeof(*ev), async_cmp);
	for (size_t i = 0; i < n && !rc;) {
		if (ev[i].ph != 'b' && ev[i].ph != 'e' && ev[i].ph != 'n') {
			i++;
			continue;
		}
		size_t k = i, depth = 0;
		int64_t last = INT64_MIN;
		while (k < n && same_async(&ev[k], &ev[i]) && !rc) {
			const struct cev *e = &ev[k++];
			if (e->ph != 'b' && e->ph != 'e' && e->ph != 'n')
				continue;
			if (e->ts < last)
				rc = err_at(err, errlen, e->index,
					    "ts goes back on async track "
					    "\"%s\" id %s",
					    e->name, cid(e));
			last = e->ts;
			if (e->ph == 'b')
				depth++;
			else if (e->ph == 'e' && depth == 0)
				rc = err_at(err, errlen, e->index,
					    "async end without a begin "
					    "(\"%s\" id %s)",
					    e->name, cid(e));
			else if (e->ph == 'e')
				depth--;
		}
		if (!rc && depth)
			rc = err_at(err, errlen, ev[k - 1].index,
				    "async \"%s\" id %s never ended",
				    ev[i].name, cid(&ev[i]));
		i = k;
	}
	if (rc)
		return rc;
	/* flows: one start, one end, in time and file order */
	qsort(ev, n, sizeof(*ev), flow_cmp);
	for (size_t i = 0; i < n && !rc;) {
		if (ev[i].ph != 's' && ev[i].ph != 'f' && ev[i].ph != 't') {
			i++;
			continue;
		}
		size_t k = i, ns = 0, nf = 0;
		const struct cev *s = NULL, *f = NULL;
		while (k < n && str_eq(ev[k].cat, ev[i].cat) &&
		       str_eq(cid(&ev[k]), cid(&ev[i])) &&
		       str_eq(ev[k].name, ev[i].name)) {
			if (ev[k].ph == 's') {
				ns++;
				s = &ev[k];
			} else if (ev[k].ph == 'f') {
				nf++;
				f = &ev[k];
			}
			k++;
		}
		if (ns != 1 || nf != 1)
			rc = err_at(err, errlen, ev[i].index,
				    "flow \"%s\" cat \"%s\" id %s has %zu "
				    "start(s) and %zu end(s), not one of each",
				    ev[i].name, ev[i].cat, cid(&ev[i]), ns, nf);
		else if (f->ts < s->ts || f->index < s->index)
			rc = err_at(err, errlen, f->index,
				    "flow id %s ends before it starts "
				    "(traceEvents[%zu])",
				    cid(f), s->index);
		i = k;
	}
	return rc;
}

/*
 * Read event i of traceEvents, o, into e, checking each field's type and
 * what its phase needs; *args gets its args object (or NULL).  Returns 0,
 * or CLAB_EBADMSG with the reason in err.
 */
static int read_event(const struct jv *o, size_t i, struct cev *e,
		      const struct jv **args, char *err, size_t errlen)
{
	const struct jv *v;
	if (o->type != JOBJ)
		return err_at(err, errlen, i, "not an object");
	e->index = i;
	v = jget(o, "ph");
	if (!v || v->type != JSTR || strlen(v->s) != 1 ||
	    !strchr("XBEbeniIstfMC", v->s[0]))
		return err_at(err, errlen, i, "no known \"ph\"");
	e->ph = v->s[0];
	v = jget(o, "name");
	if (!v || v->type != JSTR)
		return err_at(err, errlen, i, "no \"name\" string");
	e->name = v->s;
	v = jget(o, "cat");
	if (v && v->type != JSTR)
		return err_at(err, errlen, i, "\"cat\" is not a string");
	e->cat = v ? v->s : NULL;
	if (get_uint(jget(o, "pid"), &e->pid) ||
	    get_uint(jget(o, "tid"), &e->tid))
		return err_at(err, errlen, i,
			      "\"pid\" and \"tid\" must be whole "
			      "numbers >= 0");
	v = jget(o, "ts");
	if (!v || v->type != JNUM || v->num < 0)
		return err_at(err, errlen, i, "no \"ts\" number >= 0");
	e->ts = to_ns(v->num);
	v = jget(o, "dur");
	if (e->ph == 'X' && (!v || v->type != JNUM || v->num < 0))
		return err_at(err, errlen, i, "X event without a \"dur\" >= 0");
	e->dur = e->ph == 'X' ? to_ns(v->num) : 0;
	v = jget(o, "id");
	if (v && v->type == JSTR) {
		e->ids = v->s;
		e->has_id = 1;
	} else if (v && v->type == JNUM && v->is_int) {
		snprintf(e->idbuf, sizeof(e->idbuf), "%.0f", v->num);
		e->has_id = e->id_is_num = 1;
	} else if (v) {
		return err_at(err, errlen, i,
			      "\"id\" is not a string or a whole number");
	}
	if (strchr("bensft", e->ph) && (!e->has_id || !e->cat))
		return err_at(err, errlen, i,
			      "'%c' event without an \"id\" and a "
			      "\"cat\"",
			      e->ph);
	v = jget(o, "bp");
	if (v && (v->type != JSTR || strcmp(v->s, "e")))
		return err_at(err, errlen, i, "\"bp\" is not \"e\"");
	e->bp = v ? v->s : NULL;
	v = jget(o, "s");
	if ((e->ph == 'i' || e->ph == 'I') && v &&
	    (v->type != JSTR || !strchr("tpg", v->s[0]) || strlen(v->s) != 1))
		return err_at(err, errlen, i,
			      "instant scope \"s\" is "
			      "not \"t\", \"p\" or \"g\"");
	e->scope = v && v->type == JSTR ? v->s : NULL;
	v = jget(o, "args");
	if (v && v->type != JOBJ)
		return err_at(err, errlen, i, "\"args\" is not an object");
	*args = v;
	return 0;
}

static int check_chrome_doc(const struct jv *doc, struct clab_export_check *st,
			    char *err, size_t errlen)
{
	const struct jv *evs = jget(doc, "traceEvents"), *u, *md;
	if (doc->type != JOBJ || !evs || evs->type != JARR) {
		snprintf(err, errlen,
			 "not a JSON object with a traceEvents "
			 "array");
		return CLAB_EBADMSG;
	}
	u = jget(doc, "displayTimeUnit");
	if (u &&
	    (u->type != JSTR || (strcmp(u->s, "ms") && strcmp(u->s, "ns")))) {
		snprintf(err, errlen,
			 "displayTimeUnit is not \"ms\" or \"ns\"");
		return CLAB_EBADMSG;
	}
	md = jget(doc, "metadata");
	if (md && md->type != JOBJ) {
		snprintf(err, errlen, "metadata is not an object");
		return CLAB_EBADMSG;
	}
	size_t n = evs->n, nc = 0;
	struct cev *ev = calloc(n + 1, sizeof(*ev));
	struct {
		uint32_t pid, tid;
	} *named = calloc(n + 1, sizeof(*named));
	size_t nnamed = 0;
	int rc = 0;
	if (!ev || !named) {
		free(ev);
		free(named);
		return CLAB_ENOMEM;
	}
	for (size_t i = 0; i < n && !rc; i++) {
		const struct jv *v = NULL; /* the event's args */
		struct cev *e = &ev[nc];
		rc = read_event(&evs->kids[i], i, e, &v, err, errlen);
		if (rc)
			break;
		if (v && jget(v, "unfinished") &&
		    jget(v, "unfinished")->type == JTRUE && st)
			st->unfinished++;
		if (e->ph == 'M') {
			if (strcmp(e->name, "thread_name") == 0 ||
			    strcmp(e->name, "process_name") == 0) {
				const struct jv *nm = jget(v, "name");
				if (!nm || nm->type != JSTR) {
					rc = err_at(err, errlen, i,
						    "%s without args.name",
						    e->name);
					break;
				}
			}
			if (strcmp(e->name, "thread_name") == 0) {
				named[nnamed].pid = e->pid;
				named[nnamed++].tid = e->tid;
				if (st)
					st->threads++;
			}
			continue;
		}
		if (st) {
			st->slices += e->ph == 'X';
			st->asyncs += e->ph == 'b';
			st->instants += e->ph == 'i' || e->ph == 'I';
			st->flows += e->ph == 's';
		}
		nc++;
	}
	/* every thread that has events has a name */
	for (size_t i = 0; i < nc && !rc; i++) {
		int found = 0;
		if (!on_thread_track(&ev[i]))
			continue;
		for (size_t k = 0; k < nnamed && !found; k++)
			found = named[k].pid == ev[i].pid &&
				named[k].tid == ev[i].tid;
		if (!found)
			rc = err_at(err, errlen, ev[i].index,
				    "tid %" PRIu32 " has no thread_name",
				    ev[i].tid);
	}
	if (!rc)
		rc = check_events(ev, nc, err, errlen);
	if (st)
		st->events = n;
	free(ev);
	free(named);
	return rc;
}

int clab_export_check_chrome(const char *text, size_t len,
			     struct clab_export_check *st, char *err,
			     size_t errlen)
{
	struct jv doc;
	char dummy[8];
	if (!err || errlen == 0) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = 0;
	if (st)
		memset(st, 0, sizeof(*st));
	int rc = jparse(text, text + len, 0, &doc, err, errlen);
	if (rc)
		return rc;
	rc = check_chrome_doc(&doc, st, err, errlen);
	jv_free(&doc);
	return rc;
}

int clab_export_check_jsonl(const char *text, size_t len,
			    struct clab_export_check *st, char *err,
			    size_t errlen)
{
	const char *p = text, *end = text + len;
	size_t line = 0;
	uint64_t nrec = 0;
	int rc = 0;
	char dummy[8];
	if (!err || errlen == 0) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = 0;
	if (st)
		memset(st, 0, sizeof(*st));
	if (len == 0 || text[len - 1] != '\n') {
		snprintf(err, errlen, "empty, or the last line has no newline");
		return CLAB_EBADMSG;
	}
	while (p < end && !rc) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct jv v;
		char e2[256];
		line++;
		rc = jparse(p, nl, (size_t)(p - text), &v, e2, sizeof(e2));
		if (rc) {
			snprintf(err, errlen, "line %zu: %s", line, e2);
			break;
		}
		if (v.type != JOBJ) {
			snprintf(err, errlen, "line %zu: not a JSON object",
				 line);
			rc = CLAB_EBADMSG;
		} else if (line == 1) {
			const struct jv *t = jget(&v, "type");
			const struct jv *r = jget(&v, "records");
			if (!t || t->type != JSTR || strcmp(t->s, "trace") ||
			    !jget(&v, "format") || !jget(&v, "threads") ||
			    !jget(&v, "objects") || !r || r->type != JNUM) {
				snprintf(err, errlen,
					 "line 1: not a conclab header "
					 "(type, format, records, threads, "
					 "objects)");
				rc = CLAB_EBADMSG;
			} else {
				nrec = (uint64_t)r->num;
			}
		} else {
			const struct jv *s = jget(&v, "seq");
			const struct jv *k = jget(&v, "kind");
			if (!s || s->type != JNUM || !s->is_int ||
			    s->num != (double)(line - 2) || !k ||
			    k->type != JSTR || !jget(&v, "ns") ||
			    !jget(&v, "tid")) {
				snprintf(err, errlen,
					 "line %zu: not record %zu (seq, ns, "
					 "tid, kind)",
					 line, line - 2);
				rc = CLAB_EBADMSG;
			}
		}
		jv_free(&v);
		p = nl + 1;
	}
	if (!rc && line - 1 != nrec) {
		snprintf(err, errlen,
			 "%zu record lines, the header says %" PRIu64, line - 1,
			 nrec);
		rc = CLAB_EBADMSG;
	}
	if (st) {
		st->events = line;
		st->records = line ? line - 1 : 0;
	}
	return rc;
}
