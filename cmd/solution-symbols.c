/*
 * The undefined dynamic symbols of a student's shared object, read with
 * libelf, against a table of what an exercise refuses.  A synchronisation
 * that does not go through the clab_* functions leaves no record, so the
 * checker would grade a trace that does not show it: a buffer guarded by
 * a pthread mutex passes every property.  Calling a symbol is what the
 * table sees; an atomic the compiler inlines is a few instructions, no
 * call, and only the ones that reach libatomic (__atomic_load of a large
 * structure, say) are caught here.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "solution-symbols.h"

static const char unseen[] = "which conclab cannot see";
static const char atomic[] = "an atomic operation conclab cannot see";
static const char process[] = "which starts or replaces a process";
static const char net[] = "which opens a network connection";
static const char anysys[] =
    "which can make any system call (a futex, say) unseen by conclab";
static const char lookup[] =
    "which finds functions at run time that conclab cannot inspect";

/* A name matches when equal, or, with prefix, when it starts with it. */
struct rule {
	const char *name;
	int prefix;
	const char *why;
	const char *instead;
};

/* The first rule that matches decides: exact names before prefixes. */
static const struct rule rules[] = {
    {"pthread_mutex_lock", 0, unseen, "clab_mutex_lock"},
    {"pthread_mutex_unlock", 0, unseen, "clab_mutex_unlock"},
    {"pthread_mutex_trylock", 0, unseen, "clab_mutex_trylock"},
    {"pthread_mutex_timedlock", 0, unseen, "clab_mutex_timedlock"},
    {"pthread_mutex_clocklock", 0, unseen, "clab_mutex_timedlock"},
    {"pthread_mutex_init", 0, unseen, "clab_mutex_init"},
    {"pthread_mutex_destroy", 0, unseen, "clab_mutex_destroy"},
    {"pthread_mutex_", 1, unseen, "a clab_mutex_t"},
    {"pthread_cond_wait", 0, unseen, "clab_cond_wait"},
    {"pthread_cond_timedwait", 0, unseen, "clab_cond_timedwait"},
    {"pthread_cond_clockwait", 0, unseen, "clab_cond_timedwait"},
    {"pthread_cond_signal", 0, unseen, "clab_cond_signal"},
    {"pthread_cond_broadcast", 0, unseen, "clab_cond_broadcast"},
    {"pthread_cond_init", 0, unseen, "clab_cond_init"},
    {"pthread_cond_destroy", 0, unseen, "clab_cond_destroy"},
    {"pthread_cond_", 1, unseen, "a clab_cond_t"},
    {"pthread_spin_", 1, unseen, "a clab_mutex_t"},
    {"pthread_rwlock_", 1, unseen, "a clab_mutex_t"},
    {"pthread_barrier_wait", 0, unseen, "clab_barrier_wait"},
    {"pthread_barrier_init", 0, unseen, "clab_barrier_init"},
    {"pthread_barrier_destroy", 0, unseen, "clab_barrier_destroy"},
    {"pthread_barrier_", 1, unseen, "a clab_barrier_t"},
    {"sem_wait", 0, unseen, "clab_sem_acquire"},
    {"sem_trywait", 0, unseen, "clab_sem_tryacquire"},
    {"sem_timedwait", 0, unseen, "clab_sem_acquire_timeout"},
    {"sem_clockwait", 0, unseen, "clab_sem_acquire_timeout"},
    {"sem_post", 0, unseen, "clab_sem_release"},
    {"sem_init", 0, unseen, "clab_sem_init"},
    {"sem_destroy", 0, unseen, "clab_sem_destroy"},
    {"sem_", 1, unseen, "a clab_sem_t"},
    {"semop", 0, unseen, "a clab_sem_t"},
    {"semtimedop", 0, unseen, "a clab_sem_t"},
    /* C11 <threads.h> */
    {"mtx_lock", 0, unseen, "clab_mutex_lock"},
    {"mtx_unlock", 0, unseen, "clab_mutex_unlock"},
    {"mtx_trylock", 0, unseen, "clab_mutex_trylock"},
    {"mtx_timedlock", 0, unseen, "clab_mutex_timedlock"},
    {"mtx_", 1, unseen, "a clab_mutex_t"},
    {"cnd_wait", 0, unseen, "clab_cond_wait"},
    {"cnd_timedwait", 0, unseen, "clab_cond_timedwait"},
    {"cnd_signal", 0, unseen, "clab_cond_signal"},
    {"cnd_broadcast", 0, unseen, "clab_cond_broadcast"},
    {"cnd_", 1, unseen, "a clab_cond_t"},
    {"syscall", 0, anysys, NULL},
    {"futex", 0, unseen, "clab_cond_wait"},
    {"__atomic_", 1, atomic, "a clab_mutex_t"},
    {"__sync_", 1, atomic, "a clab_mutex_t"},
    {"fork", 0, process, NULL},
    {"forkpty", 0, process, NULL},
    {"daemon", 0, process, NULL},
    {"_Fork", 0, process, NULL},
    {"vfork", 0, process, NULL},
    {"clone", 0, process, NULL},
    {"clone3", 0, process, NULL},
    {"execl", 0, process, NULL},
    {"execle", 0, process, NULL},
    {"execlp", 0, process, NULL},
    {"execv", 0, process, NULL},
    {"execve", 0, process, NULL},
    {"execvp", 0, process, NULL},
    {"execvpe", 0, process, NULL},
    {"execveat", 0, process, NULL},
    {"fexecve", 0, process, NULL},
    {"system", 0, process, NULL},
    {"popen", 0, process, NULL},
    {"posix_spawn", 1, process, NULL},
    {"socket", 0, net, NULL},
    {"connect", 0, net, NULL},
    {"bind", 0, net, NULL},
    {"dlopen", 0, lookup, NULL},
    {"dlmopen", 0, lookup, NULL},
    {"dlsym", 0, lookup, NULL},
    {"dlvsym", 0, lookup, NULL},
};

/* Libraries a solution may need: the C library's, UBSan's, libatomic. */
static const char *const known_libs[] = {
    "libc.so.",	 "libm.so.",	   "libpthread.so.", "libdl.so.",
    "librt.so.", "libubsan.so.",   "libatomic.so.",  "ld-linux",
    "ld64.so.",	 "linux-vdso.so.",
};

static const struct rule *match_rule(const char *name)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		const struct rule *r = &rules[i];
		size_t n = strlen(r->name);
		if (r->prefix ? strncmp(name, r->name, n) == 0
			      : strcmp(name, r->name) == 0)
			return r;
	}
	return NULL;
}

/*
 * The C library exports some of these under a second name too
 * (__pthread_mutex_lock, __fork, __clone, __socket): the same rule.
 */
static const struct rule *match(const char *name)
{
	const struct rule *r = match_rule(name);
	if (r == NULL && strncmp(name, "__", 2) == 0)
		r = match_rule(name + 2);
	return r;
}

static int allowed(const char *name, const char *const *allow)
{
	for (; allow && *allow; allow++)
		if (strcmp(name, *allow) == 0)
			return 1;
	return 0;
}

static int known_lib(const char *name)
{
	for (size_t i = 0; i < sizeof(known_libs) / sizeof(known_libs[0]); i++)
		if (strncmp(name, known_libs[i], strlen(known_libs[i])) == 0)
			return 1;
	return 0;
}

struct uses {
	struct clab_solution_use *u;
	size_t n, cap;
};

static int add(struct uses *us, const char *name, const char *why,
	       const char *instead)
{
	for (size_t i = 0; i < us->n; i++)
		if (strcmp(us->u[i].name, name) == 0)
			return 0; /* versioned twice, or in two tables */
	if (us->n == us->cap) {
		size_t cap = us->cap ? us->cap * 2 : 8;
		struct clab_solution_use *u = realloc(us->u, cap * sizeof(*u));
		if (!u)
			return -ENOMEM;
		us->u = u;
		us->cap = cap;
	}
	char *copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	enum clab_solution_kind kind =
	    why == unseen || why == atomic || why == anysys
		? CLAB_SOLUTION_SYNC
		: CLAB_SOLUTION_PROCESS;
	us->u[us->n++] = (struct clab_solution_use){kind, copy, why, instead};
	return 0;
}

/* The undefined symbols of a SHT_DYNSYM section, against the rules. */
static int scan_dynsym(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh,
		       const char *const *allow, struct uses *us)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	if (!d || sh->sh_entsize == 0)
		return -ENOEXEC;
	size_t n = sh->sh_size / sh->sh_entsize;
	for (size_t i = 1; i < n; i++) {
		GElf_Sym sym;
		if (!gelf_getsym(d, (int)i, &sym))
			return -ENOEXEC;
		if (sym.st_shndx != SHN_UNDEF || sym.st_name == 0)
			continue;
		const char *name = elf_strptr(e, sh->sh_link, sym.st_name);
		if (!name)
			return -ENOEXEC;
		const struct rule *r = match(name);
		if (r && !allowed(name, allow)) {
			int err = add(us, name, r->why, r->instead);
			if (err)
				return err;
		}
	}
	return 0;
}

/* The DT_NEEDED entries of a SHT_DYNAMIC section. */
static int scan_needed(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh,
		       const char *const *allow, struct uses *us)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	if (!d || sh->sh_entsize == 0)
		return -ENOEXEC;
	size_t n = sh->sh_size / sh->sh_entsize;
	for (size_t i = 0; i < n; i++) {
		GElf_Dyn dyn;
		if (!gelf_getdyn(d, (int)i, &dyn))
			return -ENOEXEC;
		if (dyn.d_tag == DT_NULL)
			break;
		if (dyn.d_tag != DT_NEEDED)
			continue;
		const char *name = elf_strptr(e, sh->sh_link, dyn.d_un.d_val);
		if (!name)
			return -ENOEXEC;
		if (!known_lib(name) && !allowed(name, allow)) {
			int err = add(us, name,
				      "a library whose calls conclab does not "
				      "inspect",
				      NULL);
			if (err)
				return err;
		}
	}
	return 0;
}

void clab_solution_uses_free(struct clab_solution_use *u, size_t n)
{
	if (!u)
		return;
	for (size_t i = 0; i < n; i++)
		free(u[i].name);
	free(u);
}

/* The uses in the ELF file e, which the caller ends. */
static int forbidden(Elf *e, const char *const *allow,
		     struct clab_solution_use **out, size_t *n)
{
	struct uses us = {0};
	int err = 0, dynsym = 0;
	GElf_Ehdr eh;
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh) ||
	    eh.e_type != ET_DYN)
		return -ENOEXEC;
	for (Elf_Scn *scn = NULL; !err && (scn = elf_nextscn(e, scn));) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh)) {
			err = -ENOEXEC;
		} else if (sh.sh_type == SHT_DYNSYM) {
			dynsym = 1;
			err = scan_dynsym(e, scn, &sh, allow, &us);
		} else if (sh.sh_type == SHT_DYNAMIC) {
			err = scan_needed(e, scn, &sh, allow, &us);
		}
	}
	/* A shared object without dynamic symbols hides what it calls. */
	if (!err && !dynsym)
		err = -ENOEXEC;
	if (err) {
		clab_solution_uses_free(us.u, us.n);
		return err;
	}
	*out = us.u;
	*n = us.n;
	return 0;
}

int clab_solution_forbidden(const char *path, const char *const *allow,
			    struct clab_solution_use **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOEXEC;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	int err = forbidden(e, allow, out, n);
	elf_end(e);
	close(fd);
	return err;
}

int clab_solution_forbidden_mem(const void *data, size_t len,
				const char *const *allow,
				struct clab_solution_use **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOEXEC;
	/* libelf may write to the image it reads (elf_memory) */
	char *copy = malloc(len ? len : 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, data, len);
	Elf *e = elf_memory(copy, len);
	int err = forbidden(e, allow, out, n);
	elf_end(e);
	free(copy);
	return err;
}
