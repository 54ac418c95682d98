/*
 * mkwidetrace FILE [MUTEXES] [ROUNDS] [THREADS]: record a trace whose
 * record chunks each touch many objects, for measuring the reader
 * (`/usr/bin/time -v conclab check FILE`).  Each thread owns a slice of
 * the mutexes and, ROUNDS times over, locks and unlocks every mutex of
 * its slice in turn.  The default, 2,000 mutexes locked 300 times each by
 * one thread, is the trace of issue 16 ("checks in under 5 s").
 */
#include <stdio.h>
#include <stdlib.h>

#include <conclab/runtime.h>
#include <conclab/tracer.h>

struct slice {
	clab_mutex_t *m;
	long n, rounds;
};

static void *work(void *arg)
{
	struct slice *s = arg;
	for (long r = 0; r < s->rounds; r++)
		for (long i = 0; i < s->n; i++) {
			clab_mutex_lock(&s->m[i]);
			clab_mutex_unlock(&s->m[i]);
		}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(
		    stderr,
		    "usage: mkwidetrace FILE [MUTEXES] [ROUNDS] [THREADS]\n");
		return 2;
	}
	long nm = argc > 2 ? atol(argv[2]) : 2000;
	long rounds = argc > 3 ? atol(argv[3]) : 300;
	long nt = argc > 4 ? atol(argv[4]) : 1;
	if (nm < 1 || nm > 1000000 || rounds < 1 || nt < 1 || nt > 64 ||
	    nt > nm) {
		fprintf(stderr, "mkwidetrace: bad arguments\n");
		return 2;
	}
	struct clab_meta_kv meta[] = {{"lab", "philosophers"},
				      {"variant", "ordered"}};
	struct clab_tracer_opts o = {
	    .path = argv[1], .meta = meta, .nmeta = 2, .compress = -1};
	int err = clab_tracer_open(&o);
	if (err) {
		fprintf(stderr, "mkwidetrace: %s\n", clab_strerror(err));
		return 1;
	}
	clab_thread_self();
	clab_mutex_t *m = calloc((size_t)nm, sizeof(*m));
	struct slice s[64];
	clab_thread_t *th[64];
	if (!m) {
		fprintf(stderr, "mkwidetrace: out of memory\n");
		return 1;
	}
	for (long i = 0; i < nm; i++) {
		char name[32];
		snprintf(name, sizeof(name), "m%ld", i);
		clab_mutex_init(&m[i], name, CLAB_MUTEX_NORMAL);
	}
	for (long t = 0; t < nt; t++) {
		s[t].m = m + nm * t / nt;
		s[t].n = nm * (t + 1) / nt - nm * t / nt;
		s[t].rounds = rounds;
	}
	if (nt == 1) {
		work(&s[0]);
	} else {
		for (long t = 0; t < nt; t++) {
			char name[16];
			snprintf(name, sizeof(name), "worker-%ld", t);
			clab_thread_create(&th[t], name, work, &s[t]);
		}
		for (long t = 0; t < nt; t++)
			clab_thread_join(th[t], NULL);
	}
	for (long i = 0; i < nm; i++)
		clab_mutex_destroy(&m[i]);
	free(m);
	struct clab_tracer_stats st;
	err = clab_tracer_close(&st);
	if (err) {
		fprintf(stderr, "mkwidetrace: %s\n", clab_strerror(err));
		return 1;
	}
	return 0;
}
