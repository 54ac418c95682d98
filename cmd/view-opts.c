/*
 * The viewer's options, shared by the commands that open it (replay,
 * step, demo): --no-color, --ascii, --no-mouse, --batch, --keys, --size.
 */
#include <stddef.h>
#include <string.h>

#include <conclab/tui.h>

#include "cmd.h"

static int set_size(const struct clab_cmd *cmd, void *base, const char *val,
		    long num)
{
	struct clab_tui_opts *o = base;
	(void)cmd;
	(void)num;
	return clab_cmd_parse_size(val, &o->width, &o->height);
}

const struct clab_opt clab_cmd_view_opts[] = {
    {.name = "no-color",
     .type = CLAB_OPT_FLAG,
     .off = offsetof(struct clab_tui_opts, no_color),
     .help = "no colour"},
    {.name = "ascii",
     .type = CLAB_OPT_FLAG,
     .off = offsetof(struct clab_tui_opts, ascii),
     .help = "ASCII lines and glyphs even in a UTF-8 locale"},
    {.name = "no-mouse",
     .type = CLAB_OPT_FLAG,
     .off = offsetof(struct clab_tui_opts, no_mouse),
     .help = "leave the mouse to the terminal (to select text)"},
    {.name = "batch",
     .type = CLAB_OPT_FLAG,
     .off = offsetof(struct clab_tui_opts, batch),
     .help = "no terminal: apply --keys to a screen of --size and print it "
	     "as text (for tests and scripts)"},
    {.name = "keys",
     .type = CLAB_OPT_STRING,
     .arg = "KEYS",
     .off = offsetof(struct clab_tui_opts, keys),
     .help = "the keys, e.g. 'jjD?'; special keys as <Tab> <BTab> <Left> "
	     "<Right> <Up> <Down> <PgUp> <PgDn> <Home> <End> <Enter> <Esc> "
	     "<BS> <Space> <lt>; the mouse as <Click:ROW,COL> "
	     "<WheelUp:ROW,COL> <WheelDown:ROW,COL> (rows and columns from "
	     "0)"},
    {.name = "size",
     .type = CLAB_OPT_STRING,
     .arg = "WxH",
     .parse = set_size,
     .want = "WIDTHxHEIGHT",
     .def = "80x24",
     .help = "the batch screen's size"},
    CLAB_OPT_TABLE_END,
};
