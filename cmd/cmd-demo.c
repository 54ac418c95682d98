/*
 * conclab demo: a lecture's demo.  A script (labs/demos/LAB-VARIANT.demo,
 * docs/demo.md) names a lab, its variant and parameters, and a schedule
 * string of the controlled scheduler, which makes the same run every
 * time; then steps, each a record of that run and the narration to show
 * there.  The command makes the run in a child process, into a temporary
 * trace, finds each step's record, and opens the viewer in demo mode:
 * Space goes to the next step, b back.  --check does all but the viewer.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <conclab/runtime.h>
#include <conclab/trace.h>
#include <conclab/tui.h>

#include "cmd.h"
#include "demo-config.h"
#include "exercise-config.h"
#include "lab.h"
#include "supervise.h"

#define MAX_STEPS 64
#define MAX_PARAMS 16
#define MAX_WORDS 16

/* The languages of the narration: English, and Chinese under 'zh'. */
enum { EN, ZH, NLANGS };

/* A step's text in one language, its lines joined as they are read. */
struct text {
	char *s;
	size_t len;
	int para; /* a blank line came after the text so far */
};

struct step {
	int line, zh_line;
	char *anchor; /* "#N", "end", or words of the record's line */
	struct text text[NLANGS];
	uint32_t record;
};

struct script {
	const char *path;
	char *title, *zh_title, *lab, *variant, *seed, *schedule;
	int title_line, zh_title_line, lab_line, variant_line, seed_line,
	    schedule_line;
	int in_zh; /* the lines read go to the last step's Chinese text */
	struct {
		char *name, *value;
		int line;
	} param[MAX_PARAMS];
	size_t nparams;
	struct step step[MAX_STEPS];
	size_t nsteps;
	struct clab_lab_ctx ctx;
	char err[640];
};

/* The script's error at line (0: none): into s->err; returns -1. */
__attribute__((format(printf, 3, 4))) static int bad(struct script *s, int line,
						     const char *fmt, ...)
{
	va_list ap;
	int n = line
		    ? snprintf(s->err, sizeof(s->err), "%s:%d: ", s->path, line)
		    : snprintf(s->err, sizeof(s->err), "%s: ", s->path);
	va_start(ap, fmt);
	vsnprintf(s->err + n, sizeof(s->err) - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static void script_free(struct script *s)
{
	free(s->title);
	free(s->zh_title);
	free(s->lab);
	free(s->variant);
	free(s->seed);
	free(s->schedule);
	for (size_t i = 0; i < s->nparams; i++) {
		free(s->param[i].name);
		free(s->param[i].value);
	}
	for (size_t i = 0; i < s->nsteps; i++) {
		free(s->step[i].anchor);
		free(s->step[i].text[EN].s);
		free(s->step[i].text[ZH].s);
	}
}

/* ---- reading a script ---- */

/*
 * Add a line to a step's text: after a space or, after a blank line, a
 * '\n'; no space where a line of Chinese ends or starts with a non-ASCII
 * character (Chinese has no spaces between words).
 */
static int add_text(struct text *t, const char *line)
{
	size_t tl = strlen(line);
	char *p = realloc(t->s, t->len + tl + 2);
	if (!p)
		return -1;
	t->s = p;
	if (t->len && t->para)
		p[t->len++] = '\n';
	else if (t->len && (unsigned char)p[t->len - 1] < 0x80 &&
		 (unsigned char)line[0] < 0x80)
		p[t->len++] = ' ';
	memcpy(p + t->len, line, tl + 1);
	t->len += tl;
	t->para = 0;
	return 0;
}

/*
 * Whether buf is UTF-8 text with no control character but tabs: Chinese
 * text and titles may be anything printable.  0, or the column of the
 * first bad byte (from 1).
 */
static size_t bad_utf8(const char *buf)
{
	const unsigned char *p = (const unsigned char *)buf;
	for (size_t i = 0; p[i];) {
		unsigned c = p[i];
		int more = c >= 0xf0 && c < 0xf5   ? 3
			   : c >= 0xe0 && c < 0xf0 ? 2
			   : c >= 0xc2 && c < 0xe0 ? 1
			   : c < 0x80		   ? 0
						   : -1;
		if (more < 0 || (c < ' ' && c != '\t') || c == 0x7f)
			return i + 1;
		for (int k = 1; k <= more; k++)
			if ((p[i + k] & 0xc0) != 0x80)
				return i + 1;
		i += 1 + (size_t)more;
	}
	return 0;
}

/* A header line "KEY VALUE": the value, kept once. */
static int header(struct script *s, int line, const char *key, const char *val,
		  char **slot, int *slot_line)
{
	if (s->nsteps)
		return bad(s, line, "'%s' belongs before the first 'at' line",
			   key);
	if (*slot)
		return bad(s, line, "a second '%s' line (the first is line %d)",
			   key, *slot_line);
	if (!*val)
		return bad(s, line, "'%s' needs a value", key);
	*slot = strdup(val);
	*slot_line = line;
	return *slot ? 0 : bad(s, line, "out of memory");
}

static int param_line(struct script *s, int line, const char *val)
{
	char name[64], value[64], extra[2];
	if (s->nsteps)
		return bad(s, line,
			   "'param' belongs before the first 'at' line");
	if (sscanf(val, "%63s %63s %1s", name, value, extra) != 2)
		return bad(s, line,
			   "'param' wants a name and a value: "
			   "param meals 3");
	if (s->nparams == MAX_PARAMS)
		return bad(s, line, "more than %d parameters", MAX_PARAMS);
	s->param[s->nparams].name = strdup(name);
	s->param[s->nparams].value = strdup(value);
	s->param[s->nparams].line = line;
	s->nparams++;
	return 0;
}

static int parse_line(struct script *s, int line, char *buf)
{
	size_t n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' ||
		     buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		buf[--n] = 0;
	int utf8 = strncmp(buf, "title-zh", 8) == 0 ||
		   (s->in_zh && (buf[0] == ' ' || buf[0] == '\t'));
	size_t col = utf8 ? bad_utf8(buf) : 0;
	if (col)
		return bad(s, line,
			   "byte 0x%02x in column %zu is not UTF-8 text",
			   (unsigned char)buf[col - 1], col);
	for (size_t i = 0; i < n && !utf8; i++)
		if ((unsigned char)buf[i] >= 0x7f ||
		    ((unsigned char)buf[i] < ' ' && buf[i] != '\t'))
			return bad(s, line,
				   "byte 0x%02x in column %zu: the header and "
				   "the English text are printable ASCII; "
				   "Chinese goes under a 'zh' line",
				   (unsigned char)buf[i], i + 1);
	struct step *st = s->nsteps ? &s->step[s->nsteps - 1] : NULL;
	struct text *tx = st ? &st->text[s->in_zh ? ZH : EN] : NULL;
	if (n == 0) {
		if (tx && tx->len)
			tx->para = 1;
		return 0;
	}
	if (buf[0] == '#')
		return 0;
	if (buf[0] == ' ' || buf[0] == '\t') {
		char *text = buf;
		while (*text == ' ' || *text == '\t')
			text++;
		if (!st)
			return bad(s, line,
				   "text before the first 'at' line (the "
				   "lines of a step are indented under it)");
		return add_text(tx, text) ? bad(s, line, "out of memory") : 0;
	}
	if (strcmp(buf, "zh") == 0) {
		if (!st)
			return bad(s, line,
				   "'zh' belongs under a step: its Chinese "
				   "text follows, indented");
		if (st->zh_line)
			return bad(s, line,
				   "a second 'zh' for this step (the first "
				   "is line %d)",
				   st->zh_line);
		st->zh_line = line;
		s->in_zh = 1;
		return 0;
	}
	char *val = buf + strcspn(buf, " \t");
	if (*val)
		*val++ = 0;
	while (*val == ' ' || *val == '\t')
		val++;
	if (strcmp(buf, "at") == 0) {
		if (!*val)
			return bad(s, line,
				   "'at' needs a record: #N, end, or words of "
				   "the record's line (phil-4 acquire fork-4)");
		if (s->nsteps == MAX_STEPS)
			return bad(s, line, "more than %d steps", MAX_STEPS);
		st = &s->step[s->nsteps++];
		st->line = line;
		s->in_zh = 0;
		st->anchor = strdup(val);
		return st->anchor ? 0 : bad(s, line, "out of memory");
	}
	if (strcmp(buf, "title") == 0)
		return header(s, line, buf, val, &s->title, &s->title_line);
	if (strcmp(buf, "title-zh") == 0)
		return header(s, line, buf, val, &s->zh_title,
			      &s->zh_title_line);
	if (strcmp(buf, "lab") == 0)
		return header(s, line, buf, val, &s->lab, &s->lab_line);
	if (strcmp(buf, "variant") == 0)
		return header(s, line, buf, val, &s->variant, &s->variant_line);
	if (strcmp(buf, "seed") == 0)
		return header(s, line, buf, val, &s->seed, &s->seed_line);
	if (strcmp(buf, "schedule") == 0)
		return header(s, line, buf, val, &s->schedule,
			      &s->schedule_line);
	if (strcmp(buf, "param") == 0)
		return param_line(s, line, val);
	return bad(s, line,
		   "unknown line '%.40s' (title, title-zh, lab, variant, "
		   "param, seed, schedule, at, zh; a step's text is "
		   "indented)",
		   buf);
}

/* The lab, variant, parameters and seed: into s->ctx. */
static int resolve(struct script *s)
{
	const struct clab_lab *lab = clab_lab_find(s->lab);
	if (!lab)
		return bad(s, s->lab_line,
			   "no lab called '%s' (see 'conclab list')", s->lab);
	int vi = s->variant ? clab_lab_variant_find(lab, s->variant) : 0;
	if (vi < 0)
		return bad(s, s->variant_line,
			   "%s has no variant '%s' ('conclab list %s')",
			   lab->name, s->variant, lab->name);
	clab_lab_ctx_init(&s->ctx, lab, (unsigned)vi);
	for (size_t i = 0; i < s->nparams; i++) {
		int p = clab_lab_param_find(lab, s->param[i].name);
		long v;
		if (p < 0)
			return bad(s, s->param[i].line,
				   "%s has no parameter '%s' ('conclab run "
				   "%s --help')",
				   lab->name, s->param[i].name, lab->name);
		const struct clab_lab_param *pa = &lab->params[p];
		if (clab_cmd_parse_long(s->param[i].value, &v) || v < pa->min ||
		    v > pa->max)
			return bad(s, s->param[i].line,
				   "%s wants a number in %ld..%ld, not '%s'",
				   pa->name, pa->min, pa->max,
				   s->param[i].value);
		s->ctx.param[p] = v;
	}
	long seed = 1;
	if (s->seed && (clab_cmd_parse_long(s->seed, &seed) || seed < 0))
		return bad(s, s->seed_line,
			   "the seed is a number >= 0, not "
			   "'%s'",
			   s->seed);
	s->ctx.seed = (uint64_t)seed;
	uint32_t *picks;
	size_t np;
	unsigned spur;
	if (clab_sched_parse(s->schedule, &picks, &np, &spur) != 0)
		return bad(s, s->schedule_line,
			   "'%.60s' is not a schedule string (a controlled "
			   "run prints one: conclab run LAB --sched random)",
			   s->schedule);
	free(picks);
	return 0;
}

/* Read and check the script at path (not its run).  0 or -1 (s->err). */
static int script_load(struct script *s, const char *path)
{
	memset(s, 0, sizeof(*s));
	s->path = path;
	FILE *f = fopen(path, "r");
	if (!f)
		return bad(s, 0, "cannot read it: %s", strerror(errno));
	char *buf = NULL;
	size_t cap = 0;
	int line = 0, rc = 0;
	while (!rc && getline(&buf, &cap, f) >= 0)
		rc = parse_line(s, ++line, buf);
	free(buf);
	fclose(f);
	if (rc)
		return rc;
	if (!s->lab)
		return bad(s, 0, "no 'lab' line");
	if (!s->schedule)
		return bad(s, 0,
			   "no 'schedule' line (the string a controlled "
			   "run prints)");
	if (!s->nsteps)
		return bad(s, 0,
			   "no step: an 'at' line with its text "
			   "indented below it");
	int zh = s->zh_title != NULL;
	for (size_t i = 0; i < s->nsteps; i++)
		zh |= s->step[i].zh_line != 0;
	for (size_t i = 0; i < s->nsteps; i++) {
		struct step *st = &s->step[i];
		if (!st->text[EN].len)
			return bad(s, st->line,
				   "no text for this step (indent "
				   "it under the 'at' line)");
		if (zh && !st->text[ZH].len)
			return bad(s, st->zh_line ? st->zh_line : st->line,
				   "no Chinese text for this step, though "
				   "the script has some (a 'zh' line, the "
				   "text indented under it)");
		for (int l = EN; l <= (zh ? ZH : EN); l++) {
			int n =
			    clab_tui_wrap(st->text[l].s, CLAB_TUI_DEMO_WIDTH);
			if (n > CLAB_TUI_DEMO_LINES)
				return bad(s, l == ZH ? st->zh_line : st->line,
					   "the %s text takes %d lines at 80 "
					   "columns; at most %d fit the box",
					   l == ZH ? "Chinese" : "English", n,
					   CLAB_TUI_DEMO_LINES);
		}
	}
	return resolve(s);
}

/* Whether the script has Chinese narration (then every step has). */
static int has_zh(const struct script *s)
{
	return s->nsteps && s->step[0].text[ZH].len;
}

/* ---- the run and its records ---- */

/* Whether word is in line as a whole word (case aside). */
static int has_word(const char *line, const char *word)
{
	size_t wl = strlen(word);
	for (const char *p = line; (p = strcasestr(p, word)) != NULL; p++) {
		int before = p > line ? (unsigned char)p[-1] : ' ';
		int after = (unsigned char)p[wl];
		if (!isalnum(before) && before != '-' && before != '_' &&
		    !isalnum(after) && after != '-' && after != '_')
			return 1;
	}
	return 0;
}

/* Each step's record in tr: 0, or -1 with s->err. */
static int find_records(struct script *s, const struct clab_trace *tr)
{
	size_t nr = clab_trace_nrecords(tr);
	uint32_t from = 0;
	char line[1024];
	for (size_t i = 0; i < s->nsteps; i++) {
		struct step *st = &s->step[i];
		long v;
		if (strcmp(st->anchor, "end") == 0) {
			st->record = nr ? (uint32_t)nr - 1 : 0;
		} else if (st->anchor[0] == '#') {
			if (clab_cmd_parse_long(st->anchor + 1, &v) || v < 0)
				return bad(s, st->line,
					   "'%s' is not a record number",
					   st->anchor);
			if ((size_t)v >= nr)
				return bad(s, st->line,
					   "no record %s: the run has %zu "
					   "records (the lab changed?)",
					   st->anchor, nr);
			st->record = (uint32_t)v;
		} else {
			char words[512], *w[MAX_WORDS], *save = NULL;
			size_t nw = 0;
			snprintf(words, sizeof(words), "%s", st->anchor);
			for (char *p = strtok_r(words, " \t", &save);
			     p && nw < MAX_WORDS;
			     p = strtok_r(NULL, " \t", &save))
				w[nw++] = p;
			size_t r = from;
			for (; r < nr; r++) {
				clab_trace_format_record(
				    tr, clab_trace_record(tr, r), line,
				    sizeof(line));
				size_t k = 0;
				while (k < nw && has_word(line, w[k]))
					k++;
				if (k == nw)
					break;
			}
			if (r == nr)
				return bad(s, st->line,
					   "no record from #%u on matches "
					   "'%s' (the lab changed? 'conclab "
					   "dump' shows the records)",
					   from, st->anchor);
			st->record = (uint32_t)r;
		}
		from = st->record + 1;
	}
	return 0;
}

/* Whether two schedule strings make the same picks. */
static int same_schedule(const char *a, const char *b)
{
	uint32_t *pa = NULL, *pb = NULL;
	size_t na, nb;
	unsigned sa, sb;
	int same = clab_sched_parse(a, &pa, &na, &sa) == 0 &&
		   clab_sched_parse(b, &pb, &nb, &sb) == 0 && na == nb &&
		   sa == sb &&
		   (na == 0 || memcmp(pa, pb, na * sizeof(*pa)) == 0);
	free(pa);
	free(pb);
	return same;
}

struct run {
	char dir[64], trace[128], out[128];
	int code; /* the run's exit code */
	struct clab_trace *tr;
};

/*
 * What a run that failed said about it, from its output at path: the
 * first line of a sanitizer's report, else its last line ("" for none).
 */
static void run_said(const char *path, char *buf, size_t len)
{
	char line[512];
	FILE *f = fopen(path, "r");
	buf[0] = 0;
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (strstr(line, "Sanitizer") ||
		    strstr(line, "runtime error:")) {
			snprintf(buf, len, "%s", line);
			break;
		}
		if (line[0])
			snprintf(buf, len, "%s", line);
	}
	if (f)
		fclose(f);
}

/*
 * Make the script's run into r->trace: 0, or -1 with s->err, or
 * 128+SIGINT (with s->err) when Ctrl-C stopped it.
 */
static int make_run(struct script *s, struct run *r)
{
	snprintf(r->dir, sizeof(r->dir), "/tmp/conclab-demo-XXXXXX");
	if (!mkdtemp(r->dir)) {
		r->dir[0] = 0;
		return bad(s, 0, "cannot make a directory: %s",
			   strerror(errno));
	}
	snprintf(r->trace, sizeof(r->trace), "%s/run.clt", r->dir);
	snprintf(r->out, sizeof(r->out), "%s/out.txt", r->dir);
	/*
	 * Ctrl-C is the run's (it saves its trace and ends with 128+SIGINT):
	 * conclab, from before the fork on, lets it pass, waits for the run,
	 * then stops with the same code.  One that came too late for the run
	 * (it was ending: it goes on to its end) stops conclab all the same.
	 */
	struct clab_supervise_ignore ig;
	clab_supervise_note(&ig);
	pid_t pid = clab_supervise_fork(0);
	if (pid < 0) {
		clab_supervise_restore(&ig);
		return bad(s, 0, "cannot start the run: %s", strerror(errno));
	}
	if (pid == 0) {
		clab_supervise_restore(&ig);
		int fd = open(r->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			      0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		struct clab_cmd_sched sc;
		clab_cmd_sched_init(&sc);
		sc.o.mode = CLAB_SCHED_REPLAY;
		sc.replay = strdup(s->schedule);
		if (!sc.replay ||
		    clab_cmd_sched_ready(&clab_cmd_demo, &sc, s->ctx.seed))
			_exit(CLAB_EXIT_IO);
		struct clab_lab_ctx ctx = s->ctx;
		ctx.out = NULL;
		_exit(clab_run_lab(&ctx, r->trace, &sc, 1));
	}
	int st = 0;
	clab_supervise_wait(pid, 0, &st, NULL);
	clab_supervise_restore(&ig);
	r->code = clab_supervise_code(st);
	if (clab_supervise_interrupted())
		r->code = 128 + SIGINT;
	if (r->code == 128 + SIGINT) {
		bad(s, 0, "the run was interrupted");
		return r->code;
	}
	if (r->code > CLAB_EXIT_IO) { /* a crash, a sanitizer's report */
		char said[512];
		run_said(r->out, said, sizeof(said));
		return bad(s, 0, "the run failed (exit code %d)%s%s", r->code,
			   said[0] ? ": " : "", said);
	}
	char err[512];
	if (clab_trace_load(r->trace, &r->tr, err, sizeof(err)) != 0)
		return bad(s, 0, "the run (exit code %d) left no trace: %s",
			   r->code, err);
	const char *got = clab_trace_meta(r->tr, "sched.schedule");
	if (!got || !same_schedule(got, s->schedule))
		return bad(s, s->schedule_line,
			   "the run did not follow this schedule: the lab, "
			   "its parameters or its seed changed since the "
			   "script was written (this run's schedule is "
			   "%.80s); record the run again and write its "
			   "schedule here",
			   got ? got : "none");
	return find_records(s, r->tr);
}

static void run_clean(struct run *r)
{
	clab_trace_free(r->tr);
	r->tr = NULL;
	if (!r->dir[0])
		return;
	clab_cmd_unlink_trace(r->trace);
	unlink(r->out);
	rmdir(r->dir);
}

static const char *outcome(int code)
{
	switch (code) {
	case CLAB_EXIT_OK:
		return "every check passed";
	case CLAB_EXIT_CHECK:
		return "a check failed";
	case CLAB_EXIT_DEADLOCK:
		return "a deadlock";
	case CLAB_EXIT_TIMEOUT:
		return "a livelock or the time limit";
	default:
		return "another ending";
	}
}

/* ---- where the scripts are ---- */

/* labs/demos of the source tree for the build's conclab, else installed. */
static const char *demo_dir(void)
{
	char self[4096], built[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = 0;
	if (realpath(CLAB_DEMO_BUILD_CONCLAB, built) &&
	    strcmp(built, self) == 0)
		return CLAB_DEMO_SOURCE_DIR;
	return CLAB_DEMO_INSTALL_DIR;
}

static int is_demo(const struct dirent *e)
{
	size_t n = strlen(e->d_name);
	return n > 5 && e->d_name[0] != '.' &&
	       strcmp(e->d_name + n - 5, ".demo") == 0;
}

/* The scripts of the demo directory, sorted; -1 when it cannot be read. */
static int demo_list(struct dirent ***names)
{
	return scandir(demo_dir(), names, is_demo, alphasort);
}

static void free_list(struct dirent **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The script of lab (and variant, or the first that has one) into buf. */
static int find_script(const char *lab, const char *variant, char *buf,
		       size_t len)
{
	const struct clab_lab *l = clab_lab_find(lab);
	const char *dir = demo_dir();
	struct stat sb;
	if (!l) {
		fprintf(stderr,
			"conclab demo: no lab called '%s' (see 'conclab "
			"list'; a script's path goes with --script)\n",
			lab);
		return CLAB_EXIT_USAGE;
	}
	for (size_t v = 0; v < l->nvariants; v++) {
		const char *vn = variant ? variant : l->variants[v].name;
		snprintf(buf, len, "%s/%s-%s.demo", dir, lab, vn);
		if (stat(buf, &sb) == 0)
			return 0;
		if (variant)
			break;
	}
	fprintf(stderr,
		"conclab demo: no demo of %s%s%s in %s ('conclab demo "
		"--list' shows them)\n",
		lab, variant ? " --variant " : "", variant ? variant : "", dir);
	return CLAB_EXIT_USAGE;
}

static int list_demos(void)
{
	struct dirent **names;
	int n = demo_list(&names);
	if (n <= 0) {
		fprintf(stderr, "conclab demo: no demos in %s\n", demo_dir());
		if (n == 0)
			free(names);
		return CLAB_EXIT_USAGE;
	}
	printf("Demos in %s:\n", demo_dir());
	for (int i = 0; i < n; i++) {
		char path[4400];
		struct script s;
		snprintf(path, sizeof(path), "%s/%s", demo_dir(),
			 names[i]->d_name);
		if (script_load(&s, path) == 0)
			printf("  %-28s %s/%s: %s\n", names[i]->d_name,
			       s.ctx.lab->name,
			       s.ctx.lab->variants[s.ctx.variant].name,
			       s.title ? s.title : "");
		else
			printf("  %-28s (does not load: conclab demo --check "
			       "--script %s)\n",
			       names[i]->d_name, path);
		script_free(&s);
	}
	free_list(names, n);
	printf("Play one with 'conclab demo LAB [--variant V]'.\n");
	return CLAB_EXIT_OK;
}

/*
 * Load the script at path, as the demo of lab and variant when they are
 * not NULL (LAB --variant V --script FILE): 0 or -1 (s->err).
 */
static int load_as(struct script *s, const char *path, const char *lab,
		   const char *variant)
{
	if (script_load(s, path))
		return -1;
	const char *vn = s->ctx.lab->variants[s->ctx.variant].name;
	if (lab && strcmp(lab, s->ctx.lab->name) != 0)
		return bad(s, s->lab_line, "a demo of %s, not of %s",
			   s->ctx.lab->name, lab);
	if (variant && strcmp(variant, vn) != 0)
		return bad(s, s->variant_line,
			   "a demo of %s --variant %s, not "
			   "--variant %s",
			   s->ctx.lab->name, vn, variant);
	return 0;
}

/* --check: load the script and make its run; print how it went. */
static int check_one(const char *path, const char *lab, const char *variant)
{
	struct script s;
	struct run r = {.code = 0};
	int rc = load_as(&s, path, lab, variant);
	if (!rc)
		rc = make_run(&s, &r);
	if (rc)
		fprintf(stderr, "conclab demo: %s\n", s.err);
	else
		printf("ok %s: %s/%s, %zu records, %zu steps, ends in %s "
		       "(exit %d); narration en%s\n",
		       path, s.ctx.lab->name,
		       s.ctx.lab->variants[s.ctx.variant].name,
		       clab_trace_nrecords(r.tr), s.nsteps, outcome(r.code),
		       r.code, has_zh(&s) ? " zh" : "");
	run_clean(&r);
	script_free(&s);
	return rc == 128 + SIGINT ? rc : rc ? CLAB_EXIT_USAGE : 0;
}

static int check_all(void)
{
	struct dirent **names;
	int n = demo_list(&names), failed = 0;
	if (n <= 0) {
		fprintf(stderr, "conclab demo: no demos in %s\n", demo_dir());
		if (n == 0)
			free(names);
		return CLAB_EXIT_USAGE;
	}
	for (int i = 0; i < n; i++) {
		char path[4400];
		snprintf(path, sizeof(path), "%s/%s", demo_dir(),
			 names[i]->d_name);
		int rc = check_one(path, NULL, NULL);
		if (rc == 128 + SIGINT) {
			free_list(names, n);
			return rc;
		}
		failed += rc != 0;
	}
	free_list(names, n);
	return failed ? CLAB_EXIT_USAGE : CLAB_EXIT_OK;
}

/*
 * Chinese narration needs a terminal that shows it: a UTF-8 locale, and
 * no --ascii.  0, or -1 with s->err.
 */
static int can_show_zh(struct script *s, const struct clab_tui_opts *o)
{
	if (!has_zh(s))
		return bad(s, 0,
			   "no Chinese narration in it (a 'zh' line under "
			   "each step, docs/demo.md)");
	const char *lc = setlocale(LC_CTYPE, "");
	if (o->ascii || !lc || strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
		return bad(s, 0,
			   "Chinese narration needs a UTF-8 locale (such as "
			   "LANG=zh_CN.UTF-8 or C.UTF-8) and no --ascii");
	return 0;
}

/* Play the script in the viewer, its narration in language lang. */
static int play(const char *path, const char *lab, const char *variant,
		int lang, struct clab_tui_opts *o)
{
	struct script s;
	struct run r = {.code = 0};
	struct clab_tui_demo_step steps[MAX_STEPS];
	int rc = load_as(&s, path, lab, variant);
	if (!rc && lang == ZH)
		rc = can_show_zh(&s, o);
	if (!rc)
		rc = make_run(&s, &r);
	if (rc) {
		fprintf(stderr, "conclab demo: %s\n", s.err);
		if (rc != 128 + SIGINT)
			rc = CLAB_EXIT_USAGE;
		goto out;
	}
	for (size_t i = 0; i < s.nsteps; i++)
		steps[i] = (struct clab_tui_demo_step){s.step[i].record,
						       s.step[i].text[lang].s};
	char title[256];
	const char *t = lang == ZH && s.zh_title ? s.zh_title : s.title;
	snprintf(title, sizeof(title), "%s", t ? t : "");
	if (!t)
		snprintf(title, sizeof(title), "%s/%s", s.ctx.lab->name,
			 s.ctx.lab->variants[s.ctx.variant].name);
	struct clab_tui_demo demo = {.title = title,
				     .steps = steps,
				     .n = s.nsteps,
				     .lang = lang == ZH ? "zh" : "en"};
	o->demo = &demo;
	o->dir = CLAB_SOURCE_ROOT; /* the labs' sources, for source lines */
	char err[512];
	rc = clab_tui_run(r.tr, o, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "conclab demo: %s\n", err);
		rc = CLAB_EXIT_USAGE;
	}
out:
	run_clean(&r);
	script_free(&s);
	return rc;
}

struct demo_opts {
	const char *variant, *script;
	int check, list, lang;
};

/* In the order of EN, ZH. */
static const char *const lang_names[] = {"en", "zh", NULL};

static const struct clab_opt demo_opts[] = {
    {.name = "variant",
     .type = CLAB_OPT_STRING,
     .arg = "V",
     .off = offsetof(struct demo_opts, variant),
     .def = "the lab's first variant that has one",
     .help = "the demo of that variant"},
    {.name = "script",
     .type = CLAB_OPT_STRING,
     .arg = "FILE",
     .off = offsetof(struct demo_opts, script),
     .help = "play the script in FILE (with LAB or --variant, the script "
	     "must be a demo of them)"},
    {.name = "lang",
     .type = CLAB_OPT_CHOICE,
     .arg = "L",
     .off = offsetof(struct demo_opts, lang),
     .choices = lang_names,
     .want = "en or zh",
     .def = "en",
     .help = "the narration in English (en) or in Chinese (zh: needs a "
	     "UTF-8 locale)"},
    {.name = "check",
     .type = CLAB_OPT_FLAG,
     .off = offsetof(struct demo_opts, check),
     .help = "load the script (or, with no LAB and no --script, every "
	     "script of labs/demos), make its run and find each step's "
	     "record; print how it went, play nothing"},
    {.name = "list",
     .type = CLAB_OPT_FLAG,
     .off = offsetof(struct demo_opts, list),
     .help = "the demos there are"},
    CLAB_OPT_TABLE_END,
};

static int demo_exec(int argc, char **argv)
{
	const struct clab_cmd *cmd = &clab_cmd_demo;
	struct clab_tui_opts o;
	struct demo_opts d = {0};
	struct clab_opts_rest r = {0};
	clab_tui_opts_init(&o);
	void *const bases[] = {&d, &o};
	int prc = clab_opts_parse(cmd, argc, argv, bases, &r);
	if (prc || r.help) /* --help: printed */
		return prc;
	const char *lab = r.operands[0], *variant = d.variant,
		   *script = d.script;
	int check = d.check, list = d.list, lang = d.lang;
	if (list)
		return lab || script || check
			   ? clab_cmd_misuse(cmd, "--list goes alone")
			   : list_demos();
	if (variant && !lab && !script)
		return clab_cmd_misuse(cmd, "--variant goes with a LAB");
	if (o.keys && !o.batch)
		return clab_cmd_misuse(cmd, "--keys needs --batch");
	if (check && !lab && !script)
		return check_all();
	if (!lab && !script)
		return clab_cmd_misuse(cmd, "which lab? ('conclab demo --list' "
					    "shows the demos)");
	char path[4400];
	if (!script) {
		int rc = find_script(lab, variant, path, sizeof(path));
		if (rc)
			return rc;
		script = path;
	}
	if (check)
		return check_one(script, lab, variant);
	if (!o.batch && (!isatty(0) || !isatty(1)))
		return clab_cmd_misuse(cmd, "it needs a terminal (or --check, "
					    "or --batch with --keys)");
	return play(script, lab, variant, lang, &o);
}

const struct clab_cmd clab_cmd_demo = {
    .name = "demo",
    .args = "LAB [--variant V] [--script FILE] [--lang zh] | --check [LAB] | "
	    "--list",
    .summary = "a lecture's demo: a scripted run with narration, step by "
	       "step",
    .help = "Plays a demo script in the viewer: a run of a lab that the "
	    "controlled\n"
	    "scheduler makes the same every time (the script's schedule "
	    "string),\n"
	    "with the script's narration in a box at chosen records.  Space "
	    "goes to\n"
	    "the next step, b or Backspace back; the viewer's other keys work "
	    "as in\n"
	    "'conclab replay'; q quits.  The scripts are labs/demos/"
	    "LAB-VARIANT.demo\n"
	    "(installed in <datadir>/conclab/demos); docs/demo.md says how to "
	    "write\n"
	    "one.  The run is made afresh each time, into a temporary trace.\n",
    .groups = (const struct clab_opt_group[]){{demo_opts, 0},
					      {clab_cmd_view_opts, 1},
					      {NULL, 0}},
    .max_operands = 1,
    .too_many = "one lab at a time",
    .more =
	"Exit codes: 0 after q (or every script checked); 2 usage error, no "
	"such\n"
	"demo, a malformed script, or a script whose run no longer follows "
	"its\n"
	"schedule or lacks a step's record (the lab changed), or --lang zh "
	"for a\n"
	"script without Chinese or outside a UTF-8 locale; 128+N stopped "
	"by\n"
	"signal N.\n",
    .exec = demo_exec,
};
