/*
 * Sites and names for the program's calls and objects.
 *
 * The program was not built with conclab's macros, so a call has no
 * static struct clab_site: the library makes one from the call's return
 * address, symbolised as call stacks are (the tracer's symbols.c: the
 * function, and the file and line of the call, when the program has debug
 * information; for code inlined from a system header, the program's code
 * around it), once per address, and keeps it for the process's life
 * (the trace refers to sites by pointer).  An object is named by the
 * symbol it lies in, when it is a global ("forks[2]" in an array of
 * them, "table+24" in a structure).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "preload.h"
#include "tracer-int.h"

struct clab__pl_psite clab__pl_sites[CLAB__PL_SITES];
static size_t nsites;
static clab__lock_t lk; /* symbolisation, and adding sites */
/* the program's symbols, for sites and for objects' names */
static struct clab__syms *syms;

/* Every site past CLAB__PL_SITES, and any that cannot be made, is this one. */
static const struct clab_site unknown = {"?", "?", NULL, 0};

/* Fill p's site for the call that returns to pc; 0, or -ENOMEM. */
static int make(struct clab_site *p, uintptr_t pc)
{
	if (!syms)
		syms = clab__syms_new();
	const struct clab__frame *f = NULL;
	size_t n = syms ? clab__syms_stack(syms, &pc, 1, &f) : 0;
	/*
	 * A call inlined from a system header (C++'s std::mutex::lock, its
	 * lock_guard, gthreads' wrappers) is sited where the program's own
	 * code made it: the innermost frame outside the system's headers.
	 */
	size_t k = 0;
	while (k + 1 < n && strncmp(f[k].file, "/usr/include/", 13) == 0)
		k++;
	if (n)
		f += k;
	char buf[32];
	if (!n)
		snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)pc);
	p->func = strdup(n ? f[0].func : buf);
	p->file = strdup(n ? f[0].file : "?");
	p->line = n ? (int)f[0].line : 0;
	if (!p->func || !p->file) {
		free((char *)p->func);
		free((char *)p->file);
		*p = (struct clab_site){0};
		return -ENOMEM;
	}
	return 0;
}

/* The slot of pc in the table, or the free one where it goes (0: full). */
static struct clab__pl_psite *probe(uintptr_t pc, memory_order mo)
{
	for (size_t i = clab__pl_site_slot(pc), n = 0; n < CLAB__PL_SITES;
	     i = (i + 1) & (CLAB__PL_SITES - 1), n++) {
		uintptr_t k = atomic_load_explicit(&clab__pl_sites[i].pc, mo);
		if (!k || k == pc)
			return &clab__pl_sites[i];
	}
	return NULL;
}

const struct clab_site *clab__pl_site_miss(uintptr_t pc)
{
	if (!pc) /* no call returns there; 0 marks a free slot */
		return &unknown;
	struct clab__pl_psite *p = probe(pc, memory_order_acquire);
	if (p && atomic_load_explicit(&p->pc, memory_order_acquire) == pc)
		return &p->site;
	clab__lk_lock(&lk);
	p = probe(pc, memory_order_relaxed);
	int ok = p != NULL;
	if (ok && atomic_load_explicit(&p->pc, memory_order_relaxed) != pc) {
		ok = nsites * 2 < CLAB__PL_SITES && make(&p->site, pc) == 0;
		/* the site first, then the pc that readers look for */
		if (ok) {
			atomic_store_explicit(&p->pc, pc, memory_order_release);
			nsites++;
		}
	}
	clab__lk_unlock(&lk);
	return ok ? &p->site : &unknown;
}

void clab__pl_name(const void *addr, const char *kind, size_t size, char *buf,
		   size_t len)
{
	clab__lk_lock(&lk);
	if (!syms)
		syms = clab__syms_new();
	uint64_t off = 0, ssize = 0;
	const char *name =
	    syms ? clab__syms_object(syms, (uintptr_t)addr, &off, &ssize)
		 : NULL;
	if (!name)
		snprintf(buf, len, "%s@%p", kind, addr);
	else if (ssize > size && off % size == 0 && ssize % size == 0)
		snprintf(buf, len, "%s[%llu]", name,
			 (unsigned long long)(off / size));
	else if (off)
		snprintf(buf, len, "%s+%llu", name, (unsigned long long)off);
	else
		snprintf(buf, len, "%s", name);
	clab__lk_unlock(&lk);
}

void clab__pl_site_lock(int on)
{
	if (on)
		clab__lk_lock(&lk);
	else
		clab__lk_drop(&lk);
}
