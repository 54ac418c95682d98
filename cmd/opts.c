/*
 * The parser and --help of the commands' option tables (opts.h): every
 * command's options are read here, the same way, and listed from the same
 * tables.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lab.h"

/* The option called name (--name, or -X when abbrev), and its group. */
static const struct clab_opt *find(const struct clab_cmd *cmd, const char *name,
				   char abbrev, unsigned *base)
{
	for (const struct clab_opt_group *g = cmd->groups; g && g->opts; g++)
		for (const struct clab_opt *o = g->opts; o->type; o++)
			if (abbrev ? o->abbrev == abbrev
				   : clab_lab_same_name(name, o->name)) {
				*base = g->base;
				return o;
			}
	return NULL;
}

/* "chrome or jsonl", "os, random, pct or replay" */
static void choices_text(const char *const *c, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = 0;
	for (size_t i = 0; c[i] && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s",
				      i == 0	 ? ""
				      : c[i + 1] ? ", "
						 : " or ",
				      c[i]);
}

static int bad_value(const struct clab_cmd *cmd, const struct clab_opt *o,
		     const char *val)
{
	char want[256];
	if (o->want)
		snprintf(want, sizeof(want), "%s", o->want);
	else if (o->type == CLAB_OPT_CHOICE)
		choices_text(o->choices, want, sizeof(want));
	else if (o->type == CLAB_OPT_LONG && o->max == LONG_MAX)
		snprintf(want, sizeof(want), "a number >= %ld", o->min);
	else if (o->type == CLAB_OPT_LONG)
		snprintf(want, sizeof(want), "%ld..%ld", o->min, o->max);
	else
		snprintf(want, sizeof(want), "a %s", o->arg ? o->arg : "value");
	return clab_cmd_misuse(cmd, "--%s wants %s, not '%s'", o->name, want,
			       val);
}

/* Store (or hand to o->parse) the value val of o in base. */
static int take(const struct clab_cmd *cmd, const struct clab_opt *o,
		void *base, const char *val)
{
	char *dest = (char *)base + o->off;
	long num = 0;
	int rc;
	switch (o->type) {
	case CLAB_OPT_FLAG:
		if (o->parse)
			break;
		*(int *)(void *)dest = o->set ? o->set : 1;
		return 0;
	case CLAB_OPT_LONG:
		if (clab_cmd_parse_long(val, &num) || num < o->min ||
		    num > o->max)
			return bad_value(cmd, o, val);
		if (o->parse)
			break;
		*(long *)(void *)dest = num;
		return 0;
	case CLAB_OPT_STRING:
		if (o->min > 0 && !val[0])
			return bad_value(cmd, o, val);
		if (o->parse)
			break;
		*(const char **)(void *)dest = val;
		return 0;
	case CLAB_OPT_CHOICE:
		for (int i = 0; o->choices[i]; i++)
			if (strcmp(val, o->choices[i]) == 0) {
				*(int *)(void *)dest = i;
				return 0;
			}
		return bad_value(cmd, o, val);
	default:
		return clab_cmd_misuse(cmd, "%s", o->help);
	}
	rc = o->parse(cmd, base, val, num);
	return rc < 0 ? bad_value(cmd, o, val) : rc;
}

/* An argument that is not an option: an operand, or the lab. */
static int operand(const struct clab_cmd *cmd, const char *a,
		   struct clab_opts_rest *r)
{
	if (r->lab && !r->lab->lab) {
		r->lab->lab = a;
		return 0;
	}
	if (r->noperands < cmd->max_operands &&
	    r->noperands < sizeof(r->operands) / sizeof(r->operands[0])) {
		r->operands[r->noperands++] = a;
		return 0;
	}
	if (cmd->too_many)
		return clab_cmd_misuse(cmd, "%s", cmd->too_many);
	return clab_cmd_misuse(cmd, "unexpected argument '%s'", a);
}

/* argv[*i], an option: find it, take its value, store it. */
static int option(const struct clab_cmd *cmd, int argc, char **argv, int *i,
		  void *const *bases, struct clab_opts_rest *r)
{
	const char *a = argv[*i], *val = NULL;
	char abbrev = a[1], key[64] = "";
	if (a[1] == '-') {
		const char *eq = strchr(a + 2, '=');
		size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		if (len >= sizeof(key))
			return clab_cmd_misuse(cmd, "unknown option '%s'", a);
		memcpy(key, a + 2, len);
		key[len] = 0;
		val = eq ? eq + 1 : NULL;
		abbrev = 0;
	} else if (a[2]) {
		return clab_cmd_misuse(cmd, "unknown option '%s'", a);
	}
	if ((abbrev == 'h' || strcmp(key, "help") == 0) && !val) {
		r->help = 1;
		return 0;
	}
	unsigned b = 0;
	const struct clab_opt *o = find(cmd, key, abbrev, &b);
	if (o && o->type == CLAB_OPT_REST) {
		r->rest = *i + 1;
		*i = argc;
		return 0;
	}
	if (o && o->type == CLAB_OPT_FLAG) {
		if (val)
			return clab_cmd_misuse(cmd, "--%s takes no value",
					       o->name);
		return take(cmd, o, bases[b], NULL);
	}
	if (!o && (!r->lab || abbrev))
		return clab_cmd_misuse(cmd, "unknown option '%s'", a);
	if (o && o->type == CLAB_OPT_REFUSED)
		return take(cmd, o, bases[b], NULL);
	if (!val && *i + 1 < argc)
		val = argv[++*i];
	else if (!val)
		return clab_cmd_misuse(cmd, "%s needs a value", a);
	if (o)
		return take(cmd, o, bases[b], val);
	return clab_lab_args_opt(cmd, r->lab, key, val);
}

int clab_opts_parse(const struct clab_cmd *cmd, int argc, char **argv,
		    void *const *bases, struct clab_opts_rest *r)
{
	int rc = 0, i;
	for (i = 1; i < argc && !rc; i++) {
		const char *a = argv[i];
		if (cmd->operands_end_options &&
		    (strcmp(a, "--") == 0 || a[0] != '-' || !a[1])) {
			/* the rest is the program's: `conclab trace` */
			i += strcmp(a, "--") == 0;
			break;
		}
		if (a[0] == '-' && a[1])
			rc = option(cmd, argc, argv, &i, bases, r);
		else
			rc = operand(cmd, a, r);
	}
	if (cmd->operands_end_options && !rc && !r->help && i < argc)
		r->rest = i;
	if (!rc && r->help && !r->own_help)
		clab_cmd_usage(cmd, stdout);
	return rc;
}

/* Write text from column col, wrapped at 79 columns, indented by indent. */
static void wrap(FILE *out, const char *text, int col, int indent)
{
	const char *p = text;
	while (*p) {
		size_t w = strcspn(p, " \n");
		if (col > indent && col + 1 + (int)w > 79) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', out);
			col++;
		}
		fwrite(p, 1, w, out);
		col += (int)w;
		p += w;
		if (*p == '\n') {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		}
		while (*p == ' ' || *p == '\n')
			p++;
	}
	fputc('\n', out);
}

#define HELP_COL 21

static void help_line(FILE *out, const struct clab_opt *o)
{
	char left[64], text[1024];
	int n = snprintf(left, sizeof(left), "  ");
	if (o->abbrev)
		n += snprintf(left + n, sizeof(left) - (size_t)n, "-%c, ",
			      o->abbrev);
	n += snprintf(left + n, sizeof(left) - (size_t)n, "--%s", o->name);
	if (o->arg && o->type != CLAB_OPT_FLAG)
		n +=
		    snprintf(left + n, sizeof(left) - (size_t)n, " %s", o->arg);
	int m = snprintf(text, sizeof(text), "%s", o->help);
	if (o->def && o->type == CLAB_OPT_LONG && o->max != LONG_MAX &&
	    !o->want)
		snprintf(text + m, sizeof(text) - (size_t)m,
			 " (default %s, %ld..%ld)", o->def, o->min, o->max);
	else if (o->def)
		snprintf(text + m, sizeof(text) - (size_t)m, " (default%s %s)",
			 o->def[0] >= '0' && o->def[0] <= '9' ? "" : ":",
			 o->def);
	if (n >= HELP_COL)
		fprintf(out, "%s\n%*s", left, HELP_COL, "");
	else
		fprintf(out, "%-*s", HELP_COL, left);
	wrap(out, text, HELP_COL, HELP_COL);
}

void clab_opts_help(const struct clab_cmd *cmd, FILE *out)
{
	fprintf(out, "Options:\n");
	for (const struct clab_opt_group *g = cmd->groups; g && g->opts; g++)
		for (const struct clab_opt *o = g->opts; o->type; o++)
			if (o->type != CLAB_OPT_REFUSED)
				help_line(out, o);
	static const struct clab_opt h = {
	    .name = "help", .abbrev = 'h', .type = CLAB_OPT_FLAG};
	struct clab_opt hh = h;
	hh.help = cmd->help_help ? cmd->help_help : "this text";
	help_line(out, &hh);
}
