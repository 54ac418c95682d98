/*
 * Labels of threads and objects in reports: the name, and the id only when
 * the name is shared (see label.h).
 */
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/error.h>
#include <conclab/label.h>
#include <conclab/trace.h>

const char *clab_label(char *buf, size_t len, const char *name, char prefix,
		       uint32_t id, int shared)
{
	if (!name || !name[0])
		snprintf(buf, len, "%c%" PRIu32, prefix, id);
	else if (shared)
		snprintf(buf, len, "%s (%c%" PRIu32 ")", name, prefix, id);
	else
		snprintf(buf, len, "%s", name);
	return buf;
}

/* Set once by the command that prints, before any thread reads it. */
static _Atomic unsigned text_width = CLAB_TEXT_WIDTH;

unsigned clab_text_width(void)
{
	return atomic_load_explicit(&text_width, memory_order_relaxed);
}

void clab_text_width_set(unsigned columns)
{
	if (!columns)
		columns = UINT_MAX; /* never fold */
	else if (columns < CLAB_TEXT_WIDTH_MIN)
		columns = CLAB_TEXT_WIDTH_MIN;
	atomic_store_explicit(&text_width, columns, memory_order_relaxed);
}

/* Wide (two columns) in a terminal: the East Asian wide ranges. */
static int wide(uint32_t c)
{
	return (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) ||
	       (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
	       (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
	       (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x20000 && c <= 0x3fffd);
}

/*
 * Columns of s[0..n) in a terminal: a UTF-8 character one, or two when it
 * is wide; a byte that starts no character one.
 */
static unsigned columns(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned cols = 0;
	for (size_t i = 0; i < n;) {
		unsigned len = p[i] >= 0xf0   ? 4
			       : p[i] >= 0xe0 ? 3
			       : p[i] >= 0xc0 ? 2
					      : 1;
		uint32_t c = len == 1 ? p[i] : p[i] & (0x3f >> (len - 1));
		size_t k = 1;
		for (; k < len && i + k < n && (p[i + k] & 0xc0) == 0x80; k++)
			c = c << 6 | (p[i + k] & 0x3f);
		cols += k == len && wide(c) ? 2 : 1;
		i += k;
	}
	return cols;
}

size_t clab_wrap(char *buf, size_t len, const char *s, unsigned width,
		 unsigned indent)
{
	size_t n = 0;
#define PUT(c)                                                                 \
	do {                                                                   \
		if (n + 1 < len)                                               \
			buf[n] = (c);                                          \
		n++;                                                           \
	} while (0)
	unsigned col = 0; /* columns on the current line */
	int start = 1;	  /* nothing but the indent on the line yet */
	while (*s) {
		size_t sp = strspn(s, " ");
		size_t w = strcspn(s + sp, " ");
		unsigned wc = columns(s + sp, w);
		if (!w)
			break; /* trailing spaces */
		if (!start && col + columns(s, sp) + wc > width) {
			PUT('\n');
			for (col = 0; col < indent; col++)
				PUT(' ');
			s += sp; /* the spaces at the break go */
			sp = 0;
		}
		for (size_t i = 0; i < sp + w; i++)
			PUT(s[i]);
		col += columns(s, sp + w);
		s += sp + w;
		start = 0;
	}
	PUT('\n');
#undef PUT
	if (len)
		buf[n < len ? n : len - 1] = '\0';
	return n;
}

void clab_wrapf(FILE *out, unsigned indent, const char *fmt, ...)
{
	char small[1024], *line = NULL, *big = NULL;
	va_list ap;
	va_start(ap, fmt);
	int k = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (k < 0) /* no memory: nothing to fold */
		return;
	size_t n =
	    clab_wrap(small, sizeof(small), line, clab_text_width(), indent);
	if (n >= sizeof(small) && (big = malloc(n + 1)))
		clab_wrap(big, n + 1, line, clab_text_width(), indent);
	if (big || n < sizeof(small))
		fputs(big ? big : small, out);
	else /* no memory for the folded text: the line as it is */
		fprintf(out, "%s\n", line);
	free(big);
	free(line);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Mark in shared[i] the names[i] that occur more than once; names[i] is
 * names' own slot, so the array is sorted by pointers into a copy.
 */
static int mark_shared(const char **names, uint32_t n, uint8_t *shared)
{
	const char **sorted = malloc((n ? n : 1) * sizeof(*sorted));
	if (!sorted)
		return CLAB_ENOMEM;
	memcpy(sorted, names, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_name);
	/* a name that occurs twice: found again with bsearch below */
	uint32_t ndup = 0;
	for (uint32_t i = 0; i + 1 < n; i++)
		if (strcmp(sorted[i], sorted[i + 1]) == 0)
			sorted[ndup++] = sorted[i];
	for (uint32_t i = 0; i < n; i++)
		shared[i] = ndup && bsearch(&names[i], sorted, ndup,
					    sizeof(*sorted), cmp_name) != NULL;
	free(sorted);
	return 0;
}

int clab__label_trace(struct clab_thread_info *th, uint32_t nth,
		      struct clab_object_info *ob, uint32_t nob,
		      const uint32_t *tids, char **block)
{
	*block = NULL;
	uint32_t n = nth > nob ? nth : nob;
	const char **names = malloc((n ? n : 1) * sizeof(*names));
	uint8_t *tsh = calloc(nth ? nth : 1, 1),
		*osh = calloc(nob ? nob : 1, 1);
	int err = names && tsh && osh ? 0 : CLAB_ENOMEM;

	/* threads among threads */
	for (uint32_t i = 0; i < nth && !err; i++)
		names[i] = th[i].name ? th[i].name : "";
	if (!err)
		err = mark_shared(names, nth, tsh);
	/* objects among the objects that are not threads */
	uint32_t m = 0;
	for (uint32_t i = 0; i < nob && !err; i++)
		if (tids[i + 1] == UINT32_MAX)
			names[m++] = ob[i].name ? ob[i].name : "";
	if (!err) {
		uint8_t *sh = calloc(m ? m : 1, 1);
		err = sh ? mark_shared(names, m, sh) : CLAB_ENOMEM;
		for (uint32_t i = 0, k = 0; i < nob && !err; i++)
			if (tids[i + 1] == UINT32_MAX)
				osh[i] = sh[k++];
		free(sh);
	}

	/* the labels that are not their name, in one block */
	size_t need = 0;
	char tmp[1];
	for (uint32_t i = 0; i < nth && !err; i++)
		if (tsh[i] || !th[i].name || !th[i].name[0])
			need += (size_t)snprintf(tmp, 0, "%s (T%" PRIu32 ")",
						 th[i].name ? th[i].name : "",
						 th[i].tid) +
				1;
	for (uint32_t i = 0; i < nob && !err; i++)
		if (tids[i + 1] == UINT32_MAX &&
		    (osh[i] || !ob[i].name || !ob[i].name[0]))
			need += (size_t)snprintf(tmp, 0, "%s (#%" PRIu32 ")",
						 ob[i].name ? ob[i].name : "",
						 ob[i].oid) +
				1;
	char *b = NULL;
	if (!err && need && !(b = malloc(need)))
		err = CLAB_ENOMEM;
	*block = b;
	for (uint32_t i = 0; i < nth && !err; i++) {
		if (!tsh[i] && th[i].name && th[i].name[0]) {
			th[i].label = th[i].name;
			continue;
		}
		th[i].label =
		    clab_label(b, need, th[i].name, 'T', th[i].tid, tsh[i]);
		size_t k = strlen(b) + 1;
		b += k;
		need -= k;
	}
	for (uint32_t i = 0; i < nob && !err; i++) {
		uint32_t t = tids[i + 1];
		if (t != UINT32_MAX) {
			ob[i].label = t < nth ? th[t].label : ob[i].name;
			continue;
		}
		if (!osh[i] && ob[i].name && ob[i].name[0]) {
			ob[i].label = ob[i].name;
			continue;
		}
		ob[i].label =
		    clab_label(b, need, ob[i].name, '#', ob[i].oid, osh[i]);
		size_t k = strlen(b) + 1;
		b += k;
		need -= k;
	}
	free(names);
	free(tsh);
	free(osh);
	return err;
}
