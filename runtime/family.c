/*
 * Deadlocks between processes that only the kernel sees: a parent in
 * waitpid for a child that reads a pipe only the parent writes; two
 * processes that each read a pipe the other writes; a process that reads
 * a pipe whose write end it holds itself; a parent and its child that
 * each wait on a named semaphore (or a process-shared lock) that only the
 * other would post.  No conclab object is involved, or only one the C
 * library keeps (the program's threads are in read, write, waitpid or a
 * futex wait on shared memory), so the watchdog's own look counts those
 * threads as running.
 *
 * The look (clab__family_look) reads /proc: what each of the process's
 * threads not in a conclab wait is doing (its task's "syscall" file), the
 * same for each process descended from it (their threads named
 * "conclab-*" are conclab's own, left out), and who holds each end of the
 * pipes they wait on (the "fd" and "fdinfo" of every process it may
 * read), or who maps the file of the shared memory a futex wait is on
 * ("maps").  A thread whose state it cannot tell (running, in another
 * system call, on something that is not a pipe, a futex wait with a time
 * limit, on private memory or on a word that has changed) can go on; so
 * can a process with one such thread.  Then it drops, until nothing changes,
 * every process one of whose threads waits for a process that can go on
 * (a writer of the pipe it reads, the reader of the one it writes, the
 * child it waits for): what is left waits only for itself, unless this
 * process has a timer whose signal may come (a handler that writes the
 * pipe: the self-pipe way of waiting for one).  Called only
 * when every thread of this process either waits in the kernel or waits
 * for good in a conclab wait (which only this process can end).
 */
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "rt.h"

enum { FW_OWN, FW_READ, FW_WRITE, FW_CHILD, FW_SHARED };

/* A thread's wait, as the kernel shows it. */
struct fwait {
	pid_t pid, tid;
	int kind; /* FW_* */
	int fd;
	uint64_t ino;  /* a pipe's or FIFO's, or the other end's (end_of) */
	int end;       /* FW_READ, FW_WRITE: END_PIPE or END_SOCKET */
	pid_t child;   /* FW_CHILD: the child, or -1 for any */
	uint64_t ctxt; /* its context switches so far */
	/* FW_SHARED: the file its futex word is in, as maps has it */
	uint64_t mdev, mino;
	int linked;	/* the file has a name: another program may open it */
	char what[144]; /* "named semaphore /x", or the file's path */
};

/* A process of the family. */
struct fproc {
	pid_t pid, ppid;
	char comm[20];
	int free; /* it can go on */
};

struct fam {
	struct fproc p[CLAB__FAMILY_MAX];
	size_t np;
	struct fwait *w;
	size_t nw, wcap;
	uint64_t *need; /* by wait: the processes that could end it */
	size_t needcap;
};

/*
 * The look's state, kept from look to look (its arrays grow, never
 * shrink), in a global: see procfs.c on the heap and forks.
 */
static struct fam look;

/* The first line of path into buf: its length, or -1. */
static ssize_t read_line(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return (ssize_t)strlen(buf);
}

enum { END_NONE, END_PIPE, END_SOCKET };

/*
 * What pid's descriptor fd is an end of: a pipe or FIFO (END_PIPE), a
 * socket (END_SOCKET), with its key in *key (its inode, with its device's
 * number above) and its inode in *ino; else END_NONE.  Two files whose
 * keys meet only add a holder to a wait: never a deadlock that is not
 * one.
 */
static int end_of(pid_t pid, long fd, uint64_t *key, uint64_t *ino)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof(path), "/proc/%d/fd/%ld", (int)pid, fd);
	if (stat(path, &st) != 0 ||
	    !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
		return END_NONE;
	*ino = (uint64_t)st.st_ino;
	*key = (uint64_t)st.st_ino ^ (uint64_t)st.st_dev << 40;
	return S_ISFIFO(st.st_mode) ? END_PIPE : END_SOCKET;
}

/*
 * The inode of the socket connected to the local (AF_UNIX) socket ino,
 * as the kernel's sock_diag tells it (what ss -x shows), or 0: not a
 * local socket, not connected, or no answer.
 */
static uint32_t unix_peer(uint64_t ino)
{
	int fd =
	    socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0 || ino > UINT32_MAX) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req r;
	} req = {
	    .nlh = {.nlmsg_len = sizeof(req),
		    .nlmsg_type = SOCK_DIAG_BY_FAMILY,
		    .nlmsg_flags = NLM_F_REQUEST},
	    .r = {.sdiag_family = AF_UNIX,
		  .udiag_states = ~0u,
		  .udiag_ino = (uint32_t)ino,
		  .udiag_show = UDIAG_SHOW_PEER,
		  .udiag_cookie = {~0u, ~0u}},
	};
	struct sockaddr_nl nl = {.nl_family = AF_NETLINK};
	union {
		struct nlmsghdr h;
		char b[1024];
	} buf;
	uint32_t peer = 0;
	ssize_t n = -1;
	/* the kernel answers within the send: nothing to wait for */
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&nl,
		   sizeof(nl)) == (ssize_t)sizeof(req))
		n = recv(fd, &buf, sizeof(buf), MSG_DONTWAIT);
	close(fd);
	struct nlmsghdr *h = &buf.h;
	if (n <= 0 || !NLMSG_OK(h, (size_t)n) ||
	    h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof(struct unix_diag_msg)))
		return 0;
	const struct unix_diag_msg *m = NLMSG_DATA(h);
	struct rtattr *a = (struct rtattr *)(void *)(m + 1);
	int len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
	if (m->udiag_ino != (uint32_t)ino)
		return 0;
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == UNIX_DIAG_PEER &&
		    RTA_PAYLOAD(a) >= sizeof(uint32_t))
			memcpy(&peer, RTA_DATA(a), sizeof(peer));
	return peer;
}

/* The sum of a task's context switches ("status"), or 0. */
static uint64_t ctxt_of(pid_t pid, pid_t tid)
{
	char path[64];
	struct clab__lines l;
	const char *line;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)pid,
		 (int)tid);
	if (clab__lines_open(&l, path) != 0)
		return 0;
	uint64_t sum = 0;
	unsigned long long v;
	while ((line = clab__lines_next(&l)) != NULL)
		if (sscanf(line, "voluntary_ctxt_switches: %llu", &v) == 1 ||
		    sscanf(line, "nonvoluntary_ctxt_switches: %llu", &v) == 1)
			sum += v;
	clab__lines_close(&l);
	return sum;
}

/*
 * Whether file dev:ino (as maps has them) has a name in /dev/shm that a
 * named semaphore's has ("sem.NAME"): 1, with NAME in name.
 */
static int shm_name(uint64_t dev, uint64_t ino, char *name, size_t len)
{
	struct clab__dir d;
	const char *e;
	if (clab__dir_open(&d, "/dev/shm") != 0)
		return 0;
	int found = 0;
	while (!found && (e = clab__dir_next(&d)) != NULL) {
		char path[300];
		struct stat st;
		if (strncmp(e, "sem.", 4) != 0)
			continue;
		snprintf(path, sizeof(path), "/dev/shm/%s", e);
		if (stat(path, &st) == 0 && st.st_ino == ino &&
		    major(st.st_dev) == dev >> 32 &&
		    minor(st.st_dev) == (dev & 0xffffffffu)) {
			snprintf(name, len, "%s", e + 4);
			found = 1;
		}
	}
	clab__dir_close(&d);
	return found;
}

/*
 * A futex wait (futex(uaddr, op, val, timeout)) of w->pid, into *w: 1
 * when it waits with no time limit on a word of shared memory, a file's
 * (a named semaphore's, a process-shared lock's in shared memory), that
 * still holds val, as when the wait began; else 0 (it can go on).  A
 * word another process changed is about to be woken, or was.
 */
static int futex_wait(struct fwait *w, unsigned long uaddr, unsigned long op,
		      unsigned long val, unsigned long timeout)
{
	unsigned cmd = (unsigned)op & 127; /* FUTEX_CMD_MASK */
	if ((cmd != 0 && cmd != 9) || (op & 128) || timeout)
		return 0; /* not FUTEX_WAIT(_BITSET), private, or timed */
	struct clab__mapping m;
	uint64_t dev = 0, ino = 0;
	if (!clab__maps_find(w->pid, (const void *)uaddr, &dev, &ino, &m) ||
	    !m.shared)
		return 0;
	uint32_t word;
	if (clab__mem_read(w->pid, uaddr, &word, sizeof(word)) != 0 ||
	    word != (uint32_t)val)
		return 0;
	w->kind = FW_SHARED;
	w->mdev = dev;
	w->mino = ino;
	/*
	 * A file with a name can be opened by a program started later; so
	 * can a System V segment (shmat by its key or id) and a memfd (its
	 * descriptor passed on), whose names maps shows as deleted.
	 */
	w->linked = !m.deleted || strncmp(m.path, "/SYSV", 5) == 0 ||
		    strncmp(m.path, "/memfd:", 7) == 0;
	static const char sem[] = "/dev/shm/sem.";
	if (strncmp(m.path, sem, sizeof(sem) - 1) != 0) {
		/* MAP_SHARED | MAP_ANONYMOUS maps "/dev/zero (deleted)" */
		int anon = m.deleted && strcmp(m.path, "/dev/zero") == 0;
		snprintf(w->what, sizeof(w->what),
			 "a process-shared lock or semaphore in %s%s",
			 anon ? "anonymous shared memory" : "shared memory ",
			 anon ? "" : m.path);
		return 1;
	}
	/*
	 * sem_open maps a file of a name of its own, then links the
	 * semaphore's name to it and unlinks the first: the name maps has
	 * is gone, the semaphore's is found in the directory.
	 */
	char name[64];
	w->linked = shm_name(dev, ino, name, sizeof(name));
	if (w->linked)
		snprintf(w->what, sizeof(w->what), "named semaphore /%s", name);
	else
		snprintf(w->what, sizeof(w->what),
			 "a named semaphore (its name unlinked)");
	return 1;
}

/*
 * What task tid of pid waits on, into *w: 1, or 0 when it is not a wait
 * this look understands (the thread can go on, as far as it knows).
 */
static int task_wait(pid_t pid, pid_t tid, struct fwait *w)
{
	char path[64], buf[256];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", (int)pid,
		 (int)tid);
	if (read_line(path, buf, sizeof(buf)) <= 0)
		return 0;
	long nr;
	unsigned long a0, a1, a2 = 0, a3 = 0;
	if (sscanf(buf, "%ld 0x%lx 0x%lx 0x%lx 0x%lx", &nr, &a0, &a1, &a2,
		   &a3) < 3)
		return 0; /* "running", or not in a system call */
	memset(w, 0, sizeof(*w));
	w->pid = pid;
	w->tid = tid;
	switch (nr) {
	case SYS_futex:
		if (!futex_wait(w, a0, a1, a2, a3))
			return 0;
		break;
	case SYS_read:
	case SYS_readv:
	case SYS_recvfrom:
	case SYS_recvmsg:
	case SYS_write:
	case SYS_writev:
	case SYS_sendto:
	case SYS_sendmsg: {
		uint64_t ino;
		w->kind = nr == SYS_read || nr == SYS_readv ||
				  nr == SYS_recvfrom || nr == SYS_recvmsg
			      ? FW_READ
			      : FW_WRITE;
		w->fd = (int)a0;
		w->end = end_of(pid, (long)(int)a0, &w->ino, &ino);
		if (w->end == END_SOCKET) {
			/* it waits for whoever holds the other end */
			uint32_t peer = unix_peer(ino);
			w->ino = peer ? (w->ino ^ ino) ^ peer : 0;
		}
		if (w->end == END_NONE || w->ino == 0)
			return 0;
		break;
	}
#ifdef SYS_wait4
	case SYS_wait4:
		w->kind = FW_CHILD;
		w->child = (int)a0 > 0 ? (pid_t)(int)a0 : -1;
		break;
#endif
	case SYS_waitid:
		/* idtype P_PID (1): that child; P_ALL, P_PGID: any */
		w->kind = FW_CHILD;
		w->child = a0 == 1 ? (pid_t)(int)a1 : -1;
		break;
	default:
		return 0;
	}
	w->ctxt = ctxt_of(pid, tid);
	return 1;
}

/* Whether this process runs a handler of its own for sig (not conclab's). */
static int handled(int sig)
{
	struct sigaction sa;
	return sig > 0 && sigaction(sig, NULL, &sa) == 0 &&
	       sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN &&
	       !clab__stop_handler(&sa);
}

/*
 * Whether POSIX timer id (the kernel's), on clock clk, notifying as notify
 * says ("signal/...", "thread/...", "none/..."), with signal sig, may
 * still run something of the program's: armed, on a clock that runs while
 * every thread waits (not a CPU clock), and with a handler or a thread to
 * run.
 */
static int posix_timer_live(long id, long clk, const char *notify, int sig)
{
	struct itimerspec its;
	if (syscall(SYS_timer_gettime, (int)id, &its) != 0 ||
	    (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0))
		return 0;
	if (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC &&
	    clk != CLOCK_BOOTTIME && clk != CLOCK_REALTIME_ALARM &&
	    clk != CLOCK_BOOTTIME_ALARM)
		return 0;
	if (strncmp(notify, "none", 4) == 0)
		return 0;
	/* SIGEV_THREAD: the C library's helper thread starts the function */
	return strncmp(notify, "thread", 6) == 0 || handled(sig);
}

int clab__timer_pending(void)
{
	struct itimerval it;
	/* the CPU-time timers do not run while every thread waits */
	if (getitimer(ITIMER_REAL, &it) == 0 &&
	    (it.it_value.tv_sec || it.it_value.tv_usec) && handled(SIGALRM))
		return 1;
	struct clab__lines f;
	if (clab__lines_open(&f, "/proc/self/timers") != 0)
		return 0;
	char notify[32] = "";
	const char *line;
	long id = -1, clk = -1;
	int sig = 0, live = 0;
	/* "ID:", "signal: N/mask", "notify: KIND/...", "ClockID: N" */
	while (!live && (line = clab__lines_next(&f)) != NULL) {
		if (sscanf(line, "ID: %ld", &id) == 1)
			continue;
		if (sscanf(line, "signal: %d/", &sig) == 1)
			continue;
		if (sscanf(line, "notify: %31s", notify) == 1)
			continue;
		if (sscanf(line, "ClockID: %ld", &clk) == 1)
			live = posix_timer_live(id, clk, notify, sig);
	}
	clab__lines_close(&f);
	return live;
}

static struct fwait *add_wait(struct fam *f)
{
	if (f->nw == f->wcap) {
		size_t cap = f->wcap ? f->wcap * 2 : 16;
		struct fwait *n = realloc(f->w, cap * sizeof(*n));
		if (!n)
			return NULL;
		f->w = n;
		f->wcap = cap;
	}
	return &f->w[f->nw++];
}

static int listed(const pid_t *tids, size_t n, pid_t tid)
{
	for (size_t i = 0; i < n; i++)
		if (tids[i] == tid)
			return 1;
	return 0;
}

/*
 * The waits of process pid's threads (all of them but conclab's own, and
 * those in skip): 0, or -1 when one of them can go on.
 */
static int proc_waits(struct fam *f, pid_t pid, const pid_t *skip, size_t nskip)
{
	char path[64], comm[32];
	struct clab__dir d;
	const char *name;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if (clab__dir_open(&d, path) != 0)
		return -1;
	int rc = 0;
	while (rc == 0 && (name = clab__dir_next(&d)) != NULL) {
		pid_t tid = (pid_t)atoi(name);
		if (tid <= 0 || listed(skip, nskip, tid))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)pid,
			 (int)tid);
		if (read_line(path, comm, sizeof(comm)) >= 0 &&
		    strncmp(comm, "conclab-", 8) == 0)
			continue;
		struct fwait *w = add_wait(f);
		if (!w || !task_wait(pid, tid, w)) {
			if (w)
				f->nw--;
			rc = -1;
		}
	}
	clab__dir_close(&d);
	return rc;
}

/* The processes descended from f->p[0], in f->p (as many as fit). */
static void descendants(struct fam *f)
{
	for (size_t i = 0; i < f->np; i++) {
		char path[64], buf[4096];
		struct clab__dir d;
		const char *name;
		snprintf(path, sizeof(path), "/proc/%d/task", (int)f->p[i].pid);
		if (clab__dir_open(&d, path) != 0)
			continue;
		while ((name = clab__dir_next(&d)) != NULL) {
			int tid = atoi(name);
			if (tid <= 0)
				continue;
			snprintf(path, sizeof(path),
				 "/proc/%d/task/%d/children", (int)f->p[i].pid,
				 tid);
			if (read_line(path, buf, sizeof(buf)) <= 0)
				continue;
			for (char *s = buf, *e; *s; s = e) {
				long c = strtol(s, &e, 10);
				if (e == s)
					break;
				if (c > 0 && f->np < CLAB__FAMILY_MAX) {
					struct fproc *p = &f->p[f->np++];
					memset(p, 0, sizeof(*p));
					p->pid = (pid_t)c;
					p->ppid = f->p[i].pid;
				}
			}
		}
		clab__dir_close(&d);
	}
}

static ssize_t proc_index(const struct fam *f, pid_t pid)
{
	for (size_t i = 0; i < f->np; i++)
		if (f->p[i].pid == pid)
			return (ssize_t)i;
	return -1;
}

/*
 * Whether process pid holds an end of pipe ino (write: its write end), or
 * the socket ino.
 */
static int holds_end(pid_t pid, uint64_t ino, int write)
{
	char path[64];
	struct clab__dir d;
	const char *name;
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if (clab__dir_open(&d, path) != 0)
		return 0;
	int holds = 0;
	while (!holds && (name = clab__dir_next(&d)) != NULL) {
		long fd = atol(name);
		uint64_t key, i;
		int end = end_of(pid, fd, &key, &i);
		if (end == END_NONE || key != ino)
			continue;
		if (end == END_SOCKET) {
			holds = 1; /* it can read and write */
			break;
		}
		char info[256];
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%ld", (int)pid,
			 fd);
		/* "pos:" first, then "flags:" in octal */
		unsigned flags = O_RDWR; /* cannot tell: either end */
		int fdf = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fdf < 0 ? -1 : read(fdf, info, sizeof(info) - 1);
		if (fdf >= 0)
			close(fdf);
		const char *fl =
		    n > 0 ? (info[n] = 0, strstr(info, "flags:")) : NULL;
		if (fl && sscanf(fl, "flags: %o", &flags) != 1)
			flags = O_RDWR;
		unsigned acc = flags & O_ACCMODE;
		holds = acc == O_RDWR ||
			(write ? acc == O_WRONLY : acc == O_RDONLY);
	}
	clab__dir_close(&d);
	return holds;
}

/*
 * Whether process pid could end wait w (a pipe's or a socket's, or on
 * shared memory): it holds the pipe's other end or the socket's peer, or
 * maps the memory.
 */
static int could_end(pid_t pid, const struct fwait *w)
{
	uint64_t dev = w->mdev, ino = w->mino;
	if (w->kind == FW_SHARED)
		return clab__maps_find(pid, NULL, &dev, &ino, NULL);
	return holds_end(pid, w->ino, w->kind == FW_READ);
}

/* The family's processes that could end wait w, as a bit set of indexes. */
static uint64_t holders(const struct fam *f, const struct fwait *w)
{
	uint64_t set = 0;
	for (size_t i = 0; i < f->np; i++)
		if (could_end(f->p[i].pid, w))
			set |= 1ull << i;
	return set;
}

/*
 * Whether a process outside the family could end wait w (every process
 * whose descriptors and maps this one may read is looked at).
 */
static int outside(const struct fam *f, const struct fwait *w)
{
	struct clab__dir proc;
	const char *name;
	if (clab__dir_open(&proc, "/proc") != 0)
		return 1; /* cannot tell: as if one did */
	int found = 0;
	while (!found && (name = clab__dir_next(&proc)) != NULL) {
		pid_t pid = (pid_t)atoi(name);
		if (pid > 0 && proc_index(f, pid) < 0)
			found = could_end(pid, w);
	}
	clab__dir_close(&proc);
	return found;
}

/* The family's processes that could end wait w (their indexes). */
static uint64_t needs(const struct fam *f, const struct fwait *w)
{
	uint64_t set = 0;
	switch (w->kind) {
	case FW_OWN:
		return 1; /* this process: index 0 */
	case FW_READ:
	case FW_WRITE:
	case FW_SHARED:
		return holders(f, w);
	default:
		for (size_t i = 1; i < f->np; i++)
			if (f->p[i].ppid == w->pid &&
			    (w->child < 0 || f->p[i].pid == w->child))
				set |= 1ull << i;
		return set;
	}
}

/*
 * Free every process that waits for one that is free, until nothing
 * changes (need: each wait's processes).
 */
static void spread(struct fam *f, const uint64_t *need)
{
	for (int changed = 1; changed;) {
		changed = 0;
		for (size_t k = 0; k < f->nw; k++) {
			size_t i = (size_t)proc_index(f, f->w[k].pid);
			if (f->p[i].free)
				continue;
			for (size_t j = 0; j < f->np; j++)
				if ((need[k] >> j & 1) && f->p[j].free) {
					f->p[i].free = 1;
					changed = 1;
					break;
				}
		}
	}
}

/* "pid 123 (prog)" for process index i. */
static const char *who(const struct fam *f, size_t i, char *buf, size_t len)
{
	snprintf(buf, len, "pid %d (%s)", (int)f->p[i].pid, f->p[i].comm);
	return buf;
}

/* The list of processes in set, "pid 1 (a) and pid 2 (b)". */
static void who_set(const struct fam *f, uint64_t set, char *buf, size_t len)
{
	size_t n = 0;
	int left = __builtin_popcountll(set);
	buf[0] = 0;
	for (size_t i = 0; i < f->np && n < len; i++) {
		if (!(set >> i & 1))
			continue;
		char b[48];
		int k =
		    snprintf(buf + n, len - n, "%s%s", who(f, i, b, sizeof(b)),
			     clab__list_sep(left--));
		if (k > 0)
			n += (size_t)k;
	}
}

/* A line of out->text for wait w of a stuck process. */
static void say(const struct fam *f, const struct fwait *w, uint64_t need,
		struct clab__family *out)
{
	char me[48], them[256], line[384];
	int rd;
	size_t i = (size_t)proc_index(f, w->pid);
	who(f, i, me, sizeof(me));
	who_set(f, need, them, sizeof(them));
	switch (w->kind) {
	case FW_OWN:
		return; /* the watchdog's own lines say it */
	case FW_READ:
	case FW_WRITE:
		rd = w->kind == FW_READ;
		snprintf(line, sizeof(line),
			 "%s %s %s (fd %d) %s only %s could %s", me,
			 rd ? "reads from a" : "writes to a full",
			 w->end == END_SOCKET ? "socket" : "pipe", w->fd,
			 w->end == END_SOCKET ? "whose other end" : "that",
			 them, rd ? "write to" : "read from");
		break;
	case FW_SHARED:
		snprintf(
		    line, sizeof(line),
		    "%s waits on %s, which only %s could %s", me, w->what, them,
		    strstr(w->what, "named semaphore") ? "post" : "release");
		break;
	default:
		snprintf(line, sizeof(line), "%s waits for %s to end", me,
			 them);
		break;
	}
	size_t n = strlen(out->text);
	snprintf(out->text + n, sizeof(out->text) - n, "%s%s", n ? "\n" : "",
		 line);
}

/*
 * Whether another program may send sig to end a wait: not a fault's, a
 * timer's (clab__timer_pending), a child's (the family's children are
 * looked at), nor one the process makes itself (SIGPIPE, the limits').
 */
static int outside_signal(int sig)
{
	switch (sig) {
	case SIGHUP:
	case SIGINT:
	case SIGQUIT:
	case SIGUSR1:
	case SIGUSR2:
	case SIGTERM:
	case SIGCONT:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
	case SIGURG:
	case SIGWINCH:
	case SIGIO:
		return 1;
	default:
		return sig >= SIGRTMIN && sig <= SIGRTMAX;
	}
}

/*
 * The first signal that process pid (own: this one) runs a handler for
 * and another program may send (outside_signal), or 0.  This process's
 * from sigaction; another's from the "SigCgt" mask of its status, less the
 * stop signals whose handler there is conclab's (which ends the program
 * as the default would): those it publishes in clab__stop_mine, read from
 * its memory (a process that does not load conclab has none; one that does
 * but whose memory cannot be read is taken to have conclab's on all).
 */
static int catches(pid_t pid, int own)
{
	unsigned long long caught = 0;
	if (!own) {
		char path[64];
		struct clab__lines l;
		const char *line;
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
		if (clab__lines_open(&l, path) != 0)
			return 0;
		while ((line = clab__lines_next(&l)) != NULL)
			if (sscanf(line, "SigCgt: %llx", &caught) == 1)
				break;
		clab__lines_close(&l);
		struct clab__stop_mine theirs;
		int r = caught ? clab__peer_read(pid, &clab__stop_mine, &theirs,
						 sizeof(theirs))
			       : -1;
		if (r == 0 && theirs.magic == CLAB__STOP_MAGIC)
			caught &= ~(unsigned long long)theirs.mask;
		else if (r == -2) /* conclab's, most likely: not a reason */
			caught &= ~(unsigned long long)clab__stop_all();
	}
	for (int sig = 1; sig <= SIGRTMAX && sig <= 64; sig++)
		if (outside_signal(sig) &&
		    (own ? handled(sig) : (int)(caught >> (sig - 1) & 1)))
			return sig;
	return 0;
}

/* A line of out->text: stuck process i runs a handler for sig. */
static void say_signal(const struct fam *f, size_t i, int sig,
		       struct clab__family *out)
{
	char me[48], name[24];
	const char *abbrev = sigabbrev_np(sig);
	size_t n = strlen(out->text);
	who(f, i, me, sizeof(me));
	if (abbrev)
		snprintf(name, sizeof(name), "SIG%s", abbrev);
	else
		snprintf(name, sizeof(name), "signal %d", sig);
	snprintf(out->text + n, sizeof(out->text) - n,
		 "%s%s catches %s: another program's signal could end its wait",
		 n ? "\n" : "", me, name);
}

int clab__family_look(const pid_t *waiting, size_t nwaiting,
		      struct clab__family *out)
{
	struct fam *f = &look;
	f->np = f->nw = 0;
	int stuck = 0;
	memset(out, 0, sizeof(*out));
	f->np = 1;
	memset(&f->p[0], 0, sizeof(f->p[0]));
	f->p[0].pid = getpid();
	/* this process's threads in conclab waits: only it can end them */
	if (nwaiting) {
		struct fwait *w = add_wait(f);
		if (!w)
			goto out;
		memset(w, 0, sizeof(*w));
		w->pid = f->p[0].pid;
		w->kind = FW_OWN;
	}
	/* the others (conclab may not know them yet) wait in the kernel */
	if (proc_waits(f, f->p[0].pid, waiting, nwaiting) != 0)
		goto out;
	descendants(f);
	for (size_t i = 0; i < f->np; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)f->p[i].pid);
		if (read_line(path, f->p[i].comm, sizeof(f->p[i].comm)) < 0)
			f->p[i].free = 1;
		if (i > 0 && proc_waits(f, f->p[i].pid, NULL, 0) != 0)
			f->p[i].free = 1;
	}
	/* a process that can go on frees those that wait for it */
	if (f->nw > f->needcap) {
		uint64_t *n = realloc(f->need, f->nw * sizeof(*n));
		if (!n)
			goto out;
		f->need = n;
		f->needcap = f->nw;
	}
	uint64_t *need = f->need;
	for (size_t k = 0; k < f->nw; k++) {
		need[k] = needs(f, &f->w[k]);
		/* nobody to wait for: it returns (EOF, EPIPE, ECHILD) */
		if (need[k] == 0)
			f->p[proc_index(f, f->w[k].pid)].free = 1;
	}
	spread(f, need);
	/*
	 * Only now, for the waits still stuck, whether a process outside
	 * the family could end one (a shell's pipe, say): all of /proc is
	 * read, which a family waiting on its own members never pays.
	 */
	for (int again = 1; again && !f->p[0].free;) {
		again = 0;
		for (size_t k = 0; k < f->nw; k++) {
			const struct fwait *w = &f->w[k];
			size_t i = (size_t)proc_index(f, w->pid);
			if (f->p[i].free)
				continue;
			if ((w->kind == FW_READ || w->kind == FW_WRITE ||
			     w->kind == FW_SHARED) &&
			    outside(f, w)) {
				f->p[i].free = 1;
				again = 1;
			}
		}
		spread(f, need);
	}
	/* a timer of its own may still wake it (a handler that writes) */
	if (!f->p[0].free && clab__timer_pending())
		f->p[0].free = 1;
	stuck = !f->p[0].free;
	for (size_t k = 0; stuck && k < f->nw; k++) {
		size_t i = (size_t)proc_index(f, f->w[k].pid);
		if (f->p[i].free)
			continue;
		out->sig = out->sig * 31 + f->w[k].ctxt + (uint64_t)f->w[k].tid;
		out->linked |= f->w[k].kind == FW_SHARED && f->w[k].linked;
		say(f, &f->w[k], need[k], out);
	}
	for (size_t i = 0; stuck && i < f->np; i++) {
		int sig = f->p[i].free ? 0 : catches(f->p[i].pid, i == 0);
		if (sig)
			say_signal(f, i, sig, out);
		out->linked |= sig != 0;
		if (i > 0 && !f->p[i].free && out->npids < CLAB__FAMILY_MAX)
			out->pids[out->npids++] = f->p[i].pid;
	}
	for (size_t k = 0; stuck && k < f->nw; k++)
		out->nown +=
		    f->w[k].pid == f->p[0].pid && f->w[k].kind != FW_OWN;
out:
	return stuck;
}
