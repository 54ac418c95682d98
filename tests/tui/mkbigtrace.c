/*
 * mkbigtrace FILE [RECORDS] [THREADS]: record a big trace quickly, for
 * measuring the viewer (`conclab replay --bench FILE`).  Each thread
 * locks and unlocks its own mutex and, every 64 rounds, a shared one, so
 * the trace has contention, waits and many objects' records.
 */
#include <stdio.h>
#include <stdlib.h>

#include <conclab/runtime.h>
#include <conclab/tracer.h>

static clab_mutex_t shared;
static long rounds;

struct worker {
	clab_mutex_t own;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	for (long i = 0; i < rounds; i++) {
		clab_mutex_t *m = i % 64 == 0 ? &shared : &w->own;
		clab_mutex_lock(m);
		clab_mutex_unlock(m);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: mkbigtrace FILE [RECORDS] [THREADS]\n");
		return 2;
	}
	long records = argc > 2 ? atol(argv[2]) : 10000000;
	int nt = argc > 3 ? atoi(argv[3]) : 4;
	if (nt < 1 || nt > 64 || records < 1) {
		fprintf(stderr, "mkbigtrace: bad arguments\n");
		return 2;
	}
	rounds = records / 2 / nt;
	struct clab_meta_kv meta[] = {{"lab", "bigtrace"},
				      {"variant", "mutex"}};
	struct clab_tracer_opts o = {
	    .path = argv[1], .meta = meta, .nmeta = 2, .compress = -1};
	int err = clab_tracer_open(&o);
	if (err) {
		fprintf(stderr, "mkbigtrace: %s\n", clab_strerror(err));
		return 1;
	}
	clab_thread_self();
	clab_mutex_init(&shared, "shared", CLAB_MUTEX_NORMAL);
	struct worker w[64];
	clab_thread_t *th[64];
	for (int i = 0; i < nt; i++) {
		char name[16];
		snprintf(name, sizeof(name), "own-%d", i);
		clab_mutex_init(&w[i].own, name, CLAB_MUTEX_NORMAL);
		snprintf(name, sizeof(name), "worker-%d", i);
		clab_thread_create(&th[i], name, work, &w[i]);
	}
	for (int i = 0; i < nt; i++)
		clab_thread_join(th[i], NULL);
	struct clab_tracer_stats st;
	err = clab_tracer_close(&st);
	if (err) {
		fprintf(stderr, "mkbigtrace: %s\n", clab_strerror(err));
		return 1;
	}
	return 0;
}
