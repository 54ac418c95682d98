# same FILE NAME WHAT: FILE, byte for byte, is tests/tui/screens/NAME.txt.
# With CONCLAB_UPDATE_SCREENS=1 it is written there instead: look at the
# diff before you commit it.  Needs SRC (the source tree), pass and fail.
same() {
	want="$SRC/tests/tui/screens/$2.txt"
	if [ "${CONCLAB_UPDATE_SCREENS:-0}" = 1 ]; then
		mkdir -p "$SRC/tests/tui/screens"
		cp "$1" "$want" && pass "$3 (written to tests/tui/screens/$2.txt)"
	elif cmp -s "$1" "$want"; then
		pass "$3"
	else
		fail "$3: the screen differs from tests/tui/screens/$2.txt:"
		diff "$want" "$1" | sed 's/^/  | /'
	fi
}
