# Shared by the viewer's terminal tests: sh tests/tui/X.sh CONCLAB
# The real program runs in a private tmux server (its own socket, no user
# configuration); tests send keys and poll the captured screen until the
# expected text shows up, so they never sleep longer than needed.
. "$(dirname "$0")/batch-lib.sh"
command -v tmux >/dev/null 2>&1 || { echo "tmux is not installed: skip"; exit 77; }
SOCK="conclab-tui-$$"
nsock=0
tm() {
	tmux -L "$SOCK-$nsock" -f /dev/null "$@"
}
cleanup() {
	i=0
	while [ "$i" -le "$nsock" ]; do
		tmux -L "$SOCK-$i" kill-server >/dev/null 2>&1
		i=$((i + 1))
	done
	rm -rf "$T"
}
trap cleanup EXIT
# Seconds to wait for a screen; generous for the sanitizer builds.
# After a failure, waits are short, so that one failure does not make the
# whole test time out.
WAIT=${CONCLAB_TUI_WAIT:-30}

# start W H COMMAND: run COMMAND in a new W x H session, on a tmux server
# of its own; the shell prints EXIT=<code> when it ends and keeps the pane
# open.  COMMAND may write its pid to $T/pid.
start() {
	tm kill-server >/dev/null 2>&1
	nsock=$((nsock + 1))
	tm new-session -d -x "$1" -y "$2" -s t \
		"$3; echo EXIT=\$?; sleep 600" || { fail "tmux did not start"; return 1; }
	tm set-option -t t -g status off >/dev/null 2>&1
}

screen() {
	tm capture-pane -p -t t
}

keys() {
	tm send-keys -t t "$@"
}

# expect PATTERN WHAT: poll the screen until a line matches PATTERN (ERE).
expect() {
	i=0
	while [ "$i" -lt $((WAIT * 20)) ]; do
		if screen | grep -q -E -- "$1"; then
			pass "$2"
			return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	fail "$2: no line matching '$1' within ${WAIT}s; the screen:"
	screen | sed 's/^/  | /'
	WAIT=2
	return 1
}

# absent PATTERN WHAT: the current screen has no line matching PATTERN.
absent() {
	if screen | grep -q -E -- "$1"; then
		fail "$2: '$1' is on the screen"
		screen | sed 's/^/  | /'
	else
		pass "$2"
	fi
}

# same_screen NAME WHAT: the screen is tests/tui/screens/NAME.txt.
same_screen() {
	screen >"$T/$1.txt"
	same "$T/$1.txt" "$1" "$2"
}

# record LAB VARIANT FILE: a trace of a lab run (deadlocks exit 3).
record() {
	"$CONCLAB" run "$1" --variant "$2" -q --trace "$3" >/dev/null 2>&1
	[ -s "$3" ] || { fail "no trace from $1/$2"; return 1; }
}
