/*
 * fork and the writer (clab_fork, tracer-emit.h): the locks taken before
 * the fork, and in the child, the parent's trace forgotten and the
 * child's own opened with the parent's settings.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <conclab/error.h>

#include "writer-int.h"

/* The writer's state, by its short name in this file too. */
#define w clab__w

void clab__tracer_fork_prepare(struct clab__tbuf *tb,
			       struct clab__fork_info *fi)
{
	/* an acquire held back is the parent's last record before the fork */
	if (tb && clab__pend_on(tb))
		clab__pend_flush(tb);
	clab__writer_lock_now();
	clab__lock(&clab__writer_kick_lk);
	clab__lock(&clab__reg.lk);
	pthread_mutex_lock(&clab__reg.free_lk);
	clab__stacks_lock(1);
	fi->path[0] = '\0';
	fi->seq = 0;
	fi->nobjs = clab__reg.nobjs;
	if (w.fd >= 0 && w.path && strlen(w.path) < sizeof(fi->path))
		strcpy(fi->path, w.path);
	if (tb && tb->wblk)
		fi->seq = tb->written + clab__writer_available(tb, UINT32_MAX) +
			  tb->holds; /* a hold is two records */
}

void clab__tracer_fork_parent(void)
{
	clab__stacks_lock(0);
	pthread_mutex_unlock(&clab__reg.free_lk);
	clab__unlock(&clab__reg.lk);
	clab__unlock(&clab__writer_kick_lk);
	clab__unlock(&w.lk);
}

int clab__tracer_fork_child(struct clab__tbuf *tb, const char *path,
			    const struct clab_meta_kv *meta, size_t nmeta)
{
	/*
	 * The only thread: the writer's threads stayed in the parent, and
	 * the locks are held by this one since the prepare.  Condition
	 * variables other threads waited on are made anew, never destroyed
	 * (glibc's destroy would wait for those waiters).
	 */
	memset(&w.kick, 0, sizeof(w.kick));
	memset(&clab__reg.room, 0, sizeof(clab__reg.room));
	pthread_cond_init(&w.kick, NULL);
	pthread_cond_init(&clab__reg.room, NULL);
	w.running = w.ticking = w.stop = w.kicked = 0;
	w.sleeping = 0;
	w.prio = WPRIO_NONE;
	w.boosters = 0;
	w.pressed = 0;
	clab__reg.room_waiters = 0;
	w.saved = w.closing = w.by_opener = 0;
	atomic_store(&clab__writer_tid, 0);
	atomic_store(&clab__writer_rescue, 0);
	/* the parent's writer closes its own: this copy would keep the old
	 * trace's blocks for as long as the child runs */
	clab__trace_old_close();
	int was_open = w.fd >= 0;
	if (w.fd >= 0)
		close(
		    w.fd); /* this process's descriptor: the parent keeps its */
	clab__writer_set_fd(-1);
	atomic_store(&clab__writer_file_open, 0);
	memset(&w.st, 0, sizeof(w.st));
	/* the parent's codec and level, for the child's trace too */
	struct clab__codec codec = {w.codec.codec, w.codec.level, NULL};
	int adapt = w.adapt;
	clab__writer_reset();
	w.codec = codec;
	w.adapt = adapt;
	clab__crash_disarm();
	clab__reg_fork_child(tb);
	clab__stacks_lock(0);
	pthread_mutex_unlock(&clab__reg.free_lk);
	clab__unlock(&clab__reg.lk);
	clab__unlock(&clab__writer_kick_lk);
	if (!was_open || !path) {
		clab__unlock(&w.lk);
		if (was_open)
			clab__reg_release();
		return was_open ? 0 : CLAB_EINVAL;
	}
	int fd = clab__trace_create(path);
	w.path = fd >= 0 ? strdup(path) : NULL;
	if (!w.path) {
		int err = fd < 0 ? -errno : CLAB_ENOMEM;
		if (fd >= 0)
			close(fd);
		clab__unlock(&w.lk);
		clab__reg_release();
		return err;
	}
	clab__writer_set_fd(fd);
	w.stk_lost0 = clab__stacks_lost();
	struct clab_meta_kv kept[2];
	size_t nkept = 0;
	if (w.m_command)
		kept[nkept++] = (struct clab_meta_kv){"command", w.m_command};
	if (w.m_program)
		kept[nkept++] = (struct clab_meta_kv){"program", w.m_program};
	/* the parent's clock: times count from the parent's open */
	struct clab_tracer_opts o = {
	    .path = path,
	    /* a virtual clock goes on from the parent's: no ticker */
	    .virtual_time = atomic_load(&clab__vclock_on),
	};
	return clab__writer_start_file(&o, kept, nkept, meta, nmeta);
}
