/*
 * The viewer's options, shared by the commands that open it (replay,
 * step, demo): --no-color, --ascii, --no-mouse, --batch, --keys, --size.
 */
#include <string.h>

#include <conclab/tui.h>

#include "cmd.h"

int clab_cmd_view_flag(struct clab_tui_opts *o, const char *arg)
{
	if (strcmp(arg, "--no-color") == 0)
		o->no_color = 1;
	else if (strcmp(arg, "--ascii") == 0)
		o->ascii = 1;
	else if (strcmp(arg, "--no-mouse") == 0)
		o->no_mouse = 1;
	else if (strcmp(arg, "--batch") == 0)
		o->batch = 1;
	else
		return 0;
	return 1;
}

int clab_cmd_view_opt(const struct clab_cmd *cmd, struct clab_tui_opts *o,
		      const char *key, const char *val)
{
	if (strcmp(key, "keys") == 0) {
		o->keys = val;
	} else if (strcmp(key, "size") == 0) {
		if (clab_cmd_parse_size(val, &o->width, &o->height))
			return -clab_cmd_misuse(
			    cmd, "--size needs WIDTHxHEIGHT, not '%s'", val);
	} else {
		return 0;
	}
	return 1;
}
