/*
 * The object panel: the wait-for cycle when there is one at the cursor,
 * every synchronisation object's state (owner, waiters in order, value,
 * depth, generation), and the selected object's statistics.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tui-int.h"

#define MAXW 64 /* waiters listed */

static void add(char *buf, size_t len, size_t *n, const char *fmt, uint32_t v)
{
	if (*n < len)
		*n += (size_t)snprintf(buf + *n, len - *n, fmt, v);
}

static void adds(char *buf, size_t len, size_t *n, const char *s)
{
	if (*n < len)
		*n += (size_t)snprintf(buf + *n, len - *n, "%s", s);
}

/* "owner T2, wait T1 T5" and the like, for one object at the cursor. */
static void summary(const struct tui *t, uint32_t o, char *buf, size_t len)
{
	const struct clab_object_info *oi = clab_trace_object(t->tr, o);
	const struct clab_robject *ob = &t->st.ob[o];
	uint32_t w[MAXW];
	size_t nw = clab_replay_waiters(&t->st, o, w, MAXW), n = 0;
	buf[0] = 0;
	switch (oi->kind) {
	case CLAB_O_MUTEX:
		if (ob->a)
			add(buf, len, &n, "T%" PRIu32, ob->a - 1);
		else
			adds(buf, len, &n, "free");
		if (ob->a && ob->b > 1)
			add(buf, len, &n, " x%" PRIu32, ob->b);
		break;
	case CLAB_O_RWLOCK:
		/* W:T2, or the readers: R:T1,T3; free */
		if (ob->a)
			add(buf, len, &n, "W:T%" PRIu32, ob->a - 1);
		else if (ob->b)
			adds(buf, len, &n, "R:");
		else
			adds(buf, len, &n, "free");
		for (uint32_t k = 0, c = 0; !ob->a && k < 32; k++)
			if (ob->b >> k & 1)
				add(buf, len, &n,
				    c++ ? ",T%" PRIu32 : "T%" PRIu32, k);
		break;
	case CLAB_O_SEM:
		if (ob->flags & CLAB_RO_KNOWN)
			add(buf, len, &n, "=%" PRIu32, ob->a);
		else
			adds(buf, len, &n, "=?");
		break;
	case CLAB_O_LATCH:
		adds(buf, len, &n, ob->a ? "set" : "clear");
		break;
	case CLAB_O_BARRIER:
		add(buf, len, &n, "gen %" PRIu32, ob->a);
		add(buf, len, &n, " %" PRIu32, ob->b);
		add(buf, len, &n, "/%" PRIu32, oi->param);
		break;
	case CLAB_O_QUEUE:
		add(buf, len, &n, "%" PRIu32, ob->a);
		if (oi->param)
			add(buf, len, &n, "/%" PRIu32, oi->param);
		if (ob->flags & CLAB_RO_CLOSED)
			adds(buf, len, &n, " closed");
		break;
	case CLAB_O_TIMER:
		adds(buf, len, &n, ob->a ? "armed" : "idle");
		break;
	case CLAB_O_PTIMER:
		add(buf, len, &n, "tick %" PRIu32, ob->a);
		break;
	case CLAB_O_POOL:
		add(buf, len, &n, "%" PRIu32 " task(s)", ob->a);
		if (ob->flags & CLAB_RO_CLOSED)
			adds(buf, len, &n, " shut down");
		break;
	case CLAB_O_KEY:
		/* set:T1,T3 ended:T2, or "no values" */
		for (int part = 0; part < 2; part++) {
			uint32_t bits = part ? ob->b : ob->a;
			if (bits == 0)
				continue;
			adds(buf, len, &n,
			     part ? (n ? " ended:" : "ended:") : "set:");
			for (uint32_t k = 0, c = 0; k < 32; k++)
				if (bits >> k & 1)
					add(buf, len, &n,
					    c++ ? ",T%" PRIu32 : "T%" PRIu32,
					    k);
		}
		if (n == 0)
			adds(buf, len, &n, "no values");
		break;
	case CLAB_O_FUTURE: {
		static const char *const fs[] = {"pending", "running", "done",
						 "cancelled"};
		adds(buf, len, &n, fs[ob->a < 4 ? ob->a : 0]);
		break;
	}
	default:
		break;
	}
	for (size_t k = 0; k < nw; k++)
		add(buf, len, &n, k ? " T%" PRIu32 : " <-T%" PRIu32, w[k]);
}

/* The cycle, one edge a line; returns the rows used. */
static int draw_cycle(struct tui *t, struct tui_rect r, const uint32_t *c,
		      size_t len)
{
	struct clab_canvas *cv = &t->cv;
	char a[64], o[64], line[160];
	int y = r.y;
	clab_canvas_puts(cv, y++, r.x, r.w, CV_DIAG, CV_BOLD,
			 "DEADLOCK: wait-for cycle");
	for (size_t k = 0; k < len && y < r.y + r.h - 1; k++) {
		const struct clab_rthread *th = &t->st.th[c[k]];
		if (th->st == CLAB_TS_REQ)
			snprintf(line, sizeof(line),
				 "T%" PRIu32 " wants %s, held by T%" PRIu32,
				 c[k], clab_tui_oname(t, th->obj, o, sizeof(o)),
				 c[(k + 1) % len]);
		else
			snprintf(line, sizeof(line), "T%" PRIu32 " joins %s",
				 c[k],
				 clab_tui_oname(t, th->obj, o, sizeof(o)));
		(void)a;
		clab_canvas_puts(cv, y++, r.x, r.w, CV_DIAG, 0, line);
	}
	/* T1 -> T2 -> ... -> T1 */
	int x = r.x;
	for (size_t k = 0; k <= len && x < r.x + r.w; k++) {
		if (k) {
			clab_canvas_putc(cv, y, x++,
					 clab_canvas_glyph(cv, G_ARROW),
					 CV_DIAG, CV_BOLD);
		}
		x = clab_canvas_printf(cv, y, x, r.x + r.w - x, CV_DIAG,
				       CV_BOLD, "T%" PRIu32, c[k % len]);
	}
	return y + 1 - r.y;
}

static int shown(const struct tui *t, uint32_t o)
{
	const struct clab_object_info *oi = clab_trace_object(t->tr, o);
	return oi && oi->kind != CLAB_O_THREAD &&
	       (t->st.ob[o].last != CLAB_REPLAY_NONE ||
		(t->st.ob[o].flags & CLAB_RO_CREATED));
}

static void ns_text(uint64_t ns, char *buf, size_t len)
{
	if (ns >= 1000000000u)
		snprintf(buf, len, "%.2fs", (double)ns / 1e9);
	else if (ns >= 1000000u)
		snprintf(buf, len, "%.1fms", (double)ns / 1e6);
	else
		snprintf(buf, len, "%.1fus", (double)ns / 1e3);
}

/* Where the panel's parts are in r: drawing and the mouse share it. */
struct objects_geom {
	size_t ncycle; /* threads in the wait-for cycle at the cursor */
	uint32_t cycle[64];
	int nstuck; /* else: why nobody wakes them, t->stuck's first lines */
	struct tui_rect body; /* below the title and the cycle */
	int detail, rows;     /* the details' rows; the list's rows */
	uint32_t list[512];   /* the objects shown */
	int nl, first;	      /* how many; the first one on screen */
};

/* The rows draw_cycle() uses for a cycle of len threads in h rows. */
static int cycle_rows(size_t len, int h)
{
	int edges = h - 2 < (int)len ? h - 2 : (int)len;
	return 2 + (edges > 0 ? edges : 0);
}

static void objects_geom(struct tui *t, struct tui_rect r,
			 struct objects_geom *g)
{
	g->body = (struct tui_rect){r.y + 1, r.x, r.w, r.h - 1};
	g->ncycle = clab_replay_cycle(t->rp, &t->st, g->cycle, 64);
	uint32_t dl = clab_replay_deadlock(t->rp);
	g->nstuck = g->ncycle || dl == CLAB_REPLAY_NONE || t->cur < dl
			? 0
			: clab_tui_stuck(t);
	/* leave the list at least a few rows */
	if (g->nstuck > g->body.h - 3)
		g->nstuck = g->body.h - 3 > 0 ? g->body.h - 3 : 0;
	if (g->ncycle) {
		int used = cycle_rows(g->ncycle, g->body.h);
		g->body.y += used;
		g->body.h -= used;
	} else if (g->nstuck) {
		g->body.y += g->nstuck + 1;
		g->body.h -= g->nstuck + 1;
	}
	/* the selected object's details take the last two rows */
	g->detail = t->sel_obj && g->body.h >= 6 ? 2 : 0;
	g->rows = g->body.h - g->detail;
	uint32_t no = clab_trace_nobjects(t->tr);
	int selrow = -1;
	g->nl = 0;
	for (uint32_t o = 1; o <= no && g->nl < 512; o++)
		if (shown(t, o)) {
			if (o == t->sel_obj)
				selrow = g->nl;
			g->list[g->nl++] = o;
		}
	g->first = 0;
	if (selrow >= g->rows && g->rows > 0)
		g->first = selrow - g->rows + 1;
}

static void draw_objects(struct tui *t, struct tui_rect r, int focused)
{
	struct clab_canvas *cv = &t->cv;
	unsigned trole = focused ? CV_FOCUS : CV_TITLE;
	clab_canvas_fill(cv, r.y, r.x, r.w, 1, trole);
	clab_canvas_puts(cv, r.y, r.x, r.w, trole, 0, "Objects at the cursor");
	struct objects_geom g;
	objects_geom(t, r, &g);
	if (g.ncycle)
		draw_cycle(t, (struct tui_rect){r.y + 1, r.x, r.w, r.h - 1},
			   g.cycle, g.ncycle);
	for (int k = 0; k < g.nstuck; k++)
		clab_canvas_puts(cv, r.y + 1 + k, r.x, r.w, CV_DIAG,
				 k ? 0 : CV_BOLD, t->stuck[k]);
	struct tui_rect body = g.body;
	int detail = g.detail, rows = g.rows, first = g.first, nl = g.nl;
	const uint32_t *list = g.list;
	for (int k = 0; k < rows && first + k < nl; k++) {
		uint32_t o = list[first + k];
		char name[64], sum[256];
		int sel = o == t->sel_obj;
		clab_tui_oname(t, o, name, sizeof(name));
		summary(t, o, sum, sizeof(sum));
		int y = body.y + k;
		clab_canvas_putc(cv, y, body.x, sel ? '>' : ' ', CV_NORMAL,
				 sel ? CV_BOLD : 0);
		clab_canvas_puts(cv, y, body.x + 1, 12, CV_NORMAL,
				 sel ? CV_BOLD : 0, name);
		unsigned role = strstr(sum, "<-") ? CV_REQ : CV_NORMAL;
		clab_canvas_puts(cv, y, body.x + 14, body.w - 14, role, 0, sum);
	}
	if (!detail)
		return;
	const struct clab_rstats *s =
	    clab_replay_object_stats(t->rp, t->sel_obj);
	const struct clab_object_info *oi =
	    clab_trace_object(t->tr, t->sel_obj);
	char name[64], w[32], h[32];
	int y = body.y + body.h - 2;
	if (!s || !oi)
		return;
	ns_text(s->wait_ns, w, sizeof(w));
	ns_text(s->hold_ns, h, sizeof(h));
	clab_canvas_printf(cv, y, body.x, body.w, CV_DIM, 0,
			   "%s: %" PRIu64 " acq, %" PRIu64 " contended",
			   clab_tui_oname(t, t->sel_obj, name, sizeof(name)),
			   s->acquisitions, s->contended);
	clab_canvas_printf(cv, y + 1, body.x, body.w, CV_DIM, 0,
			   "%" PRIu64 " waits %s, held %s", s->waits, w, h);
}

/* A click on an object's line selects it; the wheel selects the next. */
static int mouse_objects(struct tui *t, struct tui_rect r, enum tui_mouse kind,
			 int y, int x)
{
	t->pane = PANE_OBJECTS;
	if (kind != TM_CLICK) {
		clab_tui_select_obj(t, kind == TM_WHEEL_DOWN ? 1 : -1);
		return 1;
	}
	struct objects_geom g;
	objects_geom(t, r, &g);
	int k = y - g.body.y;
	if (k >= 0 && k < g.rows && g.first + k < g.nl)
		t->sel_obj = g.list[g.first + k];
	return 1;
}

const struct tui_view clab_view_objects = {
    .name = "objects", .draw = draw_objects, .mouse = mouse_objects};
