/*
 * The views and the layout: status line, thread lanes, record log, the
 * info lines at the bottom, the help overlay, and "terminal too small".
 * Each view draws into a rectangle of the canvas; nothing here knows
 * about curses.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/semantics.h>

#include "tui-int.h"

#define LABEL_W 11 /* "T1 phil-0  " */
#define STATE_W 16 /* the lanes' state column */

/* ---- names and record lines ---- */

const char *clab_tui_tname(const struct tui *t, uint32_t tid, char *buf,
			   size_t len)
{
	const struct clab_thread_info *ti = clab_trace_thread(t->tr, tid);
	snprintf(buf, len, "T%" PRIu32 " %s", tid, ti ? ti->name : "?");
	return buf;
}

const char *clab_tui_oname(const struct tui *t, uint32_t oid, char *buf,
			   size_t len)
{
	const struct clab_object_info *oi = clab_trace_object(t->tr, oid);
	uint32_t tid = clab_trace_thread_of_obj(t->tr, oid);
	if (oi && oi->kind == CLAB_O_THREAD && tid != UINT32_MAX)
		snprintf(buf, len, "T%" PRIu32, tid);
	else if (oi && oi->name && *oi->name)
		snprintf(buf, len, "%s", oi->name);
	else
		snprintf(buf, len, "#%" PRIu32, oid);
	return buf;
}

static const char *a8_text(unsigned kind, unsigned a8, char *buf, size_t len)
{
	const char *text = clab_kind_a8_text(kind, a8);
	if (text)
		return text;
	snprintf(buf, len, "%u", a8);
	return buf;
}

void clab_tui_format(const struct tui *t, uint32_t i, char *buf, size_t len)
{
	const struct clab_record *r = clab_trace_record(t->tr, i);
	const struct clab_site_info *si = clab_trace_site(t->tr, r->site);
	unsigned f = clab_kind_fields(r->kind);
	const struct clab_kind_sem *sem = clab_kind_sem(r->kind);
	char obj[64] = "", x[64], y[64];
	size_t n;

	if (f & CLAB_F_OBJ && r->obj)
		clab_tui_oname(t, r->obj, obj, sizeof(obj));
	n = (size_t)snprintf(buf, len, "T%-2" PRIu32 " %s%s%s", r->tid,
			     clab_kind_name(r->kind), *obj ? " " : "", obj);
#define ARG(...)                                                               \
	do {                                                                   \
		if (n < len)                                                   \
			n += (size_t)snprintf(buf + n, len - n, __VA_ARGS__);  \
	} while (0)
	if (sem->act == CLAB_DO_NOTE) {
		ARG(" %s=%" PRId64, si && si->label ? si->label : "?", r->val);
		if (r->a32)
			ARG(" %" PRIu32, r->a32);
	} else if (sem->act == CLAB_DO_DIAG) {
		ARG(" %s", clab_diag_tag(r->a8));
		unsigned dd = clab_diag_detail(r->a8);
		if (dd == CLAB_DD_OBJECT)
			ARG(" %s=%s", clab_diag_detail_name(r->a8),
			    clab_tui_oname(t, r->a32, x, sizeof(x)));
		else if (dd == CLAB_DD_BADOBJ)
			ARG(" %s %s", clab_badobj_name(r->a32 & 0xff),
			    clab_objkind_name(r->a32 >> 8 & 0xff));
		else if (r->a32)
			ARG(" %" PRIu32, r->a32);
	} else {
		/* a blocking how and an untimed wait go without saying */
		if (f & CLAB_F_A8 &&
		    !(r->a8 == 0 &&
		      (sem->a8 == CLAB_A8_HOW || sem->a8 == CLAB_A8_TIMED)))
			ARG(" %s=%s", clab_kind_a8name(r->kind),
			    a8_text(r->kind, r->a8, y, sizeof(y)));
		if (f & CLAB_F_A32) {
			const char *an = clab_kind_a32name(r->kind);
			if (sem->a32 == CLAB_A32_OBJECT)
				ARG(" %s=%s", an,
				    clab_tui_oname(t, r->a32, x, sizeof(x)));
			else
				ARG(" %s%s%" PRIu32, an, *an ? "=" : "",
				    r->a32);
		}
	}
#undef ARG
}

const char *clab_tui_site(const struct tui *t, uint32_t site, char *buf,
			  size_t len)
{
	const struct clab_site_info *si = clab_trace_site(t->tr, site);
	if (!si || !si->file) {
		buf[0] = 0;
		return buf;
	}
	const char *base = strrchr(si->file, '/');
	snprintf(buf, len, "%s:%d", base ? base + 1 : si->file, si->line);
	return buf;
}

static const char *site_text(const struct tui *t, uint32_t i, char *buf,
			     size_t len)
{
	const struct clab_record *r = clab_trace_record(t->tr, i);
	const struct clab_site_info *si = clab_trace_site(t->tr, r->site);
	if (!si || !si->file) {
		buf[0] = 0;
		return buf;
	}
	const char *base = strrchr(si->file, '/');
	snprintf(buf, len, "%s:%d", base ? base + 1 : si->file, si->line);
	return buf;
}

/* ---- lanes ---- */

uint32_t clab_tui_glyph(const struct tui *t, const struct clab_rthread *th,
			unsigned *role)
{
	int u = t->cv.utf8;
	switch (th->st) {
	case CLAB_TS_RUN:
		*role = th->nheld ? CV_HOLD : CV_RUN;
		return th->nheld ? (u ? 0x2501 : '=') : (u ? 0x2500 : '-');
	case CLAB_TS_REQ:
		*role = CV_REQ;
		return 'r';
	case CLAB_TS_WAIT:
		*role = CV_WAIT;
		return 'w';
	case CLAB_TS_BLOCK:
		*role = CV_BLOCK;
		return 'b';
	case CLAB_TS_SLEEP:
		*role = CV_SLEEP;
		return 's';
	case CLAB_TS_DONE:
		*role = CV_DONE;
		return u ? 0xb7 : '.';
	default:
		*role = CV_DIM;
		return ' ';
	}
}

/* What a thread does at the cursor, in words, for the state column. */
static void state_words(const struct tui *t, uint32_t tid, char *buf,
			size_t len)
{
	const struct clab_rthread *th = &t->st.th[tid];
	char o[48];
	uint32_t h[1];
	switch (th->st) {
	case CLAB_TS_RUN:
		if (clab_replay_held(t->rp, &t->st, tid, h, 1))
			snprintf(buf, len, "holds %s",
				 clab_tui_oname(t, h[0], o, sizeof(o)));
		else
			snprintf(buf, len, "running");
		return;
	case CLAB_TS_REQ:
	case CLAB_TS_WAIT:
	case CLAB_TS_BLOCK:
		snprintf(buf, len, "%s %s",
			 th->st == CLAB_TS_REQ	  ? "wants"
			 : th->st == CLAB_TS_WAIT ? "waits"
						  : "blocked",
			 clab_tui_oname(t, th->obj, o, sizeof(o)));
		return;
	default:
		snprintf(buf, len, "%s",
			 th->st == CLAB_TS_NONE ? ""
						: clab_tstate_name(th->st));
	}
}

enum { L_STATE = 0x0f, L_HOLD = 0x10, L_ACT = 0x20, L_VALID = 0x40 };

static uint8_t lane_code(const struct clab_rthread *th, int acted)
{
	return (uint8_t)((th->st & L_STATE) | (th->nheld ? L_HOLD : 0) |
			 (acted ? L_ACT : 0) | L_VALID);
}

/* Fill t->lane[tid * lw + c] for the lw columns from column c0. */
static void lanes_fill(struct tui *t, uint32_t c0, int lw)
{
	uint32_t nt = clab_trace_nthreads(t->tr), z = t->zoom;
	memset(t->lane, 0, (size_t)nt * lw);
	if ((uint64_t)lw * z <= 65536) {
		clab_replay_seek(t->rp, &t->scratch, c0 * z);
		for (int c = 0; c < lw; c++) {
			uint64_t end = (uint64_t)(c0 + c + 1) * z;
			if ((uint64_t)(c0 + c) * z >= t->n)
				break;
			if (end > t->n)
				end = t->n;
			uint32_t actor = UINT32_MAX;
			while (t->scratch.at < end) {
				actor = clab_trace_record(t->tr, t->scratch.at)
					    ->tid;
				clab_replay_step(t->rp, &t->scratch);
			}
			for (uint32_t k = 0; k < nt; k++)
				t->lane[k * lw + c] = lane_code(
				    &t->scratch.th[k], z == 1 && k == actor);
		}
		return;
	}
	for (int c = 0; c < lw; c++) {
		uint64_t end = (uint64_t)(c0 + c + 1) * z;
		if ((uint64_t)(c0 + c) * z >= t->n)
			break;
		clab_replay_seek(t->rp, &t->scratch,
				 end > t->n ? t->n : (uint32_t)end);
		for (uint32_t k = 0; k < nt; k++)
			t->lane[k * lw + c] = lane_code(&t->scratch.th[k], 0);
	}
}

/* Where the lanes' parts are in r: drawing and the mouse share it. */
struct lanes_geom {
	int sw, lw;	/* the state column's and the lanes' widths */
	uint32_t z, c0; /* records a column; the first column shown */
	int curcol;	/* the cursor's column */
	uint32_t first; /* the first thread shown */
	int rows;	/* thread rows */
};

/* 0, or -1 when r has no room for lanes. */
static int lanes_geom(const struct tui *t, struct tui_rect r,
		      struct lanes_geom *g)
{
	uint32_t nt = clab_trace_nthreads(t->tr);
	g->sw = r.w >= 60 ? STATE_W : 0;
	g->lw = r.w - LABEL_W - g->sw - (g->sw ? 1 : 0);
	if (g->lw < 1 || r.h < 2)
		return -1;
	uint32_t lw = (uint32_t)g->lw;
	uint32_t z = t->zoom, total = (t->n + z - 1) / z, cc = t->cur / z;
	uint32_t c0 = cc > lw / 2 ? cc - lw / 2 : 0;
	if (total > lw && c0 > total - lw)
		c0 = total - lw;
	if (total <= lw)
		c0 = 0;
	g->z = z;
	g->c0 = c0;
	g->curcol = (int)(cc - c0);
	g->rows = r.h - 1;
	g->first = 0;
	if (nt > (uint32_t)g->rows && t->sel_thread >= (uint32_t)g->rows / 2)
		g->first = t->sel_thread - (uint32_t)g->rows / 2;
	if (nt > (uint32_t)g->rows && g->first > nt - (uint32_t)g->rows)
		g->first = nt - (uint32_t)g->rows;
	return 0;
}

static void draw_lanes(struct tui *t, struct tui_rect r, int focused)
{
	struct clab_canvas *cv = &t->cv;
	uint32_t nt = clab_trace_nthreads(t->tr);
	struct lanes_geom g;
	if (lanes_geom(t, r, &g))
		return;
	int sw = g.sw, lw = g.lw, curcol = g.curcol;
	uint32_t z = g.z;
	if ((size_t)nt * lw > t->lane_cap) {
		uint8_t *p = realloc(t->lane, (size_t)nt * lw);
		if (!p)
			return;
		t->lane = p;
		t->lane_cap = (size_t)nt * lw;
	}
	lanes_fill(t, g.c0, lw);

	/* title row: a ruler with the cursor's record over its column */
	unsigned trole = focused ? CV_FOCUS : CV_TITLE;
	clab_canvas_fill(cv, r.y, r.x, r.w, 1, trole);
	clab_canvas_puts(cv, r.y, r.x, LABEL_W, trole, 0, "Threads");
	clab_canvas_hline(cv, r.y, r.x + LABEL_W, lw, trole);
	char num[48];
	if (z == 1)
		snprintf(num, sizeof(num), "#%" PRIu32, t->cur);
	else
		snprintf(num, sizeof(num), "#%" PRIu32 " (%" PRIu32 "/col)",
			 t->cur, z);
	int nl = (int)strlen(num);
	int nx = curcol + 1 + nl <= lw ? curcol + 1 : curcol - nl;
	clab_canvas_puts(cv, r.y, r.x + LABEL_W + nx, nl, trole, 0, num);
	clab_canvas_putc(cv, r.y, r.x + LABEL_W + curcol, 'v', trole, 0);
	if (sw)
		clab_canvas_puts(cv, r.y, r.x + r.w - sw, sw, trole, 0,
				 "at the cursor");

	int rows = g.rows;
	uint32_t first = g.first;
	for (int row = 0; row < rows && first + row < nt; row++) {
		uint32_t tid = first + (uint32_t)row;
		int y = r.y + 1 + row;
		char name[64], words[64];
		int sel = tid == t->sel_thread;
		clab_tui_tname(t, tid, name, sizeof(name));
		clab_canvas_putc(cv, y, r.x, sel ? '>' : ' ', CV_NORMAL,
				 sel ? CV_BOLD : 0);
		clab_canvas_puts(cv, y, r.x + 1, LABEL_W - 2, CV_NORMAL,
				 sel ? CV_BOLD : 0, name);
		for (int c = 0; c < lw; c++) {
			uint8_t code = t->lane[tid * lw + c];
			unsigned role = CV_DIM, attr = 0;
			uint32_t ch = ' ';
			if (code & L_VALID) {
				struct clab_rthread th = {
				    .st = code & L_STATE,
				    .nheld = (code & L_HOLD) ? 1 : 0};
				ch = clab_tui_glyph(t, &th, &role);
				if (code & L_ACT)
					attr |= CV_BOLD;
			}
			if (c == curcol)
				attr |= CV_REVERSE;
			clab_canvas_putc(cv, y, r.x + LABEL_W + c, ch, role,
					 attr);
		}
		if (sw) {
			state_words(t, tid, words, sizeof(words));
			unsigned role;
			clab_tui_glyph(t, &t->st.th[tid], &role);
			clab_canvas_puts(cv, y, r.x + r.w - sw, sw, role, 0,
					 words);
		}
	}
}

/*
 * A click on a thread's row selects the thread; on a column (of a row or
 * of the ruler) it also moves the cursor to the column's record: with
 * zoom, the group's last, whose state the column shows.
 */
static int mouse_lanes(struct tui *t, struct tui_rect r, enum tui_mouse kind,
		       int y, int x)
{
	struct lanes_geom g;
	if (kind != TM_CLICK)
		return 0;
	t->pane = PANE_LANES;
	if (lanes_geom(t, r, &g))
		return 1;
	int row = y - r.y - 1, col = x - r.x - LABEL_W;
	if (row >= 0) {
		uint32_t tid = g.first + (uint32_t)row;
		if (row >= g.rows || tid >= clab_trace_nthreads(t->tr))
			return 1;
		t->sel_thread = tid;
	}
	if (col >= 0 && col < g.lw) {
		uint64_t start = ((uint64_t)g.c0 + (uint64_t)col) * g.z;
		if (start < t->n)
			clab_tui_goto(t, (uint32_t)(start + g.z - 1 < t->n
							? start + g.z - 1
							: t->n - 1));
	}
	return 1;
}

/* ---- the record log ---- */

/* The first record of a log of rows lines: the cursor in the middle. */
static uint32_t log_first(const struct tui *t, int rows)
{
	uint32_t first = t->cur > (uint32_t)rows / 2 ? t->cur - rows / 2 : 0;
	if (t->n > (uint32_t)rows && first > t->n - (uint32_t)rows)
		first = t->n - (uint32_t)rows;
	return first;
}

static void draw_log(struct tui *t, struct tui_rect r, int focused)
{
	struct clab_canvas *cv = &t->cv;
	unsigned trole = focused ? CV_FOCUS : CV_TITLE;
	clab_canvas_fill(cv, r.y, r.x, r.w, 1, trole);
	clab_canvas_printf(cv, r.y, r.x, r.w, trole, 0, "Records %" PRIu32,
			   t->n);
	int rows = r.h - 1;
	if (rows < 1 || t->n == 0)
		return;
	uint32_t cause = clab_replay_cause(t->rp, t->cur);
	uint32_t first = log_first(t, rows);
	int sw = 1;
	for (uint32_t v = t->n - 1; v >= 10; v /= 10)
		sw++;
	for (int row = 0; row < rows && first + row < t->n; row++) {
		uint32_t i = first + (uint32_t)row;
		const struct clab_record *rec = clab_trace_record(t->tr, i);
		int y = r.y + 1 + row;
		char line[256], site[96];
		unsigned role = rec->kind == CLAB_K_DIAG   ? CV_DIAG
				: rec->kind == CLAB_K_NOTE ? CV_NOTE
							   : CV_NORMAL;
		unsigned attr = i == t->cur ? CV_REVERSE : 0;
		clab_tui_format(t, i, line, sizeof(line));
		site_text(t, i, site, sizeof(site));
		char mark = i == t->cur ? '>' : i == cause ? '*' : ' ';
		if (i == t->cur)
			clab_canvas_fill(cv, y, r.x, r.w, 1, CV_CURSOR);
		int x =
		    clab_canvas_printf(cv, y, r.x, r.w, role, attr,
				       "%c%*" PRIu32 " %s", mark, sw, i, line);
		int sl = (int)strlen(site);
		if (sl && x + 2 + sl <= r.x + r.w)
			clab_canvas_puts(cv, y, r.x + r.w - sl, sl, CV_DIM,
					 attr, site);
		if (i == t->cur)
			clab_canvas_paint(cv, y, r.x, r.w, 1, CV_CURSOR,
					  CV_REVERSE);
	}
}

/* A click on a record's line moves the cursor there. */
static int mouse_log(struct tui *t, struct tui_rect r, enum tui_mouse kind,
		     int y, int x)
{
	if (kind != TM_CLICK)
		return 0;
	t->pane = PANE_LOG;
	int rows = r.h - 1, row = y - r.y - 1;
	if (rows < 1 || row < 0 || row >= rows || t->n == 0)
		return 1;
	uint32_t i = log_first(t, rows) + (uint32_t)row;
	if (i < t->n)
		clab_tui_goto(t, i);
	return 1;
}

/* ---- the status line and the info lines ---- */

static void draw_status(struct tui *t, struct tui_rect r, int focused)
{
	struct clab_canvas *cv = &t->cv;
	const char *lab = clab_trace_meta(t->tr, "lab");
	const char *var = clab_trace_meta(t->tr, "variant");
	const struct clab_record *rec =
	    t->n ? clab_trace_record(t->tr, t->cur) : NULL;
	uint64_t ns = rec ? rec->ns : 0;
	char play[48];
	if (t->playing)
		snprintf(play, sizeof(play), "playing %" PRIu32 "/s",
			 clab_tui_speed(t));
	else
		snprintf(play, sizeof(play), "paused");
	clab_canvas_fill(cv, r.y, r.x, r.w, 1, CV_STATUS);
	int x = clab_canvas_printf(cv, r.y, r.x, r.w, CV_STATUS, 0,
				   " record %" PRIu32 "/%" PRIu32 "  t=%" PRIu64
				   ".%09" PRIu64 "s  %s%s%s  %s",
				   t->n ? t->cur : 0, t->n, ns / 1000000000u,
				   ns % 1000000000u, lab ? lab : "trace",
				   var ? "/" : "", var ? var : "", play);
	/* a live run's trace is cut where the run stands: no damage */
	if (t->demo)
		clab_canvas_printf(cv, r.y, x + 2, r.x + r.w - x - 2, CV_STATUS,
				   CV_BOLD, "demo: step %zu of %zu",
				   t->dstep + 1, t->demo->n);
	else if (t->live)
		clab_canvas_puts(cv, r.y, x + 2, r.x + r.w - x - 2, CV_STATUS,
				 CV_BOLD,
				 t->ended ? "step: ended" : "step: your move");
	else if (clab_trace_damage(t->tr) && !clab_trace_whole(t->tr))
		clab_canvas_puts(cv, r.y, x + 2, r.x + r.w - x - 2, CV_WARN,
				 CV_BOLD, "DAMAGED TRACE: cut at last chunk");
	else if (clab_trace_incomplete(t->tr))
		clab_canvas_printf(cv, r.y, x + 2, r.x + r.w - x - 2, CV_WARN,
				   CV_BOLD, "incomplete: %s",
				   clab_trace_incomplete(t->tr));
}

static void draw_info(struct tui *t, struct tui_rect r, int focused)
{
	struct clab_canvas *cv = &t->cv;
	char buf[512], o[64];
	if (r.h < 3 || t->n == 0)
		return;
	/* the cursor record's site and source line */
	const struct clab_record *rec = clab_trace_record(t->tr, t->cur);
	const struct clab_site_info *si = clab_trace_site(t->tr, rec->site);
	if (si && si->file) {
		const char *src = clab_source_line(t->src, si->file, si->line);
		site_text(t, t->cur, o, sizeof(o));
		int x =
		    clab_canvas_printf(cv, r.y, r.x, r.w, CV_DIM, 0,
				       "%s %s: ", o, si->func ? si->func : "");
		if (src) {
			while (*src == ' ' || *src == '\t')
				src++;
			clab_canvas_puts(cv, r.y, x, r.x + r.w - x, CV_SOURCE,
					 0, src);
		} else {
			clab_canvas_puts(cv, r.y, x, r.x + r.w - x, CV_DIM, 0,
					 "(source not found)");
		}
	} else {
		clab_canvas_puts(cv, r.y, r.x, r.w, CV_DIM, 0,
				 "(no source site for this record)");
	}
	/* the selected thread */
	uint32_t tid = t->sel_thread;
	const struct clab_rthread *th = &t->st.th[tid];
	uint32_t held[8];
	size_t nh = clab_replay_held(t->rp, &t->st, tid, held, 8);
	size_t n = (size_t)snprintf(buf, sizeof(buf), "%s: %s",
				    clab_tui_tname(t, tid, o, sizeof(o)),
				    clab_tstate_name(th->st));
	if (th->obj && n < sizeof(buf))
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, " %s",
				      clab_tui_oname(t, th->obj, o, sizeof(o)));
	uint32_t w = clab_replay_waits_for(t->rp, &t->st, tid);
	if (w != CLAB_REPLAY_NONE && n < sizeof(buf))
		n += (size_t)snprintf(
		    buf + n, sizeof(buf) - n, " (%s T%" PRIu32 ")",
		    th->st == CLAB_TS_REQ ? "held by" : "waits for", w);
	if (th->st != CLAB_TS_NONE && n < sizeof(buf))
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
				      " since #%" PRIu32, th->since);
	for (size_t k = 0; k < nh && n < sizeof(buf); k++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
				      "%s%s (#%" PRIu32 ")",
				      k ? ", " : "; holds ",
				      clab_tui_oname(t, held[k], o, sizeof(o)),
				      t->st.ob[held[k]].since);
	clab_canvas_puts(cv, r.y + 1, r.x, r.w, CV_NORMAL, 0, buf);
	/* the prompt, a message, or the main keys */
	int y = r.y + 2;
	if (t->prompt) {
		int x = clab_canvas_printf(cv, y, r.x, r.w, CV_KEY, 0, "%c%s",
					   t->prompt, t->input);
		clab_canvas_putc(cv, y, x, '_', CV_KEY, CV_REVERSE);
	} else if (t->msg[0]) {
		clab_canvas_puts(cv, y, r.x, r.w,
				 t->msg_warn ? CV_WARN : CV_NORMAL, 0, t->msg);
	} else {
		clab_canvas_puts(cv, y, r.x, r.w, CV_KEY, 0,
				 "? help  q quit  h/l step  t/o thread/object  "
				 "c cause  D deadlock  / search");
	}
}

/* ---- help overlay ---- */

static void draw_help(struct tui *t, struct tui_rect r, int focused)
{
	struct clab_canvas *cv = &t->cv;
	unsigned n = clab_tui_nkeys;
	int cols = (int)n + 6 > r.h ? 2 : 1;
	int per = ((int)n + cols - 1) / cols;
	int w = cols == 2 ? r.w : 64, h = per + 6;
	if (w > r.w)
		w = r.w;
	if (h > r.h)
		h = r.h;
	int y = r.y + (r.h - h) / 2, x = r.x + (r.w - w) / 2;
	clab_canvas_box(cv, y, x, w, h, CV_NORMAL);
	clab_canvas_puts(cv, y, x + 2, w - 4, CV_FOCUS, 0,
			 " Keys (any key closes this help) ");
	int cw = (w - 2) / cols;
	for (unsigned i = 0; i < n; i++) {
		int c = (int)i / per, row = (int)i % per;
		int yy = y + 1 + row, xx = x + 2 + c * cw;
		clab_canvas_puts(cv, yy, xx, 11, CV_KEY, CV_BOLD,
				 clab_tui_keys[i].name);
		clab_canvas_puts(cv, yy, xx + 12, cw - 13, CV_NORMAL, 0,
				 clab_tui_keys[i].help);
	}
	char legend[160];
	snprintf(legend, sizeof(legend),
		 "Lanes: %s run  %s holds a mutex  r wants a mutex  "
		 "w waits (cond)",
		 cv->utf8 ? "\xe2\x94\x80" : "-",
		 cv->utf8 ? "\xe2\x94\x81" : "=");
	clab_canvas_puts(cv, y + h - 4, x + 2, w - 4, CV_DIM, 0, legend);
	snprintf(legend, sizeof(legend),
		 "       b blocked  s sleeps  %s finished  (bold: acted)",
		 cv->utf8 ? "\xc2\xb7" : ".");
	clab_canvas_puts(cv, y + h - 3, x + 2, w - 4, CV_DIM, 0, legend);
	clab_canvas_puts(cv, y + h - 2, x + 2, w - 4, CV_DIM, 0,
			 "Log: > the cursor  * the record it waited for");
}

const struct tui_view clab_view_status = {.name = "status",
					  .draw = draw_status};
const struct tui_view clab_view_lanes = {
    .name = "lanes", .draw = draw_lanes, .mouse = mouse_lanes};
const struct tui_view clab_view_log = {
    .name = "log", .draw = draw_log, .mouse = mouse_log};
const struct tui_view clab_view_info = {.name = "info", .draw = draw_info};
const struct tui_view clab_view_help = {.name = "help", .draw = draw_help};

/* ---- the layout ---- */

static void draw_small(struct tui *t)
{
	struct clab_canvas *cv = &t->cv;
	char line[64];
	int y = cv->h / 2 - 1;
	snprintf(line, sizeof(line), "terminal too small (need %dx%d)",
		 TUI_MIN_W, TUI_MIN_H);
	int len = (int)strlen(line);
	clab_canvas_puts(cv, y, (cv->w - len) / 2 > 0 ? (cv->w - len) / 2 : 0,
			 -1, CV_WARN, CV_BOLD, line);
	snprintf(line, sizeof(line), "now %dx%d; q quits", cv->w, cv->h);
	len = (int)strlen(line);
	clab_canvas_puts(cv, y + 1,
			 (cv->w - len) / 2 > 0 ? (cv->w - len) / 2 : 0, -1,
			 CV_NORMAL, 0, line);
}

void clab_tui_layout(const struct tui *t, struct tui_layout *l)
{
	const struct clab_canvas *cv = &t->cv;
	memset(l, 0, sizeof(*l));
	if (cv->w < TUI_MIN_W || cv->h < TUI_MIN_H) {
		l->small = 1;
		return;
	}
	uint32_t nt = clab_trace_nthreads(t->tr);
	int info_h = 3;
	int lanes_h = (int)nt + 1;
	int max_lanes = (cv->h - 1 - info_h) / 2;
	if (lanes_h > max_lanes)
		lanes_h = max_lanes;
	/* demo mode: the narration's box under the records, rows of the
	 * lanes first, so that the records keep a title and three lines */
	int box_h = t->demo ? clab_tui_demo_height(t, cv->w) : 0;
	if (box_h && lanes_h > cv->h - 1 - info_h - box_h - 4)
		lanes_h = cv->h - 1 - info_h - box_h - 4;
	int mid_y = 1 + lanes_h, mid_h = cv->h - mid_y - info_h - box_h;
	int pw = cv->w / 3 < 30 ? 30 : cv->w / 3 > 56 ? 56 : cv->w / 3;
	l->status = (struct tui_rect){0, 0, cv->w, 1};
	l->lanes = (struct tui_rect){1, 0, cv->w, lanes_h};
	l->mid = (struct tui_rect){mid_y, 0, cv->w, mid_h};
	l->log = (struct tui_rect){mid_y, 0, cv->w - pw - 1, mid_h};
	l->objs = (struct tui_rect){mid_y, cv->w - pw, pw, mid_h};
	l->info = (struct tui_rect){cv->h - info_h, 0, cv->w, info_h};
	l->demo = (struct tui_rect){mid_y + mid_h, 0, cv->w, box_h};
	if (t->live) {
		/* the moves take the bottom of the log's column */
		int mh = (int)t->nchoices + 2;
		if (mh < 4)
			mh = 4;
		if (mh > mid_h - 3)
			mh = mid_h - 3;
		l->moves =
		    (struct tui_rect){mid_y + mid_h - mh, 0, l->log.w, mh};
		l->log.h -= mh;
	}
}

void clab_tui_draw(struct tui *t)
{
	struct clab_canvas *cv = &t->cv;
	struct tui_layout l;
	clab_canvas_clear(cv);
	clab_tui_layout(t, &l);
	if (l.small) {
		draw_small(t);
		return;
	}
	clab_view_status.draw(t, l.status, 0);
	clab_view_lanes.draw(t, l.lanes, t->pane == PANE_LANES);
	if (t->locks) {
		clab_view_locks.draw(t, l.mid, 1);
	} else {
		clab_view_log.draw(t, l.log, t->pane == PANE_LOG);
		if (t->live)
			clab_view_moves.draw(t, l.moves, 0);
		for (int y = l.mid.y; y < l.mid.y + l.mid.h; y++)
			clab_canvas_putc(cv, y, l.log.x + l.log.w,
					 clab_canvas_glyph(cv, G_VLINE), CV_DIM,
					 0);
		if (t->picture)
			clab_view_picture.draw(t, l.objs,
					       t->pane == PANE_OBJECTS);
		else
			clab_view_objects.draw(t, l.objs,
					       t->pane == PANE_OBJECTS);
	}
	if (t->demo)
		clab_view_demo.draw(t, l.demo, 0);
	clab_view_info.draw(t, l.info, 0);
	if (t->help)
		clab_view_help.draw(t, (struct tui_rect){0, 0, cv->w, cv->h},
				    1);
}
