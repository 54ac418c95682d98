/*
 * The viewer's keys: one table, from which both the dispatch and the help
 * overlay are made, and the actions it names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui-int.h"

static const uint32_t speeds[] = {1,   2,   5,	  10,	 20,	50,
				  100, 200, 1000, 10000, 100000};
#define NSPEEDS (sizeof(speeds) / sizeof(speeds[0]))

uint32_t clab_tui_speed(const struct tui *t)
{
	return speeds[t->speed];
}

void clab_tui_goto(struct tui *t, uint32_t i)
{
	if (t->n == 0)
		return;
	if (i >= t->n)
		i = t->n - 1;
	t->cur = i;
	clab_replay_seek(t->rp, &t->st, i + 1);
}

static void say(struct tui *t, int warn, const char *fmt, const char *arg)
{
	snprintf(t->msg, sizeof(t->msg), fmt, arg);
	t->msg_warn = warn;
}

/* Go to i, or say there is none. */
static void go_or(struct tui *t, uint32_t i, const char *what)
{
	if (i == CLAB_REPLAY_NONE)
		say(t, 0, "no %s", what);
	else
		clab_tui_goto(t, i);
}

/* ---- actions ---- */

static void a_next(struct tui *t, int k)
{
	if (t->cur + 1 < t->n)
		clab_tui_goto(t, t->cur + 1);
}

static void a_prev(struct tui *t, int k)
{
	if (t->cur > 0)
		clab_tui_goto(t, t->cur - 1);
}

static uint32_t nselectable(const struct tui *t)
{
	return clab_trace_nobjects(t->tr);
}

/* The next (dir) object that is not a thread, from sel_obj. */
void clab_tui_select_obj(struct tui *t, int dir)
{
	uint32_t no = nselectable(t), o = t->sel_obj;
	for (uint32_t k = 0; k < no; k++) {
		o = dir > 0 ? (o >= no ? 1 : o + 1) : (o <= 1 ? no : o - 1);
		const struct clab_object_info *oi = clab_trace_object(t->tr, o);
		if (oi && oi->kind != CLAB_O_THREAD) {
			t->sel_obj = o;
			return;
		}
	}
}

static void a_down(struct tui *t, int k)
{
	uint32_t nt = clab_trace_nthreads(t->tr);
	if (t->pane == PANE_LANES && nt)
		t->sel_thread = (t->sel_thread + 1) % nt;
	else if (t->pane == PANE_OBJECTS)
		clab_tui_select_obj(t, 1);
	else
		a_next(t, k);
}

static void a_up(struct tui *t, int k)
{
	uint32_t nt = clab_trace_nthreads(t->tr);
	if (t->pane == PANE_LANES && nt)
		t->sel_thread = (t->sel_thread + nt - 1) % nt;
	else if (t->pane == PANE_OBJECTS)
		clab_tui_select_obj(t, -1);
	else
		a_prev(t, k);
}

static void a_page(struct tui *t, int k)
{
	uint32_t step = 20;
	if (k == TK_PGDN)
		clab_tui_goto(t, t->cur + step);
	else
		clab_tui_goto(t, t->cur > step ? t->cur - step : 0);
}

static void a_thread(struct tui *t, int k)
{
	go_or(t,
	      clab_replay_thread_next(t->rp, t->sel_thread, t->cur,
				      k == 't' ? 1 : -1),
	      "more records of this thread");
}

static void a_object(struct tui *t, int k)
{
	if (!t->sel_obj)
		clab_tui_select_obj(t, 1);
	go_or(t,
	      clab_replay_object_next(t->rp, t->sel_obj, t->cur,
				      k == 'o' ? 1 : -1),
	      "more records of this object");
}

static void a_cause(struct tui *t, int k)
{
	go_or(t, clab_replay_cause(t->rp, t->cur),
	      "record that this one waited for");
}

static void a_start(struct tui *t, int k)
{
	clab_tui_goto(t, 0);
}

static void a_end(struct tui *t, int k)
{
	clab_tui_goto(t, t->n ? t->n - 1 : 0);
}

static void a_deadlock(struct tui *t, int k)
{
	go_or(t, clab_replay_deadlock(t->rp), "deadlock in this trace");
}

static void a_diag(struct tui *t, int k)
{
	go_or(t, clab_replay_diag_next(t->rp, t->cur, k == ']' ? 1 : -1),
	      k == ']' ? "diagnostic after this record"
		       : "diagnostic before this record");
}

static void a_locks(struct tui *t, int k)
{
	if (!t->locks_built) {
		int err = clab_lorder_build(t->tr, &t->lo);
		if (err) {
			say(t, 1, "cannot find the lock-order cycles: %s",
			    "out of memory");
			return;
		}
		t->locks_built = 1;
	}
	t->locks = !t->locks;
}

static void a_picture(struct tui *t, int k)
{
	if (!t->pic && clab_labpic_new(t->rp, &t->pic)) {
		say(t, 1, "cannot draw the lab: %s", "out of memory");
		return;
	}
	t->picture = !t->picture;
	if (t->picture && clab_labpic_kind(t->pic) == CLAB_PIC_NONE)
		say(t, 0, "%s", clab_labpic_why(t->pic));
}

int clab_tui_locks_key(struct tui *t, int key)
{
	switch (key) {
	case 'j':
	case TK_DOWN:
		if (t->lsel + 1 < t->lo.ncycles)
			t->lsel++;
		return 1;
	case 'k':
	case TK_UP:
		if (t->lsel > 0)
			t->lsel--;
		return 1;
	case TK_ESC:
		t->locks = 0;
		return 1;
	case TK_ENTER:
	case '\r':
		if (t->lsel < t->lo.ncycles) {
			const struct clab_lorder_cycle *c =
			    &t->lo.cycles[t->lsel];
			if (c->record == UINT32_MAX) {
				say(t, 1, "%s",
				    "that record is not in the trace");
				return 1;
			}
			t->locks = 0;
			clab_tui_goto(t, c->record);
			snprintf(t->msg, sizeof(t->msg),
				 "this request closed lock-order cycle %u (%s)",
				 t->lsel + 1, clab_ld_class_name(c->cls));
			t->msg_warn = 0;
		}
		return 1;
	}
	return 0;
}

static void a_prompt(struct tui *t, int k)
{
	t->prompt = k;
	t->input[0] = 0;
	t->msg[0] = 0;
}

static void search(struct tui *t, int dir)
{
	if (!t->search[0]) {
		say(t, 0, "no search yet: type / and the text%s", "");
		return;
	}
	uint32_t i = clab_replay_search(t->rp, t->cur, dir, t->search);
	if (i == CLAB_REPLAY_NONE) {
		say(t, 1, "not found: %s", t->search);
		return;
	}
	if ((dir > 0 && i <= t->cur) || (dir < 0 && i >= t->cur))
		say(t, 0, "search wrapped around: %s", t->search);
	clab_tui_goto(t, i);
}

static void a_search(struct tui *t, int k)
{
	search(t, k == 'n' ? 1 : -1);
}

static void a_play(struct tui *t, int k)
{
	t->playing = !t->playing;
	if (t->playing && t->cur + 1 >= t->n)
		clab_tui_goto(t, 0);
}

static void a_speed(struct tui *t, int k)
{
	if (k == '+' || k == '=')
		t->speed += t->speed + 1 < (int)NSPEEDS;
	else
		t->speed -= t->speed > 0;
}

static void a_zoom(struct tui *t, int k)
{
	if (k == 'z' && t->zoom < (1u << 24))
		t->zoom *= 2;
	else if (k == 'Z' && t->zoom > 1)
		t->zoom /= 2;
}

static void a_pane(struct tui *t, int k)
{
	t->pane = (t->pane + (k == TK_BTAB ? PANE_N - 1 : 1)) % PANE_N;
}

static void a_help(struct tui *t, int k)
{
	t->help = !t->help;
}

static void a_quit(struct tui *t, int k)
{
	t->quit = 1;
}

static void a_redraw(struct tui *t, int k)
{
	t->msg[0] = 0;
}

const struct tui_key clab_tui_keys[] = {
    {'l', TK_RIGHT, "l Right", "next record", a_next},
    {'h', TK_LEFT, "h Left", "previous record", a_prev},
    {'j', TK_DOWN, "j Down", "next thread/record/object", a_down},
    {'k', TK_UP, "k Up", "previous thread/rec/object", a_up},
    {TK_PGDN, TK_PGUP, "PgDn PgUp", "20 records on / back", a_page},
    {'t', 'T', "t T", "next/prev of the thread", a_thread},
    {'o', 'O', "o O", "next/prev of the object", a_object},
    {'c', TK_NONE, "c", "the record it waited for", a_cause},
    {'g', TK_HOME, "g Home", "first record", a_start},
    {'G', TK_END, "G End", "last record", a_end},
    {'D', TK_NONE, "D", "jump to the deadlock", a_deadlock},
    {']', '[', "] [", "next / previous diagnostic", a_diag},
    {'L', TK_NONE, "L", "lock-order cycles (Enter)", a_locks},
    {'p', TK_NONE, "p", "lab picture / objects", a_picture},
    {':', TK_NONE, ":N Enter", "go to record N", a_prompt},
    {'/', TK_NONE, "/text Enter", "search the records", a_prompt},
    {'n', 'N', "n N", "next / previous match", a_search},
    {' ', TK_NONE, "Space", "play / pause", a_play},
    {'+', '-', "+ -", "play faster / slower", a_speed},
    {'z', 'Z', "z Z", "lanes: zoom out / in", a_zoom},
    {TK_TAB, TK_BTAB, "Tab S-Tab", "next / previous pane", a_pane},
    {TK_NONE, TK_NONE, "1-9 0 #N", "step: who goes next", NULL},
    {TK_NONE, TK_NONE, "u r", "step: undo / redo a move", NULL},
    {TK_NONE, TK_NONE, "Space b", "demo: next / back a step", NULL},
    {'?', TK_NONE, "?", "this help", a_help},
    {'L' - '@', TK_NONE, "Ctrl-L", "redraw", a_redraw},
    {'q', TK_NONE, "q", "quit", a_quit},
    /* the mouse, for the help only (clab_tui_mouse() handles it) */
    {TK_NONE, TK_NONE, "Click", "select thread/rec/object", NULL},
    {TK_NONE, TK_NONE, "Wheel", "next / previous record", NULL},
};
const unsigned clab_tui_nkeys =
    sizeof(clab_tui_keys) / sizeof(clab_tui_keys[0]);

/* Keys typed into the ':' and '/' prompts. */
static void prompt_key(struct tui *t, int key)
{
	size_t len = strlen(t->input);
	if (key == TK_ESC) {
		t->prompt = 0;
	} else if (key == TK_BACKSPACE) {
		if (len)
			t->input[len - 1] = 0;
		else
			t->prompt = 0;
	} else if (key == TK_ENTER || key == '\r') {
		int p = t->prompt;
		t->prompt = 0;
		if (p == '#') {
			clab_tui_live_number(t, t->input);
		} else if (p == ':') {
			char *end;
			unsigned long v = strtoul(t->input, &end, 10);
			if (!t->input[0] || *end)
				say(t, 1, "not a record number: %s", t->input);
			else if (v >= t->n)
				say(t, 1, "no record %s", t->input);
			else
				clab_tui_goto(t, (uint32_t)v);
		} else if (t->input[0]) {
			snprintf(t->search, sizeof(t->search), "%s", t->input);
			search(t, 1);
		}
	} else if (key >= ' ' && key < 0x7f && len + 1 < sizeof(t->input)) {
		t->input[len] = (char)key;
		t->input[len + 1] = 0;
	}
}

void clab_tui_key(struct tui *t, int key)
{
	if (key == TK_RESIZE || key == TK_NONE)
		return;
	if (key == TK_TICK) {
		if (!t->playing)
			return;
		if (t->cur + 1 >= t->n)
			t->playing = 0;
		else
			clab_tui_goto(t, t->cur + 1);
		return;
	}
	if (t->prompt) {
		prompt_key(t, key);
		return;
	}
	if (t->help) {
		t->help = 0;
		if (key != 'q')
			return;
	}
	t->msg[0] = 0;
	if (clab_tui_is_mouse(key)) {
		clab_tui_mouse(t, key);
		return;
	}
	if (t->locks && clab_tui_locks_key(t, key))
		return;
	if (t->live && clab_tui_live_key(t, key))
		return;
	if (t->demo && clab_tui_demo_key(t, key))
		return;
	for (unsigned i = 0; i < clab_tui_nkeys; i++) {
		const struct tui_key *k = &clab_tui_keys[i];
		if (k->fn &&
		    (key == k->key || (k->alt != TK_NONE && key == k->alt))) {
			k->fn(t, key);
			return;
		}
	}
	if (key == TK_ESC)
		return;
	say(t, 0, "unknown key (? for help)%s", "");
}

/* ---- batch key strings ---- */

static const struct {
	const char *name;
	int key;
} named[] = {
    {"Tab", TK_TAB},	 {"BTab", TK_BTAB},    {"Enter", TK_ENTER},
    {"Esc", TK_ESC},	 {"BS", TK_BACKSPACE}, {"Left", TK_LEFT},
    {"Right", TK_RIGHT}, {"Up", TK_UP},	       {"Down", TK_DOWN},
    {"PgUp", TK_PGUP},	 {"PgDn", TK_PGDN},    {"Home", TK_HOME},
    {"End", TK_END},	 {"Space", ' '},       {"lt", '<'},
    {"Tick", TK_TICK},
};

static const struct {
	const char *name;
	enum tui_mouse kind;
} mouse_named[] = {
    {"Click", TM_CLICK},
    {"WheelUp", TM_WHEEL_UP},
    {"WheelDown", TM_WHEEL_DOWN},
};

/* "Click:Y,X" (len characters, rows and columns from 0): its key, or -1. */
static int parse_mouse(const char *s, size_t len)
{
	char buf[64], *end;
	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = 0;
	char *colon = strchr(buf, ':');
	if (!colon)
		return -1;
	*colon = 0;
	for (size_t i = 0; i < sizeof(mouse_named) / sizeof(*mouse_named);
	     i++) {
		if (strcmp(buf, mouse_named[i].name) != 0)
			continue;
		long y = strtol(colon + 1, &end, 10);
		if (end == colon + 1 || *end != ',')
			return -1;
		const char *p = end + 1;
		long x = strtol(p, &end, 10);
		if (end == p || *end || y < 0 || x < 0 || y >= TM_MAXPOS ||
		    x >= TM_MAXPOS)
			return -1;
		return clab_tui_mouse_key(mouse_named[i].kind, (int)y, (int)x);
	}
	return -1;
}

int clab_tui_parse_keys(const char *s, int *keys, int max)
{
	int n = 0;
	while (*s) {
		int key = (unsigned char)*s++;
		if (key == '<') {
			const char *end = strchr(s, '>');
			size_t len = end ? (size_t)(end - s) : 0;
			key = -1;
			for (size_t i = 0;
			     end && i < sizeof(named) / sizeof(*named); i++)
				if (strlen(named[i].name) == len &&
				    strncmp(named[i].name, s, len) == 0)
					key = named[i].key;
			if (key < 0 && end)
				key = parse_mouse(s, len);
			if (key < 0)
				return -1;
			s = end + 1;
		}
		if (n == max)
			return -1;
		keys[n++] = key;
	}
	return n;
}
