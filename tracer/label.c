/*
 * Labels of threads and objects in reports: the name, and the id only when
 * the name is shared (see label.h).
 */
#include <inttypes.h>
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
