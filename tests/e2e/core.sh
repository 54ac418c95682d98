#!/bin/sh
# The promises of the core labs, checked on their traces.
. "$(dirname "$0")/lib.sh"

# Naive philosophers: the watchdog reports the five-fork cycle.
expect_exit 3 "$CONCLAB" run philosophers --variant naive -q --trace naive.clt
contains "$T/err" '^conclab: deadlock' "naive: deadlock reported"
contains "$T/err" 'cycle: (phil-[0-9] -> ){5}phil-[0-9]$' "naive: five threads in the cycle, by name"
n=$(count_lines "$T/err" '^  phil-[0-9] +waits on mutex fork-[0-9] at labs/philosophers\.c:[0-9]+, held by phil-[0-9]$')
[ "$n" -eq 5 ] && pass "naive: each philosopher waits on a fork held by another" ||
	fail "naive: $n philosophers reported waiting on a held fork, expected 5"
contains "$T/err" '^  the held locks were all taken at labs/philosophers\.c:[0-9]+$' "naive: where the forks were taken, said once"
# lacks_tids FILE what: no thread is named by its number (T1 is phil-0)
lacks_tids() {
	if grep -q -E '(^|[ (])T[0-9]+([ ()]|$)' "$1"; then
		fail "$2: a thread named by its number"
		grep -E '(^|[ (])T[0-9]+([ ()]|$)' "$1" | head -n 3 | sed 's/^/  /'
	else
		pass "$2: threads named by their names"
	fi
}
lacks_tids "$T/err" "naive: the watchdog's report"
expect_exit 0 "$CONCLAB" dump -o naive.txt naive.clt
expect_exit 1 "$CONCLAB" analyze naive.clt
contains "$T/out" '^deadlock at record [0-9]+' "analyze: the deadlock"
n=$(count_lines "$T/out" '^  phil-[0-9] waits on mutex fork-[0-9] since record [0-9]+, held by phil-[0-9]$')
[ "$n" -eq 5 ] && pass "analyze: each philosopher's wait since its record, and the holder" ||
	fail "analyze: $n philosophers with since/holder, expected 5"
lacks_tids "$T/out" "naive: analyze"
expect_exit 1 "$CONCLAB" check naive.clt
contains "$T/out" '^  info hunger .*(phil-[0-9] [0-9.]+ \(still hungry\),? ?){5}$' "naive: every philosopher still hungry at the end"
contains "$T/out" '^  ok   starvation .*; 6 never ended\): phil-[0-9] [0-9.]+ \(fork-[0-9], still waiting\)' "naive: starvation lists the waits still open, as such"
n=$(count_lines naive.txt ' diag +T[0-9]+\(phil-[0-9]\) +blocked waits=fork-')
[ "$n" -eq 5 ] && pass "naive: five blocked records in the trace" ||
	fail "naive: $n blocked records, expected 5"

# single-cv: everyone waits on the one condition; analyze says who last
# signalled it and whom that woke (a thread of the wrong kind).
expect_exit 3 "$CONCLAB" run prodcons --variant single-cv -q --trace scv.clt
expect_exit 1 "$CONCLAB" analyze scv.clt
contains "$T/out" '^  buffer\.cv \([0-9]+ waiting\): its last cond\.(signal|broadcast), record [0-9]+ by (cons|prod)-[0-9] at labs/prodcons-run\.c:[0-9]+, woke (cons|prod)-[0-9]' "single-cv: the last signal and whom it woke"
expect_exit 1 "$CONCLAB" analyze --json scv.clt
contains "$T/out" '"last_signal":\{"record":[0-9]+,"kind":"cond\.signal","thread":[0-9]+,"at":"labs/prodcons-run\.c:[0-9]+","woke":[0-9]+\}' "single-cv: the last signal in JSON"

# With --stacks, analyze shows where: the wait under the lock, and the
# lock-cycle edges, in text and in JSON.
expect_exit 3 "$CONCLAB" run prodcons --variant sem-order --stacks -q --trace so.clt
expect_exit 1 "$CONCLAB" analyze so.clt
contains "$T/out" '^      wait \(record [0-9]+, stack [0-9]+\):$' "sem-order: the wait's stack"
contains "$T/out" '^        sem_producer \(labs/prodcons-run\.c:[0-9]+\)$' "sem-order: its frame"
expect_exit 1 "$CONCLAB" analyze --json so.clt
contains "$T/out" '"type":"wait-holding".*"stack":\{"record":[0-9]+,"frames":\[\{"func":"sem_producer","file":"labs/prodcons-run\.c","line":[0-9]+\}.*"held_stack":\{' "sem-order: the stacks in JSON"
expect_exit 3 "$CONCLAB" run philosophers --variant naive --stacks -q --trace ns.clt
expect_exit 1 "$CONCLAB" analyze --json ns.clt
contains "$T/out" '"type":"lock-cycle".*"request_stack":\{"record":[0-9]+,"frames":\[\{"func":"[a-z_]+","file":"labs/philosophers\.c"' "naive: an edge's request stack in JSON"
expect_exit 1 "$CONCLAB" analyze --json naive.clt
if grep -q 'request_stack\|held_stack' "$T/out"; then
	fail "analyze --json shows stacks of a trace without them"
else
	pass "no stacks in JSON when the trace has none"
fi

# Ordered philosophers: every meal eaten, 5 x meals.
expect_exit 0 "$CONCLAB" run philosophers --variant ordered -q --meals 4 --trace ordered.clt
"$CONCLAB" dump ordered.clt >ordered.txt
n=$(count_lines ordered.txt ' note +- +eat=')
[ "$n" -eq 20 ] && pass "ordered: 20 meals eaten" || fail "ordered: $n meals, expected 20"
for p in 0 1 2 3 4; do
	n=$(count_lines ordered.txt "T[0-9]+ +phil-$p +note +- +eat=")
	[ "$n" -eq 4 ] || fail "ordered: phil-$p ate $n meals, expected 4"
done

# prodcons condvar: every item consumed exactly once.
expect_exit 0 "$CONCLAB" run prodcons --variant condvar -q --producers 2 --consumers 3 --items 25 --trace pc.clt
"$CONCLAB" dump pc.clt >pc.txt
grep -E ' note +- +put=' pc.txt | sed -E 's/.* put=([0-9]+).*/\1/' | sort -n >puts
grep -E ' note +- +get=' pc.txt | sed -E 's/.* get=([0-9]+).*/\1/' | sort -n >gets
np=$(wc -l <puts)
[ "$np" -eq 50 ] && pass "condvar: 50 items produced" || fail "condvar: $np items produced, expected 50"
if cmp -s puts gets && [ -z "$(uniq -d gets)" ]; then
	pass "condvar: every item consumed exactly once"
else
	fail "condvar: items produced and consumed differ"
fi

# timer condvar: both waiters see every tick once, in order.
expect_exit 0 "$CONCLAB" run timer --variant condvar -q --trace tick.clt
"$CONCLAB" dump tick.clt >tick.txt
for w in 0 1; do
	if [ $w -eq 0 ]; then pat=' note +- +saw=[0-9]+ @'; else pat=" note +- +saw=[0-9]+ $w @"; fi
	grep -E "$pat" tick.txt | sed -E 's/.* saw=([0-9]+).*/\1/' >saw$w
	first=$(head -n 1 saw$w)
	n=$(wc -l <saw$w)
	seq "$first" $((first + n - 1)) >want$w
	if [ "$n" -gt 0 ] && cmp -s saw$w want$w; then
		pass "timer: waiter $w saw $n consecutive ticks"
	else
		fail "timer: waiter $w saw ticks $(tr '\n' ' ' <saw$w)"
	fi
done
[ "$(wc -l <saw0)" -eq 10 ] || fail "timer: countdown saw $(wc -l <saw0) ticks, expected 10"
[ "$(wc -l <saw1)" -eq 5 ] || fail "timer: countup saw $(wc -l <saw1) ticks, expected 5"
# The lab's own --spurious_rate injects wakeups (run's --spurious is the
# controlled scheduler's): condvar shrugs them off, no-loop counts them,
# and no-loop without them passes.
expect_exit 0 "$CONCLAB" run timer --variant condvar --spurious_rate 500 -q --trace spur.clt
"$CONCLAB" dump spur.clt | grep -q 'cause=spurious' &&
	pass "timer condvar --spurious_rate 500: spurious wakeups injected" ||
	fail "timer condvar --spurious_rate 500: no spurious wakeup in the trace"
expect_exit 1 "$CONCLAB" run timer --variant no-loop --spurious_rate 100 -q --trace spur1.clt
expect_exit 0 "$CONCLAB" run timer --variant no-loop --spurious_rate 0 -q --trace spur0.clt

# The same trace always dumps to the same bytes.
"$CONCLAB" dump tick.clt >tick2.txt
cmp -s tick.txt tick2.txt && pass "dump is byte-identical" || fail "two dumps differ"
# A run that never ends (a livelock) is stopped by the time limit: exit 4,
# with the trace saved and the reason in it.
expect_exit 4 "$CONCLAB" run philosophers --variant trylock -q --meals 1000 --time-limit 1 --trace limit.clt
contains "$T/err" 'time limit' "time limit: reported"
expect_exit 0 "$CONCLAB" dump -o limit.txt limit.clt
contains limit.txt ' diag +- +run-timeout' "time limit: diagnostic in the trace"

# Ctrl-C saves the trace and exits 130.
interrupt INT 0.3 int.clt run philosophers --variant trylock -q --meals 1000 --trace int.clt
[ $rc -eq 130 ] && pass "Ctrl-C: exit 130" || fail "Ctrl-C: exit $rc, expected 130"
contains "$T/run.err" 'trace saved' "Ctrl-C: trace saved"
expect_exit 0 "$CONCLAB" dump -o int.txt int.clt
n=$(count_lines int.txt ' note +- +backoff=|mutex.acquire')
[ "$n" -gt 0 ] && pass "Ctrl-C: $n records kept" || fail "Ctrl-C: no records kept"

# The timer: a waiter away for two periods or more (long work, or a busy
# machine) cannot see the ticks it was away for, and that is not held
# against it; a tick lost while it waited still is.  Controlled, so the
# same for every machine and load.
for seed in 1 2 3; do
	expect_exit 0 "$CONCLAB" run timer --variant condvar -q --work_ms 70 --sched pct --seed $seed --trace tw.clt
	contains "$T/out" '^  ok   countdown saw every tick +10 ticks in order, each once; [0-9]+ more came and went while it was away' "timer condvar, long work, seed $seed: the ticks it was away for are not held against it"
	expect_exit 1 "$CONCLAB" run timer --variant notify-one -q --work_ms 70 --sched pct --seed $seed --trace tn.clt
	contains "$T/out" '^  FAIL countdown saw every tick +missed [0-9]+ tick' "timer notify-one, long work, seed $seed: a tick lost while it waited fails"
done
finish
