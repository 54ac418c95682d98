/*
 * The lab picture (p), in the object panel's place: the philosophers'
 * table or the bounded buffer at the cursor, or a short note for a trace
 * that has no picture.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tui-int.h"

#define MAXPHIL 256

static const char *doing_text(const struct tui *t, const struct clab_phil *p,
			      char *buf, size_t len)
{
	char o[64];
	switch (p->doing) {
	case CLAB_PH_THINK:
		return "thinking";
	case CLAB_PH_HUNGRY:
		return "hungry";
	case CLAB_PH_WANTS:
		snprintf(buf, len, "wants %s",
			 clab_tui_oname(t, p->wants, o, sizeof(o)));
		return buf;
	case CLAB_PH_EAT:
		snprintf(buf, len, "EATS (meal %" PRId64 ")", p->meal);
		return buf;
	case CLAB_PH_DONE:
		return "puts forks down";
	case CLAB_PH_LEFT:
		return "left the table";
	default:
		return "not seated yet";
	}
}

static unsigned doing_role(const struct clab_phil *p)
{
	switch (p->doing) {
	case CLAB_PH_WANTS:
		return CV_REQ;
	case CLAB_PH_EAT:
		return CV_HOLD;
	case CLAB_PH_LEFT:
		return CV_DONE;
	case CLAB_PH_AWAY:
	case CLAB_PH_THINK:
		return CV_DIM;
	default:
		return CV_NORMAL;
	}
}

/* The name of the thread holding mutex oid, or NULL when free. */
static const char *holder(const struct tui *t, uint32_t oid, char *buf,
			  size_t len)
{
	if (!oid || oid >= t->st.nobjects + 1 || !t->st.ob[oid].a)
		return NULL;
	const struct clab_thread_info *ti =
	    clab_trace_thread(t->tr, t->st.ob[oid].a - 1);
	snprintf(buf, len, "%s", ti && ti->name ? ti->name : "?");
	return buf;
}

static void draw_philos(struct tui *t, struct tui_rect r)
{
	struct clab_canvas *cv = &t->cv;
	struct clab_phil ph[MAXPHIL];
	char name[64], what[96], fk[64], h[64];
	size_t n = clab_labpic_philos(t->pic, &t->st, t->cur, ph, MAXPHIL);
	if (n > MAXPHIL)
		n = MAXPHIL;
	int y = r.y, ymax = r.y + r.h;
	if ((int)n * 2 <= r.h) {
		/* round the table: fork-0, phil-0, fork-1, phil-1, ... */
		for (size_t i = 0; i < n && y + 1 < ymax; i++) {
			const struct clab_phil *p = &ph[i];
			const char *who = holder(t, p->left, h, sizeof(h));
			if (p->left)
				clab_canvas_printf(
				    cv, y, r.x + 3, r.w - 3,
				    who ? CV_HOLD : CV_DIM, 0, "%s  %s%s",
				    clab_tui_oname(t, p->left, fk, sizeof(fk)),
				    who ? "held by " : "free", who ? who : "");
			y++;
			if (p->tid == CLAB_REPLAY_NONE)
				snprintf(name, sizeof(name), "phil-%" PRIu32,
					 p->index);
			else
				clab_tui_tname(t, p->tid, name, sizeof(name));
			clab_canvas_printf(
			    cv, y++, r.x, r.w, doing_role(p),
			    p->doing == CLAB_PH_EAT ? CV_BOLD : 0, "%-10s %s",
			    name, doing_text(t, p, what, sizeof(what)));
		}
		if (y < ymax && n)
			clab_canvas_printf(
			    cv, y, r.x + 3, r.w - 3, CV_DIM, 0, "(round to %s)",
			    clab_tui_oname(t, ph[0].left, fk, sizeof(fk)));
		return;
	}
	/* too many for the round table: one line each */
	for (size_t i = 0; i < n && y < ymax; i++) {
		const struct clab_phil *p = &ph[i];
		if (y + 1 == ymax && i + 1 < n) {
			clab_canvas_printf(cv, y, r.x, r.w, CV_DIM, 0,
					   "... and %zu more", n - i);
			break;
		}
		size_t m = (size_t)snprintf(
		    name, sizeof(name), "phil-%" PRIu32 " %s", p->index,
		    doing_text(t, p, what, sizeof(what)));
		for (int s = 0; s < 2 && m < sizeof(name); s++) {
			uint32_t f = s ? p->right : p->left;
			if (f && p->tid != CLAB_REPLAY_NONE &&
			    t->st.ob[f].a == p->tid + 1)
				m += (size_t)snprintf(
				    name + m, sizeof(name) - m, "%s%s",
				    m && strstr(name, " has ") ? "," : " has ",
				    clab_tui_oname(t, f, fk, sizeof(fk)));
		}
		clab_canvas_puts(cv, y++, r.x, r.w, doing_role(p),
				 p->doing == CLAB_PH_EAT ? CV_BOLD : 0, name);
	}
}

/* "prod-1": the lab's thread names for producer and consumer i. */
static const char *worker(int put, uint32_t i, char *buf, size_t len)
{
	snprintf(buf, len, "%s-%" PRIu32, put ? "prod" : "cons", i);
	return buf;
}

static void draw_buffer(struct tui *t, struct tui_rect r)
{
	struct clab_canvas *cv = &t->cv;
	struct clab_buffer_pic b;
	char w[32];
	if (clab_labpic_buffer(t->pic, t->cur, &b))
		return;
	uint32_t full = 0;
	for (uint32_t s = 0; s < b.cap; s++)
		full += b.item[s] != 0;
	int y = r.y, ymax = r.y + r.h;
	clab_canvas_printf(cv, y++, r.x, r.w, CV_NORMAL, CV_BOLD,
			   "%" PRIu32 " of %" PRIu32 " slots full", full,
			   b.cap);
	clab_canvas_printf(cv, y++, r.x, r.w, CV_DIM, 0,
			   "%" PRIu64 " put, %" PRIu64 " taken", b.puts,
			   b.gets);
	/* the slots from the head (the oldest item), two rows kept below */
	int room = ymax - y - 2;
	uint32_t shown = b.cap <= (uint32_t)(room > 0 ? room : 0)
			     ? b.cap
			     : (uint32_t)(room > 1 ? room - 1 : 0);
	uint32_t first = b.cap == shown ? 0 : b.head;
	for (uint32_t k = 0; k < shown; k++) {
		uint32_t s = (first + k) % b.cap;
		char item[48] = ".";
		if (b.item[s])
			snprintf(item, sizeof(item), "%" PRId64 " (%s)",
				 b.item[s], worker(1, b.by[s], w, sizeof(w)));
		int x = clab_canvas_printf(cv, y, r.x, r.w,
					   b.item[s] ? CV_HOLD : CV_DIM, 0,
					   "[%" PRIu32 "] %s", s, item);
		const char *ptr = s == b.head && s == b.tail ? "<get <put"
				  : s == b.head		     ? "<get"
				  : s == b.tail		     ? "<put"
							     : NULL;
		if (ptr)
			clab_canvas_puts(cv, y, x + 1, r.x + r.w - x - 1,
					 CV_KEY, 0, ptr);
		y++;
	}
	if (shown < b.cap)
		clab_canvas_printf(cv, y++, r.x, r.w, CV_DIM, 0,
				   "... %" PRIu32 " more slots", b.cap - shown);
	if (b.last != CLAB_REPLAY_NONE && y < ymax) {
		const struct clab_record *rec =
		    clab_trace_record(t->tr, b.last);
		const struct clab_site_info *si =
		    clab_trace_site(t->tr, rec->site);
		int put = si && si->label && si->label[0] == 'p';
		clab_canvas_printf(cv, y++, r.x, r.w, CV_NOTE, 0,
				   "last: %s %" PRId64 " by %s #%" PRIu32,
				   put ? "put" : "get", rec->val,
				   worker(put, rec->a32, w, sizeof(w)), b.last);
	}
	if (b.bad != CLAB_REPLAY_NONE && y < ymax) {
		const struct clab_record *rec = clab_trace_record(t->tr, b.bad);
		const struct clab_site_info *si =
		    clab_trace_site(t->tr, rec->site);
		int put = si && si->label && si->label[0] == 'p';
		clab_canvas_printf(
		    cv, y, r.x, r.w, CV_WARN, CV_BOLD, "#%" PRIu32 " %s", b.bad,
		    put ? "put into a full slot" : "took a slot out of order");
	}
}

static void draw_picture(struct tui *t, struct tui_rect r, int focused)
{
	struct clab_canvas *cv = &t->cv;
	unsigned trole = focused ? CV_FOCUS : CV_TITLE;
	enum clab_pic_kind kind = clab_labpic_kind(t->pic);
	clab_canvas_fill(cv, r.y, r.x, r.w, 1, trole);
	clab_canvas_puts(
	    cv, r.y, r.x, r.w, trole, 0,
	    kind == CLAB_PIC_PHILOSOPHERS ? "The table (p: objects)"
	    : kind == CLAB_PIC_BUFFER	  ? "The buffer (p: objects)"
					  : "Lab picture (p: objects)");
	struct tui_rect body = {r.y + 1, r.x, r.w, r.h - 1};
	if (kind == CLAB_PIC_PHILOSOPHERS)
		draw_philos(t, body);
	else if (kind == CLAB_PIC_BUFFER)
		draw_buffer(t, body);
	else {
		clab_canvas_puts(cv, body.y, body.x, body.w, CV_DIM, 0,
				 clab_labpic_why(t->pic));
		clab_canvas_puts(cv, body.y + 1, body.x, body.w, CV_DIM, 0,
				 "(pictures: philosophers,");
		clab_canvas_puts(cv, body.y + 2, body.x, body.w, CV_DIM, 0,
				 " prodcons)");
	}
}

const struct tui_view clab_view_picture = {.name = "picture",
					   .draw = draw_picture};
