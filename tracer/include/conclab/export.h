/*
 * Exporting a trace for other tools: Chrome Trace Event JSON (Perfetto,
 * chrome://tracing) and JSON Lines (one object per record).
 *
 * The chrome export is built in two steps so that it can be tested: a model
 * (clab_export_build: the list of events in output order, each pointing back
 * at the records it came from), then its JSON text.  docs/export.md says
 * what every lane, span and arrow means.
 *
 * Both exports are a function of the trace alone: the same trace always
 * gives the same bytes.  None of these functions print; they return 0 or a
 * negative error (conclab/error.h).  A built export is immutable and may be
 * read from several threads at once.
 */
#ifndef CONCLAB_EXPORT_H
#define CONCLAB_EXPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <conclab/trace.h>

/* What an event of the chrome export shows. */
enum clab_xev_kind {
	CLAB_XEV_WAIT = 1, /* X: a thread waits (request to acquire, ...) */
	CLAB_XEV_SLEEP,	   /* X: a thread sleeps */
	CLAB_XEV_HOLD,	   /* b/e: a thread holds a mutex (async, per mutex) */
	CLAB_XEV_NOTE,	   /* i: an annotation */
	CLAB_XEV_DIAG,	   /* i: a diagnostic */
	CLAB_XEV_SIGNAL,   /* i: cond signal or broadcast, latch set */
	CLAB_XEV_MARK,	   /* X of no duration: where an arrow starts or ends */
	CLAB_XEV_FLOW,	   /* s/f: an arrow from a cause to its effect */
};

/* What an arrow links (the "cat" of both of its ends). */
enum clab_xflow {
	CLAB_XFLOW_LOCK = 1, /* mutex release -> the waiter's acquire */
	CLAB_XFLOW_SIGNAL,   /* cond signal/broadcast, latch set -> wake */
	CLAB_XFLOW_SEM,	     /* sem release -> a waiting thread's acquire */
	CLAB_XFLOW_JOIN,     /* thread exit -> the joiner's join */
};

#define CLAB_XSEQ_NONE UINT64_MAX

/*
 * One event of the chrome export.  A hold is one model event that is
 * written as a 'b' and an 'e'; every other event is written as one JSON
 * object with this ph.  Times are nanoseconds since the trace started.
 */
struct clab_xevent {
	uint64_t ts;
	uint64_t dur; /* X and holds; 0 for the rest */
	uint64_t seq; /* the record it comes from (spans: where it begins) */
	uint64_t
	    end_seq;  /* spans: the record that ends it, or CLAB_XSEQ_NONE */
	uint64_t id;  /* flows: the arrow's id; holds: the mutex's object */
	uint32_t tid; /* the conclab thread (lane); the JSON tid is tid+1 */
	uint32_t obj; /* the object, 0 for none */
	uint8_t kind; /* enum clab_xev_kind */
	uint8_t flow; /* flows and marks: enum clab_xflow */
	char ph;      /* 'X', 'H' (a hold: 'b' then 'e'), 'i', 's', 'f' */
	uint8_t unfinished; /* a span still open when the trace ended */
};

struct clab_export;

/*
 * clab_export_build - the chrome model of a trace.
 * Returns 0 and sets *out, or CLAB_ENOMEM.  Free it with clab_export_free.
 */
int clab_export_build(const struct clab_trace *tr, struct clab_export **out);

/* clab_export_free - release a model.  Accepts NULL. */
void clab_export_free(struct clab_export *x);

/* Events in output order (by time; see docs/export.md). */
size_t clab_export_nevents(const struct clab_export *x);
const struct clab_xevent *clab_export_event(const struct clab_export *x,
					    size_t i);

/*
 * clab_export_event_name - the event's "name" ("wait fork-3", "eat 2"),
 * written to buf like snprintf.  Returns buf.
 */
const char *clab_export_event_name(const struct clab_export *x,
				   const struct clab_xevent *ev, char *buf,
				   size_t len);

/* The "cat" of an event: "wait", "sleep", "lock", "note", ... */
const char *clab_export_event_cat(const struct clab_xevent *ev);

/*
 * clab_export_write_chrome - the model as one Chrome Trace Event JSON
 * object.  Returns 0, or CLAB_EIO if writing failed.
 */
int clab_export_write_chrome(const struct clab_export *x, FILE *out);

/* clab_export_chrome - build, write and free.  0, CLAB_ENOMEM or CLAB_EIO. */
int clab_export_chrome(const struct clab_trace *tr, FILE *out);

/*
 * clab_export_jsonl - a header line, then one JSON object per record.
 * Returns 0, or CLAB_EIO if writing failed.
 */
int clab_export_jsonl(const struct clab_trace *tr, FILE *out);

/* What a check found in a valid export. */
struct clab_export_check {
	size_t events;	   /* chrome: traceEvents; jsonl: lines */
	size_t slices;	   /* X events */
	size_t asyncs;	   /* b/e pairs */
	size_t instants;   /* i events */
	size_t flows;	   /* s/f pairs */
	size_t unfinished; /* events whose args say "unfinished": true */
	size_t threads;	   /* thread_name metadata events */
	size_t records;	   /* jsonl: record lines */
};

/*
 * clab_export_check_chrome - whether text is strict JSON and a trace that
 * Perfetto imports without dropping anything (the rules are listed in
 * docs/export.md).  Returns 0 and fills *st (may be NULL); CLAB_EBADMSG with
 * the first problem, and its byte offset or event index, in err; or
 * CLAB_ENOMEM.  Works on any Chrome JSON, not only conclab's.
 */
int clab_export_check_chrome(const char *text, size_t len,
			     struct clab_export_check *st, char *err,
			     size_t errlen);

/*
 * clab_export_check_jsonl - whether every line of text is one strict JSON
 * object, the first a conclab header ("type": "trace") and the others
 * records numbered from 0 ("seq").  Same returns as above.
 */
int clab_export_check_jsonl(const char *text, size_t len,
			    struct clab_export_check *st, char *err,
			    size_t errlen);

/*
 * clab_json_str - write s (NULL: "") as a JSON string: quotes, backslashes
 * and control bytes escaped, bytes that are not UTF-8 replaced by U+FFFD,
 * so that the output is valid JSON whatever a name, path or label holds.
 * Every JSON conclab writes goes through it.
 */
void clab_json_str(FILE *f, const char *s);

#endif
