# conclab run --view: the viewer opens when the run ends, at the deadlock
# if there was one; q quits and the run's exit code is kept.
. "$(dirname "$0")/lib.sh"
export LANG=C.UTF-8 LC_ALL=C.UTF-8
start 80 24 "cd '$T' && '$CONCLAB' run philosophers --variant naive -q --view --trace '$T/ph.clt'"
expect '^ record [0-9]+/[0-9]+ .*philosophers/naive' "the viewer opens after the run"
expect 'DEADLOCK: wait-for cycle' "at the deadlock"
expect '^>[ 0-9]+ T[0-9]+ +diag deadlock' "the cursor on the deadlock record"
keys q
expect '^EXIT=3$' "q quits; the run's exit code (3: deadlock) is kept"
absent 'Threads|Records' "the terminal is restored"
# the report may be longer than the pane: look in its history too
tm capture-pane -p -S - -t t | grep -q -E '^checks \(philosophers naive\):' &&
	pass "the run's report is still on the screen" ||
	fail "the run's report is not on the screen or in its history"

# a run that ends opens the viewer at the start; the exit code is the run's
start 80 24 "cd '$T' && '$CONCLAB' run philosophers --variant ordered -q --view --trace '$T/po.clt'"
expect '^ record 0/[0-9]+ .*philosophers/ordered' "a run without deadlock: the viewer at the start"
keys q
expect '^EXIT=0$' "q quits with the run's exit code (0)"

# Ctrl-C in the viewer after a deadlock: the terminal is restored, 130
start 80 24 "cd '$T' && '$CONCLAB' run philosophers --variant naive -q --view --trace '$T/ph2.clt'"
expect 'DEADLOCK: wait-for cycle' "the viewer at the deadlock again"
keys C-c
expect '^EXIT=130$' "Ctrl-C in the viewer exits 130"
absent 'Threads|Records' "the terminal is restored after Ctrl-C"

# without a terminal: a note, and the run as without --view
"$CONCLAB" run philosophers --variant naive -q --view --trace nt.clt >out 2>err </dev/null
rc=$?
[ "$rc" -eq 3 ] && pass "no terminal: exit code 3" || fail "no terminal: exit code $rc"
grep -q -- '--view needs a terminal; see the trace with conclab replay nt.clt' err &&
	pass "no terminal: the note" || { fail "no note"; cat err; }
finish
