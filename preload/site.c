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
#include <elfutils/libdwfl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "preload.h"
#include "tracer-int.h"

#define SITES (1u << 16) /* distinct call sites kept */

struct psite {
	uintptr_t pc;
	struct clab_site site;
};

static struct psite *_Atomic sites[SITES];
static size_t nsites;
static clab__lock_t lk; /* symbolisation, and adding sites */
static struct clab__syms *syms;
static Dwfl *dwfl;
static int dwfl_tried;

/* Every site past SITES, and any that cannot be made, is this one. */
static const struct clab_site unknown = {"?", "?", NULL, 0};

static size_t slot_of(uintptr_t pc)
{
	return (size_t)((pc * 0x9e3779b97f4a7c15ull) >> 32) & (SITES - 1);
}

static struct psite *make(uintptr_t pc)
{
	struct psite *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pc = pc;
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
	p->site.func = strdup(n ? f[0].func : buf);
	p->site.file = strdup(n ? f[0].file : "?");
	p->site.line = n ? (int)f[0].line : 0;
	if (!p->site.func || !p->site.file) {
		free((char *)p->site.func);
		free((char *)p->site.file);
		free(p);
		return NULL;
	}
	return p;
}

const struct clab_site *clab__pl_site(const void *ret)
{
	uintptr_t pc = (uintptr_t)ret;
	size_t i = slot_of(pc);
	for (;; i = (i + 1) & (SITES - 1)) {
		struct psite *p =
		    atomic_load_explicit(&sites[i], memory_order_acquire);
		if (!p)
			break;
		if (p->pc == pc)
			return &p->site;
	}
	clab__lk_lock(&lk);
	for (i = slot_of(pc);; i = (i + 1) & (SITES - 1)) {
		struct psite *p =
		    atomic_load_explicit(&sites[i], memory_order_relaxed);
		if (!p)
			break;
		if (p->pc == pc) {
			clab__lk_unlock(&lk);
			return &p->site;
		}
	}
	struct psite *p = nsites * 2 < SITES ? make(pc) : NULL;
	if (p) {
		atomic_store_explicit(&sites[i], p, memory_order_release);
		nsites++;
	}
	clab__lk_unlock(&lk);
	return p ? &p->site : &unknown;
}

static const Dwfl_Callbacks callbacks = {
    .find_elf = dwfl_linux_proc_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
};

/* The process's modules, read once (lk held). */
static Dwfl *modules(void)
{
	if (dwfl || dwfl_tried)
		return dwfl;
	dwfl_tried = 1;
	Dwfl *d = dwfl_begin(&callbacks);
	if (!d)
		return NULL;
	dwfl_report_begin(d);
	int rc = dwfl_linux_proc_report(d, getpid());
	if (dwfl_report_end(d, NULL, NULL) != 0 || rc != 0) {
		dwfl_end(d);
		return NULL;
	}
	dwfl = d;
	return d;
}

void clab__pl_name(const void *addr, const char *kind, size_t size, char *buf,
		   size_t len)
{
	clab__lk_lock(&lk);
	Dwfl *d = modules();
	Dwfl_Module *m = d ? dwfl_addrmodule(d, (Dwarf_Addr)addr) : NULL;
	GElf_Off off = 0;
	GElf_Sym sym;
	const char *name = m ? dwfl_module_addrinfo(m, (Dwarf_Addr)addr, &off,
						    &sym, NULL, NULL, NULL)
			     : NULL;
	/* a data symbol that holds the object, not the nearest one */
	if (name && GELF_ST_TYPE(sym.st_info) == STT_OBJECT &&
	    off < sym.st_size) {
		if (sym.st_size > size && off % size == 0 &&
		    sym.st_size % size == 0)
			snprintf(buf, len, "%s[%llu]", name,
				 (unsigned long long)(off / size));
		else if (off)
			snprintf(buf, len, "%s+%llu", name,
				 (unsigned long long)off);
		else
			snprintf(buf, len, "%s", name);
	} else {
		snprintf(buf, len, "%s@%p", kind, addr);
	}
	clab__lk_unlock(&lk);
}

void clab__pl_site_lock(int on)
{
	if (on)
		clab__lk_lock(&lk);
	else
		clab__lk_drop(&lk);
}
