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
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

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

void clab_text_width_choose(void)
{
	const char *env = getenv("CONCLAB_TEXT_WIDTH");
	if (env && *env) {
		char *end;
		long w = strtol(env, &end, 10);
		if (*end == 0 && w >= 0) {
			clab_text_width_set(w > 10000 ? 10000 : (unsigned)w);
			return;
		}
	}
	unsigned cols = CLAB_TEXT_WIDTH;
	for (int fd = 1; fd <= 2; fd++) {
		struct winsize ws;
		if (isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0 &&
		    ws.ws_col && ws.ws_col < cols)
			cols = ws.ws_col;
	}
	clab_text_width_set(cols);
}

/*
 * Unicode's East Asian Wide and Fullwidth ranges (EastAsianWidth.txt, W
 * and F): what wcwidth() says takes two columns in a UTF-8 locale, for
 * when the locale cannot say (C, or a test without setlocale).
 */
static const uint32_t wide[][2] = {
    {0x1100, 0x115f},	{0x231a, 0x231b},   {0x2329, 0x232a},
    {0x23e9, 0x23ec},	{0x23f0, 0x23f0},   {0x23f3, 0x23f3},
    {0x25fd, 0x25fe},	{0x2614, 0x2615},   {0x2648, 0x2653},
    {0x267f, 0x267f},	{0x2693, 0x2693},   {0x26a1, 0x26a1},
    {0x26aa, 0x26ab},	{0x26bd, 0x26be},   {0x26c4, 0x26c5},
    {0x26ce, 0x26ce},	{0x26d4, 0x26d4},   {0x26ea, 0x26ea},
    {0x26f2, 0x26f3},	{0x26f5, 0x26f5},   {0x26fa, 0x26fa},
    {0x26fd, 0x26fd},	{0x2705, 0x2705},   {0x270a, 0x270b},
    {0x2728, 0x2728},	{0x274c, 0x274c},   {0x274e, 0x274e},
    {0x2753, 0x2755},	{0x2757, 0x2757},   {0x2795, 0x2797},
    {0x27b0, 0x27b0},	{0x27bf, 0x27bf},   {0x2b1b, 0x2b1c},
    {0x2b50, 0x2b50},	{0x2b55, 0x2b55},   {0x2e80, 0x303e},
    {0x3041, 0x33ff},	{0x3400, 0x4dbf},   {0x4e00, 0x9fff},
    {0xa000, 0xa4cf},	{0xa960, 0xa97f},   {0xac00, 0xd7a3},
    {0xf900, 0xfaff},	{0xfe10, 0xfe19},   {0xfe30, 0xfe6f},
    {0xff00, 0xff60},	{0xffe0, 0xffe6},   {0x16fe0, 0x18aff},
    {0x1b000, 0x1b2ff}, {0x1f004, 0x1f004}, {0x1f0cf, 0x1f0cf},
    {0x1f18e, 0x1f18e}, {0x1f191, 0x1f19a}, {0x1f200, 0x1f2ff},
    {0x1f300, 0x1f64f}, {0x1f680, 0x1f6ff}, {0x1f900, 0x1f9ff},
    {0x20000, 0x2fffd}, {0x30000, 0x3fffd},
};

int clab_char_width(uint32_t ch)
{
	if (ch < 0x7f)
		return 1;
	int w = wcwidth((wchar_t)ch);
	if (w >= 0)
		return w > 2 ? 2 : w;
	if (ch >= 0x300 && ch < 0x370)
		return 0; /* combining diacritical marks */
	size_t lo = 0, hi = sizeof(wide) / sizeof(wide[0]);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (ch < wide[mid][0])
			hi = mid;
		else if (ch > wide[mid][1])
			lo = mid + 1;
		else
			return 2;
	}
	return 1;
}

uint32_t clab_utf8_next(const char **sp)
{
	const unsigned char *s = (const unsigned char *)*sp;
	uint32_t c = *s++;
	int more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
	if (c >= 0x80 && more == 0) {
		*sp = (const char *)s;
		return 0xfffd;
	}
	c &= more == 3 ? 0x07 : more == 2 ? 0x0f : more == 1 ? 0x1f : 0x7f;
	while (more-- > 0) {
		if ((*s & 0xc0) != 0x80) {
			*sp = (const char *)s;
			return 0xfffd;
		}
		c = (c << 6) | (*s++ & 0x3f);
	}
	*sp = (const char *)s;
	return c;
}

/* Columns of s[0..n), whole characters, in a terminal. */
static unsigned columns(const char *s, size_t n)
{
	const char *end = s + n;
	unsigned cols = 0;
	while (s < end)
		cols += (unsigned)clab_char_width(clab_utf8_next(&s));
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
