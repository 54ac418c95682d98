/*
 * What the metadata says of objects after their definitions.
 *
 * Roles: what an object or a thread is in a lab ("fork" 3, "philosopher"
 * 2), declared by the program when it made it (clab_role) and written as
 * the metadata "role.<object id>" = "<role> <index>".  At load the reader
 * sets them on the objects; checks and pictures find their objects by
 * role, never by name.
 *
 * Names: a thread renamed after it was made (clab_thread_rename,
 * pthread_setname_np under conclab trace) is the metadata "name.<its
 * object id>" = the name; the last one of an object is its name.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/trace.h>

#include "format.h"
#include "reader-int.h"

#define ROLE_KEY "role."
#define NAME_KEY "name."

/*
 * "fork 3" -> *role a copy of "fork", *index 3: 1; 0 when v is not of
 * that form; -1 when out of memory.
 */
static int parse_role(const char *v, char **role, uint32_t *index)
{
	const char *sp = strchr(v, ' ');
	char *end;
	if (!sp || sp == v || sp[1] < '0' || sp[1] > '9')
		return 0;
	unsigned long i = strtoul(sp + 1, &end, 10);
	if (*end || i > UINT32_MAX)
		return 0;
	*index = (uint32_t)i;
	*role = strndup(v, (size_t)(sp - v));
	return *role ? 1 : -1;
}

/* Whether an object has role and index already. */
static int taken(const struct clab_trace *tr, const char *role, uint32_t index)
{
	for (uint32_t i = 0; i < tr->nobjs; i++) {
		const struct clab_object_info *o = &tr->objs[i];
		if (o->role && o->role_index == index &&
		    strcmp(o->role, role) == 0)
			return 1;
	}
	return 0;
}

int clab__trace_roles(struct clab_trace *tr)
{
	for (size_t k = 0; k < tr->nmeta; k++) {
		const char *key = tr->mkeys[k];
		char *end;
		if (strncmp(key, ROLE_KEY, strlen(ROLE_KEY)) != 0)
			continue;
		unsigned long oid = strtoul(key + strlen(ROLE_KEY), &end, 10);
		if (*end || oid == 0 || oid > tr->nobjs)
			continue;
		struct clab_object_info *o = &tr->objs[oid - 1];
		uint32_t index;
		char *role = NULL;
		int ok = parse_role(tr->mvals[k], &role, &index);
		if (ok < 0)
			return -1;
		/* the first declaration holds: of the object, of the role */
		if (ok && !o->role && !taken(tr, role, index)) {
			o->role = role;
			o->role_index = index;
			tr->roles = 1;
		} else {
			free(role);
		}
	}
	return 0;
}

int clab_trace_has_roles(const struct clab_trace *tr)
{
	return tr->roles;
}

/* "prefixN" -> N, or -1. */
static long numbered(const char *name, const char *prefix)
{
	size_t len = strlen(prefix);
	char *end;
	if (!name || strncmp(name, prefix, len) != 0 || !name[len])
		return -1;
	long v = strtol(name + len, &end, 10);
	return *end || end == name + len || v < 0 ? -1 : v;
}

long clab_trace_role_index(const struct clab_trace *tr, uint32_t oid,
			   const char *role, const char *legacy_prefix, long n)
{
	const struct clab_object_info *o = clab_trace_object(tr, oid);
	long i = -1;
	if (!o)
		return -1;
	if (tr->roles) {
		if (o->role && strcmp(o->role, role) == 0)
			i = (long)o->role_index;
	} else if (legacy_prefix) {
		i = numbered(o->name, legacy_prefix);
	}
	return i >= 0 && i < n ? i : -1;
}

long clab_trace_thread_role_index(const struct clab_trace *tr, uint32_t tid,
				  const char *role, const char *legacy_prefix,
				  long n)
{
	const struct clab_thread_info *t = clab_trace_thread(tr, tid);
	return t ? clab_trace_role_index(tr, t->oid, role, legacy_prefix, n)
		 : -1;
}

/* The object id of a key "<prefix><id>", or 0. */
static uint64_t key_oid(const char *key, const char *prefix)
{
	size_t n = strlen(prefix);
	char *end;
	if (strncmp(key, prefix, n) != 0 || key[n] < '1' || key[n] > '9')
		return 0;
	unsigned long long oid = strtoull(key + n, &end, 10);
	return *end || oid > UINT32_MAX ? 0 : oid;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

int clab__trace_names_index(struct clab_trace *tr)
{
	uint32_t n = 0;
	for (size_t k = 0; k < tr->nmeta && k < UINT32_MAX; k++) {
		uint64_t oid = key_oid(tr->mkeys[k], NAME_KEY);
		size_t len = strlen(tr->mvals[k]);
		if (!oid || len == 0 || len > CLAB_NAME_MAX)
			continue;
		if (n == 0 || (n & (n - 1)) == 0) { /* room for 1, 2, 4... */
			uint64_t *m = realloc(
			    tr->renamed, (n ? 2 * (size_t)n : 1) * sizeof(*m));
			if (!m)
				return -1;
			tr->renamed = m;
		}
		tr->renamed[n++] = oid << 32 | k;
	}
	if (n == 0)
		return 0;
	qsort(tr->renamed, n, sizeof(*tr->renamed), cmp_u64);
	/* the last key of each object: its last name */
	uint32_t kept = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (kept && tr->renamed[kept - 1] >> 32 == tr->renamed[i] >> 32)
			kept--;
		tr->renamed[kept++] = tr->renamed[i];
	}
	tr->nrenamed = kept;
	return 0;
}

const char *clab__trace_renamed(const struct clab_trace *tr, uint64_t oid)
{
	uint32_t lo = 0, hi = tr->nrenamed;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		uint64_t at = tr->renamed[mid] >> 32;
		if (at == oid)
			return tr->mvals[(uint32_t)tr->renamed[mid]];
		if (at < oid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* *name replaced by a copy of v, as the reader shows names: 0, or -1. */
static int set_name(const char **name, const char *v)
{
	char *s = clab__name_dup((const uint8_t *)v, strlen(v));
	if (!s)
		return -1;
	free((char *)*name);
	*name = s;
	return 0;
}

int clab__trace_rename(struct clab_trace *tr)
{
	for (uint32_t i = 0; i < tr->nrenamed; i++) {
		uint32_t oid = (uint32_t)(tr->renamed[i] >> 32);
		const char *v = tr->mvals[(uint32_t)tr->renamed[i]];
		if (oid > tr->nobjs)
			continue;
		if (set_name(&tr->objs[oid - 1].name, v) != 0)
			return -1;
		uint32_t t = tr->obj2tid[oid];
		if (t < tr->nthreads && set_name(&tr->threads[t].name, v) != 0)
			return -1;
	}
	return 0;
}
