/*
 * fork: a child that records into a trace of its own (clab_fork).
 *
 * Before the fork the calling thread takes the locks of the watchdog, of
 * the lock-order detector, of the thread registry, of the writer and of
 * the tracer's registry, in that order (the order the rest of the runtime
 * nests them in), so that no other thread holds one when the process is
 * copied.  The parent releases them.  The child, where the calling thread
 * is the only one, resets what the parent's other threads owned and opens
 * its own trace (see clab_fork in runtime.h).
 */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "rt.h"

#define ID_LEN 32 /* hex digits of a trace's process.id */

/*
 * The open trace's process.id, made on first use for each trace (a
 * trace-wide token: 128 random bits, or the pid and the time where
 * there are none); process_id_written says it is in the trace.
 */
static char process_id[ID_LEN + 1];
static unsigned process_id_gen, process_id_written;

static void new_id(char *out)
{
	unsigned char b[ID_LEN / 2];
	if (getrandom(b, sizeof(b), GRND_NONBLOCK) != (ssize_t)sizeof(b)) {
		uint64_t a = (uint64_t)getpid(), t = clab__mono_ns();
		memcpy(b, &a, sizeof(a));
		memcpy(b + sizeof(a), &t, sizeof(t));
	}
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static const char *trace_id(void)
{
	unsigned gen = atomic_load(&clab__trace_gen);
	if (process_id_gen != gen) {
		new_id(process_id);
		process_id_gen = gen;
	}
	return process_id;
}

/* The child's trace: the parent's path without ".clt", ".PID.clt". */
static void child_path(const char *parent, pid_t pid, char *out, size_t len)
{
	size_t n = strlen(parent);
	if (n >= 4 && strcmp(parent + n - 4, ".clt") == 0)
		n -= 4;
	snprintf(out, len, "%.*s.%ld.clt", (int)n, parent, (long)pid);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

void clab__fork_meta(void)
{
	const char *id = trace_id();
	if (process_id_written == process_id_gen)
		return;
	process_id_written = process_id_gen;
	char num[24];
	snprintf(num, sizeof(num), "%ld", (long)getpid());
	clab_tracer_meta_add("process.id", id);
	clab_tracer_meta_add("process.pid", num);
}

/* In the parent: the fork record and the child in the metadata. */
static void parent_side(const struct clab_site *site, pid_t pid,
			const struct clab__fork_info *fi, const char *cid)
{
	/* the annotation of clab_note, without its scheduling point: the
	 * fork had it, and the child's records are stamped with its time */
	clab__emit_val(clab__self()->tb, CLAB_K_NOTE, pid, site, 0);
	if (!fi->path[0])
		return;
	char key[64], val[ID_LEN + 4096 + 64];
	clab__fork_meta();
	char path[4096 + 32];
	child_path(fi->path, pid, path, sizeof(path));
	snprintf(key, sizeof(key), "process.child.%ld", (long)pid);
	snprintf(val, sizeof(val), "%s %s", cid, base_name(path));
	clab_tracer_meta_add(key, val);
}

/*
 * A hold of a reader-writer lock or a permit, as the child replays it:
 * now is the readers or the value at the fork, which a later hold of the
 * same kind on the same object moves by step (-1 a read hold, +1 a permit).
 */
struct xhold {
	struct clab__obj *h;
	const struct clab_site *site;
	uint32_t ord, mdepth, now;
	int step;
	unsigned kind;
};

/* self's holds of reader-writer locks and permits, in the order taken. */
static unsigned xholds(struct clab__thr *self, struct xhold *x)
{
	unsigned n = 0;
	for (unsigned i = 0; i < self->nrwheld; i++) {
		const struct clab__rwheld *r = &self->rwheld[i];
		x[n++] = (struct xhold){&r->l->h,
					r->site,
					r->ord,
					r->mdepth,
					r->write ? 0 : r->l->readers,
					r->write ? 0 : -1,
					r->write ? CLAB_K_RW_WRITE_ACQUIRE
						 : CLAB_K_RW_READ_ACQUIRE};
	}
	/* the permits of semaphores still alive (clab__order_fork_child) */
	for (unsigned i = 0; i < self->nhsem; i++) {
		const struct clab__hsem *p = &self->hsem[i];
		x[n++] = (struct xhold){&p->s->h,	   p->site,	p->ord,
					p->mdepth,	   p->s->value, 1,
					CLAB_K_SEM_ACQUIRE};
	}
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && x[j - 1].ord > x[j].ord; j--) {
			struct xhold t = x[j];
			x[j] = x[j - 1];
			x[j - 1] = t;
		}
	return n;
}

/*
 * The child's trace begins with what the thread holds, each as an
 * acquisition at the site where it took it, in the order it took them:
 * its mutexes (with their depth), its reader-writer locks (read or
 * write) and its permits, so that their release in the child follows
 * their acquisition in its trace, and the locks held at its exit and its
 * lock order are the child's.  The objects are ours: only this thread is
 * left to count their sequences.
 */
static void held_at_fork(struct clab__thr *self)
{
	struct xhold x[CLAB__RWHELD_MAX + CLAB__HSEM_MAX];
	unsigned nx = xholds(self, x), k = 0;
	unsigned n =
	    self->nheld < CLAB__HELD_MAX ? self->nheld : CLAB__HELD_MAX;
	for (unsigned i = 0; i <= n; i++) {
		/* those taken before the mutex held[i] */
		for (; k < nx && (i == n || x[k].mdepth <= i); k++) {
			uint32_t a32 = x[k].now;
			for (unsigned j = k + 1; j < nx; j++)
				if (x[j].h == x[k].h && x[j].kind == x[k].kind)
					a32 += (uint32_t)x[k].step;
			clab__emit_obj(self, x[k].kind, x[k].h, x[k].site,
				       CLAB_HOW_BLOCK, a32);
		}
		if (i == n)
			break;
		clab_mutex_t *m = self->held[i].m;
		uint32_t depth = 1;
		for (unsigned j = 0; j < i; j++)
			depth += self->held[j].m == m;
		clab__emit_obj(self, CLAB_K_MUTEX_ACQUIRE, &m->h,
			       self->held[i].site, CLAB_HOW_BLOCK, depth);
	}
}

/* In the child: the parent's threads are gone, its trace is not ours. */
static void child_side(struct clab__thr *self, const struct clab__fork_info *fi,
		       const char *cid, uint32_t fork_tid, uint64_t sched_seed)
{
	for (struct clab__thr *t = clab__thr_all; t; t = t->next_all)
		if (t != self) {
			atomic_store(&t->live, 0);
			/* not here: its state is free once it ended
			 * (thread.c, exited()) */
			t->of_parent = 1;
		}
	atomic_store(&clab__thr_walkers, 0);
	/* a lock of its own that another thread looked at when it forked */
	clab__lk_init(&self->plk);
	clab__lk_init(&self->lk);
	self->nwake = 0;
	/* its held mutexes stay (their chains are hashed anew), and so do its
	 * reader-writer locks and permits: held_at_fork replays them */
	self->nchained = 0;
	self->ktid = (pid_t)syscall(SYS_gettid);
	clab__order_fork_child(self);
	int controlled = atomic_load(&clab__sched_on);
	clab__sched_fork_child(self, sched_seed);

	char path[4096 + 32], me[24], parent[24], tid[24], seq[24], nobjs[24];
	char sseed[24];
	const char *cpath = NULL;
	if (fi->path[0]) {
		child_path(fi->path, getpid(), path, sizeof(path));
		cpath = path;
	}
	snprintf(me, sizeof(me), "%ld", (long)getpid());
	snprintf(parent, sizeof(parent), "%ld", (long)getppid());
	snprintf(tid, sizeof(tid), "%u", fork_tid);
	snprintf(seq, sizeof(seq), "%llu", (unsigned long long)fi->seq);
	snprintf(nobjs, sizeof(nobjs), "%u", fi->nobjs);
	snprintf(sseed, sizeof(sseed), "%llu", (unsigned long long)sched_seed);
	char parent_id[ID_LEN + 1];
	strcpy(parent_id, trace_id());
	const struct clab_meta_kv meta[] = {
	    {"process.id", cid},
	    {"process.pid", me},
	    {"process.parent_pid", parent},
	    {"process.parent_trace", base_name(fi->path)},
	    {"process.parent_id", parent_id},
	    {"process.fork_thread", tid},
	    {"process.fork_seq", seq},
	    {"process.objects", nobjs},
	    /* last: left out when the fork was not under control */
	    {"process.sched_seed", sseed},
	};
	size_t nmeta = sizeof(meta) / sizeof(meta[0]) - !controlled;
	int err = clab__tracer_fork_child(self->tb, cpath, meta, nmeta);
	if (self->tb->tid != UINT32_MAX)
		self->tid = self->tb->tid;
	pthread_mutex_unlock(&clab__thr_lock);
	if (cpath && !err) {
		/* this trace's process.id, written in its header */
		memcpy(process_id, cid, sizeof(process_id));
		process_id_written = process_id_gen;
		clab__lk_lock(&self->lk);
		clab__emit_obj(self, CLAB_K_THREAD_START, &self->h, NULL, 0, 0);
		clab__lk_unlock(&self->lk);
		held_at_fork(self);
	}
	clab__watchdog_fork_child();
}

pid_t clab__fork(const struct clab_site *site)
{
	struct clab__thr *self = clab__self();
	/* under control, the fork is a step of the forking thread's */
	clab__sched_point(self, site);
	uint64_t sched_seed = clab__sched_fork_seed();
	struct clab__fork_info fi;
	char cid[ID_LEN + 1];
	new_id(cid);
	(void)trace_id();
	uint32_t fork_tid = self->tid;
	clab__watchdog_fork_prepare();
	clab__order_fork_prepare();
	pthread_mutex_lock(&clab__thr_lock);
	clab__tracer_fork_prepare(self->tb, &fi);
	pid_t pid = fork();
	if (pid == 0) {
		child_side(self, &fi, cid, fork_tid, sched_seed);
		return 0;
	}
	int err = errno;
	clab__tracer_fork_parent();
	pthread_mutex_unlock(&clab__thr_lock);
	clab__order_fork_parent();
	clab__watchdog_fork_parent();
	if (pid < 0)
		return -err;
	parent_side(site, pid, &fi, cid);
	return pid;
}

pid_t(clab_fork)(void)
{
	static const struct clab_site site = {"?", "clab_fork", "fork", 0};
	return clab__fork(&site);
}
