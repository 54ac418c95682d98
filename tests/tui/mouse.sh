# The mouse in a real terminal: the viewer turns mouse reporting on, a
# click on a record's line moves the cursor there, a click on a lane
# selects the thread, the wheel steps; after q, Ctrl-C, or with
# --no-mouse, the terminal's mouse reporting is off.
#
# tmux cannot make a mouse event for a pane without a client's real
# mouse (send-keys -M only forwards one), so the test types what a
# terminal would send for a press: the X10 encoding (ESC [ M and three
# bytes) when the viewer asked for mode 1000, the SGR one (ESC [ < b;x;y M)
# when it asked for 1006, as tmux's pane flags tell.  tmux passes those
# bytes to the program like any typed text, which is the same path real
# clicks take from a terminal to curses.
. "$(dirname "$0")/lib.sh"
export LANG=C.UTF-8 LC_ALL=C.UTF-8
record philosophers naive "$T/ph.clt" || finish

# flags: tmux's view of the pane's mouse modes, e.g. "1 1 0"
flags() {
	tm display-message -p -t t \
		'#{mouse_any_flag} #{mouse_standard_flag} #{mouse_sgr_flag}'
}

chr() {
	printf "\\$(printf %03o "$1")"
}

# press BUTTON ROW COL: a press and its release at a 0-based cell, in the
# pane's encoding (buttons: 0 the left one, 64 wheel up, 65 wheel down),
# as a terminal sends them.
press() {
	if [ "$(flags | cut -d' ' -f3)" = 1 ]; then
		keys -l "$(printf '\033[<%d;%d;%dM' "$1" $(($3 + 1)) $(($2 + 1)))"
		keys -l "$(printf '\033[<%d;%d;%dm' "$1" $(($3 + 1)) $(($2 + 1)))"
	else
		xy="$(chr $((33 + $3)))$(chr $((33 + $2)))"
		keys -l "$(printf '\033[M')$(chr $((32 + $1)))$xy"
		# the release (button 3 in X10), unless it was the wheel
		[ "$1" -ge 64 ] || keys -l "$(printf '\033[M')#$xy"
	fi
}

# mouse_on WHAT: wait until the pane is in mouse mode
mouse_on() {
	i=0
	while [ "$i" -lt $((WAIT * 20)) ]; do
		case $(flags) in 1\ *) pass "$1"; return 0 ;; esac
		sleep 0.05
		i=$((i + 1))
	done
	fail "$1: the pane's mouse flags are '$(flags)'"
	return 1
}

mouse_off() {
	case $(flags) in
	"0 0 0") pass "$1" ;;
	*) fail "$1: the pane's mouse flags are '$(flags)'" ;;
	esac
}

# session TERM: the checks, with curses' encoding for that terminal
session() {
	start 80 24 "cd '$T' && TERM=$1 '$CONCLAB' replay ph.clt"
	expect '^ record 0/[0-9]+ .*philosophers/naive' "$1: the viewer opens"
	mouse_on "$1: the viewer turns mouse reporting on" || return
	# the log's line of record 2 is row 12 (the status, 8 lane rows,
	# the title, records 0 and 1 above it)
	expect '^  2 T0 ' "$1: record 2 on row 12"
	press 0 12 5
	expect '^ record 2/[0-9]+ ' "$1: a click on a record's line moves the cursor there"
	expect '^> 2 T0 ' "$1: the log marks it"
	press 65 12 5
	expect '^ record 3/[0-9]+ ' "$1: the wheel steps forward"
	press 64 3 30
	expect '^ record 2/[0-9]+ ' "$1: and back"
	# T3's lane is row 5; its label column selects it and keeps the cursor
	press 0 5 3
	expect '^>T3 phil-2' "$1: a click on a lane selects the thread"
	expect '^T3 phil-2: ' "$1: the bottom line is about it"
	expect '^ record 2/[0-9]+ ' "$1: a click on a label does not move the cursor"
	keys q
	expect '^EXIT=0$' "$1: q quits"
	mouse_off "$1: mouse reporting is off after q"
	absent 'Threads|Records' "$1: the terminal is restored"
}

session screen          # kmous=\E[M: mode 1000, X10 bytes
session xterm-256color  # kmous=\E[<: mode 1006, SGR

# Ctrl-C: the terminal is restored, mouse reporting too
start 80 24 "cd '$T' && '$CONCLAB' replay ph.clt"
expect '^ record 0/' "the viewer again"
mouse_on "mouse reporting on"
keys C-c
expect '^EXIT=130$' "Ctrl-C exits 130"
mouse_off "mouse reporting is off after Ctrl-C"

# --no-mouse: the terminal keeps the mouse (to select text); keys work
start 80 24 "cd '$T' && '$CONCLAB' replay --no-mouse ph.clt"
expect '^ record 0/' "--no-mouse: the viewer opens"
keys l
expect '^ record 1/' "--no-mouse: keys work"
mouse_off "--no-mouse: no mouse reporting"
keys q
expect '^EXIT=0$' "--no-mouse: q quits"
finish
