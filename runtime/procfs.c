/*
 * Reading /proc from the watchdog's thread without the heap: directories
 * through getdents64 and files line by line through read, into buffers
 * the caller owns.  The watchdog reads /proc while the program runs on; a
 * fork in the middle of a read leaves the child without the watchdog's
 * thread, and memory that only that thread's stack pointed to would be a
 * leak there (LeakSanitizer reports it, and its exit code becomes the
 * child's).  Nothing here allocates.  The mappings of a process
 * (clab__maps_find) are read so too.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rt.h"

struct dirent64_ {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

int clab__dir_open(struct clab__dir *d, const char *path)
{
	d->n = d->pos = 0;
	d->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return d->fd < 0 ? -1 : 0;
}

const char *clab__dir_next(struct clab__dir *d)
{
	for (;;) {
		if (d->pos >= d->n) {
			long n = syscall(SYS_getdents64, d->fd, d->buf,
					 sizeof(d->buf));
			if (n <= 0)
				return NULL;
			d->n = n;
			d->pos = 0;
		}
		struct dirent64_ *e = (struct dirent64_ *)(d->buf + d->pos);
		d->pos += e->d_reclen;
		if (e->d_name[0] != '.')
			return e->d_name;
	}
}

void clab__dir_close(struct clab__dir *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

int clab__lines_open(struct clab__lines *l, const char *path)
{
	l->len = l->pos = 0;
	l->fd = open(path, O_RDONLY | O_CLOEXEC);
	return l->fd < 0 ? -1 : 0;
}

const char *clab__lines_next(struct clab__lines *l)
{
	for (;;) {
		char *s = l->buf + l->pos;
		char *nl = memchr(s, '\n', l->len - l->pos);
		if (nl) {
			*nl = 0;
			l->pos = (size_t)(nl - l->buf) + 1;
			return s;
		}
		/* the rest to the front, and more after it */
		size_t left = l->len - l->pos;
		memmove(l->buf, s, left);
		l->len = left;
		l->pos = 0;
		if (l->len == sizeof(l->buf) - 1) {
			/* a line longer than the buffer: its start only */
			l->buf[l->len] = 0;
			l->len = 0;
			int c = 0;
			while (read(l->fd, &c, 1) == 1 && (char)c != '\n')
				;
			return l->buf;
		}
		ssize_t n = l->fd < 0 ? 0
				      : read(l->fd, l->buf + l->len,
					     sizeof(l->buf) - 1 - l->len);
		if (n <= 0) {
			if (l->len == 0)
				return NULL;
			l->buf[l->len] = 0; /* the last line, with no newline */
			l->len = 0;
			return l->buf;
		}
		l->len += (size_t)n;
	}
}

void clab__lines_close(struct clab__lines *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

/*
 * A line of /proc/PID/maps ("start-end perms offset major:minor inode
 * path") into *m: 1, or 0 for a line that is not one.
 */
static int maps_line(const char *l, struct clab__mapping *m)
{
	unsigned long a, b, off, ma, mi;
	unsigned long long i;
	char perms[8];
	int end = 0;
	if (sscanf(l, "%lx-%lx %7s %lx %lx:%lx %llu%n", &a, &b, perms, &off,
		   &ma, &mi, &i, &end) != 7)
		return 0;
	m->lo = a;
	m->hi = b;
	m->off = off;
	m->dev = (uint64_t)ma << 32 | mi;
	m->ino = i;
	m->shared = perms[3] == 's';
	const char *path = l + end + strspn(l + end, " ");
	size_t n = strlen(path);
	static const char del[] = " (deleted)";
	m->deleted = n >= sizeof(del) - 1 &&
		     strcmp(path + n - (sizeof(del) - 1), del) == 0;
	if (m->deleted)
		n -= sizeof(del) - 1;
	if (n >= sizeof(m->path))
		n = sizeof(m->path) - 1;
	memcpy(m->path, path, n);
	m->path[n] = 0;
	return 1;
}

int clab__maps_find(pid_t pid, const void *addr, uint64_t *dev, uint64_t *ino,
		    struct clab__mapping *out)
{
	char path[32];
	struct clab__lines f;
	struct clab__mapping m;
	const char *line;
	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/maps");
	if (clab__lines_open(&f, path) != 0)
		return 0;
	int found = 0;
	uintptr_t a = (uintptr_t)addr;
	while (!found && (line = clab__lines_next(&f)) != NULL) {
		if (!maps_line(line, &m) || m.ino == 0)
			continue;
		if (addr ? a >= m.lo && a < m.hi
			 : m.dev == *dev && m.ino == *ino) {
			*dev = m.dev;
			*ino = m.ino;
			if (out)
				*out = m;
			found = 1;
		}
	}
	clab__lines_close(&f);
	return found;
}

int clab__mem_read(pid_t pid, uintptr_t addr, void *buf, size_t n)
{
	char path[32];
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got = fd < 0 ? -1 : pread(fd, buf, n, (off_t)addr);
	if (fd >= 0)
		close(fd);
	return got == (ssize_t)n ? 0 : -1;
}

int clab__peer_read(pid_t pid, const void *addr, void *buf, size_t n)
{
	struct clab__mapping me, m;
	uint64_t dev = 0, ino = 0;
	if (!clab__maps_find(0, addr, &dev, &ino, &me))
		return -1;
	/* where addr is in the file: the same place in pid's mapping of it */
	uint64_t pos = (uintptr_t)addr - me.lo + me.off;
	char path[32];
	struct clab__lines f;
	const char *line;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	if (clab__lines_open(&f, path) != 0)
		return -1;
	uintptr_t at = 0;
	while (!at && (line = clab__lines_next(&f)) != NULL)
		if (maps_line(line, &m) && m.dev == dev && m.ino == ino &&
		    pos >= m.off && pos + n <= m.off + (m.hi - m.lo))
			at = m.lo + (uintptr_t)(pos - m.off);
	clab__lines_close(&f);
	if (!at)
		return -1;
	return clab__mem_read(pid, at, buf, n) == 0 ? 0 : -2;
}

int clab__mapped_file(const void *addr, uint64_t *dev, uint64_t *ino)
{
	return clab__maps_find(0, addr, dev, ino, NULL) ? 0 : -1;
}
