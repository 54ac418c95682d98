/* What the trace reader's files share (reader*.c): not installed. */
#ifndef CONCLAB_READER_INT_H
#define CONCLAB_READER_INT_H

#include <stddef.h>
#include <stdint.h>

#include <conclab/kinds.h>
#include <conclab/trace.h>

#include "clab-util.h"
#include "format.h"

/*
 * One thread's records as decoded, before the merge puts them in order.
 * A large one is mapped, not malloc'd: the merge hands the pages it has
 * gone past back to the system (stream_done), so that a trace's records
 * are not held twice over at their peak, once per thread and once merged.
 * Small ones stay on the heap (a trace may have more threads than a
 * process may have mappings).
 */
struct stream {
	struct clab_record *r;
	size_t n, cap, head;
	size_t bytes;	 /* mapped, or 0: on the heap */
	size_t released; /* bytes from the start given back */
};

#define STREAM_RELEASE (1u << 20) /* give pages back a megabyte at a time */

/* An object's last sequence number in the record chunk numbered gen. */
struct olast {
	uint32_t gen, oseq;
};

/* The DIGEST chunk as read (reader-digest.c). */
struct clab__digest {
	unsigned flags;
	uint64_t records;
	uint64_t kinds[CLAB_KIND_MAX];
	uint64_t diags[256];
	uint64_t counts[CLAB_DIGEST_NCOUNTS];
	uint32_t nedges;
	uint32_t *edges;    /* from, to; from, to... */
	int waits_followed; /* the waits' section, CLAB_DIGEST_WAITS_FOLLOWED */
	uint64_t waits_ended, waits_short;
	size_t nwaiters;
	struct clab_trace_waiter *waiters;
};

struct clab_trace {
	char *damage;
	char *warning;	  /* the first record skipped, or NULL */
	uint64_t skipped; /* records skipped: they name an unknown object */
	struct clab_record *recs;
	size_t nrecs;
	struct clab_thread_info *threads;
	uint32_t nthreads, threads_cap;
	struct clab_object_info *objs;
	uint32_t nobjs, objs_cap;
	struct clab_site_info *sites;
	uint32_t nsites, sites_cap;
	struct clab_stack_info *stacks;
	uint32_t nstacks, stacks_cap;
	uint64_t stacks_lost;
	char **mkeys, **mvals;
	size_t nmeta, meta_cap;
	uint64_t drops, stalls, end_records, gaps;
	uint64_t cut; /* records past the consistent cut of an incomplete run */
	int complete;
	int unclosed;	     /* no end chunk */
	int whole;	     /* ...but every chunk read is whole and sound */
	uint32_t running;    /* threads running at the close (end.running) */
	char incomplete[64]; /* clab_trace_incomplete's text, or "" */
	uint32_t major, minor;
	int checksum; /* 1 matched, -1 did not, 0 none (before 1.2) */
	int sig;      /* a signature chunk follows the end chunk (1.4) */
	uint32_t *obj2tid;
	char *labels; /* the labels that are not names (label.h) */
	struct stream *streams;
	uint32_t nstreams, streams_cap;
	struct olast *olast; /* by object id, for the record chunk chunkgen */
	size_t olast_cap;
	uint32_t chunkgen;
	int roles; /* some object has a declared role (roles.c) */
	/*
	 * The objects the metadata renames ("name.<id>", roles.c), each its
	 * id << 32 | the index of its last such key in mkeys, by id.
	 */
	uint64_t *renamed;
	uint32_t nrenamed;
	int meta_only; /* record chunks are not decoded */
	struct clab__digest *digest;
	int digest_bad;		/* malformed, or more than one */
	int digest_last;	/* the chunk just before the end chunk */
	uint32_t prev_type;	/* the type of the chunk read last */
	struct ZSTD_DCtx_s *zd; /* zstd's decoder, while the file is read */
	/*
	 * A meta-only load keeps of the threads and objects only those the
	 * digest names (reader-defs.c): kthreads and kobjs of them, by id,
	 * in threads and objs; nthreads and nobjs count them all.
	 */
	int sparse;
	uint32_t kthreads, kobjs;
	/*
	 * Where its chunks of thread and object definitions are, found by
	 * the walk over all chunks, so that the passes that keep some go to
	 * them alone: the file's other pages, given back behind the walk,
	 * are not read in again (defs_oom: out of memory on the way).
	 */
	size_t *defs_at;
	uint32_t ndefs_at, defs_at_cap;
	int defs_oom;
	int mapped;	  /* the file is read through a mapping... */
	size_t released;  /* ...whose bytes before this are given back */
	size_t populated; /* ...and those before this mapped (reader.c) */
};

/* A mapped file's pages are given back a megabyte at a time. */
#define MAP_RELEASE (1u << 20)

/* Room for arr[n] (clab-util.h); 0, or -1. */
#define GROW(arr, n, cap) CLAB__GROW(arr, n, cap)
/* The DIGEST chunk's payload into tr (a malformed one is noted, kept out). */
void clab__trace_parse_digest(struct clab_trace *tr, struct clab_rbuf *b);
void clab__digest_free(struct clab__digest *d);

/* Note the first damage found; later ones are dropped. */
void clab__trace_set_damage(struct clab_trace *tr, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The same for the first warning (clab_trace_warning). */
void clab__trace_set_warning(struct clab_trace *tr, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A thread's stream of records (reader-merge.c) */
/* Room for need records in s; 0, or -1 when out of memory. */
int clab__stream_reserve(struct stream *s, size_t need);
void clab__stream_free(struct stream *s);

/* One entry of a THREADS or OBJECTS chunk, its name as in the file. */
struct clab__thread_def {
	uint64_t tid, oid, parent;
	const uint8_t *name;
	size_t nlen;
};
struct clab__object_def {
	uint64_t oid, param, site, tid;
	unsigned kind, flags;
	const uint8_t *name;
	size_t nlen;
};
/* Read one entry from b; 0, or -1 (b->err) when b is short. */
int clab__read_thread_def(struct clab_rbuf *b, struct clab__thread_def *d);
int clab__read_object_def(struct clab_rbuf *b, struct clab__object_def *d);
/* Whether d's fields fit, and it is object oid. */
int clab__object_def_ok(const struct clab__object_def *d, uint64_t oid);
/* t from d, named name (which t then owns). */
void clab__thread_info_set(struct clab_thread_info *t,
			   const struct clab__thread_def *d, char *name);
/* o from d, named name (which o then owns). */
void clab__object_info_set(struct clab_object_info *o,
			   const struct clab__object_def *d, char *name);
/* A name as the reader keeps it (control bytes shown as '?'), or NULL. */
char *clab__name_dup(const uint8_t *raw, size_t n);

/*
 * A meta-only load's threads and objects (reader-defs.c): of the chunks
 * at tr->defs_at, the definitions of the threads and objects its digest
 * names, with their labels as a whole load gives them.  0, or -1 when out
 * of memory.
 */
int clab__trace_keep_defs(struct clab_trace *tr, const uint8_t *p);
/* The file's bytes before off are read: give their pages back, if mapped. */
void clab__trace_release(struct clab_trace *tr, const uint8_t *p, size_t off);

/* The chunk parsers (reader-chunks.c): 0, or -1 for malformed content. */
int clab__trace_parse_meta(struct clab_trace *tr, struct clab_rbuf *b);
int clab__trace_parse_threads(struct clab_trace *tr, struct clab_rbuf *b);
int clab__trace_parse_objects(struct clab_trace *tr, struct clab_rbuf *b);
int clab__trace_parse_sites(struct clab_trace *tr, struct clab_rbuf *b);
int clab__trace_parse_stacks(struct clab_trace *tr, struct clab_rbuf *b);
/* Free what decoding the record chunks needed (the zstd decoder). */
void clab__trace_zstd_free(struct clab_trace *tr);
int clab__trace_parse_events(struct clab_trace *tr, struct clab_rbuf *b,
			     const char *name, size_t off, const char **why);
int clab__trace_parse_end(struct clab_trace *tr, struct clab_rbuf *b,
			  uint32_t crc);
/* How the run ended, once every chunk is read. */
void clab__trace_end_of_run(struct clab_trace *tr);

/* Set the declared roles on the objects (roles.c); 0, or -1. */
int clab__trace_roles(struct clab_trace *tr);

/*
 * Names given after a thread was made (clab_thread_rename, a traced
 * program's pthread_setname_np), as the metadata "name.<object id>":
 * clab__trace_names_index finds them once every chunk is read (0, or -1
 * when out of memory); clab__trace_renamed gives an object's last one, or
 * NULL; clab__trace_rename sets them on the objects and their threads of
 * a whole load (0, or -1).
 */
int clab__trace_names_index(struct clab_trace *tr);
const char *clab__trace_renamed(const struct clab_trace *tr, uint64_t oid);
int clab__trace_rename(struct clab_trace *tr);

/* Merge the streams into tr->recs (reader-merge.c); 0, or -1. */
int clab__trace_merge(struct clab_trace *tr);

#endif
