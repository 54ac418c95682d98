/*
 * The lab picture (p), in the object panel's place: the philosophers'
 * table, the bounded buffer or the family of processes at the cursor, or
 * a short note for a trace that has no picture.
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

/* ---- the processes ---- */

#define MAXPROC 32
#define MAXPIPE 32

static const char *proc_text(const struct clab_proc_pic *p,
			     const struct clab_proc_pic *all, size_t nall,
			     const struct clab_pipe_pic *pipes, size_t npipes,
			     char *buf, size_t len)
{
	const char *pipe = "?";
	for (size_t k = 0; k < npipes; k++)
		if (pipes[k].index == p->on)
			pipe = pipes[k].name;
	switch (p->doing) {
	case CLAB_PR_RUN:
		return "running";
	case CLAB_PR_READ:
		snprintf(buf, len, "waits to read %s", pipe);
		return buf;
	case CLAB_PR_WRITE:
		snprintf(buf, len, "waits for room in %s", pipe);
		return buf;
	case CLAB_PR_CHILD:
		snprintf(buf, len, "waits for %s",
			 p->on < nall ? all[p->on].name : "a child");
		return buf;
	case CLAB_PR_ENDED:
		return "ended, not reaped yet";
	case CLAB_PR_EXITED:
		snprintf(buf, len, "exited, status %" PRId32, p->status);
		return buf;
	case CLAB_PR_UNSEEN:
		return "forked (records nothing)";
	default:
		return "not forked yet";
	}
}

static unsigned proc_role(const struct clab_proc_pic *p)
{
	switch (p->doing) {
	case CLAB_PR_READ:
	case CLAB_PR_WRITE:
	case CLAB_PR_CHILD:
		return CV_REQ;
	case CLAB_PR_EXITED:
		return CV_DONE;
	case CLAB_PR_AWAY:
	case CLAB_PR_UNSEEN:
		return CV_DIM;
	default:
		return CV_NORMAL;
	}
}

/*
 * "main", "worker-1 +2": the processes of mask, the first by name; "?"
 * for none where a process that records nothing may hold the end.
 */
static const char *holders(uint64_t mask, int unseen,
			   const struct clab_proc_pic *all, size_t nall,
			   char *buf, size_t len)
{
	size_t n = 0, first = nall;
	for (size_t k = 0; k < nall && k < 64; k++)
		if (mask & (1ull << k)) {
			first = n++ ? first : k;
		}
	if (n == 0)
		return unseen ? "?" : "(none)";
	if (n == 1)
		return all[first].name;
	snprintf(buf, len, "%s +%zu", all[first].name, n - 1);
	return buf;
}

static void draw_pipe(struct tui *t, int y, struct tui_rect r,
		      const struct clab_pipe_pic *q,
		      const struct clab_proc_pic *all, size_t nall)
{
	char bar[16] = "", w[48], rd[48], line[160];
	const char *wr =
	    holders(q->writers, q->unseen, all, nall, w, sizeof(w));
	const char *re =
	    holders(q->readers, q->unseen, all, nall, rd, sizeof(rd));
	/* " results [##..] 2/4 child->main", the bar left out when the
	 * line would not fit; "?/4" while a process that records nothing
	 * has the pipe */
	unsigned role = q->units >= q->cap ? CV_HOLD : CV_NORMAL;
	char units[16] = "?";
	if (!q->unseen)
		snprintf(units, sizeof(units), "%" PRIu32, q->units);
	for (int with_bar = q->cap <= 8 && !q->unseen; with_bar >= 0;
	     with_bar--) {
		size_t k = 0;
		if (with_bar) {
			bar[k++] = '[';
			for (uint32_t i = 0; i < q->cap; i++)
				bar[k++] = i < q->units ? '#' : '.';
			bar[k++] = ']';
			bar[k++] = ' ';
		}
		bar[k] = 0;
		snprintf(line, sizeof(line), " %s %s%s/%" PRIu32 " %s", q->name,
			 bar, units, q->cap, wr);
		/* the arrow and the readers after it */
		if (strlen(line) + 1 + strlen(re) <= (size_t)r.w)
			break;
	}
	int x = clab_canvas_puts(&t->cv, y, r.x, r.w, role, 0, line);
	if (x < r.x + r.w)
		clab_canvas_putc(&t->cv, y, x++,
				 clab_canvas_glyph(&t->cv, G_ARROW), role, 0);
	if (x < r.x + r.w)
		clab_canvas_puts(&t->cv, y, x, r.x + r.w - x, role, 0, re);
}

static void draw_counter(struct tui *t, int y, struct tui_rect r,
			 const struct clab_counter_pic *c)
{
	if (c->total < 0)
		clab_canvas_puts(&t->cv, y, r.x, r.w, CV_DIM, 0,
				 " shared counter: not read yet");
	else if (c->total == c->made)
		clab_canvas_printf(&t->cv, y, r.x, r.w, CV_NOTE, 0,
				   " shared counter %" PRId64 ", none lost",
				   c->total);
	else
		clab_canvas_printf(&t->cv, y, r.x, r.w, CV_WARN, CV_BOLD,
				   " counter %" PRId64 " of %" PRId64
				   ": %" PRId64 " lost",
				   c->total, c->made, c->made - c->total);
}

static void draw_procs(struct tui *t, struct tui_rect r)
{
	struct clab_canvas *cv = &t->cv;
	struct clab_proc_pic pr[MAXPROC];
	struct clab_pipe_pic pi[MAXPIPE];
	struct clab_counter_pic cn;
	char what[96];
	size_t np = clab_labpic_procs(t->pic, &t->st, t->cur, pr, MAXPROC);
	size_t nq = clab_labpic_pipes(t->pic, t->cur, pi, MAXPIPE);
	int counter = clab_labpic_counter(t->pic, t->cur, &cn) == 0;
	np = np > MAXPROC ? MAXPROC : np;
	nq = nq > MAXPIPE ? MAXPIPE : nq;
	/* rows per process: a box of three, else two lines, else one */
	int rows = (int)(np * 3 + nq) + counter <= r.h	 ? 3
		   : (int)(np * 2 + nq) + counter <= r.h ? 2
							 : 1;
	int y = r.y, ymax = r.y + r.h;
	for (size_t k = 0; k < np && y < ymax; k++) {
		const struct clab_proc_pic *p = &pr[k];
		const char *text =
		    proc_text(p, pr, np, pi, nq, what, sizeof(what));
		char name[64];
		if (p->pid)
			snprintf(name, sizeof(name), "%s %" PRId32, p->name,
				 p->pid);
		else
			snprintf(name, sizeof(name), "%s", p->name);
		if (rows == 3) {
			clab_canvas_box(cv, y, r.x, r.w, 3,
					p->doing == CLAB_PR_AWAY ? CV_DIM
								 : CV_NORMAL);
			clab_canvas_puts(cv, y, r.x + 1, r.w - 2, CV_NORMAL,
					 CV_BOLD, name);
			clab_canvas_puts(cv, y + 1, r.x + 1, r.w - 2,
					 proc_role(p), 0, text);
			y += 3;
		} else if (rows == 2) {
			clab_canvas_puts(cv, y++, r.x, r.w, CV_NORMAL, CV_BOLD,
					 name);
			clab_canvas_printf(cv, y++, r.x, r.w, proc_role(p), 0,
					   "  %s", text);
		} else {
			clab_canvas_printf(cv, y++, r.x, r.w, proc_role(p), 0,
					   "%s: %s", p->name, text);
		}
		if (k > 0)
			continue;
		/* the pipes and the counter between the parent and its
		 * children */
		for (size_t q = 0; q < nq && y < ymax; q++)
			draw_pipe(t, y++, r, &pi[q], pr, np);
		if (counter && y < ymax)
			draw_counter(t, y++, r, &cn);
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
	    : kind == CLAB_PIC_PROCESSES  ? "The processes (p: objects)"
					  : "Lab picture (p: objects)");
	struct tui_rect body = {r.y + 1, r.x, r.w, r.h - 1};
	if (kind == CLAB_PIC_PHILOSOPHERS)
		draw_philos(t, body);
	else if (kind == CLAB_PIC_BUFFER)
		draw_buffer(t, body);
	else if (kind == CLAB_PIC_PROCESSES)
		draw_procs(t, body);
	else {
		clab_canvas_puts(cv, body.y, body.x, body.w, CV_DIM, 0,
				 clab_labpic_why(t->pic));
		clab_canvas_puts(cv, body.y + 1, body.x, body.w, CV_DIM, 0,
				 "(pictures: philosophers,");
		clab_canvas_puts(cv, body.y + 2, body.x, body.w, CV_DIM, 0,
				 " prodcons, processes)");
	}
}

const struct tui_view clab_view_picture = {.name = "picture",
					   .draw = draw_picture};
