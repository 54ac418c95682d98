/*
 * The lab table, parameter lookup, report helpers and the checks that every
 * lab shares.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"

/* The allow mask keeps its top bits for the CLAB_LAB_NEED_* options. */
#define CLAB__DIAG_BELOW_NEED(name, num, tag, text) &&(num) < 31
_Static_assert(1 CLAB_DIAG_MAP(CLAB__DIAG_BELOW_NEED),
	       "a diagnostic code collides with CLAB_LAB_NEED_CONCURRENCY");
#undef CLAB__DIAG_BELOW_NEED

const struct clab_lab *const clab_labs[] = {
    &clab_lab_philosophers, &clab_lab_prodcons,	 &clab_lab_timer,
    &clab_lab_race,	    &clab_lab_lockorder, &clab_lab_rlock,
    &clab_lab_semaphore,    &clab_lab_startup,	 &clab_lab_barrier,
    &clab_lab_stop,
};

const size_t clab_nlabs = sizeof(clab_labs) / sizeof(clab_labs[0]);

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

int clab_lab_param_find(const struct clab_lab *lab, const char *name)
{
	for (size_t i = 0; i < lab->nparams; i++)
		if (strcmp(lab->params[i].name, name) == 0)
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

void clab_lab_report_add(struct clab_lab_report *rep, const char *name, int ok,
			 uint64_t rec, const char *fmt, ...)
{
	struct clab_lab_prop *p;
	va_list ap;

	if (rep->n == rep->cap) {
		size_t cap = rep->cap ? 2 * rep->cap : 8;
		struct clab_lab_prop *np =
		    realloc(rep->props, cap * sizeof(*np));
		if (np == NULL)
			return;
		rep->props = np;
		rep->cap = cap;
	}
	p = &rep->props[rep->n++];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->ok = ok;
	p->rec = rec;
	va_start(ap, fmt);
	vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
	va_end(ap);
}

size_t clab_lab_report_failed(const struct clab_lab_report *rep)
{
	size_t n = 0;

	for (size_t i = 0; i < rep->n; i++)
		if (!rep->props[i].ok)
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

static const char *site_text(const struct clab_trace *tr, uint32_t id,
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

void clab_lab_check_common_allow(const struct clab_trace *tr,
				 struct clab_lab_report *rep, unsigned allow)
{
	size_t n = clab_trace_nrecords(tr);
	uint32_t nthr = clab_trace_nthreads(tr);
	const struct clab_record *dead = NULL, *misuse = NULL, *cycle = NULL;
	const struct clab_record *early = NULL;
	size_t ncycles_allowed = 0;
	size_t nmisuse = 0, nallowed = 0;
	uint64_t *started;
	char sb[128], ob[96];

	started = calloc(nthr ? nthr : 1, sizeof(*started));
	for (size_t i = 0; i < n; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);

		if (r->kind == CLAB_K_THREAD_START && r->tid < nthr &&
		    started != NULL)
			started[r->tid] = r->seq + 1;
		if (r->kind == CLAB_K_THREAD_EXIT && r->tid < nthr &&
		    started != NULL)
			started[r->tid] = 0;
		if (r->kind == CLAB_K_NOTE && early == NULL &&
		    early_call(tr, r) != NULL)
			early = r;
		if (r->kind != CLAB_K_DIAG)
			continue;
		switch (r->a8) {
		case CLAB_D_DEADLOCK:
		case CLAB_D_RUN_TIMEOUT:
		case CLAB_D_STEP_LIMIT:
			if (dead == NULL)
				dead = r;
			break;
		case CLAB_D_BLOCKED:
			/* part of a deadlock report, not a misuse */
			break;
		case CLAB_D_LOCK_CYCLE:
		case CLAB_D_LOCK_CYCLE_TIMED:
		case CLAB_D_LOCK_CYCLE_LATENT:
			/* the lock-order detector: its own property */
			if (r->a8 < 31 && (allow & (1u << r->a8)))
				ncycles_allowed++;
			else if (cycle == NULL)
				cycle = r;
			break;
		default:
			if (r->a8 < 31 && (allow & (1u << r->a8))) {
				nallowed++;
				break;
			}
			if (misuse == NULL)
				misuse = r;
			nmisuse++;
			break;
		}
	}

	if (dead == NULL)
		clab_lab_report_add(rep, "no deadlock", 1, UINT64_MAX,
				    "the run ended without a deadlock");
	else if (dead->a8 == CLAB_D_DEADLOCK)
		clab_lab_report_add(rep, "no deadlock", 0, dead->seq,
				    "deadlock detected: %u thread(s) blocked "
				    "and none could wake another",
				    dead->a32);
	else if (dead->a8 == CLAB_D_STEP_LIMIT)
		clab_lab_report_add(rep, "no deadlock", 0, dead->seq,
				    "the run never ended: %u scheduling steps "
				    "without finishing (livelock or busy "
				    "waiting)",
				    dead->a32);
	else
		clab_lab_report_add(rep, "no deadlock", 0, dead->seq,
				    "the run hit its time limit: %s",
				    clab_diag_text(dead->a8));

	const struct clab_object_info *co =
	    cycle ? clab_trace_object(tr, cycle->obj) : NULL;
	if (co != NULL && co->kind == CLAB_O_SEM)
		clab_lab_report_add(
		    rep, "lock order", 0, cycle->seq,
		    "%s released %s at %s without holding a permit of it, so "
		    "it no longer keeps threads out of a lock-order cycle "
		    "(%s); 'conclab analyze' shows it whole",
		    clab_trace_thread_label(tr, cycle->tid),
		    clab_trace_object_label(tr, cycle->obj),
		    site_text(tr, cycle->site, sb, sizeof(sb)),
		    clab_diag_tag(cycle->a8));
	else if (cycle != NULL)
		clab_lab_report_add(
		    rep, "lock order", 0, cycle->seq,
		    "%s requesting %s at %s closed a lock-order cycle (%s); "
		    "'conclab analyze' shows it whole",
		    clab_trace_thread_label(tr, cycle->tid),
		    clab_trace_object_label(tr, cycle->obj),
		    site_text(tr, cycle->site, sb, sizeof(sb)),
		    clab_diag_tag(cycle->a8));
	else if (ncycles_allowed)
		clab_lab_report_add(rep, "lock order", 1, UINT64_MAX,
				    "a lock-order cycle that this variant "
				    "keeps from deadlocking another way");
	else
		clab_lab_report_add(rep, "lock order", 1, UINT64_MAX,
				    "no lock-order cycle that can deadlock");

	if (misuse == NULL && nallowed == 0)
		clab_lab_report_add(rep, "no misuse", 1, UINT64_MAX,
				    "no misuse diagnostics");
	else if (misuse == NULL)
		clab_lab_report_add(rep, "no misuse", 1, UINT64_MAX,
				    "no misuse diagnostics beyond the %zu "
				    "this variant teaches",
				    nallowed);
	else
		clab_lab_report_add(
		    rep, "no misuse", 0, misuse->seq,
		    "%zu diagnostic(s); first: %s (%s) in %s "
		    "on %s at %s",
		    nmisuse, clab_diag_text(misuse->a8),
		    clab_diag_tag(misuse->a8),
		    clab_trace_thread_label(tr, misuse->tid),
		    misuse_object(tr, misuse, ob, sizeof(ob)),
		    site_text(tr, misuse->site, sb, sizeof(sb)));

	{
		size_t nleft = 0;
		uint32_t first = UINT32_MAX;

		/* Thread 0 opened the trace; it ends after the trace does. */
		for (uint32_t t = 1; started != NULL && t < nthr; t++)
			if (started[t] != 0) {
				if (first == UINT32_MAX ||
				    started[t] < started[first])
					first = t;
				nleft++;
			}
		if (started == NULL)
			clab_lab_report_add(rep, "all threads ended", 0,
					    UINT64_MAX, "out of memory");
		else if (nleft == 0)
			clab_lab_report_add(rep, "all threads ended", 1,
					    UINT64_MAX,
					    "every thread that started ended");
		else
			clab_lab_report_add(
			    rep, "all threads ended", 0, started[first] - 1,
			    "%zu thread(s) never ended, "
			    "first %s",
			    nleft, clab_trace_thread_label(tr, first));
	}
	free(started);

	/* Only a run that ended early says so: no line for the others. */
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
		    site_text(tr, early->site, sb, sizeof(sb)));
	}

	clab_generic_check(tr, rep, allow & CLAB_LAB_NEED_MASK);
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
