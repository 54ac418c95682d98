# Shared by the viewer's tests: sh tests/tui/X.sh CONCLAB [SANITIZE]
# Sets CONCLAB (an absolute path), SANITIZE (none, or the build's
# b_sanitize), SRC (the source tree) and T (a private directory, the
# current one, removed at the end); gives pass, fail, finish, same
# (same.sh), and for batch mode (no terminal) show, has and hasnt.
# lib.sh adds a terminal (tmux) to it.
set -u
CONCLAB=${1:?usage: $0 path/to/conclab [SANITIZE]}
SANITIZE=${2:-none}
case $CONCLAB in /*) ;; *) CONCLAB=$(pwd)/$CONCLAB ;; esac
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/conclab-tui.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

pass() {
	echo "ok: $*"
}

finish() {
	[ "$failures" -eq 0 ] && { echo "all passed"; exit 0; }
	echo "$failures failed"
	exit 1
}

. "$SRC/tests/tui/same.sh"

# batch TRACE KEYS FILE: the screen after KEYS (conclab replay --batch),
# in FILE; 80x24 exactly.
batch() {
	"$CONCLAB" replay --batch --keys "$2" "$1" >"$3" 2>err ||
		{ fail "replay --keys '$2' $1 failed"; cat err; }
	[ "$(wc -l <"$3")" -eq 24 ] || fail "'$2' on $1: not 24 lines"
	[ "$(wc -L <"$3")" -le 80 ] || fail "'$2' on $1: over 80 columns"
}

# show TRACE KEYS: the screen after KEYS, in out.
show() {
	batch "$1" "$2" out
}

# has PATTERN WHAT / hasnt PATTERN WHAT: about the last screen, in out.
has() {
	if grep -q -E -- "$1" out; then pass "$2"; else
		fail "$2: no line matching '$1'"; sed 's/^/  | /' out; fi
}
hasnt() {
	if grep -q -E -- "$1" out; then
		fail "$2: '$1' is on the screen"; sed 's/^/  | /' out
	else pass "$2"; fi
}
