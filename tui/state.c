/*
 * The viewer's state: set up from a trace and the options, and freed.
 * No terminal here, so that the unit tests can make a viewer too.
 */
#include <inttypes.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/error.h>

#include "tui-int.h"

void clab_tui_opts_init(struct clab_tui_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->at = UINT64_MAX;
	o->width = TUI_MIN_W;
	o->height = TUI_MIN_H;
	o->out = stdout;
}

void clab_tui_fini(struct tui *t)
{
	clab_rstate_destroy(&t->st);
	clab_rstate_destroy(&t->scratch);
	clab_replay_free(t->rp);
	clab_source_free(t->src);
	clab_canvas_free(&t->cv);
	free(t->lane);
	clab_lorder_fini(&t->lo);
	clab_labpic_free(t->pic);
}

/*
 * Why nobody wakes the threads of a deadlock with no wait-for cycle, a
 * few short lines (the analysis's, as `conclab analyze` says it).  Each
 * stuck object's wakers are a scan of the trace's records, so the lines
 * are made once and the analysis is not kept.
 */
int clab_tui_stuck(struct tui *t)
{
	if (t->stuck_built)
		return t->nstuck;
	struct clab_analysis an;
	t->stuck_built = -1;
	if (clab_analyze(t->tr, &an) != 0)
		return 0;
	t->stuck_built = 1;
	struct clab_stuck_obj s;
	char a[64], b[64];
	int n = 0;
#define LINE(...) snprintf(t->stuck[n++], TUI_STUCK_LEN, __VA_ARGS__)
	for (size_t i = 0; n + 5 <= TUI_STUCK_LINES &&
			   clab_analysis_stuck(t->tr, &an, i, &s) == 0;
	     i++) {
		const struct clab_blocked_at *w = s.first;
		if (!n)
			LINE("DEADLOCK: nobody wakes them");
		LINE("%s: %zu wait", clab_tui_oname(t, w->obj, a, sizeof(a)),
		     s.nwait);
		if (w->signal_seq == UINT64_MAX)
			LINE(" never signalled");
		else if (w->signal_woke == UINT32_MAX)
			LINE(" last #%" PRIu64 " T%" PRIu32 ", woke none",
			     w->signal_seq, w->signal_tid);
		else
			LINE(" last #%" PRIu64 " T%" PRIu32 " woke T%" PRIu32,
			     w->signal_seq, w->signal_tid, w->signal_woke);
		if (s.woke_since != UINT64_MAX)
			LINE(" T%" PRIu32 " waits again #%" PRIu64,
			     w->signal_woke, s.woke_since);
		if (!s.nwakers)
			continue;
		int k = snprintf(b, sizeof(b), " signallers");
		for (size_t j = 0; j < s.nwakers && j < CLAB_STUCK_WAKERS &&
				   k > 0 && (size_t)k < sizeof(b);
		     j++)
			k += snprintf(b + k, sizeof(b) - (size_t)k,
				      " T%" PRIu32, s.wakers[j]);
		LINE("%s", b);
		if (s.wakers_on && n < TUI_STUCK_LINES)
			LINE(
			    " all wait on %s",
			    s.wakers_on == w->obj
				? "it"
				: clab_tui_oname(t, s.wakers_on, a, sizeof(a)));
	}
#undef LINE
	clab_analysis_fini(&an);
	t->nstuck = n;
	return n;
}

int clab_tui_reload(struct tui *t, const struct clab_trace *tr)
{
	clab_rstate_destroy(&t->st);
	clab_rstate_destroy(&t->scratch);
	clab_replay_free(t->rp);
	t->rp = NULL;
	clab_lorder_fini(&t->lo);
	memset(&t->lo, 0, sizeof(t->lo));
	t->locks = t->locks_built = 0;
	t->stuck_built = t->nstuck = 0;
	clab_labpic_free(t->pic);
	t->pic = NULL;
	t->tr = tr;
	int err = clab_replay_new(tr, 0, &t->rp);
	if (!err)
		err = clab_rstate_init(t->rp, &t->st);
	if (!err)
		err = clab_rstate_init(t->rp, &t->scratch);
	if (!err && t->picture)
		err = clab_labpic_new(t->rp, &t->pic);
	if (err)
		return err;
	t->n = clab_replay_nrecords(t->rp);
	if (t->sel_thread >= clab_trace_nthreads(tr))
		t->sel_thread = 0;
	if (t->sel_obj > clab_trace_nobjects(tr))
		t->sel_obj = 0;
	clab_tui_goto(t, t->n ? t->n - 1 : 0);
	if (t->n)
		t->sel_thread = clab_trace_record(tr, t->cur)->tid;
	return 0;
}

int clab_tui_init(struct tui *t, const struct clab_trace *tr,
		  const struct clab_tui_opts *o)
{
	memset(t, 0, sizeof(*t));
	t->tr = tr;
	t->live = o->live;
	t->zoom = 1;
	t->speed = 3; /* 10 records a second */
	int err = clab_replay_new(tr, 0, &t->rp);
	if (err)
		return err;
	if ((err = clab_rstate_init(t->rp, &t->st)) != 0 ||
	    (err = clab_rstate_init(t->rp, &t->scratch)) != 0)
		return err;
	if (!(t->src = clab_source_new(o->dir)))
		return CLAB_ENOMEM;
	t->n = clab_replay_nrecords(t->rp);
	const char *lc = setlocale(LC_CTYPE, NULL);
	t->utf8 = !o->ascii && lc && strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	t->cv.utf8 = t->utf8;
	const char *nc = getenv("NO_COLOR");
	t->color = !o->no_color && !(nc && *nc);

	uint32_t at = 0, dl = clab_replay_deadlock(t->rp);
	if (o->deadlock && dl != CLAB_REPLAY_NONE)
		at = dl;
	else if (o->at != UINT64_MAX)
		at = o->at >= t->n ? (t->n ? t->n - 1 : 0) : (uint32_t)o->at;
	clab_tui_goto(t, at);
	if (o->deadlock && dl == CLAB_REPLAY_NONE)
		snprintf(t->msg, sizeof(t->msg), "no deadlock in this trace");
	if (clab_trace_damage(tr)) {
		snprintf(t->msg, sizeof(t->msg), "%s", clab_trace_damage(tr));
		t->msg_warn = 1;
	} else if (clab_trace_warning(tr)) {
		snprintf(t->msg, sizeof(t->msg), "%s", clab_trace_warning(tr));
		t->msg_warn = 1;
	}
	/* select the thread of the cursor's record, or the first in a cycle */
	uint32_t c[1];
	if (clab_replay_cycle(t->rp, &t->st, c, 1))
		t->sel_thread = c[0];
	else if (t->n)
		t->sel_thread = clab_trace_record(tr, t->cur)->tid;
	for (uint32_t k = 1; k <= clab_trace_nobjects(tr) && !t->sel_obj; k++)
		if (clab_trace_object(tr, k)->kind != CLAB_O_THREAD)
			t->sel_obj = k;
	if (o->demo && o->demo->n) {
		t->demo = o->demo;
		clab_tui_demo_go(t, 0);
	}
	return 0;
}
