/*
 * The key that signs and verifies traces: --key FILE, else the file named
 * by $CONCLAB_KEY_FILE.  A key file holds 32 random bytes or more
 * (head -c 32 /dev/urandom > grader.key); its bytes are the key.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include <conclab/tracer.h>

#include "cmd.h"

int clab_cmd_key_load(const struct clab_cmd *cmd, const char *path,
		      struct clab_cmd_key *k)
{
	clab_cmd_key_wipe(k);
	if (!path) {
		path = getenv("CONCLAB_KEY_FILE");
		if (!path || !*path)
			return 0; /* no key */
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "conclab %s: cannot read the key file %s: %s\n",
			cmd->name, path, strerror(errno));
		return CLAB_EXIT_USAGE;
	}
	int rc = clab_cmd_key_read(cmd, fd, path, k);
	close(fd);
	return rc;
}

int clab_cmd_key_read(const struct clab_cmd *cmd, int fd, const char *path,
		      struct clab_cmd_key *k)
{
	clab_cmd_key_wipe(k);
	if (lseek(fd, 0, SEEK_SET) != 0) {
		fprintf(stderr, "conclab %s: cannot read the key file %s: %s\n",
			cmd->name, path, strerror(errno));
		return CLAB_EXIT_USAGE;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr,
			"conclab %s: the key file %s is not a regular file\n",
			cmd->name, path);
		return CLAB_EXIT_USAGE;
	}
	size_t len = 0;
	int toolong = 0, rerr = 0;
	uint8_t extra; /* a byte past the most a key holds: too long */
	for (;;) {
		int full = len == sizeof(k->bytes);
		ssize_t n = read(fd, full ? &extra : k->bytes + len,
				 full ? 1 : sizeof(k->bytes) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rerr = n < 0 ? errno : 0;
			break;
		}
		if (full) {
			toolong = 1;
			break;
		}
		len += (size_t)n;
	}
	if (rerr || toolong) {
		clab_cmd_key_wipe(k);
		if (rerr)
			fprintf(stderr,
				"conclab %s: cannot read the key file %s: "
				"%s\n",
				cmd->name, path, strerror(rerr));
		else
			fprintf(stderr,
				"conclab %s: the key file %s is longer than "
				"%d bytes: is it a key?\n",
				cmd->name, path, CLAB_CMD_KEY_MAX);
		return CLAB_EXIT_USAGE;
	}
	if (len < CLAB_KEY_MIN) {
		clab_cmd_key_wipe(k);
		fprintf(stderr,
			"conclab %s: the key file %s has %zu bytes; a key "
			"needs %d random bytes at least (make one with: head "
			"-c 32 /dev/urandom > %s)\n",
			cmd->name, path, len, CLAB_KEY_MIN, path);
		return CLAB_EXIT_USAGE;
	}
	static int warned; /* once a process and its children */
	if ((st.st_mode & (S_IRGRP | S_IROTH)) && !warned++)
		fprintf(stderr,
			"conclab %s: warning: the key file %s can be read by "
			"other users (chmod 600 %s)\n",
			cmd->name, path, path);
	k->len = len;
	k->path = path;
	return 0;
}

void clab_cmd_key_wipe(struct clab_cmd_key *k)
{
	sodium_memzero(k, sizeof(*k));
}
