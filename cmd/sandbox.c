/*
 * The sandbox of a child that runs a student's code: `conclab exercise`
 * applies it in every child that loads the solution (the screening runs
 * and the graded one).  Each mechanism is applied where the kernel has
 * it, and its absence is said on stderr:
 *
 *  - an empty directory of the child's own as its working directory,
 *    HOME and TMPDIR, and an environment of a few variables;
 *  - resource limits: CPU time, address space (not under ASan or TSan,
 *    which reserve terabytes), file size, open files, no core file;
 *  - a process group of its own and the grader as the reaper of its
 *    orphans (PR_SET_CHILD_SUBREAPER), so that the grader kills every
 *    process the child started, even one that left the group;
 *  - user, mount and network namespaces: no network at all;
 *  - Landlock: reading only the system's libraries, the program and the
 *    solution, /proc/self and a few devices; writing only its directory;
 *    no TCP; no signal out of the sandbox (ABI 6);
 *  - a seccomp filter (libseccomp) that refuses execve, fork and the
 *    clone of a process (threads are let through; processes too where
 *    the options say so: the processes exercise), sockets, ptrace,
 *    signals to other processes, leaving the process group, typing
 *    into the terminal (TIOCSTI), and what would undo the rest (mount,
 *    unshare, setns, io_uring, bpf...).
 *
 * The filter traps (SIGSYS) rather than kills: a handler counts the call
 * in a page shared with the grader, which reports it, and the call fails
 * with EPERM.  The trace is written in the child's directory and copied
 * out by the grader once the child and all its processes are gone
 * (clab_sandbox_collect): the path the grader writes is never one the
 * child can reach.  The number of threads is not limited (RLIMIT_NPROC
 * counts every process of the user, and is not enforced for root):
 * address space and time bound them.  docs/grading.md says more.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <link.h>
#include <linux/landlock.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "sandbox.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

/* Landlock's rights after Debian 12's headers (ABI 2). */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
#define LL_NET_BIND_TCP (1ULL << 0)
#define LL_NET_CONNECT_TCP (1ULL << 1)
#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define LL_SCOPE_SIGNAL (1ULL << 1)

/* struct landlock_ruleset_attr as ABI 6 has it; its size says which. */
struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

#define MIB (1024L * 1024L)
#define SANDBOX_AS (16L * 1024L * MIB) /* address space: 16 GiB */
#define SANDBOX_FSIZE (2048L * MIB)    /* a file: 2 GiB */
#define SANDBOX_NOFILE 512L
#define SANDBOX_CPU_MARGIN 10L /* seconds over the limit */

/* err 0: skipped as CONCLAB_SANDBOX_SKIP asks. */
static void warn(const char *what, const char *consequence, int err)
{
	fprintf(stderr, "conclab: sandbox: %s (%s): %s\n", what,
		err ? strerror(err) : "CONCLAB_SANDBOX_SKIP", consequence);
}

struct clab_sandbox_shared *clab_sandbox_shared_new(void)
{
	void *p =
	    mmap(NULL, sizeof(struct clab_sandbox_shared),
		 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void clab_sandbox_shared_free(struct clab_sandbox_shared *s)
{
	if (s)
		munmap(s, sizeof(*s));
}

int clab_sandbox_dir_new(const char *parent, char *buf, size_t len)
{
	if (parent == NULL)
		parent = getenv("TMPDIR");
	if (parent == NULL || parent[0] != '/')
		parent = "/tmp";
	int n = snprintf(buf, len, "%s/conclab-box.XXXXXX", parent);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	if (mkdtemp(buf) == NULL)
		return -errno;
	return 0;
}

int clab_sandbox_reaper(void)
{
	return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0 ? 0 : -errno;
}

/* ---- environment, directory, process group, limits ---- */

static int env_kept(const char *kv)
{
	static const char *const keep[] = {
	    "ASAN_OPTIONS=", "UBSAN_OPTIONS=", "TSAN_OPTIONS=",
	    "LSAN_OPTIONS=", "LANG=",	       "LC_",
	    "TZ=",	     "TERM=",	       "NO_COLOR=",
	};
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (strncmp(kv, keep[i], strlen(keep[i])) == 0)
			return 1;
	return 0;
}

extern char **environ;

/* Only the variables the run reads; HOME and TMPDIR are dir. */
static void set_environment(const char *dir)
{
	char **kept = NULL;
	size_t n = 0;
	for (char **e = environ; e && *e; e++)
		n++;
	kept = calloc(n + 3, sizeof(*kept));
	if (kept == NULL)
		return;
	n = 0;
	for (char **e = environ; e && *e; e++)
		if (env_kept(*e))
			kept[n++] = *e;
	if (asprintf(&kept[n], "HOME=%s", dir) > 0)
		n++;
	if (asprintf(&kept[n], "TMPDIR=%s", dir) > 0)
		n++;
	kept[n] = NULL;
	environ = kept; /* the strings stay where they were */
}

static int lower_limit(int res, rlim_t v)
{
	struct rlimit rl;
	if (getrlimit(res, &rl) != 0)
		return -1;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < v)
		v = rl.rlim_max;
	rl.rlim_cur = v;
	rl.rlim_max = v;
	return setrlimit(res, &rl);
}

static int set_limits(long cpu_s)
{
	int bad = 0;
	if (cpu_s > 0) {
		/*
		 * CPU time adds up over threads: the limit's seconds on
		 * each processor, and a margin.  SIGXCPU at the soft limit,
		 * SIGKILL at the hard one.
		 */
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		struct rlimit rl;
		if (ncpu < 1)
			ncpu = 1;
		rl.rlim_cur = (rlim_t)(cpu_s * ncpu + SANDBOX_CPU_MARGIN);
		rl.rlim_max = rl.rlim_cur + 5;
		bad |= setrlimit(RLIMIT_CPU, &rl) != 0;
	}
	if (!SANITIZED)
		bad |= lower_limit(RLIMIT_AS, (rlim_t)SANDBOX_AS) != 0;
	bad |= lower_limit(RLIMIT_FSIZE, (rlim_t)SANDBOX_FSIZE) != 0;
	bad |= lower_limit(RLIMIT_NOFILE, (rlim_t)SANDBOX_NOFILE) != 0;
	bad |= lower_limit(RLIMIT_CORE, 0) != 0;
	return bad ? -1 : 0;
}

/* ---- namespaces ---- */

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	int err = errno;
	close(fd);
	errno = err;
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/*
 * A user namespace where the user keeps its ids (files keep their
 * owners), and mount and network namespaces in it: no network but a
 * loopback that is down.  Root can do without the user namespace.
 */
static int enter_namespaces(void)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	char map[64];
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET) == 0) {
		snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)uid,
			 (unsigned)uid);
		if (write_file("/proc/self/uid_map", map) != 0)
			return -1;
		if (write_file("/proc/self/setgroups", "deny") != 0 &&
		    errno != ENOENT)
			return -1;
		snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)gid,
			 (unsigned)gid);
		return write_file("/proc/self/gid_map", map);
	}
	int err = errno;
	if (unshare(CLONE_NEWNS | CLONE_NEWNET) == 0)
		return 0;
	errno = err;
	return -1;
}

/* ---- Landlock ---- */

static long ll_create(const struct ll_ruleset_attr *a, size_t size,
		      unsigned flags)
{
	return syscall(__NR_landlock_create_ruleset, a, size, flags);
}

/* Allow access beneath path (a directory, or a file: file rights only). */
static void ll_allow(int ruleset, const char *path, uint64_t access)
{
	int fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return; /* not on this system: nothing to allow */
	struct stat st;
	if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
		access &=
		    LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
		    LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE |
		    LANDLOCK_ACCESS_FS_IOCTL_DEV;
	struct landlock_path_beneath_attr pb = {
	    .allowed_access = access,
	    .parent_fd = fd,
	};
	syscall(__NR_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH,
		&pb, 0);
	close(fd);
}

struct objects {
	int ruleset;
	uint64_t access;
};

/* Every object loaded (the program, its libraries) may be read. */
static int allow_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct objects *o = arg;
	if (info->dlpi_name && info->dlpi_name[0] == '/')
		ll_allow(o->ruleset, info->dlpi_name, o->access);
	return 0;
}

static int enter_landlock(const struct clab_sandbox_opts *o)
{
	long abi = ll_create(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1)
		return -1;
	struct ll_ruleset_attr a = {0};
	size_t size = sizeof(a.handled_access_fs);
	a.handled_access_fs = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;
	if (abi >= 2)
		a.handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		a.handled_access_fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		a.handled_access_fs |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	if (abi >= 4) {
		a.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
		size = 2 * sizeof(uint64_t);
	}
	if (abi >= 6) {
		a.scoped = LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL;
		size = sizeof(a);
	}
	int rs = (int)ll_create(&a, size, 0);
	if (rs < 0)
		return -1;
	const uint64_t rd =
	    LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
	static const char *const system[] = {
	    "/usr/lib",
	    "/usr/lib64",
	    "/usr/lib32",
	    "/lib",
	    "/lib64",
	    "/usr/local/lib",
	    "/etc/ld.so.cache",
	    "/etc/localtime",
	    "/usr/share/zoneinfo",
	    "/usr/share/locale",
	    "/dev/zero",
	    "/dev/urandom",
	    "/dev/random",
	    "/sys/devices/system/cpu",
	    "/proc/self", /* this process's directory, not the others' */
	};
	for (size_t i = 0; i < sizeof(system) / sizeof(system[0]); i++)
		ll_allow(rs, system[i], rd);
	ll_allow(rs, "/dev/null",
		 rd | LANDLOCK_ACCESS_FS_WRITE_FILE |
		     (abi >= 3 ? LANDLOCK_ACCESS_FS_TRUNCATE : 0));
	ll_allow(rs, "/proc/self/exe", LANDLOCK_ACCESS_FS_READ_FILE);
	struct objects obj = {rs, LANDLOCK_ACCESS_FS_READ_FILE};
	dl_iterate_phdr(allow_object, &obj);
	for (size_t i = 0; i < o->nread; i++)
		ll_allow(rs, o->read[i], LANDLOCK_ACCESS_FS_READ_FILE);
	ll_allow(rs, o->dir, a.handled_access_fs);
	int rc = (int)syscall(__NR_landlock_restrict_self, rs, 0);
	int err = errno;
	close(rs);
	errno = err;
	return rc;
}

/* ---- seccomp ---- */

/* For the seccomp handler (a signal handler): the sandboxed child's page. */
static struct clab_sandbox_shared *shared;

static enum clab_sandbox_denial kind_of(long nr)
{
	switch (nr) {
	case __NR_execve:
	case __NR_execveat:
		return CLAB_SANDBOX_DENY_EXEC;
#ifdef __NR_fork
	case __NR_fork:
#endif
#ifdef __NR_vfork
	case __NR_vfork:
#endif
	case __NR_clone:
		return CLAB_SANDBOX_DENY_PROCESS;
	case __NR_socket:
		return CLAB_SANDBOX_DENY_SOCKET;
	case __NR_ptrace:
	case __NR_process_vm_readv:
	case __NR_process_vm_writev:
	case __NR_pidfd_open:
	case __NR_pidfd_getfd:
		return CLAB_SANDBOX_DENY_PTRACE;
	case __NR_kill:
	case __NR_tkill:
	case __NR_tgkill:
	case __NR_rt_sigqueueinfo:
	case __NR_rt_tgsigqueueinfo:
	case __NR_pidfd_send_signal:
		return CLAB_SANDBOX_DENY_SIGNAL;
	case __NR_setsid:
	case __NR_setpgid:
		return CLAB_SANDBOX_DENY_SESSION;
	default:
		return CLAB_SANDBOX_DENY_OTHER;
	}
}

#if defined(__x86_64__) || defined(__aarch64__)
#define CAN_TRAP 1
/* A refused call: count it for the grader, and fail it with EPERM. */
static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	int saved = errno;
	enum clab_sandbox_denial k = kind_of(si->si_syscall);
	if (shared) {
		__atomic_fetch_add(&shared->denied[k], 1, __ATOMIC_RELAXED);
		if (k == CLAB_SANDBOX_DENY_OTHER)
			__atomic_store_n(&shared->other_nr,
					 (long)si->si_syscall,
					 __ATOMIC_RELAXED);
	}
#if defined(__x86_64__)
	uc->uc_mcontext.gregs[REG_RAX] = -EPERM;
#else
	uc->uc_mcontext.regs[0] = (unsigned long long)-EPERM;
#endif
	errno = saved;
}
#else
#define CAN_TRAP 0
#endif

static int deny(scmp_filter_ctx f, uint32_t act, int nr, unsigned n,
		const struct scmp_arg_cmp *cmp)
{
	if (nr < 0)
		return 0; /* not a system call of this architecture */
	return seccomp_rule_add_array(f, act, nr, n, cmp);
}

static int enter_seccomp(int processes)
{
	static const int hostile[] = {
	    SCMP_SYS(execve),
	    SCMP_SYS(execveat),
	    SCMP_SYS(fork),
	    SCMP_SYS(vfork),
	    SCMP_SYS(socket),
	    SCMP_SYS(ptrace),
	    SCMP_SYS(process_vm_readv),
	    SCMP_SYS(process_vm_writev),
	    SCMP_SYS(pidfd_open),
	    SCMP_SYS(pidfd_getfd),
	    SCMP_SYS(pidfd_send_signal),
	    SCMP_SYS(tkill),
	    SCMP_SYS(setsid),
	    SCMP_SYS(setpgid),
	    /* what would undo the sandbox, or reach out of it */
	    SCMP_SYS(mount),
	    SCMP_SYS(umount2),
	    SCMP_SYS(pivot_root),
	    SCMP_SYS(chroot),
	    SCMP_SYS(setns),
	    SCMP_SYS(unshare),
	    SCMP_SYS(open_tree),
	    SCMP_SYS(move_mount),
	    SCMP_SYS(fsopen),
	    SCMP_SYS(fsconfig),
	    SCMP_SYS(fsmount),
	    SCMP_SYS(fspick),
	    SCMP_SYS(mount_setattr),
	    SCMP_SYS(io_uring_setup),
	    SCMP_SYS(io_uring_enter),
	    SCMP_SYS(io_uring_register),
	    SCMP_SYS(bpf),
	    SCMP_SYS(perf_event_open),
	    SCMP_SYS(userfaultfd),
	    SCMP_SYS(keyctl),
	    SCMP_SYS(add_key),
	    SCMP_SYS(request_key),
	    SCMP_SYS(open_by_handle_at),
	    SCMP_SYS(name_to_handle_at),
	    SCMP_SYS(kcmp),
	    SCMP_SYS(mknod),
	    SCMP_SYS(mknodat),
	    SCMP_SYS(init_module),
	    SCMP_SYS(finit_module),
	    SCMP_SYS(delete_module),
	    SCMP_SYS(kexec_load),
	    SCMP_SYS(kexec_file_load),
	    SCMP_SYS(reboot),
	    SCMP_SYS(swapon),
	    SCMP_SYS(swapoff),
	    SCMP_SYS(acct),
	    SCMP_SYS(settimeofday),
	    SCMP_SYS(clock_settime),
	    SCMP_SYS(clock_adjtime),
	    SCMP_SYS(adjtimex),
	    SCMP_SYS(sethostname),
	    SCMP_SYS(setdomainname),
	    SCMP_SYS(quotactl),
	    SCMP_SYS(syslog),
	    SCMP_SYS(vhangup),
	    SCMP_SYS(fanotify_init),
	    SCMP_SYS(iopl),
	    SCMP_SYS(ioperm),
	};
	uint32_t act = CAN_TRAP ? SCMP_ACT_TRAP : SCMP_ACT_ERRNO(EPERM);
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_ALLOW);
	if (f == NULL) {
		errno = ENOMEM;
		return -1;
	}
	int rc = 0;
#if CAN_TRAP
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	rc |= sigaction(SIGSYS, &sa, NULL);
#endif
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++)
		if (!processes || (hostile[i] != SCMP_SYS(fork) &&
				   hostile[i] != SCMP_SYS(vfork)))
			rc |= deny(f, act, hostile[i], 0, NULL);
	/*
	 * A thread is a clone with CLONE_THREAD, a process one without
	 * (let through where the exercise's harness starts processes).
	 * clone3's flags are behind a pointer, which a filter cannot read:
	 * ENOSYS, and glibc (pthread_create, fork) falls back to clone.
	 */
	struct scmp_arg_cmp process =
	    SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0);
	if (!processes)
		rc |= deny(f, act, SCMP_SYS(clone), 1, &process);
	rc |= deny(f, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0, NULL);
	/*
	 * The terminal conclab writes to is the child's stdout too: no
	 * typing into it (TIOCSTI) for the shell to run after the grade.
	 */
	struct scmp_arg_cmp sti = SCMP_A1(SCMP_CMP_EQ, TIOCSTI);
	struct scmp_arg_cmp linux_ = SCMP_A1(SCMP_CMP_EQ, TIOCLINUX);
	rc |= deny(f, act, SCMP_SYS(ioctl), 1, &sti);
	rc |= deny(f, act, SCMP_SYS(ioctl), 1, &linux_);
	/* signals: only to this process (its threads, itself) */
	struct scmp_arg_cmp other = SCMP_A0(SCMP_CMP_NE, (uint64_t)getpid());
	rc |= deny(f, act, SCMP_SYS(kill), 1, &other);
	rc |= deny(f, act, SCMP_SYS(tgkill), 1, &other);
	rc |= deny(f, act, SCMP_SYS(rt_sigqueueinfo), 1, &other);
	rc |= deny(f, act, SCMP_SYS(rt_tgsigqueueinfo), 1, &other);
	if (rc == 0)
		rc = seccomp_load(f); /* sets no_new_privs first */
	seccomp_release(f);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return rc;
}

/* ---- the whole ---- */

/*
 * CONCLAB_SANDBOX_SKIP=NAME,...: mechanisms not to apply, as if the
 * kernel lacked them (the tests of what is left without them).
 */
static int skipped(const char *skip, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = skip; p && *p; p += strcspn(p, ",")) {
		p += *p == ',';
		if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == 0))
			return 1;
	}
	return 0;
}

unsigned clab_sandbox_enter(const struct clab_sandbox_opts *o)
{
	unsigned got = 0;
	const char *skip = getenv("CONCLAB_SANDBOX_SKIP");
	shared = o->shared;
	set_environment(o->dir);
	if (chdir(o->dir) == 0)
		got |= CLAB_SANDBOX_DIR;
	else
		warn("cannot enter its own directory",
		     "it runs where conclab "
		     "was started",
		     errno);
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, 0);
		close(null);
	}
	/* the grader's death ends it too */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (setpgid(0, 0) == 0)
		got |= CLAB_SANDBOX_PGROUP;
	else
		warn("no process group of its own",
		     "what it starts is killed only as an orphan", errno);
	if (set_limits(o->cpu_s) == 0)
		got |= CLAB_SANDBOX_RLIMITS;
	else
		warn("some resource limits could not be set",
		     "it may use more than it should", errno);
	errno = 0; /* what a skipped mechanism says */
	if (!skipped(skip, "namespaces") && enter_namespaces() == 0)
		got |= CLAB_SANDBOX_NAMESPACES;
	else
		warn("no user, mount and network namespaces",
		     "only seccomp keeps it off the network", errno);
	errno = 0;
	if (!skipped(skip, "landlock") &&
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
	    enter_landlock(o) == 0)
		got |= CLAB_SANDBOX_LANDLOCK;
	else
		warn("no Landlock",
		     "it can read and write every file conclab can", errno);
	errno = 0;
	if (!skipped(skip, "seccomp") && enter_seccomp(o->processes) == 0)
		got |= CLAB_SANDBOX_SECCOMP;
	else
		warn("no seccomp filter",
		     "it can start processes and open sockets", errno);
	if (shared)
		shared->applied = got;
	return got;
}

void clab_sandbox_describe(unsigned mask, char *buf, size_t len)
{
	static const char *const names[] = {
#define CLAB_SANDBOX_NAME(name, bit, text) [bit] = text,
	    CLAB_SANDBOX_MECHS(CLAB_SANDBOX_NAME)
#undef CLAB_SANDBOX_NAME
	};
	size_t n = 0;
	if (len)
		buf[0] = 0;
	for (unsigned b = 0; b < sizeof(names) / sizeof(names[0]); b++)
		if (mask & (1u << b) && n < len)
			n += (size_t)snprintf(buf + n, len - n, "%s%s",
					      n ? ", " : "", names[b]);
	if (n == 0 && len)
		snprintf(buf, len, "none");
}

/* ---- after the child ---- */

/* pid's parent, process group and state, from /proc/PID/stat. */
static int proc_stat(pid_t pid, pid_t *ppid, pid_t *pgrp, char *state)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	char *p = strrchr(buf, ')'); /* the name may hold anything */
	int pp, pg;
	if (p == NULL || sscanf(p + 1, " %c %d %d", state, &pp, &pg) != 3)
		return -1;
	*ppid = pp;
	*pgrp = pg;
	return 0;
}

long clab_sandbox_kill(pid_t pgid, int all)
{
	long killed = 0;
	pid_t self = getpid();
	if (pgid > 0 && kill(-pgid, SIGKILL) == 0 && !all) {
		/* what of the group came to this process: reaped */
		while (waitpid(-pgid, NULL, 0) > 0)
			killed++;
		return killed;
	}
	if (pgid > 0 && !all)
		return 0; /* the group is empty */
	/* until a look finds nothing: an orphan's children come to us too */
	for (int round = 0; round < 1000; round++) {
		DIR *d = opendir("/proc");
		if (d == NULL)
			break;
		int found = 0;
		struct dirent *de;
		while ((de = readdir(d)) != NULL) {
			char *end;
			long v = strtol(de->d_name, &end, 10);
			pid_t ppid, pgrp;
			char state;
			if (*end || v <= 0 || v == self ||
			    proc_stat((pid_t)v, &ppid, &pgrp, &state) != 0)
				continue;
			int ours = ppid == self;
			if (!(pgid > 0 && pgrp == pgid) && !(all && ours))
				continue;
			if (state != 'Z') {
				kill((pid_t)v, SIGKILL);
				killed++;
				found = 1;
			}
			if (ours) {
				waitpid((pid_t)v, NULL, 0);
				found = 1;
			}
		}
		closedir(d);
		if (!found)
			break;
	}
	return killed;
}

static int make_open(const char *path, const struct stat *st, int type,
		     struct FTW *ftw)
{
	if (type == FTW_D || type == FTW_DNR)
		chmod(path, 0700);
	return 0;
}

static int remove_one(const char *path, const struct stat *st, int type,
		      struct FTW *ftw)
{
	remove(path);
	return 0;
}

static int copy_out(int in, const char *dest)
{
	int out = open(dest, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0)
		return -errno;
	char buf[65536];
	ssize_t n;
	int err = 0;
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0) {
				err = -errno;
				break;
			}
			off += w;
		}
		if (err)
			break;
	}
	if (n < 0 && !err)
		err = -errno;
	if (close(out) != 0 && !err)
		err = -errno;
	return err;
}

int clab_sandbox_collect(const char *dir, const char *name, const char *dest)
{
	int err = 0;
	if (dest) {
		char src[4096];
		snprintf(src, sizeof(src), "%s/%s", dir, name);
		/* a link, a FIFO or a device the child left is no trace */
		int in =
		    open(src, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		struct stat st;
		if (in < 0)
			err = errno == ELOOP ? -EINVAL : -errno;
		else if (fstat(in, &st) != 0 || !S_ISREG(st.st_mode))
			err = -EINVAL;
		else
			err = copy_out(in, dest);
		if (in >= 0)
			close(in);
	}
	nftw(dir, make_open, 16, FTW_PHYS);
	nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	return err;
}

int clab_sandbox_report(const struct clab_sandbox_shared *s, FILE *f,
			const char *prefix)
{
	static const char *const what[] = {
#define CLAB_SANDBOX_TEXT(name, text) text,
	    CLAB_SANDBOX_DENIALS(CLAB_SANDBOX_TEXT)
#undef CLAB_SANDBOX_TEXT
	};
	int kinds = 0;
	if (s == NULL)
		return 0;
	for (int k = 0; k < CLAB_SANDBOX_NDENIALS; k++) {
		unsigned long n = s->denied[k];
		if (n == 0)
			continue;
		kinds++;
		fprintf(f, "%sthe sandbox refused %lu attempt%s to %s", prefix,
			n, n == 1 ? "" : "s", what[k]);
		if (k == CLAB_SANDBOX_DENY_OTHER) {
			char *name = seccomp_syscall_resolve_num_arch(
			    SCMP_ARCH_NATIVE, (int)s->other_nr);
			fprintf(f, " (%s)", name ? name : "?");
			free(name);
		}
		fprintf(f, "\n");
	}
	return kinds;
}
