# conclab trace --view: the viewer opens on an unmodified program's trace
# once the report is printed, at the deadlock if there was one; q quits
# with the run's exit code.  sh tests/tui/trace.sh CONCLAB SANITIZE PROGRAMS
. "$(dirname "$0")/lib.sh"
D=${3:?usage: $0 CONCLAB SANITIZE PROGRAMS_DIR}
case $D in /*) ;; *) D=$OLDPWD/$D ;; esac
case ${2:-none} in
*thread*) echo "SKIP: conclab trace does not work in a ThreadSanitizer build"; exit 77 ;;
esac
export LANG=C.UTF-8 LC_ALL=C.UTF-8

# A seeded run of the ABBA race deadlocks, the same way every time: the
# viewer at the deadlock is the same screen, byte for byte.  -q first
# prints the brief report.
start 80 24 "cd '$T' && '$CONCLAB' trace -q --view --sched random --seed 2 --trace '$T/ar.clt' '$D/preload-abba' race"
expect 'DEADLOCK: wait-for cycle' "the viewer opens after the run, at the deadlock"
expect '^>[ 0-9]+ T[0-9]+ +diag deadlock' "the cursor on the deadlock record"
same_screen trace-view-deadlock "a seeded deadlock's screen"
keys q
expect '^EXIT=3$' "q quits; the run's exit code (3: deadlock) is kept"
absent 'Threads|Records' "the terminal is restored"
tm capture-pane -p -S - -t t >"$T/history"
grep -q -E '^checks \(trace preload-abba\):' "$T/history" &&
	pass "the report is on the screen after the viewer" ||
	fail "the report is not on the screen or in its history"
grep -q 'lock order (conclab analyze)' "$T/history" &&
	fail "-q: the full lock-order report was printed" ||
	pass "-q: the brief report"
grep -q -E '^replay it: conclab trace --seed 2 --replay ' "$T/history" &&
	pass "the replay line" || fail "no replay line"

# A real deadlock under the operating system: the full report, then the
# viewer at the deadlock.
start 80 24 "cd '$T' && '$CONCLAB' trace --view --trace '$T/dl.clt' '$D/preload-deadlock'"
expect 'DEADLOCK: wait-for cycle' "a real deadlock: the viewer at the deadlock"
keys q
expect '^EXIT=3$' "q quits with 3"
tm capture-pane -p -S - -t t >"$T/history"
grep -q 'lock order (conclab analyze)' "$T/history" &&
	pass "without -q: the full lock-order report" ||
	fail "without -q: no lock-order report"

# A run that ends: the viewer at the start, the run's exit code (1: the
# lock-order cycle) after q.
start 80 24 "cd '$T' && '$CONCLAB' trace --view -q --trace '$T/ab.clt' '$D/preload-abba'"
expect '^ record 0/[0-9]+ ' "a run without deadlock: the viewer at the start"
keys q
expect '^EXIT=1$' "q quits with the run's exit code (1)"

# Ctrl-C in the viewer: the terminal restored, 130.
start 80 24 "cd '$T' && '$CONCLAB' trace --view --trace '$T/ab2.clt' '$D/preload-abba'"
expect '^ record 0/[0-9]+ ' "the viewer again"
keys C-c
expect '^EXIT=130$' "Ctrl-C in the viewer exits 130"
absent 'Threads|Records' "the terminal is restored after Ctrl-C"
finish
