/*
 * Keys: thread-local values, pthread_key_t recorded (threading.local()).
 *
 * Each thread keeps its values in a list of its own (a C11 thread-local
 * array, read without a lock), one entry per key it used, found by the
 * key's object id, which is never reused within a trace: an entry of a
 * deleted key, or of an earlier trace, is never mistaken for a new key's.
 *
 * The key keeps, under its lock, the values that some thread holds, each
 * with an id (1, 2, 3... in the order they were first set) and the number
 * of threads holding it: the records name values by these ids, so that a
 * trace shows one value held by two threads, and the same id again in a
 * replay of the same schedule.  A pointer freed and allocated again once
 * no thread holds it is a new value with a new id.
 *
 * A thread that ends runs clab__key_thread_end() (runtime/thread.c), which
 * records key.end in it and runs the destructors; values that destructors
 * still set after four rounds are forgotten (key.end with no destructor).
 */
#include <stdlib.h>

#include "rt.h"
#include "clab-util.h"

/* One live value of a key (k->vals). */
struct kval {
	const void *p;
	uint32_t id;
	uint32_t refs; /* threads holding it */
};

/* A thread's value of one key. */
struct kent {
	uint32_t oid;
	uint32_t vid; /* 0 when val is NULL */
	clab_key_t *k;
	void *val;
};

/* The calling thread's values, in the trace of generation gen. */
static _Thread_local struct {
	unsigned gen;
	uint32_t n, cap;
	struct kent *e;
} mine;

/* POSIX's PTHREAD_DESTRUCTOR_ITERATIONS: rounds of destructors. */
#define DESTRUCTOR_ROUNDS 4

static struct kent *entry(const struct clab__thr *self, uint32_t oid, int add)
{
	if (mine.gen != self->gen) {
		mine.n = 0; /* an earlier trace's: none of its keys is alive */
		mine.gen = self->gen;
	}
	for (uint32_t i = 0; i < mine.n; i++)
		if (mine.e[i].oid == oid)
			return &mine.e[i];
	if (!add || CLAB__GROW(mine.e, mine.n, mine.cap) < 0)
		return NULL;
	mine.e[mine.n] = (struct kent){.oid = oid};
	return &mine.e[mine.n++];
}

/* The id of p as a value of k, one more thread holding it (k->lk held). */
static int value_ref(clab_key_t *k, const void *p, uint32_t *id)
{
	struct kval *v = k->vals;

	for (uint32_t i = 0; i < k->nvals; i++)
		if (v[i].p == p) {
			v[i].refs++;
			*id = v[i].id;
			return 0;
		}
	if (CLAB__GROW(v, k->nvals, k->capvals) < 0)
		return CLAB_ENOMEM;
	k->vals = v;
	v[k->nvals++] = (struct kval){p, ++k->nextid, 1};
	*id = k->nextid;
	return 0;
}

/* One thread fewer holds the value of this id (k->lk held). */
static void value_unref(clab_key_t *k, uint32_t id)
{
	struct kval *v = k->vals;

	for (uint32_t i = 0; i < k->nvals; i++)
		if (v[i].id == id) {
			if (--v[i].refs == 0)
				v[i] = v[--k->nvals];
			return;
		}
}

int clab__key_create(clab_key_t *k, const char *name,
		     void (*destructor)(void *), const struct clab_site *site)
{
	struct clab__thr *self = clab__self();
	int r;

	clab__sched_point(self, site);
	r = clab__obj_fresh(self, k, CLAB_O_KEY, site);
	if (r)
		return r;
	clab__lk_init(&k->lk);
	k->nset = k->nextid = k->nvals = k->capvals = 0;
	k->vals = NULL;
	k->destructor = destructor;
	r = clab__obj_init(&k->h, self, CLAB_O_KEY, name, site, 0, 0);
	return r < 0 ? r : 0;
}

int clab__key_delete(clab_key_t *k, const struct clab_site *site)
{
	struct clab__thr *self;
	void *vals;

	if (k == NULL)
		return 0;
	self = clab__self();
	clab__sched_point(self, site);
	CLAB__CHECK(self, k, CLAB_O_KEY, site);
	clab__lk_lock(&k->lk);
	if (k->nset > 0) {
		clab__diag(self, CLAB_D_KEY_IN_USE, k->h.id, k->nset, site);
		clab__lk_unlock(&k->lk);
		return CLAB_EBUSY;
	}
	clab__obj_fini(&k->h, self, site);
	vals = k->vals;
	k->vals = NULL;
	k->nvals = k->capvals = 0;
	clab__lk_unlock(&k->lk);
	free(vals);
	return 0;
}

int clab__key_set(clab_key_t *k, const void *value,
		  const struct clab_site *site)
{
	struct clab__thr *self;
	struct kent *e;
	uint32_t vid = 0;

	self = clab__self();
	clab__sched_point(self, site);
	CLAB__CHECK(self, k, CLAB_O_KEY, site);
	e = entry(self, k->h.id, value != NULL);
	if (e == NULL && value != NULL)
		return CLAB_ENOMEM;
	clab__lk_lock(&k->lk);
	if (value != NULL && value_ref(k, value, &vid) < 0) {
		clab__lk_unlock(&k->lk);
		return CLAB_ENOMEM;
	}
	if (e != NULL && e->val != NULL) {
		value_unref(k, e->vid);
		k->nset--;
	}
	if (value != NULL)
		k->nset++;
	if (e != NULL) {
		e->k = k;
		e->val = (void *)value;
		e->vid = vid;
	}
	clab__emit_obj(self, CLAB_K_KEY_SET, &k->h, site, value != NULL, vid);
	clab__lk_unlock(&k->lk);
	return 0;
}

void *clab__key_get(clab_key_t *k, const struct clab_site *site)
{
	struct clab__thr *self = clab__self();
	struct kent *e;

	if (!clab__obj_ok(self, k, CLAB_O_KEY)) {
		clab__obj_bad(self, k, CLAB_O_KEY, site);
		return NULL;
	}
	e = entry(self, k->h.id, 0);
	/* on the key, with no sequence number: no lock is taken */
	clab__emit_fast(self->tb, CLAB_K_KEY_GET, k->h.id, 0, site,
			e != NULL && e->val != NULL, e != NULL ? e->vid : 0);
	return e != NULL ? e->val : NULL;
}

/*
 * The calling thread ends: for each value it holds, key.end on the key
 * and the key's destructor, in rounds while destructors set values again.
 */
void clab__key_thread_end(struct clab__thr *self)
{
	if (mine.gen == self->gen) {
		/* a last round, with no destructor, forgets what is left */
		for (int round = 0; round <= DESTRUCTOR_ROUNDS; round++) {
			int ran = 0;

			/* mine.e may move: a destructor may set a value */
			for (uint32_t i = 0; i < mine.n; i++) {
				clab_key_t *k = mine.e[i].k;
				void *v = mine.e[i].val;
				void (*dtor)(void *);

				if (v == NULL ||
				    !clab__obj_ok(self, k, CLAB_O_KEY))
					continue;
				clab__lk_lock(&k->lk);
				value_unref(k, mine.e[i].vid);
				k->nset--;
				dtor = round < DESTRUCTOR_ROUNDS ? k->destructor
								 : NULL;
				clab__emit_obj(self, CLAB_K_KEY_END, &k->h,
					       NULL, dtor != NULL,
					       mine.e[i].vid);
				mine.e[i].val = NULL;
				mine.e[i].vid = 0;
				clab__lk_unlock(&k->lk);
				if (dtor != NULL) {
					dtor(v);
					ran = 1;
				}
			}
			if (!ran)
				break;
		}
	}
	free(mine.e);
	mine.e = NULL;
	mine.n = mine.cap = 0;
}
