/*
 * The lock-order view (L): every lock-order cycle of the trace drawn as
 * text, each edge with its thread and both sites, the cycle's class, and
 * where it closed; Enter goes to that record.  It takes the place of the
 * log and the object panel.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tui-int.h"

#define INDENT 3

/*
 * Draw cycle k from row y (rows up to ymax, exclusive); with dry set only
 * count.  Returns the rows used.
 */
static int draw_cycle(struct tui *t, uint32_t k, int y, int x, int w, int ymax,
		      int dry)
{
	struct clab_canvas *cv = &t->cv;
	const struct clab_lorder_cycle *c = &t->lo.cycles[k];
	char buf[256], a[64], b[64], s1[96], s2[96], th[64];
	int y0 = y, sel = k == t->lsel;
	unsigned role = c->cls == CLAB_LD_DEADLOCK ? CV_DIAG : CV_NORMAL;

	/* >1 potential deadlock: 5 locks, closed at #53 by T3 phil-2 */
	size_t n = (size_t)snprintf(buf, sizeof(buf), "%c%u %s: %u locks",
				    sel ? '>' : ' ', k + 1,
				    clab_ld_class_name(c->cls), c->nedges);
	if (c->cls == CLAB_LD_GATED && c->gate && n < sizeof(buf))
		n += (size_t)snprintf(
		    buf + n, sizeof(buf) - n,
		    c->gate_permits ? " (gate %s, %u permits)" : " (gate %s)",
		    clab_tui_oname(t, c->gate, a, sizeof(a)), c->gate_permits);
	if (c->record != UINT32_MAX && n < sizeof(buf))
		n += (size_t)snprintf(
		    buf + n, sizeof(buf) - n, ", closed at #%" PRIu32 " by %s",
		    c->record, clab_tui_tname(t, c->tid, th, sizeof(th)));
	if (c->diag != UINT32_MAX && n < sizeof(buf))
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
				      " (diag #%" PRIu32 ")", c->diag);
	/* not closed yet at the cursor: dim */
	if (c->record != UINT32_MAX && c->record > t->cur)
		role = CV_DIM;
	if (!dry && y < ymax)
		clab_canvas_puts(cv, y, x, w, role,
				 sel ? CV_BOLD | CV_REVERSE : CV_BOLD, buf);
	y++;

	/* fork-0 -> fork-1 -> ... -> fork-0, wrapped */
	int xx = x + INDENT;
	for (uint32_t i = 0; i <= c->nedges && c->nedges; i++) {
		const char *name = clab_tui_oname(
		    t, i < c->nedges ? c->edges[i].from : c->edges[0].from, a,
		    sizeof(a));
		int len = (int)strlen(name) + (i ? 4 : 0);
		if (xx + len > x + w && xx > x + INDENT) {
			y++;
			xx = x + INDENT;
		}
		if (!dry && y < ymax) {
			if (i)
				clab_canvas_puts(cv, y, xx, x + w - xx, role, 0,
						 " -> ");
			clab_canvas_puts(cv, y, xx + (i ? 4 : 0),
					 x + w - xx - (i ? 4 : 0), role,
					 CV_BOLD, name);
		}
		xx += len;
	}
	y++;

	/* each edge: the thread, where it took `from`, where it asked `to` */
	for (uint32_t i = 0; i < c->nedges; i++) {
		const struct clab_lorder_edge *e = &c->edges[i];
		clab_tui_site(t, e->from_site, s1, sizeof(s1));
		clab_tui_site(t, e->to_site, s2, sizeof(s2));
		const char *c1 = strchr(s1, ':'), *c2 = strchr(s2, ':');
		/* the second site's line only, when both are in one file */
		const char *second =
		    c1 && c2 && c1 - s1 == c2 - s2 &&
			    strncmp(s1, s2, (size_t)(c1 - s1)) == 0
			? c2
			: s2;
		n = (size_t)snprintf(buf, sizeof(buf), "%s -> %s",
				     clab_tui_oname(t, e->from, a, sizeof(a)),
				     clab_tui_oname(t, e->to, b, sizeof(b)));
		snprintf(buf + n, sizeof(buf) - n, "%*s%s  %s then %s",
			 n < 18 ? 18 - (int)n : 1, "",
			 clab_tui_tname(t, e->tid, th, sizeof(th)),
			 *s1 ? s1 : "?", *second ? second : "?");
		if (e->first != UINT32_MAX) {
			n = strlen(buf);
			snprintf(buf + n, sizeof(buf) - n, " #%" PRIu32,
				 e->first);
		}
		if (!dry && y < ymax)
			clab_canvas_puts(cv, y, x + INDENT, w - INDENT,
					 CV_NORMAL, 0, buf);
		y++;
	}
	return y - y0;
}

/* The first cycle shown: the first, unless the selected one would not fit. */
static uint32_t locks_top(struct tui *t, struct tui_rect r)
{
	int rows = 0;
	for (uint32_t k = 0; k <= t->lsel && k < t->lo.ncycles; k++)
		rows += draw_cycle(t, k, 0, r.x, r.w, 0, 1);
	return rows > r.h - 1 ? t->lsel : 0;
}

static void draw_locks(struct tui *t, struct tui_rect r, int focused)
{
	struct clab_canvas *cv = &t->cv;
	unsigned trole = focused ? CV_FOCUS : CV_TITLE;
	clab_canvas_fill(cv, r.y, r.x, r.w, 1, trole);
	clab_canvas_printf(cv, r.y, r.x, r.w, trole, 0,
			   "Lock-order cycles %" PRIu32
			   "  (j/k select, Enter: where it closed, L: back)",
			   t->lo.ncycles);
	int y = r.y + 1, ymax = r.y + r.h;
	if (t->lo.ncycles == 0) {
		clab_canvas_puts(cv, y, r.x + 1, r.w - 1, CV_NORMAL, 0,
				 "no lock-order cycle: every thread took the "
				 "locks it held together");
		clab_canvas_puts(cv, y + 1, r.x + 1, r.w - 1, CV_NORMAL, 0,
				 "in one order, so none can deadlock on them.");
		return;
	}
	uint32_t top = locks_top(t, r);
	for (uint32_t k = top; k < t->lo.ncycles && y < ymax; k++)
		y += draw_cycle(t, k, y, r.x, r.w, ymax, 0);
	if (top)
		clab_canvas_printf(cv, r.y, r.x + r.w - 12, 12, trole, 0,
				   "%" PRIu32 " above", top);
}

/* A click on a cycle selects it; the wheel selects the next one. */
static int mouse_locks(struct tui *t, struct tui_rect r, enum tui_mouse kind,
		       int y, int x)
{
	if (kind != TM_CLICK) {
		clab_tui_locks_key(t, kind == TM_WHEEL_DOWN ? TK_DOWN : TK_UP);
		return 1;
	}
	int yy = r.y + 1;
	for (uint32_t k = locks_top(t, r); k < t->lo.ncycles && yy <= y; k++) {
		int h = draw_cycle(t, k, 0, r.x, r.w, 0, 1);
		if (y < yy + h) {
			t->lsel = k;
			break;
		}
		yy += h;
	}
	return 1;
}

const struct tui_view clab_view_locks = {
    .name = "locks", .draw = draw_locks, .mouse = mouse_locks};
