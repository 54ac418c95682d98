/*
 * Seeing a solution end the process (or its thread) where it does it.
 *
 * A student's exit(0) in buf_new() would otherwise end the run there,
 * without a report, with the code the student chose.  After dlopen() has
 * bound the object's calls (RTLD_NOW), each GOT entry that holds one of
 * the ending functions (a JUMP_SLOT for a call through the PLT, a GLOB_DAT
 * for its address taken) gets the address of a hook here instead.  The
 * hook knows its caller from its return address, which is in the
 * solution's code: libdwfl gives the function, file and line.  An address
 * the object keeps in a table of its own (an ABS64 relocation) is
 * rewritten too.  Only the solution's own calls are rewritten; conclab's
 * and libc's stay as they are.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <conclab/site.h>

#include "solution-hooks.h"

#if defined(__x86_64__)
#define R_JUMP_SLOT R_X86_64_JUMP_SLOT
#define R_GLOB_DAT R_X86_64_GLOB_DAT
#define R_ABS64 R_X86_64_64
#elif defined(__aarch64__)
#define R_JUMP_SLOT R_AARCH64_JUMP_SLOT
#define R_GLOB_DAT R_AARCH64_GLOB_DAT
#define R_ABS64 R_AARCH64_ABS64
#endif

/* The one solution a child loads: its hooks' callbacks. */
static clab_solution_end_fn end_fn;
static clab_solution_file_fn file_fn;
static clab_solution_note_fn note_fn;

enum {
	H_EXIT,
	H__EXIT,
	H__EXIT2,
	H_QUICK_EXIT,
	H_ABORT,
	H_PEXIT,
	H_TEXIT,
	H_RAISE,
	H_GSIGNAL,
	H_PKILL,
	H_FILES, /* the calls that name a file, with file_fn only */
	H_OPEN = H_FILES,
	H_OPEN64,
	H_OPENAT,
	H_OPENAT64,
	H_CREAT,
	H_FOPEN,
	H_FOPEN64,
	H_FREOPEN,
	H_OPENDIR,
	H_UNLINK,
	H_REMOVE,
	H_RENAME,
	H_MKDIR,
	H_RMDIR,
	H_TRUNCATE,
	H_LINK,
	H_SYMLINK,
	H_CHDIR,
	H_NOTES, /* the solution's annotations, with note_fn only */
	H_NOTE = H_NOTES,
	NH
};

/* The functions the hooks stand for, as the GOT held them. */
static uintptr_t real[NH];

static const char unknown[] = "?";
static char funcbuf[256], filebuf[256];

static const char *base_name(const char *p)
{
	const char *b = strrchr(p, '/');
	return b ? b + 1 : p;
}

/*
 * The line at pc by a walk over the module's units: clang writes no
 * .debug_aranges, which dwfl_module_getsrc() looks the unit up in.
 */
static const char *unit_line(Dwfl_Module *m, Dwarf_Addr pc, int *line)
{
	Dwarf_Addr bias;
	Dwarf *dw = dwfl_module_getdwarf(m, &bias);
	Dwarf_CU *cu = NULL;
	Dwarf_Die cudie;
	uint8_t type;

	while (dw &&
	       dwarf_get_units(dw, cu, &cu, NULL, &type, &cudie, NULL) == 0) {
		if (type != DW_UT_compile ||
		    dwarf_haspc(&cudie, pc - bias) != 1)
			continue;
		Dwarf_Line *l = dwarf_getsrc_die(&cudie, pc - bias);
		if (l == NULL || dwarf_lineno(l, line) != 0)
			return NULL;
		return dwarf_linesrc(l, NULL, NULL);
	}
	return NULL;
}

/* The call's site, from the return address into the solution. */
static void site(struct clab_solution_end *e, void *ret)
{
	static const Dwfl_Callbacks cb = {
	    .find_elf = dwfl_linux_proc_find_elf,
	    .find_debuginfo = dwfl_standard_find_debuginfo,
	};
	e->func = unknown;
	e->file = unknown;
	e->line = 0;
	Dwfl *d = dwfl_begin(&cb);
	if (!d)
		return;
	dwfl_report_begin(d);
	int rc = dwfl_linux_proc_report(d, getpid());
	if (dwfl_report_end(d, NULL, NULL) != 0 || rc != 0) {
		dwfl_end(d);
		return;
	}
	Dwarf_Addr pc = (Dwarf_Addr)(uintptr_t)ret - 1; /* the call */
	Dwfl_Module *m = dwfl_addrmodule(d, pc);
	const char *fn = m ? dwfl_module_addrname(m, pc) : NULL;
	if (fn) {
		snprintf(funcbuf, sizeof(funcbuf), "%s", fn);
		e->func = funcbuf;
	}
	Dwfl_Line *ln = m ? dwfl_module_getsrc(m, pc) : NULL;
	int line = 0;
	const char *file =
	    ln ? dwfl_lineinfo(ln, NULL, &line, NULL, NULL, NULL) : NULL;
	if (!file && m)
		file = unit_line(m, pc, &line);
	if (file) {
		snprintf(filebuf, sizeof(filebuf), "%s", base_name(file));
		e->file = filebuf;
		e->line = line;
	}
	dwfl_end(d);
}

/*
 * One at a time: the site's buffers are shared.  A callback that ends the
 * process keeps the lock, and a second thread's exit() waits for the end.
 */
static pthread_mutex_t ending_lock = PTHREAD_MUTEX_INITIALIZER;

static void ending(const char *call, int has_status, int status, void *ret)
{
	struct clab_solution_end e = {
	    .call = call, .has_status = has_status, .status = status};
	pthread_mutex_lock(&ending_lock);
	site(&e, ret);
	end_fn(&e);
	pthread_mutex_unlock(&ending_lock);
}

/* The original function, called when the callback returns. */
#define REAL(i, type) ((type)real[i])

static _Noreturn void hook_exit(int status)
{
	ending("exit", 1, status, __builtin_return_address(0));
	REAL(H_EXIT, void (*)(int))(status);
	abort();
}

static _Noreturn void hook__exit(int status)
{
	ending("_exit", 1, status, __builtin_return_address(0));
	REAL(H__EXIT, void (*)(int))(status);
	abort();
}

static _Noreturn void hook__Exit(int status)
{
	ending("_Exit", 1, status, __builtin_return_address(0));
	REAL(H__EXIT2, void (*)(int))(status);
	abort();
}

static _Noreturn void hook_quick_exit(int status)
{
	ending("quick_exit", 1, status, __builtin_return_address(0));
	REAL(H_QUICK_EXIT, void (*)(int))(status);
	abort();
}

static _Noreturn void hook_abort(void)
{
	ending("abort", 0, 0, __builtin_return_address(0));
	REAL(H_ABORT, void (*)(void))();
	for (;;)
		raise(SIGABRT);
}

static _Noreturn void hook_pthread_exit(void *ret)
{
	ending("pthread_exit", 0, 0, __builtin_return_address(0));
	REAL(H_PEXIT, void (*)(void *))(ret);
	abort();
}

static _Noreturn void hook_thrd_exit(int res)
{
	ending("thrd_exit", 0, 0, __builtin_return_address(0));
	REAL(H_TEXIT, void (*)(int))(res);
	abort();
}

/* A call that names path (and path2): its site, then file_fn. */
static void naming(const char *call, const char *path, const char *path2,
		   void *ret)
{
	struct clab_solution_end e = {.call = call};
	pthread_mutex_lock(&ending_lock);
	site(&e, ret);
	struct clab_solution_file f = {call,   path,   path2,
				       e.func, e.file, e.line};
	file_fn(&f);
	pthread_mutex_unlock(&ending_lock);
}

/* open's mode, which only O_CREAT and O_TMPFILE pass */
#define MODE(flags, ap, last)                                                  \
	int mode = 0;                                                          \
	if ((flags) & (O_CREAT | O_TMPFILE)) {                                 \
		va_start(ap, last);                                            \
		mode = va_arg(ap, int);                                        \
		va_end(ap);                                                    \
	}

#define RA __builtin_return_address(0)

/* open and openat, and their 64-bit names, which are the same calls */
#define OPEN_HOOK(fn, H)                                                       \
	static int hook_##fn(const char *path, int flags, ...)                 \
	{                                                                      \
		va_list ap;                                                    \
		MODE(flags, ap, flags);                                        \
		naming(#fn, path, NULL, RA);                                   \
		return REAL(H, int (*)(const char *, int, ...))(path, flags,   \
								mode);         \
	}
#define OPENAT_HOOK(fn, H)                                                     \
	static int hook_##fn(int dir, const char *path, int flags, ...)        \
	{                                                                      \
		va_list ap;                                                    \
		MODE(flags, ap, flags);                                        \
		naming(#fn, path, NULL, RA);                                   \
		return REAL(H, int (*)(int, const char *, int, ...))(          \
		    dir, path, flags, mode);                                   \
	}
OPEN_HOOK(open, H_OPEN)
OPEN_HOOK(open64, H_OPEN64)
OPENAT_HOOK(openat, H_OPENAT)
OPENAT_HOOK(openat64, H_OPENAT64)

static int hook_creat(const char *path, int mode)
{
	naming("creat", path, NULL, RA);
	return REAL(H_CREAT, int (*)(const char *, int))(path, mode);
}

static FILE *hook_fopen(const char *path, const char *how)
{
	naming("fopen", path, NULL, RA);
	return REAL(H_FOPEN, FILE * (*)(const char *, const char *))(path, how);
}

static FILE *hook_fopen64(const char *path, const char *how)
{
	naming("fopen64", path, NULL, RA);
	return REAL(H_FOPEN64, FILE * (*)(const char *, const char *))(path,
								       how);
}

static FILE *hook_freopen(const char *path, const char *how, FILE *f)
{
	naming("freopen", path, NULL, RA);
	return REAL(H_FREOPEN, FILE * (*)(const char *, const char *, FILE *))(
	    path, how, f);
}

static DIR *hook_opendir(const char *path)
{
	naming("opendir", path, NULL, RA);
	return REAL(H_OPENDIR, DIR * (*)(const char *))(path);
}

/* The calls that take one path and return an int. */
#define PATH_HOOK(fn, H)                                                       \
	static int hook_##fn(const char *path)                                 \
	{                                                                      \
		naming(#fn, path, NULL, RA);                                   \
		return REAL(H, int (*)(const char *))(path);                   \
	}
PATH_HOOK(unlink, H_UNLINK)
PATH_HOOK(remove, H_REMOVE)
PATH_HOOK(rmdir, H_RMDIR)
PATH_HOOK(chdir, H_CHDIR)

/* And those that take two. */
#define PATH2_HOOK(fn, H)                                                      \
	static int hook_##fn(const char *a, const char *b)                     \
	{                                                                      \
		naming(#fn, a, b, RA);                                         \
		return REAL(H, int (*)(const char *, const char *))(a, b);     \
	}
PATH2_HOOK(rename, H_RENAME)
PATH2_HOOK(link, H_LINK)
PATH2_HOOK(symlink, H_SYMLINK)

static int hook_mkdir(const char *path, int mode)
{
	naming("mkdir", path, NULL, RA);
	return REAL(H_MKDIR, int (*)(const char *, int))(path, mode);
}

static int hook_truncate(const char *path, long len)
{
	naming("truncate", path, NULL, RA);
	return REAL(H_TRUNCATE, int (*)(const char *, long))(path, len);
}

/* The solution's clab_note(): the site note_fn gives in its site's place. */
static void hook_note(const struct clab_site *s, int64_t v, uint32_t w)
{
	REAL(H_NOTE, void (*)(const struct clab_site *, int64_t, uint32_t))
	(note_fn(s), v, w);
}

/*
 * The signals that stop a run (Ctrl-C, SIGTERM, SIGHUP) are blocked in
 * every thread of it and taken by one thread with sigwait(): sent to the
 * process, as a terminal or kill(1) sends them, they stop the run with its
 * trace saved.  One that the solution sends to a thread of its own would
 * stay pending there for ever: it goes to the process instead, and the
 * thread that sent it goes no further, as the process would have ended
 * there.  Under the controlled scheduler it keeps the turn, so the run
 * stops at the same step every time.
 */
static int stops_run(int sig)
{
	return sig == SIGINT || sig == SIGTERM || sig == SIGHUP;
}

/* Set (release) by a thread of the solution that stops the run. */
static atomic_int stopped;

int clab_solution_stopped(void)
{
	return atomic_load_explicit(&stopped, memory_order_acquire);
}

static _Noreturn void stop_run(int sig)
{
	/* what this thread (which has the turn, under control) wrote is
	 * seen by the thread that takes the signal: see cmd-run.c */
	atomic_store_explicit(&stopped, 1, memory_order_release);
	kill(getpid(), sig);
	for (;;)
		pause(); /* until the run's end ends the process */
}

static int hook_raise(int sig)
{
	if (stops_run(sig))
		stop_run(sig);
	return REAL(H_RAISE, int (*)(int))(sig);
}

static int hook_gsignal(int sig)
{
	if (stops_run(sig))
		stop_run(sig);
	return REAL(H_GSIGNAL, int (*)(int))(sig);
}

static int hook_pthread_kill(pthread_t t, int sig)
{
	if (stops_run(sig))
		stop_run(sig);
	return REAL(H_PKILL, int (*)(pthread_t, int))(t, sig);
}

static const struct {
	const char *name;
	void (*hook)(void);
} hooks[NH] = {
    [H_EXIT] = {"exit", (void (*)(void))hook_exit},
    [H__EXIT] = {"_exit", (void (*)(void))hook__exit},
    [H__EXIT2] = {"_Exit", (void (*)(void))hook__Exit},
    [H_QUICK_EXIT] = {"quick_exit", (void (*)(void))hook_quick_exit},
    [H_ABORT] = {"abort", (void (*)(void))hook_abort},
    [H_PEXIT] = {"pthread_exit", (void (*)(void))hook_pthread_exit},
    [H_TEXIT] = {"thrd_exit", (void (*)(void))hook_thrd_exit},
    [H_RAISE] = {"raise", (void (*)(void))hook_raise},
    [H_GSIGNAL] = {"gsignal", (void (*)(void))hook_gsignal},
    [H_PKILL] = {"pthread_kill", (void (*)(void))hook_pthread_kill},
    [H_OPEN] = {"open", (void (*)(void))hook_open},
    [H_OPEN64] = {"open64", (void (*)(void))hook_open64},
    [H_OPENAT] = {"openat", (void (*)(void))hook_openat},
    [H_OPENAT64] = {"openat64", (void (*)(void))hook_openat64},
    [H_CREAT] = {"creat", (void (*)(void))hook_creat},
    [H_FOPEN] = {"fopen", (void (*)(void))hook_fopen},
    [H_FOPEN64] = {"fopen64", (void (*)(void))hook_fopen64},
    [H_FREOPEN] = {"freopen", (void (*)(void))hook_freopen},
    [H_OPENDIR] = {"opendir", (void (*)(void))hook_opendir},
    [H_UNLINK] = {"unlink", (void (*)(void))hook_unlink},
    [H_REMOVE] = {"remove", (void (*)(void))hook_remove},
    [H_RENAME] = {"rename", (void (*)(void))hook_rename},
    [H_MKDIR] = {"mkdir", (void (*)(void))hook_mkdir},
    [H_RMDIR] = {"rmdir", (void (*)(void))hook_rmdir},
    [H_TRUNCATE] = {"truncate", (void (*)(void))hook_truncate},
    [H_LINK] = {"link", (void (*)(void))hook_link},
    [H_SYMLINK] = {"symlink", (void (*)(void))hook_symlink},
    [H_CHDIR] = {"chdir", (void (*)(void))hook_chdir},
    [H_NOTE] = {"clab__note", (void (*)(void))hook_note},
};

void clab_solution_on_files(clab_solution_file_fn fn)
{
	file_fn = fn;
}

void clab_solution_on_notes(clab_solution_note_fn fn)
{
	note_fn = fn;
}

static int hook_index(const char *name)
{
	for (int i = 0; i < NH; i++)
		if ((i < H_FILES ||
		     (i < H_NOTES ? file_fn != NULL : note_fn != NULL)) &&
		    strcmp(name, hooks[i].name) == 0)
			return i;
	return -1;
}

/* The PT_GNU_RELRO range of the loaded object, made read-only after. */
struct relro {
	uintptr_t start, end;
};

static int set_slot(uintptr_t *slot, uintptr_t value, const struct relro *rr)
{
	long pagesz = sysconf(_SC_PAGESIZE);
	uintptr_t page = (uintptr_t)slot & ~(uintptr_t)(pagesz - 1);
	if (mprotect((void *)page, (size_t)pagesz, PROT_READ | PROT_WRITE))
		return -errno;
	*slot = value;
	if ((uintptr_t)slot >= rr->start && (uintptr_t)slot < rr->end &&
	    mprotect((void *)page, (size_t)pagesz, PROT_READ))
		return -errno;
	return 0;
}

#ifdef R_JUMP_SLOT
/* Rewrite the slots that one SHT_RELA section relocates. */
static int patch_rela(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh, uintptr_t base,
		      const struct relro *rr)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	Elf_Scn *symscn = elf_getscn(e, sh->sh_link);
	GElf_Shdr symsh;
	Elf_Data *syms = symscn ? elf_getdata(symscn, NULL) : NULL;
	int n = 0;
	if (!d || !syms || !gelf_getshdr(symscn, &symsh) || !sh->sh_entsize)
		return -ENOEXEC;
	for (size_t i = 0; i < sh->sh_size / sh->sh_entsize; i++) {
		GElf_Rela r;
		GElf_Sym sym;
		if (!gelf_getrela(d, (int)i, &r))
			return -ENOEXEC;
		unsigned long type = GELF_R_TYPE(r.r_info);
		/* an address in a table of the object's own: ABS64, +0 */
		int abs = type == R_ABS64 && r.r_addend == 0;
		if ((type != R_JUMP_SLOT && type != R_GLOB_DAT && !abs) ||
		    GELF_R_SYM(r.r_info) == 0 ||
		    !gelf_getsym(syms, (int)GELF_R_SYM(r.r_info), &sym))
			continue;
		const char *name = elf_strptr(e, symsh.sh_link, sym.st_name);
		int h = name ? hook_index(name) : -1;
		if (h < 0)
			continue;
		uintptr_t *slot = (uintptr_t *)(base + r.r_offset);
		if (real[h] == 0)
			real[h] = *slot;
		int err = set_slot(slot, (uintptr_t)hooks[h].hook, rr);
		if (err)
			return err;
		n++;
	}
	return n;
}
#endif

int clab_solution_hook_ends(void *dl, const char *path, clab_solution_end_fn fn)
{
#ifndef R_JUMP_SLOT
	(void)dl;
	(void)path;
	(void)fn;
	return -ENOTSUP;
#else
	struct link_map *lm;
	if (dlinfo(dl, RTLD_DI_LINKMAP, &lm) != 0)
		return -EINVAL;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOEXEC;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	int total = 0, err = 0;
	size_t nph;
	struct relro rr = {0, 0};
	if (!e || elf_kind(e) != ELF_K_ELF || elf_getphdrnum(e, &nph) != 0) {
		err = -ENOEXEC;
		goto out;
	}
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_GNU_RELRO) {
			rr.start = lm->l_addr + ph.p_vaddr;
			rr.end = rr.start + ph.p_memsz;
		}
	}
	end_fn = fn;
	for (Elf_Scn *scn = NULL; !err && (scn = elf_nextscn(e, scn));) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh)) {
			err = -ENOEXEC;
			break;
		}
		if (sh.sh_type != SHT_RELA)
			continue;
		int n = patch_rela(e, scn, &sh, lm->l_addr, &rr);
		if (n < 0)
			err = n;
		else
			total += n;
	}
out:
	if (e)
		elf_end(e);
	close(fd);
	return err ? err : total;
#endif
}
