# The report of a run, read in an 80x24 terminal: the deadlocked naive
# philosophers' report, up to its checks, fits on one screen, folded at
# the terminal's 80 columns, each fact once; byte for byte as expected.
. "$(dirname "$0")/lib.sh"
export LANG=C LC_ALL=C
unset CONCLAB_TEXT_WIDTH
start 80 24 "'$CONCLAB' run philosophers --variant naive --sched pct --seed 1"
expect '^EXIT=3$' "the naive philosophers deadlock: exit 3"
# the whole output, as the terminal shows it (folded lines are rows)
tm capture-pane -p -t t -S - -E - >"$T/all.txt"
sed -n '/^conclab: philosophers/,$p' "$T/all.txt" | sed '/^incomplete: /,$d' >"$T/before.txt"
rows=$(wc -l <"$T/before.txt")
[ "$rows" -le 24 ] && pass "before the checks: $rows rows, one screen" ||
	fail "before the checks: $rows rows, more than one 80x24 screen"
same "$T/before.txt" run-naive "the report before the checks"
if awk 'length > 80 { bad = 1 } END { exit !bad }' "$T/all.txt"; then
	fail "a row wider than 80 columns"
else
	pass "no row wider than the terminal"
fi
n=$(grep -c 'deadlock' "$T/before.txt")
[ "$n" -eq 1 ] && pass "the deadlock is told once" ||
	fail "the deadlock is told $n times"
grep -q '^  FAIL lock order ' "$T/all.txt" && pass "the checks follow" ||
	fail "no checks after the report"
# a continued check line stands under its message
grep -q '^                                [a-z(]' "$T/all.txt" &&
	pass "long check lines continue under their message" ||
	fail "no check line continued under its message"

# A deadlock with no cycle: eight threads on one condition.  The viewer
# says who last signalled it, whom that woke, and that every thread that
# ever signals it waits on it too; conclab run says the same in words.
CONCLAB_TEXT_WIDTH=0 "$CONCLAB" run prodcons --variant single-cv --seed 2 --replay 1.1.Qw -q \
	--trace sc.clt >sc.out 2>sc.err
[ $? -eq 3 ] && pass "prodcons single-cv, this schedule: a deadlock" ||
	fail "prodcons single-cv, schedule 1.1.Qw: no deadlock"
grep -q '^  buffer\.cv (8 waiting): its last cond\.signal, record [0-9]* by prod-2 .*, woke prod-0, which waits on it again since record [0-9]*; the threads that signal it: .*, all waiting on it too$' sc.out &&
	pass "run: why nobody wakes the waiters" ||
	{ fail "run: no line on why nobody wakes the waiters"; sed 's/^/  | /' sc.out; }
start 80 24 "'$CONCLAB' replay --deadlock sc.clt"
expect 'DEADLOCK: nobody wakes them' "the viewer: a deadlock with no cycle, explained"
same_screen view-stuck-cond "the viewer at a condition nobody signals"
keys q
expect '^EXIT=0$' "q quits"
finish
