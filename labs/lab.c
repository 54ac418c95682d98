/*
 * The lab table, parameter lookup, report helpers and the checks that every
 * lab shares.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/analyze.h>

#include "clab-kinds.h"
#include "lab.h"

/* The allow mask keeps its top bits for the CLAB_LAB_NEED_* options. */
#define CLAB__DIAG_BELOW_NEED(name, num, ...) &&(num) < 30
_Static_assert(1 CLAB_DIAG_MAP(CLAB__DIAG_BELOW_NEED),
	       "a diagnostic code collides with CLAB_LAB_NEED_CONCURRENCY");
#undef CLAB__DIAG_BELOW_NEED

const struct clab_lab *const clab_labs[] = {
    &clab_lab_philosophers, &clab_lab_prodcons,	 &clab_lab_timer,
    &clab_lab_race,	    &clab_lab_lockorder, &clab_lab_rlock,
    &clab_lab_semaphore,    &clab_lab_startup,	 &clab_lab_barrier,
    &clab_lab_stop,	    &clab_lab_pool,	 &clab_lab_actor,
    &clab_lab_rwlock,	    &clab_lab_coop,	 &clab_lab_tls,
    &clab_lab_processes,
};

const size_t clab_nlabs = sizeof(clab_labs) / sizeof(clab_labs[0]);

const char *clab_lab_topic_name(enum clab_lab_topic topic)
{
#define CLAB__LAB_TOPIC_NAME(name, heading) heading,
	static const char *const names[] = {
	    CLAB_LAB_TOPIC_MAP(CLAB__LAB_TOPIC_NAME)};
#undef CLAB__LAB_TOPIC_NAME
	return (unsigned)topic < CLAB_TOPIC_N ? names[topic] : "?";
}

const struct clab_lab *clab_lab_find(const char *name)
{
	for (size_t i = 0; i < clab_nlabs; i++)
		if (strcmp(clab_labs[i]->name, name) == 0)
			return clab_labs[i];
	return NULL;
}

int clab_lab_variant_find(const struct clab_lab *lab, const char *name)
{
	for (size_t i = 0; i < lab->nvariants; i++)
		if (strcmp(lab->variants[i].name, name) == 0)
			return (int)i;
	return -1;
}

int clab_lab_same_name(const char *a, const char *b)
{
	for (;; a++, b++) {
		char x = *a == '-' ? '_' : *a, y = *b == '-' ? '_' : *b;
		if (x != y)
			return 0;
		if (!x)
			return 1;
	}
}

int clab_lab_param_find(const struct clab_lab *lab, const char *name)
{
	for (size_t i = 0; i < lab->nparams; i++)
		if (clab_lab_same_name(lab->params[i].name, name))
			return (int)i;
	return -1;
}

long clab_lab_param_default(const struct clab_lab *lab, unsigned variant,
			    size_t param)
{
	const struct clab_lab_default *d;

	if (param >= lab->nparams)
		return 0;
	if (variant < lab->nvariants) {
		d = lab->variants[variant].defaults;
		for (; d != NULL && d->param != NULL; d++)
			if (strcmp(d->param, lab->params[param].name) == 0)
				return d->value;
	}
	return lab->params[param].def;
}

void clab_lab_ctx_init(struct clab_lab_ctx *ctx, const struct clab_lab *lab,
		       unsigned variant)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->lab = lab;
	ctx->variant = variant;
	for (size_t i = 0; i < lab->nparams && i < CLAB_LAB_MAX_PARAMS; i++)
		ctx->param[i] = clab_lab_param_default(lab, variant, i);
	ctx->seed = 1;
	ctx->out = NULL;
}

int clab_lab_ctx_from_trace(struct clab_lab_ctx *ctx,
			    const struct clab_trace *tr, const char *lab_name,
			    char *err, size_t errlen)
{
	const char *name = lab_name ? lab_name : clab_trace_meta(tr, "lab");
	if (!name) {
		snprintf(err, errlen,
			 "the trace names no lab (not made by 'conclab run'); "
			 "give one with --lab");
		return -1;
	}
	const struct clab_lab *lab = clab_lab_find(name);
	if (!lab) {
		snprintf(err, errlen, "no lab called '%s'", name);
		return -1;
	}
	const char *vname = clab_trace_meta(tr, "variant");
	int v = vname ? clab_lab_variant_find(lab, vname) : 0;
	if (v < 0) {
		snprintf(err, errlen, "%s has no variant '%s'", lab->name,
			 vname);
		return -1;
	}
	clab_lab_ctx_init(ctx, lab, (unsigned)v);
	for (size_t i = 0; i < lab->nparams && i < CLAB_LAB_MAX_PARAMS; i++) {
		char key[80];
		snprintf(key, sizeof(key), "param.%s", lab->params[i].name);
		const char *val = clab_trace_meta(tr, key);
		char *end;
		if (!val)
			continue;
		long x = strtol(val, &end, 10);
		if (end == val || *end || x < lab->params[i].min ||
		    x > lab->params[i].max) {
			snprintf(err, errlen, "the trace's %s is '%s'", key,
				 val);
			return -1;
		}
		ctx->param[i] = x;
	}
	const char *seed = clab_trace_meta(tr, "seed");
	if (seed)
		ctx->seed = strtoull(seed, NULL, 10);
	return 0;
}

long clab_lab_param(const struct clab_lab_ctx *ctx, const char *name)
{
	int i = clab_lab_param_find(ctx->lab, name);

	/* A lab asking for a parameter it does not declare gets 0. */
	if (i < 0 || i >= CLAB_LAB_MAX_PARAMS)
		return 0;
	return ctx->param[i];
}

static struct clab_lab_prop *report_new(struct clab_lab_report *rep)
{
	if (rep->n == rep->cap) {
		size_t cap = rep->cap ? 2 * rep->cap : 8;
		struct clab_lab_prop *np =
		    realloc(rep->props, cap * sizeof(*np));
		if (np == NULL)
			return NULL;
		rep->props = np;
		rep->cap = cap;
	}
	struct clab_lab_prop *p = &rep->props[rep->n++];
	memset(p, 0, sizeof(*p));
	return p;
}

static void report_vadd(struct clab_lab_report *rep, const char *name, int ok,
			uint64_t rec, int needs_end, const char *fmt,
			va_list ap)
{
	struct clab_lab_prop *p = report_new(rep);

	if (p == NULL) {
		rep->lost++; /* failed, and said so: never silently dropped */
		return;
	}
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->ok = ok;
	p->rec = rec;
	p->needs_end = needs_end != 0;
	vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
}

void clab_lab_report_add(struct clab_lab_report *rep, const char *name, int ok,
			 uint64_t rec, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_vadd(rep, name, ok, rec, 0, fmt, ap);
	va_end(ap);
}

void clab_lab_report_add_end(struct clab_lab_report *rep, const char *name,
			     int ok, uint64_t rec, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_vadd(rep, name, ok, rec, 1, fmt, ap);
	va_end(ap);
}

void clab_lab_report_info(struct clab_lab_report *rep, const char *name,
			  const char *fmt, ...)
{
	struct clab_lab_prop *p = report_new(rep);
	va_list ap;

	if (p == NULL)
		return;
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->ok = 1;
	p->info = 1;
	p->rec = UINT64_MAX;
	va_start(ap, fmt);
	vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
	va_end(ap);
}

void clab__lab_judge_end(const struct clab_trace *tr,
			 struct clab_lab_report *rep)
{
	rep->incomplete = clab_trace_incomplete(tr);
	for (size_t i = 0; rep->incomplete != NULL && i < rep->n; i++)
		rep->props[i].not_judged = rep->props[i].needs_end;
	if (rep->incomplete != NULL)
		rep->partial = 1; /* stopped: what held held on a part */
}

void clab_lab_check(const struct clab_lab_ctx *ctx, const struct clab_trace *tr,
		    struct clab_lab_report *rep)
{
	ctx->lab->check(tr, ctx, rep);
	clab__lab_judge_end(tr, rep);
}

size_t clab_lab_report_failed(const struct clab_lab_report *rep)
{
	size_t n = rep->lost;

	for (size_t i = 0; i < rep->n; i++)
		if (!rep->props[i].ok && !rep->props[i].not_judged)
			n++;
	return n;
}

void clab_lab_report_free(struct clab_lab_report *rep)
{
	if (rep == NULL)
		return;
	free(rep->props);
	rep->props = NULL;
	rep->n = rep->cap = 0;
}

/*
 * What a misuse diagnostic is about: its object (for a bad object, and
 * why it was refused), or for a bad object that is none the trace knows,
 * what the call wanted and why it was refused.
 */
static const char *misuse_object(const struct clab_trace *tr,
				 const struct clab_record *r, char *buf,
				 size_t len)
{
	if (r->obj && r->a8 == CLAB_D_BAD_OBJECT) {
		snprintf(buf, len, "%s (%s)",
			 clab_trace_object_label(tr, r->obj),
			 clab_badobj_name(r->a32 & 0xff));
		return buf;
	}
	if (r->obj)
		return clab_trace_object_label(tr, r->obj);
	if (r->a8 != CLAB_D_BAD_OBJECT)
		return "no object";
	snprintf(buf, len, "a %s that is %s",
		 clab_objkind_name(r->a32 >> 8 & 0xff),
		 clab_badobj_name(r->a32 & 0xff));
	return buf;
}

const char *clab_lab_site_text(const struct clab_trace *tr, uint32_t id,
			       char *buf, size_t len)
{
	const struct clab_site_info *si = clab_trace_site(tr, id);

	if (si == NULL || si->file == NULL) {
		snprintf(buf, len, "an unknown site");
		return buf;
	}
	snprintf(buf, len, "%s:%d", clab_site_path(si->file), si->line);
	return buf;
}

/*
 * An annotation "ended-early:CALL" (conclab exercise: the student's code
 * called exit(), pthread_exit()... before the harness finished): CALL,
 * else NULL.  Its value is the exit status, when a32 is 1.
 */
#define EARLY_LABEL "ended-early:"

/*
 * An annotation "outside:CALL:PATH" or "trace:CALL:PATH" (conclab
 * exercise: the student's code named a file outside its directory, or its
 * trace): the label, else NULL.
 */
static const char *file_label(const struct clab_trace *tr,
			      const struct clab_record *r)
{
	const struct clab_site_info *si = clab_trace_site(tr, r->site);

	if (si == NULL || si->label == NULL)
		return NULL;
	if (strncmp(si->label, "outside:", 8) == 0 ||
	    strncmp(si->label, "trace:", 6) == 0)
		return si->label;
	return NULL;
}

static const char *early_call(const struct clab_trace *tr,
			      const struct clab_record *r)
{
	const struct clab_site_info *si = clab_trace_site(tr, r->site);

	if (si == NULL || si->label == NULL ||
	    strncmp(si->label, EARLY_LABEL, strlen(EARLY_LABEL)) != 0)
		return NULL;
	return si->label + strlen(EARLY_LABEL);
}

void clab_lab_check_common(const struct clab_trace *tr,
			   struct clab_lab_report *rep)
{
	clab_lab_check_common_allow(tr, rep, 0);
}

/*
 * "no deadlock" and "lock order" from the one analysis behind every
 * report (conclab/analyze.h): the records they name are those that
 * `conclab analyze`, the viewer and `conclab export` name.
 */
/* The lines of a run with nothing to report, shared with the quick one. */
static void ok_no_deadlock(struct clab_lab_report *rep)
{
	clab_lab_report_add(rep, "no deadlock", 1, UINT64_MAX,
			    "the run ended without a deadlock");
}

static void ok_lock_order(struct clab_lab_report *rep)
{
	clab_lab_report_add(rep, "lock order", 1, UINT64_MAX,
			    "no lock-order cycle that can deadlock");
}

static void ok_no_misuse(struct clab_lab_report *rep)
{
	clab_lab_report_add(rep, "no misuse", 1, UINT64_MAX,
			    "no misuse diagnostics");
}

/*
 * What the trace says of each thread's creation, by the thread's object
 * id: made[oid].seq1 is its thread.create record's sequence number plus 1
 * (0: none seen), made[oid].site its site.
 */
struct made {
	uint64_t seq1;
	uint32_t site;
};

/*
 * The site where thread t was made, when that is inside a shared library
 * that has no line information there ("libgomp.so.1.0.0:0"): a library
 * that keeps a pool of threads of its own (OpenMP's), which idle until the
 * process exits; 0 for any other thread (made by the program, or by nobody
 * the trace saw).  Only in a trace of conclab trace, whose sites conclab
 * found from return addresses (a lab's come from the program's own site
 * structures, which could say anything).
 */
static uint32_t library_made(const struct clab_trace *tr,
			     const struct made *made, uint32_t nobjs,
			     uint32_t t)
{
	const char *cmd = clab_trace_meta(tr, "command");
	const struct clab_thread_info *ti = clab_trace_thread(tr, t);
	if (!cmd || strcmp(cmd, "trace") != 0 || !ti || ti->oid > nobjs ||
	    made[ti->oid].site == 0)
		return 0;
	const struct clab_site_info *si =
	    clab_trace_site(tr, made[ti->oid].site);
	const char *so =
	    si && si->file && si->line == 0 ? strstr(si->file, ".so") : NULL;
	return so && (so[3] == 0 || so[3] == '.') ? made[ti->oid].site : 0;
}

static void ok_threads_ended(struct clab_lab_report *rep)
{
	clab_lab_report_add_end(rep, "all threads ended", 1, UINT64_MAX,
				"every thread that started ended");
}

/*
 * elsewhere: the watchdog's last notice that every live thread waited on
 * what only another program could end (CLAB_D_STUCK_ELSEWHERE), or NULL.
 */
static void check_verdict(const struct clab_trace *tr,
			  const struct clab_analysis *made,
			  const struct clab_record *elsewhere,
			  struct clab_lab_report *rep)
{
	struct clab_analysis own;
	struct clab_verdict v;
	char sb[128];

	if (!made && clab_analyze(tr, &own) != 0) {
		clab_lab_report_add(rep, "no deadlock", 0, UINT64_MAX,
				    "out of memory");
		clab_lab_report_add(rep, "lock order", 0, UINT64_MAX,
				    "out of memory");
		return;
	}
	const struct clab_analysis *an = made ? made : &own;
	clab_analysis_verdict(tr, an, &v);
	if (v.stuck_seq == UINT64_MAX && v.incomplete != NULL && elsewhere)
		clab_lab_report_add(rep, "no deadlock", 1, elsewhere->seq,
				    "no deadlock recorded until the run "
				    "stopped, but %u thread(s) were blocked, "
				    "every live one, on what only another "
				    "program could end (the watchdog's notice)",
				    elsewhere->a32);
	else if (v.stuck_seq == UINT64_MAX && v.incomplete != NULL)
		clab_lab_report_add(rep, "no deadlock", 1, UINT64_MAX,
				    "no deadlock until the run stopped");
	else if (v.stuck_seq == UINT64_MAX)
		ok_no_deadlock(rep);
	else if (v.stuck_diag == CLAB_D_DEADLOCK)
		clab_lab_report_add(rep, "no deadlock", 0, v.stuck_seq,
				    "deadlock detected: %u thread(s) blocked "
				    "and none could wake another",
				    v.stuck_arg);
	else if (v.stuck_diag == CLAB_D_STEP_LIMIT)
		clab_lab_report_add(rep, "no deadlock", 0, v.stuck_seq,
				    "the run never ended: %u scheduling steps "
				    "without finishing (livelock or busy "
				    "waiting)",
				    v.stuck_arg);
	else
		clab_lab_report_add(rep, "no deadlock", 0, v.stuck_seq,
				    "the run hit its time limit: %s",
				    clab_diag_text(v.stuck_diag));

	/* the record that closed the cycle, or the release that ungated it */
	const struct clab_record *r =
	    v.cycle ? clab_trace_record(tr, v.cycle->seq) : NULL;
	if (r != NULL)
		clab_lab_report_add(
		    rep, "lock order", 0, r->seq,
		    "%s %s %s at %s%s (%s); 'conclab analyze' shows it whole",
		    clab_trace_thread_label(tr, r->tid),
		    r->kind == CLAB_K_SEM_RELEASE ? "released" : "requesting",
		    clab_trace_object_label(tr, r->obj),
		    clab_lab_site_text(tr, r->site, sb, sizeof(sb)),
		    r->kind == CLAB_K_SEM_RELEASE
			? " without holding a permit of it, so it no longer "
			  "keeps threads out of a lock-order cycle"
			: " closed a lock-order cycle",
		    clab_ld_class_name(v.cycle->cls));
	else if (v.nlatent != 0)
		clab_lab_report_add(rep, "lock order", 1, UINT64_MAX,
				    "no lock-order cycle that can deadlock; "
				    "%zu latent (one thread took the locks in "
				    "both orders: two running its code could "
				    "deadlock)",
				    v.nlatent);
	else
		ok_lock_order(rep);
	if (!made)
		clab_analysis_fini(&own);
}

void clab_lab_check_common_allow(const struct clab_trace *tr,
				 struct clab_lab_report *rep, unsigned allow)
{
	clab__lab_check_common(tr, NULL, rep, allow, 0);
}

void clab__lab_check_common(const struct clab_trace *tr,
			    const struct clab_analysis *an,
			    struct clab_lab_report *rep, unsigned allow,
			    int held_at_exit)
{
	size_t n = clab_trace_nrecords(tr);
	uint32_t nthr = clab_trace_nthreads(tr);
	const struct clab_record *dead = NULL, *misuse = NULL;
	const struct clab_record *elsewhere = NULL;
	const struct clab_record *early = NULL, *file = NULL;
	size_t nfile = 0;
	size_t nmisuse = 0, nallowed = 0;
	uint64_t *started; /* by thread: its start's seq + 1, ENDED, or 0 */
	const uint64_t ENDED = UINT64_MAX;
	char sb[128], ob[96];

	uint32_t nobjs = clab_trace_nobjects(tr);
	started = calloc(nthr ? nthr : 1, sizeof(*started));
	struct made *made = calloc((size_t)nobjs + 1, sizeof(*made));
	if (made == NULL) {
		free(started);
		started = NULL;
	}
	const struct clab_record *recs = clab_trace_records(tr);
	for (size_t i = 0; i < n; i++) {
		const struct clab_record *r = &recs[i];

		if (r->kind == CLAB_K_THREAD_CREATE && made != NULL &&
		    r->obj <= nobjs) {
			made[r->obj].seq1 = r->seq + 1;
			made[r->obj].site = r->site;
		}
		if (r->kind == CLAB_K_THREAD_START && r->tid < nthr &&
		    started != NULL)
			started[r->tid] = r->seq + 1;
		if (r->kind == CLAB_K_THREAD_EXIT && r->tid < nthr &&
		    started != NULL)
			started[r->tid] = ENDED;
		if (r->kind == CLAB_K_NOTE && early == NULL &&
		    early_call(tr, r) != NULL)
			early = r;
		if (r->kind == CLAB_K_NOTE && file_label(tr, r) != NULL &&
		    nfile++ == 0)
			file = r;
		if (r->kind != CLAB_K_DIAG)
			continue;
		switch (r->a8) {
		case CLAB_D_DEADLOCK:
		case CLAB_D_RUN_TIMEOUT:
		case CLAB_D_STEP_LIMIT:
		case CLAB_D_BLOCKED:
		case CLAB_D_LOCK_CYCLE:
		case CLAB_D_LOCK_CYCLE_TIMED:
		case CLAB_D_LOCK_CYCLE_LATENT:
		case CLAB_D_STUCK_ELSEWHERE:
			/*
			 * The watchdog's report and notice, and the live
			 * lock-order detector's: "no deadlock" and "lock
			 * order" judge them, from the analysis, not as misuse.
			 */
			if (r->a8 == CLAB_D_STUCK_ELSEWHERE)
				elsewhere = r;
			if (dead == NULL && (r->a8 == CLAB_D_DEADLOCK ||
					     r->a8 == CLAB_D_RUN_TIMEOUT ||
					     r->a8 == CLAB_D_STEP_LIMIT))
				dead = r; /* the run did not complete */
			break;
		default:
			if (r->a8 < 30 && (allow & (1u << r->a8))) {
				nallowed++;
				break;
			}
			if (misuse == NULL)
				misuse = r;
			nmisuse++;
			break;
		}
	}

	check_verdict(tr, an, elsewhere, rep);

	/* a bad object the trace knows: the reason, which its name hides */
	int bad_named = misuse != NULL && misuse->a8 == CLAB_D_BAD_OBJECT &&
			misuse->obj != 0;
	if (misuse == NULL && nallowed == 0)
		ok_no_misuse(rep);
	else if (misuse == NULL)
		clab_lab_report_add(rep, "no misuse", 1, UINT64_MAX,
				    "no misuse diagnostics beyond the %zu "
				    "this variant teaches",
				    nallowed);
	else
		clab_lab_report_add(
		    rep, "no misuse", 0, misuse->seq,
		    "%zu diagnostic(s); first: %s (%s%s%s) in %s "
		    "on %s at %s",
		    nmisuse, clab_diag_text(misuse->a8),
		    clab_diag_tag(misuse->a8), bad_named ? ": " : "",
		    bad_named ? clab_badobj_name(misuse->a32 & 0xff) : "",
		    clab_trace_thread_label(tr, misuse->tid),
		    misuse_object(tr, misuse, ob, sizeof(ob)),
		    clab_lab_site_text(tr, misuse->site, sb, sizeof(sb)));

	{
		size_t nleft = 0, nlib = 0, nnever = 0;
		uint32_t first = UINT32_MAX, libfirst = UINT32_MAX;
		uint32_t libsite = 0;

		/*
		 * Thread 0 opened the trace, and a child process's first
		 * thread its own: each ends after its trace does.  A thread
		 * created that never started (the process ended first) did
		 * not end either: it counts from its creation.  A thread a
		 * library made for a pool of its own is not the program's to
		 * end (library_made).
		 */
		for (uint32_t t = 1; started != NULL && t < nthr; t++) {
			const struct clab_thread_info *ti =
			    clab_trace_thread(tr, t);
			int ran = started[t] != 0;
			if (!ran && ti->oid <= nobjs)
				started[t] = made[ti->oid].seq1;
			if (started[t] == 0 || started[t] == ENDED ||
			    ti->opener)
				continue;
			uint32_t site = library_made(tr, made, nobjs, t);
			if (site != 0) {
				if (libfirst == UINT32_MAX ||
				    started[t] < started[libfirst]) {
					libfirst = t;
					libsite = site;
				}
				nlib++;
				continue;
			}
			if (first == UINT32_MAX || started[t] < started[first])
				first = t;
			nleft++;
			nnever += !ran;
		}
		if (started == NULL)
			clab_lab_report_add(rep, "all threads ended", 0,
					    UINT64_MAX, "out of memory");
		else if (nleft == 0 && nlib != 0)
			clab_lab_report_add_end(
			    rep, "all threads ended", 1, UINT64_MAX,
			    "every thread the program made ended; %zu "
			    "thread(s) a library made for a pool of its own "
			    "still ran at the end (first %s, made in %s)",
			    nlib, clab_trace_thread_label(tr, libfirst),
			    clab_trace_site(tr, libsite)->file);
		else if (nleft == 0)
			ok_threads_ended(rep);
		else if (nnever == 0)
			clab_lab_report_add_end(
			    rep, "all threads ended", 0, started[first] - 1,
			    "%zu thread(s) never ended, "
			    "first %s",
			    nleft, clab_trace_thread_label(tr, first));
		else
			clab_lab_report_add_end(
			    rep, "all threads ended", 0, started[first] - 1,
			    "%zu thread(s) never ended, %zu of them never "
			    "started, first %s",
			    nleft, nnever, clab_trace_thread_label(tr, first));
		/* a thread cut short: a crash, or the process killed */
		if (nleft != 0)
			rep->partial = 1;
	}
	free(started);
	free(made);
	if (dead != NULL || early != NULL)
		rep->partial = 1;

	/*
	 * Only a run that ended early or crashed says so: no line for the
	 * others.  A crash is judged on a run that did not end: it happened.
	 */
	if (early == NULL && clab_trace_meta(tr, CLAB_META_CRASH) != NULL)
		clab_lab_report_add(rep, "run completed", 0, UINT64_MAX,
				    "the program crashed (%s) before the run "
				    "completed",
				    clab_trace_meta(tr, CLAB_META_CRASH));
	if (early != NULL) {
		const struct clab_site_info *si =
		    clab_trace_site(tr, early->site);
		char status[32] = "";

		if (early->a32)
			snprintf(status, sizeof(status), "%lld",
				 (long long)early->val);
		clab_lab_report_add(
		    rep, "run completed", 0, early->seq,
		    "%s called %s(%s) in %s at %s before the run completed",
		    clab_trace_thread_label(tr, early->tid),
		    early_call(tr, early), status,
		    si != NULL && si->func != NULL ? si->func : "?",
		    clab_lab_site_text(tr, early->site, sb, sizeof(sb)));
	}

	/* Only a solution that named a file it should not has the line. */
	if (file != NULL) {
		const char *l = file_label(tr, file);
		const char *call = strchr(l, ':') + 1;
		const char *path = strchr(call, ':');
		const struct clab_site_info *si =
		    clab_trace_site(tr, file->site);

		clab_lab_report_add(
		    rep, "stays in its directory", 0, file->seq,
		    "%s called %.*s(\"%s\") in %s at %s, %s; %zu such call(s)",
		    clab_trace_thread_label(tr, file->tid),
		    path ? (int)(path - call) : 0, call, path ? path + 1 : "",
		    si != NULL && si->func != NULL ? si->func : "?",
		    clab_lab_site_text(tr, file->site, sb, sizeof(sb)),
		    l[0] == 't' ? "on its trace, which only conclab writes"
				: "outside its directory",
		    nfile);
	}

	clab__generic_check(tr, rep, allow & CLAB_LAB_NEED_MASK, held_at_exit);
}

int clab_generic_check_quiet(const struct clab_trace *tr, uint64_t nrecords,
			     struct clab_lab_report *rep)
{
	ok_no_deadlock(rep);
	ok_lock_order(rep);
	ok_no_misuse(rep);
	ok_threads_ended(rep);
	return clab__generic_check_quiet(tr, nrecords, rep);
}

void clab_lab_say(const struct clab_lab_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->out == NULL)
		return;
	flockfile(ctx->out);
	va_start(ap, fmt);
	vfprintf(ctx->out, fmt, ap);
	va_end(ap);
	fputc('\n', ctx->out);
	fflush(ctx->out);
	funlockfile(ctx->out);
}

const char *clab_lab_note_label(const struct clab_trace *tr,
				const struct clab_record *r)
{
	const struct clab_site_info *si;

	if (r->kind != CLAB_K_NOTE)
		return NULL;
	si = clab_trace_site(tr, r->site);
	return si != NULL ? si->label : NULL;
}

int clab_lab_is_exercise(const struct clab_trace *tr)
{
	const char *ex = clab_trace_meta(tr, "exercise");

	return ex != NULL && strcmp(ex, "1") == 0;
}

int clab_lab_harness_file(const char *file)
{
	/* the harnesses whose notes the checkers trust */
	static const char *const harness[] = {
	    "labs/exercise.c",
	    "labs/exercise-tasks.c",
	    "labs/exercise-proc.c",
	    "labs/exercise-state.c",
	};
	size_t n = file != NULL ? strlen(file) : 0;

	for (size_t i = 0; i < sizeof(harness) / sizeof(harness[0]); i++) {
		size_t h = strlen(harness[i]);
		if (n >= h && strcmp(file + n - h, harness[i]) == 0)
			return 1;
	}
	return 0;
}

const char *clab_lab_harness_label(const struct clab_trace *tr,
				   const struct clab_record *r)
{
	const struct clab_site_info *si;

	if (r->kind != CLAB_K_NOTE)
		return NULL;
	si = clab_trace_site(tr, r->site);
	if (si == NULL)
		return NULL;
	if (!clab_lab_is_exercise(tr) || clab_lab_harness_file(si->file))
		return si->label;
	return NULL;
}

/* Whether r ends a wait because its time ran out, not because of a wake. */
static int timed_out(const struct clab_record *r)
{
	const struct clab_kind_sem *ks = clab__kind_sem(r->kind);

	return ks->act == CLAB_DO_TIMEOUT ||
	       (ks->a8 == CLAB_A8_CAUSE && r->a8 == CLAB_CAUSE_TIMEOUT);
}

/* A thread between its `open` and its `close` (clab_lab_unwoken). */
struct opened {
	uint32_t tid;
	int open;  /* its `open` came before `at`, its `close` not yet */
	int state; /* CLAB_TM_RUN, CLAB_TM_SLEEP or CLAB_TM_WAIT */
};

/*
 * Whether the opened thread's first record r after `at` shows that it was
 * not woken by what happened at `at`: it slept through it, or it was in a
 * wait on a condition or an object that r ends because its time ran out.
 */
static int unwoken(const struct opened *o, const struct clab_record *r)
{
	return o->state == CLAB_TM_SLEEP ||
	       (o->state == CLAB_TM_WAIT && timed_out(r));
}

/*
 * The opened thread's state after r: asleep from a sleep on, in a wait
 * from a record that waits on a condition or blocks on an object (not a
 * lock request) until it runs again, running otherwise.
 */
static int next_state(int state, const struct clab_record *r)
{
	const struct clab_kind_sem *ks = clab__kind_sem(r->kind);

	if (ks->tmove == CLAB_TM_SLEEP)
		return CLAB_TM_SLEEP;
	if ((ks->tmove == CLAB_TM_WAIT || ks->tmove == CLAB_TM_BLOCK) &&
	    clab__kind_begins_wait(r->kind))
		return CLAB_TM_WAIT;
	if (ks->tmove == CLAB_TM_RUN || ks->tmove == CLAB_TM_DONE)
		return CLAB_TM_RUN;
	return state;
}

#define UNWOKEN_THREADS 64 /* followed at once; more are not judged */

long clab_lab_unwoken(const struct clab_trace *tr, const char *open,
		      const char *close, uint64_t at, uint64_t *first_rec,
		      uint32_t *first_tid)
{
	struct opened o[UNWOKEN_THREADS];
	size_t nrec = clab_trace_nrecords(tr), no = 0;
	long bad = 0;

	for (size_t i = 0; i < nrec; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		const char *label = clab_lab_note_label(tr, r);
		size_t k = 0;

		while (k < no && o[k].tid != r->tid)
			k++;
		if (label != NULL && strcmp(label, open) == 0 && r->seq < at) {
			if (k == no && no == UNWOKEN_THREADS)
				continue;
			if (k == no)
				no++;
			o[k] = (struct opened){
			    .tid = r->tid, .open = 1, .state = CLAB_TM_RUN};
			continue;
		}
		if (k == no || !o[k].open)
			continue;
		if (r->seq > at) {
			/* judged once, at its first record after `at` */
			o[k].open = 0;
			if (unwoken(&o[k], r) && bad++ == 0) {
				*first_rec = r->seq;
				*first_tid = r->tid;
			}
			continue;
		}
		if (label != NULL && strcmp(label, close) == 0)
			o[k].open = 0;
		else
			o[k].state = next_state(o[k].state, r);
	}
	return bad;
}

int clab_lab_thread_index(const struct clab_trace *tr, uint32_t tid,
			  const char *role, const char *prefix, long n)
{
	return (int)clab_trace_thread_role_index(tr, tid, role, prefix, n);
}
