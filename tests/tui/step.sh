#!/bin/sh
# conclab step, as a person plays it at 80x24 without colour: the choices
# under the log, a move at a key, undo and redo, the win, and the schedule
# of the moves, which `conclab run --replay` reruns.
. "$(dirname "$0")/lib.sh"
export LANG=C LC_ALL=C
start 80 24 "NO_COLOR=1 '$CONCLAB' step philosophers --variant naive --trace st.clt"
expect 'You are the scheduler: who goes next\?' "the choices are shown"
expect '^ 1 main +goes on +labs/philosophers\.c:[0-9]+' "each choice names the thread and its next line"
same_screen step-start "the first move's screen"
keys 2
expect 'move 2: pick who goes next' "a key makes a move"
keys u
expect 'move 1: pick who goes next' "u undoes it"
keys r
expect 'move 2: pick who goes next' "r redoes it"
keys u
expect 'move 1: pick who goes next' "and u again"
# Nineteen times the first choice: the philosophers deadlock.
keys 1111111111111111111
expect 'You win in 19 moves! deadlock: threads wait for each other' "driving it into the deadlock wins"
expect 'The run has ended' "the moves say the run has ended"
same_screen step-win "the winning screen"
keys 1
expect 'You win in 19 moves' "a move key after the end keeps the message"
keys u
expect 'move 19: pick who goes next' "u goes back before the last move"
keys r
expect 'You win in 19 moves' "r wins again"
keys q
expect '^schedule: 1\.1\.Ew$' "q prints the schedule of the moves"
expect '^replay it: conclab run philosophers --variant naive --seed 1 --replay 1\.1\.Ew$' "and how to replay it"
expect '^EXIT=0$' "q quits with 0"
[ -s st.clt ] && pass "--trace keeps the run's trace" || fail "no trace in st.clt"
"$CONCLAB" run philosophers --variant naive --seed 1 --replay 1.1.Ew -q --trace r.clt >/dev/null 2>&1
rc=$?
[ "$rc" -eq 3 ] && pass "the schedule replays the deadlock (exit 3)" ||
	fail "the replay of the moves exited $rc, not 3"
# No terminal: refused with a clear message; --batch works without one.
"$CONCLAB" step philosophers </dev/null >out 2>err
rc=$?
[ "$rc" -eq 2 ] && grep -q 'needs a terminal' err && pass "no terminal: exit 2 and why" ||
	fail "without a terminal: exit $rc, $(cat err)"
# A click on a choice makes it (row 19: the first choice at 80x24).
"$CONCLAB" step philosophers --variant naive --batch --keys '<Click:19,5>' >out 2>&1
grep -q 'move 2: pick who goes next' out && pass "a click on a choice makes it" ||
	fail "a click did not make the move: $(tail -3 out)"
"$CONCLAB" step philosophers --variant naive --batch --keys 1111111111111111111 >out 2>&1
grep -q 'You win in 19 moves' out && pass "--batch --keys plays the same game" ||
	fail "--batch did not win: $(tail -3 out)"
finish
