#!/bin/sh
# Every command that writes a report or a file says which file it could not
# write and why, and exits 5: a full disk (/dev/full), a directory that
# does not exist, a standard output that cannot be written.
. "$(dirname "$0")/lib.sh"

"$CONCLAB" run prodcons --variant condvar -q --sched pct --seed 1 \
	--trace pc.clt >/dev/null 2>&1
[ -s pc.clt ] && pass "a trace to write about" || fail "no trace"

# outwrite WHAT CMD...: exit 5, "conclab CMD: cannot write WHAT: REASON"
outwrite() {
	what=$1
	shift
	expect_exit 5 "$@"
	contains "$T/err" "^conclab $2: cannot write $what: No space left on device\$" "$2 $3: the file and the reason"
}
outwrite /dev/full "$CONCLAB" check -o /dev/full pc.clt
outwrite /dev/full "$CONCLAB" check --format junit -o /dev/full pc.clt
outwrite /dev/full "$CONCLAB" check --format gradescope --output /dev/full pc.clt
outwrite /dev/full "$CONCLAB" export --format chrome -o /dev/full pc.clt
outwrite /dev/full "$CONCLAB" export --format jsonl -o /dev/full pc.clt
outwrite /dev/full "$CONCLAB" dump -o /dev/full pc.clt

# The same on standard output.
for c in "check pc.clt" "analyze pc.clt" "dump pc.clt" "list" \
	"export --format jsonl pc.clt" "check --format json pc.clt"; do
	# shellcheck disable=SC2086
	"$CONCLAB" $c >/dev/full 2>"$T/err"
	rc=$?
	[ $rc -eq 5 ] && pass "$c >/dev/full: exit 5" || fail "$c >/dev/full: exit $rc, expected 5"
	contains "$T/err" "cannot write the standard output: No space left on device" "$c >/dev/full: says why"
	n=$(count_lines "$T/err" 'cannot write')
	[ "$n" -eq 1 ] && pass "$c >/dev/full: said once" || fail "$c >/dev/full: said $n times"
done

# A file that cannot be made: its name and the reason, exit 5, not 2.
expect_exit 5 "$CONCLAB" check -o nodir/report.txt pc.clt
contains "$T/err" '^conclab check: cannot write nodir/report.txt: No such file or directory$' "check -o into no directory"
expect_exit 5 "$CONCLAB" dump -o nodir/dump.txt pc.clt
contains "$T/err" '^conclab dump: cannot write nodir/dump.txt: No such file or directory$' "dump -o into no directory"
expect_exit 5 "$CONCLAB" export --format chrome -o nodir/x.json pc.clt
contains "$T/err" '^conclab export: cannot write nodir/x.json: No such file or directory$' "export -o into no directory"

# Writes that succeed still exit as before (the check's verdict).
expect_exit 0 "$CONCLAB" check -o ok.txt pc.clt
contains ok.txt 'properties hold' "check -o a writable file"
finish
