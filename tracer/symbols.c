/*
 * Symbols for call stacks, in the writer: return addresses of the running
 * process to function, file and line, with elfutils' libdwfl.  Each unique
 * address is looked up once.  An address in inlined code gives one frame
 * per inlined call (as addr2line -i does), so a lab function the compiler
 * inlined into its caller still shows.  Without debug information a frame
 * is the symbol (or the offset) and the module's name, with line 0.
 *
 * conclab's own frames (the runtime's and the tracer's code, recognised by
 * the compilation unit's path) are left out at the top of a stack, so that
 * it starts where the program called conclab; of the preload library's
 * frames there, only the last, the function the program called.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "clab-config.h"
#include "tracer-int.h"

#define MAX_FRAMES 128 /* symbolised frames kept per stack */

struct addr {
	uintptr_t pc;	   /* 0: empty slot */
	uintptr_t module;  /* the module's start, 0 if none */
	uint32_t first, n; /* frames[first .. first+n) */
	int own;	   /* in conclab's runtime or tracer */
	int pre;	   /* in conclab's preload library */
};

struct clab__syms {
	Dwfl *dwfl;
	int tried;
	struct addr *map;
	size_t mapcap, nmap;
	struct clab__frame *frames;
	size_t nframes, framecap;
	struct clab__frame *out;
	char root[256]; /* the source root as the compiler saw it */
};

/*
 * Whether the file open at fd is the debug information of mod: the same
 * build ID when the module has one (libdwfl's own test), else the CRC that
 * the module's .gnu_debuglink gives (crc, when it named the file).
 */
static int debug_matches(Dwfl_Module *mod, int fd, int named, GElf_Word crc)
{
	const unsigned char *id;
	GElf_Addr vaddr;
	int idlen = dwfl_module_build_id(mod, &id, &vaddr);
	if (idlen > 0) {
		Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
		const void *fid;
		ssize_t flen = e ? dwelf_elf_gnu_build_id(e, &fid) : -1;
		int same = flen == idlen && memcmp(fid, id, (size_t)idlen) == 0;
		if (e)
			elf_end(e);
		return same;
	}
	enum { CHUNK = 1 << 16 };
	unsigned char *buf = named ? malloc(CHUNK) : NULL;
	if (!buf)
		return 0;
	uLong c = crc32(0, Z_NULL, 0);
	ssize_t n;
	off_t at = 0;
	while ((n = pread(fd, buf, CHUNK, at)) > 0) {
		c = crc32(c, buf, (uInt)n);
		at += n;
	}
	free(buf);
	return n == 0 && (GElf_Word)c == crc;
}

/*
 * Try PREFIX DIR SUB/NAME as mod's debug information: its descriptor, with
 * its path in *found (malloc'd, as libdwfl frees it), or -1.
 */
static int try_debug(Dwfl_Module *mod, const char *prefix, const char *dir,
		     const char *sub, const char *name, int named,
		     GElf_Word crc, char **found)
{
	char *path = NULL;
	if (asprintf(&path, "%s%s%s/%s", prefix, dir, sub, name) < 0)
		return -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !debug_matches(mod, fd, named, crc)) {
		if (fd >= 0)
			close(fd);
		free(path);
		return -1;
	}
	*found = path;
	return clab__fd_high(fd); /* libdwfl keeps it until dwfl_end */
}

/*
 * find_debuginfo for libdwfl: the module's separate debug information,
 * looked for on this machine only.  First by build ID under
 * /usr/lib/debug/.build-id (libdwfl's search, where Debian's -dbgsym
 * packages put it, with the dwz files they share), then by the name that
 * the file's .gnu_debuglink gives (or the file's own name and .debug),
 * beside the file, in its .debug folder and under /usr/lib/debug, as GDB
 * and libdwfl look.  dwfl_standard_find_debuginfo does the same, then asks
 * the debuginfod servers in DEBUGINFOD_URLS (which Ubuntu and Debian's
 * libdebuginfod-common set in login shells): from inside the traced
 * program, in its thread, for every module without debug information,
 * a download or a wait of up to a minute and a half for an answer, and
 * thirty libraries loaded into its process.  A site without debug
 * information is named by its symbol instead.
 */
static int find_debuginfo_local(Dwfl_Module *mod, void **userdata,
				const char *modname, GElf_Addr base,
				const char *file_name, const char *debuglink,
				GElf_Word crc, char **found)
{
	int fd = dwfl_build_id_find_debuginfo(mod, userdata, modname, base,
					      file_name, debuglink, crc, found);
	int named = debuglink != NULL;
	/* a dwz file's path (its build ID was looked for above) */
	if (fd >= 0 || !file_name || file_name[0] != '/' ||
	    (named && strchr(debuglink, '/')))
		return clab__fd_high(fd);
	/* on the heap: this runs on the program's thread, whose stack may be
	 * small */
	char *dir = strdup(file_name), *name = NULL;
	char *slash = dir ? strrchr(dir, '/') : NULL;
	if (!slash || asprintf(&name, "%s%s", named ? debuglink : slash + 1,
			       named ? "" : ".debug") < 0) {
		free(dir);
		return -1;
	}
	/* beside the file (unless the link names the file itself), in its
	 * .debug folder, under /usr/lib/debug */
	static const struct {
		const char *prefix, *sub;
	} place[] = {{"", ""}, {"", "/.debug"}, {"/usr/lib/debug", ""}};
	size_t i = strcmp(name, slash + 1) == 0;
	*slash = '\0';
	for (fd = -1; fd < 0 && i < sizeof(place) / sizeof(place[0]); i++)
		fd = try_debug(mod, place[i].prefix, dir, place[i].sub, name,
			       named, crc, found);
	free(name);
	free(dir);
	return fd;
}

/*
 * find_elf for libdwfl: the module's file as libdwfl finds it for a live
 * process, mapped, and its descriptor closed.  libdwfl would keep it open
 * until dwfl_end: a descriptor of the program's numbering (its first open
 * gave 4, not 3), which a program that closes descriptors it did not open
 * (a daemon) would close and reuse, and dwfl_end then close under it.
 */
static int find_elf_mapped(Dwfl_Module *mod, void **userdata,
			   const char *modname, Dwarf_Addr base,
			   char **file_name, Elf **elfp)
{
	int fd = dwfl_linux_proc_find_elf(mod, userdata, modname, base,
					  file_name, elfp);
	if (fd < 0 || *elfp)
		return fd;
	Elf *e = elf_begin(fd, ELF_C_READ_MMAP_PRIVATE, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF || elf_cntl(e, ELF_C_FDDONE) != 0) {
		if (e)
			elf_end(e);
		return clab__fd_high(fd);
	}
	close(fd);
	*elfp = e;
	return -1;
}

static const Dwfl_Callbacks callbacks = {
    .find_elf = find_elf_mapped,
    .find_debuginfo = find_debuginfo_local,
};

struct clab__syms *clab__syms_new(void)
{
	struct clab__syms *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	/*
	 * The debug information names units by the path the compiler was
	 * given (__FILE__ has the way to the source tree mapped away).
	 */
	if (strlen(CLAB_SOURCE_PREFIX) < sizeof(s->root))
		strcpy(s->root, CLAB_SOURCE_PREFIX);
	else
		s->root[0] = '\1'; /* unknown: match no unit by path */
	return s;
}

void clab__syms_free(struct clab__syms *s)
{
	if (!s)
		return;
	if (s->dwfl)
		dwfl_end(s->dwfl);
	for (size_t i = 0; i < s->nframes; i++) {
		free(s->frames[i].func);
		free(s->frames[i].file);
	}
	free(s->frames);
	free(s->map);
	free(s->out);
	free(s);
}

static Dwfl *dwfl_get(struct clab__syms *s)
{
	if (s->dwfl || s->tried)
		return s->dwfl;
	s->tried = 1;
	Dwfl *d = dwfl_begin(&callbacks);
	if (!d)
		return NULL;
	dwfl_report_begin(d);
	int rc = dwfl_linux_proc_report(d, getpid());
	if (dwfl_report_end(d, NULL, NULL) != 0 || rc != 0) {
		dwfl_end(d);
		return NULL;
	}
	s->dwfl = d;
	return d;
}

const char *clab__syms_object(struct clab__syms *s, uintptr_t addr,
			      uint64_t *off, uint64_t *size)
{
	Dwfl *d = dwfl_get(s);
	Dwfl_Module *m = d ? dwfl_addrmodule(d, (Dwarf_Addr)addr) : NULL;
	GElf_Off o = 0;
	GElf_Sym sym;
	const char *name = m ? dwfl_module_addrinfo(m, (Dwarf_Addr)addr, &o,
						    &sym, NULL, NULL, NULL)
			     : NULL;
	/* a data symbol that holds the object, not the nearest one */
	if (!name || GELF_ST_TYPE(sym.st_info) != STT_OBJECT ||
	    o >= sym.st_size)
		return NULL;
	*off = o;
	*size = sym.st_size;
	return name;
}

static int add_frame(struct clab__syms *s, const char *func, const char *file,
		     int line)
{
	if (s->nframes == s->framecap) {
		size_t cap = s->framecap ? s->framecap * 2 : 256;
		struct clab__frame *f = realloc(s->frames, cap * sizeof(*f));
		if (!f)
			return -1;
		s->frames = f;
		s->framecap = cap;
	}
	struct clab__frame *f = &s->frames[s->nframes];
	/* conclab's sources by their path in its tree, as sites are */
	size_t rl = strlen(s->root);
	if (file && strncmp(file, s->root, rl) == 0 && file[rl])
		file += rl;
	f->func = strdup(func && *func ? func : "?");
	f->file = strdup(file && *file ? file : "?");
	f->line = line > 0 ? (uint32_t)line : 0;
	if (!f->func || !f->file) {
		free(f->func);
		free(f->file);
		return -1;
	}
	s->nframes++;
	return 0;
}

/* A path from the debug information, relative to the unit's directory. */
static const char *rel_path(const char *path, const char *compdir)
{
	size_t n = compdir ? strlen(compdir) : 0;
	if (path && n && strncmp(path, compdir, n) == 0 && path[n] == '/')
		return path + n + 1;
	return path;
}

static const char *base_name(const char *p)
{
	const char *b = p ? strrchr(p, '/') : NULL;
	return b ? b + 1 : p;
}

/* Whether a compilation unit is conclab's, under folder dir/. */
static int unit_in(const struct clab__syms *s, const char *cuname,
		   const char *dir)
{
	size_t rl = strlen(s->root);
	return cuname && strncmp(cuname, s->root, rl) == 0 &&
	       strncmp(cuname + rl, dir, strlen(dir)) == 0;
}

static int is_function(Dwarf_Die *d)
{
	int tag = dwarf_tag(d);
	return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine;
}

/* Frames for the code at addr (a call's address: return address - 1). */
static void lookup(struct clab__syms *s, struct addr *a, Dwarf_Addr addr)
{
	Dwfl *d = dwfl_get(s);
	Dwfl_Module *m = d ? dwfl_addrmodule(d, addr) : NULL;
	char buf[64];
	a->first = (uint32_t)s->nframes;
	if (!m) {
		snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)addr);
		add_frame(s, buf, "?", 0);
		a->n = (uint32_t)(s->nframes - a->first);
		return;
	}
	Dwarf_Addr start = 0, bias = 0;
	const char *mname =
	    dwfl_module_info(m, NULL, &start, NULL, NULL, NULL, NULL, NULL);
	a->module = (uintptr_t)start;
	Dwarf_Die *cu = dwfl_module_addrdie(m, addr, &bias);
	Dwarf_Die *scopes = NULL;
	int ns = cu ? dwarf_getscopes(cu, addr - bias, &scopes) : 0;
	if (cu && ns > 0) {
		Dwarf_Attribute at;
		const char *compdir =
		    dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &at));
		const char *cuname = dwarf_diename(cu);
		a->own = unit_in(s, cuname, "runtime/") ||
			 unit_in(s, cuname, "tracer/");
		a->pre = unit_in(s, cuname, "preload/");
		int line = 0;
		const char *file = NULL;
		Dwfl_Line *ln = dwfl_module_getsrc(m, addr);
		if (ln)
			file = dwfl_lineinfo(ln, NULL, &line, NULL, NULL, NULL);
		Dwarf_Files *files = NULL;
		size_t nfiles = 0;
		Dwarf_Die fn;
		int i = 0;
		while (i < ns && !is_function(&scopes[i]))
			i++;
		if (i < ns)
			fn = scopes[i];
		/*
		 * dwarf_getscopes continues from an inlined call with the
		 * scopes of the inlined function's definition; the caller is
		 * the function around the inlined call instead.
		 */
		for (int depth = 0; i < ns && depth < 64; depth++) {
			add_frame(s, dwarf_diename(&fn),
				  rel_path(file, compdir), line);
			if (dwarf_tag(&fn) != DW_TAG_inlined_subroutine)
				break;
			Dwarf_Word cf = 0, cl = 0;
			dwarf_formudata(dwarf_attr(&fn, DW_AT_call_file, &at),
					&cf);
			dwarf_formudata(dwarf_attr(&fn, DW_AT_call_line, &at),
					&cl);
			if (!files && dwarf_getsrcfiles(cu, &files, &nfiles))
				files = NULL;
			file = files && cf < nfiles
				   ? dwarf_filesrc(files, cf, NULL, NULL)
				   : NULL;
			line = (int)cl;
			Dwarf_Die *outer = NULL;
			int no = dwarf_getscopes_die(&fn, &outer);
			int j = 1;
			while (j < no && !is_function(&outer[j]))
				j++;
			if (j < no)
				fn = outer[j];
			free(outer);
			if (j >= no)
				break;
		}
	}
	free(scopes);
	if (s->nframes == a->first) {
		/* no debug information: the symbol, or the offset */
		const char *sym = dwfl_module_addrname(m, addr);
		if (!sym) {
			snprintf(buf, sizeof(buf), "+0x%llx",
				 (unsigned long long)(addr - start));
			sym = buf;
		}
		a->own = strncmp(sym, "clab_", 5) == 0;
		add_frame(s, sym, base_name(mname), 0);
	}
	a->n = (uint32_t)(s->nframes - a->first);
}

static size_t slot_of(uintptr_t pc, size_t cap)
{
	return (size_t)((pc * 0x9e3779b97f4a7c15ull) >> 20) & (cap - 1);
}

/* Room for more addresses, so that pointers into the map stay valid. */
static int reserve(struct clab__syms *s, size_t more)
{
	if ((s->nmap + more) * 2 < s->mapcap)
		return 0;
	size_t cap = s->mapcap ? s->mapcap : 1024;
	while ((s->nmap + more) * 2 >= cap)
		cap *= 2;
	struct addr *m = calloc(cap, sizeof(*m));
	if (!m)
		return -1;
	for (size_t i = 0; i < s->mapcap; i++) {
		if (!s->map[i].pc)
			continue;
		size_t j = slot_of(s->map[i].pc, cap);
		while (m[j].pc)
			j = (j + 1) & (cap - 1);
		m[j] = s->map[i];
	}
	free(s->map);
	s->map = m;
	s->mapcap = cap;
	return 0;
}

static struct addr *find(struct clab__syms *s, uintptr_t pc)
{
	size_t j = slot_of(pc, s->mapcap);
	for (; s->map[j].pc; j = (j + 1) & (s->mapcap - 1))
		if (s->map[j].pc == pc)
			return &s->map[j];
	struct addr *a = &s->map[j];
	a->pc = pc;
	s->nmap++;
	lookup(s, a, (Dwarf_Addr)(pc - 1));
	return a;
}

size_t clab__syms_stack(struct clab__syms *s, const uintptr_t *pc, uint32_t n,
			const struct clab__frame **out)
{
	struct addr *a[CLAB__STACK_FRAMES];
	uint32_t k = 0;
	if (n > CLAB__STACK_FRAMES)
		n = CLAB__STACK_FRAMES;
	if (reserve(s, n) < 0)
		return 0;
	for (uint32_t i = 0; i < n; i++)
		if (pc[i])
			a[k++] = find(s, pc[i]);
	/*
	 * Leave out conclab's own frames at the top, unless no code of the
	 * program (the module conclab is linked into) would be left: a stack
	 * of conclab's own threads, say the watchdog's, is kept whole.
	 */
	uint32_t from = 0, user = 0;
	while (from < k && a[from]->own)
		from++;
	for (uint32_t i = from; i < k && from > 0; i++)
		user |= !a[i]->own && a[i]->module == a[0]->module;
	if (!user)
		from = 0;
	if (!s->out) {
		s->out = malloc(MAX_FRAMES * sizeof(*s->out));
		if (!s->out)
			return 0;
	}
	/*
	 * Of the preload library's frames then at the top (the function the
	 * program called, the helpers it went on to and those inlined into
	 * it), the last: the function the program called, pthread_mutex_lock
	 * or mtx_lock.
	 */
	size_t nf = 0, pre = 0;
	for (uint32_t i = from; i < k; i++)
		for (uint32_t j = 0; j < a[i]->n && nf < MAX_FRAMES; j++) {
			if (from > 0 && nf == pre && a[i]->pre)
				pre++;
			s->out[nf++] = s->frames[a[i]->first + j];
		}
	if (pre > 1) {
		nf -= pre - 1;
		memmove(s->out, s->out + pre - 1, nf * sizeof(*s->out));
	}
	/* a stack kept whole starts at the call that took it */
	size_t skip = 0;
	while (from == 0 && skip + 1 < nf &&
	       strcmp(s->out[skip].func, "clab__stack_here") == 0)
		skip++;
	if (skip) {
		nf -= skip;
		memmove(s->out, s->out + skip, nf * sizeof(*s->out));
	}
	*out = s->out;
	return nf;
}
